#!/bin/bash
# tests/integration/test-security.sh - isolation seen from inside real containers (dctl
# against a real dctld, the native exec driver): Docker's capability sets (default,
# non-root, --cap-drop ALL, --cap-add, ALL, --privileged); the seccomp filter (blocked
# calls answer EPERM, clone3 ENOSYS, and work with seccomp=unconfined or the capability;
# a custom profile; an exec keeps the container's filter, --privileged or not); the
# filter compiled once; no-new-privileges; masked and read-only paths; --read-only;
# --device and the devices cgroup rules in the spec; --privileged's host devices; ulimits;
# /info and inspect; and bad input (unknown capability, bad seccomp profile, bad
# --device, a ulimit above the hard limit, bad --security-opt) refused with nothing left.
. "$top_srcdir/tests/integration/lib.sh"
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
[ -x "$DCTL_SHIM" ] || fail "dctl-shim not built: $DCTL_SHIM"
PROBE="$top_builddir/tests/helpers/sysprobe"
[ -x "$PROBE" ] || fail "not built: $PROBE"
unshare --net true 2>/dev/null || skip "cannot create namespaces here"

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc" "$T/rootfs/tmp"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in $(/bin/busybox --list); do
    [ "$c" = busybox ] || ln -s busybox "$T/rootfs/bin/$c"
done
cp "$PROBE" "$T/rootfs/bin/sysprobe"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' \
    >"$T/rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$T/rootfs/etc/group"
tar -C "$T/rootfs" --numeric-owner -cf "$T/bb.tar" .

dctld_start --log-level debug
export DCTL_HOST="unix://$SOCK"
"$DCTL" import "$T/bb.tar" bb >/dev/null || fail "import"
N="--network none"
run() { "$DCTL" run --rm $N "$@"; }

# nothing of a refused create is left: no container, no run dir, no shim, no mount
nothing_left() {
    [ -z "$("$DCTL" ps -aq)" ] || fail "$1: containers left: $("$DCTL" ps -a)"
    [ -z "$(ls -A "$DATA_ROOT/containers")" ] || fail "$1: container dirs left"
    [ -z "$(ls -A "$EXEC_ROOT/drivers/exec/native" 2>/dev/null)" ] || fail "$1: run dirs left"
    ! pgrep -f "dctl-shim .* $EXEC_ROOT/" >/dev/null || fail "$1: a shim is left"
    ! grep -F " $DATA_ROOT/" /proc/mounts | grep -q /merged ||
        fail "$1: a container's root is still mounted: $(grep -F " $DATA_ROOT/" /proc/mounts)"
}

# ---- capabilities -------------------------------------------------------------------------
caps() { run "$@" bb grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status | tr -s '\t' ' '; }
want="CapInh: 0000000000000000
CapPrm: 00000000a80425fb
CapEff: 00000000a80425fb
CapBnd: 00000000a80425fb
CapAmb: 0000000000000000"
[ "$(caps)" = "$want" ] || fail "default capabilities: $(caps)"
want="CapInh: 0000000000000000
CapPrm: 0000000000000000
CapEff: 0000000000000000
CapBnd: 00000000a80425fb
CapAmb: 0000000000000000"
[ "$(caps -u nobody)" = "$want" ] || fail "a non-root user's capabilities: $(caps -u nobody)"
[ "$(caps --cap-drop ALL | cut -d' ' -f2 | sort -u)" = 0000000000000000 ] ||
    fail "--cap-drop ALL: $(caps --cap-drop ALL)"
[ "$(caps --cap-drop ALL --cap-add NET_ADMIN | grep CapEff)" = "CapEff: 0000000000001000" ] ||
    fail "--cap-drop ALL --cap-add NET_ADMIN"
[ "$(caps --cap-add cap_sys_admin --cap-drop chown | grep CapBnd)" = "CapBnd: 00000000a82425fa" ] ||
    fail "--cap-add cap_sys_admin --cap-drop chown: $(caps --cap-add cap_sys_admin --cap-drop chown)"
