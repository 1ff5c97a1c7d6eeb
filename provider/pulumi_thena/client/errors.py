"""The exceptions the Thena client raises, each message free of the API key.

Exception hierarchy::

    ThenaError                          base of everything below
    ├── ThenaTransportError             no usable answer: refused, DNS, reset, timed out
    │   └── ThenaTimeoutError           ... because a timeout expired
    ├── ThenaApiError                   the server answered with an error status
    │   ├── InvalidInputError           400, 422 (.messages holds the server's messages)
    │   ├── AuthenticationError         401
    │   ├── PermissionDeniedError       403
    │   ├── NotFoundError               404
    │   ├── ConflictError               409
    │   ├── RateLimitedError            429 (.retry_after, seconds, when the server said;
    │   │                               .refusal, why the client did not wait)
    │   └── ServerError                 5xx
    ├── AmbiguousWriteError             a POST/PATCH whose outcome is unknown (.cause)
    └── UnexpectedResponseError         a 2xx whose body is not what the endpoint returns

Every message names the method and path (and the status and the server's messages when there
are any). Messages are built from those alone, never from request headers, and the base class
scrubs any registered secret (see ``register_secret``) as a last line of defence and makes the
message terminal-safe (``safe_text``: the server's words may hold escape sequences).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from pulumi_thena.client.safe_text import terminal_safe

_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
REDACTED = "***"


def register_secret(secret: str) -> None:
    """Make every ThenaError replace ``secret`` with ``***`` in its message."""
    if secret:
        with _SECRETS_LOCK:
            _SECRETS.add(secret)


def scrub(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    with _SECRETS_LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def _rebuild(cls: type[ThenaError], message: str, state: dict[str, Any]) -> ThenaError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class ThenaError(Exception):
    """Base class of every error the Thena client raises."""

    def __init__(self, message: str) -> None:
        super().__init__(scrub(terminal_safe(message)))

    def __str__(self) -> str:
        return scrub(super().__str__())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take structured arguments; rebuild from message + attributes instead.
        return (_rebuild, (type(self), str(self), dict(self.__dict__)))


class ThenaTransportError(ThenaError):
    """The request got no usable answer (connection refused, DNS, reset, timeout)."""

    def __init__(self, method: str, path: str, detail: str) -> None:
        self.method = method
        self.path = path
        self.detail = detail
        super().__init__(f"{method} {path}: {detail}")


class ThenaTimeoutError(ThenaTransportError):
    """A connect, read, write or pool timeout expired."""


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "HTTP error"


class ThenaApiError(ThenaError):
    """The server answered with an error status; ``messages`` are its own words (U-14)."""

    hint = ""

    def __init__(self, method: str, path: str, status: int, messages: Sequence[str] = ()) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.messages = list(messages)
        super().__init__(self._compose())

    def _compose(self) -> str:
        text = f"{self.method} {self.path} -> {self.status} {_reason(self.status)}"
        if self.messages:
            text += ": " + "; ".join(self.messages)
        if self.hint:
            text += f" ({self.hint})"
        return text


class InvalidInputError(ThenaApiError):
    """400/422: the server rejected the request body or parameters."""

    hint = "fix the request as the server's messages say"


class AuthenticationError(ThenaApiError):
    """401: the API key is missing, wrong or deactivated."""

    hint = "check the API key; regenerating a key deactivates the old one"


class PermissionDeniedError(ThenaApiError):
    """403: the key is valid but may not do this."""

    hint = "use a key whose user or app has permission for this operation"


class NotFoundError(ThenaApiError):
    """404: no such workflow, execution or route."""


class ConflictError(ThenaApiError):
    """409: the request conflicts with the current state."""


class RateLimitedError(ThenaApiError):
    """429: too many requests; ``retry_after`` is the wait the server asked for, if any."""

    def __init__(
        self,
        method: str,
        path: str,
        status: int = 429,
        messages: Sequence[str] = (),
        *,
        retry_after: float | None = None,
        refusal: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        self.refusal = refusal
        super().__init__(method, path, status, messages)

    def refused(self, why: str) -> RateLimitedError:
        """This error, saying why the client gives up instead of waiting again."""
        return RateLimitedError(
            self.method,
            self.path,
            self.status,
            self.messages,
            retry_after=self.retry_after,
            refusal=why,
        )

    def _compose(self) -> str:
        text = super()._compose()
        if self.retry_after is not None:
            text += f" (server asks to wait {self.retry_after:.1f}s)"
        if self.refusal:
            text += f": not waiting, {self.refusal}"
        return text


class ServerError(ThenaApiError):
    """5xx: the server failed."""


class AmbiguousWriteError(ThenaError):
    """A write (create, update, toggle) may or may not have been applied; read before retrying."""

    def __init__(self, method: str, path: str, cause: ThenaError) -> None:
        self.method = method
        self.path = path
        self.cause = cause
        self.status: int | None = cause.status if isinstance(cause, ThenaApiError) else None
        super().__init__(
            f"{method} {path}: outcome unknown, the change may or may not have been applied "
            f"({cause}); not repeated automatically, since repeating it could apply it twice"
        )


class UnexpectedResponseError(ThenaError):
    """A success status with a body the endpoint should not return (not JSON, wrong shape)."""

    def __init__(self, method: str, path: str, problem: str, status: int | None = None) -> None:
        self.method = method
        self.path = path
        self.problem = problem
        self.status = status
        shown = f" -> {status}" if status is not None else ""
        super().__init__(f"{method} {path}{shown}: unexpected response: {problem}")


_BY_STATUS: dict[int, type[ThenaApiError]] = {
    400: InvalidInputError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: InvalidInputError,
    429: RateLimitedError,
}


def api_error_class(status: int) -> type[ThenaApiError]:
    """The ThenaApiError subclass for an error status."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ThenaApiError)
