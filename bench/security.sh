#!/bin/bash
# bench/security.sh - what the default isolation costs a container start: POST
# /containers/ID/start of /bin/true from a busybox image (dctld with the native exec
# driver, dctl-shim and overlay, --network none) with the default seccomp filter and
# capabilities, against seccomp=unconfined, seccomp=unconfined --privileged and
# --privileged alone; N (200) interleaved rounds after WARM (10), median, p90 and mean
# in ms. Also the filter's compile time (once per daemon, from dctld's debug log), its
# size, and the shim's RSS with the filter loaded. Needs root and a built tree.
# Usage: sudo bench/security.sh        (N=..., WARM=...)
set -euo pipefail
cd "$(dirname "$0")/.."
top_builddir=$PWD
. bench/lib.sh
N=${N:-200}
WARM=${WARM:-10}
LABEL=dctl.bench.security=1
PY=$PWD/bench/security.py
[ -x daemon/shim/dctl-shim ] || die "build first: ./scripts/setup.sh"
export DCTL_SHIM=$PWD/daemon/shim/dctl-shim
bench_init dctl-bench-security
sweep() { [ -z "$DCTLD_SOCK" ] || python3 "$PY" sweep "$DCTLD_SOCK" "$LABEL"; }
BENCH_CLEANUP_HOOK=sweep
DCTLD_LINK_DRIVERS=1
start_dctld --storage-driver overlay --log-level debug || start_dctld --storage-driver vfs --log-level debug ||
    die "dctld does not start"
mkdir -p "$T/rootfs/bin"
cp /bin/busybox "$T/rootfs/bin/"
for c in true sh sleep; do ln -s busybox "$T/rootfs/bin/$c"; done
tar -C "$T/rootfs" -cf "$T/bb.tar" .
curl -sf --unix-socket "$DCTLD_SOCK" -X POST -H 'Content-Type: application/x-tar' \
    --data-binary @"$T/bb.tar" "http://d/images/create?fromSrc=-&repo=benchbb&tag=1" >/dev/null
printf '%-44s %s\n' "uptime" "$(uptime)"
python3 "$PY" rounds "$DCTLD_SOCK" benchbb:1 "$LABEL" "$N" "$WARM" >"$T/rounds"
printf '%-44s %10s %10s %10s\n' "POST start (ms)" median p90 mean
while read -r name med p90 mean; do
    printf '%-44s %10s %10s %10s\n' "$name" "$med" "$p90" "$mean"
done <"$T/rounds"
awk '{ m[$1] = $2 } END {
    printf "%-44s %10.3f\n", "default - unconfined (the filter)", m["default"] - m["unconfined"];
    printf "%-44s %10.3f\n", "default - unconfined+privileged", m["default"] - m["unconfined+privileged"] }' "$T/rounds"
python3 "$PY" cpu "$DCTLD_SOCK" benchbb:1 "$LABEL" "$T/dctld/exec" "$DCTLD_PID" "${CPU_N:-60}" >"$T/cpu"
printf '%-44s %10s %10s %10s %10s\n' "CPU of a start, median (us)" dctld shim init total
while read -r name d s i t; do
    printf '%-44s %10s %10s %10s %10s\n' "$name" "$d" "$s" "$i" "$t"
done <"$T/cpu"
awk '{ m[$1] = $5 } END {
    printf "%-44s %10.0f\n", "CPU: default - unconfined (us)", m["default"] - m["unconfined"];
    printf "%-44s %10.0f\n", "CPU: default - unconfined+privileged (us)", m["default"] - m["unconfined+privileged"] }' "$T/cpu"
grep -o 'seccomp filter [0-9a-f]*: [^"]*' "$T/dctld.log" | sed 's/^/  /' | head -5
for f in "$T"/dctld/exec/seccomp/*.bpf; do
    printf '%-44s %s bytes (%s instructions)\n' "filter $(basename "$f" | cut -c1-12)" \
        "$(stat -c %s "$f")" "$(( $(stat -c %s "$f") / 8 ))"
done
# the RSS of a shim whose container runs under the filter
cid=$(curl -sf --unix-socket "$DCTLD_SOCK" -X POST -H 'Content-Type: application/json' \
    -d "{\"Image\":\"benchbb:1\",\"Cmd\":[\"sleep\",\"30\"],\"Labels\":{\"dctl.bench.security\":\"1\"},\"HostConfig\":{\"NetworkMode\":\"none\"}}" \
    http://d/containers/create | python3 -c 'import json,sys; print(json.load(sys.stdin)["Id"])')
curl -sf --unix-socket "$DCTLD_SOCK" -X POST "http://d/containers/$cid/start"
sleep 1
shim=$(cat "$T"/dctld/exec/drivers/exec/native/"$cid"/shim.pid)
printf '%-44s %s KiB\n' "dctl-shim VmRSS (default filter)" "$(rss_kib "$shim")"
