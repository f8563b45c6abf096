#!/bin/bash
# tests/integration/test-health.sh - health checks against a real dctld with the native
# exec driver: starting, unhealthy after Retries failures, healthy again (events,
# FailingStreak, the last five results with their output, 4096 bytes at most), the
# Status column and the health filter, StartPeriod, a Timeout that kills the probe,
# the CMD and CMD-SHELL forms, Test ["NONE"], unhealthy once stopped, probes resumed
# after a dctld SIGKILL + restart, and bad Healthcheck values refused leaving nothing.
. "$top_srcdir/tests/integration/lib.sh"
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
[ -x "$DCTL_SHIM" ] || fail "dctl-shim not built: $DCTL_SHIM"

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc" "$T/rootfs/tmp"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh test sleep touch cat echo rm head tr ps grep true false; do
    ln -s busybox "$T/rootfs/bin/$c"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$T/rootfs/etc/passwd"
tar -C "$T/rootfs" --numeric-owner -cf "$T/bb.tar" .

dctld_start
export DCTL_HOST="unix://$SOCK"
"$DCTL" import "$T/bb.tar" bb:1 >/dev/null || fail "import"
N="--network none"
JSON=(-H 'Content-Type: application/json')
health() { api GET "/containers/$1/json" | json 'j["State"]["Health"]["'"$2"'"]'; }
# until NAME STATUS: waits (up to 20 s) for the health status
until_status() {
    local i
    for i in $(seq 200); do [ "$(health "$1" Status)" = "$2" ] && return 0; sleep 0.1; done
    fail "$1: health $(health "$1" Status), want $2: $(api GET "/containers/$1/json" | json 'j["State"]')"
}

# followed from now: probes' exec events soon push the early ones out of the ring
curl -sN --unix-socket "$SOCK" 'http://d/events?filters=%7B%22event%22%3A%5B%22health_status%22%5D%7D' \
    >"$T/ev" &
evpid=$!
"$DCTL" run -d $N --name hc --health-cmd 'test -f /tmp/ok && echo fine || { echo not yet >&2; exit 3; }' \
    --health-interval 100ms --health-retries 2 bb:1 sleep 1000 >/dev/null || fail "run"
until_status hc unhealthy
[ "$(health hc FailingStreak)" -ge 2 ] || fail "FailingStreak $(health hc FailingStreak)"
api GET /containers/hc/json | json 'j["State"]["Health"]["Log"][-1]' >"$T/last"
[ "$(json 'j["ExitCode"], j["Output"]' <"$T/last")" = "(3, 'not yet\\n')" ] || fail "last result: $(cat "$T/last")"
[ "$(api GET '/containers/json?filters=%7B%22health%22%3A%5B%22unhealthy%22%5D%7D' | json 'len(j)')" = 1 ] ||
    fail "health=unhealthy filter"
"$DCTL" exec hc touch /tmp/ok
until_status hc healthy
[ "$(health hc FailingStreak)" = 0 ] || fail "FailingStreak after a success"
"$DCTL" ps --format '{{.Status}}' | grep -q '(healthy)' || fail "ps: $("$DCTL" ps)"
sleep 0.8
[ "$(api GET /containers/hc/json | json 'len(j["State"]["Health"]["Log"])')" = 5 ] || fail "not five results kept"
[ "$(api GET /containers/hc/json | json 'j["State"]["Health"]["Log"][-1]["Output"]')" = fine ] || fail "output"
for f in healthy:1 unhealthy:0 starting:0 none:0; do
    q=$(printf '{"health":["%s"]}' "${f%:*}" | python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.stdin.read()))')
    [ "$(api GET "/containers/json?filters=$q" | json 'len(j)')" = "${f#*:}" ] || fail "health=${f%:*} filter"
