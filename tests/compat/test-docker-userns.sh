#!/bin/bash
# tests/compat/test-docker-userns.sh - the real docker CLI against a dctld with
# --userns-remap default (private passwd/group/subuid/subgid via $DCTL_USERNS_ETC):
# docker info shows the userns security option and the remapped root dir; docker run
# gets the subordinate range in /proc/self/uid_map, --userns=host the identity map;
# docker inspect shows HostConfig.UsernsMode; --network host without --userns=host
# is refused in dockerd's words and leaves no container; docker export keeps the
# image's owners. Skipped without the docker CLI.
. "$top_srcdir/tests/integration/lib.sh"

need_docker_cli
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
[ -x "$DCTL_SHIM" ] || fail "dctl-shim not built: $DCTL_SHIM"
unshare --user --map-root-user true 2>/dev/null || skip "cannot create user namespaces here"

docker() {
    timeout 60 "$DOCKER" "$@" >"$T/out" 2>"$T/err"
}

mkdir -p "$T/etc" "$T/rootfs/bin" "$T/rootfs/etc" "$T/rootfs/home/u"
cp /etc/passwd /etc/group "$T/etc/"
export DCTL_USERNS_ETC="$T/etc"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh cat true stat; do ln -s busybox "$T/rootfs/bin/$c"; done
echo "root:x:0:0:root:/root:/bin/sh" >"$T/rootfs/etc/passwd"
echo hi >"$T/rootfs/home/u/f"
chown -R 1000:1000 "$T/rootfs/home/u"
tar -C "$T/rootfs" --numeric-owner -cf "$T/busybox.tar" .
chmod 0711 "$T"

dctld_start --userns-remap default
docker info || fail "docker info: $(cat "$T/err")"
grep -q '^  userns$' "$T/out" || fail "docker info: no userns security option: $(cat "$T/out")"
grep -q "Docker Root Dir: $DATA_ROOT/100000.100000\$" "$T/out" || fail "docker info: root dir"
ok "docker info: Security Options userns, Docker Root Dir $DATA_ROOT/100000.100000"

docker import "$T/busybox.tar" bb || fail "docker import: $(cat "$T/err")"
docker run --rm --network none bb sh -c 'cat /proc/self/uid_map; stat -c %u /home/u/f' ||
    fail "docker run: $(cat "$T/err")"
[ "$(cat "$T/out")" = "$(printf '%10s %10s %10s\n1000' 0 100000 65536)" ] || fail "docker run: $(cat "$T/out")"
docker run --rm --userns=host --network none bb cat /proc/self/uid_map || fail "--userns=host: $(cat "$T/err")"
[ "$(cat "$T/out")" = "$(printf '%10s %10s %10s' 0 0 4294967295)" ] || fail "--userns=host: $(cat "$T/out")"
docker create --name hostns --userns=host --network none bb true || fail "create: $(cat "$T/err")"
docker inspect -f '{{.HostConfig.UsernsMode}}' hostns && [ "$(cat "$T/out")" = host ] ||
    fail "inspect UsernsMode: $(cat "$T/out")"
ok "docker run: the subordinate range inside, --userns=host the identity map, UsernsMode in inspect"

docker run --rm --network host bb true && fail "--network host with a user namespace"
grep -q "cannot share the host's network namespace when user namespaces are enabled" "$T/err" ||
    fail "--network host: $(cat "$T/err")"
docker ps -aq && [ "$(wc -l <"$T/out")" = 1 ] || fail "a refused run left a container: $(cat "$T/out")"
docker export hostns || fail "docker export: $(cat "$T/err")"
tar -tv --numeric-owner -f "$T/out" | grep -q ' 1000/1000 .* home/u/f$' || fail "export owners"
docker rm hostns || fail "rm"
ok "--network host refused in dockerd's words, nothing left; docker export keeps the owners"
