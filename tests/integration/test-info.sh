#!/bin/bash
# tests/integration/test-info.sh - GET /info reports this host and this dctld
# (CPUs, memory, kernel, cgroup version, data root, labels, proxies, the network
# drivers none and host), the engine ID survives a restart, GET /system/df has
# Docker's shape and refuses an unknown type, start-up with a missing driver
# dir or an unknown storage driver; then `docker info` and `docker system df`
# through the real CLI when it is installed.
. "$top_srcdir/tests/integration/lib.sh"

# proxy variables for dctld alone (curl and docker here must not see them)
cat >"$T/dctld-env" <<EOF
#!/bin/sh
HTTP_PROXY=http://someone:secret@proxy.invalid:3128 NO_PROXY=localhost,127.0.0.1 exec "$DCTLD" "\$@"
EOF
chmod +x "$T/dctld-env"
DCTLD="$T/dctld-env" dctld_start --label tier=test --label zone=a
info=$(api GET /v1.43/info)
[ "$(status)" = 200 ] || fail "/info: status $(status): $info"
echo "$info" >"$T/info.json"
get() { json "$1" <"$T/info.json"; }

[ "$(get 'j["NCPU"]')" = "$(nproc)" ] || fail "NCPU $(get 'j["NCPU"]'), nproc $(nproc)"
mem=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) * 1024))
[ "$(get 'j["MemTotal"]')" = "$mem" ] || fail "MemTotal $(get 'j["MemTotal"]'), /proc/meminfo $mem"
[ "$(get 'j["KernelVersion"]')" = "$(uname -r)" ] || fail "KernelVersion"
[ "$(get 'j["Architecture"]')" = "$(uname -m)" ] || fail "Architecture"
[ "$(get 'j["Name"]')" = "$(uname -n)" ] || fail "Name"
[ "$(get 'j["OSType"]')" = linux ] || fail "OSType"
. /etc/os-release
[ "$(get 'j["OperatingSystem"]')" = "$PRETTY_NAME" ] || fail "OperatingSystem"
[ "$(get 'j["OSVersion"]')" = "${VERSION_ID:-}" ] || fail "OSVersion"
ok "host facts: NCPU, MemTotal, kernel, architecture, name, OS"

[ "$(get 'j["DockerRootDir"]')" = "$DATA_ROOT" ] || fail "DockerRootDir $(get 'j["DockerRootDir"]')"
[ "$(get 'j["Labels"]')" = '["tier=test", "zone=a"]' ] || fail "Labels $(get 'j["Labels"]')"
[ "$(get 'j["HttpProxy"]')" = "http://xxxxx:xxxxx@proxy.invalid:3128" ] ||
    fail "HttpProxy not masked: $(get 'j["HttpProxy"]')"
[ "$(get 'j["NoProxy"]')" = "localhost,127.0.0.1" ] || fail "NoProxy $(get 'j["NoProxy"]')"
[ "$(get 'j["HttpsProxy"]')" = "" ] || fail "HttpsProxy"
[ "$(get 'j["Debug"]')" = False ] || fail "Debug without -D"
[ "$(get 'j["ServerVersion"]')" = "$(api GET /version | json 'j["Version"]')" ] || fail "ServerVersion"
ok "DockerRootDir, Labels, proxies (masked), Debug, ServerVersion"

if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then want=2; else want=1; fi
[ "$(get 'j["CgroupVersion"]')" = "$want" ] || fail "CgroupVersion $(get 'j["CgroupVersion"]'), want $want"
[ "$(get 'j["CgroupDriver"]')" = cgroupfs ] || fail "CgroupDriver"
if [ "$want" = 1 ]; then
    [ -d /sys/fs/cgroup/pids ] && pids=True || pids=False
    [ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] && swap=True || swap=False
    [ "$(get 'j["PidsLimit"]')" = "$pids" ] || fail "PidsLimit"
    [ "$(get 'j["SwapLimit"]')" = "$swap" ] || fail "SwapLimit"
