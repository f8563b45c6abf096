#!/bin/bash
# bench/containers.sh - container start-up, density and listing of dctld, side by
# side with dockerd in the same run.
#
# For each daemon, on the same busybox-static image (imported with `docker
# import` as bench-busybox:latest), with --network none throughout:
#   - `docker run --rm --network none bench-busybox true` with the real docker
#     CLI: median and p90 wall time of N runs after WARM warm-ups, and the CLI's
#     own cost (`docker version`, median) for reference;
#   - the same with `dctl run` when client/dctl has a run command;
#   - create -> start -> wait -> delete through the raw API (bench/containers.py,
#     http.client over the unix socket): median and p90;
#   - PARALLEL containers running `sleep $SLEEP` created, then all started at once:
#     seconds until all are listed running, containers per second; then all
#     force-removed at once;
#   - VmRSS of the idle daemon (dockerd: plus its containerd) and, while the
#     PARALLEL containers run, of each shim (dctl-shim; containerd-shim-runc-v2):
#     mean RSS and mean PSS;
#   - GET /containers/json?all=1 with LIST created containers present: wrk over a
#     TCP listener on 127.0.0.1 (req/s, p99);
#   - exec in a running container (`sleep $SLEEP`): `docker exec C true` and `dctl
#     exec C true`, median and p90; exec create -> start -> inspect through the raw
#     API (bench/containers.py exec), median and p90; the shim's RSS after them.
# Steps alternate between the daemons, so that both see the same machine load.
#
# dctld runs with --storage-driver overlay when it starts with it, else vfs, and
# DCTL_SHIM set to this tree's dctl-shim; dockerd with overlay2 when it starts
# with it, else vfs. When dctld has no container API (404 from POST
# /containers/create) its container rows say so and dockerd is measured alone.
#
# Expects a built tree (./scripts/setup.sh); builds nothing. Installs wrk, curl,
# busybox-static and Debian's docker.io with apt-get if missing. Both daemons
# run on private sockets, 127.0.0.1 ports, data and exec roots under one temp
# dir (bench/lib.sh); dockerd's container cgroups go under a cgroup parent named
# after that dir. On exit, failed, interrupted or not, every container made is
# removed, both daemons are stopped by pid, everything under the temp dir is
# unmounted and the dir and the cgroups made for the run are removed.
#
# Use: sudo bench/containers.sh      (as root: containers need it)
# Environment: DCTLD, DCTL (client), DOCKER (the docker CLI, /usr/local/bin/docker)
#   N=30 WARM=3 PARALLEL=50 SLEEP=300 LIST=100  DURATION=10s THREADS=2 CONNECTIONS=32
#   NO_DOCKERD=1 (dctld only)  OWN_CONTAINERD=1  DCTLD_DRIVER=overlay|vfs
#   STEPS="cli api parallel list exec" (the steps to run, in that order)
#   DOCKERD_DRIVER=overlay2|vfs (default: try overlay(2), fall back to vfs)
set -euo pipefail

top_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$top_srcdir/bench/lib.sh"
: "${DCTL:=$top_builddir/client/dctl}"
: "${DOCKER:=/usr/local/bin/docker}"
: "${N:=30}"
: "${WARM:=3}"
: "${PARALLEL:=50}"
: "${SLEEP:=300}"   # dockerd took 28 s for 50 starts on a loaded machine: 30 was too short
: "${LIST:=100}"
: "${DURATION:=10s}"
: "${THREADS:=2}"
: "${CONNECTIONS:=32}"
: "${NO_DOCKERD:=}"
: "${DCTLD_DRIVER:=}"
: "${DOCKERD_DRIVER:=}"
: "${STEPS:=cli api parallel list exec}"

PY=$top_srcdir/bench/containers.py
IMAGE=bench-busybox:latest
LABEL=
CG_PARENT=            # dockerd's --cgroup-parent: the temp dir's name
RUN_CONTAINERD=       # whether /run/containerd existed before the run
DAEMONS=()            # the daemons that started: dctld [dockerd]
declare -A SOCK PORT NOTE CAN R

