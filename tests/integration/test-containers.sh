#!/bin/bash
# tests/integration/test-containers.sh - the container manager and endpoints end to
# end, run with the FAKE exec driver (tests/helpers/fake-exec.c: a test double that runs
# the spec's command on the host without isolation; the native driver has its own
# tests). A busybox image is imported; commands are busybox applets, which exist on the
# host too. Covered: create (merge with the image config, names, hostname), inspect,
# list and its filters, start/stop/kill/restart, wait conditions, logs and their
# options, rename, top, restart policy on-failure:N, AutoRemove, prune, events,
# /info counts, a dctld restart keeping (and restoring) containers, rmi conflicts,
# and bad input answered with Docker's errors, leaving no container directory and no
# RW layer behind.
. "$top_srcdir/tests/integration/lib.sh"
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
FAKE="$top_builddir/tests/helpers/.libs/fake-exec.so"
[ -e "$FAKE" ] || fail "the fake exec driver is not built: $FAKE"
ln -sf "$FAKE" "$DRIVER_DIR/"

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc" "$T/rootfs/srv"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh ls cat echo true false sleep ps; do ln -s busybox "$T/rootfs/bin/$c"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n' \
    >"$T/rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\nwheel:x:10:app\n' >"$T/rootfs/etc/group"
tar -C "$T/rootfs" --numeric-owner -cf "$T/busybox.tar" .

# what a container leaves on disk: container dirs, RW layer records, driver layers
disk_state() {
    echo "containers=$(ls "$DATA_ROOT/containers" 2>/dev/null | wc -l)" \
        "mounts=$(ls "$DATA_ROOT/image/vfs/layerdb/mounts" 2>/dev/null | wc -l)" \
        "layers=$(ls "$DATA_ROOT/storage/vfs/dir" 2>/dev/null | wc -l)"
}

expect_error() {
    [ "$(status)" = "$1" ] || fail "status $(status), want $1: $(cat "$T/body")"
    json 'j["message"]' <"$T/body" | grep -qF -- "$2" || fail "message $(cat "$T/body"), want '$2'"
}

# create NAME JSON-BODY: prints the new ID
create() {
    local q=""
    [ -n "$1" ] && q="?name=$1"
    api POST "/v1.43/containers/create$q" -H 'Content-Type: application/json' -d "$2" |
        json 'j.get("Id", "")'
}

inspect() {
    api GET "/v1.43/containers/$1/json" | json "$2"
}

wait_status() {   # wait_status ID STATUS: polls inspect (no timing asserted)
    local i
    for i in $(seq 200); do
        [ "$(inspect "$1" 'j["State"]["Status"]')" = "$2" ] && return 0
        sleep 0.05
    done
    fail "$1 never became $2 (is $(inspect "$1" 'j["State"]["Status"]'))"
}

NONE='"HostConfig":{"NetworkMode":"none"}'

dctld_start --storage-driver vfs --exec-driver fake
api GET /info | json 'j["Driver"]' | grep -qx vfs || fail "vfs is not the storage driver"
api POST "/v1.43/images/create?fromSrc=-&repo=bb&tag=latest&changes=ENV%20FROM_IMAGE%3D1%20SHARED%3Dimage&changes=WORKDIR%20%2Fsrv&changes=LABEL%20layer%3Dimage&changes=CMD%20%5B%22sh%22%5D" \
    --data-binary "@$T/busybox.tar" >/dev/null
[ "$(status)" = 200 ] || fail "import: $(cat "$T/body")"
EMPTY=$(disk_state)

