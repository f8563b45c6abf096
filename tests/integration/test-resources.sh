#!/bin/bash
# tests/integration/test-resources.sh - containers' cgroups and limits with a real dctld and
# the native exec driver on this host's cgroups: /info; each container's cgroup in every
# hierarchy with its limits (memory, swap, CPU quota and shares, cpuset, pids), its private
# cgroup namespace, an exec in the same cgroup; a memory hog OOM-killed (OOMKilled, 137, the
# oom event); a fork bomb stopped by --pids-limit; a busy loop slowed by --cpus (a ratio of
# CPU time, not a time); update of a running container (inspect and the cgroup files) and
# of a stopped one; pause (the counter stops, State.Paused, status=paused, the events, the
# 409s) and unpause (it goes on), stop of a paused container; stats (a stream whose
# precpu_stats is the sample before, stream=false, one-shot, a stopped container); commit's
# pause; the cgroup gone with the container; bad input (a bad size in dctl, memory below
# 6MB, a cpuset the host lacks, an unknown blkio device, bad update bodies) refused with
# Docker's words, leaving no container and no cgroup; and a dctld on a fake cgroup v2 tree
# writing v2's files.
. "$top_srcdir/tests/integration/lib.sh"
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
[ -x "$DCTL_SHIM" ] || fail "dctl-shim not built: $DCTL_SHIM"
[ -d /sys/fs/cgroup ] || skip "no /sys/fs/cgroup"
unshare --net true 2>/dev/null || skip "cannot create namespaces here"

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc" "$T/rootfs/tmp" "$T/share"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh cat echo true sleep tail seq ls wc grep; do ln -s busybox "$T/rootfs/bin/$c"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$T/rootfs/etc/passwd"
tar -C "$T/rootfs" --numeric-owner -cf "$T/bb.tar" .

dctld_start
export DCTL_HOST="unix://$SOCK"
"$DCTL" import "$T/bb.tar" bb:1 >/dev/null || fail "import"
N="--network none"
JSON=(-H 'Content-Type: application/json')

