"""Thena Workflows API client: ``ThenaClient`` plus its configuration and error types."""

from .assumptions import DEFAULT_BASE_URL, ApiPaths
from .client import RawResponse, ThenaClient
from .clock import Clock
from .errors import (
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
from .paging import WorkflowPages
from .registry import RegistryCache, RegistryLists, event_names, fetch_lists, fetch_registry
from .retry import Decision, RetryPolicy, WaitBudget, classify
from .stats import ClientStats

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
    "RegistryCache",
    "RegistryLists",
    "RetryPolicy",
    "ServerError",
    "ThenaApiError",
    "ThenaClient",
    "ThenaError",
    "ThenaTimeoutError",
    "ThenaTransportError",
    "UnexpectedResponseError",
    "WaitBudget",
    "WorkflowPages",
    "classify",
    "event_names",
    "fetch_lists",
    "fetch_registry",
]
