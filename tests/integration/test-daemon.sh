#!/bin/bash
# tests/integration/test-daemon.sh - dctld start-up, /_ping, /version, routing
# errors, version prefixes, swarm 503s, and a clean SIGTERM shutdown.
. "$top_srcdir/tests/integration/lib.sh"

dctld_start
ok "dctld answers /_ping"

[ "$(api GET /_ping)" = OK ] || fail "/_ping body"
curl -s -D "$T/h" --unix-socket "$SOCK" -o /dev/null http://d/_ping
grep -qi '^Api-Version: 1.43' "$T/h" || fail "/_ping: no API-Version header"
grep -qi '^Docker-Experimental: false' "$T/h" || fail "/_ping: no Docker-Experimental"
grep -qi '^Ostype: linux' "$T/h" || fail "/_ping: no OSType"
grep -qi '^Cache-Control: no-cache' "$T/h" || fail "/_ping: no Cache-Control"
grep -qi '^Server: dctld/' "$T/h" || fail "/_ping: no Server"
ok "/_ping headers"

curl -s -I --unix-socket "$SOCK" http://d/_ping | grep -q '^HTTP/1.1 200' || fail "HEAD /_ping"
ok "HEAD /_ping"

v=$(api GET /v1.43/version)
[ "$(echo "$v" | json 'j["ApiVersion"]')" = 1.43 ] || fail "/version ApiVersion: $v"
[ "$(echo "$v" | json 'j["MinAPIVersion"]')" = 1.24 ] || fail "/version MinAPIVersion"
[ "$(echo "$v" | json 'j["KernelVersion"]')" = "$(uname -r)" ] || fail "/version KernelVersion"
[ "$(echo "$v" | json 'j["Components"][0]["Name"]')" = Engine ] || fail "/version Components"
ok "/version"

expect_status 400 GET /v1.44/version
[ "$(json 'j["message"]' <"$T/body")" = "client version 1.44 is too new. Maximum supported API version is 1.43" ] ||
    fail "too-new message: $(cat "$T/body")"
expect_status 400 GET /v1.12/version
expect_status 200 GET /v1.24/_ping
expect_status 404 GET /v1..3/_ping
ok "version prefixes"

expect_status 404 GET /no/such/path
[ "$(cat "$T/body")" = '{"message":"page not found"}' ] || fail "404 body: $(cat "$T/body")"
expect_status 405 POST /version
ok "404 and 405"

expect_status 503 GET /swarm
grep -q 'This node is not a swarm manager' "$T/body" || fail "swarm message"
expect_status 503 GET /v1.43/services
expect_status 503 POST /secrets/create -d '{}'
[ "$(api GET /plugins)" = "[]" ] || fail "/plugins"
ok "swarm endpoints answer 503, no plugins"

# a second dctld on the same data root is refused
"$DCTLD" -H "unix://$T/other.sock" --data-root "$DATA_ROOT" --exec-root "$T/exec2" \
    --pidfile "$T/other.pid" --config-file "$CONFIG" >"$T/second.log" 2>&1 &&
    fail "a second dctld started on the same data root"
grep -q "another dctld" "$T/second.log" || fail "second dctld message: $(cat "$T/second.log")"
[ ! -e "$T/other.sock" ] || fail "the refused dctld left its socket"
ok "a second dctld on the same data root is refused"

[ -S "$SOCK" ] && [ -f "$PIDFILE" ] || fail "socket or pidfile missing while running"
[ "$(cat "$PIDFILE")" = "$DCTLD_PID" ] || fail "pidfile holds $(cat "$PIDFILE")"
dctld_stop
[ ! -e "$SOCK" ] || fail "socket left after SIGTERM"
[ ! -e "$PIDFILE" ] || fail "pidfile left after SIGTERM"
ok "SIGTERM: exit 0, socket and pidfile removed"