# the cgroup version this host uses, and where a container's FILE is
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then V=2; else V=1; fi
cgfile() { # cgfile ID V1-CONTROLLER FILE
    if [ $V = 2 ]; then cat "/sys/fs/cgroup$CGROUP_PARENT/$1/$3"; else cat "/sys/fs/cgroup/$2$CGROUP_PARENT/$1/$3"; fi
}
cgdirs() { # the directories of container ID's cgroup that exist
    ls -d /sys/fs/cgroup/*"$CGROUP_PARENT/$1" /sys/fs/cgroup"$CGROUP_PARENT/$1" 2>/dev/null
}
# wait_for CMD...: until CMD succeeds (at most 20 s)
wait_for() {
    local i
    for i in $(seq 200); do "$@" && return 0; sleep 0.1; done
    return 1
}
inspect() { "$DCTL" inspect -f "$1" "$2"; }
events_of() { # the actions of container $1's events so far
    "$DCTL" events --since 0 --until "$(date +%s.%N)" --format json 2>/dev/null |
        python3 -c 'import json,sys
for l in sys.stdin:
    e = json.loads(l)
    if e.get("Actor", {}).get("ID", "").startswith(sys.argv[1]) or e.get("id", "").startswith(sys.argv[1]):
        print(e["Action"])' "$1" | tr '\n' ' '
}

# ---- /info -----------------------------------------------------------------------------
api GET /info >"$T/info"
[ "$(json 'j["CgroupVersion"]' <"$T/info")" = "$V" ] &&
    [ "$(json 'j["CgroupDriver"]' <"$T/info")" = cgroupfs ] || fail "info: $(cat "$T/info")"
ok "/info: CgroupVersion $V, CgroupDriver cgroupfs"

# ---- a container's cgroup and limits --------------------------------------------------------
c=$("$DCTL" run -d $N -m 64m --memory-reservation 32m --cpus 0.5 -c 512 --cpuset-cpus 0 \
    --pids-limit 20 --name lim bb:1 sleep 1000) || fail "run with limits"
[ -n "$(cgdirs "$c")" ] || fail "no cgroup for $c"
if [ $V = 1 ]; then
    [ "$(cgfile "$c" memory memory.limit_in_bytes)" = 67108864 ] || fail "memory.limit_in_bytes"
    if [ -e "/sys/fs/cgroup/memory$CGROUP_PARENT/$c/memory.memsw.limit_in_bytes" ]; then
        [ "$(cgfile "$c" memory memory.memsw.limit_in_bytes)" = 134217728 ] || fail "memsw: twice memory"
    fi
    [ "$(cgfile "$c" memory memory.soft_limit_in_bytes)" = 33554432 ] || fail "soft limit"
    [ "$(cgfile "$c" cpu cpu.cfs_quota_us)" = 50000 ] &&
        [ "$(cgfile "$c" cpu cpu.cfs_period_us)" = 100000 ] || fail "cfs quota/period"
    [ "$(cgfile "$c" cpu cpu.shares)" = 512 ] || fail "cpu.shares"
    [ "$(cgfile "$c" cpuset cpuset.cpus)" = 0 ] || fail "cpuset.cpus"
    [ "$(cgfile "$c" pids pids.max)" = 20 ] || fail "pids.max"
    pid=$(inspect '{{.State.Pid}}' lim)
    for d in $(cgdirs "$c"); do
        grep -qx "$pid" "$d/cgroup.procs" || fail "init $pid not in $d"
    done
else
    [ "$(cgfile "$c" - memory.max)" = 67108864 ] && [ "$(cgfile "$c" - memory.swap.max)" = 67108864 ] &&
        [ "$(cgfile "$c" - cpu.max)" = "50000 100000" ] && [ "$(cgfile "$c" - pids.max)" = 20 ] ||
        fail "v2 files"
fi
[ "$(inspect '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}' lim)" = \
    "67108864 134217728 500000000 20" ] || fail "inspect: $(inspect '{{json .HostConfig}}' lim)"
# a private cgroup namespace: the container's own cgroup is its root
"$DCTL" exec lim cat /proc/self/cgroup >"$T/cg" || fail "exec cat /proc/self/cgroup"
! grep -v ':/$' "$T/cg" || fail "the container sees cgroups above its own: $(cat "$T/cg")"
# an exec runs in the container's cgroup
"$DCTL" exec -d lim sleep 500 || fail "exec -d"
procs_are() { [ "$(wc -l <"$(cgdirs "$1" | head -1)/cgroup.procs")" = "$2" ]; }
wait_for procs_are "$c" 2 ||
    fail "the exec is not in the container's cgroup: $(cat "$(cgdirs "$c" | head -1)/cgroup.procs")"
ok "the container's cgroup in every hierarchy with its limits; cgroupns private; an exec in it"

# ---- OOM ----------------------------------------------------------------------------------
"$DCTL" run $N -m 16m --name oom bb:1 tail /dev/zero >/dev/null 2>&1
rc=$?
[ $rc = 137 ] || fail "a memory hog exited $rc, want 137"
[ "$(inspect '{{.State.OOMKilled}} {{.State.ExitCode}}' oom)" = "true 137" ] || fail "OOMKilled"
oc=$(inspect '{{.Id}}' oom)
case " $(events_of "$oc") " in *" oom die "*) ;; *) fail "events: $(events_of "$oc")" ;; esac
[ -z "$(cgdirs "$oc")" ] || fail "the OOM-killed container's cgroup is left: $(cgdirs "$oc")"
"$DCTL" run $N -m 32m --name fine bb:1 true || fail "a container within its limit"
[ "$(inspect '{{.State.OOMKilled}}' fine)" = false ] || fail "OOMKilled without an OOM"
case " $(events_of "$oc") " in *" oom oom "*) fail "two oom events for one kill: $(events_of "$oc")" ;; esac
# a shell whose child is killed goes on: the oom event comes while it runs, as dockerd's
"$DCTL" run -d $N -m 16m --name oomchild bb:1 sh -c 'tail /dev/zero; sleep 1000' >/dev/null ||
    fail "run oomchild"
occ=$(inspect '{{.Id}}' oomchild)
oom_seen() { case " $(events_of "$occ") " in *" oom "*) return 0 ;; esac; return 1; }
wait_for oom_seen || fail "no oom event while it runs: $(events_of "$occ")"
[ "$(inspect '{{.State.Running}}' oomchild)" = true ] || fail "oomchild ended: $(inspect '{{json .State}}' oomchild)"
"$DCTL" rm -f oomchild >/dev/null
"$DCTL" rm oom fine >/dev/null
ok "a memory hog is OOM-killed: exit 137, OOMKilled, one oom event, its cgroup removed; a child's OOM kill: the event while the container runs"

# ---- pids limit -----------------------------------------------------------------------------
# each (sleep &) is a subshell that forks a sleep: the forks the limit refuses fail, the
# shell goes on counting those that did not
fb=$("$DCTL" run -d $N --pids-limit 10 --name forks bb:1 sh -c \
    'n=0; for i in $(seq 50); do (sleep 300 &) 2>/dev/null && n=$((n+1)); done; echo started $n; sleep 300') ||
    fail "run the fork bomb"
wait_for grep -q started "$DATA_ROOT/containers/$fb/$fb-json.log" || fail "the forks did not end"
started=$(sed -n 's/.*started \([0-9]*\).*/\1/p' "$DATA_ROOT/containers/$fb/$fb-json.log")
[ "$started" -lt 50 ] || fail "all 50 forks went through a pids limit of 10"
n=$(cat "$(cgdirs "$fb" | head -1)/cgroup.procs" | wc -l)
[ "$n" -le 10 ] || fail "$n processes under a pids limit of 10"
[ "$(sh -c 'echo host-forks')" = host-forks ] || fail "the host cannot fork"
"$DCTL" rm -f forks >/dev/null
ok "--pids-limit 10 stops a fork bomb at $n processes; the host is fine"

# ---- CPU quota --------------------------------------------------------------------------------
"$DCTL" run -d $N --cpus 0.02 --name slow bb:1 sh -c 'while :; do :; done' >/dev/null &&
    "$DCTL" run -d $N --name fast bb:1 sh -c 'while :; do :; done' >/dev/null || fail "busy loops"
usage() { curl -s --unix-socket "$SOCK" "http://d/containers/$1/stats?stream=false&one-shot=true" |
    json 'j["cpu_stats"]["cpu_usage"]["total_usage"]'; }
s0=$(usage slow) f0=$(usage fast)
sleep 2
s1=$(usage slow) f1=$(usage fast)
throttled=$(curl -s --unix-socket "$SOCK" "http://d/containers/slow/stats?stream=false&one-shot=true" |
    json 'j["cpu_stats"]["throttling_data"]["throttled_periods"]')
python3 -c "import sys; s=$s1-$s0; f=$f1-$f0; sys.exit(0 if f > 4 * max(s, 1) else 1)" ||
    fail "--cpus 0.02 did not slow the loop: slow $((s1 - s0)) ns, fast $((f1 - f0)) ns of CPU"
[ "$throttled" -gt 0 ] || fail "no throttled periods"
"$DCTL" rm -f slow fast >/dev/null
ok "--cpus 0.02: the loop gets under a quarter of an unlimited one's CPU time, throttled"

# ---- update ---------------------------------------------------------------------------------
out=$("$DCTL" update -m 128m --memory-swap 256m --pids-limit 30 --cpus 1 lim) || fail "update: $out"
[ "$out" = lim ] || fail "update printed: $out"
[ "$(inspect '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}' lim)" = \
    "134217728 268435456 30 1000000000" ] || fail "inspect after update"
if [ $V = 1 ]; then
    [ "$(cgfile "$c" memory memory.limit_in_bytes)" = 134217728 ] && [ "$(cgfile "$c" pids pids.max)" = 30 ] &&
        [ "$(cgfile "$c" cpu cpu.cfs_quota_us)" = 100000 ] || fail "cgroup files after update"
else
    [ "$(cgfile "$c" - memory.max)" = 134217728 ] && [ "$(cgfile "$c" - pids.max)" = 30 ] || fail "v2 after update"
fi
case " $(events_of "$c") " in *" update "*) ;; *) fail "no update event: $(events_of "$c")" ;; esac
out=$("$DCTL" update -m 512m lim 2>&1) && fail "memory over memoryswap accepted"
grep -q "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time" <<<"$out" || fail "$out"
out=$("$DCTL" update --cpu-quota 20000 lim 2>&1) && fail "quota with nanocpus accepted"
grep -q "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set" <<<"$out" || fail "$out"
[ "$(inspect '{{.HostConfig.Memory}}' lim)" = 134217728 ] || fail "a refused update changed the container"
out=$("$DCTL" update lim 2>&1) && fail "an empty update accepted"
grep -q "you must provide one or more flags" <<<"$out" || fail "$out"
"$DCTL" update --restart on-failure:3 lim >/dev/null || fail "update --restart"
[ "$(inspect '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' lim)" = on-failure:3 ] ||
    fail "restart policy not updated"
