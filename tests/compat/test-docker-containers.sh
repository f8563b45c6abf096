#!/bin/bash
# tests/compat/test-docker-containers.sh - the real docker CLI's container commands
# against dctld with the FAKE exec driver (tests/helpers/fake-exec.c, a test double
# running commands on the host): docker run (attached, --rm, -i with piped stdin, -d,
# exit codes), ps (-a, -q, --filter), logs (-f, --tail, -t), stop, kill, restart, wait,
# inspect, rename, attach, top, rm (-f), container prune, the refusal of the default
# (bridge) network, and docker run -it driven through tmux. Skipped when no docker CLI
# is installed.
. "$top_srcdir/tests/integration/lib.sh"

need_docker_cli
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
FAKE="$top_builddir/tests/helpers/.libs/fake-exec.so"
[ -e "$FAKE" ] || fail "the fake exec driver is not built: $FAKE"
ln -sf "$FAKE" "$DRIVER_DIR/"

docker() {
    timeout 60 "$DOCKER" "$@" >"$T/out" 2>"$T/err"
}

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh ls cat echo true sleep stty; do ln -s busybox "$T/rootfs/bin/$c"; done
echo "root:x:0:0:root:/root:/bin/sh" >"$T/rootfs/etc/passwd"
tar -C "$T/rootfs" --numeric-owner -cf "$T/busybox.tar" .

dctld_start --storage-driver vfs --exec-driver fake
docker import -c 'CMD ["sh"]' "$T/busybox.tar" bb || fail "docker import: $(cat "$T/err")"

docker run --rm bb true
[ $? = 125 ] || fail "run without --network: $(cat "$T/err")"
grep -q 'network mode "default" is not supported yet: use --network none or host' "$T/err" ||
    fail "run without --network: $(cat "$T/err")"
docker run --rm --network none bb sh -c 'echo hi; echo oops >&2; exit 3'
[ $? = 3 ] || fail "docker run exit code: $(cat "$T/err")"
[ "$(cat "$T/out")" = hi ] && [ "$(cat "$T/err")" = oops ] || fail "run output: $(cat "$T/out") / $(cat "$T/err")"
docker ps -aq
[ ! -s "$T/out" ] || fail "--rm left $(cat "$T/out")"
printf 'one\ntwo\n' | timeout 60 "$DOCKER" run -i --rm --network none bb cat >"$T/out" 2>"$T/err" ||
    fail "run -i: $(cat "$T/err")"
[ "$(cat "$T/out")" = "$(printf 'one\ntwo')" ] || fail "run -i output: $(cat "$T/out")"
docker run --rm --network none bb no-such-cmd
[ $? = 127 ] || fail "missing command: $? $(cat "$T/err")"
grep -q 'exec: "no-such-cmd": executable file not found in $PATH' "$T/err" || fail "missing command: $(cat "$T/err")"
ok "docker run: output, stderr, exit code, --rm, -i with piped stdin, command not found (127), default network refused"

docker run -d --name web --network none -l tier=front bb sh -c 'i=0; while true; do i=$((i+1)); echo line $i; sleep 0.2; done' ||
    fail "run -d: $(cat "$T/err")"
