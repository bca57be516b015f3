#!/usr/bin/env bash
# Stop what start.sh started: every process named by a pid file in the run directory,
# sentinels first (so they do not watch the servers go away), then replicas, then the
# master.  SIGTERM, then SIGKILL for anything still alive after 10 s.
#
#   ./stop.sh [--run-dir DIR]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN_DIR="$HERE/run"

while [ $# -gt 0 ]; do
    case "$1" in
        --run-dir) RUN_DIR=$2; shift 2 ;;
        -h|--help) echo "usage: $0 [--run-dir DIR]"; exit 0 ;;
        *) echo "stop.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

if [ ! -d "$RUN_DIR" ]; then
    echo "nothing to stop (no $RUN_DIR)"
    exit 0
fi

# Alive = exists and is not a zombie (an exited daemon stays a zombie until init reaps it).
alive() {
    local state
    kill -0 "$1" 2>/dev/null || return 1
    state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 0
    [ "$state" != Z ]
}

stop_pidfile() {
    local pidfile=$1 pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [[ $pid =~ ^[0-9]+$ ]] && alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + 10))
        while alive "$pid"; do
            if [ "$SECONDS" -ge "$deadline" ]; then
                echo "pid $pid ($(basename "$pidfile")) ignored SIGTERM; sending SIGKILL" >&2
                kill -KILL "$pid" 2>/dev/null || true
                break
            fi
            sleep 0.05
        done
        echo "stopped $(basename "$pidfile" .pid) (pid $pid)"
    fi
    rm -f "$pidfile"
}

shopt -s nullglob
for pidfile in "$RUN_DIR"/sentinel*.pid; do stop_pidfile "$pidfile"; done
for pidfile in "$RUN_DIR"/redis-replica*.pid; do stop_pidfile "$pidfile"; done
for pidfile in "$RUN_DIR"/*.pid; do stop_pidfile "$pidfile"; done
