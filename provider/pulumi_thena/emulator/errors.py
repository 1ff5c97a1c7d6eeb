"""Errors the emulator answers with, rendered as NestJS-style bodies (SPEC U-14).

    EmulatorError(status, messages)      any error status; body {statusCode, message, error}
    ├── BadRequest         400           message is always a list of strings (validation)
    ├── Unauthorized       401           missing or wrong x-api-key (the key is never echoed)
    ├── Forbidden          403           the route is on the configured deny list
    ├── NotFound           404           unknown workflow, execution or route
    ├── UnsupportedMediaType 415         a control POST that is not application/json
    └── TooManyRequests    429           over the rate limit

The backend raises these; the HTTP layer turns them into responses with ``body()``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class EmulatorError(Exception):
    """An error response: its status code and the message(s) to show."""

    status: int = 500

    def __init__(self, status: int | None = None, messages: str | list[str] = "") -> None:
        if status is not None:
            self.status = status
        self.messages = messages or HTTPStatus(self.status).phrase
        super().__init__(str(self.messages))

    def body(self) -> dict[str, Any]:
        """The NestJS error body: a list of messages for 400, a single string otherwise."""
        message: str | list[str] = self.messages
        if self.status == 400 and isinstance(message, str):
            message = [message]
        elif self.status != 400 and isinstance(message, list):
            message = "; ".join(message)
        return {"statusCode": self.status, "message": message, "error": reason(self.status)}


def reason(status: int) -> str:
    """The reason phrase of a status code ("Bad Request"), or "Error" for unknown codes."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class BadRequest(EmulatorError):
    status = 400

    def __init__(self, messages: str | list[str]) -> None:
        super().__init__(None, messages)


class Unauthorized(EmulatorError):
    status = 401

    def __init__(self) -> None:
        super().__init__(None, "Invalid or missing API key")


class Forbidden(EmulatorError):
    status = 403

    def __init__(self) -> None:
        super().__init__(None, "Forbidden resource")


class NotFound(EmulatorError):
    status = 404

    def __init__(self, message: str) -> None:
        super().__init__(None, message)


class UnsupportedMediaType(EmulatorError):
    status = 415

    def __init__(self) -> None:
        super().__init__(None, "control requests must be sent as Content-Type: application/json")


class TooManyRequests(EmulatorError):
    status = 429

    def __init__(self) -> None:
        super().__init__(None, "ThrottlerException: Too Many Requests")