# ---- bad input: Docker's errors, nothing left ----------------------------------------
create "" '{"Image":"nope:1",'"$NONE"'}' >/dev/null
expect_error 404 "No such image: nope:1"
create "" '{"Image":"bb","Env":"A=1",'"$NONE"'}' >/dev/null
expect_error 400 "json: cannot unmarshal string into Go struct field"
create "" '{"Image":"bb","HostConfig":{"NetworkMode":"none","Binds":"x"}}' >/dev/null
expect_error 400 "cannot unmarshal string"
create "" '{"Image":"bb","HostConfig":{"NetworkMode":"none","RestartPolicy":{"Name":"sometimes"}}}' >/dev/null
expect_error 400 "invalid restart policy: unknown policy 'sometimes'"
create "" '{"Image":"bb","HostConfig":{"NetworkMode":"none","RestartPolicy":{"Name":"always","MaximumRetryCount":2}}}' >/dev/null
expect_error 400 "maximum retry count can only be used with 'on-failure'"
create "" '{"Image":"bb","HostConfig":{"NetworkMode":"none","AutoRemove":true,"RestartPolicy":{"Name":"always"}}}' >/dev/null
expect_error 400 "can't create 'AutoRemove' container with restart policy"
create "" '{"Image":"bb","HostConfig":{"NetworkMode":"none","Mounts":[{"Type":"bind","Source":"/no/such/dir","Target":"/x"}]}}' >/dev/null
expect_error 400 'invalid mount config for type "bind": bind source path does not exist: /no/such/dir'
create "" '{"Image":"bb"}' >/dev/null
expect_error 400 'network mode "default" is not supported yet: use --network none or host'
create "" '{"Image":"bb","HostConfig":{"NetworkMode":"bridge"}}' >/dev/null
expect_error 400 'network mode "bridge" is not supported yet'
create "bad/name" '{"Image":"bb",'"$NONE"'}' >/dev/null
expect_error 400 "Invalid container name (bad/name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
create "" '{"Image":"bb","HostConfig":{"NetworkMode":"none","Sysctls":{"kernel.domainname":"x"}}}' >/dev/null
expect_error 400 'sysctl "kernel.domainname" is not in a separate kernel namespace'
create "" '{"Image":"bb","HostConfig":{"NetworkMode":"none","LogConfig":{"Type":"syslog"}}}' >/dev/null
expect_error 400 'logging driver "syslog" is not supported'
create "" '{"Image":"bb","HostConfig":{"NetworkMode":"none","LogConfig":{"Type":"json-file","Config":{"max-size":"lots"}}}}' >/dev/null
expect_error 400 "invalid size: 'lots'"
api POST /v1.43/containers/create -H 'Content-Type: application/json' -d '{"Image":' >/dev/null
[ "$(status)" = 400 ] || fail "malformed JSON: $(status)"
[ "$(disk_state)" = "$EMPTY" ] || fail "bad creates left $(disk_state), want $EMPTY"
[ "$(api GET '/v1.43/containers/json?all=1')" = "[]" ] || fail "bad creates listed"
ok "bad create bodies: Docker's errors and codes, no container dir or RW layer left"

