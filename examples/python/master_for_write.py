#!/usr/bin/python3
"""Write a key through the master found by the sentinels, then read it back.

Sentinel.master_for() returns a client whose connections ask the sentinels for the
master's address (again after every reconnect, so it follows a failover).

    ./master_for_write.py --key greeting --value hello
    ./master_for_write.py --password secret
"""

import sys
import time

from redis.sentinel import Sentinel

import sentinel_args


def main() -> int:
    p = sentinel_args.parser(__doc__.splitlines()[0])
    p.add_argument("--key", default="example:key", help="key to write (default example:key)")
    p.add_argument("--value", default=None, help="value to write (default: a timestamp)")
    args = p.parse_args()
    value = args.value if args.value is not None else f"written at {time.time():.3f}"

    sentinel = Sentinel(
        sentinel_args.sentinel_addresses(args),
        sentinel_kwargs={"password": args.password, "socket_timeout": args.timeout},
        password=args.password,
        socket_timeout=args.timeout,
    )
    master = sentinel.master_for(args.master_name, decode_responses=True)
    master.set(args.key, value)
    read_back = master.get(args.key)
    host, port = master.connection_pool.get_master_address()
    role = master.info("replication")["role"]
    print(f"SET {args.key} {value!r} on master {host}:{port} (role: {role})")
    print(f"GET {args.key} -> {read_back!r}")
    if read_back != value:
        print("read back a different value!", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
