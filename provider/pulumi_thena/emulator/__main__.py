"""``python -m pulumi_thena.emulator``: serve the emulator until SIGINT or SIGTERM (exit code 0).

Exit code 1 when the address cannot be bound (e.g. the port is taken) or the ``--state`` file
cannot be used; the error is one line on stderr.

The key comes from ``--api-key``, else ``THENA_EMULATOR_API_KEY``, else the documented
``DEFAULT_API_KEY``. Only the default key is printed, and only on a loopback address; a custom
key is never echoed. Listening on any other address prints a warning on stderr.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import time
from collections.abc import Sequence
from types import FrameType
from typing import Any

from pulumi_thena.emulator.constants import DEFAULT_API_KEY
from pulumi_thena.emulator.hosts import is_loopback
from pulumi_thena.emulator.server import EmulatorServer
from pulumi_thena.emulator.settings import DEFAULT_LIMIT_CAP, ORDERS, RESPONSE_SHAPES, Settings
from pulumi_thena.emulator.store import StateFileError
from pulumi_thena.emulator.traffic import RateLimit

KEY_ENV = "THENA_EMULATOR_API_KEY"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_thena.emulator", description="A local Thena Workflows API."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8787, help="port (0 picks a free one)")
    parser.add_argument("--api-key", default=os.environ.get(KEY_ENV) or DEFAULT_API_KEY)
    parser.add_argument("--state", default=None, help="JSON file that keeps state across restarts")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay added to API calls")
    parser.add_argument("--rate-limit", type=int, default=1000, help="requests per window")
    parser.add_argument("--rate-window", type=float, default=60.0, help="window in seconds")
    parser.add_argument(
        "--response-shape",
        choices=RESPONSE_SHAPES,
        default="request",
        help="answers echo what was sent (request) or show steps as docs/api.md section 8 does",
    )
    parser.add_argument(
        "--page-base", type=int, choices=(0, 1), default=1, help="number of the first page"
    )
    parser.add_argument(
        "--limit-cap",
        type=int,
        default=DEFAULT_LIMIT_CAP,
        help="largest page size; a larger limit is capped silently",
    )
    parser.add_argument("--order", choices=ORDERS, default="desc", help="list order by createdAt")
    parser.add_argument(
        "--empty-bodies",
        action="store_true",
        help="delete answers 204 and toggle 200, both with no body",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests addressed to NAME (the Host check); repeatable",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator in the foreground; returns the exit code."""
    args = parse_args(argv)
    try:
        server = EmulatorServer(
            host=args.host,
            port=args.port,
            api_key=args.api_key,
            state_file=args.state,
            latency_ms=args.latency_ms,
            rate_limit=RateLimit(args.rate_limit, args.rate_window),
            response_shape=args.response_shape,
            page_base=args.page_base,
            limit_cap=args.limit_cap,
            order=args.order,
            empty_bodies=args.empty_bodies,
            allowed_hosts=args.allow_host,
        )
    except (StateFileError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        server.start()
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 1
    if not is_loopback(args.host):
        print(_exposure_warning(args.host, server.api_key), file=sys.stderr, flush=True)
    return serve(server, banner(server, exposed=not is_loopback(args.host)))


class _StopRequested(Exception):
    """Raised by the signal handler, so that the main thread leaves its wait at once."""


def serve(server: EmulatorServer, banner_line: str) -> int:
    """Print the banner, then serve until SIGINT or SIGTERM; stop the server; return 0.

    The handler takes no lock: it interrupts the main thread wherever it is, and a lock held
    there (as ``threading.Event.wait`` holds one) would never be released. It only raises;
    ``server.stop()`` runs afterwards, in the ``finally``.
    """

    def request_stop(signum: int, frame: FrameType | None) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)  # a second signal must not interrupt the stop
        raise _StopRequested

    previous: dict[signal.Signals, Any] = {}
    try:
        # Handlers go in before the banner: whoever reads the banner may signal at once.
        for sig in STOP_SIGNALS:
            previous[sig] = signal.signal(sig, request_stop)
        print(banner_line, flush=True)
        while True:
            time.sleep(3600)
    except _StopRequested:
        pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    # The port is free and the state on disk. What is left is the interpreter's own teardown,
    # whose collections over every imported object took a second on a busy machine when run
    # from the `thena-workflows` command (about 750 modules): keep them out of the collector.
    gc.freeze()
    return 0


def banner(server: EmulatorServer, exposed: bool) -> str:
    """``Thena emulator listening on URL (api key: ...)``, plus any non-default answer option."""
    if exposed:
        shown = "not shown"
    elif server.api_key == DEFAULT_API_KEY:
        shown = server.api_key
    else:
        shown = "custom, not shown"
    line = f"Thena emulator listening on {server.base_url} (api key: {shown})"
    options = _changed_options(server)
    return f"{line}; {options}" if options else line


def _changed_options(server: EmulatorServer) -> str:
    current, default = server.backend.settings(), Settings().to_wire()
    names = ("responseShape", "pageBase", "limitCap", "order", "emptyBodies")
    return ", ".join(f"{n}={current[n]}" for n in names if current[n] != default[n])


def _exposure_warning(host: str, api_key: str) -> str:
    warning = (
        f"warning: listening on {host}, which is not a loopback address: anyone who can reach "
        "it and knows the API key can read and change this emulator's workflows"
    )
    if api_key == DEFAULT_API_KEY:
        warning += (
            ", and the key is the documented default; set --api-key or THENA_EMULATOR_API_KEY"
        )
    return warning + ". The key is not printed."


if __name__ == "__main__":
    sys.exit(main())
