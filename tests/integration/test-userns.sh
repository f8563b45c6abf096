#!/bin/bash
# tests/integration/test-userns.sh - dctld --userns-remap with real containers, on
# private copies of passwd and group ($DCTL_USERNS_ETC under the temp dir: the host's
# /etc is never written): bad settings, and a data root the remapped root cannot
# reach, stop dctld at start with dockerd's message and leave nothing; `default` makes
# the dctl user and its ranges once; the remapped data root and /info; image layers
# stored shifted into the range and seen unshifted inside; id 0 inside with the
# subordinate range in /proc/self/uid_map; a file made inside owned by the remapped
# root in the RW layer; --userns=host with the identity map; export, commit + save and
# docker cp with the original owners; dockerd's refusals (host network, --privileged,
# a bad UsernsMode, a layer owner outside the range) leaving no container or layer;
# a restart of the remapping daemon; an exec in the container's user namespace.
. "$top_srcdir/tests/integration/lib.sh"
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
[ -x "$DCTL_SHIM" ] || fail "dctl-shim not built: $DCTL_SHIM"
unshare --user --map-root-user true 2>/dev/null || skip "cannot create user namespaces here"

host_sums() { md5sum /etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/subuid /etc/subgid 2>/dev/null; }
HOST_SUMS=$(host_sums)

ETC="$T/etc"
mkdir -p "$ETC"
cp /etc/passwd /etc/group "$ETC/"
export DCTL_USERNS_ETC="$ETC"

# the image: busybox, a home owned by 1000, a setuid file owned by 0
mkdir -p "$T/rootfs/bin" "$T/rootfs/etc" "$T/rootfs/home/u"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh ls cat echo true id stat touch mkdir chown sleep; do
    ln -s busybox "$T/rootfs/bin/$c"
done
printf 'root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000::/home/u:/bin/sh\n' >"$T/rootfs/etc/passwd"
printf 'root:x:0:\nu:x:1000:\n' >"$T/rootfs/etc/group"
echo mine >"$T/rootfs/home/u/f"
chown -R 1000:1000 "$T/rootfs/home/u"
tar -C "$T/rootfs" --numeric-owner -cf "$T/bb.tar" .
BB_DIFF=$(sha256sum "$T/bb.tar" | cut -d' ' -f1)
mkdir -p "$T/far/x"
echo far >"$T/far/x/f"
chown 70000:70000 "$T/far/x/f"
tar -C "$T/far" --numeric-owner -cf "$T/far.tar" .

# ---- bad settings: dctld exits 1 naming the problem, and makes nothing -------------
bad_start() { # bad_start MESSAGE [FLAGS...]
    local rc msg=$1
    shift
    timeout 20 "$DCTLD" -H "unix://$T/bad.sock" --data-root "$T/bad-data" \
        --exec-root "$T/bad-exec" --pidfile "$T/bad.pid" --driver-dir "$DRIVER_DIR" \
        --config-file "$CONFIG" "$@" >"$T/bad.log" 2>&1
    rc=$?
    [ $rc = 1 ] || fail "$*: dctld exited $rc, want 1: $(cat "$T/bad.log")"
    # the log line is logfmt: its quotes come escaped
    grep -qF "${msg//\"/\\\"}" "$T/bad.log" || fail "$*: no '$msg' in: $(cat "$T/bad.log")"
    [ ! -e "$T/bad-data" ] && [ ! -e "$T/bad-exec" ] && [ ! -e "$T/bad.pid" ] &&
        [ ! -e "$T/bad.sock" ] || fail "$* left files behind: $(ls "$T")"
}
echo '{}' >"$CONFIG"
cp "$ETC/passwd" "$T/passwd.before"
bad_start 'Error during uid lookup for "nosuchuser"' --userns-remap nosuchuser
bad_start 'Invalid user/group specification in --userns-remap: "a:b:c"' --userns-remap a:b:c
bad_start 'Error during groupname lookup for "nosuchgroup"' --userns-remap root:nosuchgroup
bad_start 'no subuid ranges found for user "nobody"' --userns-remap nobody:nogroup
cmp -s "$ETC/passwd" "$T/passwd.before" || fail "a bad setting changed passwd"
[ ! -e "$ETC/subuid" ] || fail "a bad setting made subuid"
echo '{"userns-remap": "nosuchuser"}' >"$CONFIG"
bad_start 'Error during uid lookup for "nosuchuser"'
echo '{}' >"$CONFIG"
ok "bad --userns-remap settings: exit 1 with dockerd's message, nothing made"

