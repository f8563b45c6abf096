#!/bin/bash
# tests/integration/test-client.sh - dctl against a real dctld: host selection
# (-H, DCTL_HOST, DOCKER_HOST), unix and tcp transports, version, info, events
# with since/until/filters, help and usage errors, and the one-line message
# when no daemon answers.
. "$top_srcdir/tests/integration/lib.sh"

[ -x "$DCTL" ] || fail "dctl not built at $DCTL"

# a free loopback port for the tcp:// listener
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# and one nothing listens on, for the unreachable-daemon checks
DEAD_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

echo '{}' >"$CONFIG"
START=$(date +%s)
dctld_start -H "tcp://127.0.0.1:$PORT"
U="unix://$SOCK"

# run_dctl ARGS...: runs dctl with stdout in $T/out, stderr in $T/err; sets $rc.
run_dctl() {
    rc=0
    timeout 60 "$DCTL" "$@" >"$T/out" 2>"$T/err" || rc=$?
}

# ---- help and usage -----------------------------------------------------------
run_dctl --help
[ $rc -eq 0 ] || fail "--help exited $rc"
for c in events info version help; do
    grep -q "^  $c " "$T/out" || fail "--help does not list $c: $(cat "$T/out")"
done
grep -q -- '-H, --host' "$T/out" || fail "--help does not show -H"
run_dctl help
[ $rc -eq 0 ] && grep -q 'Usage:  dctl \[OPTIONS\] COMMAND' "$T/out" || fail "dctl help"
ok "dctl --help and dctl help list the commands and global options"

run_dctl version --help
[ $rc -eq 0 ] || fail "version --help exited $rc"
grep -q '^Usage:  dctl version \[OPTIONS\]' "$T/out" || fail "version --help: $(cat "$T/out")"
grep -q -- '--format' "$T/out" || fail "version --help has no --format"
[ ! -s "$T/err" ] || fail "version --help wrote to stderr: $(cat "$T/err")"
cp "$T/out" "$T/help1"
run_dctl help version
cmp -s "$T/out" "$T/help1" || fail "dctl help version differs from dctl version --help"
for c in info events; do
    run_dctl "$c" --help
    [ $rc -eq 0 ] && grep -q "^Usage:  dctl $c" "$T/out" || fail "$c --help"
done
grep -q -- '--since' "$T/out" && grep -q -- '--until' "$T/out" && grep -q -- '--filter' "$T/out" ||
    fail "events --help lacks since/until/filter"
ok "dctl CMD --help and dctl help CMD print the command's usage"

run_dctl --version
[ $rc -eq 0 ] && grep -q '^dctl version [0-9]' "$T/out" || fail "--version: $(cat "$T/out")"
ok "dctl --version"

run_dctl nosuchcmd
[ $rc -ne 0 ] || fail "unknown command exited 0"
grep -q 'unknown command: dctl nosuchcmd' "$T/err" || fail "unknown command message: $(cat "$T/err")"
grep -q "dctl --help" "$T/err" || fail "unknown command: no hint"
[ ! -s "$T/out" ] || fail "unknown command wrote to stdout"
run_dctl help nosuchcmd
[ $rc -ne 0 ] && grep -q 'unknown command' "$T/err" || fail "help nosuchcmd"
ok "an unknown command fails with a message and a hint"

run_dctl -H "$U" version --bogus
[ $rc -eq 125 ] || fail "unknown flag exited $rc"
grep -q 'unknown flag: --bogus' "$T/err" && grep -q "dctl version --help" "$T/err" ||
    fail "unknown flag message: $(cat "$T/err")"
run_dctl -H "$U" version extra
[ $rc -ne 0 ] && grep -q 'accepts no arguments' "$T/err" || fail "version extra: rc $rc"
run_dctl -H "$U" info --format '{{.ID}}'
[ $rc -eq 125 ] && grep -q 'only "json"' "$T/err" || fail "info --format template: rc $rc"
run_dctl --bogus version
[ $rc -eq 125 ] && grep -q 'unknown flag: --bogus' "$T/err" || fail "global --bogus: rc $rc"
run_dctl -H "$U" -H "$U" version
[ $rc -eq 125 ] || fail "two -H accepted"
run_dctl -H "http://127.0.0.1:$PORT" version
[ $rc -ne 0 ] && grep -q 'invalid host "http://127.0.0.1:'"$PORT"'"' "$T/err" ||
    fail "bad -H scheme: rc $rc, $(cat "$T/err")"
ok "bad flags, arguments, formats and hosts are refused with docker's messages"

