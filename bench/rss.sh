#!/bin/bash
# bench/rss.sh - idle memory of dctld, and where it goes.
#
# Starts dctld as tests/integration/lib.sh does (private socket, data root, exec
# root, pidfile and config under a temp dir; the drivers built in this tree in
# its driver dir, as the installed default would load them), waits until it
# answers /_ping and then 2 s more, and prints VmRSS, RssAnon and RssFile from
# /proc/PID/status and the top mappings by Rss (summed per file from
# /proc/PID/smaps). Stops dctld by pid and removes the temp dir on exit.
#
# Expects a built tree; builds nothing. Needs curl.
# Use: bench/rss.sh     Environment: DCTLD=path/to/dctld  TOP=10  IDLE=2
set -euo pipefail

top_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
: "${DCTLD:=$top_builddir/daemon/dctld}"
: "${TOP:=10}"
: "${IDLE:=2}"

T=$(mktemp -d /tmp/dctl-rss.XXXXXX)
PID=

cleanup() {
    trap - EXIT INT TERM
    set +e
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID"
        for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$PID" 2>/dev/null
        wait "$PID" 2>/dev/null
    fi
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

mkdir -p "$T/drivers"
for so in "$top_builddir"/drivers/*/.libs/*.so; do
    [ -e "$so" ] && ln -sf "$so" "$T/drivers/"
done
echo '{}' >"$T/daemon.json"
"$DCTLD" -H "unix://$T/dctl.sock" --data-root "$T/data" --exec-root "$T/exec" \
    --pidfile "$T/dctld.pid" --driver-dir "$T/drivers" --config-file "$T/daemon.json" \
    >"$T/dctld.log" 2>&1 &
PID=$!
for _ in $(seq 100); do
    curl -sf --unix-socket "$T/dctl.sock" http://d/_ping >/dev/null 2>&1 && break
    kill -0 "$PID" 2>/dev/null || { cat "$T/dctld.log" >&2; exit 1; }
    sleep 0.05
done
sleep "$IDLE"
[ -z "${SMAPS_OUT:-}" ] || cp "/proc/$PID/smaps" "$SMAPS_OUT"
grep -E '^(VmRSS|RssAnon|RssFile|RssShmem|VmSize|Threads):' "/proc/$PID/status"
echo
echo "top $TOP mappings by Rss (kB, summed per file; anon = unnamed):"
awk '
    /^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6) ? $6 : "[anon]"; next }
    /^Rss:/ { rss[name] += $2 }
    END { for (n in rss) if (rss[n] > 0) printf "%8d  %s\n", rss[n], n }
' "/proc/$PID/smaps" | sort -rn | head -n "$TOP"