# $T is mode 0700 (mktemp): the remapped root could not reach its files
chmod 0700 "$T"
bad_start 'a subdirectory in your graphroot path' --userns-remap default
# `default` made the user and its ranges before the path was found wanting
grep -q '^dctl:x:[0-9]*:[0-9]*:' "$ETC/passwd" || fail "default made no dctl user"
grep -q '^dctl:x:[0-9]*:' "$ETC/group" || fail "default made no dctl group"
[ "$(cat "$ETC/subuid")" = "dctl:100000:65536" ] || fail "subuid: $(cat "$ETC/subuid")"
[ "$(cat "$ETC/subgid")" = "dctl:100000:65536" ] || fail "subgid: $(cat "$ETC/subgid")"
ok "a data root the remapped root cannot reach: refused; default made dctl and its ranges"

# ---- a remapping dctld ------------------------------------------------------------
chmod 0711 "$T"
cp "$ETC/passwd" "$T/passwd.made"
dctld_start --userns-remap default
cmp -s "$ETC/passwd" "$T/passwd.made" || fail "a second start changed passwd"
[ "$(grep -c '^dctl:' "$ETC/subuid")" = 1 ] || fail "ranges given twice: $(cat "$ETC/subuid")"
R=100000
ROOT="$DATA_ROOT/$R.$R"
[ -d "$ROOT" ] || fail "no remapped data root $ROOT"
[ "$(stat -c '%a %u:%g' "$ROOT")" = "710 0:$R" ] || fail "remapped root: $(stat -c '%a %u:%g' "$ROOT")"
[ "$(stat -c %a "$DATA_ROOT")" = 711 ] || fail "data root mode $(stat -c %a "$DATA_ROOT")"
api GET /info >"$T/info"
[ "$(json 'j["DockerRootDir"]' <"$T/info")" = "$ROOT" ] || fail "DockerRootDir: $(cat "$T/info")"
[ "$(json '"name=userns" in j["SecurityOptions"]' <"$T/info")" = True ] ||
    fail "no name=userns in SecurityOptions: $(json 'j["SecurityOptions"]' <"$T/info")"
ok "dctld --userns-remap default: data root $ROOT (0710 root:$R), name=userns in /info"

export DCTL_HOST="unix://$SOCK"
N="--network none"
"$DCTL" import "$T/bb.tar" bb:1 >/dev/null || fail "import"
f=$(find "$ROOT/storage" -path '*/home/u/f' -not -path '*/merged/*' | head -1)
[ -n "$f" ] || fail "the layer's home/u/f not found under $ROOT/storage"
[ "$(stat -c %u:%g "$f")" = "$((R + 1000)):$((R + 1000))" ] || fail "layer file owner $(stat -c %u:%g "$f")"
b=$(find "$ROOT/storage" -path '*/bin/busybox' -not -path '*/merged/*' | head -1)
[ "$(stat -c %u:%g "$b")" = "$R:$R" ] || fail "layer busybox owner $(stat -c %u:%g "$b")"
ok "image layers stored with owners shifted into the range ($R+)"

