#!/bin/bash
# tests/compat/test-docker-security.sh - the real docker CLI's security flags against
# dctld with the native exec driver: docker run --cap-drop ALL (and --cap-add),
# --security-opt seccomp=unconfined, seccomp=profile.json (the CLI sends the file's
# JSON), no-new-privileges, --privileged, --read-only (with --tmpfs /tmp), --device
# /dev/null:/dev/mynull, --ulimit, docker info's security options, docker inspect, and
# the daemon's refusals as the CLI prints them. Skipped when no docker CLI is installed.
. "$top_srcdir/tests/integration/lib.sh"

need_docker_cli
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
PROBE="$top_builddir/tests/helpers/sysprobe"
[ -x "$PROBE" ] || fail "not built: $PROBE"

docker() {
    timeout 60 "$DOCKER" "$@" >"$T/out" 2>"$T/err"
}
drun() {
    docker run --rm --network none "$@" || fail "docker run $*: $(cat "$T/err")"
}

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc" "$T/rootfs/tmp"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh ls cat echo true grep touch tr mount ulimit; do ln -s busybox "$T/rootfs/bin/$c"; done
cp "$PROBE" "$T/rootfs/bin/sysprobe"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' \
    >"$T/rootfs/etc/passwd"
tar -C "$T/rootfs" --numeric-owner -cf "$T/busybox.tar" .

dctld_start
docker import "$T/busybox.tar" bb || fail "docker import: $(cat "$T/err")"

drun bb grep -E '^Cap(Eff|Bnd)' /proc/self/status
[ "$(tr -s '\t' ' ' <"$T/out")" = "CapEff: 00000000a80425fb
CapBnd: 00000000a80425fb" ] || fail "default capabilities: $(cat "$T/out")"
drun --cap-drop ALL bb grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status
[ "$(tr -s '\t' ' ' <"$T/out" | cut -d' ' -f2 | sort -u)" = 0000000000000000 ] ||
    fail "--cap-drop ALL: $(cat "$T/out")"
drun --cap-drop ALL --cap-add NET_BIND_SERVICE bb grep CapEff /proc/self/status
[ "$(tr -s '\t' ' ' <"$T/out")" = "CapEff: 0000000000000400" ] || fail "--cap-add: $(cat "$T/out")"
ok "docker run: default capabilities, --cap-drop ALL, --cap-add"

drun bb sysprobe keyctl unshare-user clone3
[ "$(cat "$T/out")" = "keyctl=EPERM
unshare-user=EPERM
clone3=ENOSYS" ] || fail "default seccomp: $(cat "$T/out")"
drun --security-opt seccomp=unconfined bb sysprobe keyctl unshare-user clone3
! grep -Eq '=(EPERM|ENOSYS)$' "$T/out" || fail "seccomp=unconfined: $(cat "$T/out")"
cat >"$T/profile.json" <<'EOF'
{
    "defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]
}
EOF
docker run --rm --network none --security-opt seccomp="$T/profile.json" bb sh -c 'mkdir /x'
grep -q "Operation not permitted" "$T/err" || fail "seccomp=profile.json: $(cat "$T/out") $(cat "$T/err")"
drun --security-opt seccomp="$T/profile.json" bb sysprobe keyctl
[ "$(cat "$T/out")" = keyctl=ok ] || fail "seccomp=profile.json replaces the default: $(cat "$T/out")"
drun --security-opt no-new-privileges bb grep NoNewPrivs /proc/self/status
[ "$(tr -s '\t' ' ' <"$T/out")" = "NoNewPrivs: 1" ] || fail "no-new-privileges: $(cat "$T/out")"
ok "docker run: the default seccomp profile, seccomp=unconfined, seccomp=profile.json, no-new-privileges"

drun --privileged bb sh -c 'grep Seccomp: /proc/self/status; sysprobe mount; ls /dev | grep -c .'
grep -q "^Seccomp:.0" "$T/out" && grep -qx mount=ok "$T/out" || fail "--privileged: $(cat "$T/out")"
[ "$(tail -1 "$T/out")" -gt 20 ] || fail "--privileged: only $(tail -1 "$T/out") entries in /dev"
docker run --rm --network none --read-only bb touch /x
grep -q "Read-only file system" "$T/err" || fail "--read-only: $(cat "$T/err")"
drun --read-only --tmpfs /tmp bb touch /tmp/x /dev/shm/x
drun --device /dev/null:/dev/mynull bb ls -l /dev/mynull
grep -Eq '^crw-rw-rw- .* 1, +3 .*/dev/mynull$' "$T/out" || fail "--device: $(cat "$T/out")"
drun --ulimit nofile=1024:2048 bb sh -c 'ulimit -n; ulimit -Hn'
[ "$(cat "$T/out")" = "1024
2048" ] || fail "--ulimit: $(cat "$T/out")"
ok "docker run: --privileged, --read-only (--tmpfs /tmp), --device /dev/null:/dev/mynull, --ulimit"

docker info --format '{{json .SecurityOptions}}'
grep -q 'name=seccomp,profile=builtin' "$T/out" || fail "docker info: $(cat "$T/out")"
docker create --name ins --network none --cap-add SYS_ADMIN --security-opt seccomp=unconfined \
    --device /dev/null:/dev/n2 --ulimit nproc=50 bb true || fail "create: $(cat "$T/err")"
docker inspect -f '{{json .HostConfig.CapAdd}} {{json .HostConfig.SecurityOpt}} {{len .HostConfig.Devices}} {{(index .HostConfig.Ulimits 0).Name}} {{len .HostConfig.MaskedPaths}}' ins
[ "$(cat "$T/out")" = '["CAP_SYS_ADMIN"] ["seccomp=unconfined"] 1 nproc 11' ] ||
    fail "docker inspect: $(cat "$T/out")"
docker rm ins || fail "rm ins"
ok "docker info's security options; docker inspect of the security settings"

docker ps -aq
[ -z "$(cat "$T/out")" ] || fail "containers before the bad input: $(cat "$T/out")"
refuse() {   # refuse WANT ARGS...
    local want=$1
    shift
    docker run --rm --network none "$@" bb true && fail "docker run $* was accepted"
    grep -qF -- "$want" "$T/err" || fail "docker run $*: $(cat "$T/err"), want $want"
    docker ps -aq
    [ -z "$(cat "$T/out")" ] || fail "docker run $*: a container is left"
}
refuse 'invalid CapAdd: unknown capability: "CAP_NOPE"' --cap-add NOPE
echo '{"defaultAction": "SCMP_ACT_NOPE"}' >"$T/bad.json"
refuse 'string SCMP_ACT_NOPE is not a valid action for seccomp' --security-opt seccomp="$T/bad.json"
refuse 'error gathering device information while adding custom device "/dev/nonexistent"' \
    --device /dev/nonexistent
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && ! (ulimit -Hn $((hard + 1))) 2>/dev/null; then
    refuse "is above the current hard limit $hard" --ulimit nofile=10:$((hard + 1))
fi
ok "docker run: unknown capability, bad seccomp profile, missing device, ulimit above the hard limit refused, nothing left"
