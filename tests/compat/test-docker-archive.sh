#!/bin/bash
# tests/compat/test-docker-archive.sh - the real docker CLI's docker save and docker load
# against dctld, with the vfs and the overlay storage drivers: docker save -o, docker
# load -i (same image ID and layers back), docker save | docker load through a pipe,
# docker save of several images, a missing image (Docker's message, no file), and a bad
# archive refused by docker load. Skipped when no docker CLI is installed.
. "$top_srcdir/tests/integration/lib.sh"

need_docker_cli
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"

# docker CMD...: the CLI with a bound on its run time; output in $T/out, $T/err
docker() {
    timeout 60 "$DOCKER" "$@" >"$T/out" 2>"$T/err"
}

mkdir -p "$T/rootfs/bin"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh ls cat echo; do ln -s busybox "$T/rootfs/bin/$c"; done
tar -C "$T/rootfs" --numeric-owner -cf "$T/busybox.tar" .
mkdir -p "$T/rootfs2/etc"
echo hello >"$T/rootfs2/etc/motd"
tar -C "$T/rootfs2" --numeric-owner -cf "$T/motd.tar" .

inspect() {
    docker image inspect --format '{{.Id}} {{json .RootFS.Layers}} {{json .RepoTags}}' "$1" ||
        fail "$DRV: inspect $1: $(cat "$T/err")"
    cat "$T/out"
}

for DRV in vfs overlay; do
    rm -rf "$DATA_ROOT" "$EXEC_ROOT"
    dctld_start --storage-driver "$DRV"
    if [ "$(api GET /info | json 'j["Driver"]')" != "$DRV" ]; then
        echo "# $DRV cannot work on $DATA_ROOT here; skipped"
        dctld_stop
        continue
    fi
    docker import -c 'CMD ["sh"]' "$T/busybox.tar" bb:1 || fail "$DRV: docker import: $(cat "$T/err")"
    docker import "$T/motd.tar" motd:latest || fail "$DRV: docker import motd: $(cat "$T/err")"
    docker tag bb:1 team/bb:2 || fail "$DRV: docker tag: $(cat "$T/err")"
    before=$(inspect bb:1)

    docker save -o "$T/bb.tar" bb:1 team/bb:2 || fail "$DRV: docker save -o: $(cat "$T/err")"
    tar -tf "$T/bb.tar" | grep -qx manifest.json && tar -tf "$T/bb.tar" | grep -qx index.json ||
        fail "$DRV: docker save -o wrote no archive"
    docker rmi bb:1 team/bb:2 || fail "$DRV: docker rmi: $(cat "$T/err")"
    docker load -i "$T/bb.tar" || fail "$DRV: docker load -i: $(cat "$T/err")"
    grep -qx "Loaded image: bb:1" "$T/out" && grep -qx "Loaded image: team/bb:2" "$T/out" ||
        fail "$DRV: docker load said: $(cat "$T/out")"
    [ "$(inspect bb:1)" = "$before" ] || fail "$DRV: round trip: $before -> $(inspect bb:1)"
    ok "$DRV: docker save -o, docker rmi, docker load -i: same ID, layers and tags"

    motd=$(inspect motd:latest)
    timeout 60 "$DOCKER" save bb:1 motd | timeout 60 "$DOCKER" load >"$T/piped" 2>&1 ||
        fail "$DRV: docker save | docker load: $(cat "$T/piped")"
    grep -qx "Loaded image: motd:latest" "$T/piped" && grep -qx "Loaded image: bb:1" "$T/piped" ||
        fail "$DRV: piped load said: $(cat "$T/piped")"
    [ "$(inspect motd:latest)" = "$motd" ] || fail "$DRV: piped round trip changed motd"
    # and into an empty store: everything from the pipe's archive
    timeout 60 "$DOCKER" save -o "$T/two.tar" bb:1 motd || fail "$DRV: save two"
    docker rmi bb:1 team/bb:2 motd:latest || fail "$DRV: rmi all: $(cat "$T/err")"
    timeout 60 "$DOCKER" load <"$T/two.tar" >"$T/piped" 2>&1 || fail "$DRV: load from stdin: $(cat "$T/piped")"
    [ "$(inspect motd:latest)" = "$motd" ] && [ "$(inspect bb:1 | cut -d' ' -f1-2)" = "$(echo "$before" | cut -d' ' -f1-2)" ] ||
        fail "$DRV: stdin round trip changed the images"
    ok "$DRV: docker save | docker load of two images; docker load from stdin into an empty store"

    docker save -o "$T/never.tar" nosuch:tag && fail "$DRV: docker save of a missing image succeeded"
    grep -q "No such image: nosuch:tag" "$T/err" && [ ! -e "$T/never.tar" ] ||
        fail "$DRV: docker save nosuch: $(cat "$T/err")"
    head -c 3000 "$T/bb.tar" >"$T/cut.tar"
    docker load -i "$T/cut.tar" && fail "$DRV: docker load of a truncated archive succeeded"
    grep -q "invalid archive" "$T/err" || fail "$DRV: truncated: $(cat "$T/err")"
    ok "$DRV: docker save of a missing image and docker load of a truncated archive fail with the cause"
    dctld_stop
done
