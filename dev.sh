#!/usr/bin/env bash
# Developer entry point: ./dev.sh demo | test | build | bench | fmt
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

PACKAGES=(cmake ninja-build g++ clang libclang-rt-14-dev libasio-dev nlohmann-json3-dev
          libspdlog-dev doctest-dev redis-server redis-tools redis-sentinel python3-redis
          python3-pytest procps)

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
    if [ "${1:-}" = "stop" ]; then
        demo_stop
        echo "demo stopped"
        return
    fi
    ensure_packages
    build release
    demo_stop
    mkdir -p "$DEMO_DIR"
    for port in 6379 26379; do
        if ! port_free "$port"; then
            echo "port $port is in use; stop whatever uses it (or './dev.sh demo stop')" >&2
            exit 1
        fi
    done
    redis-server --port 6379 --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
        --dir "$DEMO_DIR" --pidfile "$DEMO_DIR/redis-6379.pid" \
        --logfile "$DEMO_DIR/redis-6379.log"
    wait_ping 6379
    cat > "$DEMO_DIR/sentinel-26379.conf" <<CONF
port 26379
bind 127.0.0.1
dir "$DEMO_DIR"
daemonize yes
pidfile "$DEMO_DIR/sentinel-26379.pid"
logfile "$DEMO_DIR/sentinel-26379.log"
sentinel monitor mymaster 127.0.0.1 6379 2
sentinel down-after-milliseconds mymaster 5000
CONF
    "$ROOT/build/release/sentinel/sentinel" "$DEMO_DIR/sentinel-26379.conf"
    wait_ping 26379
    cat <<TXT

The demo is running on loopback:
  redis master      127.0.0.1:6379    (log: build/demo/redis-6379.log)
  our sentinel      127.0.0.1:26379   (log: build/demo/sentinel-26379.log)

Try:
  redis-cli -p 26379 sentinel get-master-addr-by-name mymaster
  redis-cli -p 26379 sentinel masters
  redis-cli -p 26379 info sentinel
  /usr/bin/python3 -c "from redis.sentinel import Sentinel; print(Sentinel([('127.0.0.1', 26379)]).discover_master('mymaster'))"
  redis-cli -p 26379 psubscribe '*'        # the sentinel's event bus

Stop it with: ./dev.sh demo stop
TXT
}

cmd_bench() {
    echo "bench: not yet (lands with the benchmarks issue)"
}

cmd_fmt() {
    find common sentinel tests -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i
}

case "${1:-}" in
    demo) shift; cmd_demo "$@" ;;
    test) cmd_test ;;
    build) cmd_build ;;
    bench) cmd_bench ;;
    fmt) cmd_fmt ;;
    *) echo "usage: ./dev.sh demo [stop] | test | build | bench | fmt" >&2; exit 2 ;;
esac
