#!/bin/bash
# bench/stats.sh - what GET /containers/{id}/stats costs dctld: C (20) containers of a
# busybox image sleeping (dctld with the native exec driver and dctl-shim, --network
# none), first D (30) seconds with nobody following (the idle cost), then C streams
# followed at once (curl, stream=1) for D seconds: dctld's CPU time (utime+stime from
# /proc) in ms per second and in % of one core, the samples each stream received (one a
# second, as dockerd sends them), a sample's size, and the CPU per sample in us. Also
# the latency of a one-shot sample (stream=false&one-shot=true) and of stream=false
# (which waits a second for its precpu_stats), median of N (20). Needs root and a
# built tree.
# Usage: sudo bench/stats.sh        (C=..., D=..., N=...)
set -euo pipefail
cd "$(dirname "$0")/.."
top_builddir=$PWD
. bench/lib.sh
C=${C:-20}
D=${D:-30}
N=${N:-20}
LABEL=dctl.bench.stats=1
PY=$PWD/bench/security.py   # its sweep: force-removes the containers with LABEL
[ -x daemon/shim/dctl-shim ] || die "build first: ./scripts/setup.sh"
export DCTL_SHIM=$PWD/daemon/shim/dctl-shim
bench_init dctl-bench-stats
FOLLOWERS=()
stop_followers() {
    local p
    for p in "${FOLLOWERS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${FOLLOWERS[@]}"; do wait "$p" 2>/dev/null || true; done
    FOLLOWERS=()
}
sweep() {
    stop_followers
    [ -z "$DCTLD_SOCK" ] || python3 "$PY" sweep "$DCTLD_SOCK" "$LABEL"
}
BENCH_CLEANUP_HOOK=sweep
DCTLD_LINK_DRIVERS=1
start_dctld --storage-driver overlay || start_dctld --storage-driver vfs || die "dctld does not start"
api() { curl -sf --unix-socket "$DCTLD_SOCK" "$@"; }

mkdir -p "$T/rootfs/bin"
cp /bin/busybox "$T/rootfs/bin/"
for c in sh sleep; do ln -s busybox "$T/rootfs/bin/$c"; done
tar -C "$T/rootfs" -cf "$T/bb.tar" .
api -X POST -H 'Content-Type: application/x-tar' --data-binary @"$T/bb.tar" \
    "http://d/images/create?fromSrc=-&repo=benchbb&tag=1" >/dev/null
ids=()
for i in $(seq "$C"); do
    id=$(api -X POST -H 'Content-Type: application/json' \
        -d "{\"Image\":\"benchbb:1\",\"Cmd\":[\"sleep\",\"3600\"],\"Labels\":{\"dctl.bench.stats\":\"1\"},\"HostConfig\":{\"NetworkMode\":\"none\"}}" \
        http://d/containers/create | python3 -c 'import json,sys; print(json.load(sys.stdin)["Id"])')
    api -X POST "http://d/containers/$id/start"
    ids+=("$id")
done
hz=$(getconf CLK_TCK)
printf '%-48s %s\n' "uptime" "$(uptime)"
printf '%-48s %s\n' "containers" "$C (sleep 3600)"

# idle: nobody follows
c0=$(cpu_ticks "$DCTLD_PID")
sleep "$D"
c1=$(cpu_ticks "$DCTLD_PID")
idle_ms=$(awk -v t=$((c1 - c0)) -v hz="$hz" -v d="$D" 'BEGIN { printf "%.2f", t * 1000 / hz / d }')
printf '%-48s %s\n' "dctld CPU, no follower (ms/s)" "$idle_ms"

# every container's stream followed at once
for i in "${!ids[@]}"; do
    curl -sN --unix-socket "$DCTLD_SOCK" "http://d/containers/${ids[$i]}/stats?stream=1" \
        >"$T/stream-$i" 2>/dev/null &
    FOLLOWERS+=($!)
done
sleep 2   # every follower connected and past its first sample
for i in "${!ids[@]}"; do : >"$T/stream-$i"; done
c0=$(cpu_ticks "$DCTLD_PID")
sleep "$D"
c1=$(cpu_ticks "$DCTLD_PID")
rss=$(rss_kib "$DCTLD_PID")
stop_followers
python3 - "$T" "$C" "$D" "$((c1 - c0))" "$hz" "$idle_ms" "$rss" <<'EOF'
import json, sys
t, c, d, ticks, hz, idle, rss = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), sys.argv[7]
samples, sizes, bad = [], [], 0
for i in range(c):
    n = 0
    for line in open("%s/stream-%d" % (t, i), errors="replace"):
        try:
            s = json.loads(line)
        except ValueError:
            continue   # the line the copy started in the middle of
        if not s.get("cpu_stats") or not s.get("memory_stats") or not s.get("pids_stats"):
            bad += 1
        n += 1
        sizes.append(len(line))
    samples.append(n)
ms = ticks * 1000.0 / hz / d
total = sum(samples)
row = lambda k, v: print("%-48s %s" % (k, v))
row("dctld CPU, %d streams followed (ms/s)" % c, "%.2f (%.2f%% of a core)" % (ms, ms / 10))
row("  over the idle cost, per stream (ms/s)", "%.3f" % ((ms - idle) / c))
row("  per sample sent (us)", "%.0f" % ((ms - idle) * d * 1000 / total) if total else "-")
row("samples per stream in %d s (min/max)" % d, "%d/%d" % (min(samples), max(samples)))
row("sample size (bytes, median)", sorted(sizes)[len(sizes) // 2] if sizes else "-")
row("samples without cpu/memory/pids stats", bad)
row("dctld VmRSS while streaming (KiB)", rss)
EOF

# one sample: one-shot (no precpu, no wait) and stream=false (a second for precpu)
for mode in "stream=false&one-shot=true" "stream=false"; do
    : >"$T/lat"
    n=$N
    [ "$mode" = stream=false ] && n=$((N < 5 ? N : 5))
    for i in $(seq "$n"); do
        api -o /dev/null -w '%{time_total}\n' "http://d/containers/${ids[0]}/stats?$mode" >>"$T/lat"
    done
    printf '%-48s %s ms\n' "GET stats?$mode, median of $n" \
        "$(sort -n "$T/lat" | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] * 1000 }')"
done
