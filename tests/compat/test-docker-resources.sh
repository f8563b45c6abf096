#!/bin/bash
# tests/compat/test-docker-resources.sh - the real docker CLI's resource commands against
# dctld with the native exec driver: docker run --memory 64m --cpus 0.5 --pids-limit 20
# (the limits in the cgroup files and in docker inspect), docker stats --no-stream (its
# table, a busy container near its 0.5 CPU, the memory limit), docker update (a live limit
# in the cgroup and inspect), docker pause/unpause (ps, inspect, the freezer), docker run
# -m 4m and a cpuset the host lacks refused with exit 125 and nothing left, and a
# memory hog OOM-killed (137, OOMKilled). Skipped when no docker CLI is installed.
. "$top_srcdir/tests/integration/lib.sh"

need_docker_cli
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
[ -d /sys/fs/cgroup ] || skip "no /sys/fs/cgroup"

docker() {
    timeout 60 "$DOCKER" "$@" >"$T/out" 2>"$T/err"
}

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc" "$T/rootfs/tmp"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh cat echo true sleep tail; do ln -s busybox "$T/rootfs/bin/$c"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$T/rootfs/etc/passwd"
tar -C "$T/rootfs" --numeric-owner -cf "$T/busybox.tar" .

dctld_start
docker import "$T/busybox.tar" bb:1 || fail "docker import: $(cat "$T/err")"

if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then V=2; else V=1; fi
cgfile() { # cgfile ID V1-CONTROLLER FILE
    if [ $V = 2 ]; then cat "/sys/fs/cgroup$CGROUP_PARENT/$1/$3"; else cat "/sys/fs/cgroup/$2$CGROUP_PARENT/$1/$3"; fi
}

# ---- run with limits ------------------------------------------------------------------------
docker run -d --network none --memory 64m --cpus 0.5 --pids-limit 20 --name busy bb:1 \
    sh -c 'while :; do :; done' || fail "docker run with limits: $(cat "$T/err")"
id=$(cat "$T/out")
if [ $V = 1 ]; then
    [ "$(cgfile "$id" memory memory.limit_in_bytes)" = 67108864 ] &&
        [ "$(cgfile "$id" cpu cpu.cfs_quota_us)" = 50000 ] &&
        [ "$(cgfile "$id" cpu cpu.cfs_period_us)" = 100000 ] &&
        [ "$(cgfile "$id" pids pids.max)" = 20 ] || fail "cgroup files of $id"
else
    [ "$(cgfile "$id" - memory.max)" = 67108864 ] && [ "$(cgfile "$id" - cpu.max)" = "50000 100000" ] &&
        [ "$(cgfile "$id" - pids.max)" = 20 ] || fail "v2 cgroup files of $id"
fi
docker inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.MemorySwap}}' busy
[ "$(cat "$T/out")" = "67108864 500000000 20 134217728" ] || fail "docker inspect: $(cat "$T/out")"
ok "docker run --memory 64m --cpus 0.5 --pids-limit 20: the cgroup files and docker inspect"

# ---- stats ----------------------------------------------------------------------------------
docker stats --no-stream || fail "docker stats --no-stream: $(cat "$T/err")"
head -1 "$T/out" | grep -Eq '^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS$' ||
    fail "stats header: $(cat "$T/out")"
grep -Eq "^${id:0:12} +busy +[0-9.]+% +[0-9.]+[KMG]?i?B / 64MiB +[0-9.]+% +0B / 0B +[0-9.]+[kMG]?B / [0-9.]+[kMG]?B +1$" "$T/out" ||
    fail "stats row: $(cat "$T/out")"
cpu=$(awk '$2 == "busy" { sub("%", "", $3); print $3 }' "$T/out")
python3 -c "import sys; sys.exit(0 if 5 <= $cpu <= 60 else 1)" || fail "busy at $cpu% under --cpus 0.5"
docker stats --no-stream --format '{{.Name}} {{.PIDs}} {{.MemPerc}}' busy
grep -Eq '^busy 1 [0-9.]+%$' "$T/out" || fail "stats --format: $(cat "$T/out")"
ok "docker stats --no-stream: the table, $cpu% CPU under --cpus 0.5, the 64MiB limit"