# ---- create and inspect -------------------------------------------------------------
ID=$(create one '{"Image":"bb","Cmd":["sh","-c","echo out; echo err >&2; echo $SHARED $FROM_IMAGE $HOSTNAME; pwd; exit 3"],"Env":["SHARED=request"],"Labels":{"team":"core"},'"$NONE"'}')
[ ${#ID} = 64 ] || fail "create: $(cat "$T/body")"
[ "$(status)" = 201 ] || fail "create status $(status)"
[ -d "$DATA_ROOT/containers/$ID" ] && [ -f "$DATA_ROOT/containers/$ID/config.v2.json" ] &&
    [ -f "$DATA_ROOT/containers/$ID/hostconfig.json" ] || fail "container files missing"
[ -f "$DATA_ROOT/image/vfs/layerdb/mounts/$ID/mount-id" ] &&
    [ -f "$DATA_ROOT/image/vfs/layerdb/mounts/$ID/init-id" ] &&
    [ -f "$DATA_ROOT/image/vfs/layerdb/mounts/$ID/parent" ] || fail "layerdb/mounts record missing"
MOUNT=$(cat "$DATA_ROOT/image/vfs/layerdb/mounts/$ID/mount-id")
[ -f "$DATA_ROOT/storage/vfs/dir/$MOUNT-init/etc/hostname" ] &&
    [ -d "$DATA_ROOT/storage/vfs/dir/$MOUNT-init/dev/shm" ] &&
    [ -f "$DATA_ROOT/storage/vfs/dir/$MOUNT-init/.dockerenv" ] || fail "init layer mount points"
insp=$(api GET "/v1.43/containers/one/json")
[ "$(echo "$insp" | json '[j["Name"], j["State"]["Status"], j["Path"], j["Config"]["WorkingDir"], j["Config"]["Hostname"], j["Config"]["Labels"], j["HostConfig"]["RestartPolicy"]["Name"], j["HostConfig"]["ShmSize"], j["HostConfig"]["LogConfig"]["Type"]]')" = \
    "[\"/one\", \"created\", \"sh\", \"/srv\", \"${ID:0:12}\", {\"team\": \"core\", \"layer\": \"image\"}, \"no\", 67108864, \"json-file\"]" ] ||
    fail "inspect: $insp"
[ "$(echo "$insp" | json 'j["Config"]["Env"]')" = '["SHARED=request", "FROM_IMAGE=1"]' ] ||
    fail "Env merge: $(echo "$insp" | json 'j["Config"]["Env"]')"
[ "$(inspect "${ID:0:10}" 'j["Id"]')" = "$ID" ] || fail "lookup by ID prefix"
[ "$(inspect "/one" 'j["Id"]')" = "$ID" ] || fail "lookup by /name"
api GET /v1.43/containers/nothere/json >/dev/null
expect_error 404 "No such container: nothere"
create one '{"Image":"bb",'"$NONE"'}' >/dev/null
expect_error 409 "Conflict. The container name \"/one\" is already in use by container \"$ID\""
ok "create: files, RW + init layer, Config merged with the image's, lookups, name conflict"

# ---- start, wait, logs ------------------------------------------------------------------
: >"$T/events"
curl -s -N --unix-socket "$SOCK" "http://d/v1.43/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D" >"$T/events" &
EVPID=$!
sleep 0.2
expect_status 204 POST "/v1.43/containers/one/start"
api POST "/v1.43/containers/one/wait" >/dev/null
[ "$(cat "$T/body")" = '{"StatusCode":3,"Error":null}' ] || fail "wait: $(cat "$T/body")"
[ "$(inspect one '[j["State"]["Status"], j["State"]["ExitCode"], j["State"]["Running"]]')" = '["exited", 3, false]' ] ||
    fail "state after exit: $(inspect one 'j["State"]')"
expect_status 304 POST "/v1.43/containers/one/stop"
api GET "/v1.43/containers/one/logs?stdout=1&stderr=1" >/dev/null
python3 - "$T/body" "$ID" <<'EOF' || fail "multiplexed logs"
import sys
data = open(sys.argv[1], "rb").read()
frames = []
while data:
    stream, size = data[0], int.from_bytes(data[4:8], "big")
    frames.append((stream, data[8:8 + size].decode()))
    data = data[8 + size:]
# stdout and stderr are two pipes: their order against each other is not fixed
out = [f[1] for f in frames if f[0] == 1]
assert out[:2] == ["out\n", "request 1 %s\n" % sys.argv[2][:12]], frames
assert out[2].endswith("/srv\n"), frames
assert [f[1] for f in frames if f[0] == 2] == ["err\n"], frames
EOF
api GET "/v1.43/containers/one/logs?stderr=1" >/dev/null
[ "$(tail -c +9 "$T/body")" = "err" ] || fail "stderr only: $(od -c "$T/body" | head)"
api GET "/v1.43/containers/one/logs?stdout=1&stderr=1&tail=2" >/dev/null
python3 - "$T/body" <<'EOF' || fail "tail=2: $(od -c "$T/body" | head)"
import sys
data = open(sys.argv[1], "rb").read(); frames = []
while data:
    size = int.from_bytes(data[4:8], "big"); frames.append(data[8:8 + size].decode()); data = data[8 + size:]
# the last two of the four lines (stdout and stderr interleave as the pipes were read)
assert len(frames) == 2 and "out\n" not in frames, frames
EOF
api GET "/v1.43/containers/one/logs?stdout=1&stderr=1&tail=0" >/dev/null
[ ! -s "$T/body" ] || fail "tail=0 gave $(od -c "$T/body" | head)"
api GET "/v1.43/containers/one/logs?stdout=1&stderr=1&timestamps=1&tail=2" >/dev/null
python3 - "$T/body" <<'EOF' || fail "timestamps: $(od -c "$T/body" | head)"
import re, sys
data = open(sys.argv[1], "rb").read()
lines = []
while data:
    size = int.from_bytes(data[4:8], "big"); lines.append(data[8:8 + size].decode()); data = data[8 + size:]
assert len(lines) == 2, lines
for l in lines:
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z ", l), l
EOF
api GET "/v1.43/containers/one/logs?stdout=1&since=4102444800" >/dev/null
[ ! -s "$T/body" ] || fail "since in the future gave $(od -c "$T/body" | head)"
api GET "/v1.43/containers/one/logs?stdout=1&until=1" >/dev/null
[ ! -s "$T/body" ] || fail "until in the past gave output"
api GET "/v1.43/containers/one/logs" >/dev/null
expect_error 400 "Bad parameters: you must choose at least one stream"
ok "start, wait (exit code), logs: framing, stdout/stderr, tail, timestamps, since, until"

# ---- a rotated log is read across its files --------------------------------------------
create rot '{"Image":"bb","Cmd":["sh","-c","i=0; while [ $i -lt 200 ]; do i=$((i+1)); echo line-$i; done"],"HostConfig":{"NetworkMode":"none","LogConfig":{"Type":"json-file","Config":{"max-size":"2k","max-file":"3"}}}}' >/dev/null
expect_status 204 POST /v1.43/containers/rot/start
api POST /v1.43/containers/rot/wait >/dev/null
RID=$(inspect rot 'j["Id"]')
[ -f "$DATA_ROOT/containers/$RID/$RID-json.log.1" ] && [ -f "$DATA_ROOT/containers/$RID/$RID-json.log.2" ] &&
    [ ! -e "$DATA_ROOT/containers/$RID/$RID-json.log.3" ] || fail "rotation: $(ls "$DATA_ROOT/containers/$RID")"
for f in "$DATA_ROOT/containers/$RID/$RID"-json.log*; do
    [ "$(stat -c %s "$f")" -le 2048 ] || fail "$f is over max-size"
done
api GET "/v1.43/containers/rot/logs?stdout=1" >/dev/null
python3 - "$T/body" <<'EOF' || fail "rotated logs: $(od -c "$T/body" | tail -3)"
import sys
data = open(sys.argv[1], "rb").read(); lines = []
while data:
    size = int.from_bytes(data[4:8], "big"); lines.append(data[8:8 + size].decode()); data = data[8 + size:]
n = [int(l.strip().split("-")[1]) for l in lines]
assert n == list(range(n[0], 201)) and 40 < len(n) < 200, n
EOF
api GET "/v1.43/containers/rot/logs?stdout=1&tail=60" >/dev/null
python3 - "$T/body" <<'EOF' || fail "rotated logs tail=60: $(od -c "$T/body" | tail -3)"
import sys
data = open(sys.argv[1], "rb").read(); lines = []
while data:
    size = int.from_bytes(data[4:8], "big"); lines.append(data[8:8 + size].decode()); data = data[8 + size:]
assert [l.strip() for l in lines] == ["line-%d" % i for i in range(141, 201)], lines[:3]
EOF
expect_status 204 DELETE /v1.43/containers/rot
ok "json-file rotation (max-size, max-file): old files kept, logs and tail read across them"

# ---- a TTY container's logs are raw -------------------------------------------------
create tty '{"Image":"bb","Tty":true,"Cmd":["echo","on a tty"],'"$NONE"'}' >/dev/null
expect_status 204 POST /v1.43/containers/tty/start
api POST /v1.43/containers/tty/wait >/dev/null
api GET "/v1.43/containers/tty/logs?stdout=1" >/dev/null
[ "$(tr -d '\r' <"$T/body")" = "on a tty" ] || fail "tty logs: $(od -c "$T/body" | head)"
ok "TTY: logs are raw, not multiplexed"

# ---- a long-running container: list, filters, top, stop, kill --------------------------
LONG=$(create long '{"Image":"bb","Cmd":["sleep","1000"],"Labels":{"role":"sleeper"},"StopTimeout":30,'"$NONE"'}')
expect_status 204 POST /v1.43/containers/long/start
expect_status 304 POST /v1.43/containers/long/start
[ "$(inspect long '[j["State"]["Status"], j["State"]["Running"]]')" = '["running", true]' ] || fail "running"
pid=$(inspect long 'j["State"]["Pid"]')
kill -0 "$pid" || fail "pid $pid not alive"
list=$(api GET /v1.43/containers/json)
[ "$(echo "$list" | json '[c["Names"] for c in j]')" = '[["/long"]]' ] || fail "running list: $list"
echo "$list" | json 'j[0]["Status"]' | grep -q '^Up ' || fail "Status: $list"
[ "$(echo "$list" | json '[j[0]["State"], j[0]["Command"], j[0]["Image"], j[0]["HostConfig"]]')" = \
    '["running", "sleep 1000", "bb", {"NetworkMode": "none"}]' ] || fail "summary: $list"
[ "$(api GET '/v1.43/containers/json?all=1' | json 'len(j)')" = 3 ] || fail "all=1"
lf() { api GET "/v1.43/containers/json?all=1&filters=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1]))' "$1")" | json '[c["Names"][0] for c in j]'; }
[ "$(lf '{"status":["exited"]}')" = '["/tty", "/one"]' ] || fail "status filter: $(lf '{"status":["exited"]}')"
[ "$(lf '{"exited":["3"]}')" = '["/one"]' ] || fail "exited filter"
[ "$(lf '{"label":["role=sleeper"]}')" = '["/long"]' ] || fail "label filter"
[ "$(lf '{"name":["^/?on"]}')" = '["/one"]' ] || fail "name filter"
[ "$(lf "{\"id\":[\"${LONG:0:8}\"]}")" = '["/long"]' ] || fail "id filter"
[ "$(lf '{"ancestor":["bb"]}' | json 'len(j)')" = 3 ] || fail "ancestor filter"
[ "$(lf '{"since":["one"]}')" = '["/long", "/tty"]' ] || fail "since filter: $(lf '{"since":["one"]}')"
[ "$(lf '{"before":["long"]}')" = '["/tty", "/one"]' ] || fail "before filter"
[ "$(lf '{"network":["none"]}' | json 'len(j)')" = 3 ] || fail "network filter"
[ "$(api GET '/v1.43/containers/json?limit=1' | json '[c["Names"][0] for c in j]')" = '["/long"]' ] || fail "limit"
api GET "/v1.43/containers/json?filters=%7B%22status%22%3A%5B%22sleepy%22%5D%7D" >/dev/null
expect_error 400 "invalid filter 'status=sleepy'"
api GET "/v1.43/containers/json?filters=%7B%22colour%22%3A%5B%22x%22%5D%7D" >/dev/null
expect_error 400 "invalid filter 'colour'"
[ "$(api GET /info | json '[j["Containers"], j["ContainersRunning"], j["ContainersStopped"]]')" = '[3, 1, 2]' ] ||
    fail "/info counts: $(api GET /info | json '[j["Containers"], j["ContainersRunning"]]')"
[ "$(api GET /system/df | json 'len(j["Containers"])')" = 3 ] || fail "/system/df containers"
top=$(api GET /v1.43/containers/long/top)
[ "$(echo "$top" | json '"PID" in j["Titles"]')" = True ] || fail "top: $top"
echo "$top" | json '[p[-1] for p in j["Processes"]]' | grep -q "sleep 1000" || fail "top processes: $top"
api GET "/v1.43/containers/one/top" >/dev/null
expect_error 409 "is not running"
sz=$(api GET "/v1.43/containers/long/json?size=1" | json '[j["SizeRw"] >= 0, j["SizeRootFs"] > 1000]')
[ "$sz" = '[true, true]' ] || fail "inspect size=1: $sz"
api DELETE /v1.43/containers/long >/dev/null
expect_error 409 "You cannot remove a running container $LONG"
api POST "/v1.43/containers/long/kill?signal=NOPE" >/dev/null
expect_error 400 "Invalid signal: NOPE"
api POST "/v1.43/containers/one/kill" >/dev/null
expect_error 409 "Container $ID is not running"
ok "list (Docker's summary), every filter, limit, top, size=1, /info and /system/df counts, conflicts"

# wait next-exit is answered (headers first) when the stop ends the container
curl -s --unix-socket "$SOCK" -X POST "http://d/v1.43/containers/long/wait?condition=next-exit" >"$T/wait.out" &
WPID=$!
sleep 0.2
expect_status 204 POST "/v1.43/containers/long/stop?t=5"
wait $WPID
[ "$(cat "$T/wait.out")" = '{"StatusCode":143,"Error":null}' ] || fail "wait next-exit: $(cat "$T/wait.out")"
[ "$(inspect long '[j["State"]["Status"], j["State"]["ExitCode"]]')" = '["exited", 143]' ] || fail "after stop"
kill -0 "$pid" 2>/dev/null && fail "pid $pid survived the stop"
api POST "/v1.43/containers/long/wait?condition=sometimes" >/dev/null
expect_error 400 'invalid condition: "sometimes"'
# kill with a signal number, restart
expect_status 204 POST /v1.43/containers/long/restart
wait_status long running
expect_status 204 POST "/v1.43/containers/long/kill?signal=9"
wait_status long exited
[ "$(inspect long 'j["State"]["ExitCode"]')" = 137 ] || fail "kill 9 exit code"
ok "stop (SIGTERM, 143) answers wait next-exit, restart, kill by number (137), bad condition 400"

# ---- attach (hijacked): before the start as docker run does, stdin, TTY, detach keys ----
cat >"$T/attach.py" <<'PYEOF'
import socket, subprocess, sys, time
sock_path, path, mode = sys.argv[1], sys.argv[2], sys.argv[4]
send = sys.argv[3].encode().decode("unicode_escape").encode("latin-1")
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sock_path)
s.sendall(("POST %s HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
           "Content-Length: 0\r\n\r\n" % path).encode())
head = b""
while b"\r\n\r\n" not in head:
    c = s.recv(1)
    if not c:
        break
    head += c
status = head.split(b" ")[1].decode() if head else "none"
out = [status, "upgrade: tcp" in head.decode("latin-1").lower()]
if mode == "start":   # start it from a second connection, as docker run does
    subprocess.run(["curl", "-s", "-o", "/dev/null", "--unix-socket", sock_path, "-X", "POST",
                    "http://d" + path.split("/attach")[0] + "/start"], check=True)
time.sleep(0.3)
if mode == "detach":   # the command, its output, then the detach keys
    cmd, keys = send.split(b"\x10", 1)
    s.sendall(cmd)
    time.sleep(0.5)
    send = b"\x10" + keys
if send:
    s.sendall(send)
if mode != "detach":
    s.shutdown(socket.SHUT_WR)
data = b""
s.settimeout(20)
while True:
    try:
        c = s.recv(65536)
    except socket.timeout:
        break
    if not c:
        break
    data += c
print(repr(out), repr(data))
PYEOF
attach() { python3 "$T/attach.py" "$SOCK" "$@"; }
create att '{"Image":"bb","Cmd":["sh","-c","echo started; cat; echo done >&2"],"OpenStdin":true,"StdinOnce":true,"AttachStdin":true,'"$NONE"'}' >/dev/null
got=$(attach "/v1.43/containers/att/attach?stream=1&stdin=1&stdout=1&stderr=1" 'to stdin\n' start)
[ "$got" = "['101', True] b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x08started\\n\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\tto stdin\\n\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x05done\\n'" ] ||
    fail "attach before start: $got"
api POST /v1.43/containers/att/wait >/dev/null
[ "$(cat "$T/body")" = '{"StatusCode":0,"Error":null}' ] || fail "attached container: $(cat "$T/body")"
got=$(attach "/v1.43/containers/att/attach?logs=1&stdout=1" '' none)
[ "$got" = "['101', True] b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x08started\\n\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\tto stdin\\n'" ] ||
    fail "attach logs=1 replay: $got"
api POST "/v1.43/containers/att/attach?stream=1&stdout=1" >/dev/null
expect_error 400 "attach needs a hijacked connection"
create tt '{"Image":"bb","Cmd":["sh"],"Tty":true,"OpenStdin":true,'"$NONE"'}' >/dev/null
expect_status 204 POST /v1.43/containers/tt/start
expect_status 200 POST "/v1.43/containers/tt/resize?h=40&w=100"
got=$(attach "/v1.43/containers/tt/attach?stream=1&stdin=1&stdout=1" 'echo tty-$((40+2))\n\x10\x11' detach)
case $got in "['101', True] "*tty-42*) ;; *) fail "tty attach: $got" ;; esac
[ "$(inspect tt 'j["State"]["Status"]')" = running ] || fail "detach stopped the container"
got=$(attach "/v1.43/containers/tt/attach?stream=1&stdin=1&stdout=1&detachKeys=ctrl-x" 'stty size; exit 9\n' none)
case $got in *"40 100"*) ;; *) fail "tty size after resize: $got" ;; esac
api POST /v1.43/containers/tt/wait >/dev/null
[ "$(cat "$T/body")" = '{"StatusCode":9,"Error":null}' ] || fail "tty exit: $(cat "$T/body")"
api POST "/v1.43/containers/att/resize?h=1&w=1" >/dev/null
expect_error 409 "is not running"
expect_status 204 DELETE /v1.43/containers/att
expect_status 204 DELETE /v1.43/containers/tt
ok "attach: before start (stdin, stdout/stderr frames, stdinOnce), logs replay, TTY, resize, detach keys"

