#!/bin/bash
# tests/integration/test-native-exec.sh - exec sessions in the exec driver `native` and
# dctl-shim, driven by tests/helpers/exec-harness (no dctld): frames and exit codes,
# stdin and its end, a TTY's size and resize, execkill, execwait answered again by a
# new driver instance (as after a dctld restart), a large output through a slow reader
# (nothing lost), a background process holding the pipes, the execs ended with their
# container (137 to their waiters), a failed start recorded, bad IDs and streams, the
# container's namespaces seen from an exec; and after each case no exec file, process
# or mount.
. "$top_srcdir/tests/integration/lib.sh"
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"

. "$top_srcdir/tests/integration/native-lib.sh"

# proc NAME ARGS_JSON [TTY [STDIN]]: an exec's process file $T/NAME.p.json
proc() {
    python3 - "$T/$1.p.json" "$2" "${3:-false}" "${4:-false}" <<'EOF'
import json, sys
path, args, tty, stdin = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3] == "true", sys.argv[4] == "true"
caps = ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_SETGID"]
p = {"terminal": tty, "user": {"uid": 0, "gid": 0}, "args": args,
     "env": ["PATH=/bin", "TERM=xterm"], "cwd": "/",
     "capabilities": {k: caps for k in ["bounding", "effective", "permitted"]}}
if tty:
    p["consoleSize"] = {"height": 30, "width": 100}
json.dump({"process": p, "dctl": {"stdin": stdin}}, open(path, "w"))
EOF
}

# payload FILE: the stdout frames' bytes of a harness exec's output (after "pid N")
payload() {
    python3 -c '
import sys
d = open(sys.argv[1], "rb").read().split(b"\n", 1)[1]
out = b""
while d.startswith((b"\x01", b"\x02")):
    n = int.from_bytes(d[4:8], "big")
    if d[0] == 1:
        out += d[8:8 + n]
    d = d[8 + n:]
sys.stdout.buffer.write(out)' "$1"
}

spec box 'process.args=["sleep","1000"]'
h create box "$T/box.json" >/dev/null && h start box >"$T/box.out" || fail "start box"
shim=$(cat "$RUN_DIR/box/shim.pid")
init=$(cat "$RUN_DIR/box/init.pid")

# frames, exit code, stdin and its end
proc a '["sh","-c","cat; echo out; echo err >&2; exit 7"]' false true
printf 'in\n' | h exec box a1 "$T/a.p.json" stdin,stdout,stderr >"$T/a.out" 2>"$T/a.err" ||
    fail "exec: $(cat "$T/a.err")"
python3 - "$T/a.out" <<'EOF' || fail "exec frames: $(od -c "$T/a.out")"
import sys
d = open(sys.argv[1], "rb").read()
head, rest = d.split(b"\n", 1)
assert head.startswith(b"pid "), head
frames = []
while rest.startswith((b"\x01", b"\x02")):
    n = int.from_bytes(rest[4:8], "big")
    frames.append((rest[0], rest[8:8 + n]))
    rest = rest[8 + n:]
assert sorted(frames) == [(1, b"in\n"), (1, b"out\n"), (2, b"err\n")], frames
assert rest == b"exit 7\n", rest
EOF
[ "$(h execwait box a1)" = "exit 7" ] || fail "execwait after the end: $(h execwait box a1)"
ok "exec: frames per stream, stdin and its end, exit code, execwait answered after the end"

