# tests/integration/native-lib.sh - shared by the tests that drive the exec driver
# `native` through tests/helpers/exec-harness (no dctld): a busybox rootfs, spec(),
# logs(), clean(), run() and the kill of shims a failed run left. Sourced after lib.sh.
HARNESS="$top_builddir/tests/helpers/exec-harness"
export NATIVE_SO="$top_builddir/drivers/exec/.libs/native.so"
export DCTL_SHIM="$top_builddir/daemon/shim/dctl-shim"
export RUN_DIR="$T/run"
[ -x "$HARNESS" ] && [ -f "$NATIVE_SO" ] && [ -x "$DCTL_SHIM" ] || fail "not built: harness, native.so or dctl-shim"
unshare --net true 2>/dev/null || skip "cannot create namespaces here"

h() { "$HARNESS" "$@"; }

# leftovers of a failed run: every shim started under $RUN_DIR, by its pid
kill_shims() {
    local f p
    for f in "$RUN_DIR"/*/shim.pid "$RUN_DIR"/*/init.pid; do
        [ -f "$f" ] || continue
        p=$(cat "$f")
        grep -qF "$RUN_DIR" "/proc/$p/cmdline" 2>/dev/null && kill -KILL "$p" 2>/dev/null
        [ "$(basename "$f")" = init.pid ] && kill -KILL "$p" 2>/dev/null
    done
    return 0
}
trap 'rc=$?; kill_shims; (exit $rc); cleanup' EXIT

# a busybox rootfs: /bin/busybox and a link for each applet
ROOT="$T/rootfs"
mkdir -p "$ROOT/bin" "$ROOT/etc" "$ROOT/tmp"
cp /bin/busybox "$ROOT/bin/busybox"
for c in $(/bin/busybox --list); do
    [ "$c" = busybox ] || ln -s busybox "$ROOT/bin/$c"
done
echo "root:x:0:0:root:/root:/bin/sh" >"$ROOT/etc/passwd"
echo "hosts-file-from-the-host" >"$T/hosts"

# spec NAME [PATH=JSON ...]: writes $T/NAME.json, a spec as the manager would make
# it (Docker's defaults), each PATH=JSON (dotted path) set over it
spec() {
    python3 - "$T" "$ROOT" "$@" <<'EOF'
import json, resource, sys
t, root, name = sys.argv[1], sys.argv[2], sys.argv[3]
# never above the current hard limit: the shim refuses to raise it (no CAP_SYS_RESOURCE)
nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
caps = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]
s = {
    "ociVersion": "1.0.2",
    "process": {"terminal": False, "user": {"uid": 0, "gid": 0}, "args": ["true"],
                "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "HOSTNAME=" + name],
                "cwd": "/", "capabilities": {k: caps for k in ["bounding", "effective", "permitted"]},
                "rlimits": [{"type": "RLIMIT_NOFILE", "hard": nofile, "soft": nofile}]},
    "root": {"path": root, "readonly": False},
    "hostname": name,
    "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=67108864"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
        {"destination": "/etc/hosts", "type": "bind", "source": t + "/hosts", "options": ["rbind", "rprivate", "ro"]},
    ],
    "linux": {
        "namespaces": [{"type": x} for x in ["mount", "network", "uts", "pid", "ipc", "cgroup"]],
        "devices": [{"path": "/dev/" + n, "type": "c", "major": a, "minor": b, "fileMode": 0o666, "uid": 0, "gid": 0}
                    for n, a, b in [("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0)]],
        "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
        "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
    "dctl": {"stdin": False, "stdinOnce": False, "init": False,
             "log": {"driver": "json-file", "path": t + "/" + name + "-json.log", "maxSize": 0, "maxFile": 1}},
}
for kv in sys.argv[4:]:
    k, v = kv.split("=", 1)
    o, parts = s, k.split(".")
    for p in parts[:-1]:
        o = o.setdefault(p, {})
    o[parts[-1]] = json.loads(v)
json.dump(s, open(t + "/" + name + ".json", "w"))
EOF
}

# logs NAME [STREAM]: the "log" values of NAME's json-file log (of STREAM only, if
# given), one per line, repr'd
logs() {
    python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if sys.argv[2] in ("", e["stream"]):
        print(repr(e["log"]))' "$T/$1-json.log" "${2:-}"
}

# clean ID: nothing of ID is left once removed: no run dir, no process, no mount
clean() {
    local id=$1
    [ ! -e "$RUN_DIR/$id" ] || fail "$id: run dir left: $(ls -la "$RUN_DIR/$id")"
    ! pgrep -f "dctl-shim $id $RUN_DIR/$id\$" >/dev/null ||
        fail "$id: a process is left: $(pgrep -af "dctl-shim $id $RUN_DIR/$id\$")"
    ! grep -qF "$T/" /proc/mounts || fail "$id: mounts left: $(grep -F "$T/" /proc/mounts)"
}

# run NAME: create, start and wait; output in $T/NAME.out
run() {
    h run "$1" "$T/$1.json" >"$T/$1.out" 2>"$T/$1.err"
}