# ---- update ---------------------------------------------------------------------------------
docker update --memory 128m --memory-swap 256m --cpus 0.25 busy || fail "docker update: $(cat "$T/err")"
[ "$(cat "$T/out")" = busy ] || fail "docker update printed $(cat "$T/out")"
if [ $V = 1 ]; then
    [ "$(cgfile "$id" memory memory.limit_in_bytes)" = 134217728 ] &&
        [ "$(cgfile "$id" cpu cpu.cfs_quota_us)" = 25000 ] || fail "cgroup after docker update"
fi
docker inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' busy
[ "$(cat "$T/out")" = "134217728 250000000" ] || fail "inspect after docker update: $(cat "$T/out")"
docker update --cpu-quota 10000 busy && fail "a conflicting update accepted"
grep -q "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set" "$T/err" ||
    fail "$(cat "$T/err")"
ok "docker update: the live cgroup and docker inspect; a conflict refused"

# ---- pause / unpause ------------------------------------------------------------------------
docker pause busy || fail "docker pause: $(cat "$T/err")"
docker ps --format '{{.Names}} {{.Status}}' --filter status=paused
grep -Eq '^busy Up .* \(Paused\)$' "$T/out" || fail "docker ps after pause: $(cat "$T/out")"
[ $V = 2 ] || [ "$(cgfile "$id" freezer freezer.state)" = FROZEN ] || fail "not frozen"
docker inspect -f '{{.State.Status}} {{.State.Paused}}' busy
[ "$(cat "$T/out")" = "paused true" ] || fail "inspect after pause: $(cat "$T/out")"
docker pause busy && fail "a second pause accepted"
grep -q "is already paused" "$T/err" || fail "$(cat "$T/err")"
docker unpause busy || fail "docker unpause: $(cat "$T/err")"
docker inspect -f '{{.State.Status}} {{.State.Paused}}' busy
[ "$(cat "$T/out")" = "running false" ] || fail "inspect after unpause: $(cat "$T/out")"
docker unpause busy && fail "unpause of a running container accepted"
grep -q "is not paused" "$T/err" || fail "$(cat "$T/err")"
docker rm -f busy || fail "rm -f"
ok "docker pause/unpause: ps (Paused), inspect, the freezer, the errors"

# ---- refusals, OOM ----------------------------------------------------------------------------
docker run --rm --network none -m 4m bb:1 true
rc=$?
[ $rc = 125 ] && grep -q "Minimum memory limit allowed is 6MB" "$T/err" || fail "-m 4m: $rc $(cat "$T/err")"
docker run --rm --network none --cpuset-cpus 63 bb:1 true
rc=$?
[ $rc = 125 ] && grep -q "Requested CPUs are not available - requested 63" "$T/err" ||
    fail "--cpuset-cpus 63: $rc $(cat "$T/err")"
docker ps -aq
[ ! -s "$T/out" ] || fail "a refused run left a container: $(cat "$T/out")"
[ -z "$(find /sys/fs/cgroup/*"$CGROUP_PARENT" /sys/fs/cgroup"$CGROUP_PARENT" -mindepth 1 -type d 2>/dev/null)" ] ||
    fail "a cgroup is left"
docker run --name hog --network none -m 16m bb:1 tail /dev/zero
rc=$?
[ $rc = 137 ] || fail "the memory hog exited $rc"
docker inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' hog
[ "$(cat "$T/out")" = "true 137" ] || fail "hog: $(cat "$T/out")"
docker rm hog >/dev/null
ok "docker run -m 4m and --cpuset-cpus 63: 125, nothing left; a memory hog: 137, OOMKilled"