# The docker CLI and dctl talk to one daemon at a time, the CLI with its config
# under $T; main unsets the caller's DOCKER_CONTEXT, TLS and API version (no
# env(1) in the timed runs).
dk() {
    local d=$1
    shift
    DOCKER_CONFIG="$T/cli" DOCKER_CLI_HINTS=false DOCKER_HOST="unix://${SOCK[$d]}" "$DOCKER" "$@"
}

dc() {
    local d=$1
    shift
    DCTL_HOST="unix://${SOCK[$d]}" "$DCTL" "$@"
}

# daemon_pids D: the daemon's processes whose RSS and CPU count (dockerd: and its containerd).
daemon_pids() {
    if [ "$1" = dctld ]; then echo "$DCTLD_PID"; else echo "$DOCKERD_PID $(containerd_pid)"; fi
}

rss_sum() {
    local p t=0
    for p in "$@"; do t=$((t + $(rss_kib "$p"))); done
    echo $t
}

# Removes, through each daemon's API, whatever containers of this run are left
# (cleanup, both daemons still up).
containers_cleanup() {
    local d f n
    for d in "${DAEMONS[@]}"; do
        [ -n "${CAN[$d]:-}" ] && [ -S "${SOCK[$d]:-}" ] || continue
        for f in "$T/ids-$d-"*; do
            case $f in *.all) continue ;; esac
            n=$(grep -c . "$f" 2>/dev/null) || continue
            say "$d: removing the $n containers left in $(basename "$f")"
            python3 "$PY" remove "${SOCK[$d]}" "$f" >/dev/null
        done
        python3 "$PY" sweep "${SOCK[$d]}" "$LABEL"
    done
    return 0
}

