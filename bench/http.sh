#!/bin/bash
# bench/http.sh - HTTP throughput, tail latency and idle memory of dctld, side by
# side with dockerd in the same run.
#
# Measures, over TCP 127.0.0.1 with wrk (2 threads, 32 connections, 10 s each):
#   GET /_ping and GET /version: requests per second and p99 latency;
# and from /proc/PID/status:
#   VmRSS of an idle dctld, and of an idle dockerd plus its containerd.
#
# Expects a built tree (./scripts/setup.sh); builds nothing. Installs wrk and
# Debian's docker.io with apt-get if they are missing; when docker.io cannot be
# installed or dockerd does not start, the dockerd column says so and dctld is
# measured alone. Both daemons run on private sockets, ports and directories
# under one temp dir and touch neither the host network nor /var/lib/docker;
# everything is stopped, unmounted and removed on exit, failed or not.
#
# Use: sudo bench/http.sh            (as root: dockerd needs it)
# Environment: DCTLD=path/to/dctld  DURATION=10s  THREADS=2  CONNECTIONS=32
#              NO_DOCKERD=1 (dctld only)  OWN_CONTAINERD=1 (start containerd
#              ourselves instead of letting dockerd start its managed one)
set -euo pipefail

top_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
: "${DCTLD:=$top_builddir/daemon/dctld}"
: "${DURATION:=10s}"
: "${THREADS:=2}"
: "${CONNECTIONS:=32}"
: "${NO_DOCKERD:=}"
: "${OWN_CONTAINERD:=}"

T=
DCTLD_PID=
DOCKERD_PID=
CONTAINERD_PID=       # only when we start it ourselves (OWN_CONTAINERD)
DOCKERD_NOTE=
WRK_PID=
RESULT=

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

cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM
    set +e
    [ -z "$WRK_PID" ] || { kill -TERM "$WRK_PID" 2>/dev/null; wait "$WRK_PID" 2>/dev/null; }
    stop_pid "$DCTLD_PID" dctld
    # dockerd stops its managed containerd itself; check afterwards by pid
    stop_pid "$DOCKERD_PID" dockerd
    if [ -n "$T" ] && [ -f "$T/docker/exec/containerd/containerd.pid" ]; then
        pid=$(cat "$T/docker/exec/containerd/containerd.pid" 2>/dev/null)
        # only if it still is the containerd dockerd started for this run
        if [ -n "$pid" ] && grep -qF -- "$T/" "/proc/$pid/cmdline" 2>/dev/null; then
            stop_pid "$pid" containerd
        fi
    fi
    stop_pid "$CONTAINERD_PID" containerd
    if [ -n "$T" ] && [ -d "$T" ]; then
        if [ $rc -ne 0 ] && [ $rc -ne 130 ]; then   # failed, not interrupted
            for f in "$T"/*.log; do
                [ -s "$f" ] || continue
                echo "--- $(basename "$f") (last 20 lines) ---" >&2
                tail -n 20 "$f" >&2
            done
        fi
        # unmount whatever dockerd or containerd left under the temp dir, deepest first
        grep -F " $T/" /proc/mounts | awk '{print $2}' | sort -r |
            while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
        rm -rf "$T"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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

start_dctld() {
    mkdir -p "$T/dctld/drivers"
    echo '{}' >"$T/dctld/daemon.json"
    DCTLD_PORT=$(free_port)
    "$DCTLD" -H "tcp://127.0.0.1:$DCTLD_PORT" -H "unix://$T/dctld/dctld.sock" \
        --data-root "$T/dctld/data" --exec-root "$T/dctld/exec" \
        --pidfile "$T/dctld/dctld.pid" --driver-dir "$T/dctld/drivers" \
        --config-file "$T/dctld/daemon.json" >"$T/dctld.log" 2>&1 &
    DCTLD_PID=$!
    wait_http "http://127.0.0.1:$DCTLD_PORT/_ping" "$DCTLD_PID" 10 ||
        die "dctld did not answer on 127.0.0.1:$DCTLD_PORT"
}

# A private containerd like the one dockerd would start itself (CRI off), for
# when a system containerd already owns /run/containerd/containerd.sock (which
# dockerd would otherwise use) or OWN_CONTAINERD=1.
start_containerd() {
    local c=$T/docker/containerd
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
    containerd --config "$c/config.toml" >"$T/containerd.log" 2>&1 &
    CONTAINERD_PID=$!
    for _ in $(seq 100); do
        [ -S "$c/containerd.sock" ] && return 0
        kill -0 "$CONTAINERD_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

start_dockerd() {
    local extra=()
    mkdir -p "$T/docker"
    echo '{}' >"$T/docker/daemon.json"
    if [ -n "$OWN_CONTAINERD" ] || [ -e /run/containerd/containerd.sock ]; then
        if ! command -v containerd >/dev/null || ! start_containerd; then
            DOCKERD_NOTE="could not start a private containerd"
            return 1
        fi
        extra+=(--containerd "$T/docker/containerd/containerd.sock")
    fi
    DOCKERD_PORT=$(free_port)
    # --storage-driver vfs: mounts nothing (the driver plays no part in /_ping);
    # --iptables/--ip-forward/--ip-masq=false, --bridge none: host network untouched
    dockerd --config-file "$T/docker/daemon.json" \
        --data-root "$T/docker/data" --exec-root "$T/docker/exec" \
        --pidfile "$T/docker/dockerd.pid" \
        -H "unix://$T/docker/docker.sock" -H "tcp://127.0.0.1:$DOCKERD_PORT" \
        --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
        --storage-driver vfs --userland-proxy=false "${extra[@]}" >"$T/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    # dockerd may pause on purpose before serving plain TCP; allow for it
    if ! wait_http "http://127.0.0.1:$DOCKERD_PORT/_ping" "$DOCKERD_PID" 60; then
        DOCKERD_NOTE="dockerd did not start (the end of its log is above)"
        tail -n 15 "$T/dockerd.log" >&2
        stop_pid "$DOCKERD_PID" dockerd
        DOCKERD_PID=
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

# run_wrk NAME URL PID...: runs wrk and sets RESULT to "req/s p99_us errors
# cpu_us_per_request", the CPU being what the server PIDs used during the run.
# wrk runs in the background and is waited for, so that a signal stops the
# benchmark at once (cleanup kills wrk) rather than after the run.
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

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'
}

main() {
    local d_ping d_ver k_ping= k_ver= d_rss0 d_rss1 k_rss0=0 k_rss1=0 d_anon k_anon=- cpid have_dockerd=1

    [ -x "$DCTLD" ] || die "$DCTLD not found: build the tree first (./scripts/setup.sh)"
    T=$(mktemp -d /tmp/dctl-bench.XXXXXX)
    chmod 755 "$T"
    command -v wrk >/dev/null || apt_install wrk || die "wrk is missing and could not be installed"
    command -v curl >/dev/null || apt_install curl || die "curl is missing and could not be installed"

    if [ -n "$NO_DOCKERD" ]; then
        have_dockerd=0
        DOCKERD_NOTE="skipped (NO_DOCKERD set)"
    elif ! ensure_dockerd || ! start_dockerd; then
        have_dockerd=0
    fi
    [ $have_dockerd = 1 ] || say "dockerd: $DOCKERD_NOTE; measuring dctld alone"
    start_dctld

    sleep 2   # let both settle before the idle figures
    d_rss0=$(rss_kib "$DCTLD_PID")
    d_anon=$(rss_kib "$DCTLD_PID" RssAnon)/$(rss_kib "$DCTLD_PID" RssFile)
    if [ $have_dockerd = 1 ]; then
        cpid=$(containerd_pid)
        k_rss0=$(( $(rss_kib "$DOCKERD_PID") + $(rss_kib "${cpid:-0}") ))
        k_anon=$(( $(rss_kib "$DOCKERD_PID" RssAnon) + $(rss_kib "${cpid:-0}" RssAnon) ))/$((
            $(rss_kib "$DOCKERD_PID" RssFile) + $(rss_kib "${cpid:-0}" RssFile) ))
        say "dockerd $(dockerd --version | sed 's/^Docker version //'), pid $DOCKERD_PID," \
            "containerd pid ${cpid:-?}; port $DOCKERD_PORT"
    fi
    say "$("$DCTLD" --version 2>/dev/null | head -1), pid $DCTLD_PID; port $DCTLD_PORT"
    say "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, one target at a time"

    local kpids="$DOCKERD_PID $(containerd_pid)"
    LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)   # before the runs: others' load skews them
    run_wrk dctld-ping "http://127.0.0.1:$DCTLD_PORT/_ping" "$DCTLD_PID"
    d_ping=$RESULT
    if [ $have_dockerd = 1 ]; then
        run_wrk dockerd-ping "http://127.0.0.1:$DOCKERD_PORT/_ping" $kpids
        k_ping=$RESULT
    fi
    run_wrk dctld-version "http://127.0.0.1:$DCTLD_PORT/version" "$DCTLD_PID"
    d_ver=$RESULT
    if [ $have_dockerd = 1 ]; then
        run_wrk dockerd-version "http://127.0.0.1:$DOCKERD_PORT/version" $kpids
        k_ver=$RESULT
    fi

    sleep 2
    d_rss1=$(rss_kib "$DCTLD_PID")
    [ $have_dockerd = 1 ] &&
        k_rss1=$(( $(rss_kib "$DOCKERD_PID") + $(rss_kib "$(containerd_pid)") ))
    [ $have_dockerd = 1 ] || { k_rss0=-; k_rss1=-; }

    : "${k_ping:=- - - -}" "${k_ver:=- - - -}"
    echo
    echo "HTTP over TCP 127.0.0.1, wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency;" \
         "$(nproc) CPUs; $(date -u +%Y-%m-%dT%H:%MZ); load average $LOADAVG"
    [ $have_dockerd = 1 ] || echo "dockerd: $DOCKERD_NOTE"
    row() { printf '%-28s %12s %12s %14s\n' "$@"; }
    row "" dctld dockerd dctld/dockerd
    # row LABEL FIELD: FIELD-th number of the wrk summaries
    wrow() {
        local a b
        a=$(cut -d' ' -f"$2" <<<"$3")
        b=$(cut -d' ' -f"$2" <<<"$4")
        row "$1" "$a" "$b" "$(ratio "$a" "$b")"
    }
    wrow "GET /_ping req/s" 1 "$d_ping" "$k_ping"
    wrow "GET /_ping p99 (us)" 2 "$d_ping" "$k_ping"
    wrow "GET /_ping CPU/req (us)" 4 "$d_ping" "$k_ping"
    wrow "GET /version req/s" 1 "$d_ver" "$k_ver"
    wrow "GET /version p99 (us)" 2 "$d_ver" "$k_ver"
    wrow "GET /version CPU/req (us)" 4 "$d_ver" "$k_ver"
    row "errors (non-2xx, socket)" "$(( $(cut -d' ' -f3 <<<"$d_ping") + $(cut -d' ' -f3 <<<"$d_ver") ))" \
        "$( [ $have_dockerd = 1 ] &&
            echo $(( $(cut -d' ' -f3 <<<"$k_ping") + $(cut -d' ' -f3 <<<"$k_ver") )) || echo -)"
    row "idle RSS, fresh (KiB)" "$d_rss0" "$k_rss0" "$(ratio "$d_rss0" "$k_rss0")"
    row "  of which anon/file (KiB)" "$d_anon" "$k_anon" ""
    row "idle RSS, after load (KiB)" "$d_rss1" "$k_rss1" "$(ratio "$d_rss1" "$k_rss1")"
    echo "dockerd's RSS and CPU include its containerd. Targets: dctld /_ping req/s >= 1.5x" \
         "dockerd's, p99 below dockerd's, idle RSS < 4096 KiB."
}

main "$@"