fi
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] && fwd=True || fwd=False
[ "$(get 'j["IPv4Forwarding"]')" = "$fwd" ] || fail "IPv4Forwarding"
if [ "$fwd" = False ]; then
    get 'j["Warnings"]' | grep -q "IPv4 forwarding is disabled" || fail "no forwarding warning"
fi
ok "cgroup version and features, IPv4Forwarding"

threads=$(ls /proc/"$DCTLD_PID"/task | wc -l)
[ "$(get 'j["NGoroutines"]')" = "$threads" ] || fail "NGoroutines $(get 'j["NGoroutines"]'), threads $threads"
nfd=$(get 'j["NFd"]')
[ "$nfd" -ge 3 ] && [ "$nfd" -le $(($(ls /proc/"$DCTLD_PID"/fd | wc -l) + 4)) ] || fail "NFd $nfd"
get 'j["SystemTime"]' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z$' || fail "SystemTime"
ok "NGoroutines is the thread count, NFd, SystemTime"

c=$(get '[j["Containers"], j["ContainersRunning"], j["ContainersPaused"], j["ContainersStopped"], j["Images"]]')
[ "$c" = "[0, 0, 0, 0, 0]" ] || fail "counts $c"
[ "$(get 'j["NEventsListener"]')" = 0 ] || fail "NEventsListener"
[ "$(get 'j["Swarm"]["LocalNodeState"]')" = inactive ] || fail "Swarm"
[ "$(get 'j["RegistryConfig"]["IndexConfigs"]["docker.io"]["Official"]')" = True ] || fail "RegistryConfig"
get 'j["RegistryConfig"]["InsecureRegistryCIDRs"]' | grep -q '127.0.0.0/8' || fail "InsecureRegistryCIDRs"
[ "$(get 'j["IndexServerAddress"]')" = "https://index.docker.io/v1/" ] || fail "IndexServerAddress"
ok "object counts (none yet), swarm inactive, registry config"

# drivers: the tree's none and host network drivers are loaded and active; with no
# --storage-driver, overlay is chosen when it works on the data root, else vfs, and
# the other stays loaded but inactive
drv=$(get 'j["Driver"]')
case "$drv" in
overlay) other=vfs ;;
vfs) other=overlay ;;
*) fail "Driver by default: '$drv'" ;;
esac
[ "$(get 'sorted((d["Kind"], d["Name"], d["Status"], d["ABI"]) for d in j["Drivers"] if d["Kind"] == "network")')" = \
  "[[\"network\", \"host\", \"active\", \"1.1\"], [\"network\", \"none\", \"active\", \"1.1\"]]" ] ||
    fail "Drivers: $(get 'j["Drivers"]')"
[ "$(get '[d["Status"] for d in j["Drivers"] if d["Name"] == "'$drv'"]')" = '["active"]' ] ||
    fail "$drv not active: $(get 'j["Drivers"]')"
[ "$(get '[d["Status"] for d in j["Drivers"] if d["Name"] == "'$other'"]')" = '["loaded"]' ] ||
    fail "$other not loaded: $(get 'j["Drivers"]')"
[ "$(get 'sorted(j["Plugins"]["Network"])')" = '["host", "none"]' ] || fail "Plugins.Network"
get 'j["Warnings"]' | grep -q "no storage driver is active" && fail "storage warning with $drv active"
grep -q "storage driver $drv selected" "$LOG" || fail "log: $drv not selected"
[ -d "$DATA_ROOT/network/none" ] && [ -d "$DATA_ROOT/network/host" ] || fail "driver state dirs"
grep -q 'driver none: network driver ready' "$LOG" || fail "log: none not ready"
ok "Drivers lists none and host, active; storage driver $drv chosen by default"