# ---- version ------------------------------------------------------------------
run_dctl -H "$U" version
[ $rc -eq 0 ] || fail "version exited $rc: $(cat "$T/err")"
grep -q '^Client:$' "$T/out" || fail "version: no Client section"
grep -q '^Server: dctl Engine$' "$T/out" || fail "version: no Server section: $(cat "$T/out")"
grep -q '^ Engine:$' "$T/out" || fail "version: no Engine component"
grep -Eq '^  API version: +1\.43 \(minimum version 1\.24\)$' "$T/out" || fail "version: server API"
grep -Eq '^ API version: +1\.43$' "$T/out" || fail "version: client API"
grep -Eq "^  OS/Arch: +linux/" "$T/out" || fail "version: server OS/Arch"
server_version=$(api GET /version | json 'j["Version"]')
grep -Eq "^  Version: +$server_version\$" "$T/out" || fail "version: server Version"
ok "dctl -H unix://... version shows the Client and Server sections"

run_dctl -H "$U" version --format json
[ $rc -eq 0 ] || fail "version --format json exited $rc"
[ "$(json 'j["Server"]["ApiVersion"]' <"$T/out")" = 1.43 ] || fail "version json: $(cat "$T/out")"
[ "$(json 'j["Server"]["KernelVersion"]' <"$T/out")" = "$(uname -r)" ] || fail "version json kernel"
[ "$(json 'j["Client"]["ApiVersion"]' <"$T/out")" = 1.43 ] || fail "version json client"
ok "dctl version --format json"

run_dctl -D -H "$U" version
[ $rc -eq 0 ] && grep -q '/_ping -> 200' "$T/err" && grep -q '/v1.43/version -> 200' "$T/err" ||
    fail "-D does not log requests: $(cat "$T/err")"
ok "-D logs the negotiated requests"

# ---- host selection -----------------------------------------------------------
rc=0
DCTL_HOST="$U" DOCKER_HOST= timeout 60 "$DCTL" version >"$T/out" 2>"$T/err" || rc=$?
[ $rc -eq 0 ] && grep -q '^Server:' "$T/out" || fail "DCTL_HOST: rc $rc, $(cat "$T/err")"
rc=0
DCTL_HOST= DOCKER_HOST="$U" timeout 60 "$DCTL" version >"$T/out" 2>"$T/err" || rc=$?
[ $rc -eq 0 ] && grep -q '^Server:' "$T/out" || fail "DOCKER_HOST fallback: rc $rc, $(cat "$T/err")"
rc=0
env -u DCTL_HOST DOCKER_HOST="$U" timeout 60 "$DCTL" version >"$T/out" 2>"$T/err" || rc=$?
[ $rc -eq 0 ] || fail "DOCKER_HOST with DCTL_HOST unset: rc $rc"
# DCTL_HOST wins over DOCKER_HOST, -H over both
rc=0
DCTL_HOST="unix://$T/nope.sock" DOCKER_HOST="$U" timeout 60 "$DCTL" version >"$T/out" 2>"$T/err" ||
    rc=$?
[ $rc -eq 1 ] && grep -q "unix://$T/nope.sock" "$T/err" || fail "DCTL_HOST does not win: rc $rc"
rc=0
DCTL_HOST="unix://$T/nope.sock" DOCKER_HOST="unix://$T/nope2.sock" \
    timeout 60 "$DCTL" -H "$U" version >"$T/out" 2>"$T/err" || rc=$?
[ $rc -eq 0 ] || fail "-H does not win over the environment: $(cat "$T/err")"
ok "host selection: -H > DCTL_HOST > DOCKER_HOST"

# ---- tcp ------------------------------------------------------------------------
run_dctl -H "tcp://127.0.0.1:$PORT" version
[ $rc -eq 0 ] && grep -q '^Server: dctl Engine$' "$T/out" || fail "tcp version: rc $rc, $(cat "$T/err")"
rc=0
DCTL_HOST="tcp://127.0.0.1:$PORT" timeout 60 "$DCTL" version --format json >"$T/out" 2>"$T/err" ||
    rc=$?
[ $rc -eq 0 ] && [ "$(json 'j["Server"]["Os"]' <"$T/out")" = linux ] || fail "tcp via DCTL_HOST"
ok "dctl over tcp://127.0.0.1:PORT"

# ---- no daemon ----------------------------------------------------------------------
for h in "unix://$T/missing.sock" "tcp://127.0.0.1:$DEAD_PORT"; do
    for c in info version "events --until 0s"; do
        # shellcheck disable=SC2086
        run_dctl -H "$h" $c
        [ $rc -eq 1 ] || fail "$c against $h exited $rc"
        [ "$(wc -l <"$T/err")" -eq 1 ] || fail "$c against $h: stderr is not one line: $(cat "$T/err")"
        [ "$(cat "$T/err")" = "Cannot connect to the dctl daemon at $h. Is dctld running?" ] ||
            fail "$c against $h: $(cat "$T/err")"
    done
    [ "$(head -1 "$T/out")" = "Client:" ] || true
