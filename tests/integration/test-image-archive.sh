#!/bin/bash
# tests/integration/test-image-archive.sh - docker save/load against dctld, once with the
# vfs storage driver and once with overlay: import -> tag -> save -> rmi -> load keeps the
# image ID and layer digests; a 3-layer docker-archive built here (upper layers delete,
# replace and make opaque) reads back right from the driver's layers; an OCI-layout-only
# archive loads; shared layers are stored once; save output checks against the image
# spec's layout (manifest.json, index.json, oci-layout, every blob's digest); a tag moves
# as dockerd moves it; load and save events; dctl load/save; and every bad archive
# (truncated, digest mismatch, missing or outside file, traversal, symlink escape,
# unsupported compression, wrong diff ID) is refused with its message, storing nothing.
. "$top_srcdir/tests/integration/lib.sh"
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
command -v python3 >/dev/null || skip "needs python3 to build the fixtures"

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc" "$T/fx" "$T/outside"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh ls cat; do ln -s busybox "$T/rootfs/bin/$c"; done
echo "root:x:0:0:root:/root:/bin/sh" >"$T/rootfs/etc/passwd"
tar -C "$T/rootfs" --numeric-owner -cf "$T/busybox.tar" .

# fixtures: docker-archives and OCI layouts, good and bad
python3 - "$T/fx" "$T/busybox.tar" "$T/outside" <<'EOF'
import gzip, hashlib, io, json, os, sys, tarfile
out, busybox, outside = sys.argv[1], open(sys.argv[2], "rb").read(), sys.argv[3]

def sha(b): return "sha256:" + hashlib.sha256(b).hexdigest()

def layer(entries):
    """entries: (name, kind, data) with kind f (file), d (dir), l (symlink), c (0/0 char dev)"""
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, kind, data in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = 1700000000
            if kind == "f":
                ti.size, ti.mode = len(data), 0o644
                tf.addfile(ti, io.BytesIO(data))
            elif kind == "d":
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                tf.addfile(ti)
            elif kind == "l":
                ti.type, ti.linkname = tarfile.SYMTYPE, data
                tf.addfile(ti)
    return bio.getvalue()

def config(diff_ids, cmd="sh"):
    return json.dumps({"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
                       "config": {"Cmd": [cmd]},
                       "rootfs": {"type": "layers", "diff_ids": diff_ids},
                       "history": [{"created": "2024-01-01T00:00:00Z"} for _ in diff_ids]},
                      separators=(",", ":")).encode()

def write_tar(path, files):
    """files: list of (name, bytes or ("l", target))"""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in files:
            ti = tarfile.TarInfo(name)
            if isinstance(data, tuple):
                ti.type, ti.linkname = tarfile.SYMTYPE, data[1]
                tf.addfile(ti)
            else:
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))

def docker_archive(path, layers, tags, cfg=None, layer_names=None, config_name=None, extra=()):
    """old dockerd layout: <n>/layer.tar, <id>.json, manifest.json"""
    diffs = [sha(l) for l in layers]
    cfg = cfg if cfg is not None else config(diffs)
    cid = hashlib.sha256(cfg).hexdigest()
    names = layer_names or ["%d/layer.tar" % i for i in range(len(layers))]
    files = [(config_name or cid + ".json", cfg)]
    files += [(n, l) for n, l in zip(names, layers) if not n.startswith(("..", "nowhere"))]
    files.append(("manifest.json", json.dumps([{"Config": config_name or cid + ".json",
                                                 "RepoTags": tags, "Layers": names}]).encode()))
    files += list(extra)
    write_tar(path, files)
    return "sha256:" + cid, diffs

base = layer([("bin", "d", b""), ("bin/busybox", "f", busybox), ("bin/sh", "l", "busybox"),
              ("bin/ls", "l", "busybox"), ("bin/cat", "l", "busybox"),
              ("data", "d", b""), ("data/keep", "f", b"keep\n"), ("data/del", "f", b"del\n"),
              ("data/replace", "f", b"v1\n"), ("data/opq", "d", b""),
              ("data/opq/a", "f", b"a\n"), ("data/opq/b", "f", b"b\n")])
