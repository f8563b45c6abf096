#!/bin/bash
# tests/integration/test-native-cgroup.sh - the native exec driver's and dctl-shim's cgroup
# side, driven by tests/helpers/exec-harness with specs written by hand: the cgroup made
# in every hierarchy before the command runs and removed when it ends, linux.resources
# applied, linux.resources.devices applied (v1: devices.deny/allow, so that /dev/null opens
# and /dev/zero does not; v2: the eBPF program), the driver's pause, resume, stats and
# update ops, an exec put in the container's cgroup, oomKilled in exit.json, a killed shim's
# cgroup removed by remove, and a limit the kernel refuses failing the start with nothing
# left. Containers' cgroups go under the test's own parent, removed by the cleanup.
. "$top_srcdir/tests/integration/lib.sh"
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
[ -d /sys/fs/cgroup ] || skip "no /sys/fs/cgroup"

. "$top_srcdir/tests/integration/native-lib.sh"

if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then V=2; else V=1; fi
cgdirs() { ls -d /sys/fs/cgroup/*"$CGROUP_PARENT/$1" /sys/fs/cgroup"$CGROUP_PARENT/$1" 2>/dev/null; }
cgfile() { # cgfile NAME V1-CONTROLLER FILE
    if [ $V = 2 ]; then cat "/sys/fs/cgroup$CGROUP_PARENT/$1/$3"; else cat "/sys/fs/cgroup/$2$CGROUP_PARENT/$1/$3"; fi
}
wait_for() {
    local i
    for i in $(seq 200); do "$@" && return 0; sleep 0.1; done
    return 1
}
CG="linux.cgroupsPath=\"$CGROUP_PARENT"

# ---- the cgroup, its limits, its end -------------------------------------------------------
spec lim 'process.args=["sh","-c","cat /proc/self/cgroup; sleep 1000"]' "$CG/lim\"" \
    'linux.resources={"memory":{"limit":33554432},"pids":{"limit":15},"cpu":{"quota":20000,"period":100000}}'
h create lim "$T/lim.json" && h start lim >"$T/lim.out" || fail "start lim: $(cat "$T/lim.out")"
pid=$(sed -n 's/^pid //p' "$T/lim.out")
[ -n "$(cgdirs lim)" ] || fail "no cgroup"
for d in $(cgdirs lim); do grep -qx "$pid" "$d/cgroup.procs" || fail "$pid not in $d"; done
if [ $V = 1 ]; then
    [ "$(cgfile lim memory memory.limit_in_bytes)" = 33554432 ] && [ "$(cgfile lim pids pids.max)" = 15 ] &&
        [ "$(cgfile lim cpu cpu.cfs_quota_us)" = 20000 ] || fail "limits"
else
    [ "$(cgfile lim - memory.max)" = 33554432 ] && [ "$(cgfile lim - cpu.max)" = "20000 100000" ] || fail "v2 limits"
fi
wait_for grep -q "0::/" "$T/lim-json.log" || fail "no output: $(cat "$T/lim-json.log")"
! logs lim | grep -v ":/\\\\n'$" | grep -q . || fail "cgroupns: $(logs lim)"
# the driver's ops
h pause lim || fail "pause"
[ $V = 2 ] || [ "$(cgfile lim freezer freezer.state)" = FROZEN ] || fail "not frozen"
h stats lim >"$T/stats" || fail "stats"
python3 - "$T/stats" <<'EOF' || fail "stats: $(cat "$T/stats")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["memory_stats"]["limit"] == 33554432 and s["memory_stats"]["usage"] > 0
assert s["pids_stats"]["limit"] == 15 and s["pids_stats"]["current"] in (1, 2), s["pids_stats"]   # sh may exec its last command
assert s["cpu_stats"]["cpu_usage"]["total_usage"] > 0 and s["cpu_stats"]["online_cpus"] >= 1
assert "networks" not in s   # only lo in its namespace
EOF
h resume lim || fail "resume"
[ $V = 2 ] || [ "$(cgfile lim freezer freezer.state)" = THAWED ] || fail "not thawed"
echo '{"memory":{"limit":67108864},"pids":{"limit":-1}}' >"$T/upd.json"
h update lim "$T/upd.json" || fail "update"
[ $V = 2 ] || { [ "$(cgfile lim memory memory.limit_in_bytes)" = 67108864 ] &&
                [ "$(cgfile lim pids pids.max)" = max ]; } || fail "after update"
echo '{"cpu":{"cpus":"99"}}' >"$T/upd.json"
h update lim "$T/upd.json" 2>"$T/upd.err" && fail "a cpuset the host lacks accepted"
grep -q "cpuset.cpus" "$T/upd.err" || fail "update error: $(cat "$T/upd.err")"
# an exec in the container's cgroup
printf '{"process":{"args":["sleep","300"],"env":["PATH=/bin"],"cwd":"/"},"dctl":{}}' >"$T/x.json"
h exec lim 1a "$T/x.json" - >"$T/x.out" 2>&1 &
xh=$!
wait_for grep -q '^pid ' "$T/x.out" || fail "exec: $(cat "$T/x.out")"
xpid=$(sed -n 's/^pid //p' "$T/x.out")
for d in $(cgdirs lim); do grep -qx "$xpid" "$d/cgroup.procs" || fail "exec $xpid not in $d"; done
h kill lim 9
h wait lim >/dev/null
wait $xh
grep -qx 'exit 137' "$T/x.out" || fail "the exec outlived its container: $(cat "$T/x.out")"
[ -z "$(cgdirs lim)" ] || fail "the cgroup outlived its container: $(cgdirs lim)"
h remove lim && clean lim
ok "the cgroup in every hierarchy with its limits, cgroupns, pause/resume/stats/update, an exec in it, removed at the end"

# ---- device rules, written as the security side will write them ---------------------------------
spec dev 'process.args=["sh","-c","cat /dev/null && echo null-ok; cat /dev/zero >/dev/null 2>&1 || echo zero-denied"]' \
    "$CG/dev\"" \
    'linux.resources={"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":3,"access":"rwm"},{"allow":true,"type":"c","major":136,"access":"rwm"},{"allow":true,"type":"c","major":5,"minor":2,"access":"rwm"}]}'
run dev || fail "run dev: $(cat "$T/dev.err")"
[ "$(logs dev)" = "'null-ok\\n'
'zero-denied\\n'" ] || fail "devices: $(logs dev)"
h remove dev && clean dev
ok "linux.resources.devices: deny all but /dev/null: /dev/null opens, /dev/zero is refused"

# ---- OOM in exit.json --------------------------------------------------------------------------
spec oom 'process.args=["tail","/dev/zero"]' "$CG/oom\"" 'linux.resources={"memory":{"limit":16777216,"swap":16777216}}'
run oom
grep -qx 'exit 137' "$T/oom.out" || fail "oom: $(cat "$T/oom.out")"
grep -q '"oomKilled":true' "$RUN_DIR/oom/exit.json" || fail "exit.json: $(cat "$RUN_DIR/oom/exit.json")"
h remove oom && clean oom
ok "OOM: 137 and oomKilled in exit.json"

# ---- a shim killed: remove takes its cgroup ------------------------------------------------------
spec gone 'process.args=["sleep","1000"]' "$CG/gone\""
h create gone "$T/gone.json" && h start gone >/dev/null || fail "start gone"
kill -KILL "$(cat "$RUN_DIR/gone/shim.pid")"
[ -n "$(cgdirs gone)" ] || fail "the cgroup went with the shim"
h remove gone || fail "remove gone"
[ -z "$(cgdirs gone)" ] || fail "remove left the cgroup: $(cgdirs gone)"
pgrep -f "sleep 1000" | while read -r p; do
    grep -q "$CGROUP_PARENT/gone" "/proc/$p/cgroup" 2>/dev/null && fail "the container's process outlived remove"
done
clean gone
ok "a killed shim's container and cgroup go with remove"

# ---- a limit the kernel refuses ------------------------------------------------------------------
spec badcpu 'process.args=["true"]' "$CG/badcpu\"" 'linux.resources={"cpu":{"cpus":"77"}}'
! run badcpu || fail "a cpuset the host lacks started"
grep -q "cgroup: write \"77\" to .*cpuset.cpus" "$T/badcpu.err" || fail "badcpu: $(cat "$T/badcpu.err")"
[ -z "$(cgdirs badcpu)" ] || fail "badcpu left its cgroup"
h remove badcpu && clean badcpu
spec badpath 'process.args=["true"]' 'linux.cgroupsPath="/../x"'
! run badpath || fail "a cgroup path with .. started"
grep -q 'has a "." or ".." component' "$T/badpath.err" || fail "badpath: $(cat "$T/badpath.err")"
h remove badpath && clean badpath
ok "a limit the kernel refuses, a bad cgroup path: the start fails with the reason, nothing left"
