#!/usr/bin/python3
"""Ask the sentinels for the master's replicas: redis-py's Sentinel.discover_slaves().

redis-py asks each sentinel in turn for SENTINEL SLAVES <master> and keeps the replicas
that are not flagged s_down or o_down (the first sentinel that lists any wins).

    ./discover_slaves.py                          # sentinels on 127.0.0.1:26379-26381
    ./discover_slaves.py --sentinel 10.0.0.5:26379 --password secret
"""

import sys

from redis.sentinel import Sentinel

import sentinel_args


def main() -> int:
    args = sentinel_args.parser(__doc__.splitlines()[0]).parse_args()
    sentinel = Sentinel(
        sentinel_args.sentinel_addresses(args),
        sentinel_kwargs={"password": args.password, "socket_timeout": args.timeout},
        password=args.password,
        socket_timeout=args.timeout,
    )
    replicas = sentinel.discover_slaves(args.master_name)
    print(f"master {args.master_name} has {len(replicas)} healthy replica(s)")
    for host, port in sorted(replicas):
        print(f"replica {host}:{port}")
    return 0 if replicas else 1


if __name__ == "__main__":
    sys.exit(main())