# ---- rename -----------------------------------------------------------------------------
expect_status 204 POST "/v1.43/containers/long/rename?name=renamed"
[ "$(inspect renamed 'j["Name"]')" = /renamed ] || fail "rename"
api POST "/v1.43/containers/renamed/rename?name=one" >/dev/null
expect_error 409 'The container name "/one" is already in use'
api POST "/v1.43/containers/renamed/rename?name=bad%20name" >/dev/null
expect_error 400 "Invalid container name"
ok "rename and its conflicts"

# ---- restart policy on-failure:2 ------------------------------------------------------
create failing '{"Image":"bb","Cmd":["sh","-c","echo run; exit 5"],"HostConfig":{"NetworkMode":"none","RestartPolicy":{"Name":"on-failure","MaximumRetryCount":2}}}' >/dev/null
expect_status 204 POST /v1.43/containers/failing/start
for i in $(seq 200); do
    [ "$(inspect failing '[j["State"]["Status"], j["RestartCount"]]')" = '["exited", 2]' ] && break
    sleep 0.05
done
[ "$(inspect failing '[j["State"]["Status"], j["RestartCount"], j["State"]["ExitCode"]]')" = '["exited", 2, 5]' ] ||
    fail "on-failure:2: $(inspect failing '[j["State"], j["RestartCount"]]')"
