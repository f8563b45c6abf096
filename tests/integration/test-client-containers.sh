#!/bin/bash
# tests/integration/test-client-containers.sh - dctl's container commands against a
# real dctld with the native exec driver: run (exit codes, --rm, -i with stdin, -e,
# -w, -u, -h, --entrypoint, stdout and stderr kept apart, -d), create/start, ps and its
# formats and filters, logs options, top, rename, kill, stop, wait, rm, the container
# group, diff, export, commit and cp, `run -it` through tmux (prompt, window size, detach keys), and bad
# input (unknown flag, missing image, name conflict) leaving no container behind.
. "$top_srcdir/tests/integration/lib.sh"
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
[ -x "$DCTL_SHIM" ] || fail "dctl-shim not built: $DCTL_SHIM"

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh ls cat echo true false sleep ps id hostname pwd stty; do
    ln -s busybox "$T/rootfs/bin/$c"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' \
    >"$T/rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$T/rootfs/etc/group"
tar -C "$T/rootfs" --numeric-owner -cf "$T/bb.tar" .

dctld_start
export DCTL_HOST="unix://$SOCK"
"$DCTL" import "$T/bb.tar" bb:1 >/dev/null || fail "import"
N="--network none"
count() { "$DCTL" ps -a -q | wc -l; }

# ---- run: output, exit codes, stdin, options seen inside --------------------------
[ "$("$DCTL" run --rm $N bb:1 echo hi)" = hi ] || fail "run echo"
"$DCTL" run --rm $N bb:1 sh -c 'exit 3'; [ $? = 3 ] || fail "exit code 3 not passed on"
"$DCTL" run --rm $N bb:1 nosuch 2>"$T/err"; rc=$?
[ $rc = 127 ] || fail "a missing command: exit $rc, want 127"
grep -q 'executable file not found' "$T/err" || fail "no message for a missing command"
[ "$(count)" = 0 ] || fail "--rm left containers: $("$DCTL" ps -a)"
ok "run: output, exit codes 0/3/127, --rm leaves nothing"

[ "$(echo hello | "$DCTL" run --rm -i $N bb:1 cat)" = hello ] || fail "stdin not copied"
out=$("$DCTL" run --rm $N -e A=1 -e B -w /tmp -u nobody -h myhost bb:1 \
    sh -c 'echo $A.$B.$(pwd).$(id -u).$(hostname)')
[ "$out" = "1..$(echo /tmp).65534.myhost" ] || fail "options inside: $out"
[ "$("$DCTL" run --rm $N --entrypoint echo bb:1 ep)" = ep ] || fail "--entrypoint"
"$DCTL" run --rm $N bb:1 sh -c 'echo out; echo err >&2' >"$T/o" 2>"$T/e"
[ "$(cat "$T/o")" = out ] && [ "$(cat "$T/e")" = err ] || fail "stdout/stderr mixed"
ok "run -i, -e, -w, -u, -h, --entrypoint; stdout and stderr apart"