# the container's namespaces, its PID 1; a TTY with its size, then resized
[ "$(readlink /proc/$init/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] || fail "init in the host mount namespace"
proc n '["sh","-c","for n in mnt net uts ipc pid; do readlink /proc/self/ns/$n; done; tr \"\\\\0\" \" \" </proc/1/cmdline"]'
h exec box c1 "$T/n.p.json" stdout >"$T/n.out" 2>"$T/n.err" || fail "exec ns: $(cat "$T/n.err")"
want="$(for ns in mnt net uts ipc pid; do readlink /proc/$init/ns/$ns; done)
sleep 1000 "
[ "$(payload "$T/n.out")" = "$want" ] || fail "exec namespaces: $(payload "$T/n.out"), want $want"
proc t '["sh","-c","stty size; sleep 0.4; stty size"]' true
(sleep 0.2; h execresize box d1 40 120) &
rp=$!
h exec box d1 "$T/t.p.json" stdout </dev/null >"$T/t.out" 2>"$T/t.err" || fail "exec tty: $(cat "$T/t.err")"
wait $rp || fail "execresize"
[ "$(sed 1d "$T/t.out" | tr -d '\r')" = "$(printf '30 100\n40 120\nexit 0')" ] || fail "tty: $(cat "$T/t.out")"
h execresize box d1 1 1 2>"$T/err" && fail "resize of an ended exec"
grep -q 'has ended' "$T/err" || fail "resize of an ended exec: $(cat "$T/err")"
ok "exec: the container's mount, net, uts, ipc and PID namespaces; TTY size at the start and a resize"

# execkill; execwait from a new driver instance; a failed start recorded for execwait
proc k '["sleep","100"]'
h exec box e1 "$T/k.p.json" - >"$T/k.out" 2>&1 &
kp=$!
for _ in $(seq 50); do grep -q '^pid' "$T/k.out" && break; sleep 0.1; done
kill -KILL $kp 2>/dev/null   # the first "dctld" goes; the exec does not
wait $kp 2>/dev/null
h execkill box e1 15 || fail "execkill"
[ "$(h execwait box e1)" = "exit 143" ] || fail "execwait after SIGTERM: $(h execwait box e1)"
h execkill box e1 9 2>"$T/err" && fail "execkill of an ended exec"
proc f '["nope"]'
h exec box f1 "$T/f.p.json" stdout >"$T/f.out" 2>"$T/f.err" && fail "a missing command started"
grep -qx 'code 127' "$T/f.out" && grep -q 'exec: "nope": executable file not found in $PATH' "$T/f.err" ||
    fail "missing command: $(cat "$T/f.out") $(cat "$T/f.err")"
[ "$(h execwait box f1)" = "exit 127" ] || fail "execwait of a failed start: $(h execwait box f1)"
h exec box f1 "$T/a.p.json" stdout 2>"$T/err" && fail "an exec ID used twice"
grep -q 'already in use' "$T/err" || fail "an exec ID used twice: $(cat "$T/err")"
h execwait box 0ff >"$T/w.out" 2>&1
grep -q 'error: the container.s shim has no record of this exec' "$T/w.out" ||
    fail "execwait of an unknown exec: $(cat "$T/w.out")"
ok "execkill (143), execwait from another driver instance, a failed start recorded (127), IDs unique"

# a large output to a slow reader: nothing lost (the exec waits, the shim holds little)
proc big '["sh","-c","i=0; while [ $i -lt 60000 ]; do echo line-$i; i=$((i+1)); done"]'
h exec box b1 "$T/big.p.json" stdout 2>"$T/b.err" | (sleep 1; cat) >"$T/b.out" || fail "big: $(cat "$T/b.err")"
python3 - "$T/b.out" <<'EOF' || fail "big output"
import sys
d = open(sys.argv[1], "rb").read()
rest = d.split(b"\n", 1)[1]
out = b""
while rest.startswith(b"\x01"):
    n = int.from_bytes(rest[4:8], "big")
    out += rest[8:8 + n]
    rest = rest[8 + n:]
lines = out.decode().split("\n")
assert lines[:-1] == ["line-%d" % i for i in range(60000)], (len(lines), lines[-3:])
assert rest == b"exit 0\n", rest[:40]
EOF
rss=$(awk '/VmRSS/ { print $2 }' /proc/$shim/status)
[ "$rss" -lt 2048 ] || fail "the shim holds $rss kB after a large exec output"
# a background process keeping the pipes open does not hold the end
proc bg '["sh","-c","sleep 30 & echo started"]'
timeout 10 "$HARNESS" exec box 9e "$T/bg.p.json" stdout >"$T/g.out" 2>&1 || fail "background: $(cat "$T/g.out")"
grep -q 'exit 0' "$T/g.out" || fail "background: $(cat "$T/g.out")"
ok "a large output through a slow reader arrives whole; a background writer does not hold the end"

# bad input
h exec box XY "$T/a.p.json" stdout 2>"$T/err" && fail "an upper-case exec ID"
grep -q 'invalid exec ID' "$T/err" || fail "bad ID: $(cat "$T/err")"
h exec box ab "$T/a.p.json" stdio 2>"$T/err" && fail "bad streams"
grep -q 'invalid exec streams' "$T/err" || fail "bad streams: $(cat "$T/err")"
echo '{"process":{"args":[]}}' >"$T/bad.p.json"
h exec box cd "$T/bad.p.json" stdout 2>"$T/err" && fail "an empty command"
grep -q 'no command specified' "$T/err" || fail "empty command: $(cat "$T/err")"
h exec nosuch ab "$T/a.p.json" stdout 2>"$T/err" && fail "exec in a missing container"
grep -q 'No such container' "$T/err" || fail "missing container: $(cat "$T/err")"
ls "$RUN_DIR/box" | grep -q '^exec-' && fail "exec files left: $(ls "$RUN_DIR/box")"
ok "bad input: exec ID, streams, an empty command, a missing container; no exec file left"

# the container ends: its execs end with it, their waiters get 137
proc l '["sleep","200"]'
h exec box 1a "$T/l.p.json" - >"$T/l.out" 2>&1 &
lp=$!
for _ in $(seq 50); do pgrep -f 'sleep 200' >/dev/null && break; sleep 0.1; done
h kill box 9 || fail "kill box"
wait $lp
grep -qx 'exit 137' "$T/l.out" || fail "the exec's waiter when its container ended: $(cat "$T/l.out")"
h exec box 2a "$T/a.p.json" stdout 2>"$T/err" && fail "exec in an ended container"
grep -q 'is not running' "$T/err" || fail "exec in an ended container: $(cat "$T/err")"
pgrep -f 'sleep 200' && fail "the exec outlived its container"
h remove box || fail "remove box"
clean box
ok "the execs end with their container; exec in an ended container refused; nothing left"