out=$("$DCTL" run --rm $N bb:1 sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map;
    stat -c %u:%g /home/u/f /bin/busybox')
want=$(printf '0\n0\n%10s %10s %10s\n%10s %10s %10s\n1000:1000\n0:0' 0 $R 65536 0 $R 65536)
[ "$out" = "$want" ] || fail "inside: got
$out
want
$want"
ok "inside: id 0, /proc/self/uid_map and gid_map show $R 65536, layer files owned as in the image"

"$DCTL" run --name c1 $N bb:1 sh -c 'echo made >/made && mkdir /dir && chown 1000:1000 /dir &&
    echo renamed >/etc/hostname && cat /etc/hostname && touch /home/u/f' >"$T/out" ||
    fail "writing in the container: $(cat "$T/out")"
[ "$(cat "$T/out")" = renamed ] || fail "/etc/hostname not writable: $(cat "$T/out")"
made=$(find "$ROOT/storage" -name made -not -path '*/merged/*' | head -1)
[ -n "$made" ] || fail "/made not found in the RW layer"
[ "$(stat -c %u:%g "$made")" = "$R:$R" ] || fail "/made on the host: $(stat -c %u:%g "$made")"
d=$(dirname "$made")/dir
[ "$(stat -c %u:%g "$d")" = "$((R + 1000)):$((R + 1000))" ] || fail "/dir on the host: $(stat -c %u:%g "$d")"
[ "$(stat -c %u:%g "$DATA_ROOT/$R.$R/containers/$("$DCTL" inspect -f '{{.Id}}' c1)/hostname")" = "$R:$R" ] ||
    fail "the container's hostname file is not its root's"
"$DCTL" run --rm $N -v "$T/made/by/dctld:/vol" bb:1 sh -c 'touch /vol/f && stat -c %u /vol/f' >"$T/out" ||
    fail "a bind source made by dctld is not the container root's: $(cat "$T/out")"
[ "$(cat "$T/out")" = 0 ] && [ "$(stat -c %u:%g "$T/made" "$T/made/by/dctld" | sort -u)" = "$R:$R" ] ||
    fail "bind source owners: $(stat -c '%n %u:%g' "$T/made" "$T/made/by" "$T/made/by/dctld")"
ok "files made inside owned by $R (and $((R + 1000))) in the RW layer; /etc/hostname writable; missing bind sources made owned by $R"

out=$("$DCTL" run --rm --userns host $N bb:1 sh -c 'cat /proc/self/uid_map; stat -c %u /bin/busybox')
want=$(printf '%10s %10s %10s\n%s' 0 0 4294967295 $R)
[ "$out" = "$want" ] || fail "--userns=host: got
$out
want
$want"
id=$("$DCTL" create --userns host $N bb:1 true) || fail "create --userns host"
[ "$("$DCTL" inspect -f '{{.HostConfig.UsernsMode}}' "$id")" = host ] || fail "UsernsMode not host"
[ "$("$DCTL" inspect -f 'x{{.HostConfig.UsernsMode}}x' c1)" = xx ] || fail "UsernsMode not empty"
"$DCTL" rm "$id" >/dev/null
ok "--userns=host: the identity map, the remapped storage (busybox owned by $R), UsernsMode in inspect"

# ---- out of the container with the original owners ---------------------------------
"$DCTL" export c1 | tar -tv --numeric-owner -f - >"$T/export" || fail "export"
grep -qE '^-rw-r--r-- 0/0 .* made$' "$T/export" || fail "export: /made: $(grep made "$T/export")"
grep -qE '^d[rwx-]+ 1000/1000 .* dir/$' "$T/export" || fail "export: /dir: $(grep ' dir/$' "$T/export")"
grep -qE '1000/1000 .* home/u/f$' "$T/export" || fail "export: home/u/f"
grep -qE '0/0 .* bin/busybox$' "$T/export" || fail "export: bin/busybox"
"$DCTL" commit c1 bb:c1 >/dev/null || fail "commit"
mkdir "$T/saved"
"$DCTL" save bb:c1 | tar -C "$T/saved" -xf - || fail "save"
[ -f "$T/saved/blobs/sha256/$BB_DIFF" ] || fail "save: the imported layer is not byte for byte the imported tar"
top=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))[0]; print(m["Layers"][-1])' \
    "$T/saved/manifest.json")
tar -tv --numeric-owner -f "$T/saved/$top" >"$T/committed"
grep -qE '0/0 .* made$' "$T/committed" || fail "committed layer: $(cat "$T/committed")"
grep -qE '1000/1000 .* dir/$' "$T/committed" || fail "committed layer: $(cat "$T/committed")"
out=$("$DCTL" run --rm $N bb:c1 stat -c %u:%g /made /dir)
[ "$out" = "$(printf '0:0\n1000:1000')" ] || fail "the committed image inside: $out"
ok "export, commit + save: original owners (0, 1000); the image's layer saved as imported"

echo copied >"$T/cpf"
chown 4321:4321 "$T/cpf"
"$DCTL" cp "$T/cpf" c1:/cpf || fail "cp into the container"
c=$(find "$ROOT/storage" -name cpf -not -path '*/merged/*' | head -1)
[ "$(stat -c %u:%g "$c")" = "$((R + 4321)):$((R + 4321))" ] || fail "cp in: owner $(stat -c %u:%g "$c")"
"$DCTL" cp c1:/cpf - | tar -tv --numeric-owner -f - | grep -q ' 4321/4321 ' || fail "cp out: owners"
ok "docker cp in and out through the map (4321 <-> $((R + 4321)))"

# ---- refusals: an error in dockerd's words, and nothing left -------------------------
count() { "$DCTL" ps -a -q | wc -l; }
dirs() { ls "$ROOT/containers" | wc -l; }
before=$(count)
before_dirs=$(dirs)
"$DCTL" run --rm --network host bb:1 true 2>"$T/err" && fail "host network with a user namespace"
grep -q "cannot share the host's network namespace when user namespaces are enabled" "$T/err" ||
    fail "host network: $(cat "$T/err")"
"$DCTL" run --rm $N --pid host bb:1 true 2>"$T/err" && fail "host PID namespace"
grep -q "cannot share the host PID namespace when user namespaces are enabled" "$T/err" ||
    fail "host pid: $(cat "$T/err")"
