"""`python -m sandbox`: serve one sandbox portal until interrupted."""
from __future__ import annotations

import argparse
import signal
import sys

from .runner import SandboxServer
from .state import PLANS, SandboxConfig


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="Run a Bitrix24 sandbox portal.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port to bind; 0 picks a free one (default 8765)")
    parser.add_argument("--webhook-code", default="sandbox", help="secret of the inbound webhook of user 1")
    parser.add_argument("--plan", choices=sorted(PLANS), default="standard", help="request-rate limits to apply")
    parser.add_argument("--access-ttl", type=int, default=3600, help="access token lifetime in seconds")
    parser.add_argument("--tls", action="store_true",
                        help="serve HTTPS with a certificate issued at start; prints the CA file clients must trust")
    parser.add_argument("--tls-dir", default=None,
                        help="directory for the CA and certificate (default: a new temporary one); a CA found there is reused")
    parser.add_argument("--log-requests", action="store_true", help="print one line per HTTP request")
    return parser.parse_args(argv)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM (process managers) stops as cleanly as Ctrl+C


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    config = SandboxConfig(
        host=args.host, port=args.port, webhook_code=args.webhook_code, plan=args.plan, access_ttl=args.access_ttl,
        tls=args.tls, tls_dir=args.tls_dir,
    )
    server = SandboxServer(config, log_requests=args.log_requests)
    print(server.base_url, flush=True)
    print(f"webhook: {server.webhook_url}", flush=True)
    if server.ca_file:
        print(f"ca: {server.ca_file}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
