#!/bin/bash
# tests/integration/test-native.sh - the exec driver `native` and dctl-shim with real
# containers, driven by tests/helpers/exec-harness (no dctld, no container manager):
# the json-file log's exact lines, exit codes (0, 3, 127 and 126 with Docker's
# messages, 128+9 after a kill), env/user/cwd/hostname, a PID namespace of its own,
# read-only /sys, a network namespace with only lo, stdin through attach in
# multiplexed frames, a TTY's raw output and resize, log rotation and the 16 KiB
# cut, the shim outliving the harness (restore, then kill), --init reaping and
# signal forwarding, a user namespace with the spec's uid/gid maps, bad input (user
# namespace specs among it); and after each case no process, mount or run dir.
. "$top_srcdir/tests/integration/lib.sh"
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"

. "$top_srcdir/tests/integration/native-lib.sh"

TIME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]*[1-9])?Z'

# --- echo: the log's exact lines, exit.json, the run dir
spec echo 'process.args=["sh","-c","echo hi; echo \"<b>\" \"tab\there\" >&2; printf partial"]'
run echo || fail "run echo: $(cat "$T/echo.err")"
grep -qx 'exit 0' "$T/echo.out" || fail "echo: $(cat "$T/echo.out")"
mapfile -t L <"$T/echo-json.log"
[ ${#L[@]} = 3 ] || fail "echo: ${#L[@]} log lines: $(cat "$T/echo-json.log")"
printf '%s\n' "${L[@]}" | grep -Ec '"time":"'"$TIME_RE"'"}$' | grep -qx 3 || fail "echo: times: ${L[*]}"
# each stream in order (the two streams are read apart, as Docker's copiers do)
[ "$(sed -E 's/,"time":"[^"]*"}$//' "$T/echo-json.log" | grep stdout)" = \
  '{"log":"hi\n","stream":"stdout"
{"log":"partial","stream":"stdout"' ] || fail "echo: stdout lines: ${L[*]}"
[ "$(sed -E 's/,"time":"[^"]*"}$//' "$T/echo-json.log" | grep stderr)" = \
  '{"log":"\u003cb\u003e tab\u0009here\n","stream":"stderr"' ] || fail "echo: stderr line: ${L[*]}"
ex=$(cat "$RUN_DIR/echo/exit.json")
echo "$ex" | grep -Eq '^\{"exitCode":0,"oomKilled":false,"startedAt":"'"$TIME_RE"'","finishedAt":"'"$TIME_RE"'"\}$' ||
    fail "echo: exit.json: $ex"
[ "$(cd "$RUN_DIR/echo" && ls | sort | tr '\n' ' ')" = "config.json exit.json init.pid shim.pid " ] ||
    fail "echo: run dir: $(ls -a "$RUN_DIR/echo")"
[ "$(h restore echo)" = "exited 0" ] || fail "echo: restore: $(h restore echo)"
h remove echo || fail "remove echo"
clean echo
ok "echo: Docker's json-file lines (escaping, stream, RFC 3339 times, cut at the end), exit.json, run dir"

# --- exit codes and the errors of a command that cannot run
spec three 'process.args=["sh","-c","exit 3"]'
run three && grep -qx 'exit 3' "$T/three.out" || fail "exit 3: $(cat "$T/three.out" "$T/three.err")"
h remove three && clean three
for c in 'nope|127|exec: \"nope\": executable file not found in $PATH' \
         '/bin/nope|127|exec: \"/bin/nope\": stat /bin/nope: no such file or directory' \
         '/etc|126|exec: \"/etc\": permission denied'; do
    IFS='|' read -r cmd code msg <<<"$c"
    msg=${msg//\\\"/\"}
    spec bad "process.args=[\"$cmd\"]"
    ! run bad || fail "$cmd: started"
    [ "$(cat "$T/bad.err")" = "error 1: start: $msg" ] || fail "$cmd: start error: $(cat "$T/bad.err")"
    [ "$(h restore bad)" = "exited $code $msg" ] || fail "$cmd: recorded: $(h restore bad)"
    [ ! -s "$T/bad-json.log" ] || fail "$cmd: logged: $(cat "$T/bad-json.log")"
    [ ! -e "$RUN_DIR/bad/attach.sock" ] || fail "$cmd: attach.sock left"
    h remove bad && clean bad
done
spec cwdfile 'process.args=["pwd"]' 'process.cwd="/etc/passwd"'
! run cwdfile || fail "cwd that is a file: started"
[ "$(cat "$T/cwdfile.err")" = "error 9: start: Cannot mkdir: /etc/passwd is not a directory" ] ||
    fail "cwd that is a file: $(cat "$T/cwdfile.err")"
h remove cwdfile && clean cwdfile
spec nobind 'process.args=["true"]' "mounts=[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"$T/nowhere\",\"options\":[\"rbind\"]}]"
! run nobind || fail "bind of a missing source: started"
grep -q "error mounting \"$T/nowhere\" to rootfs at \"/x\": stat $T/nowhere: no such file or directory" "$T/nobind.err" ||
    fail "bind of a missing source: $(cat "$T/nobind.err")"
[ ! -e "$ROOT/x" ] || fail "bind of a missing source: /x created in the root"
h remove nobind && clean nobind
ok "exit 3; 127 and 126 with Docker's messages as start errors and recorded; a cwd that is a file; a missing bind source"

# --- env, user, groups, cwd (created, owned by the user), hostname, /etc/hosts bind
spec who 'process.args=["sh","-c","id; pwd; echo \"$FOO|$HOSTNAME\"; hostname; cat /etc/hosts; ls -ldn /made /made/here"]' \
    'process.user={"uid":1000,"gid":1000,"additionalGids":[5,7]}' 'process.cwd="/made/here"' \
    'process.env=["PATH=/bin","FOO=a b","HOSTNAME=box"]' 'hostname="box"'
run who && grep -qx 'exit 0' "$T/who.out" || fail "who: $(cat "$T/who.out" "$T/who.err")"
logs who >"$T/who.log"
grep -qxF "'uid=1000 gid=1000 groups=5,7\\n'" "$T/who.log" &&
    grep -qxF "'/made/here\\n'" "$T/who.log" && grep -qxF "'a b|box\\n'" "$T/who.log" &&
    grep -qxF "'box\\n'" "$T/who.log" && grep -qxF "'hosts-file-from-the-host\\n'" "$T/who.log" ||
    fail "who: $(cat "$T/who.log")"
[ "$(grep -c "1000 *1000 .* /made" "$T/who.log")" = 2 ] || fail "who: cwd owner: $(cat "$T/who.log")"
[ "$(hostname)" != box ] || fail "the host's hostname changed"
h remove who && clean who
rm -rf "$ROOT/made"
ok "env, uid/gid/groups, a missing cwd created owned by the user, hostname, a read-only bind"

# --- namespaces: the command is PID 1, /sys is read-only, only lo, masks
spec ns 'process.args=["sh","-c","cat /proc/1/cmdline | tr \"\\0\" \" \"; echo; ls /proc | grep -c \"^[0-9]\"; touch /sys/x 2>&1; ls /sys/class/net; cat /sys/class/net/lo/operstate; echo $(cat /proc/keys | wc -c) $(ls /sys/firmware | wc -l); echo x > /proc/sys/kernel/hostname 2>&1; test -c /dev/null && test -L /dev/ptmx && test -L /dev/fd && echo devices ok"]'
run ns && grep -qx 'exit 0' "$T/ns.out" || fail "ns: $(cat "$T/ns.out" "$T/ns.err")"
logs ns stdout >"$T/ns.log"
sed -n 1p "$T/ns.log" | grep -q "^'sh -c cat /proc/1/cmdline" ||
    fail "ns: PID 1 is not the command: $(sed -n 1p "$T/ns.log")"
n=$(sed -n 2p "$T/ns.log" | tr -dc 0-9)
[ "$n" -le 4 ] || fail "ns: $n processes seen in /proc"
grep -q "Read-only file system" "$T/ns.log" || fail "ns: /sys writable: $(cat "$T/ns.log")"
[ "$(sed -n 4p "$T/ns.log")" = "'lo\\n'" ] || fail "ns: interfaces: $(sed -n 4p "$T/ns.log")"
[ "$(sed -n 5p "$T/ns.log")" = "'unknown\\n'" ] || fail "ns: lo is not up: $(sed -n 5p "$T/ns.log")"
[ "$(sed -n 6p "$T/ns.log")" = "'0 0\\n'" ] || fail "ns: masked paths: $(sed -n 6p "$T/ns.log")"
logs ns stderr | grep -q "/proc/sys/kernel/hostname: Read-only file system" ||
    fail "ns: /proc/sys writable: $(logs ns)"
grep -qxF "'devices ok\\n'" "$T/ns.log" || fail "ns: devices: $(cat "$T/ns.log")"
h remove ns && clean ns
ok "own PID namespace (PID 1 is the command), /sys and /proc/sys read-only, only lo (up), masked paths, devices"

# --- the host's namespaces where the spec names none; joining another's by path
hostname_before=$(hostname)
spec hostns 'process.args=["sh","-c","ls /sys/class/net | wc -l; hostname; echo $$"]' \
    'linux.namespaces=[{"type":"mount"},{"type":"ipc"}]' 'hostname="not-applied"'
run hostns && grep -qx 'exit 0' "$T/hostns.out" || fail "hostns: $(cat "$T/hostns.out" "$T/hostns.err")"
hpid=$(sed -n 's/^pid //p' "$T/hostns.out")
[ "$(logs hostns | tr '\n' ' ')" = "'$(ls /sys/class/net | wc -l)\\n' '$hostname_before\\n' '$hpid\\n' " ] ||
    fail "hostns: $(logs hostns)"
[ "$(hostname)" = "$hostname_before" ] || fail "the host's hostname changed"
h remove hostns && clean hostns
spec owner 'process.args=["sleep","30"]' 'hostname="owner"'
h create owner "$T/owner.json" && h start owner >/dev/null || fail "start owner"
opid=$(cat "$RUN_DIR/owner/init.pid")
spec joiner 'process.args=["sh","-c","hostname; cat /sys/fs/cgroup/cgroup.max.depth"]' \
    "linux.namespaces=[{\"type\":\"mount\"},{\"type\":\"pid\"},{\"type\":\"cgroup\"},{\"type\":\"uts\",\"path\":\"/proc/$opid/ns/uts\"}]" \
    'hostname="ignored"' \
    'mounts=[{"destination":"/sys","type":"sysfs","source":"sysfs","options":["ro"]},{"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["ro","nosuid","noexec","nodev"]}]'
run joiner && grep -qx 'exit 0' "$T/joiner.out" || fail "joiner: $(cat "$T/joiner.out" "$T/joiner.err")"
[ "$(logs joiner | tr '\n' ' ')" = "'owner\\n' 'max\\n' " ] || fail "joiner: $(logs joiner)"
h remove joiner && clean joiner
h remove owner && clean owner
ok "host namespaces when none is named (hostname left alone), a UTS namespace joined by path, a cgroup mount"

# --- stdin through attach: multiplexed frames, stdinOnce closes the command's stdin
spec in 'process.args=["sh","-c","read a; echo got $a; read b; echo err $b >&2; cat; echo end"]' \
    'dctl.stdin=true' 'dctl.stdinOnce=true'
h create in "$T/in.json" && h start in >/dev/null || fail "start in"
printf 'one\ntwo\nthree\n' | h attach in "attach stdin,stdout,stderr" >"$T/in.frames" ||
    fail "attach in"
python3 - "$T/in.frames" <<'EOF' || fail "in: frames: $(od -c "$T/in.frames" | head)"
import struct, sys
b = open(sys.argv[1], "rb").read()
frames = []
while b:
    s, n = b[0], struct.unpack(">I", b[4:8])[0]
    assert b[1:4] == b"\0\0\0", b[:8]
    frames.append((s, b[8:8 + n]))
    b = b[8 + n:]
assert b"".join(d for s, d in frames if s == 1) == b"got one\nthree\nend\n", frames
assert b"".join(d for s, d in frames if s == 2) == b"err two\n", frames
EOF
[ "$(h wait in)" = "exit 0" ] || fail "in: did not end after stdin closed"
logs in stdout | tr '\n' ' ' | grep -qxF "'got one\\n' 'three\\n' 'end\\n' " || fail "in: log: $(logs in)"
[ "$(logs in stderr)" = "'err two\\n'" ] || fail "in: log: $(logs in)"
h remove in && clean in
ok "attach: stdin to the command, Docker's 8-byte frames per stream, stdinOnce EOF closes stdin"

# --- TTY: raw output, console size, resize, /dev/console
spec tty 'process.terminal=true' 'process.consoleSize={"height":30,"width":100}' \
    'process.args=["sh","-c","read x; stty size; tty; test -c /dev/console && echo console; read y; stty size; echo bye"]' \
    'process.env=["PATH=/bin","TERM=xterm"]' 'dctl.stdin=true'
h create tty "$T/tty.json" && h start tty >/dev/null || fail "start tty"
{
    echo go
    for _ in $(seq 100); do grep -q console "$T/tty-json.log" && break; sleep 0.1; done
    h resize tty 40 120 || echo "resize failed" >&2
    echo again
} | timeout 20 "$HARNESS" attach tty "attach stdin,stdout" >"$T/tty.raw" || fail "attach tty"
[ "$(h wait tty)" = "exit 0" ] || fail "tty: exit"
# raw bytes, no frame header; the terminal echoes the input and turns \n into \r\n
[ "$(cat "$T/tty.raw")" = "$(printf 'go\r\n30 100\r\n/dev/pts/0\r\nconsole\r\nagain\r\n40 120\r\nbye\r')" ] ||
    fail "tty: attach output: $(od -c "$T/tty.raw")"
logs tty | tr '\n' ' ' | grep -qxF "'go\\r\\n' '30 100\\r\\n' '/dev/pts/0\\r\\n' 'console\\r\\n' 'again\\r\\n' '40 120\\r\\n' 'bye\\r\\n' " ||
    fail "tty: log: $(logs tty)"
h resize tty 10 10 2>"$T/tty.err" && fail "resize of an ended container"
grep -q "^error 4: resize: Container tty is not running" "$T/tty.err" || fail "tty: $(cat "$T/tty.err")"
h remove tty && clean tty
spec notty 'process.args=["sleep","5"]'
h create notty "$T/notty.json" && h start notty >/dev/null || fail "start notty"
h resize notty 10 10 2>"$T/notty.err" && fail "resize without a TTY"
grep -q "^error 4: resize: the container has no terminal" "$T/notty.err" || fail "notty: $(cat "$T/notty.err")"
h remove notty && clean notty
ok "TTY: raw attach output, console size then resize, /dev/console, log as stdout; resize errors"

# --- the log: rotation by size, the 16 KiB cut
spec rot 'process.args=["sh","-c","for i in $(seq 1 12); do echo line$i; done"]' \
    "dctl.log={\"driver\":\"json-file\",\"path\":\"$T/rot-json.log\",\"maxSize\":250,\"maxFile\":3}"
run rot && grep -qx 'exit 0' "$T/rot.out" || fail "rot: $(cat "$T/rot.out" "$T/rot.err")"
[ -f "$T/rot-json.log.1" ] && [ -f "$T/rot-json.log.2" ] && [ ! -e "$T/rot-json.log.3" ] ||
    fail "rot: files: $(ls "$T" | grep rot)"
for f in "$T/rot-json.log" "$T/rot-json.log.1" "$T/rot-json.log.2"; do
    [ "$(stat -c %s "$f")" -le 250 ] || fail "rot: $f is over maxSize"
done
[ "$(tail -n 1 "$T/rot-json.log" | cut -d'"' -f4)" = 'line12\n' ] || fail "rot: last line: $(cat "$T/rot-json.log")"
[ "$(head -n 1 "$T/rot-json.log.1" | cut -d'"' -f4)" != 'line1\n' ] || fail "rot: nothing dropped"
h remove rot && clean rot
spec long 'process.args=["sh","-c","head -c 16384 /dev/zero | tr \"\\0\" x; echo; head -c 20000 /dev/zero | tr \"\\0\" y; echo"]'
run long && grep -qx 'exit 0' "$T/long.out" || fail "long: $(cat "$T/long.out")"
python3 - "$T/long-json.log" <<'EOF' || fail "long: $(cut -c1-60 "$T/long-json.log")"
import json, sys
v = [json.loads(l)["log"] for l in open(sys.argv[1])]
assert v == ["x" * 16384, "\n", "y" * 16384, "y" * 3616 + "\n"], [(len(x), x[:3]) for x in v]
EOF
h remove long && clean long
ok "json-file rotation (maxSize, maxFile: .1 and .2 kept) and Docker's 16 KiB line cut"

# --- kill, and the shim outliving the harness (as it outlives dctld)
spec live 'process.args=["sh","-c","while true; do echo tick; sleep 0.1; done"]'
h create live "$T/live.json" || fail "create live"
"$HARNESS" run live "$T/live.json" >"$T/live.out" 2>&1 &
hp=$!
for _ in $(seq 50); do grep -q '^pid' "$T/live.out" && break; sleep 0.1; done
pid=$(sed -n 's/^pid //p' "$T/live.out")
[ -n "$pid" ] || fail "live: no pid: $(cat "$T/live.out")"
kill -KILL $hp
wait $hp 2>/dev/null
[ "$(h restore live)" = "running $pid" ] || fail "live: restore after the harness died: $(h restore live)"
h start live 2>"$T/live.err" && fail "live: started twice"
grep -q "^error 4: start: container live is already running" "$T/live.err" || fail "live: $(cat "$T/live.err")"
n1=$(wc -l <"$T/live-json.log")
sleep 0.5
[ "$(wc -l <"$T/live-json.log")" -gt "$n1" ] || fail "live: not logging without the harness"
h kill live 9 || fail "kill live"
[ "$(h wait live)" = "exit 137" ] || fail "live: exit after SIGKILL"
[ "$(h restore live)" = "exited 137" ] || fail "live: recorded: $(h restore live)"
h kill live 9 2>"$T/live.err" && fail "live: kill of an ended container"
grep -q "^error 4: kill: Container live is not running" "$T/live.err" || fail "live: $(cat "$T/live.err")"
h remove live && clean live
ok "the shim outlives its starter; restore finds it running, kill -9 gives 137; kill when ended is a conflict"

spec rm 'process.args=["sleep","100"]'
h create rm "$T/rm.json" && h start rm >/dev/null || fail "start rm"
h remove rm || fail "remove of a running container"
clean rm
ok "remove kills what runs and leaves nothing"

# --- --init: PID 1 reaps orphans and forwards signals
for init in true false; do
    spec "init$init" 'process.args=["sh","-c","(sleep 0.1 &); exec sleep 10"]' "dctl.init=$init"
    h create "init$init" "$T/init$init.json" && h start "init$init" >/dev/null || fail "start init=$init"
    sleep 1
    ipid=$(cat "$RUN_DIR/init$init/init.pid")
    zombies=0
    for s in /proc/[0-9]*/stat; do
        read -r _ _ st ppid _ <"$s" 2>/dev/null || continue
        [ "$st" = Z ] && [ "$ppid" = "$ipid" ] && zombies=$((zombies + 1))
    done
    if $init; then
        [ "$zombies" = 0 ] || fail "--init left $zombies zombies"
        [ "$(tr '\0' ' ' </proc/$ipid/cmdline)" = "$(tr '\0' ' ' </proc/$(cat "$RUN_DIR/init$init/shim.pid")/cmdline)" ] ||
            fail "--init: PID 1 is not the shim's reaper"
    else
        [ "$zombies" = 1 ] || fail "without --init: $zombies zombies (the test cannot tell reaping)"
    fi
    h kill "init$init" 15
    if $init; then
        [ "$(h wait "init$init")" = "exit 143" ] || fail "--init: SIGTERM not forwarded"
    else
        h kill "init$init" 9
        [ "$(h wait "init$init")" = "exit 137" ] || fail "without --init: exit"
    fi
    h remove "init$init" && clean "init$init"
done
ok "--init: the reaper is PID 1, reaps orphans (a plain PID 1 leaves a zombie), forwards SIGTERM"

# --- a user namespace of its own: the maps written by the shim, root inside, what the
# container makes owned by the mapped root on the host (the remapped root reaches the
# /etc/hosts bind through $T, as dockerd requires of a data root)
chmod 0711 "$T"
chmod 1777 "$ROOT/tmp"
spec userns 'process.args=["sh","-c","id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; touch /tmp/made-in-userns; stat -c %u:%g /tmp/made-in-userns /bin/busybox; cat /etc/hosts; hostname"]' \
    'linux.namespaces=[{"type":"mount"},{"type":"user"},{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"cgroup"}]' \
    'linux.uidMappings=[{"containerID":0,"hostID":200000,"size":65536}]' \
    'linux.gidMappings=[{"containerID":0,"hostID":300000,"size":1000},{"containerID":1000,"hostID":400000,"size":10}]'
run userns && grep -qx 'exit 0' "$T/userns.out" || fail "userns: $(cat "$T/userns.out" "$T/userns.err")"
logs userns stdout >"$T/userns.log"
m() { printf '%10s %10s %10s' "$@"; }
want=$(printf "'%s\\\\n'\n" 0 0 "$(m 0 200000 65536)" "$(m 0 300000 1000)" "$(m 1000 400000 10)" \
    0:0 65534:65534 hosts-file-from-the-host userns)
[ "$(cat "$T/userns.log")" = "$want" ] || fail "userns: $(cat "$T/userns.log")"
[ "$(stat -c %u:%g "$ROOT/tmp/made-in-userns")" = 200000:300000 ] ||
    fail "userns: owner on the host: $(stat -c %u:%g "$ROOT/tmp/made-in-userns")"
rm -f "$ROOT/tmp/made-in-userns"
h remove userns && clean userns
ok "user namespace: uid 0 inside, the spec's uid_map and gid_map, files made inside owned by the mapped IDs"

# --- bad input and the ops of later issues
echo '{"process": {"args": ["true"]}, "root": ' >"$T/broken.json"
h create broken "$T/broken.json" 2>"$T/broken.err" && fail "a broken spec was accepted"
grep -q "^error 1: create: container spec" "$T/broken.err" || fail "broken: $(cat "$T/broken.err")"
echo '{"process": {"args": []}, "root": {"path": "/"}}' >"$T/noargs.json"
h create noargs "$T/noargs.json" 2>"$T/noargs.err" && fail "a spec without args was accepted"
grep -qx "error 1: create: container spec: no process.args" "$T/noargs.err" || fail "noargs: $(cat "$T/noargs.err")"
h create ../up "$T/echo.json" 2>"$T/up.err" && fail "a bad ID was accepted"
grep -qx 'error 1: create: invalid container ID "../up"' "$T/up.err" || fail "bad ID: $(cat "$T/up.err")"
h start ghost 2>"$T/ghost.err" && fail "start of an unknown ID"
grep -qx "error 3: start: No such container: ghost" "$T/ghost.err" || fail "ghost: $(cat "$T/ghost.err")"
for c in 'nomaps|[{"type":"mount"},{"type":"user"}]||a user namespace needs uidMappings and gidMappings' \
         'mapsonly|[{"type":"mount"}]|[{"containerID":0,"hostID":200000,"size":10}]|uidMappings and gidMappings need a user namespace' \
         'userpath|[{"type":"mount"},{"type":"user","path":"/proc/1/ns/user"}]||joining a user namespace by path is not supported by the native exec driver' \
         'joinnet|[{"type":"mount"},{"type":"user"},{"type":"network","path":"/proc/1/ns/net"}]|[{"containerID":0,"hostID":200000,"size":10}]|a new user namespace cannot join namespace /proc/1/ns/net'; do
    IFS='|' read -r name nss maps msg <<<"$c"
    spec "$name" 'process.args=["true"]' "linux.namespaces=$nss" \
        ${maps:+"linux.uidMappings=$maps"} ${maps:+"linux.gidMappings=$maps"}
    ! run "$name" || fail "$name: started"
    grep -qxF "error 9: start: $msg" "$T/$name.err" || fail "$name: $(cat "$T/$name.err")"
    h remove "$name" && clean "$name"
done
[ -z "$(ls -A "$RUN_DIR")" ] || fail "bad input left state: $(ls -A "$RUN_DIR")"
spec later 'process.args=["true"]'
h create later "$T/later.json" && h unsupported later 2>"$T/later.err"
[ "$(grep -c ": Container later is not running$" "$T/later.err")" = 4 ] &&
    [ "$(grep -c "^error 4: " "$T/later.err")" = 4 ] || fail "later ops: $(cat "$T/later.err")"
h remove later && clean later
ok "bad specs, IDs and namespaces refused with messages, leaving nothing; pause/resume/stats/update of a container not running: 409"
