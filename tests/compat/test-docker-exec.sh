#!/bin/bash
# tests/compat/test-docker-exec.sh - the real docker CLI's exec against dctld with the
# native exec driver: docker exec C ls /, exit codes, echo hi | docker exec -i C cat,
# -u nobody, -w, -e, -d, docker exec -it through tmux (prompt, window size and its
# change, ctrl-p ctrl-q detach), the errors of a missing container, a stopped one and
# a missing command; and health checks as docker shows them (they run as execs).
# Skipped when no docker CLI is installed.
. "$top_srcdir/tests/integration/lib.sh"

need_docker_cli
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
command -v tmux >/dev/null || fail "tmux is not installed (scripts/setup.sh installs it)"

TM="dctl-$$"
trap 'rc=$?; tmux -L "$TM" kill-server 2>/dev/null; tmux -L "$TM-b" kill-server 2>/dev/null; (exit $rc); cleanup' EXIT

docker() {
    timeout 60 "$DOCKER" "$@" >"$T/out" 2>"$T/err"
}

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc" "$T/rootfs/tmp"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh ls cat echo true sleep stty id pwd env ps test touch; do ln -s busybox "$T/rootfs/bin/$c"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' \
    >"$T/rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$T/rootfs/etc/group"
tar -C "$T/rootfs" --numeric-owner -cf "$T/busybox.tar" .

dctld_start
docker import -c 'CMD ["sh"]' "$T/busybox.tar" bb || fail "docker import: $(cat "$T/err")"
docker run -d --name web --network none bb sleep 1000 || fail "run -d: $(cat "$T/err")"

docker exec web ls /
grep -qx etc "$T/out" && grep -qx tmp "$T/out" || fail "docker exec ls /: $(cat "$T/out") $(cat "$T/err")"
docker exec web sh -c 'echo out; echo err >&2; exit 6'
[ $? = 6 ] && [ "$(cat "$T/out")" = out ] && [ "$(cat "$T/err")" = err ] ||
    fail "exit code and streams: $(cat "$T/out") / $(cat "$T/err")"
echo hi | timeout 60 "$DOCKER" exec -i web cat >"$T/out" 2>"$T/err" || fail "exec -i: $(cat "$T/err")"
[ "$(cat "$T/out")" = hi ] || fail "echo hi | docker exec -i web cat: $(cat "$T/out")"
docker exec -u nobody web id
[ "$(cat "$T/out")" = "uid=65534(nobody) gid=65534(nogroup)" ] || fail "exec -u nobody: $(cat "$T/out")"
docker exec -w /tmp -e A=b web sh -c 'pwd; echo $A'
[ "$(cat "$T/out")" = "$(printf '/tmp\nb')" ] || fail "exec -w -e: $(cat "$T/out")"
docker exec -d web sh -c 'sleep 0.3; echo later >/tmp/bg'
for _ in $(seq 50); do docker exec web cat /tmp/bg && break; sleep 0.1; done
[ "$(cat "$T/out")" = later ] || fail "exec -d did not run: $(cat "$T/err")"
docker inspect -f '{{len .ExecIDs}}' web
[ "$(cat "$T/out")" = 0 ] || fail "ExecIDs after the execs ended: $(cat "$T/out")"
ok "docker exec: ls /, exit codes and streams, -i with piped stdin, -u nobody, -w and -e, -d"

docker exec nosuch true
[ $? = 1 ] && grep -q 'No such container: nosuch' "$T/err" || fail "missing container: $(cat "$T/err")"
docker exec web nosuch-cmd
rc=$?
[ $rc = 126 ] && grep -q 'executable file not found' "$T/out" "$T/err" ||
    fail "missing command: $rc $(cat "$T/out") $(cat "$T/err")"
docker create --name stopped --network none bb true || fail "create: $(cat "$T/err")"
docker exec stopped true
[ $? = 1 ] && grep -q 'is not running' "$T/err" || fail "stopped container: $(cat "$T/err")"
docker exec -u nosuch web true
[ $? = 126 ] && grep -q 'unable to find user nosuch' "$T/out" "$T/err" || fail "unknown user: $(cat "$T/err")"
ok "docker exec errors: missing container, missing command (126), stopped container, unknown user"