mid = layer([("data", "d", b""), ("data/.wh.del", "f", b""), ("data/replace", "f", b"v2\n"),
             ("data/new", "f", b"new\n")])
top = layer([("data", "d", b""), ("data/.wh.new", "f", b""), ("data/opq", "d", b""),
             ("data/opq/.wh..wh..opq", "f", b""), ("data/opq/c", "f", b"c\n")])
ids = {}
ids["three"], d3 = docker_archive(out + "/three.tar", [base, mid, top], ["three:layers"])
# the base layer alone: shares its one layer with "three"
ids["base"], _ = docker_archive(out + "/base.tar", [base], ["three:base"], cfg=config([sha(base)], "base"))
# untagged
ids["untagged"], _ = docker_archive(out + "/untagged.tar", [base], [], cfg=config([sha(base)], "untagged"))
# another image claiming the tag three:layers
ids["mover"], _ = docker_archive(out + "/mover.tar", [base], ["three:layers"], cfg=config([sha(base)], "mover"))

# OCI layout only (index.json, oci-layout, blobs), gzip layer
gz = gzip.compress(busybox, mtime=0)
cfg = config([sha(busybox)], "oci")
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                             "digest": sha(cfg), "size": len(cfg)},
                  "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                              "digest": sha(gz), "size": len(gz)}]}).encode()
idx = json.dumps({"schemaVersion": 2, "manifests": [{
    "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(man), "size": len(man),
    "annotations": {"io.containerd.image.name": "docker.io/library/ocionly:v1",
                    "org.opencontainers.image.ref.name": "v1"}}]}).encode()
write_tar(out + "/oci.tar", [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", idx)] +
          [("blobs/sha256/" + sha(b)[7:], b) for b in (cfg, man, gz)])
ids["oci"] = sha(cfg)

# ---- bad archives
good = open(out + "/three.tar", "rb").read()
open(out + "/bad-truncated.tar", "wb").write(good[:len(good) // 2])
# a blob named by digest whose content is something else
bad_cfg = config([sha(base)], "digest")
write_tar(out + "/bad-digest.tar", [("blobs/sha256/" + sha(bad_cfg)[7:], bad_cfg + b" "),
    ("blobs/sha256/" + sha(base)[7:], base),
    ("manifest.json", json.dumps([{"Config": "blobs/sha256/" + sha(bad_cfg)[7:], "RepoTags": ["bad:digest"],
                                    "Layers": ["blobs/sha256/" + sha(base)[7:]]}]).encode())])
docker_archive(out + "/bad-missing.tar", [base], ["bad:missing"], layer_names=["nowhere/layer.tar"],
               cfg=config([sha(base)], "missing"))
docker_archive(out + "/bad-outside.tar", [base], ["bad:outside"], layer_names=["../../etc/passwd"],
               cfg=config([sha(base)], "outside"))
dotdot = layer([("ok.txt", "f", b"x"), ("../../../../escaped-dotdot", "f", b"pwned")])
docker_archive(out + "/bad-traversal.tar", [dotdot], ["bad:traversal"])
sym = layer([("link", "l", outside), ("link/escaped-symlink", "f", b"pwned")])
docker_archive(out + "/bad-symlink.tar", [sym], ["bad:symlink"])
lz4ish = b"\x04\x22\x4d\x18" + b"\x00" * 600
docker_archive(out + "/bad-compression.tar", [lz4ish], ["bad:compression"])
# a layer whose content is not the config's diff ID: found only once it is applied
docker_archive(out + "/bad-diffid.tar", [base, mid], ["bad:diffid"],
               cfg=config([sha(base), sha(top)], "diffid"))
json.dump(ids, open(out + "/ids.json", "w"))
EOF
id_of() { json "j[\"$1\"]" <"$T/fx/ids.json"; }

# load FILE [QUERY]: POST /images/load with FILE as the body
load() {
    api POST "/v1.43/images/load?${2:-}" --data-binary "@$1" -H 'Content-Type: application/x-tar'
}

# what the stores hold, and whether anything is left in data-root/tmp
store_state() {
    local img="$DATA_ROOT/image/$DRV" layers
    case $DRV in
    vfs) layers=$(ls "$DATA_ROOT/storage/vfs/dir" 2>/dev/null | wc -l) ;;
    overlay) layers=$(ls "$DATA_ROOT/storage/overlay" 2>/dev/null | grep -vx l | wc -l) ;;
    esac
    echo "layerdb=$(ls "$img/layerdb/sha256" | wc -l) tmp=$(ls "$img/layerdb/tmp" | wc -l)" \
        "driver=$layers configs=$(ls "$img/imagedb/content/sha256" | wc -l)" \
        "refs=$(python3 -c 'import json,sys; print(sum(len(v) for v in json.load(open(sys.argv[1]))["Repositories"].values()))' "$img/repositories.json" 2>/dev/null || echo 0)" \
        "spool=$(ls -A "$DATA_ROOT/tmp" | wc -l)"
}

# the cache ID of the top layer of image $1 (by its inspect RootFS.Layers)
top_cache() {
    local chain
    chain=$(api GET "/v1.43/images/$1/json" | python3 -c '
import hashlib, json, sys
c = None
for d in json.load(sys.stdin)["RootFS"]["Layers"]:
    c = d if c is None else "sha256:" + hashlib.sha256((c + " " + d).encode()).hexdigest()
print(c[7:])')
    cat "$DATA_ROOT/image/$DRV/layerdb/sha256/$chain/cache-id"
}

# view_image NAME DIR: makes DIR show image NAME's file system (read-only)
view_image() {
    local cache
    cache=$(top_cache "$1")
    case $DRV in
    vfs) ln -sfn "$DATA_ROOT/storage/vfs/dir/$cache" "$2" ;;
    overlay)
        mkdir -p "$2"
        (cd "$DATA_ROOT/storage/overlay" &&
            mount -t overlay overlay -o "ro,lowerdir=$cache/diff:$(cat "$cache/lower")" "$2") ||
            fail "mount the layers of $1"
        ;;
    esac
}

