# bench/lib.sh - shared by the benchmarks that run dctld and dockerd side by side
# (http.sh, containers.sh): one temp dir holding everything both daemons make,
# Debian's docker.io installed when missing (stopping any system daemon the
# install starts), dctld and dockerd on private sockets, 127.0.0.1 ports, data
# roots and exec roots, a private containerd when one is needed, wrk runs, RSS and
# CPU readings, dctld's containers under a cgroup parent of the run's own, and a
# cleanup that stops everything by pid, removes those cgroups, unmounts whatever is
# left under the temp dir and removes it, failed or not.
#
# Use (from a script with `set -euo pipefail`):
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   bench_init dctl-bench              # temp dir $T, traps
#   ensure_dockerd && start_dockerd [FLAGS...]   # else $DOCKERD_NOTE says why
#   start_dctld [FLAGS...] || die ...
# A script may set BENCH_CLEANUP_HOOK to a function name: cleanup runs it first,
# with both daemons still up (to remove containers through their APIs); and
# BENCH_CLEANUP_AFTER_HOOK: run once both are stopped, before the unmounting.
#
# The daemons run in sessions of their own (setsid, same pid), so that a ^C at
# the terminal reaches the benchmark and not them: cleanup still finds them up.
#
# Environment: DCTLD (default daemon/dctld of this tree), OWN_CONTAINERD=1 (start
# containerd ourselves instead of letting dockerd start its managed one).

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${DCTLD:=$top_builddir/daemon/dctld}"
: "${OWN_CONTAINERD:=}"

T=
DCTLD_PID=
DCTLD_PORT=
DCTLD_SOCK=
DCTLD_LINK_DRIVERS=   # non-empty: link the drivers built in this tree into dctld's driver dir
DCTLD_CGROUP_PARENT=  # dctld's --cgroup-parent: named after $T, removed by the cleanup
DOCKERD_PID=
DOCKERD_PORT=
DOCKERD_SOCK=
DOCKERD_STORAGE_DRIVER=vfs
CONTAINERD_PID=       # only when we start it ourselves
DOCKERD_NOTE=
WRK_PID=
RESULT=
BENCH_CLEANUP_HOOK=
BENCH_CLEANUP_AFTER_HOOK=

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

# stop_pid PID NAME: SIGTERM, up to 20 s to exit, then SIGKILL.
stop_pid() {
    local pid=$1 name=$2 i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 200); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "$name (pid $pid) ignored SIGTERM for 20 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# stop_dockerd: dockerd, then the containerd it started if still there (by the
# pid in its exec root, and only if that process is the one under our temp dir),
# then our own containerd.
stop_dockerd() {
    local pid
    stop_pid "$DOCKERD_PID" dockerd
    DOCKERD_PID=
    if [ -n "$T" ] && [ -f "$T/docker/exec/containerd/containerd.pid" ]; then
        pid=$(cat "$T/docker/exec/containerd/containerd.pid" 2>/dev/null)
        if [ -n "$pid" ] && grep -qF -- "$T/" "/proc/$pid/cmdline" 2>/dev/null; then
            stop_pid "$pid" containerd
        fi
    fi
    stop_pid "$CONTAINERD_PID" containerd
    CONTAINERD_PID=
}

# unmount_under DIR: unmounts every mount point below DIR, deepest first.
unmount_under() {
    grep -F " $1/" /proc/mounts | awk '{print $2}' | sort -r |
        while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
    return 0
}

bench_cleanup() {
    local rc=$? f
    trap - EXIT INT TERM
    set +e
    [ -z "$WRK_PID" ] || { kill -TERM "$WRK_PID" 2>/dev/null; wait "$WRK_PID" 2>/dev/null; }
    [ -z "$BENCH_CLEANUP_HOOK" ] || "$BENCH_CLEANUP_HOOK"
    stop_pid "$DCTLD_PID" dctld
    stop_dockerd
    [ -z "$BENCH_CLEANUP_AFTER_HOOK" ] || "$BENCH_CLEANUP_AFTER_HOOK"
    if [ -n "$DCTLD_CGROUP_PARENT" ]; then   # the run's containers' cgroups, deepest first
        for f in /sys/fs/cgroup"$DCTLD_CGROUP_PARENT" /sys/fs/cgroup/*"$DCTLD_CGROUP_PARENT"; do
            [ -d "$f" ] && find "$f" -depth -type d -exec rmdir {} + 2>/dev/null
        done
    fi
    if [ -n "$T" ] && [ -d "$T" ]; then
        if [ $rc -ne 0 ] && [ $rc -ne 130 ]; then   # failed, not interrupted
            for f in "$T"/*.log; do
                [ -s "$f" ] || continue
                echo "--- $(basename "$f") (last 20 lines) ---" >&2
                tail -n 20 "$f" >&2
            done
        fi
        unmount_under "$T"
        rm -rf "$T"
    fi
    exit $rc
}

# bench_init PREFIX: the temp dir /tmp/PREFIX.XXXXXX as $T, and the traps.
bench_init() {
    T=$(mktemp -d "/tmp/$1.XXXXXX")
    chmod 755 "$T"
    DCTLD_CGROUP_PARENT="/${T##*/}-dctld"
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

