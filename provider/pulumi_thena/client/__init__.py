"""Thena Workflows API client: ``ThenaClient`` plus its configuration and error types."""

from pulumi_thena.client.assumptions import DEFAULT_BASE_URL, ApiPaths
from pulumi_thena.client.client import RawResponse, ThenaClient, WorkflowPages
from pulumi_thena.client.clock import Clock
from pulumi_thena.client.errors import (
    AmbiguousWriteError,
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    ThenaApiError,
    ThenaError,
    ThenaTimeoutError,
    ThenaTransportError,
    UnexpectedResponseError,
)
from pulumi_thena.client.retry import Decision, RetryPolicy, classify
from pulumi_thena.client.stats import ClientStats

__all__ = [
    "DEFAULT_BASE_URL",
    "AmbiguousWriteError",
    "ApiPaths",
    "AuthenticationError",
    "ClientStats",
    "Clock",
    "ConflictError",
    "Decision",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RawResponse",
    "RetryPolicy",
    "ServerError",
    "ThenaApiError",
    "ThenaClient",
    "ThenaError",
    "ThenaTimeoutError",
    "ThenaTransportError",
    "UnexpectedResponseError",
    "WorkflowPages",
    "classify",
]