# ALL and --privileged: every capability the kernel has that dctld holds (the shim cannot
# give more than it has: here no CAP_SYS_RESOURCE)
last=$(cat /proc/sys/kernel/cap_last_cap)
mine=$(( 0x$(grep CapPrm /proc/$DCTLD_PID/status | cut -f2) & ((1 << (last + 1)) - 1) ))
all=$(printf '%016x' "$mine")
[ "$(caps --privileged | grep CapEff)" = "CapEff: $all" ] || fail "--privileged: $(caps --privileged)"
[ "$(caps --cap-add ALL --cap-drop NET_RAW | grep CapBnd)" = \
  "CapBnd: $(printf '%016x' $(( mine & ~(1 << 13) )))" ] || fail "--cap-add ALL --cap-drop NET_RAW"
ok "capabilities: Docker's 14 (bounding only for a non-root user), --cap-drop ALL, --cap-add, ALL, --privileged"

# ---- seccomp --------------------------------------------------------------------------------
blocked="keyctl add_key request_key unshare-user unshare-net clone-newns mount personality-bsd
socket-vsock socket-alg io_uring userfaultfd bpf perf_event_open open_by_handle_at kexec_load
init_module swapon acct settimeofday clock_settime"
allowed="fork personality-query socket-inet chroot ptrace"
probe() { run "$@" bb sysprobe $blocked clone3 $allowed >"$T/probe" || fail "sysprobe $*: $(cat "$T/probe")"; }
verdict() { sed -n "s/^$1=//p" "$T/probe"; }
probe
for c in $blocked; do
    [ "$(verdict "$c")" = EPERM ] || fail "default profile: $c answered $(verdict "$c"), want EPERM"
done
[ "$(verdict clone3)" = ENOSYS ] || fail "clone3 answered $(verdict clone3), want ENOSYS"
[ "$(verdict fork)" = ok ] && [ "$(verdict personality-query)" = ok ] &&
    [ "$(verdict socket-inet)" = ok ] && [ "$(verdict chroot)" = ok ] ||
    fail "default profile refused what it allows: $(cat "$T/probe")"
[ "$(verdict ptrace)" = ESRCH ] || fail "ptrace is allowed on this kernel: $(verdict ptrace)"
[ "$(run bb grep -E '^Seccomp:' /proc/self/status | tr -s '\t' ' ')" = "Seccomp: 2" ] ||
    fail "no seccomp filter in the container"
ok "seccomp: the default profile refuses $(echo $blocked | wc -w) calls with EPERM, clone3 with ENOSYS, allows the rest"

probe --security-opt seccomp=unconfined
for c in keyctl add_key unshare-user clone3 personality-bsd socket-vsock socket-alg; do
    [ "$(verdict "$c")" != EPERM ] && [ "$(verdict "$c")" != ENOSYS ] ||
        fail "seccomp=unconfined: $c still refused ($(verdict "$c"))"
done
# the capability is still the kernel's business
[ "$(verdict mount)" = EPERM ] || fail "seccomp=unconfined without CAP_SYS_ADMIN: mount $(verdict mount)"
[ "$(run --security-opt seccomp=unconfined bb grep -E '^Seccomp:' /proc/self/status | tr -s '\t' ' ')" = \
  "Seccomp: 0" ] || fail "seccomp=unconfined left a filter"
# with CAP_SYS_TIME the default profile lets the clock calls through (the kernel then
# refuses the probe's invalid time: nothing is set)
probe --cap-add SYS_TIME
[ "$(verdict settimeofday)" = EINVAL ] && [ "$(verdict clock_settime)" = EINVAL ] ||
    fail "--cap-add SYS_TIME: settimeofday $(verdict settimeofday), clock_settime $(verdict clock_settime)"
probe --cap-add SYS_ADMIN
for c in mount unshare-net clone-newns clone3; do
    [ "$(verdict "$c")" = ok ] || fail "--cap-add SYS_ADMIN: $c answered $(verdict "$c")"
done
[ "$(verdict keyctl)" = EPERM ] || fail "--cap-add SYS_ADMIN let keyctl through"
probe --privileged
[ "$(verdict mount)" = ok ] && [ "$(verdict keyctl)" != EPERM ] || fail "--privileged: $(cat "$T/probe")"
ok "seccomp: unconfined lifts the filter (the capability still counts), --cap-add SYS_ADMIN allows mount and namespaces, --privileged has no filter"

