#!/bin/bash
# tests/compat/test-docker-images.sh - the real docker CLI's image commands against
# dctld (vfs storage driver): docker import (plain and from stdin, with -c and -m),
# docker images (with filters and --digests/-q), docker image inspect, docker tag,
# docker history, docker rmi (untag, conflict, force), docker image prune -f and
# -a -f, docker system df. Skipped when no docker CLI is installed.
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
DIFF="sha256:$(sha256sum "$T/busybox.tar" | cut -d' ' -f1)"

dctld_start --storage-driver vfs

docker import -c 'CMD ["sh"]' -c 'ENV PATH=/bin' -m "first import" "$T/busybox.tar" bb:1 ||
    fail "docker import: $(cat "$T/err")"
ID=$(tail -n 1 "$T/out")
[[ $ID == sha256:* ]] || fail "docker import printed: $(cat "$T/out")"
docker import - bb:stdin <"$T/busybox.tar" || fail "docker import -: $(cat "$T/err")"
ID2=$(tail -n 1 "$T/out")
docker image inspect bb:1 || fail "docker image inspect: $(cat "$T/err")"
[ "$(json '[j[0]["Id"], j[0]["RootFS"]["Layers"], j[0]["Config"]["Cmd"], j[0]["Config"]["Env"], j[0]["Comment"]]' <"$T/out")" = \
    "[\"$ID\", [\"$DIFF\"], [\"sh\"], [\"PATH=/bin\"], \"first import\"]" ] || fail "inspect: $(cat "$T/out")"
docker image inspect --format '{{.Os}} {{index .RepoTags 0}}' bb:1 && [ "$(cat "$T/out")" = "linux bb:1" ] ||
    fail "inspect --format: $(cat "$T/out") $(cat "$T/err")"
ok "docker import (file, stdin, -c, -m) and docker image inspect"

docker tag bb:1 example.com/team/bb:v2 || fail "docker tag: $(cat "$T/err")"
docker images --format '{{.Repository}}:{{.Tag}} {{.ID}}' || fail "docker images: $(cat "$T/err")"
[ "$(sort "$T/out")" = "$(printf 'bb:1 %s\nbb:stdin %s\nexample.com/team/bb:v2 %s' "${ID:7:12}" "${ID2:7:12}" "${ID:7:12}" | sort)" ] ||
    fail "docker images: $(cat "$T/out")"
docker images -q --no-trunc --filter reference='example.com/*/*' && [ "$(cat "$T/out")" = "$ID" ] ||
    fail "docker images --filter reference: $(cat "$T/out") $(cat "$T/err")"
docker images --digests || fail "docker images --digests: $(cat "$T/err")"
docker tag nosuch:1 x:1 && fail "docker tag of a missing image succeeded"
grep -q "No such image: nosuch:1" "$T/err" || fail "docker tag error: $(cat "$T/err")"
docker history bb:1 || fail "docker history: $(cat "$T/err")"
grep -q "first import" "$T/out" || fail "docker history: $(cat "$T/out")"
ok "docker tag, docker images (--format, -q, --filter, --digests), docker history"

docker rmi "${ID:7:12}" && fail "docker rmi of an ID in two repositories succeeded"
grep -q "must be forced" "$T/err" || fail "docker rmi conflict: $(cat "$T/err")"
docker rmi example.com/team/bb:v2 || fail "docker rmi (untag): $(cat "$T/err")"
grep -q "Untagged: example.com/team/bb:v2" "$T/out" || fail "untag output: $(cat "$T/out")"
docker rmi bb:1 || fail "docker rmi: $(cat "$T/err")"
grep -q "Deleted: $ID" "$T/out" || fail "delete output: $(cat "$T/out")"
docker rmi nosuch && fail "docker rmi nosuch succeeded"
grep -q "No such image: nosuch:latest" "$T/err" || fail "docker rmi nosuch: $(cat "$T/err")"
ok "docker rmi: conflict, untag, delete, missing image"

docker import "$T/busybox.tar" || fail "docker import without a name: $(cat "$T/err")"
DANGLING=$(tail -n 1 "$T/out")
docker image prune -f || fail "docker image prune -f: $(cat "$T/err")"
grep -q "deleted: $DANGLING" "$T/out" || fail "prune output: $(cat "$T/out")"
docker system df || fail "docker system df: $(cat "$T/err")"
grep -Eq '^Images +1 ' "$T/out" || fail "docker system df: $(cat "$T/out")"
docker image prune -a -f || fail "docker image prune -a -f: $(cat "$T/err")"
grep -q "Total reclaimed space" "$T/out" || fail "prune -a output: $(cat "$T/out")"
docker images -q && [ ! -s "$T/out" ] || fail "images left after prune -a: $(cat "$T/out")"
ok "docker image prune -f, -a -f and docker system df"