api GET "/v1.43/containers/failing/logs?stdout=1" >/dev/null
[ "$(tr -cd 'r' <"$T/body" | wc -c)" = 3 ] || fail "three runs expected in the log: $(od -c "$T/body")"
ok "restart policy on-failure:2: three runs, RestartCount 2, then exited"

# ---- AutoRemove ---------------------------------------------------------------------------
AR=$(create "" '{"Image":"bb","Cmd":["true"],"HostConfig":{"NetworkMode":"none","AutoRemove":true}}')
curl -s --unix-socket "$SOCK" -X POST "http://d/v1.43/containers/$AR/wait?condition=removed" >"$T/wait.ar" &
WPID=$!
sleep 0.2
expect_status 204 POST "/v1.43/containers/$AR/start"
wait $WPID
[ "$(cat "$T/wait.ar")" = '{"StatusCode":0,"Error":null}' ] || fail "wait removed: $(cat "$T/wait.ar")"
api GET "/v1.43/containers/$AR/json" >/dev/null
[ "$(status)" = 404 ] || fail "auto-removed container still there"
[ ! -e "$DATA_ROOT/containers/$AR" ] && [ ! -e "$DATA_ROOT/image/vfs/layerdb/mounts/$AR" ] ||
    fail "auto-remove left files"