# a custom profile (Docker's format, read by dctl from a file)
cat >"$T/profile.json" <<'EOF'
{
    "defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [
        {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
        {"names": ["keyctl"], "action": "SCMP_ACT_ERRNO"}
    ]
}
EOF
out=$(run --security-opt seccomp="$T/profile.json" bb sh -c 'mkdir /d 2>&1; sysprobe keyctl unshare-user')
echo "$out" | grep -q "Permission denied" || fail "custom profile: mkdir: $out"
echo "$out" | grep -qx "keyctl=EPERM" && echo "$out" | grep -qx "unshare-user=ok" ||
    fail "custom profile: $out"
ok "seccomp: a custom profile (errnoRet, the default EPERM, defaultAction ALLOW)"

# the filter is compiled once per profile and capability set, not per container
nbpf=$(ls "$EXEC_ROOT/seccomp" | wc -l)
compiles=$(grep -c 'seccomp filter .* compiled in' "$LOG")
for i in 1 2 3; do run bb true || fail "run $i"; done
[ "$(ls "$EXEC_ROOT/seccomp" | wc -l)" = "$nbpf" ] || fail "new filter files for the same settings"
[ "$(grep -c 'seccomp filter .* compiled in' "$LOG")" = "$compiles" ] || fail "compiled again"
grep -q 'seccomp filter .* the default profile, caps 00000000a80425fb' "$LOG" ||
    fail "the default filter was not compiled at start-up"
ok "seccomp: each filter compiled once ($nbpf files for $compiles compiles)"