ID=$(cat "$T/out")
[ ${#ID} = 64 ] || fail "run -d printed $ID"
docker ps --filter label=tier=front --format '{{.Names}} {{.Status}} {{.Command}}'
grep -Eq '^web Up .* "sh -c' "$T/out" || fail "ps: $(cat "$T/out")"
timeout 2 "$DOCKER" logs -f web >"$T/follow" 2>&1
grep -q '^line 3$' "$T/follow" || fail "logs -f: $(head "$T/follow")"
docker logs --tail 2 -t web
[ "$(wc -l <"$T/out")" = 2 ] && grep -Eq '^20[0-9-]+T[0-9:.]+Z line [0-9]+$' "$T/out" || fail "logs --tail -t: $(cat "$T/out")"
docker top web
grep -q "while true" "$T/out" || fail "top: $(cat "$T/out")"
docker inspect -f '{{.State.Status}} {{.Name}} {{.HostConfig.NetworkMode}} {{.Config.Labels.tier}}' web
[ "$(cat "$T/out")" = "running /web none front" ] || fail "inspect: $(cat "$T/out")"
docker rename web www || fail "rename: $(cat "$T/err")"
docker rm www
grep -q "You cannot remove a running container" "$T/err" || fail "rm running: $(cat "$T/err")"
docker stop -t 2 www || fail "stop: $(cat "$T/err")"
docker wait www
[ "$(cat "$T/out")" = 143 ] || fail "wait after stop: $(cat "$T/out")"
docker restart www || fail "restart: $(cat "$T/err")"
docker kill --signal KILL www || fail "kill: $(cat "$T/err")"
docker wait www
[ "$(cat "$T/out")" = 137 ] || fail "wait after kill: $(cat "$T/out")"
ok "run -d, ps --filter --format, logs -f/--tail/-t, top, inspect, rename, rm refused, stop, wait, restart, kill"

# docker attach to a running container, then docker run -it through tmux
if command -v tmux >/dev/null; then
    tmux -L "dctl-$$" new-session -d -x 100 -y 30 \
        "DOCKER_HOST=$DOCKER_HOST DOCKER_CONFIG=$DOCKER_CONFIG $DOCKER run -it --name itt --network none bb sh; echo EXITED-\$?; sleep 60"
    for i in $(seq 100); do tmux -L "dctl-$$" capture-pane -p | grep -q '#' && break; sleep 0.1; done
    tmux -L "dctl-$$" send-keys 'echo got-$((6*7)); stty size' Enter
    for i in $(seq 100); do tmux -L "dctl-$$" capture-pane -p | grep -q '^got-42' && break; sleep 0.1; done
    tmux -L "dctl-$$" capture-pane -p >"$T/pane"
    grep -q '^got-42' "$T/pane" || fail "run -it: $(cat "$T/pane")"
    grep -q '^30 100' "$T/pane" || fail "run -it window size: $(cat "$T/pane")"
    tmux -L "dctl-$$" send-keys C-p C-q
    for i in $(seq 100); do tmux -L "dctl-$$" capture-pane -p | grep -q 'EXITED-' && break; sleep 0.1; done
    docker inspect -f '{{.State.Status}}' itt
    [ "$(cat "$T/out")" = running ] || fail "detach (ctrl-p ctrl-q) stopped it: $(cat "$T/out")"
    tmux -L "dctl-$$" kill-server
    tmux -L "dctl-$$" new-session -d -x 100 -y 30 \
        "DOCKER_HOST=$DOCKER_HOST DOCKER_CONFIG=$DOCKER_CONFIG $DOCKER attach itt; echo ATTACH-EXITED-\$?; sleep 60"
    sleep 1
    tmux -L "dctl-$$" send-keys 'echo back-$((2*3))' Enter
    for i in $(seq 100); do tmux -L "dctl-$$" capture-pane -p | grep -q '^back-6' && break; sleep 0.1; done
    tmux -L "dctl-$$" send-keys 'exit 4' Enter
    for i in $(seq 100); do tmux -L "dctl-$$" capture-pane -p | grep -q 'ATTACH-EXITED-' && break; sleep 0.1; done
    tmux -L "dctl-$$" capture-pane -p >"$T/pane"
    tmux -L "dctl-$$" kill-server
    grep -q '^back-6' "$T/pane" && grep -q 'ATTACH-EXITED-4' "$T/pane" || fail "docker attach: $(cat "$T/pane")"
    docker wait itt
    [ "$(cat "$T/out")" = 4 ] || fail "attach and exit: $(cat "$T/out") $(cat "$T/err")"
    ok "docker run -it through tmux: prompt, output, window size, ctrl-p ctrl-q detach; docker attach"
else
    echo "# tmux missing: docker run -it not tried"
fi

docker run -d --network none --name quick bb true
docker wait quick
docker container prune -f || fail "prune: $(cat "$T/err")"
grep -q "Total reclaimed space" "$T/out" || fail "prune output: $(cat "$T/out")"
docker ps -aq
[ ! -s "$T/out" ] || fail "prune left $(cat "$T/out")"
docker run -d --name sleeper --network none bb sleep 1000
docker rm -f sleeper || fail "rm -f: $(cat "$T/err")"
docker ps -aq
[ ! -s "$T/out" ] || fail "rm -f left $(cat "$T/out")"
ok "container prune, rm -f of a running container"