expect_status 400 POST "/containers/lim/update" "${JSON[@]}" -d '{"Memory":"1g"}'
grep -q "cannot unmarshal string into Go struct field UpdateConfig.Memory of type int64" "$T/body" || fail "$(cat "$T/body")"
expect_status 400 POST "/containers/lim/update" "${JSON[@]}" -d '{"Memory":1000}'
grep -q "Minimum memory limit allowed is 6MB" "$T/body" || fail "$(cat "$T/body")"
expect_status 404 POST "/containers/nope/update" "${JSON[@]}" -d '{"Memory":67108864}'
api POST /containers/lim/update "${JSON[@]}" -d '{"KernelMemory":10000000}' >"$T/upd"
[ "$(status)" = 200 ] && [ "$(json 'j["Warnings"]' <"$T/upd")" = "[]" ] || fail "update answer: $(cat "$T/upd")"
# a stopped container: the limits are for its next start
st=$("$DCTL" create $N -m 64m bb:1 sleep 1000) || fail "create"
"$DCTL" update -m 96m --memory-swap 192m "$st" >/dev/null || fail "update of a stopped container"
"$DCTL" start "$st" >/dev/null || fail "start after update"
if [ $V = 1 ]; then
    [ "$(cgfile "$st" memory memory.limit_in_bytes)" = 100663296 ] || fail "the update was not kept for the start"
