#!/bin/bash
# tests/compat/test-docker-native.sh - the real docker CLI against dctld running real
# containers (the native exec driver and dctl-shim), on overlay and on vfs: docker run
# --rm echo hi, an isolated hostname and PID 1, docker diff, export and cp, docker
# commit (with -c, -m, -a) and a run of the committed image, docker inspect of its
# config and its history, and a commit of a missing container refused with nothing
# stored. Skipped without the docker CLI.
. "$top_srcdir/tests/integration/lib.sh"

need_docker_cli
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
[ -x "$DCTL_SHIM" ] || fail "dctl-shim not built: $DCTL_SHIM"

docker() {
    timeout 60 "$DOCKER" "$@" >"$T/out" 2>"$T/err"
}

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh ls cat echo true hostname ps; do ln -s busybox "$T/rootfs/bin/$c"; done
echo "root:x:0:0:root:/root:/bin/sh" >"$T/rootfs/etc/passwd"
tar -C "$T/rootfs" --numeric-owner -cf "$T/busybox.tar" .

for drv in overlay vfs; do
    dctld_start --storage-driver "$drv"
    docker import "$T/busybox.tar" bb || fail "$drv: docker import: $(cat "$T/err")"
    docker run --rm --network none bb echo hi || fail "$drv: run: $(cat "$T/err")"
    [ "$(cat "$T/out")" = hi ] || fail "$drv: docker run --rm echo hi printed $(cat "$T/out")"
    docker run --rm --network none -h box bb sh -c 'echo $(hostname) $$'
    [ "$(cat "$T/out")" = "box 1" ] || fail "$drv: hostname and PID 1: $(cat "$T/out")"
    ok "$drv: docker run --rm echo hi; own hostname and PID namespace"

    docker run --name c1 --network none bb sh -c 'echo made >/made' || fail "$drv: run c1"
    docker diff c1
    grep -qx 'A /made' "$T/out" || fail "$drv: docker diff: $(cat "$T/out")"
    docker export -o "$T/c1.tar" c1 || fail "$drv: docker export: $(cat "$T/err")"
    [ "$(tar -xOf "$T/c1.tar" made)" = made ] || fail "$drv: the export lacks /made"
    echo local >"$T/local.txt"
    docker cp "$T/local.txt" c1:/copied.txt || fail "$drv: docker cp in: $(cat "$T/err")"
    docker cp c1:/copied.txt "$T/back.txt" || fail "$drv: docker cp out: $(cat "$T/err")"
    [ "$(cat "$T/back.txt")" = local ] || fail "$drv: docker cp round trip"
    rm -f "$T/back.txt"
    docker cp c1:/nope "$T/back.txt" && fail "$drv: docker cp of a missing path"
    grep -q 'Could not find the file /nope' "$T/err" || fail "$drv: $(cat "$T/err")"
    docker commit -a tester -m note -c 'CMD ["cat","/made"]' c1 bb:2 ||
        fail "$drv: commit: $(cat "$T/err")"
    docker run --rm --network none bb:2
    [ "$(cat "$T/out")" = made ] || fail "$drv: the committed image: $(cat "$T/out") $(cat "$T/err")"
    docker inspect -f '{{.Author}}|{{.Comment}}|{{json .Config.Cmd}}|{{len .RootFS.Layers}}' bb:2
    [ "$(cat "$T/out")" = 'tester|note|["cat","/made"]|2' ] || fail "$drv: inspect: $(cat "$T/out")"
    docker history -q bb:2
    [ "$(wc -l <"$T/out")" = 2 ] || fail "$drv: history: $(cat "$T/out")"
    docker images -q
    before=$(wc -l <"$T/out")
    docker commit nosuch x:1 && fail "$drv: commit of a missing container"
    grep -q 'No such container: nosuch' "$T/err" || fail "$drv: $(cat "$T/err")"
    docker images -q
    [ "$(wc -l <"$T/out")" = "$before" ] || fail "$drv: a failed commit stored an image"
    docker rm c1 && docker rmi bb:2 || fail "$drv: cleanup: $(cat "$T/err")"
    ok "$drv: docker diff, export, cp both ways, commit -a -m -c, run the new image, inspect, history; missing container"
    dctld_stop
    grep -F " $T/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do
        umount -l "$m"; done
    rm -rf "$DATA_ROOT" "$EXEC_ROOT"
done