ok "AutoRemove: removed on exit, wait condition=removed answers, no files left"

# ---- a command that cannot run -----------------------------------------------------------
create nocmd '{"Image":"bb","Cmd":["no-such-command-here"],'"$NONE"'}' >/dev/null
api POST /v1.43/containers/nocmd/start >/dev/null
expect_error 400 'exec: "no-such-command-here": executable file not found in $PATH'
[ "$(inspect nocmd '[j["State"]["Status"], j["State"]["ExitCode"]]')" = '["created", 127]' ] ||
    fail "failed start state: $(inspect nocmd 'j["State"]')"
create baduser '{"Image":"bb","Cmd":["true"],"User":"ghost",'"$NONE"'}' >/dev/null
api POST /v1.43/containers/baduser/start >/dev/null
expect_error 400 "unable to find user ghost: no matching entries in passwd file"
ok "start errors: command not found (127), unknown user"

# ---- image in use ---------------------------------------------------------------------------
IMG=$(inspect one 'j["Image"]')
api DELETE /v1.43/images/bb >/dev/null
expect_error 409 "conflict: unable to remove repository reference \"bb\" (must force) - container"
api DELETE "/v1.43/images/${IMG#sha256:}" >/dev/null
expect_error 409 "conflict: unable to delete ${IMG:7:12} (must be forced) - image is being used by stopped container"
create keeper '{"Image":"bb","Cmd":["sleep","1000"],'"$NONE"'}' >/dev/null
expect_status 204 POST /v1.43/containers/keeper/start
api DELETE "/v1.43/images/${IMG#sha256:}?force=1" >/dev/null
expect_error 409 "(cannot be forced) - image is being used by running container"
[ "$(api GET /v1.43/images/bb/json | json 'j["RepoTags"]')" = '["bb:latest"]' ] || fail "the tag went"
ok "rmi of an image containers use: 409 with Docker's wording (by name, by ID, running), tag kept"

