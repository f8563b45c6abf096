#!/bin/bash
# tests/integration/test-images.sh - images end to end, once with the vfs storage
# driver and once with overlay (skipped, saying why, where overlay cannot work):
# import of a busybox rootfs tar (diff ID = sha256 of the tar, image ID = sha256 of
# the config bytes on disk), changes applied to the config, inspect, history, tag,
# listing and its filters, the shared-layer case (one layer, two images, removed with
# the last), rmi untag versus delete and its conflict, prune, a restart keeping
# everything, and bad input (hostile tars, bad references, missing images, bad
# changes) answered with Docker's errors and leaving nothing stored.
. "$top_srcdir/tests/integration/lib.sh"
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"

# a busybox rootfs: /bin/busybox and a few links
mkdir -p "$T/rootfs/bin" "$T/rootfs/etc"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh ls cat echo true; do ln -s busybox "$T/rootfs/bin/$c"; done
echo "root:x:0:0:root:/root:/bin/sh" >"$T/rootfs/etc/passwd"
tar -C "$T/rootfs" --numeric-owner -cf "$T/busybox.tar" .
gzip -c "$T/busybox.tar" >"$T/busybox.tar.gz"
TAR_DIGEST="sha256:$(sha256sum "$T/busybox.tar" | cut -d' ' -f1)"

# hostile tars: a ../ entry, and a symlink leading out followed by a file through it
python3 - "$T" <<'EOF'
import io, sys, tarfile
t = sys.argv[1]
def add(tf, name, data=b"x", **kw):
    ti = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(ti, k, v)
    if ti.type == tarfile.REGTYPE:
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
    else:
        tf.addfile(ti)
with tarfile.open(t + "/dotdot.tar", "w", format=tarfile.GNU_FORMAT) as tf:
    add(tf, "ok.txt")
    add(tf, "../../../../escaped-dotdot", b"pwned")
with tarfile.open(t + "/symlink.tar", "w", format=tarfile.GNU_FORMAT) as tf:
    add(tf, "link", type=tarfile.SYMTYPE, linkname=t + "/outside")
    add(tf, "link/escaped-symlink", b"pwned")
EOF
mkdir -p "$T/outside"
printf 'this is not a tar archive at all\n%.0s' $(seq 100) >"$T/garbage.tar"

# import FILE QUERY: POST /images/create?fromSrc=-&QUERY with FILE as the body
import() {
    api POST "/v1.43/images/create?fromSrc=-&$2" --data-binary "@$1" \
        -H 'Content-Type: application/x-tar'
}

# what the stores hold: layerdb entries, layerdb/tmp entries, driver layers, configs
store_state() {
    local img="$DATA_ROOT/image/$DRV" layers
    case $DRV in
    vfs) layers=$(ls "$DATA_ROOT/storage/vfs/dir" 2>/dev/null | wc -l) ;;
    overlay) layers=$(ls "$DATA_ROOT/storage/overlay" 2>/dev/null | grep -vx l | wc -l) ;;
    esac
    echo "layerdb=$(ls "$img/layerdb/sha256" | wc -l) tmp=$(ls "$img/layerdb/tmp" | wc -l)" \
        "driver=$layers configs=$(ls "$img/imagedb/content/sha256" | wc -l)" \
        "refs=$(python3 -c 'import json,sys; print(sum(len(v) for v in json.load(open(sys.argv[1]))["Repositories"].values()))' "$img/repositories.json" 2>/dev/null || echo 0)"
}

# expect_error STATUS MESSAGE-SUBSTRING (of the last api call)
expect_error() {
    [ "$(status)" = "$1" ] || fail "status $(status), want $1: $(cat "$T/body")"
    json 'j["message"]' <"$T/body" | grep -qF -- "$2" || fail "message $(cat "$T/body"), want '$2'"
}

