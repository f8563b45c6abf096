#!/bin/bash
# tests/compat/test-docker-cli.sh - the real docker CLI against dctld: version
# negotiation and the Server section of `docker version` (over the unix socket
# and over TCP 127.0.0.1), `docker info`, and `docker events --since --until`
# ending by itself. Skipped when no docker CLI is installed.
. "$top_srcdir/tests/integration/lib.sh"

need_docker_cli

# the CLI sees only this dctld: no user config, contexts, TLS or pinned API version

# docker CMD...: runs the CLI with a bound on its run time; output in $T/out, $T/err
docker() {
    timeout 60 "$DOCKER" "$@" >"$T/out" 2>"$T/err"
}

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dctld_start -H "tcp://127.0.0.1:$PORT"
VERSION=$("$DCTLD" --version | sed -n 's/^dctld version \([^,]*\),.*/\1/p')
[ -n "$VERSION" ] || fail "cannot read the version from: $("$DCTLD" --version)"
"$DOCKER" --version >&2 || true

# docker version: both sections; the server's is dctld's
docker version || fail "docker version exited $?: $(cat "$T/err")"
grep -q '^Server: ' "$T/out" || fail "docker version: no Server section: $(cat "$T/out")"
sed -n '/^Server: /,$p' "$T/out" >"$T/server"
grep -Eq '^ +Version: +'"$VERSION"'$' "$T/server" ||
    fail "docker version: server version is not $VERSION: $(cat "$T/server")"
grep -Eq '^ +API version: +1\.43 \(minimum version 1\.24\)$' "$T/server" ||
    fail "docker version: server API version: $(cat "$T/server")"
ok "docker version shows dctld $VERSION, API 1.43 in its Server section"

docker version --format '{{.Server.APIVersion}}' || fail "docker version --format: $(cat "$T/err")"
[ "$(cat "$T/out")" = 1.43 ] || fail ".Server.APIVersion = $(cat "$T/out")"
docker version --format '{{.Server.Version}} {{.Server.MinAPIVersion}} {{.Server.Os}}' ||
    fail "docker version --format: $(cat "$T/err")"
[ "$(cat "$T/out")" = "$VERSION 1.24 linux" ] || fail ".Server fields: $(cat "$T/out")"
# a newer CLI negotiates down to the API version /_ping announced
docker version --format '{{.Client.APIVersion}}' || fail "docker version --format: $(cat "$T/err")"
[ "$(cat "$T/out")" = 1.43 ] || fail "the CLI did not negotiate API 1.43: $(cat "$T/out")"
ok "docker version --format: server API 1.43, client negotiated down to 1.43"

# the same over TCP on the loopback
DOCKER_HOST="tcp://127.0.0.1:$PORT" docker version --format '{{.Server.Version}} {{.Server.APIVersion}}' ||
    fail "docker version over TCP: $(cat "$T/err")"
[ "$(cat "$T/out")" = "$VERSION 1.43" ] || fail "over TCP: $(cat "$T/out")"
ok "docker version over tcp://127.0.0.1:$PORT"

# docker info: exits 0 with no server errors, and the server is dctld
docker info --format '{{json .}}' || fail "docker info exited $?: $(cat "$T/err") $(cat "$T/out")"
[ "$(json 'j.get("ServerVersion")' <"$T/out")" = "$VERSION" ] ||
    fail "docker info: ServerVersion is not $VERSION: $(cat "$T/out")"
[ "$(json 'j.get("ServerErrors") or []' <"$T/out")" = "[]" ] ||
    fail "docker info: server errors: $(json 'j.get("ServerErrors")' <"$T/out")"
ok "docker info --format '{{json .}}' exits 0, ServerVersion $VERSION"

# docker events with --until ends by itself: a window in the past ends at
# once, one reaching 2 s into the future ends when the daemon's clock passes it
now=$(date +%s)
docker events --since $((now - 60)) --until $((now - 30))
rc=$?
[ $rc -ne 124 ] || fail "docker events --until (past) did not end"
[ $rc -eq 0 ] || fail "docker events --since --until (past) exited $rc: $(cat "$T/err")"
ok "docker events --since X --until Y (in the past) ends, exit 0"

now=$(date +%s)
docker events --since $((now - 10)) --until $((now + 2))
rc=$?
[ $rc -ne 124 ] || fail "docker events --until (2 s ahead) did not end within 60 s"
[ $rc -eq 0 ] || fail "docker events --since --until (2 s ahead) exited $rc: $(cat "$T/err")"
[ "$(date +%s)" -ge $((now + 2)) ] || fail "docker events ended before its --until"
ok "docker events --since X --until Y (2 s ahead) ends at Y, exit 0"

dctld_stop