expect_status 400 POST /containers/create -H 'Content-Type: application/json' \
    -d '{"Image": "bb:1", "Cmd": ["true"], "HostConfig": {"NetworkMode": "none", "Privileged": true}}'
grep -q "privileged mode is incompatible with user namespaces" "$T/body" || fail "privileged: $(cat "$T/body")"
expect_status 400 POST /containers/create -H 'Content-Type: application/json' \
    -d '{"Image": "bb:1", "Cmd": ["true"], "HostConfig": {"NetworkMode": "none", "UsernsMode": "foo"}}'
grep -q "invalid USER mode: foo" "$T/body" || fail "UsernsMode foo: $(cat "$T/body")"
"$DCTL" run --rm --userns foo $N bb:1 true 2>"$T/err" && fail "dctl --userns foo"
grep -q -- "--userns: invalid USER mode" "$T/err" || fail "dctl --userns foo: $(cat "$T/err")"
[ "$(count)" = "$before" ] && [ "$(dirs)" = "$before_dirs" ] || fail "a refused create left a container"
# the host network is fine once the container opts out
"$DCTL" run --rm --network host --userns host bb:1 true || fail "--network host --userns host"
ok "refused: host network, host PID, privileged, UsernsMode foo; nothing left behind"

layers() { find "$ROOT/image" -mindepth 4 -maxdepth 4 -path '*/layerdb/sha256/*' | wc -l; }
before=$(layers)
"$DCTL" import "$T/far.tar" far:1 2>"$T/err" && fail "import of a layer owned by 70000"
grep -q "Container ID 70000 cannot be mapped to a host ID" "$T/err" || fail "far import: $(cat "$T/err")"
[ "$(layers)" = "$before" ] || fail "the refused layer was kept"
[ -z "$(ls -A "$ROOT/image/"*/layerdb/tmp 2>/dev/null)" ] || fail "layerdb/tmp left: $(ls "$ROOT/image/"*/layerdb/tmp)"
"$DCTL" image inspect far:1 >/dev/null 2>&1 && fail "far:1 exists"
ok "a layer owner outside the range: dockerd's message, no layer, no image"

# ---- a restart keeps the remapped state ----------------------------------------------
"$DCTL" run -d --name long $N bb:1 sleep 300 >/dev/null || fail "run -d"
dctld_stop
dctld_start --userns-remap default
[ "$("$DCTL" inspect -f '{{.State.Running}}' long)" = true ] || fail "the container did not survive the restart"
"$DCTL" run --rm $N bb:c1 cat /made | grep -q made || fail "the committed image after the restart"
# an exec joins the container's user namespace first, then the namespaces it owns
out=$("$DCTL" exec long sh -c 'id -u; cat /proc/self/uid_map; touch /by-exec; stat -c %u /by-exec')
[ "$out" = "$(printf '0\n%10s %10s %10s\n0' 0 $R 65536)" ] || fail "exec: $out"
[ "$("$DCTL" exec -u 1000 long id -u)" = 1000 ] || fail "exec -u 1000"
e=$(find "$ROOT/storage" -name by-exec -not -path '*/merged/*' | head -1)
[ "$(stat -c %u "$e")" = "$R" ] || fail "exec: /by-exec on the host: $(stat -c %u "$e")"
"$DCTL" rm -f long c1 >/dev/null || fail "rm"
[ "$(grep -c '^dctl:' "$ETC/subuid")" = 1 ] || fail "ranges given twice"
ok "restart: containers and images kept, nothing made twice; exec in the user namespace"

# ---- the vfs storage driver: copies, not overlay mounts, the same shifting ------------
dctld_stop
dctld_start --userns-remap default --storage-driver vfs
"$DCTL" import "$T/bb.tar" bb:1 >/dev/null || fail "import on vfs"
out=$("$DCTL" run --name v1 $N bb:1 sh -c 'cat /proc/self/uid_map; stat -c %u:%g /home/u/f; touch /v')
[ "$out" = "$(printf '%10s %10s %10s\n1000:1000' 0 $R 65536)" ] || fail "vfs: inside: $out"
v=$(find "$ROOT/storage/vfs" -name v -maxdepth 3 | head -1)
[ "$(stat -c %u:%g "$v")" = "$R:$R" ] || fail "vfs: /v on the host: $(stat -c %u:%g "$v")"
"$DCTL" rm v1 >/dev/null
ok "vfs: the same map inside, the same owners on the host"

dctld_stop
[ "$(host_sums)" = "$HOST_SUMS" ] || fail "the host's passwd, group or subordinate ID files changed"
ok "the host's /etc untouched"
