"""The wire under the client: a total deadline per request and a cap on the size of an answer.

httpx's timeouts bound each network operation, not a request: a server sending one byte a
second never trips a 30 s read timeout. Here every read, write and connect of an attempt is
bounded by what is left of the attempt's deadline (``deadline``), through httpcore's network
backend, so that headers or a body trickling in end the attempt on time. Nothing runs in the
background: the deadline is a context variable read by the calling thread's own socket calls.

The answer is then read as a stream, up to ``MAX_ANSWER_BYTES`` (after content decoding, which
is done here a bounded piece at a time, so that a small gzip body cannot inflate to gigabytes at
once), so that an endless or huge answer costs at most that much memory.
"""

from __future__ import annotations

import time
import urllib.request
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from pulumi_thena.client.errors import UnexpectedResponseError

# The largest answer the client reads. A full page of 100 workflows of 30 steps, each with
# inputs, filters, an approver and compensation, is 2.8 MiB; 8 MiB leaves room for workflows
# three times as large, and keeps the densest JSON that size (8 MiB of `{},`, about 240 MB
# decoded) within our 512 MB per process.
MAX_ANSWER_BYTES = 8 * 1024 * 1024

# Headers that describe the wire form of a body, not the body handed on after reading.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
# The encodings we ask for and decode (never br or zstd, whatever httpx could decode).
ACCEPT_ENCODING = "gzip, deflate"
_ZLIB_ENCODINGS = frozenset({"gzip", "x-gzip", "deflate"})
_DECODED_PIECE = 1024 * 1024


@dataclass(frozen=True)
class Deadline:
    """The monotonic time by which an attempt must have its whole answer."""

    at: float
    seconds: float

    def left(self) -> float:
        return self.at - time.monotonic()

    def message(self) -> str:
        return f"no complete answer within {self.seconds:g} s (THENA_TIMEOUT_SECONDS)"


_CURRENT: ContextVar[Deadline | None] = ContextVar("thena_deadline", default=None)


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Bound every network operation of this thread, until the block ends, to ``seconds``."""
    bound = Deadline(time.monotonic() + seconds, seconds)
    token = _CURRENT.set(bound)
    try:
        yield bound
    finally:
        _CURRENT.reset(token)


def current_deadline() -> Deadline | None:
    """The deadline this thread's network operations are bounded by, if any."""
    return _CURRENT.get()


def _bounded(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    """``timeout`` shortened to what is left of the current deadline (raise when none is)."""
    bound = _CURRENT.get()
    if bound is None:
        return timeout
    left = bound.left()
    if left <= 0:
        raise expired(bound.message())
    return left if timeout is None else min(timeout, left)


@contextmanager
def _explained(expired: type[httpcore.TimeoutException]) -> Iterator[None]:
    """A socket timeout caused by the deadline says so (not just "timed out")."""
    try:
        yield
    except httpcore.TimeoutException:
        bound = _CURRENT.get()
        if bound is not None and bound.left() <= 0:
            raise expired(bound.message()) from None
        raise


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the current attempt's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with _explained(httpcore.ReadTimeout):
            return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        with _explained(httpcore.WriteTimeout):
            self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        with _explained(httpcore.ConnectTimeout):
            bounded = _bounded(timeout, httpcore.ConnectTimeout)
            return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with every operation bounded by the current deadline."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        with _explained(httpcore.ConnectTimeout):
            bounded = _bounded(timeout, httpcore.ConnectTimeout)
            stream = self._inner.connect_tcp(host, port, bounded, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        with _explained(httpcore.ConnectTimeout):
            bounded = _bounded(timeout, httpcore.ConnectTimeout)
            stream = self._inner.connect_unix_socket(path, bounded, socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def deadline_transport(base_url: str, limits: httpx.Limits) -> httpx.HTTPTransport:
    """httpx's own transport (with the environment's proxy) on the deadline-bound backend."""
    transport = httpx.HTTPTransport(limits=limits, proxy=environment_proxy(base_url))
    # httpx offers no public hook for httpcore's network backend; its pools (direct and proxy)
    # all keep it in this attribute, read whenever a connection is opened.
    pool = transport._pool
    pool._network_backend = DeadlineBackend(pool._network_backend)
    return transport


def environment_proxy(url: str) -> str | None:
    """The proxy that HTTP(S)_PROXY / ALL_PROXY name for ``url``, unless NO_PROXY exempts it.

    httpx reads these itself only for the transports it builds; ours is built here.
    """
    target = httpx.URL(url)
    proxies = urllib.request.getproxies()
    if not proxies or urllib.request.proxy_bypass(target.host):
        return None
    return proxies.get(target.scheme) or proxies.get("all")


def read_answer(response: httpx.Response, method: str, path: str) -> httpx.Response:
    """The streamed ``response`` read whole (at most MAX_ANSWER_BYTES decoded) and closed."""
    try:
        body = _capped_body(response, method, path)
    finally:
        response.close()
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _WIRE_HEADERS]
    return httpx.Response(
        response.status_code, headers=headers, content=body, request=response.request
    )


def _capped_body(response: httpx.Response, method: str, path: str) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
        raise _too_large(method, path, response.status_code, f"it declares {int(declared):,} B")
    chunks: list[bytes] = []
    size = 0
    for chunk in _decoded(response, method, path):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise _too_large(method, path, response.status_code, "it went on past that")
        chunks.append(chunk)
    return b"".join(chunks)


def _decoded(response: httpx.Response, method: str, path: str) -> Iterator[bytes]:
    """The body, content-decoded at most ``_DECODED_PIECE`` bytes at a time."""
    if response.is_stream_consumed:  # built from bytes (a test transport): httpx decoded it
        yield response.content
        return
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        yield from response.iter_raw()
        return
    if encoding not in _ZLIB_ENCODINGS:
        raise UnexpectedResponseError(
            method,
            path,
            f"the answer is encoded as {encoding!r}, which the client did not ask for",
            response.status_code,
        )
    inflater = zlib.decompressobj(32 + zlib.MAX_WBITS)  # a gzip or zlib header
    try:
        for chunk in response.iter_raw():
            pending = chunk
            while pending:
                yield inflater.decompress(pending, _DECODED_PIECE)
                pending = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error as exc:
        raise httpx.DecodingError(f"the {encoding} body is corrupt: {exc}") from None


def _too_large(method: str, path: str, status: int, how: str) -> UnexpectedResponseError:
    limit = MAX_ANSWER_BYTES // (1024 * 1024)
    return UnexpectedResponseError(
        method,
        path,
        f"the answer is larger than {limit} MiB, the most the client reads ({how}); "
        "check that THENA_API_URL / thena:apiUrl points at Thena's API",
        status,
    )