# docker exec -it through tmux
tmux -L "$TM" new-session -d -x 100 -y 30 \
    "DOCKER_HOST=$DOCKER_HOST DOCKER_CONFIG=$DOCKER_CONFIG $DOCKER exec -it web sh; echo EXITED-\$?; sleep 60"
pane() { tmux -L "$TM" capture-pane -p; }
for _ in $(seq 100); do pane | grep -q '# *$' && break; sleep 0.1; done
tmux -L "$TM" send-keys 'echo got-$((6*7)); stty size' Enter
for _ in $(seq 100); do pane | grep -q '^30 100' && break; sleep 0.1; done
pane >"$T/pane"
grep -q '^got-42' "$T/pane" && grep -q '^30 100' "$T/pane" || fail "exec -it: $(cat "$T/pane")"
tmux -L "$TM" resize-window -x 90 -y 25 2>/dev/null || tmux -L "$TM" resize-pane -x 90 -y 25
sleep 0.3
tmux -L "$TM" send-keys 'stty size' Enter
for _ in $(seq 100); do pane | grep -q '^25 90' && break; sleep 0.1; done
pane | grep -q '^25 90' || fail "exec -it after a resize: $(pane)"
tmux -L "$TM" send-keys C-p C-q
for _ in $(seq 100); do pane | grep -q 'EXITED-' && break; sleep 0.1; done
# the docker CLI reads the keys itself and ends with 1, as against dockerd
pane | grep -q 'read escape sequence' && pane | grep -q 'EXITED-1' || fail "ctrl-p ctrl-q: $(pane)"
docker exec web ps -o args
grep -qx sh "$T/out" || fail "the detached shell is gone: $(cat "$T/out")"
tmux -L "$TM" kill-server
TM=$TM-b   # a new server: one on the socket just killed may fail to start
tmux -L "$TM" new-session -d -x 100 -y 30 \
    "DOCKER_HOST=$DOCKER_HOST DOCKER_CONFIG=$DOCKER_CONFIG $DOCKER exec -it web sh; echo EXITED-\$?; sleep 60"
for _ in $(seq 100); do pane | grep -q '# *$' && break; sleep 0.1; done
tmux -L "$TM" send-keys 'exit 3' Enter
for _ in $(seq 100); do pane | grep -q 'EXITED-' && break; sleep 0.1; done
pane | grep -q 'EXITED-3' || fail "exec -it exit status: $(pane)"
tmux -L "$TM" kill-server
ok "docker exec -it through tmux: prompt, window size and its change, ctrl-p ctrl-q detach, exit status"

docker run -d --name hc --network none --health-cmd 'test -f /tmp/ok' --health-interval 100ms \
    --health-retries 1 bb sleep 1000 || fail "run --health-cmd: $(cat "$T/err")"
for _ in $(seq 100); do docker inspect -f '{{.State.Health.Status}}' hc; grep -qx unhealthy "$T/out" && break; sleep 0.1; done
grep -qx unhealthy "$T/out" || fail "health: $(cat "$T/out") $(cat "$T/err")"
docker exec hc touch /tmp/ok
for _ in $(seq 100); do docker ps --filter health=healthy --format '{{.Names}} {{.Status}}'; grep -q '^hc Up .*(healthy)$' "$T/out" && break; sleep 0.1; done
grep -q '^hc Up .*(healthy)$' "$T/out" || fail "docker ps health: $(cat "$T/out")"
docker inspect -f '{{(index .State.Health.Log 0).ExitCode}} {{.State.Health.FailingStreak}}' hc
[ "$(cat "$T/out")" = "1 0" ] || [ "$(cat "$T/out")" = "0 0" ] || fail "health log: $(cat "$T/out")"
ok "docker run --health-cmd: unhealthy, then healthy in docker ps and docker inspect"

docker rm -f web stopped hc || fail "rm -f: $(cat "$T/err")"
[ -z "$(ls "$EXEC_ROOT/drivers/exec/native")" ] || fail "containers' run dirs left: $(ls "$EXEC_ROOT/drivers/exec/native")"
ok "cleaned up"
