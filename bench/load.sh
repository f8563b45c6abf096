#!/bin/bash
# bench/load.sh - docker load into dctld (overlay) against plain tar -x, dctld's peak RSS
# during the load, and GET /images/json latency with 500 images.
#
# 1. Generates a docker-archive of one image of 3 layers, about 200 MiB in all: many
#    small files (layer 1), a few big ones (layer 2), both kinds (layer 3).
# 2. Starts dctld as tests/integration/lib.sh does (private socket, data root, exec root
#    under a temp dir in $BENCH_DIR, on the same disk as everything below) with
#    --storage-driver overlay, and times `dctl load -q -i ARCHIVE`.
# 3. Times `tar -xf` of the same three layer tars, one after the other, into a
#    fresh directory on the same disk, before and after the load (mean): what any
#    unpacker must at least do.
# 4. Reads dctld's VmHWM (peak RSS) from /proc/PID/status before and after the load.
# 5. Loads one archive of 500 images sharing a layer and times GET /images/json
#    ($REQUESTS sequential curl requests over the unix socket: median, p90, p99).
# Stops dctld by pid, unmounts and removes the temp dir on exit.
#
# Expects a built tree; builds nothing. Needs root (overlay), python3 and curl.
# Use: sudo bench/load.sh    Environment: BENCH_DIR=/var/tmp  SIZE_MB=200  REQUESTS=200
set -euo pipefail
export LC_ALL=C

top_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
: "${DCTLD:=$top_builddir/daemon/dctld}"
: "${DCTL:=$top_builddir/client/dctl}"
: "${BENCH_DIR:=/var/tmp}"
: "${SIZE_MB:=200}"
: "${REQUESTS:=200}"

T=$(mktemp -d "$BENCH_DIR/dctl-load.XXXXXX")
PID=