# exec: the container's filter, with --privileged too (only the capabilities change)
# (sleep 987, not 1000: test-exec.sh, which may run beside this test, counts those)
"$DCTL" run -d --name ex $N bb sleep 987 >/dev/null || fail "run ex"
out=$("$DCTL" exec ex sysprobe keyctl mount)
[ "$out" = "keyctl=EPERM
mount=EPERM" ] || fail "exec: $out"
out=$("$DCTL" exec --privileged ex sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; sysprobe mount keyctl unshare-net' | tr -s '\t' ' ')
[ "$out" = "CapEff: $all
Seccomp: 2
mount=EPERM
keyctl=EPERM
unshare-net=EPERM" ] || fail "exec --privileged: $out"
"$DCTL" rm -f ex >/dev/null
ok "exec: the container's seccomp filter, also with --privileged (all capabilities)"

# ---- no-new-privileges ----------------------------------------------------------------------
[ "$(run bb grep NoNewPrivs /proc/self/status | tr -s '\t' ' ')" = "NoNewPrivs: 0" ] ||
    fail "no_new_privs set by default"
for o in no-new-privileges no-new-privileges=true no-new-privileges:true; do
    [ "$(run --security-opt $o -u nobody bb grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\t' ' ')" = \
      "NoNewPrivs: 1
Seccomp: 2" ] || fail "--security-opt $o"
done
[ "$(run --security-opt no-new-privileges=false bb grep NoNewPrivs /proc/self/status | tr -s '\t' ' ')" = \
  "NoNewPrivs: 0" ] || fail "no-new-privileges=false"
ok "no-new-privileges (alone, =true, :true, =false), with the filter loaded by a non-root user"

# ---- masked and read-only paths ---------------------------------------------------------------
script='for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats /proc/timer_stats; do
    [ -e $p ] && echo "$p $(wc -c <$p)"
done
for d in /proc/acpi /proc/scsi /proc/asound /sys/firmware /sys/devices/virtual/powercap; do
    [ -d $d ] && echo "$d $(ls -A $d | wc -l)"
done
echo x >/proc/sys/kernel/domainname 2>&1
for p in /proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger; do
    [ -e $p ] && grep " $p " /proc/self/mountinfo | grep -q " ro," && echo "$p ro"
done
grep " /sys " /proc/self/mountinfo | grep -q " ro," && echo "/sys ro"'
run bb sh -c "$script" >"$T/paths" 2>&1
grep -q 'Read-only file system' "$T/paths" || fail "/proc/sys is writable: $(cat "$T/paths")"
for p in /proc/keys /proc/timer_list /proc/kcore; do
    [ -e "$p" ] || continue
    grep -qx "$p 0" "$T/paths" || fail "$p is not masked: $(cat "$T/paths")"
done
[ -d /sys/firmware ] && { grep -qx "/sys/firmware 0" "$T/paths" || fail "/sys/firmware is not masked"; }
[ -d /proc/acpi ] && { grep -qx "/proc/acpi 0" "$T/paths" || fail "/proc/acpi is not masked"; }
for p in /proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger /sys; do
    [ -e "$p" ] || continue
    grep -qx "$p ro" "$T/paths" || fail "$p is not read-only: $(cat "$T/paths")"
done
run --privileged bb sh -c "$script" >"$T/paths" 2>&1
! grep -q 'Read-only file system' "$T/paths" || fail "--privileged: /proc/sys read-only"
! grep -qx "/sys ro" "$T/paths" || fail "--privileged: /sys read-only"
[ -e /proc/keys ] && { ! grep -qx "/proc/keys 0" "$T/paths" || fail "--privileged: /proc/keys masked"; }
run --security-opt systempaths=unconfined bb sh -c "$script" >"$T/paths" 2>&1
! grep -q 'Read-only file system' "$T/paths" || fail "systempaths=unconfined: /proc/sys read-only"
ok "masked paths read empty, read-only paths refuse writes; --privileged and systempaths=unconfined lift them"

# ---- --read-only --------------------------------------------------------------------------------
out=$(run --read-only bb sh -c 'touch /x 2>&1; echo hi >/etc/hosts 2>&1
    for d in /dev /dev/shm /dev/mqueue; do touch $d/w && echo "$d ok"; done; touch /tmp/w 2>&1' 2>&1)
echo "$out" | grep -q "touch: /x: Read-only file system" || fail "--read-only: / is writable: $out"
echo "$out" | grep -q "/etc/hosts: Read-only file system" || fail "--read-only: /etc/hosts writable"
for d in /dev /dev/shm /dev/mqueue; do echo "$out" | grep -qx "$d ok" || fail "--read-only: $d: $out"; done
echo "$out" | grep -q "touch: /tmp/w: Read-only file system" || fail "--read-only: /tmp writable"
[ "$(run --read-only --tmpfs /tmp bb sh -c 'touch /tmp/w && echo ok')" = ok ] ||
    fail "--read-only --tmpfs /tmp"
ok "--read-only: / and /etc/hosts refuse writes, /dev, /dev/shm, /dev/mqueue do not, /tmp with --tmpfs"

# ---- devices ----------------------------------------------------------------------------------------
out=$(run --device /dev/null:/dev/mynull:rw bb sh -c 'ls -l /dev/mynull; echo x >/dev/mynull && echo written; ls /dev')
echo "$out" | grep -Eq '^crw-rw-rw- +1 root +root +1, +3 .* /dev/mynull$' || fail "--device: $out"
echo "$out" | grep -qx written || fail "--device: cannot write: $out"
for d in $(echo "$out" | grep -v -e mynull -e written -e '^c'); do
    case $d in null|zero|full|random|urandom|tty|pts|ptmx|shm|mqueue|fd|stdin|stdout|stderr|core|console) ;;
    *) fail "--device: /dev/$d is in the container: $out" ;;
    esac
done
"$DCTL" create --name devs $N --device /dev/null:/dev/mynull:rw --device-cgroup-rule 'c 4:* rwm' \
    bb true >/dev/null || fail "create devs"
"$DCTL" start devs >/dev/null || fail "start devs"
id=$("$DCTL" inspect -f '{{.Id}}' devs)
python3 - "$EXEC_ROOT/drivers/exec/native/$id/config.json" <<'EOF' || fail "the spec's devices"
import json, sys
s = json.load(open(sys.argv[1]))
r = s["linux"]["resources"]["devices"]
assert r[0] == {"allow": False, "access": "rwm"}, r[0]
want = [("c", -1, -1, "m"), ("b", -1, -1, "m"), ("c", 1, 3, "rwm"), ("c", 1, 8, "rwm"),
        ("c", 1, 7, "rwm"), ("c", 5, 0, "rwm"), ("c", 1, 5, "rwm"), ("c", 1, 9, "rwm"),
        ("c", 136, -1, "rwm"), ("c", 5, 2, "rwm"), ("c", 10, 200, "rwm"),
        ("c", 1, 3, "rw"), ("c", 4, -1, "rwm")]
got = [(x["type"], x["major"], x["minor"], x["access"]) for x in r[1:]]
assert got == want, got
assert all(x["allow"] for x in r[1:])
d = [x for x in s["linux"]["devices"] if x["path"] == "/dev/mynull"]
assert d and d[0]["major"] == 1 and d[0]["minor"] == 3 and d[0]["type"] == "c", d
# the shim loads the compiled filter; its copy of the spec goes without the OCI profile
assert s["dctl"]["seccompBpf"].startswith(sys.argv[1].split("/drivers/")[0] + "/seccomp/")
assert "seccomp" not in s["linux"]
EOF
"$DCTL" rm -f devs >/dev/null
host_devs=$(find /dev -xdev \( -path /dev/pts -o -path /dev/shm -o -path /dev/mqueue -o -path /dev/fd \) -prune \
    -o \( -type c -o -type b \) -print | grep -v -e "^/dev/console$" -e "^/dev/ptmx$" | wc -l)
cont_devs=$(run --privileged bb sh -c 'find /dev \( -path /dev/pts -o -path /dev/shm -o -path /dev/mqueue \) -prune -o \( -type c -o -type b \) -print | grep -v -e "^/dev/console$" -e "^/dev/ptmx$" | wc -l')
[ "$cont_devs" -ge "$host_devs" ] || fail "--privileged: $cont_devs devices, the host has $host_devs"
ok "devices: --device node and rule, Docker's default cgroup rules, --device-cgroup-rule, only the default nodes; --privileged: the host's $host_devs devices"

# ---- ulimits ------------------------------------------------------------------------------------------
[ "$(run --ulimit nofile=1024:2048 bb sh -c 'ulimit -n; ulimit -Hn')" = "1024
2048" ] || fail "--ulimit nofile=1024:2048"
[ "$(run --ulimit nproc=100 bb sh -c 'ulimit -u; ulimit -Hu')" = "100
100" ] || fail "--ulimit nproc=100"
"$DCTL" run -d --name ul $N --ulimit nofile=512:1024 bb sleep 987 >/dev/null
[ "$("$DCTL" exec ul sh -c 'ulimit -n; ulimit -Hn')" = "512
1024" ] || fail "an exec does not get the container's ulimits"
[ "$(api GET /containers/ul/json | json 'j["HostConfig"]["Ulimits"]')" = \
  '[{"Name": "nofile", "Hard": 1024, "Soft": 512}]' ] ||
    fail "inspect Ulimits: $(api GET /containers/ul/json | json 'j["HostConfig"]["Ulimits"]')"
"$DCTL" rm -f ul >/dev/null
ok "ulimits applied (soft and hard, the hard one defaulting to the soft), also for an exec"

# ---- /info and inspect ------------------------------------------------------------------------------
api GET /info | json 'j["SecurityOptions"]' | grep -q '"name=seccomp,profile=builtin"' ||
    fail "/info SecurityOptions: $(api GET /info | json 'j["SecurityOptions"]')"
"$DCTL" create --name ins $N --security-opt seccomp="$T/profile.json" --security-opt apparmor=prof \
    --cap-add net_admin bb true >/dev/null || fail "create ins"
api GET /containers/ins/json >"$T/ins"
python3 - "$T/ins" "$T/profile.json" <<'EOF' || fail "inspect ins"
import json, sys
j = json.load(open(sys.argv[1]))
hc = j["HostConfig"]
prof = json.dumps(json.load(open(sys.argv[2])), separators=(",", ":"))
assert hc["SecurityOpt"] == ["seccomp=" + prof, "apparmor=prof"], hc["SecurityOpt"]
assert hc["CapAdd"] == ["CAP_NET_ADMIN"], hc["CapAdd"]   # as the docker CLI sends it
assert j["AppArmorProfile"] == "prof", j["AppArmorProfile"]
assert "/proc/kcore" in hc["MaskedPaths"] and len(hc["MaskedPaths"]) == 11, hc["MaskedPaths"]
assert hc["ReadonlyPaths"] == ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
EOF
"$DCTL" rm ins >/dev/null
ok "/info lists the builtin seccomp profile; inspect shows SecurityOpt as sent, the default masked and read-only paths"

# ---- bad input: a clear error, nothing left ------------------------------------------------------------
nothing_left "before the bad input"
bad() {   # bad WANT-IN-STDERR ARGS...
    local want=$1
    shift
    "$DCTL" run --rm $N "$@" bb true >"$T/out" 2>"$T/err" && fail "accepted: $*"
    grep -qF -- "$want" "$T/err" || fail "$*: $(cat "$T/err"), want $want"
    nothing_left "$*"
}
bad 'invalid CapAdd: unknown capability: "CAP_FOO"' --cap-add foo
bad 'invalid CapDrop: unknown capability: "CAP_NOPE"' --cap-drop CAP_NOPE
echo '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_MAYBE"}]}' \
    >"$T/bad-action.json"
bad 'invalid seccomp profile: string SCMP_ACT_MAYBE is not a valid action for seccomp' \
    --security-opt seccomp="$T/bad-action.json"
echo '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": "read"}' >"$T/bad-type.json"
bad 'Decoding seccomp profile failed: json: cannot unmarshal string into Go struct field Seccomp.syscalls' \
    --security-opt seccomp="$T/bad-type.json"
echo '{"defaultAction": ' >"$T/bad-json.json"
bad 'compacting json for seccomp profile' --security-opt seccomp="$T/bad-json.json"
bad 'opening seccomp profile' --security-opt seccomp="$T/nonexistent.json"
bad 'invalid --security-opt 2: "foo=bar"' --security-opt foo=bar
bad 'error gathering device information while adding custom device "/dev/nonexistent": no such file or directory' \
    --device /dev/nonexistent
bad 'adding custom device "/etc/passwd": not a device node' --device /etc/passwd
bad 'bad mode specified: rwx' --device /dev/null:/dev/n:rwx
bad 'rel is not an absolute path' --device /dev/null:rel
bad "invalid device cgroup format 'c 1:3'" --device-cgroup-rule 'c 1:3'
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && ! (ulimit -Hn $((hard + 1))) 2>/dev/null; then
    bad "invalid ulimit nofile: hard limit $((hard + 1)) is above the current hard limit $hard" \
        --ulimit nofile=1024:$((hard + 1))
fi
bad 'ulimit soft limit must be less than or equal to hard limit: 20 > 10' --ulimit nofile=20:10
bad 'invalid ulimit type: nofiles' --ulimit nofiles=10
# the same refusals by the API itself (400, nothing left)
for body in '{"Image":"bb","HostConfig":{"NetworkMode":"none","CapAdd":["BOGUS"]}}' \
            '{"Image":"bb","HostConfig":{"NetworkMode":"none","SecurityOpt":["seccomp={\"defaultAction\":5}"]}}' \
            '{"Image":"bb","HostConfig":{"NetworkMode":"none","SecurityOpt":["nope"]}}' \
            '{"Image":"bb","HostConfig":{"NetworkMode":"none","Devices":[{"PathOnHost":"/dev/nope"}]}}' \
            '{"Image":"bb","HostConfig":{"NetworkMode":"none","DeviceCgroupRules":["z 1:1 r"]}}' \
            '{"Image":"bb","HostConfig":{"NetworkMode":"none","Ulimits":[{"Name":"nofile","Soft":5,"Hard":4}]}}'; do
    expect_status 400 POST /containers/create -H 'Content-Type: application/json' -d "$body"
    nothing_left "$body"
done
ok "bad input refused with Docker's words, by dctl and by the API (400), nothing left"