fi
"$DCTL" rm -f "$st" >/dev/null
ok "update: live limits (inspect, cgroup files, event), restart policy, refusals (memoryswap, nanocpus, empty, types, 6MB, 404), a stopped container's next start"

# ---- pause / unpause --------------------------------------------------------------------------
"$DCTL" run -d $N -v "$T/share:/share" --name counter bb:1 sh -c \
    'i=0; while :; do i=$((i+1)); echo $i >/share/n.tmp; mv /share/n.tmp /share/n; sleep 0.05; done' >/dev/null ||
    fail "run the counter"
cc=$(inspect '{{.Id}}' counter)
wait_for test -s "$T/share/n" || fail "the counter does not count"
"$DCTL" pause counter >/dev/null || fail "pause"
[ "$(inspect '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' counter)" = "paused true true" ] ||
    fail "state after pause: $(inspect '{{json .State}}' counter)"
if [ $V = 1 ]; then
    [ "$(cgfile "$cc" freezer freezer.state)" = FROZEN ] || fail "freezer.state"
fi
a=$(cat "$T/share/n"); sleep 0.6; b=$(cat "$T/share/n")
[ "$a" = "$b" ] || fail "the counter went on while paused: $a -> $b"
[ "$("$DCTL" ps --filter status=paused --format '{{.Names}}')" = counter ] || fail "status=paused filter"
"$DCTL" ps --format '{{.Names}} {{.Status}}' | grep -q '^counter Up .* (Paused)$' || fail "ps status"
out=$("$DCTL" pause counter 2>&1) && fail "a second pause accepted"
grep -q "Container $cc is already paused" <<<"$out" || fail "$out"
expect_status 409 POST /containers/counter/pause
out=$("$DCTL" exec counter true 2>&1) && fail "exec into a paused container accepted"
grep -q "Container $cc is paused, unpause the container before exec" <<<"$out" || fail "dctl exec: $out"
expect_status 409 POST /containers/counter/exec "${JSON[@]}" -d '{"Cmd":["true"]}'
grep -q "Container $cc is paused, unpause the container before exec" "$T/body" || fail "$(cat "$T/body")"
[ "$(api GET /containers/counter/json | json 'j["ExecIDs"]')" = None ] || fail "a refused exec left a session: $(cat "$T/body")"
case " $(events_of "$cc") " in *" pause "*) ;; *) fail "events: $(events_of "$cc")" ;; esac
# across a dctld SIGKILL + restart (events, as dockerd's, live in memory only): still
# paused, still frozen, then unpaused as before
kill -KILL "$DCTLD_PID"
wait "$DCTLD_PID" 2>/dev/null
dctld_start
[ "$(inspect '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' counter)" = "paused true true" ] ||
    fail "after a dctld restart: $(inspect '{{json .State}}' counter)"