# ---- dctld restart keeps containers; a running one is restored --------------------------
# and restart policies are honoured across it: "always" whose command died while dctld
# was down runs again; a container that exited meanwhile shows its real exit code
create always '{"Image":"bb","Cmd":["sleep","1000"],"HostConfig":{"NetworkMode":"none","RestartPolicy":{"Name":"always"}}}' >/dev/null
expect_status 204 POST /v1.43/containers/always/start
create quick '{"Image":"bb","Cmd":["sh","-c","read x; exit 6"],"OpenStdin":true,'"$NONE"'}' >/dev/null
expect_status 204 POST /v1.43/containers/quick/start
apid=$(inspect always 'j["State"]["Pid"]')
qpid=$(inspect quick 'j["State"]["Pid"]')
kpid=$(inspect keeper 'j["State"]["Pid"]')
kill -KILL "$DCTLD_PID"
wait "$DCTLD_PID" 2>/dev/null
DCTLD_PID=
kill -0 "$kpid" || fail "the container died with dctld"
kill -KILL "$apid"
kill -TERM "$qpid"
for i in $(seq 100); do kill -0 "$qpid" 2>/dev/null || break; sleep 0.05; done
dctld_start --storage-driver vfs --exec-driver fake
wait_status always running
[ "$(inspect always 'j["RestartCount"]')" = 1 ] && [ "$(inspect always 'j["State"]["Pid"]')" != "$apid" ] ||
    fail "always after restart: $(inspect always '[j["State"], j["RestartCount"]]')"