# /system/df
df=$(api GET /v1.43/system/df)
[ "$(status)" = 200 ] || fail "/system/df status $(status)"
[ "$(echo "$df" | json '[j["LayersSize"], j["Images"], j["Containers"], j["Volumes"], j["BuildCache"]]')" = \
  "[0, [], [], [], []]" ] || fail "/system/df: $df"
df=$(api GET '/v1.43/system/df?type=image&type=volume')
[ "$(echo "$df" | json '[j["Images"], j["Containers"], j["Volumes"], j["BuildCache"]]')" = \
  "[[], null, [], null]" ] || fail "/system/df?type=image&type=volume: $df"
expect_status 400 GET '/v1.43/system/df?type=image&type=bogus'
[ "$(json 'j["message"]' <"$T/body")" = "unknown object type: bogus" ] || fail "df message: $(cat "$T/body")"
expect_status 200 GET '/v1.41/system/df?type=bogus'   # type came with 1.42
ok "/system/df: Docker's shape, ?type filter, unknown type is a 400"

# the ID is kept in the data root and survives a restart; -D turns Debug on
id=$(get 'j["ID"]')
[ -n "$id" ] && [ "$(cat "$DATA_ROOT/engine-id")" = "$id" ] || fail "ID $id vs engine-id"
dctld_stop
dctld_start -D
[ "$(api GET /info | json 'j["ID"]')" = "$id" ] || fail "ID changed across a restart"
[ "$(api GET /info | json 'j["Debug"]')" = True ] || fail "Debug with -D"
ok "ID stable across a restart"

if [ -x /usr/local/bin/docker ] || command -v docker >/dev/null; then
    docker=$(command -v docker || echo /usr/local/bin/docker)
    export DOCKER_HOST="unix://$SOCK" DOCKER_CONFIG="$T/docker-config"
    "$docker" info >"$T/docker-info" 2>"$T/docker-info.err" || fail "docker info: $(cat "$T/docker-info.err")"
    grep -q "Kernel Version: $(uname -r)" "$T/docker-info" || fail "docker info: $(cat "$T/docker-info")"
    grep -q "Docker Root Dir: $DATA_ROOT" "$T/docker-info" || fail "docker info root dir"
    grep -q "Network: host none" "$T/docker-info" || fail "docker info plugins"
    grep -q "Storage Driver: $drv" "$T/docker-info" || fail "docker info storage driver"
    [ "$("$docker" info --format '{{.NCPU}} {{.ID}}')" = "$(nproc) $id" ] || fail "docker info --format"
    "$docker" system df >"$T/docker-df" 2>&1 || fail "docker system df: $(cat "$T/docker-df")"
    grep -q '^Images  *0 ' "$T/docker-df" || fail "docker system df: $(cat "$T/docker-df")"
    "$docker" system df -v >/dev/null 2>&1 || fail "docker system df -v"
    unset DOCKER_HOST
    ok "docker info and docker system df through the real CLI"
else
    echo "# docker CLI not installed: CLI checks not run"
fi
dctld_stop

# no driver dir: a warning, and dctld goes on with no drivers
DRIVER_DIR="$T/no-such-dir" dctld_start
[ "$(api GET /info | json 'j["Drivers"]')" = "[]" ] || fail "Drivers without a driver dir"
grep -q "driver directory $T/no-such-dir" "$LOG" || fail "no warning for the missing driver dir"
dctld_stop
ok "a missing driver dir is a warning"

# a storage driver that is not loaded stops start-up, leaving no socket
"$DCTLD" -H "unix://$SOCK" --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" \
    --pidfile "$PIDFILE" --driver-dir "$DRIVER_DIR" --config-file "$CONFIG" \
    --storage-driver nosuch >"$T/nosuch.log" 2>&1 && fail "dctld started with an unknown storage driver"
grep -q "driver not supported: nosuch" "$T/nosuch.log" || fail "message: $(cat "$T/nosuch.log")"
[ ! -e "$SOCK" ] || fail "socket left behind"
ok "an unknown storage driver stops start-up"
