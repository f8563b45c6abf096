#!/bin/bash
# tests/integration/test-exec.sh - exec sessions against a real dctld with the native exec
# driver, through dctl exec and the raw API: output and exit codes, stdin piped and its
# end, env/user/workdir, the container's filesystem, hostname, PID namespace and
# capabilities seen from the exec, 20 concurrent execs, inspect, ExecIDs, events, the
# hijack with and without upgrade, a detached start, resize, an exec that outlives a
# dctld SIGKILL + restart, `dctl exec -it` through tmux (prompt, window size and its
# change, ctrl-p ctrl-q), and bad input (missing container or exec, stopped container,
# empty Cmd, unknown user, bad detach keys, a second start) leaving nothing behind.
. "$top_srcdir/tests/integration/lib.sh"
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
[ -x "$DCTL_SHIM" ] || fail "dctl-shim not built: $DCTL_SHIM"

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc" "$T/rootfs/tmp" "$T/rootfs/data"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh ls cat echo true false sleep ps id hostname pwd stty env grep wc seq; do
    ln -s busybox "$T/rootfs/bin/$c"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' \
    >"$T/rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$T/rootfs/etc/group"
echo from-the-image >"$T/rootfs/data/file"
tar -C "$T/rootfs" --numeric-owner -cf "$T/bb.tar" .

dctld_start
export DCTL_HOST="unix://$SOCK"
"$DCTL" import "$T/bb.tar" bb:1 >/dev/null || fail "import"
N="--network none"
JSON=(-H 'Content-Type: application/json')

c=$("$DCTL" run -d $N -h box -e FROM_CONTAINER=yes --name web bb:1 sleep 1000) || fail "run -d"

# ---- output, exit codes, stdin -----------------------------------------------------------
[ "$("$DCTL" exec web echo hi)" = hi ] || fail "exec echo"
"$DCTL" exec web sh -c 'exit 5'; [ $? = 5 ] || fail "exit code 5 not passed on"
"$DCTL" exec web sh -c 'echo out; echo err >&2' >"$T/out" 2>"$T/err"
[ "$(cat "$T/out")" = out ] && [ "$(cat "$T/err")" = err ] || fail "stdout/stderr apart"
[ "$(echo piped | "$DCTL" exec -i web cat)" = piped ] || fail "stdin piped"
[ "$(seq 1 20000 | "$DCTL" exec -i web wc -l)" = 20000 ] || fail "a large stdin"
[ "$("$DCTL" exec web cat /dev/stdin </dev/null; echo rc=$?)" = rc=0 ] || fail "no -i: stdin is empty"
ok "exec: output, stdout and stderr apart, exit codes, stdin piped and closed at its end"

# ---- what the exec sees ----------------------------------------------------------------
[ "$("$DCTL" exec -e FOO=bar web sh -c 'echo $FOO $FROM_CONTAINER')" = "bar yes" ] ||
    fail "env: $("$DCTL" exec -e FOO=bar web env)"
[ "$("$DCTL" exec -u nobody web id)" = "uid=65534(nobody) gid=65534(nogroup)" ] ||
    fail "user: $("$DCTL" exec -u nobody web id)"
[ "$("$DCTL" exec -w /tmp web pwd)" = /tmp ] || fail "workdir"
[ "$("$DCTL" exec web cat /data/file)" = from-the-image ] || fail "the container's filesystem"
[ "$("$DCTL" exec web hostname)" = box ] || fail "hostname: $("$DCTL" exec web hostname)"
"$DCTL" exec web ps -o pid,args >"$T/ps"
grep -Eq '^ *1 +sleep 1000' "$T/ps" || fail "PID 1 is not the container's command: $(cat "$T/ps")"
[ "$(grep -vc PID "$T/ps")" = 2 ] || fail "the exec sees processes outside the container: $(cat "$T/ps")"
capc=$("$DCTL" exec web grep CapEff /proc/1/status)
[ "$("$DCTL" exec web grep CapEff /proc/self/status)" = "$capc" ] || fail "capabilities differ"
[ "$("$DCTL" exec --privileged web grep CapEff /proc/self/status)" != "$capc" ] ||
    fail "--privileged did not add capabilities"
host_mnt=$(readlink /proc/self/ns/mnt)
[ "$("$DCTL" exec web readlink /proc/self/ns/mnt)" != "$host_mnt" ] || fail "host mount namespace"
ok "exec: env merged, user, workdir, the container's files, hostname, PIDs, capabilities"

# ---- 20 concurrent execs ---------------------------------------------------------------
pids=()
for i in $(seq 20); do
    ("$DCTL" exec web sh -c "echo n$i; exit $((i % 7))" >"$T/par.$i"; echo $? >"$T/par.$i.rc") &
    pids+=($!)