# children_of PID: the pids whose parent is PID.
children_of() {
    local f st fields
    for f in /proc/[0-9]*/stat; do
        st=$(cat "$f" 2>/dev/null) || continue
        read -r -a fields <<<"${st##*) }"   # STATE PPID ... after "pid (comm) "
        [ "${fields[1]:-}" = "$1" ] && { f=${f#/proc/}; echo "${f%/stat}"; }
    done
    return 0
}

# shim_socket PID: the socket a containerd-shim-runc-v2 listens on, which it
# removes when it exits and not when killed: containerd 1.6 puts it at
# /run/containerd/s/HEX, HEX the sha256 of "ADDRESS/NAMESPACE/ID" (runtime/v2/shim
# SocketAddress), ADDRESS being containerd's, whatever its state dir.
shim_socket() {
    local args a ns= id= addr= h
    mapfile -d '' args <"/proc/$1/cmdline" 2>/dev/null || return 0
    for ((a = 0; a < ${#args[@]} - 1; a++)); do
        case ${args[a]} in
            -namespace) ns=${args[a + 1]} ;;
            -id) id=${args[a + 1]} ;;
            -address) addr=${args[a + 1]} ;;
        esac
    done
    [ -n "$ns" ] && [ -n "$id" ] && [ -n "$addr" ] || return 0
    h=$(printf '%s' "$addr/$ns/$id" | sha256sum | cut -d' ' -f1)
    [ -S "/run/containerd/s/$h" ] && echo "/run/containerd/s/$h"
    return 0
}

# With both daemons stopped: the shims of this run still alive (a daemon that
# died under us could not remove its containers) are killed by pid with their
# containers (the shim's children: a container's PID 1, whose end ends its PID
# namespace); then the cgroups made for the run go (dockerd's parent; dctld's
# PARENT/ID, which dctld should have removed itself: said when it had not; bench/lib.sh
# removes dctld's parent, DCTLD_CGROUP_PARENT), and
# /run/containerd if this run made it (containerd's shims keep their sockets in
# /run/containerd/s whatever containerd's state dir).
containers_cleanup_after() {
    local s p id c d sock left=
    for d in dctld dockerd; do
        for s in $(shim_pids "$d"); do
            left=1
            say "$d: shim $s of this run still alive; killing it and its container"
            sock=$(shim_socket "$s")
            for p in $(children_of "$s"); do kill -KILL "$p" 2>/dev/null; done
            kill -KILL "$s" 2>/dev/null
            [ -z "$sock" ] || rm -f "$sock"
        done
    done
    [ -z "$left" ] || sleep 1
    if [ -n "$CG_PARENT" ]; then
        for c in /sys/fs/cgroup/"$CG_PARENT" /sys/fs/cgroup/*/"$CG_PARENT"; do
            [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null
        done
    fi
    for id in $(cat "$T"/ids-dctld-*.all 2>/dev/null); do
        for c in /sys/fs/cgroup"$DCTLD_CGROUP_PARENT/$id" /sys/fs/cgroup/*"$DCTLD_CGROUP_PARENT/$id"; do
            [ -d "$c" ] || continue
            say "dctld left the cgroup $c; removing it"
            rmdir "$c" 2>/dev/null
        done
    done
    if [ -z "$RUN_CONTAINERD" ] && [ -d /run/containerd ]; then
        find /run/containerd -depth -type d -empty -delete 2>/dev/null
    fi
    return 0
}

# stats FILE: "median p90" of the numbers in FILE (nearest-rank p90), 1 decimal.
stats() {
    sort -g "$1" | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "- -"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        i = int(NR * 0.9); if (i < NR * 0.9) i++
        printf "%.1f %.1f\n", m, v[i] }'
}

# time_runs OUT COUNT WARM CMD...: runs CMD WARM + COUNT times, writing the wall
# time of the last COUNT in ms to OUT, one a line; returns 1 (its stderr in
# OUT.err) if a run fails.
time_runs() {
    local out=$1 count=$2 warm=$3 i s e
    shift 3
    : >"$out.raw"
    for ((i = 0; i < warm + count; i++)); do
        s=$EPOCHREALTIME
        "$@" >/dev/null 2>"$out.err" || return 1
        e=$EPOCHREALTIME
        [ $i -lt "$warm" ] || echo "$s $e" >>"$out.raw"
    done
    awk '{ printf "%.3f\n", ($2 - $1) * 1000 }' "$out.raw" >"$out"
}

# shim_pids D: the shims of this run's containers (their command lines name our temp dir).
shim_pids() {
    local comm p
    if [ "$1" = dctld ]; then comm=dctl-shim; else comm=containerd-shim; fi   # comm: 15 chars
    for p in $(pids_of "$comm"); do
        grep -qF -- "$T/" "/proc/$p/cmdline" 2>/dev/null && echo "$p"
    done
    return 0
}

pss_kib() {
    awk '$1 == "Pss:" {print $2; f=1} END {if (!f) print 0}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0
}

# fail_note D WHAT FILE: records that a step failed for D, with the first error line.
fail_note() {
    local msg
    msg=$(grep -v '^\s*$' "$3" 2>/dev/null | tail -n 1 | cut -c1-160)
    say "$1: $2 failed: ${msg:-no message}"
    NOTE[$1]="${NOTE[$1]:+${NOTE[$1]}; }$2 failed: ${msg:-no message}"
}

start_daemons() {
    local drv shim
    # dctld: overlay if it starts with it, else vfs
    shim=$top_builddir/daemon/shim/dctl-shim
    [ -x "$shim" ] || shim=$(find "$top_builddir" -name dctl-shim -type f -perm -u+x 2>/dev/null | head -n 1)
    if [ -n "$shim" ]; then
        export DCTL_SHIM=$shim
        R[dctld.shim]=${shim#"$top_builddir"/}
    else
        R[dctld.shim]="dctl-shim not found in this tree (no native exec driver to run containers)"
    fi
    DCTLD_LINK_DRIVERS=1
    for drv in ${DCTLD_DRIVER:-overlay vfs}; do
        if start_dctld --storage-driver "$drv"; then
            R[dctld.driver]=$drv
            break
        fi
        say "dctld does not start with --storage-driver $drv"
    done
    [ -n "$DCTLD_PID" ] || die "dctld did not start"
    DAEMONS=(dctld)
    SOCK[dctld]=$DCTLD_SOCK
    PORT[dctld]=$DCTLD_PORT
    R[dctld.version]=$("$DCTLD" --version 2>/dev/null | head -n 1)

    if [ -n "$NO_DOCKERD" ]; then
        DOCKERD_NOTE="skipped (NO_DOCKERD set)"
    elif ensure_dockerd; then
        for drv in ${DOCKERD_DRIVER:-overlay2 vfs}; do
            DOCKERD_STORAGE_DRIVER=$drv
            if start_dockerd --cgroup-parent "/$CG_PARENT"; then
                R[dockerd.driver]=$drv
                break
            fi
            say "dockerd: $DOCKERD_NOTE"
        done
    fi
    if [ -n "$DOCKERD_PID" ]; then
        DAEMONS+=(dockerd)
        SOCK[dockerd]=$DOCKERD_SOCK
        PORT[dockerd]=$DOCKERD_PORT
        R[dockerd.version]="dockerd $(dockerd --version | sed 's/^Docker version //'),"\
" containerd $(containerd --version 2>/dev/null | awk '{print $3}'), $(runc --version 2>/dev/null | head -n 1)"
    else
        say "dockerd: ${DOCKERD_NOTE:-did not start}; measuring dctld alone"
    fi
}

# import_image D: the busybox rootfs as bench-busybox:latest; probes the container API.
import_image() {
    local d=$1 out
    if ! time_runs "$T/import-$d" 1 0 dk "$d" import "$T/busybox.tar" "$IMAGE"; then
        fail_note "$d" "docker import" "$T/import-$d.err"
        return 0
    fi
    R[$d.import]=$(awk '{ printf "%.1f", $1 }' "$T/import-$d")
    out=$(python3 "$PY" probe "${SOCK[$d]}" "$IMAGE" "$LABEL" "$T/ids-$d-probe" 2>&1) &&
        { CAN[$d]=1; return 0; }
    case $out in
        404\ *"No such image"*) NOTE[$d]="POST /containers/create: ${out#404 } (after docker import)" ;;
        404\ *) NOTE[$d]="container API not available (404 from POST /containers/create)" ;;
        *) NOTE[$d]="POST /containers/create answered ${out:-nothing}" ;;
    esac
    say "$d: ${NOTE[$d]}"
}

step_cli() {
    local d=$1
    time_runs "$T/version-$d" "$N" "$WARM" dk "$d" version &&
        R[$d.version_ms]=$(stats "$T/version-$d" | cut -d' ' -f1) ||
        fail_note "$d" "docker version" "$T/version-$d.err"
    [ -n "${CAN[$d]:-}" ] || return 0
    say "$d: docker run --rm --network none $IMAGE true, $WARM + $N times"
    if time_runs "$T/run-$d" "$N" "$WARM" dk "$d" run --rm --network none "$IMAGE" true; then
        R[$d.run]=$(stats "$T/run-$d")
    else
        fail_note "$d" "docker run" "$T/run-$d.err"
    fi
    if [ -n "$DCTL_RUN" ]; then
        say "$d: dctl run --rm --network none $IMAGE true, $WARM + $N times"
        if time_runs "$T/dctl-run-$d" "$N" "$WARM" dc "$d" run --rm --network none "$IMAGE" true; then
            R[$d.dctl_run]=$(stats "$T/dctl-run-$d")
        else
            fail_note "$d" "dctl run" "$T/dctl-run-$d.err"
        fi
    fi
}

step_api() {
    local d=$1
    [ -n "${CAN[$d]:-}" ] || return 0
    say "$d: create -> start -> wait -> delete through the API, $WARM + $N times"
    if python3 "$PY" lifecycle "${SOCK[$d]}" "$IMAGE" "$LABEL" "$T/ids-$d-api" "$N" "$WARM" \
        >"$T/api-$d" 2>"$T/api-$d.err"; then
        R[$d.api]=$(stats "$T/api-$d")
    else
        fail_note "$d" "API lifecycle" "$T/api-$d.err"
    fi
}

step_parallel() {
    local d=$1 ids=$T/ids-$d-par p n=0 rss=0 pss=0
    [ -n "${CAN[$d]:-}" ] || return 0
    say "$d: $PARALLEL containers (sleep $SLEEP) created, then started at once"
    if ! python3 "$PY" create "${SOCK[$d]}" "$IMAGE" "$LABEL" "$ids" "$PARALLEL" sleep "$SLEEP" \
        >"$T/par-create-$d" 2>"$T/par-$d.err"; then
        fail_note "$d" "create of $PARALLEL" "$T/par-$d.err"
    elif ! python3 "$PY" start "${SOCK[$d]}" "$ids" >"$T/par-start-$d" 2>"$T/par-$d.err"; then
        fail_note "$d" "parallel start" "$T/par-$d.err"
    else
        R[$d.par_s]=$(cat "$T/par-start-$d")
        R[$d.par_rate]=$(awk -v n="$PARALLEL" -v s="${R[$d.par_s]}" 'BEGIN { printf "%.1f", n / s }')
        sleep 1   # shims settle after start-up
        for p in $(shim_pids "$d"); do
            n=$((n + 1))
            rss=$((rss + $(rss_kib "$p")))
            pss=$((pss + $(pss_kib "$p")))
        done
        R[$d.shims]=$n
        if [ $n -gt 0 ]; then
            R[$d.shim_rss]=$((rss / n))
            R[$d.shim_pss]=$((pss / n))
        fi
        R[$d.rss_busy]=$(rss_sum $(daemon_pids "$d"))
    fi
    if python3 "$PY" remove "${SOCK[$d]}" "$ids" >"$T/par-rm-$d" 2>"$T/par-$d.err"; then
        R[$d.rm_s]=$(cat "$T/par-rm-$d")
    else
        fail_note "$d" "removal of the $PARALLEL" "$T/par-$d.err"
    fi
}

step_list() {
    local d=$1 ids=$T/ids-$d-list
    [ -n "${CAN[$d]:-}" ] || return 0
    say "$d: $LIST containers created (not started); wrk GET /containers/json?all=1"
    if ! python3 "$PY" create "${SOCK[$d]}" "$IMAGE" "$LABEL" "$ids" "$LIST" true \
        >"$T/list-create-$d" 2>"$T/list-$d.err"; then
        fail_note "$d" "create of $LIST" "$T/list-$d.err"
    else
        R[$d.create_s]=$(cat "$T/list-create-$d")
        run_wrk "list-$d" "http://127.0.0.1:${PORT[$d]}/containers/json?all=1" $(daemon_pids "$d")
        R[$d.list]=$RESULT
    fi
    python3 "$PY" remove "${SOCK[$d]}" "$ids" >/dev/null 2>"$T/list-$d.err" ||
        fail_note "$d" "removal of the $LIST" "$T/list-$d.err"
}

step_exec() {
    local d=$1 ids=$T/ids-$d-exec cid p
    [ -n "${CAN[$d]:-}" ] || return 0
    say "$d: exec true in a running container: docker exec, dctl exec, the API; $WARM + $N times each"
    if ! python3 "$PY" create "${SOCK[$d]}" "$IMAGE" "$LABEL" "$ids" 1 sleep "$SLEEP" \
        >/dev/null 2>"$T/exec-$d.err" ||
        ! python3 "$PY" start "${SOCK[$d]}" "$ids" >/dev/null 2>"$T/exec-$d.err"; then
        fail_note "$d" "the exec container" "$T/exec-$d.err"
        return 0
    fi
    cid=$(head -n 1 "$ids")
    if time_runs "$T/dexec-$d" "$N" "$WARM" dk "$d" exec "$cid" true; then
        R[$d.docker_exec]=$(stats "$T/dexec-$d")
    else
        fail_note "$d" "docker exec" "$T/dexec-$d.err"
    fi
    if [ -n "$DCTL_EXEC" ]; then
        if time_runs "$T/cexec-$d" "$N" "$WARM" dc "$d" exec "$cid" true; then
            R[$d.dctl_exec]=$(stats "$T/cexec-$d")
        else
            fail_note "$d" "dctl exec" "$T/cexec-$d.err"
        fi
    fi
    if python3 "$PY" exec "${SOCK[$d]}" "$cid" "$N" "$WARM" >"$T/aexec-$d" 2>"$T/aexec-$d.err"; then
        R[$d.api_exec]=$(stats "$T/aexec-$d")
    else
        fail_note "$d" "API exec" "$T/aexec-$d.err"
    fi
    sleep 2   # steady state: dctl-shim drops the exec path's text pages after 1 s idle
    p=$(shim_pids "$d" | head -n 1)
    [ -z "$p" ] || R[$d.exec_shim_rss]=$(rss_kib "$p")
    python3 "$PY" remove "${SOCK[$d]}" "$ids" >/dev/null 2>"$T/exec-$d.err" ||
        fail_note "$d" "removal of the exec container" "$T/exec-$d.err"
}

# row LABEL DCTLD DOCKERD [RATIO]: one line of the table; RATIO "" for none,
# unset for dctld/dockerd.
row() { printf '%-44s %11s %11s %13s\n' "$1" "$2" "$3" "${4-$(ratio "$2" "$3")}"; }
val() { local v=${R[$1]:-}; v=${v:--}; [ -z "${2:-}" ] && echo "$v" || cut -d' ' -f"$2" <<<"$v"; }

report() {
    local d
    echo
    echo "Containers (--network none), N=$N after $WARM warm-ups; $(nproc) CPUs;" \
         "$(date -u +%Y-%m-%dT%H:%MZ); load average $LOADAVG"
    echo "dctld: ${R[dctld.version]}, storage driver ${R[dctld.driver]}; shim: ${R[dctld.shim]}"
    if [ -n "$DOCKERD_PID" ]; then
        echo "dockerd: ${R[dockerd.version]}; storage driver ${R[dockerd.driver]}"
    else
        echo "dockerd: ${DOCKERD_NOTE:-not started}"
    fi
    for d in dctld dockerd; do
        [ -z "${NOTE[$d]:-}" ] || echo "$d: ${NOTE[$d]}"
    done
    [ -n "$DCTL_RUN" ] || echo "dctl run: client/dctl has no run command (yet)"
    echo
    row "" dctld dockerd dctld/dockerd
    row "docker import (ms)" "$(val dctld.import)" "$(val dockerd.import)"
    row "docker version, median (ms)" "$(val dctld.version_ms)" "$(val dockerd.version_ms)"
    row "docker run --rm true, median (ms)" "$(val dctld.run 1)" "$(val dockerd.run 1)"
    row "docker run --rm true, p90 (ms)" "$(val dctld.run 2)" "$(val dockerd.run 2)"
    if [ -n "$DCTL_RUN" ]; then
        row "dctl run --rm true, median (ms)" "$(val dctld.dctl_run 1)" "$(val dockerd.dctl_run 1)"
        row "dctl run --rm true, p90 (ms)" "$(val dctld.dctl_run 2)" "$(val dockerd.dctl_run 2)"
    fi
    row "API create+start+wait+delete, median (ms)" "$(val dctld.api 1)" "$(val dockerd.api 1)"
    row "API create+start+wait+delete, p90 (ms)" "$(val dctld.api 2)" "$(val dockerd.api 2)"
    row "$PARALLEL parallel starts until all running (s)" "$(val dctld.par_s)" "$(val dockerd.par_s)"
    row "  containers started per second" "$(val dctld.par_rate)" "$(val dockerd.par_rate)"
    row "$PARALLEL parallel force-removes (s)" "$(val dctld.rm_s)" "$(val dockerd.rm_s)"
    row "shims found while $PARALLEL ran" "$(val dctld.shims)" "$(val dockerd.shims)" ""
    row "shim RSS, mean (KiB)" "$(val dctld.shim_rss)" "$(val dockerd.shim_rss)"
    row "shim PSS, mean (KiB)" "$(val dctld.shim_pss)" "$(val dockerd.shim_pss)"
    row "daemon RSS, idle (KiB)" "$(val dctld.rss_idle)" "$(val dockerd.rss_idle)"
    row "daemon RSS, $PARALLEL running (KiB)" "$(val dctld.rss_busy)" "$(val dockerd.rss_busy)"
    row "$LIST sequential creates (s)" "$(val dctld.create_s)" "$(val dockerd.create_s)"
    row "GET /containers/json?all=1 ($LIST) req/s" "$(val dctld.list 1)" "$(val dockerd.list 1)"
    row "  p99 (us)" "$(val dctld.list 2)" "$(val dockerd.list 2)"
    row "  CPU/req (us)" "$(val dctld.list 4)" "$(val dockerd.list 4)"
    row "  errors (non-2xx, socket)" "$(val dctld.list 3)" "$(val dockerd.list 3)" ""
    row "docker exec C true, median (ms)" "$(val dctld.docker_exec 1)" "$(val dockerd.docker_exec 1)"
    row "docker exec C true, p90 (ms)" "$(val dctld.docker_exec 2)" "$(val dockerd.docker_exec 2)"
    if [ -n "$DCTL_EXEC" ]; then
        row "dctl exec C true, median (ms)" "$(val dctld.dctl_exec 1)" "$(val dockerd.dctl_exec 1)"
        row "dctl exec C true, p90 (ms)" "$(val dctld.dctl_exec 2)" "$(val dockerd.dctl_exec 2)"
    fi
    row "API exec create+start+inspect, median (ms)" "$(val dctld.api_exec 1)" "$(val dockerd.api_exec 1)"
    row "API exec create+start+inspect, p90 (ms)" "$(val dctld.api_exec 2)" "$(val dockerd.api_exec 2)"
    row "shim RSS after the execs (KiB)" "$(val dctld.exec_shim_rss)" "$(val dockerd.exec_shim_rss)"
    echo "dockerd's daemon RSS and CPU include its containerd; its shim is containerd-shim-runc-v2."
    echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION over TCP 127.0.0.1. Targets (issue 4): docker run" \
         "against dctld under 1/10 of dockerd's time; shim RSS < 1024 KiB; $PARALLEL parallel starts" \
         "< 1 s; listing >= 10x dockerd's req/s. Issue 6: docker exec at most 1/4 of dockerd's;" \
         "the raw API exec under 2 ms."
}

main() {
    local d step
    [ "$(id -u)" = 0 ] || die "run as root: containers need it"
    [ -x "$DCTLD" ] || die "$DCTLD not found: build the tree first (./scripts/setup.sh)"
    [ -x "$DOCKER" ] || die "$DOCKER (the docker CLI) not found; set DOCKER"
    [ -d /run/containerd ] && RUN_CONTAINERD=1
    bench_init dctl-bench-ctr
    BENCH_CLEANUP_HOOK=containers_cleanup
    BENCH_CLEANUP_AFTER_HOOK=containers_cleanup_after
    LABEL="dctl-bench.run=$(basename "$T")"
    CG_PARENT=$(basename "$T")
    mkdir -p "$T/cli"
    unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_API_VERSION
    command -v wrk >/dev/null || apt_install wrk || die "wrk is missing and could not be installed"
    command -v curl >/dev/null || apt_install curl || die "curl is missing and could not be installed"
    [ -x /bin/busybox ] || apt_install busybox-static || die "busybox-static could not be installed"

    DCTL_RUN=
    if [ -x "$DCTL" ] && "$DCTL" --help 2>/dev/null | grep -qE '^[[:space:]]+run[[:space:]]'; then
        DCTL_RUN=1
    fi
    DCTL_EXEC=
    if [ -x "$DCTL" ] && "$DCTL" --help 2>/dev/null | grep -qE '^[[:space:]]+exec[[:space:]]'; then
        DCTL_EXEC=1
    fi

    # a busybox rootfs as tests/integration/test-images.sh builds it
    mkdir -p "$T/rootfs/bin" "$T/rootfs/etc"
    cp /bin/busybox "$T/rootfs/bin/busybox"
    for c in sh ls cat echo true sleep; do ln -s busybox "$T/rootfs/bin/$c"; done
    echo "root:x:0:0:root:/root:/bin/sh" >"$T/rootfs/etc/passwd"
    echo "root:x:0:" >"$T/rootfs/etc/group"
    tar -C "$T/rootfs" --numeric-owner -cf "$T/busybox.tar" .

    start_daemons
    sleep 2   # both settle before the idle figures
    for d in "${DAEMONS[@]}"; do
        R[$d.rss_idle]=$(rss_sum $(daemon_pids "$d"))
    done
    LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)

    for d in "${DAEMONS[@]}"; do import_image "$d"; done
    for step in $STEPS; do
        case $step in
            cli|api|parallel|list|exec) ;;
            *) die "unknown step $step in STEPS (cli api parallel list exec)" ;;
        esac
        for d in "${DAEMONS[@]}"; do "step_$step" "$d"; done
    done
    report
}

main "$@"