suite() {
    DRV=$1
    rm -rf "$DATA_ROOT" "$EXEC_ROOT"
    dctld_start --storage-driver "$DRV"
    if [ "$(api GET /info | json 'j["Driver"]')" != "$DRV" ] ||
        api GET /info | json 'j["Warnings"]' | grep -q "failed to start"; then
        [ "$DRV" = overlay ] || fail "$DRV did not start: $(api GET /info | json 'j["Warnings"]')"
        OVERLAY_OK=
        echo "# overlay cannot work on $DATA_ROOT here: $(api GET /info | json 'j["DriverStatus"]')"
        dctld_stop
        return 0
    fi
    api GET /info | json 'j["Images"]' | grep -qx 0 || fail "Images not 0"
    empty=$(store_state)

    # --- bad input first: each error leaves the stores as they were
    for f in dotdot symlink garbage; do
        import "$T/$f.tar" "repo=evil&tag=$f" >/dev/null
        [ "$(status)" = 400 ] || fail "$DRV: $f.tar: status $(status): $(cat "$T/body")"
        [ "$(store_state)" = "$empty" ] || fail "$DRV: $f.tar left $(store_state), want $empty"
    done
    json 'j["message"]' <"$T/body" | grep -q "Unrecognized archive format" || fail "garbage message: $(cat "$T/body")"
    import "$T/dotdot.tar" "" >/dev/null
    json 'j["message"]' <"$T/body" | grep -q "escaped-dotdot" || fail "dotdot message: $(cat "$T/body")"
    import "$T/symlink.tar" "" >/dev/null
    json 'j["message"]' <"$T/body" | grep -q "escaped-symlink" || fail "symlink message: $(cat "$T/body")"
    [ ! -e "$T/outside/escaped-symlink" ] && [ ! -e /escaped-dotdot ] &&
        ! find "$T" -name escaped-dotdot | grep -q . ||
        fail "a hostile entry was written outside the layer"
    import "$T/busybox.tar" "repo=team/Name" >/dev/null
    expect_error 400 "invalid reference format: repository name (team/Name) must be lowercase"
    import "$T/busybox.tar" "repo=bb&tag=bad:tag" >/dev/null
    expect_error 400 "invalid tag format"
    import "$T/busybox.tar" "changes=RUN%20true" >/dev/null
    expect_error 400 "run is not a valid change command"
    import "$T/busybox.tar" "changes=EXPOSE%20nope" >/dev/null
    expect_error 400 "invalid containerPort: nope"
    [ "$(store_state)" = "$empty" ] || fail "$DRV: bad requests left $(store_state)"
    api GET /info | json 'j["Images"]' | grep -qx 0 || fail "Images after errors"
    ok "$DRV: hostile tars, garbage, bad references and changes: 400, Docker's messages, nothing stored"

    # --- import
    out=$(import "$T/busybox.tar" "repo=busybox&tag=one&message=hello&changes=CMD%20%5B%22sh%22%2C%22-c%22%2C%22echo%20hi%22%5D&changes=ENV%20A%3D1%20B%3D2&changes=WORKDIR%20%2Fsrv&changes=EXPOSE%2080%2053%2Fudp&changes=LABEL%20team%3Dcore&changes=USER%20nobody&changes=ENTRYPOINT%20%2Fbin%2Fsh")
    [ "$(status)" = 200 ] || fail "$DRV: import status $(status): $out"
    ID=$(echo "$out" | tail -n 1 | json 'j["status"]')
    [[ $ID == sha256:* ]] || fail "import reply: $out"
    config="$DATA_ROOT/image/$DRV/imagedb/content/sha256/${ID#sha256:}"
    [ "sha256:$(sha256sum "$config" | cut -d' ' -f1)" = "$ID" ] || fail "ID is not the config's sha256"
    insp=$(api GET /v1.43/images/busybox:one/json)
    [ "$(echo "$insp" | json 'j["Id"]')" = "$ID" ] || fail "inspect Id: $insp"
    [ "$(echo "$insp" | json 'j["RootFS"]')" = "{\"Type\": \"layers\", \"Layers\": [\"$TAR_DIGEST\"]}" ] ||
        fail "RootFS: $(echo "$insp" | json 'j["RootFS"]') want $TAR_DIGEST"
    [ "$(echo "$insp" | json '[j["RepoTags"], j["RepoDigests"], j["Comment"], j["Os"], j["Parent"]]')" = \
        '[["busybox:one"], [], "hello", "linux", ""]' ] || fail "inspect: $insp"
    [ "$(echo "$insp" | json '[j["Config"][k] for k in ("Cmd", "Env", "WorkingDir", "ExposedPorts", "Labels", "User", "Entrypoint")]')" = \
        '[["sh", "-c", "echo hi"], ["A=1", "B=2"], "/srv", {"80/tcp": {}, "53/udp": {}}, {"team": "core"}, "nobody", ["/bin/sh", "-c", "/bin/sh"]]' ] ||
        fail "changes: $(echo "$insp" | json 'j["Config"]')"
    size=$(echo "$insp" | json 'j["Size"]')
    [ "$size" -ge "$(stat -c %s /bin/busybox)" ] || fail "Size $size"
    [ "$(echo "$insp" | json 'j["GraphDriver"]["Name"]')" = "$DRV" ] || fail "GraphDriver"
    echo "$insp" | json 'j["Metadata"]["LastTagTime"]' | grep -q '^20' || fail "LastTagTime"
    chain=${TAR_DIGEST#sha256:}
    [ "$(cat "$DATA_ROOT/image/$DRV/layerdb/sha256/$chain/diff")" = "$TAR_DIGEST" ] ||
        fail "layerdb entry of the chain ID"
    ok "$DRV: import: ID is the config's sha256, diff ID the tar's, changes in Config"

    # --- the same tar, gzipped, as a second image: one layer, shared
    out=$(import "$T/busybox.tar.gz" "repo=other&message=second")
    ID2=$(echo "$out" | tail -n 1 | json 'j["status"]')
    [ "$ID2" != "$ID" ] || fail "second image has the same ID"
    [ "$(api GET "/v1.43/images/$ID2/json" | json 'j["RootFS"]["Layers"]')" = "[\"$TAR_DIGEST\"]" ] ||
        fail "gzipped import diff ID"
    [ "$(ls "$DATA_ROOT/image/$DRV/layerdb/sha256" | wc -l)" = 1 ] || fail "shared layer stored twice: $(store_state)"
    list=$(api GET '/v1.43/images/json?shared-size=1')
    [ "$(echo "$list" | json '[len(j), j[0]["SharedSize"] == j[0]["Size"], j[0]["Id"]]')" = "[2, true, \"$ID2\"]" ] ||
        fail "list with shared-size: $list"
    api GET /info | json 'j["Images"]' | grep -qx 2 || fail "Images in /info"
    [ "$(api GET /v1.43/system/df | json '[len(j["Images"]), j["Images"][0]["Containers"]]')" = "[2, 0]" ] ||
        fail "/system/df images"
    ok "$DRV: the same layer in two images is stored once; SharedSize, /info, /system/df"

    # --- tag, list filters, history
    expect_status 201 POST "/v1.43/images/busybox:one/tag?repo=localhost:5000/team/bb&tag=v1"
    expect_status 201 POST "/v1.43/images/${ID#sha256:}/tag?repo=busybox"
    api POST "/v1.43/images/nosuch/tag?repo=x" >/dev/null
    expect_error 404 "No such image: nosuch:latest"
    api POST "/v1.43/images/busybox:one/tag?repo=UPPER" >/dev/null
    expect_error 400 "invalid reference format"
    api POST "/v1.43/images/busybox:one/tag?repo=sha256&tag=x" >/dev/null
    expect_error 400 "refusing to create an ambiguous tag using digest algorithm as name"
    [ "$(api GET /v1.43/images/busybox/json | json 'sorted(j["RepoTags"])')" = \
        '["busybox:latest", "busybox:one", "localhost:5000/team/bb:v1"]' ] || fail "RepoTags after tag"
    filt() { api GET "/v1.43/images/json" -G --data-urlencode "filters=$1" | json '[i["Id"] for i in j]'; }
    [ "$(filt '{"reference":["busybox"]}')" = "[\"$ID\"]" ] || fail "reference=busybox: $(filt '{"reference":["busybox"]}')"
    [ "$(api GET /v1.43/images/json -G --data-urlencode 'filters={"reference":["localhost:5000/*/*"]}' | json 'j[0]["RepoTags"]')" = \
        '["localhost:5000/team/bb:v1"]' ] || fail "reference pattern keeps only matching tags"
    [ "$(filt '{"label":["team=core"]}')" = "[\"$ID\"]" ] || fail "label filter"
    [ "$(filt '{"label":["team=other"]}')" = "[]" ] || fail "label filter, no match"
    [ "$(filt '{"dangling":["true"]}')" = "[]" ] || fail "dangling=true"
    [ "$(filt "{\"before\":[\"other\"]}")" = "[\"$ID\"]" ] || fail "before=other"
    [ "$(filt "{\"since\":[\"busybox:one\"]}")" = "[\"$ID2\"]" ] || fail "since=busybox:one"
    api GET /v1.43/images/json -G --data-urlencode 'filters={"bogus":["1"]}' >/dev/null
    expect_error 400 "invalid filter 'bogus'"
    api GET /v1.43/images/json -G --data-urlencode 'filters={"before":["nosuch"]}' >/dev/null
    expect_error 404 "No such image: nosuch:latest"
    hist=$(api GET /v1.43/images/busybox:one/history)
    [ "$(echo "$hist" | json '[len(j), j[0]["Id"], j[0]["Comment"], j[0]["Size"] > 0, sorted(j[0]["Tags"])]')" = \
        "[1, \"$ID\", \"hello\", true, [\"busybox:latest\", \"busybox:one\", \"localhost:5000/team/bb:v1\"]]" ] ||
        fail "history: $hist"
    api GET /v1.43/images/nosuch:1/history >/dev/null
    expect_error 404 "No such image: nosuch:1"
    api GET /v1.43/images/nosuch/json >/dev/null
    expect_error 404 "No such image: nosuch:latest"
    ok "$DRV: tag (201, 404, 400s), list filters (reference, label, dangling, before, since), history"

    # --- restart keeps everything
    before=$(api GET '/v1.43/images/json?shared-size=1')
    dctld_stop
    dctld_start --storage-driver "$DRV"
    [ "$(api GET '/v1.43/images/json?shared-size=1')" = "$before" ] || fail "images changed across a restart"
    ok "$DRV: a restart keeps images, tags and layers"

    # --- rmi: untag versus delete
    api DELETE "/v1.43/images/${ID#sha256:}" >/dev/null
    expect_error 409 "conflict: unable to delete ${ID:7:12} (must be forced) - image is referenced in multiple repositories"
    [ "$(api DELETE /v1.43/images/busybox:one)" = '[{"Untagged":"busybox:one"}]' ] || fail "untag: $(cat "$T/body")"
    [ "$(api DELETE /v1.43/images/localhost:5000/team/bb:v1)" = '[{"Untagged":"localhost:5000/team/bb:v1"}]' ] ||
        fail "untag 2: $(cat "$T/body")"
    # the last tag: untagged and deleted; the layer stays (the other image holds it)
    [ "$(api DELETE /v1.43/images/busybox)" = "[{\"Untagged\":\"busybox:latest\"},{\"Deleted\":\"$ID\"}]" ] ||
        fail "delete: $(cat "$T/body")"
    [ ! -e "$config" ] || fail "config left after delete"
    [ "$(ls "$DATA_ROOT/image/$DRV/layerdb/sha256" | wc -l)" = 1 ] || fail "shared layer removed with the first image"
    api DELETE /v1.43/images/busybox >/dev/null
    expect_error 404 "No such image: busybox:latest"
    api DELETE /v1.43/images/other:latest >/dev/null
    [ "$(cat "$T/body")" = "[{\"Untagged\":\"other:latest\"},{\"Deleted\":\"$ID2\"},{\"Deleted\":\"$TAR_DIGEST\"}]" ] ||
        fail "delete of the last image: $(cat "$T/body")"
    [ "$(store_state)" = "$empty" ] || fail "$DRV: after the last rmi: $(store_state), want $empty"
    ok "$DRV: rmi: conflict for an ID in several repositories, untag, delete, the layer goes with its last image"

    # --- prune: dangling images only by default, then all with dangling=false
    ID3=$(import "$T/busybox.tar" "" | json 'j["status"]')
    ID4=$(import "$T/busybox.tar" "repo=kept&changes=LABEL%20keep%3Dyes" | json 'j["status"]')
    [ "$(api GET /v1.43/images/json -G --data-urlencode 'filters={"dangling":["true"]}' | json '[i["Id"] for i in j]')" = "[\"$ID3\"]" ] ||
        fail "dangling list"
    pr=$(api POST /v1.43/images/prune)
    [ "$(echo "$pr" | json '[j["ImagesDeleted"], j["SpaceReclaimed"]]')" = "[[{\"Deleted\": \"$ID3\"}], 0]" ] ||
        fail "prune: $pr"
    pr=$(api POST /v1.43/images/prune -G --data-urlencode 'filters={"dangling":["false"],"label!":["keep=yes"]}')
    [ "$(echo "$pr" | json 'j["ImagesDeleted"]')" = None ] || fail "prune label!: $pr"
    api POST /v1.43/images/prune -G --data-urlencode 'filters={"bogus":["x"]}' >/dev/null
    expect_error 400 "invalid filter 'bogus'"
    pr=$(api POST /v1.43/images/prune -G --data-urlencode 'filters={"dangling":["false"]}')
    [ "$(echo "$pr" | json '[j["ImagesDeleted"], j["SpaceReclaimed"] > 0]')" = \
        "[[{\"Untagged\": \"kept:latest\"}, {\"Deleted\": \"$ID4\"}, {\"Deleted\": \"$TAR_DIGEST\"}], true]" ] ||
        fail "prune dangling=false: $pr"
    [ "$(store_state)" = "$empty" ] || fail "$DRV: after prune: $(store_state)"
    ok "$DRV: prune: dangling by default, label!, dangling=false, SpaceReclaimed"

    # --- concurrent imports of one layer: both succeed, the layer is stored once
    pids=
    for r in p1 p2 p3; do
        timeout 60 curl -s --unix-socket "$SOCK" -X POST --data-binary "@$T/busybox.tar" \
            -o "$T/par-$r" -w '%{http_code}' "http://d/v1.43/images/create?fromSrc=-&repo=$r&message=$r" \
            >"$T/par-$r.status" &
        pids="$pids $!"
    done
    wait $pids   # not dctld, also a child of this shell
    for r in p1 p2 p3; do
        [ "$(cat "$T/par-$r.status")" = 200 ] || fail "parallel import $r: $(cat "$T/par-$r")"
    done
    [ "$(ls "$DATA_ROOT/image/$DRV/layerdb/sha256" | wc -l)" = 1 ] &&
        [ "$(ls "$DATA_ROOT/image/$DRV/layerdb/tmp" | wc -l)" = 0 ] || fail "parallel imports: $(store_state)"
    for r in p1 p2 p3; do expect_status 200 DELETE "/v1.43/images/$r"; done
    [ "$(store_state)" = "$empty" ] || fail "$DRV: after parallel imports and rmi: $(store_state)"
    ok "$DRV: three concurrent imports of one tar: one layer, removed with the last image"

    # --- events of all that
    ev=$(curl -s --unix-socket "$SOCK" -G "http://d/v1.43/events" --data-urlencode "since=0" \
        --data-urlencode "until=$(date +%s)" --data-urlencode 'filters={"type":["image"]}' |
        python3 -c 'import json,sys; print(" ".join(sorted(set(json.loads(l)["Action"] for l in sys.stdin if l.strip()))))')
    [ "$ev" = "delete import prune tag untag" ] || fail "image events: $ev"
    ok "$DRV: import, tag, untag, delete and prune events"

    # --- a crash mid-registration leaves a tmp entry and a driver layer: a restart removes them
    dctld_stop
    junk=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    mkdir -p "$DATA_ROOT/image/$DRV/layerdb/tmp/write-$junk"
    printf %s "$junk" >"$DATA_ROOT/image/$DRV/layerdb/tmp/write-$junk/cache-id"
    case $DRV in
    vfs) mkdir -p "$DATA_ROOT/storage/vfs/dir/$junk/half" ;;
    overlay) mkdir -p "$DATA_ROOT/storage/overlay/$junk/diff/half" ;;
    esac
    dctld_start --storage-driver "$DRV"
    [ "$(store_state)" = "$empty" ] || fail "$DRV: crash leftovers not removed: $(store_state)"
    grep -q "removing write-$junk left by an interrupted registration" "$LOG" || fail "no log of the clean-up"
    ok "$DRV: what an interrupted registration left is removed at start"
    dctld_stop
}

OVERLAY_OK=1
suite vfs
suite overlay
[ -n "$OVERLAY_OK" ] || { echo "# overlay unusable: the driver switch is not tested"; exit 0; }

# switching drivers keeps the other driver's images and warns
rm -rf "$DATA_ROOT"
dctld_start --storage-driver vfs
import "$T/busybox.tar" "repo=keepme" >/dev/null
[ "$(status)" = 200 ] || fail "import for the switch"
dctld_stop
dctld_start --storage-driver overlay
grep -q "image/vfs holds images of storage driver vfs; they are kept" "$LOG" || fail "no warning on a switch"
[ -s "$DATA_ROOT/image/vfs/repositories.json" ] && [ "$(ls "$DATA_ROOT/image/vfs/layerdb/sha256" | wc -l)" = 1 ] ||
    fail "vfs data touched by the switch"
dctld_stop
dctld_start --storage-driver vfs
api GET /v1.43/images/keepme/json >/dev/null
[ "$(status)" = 200 ] || fail "vfs image lost after switching back"
dctld_stop
ok "switching drivers keeps the other driver's data and warns"