a=$(cat "$T/share/n"); sleep 0.3; b=$(cat "$T/share/n")
[ "$a" = "$b" ] || fail "the restart thawed the counter: $a -> $b"
"$DCTL" unpause counter >/dev/null || fail "unpause"
counter_is_not() { [ "$(cat "$T/share/n")" != "$1" ]; }
wait_for counter_is_not "$b" || fail "the counter did not go on after unpause"
[ "$(inspect '{{.State.Status}} {{.State.Paused}}' counter)" = "running false" ] || fail "state after unpause"
out=$("$DCTL" unpause counter 2>&1) && fail "unpause of a running container accepted"
grep -q "Container $cc is not paused" <<<"$out" || fail "$out"
expect_status 409 POST /containers/counter/unpause
case " $(events_of "$cc") " in *" unpause "*) ;; *) fail "events: $(events_of "$cc")" ;; esac
# dctld killed between a freeze and its record (done here by hand): the restore goes by
# the freezer, both ways
freezer() { # freezer FROZEN|THAWED
    if [ $V = 2 ]; then
        echo $([ "$1" = FROZEN ] && echo 1 || echo 0) >"/sys/fs/cgroup$CGROUP_PARENT/$cc/cgroup.freeze"
    else
        echo "$1" >"/sys/fs/cgroup/freezer$CGROUP_PARENT/$cc/freezer.state"
    fi
}
kill -KILL "$DCTLD_PID"
wait "$DCTLD_PID" 2>/dev/null
freezer FROZEN
dctld_start
[ "$(inspect '{{.State.Status}} {{.State.Paused}}' counter)" = "paused true" ] ||
    fail "a frozen container restored as: $(inspect '{{json .State}}' counter)"
kill -KILL "$DCTLD_PID"
wait "$DCTLD_PID" 2>/dev/null
freezer THAWED
dctld_start
[ "$(inspect '{{.State.Status}} {{.State.Paused}}' counter)" = "running false" ] ||
    fail "a thawed container restored as: $(inspect '{{json .State}}' counter)"
# stop of a paused container: the signal, then the thaw, then it ends
"$DCTL" pause counter >/dev/null || fail "pause again"
"$DCTL" stop -t 1 counter >/dev/null || fail "stop of a paused container"
[ "$(inspect '{{.State.Status}} {{.State.Paused}}' counter)" = "exited false" ] || fail "state after stop"
expect_status 409 POST /containers/counter/pause
grep -q "Container $cc is not running" "$T/body" || fail "$(cat "$T/body")"
"$DCTL" rm counter >/dev/null
[ -z "$(cgdirs "$cc")" ] || fail "cgroup left: $(cgdirs "$cc")"
ok "pause freezes (counter stopped, Paused, status=paused, FROZEN, 409s, no exec), kept across a dctld SIGKILL, restored as its freezer says, unpause resumes, stop of a paused container"

# ---- stats ------------------------------------------------------------------------------------
timeout 30 curl -sN --unix-socket "$SOCK" "http://d/containers/lim/stats" 2>/dev/null | head -n 3 >"$T/stream"
python3 - "$T/stream" "$c" <<'EOF' || fail "stats stream: $(cat "$T/stream")"
import json, sys
ms = [json.loads(l) for l in open(sys.argv[1])]
assert len(ms) == 3, len(ms)
for i, m in enumerate(ms):
    assert m["id"] == sys.argv[2] and m["name"] == "/lim", m["name"]
    cpu, mem = m["cpu_stats"], m["memory_stats"]
    assert cpu["online_cpus"] >= 1 and cpu["system_cpu_usage"] > 0
    assert mem["limit"] == 134217728 and 0 < mem["usage"] <= mem["limit"], mem
    assert m["pids_stats"]["current"] >= 2 and m["pids_stats"]["limit"] == 30
    assert "blkio_stats" in m and m["num_procs"] == 0 and "networks" not in m
    if i:
        p = ms[i - 1]
        assert m["preread"] == p["read"] and m["read"] > p["read"]
        assert m["precpu_stats"] == p["cpu_stats"]
        assert cpu["cpu_usage"]["total_usage"] >= p["cpu_stats"]["cpu_usage"]["total_usage"]
        assert cpu["system_cpu_usage"] > p["cpu_stats"]["system_cpu_usage"]
assert ms[0]["preread"].startswith("0001-01-01") and ms[0]["precpu_stats"]["cpu_usage"]["total_usage"] == 0
EOF
api GET "/containers/lim/stats?stream=false" >"$T/one"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m["precpu_stats"]["system_cpu_usage"] > 0 and m["preread"] < m["read"]' "$T/one" ||
    fail "stream=false: $(cat "$T/one")"
