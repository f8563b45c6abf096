# tests/integration/lib.sh - shared by the integration and compat tests: a real
# dctld on a private socket, data root and exec root under a temp dir, removed
# with everything it made when the test exits, passing or not.
#
# Use: . "$top_srcdir/tests/integration/lib.sh"; dctld_start [FLAGS...]; api GET /_ping

set -u

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${DCTLD:=$top_builddir/daemon/dctld}"
: "${DCTL:=$top_builddir/client/dctl}"
# the native exec driver runs the shim built in this tree, not an installed one
: "${DCTL_SHIM:=$top_builddir/daemon/shim/dctl-shim}"
export DCTL_SHIM

T=$(mktemp -d /tmp/dctl-test.XXXXXX)
SOCK="$T/dctl.sock"
DATA_ROOT="$T/data"
EXEC_ROOT="$T/exec"
PIDFILE="$T/dctld.pid"
CONFIG="$T/daemon.json"
LOG="$T/dctld.log"
DRIVER_DIR="$T/drivers"
DCTLD_PID=
TEST_NAME=$(basename "$0" .sh)
CHECKS=0
# the containers' cgroups of this test go under their own parent (dctld --cgroup-parent,
# and cgroupsPath in the specs the native tests write), removed by cleanup
CGROUP_PARENT="/dctl-test-${T##*/dctl-test.}"

mkdir -p "$DRIVER_DIR"
# the drivers built in this tree, as dctld would find them installed
for so in "$top_builddir"/drivers/*/.libs/*.so; do
    [ -e "$so" ] && ln -sf "$so" "$DRIVER_DIR/"
done

# cgroup_cleanup: what is left in this test's cgroups (a shim that died before it could
# tidy up) is killed by pid, thawed if frozen, and the cgroups removed, deepest first
cgroup_cleanup() {
    local d f p i
    for d in /sys/fs/cgroup/*"$CGROUP_PARENT" /sys/fs/cgroup"$CGROUP_PARENT"; do
        [ -d "$d" ] || continue
        for i in 1 2 3 4 5 6 7 8 9 10; do
            while read -r f; do
                while read -r p; do kill -KILL "$p" 2>/dev/null; done <"$f"
            done < <(find "$d" -name cgroup.procs 2>/dev/null)
            find "$d" -name freezer.state 2>/dev/null | while read -r f; do echo THAWED >"$f"; done
            find "$d" -name cgroup.freeze 2>/dev/null | while read -r f; do echo 0 >"$f"; done
            find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
            [ -d "$d" ] || break
            sleep 0.1
        done
    done
}

cleanup() {
    local rc=$?
    if [ -n "$DCTLD_PID" ] && kill -0 "$DCTLD_PID" 2>/dev/null; then
        kill -TERM "$DCTLD_PID" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$DCTLD_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$DCTLD_PID" 2>/dev/null
        wait "$DCTLD_PID" 2>/dev/null
    fi
    # containers outlive dctld (their shims are not its children): kill what is left
    local f
    for f in "$EXEC_ROOT"/drivers/exec/*/*/init.pid "$EXEC_ROOT"/drivers/exec/*/*/shim.pid; do
        [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
    done
    cgroup_cleanup
    if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -f "$LOG" ]; then
        echo "--- dctld log (last 40 lines) ---"
        tail -n 40 "$LOG"
    fi
    # unmount anything left under the temp dir, deepest first
    grep -F " $T/" /proc/mounts 2>/dev/null | awk '{print $2}' | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null; done
    rm -rf "$T"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    echo "FAIL: $TEST_NAME: $*" >&2
    exit 1
}

skip() {
    echo "SKIP: $TEST_NAME: $*"
    exit 77
}

ok() {
    CHECKS=$((CHECKS + 1))
    echo "ok $CHECKS - $*"
}

need_root() {
    [ "$(id -u)" = 0 ] || skip "needs root"
}

# dctld_start [FLAGS...]: starts dctld in the background and waits for /_ping.
dctld_start() {
    [ -f "$CONFIG" ] || echo '{}' >"$CONFIG"
    "$DCTLD" -H "unix://$SOCK" --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" \
        --pidfile "$PIDFILE" --driver-dir "$DRIVER_DIR" --config-file "$CONFIG" \
        --cgroup-parent "$CGROUP_PARENT" "$@" \
        >>"$LOG" 2>&1 &
    DCTLD_PID=$!
    wait_ping || fail "dctld did not answer on $SOCK"
}

wait_ping() {
    local i
    for i in $(seq 100); do
        if curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$DCTLD_PID" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# dctld_stop: SIGTERM and wait; fails if it does not exit 0.
dctld_stop() {
    local rc
    kill -TERM "$DCTLD_PID"
    wait "$DCTLD_PID"
    rc=$?
    DCTLD_PID=
    [ $rc -eq 0 ] || fail "dctld exited $rc after SIGTERM"
}

# api METHOD PATH [curl args...]: prints the body; the status goes to $T/status.
api() {
    local method=$1 path=$2
    shift 2
    curl -s --unix-socket "$SOCK" -X "$method" -o "$T/body" -w '%{http_code}' \
        "$@" "http://d$path" >"$T/status" || true
    cat "$T/body"
}

status() {
    cat "$T/status"
}

# expect_status CODE METHOD PATH [curl args...]
expect_status() {
    local want=$1
    shift
    api "$@" >/dev/null
    [ "$(status)" = "$want" ] || fail "$1 $2: status $(status), want $want; body: $(cat "$T/body")"
}

# need_docker_cli: the real docker CLI ($DOCKER, else /usr/local/bin/docker, else docker
# on PATH), or a skip; its config under $T and DOCKER_HOST our socket, nothing of the
# caller's context, TLS or API version.
need_docker_cli() {
    if [ -z "${DOCKER:-}" ]; then
        if [ -x /usr/local/bin/docker ]; then
            DOCKER=/usr/local/bin/docker
        else
            DOCKER=$(command -v docker || true)
        fi
    fi
    [ -n "$DOCKER" ] && [ -x "$DOCKER" ] || skip "no docker CLI (/usr/local/bin/docker or docker on PATH)"
    unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_API_VERSION DOCKER_TLS
    export DOCKER_CONFIG="$T/docker-config"
    mkdir -p "$DOCKER_CONFIG"
    export DOCKER_HOST="unix://$SOCK"
}

# json EXPR: reads JSON on stdin and prints python3's eval of EXPR on it as j.
json() {
    python3 -c 'import json,sys; j=json.load(sys.stdin); v=eval(sys.argv[1]); print(v if not isinstance(v,(dict,list)) else json.dumps(v))' "$1"
}