[ "$(inspect quick '[j["State"]["Status"], j["State"]["ExitCode"]]')" = '["exited", 143]' ] ||
    fail "quick after restart: $(inspect quick 'j["State"]')"
expect_status 204 POST "/v1.43/containers/always/stop?t=1"
[ "$(inspect always '[j["State"]["Status"], j["RestartCount"]]')" = '["exited", 1]' ] ||
    fail "always stopped by hand restarted"
[ "$(inspect keeper '[j["State"]["Status"], j["State"]["Pid"]]')" = "[\"running\", $kpid]" ] ||
    fail "keeper after restart: $(inspect keeper 'j["State"]')"
[ "$(inspect one '[j["State"]["Status"], j["State"]["ExitCode"], j["Config"]["Labels"]["team"]]')" = '["exited", 3, "core"]' ] ||
    fail "one after restart"
expect_status 204 POST "/v1.43/containers/keeper/stop?t=1"
[ "$(inspect keeper 'j["State"]["ExitCode"]')" = 143 ] || fail "stop after restore"
ok "dctld SIGKILL + restart: containers kept and restored, exits while down recorded, restart policy honoured"

# ---- remove, prune --------------------------------------------------------------------------
expect_status 204 POST /v1.43/containers/keeper/start
expect_status 204 DELETE "/v1.43/containers/keeper?force=1"
api GET /v1.43/containers/keeper/json >/dev/null
[ "$(status)" = 404 ] || fail "force remove"
kill -0 "$kpid" 2>/dev/null && fail "force remove left the process"
create labelled '{"Image":"bb","Cmd":["true"],"Labels":{"keep":"yes"},'"$NONE"'}' >/dev/null
pr=$(api POST "/v1.43/containers/prune?filters=%7B%22label!%22%3A%5B%22keep%22%5D%7D")
[ "$(status)" = 200 ] || fail "prune: $pr"
[ "$(echo "$pr" | json 'len(j["ContainersDeleted"])')" = 8 ] || fail "prune deleted: $pr"
[ "$(api GET '/v1.43/containers/json?all=1' | json '[c["Names"][0] for c in j]')" = '["/labelled"]' ] ||
    fail "after prune: $(api GET '/v1.43/containers/json?all=1')"
expect_status 204 DELETE /v1.43/containers/labelled
[ "$(disk_state)" = "$EMPTY" ] || fail "after removing everything: $(disk_state), want $EMPTY"
api DELETE /v1.43/images/bb >/dev/null
[ "$(status)" = 200 ] || fail "rmi after the containers went: $(cat "$T/body")"
ok "force remove, prune with label!, every file and layer gone, image deletable again"

# ---- events ---------------------------------------------------------------------------------
# the follower ended with the first dctld; the second one's events are replayed
wait $EVPID 2>/dev/null
curl -s --unix-socket "$SOCK" "http://d/v1.43/events?since=0&until=$(($(date +%s) + 1))&filters=%7B%22type%22%3A%5B%22container%22%5D%7D" >>"$T/events"
python3 - "$T/events" "$ID" <<'EOF' || fail "events: $(head -c 2000 "$T/events")"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
one = [e["Action"] for e in evs if e["Actor"]["ID"] == sys.argv[2]]
assert one[:2] == ["start", "die"], one
die = [e for e in evs if e["Actor"]["ID"] == sys.argv[2] and e["Action"] == "die"][0]
assert die["Actor"]["Attributes"]["exitCode"] == "3", die
assert die["Actor"]["Attributes"]["name"] == "one" and die["Actor"]["Attributes"]["image"] == "bb", die
assert die["Actor"]["Attributes"]["team"] == "core", die
actions = set(e["Action"] for e in evs)
for a in ("create", "start", "die", "kill", "stop", "restart", "rename", "destroy", "prune",
          "attach", "detach", "resize"):
    assert a in actions, (a, actions)
kill = [e for e in evs if e["Action"] == "kill"]
assert any(e["Actor"]["Attributes"].get("signal") == "15" for e in kill), kill
ren = [e for e in evs if e["Action"] == "rename"][0]
assert ren["Actor"]["Attributes"]["oldName"] == "/long", ren
EOF
ok "events: create, start, die (exitCode, labels, image, name), kill (signal), stop, restart, rename, destroy, prune, attach, detach, resize"