api GET "/containers/lim/stats?stream=false&one-shot=true" >"$T/one"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m["precpu_stats"]["cpu_usage"]["total_usage"] == 0 and m["memory_stats"]["usage"] > 0' "$T/one" ||
    fail "one-shot: $(cat "$T/one")"
expect_status 400 GET "/containers/lim/stats?stream=true&one-shot=true"
stopped=$("$DCTL" create $N bb:1 true)
api GET "/containers/$stopped/stats?stream=false" >"$T/one"
[ "$(json 'j["read"]' <"$T/one")" = 0001-01-01T00:00:00Z ] && [ "$(json 'j["id"]' <"$T/one")" = "$stopped" ] ||
    fail "a stopped container's stats: $(cat "$T/one")"
"$DCTL" rm "$stopped" >/dev/null
expect_status 404 GET "/containers/nope/stats?stream=false"
"$DCTL" stats --no-stream --format '{{.Name}}|{{.MemUsage}}|{{.PIDs}}' lim >"$T/st" || fail "dctl stats"
grep -Eq '^lim\|[0-9.]+[KMG]iB / 128MiB\|[0-9]+$' "$T/st" || fail "dctl stats: $(cat "$T/st")"
ok "stats: a stream whose precpu is the sample before, stream=false, one-shot, a stopped container, dctl stats"

# ---- commit pauses ------------------------------------------------------------------------------
"$DCTL" commit lim committed:1 >/dev/null || fail "commit"
case " $(events_of "$c") " in *" pause commit unpause "*) ;; *) fail "commit events (moby: pause, commit, then the deferred unpause): $(events_of "$c")" ;; esac
[ "$(inspect '{{.State.Status}}' lim)" = running ] || fail "not running after commit"
"$DCTL" commit --pause=false lim committed:2 >/dev/null || fail "commit --pause=false"
ok "commit pauses a running container and unpauses it (--pause=false does not)"

# ---- the cgroup goes with the container -----------------------------------------------------------
"$DCTL" rm -f lim >/dev/null || fail "rm -f"
[ -z "$(cgdirs "$c")" ] || fail "cgroup left after rm -f: $(cgdirs "$c")"
ok "rm -f removes the cgroup"

# ---- bad input ------------------------------------------------------------------------------------
nothing_left() {
    [ -z "$(ls -A "$DATA_ROOT/containers")" ] || fail "$1: a container is left: $(ls "$DATA_ROOT/containers")"
    [ -z "$(find /sys/fs/cgroup/*"$CGROUP_PARENT" /sys/fs/cgroup"$CGROUP_PARENT" -mindepth 1 -type d 2>/dev/null)" ] ||
        fail "$1: a cgroup is left: $(find /sys/fs/cgroup/*"$CGROUP_PARENT" -mindepth 1 -type d)"
}
"$DCTL" rm -f $("$DCTL" ps -aq) >/dev/null 2>&1
out=$("$DCTL" run --rm $N -m 12x bb:1 true 2>&1); rc=$?
[ $rc = 125 ] && grep -q "invalid argument \"12x\" for \"-m, --memory\" flag: invalid size: '12x'" <<<"$out" ||
    fail "bad size: $rc $out"