# check_layout FILE: the archive against the image spec and Docker's layout
check_layout() {
    rm -rf "$T/x" && mkdir "$T/x" && tar -C "$T/x" -xf "$1" || fail "save output is not a tar"
    python3 - "$T/x" <<'EOF' || fail "save output does not follow the layout"
import hashlib, json, os, sys
d = sys.argv[1]
def blob(dg, size=None):
    alg, hx = dg.split(":")
    p = os.path.join(d, "blobs", alg, hx)
    b = open(p, "rb").read()
    assert hashlib.sha256(b).hexdigest() == hx, "blob %s: content does not match" % dg
    assert size is None or size == len(b), "blob %s: size %d != %d" % (dg, len(b), size)
    return b
assert json.load(open(d + "/oci-layout")) == {"imageLayoutVersion": "1.0.0"}
for f in os.listdir(d + "/blobs/sha256"):
    blob("sha256:" + f)
idx = json.load(open(d + "/index.json"))
assert idx["schemaVersion"] == 2 and idx["manifests"], idx
for m in idx["manifests"]:
    man = json.loads(blob(m["digest"], m["size"]))
    assert man["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    cfg = json.loads(blob(man["config"]["digest"], man["config"]["size"]))
    diffs = [blob(l["digest"], l["size"]) and l["digest"] for l in man["layers"]]
    assert diffs == cfg["rootfs"]["diff_ids"], "layer digests are not the diff IDs"
for e in json.load(open(d + "/manifest.json")):
    cfg = json.loads(blob("sha256:" + os.path.basename(e["Config"])))
    assert e["Config"].startswith("blobs/sha256/")
    assert ["sha256:" + os.path.basename(l) for l in e["Layers"]] == cfg["rootfs"]["diff_ids"]
    for l in e["Layers"]:
        blob("sha256:" + os.path.basename(l))
json.load(open(d + "/repositories"))
EOF
}

suite() {
    DRV=$1
    rm -rf "$DATA_ROOT" "$EXEC_ROOT"
    dctld_start --storage-driver "$DRV"
    if [ "$(api GET /info | json 'j["Driver"]')" != "$DRV" ]; then
        [ "$DRV" = overlay ] || fail "$DRV did not start"
        echo "# overlay cannot work on $DATA_ROOT here: $(api GET /info | json 'j["DriverStatus"]')"
        dctld_stop
        return 0
    fi
    export DCTL_HOST="unix://$SOCK"
    empty=$(store_state)

    # --- bad archives: the message, and nothing stored
    for c in "truncated:invalid archive:" \
        "digest:digest mismatch for blobs/sha256/" \
        "missing:missing layer file \"nowhere/layer.tar\"" \
        "outside:layer path \"../../etc/passwd\" is outside the archive" \
        "traversal:escaped-dotdot" \
        "symlink:escaped-symlink" \
        "compression:unsupported compression" \
        "diffid:invalid diffID for layer 1"; do
        name=${c%%:*} msg=${c#*:}
        load "$T/fx/bad-$name.tar" >/dev/null
        [ "$(status)" = 400 ] || fail "$DRV: bad-$name: status $(status): $(cat "$T/body")"
        json 'j["message"]' <"$T/body" | grep -qF -- "$msg" ||
            fail "$DRV: bad-$name: message $(cat "$T/body"), want '$msg'"
        [ "$(store_state)" = "$empty" ] || fail "$DRV: bad-$name left $(store_state), want $empty"
    done
    [ ! -e "$T/outside/escaped-symlink" ] && [ ! -e /escaped-dotdot ] && [ ! -e /tmp/escaped-dotdot ] &&
        ! find "$T" -name escaped-dotdot | grep -q . ||
        fail "$DRV: a hostile entry was written outside the layer"
    # after output started (progress), the error is a JSON message in the stream
    out=$(load "$T/fx/bad-diffid.tar" quiet=0)
    [ "$(status)" = 200 ] || fail "$DRV: non-quiet bad-diffid: status $(status)"
    echo "$out" | grep -q '"status":"Loading layer"' || fail "$DRV: no progress before the error: $out"
    echo "$out" | tail -n 1 | json 'j["errorDetail"]["message"] + "|" + j["error"]' |
        grep -q "invalid diffID for layer 1.*|.*invalid diffID" || fail "$DRV: error line: $out"
    [ "$(store_state)" = "$empty" ] || fail "$DRV: non-quiet bad-diffid left $(store_state)"
    api GET /v1.43/images/json | json 'len(j)' | grep -qx 0 || fail "$DRV: images after bad loads"
    ok "$DRV: 8 kinds of bad archive: 400 with the cause (or an error line after progress), nothing stored"

    # --- import -> tag -> save -> rmi -> load: same ID and layers
    api POST "/v1.43/images/create?fromSrc=-&repo=busybox&tag=one" --data-binary "@$T/busybox.tar" >/dev/null
    [ "$(status)" = 200 ] || fail "$DRV: import"
    expect_status 201 POST "/v1.43/images/busybox:one/tag?repo=mine/bb&tag=two"
    before=$(api GET /v1.43/images/busybox:one/json | json '[j["Id"], j["RootFS"]["Layers"], sorted(j["RepoTags"])]')
    "$DCTL" save -o "$T/rt.tar" busybox:one mine/bb:two || fail "$DRV: dctl save"
    check_layout "$T/rt.tar"
    expect_status 200 DELETE /v1.43/images/busybox:one
    expect_status 200 DELETE /v1.43/images/mine/bb:two
    [ "$(store_state)" = "$empty" ] || fail "$DRV: rmi left $(store_state)"
    out=$("$DCTL" load -i "$T/rt.tar") || fail "$DRV: dctl load: $out"
    [ "$out" = "Loaded image: busybox:one
Loaded image: mine/bb:two" ] || fail "$DRV: dctl load said: $out"
    after=$(api GET /v1.43/images/busybox:one/json | json '[j["Id"], j["RootFS"]["Layers"], sorted(j["RepoTags"])]')
    [ "$before" = "$after" ] || fail "$DRV: round trip changed the image: $before -> $after"
    # and once more through a pipe, saving by ID: an untagged image
    id=$(echo "$after" | json 'j[0]')
    "$DCTL" save "${id#sha256:}" | "$DCTL" load >"$T/out" || fail "$DRV: save | load"
    [ "$(cat "$T/out")" = "Loaded image ID: $id" ] || fail "$DRV: save by ID | load: $(cat "$T/out")"
    ok "$DRV: import, tag, save, rmi, load: same ID, layers and tags; save by ID loads untagged"

    # --- 3 layers with deletions, replacements and an opaque directory
    out=$(load "$T/fx/three.tar" quiet=0)
    [ "$(status)" = 200 ] || fail "$DRV: three.tar: $out"
    [ "$(echo "$out" | grep -c '"Loading layer"')" -ge 3 ] || fail "$DRV: progress: $out"
    echo "$out" | tail -n 1 | json 'j["stream"]' | grep -qx "Loaded image: three:layers" || fail "$DRV: $out"
    [ "$(api GET /v1.43/images/three:layers/json | json 'j["Id"]')" = "$(id_of three)" ] || fail "$DRV: three ID"
    view_image three:layers "$T/view"
    [ "$(cat "$T/view/data/keep")" = keep ] && [ "$(cat "$T/view/data/replace")" = v2 ] &&
        [ ! -e "$T/view/data/del" ] && [ ! -e "$T/view/data/new" ] &&
        [ "$(ls "$T/view/data/opq")" = c ] && [ -f "$T/view/bin/busybox" ] ||
        fail "$DRV: the 3-layer image reads back wrong: $(cd "$T/view" && find data -printf '%p ')"
    [ "$DRV" = overlay ] && umount "$T/view"
    rm -f "$T/view"
    "$DCTL" save three:layers >"$T/three-saved.tar" || fail "$DRV: save three"
    check_layout "$T/three-saved.tar"
    tar -C "$T/x" -tf "$T/x/blobs/sha256/$(api GET /v1.43/images/three:layers/json | json 'j["RootFS"]["Layers"][2][7:]')" >"$T/list"
    grep -qx "data/opq/.wh..wh..opq" "$T/list" && grep -qx "data/.wh.new" "$T/list" ||
        fail "$DRV: the saved top layer lost its whiteouts: $(cat "$T/list")"
    ok "$DRV: a 3-layer archive with whiteouts, replaced files and an opaque dir reads back right; saved as loaded"

    # --- shared layers: stored once; loading again adds nothing
    nlayers() { ls "$DATA_ROOT/image/$DRV/layerdb/sha256" | wc -l; }
    n1=$(nlayers)
    out=$(load "$T/fx/base.tar" quiet=0)
    echo "$out" | grep -q "Loading layer" && fail "$DRV: a shared layer was loaded again: $out"
    echo "$out" | json 'j["stream"]' | grep -qx "Loaded image: three:base" || fail "$DRV: base: $out"
    [ "$(nlayers)" = "$n1" ] || fail "$DRV: the shared layer is stored twice: $(store_state)"
    out=$(load "$T/fx/three.tar" quiet=0)
    [ "$(status)" = 200 ] && [ "$(nlayers)" = "$n1" ] && ! echo "$out" | grep -q "Loading layer" ||
        fail "$DRV: loading the same archive twice added layers: $(store_state) $out"
    api GET '/v1.43/images/json?shared-size=1' |
        json '[i["SharedSize"] == i["Size"] for i in j if "three:base" in i["RepoTags"]]' |
        grep -qx '\[true\]' || fail "$DRV: the shared base layer is not counted as shared"
    ok "$DRV: a layer shared by two images is stored and loaded once"

    # --- OCI layout only, untagged, and a tag that moves
    out=$(load "$T/fx/oci.tar")
    echo "$out" | json 'j["stream"]' | grep -qx "Loaded image: ocionly:v1" || fail "$DRV: oci: $out"
    [ "$(api GET /v1.43/images/ocionly:v1/json | json 'j["Id"]')" = "$(id_of oci)" ] || fail "$DRV: oci ID"
    out=$(load "$T/fx/untagged.tar")
    echo "$out" | json 'j["stream"]' | grep -qx "Loaded image ID: $(id_of untagged)" || fail "$DRV: untagged: $out"
    out=$(load "$T/fx/mover.tar")
    echo "$out" | head -n 1 | json 'j["stream"]' |
        grep -qx "The image three:layers already exists, renaming the old one with ID $(id_of three) to empty string" ||
        fail "$DRV: moved tag: $out"
    [ "$(api GET /v1.43/images/three:layers/json | json 'j["Id"]')" = "$(id_of mover)" ] || fail "$DRV: tag did not move"
    api GET "/v1.43/images/$(id_of three)/json" | json 'j["RepoTags"]' | grep -qx '\[\]' || fail "$DRV: old image kept the tag"
    ok "$DRV: OCI layout only; untagged image; a tag moves to the loaded image as dockerd moves it"

    # --- GET /images/get?names=... with several names, shared layers written once
    api GET "/v1.43/images/get?names=three:base&names=ocionly:v1&names=$(id_of three)" >/dev/null
    [ "$(status)" = 200 ] || fail "$DRV: get names: $(status)"
    cp "$T/body" "$T/multi.tar"
    check_layout "$T/multi.tar"
    python3 - "$T/x" <<'EOF' || fail "$DRV: multi-image save: $(cat "$T/x/manifest.json")"
import json, sys
m = json.load(open(sys.argv[1] + "/manifest.json"))
assert len(m) == 3, m
assert sorted(t for e in m for t in e["RepoTags"]) == ["ocionly:v1", "three:base"], m
layers = [l for e in m for l in e["Layers"]]
assert len(set(layers)) == 4 and len(layers) == 5, layers   # the base layer twice, one blob
EOF
    api GET /v1.43/images/nosuch:tag/get >/dev/null
    [ "$(status)" = 404 ] && json 'j["message"]' <"$T/body" | grep -qx "No such image: nosuch:tag" ||
        fail "$DRV: missing image: $(status) $(cat "$T/body")"
    api GET "/v1.43/images/get?names=three:base&names=nosuch" >/dev/null
    [ "$(status)" = 404 ] && json 'j["message"]' <"$T/body" | grep -qx "No such image: nosuch:latest" ||
        fail "$DRV: missing among names: $(status) $(cat "$T/body")"
    "$DCTL" save -o "$T/never.tar" nosuch 2>"$T/err" && fail "$DRV: dctl save of a missing image succeeded"
    grep -q "No such image: nosuch:latest" "$T/err" && [ ! -e "$T/never.tar" ] &&
        ! ls -A "$T" | grep -q '^\.dctl-save' || fail "$DRV: dctl save left a file: $(cat "$T/err")"
    ok "$DRV: GET /images/get with several names; 404 with Docker's message; dctl save -o leaves no file"

    # --- events
    api GET "/v1.43/events?since=0&until=$(date +%s)&filters=%7B%22type%22%3A%5B%22image%22%5D%7D" >"$T/events"
    python3 - "$T/events" "$(id_of three)" <<'EOF' || fail "$DRV: events: $(cat "$T/events")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
load = [e for e in ev if e["Action"] == "load"]
save = [e for e in ev if e["Action"] == "save"]
assert any(e["Actor"]["ID"] == sys.argv[2] and e["Actor"]["Attributes"]["name"] == sys.argv[2]
           and e["Type"] == "image" for e in load), load
assert any(e["Actor"]["ID"] == sys.argv[2] for e in save), save
EOF
    ok "$DRV: load and save events with the image ID"

    # --- dctl: refuses a terminal, bad flags
    script -qec "$DCTL save busybox:one" /dev/null >"$T/tty" 2>&1 && fail "$DRV: save to a terminal"
    grep -q "cowardly refusing to save to a terminal" "$T/tty" || fail "$DRV: $(cat "$T/tty")"
    "$DCTL" save 2>"$T/err"; [ $? = 125 ] && grep -q 'requires at least 1 argument' "$T/err" || fail "$DRV: save without image"
    "$DCTL" load -i "$T/fx/bad-traversal.tar" 2>"$T/err" && fail "$DRV: dctl load of a bad archive"
    grep -q "escaped-dotdot" "$T/err" || fail "$DRV: dctl load error: $(cat "$T/err")"
    script -qec "$DCTL load -i $T/fx/three.tar" /dev/null >"$T/tty" 2>&1 || fail "$DRV: load on a terminal: $(cat "$T/tty")"
    grep -q "Loaded image: three:layers" "$T/tty" || fail "$DRV: load on a terminal: $(cat "$T/tty")"
    ok "$DRV: dctl save refuses a terminal and needs an image; dctl load reports the daemon's error"
    unset DCTL_HOST
    dctld_stop
}

suite vfs
suite overlay
