"""Command-line options shared by the examples: where the sentinels are, the master name,
the password (used for the sentinels *and* the Redis servers) and a socket timeout."""

from __future__ import annotations

import argparse

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORTS = "26379,26380,26381"


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--host", default=DEFAULT_HOST,
                   help=f"host of the sentinels given with --ports (default {DEFAULT_HOST})")
    p.add_argument("--ports", default=DEFAULT_PORTS,
                   help=f"comma-separated sentinel ports on --host (default {DEFAULT_PORTS})")
    p.add_argument("--sentinel", action="append", default=[], metavar="HOST:PORT",
                   help="a sentinel address; repeat for several (replaces --host/--ports)")
    p.add_argument("--master-name", default="mymaster", help="monitored master (default mymaster)")
    p.add_argument("--password", default=None,
                   help="password of the sentinels (requirepass) and of the Redis servers")
    p.add_argument("--timeout", type=float, default=0.5,
                   help="socket timeout in seconds for every connection (default 0.5)")
    return p


def sentinel_addresses(args: argparse.Namespace) -> list[tuple[str, int]]:
    """[(host, port), ...] from --sentinel, else from --host and --ports."""
    if args.sentinel:
        addrs = []
        for item in args.sentinel:
            host, _, port = item.rpartition(":")
            addrs.append((host.strip("[]") or DEFAULT_HOST, int(port)))
        return addrs
    return [(args.host, int(port)) for port in args.ports.split(",") if port.strip()]