# free_port: an unused TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_http URL PID SECONDS: until URL answers 200, PID dies or time runs out.
wait_http() {
    local url=$1 pid=$2 i
    for i in $(seq $(($3 * 10))); do
        curl -sf -o /dev/null "$url" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# rss_kib PID [FIELD]: VmRSS (or RssAnon, RssFile) in KiB; 0 if the process is gone.
rss_kib() {
    awk -v f="${2:-VmRSS}:" '$1 == f {print $2; found=1} END {if (!found) print 0}' \
        "/proc/$1/status" 2>/dev/null || echo 0
}

# pids_of NAME: pids of processes whose command name is NAME (read-only look).
pids_of() {
    local d
    for d in /proc/[0-9]*; do
        [ "$(cat "$d/comm" 2>/dev/null)" = "$1" ] && echo "${d#/proc/}"
    done
    return 0
}

apt_install() {
    say "installing $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "$@" >"$T/apt.log" 2>&1 ||
        { apt-get update -q >>"$T/apt.log" 2>&1 &&
          apt-get install -y -q --no-install-recommends "$@" >>"$T/apt.log" 2>&1; }
}

# Installs docker.io if dockerd is missing. A package install may start the
# system's dockerd or containerd (no policy-rc.d, or systemd present): those
# processes were started by this install, so stop them by pid; the benchmark
# must leave /var/run/docker.sock and the host's ports as it found them.
ensure_dockerd() {
    local before_d before_c p
    command -v dockerd >/dev/null && return 0
    [ "$(id -u)" = 0 ] || { DOCKERD_NOTE="dockerd not installed (and not root to install docker.io)"; return 1; }
    before_d=$(pids_of dockerd)
    before_c=$(pids_of containerd)
    if ! apt_install docker.io; then
        DOCKERD_NOTE="docker.io could not be installed (see apt-get output above)"
        tail -n 5 "$T/apt.log" >&2
        return 1
    fi
    for p in $(pids_of dockerd); do
        grep -qx "$p" <<<"$before_d" || { say "stopping the system dockerd the install started (pid $p)"; kill -TERM "$p"; }
    done
    sleep 1
    for p in $(pids_of containerd); do
        grep -qx "$p" <<<"$before_c" || { say "stopping the system containerd the install started (pid $p)"; kill -TERM "$p"; }
    done
    command -v dockerd >/dev/null || { DOCKERD_NOTE="docker.io installed but no dockerd on PATH"; return 1; }
}

# start_dctld [FLAGS...]: dctld on tcp://127.0.0.1:$DCTLD_PORT and unix://$DCTLD_SOCK,
# everything under $T/dctld; its driver dir is empty unless DCTLD_LINK_DRIVERS is
# set (then it holds the drivers built in this tree, as installed). Returns 1,
# having stopped it and shown its log, if it does not answer /_ping in 10 s.
start_dctld() {
    local so
    mkdir -p "$T/dctld/drivers"
    [ -f "$T/dctld/daemon.json" ] || echo '{}' >"$T/dctld/daemon.json"
    if [ -n "$DCTLD_LINK_DRIVERS" ]; then
        for so in "$top_builddir"/drivers/*/.libs/*.so; do
            [ -e "$so" ] && ln -sf "$so" "$T/dctld/drivers/"
        done
    fi
    DCTLD_PORT=$(free_port)
    DCTLD_SOCK=$T/dctld/dctld.sock
    setsid "$DCTLD" -H "tcp://127.0.0.1:$DCTLD_PORT" -H "unix://$DCTLD_SOCK" \
        --data-root "$T/dctld/data" --exec-root "$T/dctld/exec" \
        --pidfile "$T/dctld/dctld.pid" --driver-dir "$T/dctld/drivers" \
        --config-file "$T/dctld/daemon.json" --cgroup-parent "$DCTLD_CGROUP_PARENT" "$@" \
        >>"$T/dctld.log" 2>&1 &
    DCTLD_PID=$!
    if ! wait_http "http://127.0.0.1:$DCTLD_PORT/_ping" "$DCTLD_PID" 10; then
        say "dctld $* did not answer on 127.0.0.1:$DCTLD_PORT; the end of its log:"
        tail -n 10 "$T/dctld.log" >&2
        stop_pid "$DCTLD_PID" dctld
        DCTLD_PID=
        return 1
    fi
}

# A private containerd like the one dockerd would start itself (CRI off), for
# when a system containerd already owns /run/containerd/containerd.sock (which
# dockerd would otherwise use) or OWN_CONTAINERD=1. Starts it once.
start_containerd() {
    local c=$T/docker/containerd
    [ -n "$CONTAINERD_PID" ] && kill -0 "$CONTAINERD_PID" 2>/dev/null && return 0
    mkdir -p "$c"
    cat >"$c/config.toml" <<EOF
version = 2
root = "$c/root"
state = "$c/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$c/containerd.sock"
[ttrpc]
  address = "$c/containerd.sock.ttrpc"
[debug]
  address = "$c/debug.sock"
EOF
    setsid containerd --config "$c/config.toml" >>"$T/containerd.log" 2>&1 &
    CONTAINERD_PID=$!
    for _ in $(seq 100); do
        [ -S "$c/containerd.sock" ] && return 0
        kill -0 "$CONTAINERD_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# start_dockerd [FLAGS...]: dockerd on tcp://127.0.0.1:$DOCKERD_PORT and
# unix://$DOCKERD_SOCK with --storage-driver $DOCKERD_STORAGE_DRIVER, everything
# under $T/docker. Returns 1 with DOCKERD_NOTE set (and everything it started
# stopped) when it does not come up.
start_dockerd() {
    local extra=()
    mkdir -p "$T/docker"
    [ -f "$T/docker/daemon.json" ] || echo '{}' >"$T/docker/daemon.json"
    if [ -n "$OWN_CONTAINERD" ] || [ -e /run/containerd/containerd.sock ]; then
        if ! command -v containerd >/dev/null || ! start_containerd; then
            DOCKERD_NOTE="could not start a private containerd"
            return 1
        fi
        extra+=(--containerd "$T/docker/containerd/containerd.sock")
    fi
    DOCKERD_PORT=$(free_port)
    DOCKERD_SOCK=$T/docker/docker.sock
    # --iptables/--ip-forward/--ip-masq=false, --bridge none: host network untouched
    setsid dockerd --config-file "$T/docker/daemon.json" \
        --data-root "$T/docker/data" --exec-root "$T/docker/exec" \
        --pidfile "$T/docker/dockerd.pid" \
        -H "unix://$DOCKERD_SOCK" -H "tcp://127.0.0.1:$DOCKERD_PORT" \
        --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
        --storage-driver "$DOCKERD_STORAGE_DRIVER" --userland-proxy=false \
        "${extra[@]}" "$@" >>"$T/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    # dockerd may pause on purpose before serving plain TCP; allow for it
    if ! wait_http "http://127.0.0.1:$DOCKERD_PORT/_ping" "$DOCKERD_PID" 60; then
        DOCKERD_NOTE="dockerd --storage-driver $DOCKERD_STORAGE_DRIVER did not start (the end of its log is above)"
        tail -n 15 "$T/dockerd.log" >&2
        stop_dockerd
        return 1
    fi
}

# The containerd serving this dockerd: ours, or the one dockerd started (its
# pidfile is in dockerd's exec root).
containerd_pid() {
    if [ -n "$CONTAINERD_PID" ]; then
        echo "$CONTAINERD_PID"
    elif [ -f "$T/docker/exec/containerd/containerd.pid" ]; then
        cat "$T/docker/exec/containerd/containerd.pid"
    fi
}

# to_us VALUE: wrk's latency ("812.00us", "1.52ms", "1.01s") in microseconds.
to_us() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
        if (u == "us") f = 1; else if (u == "ms") f = 1000; else if (u == "s") f = 1000000;
        else if (u == "m") f = 60000000; else f = 1;
        printf "%.0f", n * f }'
}

# cpu_ticks PID...: CPU time of the processes and their reaped children (dockerd
# runs runc --version for every /version), in clock ticks.
cpu_ticks() {
    local pid t=0 f
    for pid in "$@"; do
        f=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        f=${f##*) }   # fields after "pid (comm) "; utime and stime are 12 and 13 there
        set -- $f
        t=$((t + ${12} + ${13} + ${14} + ${15}))   # own + waited-for children
    done
    echo $t
}

# run_wrk NAME URL PID...: runs wrk -t$THREADS -c$CONNECTIONS -d$DURATION and sets
# RESULT to "req/s p99_us errors cpu_us_per_request", the CPU being what the
# server PIDs used during the run. wrk runs in the background and is waited for,
# so that a signal stops the benchmark at once (cleanup kills wrk).
run_wrk() {
    local name=$1 url=$2 out=$T/wrk-$1.txt rps p99 errs n c0 c1
    shift 2
    c0=$(cpu_ticks "$@")
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url" >"$out" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || { cat "$out" >&2; die "wrk failed against $url"; }
    WRK_PID=
    c1=$(cpu_ticks "$@")
    rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
    p99=$(awk '$1 == "99%" {print $2}' "$out")
    n=$(awk '/ requests in / {print $1}' "$out")
    errs=$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {
        for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i } END {print n + 0}' "$out")
    [ -n "$rps" ] && [ -n "$n" ] || { cat "$out" >&2; die "wrk gave no figures for $url"; }
    RESULT="$rps $(to_us "${p99:-0}") $errs $(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" \
        -v n="$n" 'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }')"
}

# ratio A B: A/B as "1.23x", or "-" when either is not a positive number.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2fx", a / b; else print "-" }'
}
