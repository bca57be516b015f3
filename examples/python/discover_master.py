#!/usr/bin/python3
"""Ask the sentinels where the master is: redis-py's Sentinel.discover_master().

redis-py asks each sentinel in turn for SENTINEL MASTERS and takes the first answer whose
entry for the master is flagged `master` and not s_down/o_down.

    ./discover_master.py                          # sentinels on 127.0.0.1:26379-26381
    ./discover_master.py --ports 26379 --password secret
"""

import sys

from redis.sentinel import MasterNotFoundError, Sentinel

import sentinel_args


def main() -> int:
    args = sentinel_args.parser(__doc__.splitlines()[0]).parse_args()
    # sentinel_kwargs: how to talk to the sentinels; the other keyword arguments: how to
    # talk to the Redis servers they point at.  Here one password serves both.
    sentinel = Sentinel(
        sentinel_args.sentinel_addresses(args),
        sentinel_kwargs={"password": args.password, "socket_timeout": args.timeout},
        password=args.password,
        socket_timeout=args.timeout,
    )
    try:
        host, port = sentinel.discover_master(args.master_name)
    except MasterNotFoundError as exc:
        print(f"no sentinel knows a healthy master {args.master_name!r}: {exc}", file=sys.stderr)
        return 1
    print(f"master {args.master_name} is at {host}:{port}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