done
run_dctl -H "unix://$T/missing.sock" version
grep -q '^Client:$' "$T/out" || fail "version without daemon: no Client section"
! grep -q '^Server' "$T/out" || fail "version without daemon printed a Server section"
run_dctl -H "unix://$T/missing.sock" info
[ ! -s "$T/out" ] || fail "info without daemon wrote to stdout: $(cat "$T/out")"
ok "no daemon: one line naming the address, exit 1"

# ---- info -----------------------------------------------------------------------------
rc=0
DCTL_HOST="$U" timeout 60 "$DCTL" info >"$T/out" 2>"$T/err" || rc=$?
[ $rc -eq 0 ] || fail "info exited $rc: $(cat "$T/err")"
grep -q '^Server:$' "$T/out" || fail "info: no Server section: $(cat "$T/out")"
grep -q "^ Kernel Version: $(uname -r)\$" "$T/out" || fail "info: Kernel Version: $(cat "$T/out")"
grep -q '^ OSType: linux$' "$T/out" || fail "info: OSType"
grep -Eq '^ Containers: [0-9]+$' "$T/out" || fail "info: Containers"
run_dctl -H "$U" info --format json
[ $rc -eq 0 ] && [ "$(json 'j["OSType"]' <"$T/out")" = linux ] || fail "info --format json"
ok "DCTL_HOST=... dctl info and info --format json"

# ---- events ---------------------------------------------------------------------------
run_dctl -H "$U" events --since "$((START - 60))" --until "$(date +%s)"
[ $rc -eq 0 ] || fail "events --since --until exited $rc: $(cat "$T/err")"
ok "events --since X --until Y terminates and exits 0"

# a reload makes a daemon event; it is shown in docker's format, JSON, and filtered
kill -HUP "$DCTLD_PID"
for _ in $(seq 100); do grep -q 'configuration reloaded' "$LOG" && break; sleep 0.05; done
grep -q 'configuration reloaded' "$LOG" || fail "SIGHUP: no reload logged"
UNTIL=$(( $(date +%s) + 1 ))
run_dctl -H "$U" events --since "$START" --until "$UNTIL"
[ $rc -eq 0 ] || fail "events exited $rc: $(cat "$T/err")"
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}(Z|[+-][0-9]{2}:[0-9]{2}) daemon reload [^ ]+' \
    "$T/out" || fail "events: no daemon reload line: $(cat "$T/out")"
run_dctl -H "$U" events --since 10m --until "$UNTIL" --format json
[ $rc -eq 0 ] || fail "events --format json exited $rc"
python3 - "$T/out" <<'PY' || fail "events --format json: $(cat "$T/out")"
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
evs = [json.loads(l) for l in lines]
assert any(e.get("Type") == "daemon" and e.get("Action") == "reload" for e in evs), evs
PY
run_dctl -H "$U" events --since "$(date -u -d "@$START" +%Y-%m-%dT%H:%M:%SZ)" --until "$UNTIL" \
    --filter type=daemon --filter event=reload
[ $rc -eq 0 ] && grep -q ' daemon reload ' "$T/out" || fail "events RFC 3339 --since with filters"
run_dctl -H "$U" events --since "$START" --until "$UNTIL" --filter type=container
[ $rc -eq 0 ] || fail "events --filter type=container exited $rc"
! grep -q ' daemon reload ' "$T/out" || fail "type=container filter let a daemon event through"
ok "events: reload event in docker's format, as JSON, with since as RFC 3339/duration, filtered"

run_dctl -H "$U" events --since yesterday
[ $rc -eq 125 ] && grep -q 'invalid argument "yesterday" for "--since"' "$T/err" ||
    fail "bad --since: rc $rc, $(cat "$T/err")"
run_dctl -H "$U" events --filter nonsense --until 0s
[ $rc -eq 125 ] && grep -q 'bad format of filter (expected name=value)' "$T/err" ||
    fail "bad --filter: rc $rc, $(cat "$T/err")"
run_dctl -H "$U" events --filter nosuchkey=1 --until 0s
[ $rc -eq 1 ] && grep -q '^Error response from daemon: ' "$T/err" ||
    fail "unknown filter key: rc $rc, $(cat "$T/err")"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "daemon error is not one line"
ok "events: bad timestamps and filters are refused; daemon errors are printed like docker"
