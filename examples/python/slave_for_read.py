#!/usr/bin/python3
"""Read a key from a replica found by the sentinels.

Sentinel.slave_for() returns a client whose connections go to the replicas the sentinels
list (round robin), falling back to the master when no replica is reachable; the
script prints the role of the server that answered.  Replication is asynchronous: with
--expect it polls (up to --wait seconds) until the replica has the expected value.

    ./slave_for_read.py --key greeting
    ./slave_for_read.py --key greeting --expect hello --wait 5 --password secret
"""

import sys
import time

from redis.sentinel import Sentinel

import sentinel_args


def main() -> int:
    p = sentinel_args.parser(__doc__.splitlines()[0])
    p.add_argument("--key", default="example:key", help="key to read (default example:key)")
    p.add_argument("--expect", default=None, help="value the replica should have")
    p.add_argument("--wait", type=float, default=5.0,
                   help="with --expect: seconds to wait for replication (default 5)")
    args = p.parse_args()

    sentinel = Sentinel(
        sentinel_args.sentinel_addresses(args),
        sentinel_kwargs={"password": args.password, "socket_timeout": args.timeout},
        password=args.password,
        socket_timeout=args.timeout,
    )
    replica = sentinel.slave_for(args.master_name, decode_responses=True)
    deadline = time.monotonic() + args.wait
    while True:
        value = replica.get(args.key)
        if args.expect is None or value == args.expect or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    # Which server answered?  (A single-threaded client reuses the same pooled connection.)
    info = replica.info()
    print(f"GET {args.key} -> {value!r} from a {info['role']} (port {info['tcp_port']})")
    if args.expect is not None and value != args.expect:
        print(f"expected {args.expect!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
