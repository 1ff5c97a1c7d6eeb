"""What a credential looks like in a step input: by the key that holds it, or by its value.

One home for the heuristics that ``export`` uses to keep secrets out of the files it writes and
that the ``no-clear-credentials`` guardrail uses to find one written in clear. A value is read
before its secrets are put in: a ``${secret.NAME}`` stands there as ``REDACTED``, so a secret can
be told from a literal, and no message built from a value can hold a secret.
"""

from __future__ import annotations

import re

REDACTED = "[secret]"
"""What a secret looks like wherever its value must not be: validation, messages, guardrails."""

SECRET_KEY_PARTS = (
    "token",
    "secret",
    "password",
    "passwd",
    "apikey",
    "api_key",
    "api-key",
    "authorization",
    "credential",
    "privatekey",
    "private_key",
    "cookie",
    "signingkey",
    "signing_key",
    "signing-key",
    "bearer",
)
"""A step-input key containing one of these (any case) holds a secret."""

SECRET_KEY_WORDS = frozenset({"auth", "jwt", "sig", "signature"})
"""Whole words of a key (``auth``, ``basicAuth``, ``X-Auth``; not ``author``) naming a secret."""

_KEY_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_NOT_A_VALUE = r"(?!\{\{|\$\{)"  # a template or placeholder is not a credential

CREDENTIAL_KINDS: tuple[tuple[str, str], ...] = (
    ("a Bearer token", r"(?i:\bbearer)\s+" + _NOT_A_VALUE + r"[A-Za-z0-9._~+/=-]{8,}"),
    ("Basic credentials", r"\bBasic\s+[A-Za-z0-9+/]{12,}={0,2}"),
    (
        "a user and password in a URL",
        r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:" + _NOT_A_VALUE + r"[^/\s@]+@",
    ),
    (
        "a token in a URL's query",
        r"(?i:[?&#](?:access_token|token|api_?key|key|secret|client_secret|signature|sig"
        r"|password|auth|code)=)" + _NOT_A_VALUE + r"[^&\s]+",
    ),
    ("a private key", r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    ("a JSON Web Token", r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ("a GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})"),
    ("a Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    ("a Slack webhook URL", r"hooks\.slack\.com/services/[A-Za-z0-9/]+"),
    ("a Discord webhook URL", r"discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]+"),
    ("an AWS access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    ("a Stripe key", r"\b[sr]k_live_[0-9A-Za-z]{16,}"),
    ("a Google API key", r"\bAIza[0-9A-Za-z_-]{35}"),
)
"""Each kind of credential a string value can hold whatever its key is called, by its pattern."""

CREDENTIAL_VALUE = re.compile("|".join(pattern for _, pattern in CREDENTIAL_KINDS))
"""A string value matching this holds a credential, whatever its key is called."""

_KINDS = tuple((kind, re.compile(pattern)) for kind, pattern in CREDENTIAL_KINDS)


def credential_kind(value: str) -> str | None:
    """What kind of credential ``value`` holds (``a Bearer token``), or None."""
    if CREDENTIAL_VALUE.search(value) is None:
        return None
    return next(kind for kind, pattern in _KINDS if pattern.search(value))


def names_a_secret(key: str) -> bool:
    """Whether a step-input key names a secret (``apiToken``, ``Authorization``, ``X-Auth``)."""
    lowered = key.lower()
    if any(part in lowered for part in SECRET_KEY_PARTS):
        return True
    return any(word.lower() in SECRET_KEY_WORDS for word in _KEY_WORDS.findall(key))


def is_secret(key: str, value: str) -> bool:
    """Whether a step input holds a secret: by its key's name, or by how its value looks."""
    return names_a_secret(key) or CREDENTIAL_VALUE.search(value) is not None
