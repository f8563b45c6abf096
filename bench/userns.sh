#!/bin/bash
# bench/userns.sh - what --userns-remap costs a container start: two dctlds of this tree
# side by side, one plain and one with --userns-remap default (its passwd, group,
# subuid and subgid a private copy under the temp dir, through $DCTL_USERNS_ETC: the
# host's /etc is not written), on the same busybox image. For each, alternating run by
# run: `dctl run --rm --network none IMAGE true` (the whole path: create with its RW
# layer, spec, shim, exit, removal) and create + start + wait + remove through the raw
# API (bench/containers.py); median, p90 and min of N runs after WARM warm-ups. Then
# the import of a 20 MiB layer (the tar owner shifting on the registration path),
# median of IMPORTS.
#
# Use: sudo bench/userns.sh        Environment: N=30 WARM=3 IMPORTS=5 DCTLD DCTL
# Needs a built tree (./scripts/setup.sh) and busybox-static. Everything lives in one
# temp dir; on exit (failed or interrupted too) both dctlds are stopped by pid, the
# containers' shims killed by pid, mounts under the dir undone and the dir removed.
set -euo pipefail

top_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${DCTLD:=$top_srcdir/daemon/dctld}"
: "${DCTL:=$top_srcdir/client/dctl}"
: "${N:=30}"
: "${WARM:=3}"
: "${IMPORTS:=5}"
export DCTL_SHIM=$top_srcdir/daemon/shim/dctl-shim
PY=$top_srcdir/bench/containers.py

[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }
[ -x "$DCTLD" ] && [ -x "$DCTL" ] && [ -x "$DCTL_SHIM" ] || { echo "bench: build first" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "bench: needs busybox-static" >&2; exit 1; }

T=$(mktemp -d /tmp/dctl-bench-userns.XXXXXX)
chmod 0711 "$T"
PIDS=()
cleanup() {
    local p f
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
    done
    for f in "$T"/*/exec/drivers/exec/*/*/shim.pid; do
        [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null || true
    done
    grep -F " $T/" /proc/mounts | awk '{print $2}' | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$T/drivers" "$T/etc" "$T/rootfs/bin"
for so in "$top_srcdir"/drivers/*/.libs/*.so; do ln -sf "$so" "$T/drivers/"; done
cp /etc/passwd /etc/group "$T/etc/"
cp /bin/busybox "$T/rootfs/bin/"
for c in sh true; do ln -s busybox "$T/rootfs/bin/$c"; done
tar -C "$T/rootfs" --numeric-owner -cf "$T/bb.tar" .
# a 20 MiB layer of 200 files for the import figure
mkdir -p "$T/big"
for i in $(seq 200); do head -c 104857 /dev/urandom >"$T/big/f$i"; done
tar -C "$T/big" --numeric-owner -cf "$T/big.tar" .

start() { # start NAME [FLAGS...]: a dctld with everything under $T/NAME
    local name=$1
    shift
    mkdir -p "$T/$name"
    echo '{}' >"$T/$name/daemon.json"
    DCTL_USERNS_ETC=$T/etc setsid "$DCTLD" -H "unix://$T/$name/sock" --data-root "$T/$name/data" \
        --exec-root "$T/$name/exec" --pidfile "$T/$name/pid" --driver-dir "$T/drivers" \
        --config-file "$T/$name/daemon.json" "$@" >"$T/$name/log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do
        curl -sf --unix-socket "$T/$name/sock" http://d/_ping >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "bench: dctld $name did not start: $(tail -5 "$T/$name/log")" >&2
    exit 1
}
start plain
start remap --userns-remap default
for d in plain remap; do
    DCTL_HOST=unix://$T/$d/sock "$DCTL" import "$T/bb.tar" bench-bb:1 >/dev/null
done

ms() { python3 -c 'import time; print(time.monotonic_ns() // 1000)'; }
stats() { # stats FILE [DIV]: "median p90 min" in ms of the values in FILE (us; DIV 1: ms)
    python3 -c '
import sys
v = sorted(float(l) / float(sys.argv[2]) for l in open(sys.argv[1]) if l.strip())
p90 = v[max(0, min(len(v) - 1, -(-len(v) * 9 // 10) - 1))]
print("median %.1f ms  p90 %.1f ms  min %.1f ms" % (v[len(v) // 2], p90, v[0]))' "$1" "${2:-1000}"
}
run_once() { # run_once NAME: one dctl run, its wall time in us appended to $T/NAME.run
    local a b
    a=$(ms)
    DCTL_HOST=unix://$T/$1/sock "$DCTL" run --rm --network none bench-bb:1 true
    b=$(ms)
    echo $((b - a)) >>"$T/$1.run"
}

printf '%-44s %s\n' "uptime" "$(uptime)"
for i in $(seq "$WARM"); do run_once plain; run_once remap; done
: >"$T/plain.run"
: >"$T/remap.run"
for i in $(seq "$N"); do run_once plain; run_once remap; done
printf '%-44s %s\n' "dctl run --rm true, no remap" "$(stats "$T/plain.run")"
printf '%-44s %s\n' "dctl run --rm true, --userns-remap default" "$(stats "$T/remap.run")"
: >"$T/plain.api"
: >"$T/remap.api"
for i in $(seq "$N"); do
    for d in plain remap; do
        python3 "$PY" lifecycle "$T/$d/sock" bench-bb:1 bench-userns "$T/$d.ids" 1 \
            $([ "$i" = 1 ] && echo "$WARM" || echo 0) >>"$T/$d.api"
    done
done
printf '%-44s %s\n' "API create+start+wait+delete, no remap" "$(stats "$T/plain.api" 1)"
printf '%-44s %s\n' "API create+start+wait+delete, remap" "$(stats "$T/remap.api" 1)"
for d in plain remap; do
    : >"$T/$d.import"
done
for i in $(seq "$IMPORTS"); do
    for d in plain remap; do
        a=$(ms)
        DCTL_HOST=unix://$T/$d/sock "$DCTL" import "$T/big.tar" "big:$i" >/dev/null
        b=$(ms)
        echo $((b - a)) >>"$T/$d.import"
    done
done
printf '%-44s %s\n' "import of a 20 MiB layer, no remap" "$(stats "$T/plain.import")"
printf '%-44s %s\n' "import of a 20 MiB layer, remap (shifted)" "$(stats "$T/remap.import")"
