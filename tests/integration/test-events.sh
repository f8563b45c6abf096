#!/bin/bash
# tests/integration/test-events.sh - GET /events: replay bounded by since/until
# ends by itself; filters (both wire forms) and their errors; a follower gets the
# daemon "reload" event after SIGHUP; followers that hang up leak nothing; and
# SIGTERM ends open followers cleanly instead of waiting for them.
. "$top_srcdir/tests/integration/lib.sh"

# debug logging comes from the file so that the reload below can change it
echo '{"log-level": "debug"}' >"$CONFIG"
dctld_start --shutdown-timeout 60
ENGINE_ID=$(cat "$DATA_ROOT/engine-id")
[ -n "$ENGINE_ID" ] || fail "no engine ID"

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

# events QUERY-ARGS...: a bounded GET /events (curl -G --data-urlencode ARGS);
# the body goes to stdout, the status to $T/status. Fails if it does not end.
events() {
    local rc=0
    timeout 20 curl -s -G --unix-socket "$SOCK" -o "$T/body" -w '%{http_code}' \
        "$@" http://d/v1.43/events >"$T/status" || rc=$?
    [ $rc -ne 124 ] || fail "GET /events $* did not end"
    [ $rc -eq 0 ] || fail "GET /events $*: curl exit $rc"
    cat "$T/body"
}

lines() {
    grep -c . || true
}

# ---- a past-only window ends after its (empty) replay --------------------------
t0=$(date +%s)
out=$(events --data-urlencode "since=$((t0 - 100))" --data-urlencode "until=$((t0 - 50))")
[ "$(status)" = 200 ] || fail "since/until in the past: status $(status)"
[ -z "$out" ] || fail "events before the daemon started: $out"
ok "since/until in the past: 200, ends, nothing replayed"