nothing_left "bad size"
out=$("$DCTL" run --rm $N -m 4m bb:1 true 2>&1); rc=$?
[ $rc = 125 ] && grep -q "Minimum memory limit allowed is 6MB" <<<"$out" || fail "4m: $rc $out"
nothing_left "memory below 6MB"
expect_status 400 POST /containers/create "${JSON[@]}" -d '{"Image":"bb:1","Cmd":["true"],"HostConfig":{"NetworkMode":"none","CpusetCpus":"64"}}'
grep -q "Requested CPUs are not available - requested 64, available: " "$T/body" || fail "$(cat "$T/body")"
nothing_left "cpuset"
expect_status 400 POST /containers/create "${JSON[@]}" -d '{"Image":"bb:1","Cmd":["true"],"HostConfig":{"NetworkMode":"none","BlkioDeviceReadBps":[{"Path":"/dev/dctl-nope","Rate":1048576}]}}'
grep -q "stat /dev/dctl-nope: no such file or directory" "$T/body" || fail "$(cat "$T/body")"
nothing_left "blkio device"
out=$("$DCTL" run --rm $N --device-write-bps nodev:1m bb:1 true 2>&1) && fail "bad device path accepted"
grep -q "bad format for device path: nodev:1m" <<<"$out" || fail "$out"
expect_status 400 POST /containers/create "${JSON[@]}" -d '{"Image":"bb:1","Cmd":["true"],"HostConfig":{"NetworkMode":"none","NanoCpus":500000000,"CpuPeriod":100000}}'
grep -q "Conflicting options: Nano CPUs and CPU Period cannot both be set" "$T/body" || fail "$(cat "$T/body")"
expect_status 400 POST /containers/create "${JSON[@]}" -d '{"Image":"bb:1","Cmd":["true"],"HostConfig":{"NetworkMode":"none","Memory":"64m"}}'
nothing_left "all the refusals"
api POST /containers/create "${JSON[@]}" -d '{"Image":"bb:1","Cmd":["true"],"HostConfig":{"NetworkMode":"none","KernelMemory":10485760,"BlkioWeight":300}}' >"$T/cr"
[ "$(status)" = 201 ] || fail "create with kernel memory: $(cat "$T/cr")"
json 'j["Warnings"]' <"$T/cr" | grep -q "kernel memory limit capabilities" || fail "no kernel memory warning: $(cat "$T/cr")"
"$DCTL" rm "$(json 'j["Id"]' <"$T/cr")" >/dev/null
ok "bad input refused with Docker's words (size, 6MB, cpuset, blkio device, conflicts, types), nothing left; KernelMemory: a warning"

# ---- a fake cgroup v2 tree --------------------------------------------------------------------------
dctld_stop
F="$T/fakecg"
mkdir -p "$F"
echo "cpuset cpu io memory pids" >"$F/cgroup.controllers"
: >"$F/cgroup.subtree_control"
DCTL_CGROUP_ROOT=$F DCTL_CGROUP_VERSION=2 dctld_start
api GET /info >"$T/info"
[ "$(json 'j["CgroupVersion"]' <"$T/info")" = 2 ] || fail "fake v2: info says $(json 'j["CgroupVersion"]' <"$T/info")"
f=$("$DCTL" run -d $N -m 64m --cpus 0.5 --pids-limit 20 -c 1024 bb:1 sleep 1000) || fail "run on the fake v2 tree"
d="$F$CGROUP_PARENT/$f"
[ "$(cat "$d/memory.max")" = 67108864 ] && [ "$(cat "$d/memory.swap.max")" = 67108864 ] &&
    [ "$(cat "$d/cpu.max")" = "50000 100000" ] && [ "$(cat "$d/cpu.weight")" = 39 ] &&
    [ "$(cat "$d/pids.max")" = 20 ] || fail "v2 files: $(head "$d"/*)"
grep -q "+memory" "$F/cgroup.subtree_control" && grep -q "+pids" "$F/cgroup.subtree_control" ||
    fail "controllers not enabled for children: $(cat "$F/cgroup.subtree_control")"
grep -qx "$(inspect '{{.State.Pid}}' "$f")" "$d/cgroup.procs" || fail "init not written to cgroup.procs"
"$DCTL" update -m 96m --memory-swap 192m --cpus 1 "$f" >/dev/null || fail "update on v2"
[ "$(cat "$d/memory.max")" = 100663296 ] && [ "$(cat "$d/memory.swap.max")" = 100663296 ] &&
    [ "$(cat "$d/cpu.max")" = "100000 100000" ] || fail "v2 files after update: $(head "$d"/memory.max "$d"/cpu.max)"
# memory alone: swap.max follows from the MemorySwap kept (192m - 128m)
"$DCTL" update -m 128m "$f" >/dev/null || fail "update -m alone on v2"
[ "$(cat "$d/memory.max")" = 134217728 ] && [ "$(cat "$d/memory.swap.max")" = 67108864 ] ||
    fail "v2 files after update -m: $(head "$d"/memory.max "$d"/memory.swap.max)"
"$DCTL" pause "$f" >/dev/null && [ "$(cat "$d/cgroup.freeze")" = 1 ] || fail "v2 pause"
"$DCTL" unpause "$f" >/dev/null && [ "$(cat "$d/cgroup.freeze")" = 0 ] || fail "v2 unpause"
"$DCTL" rm -f "$f" >/dev/null
ok "a fake cgroup v2 tree: /info, memory.max, swap.max, cpu.max, cpu.weight, pids.max, subtree_control, procs, update, freeze"
