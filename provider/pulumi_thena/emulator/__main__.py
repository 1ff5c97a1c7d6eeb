"""``python -m pulumi_thena.emulator``: serve the emulator until SIGINT or SIGTERM (exit code 0).

Exit code 1 when the address cannot be bound (e.g. the port is taken).

The key comes from ``--api-key``, else ``THENA_EMULATOR_API_KEY``, else the documented
``DEFAULT_API_KEY``. Only the default key is printed; a custom key is never echoed.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from pulumi_thena.emulator import DEFAULT_API_KEY
from pulumi_thena.emulator.server import EmulatorServer
from pulumi_thena.emulator.traffic import RateLimit

KEY_ENV = "THENA_EMULATOR_API_KEY"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_thena.emulator", description="A local Thena Workflows API."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8787, help="port (0 picks a free one)")
    parser.add_argument("--api-key", default=os.environ.get(KEY_ENV, DEFAULT_API_KEY))
    parser.add_argument("--state", default=None, help="JSON file that keeps state across restarts")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay added to API calls")
    parser.add_argument("--rate-limit", type=int, default=1000, help="requests per window")
    parser.add_argument("--rate-window", type=float, default=60.0, help="window in seconds")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator in the foreground; returns the exit code."""
    args = parse_args(argv)
    server = EmulatorServer(
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        state_file=args.state,
        latency_ms=args.latency_ms,
        rate_limit=RateLimit(args.rate_limit, args.rate_window),
    )
    try:
        server.start()
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 1

    def stop(signum: int, frame: FrameType | None) -> None:
        server.stop()

    # Handlers go in before the banner: whoever reads the banner may signal at once.
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        shown = server.api_key if server.api_key == DEFAULT_API_KEY else "custom, not shown"
        print(f"Thena emulator listening on {server.base_url} (api key: {shown})", flush=True)
        while not server.wait(0.2):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
