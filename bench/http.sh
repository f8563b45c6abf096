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
# everything is stopped, unmounted and removed on exit, failed or not (bench/lib.sh
# does the installing, starting and cleaning up). dockerd runs with lib.sh's
# default --storage-driver vfs, which mounts nothing: the storage driver plays no
# part in these requests.
#
# Use: sudo bench/http.sh            (as root: dockerd needs it)
# Environment: DCTLD=path/to/dctld  DURATION=10s  THREADS=2  CONNECTIONS=32
#              NO_DOCKERD=1 (dctld only)  OWN_CONTAINERD=1 (start containerd
#              ourselves instead of letting dockerd start its managed one)
set -euo pipefail

top_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$top_srcdir/bench/lib.sh"
: "${DURATION:=10s}"
: "${THREADS:=2}"
: "${CONNECTIONS:=32}"
: "${NO_DOCKERD:=}"

main() {
    local d_ping d_ver k_ping= k_ver= d_rss0 d_rss1 k_rss0=0 k_rss1=0 d_anon k_anon=- cpid have_dockerd=1

    [ -x "$DCTLD" ] || die "$DCTLD not found: build the tree first (./scripts/setup.sh)"
    bench_init dctl-bench
    command -v wrk >/dev/null || apt_install wrk || die "wrk is missing and could not be installed"
    command -v curl >/dev/null || apt_install curl || die "curl is missing and could not be installed"

    if [ -n "$NO_DOCKERD" ]; then
        have_dockerd=0
        DOCKERD_NOTE="skipped (NO_DOCKERD set)"
    elif ! ensure_dockerd || ! start_dockerd; then
        have_dockerd=0
    fi
    [ $have_dockerd = 1 ] || say "dockerd: $DOCKERD_NOTE; measuring dctld alone"
    start_dctld || die "dctld did not start"

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
