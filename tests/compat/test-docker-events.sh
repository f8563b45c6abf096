#!/bin/bash
# tests/compat/test-docker-events.sh - the real docker CLI against dctld:
# `docker events --since X --until Y` ends with exit 0 and prints the daemon
# reload event; a following `docker events` receives a reload live and ends when
# its --until passes; filters and a bad filter behave as with dockerd.
. "$top_srcdir/tests/integration/lib.sh"

need_docker_cli

echo '{"log-level": "debug"}' >"$CONFIG"
dctld_start
ENGINE_ID=$(cat "$DATA_ROOT/engine-id")

# wait_for SECONDS 'SHELL TEXT': evaluates the text until it succeeds (bounded)
wait_for() {
    local n=$(($1 * 20))
    shift
    while [ $n -gt 0 ]; do
        eval "$1" && return 0
        sleep 0.05
        n=$((n - 1))
    done
    return 1
}

# docker_events ARGS...: runs `docker events ARGS` bounded; output in $T/out
docker_events() {
    local rc=0
    timeout 30 "$DOCKER" events "$@" >"$T/out" 2>"$T/err" || rc=$?
    [ $rc -ne 124 ] || fail "docker events $* did not end"
    return $rc
}

since=$(date +%s)
# debug logging stays: the follower check below reads the request log
echo '{"log-level": "debug", "labels": ["compat=1"]}' >"$CONFIG"
kill -HUP "$DCTLD_PID"
wait_for 10 'grep -qs "configuration reloaded" "$LOG"' || fail "no reload"
until=$(date +%s.%N)

docker_events --since "$since" --until "$until" || fail "docker events exit $?: $(cat "$T/err")"
grep -q " daemon reload $ENGINE_ID (.*labels=\[\"compat=1\"\]" "$T/out" ||
    fail "docker events printed: $(cat "$T/out")"
[ "$(grep -c . "$T/out")" = 1 ] || fail "docker events printed more: $(cat "$T/out")"
ok "docker events --since --until: exit 0, prints the reload event"

docker_events --since "$since" --until "$until" --format '{{json .}}' ||
    fail "docker events --format exit $?"
[ "$(json 'j["Actor"]["ID"]' <"$T/out")" = "$ENGINE_ID" ] || fail "json: $(cat "$T/out")"
docker_events --since "$since" --until "$until" --filter type=daemon --filter event=reload ||
    fail "filtered exit $?"
grep -q "daemon reload" "$T/out" || fail "type=daemon,event=reload: $(cat "$T/out")"
docker_events --since "$since" --until "$until" --filter type=container ||
    fail "type=container exit $?"
[ ! -s "$T/out" ] || fail "type=container printed: $(cat "$T/out")"
docker_events --since "$since" --until "$until" --filter "daemon=$ENGINE_ID" ||
    fail "daemon=ID exit $?"
grep -q "daemon reload" "$T/out" || fail "daemon=ID: $(cat "$T/out")"
ok "docker events --format and --filter"

if docker_events --since "$since" --until "$until" --filter nosuch=x; then
    fail "an unknown filter was accepted"
fi
grep -q "invalid filter 'nosuch'" "$T/err" || fail "unknown filter: $(cat "$T/err")"
[ "$(api GET /_ping)" = OK ] || fail "/_ping after a bad filter"
ok "docker events with an unknown filter fails with dockerd's message"

# a follower: it is subscribed once dctld has answered its GET /events
n0=$(grep -c 'api /v1.43/events: 200' "$LOG" || true)
timeout 60 "$DOCKER" events --until "$(($(date +%s) + 5))" >"$T/follow" 2>&1 &
FOLLOWER=$!
wait_for 20 'test "$(grep -c "api /v1.43/events: 200" "$LOG")" -gt "$n0"' ||
    fail "the docker events follower never subscribed"
echo '{"log-level": "debug", "labels": ["compat=2"]}' >"$CONFIG"
kill -HUP "$DCTLD_PID"
wait $FOLLOWER
rc=$?
[ $rc -eq 0 ] || fail "docker events --until (following) exit $rc: $(cat "$T/follow")"
grep -q " daemon reload $ENGINE_ID (.*labels=\[\"compat=2\"\]" "$T/follow" ||
    fail "the follower printed: $(cat "$T/follow")"
ok "docker events follows, prints a live reload and ends at --until"

dctld_stop
ok "dctld stops cleanly"
