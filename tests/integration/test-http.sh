#!/bin/bash
# tests/integration/test-http.sh - HTTP behaviour the benchmarks depend on:
# keep-alive (responses queued when the request is complete never carry
# "Connection: close"), the header size the connection pool allows, and the
# unix socket's mode and group.
. "$top_srcdir/tests/integration/lib.sh"

dctld_start

# 20 requests on one connection: one connect, 19 reuses, no Connection: close
urls=()
for _ in $(seq 20); do urls+=(http://d/_ping); done
curl -sv --unix-socket "$SOCK" "${urls[@]}" -o /dev/null 2>"$T/kv" >/dev/null ||
    fail "20 pings on one connection"
[ "$(grep -c '^< HTTP/1.1 200' "$T/kv")" = 20 ] || fail "not 20 answers: $(grep '^< HTTP' "$T/kv")"
[ "$(grep -c 'Re-using existing connection' "$T/kv")" = 19 ] ||
    fail "the connection was not kept alive: $(grep -E '^\* (Connected|Re-using|Closing)' "$T/kv")"
grep -qi '^< Connection: close' "$T/kv" && fail "a response said Connection: close"
ok "keep-alive: 20 requests on one connection"

# the same for /version, which has a JSON body
curl -sv --unix-socket "$SOCK" http://d/version http://d/version -o /dev/null -o /dev/null \
    2>"$T/kv" >/dev/null || fail "2 x /version on one connection"
[ "$(grep -c 'Re-using existing connection' "$T/kv")" = 1 ] || fail "/version closed the connection"
ok "keep-alive after a JSON reply"

# a 40 KB header (a large X-Registry-Auth) fits the connection pool ...
big=$(head -c 40000 /dev/zero | tr '\0' a)
expect_status 200 GET /_ping -H "X-Registry-Auth: $big"
ok "40 KB request header accepted"

# ... 100 KB does not: 431, and the daemon goes on serving
huge=$(head -c 100000 /dev/zero | tr '\0' a)
expect_status 431 GET /_ping -H "X-Registry-Auth: $huge"
expect_status 200 GET /_ping
ok "100 KB request header refused with 431, daemon still serving"

# the socket: mode 0660, group dctl when /etc/group has one, else left alone
[ "$(stat -c %a "$SOCK")" = 660 ] || fail "socket mode $(stat -c %a "$SOCK")"
want_gid=$(id -g)
if [ "$(id -u)" = 0 ]; then
    g=$(awk -F: '$1 == "dctl" {print $3}' /etc/group)
    [ -n "$g" ] && want_gid=$g
fi
[ "$(stat -c %g "$SOCK")" = "$want_gid" ] ||
    fail "socket group $(stat -c %g "$SOCK"), want $want_gid"
ok "socket mode 0660, group $want_gid"

dctld_stop