# ---- a detached container through its life -------------------------------------------
id=$("$DCTL" run -d --name s1 $N -l team=a bb:1 \
    sh -c 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done')
[ ${#id} = 64 ] || fail "run -d printed '$id'"
for _ in $(seq 50); do "$DCTL" logs s1 | grep -q 'tick 3' && break; sleep 0.1; done
[ "$("$DCTL" ps -q)" = "${id:0:12}" ] || fail "ps -q: $("$DCTL" ps -q)"
[ "$("$DCTL" ps --format '{{.Names}} {{.State}}')" = "s1 running" ] || fail "ps --format"
"$DCTL" ps | head -1 | grep -q '^CONTAINER ID *IMAGE *COMMAND *CREATED *STATUS *PORTS *NAMES' ||
    fail "ps table header: $("$DCTL" ps | head -1)"
[ "$("$DCTL" ps -q --filter label=team=a)" = "${id:0:12}" ] || fail "ps --filter label"
[ -z "$("$DCTL" ps -q --filter label=team=b)" ] || fail "ps --filter label=team=b matched"
"$DCTL" ps --format json | json 'j["Names"]' | grep -qx s1 || fail "ps --format json"
ok "run -d, ps (table, -q, --format, --filter, json)"

[ "$("$DCTL" logs --tail 2 s1 | wc -l)" = 2 ] || fail "logs --tail 2"
"$DCTL" logs -t -n 1 s1 | grep -Eq '^20[0-9-]+T[0-9:.]+Z tick [0-9]+$' || fail "logs -t"
"$DCTL" logs s1 | head -1 | grep -qx 'tick 0' || fail "logs from the start"
"$DCTL" top s1 | head -1 | grep -q PID || fail "top header"
"$DCTL" top s1 | grep -q 'sleep' || fail "top lists no sleep"
ok "logs --tail, -t; top"

[ "$("$DCTL" inspect -f '{{.Name}} {{.State.Running}}' s1)" = "/s1 true" ] || fail "inspect a container"
[ "$("$DCTL" inspect --format '{{.Id}}' bb:1 | cut -c1-7)" = sha256: ] || fail "inspect an image"
[ "$("$DCTL" container inspect s1 | json 'j[0]["Config"]["Labels"]["team"]')" = a ] ||
    fail "container inspect"
"$DCTL" inspect nosuch 2>"$T/err" && fail "inspect of nothing"
grep -q 'Error: No such object: nosuch' "$T/err" || fail "inspect nosuch: $(cat "$T/err")"
"$DCTL" inspect --type container bb:1 2>/dev/null && fail "inspect --type container of an image"
"$DCTL" rename s1 s2 >/dev/null || fail "rename"
[ "$("$DCTL" ps --format '{{.Names}}')" = s2 ] || fail "renamed: $("$DCTL" ps --format '{{.Names}}')"
[ "$("$DCTL" stop -t 1 s2)" = s2 ] || fail "stop"
[ "$("$DCTL" wait s2)" = 137 ] || fail "wait after stop: $("$DCTL" wait s2)"
"$DCTL" ps -a --format '{{.Status}}' | grep -q '^Exited (137)' || fail "status after stop"
"$DCTL" start s2 >/dev/null && "$DCTL" kill s2 >/dev/null || fail "start, kill"
[ "$("$DCTL" rm s2)" = s2 ] && [ "$(count)" = 0 ] || fail "rm"
ok "inspect (container, image, --type, missing), rename, stop -t, wait, start, kill, rm"

# ---- create/start, the container group, logs -f -----------------------------------------
cid=$("$DCTL" create --name c1 $N bb:1 sh -c 'echo one; sleep 0.3; echo two')
[ ${#cid} = 64 ] || fail "create printed '$cid'"
"$DCTL" container ls -a --format '{{.Status}}' | grep -qx Created || fail "container ls"
"$DCTL" container start c1 >/dev/null || fail "container start"
[ "$("$DCTL" logs -f c1 | tr '\n' ' ')" = "one two " ] || fail "logs -f: $("$DCTL" logs c1)"
[ "$("$DCTL" container wait c1)" = 0 ] || fail "container wait"
"$DCTL" container rm c1 >/dev/null && [ "$(count)" = 0 ] || fail "container rm"
ok "create, container ls/start/wait/rm, logs -f until the end"

# ---- bad input: clear errors, exit 125, nothing left ------------------------------------
"$DCTL" run --bogus bb:1 2>"$T/err"; rc=$?
[ $rc = 125 ] && grep -q 'unknown flag: --bogus' "$T/err" || fail "unknown flag: $rc"
"$DCTL" run $N nosuchimage true 2>"$T/err"; rc=$?
[ $rc = 125 ] && grep -q 'No such image' "$T/err" || fail "missing image: $rc $(cat "$T/err")"
"$DCTL" create --name dup $N bb:1 true >/dev/null || fail "create dup"
"$DCTL" run --name dup $N bb:1 true 2>"$T/err"; rc=$?
[ $rc = 125 ] && grep -q 'is already in use' "$T/err" || fail "name conflict: $rc $(cat "$T/err")"
"$DCTL" run --rm --restart always $N bb:1 true 2>"$T/err"; rc=$?
[ $rc = 125 ] && grep -q 'Conflicting options' "$T/err" || fail "--rm with --restart: $rc"
[ "$(count)" = 1 ] || fail "bad input left containers: $("$DCTL" ps -a)"
"$DCTL" container prune -f --filter label=none=here | grep -q 'Total reclaimed space' ||
    fail "container prune output"
[ "$(count)" = 1 ] || fail "prune --filter removed a container it does not match"
echo n | "$DCTL" container prune >/dev/null
[ "$(count)" = 1 ] || fail "prune went on without a yes"
dup_id=$("$DCTL" ps -a -q --no-trunc)
[ ${#dup_id} = 64 ] || fail "ps --no-trunc -q: $dup_id"
"$DCTL" container prune -f | grep -qx "$dup_id" || fail "prune's list"
[ "$(count)" = 0 ] || fail "prune left containers"
[ "$(ls "$DATA_ROOT/containers" | wc -l)" = 0 ] || fail "container dirs left"
ok "bad input: unknown flag, missing image, name conflict, --rm with --restart; container prune"

# ---- commit: the container's changes as a new image, on both storage drivers ------------
commit_check() {
    "$DCTL" run --name cm $N bb:1 sh -c 'echo hello >/greeting; rm /bin/true' || fail "cm run"
    "$DCTL" diff cm >"$T/diff" || fail "diff"
    grep -qx 'A /greeting' "$T/diff" && grep -qx 'D /bin/true' "$T/diff" &&
        grep -qx 'C /bin' "$T/diff" || fail "diff: $(cat "$T/diff")"
    ! grep -q 'hostname\|resolv.conf' "$T/diff" || fail "diff lists dctld's own files"
    "$DCTL" export -o "$T/cm.tar" cm || fail "export -o"
    [ "$(tar -xOf "$T/cm.tar" greeting)" = hello ] || fail "export lacks /greeting"
    tar -tf "$T/cm.tar" | grep -qx 'bin/true' && fail "export has the deleted /bin/true"
    [ "$("$DCTL" export cm | tar -t | wc -l)" = "$(tar -tf "$T/cm.tar" | wc -l)" ] ||
        fail "export to stdout differs"
    "$DCTL" export -o "$T/none.tar" nosuch 2>/dev/null && fail "export of a missing container"
    [ ! -e "$T/none.tar" ] && ! ls "$T"/none.tar.* >/dev/null 2>&1 || fail "a failed export left a file"
    img=$("$DCTL" commit -a me -m "added greeting" -c 'CMD ["cat","/greeting"]' cm bb:2) ||
        fail "commit"
    [ "${img:0:7}" = sha256: ] || fail "commit printed '$img'"
    [ "$("$DCTL" run --rm $N bb:2)" = hello ] || fail "the committed image's CMD and file"
    "$DCTL" run --rm $N bb:2 true 2>/dev/null; [ $? = 127 ] || fail "a deletion was not committed"
    "$DCTL" image inspect bb:2 | json 'j[0]["Author"], j[0]["Comment"], len(j[0]["RootFS"]["Layers"])' |
        grep -qx "('me', 'added greeting', 2)" || fail "commit's config: $("$DCTL" image inspect bb:2)"
    "$DCTL" history bb:2 | sed -n 2p | grep -q 'added greeting' || fail "history of the commit"
    before=$("$DCTL" images -a -q | wc -l)
    "$DCTL" commit nosuch x:1 2>"$T/err" && fail "commit of a missing container"
    grep -q 'No such container: nosuch' "$T/err" || fail "missing container: $(cat "$T/err")"
    "$DCTL" commit -c 'BOGUS x' cm x:2 2>"$T/err" && fail "commit with a bad change"
    [ "$("$DCTL" images -a -q | wc -l)" = "$before" ] || fail "a failed commit stored an image"
    "$DCTL" rm cm >/dev/null || fail "rm cm"
    "$DCTL" rmi bb:2 >/dev/null 2>"$T/err" || fail "rmi bb:2: $(cat "$T/err"); $("$DCTL" ps -a)"
}
commit_check
ok "diff, export (-o and stdout), commit: file added and deleted, CMD change, author and message; bad input stores nothing"

# ---- cp both ways, with escapes refused -----------------------------------------------
"$DCTL" run --name cpc $N bb:1 sh -c 'echo hello >/greeting; mkdir -p /srv/x; echo y >/srv/x/f' ||
    fail "cpc"
mkdir -p "$T/cp/into"
"$DCTL" cp cpc:/greeting "$T/cp/g" && [ "$(cat "$T/cp/g")" = hello ] || fail "cp a file out"
"$DCTL" cp cpc:/srv/x "$T/cp/xd" && [ "$(cat "$T/cp/xd/f")" = y ] || fail "cp a dir out, renamed"
"$DCTL" cp cpc:/srv/x "$T/cp/into" && [ "$(cat "$T/cp/into/x/f")" = y ] || fail "cp into a dir"
[ "$("$DCTL" cp cpc:/greeting - | tar -t)" = greeting ] || fail "cp to stdout"
echo local >"$T/cp/local.txt"
"$DCTL" cp "$T/cp/local.txt" cpc:/srv/ && "$DCTL" cp "$T/cp/local.txt" cpc:/srv/renamed.txt ||
    fail "cp in"
"$DCTL" diff cpc >"$T/diff"
grep -qx 'A /srv/local.txt' "$T/diff" && grep -qx 'A /srv/renamed.txt' "$T/diff" ||
    fail "cp in: $(cat "$T/diff")"
"$DCTL" cp cpc:/nope "$T/cp/n" 2>"$T/err" && fail "cp of a missing path"
grep -q 'Could not find the file /nope in container cpc' "$T/err" && [ ! -e "$T/cp/n" ] ||
    fail "missing path: $(cat "$T/err")"
python3 - "$T/cp/evil.tar" <<'PY'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w")
for name in ("../../../../../../tmp/dctl-cp-escape", "/tmp/dctl-cp-escape-abs"):
    i = tarfile.TarInfo(name); i.size = 6; t.addfile(i, io.BytesIO(b"pwned\n"))
l = tarfile.TarInfo("up"); l.type = tarfile.SYMTYPE; l.linkname = "/tmp"; t.addfile(l)
i = tarfile.TarInfo("up/dctl-cp-escape-link"); i.size = 6; t.addfile(i, io.BytesIO(b"pwned\n"))
t.close()
PY
rm -f /tmp/dctl-cp-escape /tmp/dctl-cp-escape-abs /tmp/dctl-cp-escape-link
"$DCTL" cp - cpc:/srv <"$T/cp/evil.tar" 2>"$T/err" && fail "an escaping tar was accepted"
grep -q 'outside' "$T/err" || fail "escape refused without a clear error: $(cat "$T/err")"
[ ! -e /tmp/dctl-cp-escape ] && [ ! -e /tmp/dctl-cp-escape-abs ] &&
    [ ! -e /tmp/dctl-cp-escape-link ] || fail "a file landed outside the container"
"$DCTL" rm cpc >/dev/null
ok "cp out (file, dir renamed, into a dir, to stdout) and in; a missing path; escaping tars refused"

# cp under bind mounts: the mount's source, not the layer under it; a file bind by its
# name in the container; a read-only bind and a read-only root refused
mkdir -p "$T/bind/d" "$T/bind/ro"
echo from-host >"$T/bind/d/h"
echo conf >"$T/bind/f.conf"
"$DCTL" create --name cpb $N -v "$T/bind/d:/mnt/d" -v "$T/bind/f.conf:/etc/app.conf" \
    -v "$T/bind/ro:/mnt/ro:ro" bb:1 true >/dev/null || fail "create cpb"
"$DCTL" cp cpb:/mnt/d/h "$T/cp/h" && [ "$(cat "$T/cp/h")" = from-host ] || fail "cp out of a bind"
"$DCTL" cp cpb:/mnt/d/../d/./h "$T/cp/h2" && [ "$(cat "$T/cp/h2")" = from-host ] ||
    fail "cp out of a bind, path with .. and ."
"$DCTL" cp cpb:/etc/app.conf "$T/cp/" && [ "$(cat "$T/cp/app.conf")" = conf ] ||
    fail "cp of a file bind: $(ls "$T/cp")"
"$DCTL" cp "$T/cp/local.txt" cpb:/mnt/d/ && [ "$(cat "$T/bind/d/local.txt")" = local ] ||
    fail "cp into a bind did not reach its source"
"$DCTL" cp "$T/cp/local.txt" cpb:/mnt/ro/ 2>"$T/err" && fail "cp into a read-only bind"
grep -q 'mounted volume is marked read-only' "$T/err" && [ ! -e "$T/bind/ro/local.txt" ] ||
    fail "read-only bind: $(cat "$T/err")"
"$DCTL" rm cpb >/dev/null
"$DCTL" create --name cpr $N --read-only -v "$T/bind/d:/mnt/d" bb:1 true >/dev/null || fail "create cpr"
"$DCTL" cp "$T/cp/local.txt" cpr:/ 2>"$T/err" && fail "cp into a read-only root"
grep -q 'container rootfs is marked read-only' "$T/err" || fail "read-only root: $(cat "$T/err")"
rm -f "$T/bind/d/local.txt"
"$DCTL" cp "$T/cp/local.txt" cpr:/mnt/d/ && [ -f "$T/bind/d/local.txt" ] || fail "cp into a bind of a read-only root"
"$DCTL" rm cpr >/dev/null
ok "cp under bind mounts: their sources both ways, a file bind, read-only bind and root refused"

# ---- run -it through tmux ----------------------------------------------------------------
if ! command -v tmux >/dev/null; then
    echo "# skip run -it: tmux is not installed (scripts/setup.sh installs it)"
else
    TM="dctl-test-$$"
    trap 'rc=$?; tmux kill-session -t "$TM" 2>/dev/null; (exit $rc); cleanup' EXIT
    dctl_abs=$(cd "$(dirname "$DCTL")" && pwd)/$(basename "$DCTL")
    tmux new-session -d -s "$TM" -x 100 -y 30 \
        "DCTL_HOST=$DCTL_HOST $dctl_abs run -it --name tty1 $N bb:1 sh 2>$T/run.err; echo rc=\\$? >>$T/run.err"
    screen() { tmux capture-pane -p -t "$TM"; }
    for _ in $(seq 50); do screen | grep -q '# *$' && break; sleep 0.1; done
    screen | grep -q '# *$' || fail "no prompt: $(screen)"
    tmux send-keys -t "$TM" 'stty size' Enter
    for _ in $(seq 50); do screen | grep -q '^30 100' && break; sleep 0.1; done
    screen | grep -q '^30 100' || fail "stty size: $(screen)"
    tmux resize-window -t "$TM" -x 90 -y 25 2>/dev/null || tmux resize-pane -t "$TM" -x 90 -y 25
    sleep 0.3
    tmux send-keys -t "$TM" 'stty size' Enter
    for _ in $(seq 50); do screen | grep -q '^25 90' && break; sleep 0.1; done
    screen | grep -q '^25 90' || fail "stty size after a resize: $(screen); $(cat "$T/run.err"); $(tail -5 "$LOG")"
    tmux send-keys -t "$TM" C-p C-q
    for _ in $(seq 50); do tmux has-session -t "$TM" 2>/dev/null || break; sleep 0.1; done
    tmux has-session -t "$TM" 2>/dev/null && fail "ctrl-p ctrl-q did not detach: $(screen)"
    [ "$("$DCTL" ps --format '{{.Names}}')" = tty1 ] || fail "detached container not running"
    "$DCTL" rm -f tty1 >/dev/null
    ok "run -it: prompt, window size and its change, ctrl-p ctrl-q detaches"
fi
[ "$(count)" = 0 ] || fail "containers left"
