#!/usr/bin/env bash
# Developer entry point: ./dev.sh demo | test | build | bench | fmt
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

PACKAGES=(cmake ninja-build g++ clang libclang-rt-14-dev libasio-dev nlohmann-json3-dev
          libspdlog-dev doctest-dev redis-server redis-tools redis-sentinel python3-redis
          python3-pytest procps python3-matplotlib)

# Installs only what is missing, so repeated runs stay fast; updates the package lists only
# when something must be installed (a fresh machine may have none).
ensure_packages() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return
    fi
    echo "==> installing: ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
    # Debian starts the packaged redis services where it can; our tests start their own.
    for svc in redis-server redis-sentinel; do
        $sudo service "$svc" stop >/dev/null 2>&1 || true
    done
}

build() {
    local preset=$1
    shift
    cmake --preset "$preset" "$@" >/dev/null
    cmake --build --preset "$preset" -j "$(nproc)"
}

cmd_build() {
    ensure_packages
    build release
}

cmd_test() {
    ensure_packages
    # libFuzzer targets need clang; the rest of the suite runs under ASan+UBSan with g++.
    cmake --preset fuzz >/dev/null
    cmake --build build/fuzz -j "$(nproc)" --target fuzz_resp fuzz_config
    build asan -DSENTINEL_FUZZ_BIN_DIR="$ROOT/build/fuzz"
    cd build/asan
    ctest -j "$(nproc)" --output-on-failure --timeout 600
}

DEMO_DIR="$ROOT/build/demo"

demo_stop() {
    if [ -d "$DEMO_DIR" ]; then
        for pidfile in "$DEMO_DIR"/*.pid; do
            [ -f "$pidfile" ] || continue
            kill "$(cat "$pidfile")" 2>/dev/null || true
            rm -f "$pidfile"
        done
    fi
}

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_ping() {
    for _ in $(seq 1 100); do
        redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "nothing answers on port $1" >&2
    return 1
}

cmd_demo() {
    # Prints one line per instance of a `redis-cli ... sentinel replicas|sentinels mymaster` reply
    # (redis-cli prints the nested field/value arrays as a flat list of lines; `name` starts an entry).
    demo_summarize() {
        awk -v kind="$1" '
            function flush() {
                if (!("name" in f)) return
                if (kind == "replica")
                    printf "    %-22s flags=%-10s master-link-status=%s master=%s:%s\n",
                        f["ip"] ":" f["port"], f["flags"], f["master-link-status"], f["master-host"], f["master-port"]
                else
                    printf "    %-22s flags=%-10s runid=%s\n", f["ip"] ":" f["port"], f["flags"], f["runid"]
                delete f
            }
            NR % 2 == 1 { key = $0; next }
            { if (key == "name") flush(); f[key] = $0 }
            END { flush() }'
    }

    demo_field() {
        redis-cli -p "$1" sentinel master mymaster 2>/dev/null |
            awk -v f="$2" 'prev == f { print; exit } { prev = $0 }'
    }

    local example="$ROOT/examples/three-sentinels"
    if [ "${1:-}" = "stop" ]; then
        "$example/stop.sh" --run-dir "$DEMO_DIR"
        demo_stop # pid files of older demo layouts, if any
        echo "demo stopped"
        return
    fi
    ensure_packages
    build release
    if [ -d "$DEMO_DIR" ]; then
        "$example/stop.sh" --run-dir "$DEMO_DIR" >/dev/null
        demo_stop
    fi
    for port in 6379 6380 6381 26379 26380 26381; do
        if ! port_free "$port"; then
            echo "port $port is in use; stop whatever uses it (or './dev.sh demo stop')" >&2
            exit 1
        fi
    done
    # master 6379, replicas 6380/6381, sentinels 26379-26381; waits (30 s deadline) until every
    # sentinel reports num-slaves 2 and num-other-sentinels 2.
    if ! "$example/start.sh" --bin "$ROOT/build/release/sentinel/sentinel" --run-dir "$DEMO_DIR" \
        --timeout 30; then
        echo "the demo did not come up: see the logs in build/demo/ ('./dev.sh demo stop' stops it)" >&2
        exit 1
    fi
    local port
    echo
    echo "Discovered topology (as each sentinel sees it):"
    for port in 26379 26380 26381; do
        echo "  sentinel 127.0.0.1:$port  myid $(redis-cli -p "$port" sentinel myid)" \
             " master $(redis-cli -p "$port" sentinel get-master-addr-by-name mymaster | paste -sd: -)" \
             " num-slaves $(demo_field "$port" num-slaves)" \
             " num-other-sentinels $(demo_field "$port" num-other-sentinels)"
    done
    echo "  replicas (redis-cli -p 26379 sentinel replicas mymaster):"
    redis-cli -p 26379 sentinel replicas mymaster | demo_summarize replica
    echo "  other sentinels (redis-cli -p 26379 sentinel sentinels mymaster):"
    redis-cli -p 26379 sentinel sentinels mymaster | demo_summarize sentinel
    cat <<TXT

The demo is running on loopback (configs, logs and pid files in build/demo/):
  redis master      127.0.0.1:6379
  redis replicas    127.0.0.1:6380, 127.0.0.1:6381
  our sentinels     127.0.0.1:26379, 26380, 26381 (quorum 2, down-after 5000 ms)

Try:
  redis-cli -p 26379 sentinel get-master-addr-by-name mymaster
  redis-cli -p 26379 sentinel master mymaster
  redis-cli -p 26379 sentinel replicas mymaster
  redis-cli -p 26379 sentinel sentinels mymaster
  redis-cli -p 26379 info sentinel
  redis-cli -p 6379 client list                 # the sentinels' links: sentinel-<id>-cmd/-pubsub
  redis-cli -p 26379 psubscribe '*'             # the event bus; in another terminal:
  kill \$(cat build/demo/redis-replica-1.pid)  # -> +sdown slave ... after 5 s
  /usr/bin/python3 -c "from redis.sentinel import Sentinel; print(Sentinel([('127.0.0.1', 26379)]).discover_master('mymaster'))"
  /usr/bin/python3 examples/python/discover_slaves.py
  /usr/bin/python3 examples/python/master_for_write.py --key greeting --value hello
  /usr/bin/python3 examples/python/slave_for_read.py --key greeting --expect hello

Killing the master (kill \$(cat build/demo/redis-master.pid)) is a failover, which belongs to
the failover issue (see README.md, Status): until it lands, do not expect a promotion.

Stop it with: ./dev.sh demo stop
TXT
}

# Benchmarks against Debian's redis-sentinel (bench/README.md): builds the release binary,
# then runs bench/run.py; arguments go to it (--quick, --smoke, --only failover,query,...).
cmd_bench() {
    ensure_packages
    cmake --preset release >/dev/null
    cmake --build build/release -j2 --target sentinel
    exec /usr/bin/python3 "$ROOT/bench/run.py" --ours-bin "$ROOT/build/release/sentinel/sentinel" "$@"
}

cmd_fmt() {
    find common sentinel tests -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i
}

case "${1:-}" in
    demo) shift; cmd_demo "$@" ;;
    test) cmd_test ;;
    build) cmd_build ;;
    bench) shift; cmd_bench "$@" ;;
    fmt) cmd_fmt ;;
    *) echo "usage: ./dev.sh demo [stop] | test | build | bench | fmt" >&2; exit 2 ;;
esac