done
wait "${pids[@]}"
for i in $(seq 20); do
    [ "$(cat "$T/par.$i")" = "n$i" ] || fail "concurrent exec $i: $(cat "$T/par.$i")"
    [ "$(cat "$T/par.$i.rc")" = $((i % 7)) ] || fail "concurrent exec $i: rc $(cat "$T/par.$i.rc")"
done
ok "20 concurrent execs all complete with their output and exit code"

# ---- the raw API -----------------------------------------------------------------------
x=$(api POST /containers/web/exec "${JSON[@]}" \
    -d '{"Cmd":["sh","-c","echo out; echo err >&2; exit 3"],"AttachStdout":true,"AttachStderr":true}' |
    json 'j["Id"]')
[ "$(status)" = 201 ] && [ ${#x} = 64 ] || fail "exec create: $(status) $x"
api GET "/exec/$x/json" >"$T/i0"
[ "$(json 'j["Running"], j["ExitCode"], j["Pid"]' <"$T/i0")" = "(False, None, 0)" ] ||
    fail "inspect before start: $(cat "$T/i0")"
# no upgrade asked: dockerd's plain 200 stream, multiplexed
curl -s --unix-socket "$SOCK" -X POST "${JSON[@]}" -d '{}' -D "$T/h" -o "$T/raw" \
    "http://d/exec/$x/start" || fail "start without upgrade"
grep -q '^HTTP/1.1 200' "$T/h" && grep -qi '^Content-Type: application/vnd.docker.multiplexed-stream' "$T/h" ||
    fail "start head: $(cat "$T/h")"
[ "$(od -An -c "$T/raw" | tr -s ' ' | tr -d '\n')" = \
  " 001 \\0 \\0 \\0 \\0 \\0 \\0 004 o u t \\n 002 \\0 \\0 \\0 \\0 \\0 \\0 004 e r r \\n" ] ||
    fail "frames: $(od -c "$T/raw")"
for _ in $(seq 50); do api GET "/exec/$x/json" >"$T/i1"; [ "$(json 'j["Running"]' <"$T/i1")" = False ] && break; sleep 0.1; done
[ "$(json 'j["ExitCode"], j["ContainerID"] == "'"$c"'", j["Pid"] > 0, j["ProcessConfig"]["entrypoint"], j["ProcessConfig"]["arguments"], j["OpenStdout"], j["OpenStdin"], j["CanRemove"]' <"$T/i1")" = \
  '(3, True, True, '"'sh'"', ['"'-c'"', '"'echo out; echo err >&2; exit 3'"'], True, False, False)' ] ||
    fail "inspect after the end: $(cat "$T/i1")"
expect_status 409 POST "/exec/$x/start" "${JSON[@]}" -d '{}'
grep -q 'has already run' "$T/body" || fail "second start: $(cat "$T/body")"
# detached: 200 once it runs; ExecIDs lists it while it does
x=$(api POST /containers/web/exec "${JSON[@]}" -d '{"Cmd":["sleep","30"]}' | json 'j["Id"]')
expect_status 200 POST "/exec/$x/start" "${JSON[@]}" -d '{"Detach":true}'
[ "$(api GET "/exec/$x/json" | json 'j["Running"]')" = True ] || fail "detached exec not running"
api GET /containers/web/json | json 'j["ExecIDs"]' | grep -q "$x" || fail "ExecIDs: $(api GET /containers/web/json | json 'j["ExecIDs"]')"
expect_status 409 POST "/exec/$x/resize?h=10&w=10"
grep -q 'no terminal' "$T/body" || fail "resize without a TTY: $(cat "$T/body")"
# ended from the host by its Pid: the session records the signal's exit code
pid=$(api GET "/exec/$x/json" | json 'j["Pid"]')
kill "$pid" || fail "exec's Pid $pid"
for i in $(seq 100); do
    [ "$(api GET "/exec/$x/json" | json 'j["Running"]')" = False ] && break
    sleep 0.05
done
[ "$(api GET "/exec/$x/json" | json 'j["ExitCode"]')" = 143 ] || fail "killed exec: $(cat "$T/body")"
# a TTY: raw stream, resize, TERM and the console size given at the start
x=$(api POST /containers/web/exec "${JSON[@]}" \
    -d '{"Cmd":["sh","-c","stty size; echo $TERM; sleep 0.5; stty size"],"Tty":true,"AttachStdout":true}' |
    json 'j["Id"]')
(sleep 0.2; curl -s --unix-socket "$SOCK" -X POST "http://d/exec/$x/resize?h=33&w=111") &
rp=$!
curl -s --unix-socket "$SOCK" -X POST "${JSON[@]}" -d '{"ConsoleSize":[22,77]}' -D "$T/h" \
    -o "$T/raw" "http://d/exec/$x/start"
wait $rp
grep -qi '^Content-Type: application/vnd.docker.raw-stream' "$T/h" || fail "TTY head: $(cat "$T/h")"
[ "$(tr -d '\r' <"$T/raw")" = "$(printf '22 77\nxterm\n33 111')" ] || fail "TTY stream: $(od -c "$T/raw")"
ok "raw API: create, inspect before/after, the plain 200 stream, frames, detach, ExecIDs, TTY, resize"

# ---- events ------------------------------------------------------------------------------
since=$(date +%s)
"$DCTL" exec web sh -c 'exit 4'
api GET "/events?since=$since&until=$(($(date +%s) + 1))" >"$T/ev"
grep -q '"Action":"exec_create: sh -c exit 4"' "$T/ev" && grep -q '"Action":"exec_start: sh -c exit 4"' "$T/ev" ||
    fail "exec_create/exec_start events: $(cat "$T/ev")"
grep '"Action":"exec_die"' "$T/ev" | grep -q '"exitCode":"4"' || fail "exec_die event: $(cat "$T/ev")"
grep '"Action":"exec_die"' "$T/ev" | grep -q '"execID":"[0-9a-f]\{64\}"' || fail "execID attribute"
ok "events: exec_create, exec_start, exec_die with exitCode and execID"

# ---- bad input ---------------------------------------------------------------------------
expect_status 404 POST /containers/nosuch/exec "${JSON[@]}" -d '{"Cmd":["true"]}'
grep -q 'No such container: nosuch' "$T/body" || fail "missing container: $(cat "$T/body")"
expect_status 400 POST /containers/web/exec "${JSON[@]}" -d '{"Cmd":[]}'
grep -q 'No exec command specified' "$T/body" || fail "empty Cmd: $(cat "$T/body")"
expect_status 400 POST /containers/web/exec "${JSON[@]}" -d '{"Cmd":"true","Tty":"yes"}'
grep -q 'cannot unmarshal string' "$T/body" || fail "a bad type: $(cat "$T/body")"
expect_status 400 POST /containers/web/exec "${JSON[@]}" -d '{"Cmd":["true"],"WorkingDir":"tmp"}'
expect_status 400 POST /containers/web/exec "${JSON[@]}" -d '{not json'
expect_status 404 GET /exec/nosuch/json
grep -q 'No such exec instance: nosuch' "$T/body" || fail "missing exec: $(cat "$T/body")"
expect_status 404 POST /exec/nosuch/start "${JSON[@]}" -d '{}'
x=$(api POST /containers/web/exec "${JSON[@]}" -d '{"Cmd":["true"],"DetachKeys":"ctrl-"}' | json 'j["Id"]')
expect_status 400 POST "/exec/$x/start" "${JSON[@]}" -d '{}'
grep -q 'Invalid detach keys' "$T/body" || fail "bad detach keys: $(cat "$T/body")"
"$DCTL" exec -u nosuch web true >"$T/err" 2>&1; rc=$?
[ $rc = 126 ] && grep -q 'unable to find user nosuch' "$T/err" || fail "unknown user: $rc $(cat "$T/err")"
"$DCTL" exec web nosuch >"$T/err" 2>&1; rc=$?
[ $rc = 126 ] && grep -q 'executable file not found' "$T/err" || fail "missing command: $rc $(cat "$T/err")"
"$DCTL" exec -w /nosuch web true >"$T/err" 2>&1; rc=$?
[ $rc = 126 ] && grep -q 'chdir to cwd' "$T/err" || fail "missing workdir: $rc $(cat "$T/err")"
[ -z "$(ls "$EXEC_ROOT/drivers/exec/native/$c/" | grep '^exec-')" ] || fail "exec files left: $(ls "$EXEC_ROOT/drivers/exec/native/$c/")"
"$DCTL" create $N --name stopped bb:1 true >/dev/null
expect_status 409 POST /containers/stopped/exec "${JSON[@]}" -d '{"Cmd":["true"]}'
grep -q 'is not running' "$T/body" || fail "stopped container: $(cat "$T/body")"
"$DCTL" exec stopped true 2>"$T/err" && fail "exec in a stopped container"
"$DCTL" exec web 2>"$T/err"; [ $? = 125 ] || fail "exec without a command"
"$DCTL" rm stopped >/dev/null
# clients that leave before their start comes back (with and without an upgrade)
for i in $(seq 20); do
    x=$(api POST /containers/web/exec "${JSON[@]}" -d '{"Cmd":["sh","-c","echo gone"],"AttachStdout":true}' |
        json 'j["Id"]')
    if [ $((i % 2)) = 0 ]; then up=(-H 'Connection: Upgrade' -H 'Upgrade: tcp'); else up=(); fi
    curl -s --max-time 0.005 --unix-socket "$SOCK" -X POST "${JSON[@]}" "${up[@]}" -d '{}' \
        "http://d/exec/$x/start" >/dev/null 2>&1
done
expect_status 200 GET /_ping
"$DCTL" exec web ps -o pid,args >"$T/ps"
[ "$(grep -vc PID "$T/ps")" = 2 ] || fail "processes left in the container: $(cat "$T/ps")"
ok "bad input: missing container and exec, empty Cmd, bad types, relative workdir, bad detach keys, unknown user, missing command or workdir (126), stopped container"

# ---- an exec outlives dctld SIGKILL + restart ----------------------------------------------
x=$(api POST /containers/web/exec "${JSON[@]}" -d '{"Cmd":["sh","-c","sleep 2; exit 7"]}' | json 'j["Id"]')
expect_status 200 POST "/exec/$x/start" "${JSON[@]}" -d '{"Detach":true}'
kill -KILL "$DCTLD_PID"
wait "$DCTLD_PID" 2>/dev/null
dctld_start
[ "$(api GET "/exec/$x/json" | json 'j["Running"]')" = True ] || fail "after a restart: $(cat "$T/body")"
for _ in $(seq 60); do [ "$(api GET "/exec/$x/json" | json 'j["Running"]')" = False ] && break; sleep 0.1; done
[ "$(api GET "/exec/$x/json" | json 'j["ExitCode"]')" = 7 ] || fail "exit code after a restart: $(cat "$T/body")"
[ "$("$DCTL" exec web echo still)" = still ] || fail "exec after a restart"
ok "an exec running across a dctld SIGKILL + restart is inspectable, and its exit code recorded"

# ---- dctl exec -it through tmux ----------------------------------------------------------
if ! command -v tmux >/dev/null; then
    fail "tmux is not installed (scripts/setup.sh installs it)"
fi
TM="dctl-exec-$$"
trap 'rc=$?; tmux kill-session -t "$TM" 2>/dev/null; (exit $rc); cleanup' EXIT
dctl_abs=$(cd "$(dirname "$DCTL")" && pwd)/$(basename "$DCTL")
tmux new-session -d -s "$TM" -x 100 -y 30 \
    "DCTL_HOST=$DCTL_HOST $dctl_abs exec -it web sh 2>$T/tty.err; echo rc=\\$? >>$T/tty.err"
screen() { tmux capture-pane -p -t "$TM"; }
for _ in $(seq 50); do screen | grep -q '# *$' && break; sleep 0.1; done
screen | grep -q '# *$' || fail "no prompt: $(screen) $(cat "$T/tty.err")"
tmux send-keys -t "$TM" 'stty size; echo tty-$((6*7))' Enter
for _ in $(seq 50); do screen | grep -q '^tty-42' && break; sleep 0.1; done
screen | grep -q '^30 100' || fail "stty size: $(screen)"
tmux resize-window -t "$TM" -x 90 -y 25 2>/dev/null || tmux resize-pane -t "$TM" -x 90 -y 25
sleep 0.3
tmux send-keys -t "$TM" 'stty size' Enter
for _ in $(seq 50); do screen | grep -q '^25 90' && break; sleep 0.1; done
screen | grep -q '^25 90' || fail "stty size after a resize: $(screen)"
tmux send-keys -t "$TM" C-p C-q
for _ in $(seq 50); do tmux has-session -t "$TM" 2>/dev/null || break; sleep 0.1; done
tmux has-session -t "$TM" 2>/dev/null && fail "ctrl-p ctrl-q did not detach: $(screen)"
grep -q 'rc=0' "$T/tty.err" || fail "exit status after a detach: $(cat "$T/tty.err")"
"$DCTL" exec web ps -o args | grep -qx sh || fail "the detached shell is gone: $("$DCTL" exec web ps)"
ok "exec -it: prompt, window size and its change, ctrl-p ctrl-q detaches and leaves it running"

# ---- removal takes the sessions with it --------------------------------------------------
x=$(api POST /containers/web/exec "${JSON[@]}" -d '{"Cmd":["true"]}' | json 'j["Id"]')
"$DCTL" rm -f web >/dev/null || fail "rm -f"
expect_status 404 GET "/exec/$x/json"
[ -z "$(ls "$EXEC_ROOT/execs")" ] || fail "exec records left: $(ls "$EXEC_ROOT/execs")"
[ -z "$(ls "$EXEC_ROOT/drivers/exec/native")" ] || fail "the container's run dir is left"
ok "removing the container removes its exec sessions and their records"