done
for _ in $(seq 20); do [ "$(grep -c health_status "$T/ev")" -ge 2 ] && break; sleep 0.1; done
kill $evpid
wait $evpid 2>/dev/null
[ "$(grep -o '"Action":"health_status: [a-z]*"' "$T/ev" | tr '\n' ' ')" = \
  '"Action":"health_status: unhealthy" "Action":"health_status: healthy" ' ] ||
    fail "health_status events: $(grep -o '"Action":"[^"]*"' "$T/ev" | sort | uniq -c)"
api GET "/events?since=$(($(date +%s) - 2))&until=$(date +%s)" >"$T/ev2"
grep -q '"Action":"exec_create: /bin/sh -c test -f' "$T/ev2" || fail "the probes' exec events"
# done probes do not pile up as exec sessions: the one in flight, one being removed
[ "$(ls "$EXEC_ROOT/execs" | wc -l)" -le 2 ] || fail "probes left as execs: $(ls "$EXEC_ROOT/execs" | wc -l)"
[ "$(api GET /containers/hc/json | json 'len(j["ExecIDs"] or [])')" -le 1 ] || fail "probes in ExecIDs"
ok "starting, unhealthy after Retries failures, healthy again: events, streak, five results, ps, filters"

# a large output is cut at 4096 bytes; a probe over its Timeout is killed
"$DCTL" run -d $N --name big --health-cmd 'head -c 5000 /dev/zero | tr "\\0" x' \
    --health-interval 100ms bb:1 sleep 1000 >/dev/null
until_status big healthy
[ "$(api GET /containers/big/json | json 'len(j["State"]["Health"]["Log"][0]["Output"])')" = 4096 ] ||
    fail "output not cut at 4096"
"$DCTL" run -d $N --name slow --health-cmd 'sleep 7' --health-timeout 200ms --health-interval 100ms \
    --health-retries 1 bb:1 sleep 1000 >/dev/null
until_status slow unhealthy
[ "$(api GET /containers/slow/json | json 'j["State"]["Health"]["Log"][0]["ExitCode"], j["State"]["Health"]["Log"][0]["Output"]')" = \
  "(-1, 'Health check exceeded timeout (200ms)')" ] || fail "timeout: $(api GET /containers/slow/json | json 'j["State"]["Health"]')"
# probes follow each other every 300 ms; timed-out ones are killed, so at most the
# current one runs (each would run 7 s otherwise)
sleep 1.5
[ "$("$DCTL" exec slow ps -o args | grep -c '^sleep 7')" -le 1 ] ||
    fail "timed-out probes still run: $("$DCTL" exec slow ps -o pid,args)"
"$DCTL" rm -f big slow >/dev/null
ok "a probe's output is cut at 4096 bytes; one over its Timeout is killed and counts as -1"

# StartPeriod: failures meanwhile are logged but not counted; CMD form; NONE
"$DCTL" run -d $N --name sp --health-cmd false --health-interval 100ms --health-retries 1 \
    --health-start-period 5s bb:1 sleep 1000 >/dev/null
"$DCTL" ps --filter name=sp --format '{{.Status}}' | grep -q '(health: starting)' || fail "ps: $("$DCTL" ps)"
for _ in $(seq 30); do
    [ "$(api GET /containers/sp/json | json 'len(j["State"]["Health"]["Log"]) > 0')" = True ] && break
    sleep 0.1
done
api GET /containers/sp/json >"$T/sp"
[ "$(json 'j["State"]["Health"]["Status"], j["State"]["Health"]["FailingStreak"], j["State"]["Health"]["Log"][0]["ExitCode"]' <"$T/sp")" = "('starting', 0, 1)" ] ||
    fail "start period: $(json 'j["State"]' <"$T/sp")"
until_status sp unhealthy
api POST /containers/create?name=cmdform "${JSON[@]}" -d '{"Image":"bb:1","Cmd":["sleep","1000"],
    "HostConfig":{"NetworkMode":"none"},
    "Healthcheck":{"Test":["CMD","sh","-c","exit 0"],"Interval":100000000}}' >/dev/null
[ "$(status)" = 201 ] || fail "create CMD form: $(cat "$T/body")"
expect_status 204 POST /containers/cmdform/start
until_status cmdform healthy
api POST /containers/create?name=none "${JSON[@]}" -d '{"Image":"bb:1","Cmd":["sleep","1000"],
    "HostConfig":{"NetworkMode":"none"},"Healthcheck":{"Test":["NONE"]}}' >/dev/null
expect_status 204 POST /containers/none/start
sleep 0.3
[ "$(api GET /containers/none/json | json '"Health" in j["State"]')" = False ] || fail "NONE has a Health"
q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("{\"health\":[\"none\"]}"))')
[ "$(api GET "/containers/json?filters=$q" | json '[c["Names"][0] for c in j]')" = '["/none"]' ] ||
    fail "health=none: $(cat "$T/body")"
"$DCTL" rm -f sp none >/dev/null
ok "StartPeriod: failures logged, not counted; the CMD form; Test NONE has no Health"

# stopped: unhealthy; a dctld SIGKILL + restart: probes go on
"$DCTL" stop -t 1 cmdform >/dev/null
[ "$(health cmdform Status)" = unhealthy ] || fail "stopped: $(health cmdform Status)"
"$DCTL" rm cmdform >/dev/null
n=$(api GET /containers/hc/json | json 'j["State"]["Health"]["Log"][-1]["End"]')
kill -KILL "$DCTLD_PID"
wait "$DCTLD_PID" 2>/dev/null
dctld_start
[ "$(health hc Status)" = healthy ] || fail "after a restart: $(health hc Status)"
"$DCTL" exec hc rm /tmp/ok
until_status hc unhealthy
[ "$(api GET /containers/hc/json | json 'j["State"]["Health"]["Log"][-1]["End"]')" \> "$n" ] ||
    fail "no probe after the restart"
ok "unhealthy once stopped; the status kept and the probes resumed after a dctld SIGKILL + restart"

# bad Healthcheck values
for hcv in '{"Test":["CMD","true"],"Interval":1000}|Interval in Healthcheck cannot be less than 1ms' \
           '{"Test":["CMD","true"],"Timeout":5}|Timeout in Healthcheck cannot be less than 1ms' \
           '{"Test":["CMD","true"],"StartPeriod":10}|StartPeriod in Healthcheck cannot be less than 1ms' \
           '{"Test":["CMD","true"],"Retries":-1}|Retries in Healthcheck cannot be negative' \
           '{"Test":"true","Interval":"1s"}|cannot unmarshal string'; do
    expect_status 400 POST /containers/create?name=bad "${JSON[@]}" \
        -d '{"Image":"bb:1","HostConfig":{"NetworkMode":"none"},"Healthcheck":'"${hcv%%|*}"'}'
    grep -q "${hcv#*|}" "$T/body" || fail "bad healthcheck ${hcv%%|*}: $(cat "$T/body")"
done
"$DCTL" run --rm $N --health-interval nope bb:1 true 2>"$T/err" && fail "--health-interval nope"
[ "$("$DCTL" ps -a -q | wc -l)" = 1 ] || fail "bad input left containers: $("$DCTL" ps -a)"
[ "$(ls "$DATA_ROOT/containers" | wc -l)" = 1 ] || fail "container dirs left"
"$DCTL" rm -f hc >/dev/null
ok "bad Healthcheck values refused with dockerd's messages, nothing left"