# ---- a follower gets the reload event live ---------------------------------------
timeout 600 curl -s -N -D "$T/f1.head" --unix-socket "$SOCK" http://d/events >"$T/f1.out" &
F1=$!
wait_for 10 'grep -qs "^HTTP/1.1 200" "$T/f1.head"' || fail "follower got no headers"
grep -qi '^Content-Type: application/json' "$T/f1.head" || fail "follower content type"
echo '{"log-level": "info", "labels": ["env=test"]}' >"$CONFIG"
kill -HUP "$DCTLD_PID"
RELOAD='"Action":"reload"'
wait_for 10 'grep -qsF "$RELOAD" "$T/f1.out"' || fail "follower saw no reload: $(cat "$T/f1.out")"
ev=$(head -n 1 "$T/f1.out")
got=$(echo "$ev" | json '"|".join([j["Type"], j["Action"], j["Actor"]["ID"], j["scope"],
    j["Actor"]["Attributes"]["log-level"], j["Actor"]["Attributes"]["labels"],
    j["Actor"]["Attributes"]["debug"], j["Actor"]["Attributes"]["name"],
    str(j["timeNano"] // 1000000000 == j["time"]), str(sorted(j.keys()))])')
want="daemon|reload|$ENGINE_ID|local|info|[\"env=test\"]|false|$(hostname)|True|"
want+="['Action', 'Actor', 'Type', 'scope', 'time', 'timeNano']"
[ "$got" = "$want" ] || fail "reload event: $ev"
kill -0 $F1 2>/dev/null || fail "the follower ended after one event"
ok "a follower receives the reload event after SIGHUP"

# a second reload, then a window around both replays exactly those two
echo '{"log-level": "debug"}' >"$CONFIG"
kill -HUP "$DCTLD_PID"
wait_for 10 'test "$(lines <"$T/f1.out")" -ge 2' || fail "follower saw no second reload"
t1=$(date +%s.%N)
out=$(events --data-urlencode "since=$t0" --data-urlencode "until=$t1")
[ "$(status)" = 200 ] || fail "replay: status $(status)"
[ "$(echo "$out" | lines)" = 2 ] || fail "replay of two reloads: $out"
[ "$(echo "$out" | sed -n 2p | json 'j["Actor"]["Attributes"]["log-level"]')" = debug ] ||
    fail "second reload attributes: $out"
ok "since/until replays the kept events and ends"

# until in the future: the stream ends by itself when it passes
out=$(events --data-urlencode "since=$t0" --data-urlencode "until=$(($(date +%s) + 2))")
[ "$(echo "$out" | lines)" = 2 ] || fail "replay with a future until: $out"
ok "until in the future ends the stream when it passes"

# ---- filters -------------------------------------------------------------------
count() {   # count FILTERS-JSON: events replayed since t0 that pass FILTERS
    events --data-urlencode "since=$t0" --data-urlencode "until=$t1" \
        --data-urlencode "filters=$1" | lines
}
[ "$(count '{"type":["daemon"]}')" = 2 ] || fail "type=daemon"
[ "$(count '{"type":{"daemon":true}}')" = 2 ] || fail "type=daemon, dockerd's form"
[ "$(count '{"type":["container"]}')" = 0 ] || fail "type=container"
[ "$(count '{"type":["container","daemon"]}')" = 2 ] || fail "type=container|daemon"
[ "$(count '{"event":["reload"]}')" = 2 ] || fail "event=reload"
[ "$(count '{"event":["start"]}')" = 0 ] || fail "event=start"
[ "$(count "{\"daemon\":[\"$ENGINE_ID\"]}")" = 2 ] || fail "daemon=ID"
[ "$(count "{\"daemon\":[\"$(hostname)\"]}")" = 2 ] || fail "daemon=name"
[ "$(count '{"daemon":["no-such-daemon"]}')" = 0 ] || fail "daemon=other"
[ "$(count '{"label":["log-level=info"]}')" = 1 ] || fail "label=log-level=info"
[ "$(count '{"label":["log-level"]}')" = 2 ] || fail "label=log-level"
[ "$(count '{"container":["no-such-container"]}')" = 0 ] || fail "container=other"
[ "$(count '{"image":["no-such-image"]}')" = 0 ] || fail "image=other"
[ "$(count '{"network":["no-such-network"]}')" = 0 ] || fail "network=other"
[ "$(count '{"volume":["no-such-volume"]}')" = 0 ] || fail "volume=other"
[ "$(count '{"scope":["local"]}')" = 2 ] || fail "scope=local"
[ "$(count '{"type":["daemon"],"event":["start"]}')" = 0 ] || fail "type AND event"
ok "filters: type, event, daemon, label, container, image, network, volume, scope"

# ---- bad requests change nothing and the daemon keeps serving ---------------------
bad() {   # bad WANT-MESSAGE QUERY-ARGS...
    local want=$1
    shift
    events "$@" >/dev/null
    [ "$(status)" = 400 ] || fail "$*: status $(status), want 400"
    [ "$(cat "$T/body")" = "{\"message\":\"${want//\"/\\\"}\"}" ] ||
        fail "$*: body $(cat "$T/body")"
}
bad "invalid filter" --data-urlencode 'filters={"type":'
bad "invalid filter" --data-urlencode 'filters=not json'
bad "invalid filter" --data-urlencode 'filters=["type"]'
bad "invalid filter" --data-urlencode 'filters={"type":"daemon"}'
bad "invalid filter" --data-urlencode 'filters={"type":[1]}'
bad "invalid filter" --data-urlencode 'filters={"type":{"daemon":"yes"}}'
bad "invalid filter 'foo'" --data-urlencode 'filters={"foo":["bar"]}'
bad 'invalid value for since: strconv.ParseInt: parsing "yesterday": invalid syntax' \
    --data-urlencode since=yesterday
bad 'invalid value for until: strconv.ParseInt: parsing "1.x": invalid syntax' \
    --data-urlencode until=1.x
bad "\`since\` time (200) cannot be after \`until\` time (100)" \
    --data-urlencode since=200 --data-urlencode until=100
[ "$(api GET /_ping)" = OK ] || fail "/_ping after bad requests"
[ "$(lines <"$T/f1.out")" = 2 ] || fail "bad requests emitted events: $(cat "$T/f1.out")"
ok "malformed filters, unknown keys and bad times: 400 with dockerd's words; still serving"

# ---- followers that hang up leak nothing -----------------------------------------
fds() {
    ls "/proc/$DCTLD_PID/fd" | wc -l
}
base_fds=$(fds)
for i in 1 2 3 4 5; do
    curl -s -N -D "$T/g$i.head" --unix-socket "$SOCK" http://d/events >/dev/null &
    eval "G$i=\$!"
done
for i in 1 2 3 4 5; do
    wait_for 10 'grep -qs "^HTTP/1.1 200" "$T/g$i.head"' ||
        fail "follower $i got no headers"
done
[ "$(fds)" -ge $((base_fds + 5)) ] || fail "followers hold no connections?"
kill $G1 $G2 $G3 $G4 $G5
wait $G1 $G2 $G3 $G4 $G5 2>/dev/null
wait_for 10 'test "$(fds)" -le "$base_fds"' || fail "fds: $(fds) now, $base_fds before the followers"
wait_for 10 'test "$(grep -c "stream client went away" "$LOG")" -ge 5' ||
    fail "hang-ups not noticed while parked"
[ "$(api GET /_ping)" = OK ] || fail "/_ping after hang-ups"
kill -HUP "$DCTLD_PID"   # an event after they left must not trip on them
wait_for 10 'test "$(lines <"$T/f1.out")" -ge 3' || fail "the remaining follower missed an event"
ok "followers that disconnect are noticed while parked and leak no descriptor"

# ---- SIGTERM with a follower connected ------------------------------------------
# the shutdown timeout is 60 s: a daemon that waited for the follower would be
# killed by this 20 s watchdog rather than exit 0
kill -TERM "$DCTLD_PID"
(sleep 20; kill -KILL "$DCTLD_PID" 2>/dev/null) &
WATCHDOG=$!
wait "$DCTLD_PID"
rc=$?
kill $WATCHDOG 2>/dev/null
wait $WATCHDOG 2>/dev/null
DCTLD_PID=
[ $rc -eq 0 ] || fail "dctld exited $rc with a follower connected (137: it waited for it)"
wait $F1
frc=$?
[ $frc -eq 0 ] || fail "the follower's stream did not end cleanly (curl exit $frc)"
grep -q 'still in flight' "$LOG" && fail "shutdown had to cut requests"
ok "SIGTERM ends the followers' streams cleanly and exits at once"
