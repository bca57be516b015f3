#!/usr/bin/env bash
# Start the three-sentinel example on loopback: a Redis master, two replicas and three
# sentinels, all daemonized with pid files in a run directory.  See README.md.
#
#   ./start.sh [options] [SENTINEL_BINARY]
#
# The sentinel binary is, in order: the positional argument / --bin, $SENTINEL_BIN,
# ../../build/release/sentinel/sentinel (relative to this script).  Any binary that takes
# `<binary> <config file>` works, /usr/bin/redis-sentinel included.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
    cat <<USAGE
usage: $0 [options] [SENTINEL_BINARY]

  --bin PATH                 sentinel binary (default: \$SENTINEL_BIN, else
                             $HERE/../../build/release/sentinel/sentinel)
  --base-port N              master on N, replicas on N+1 and N+2 (default 6379)
  --sentinel-base-port N     sentinels on N, N+1, N+2 (default: base port + 20000)
  --run-dir DIR              where configs, logs and pid files go (default $HERE/run)
  --password PW              requirepass on every server and sentinel, masterauth on the
                             replicas, sentinel auth-pass on the sentinels
  --down-after MS            down-after-milliseconds (default: as in the configs, 5000)
  --timeout SECONDS          how long to wait for start-up and discovery (default 30)
  --no-wait                  do not wait for discovery to settle (still waits for PING)
  --redis-server PATH        redis-server binary (default: redis-server from PATH)
  -h, --help                 this help

Stop everything with: $HERE/stop.sh [--run-dir DIR]
USAGE
}

BIN=""
BASE_PORT=6379
SENTINEL_BASE_PORT=""
RUN_DIR="$HERE/run"
PASSWORD=""
DOWN_AFTER=""
TIMEOUT=30
WAIT_SETTLED=1
REDIS_SERVER=${REDIS_SERVER:-redis-server}
MASTER_NAME=mymaster

while [ $# -gt 0 ]; do
    case "$1" in
        --bin) BIN=$2; shift 2 ;;
        --base-port) BASE_PORT=$2; shift 2 ;;
        --sentinel-base-port) SENTINEL_BASE_PORT=$2; shift 2 ;;
        --run-dir) RUN_DIR=$2; shift 2 ;;
        --password) PASSWORD=$2; shift 2 ;;
        --down-after) DOWN_AFTER=$2; shift 2 ;;
        --timeout) TIMEOUT=$2; shift 2 ;;
        --no-wait) WAIT_SETTLED=0; shift ;;
        --redis-server) REDIS_SERVER=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "start.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) BIN=$1; shift ;;
    esac
done

BIN=${BIN:-${SENTINEL_BIN:-$HERE/../../build/release/sentinel/sentinel}}
SENTINEL_BASE_PORT=${SENTINEL_BASE_PORT:-$((BASE_PORT + 20000))}

die() {
    echo "start.sh: $*" >&2
    exit 1
}