cleanup() {
    trap - EXIT INT TERM
    set +e
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID"
        for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$PID" 2>/dev/null
        wait "$PID" 2>/dev/null
    fi
    grep -F " $T/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m"; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$PID/status"; }

mkdir -p "$T/drivers"
for so in "$top_builddir"/drivers/*/.libs/*.so; do
    [ -e "$so" ] && ln -sf "$so" "$T/drivers/"
done

echo "# generating a ${SIZE_MB} MiB image of 3 layers in $T"
python3 - "$T" "$SIZE_MB" <<'EOF'
import hashlib, io, json, os, random, sys, tarfile
t, mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(1)
def layer(path, files):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        for name, size in files:
            ti = tarfile.TarInfo(name)
            ti.size, ti.mode, ti.mtime = size, 0o644, 1700000000
            tf.addfile(ti, io.BytesIO(rnd.randbytes(size)))
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return "sha256:" + h.hexdigest()
budget = mb << 20
small = [("usr/share/s%03d/f%05d" % (i // 500, i), rnd.randint(256, 8192)) for i in range(int(budget * 0.3) // 4300)]
big = [("opt/big%d.bin" % i, budget * 4 // 10 // 4) for i in range(4)]
mixed = [("var/lib/m%03d/f%05d" % (i // 500, i), rnd.randint(256, 8192)) for i in range(int(budget * 0.1) // 4300)]
mixed += [("opt/blob.bin", budget // 5)]
diffs = [layer(t + "/l%d.tar" % i, fs) for i, fs in enumerate((small, big, mixed))]
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                  "rootfs": {"type": "layers", "diff_ids": diffs}}).encode()
cid = hashlib.sha256(cfg).hexdigest()
with tarfile.open(t + "/image.tar", "w") as tf:
    for i in range(3):
        tf.add(t + "/l%d.tar" % i, arcname="%d/layer.tar" % i)
    ti = tarfile.TarInfo(cid + ".json"); ti.size = len(cfg); tf.addfile(ti, io.BytesIO(cfg))
    m = json.dumps([{"Config": cid + ".json", "RepoTags": ["bench:big"],
                     "Layers": ["%d/layer.tar" % i for i in range(3)]}]).encode()
    ti = tarfile.TarInfo("manifest.json"); ti.size = len(m); tf.addfile(ti, io.BytesIO(m))
# 500 images sharing one small layer
small_layer = t + "/tiny.tar"
d = layer(small_layer, [("etc/hostname", 16)])
with tarfile.open(t + "/many.tar", "w") as tf:
    tf.add(small_layer, arcname="tiny/layer.tar")
    man = []
    for i in range(500):
        c = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": {"n": str(i)}},
                        "created": "2024-01-01T00:00:%02dZ" % (i % 60),
                        "rootfs": {"type": "layers", "diff_ids": [d]}}).encode()
        h = hashlib.sha256(c).hexdigest()
        ti = tarfile.TarInfo(h + ".json"); ti.size = len(c); tf.addfile(ti, io.BytesIO(c))
        man.append({"Config": h + ".json", "RepoTags": ["many/img:%d" % i], "Layers": ["tiny/layer.tar"]})
    m = json.dumps(man).encode()
    ti = tarfile.TarInfo("manifest.json"); ti.size = len(m); tf.addfile(ti, io.BytesIO(m))
EOF
ARCHIVE_BYTES=$(stat -c %s "$T/image.tar")
LAYER_BYTES=$(($(stat -c %s "$T/l0.tar") + $(stat -c %s "$T/l1.tar") + $(stat -c %s "$T/l2.tar")))
FILES=$(for i in 0 1 2; do tar -tf "$T/l$i.tar"; done | wc -l)

# plain tar -x of the same layers into a fresh directory on the same disk; run before
# and after the load (nothing is deleted in between: ext4 makes file creation several
# times slower for a while after many deletions, which would skew whichever runs next)
tar_x() {
    mkdir "$T/tarx$1"
    sync
    local t0 t1
    t0=$(now)
    for i in 0 1 2; do tar -xf "$T/l$i.tar" -C "$T/tarx$1"; done
    sync
    t1=$(now)
    calc "$t1 - $t0"
}
tar1=$(tar_x 1)

"$DCTLD" -H "unix://$T/dctl.sock" --data-root "$T/data" --exec-root "$T/exec" \
    --pidfile "$T/dctld.pid" --driver-dir "$T/drivers" --storage-driver overlay \
    >"$T/dctld.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -sf --unix-socket "$T/dctl.sock" http://d/_ping >/dev/null 2>&1 && break; sleep 0.05; done
curl -s --unix-socket "$T/dctl.sock" http://d/info | grep -q '"Driver":"overlay"' ||
    { echo "overlay did not start on $BENCH_DIR: see $T/dctld.log" >&2; exit 1; }
export DCTL_HOST="unix://$T/dctl.sock"
hwm_idle=$(hwm)
sync
t0=$(now)
"$DCTL" load -q -i "$T/image.tar" >/dev/null
sync
t1=$(now)
load_s=$(calc "$t1 - $t0")
hwm_load=$(hwm)
tar2=$(tar_x 2)
best_tar=$(calc "($tar1 + $tar2) / 2")

"$DCTL" load -q -i "$T/many.tar" >/dev/null
n=$(curl -s --unix-socket "$T/dctl.sock" http://d/v1.43/images/json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
for _ in $(seq "$REQUESTS"); do
    curl -s -o /dev/null -w '%{time_total}\n' --unix-socket "$T/dctl.sock" http://d/v1.43/images/json
done | sort -n >"$T/lat"
pct() { awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p / 100); if (i < 1) i = 1; printf "%.2f", v[i] * 1000 }' "$T/lat"; }
hwm_end=$(hwm)

mb() { awk "BEGIN { printf \"%.1f\", $1 / 1048576 }"; }
printf '\n%s, %s, load average %s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc) CPUs" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'image: 3 layers, %s files, layers %s MiB, archive %s MiB; disk: %s (%s)\n' "$FILES" \
    "$(mb "$LAYER_BYTES")" "$(mb "$ARCHIVE_BYTES")" "$BENCH_DIR" "$(df --output=fstype "$T" | tail -n 1)"
printf '%-38s %8s s %8s MB/s\n' "tar -x of the 3 layers (+sync, mean)" "$(printf %.2f "$best_tar")" \
    "$(calc "$LAYER_BYTES / 1000000 / $best_tar")"
printf '%-38s %8s s %8s MB/s  (%.2f of tar)\n' "dctl load -q, overlay (+sync)" "$(printf %.2f "$load_s")" \
    "$(calc "$LAYER_BYTES / 1000000 / $load_s")" "$(calc "$best_tar / $load_s")"
printf '%-38s idle %s KiB, after load %s KiB, end %s KiB\n' "dctld VmHWM (peak RSS)" "$hwm_idle" "$hwm_load" "$hwm_end"
printf '%-38s %s images, %s requests: median %s ms, p90 %s ms, p99 %s ms\n' "GET /images/json" "$n" \
    "$REQUESTS" "$(pct 50)" "$(pct 90)" "$(pct 99)"
