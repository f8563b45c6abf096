#!/bin/bash
# bench/native.sh - the native exec driver alone (tests/helpers/exec-harness, no
# dctld): create+start+exit+remove of /bin/true from a busybox rootfs, the median
# of N runs, with the run dir on disk and on tmpfs, without and with a user namespace
# of its own (the maps of --userns-remap default); and the RSS of a dctl-shim whose
# container is logging, without and with a user namespace. Needs root and a built tree (`make check` builds
# the harness). Usage: sudo bench/native.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
H=tests/helpers/exec-harness
export NATIVE_SO=$PWD/drivers/exec/.libs/native.so DCTL_SHIM=$PWD/daemon/shim/dctl-shim
[ -x "$H" ] || { echo "build the harness first: make tests/helpers/exec-harness" >&2; exit 1; }
T=$(mktemp -d /tmp/dctl-bench-native.XXXXXX)
S=$(mktemp -d /dev/shm/dctl-bench-native.XXXXXX)
trap 'rm -rf "$T" "$S"' EXIT
chmod 0711 "$T"   # the remapped root reaches nothing under $T but the root it is given
mkdir -p "$T/rootfs/bin"
cp /bin/busybox "$T/rootfs/bin/"
for c in true sh echo sleep; do ln -s busybox "$T/rootfs/bin/$c"; done
spec() { # spec FILE ARGS-JSON [userns]
    python3 - "$T" "$1" "$2" "${3:-}" <<'PY'
import json, sys
t, out, args, userns = sys.argv[1:5]
linux = {"namespaces": [{"type": x} for x in ["mount", "network", "uts", "pid", "ipc", "cgroup"]],
         "devices": [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]}
if userns:
    linux["namespaces"].append({"type": "user"})
    linux["uidMappings"] = linux["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
json.dump({"process": {"args": json.loads(args), "env": ["PATH=/bin"], "cwd": "/"},
           "root": {"path": t + "/rootfs"},
           "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                      {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["mode=755"]}],
           "linux": linux,
           "dctl": {"log": {"driver": "json-file", "path": t + "/log.json", "maxSize": 0, "maxFile": 1}}},
          open(out, "w"))
PY
}
spec "$T/true.json" '["/bin/true"]'
spec "$T/tick.json" '["sh", "-c", "while true; do echo tick; sleep 0.1; done"]'
spec "$T/true-userns.json" '["/bin/true"]' userns
spec "$T/tick-userns.json" '["sh", "-c", "while true; do echo tick; sleep 0.1; done"]' userns
printf '%-40s %s\n' "uptime" "$(uptime)"
printf '%-40s %s\n' "start latency, run dir on disk" "$(RUN_DIR=$T/run "$H" bench "$RUNS" "$T/true.json")"
printf '%-40s %s\n' "start latency, run dir on tmpfs" "$(RUN_DIR=$S/run "$H" bench "$RUNS" "$T/true.json")"
printf '%-40s %s\n' "start latency, tmpfs, user namespace" "$(RUN_DIR=$S/run "$H" bench "$RUNS" "$T/true-userns.json")"
RUN_DIR=$S/run "$H" create tick "$T/tick.json"
RUN_DIR=$S/run "$H" start tick >/dev/null
sleep 1
printf '%-40s %s\n' "dctl-shim RSS (container logging)" "$(grep VmRSS "/proc/$(cat "$S/run/tick/shim.pid")/status" | tr -s ' \t' ' ')"
RUN_DIR=$S/run "$H" remove tick
RUN_DIR=$S/run "$H" create ticku "$T/tick-userns.json"
RUN_DIR=$S/run "$H" start ticku >/dev/null
sleep 1
printf '%-40s %s\n' "dctl-shim RSS (logging, user namespace)" "$(grep VmRSS "/proc/$(cat "$S/run/ticku/shim.pid")/status" | tr -s ' \t' ' ')"
RUN_DIR=$S/run "$H" remove ticku