is_port() {
    [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65533 ]
}
is_port "$BASE_PORT" || die "bad --base-port '$BASE_PORT'"
is_port "$SENTINEL_BASE_PORT" || die "bad sentinel base port '$SENTINEL_BASE_PORT' (use --sentinel-base-port)"
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "bad --timeout '$TIMEOUT'"
[ -z "$DOWN_AFTER" ] || [[ $DOWN_AFTER =~ ^[0-9]+$ ]] || die "bad --down-after '$DOWN_AFTER'"
if [[ $PASSWORD =~ [[:space:]\"\'\\] ]]; then
    die "use a --password without spaces, quotes or backslashes (config files store it as is)"
fi
[ -x "$BIN" ] || die "sentinel binary '$BIN' is not executable (build it: ./dev.sh build, or pass --bin / SENTINEL_BIN)"
command -v "$REDIS_SERVER" >/dev/null || die "redis-server not found (apt-get install redis-server)"
command -v redis-cli >/dev/null || die "redis-cli not found (apt-get install redis-tools)"
case "$BIN" in /*) ;; *) BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")" ;; esac

MASTER_PORT=$BASE_PORT
REPLICA_PORTS=($((BASE_PORT + 1)) $((BASE_PORT + 2)))
SENTINEL_PORTS=("$SENTINEL_BASE_PORT" $((SENTINEL_BASE_PORT + 1)) $((SENTINEL_BASE_PORT + 2)))
ALL_PORTS=("$MASTER_PORT" "${REPLICA_PORTS[@]}" "${SENTINEL_PORTS[@]}")

# redis-cli against one of our processes (with the password when there is one).
rcli() {
    local port=$1
    shift
    if [ -n "$PASSWORD" ]; then
        REDISCLI_AUTH=$PASSWORD redis-cli -h 127.0.0.1 -p "$port" "$@"
    else
        redis-cli -h 127.0.0.1 -p "$port" "$@"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Poll (no fixed sleeps beyond the 0.1 s poll interval) until `$@` succeeds or the deadline.
DEADLINE=$((SECONDS + TIMEOUT))
wait_for() {
    local what=$1
    shift
    until "$@"; do
        if [ "$SECONDS" -ge "$DEADLINE" ]; then
            echo "start.sh: timed out after ${TIMEOUT}s waiting for $what" >&2
            return 1
        fi
        sleep 0.1
    done
}

answers_ping() {
    [ "$(rcli "$1" ping 2>/dev/null)" = "PONG" ]
}

replica_link_up() {
    rcli "$1" info replication 2>/dev/null | tr -d '\r' | grep -qx 'master_link_status:up'
}

# Value of one field of SENTINEL MASTER mymaster on the sentinel at port $1.
master_field() {
    rcli "$1" sentinel master "$MASTER_NAME" 2>/dev/null | awk -v f="$2" 'prev == f { print; exit } { prev = $0 }'
}

settled() {
    local port
    for port in "${SENTINEL_PORTS[@]}"; do
        [ "$(master_field "$port" num-slaves)" = "2" ] || return 1
        [ "$(master_field "$port" num-other-sentinels)" = "2" ] || return 1
    done
}

# --- refuse to start twice or on busy ports -------------------------------------------------
if [ -d "$RUN_DIR" ]; then
    for pidfile in "$RUN_DIR"/*.pid; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile" 2>/dev/null || true)
        # alive and not a zombie waiting for init to reap it
        if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
            ! grep -qE '^[0-9]+ \(.*\) Z' "/proc/$pid/stat" 2>/dev/null; then
            die "already running (pid file $pidfile); stop it first: $HERE/stop.sh --run-dir $RUN_DIR"
        fi
        rm -f "$pidfile"
    done
fi
for port in "${ALL_PORTS[@]}"; do
    if port_in_use "$port"; then
        die "port $port is in use; stop whatever uses it (or $HERE/stop.sh --run-dir $RUN_DIR)"
    fi
done

# --- run directory: copies of the committed configs, adjusted -------------------------------
mkdir -p "$RUN_DIR"
RUN_DIR=$(cd "$RUN_DIR" && pwd)

# install_conf <committed file> <own port> <master port | ""> <kind: redis|sentinel>
install_conf() {
    local src="$HERE/$1" own_port=$2 master_port=$3 kind=$4
    local name=${1%.conf}
    local dst="$RUN_DIR/$1"
    sed -E \
        -e "s|^port [0-9]+|port $own_port|" \
        -e "s|^pidfile .*|pidfile \"$RUN_DIR/$name.pid\"|" \
        -e "s|^logfile .*|logfile \"$RUN_DIR/$name.log\"|" \
        -e "s|^(replicaof [^ ]+) [0-9]+|\\1 $master_port|" \
        -e "s|^(sentinel monitor $MASTER_NAME [^ ]+) [0-9]+|\\1 $master_port|" \
        "$src" > "$dst"
    {
        echo ""
        echo "# --- added by start.sh ---"
        echo "dir \"$RUN_DIR\""
        if [ -n "$PASSWORD" ]; then
            echo "requirepass \"$PASSWORD\""
            if [ "$kind" = redis ]; then
                echo "masterauth \"$PASSWORD\""
            else
                echo "sentinel auth-pass $MASTER_NAME \"$PASSWORD\""
            fi
        fi
        if [ "$kind" = sentinel ] && [ -n "$DOWN_AFTER" ]; then
            echo "sentinel down-after-milliseconds $MASTER_NAME $DOWN_AFTER"
        fi
    } >> "$dst"
}

install_conf redis-master.conf "$MASTER_PORT" "" redis
for i in 1 2; do
    install_conf "redis-replica-$i.conf" "${REPLICA_PORTS[$((i - 1))]}" "$MASTER_PORT" redis
done
for i in 1 2 3; do
    install_conf "sentinel-$i.conf" "${SENTINEL_PORTS[$((i - 1))]}" "$MASTER_PORT" sentinel
done

# --- start (each daemonizes and writes its pid file) ----------------------------------------
echo "==> redis master on 127.0.0.1:$MASTER_PORT"
"$REDIS_SERVER" "$RUN_DIR/redis-master.conf"
wait_for "the master to answer PING on port $MASTER_PORT" answers_ping "$MASTER_PORT"
for i in 1 2; do
    port=${REPLICA_PORTS[$((i - 1))]}
    echo "==> redis replica $i on 127.0.0.1:$port"
    "$REDIS_SERVER" "$RUN_DIR/redis-replica-$i.conf"
done
for port in "${REPLICA_PORTS[@]}"; do
    wait_for "the replica on port $port to answer PING" answers_ping "$port"
    wait_for "the replica on port $port to sync (master_link_status:up)" replica_link_up "$port"
done
for i in 1 2 3; do
    port=${SENTINEL_PORTS[$((i - 1))]}
    echo "==> sentinel $i on 127.0.0.1:$port ($BIN)"
    "$BIN" "$RUN_DIR/sentinel-$i.conf"
done
for port in "${SENTINEL_PORTS[@]}"; do
    wait_for "the sentinel on port $port to answer PING" answers_ping "$port"
done

if [ "$WAIT_SETTLED" = 1 ]; then
    echo "==> waiting for discovery (each sentinel: num-slaves 2, num-other-sentinels 2)"
    if ! wait_for "discovery to settle" settled; then
        for port in "${SENTINEL_PORTS[@]}"; do
            echo "    sentinel :$port num-slaves=$(master_field "$port" num-slaves)" \
                 "num-other-sentinels=$(master_field "$port" num-other-sentinels)" >&2
        done
        echo "start.sh: everything is still running (logs in $RUN_DIR); stop it with $HERE/stop.sh --run-dir $RUN_DIR" >&2
        exit 1
    fi
    echo "==> discovery settled"
fi

echo "running: master 127.0.0.1:$MASTER_PORT, replicas ${REPLICA_PORTS[*]}, sentinels ${SENTINEL_PORTS[*]} (run dir $RUN_DIR)"
