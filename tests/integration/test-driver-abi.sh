#!/bin/bash
# tests/integration/test-driver-abi.sh - the driver ABI as a third party sees
# it: `make install` into a staging dir installs dctld, the drivers, the header
# and dctl-driver.pc; out-of-tree drivers are built with nothing but the
# installed header and `pkg-config --cflags dctl-driver`; the installed dctld
# loads the good ones (a network driver, and a storage driver it is told to
# use, whose init failure is reported too), refuses one built for another ABI
# major and one without the `dctl_driver` symbol, each with a log line, and
# lists what it loaded in /info.
. "$top_srcdir/tests/integration/lib.sh"

command -v cc >/dev/null || skip "no C compiler"
command -v pkg-config >/dev/null || skip "no pkg-config"

INST="$T/inst"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" install DESTDIR="$INST" \
    >"$T/install.log" 2>&1 || fail "make install: $(tail -20 "$T/install.log")"
pc=$(find "$INST" -name dctl-driver.pc)
header=$(find "$INST" -path '*/include/dctl/driver.h')
dctld=$(find "$INST" -path '*/bin/dctld')
instdrivers=$(dirname "$(find "$INST" -path '*/dctl/drivers/none.so')")
[ -f "$pc" ] && [ -f "$header" ] && [ -x "$dctld" ] && [ -f "$instdrivers/host.so" ] ||
    fail "make install left out something: $(cd "$INST" && find . -type f | sort)"
cmp -s "$header" "$top_srcdir/include/dctl/driver.h" || fail "installed header differs"
ok "make install: dctld, drivers, include/dctl/driver.h, dctl-driver.pc"

# pkg-config, pointed at the staging dir as a packager would
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$INST" PKG_CONFIG_LIBDIR=
cflags=$(pkg-config --cflags dctl-driver) || fail "pkg-config --cflags dctl-driver"
case "$cflags" in *"-I$INST/"*) ;; *) fail "cflags do not point into the install: $cflags" ;; esac
case "$cflags" in *"$top_srcdir"*|*"$top_builddir"*) fail "cflags point into the tree: $cflags" ;; esac
[ "$(pkg-config --modversion dctl-driver)" = "$("$DCTLD" --version | awk '{print $3}' | tr -d ,)" ] ||
    fail "dctl-driver.pc version"
ok "pkg-config --cflags dctl-driver: $cflags"

# the out-of-tree source: one file, built four ways
mkdir -p "$T/oot" "$T/drv"
cat >"$T/oot/oot.c" <<'EOF'
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dctl/driver.h>

#ifndef MAJOR
#define MAJOR DCTL_DRIVER_ABI_MAJOR
#endif

struct oot { const struct dctl_host *host; struct dctl_option lines[2]; char path[4096]; };

static void
oot_log(const struct dctl_host *h, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    h->log(h->host_priv, DCTL_LOG_INFO, fmt, ap);
    va_end(ap);
}

static int
oot_fail(const struct dctl_host *h, dctl_error_t *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    h->error_set(err, DCTL_ERR_UNAVAILABLE, 0, fmt, ap);
    va_end(ap);
    return -1;
}

static int
oot_init(const struct dctl_host *host, const struct dctl_option *opts, void **priv,
         dctl_error_t *err)
{
    struct oot *o;
    FILE *fp;
    char block[4096];

    for (; opts && opts->key; opts++)
        if (strcmp(opts->key, "fail") == 0)
            return oot_fail(host, err, "told to fail (%s)", opts->value);
    o = calloc(1, sizeof *o);
    o->host = host;
    o->lines[0].key = "Backing Filesystem";
    o->lines[0].value = "out-of-tree";
    /* something on disk, for /system/df's LayersSize */
    snprintf(o->path, sizeof o->path, "%s/layer", host->state_dir);
    memset(block, 'x', sizeof block);
    if ((fp = fopen(o->path, "w")) == NULL)
        return oot_fail(host, err, "cannot write in %s", host->state_dir);
    fwrite(block, 1, sizeof block, fp);
    fclose(fp);
    oot_log(host, "hello from out of tree (ABI %u.%u host)", host->abi_major, host->abi_minor);
    *priv = o;
    return 0;
}

static void oot_fini(void *priv) { free(priv); }
static const struct dctl_option *oot_status(void *priv) { return ((struct oot *)priv)->lines; }

#ifdef STORAGE
static const struct dctl_storage_ops ops = {
#else
static const struct dctl_network_ops ops = {
#endif
    .size = sizeof ops, .init = oot_init, .fini = oot_fini, .status = oot_status,
};

#ifndef NO_SYMBOL
DCTL_EXPORT const struct dctl_driver dctl_driver = {
    .abi_major = MAJOR, .abi_minor = MAJOR == DCTL_DRIVER_ABI_MAJOR ? DCTL_DRIVER_ABI_MINOR : 0,
#ifdef STORAGE
    .kind = DCTL_DRIVER_STORAGE, .name = "ootfs",
#else
    .kind = DCTL_DRIVER_NETWORK, .name = "oot",
#endif
    .version = "1.2.3", .ops = &ops,
};
#endif
EOF
build() {
    local out=$1
    shift
    (cd "$T/oot" && cc -shared -Wall -Wextra -Werror $cflags "$@" -o "$T/drv/$out" oot.c) ||
        fail "building $out out of tree"
}
build oot.so
build ootfs.so -DSTORAGE
build future.so '-DMAJOR=(DCTL_DRIVER_ABI_MAJOR + 1)'
build nosym.so -DNO_SYMBOL
cp "$instdrivers"/*.so "$T/drv/"
ok "out-of-tree drivers built with only the installed header"

DCTLD="$dctld" DRIVER_DIR="$T/drv" dctld_start --storage-driver ootfs
info=$(api GET /info)
echo "$info" >"$T/info.json"
get() { json "$1" <"$T/info.json"; }
[ "$(get 'sorted((d["Kind"], d["Name"], d["Status"]) for d in j["Drivers"] if d["Status"] == "active")')" = \
  '[["exec", "native", "active"], ["network", "host", "active"], ["network", "none", "active"], ["network", "oot", "active"], ["storage", "ootfs", "active"]]' ] ||
    fail "Drivers: $(get 'j["Drivers"]')"
[ "$(get '[[d["Version"], d["ABI"], d["Path"]] for d in j["Drivers"] if d["Name"] == "oot"][0]')" = \
  "[\"1.2.3\", \"1.1\", \"$T/drv/oot.so\"]" ] || fail "oot entry: $(get 'j["Drivers"]')"
[ "$(get 'j["Driver"]')" = ootfs ] || fail "Driver: $(get 'j["Driver"]')"
[ "$(get 'j["DriverStatus"]')" = '[["Backing Filesystem", "out-of-tree"]]' ] || fail "DriverStatus"
[ "$(get 'sorted(j["Plugins"]["Network"])')" = '["host", "none", "oot"]' ] || fail "Plugins.Network"
grep -q "driver oot: hello from out of tree (ABI 1.1 host)" "$LOG" || fail "oot's log line"
ok "the out-of-tree drivers are loaded, active and listed in /info"

grep -qF "driver $T/drv/future.so: ABI 2.0, dctld speaks 1.x; skipped" "$LOG" ||
    fail "no refusal for future.so: $(grep future "$LOG")"
grep -qF "driver $T/drv/nosym.so: no \\\"dctl_driver\\\" symbol; skipped" "$LOG" ||
    fail "no refusal for nosym.so: $(grep nosym "$LOG")"
get 'j["Drivers"]' | grep -q 'future\|nosym' && fail "a refused driver is listed"
ok "a driver for another ABI major and one without the symbol are refused, with a log line"

[ "$(api GET /system/df | json 'j["LayersSize"]')" = 4096 ] || fail "LayersSize: $(cat "$T/body")"
ok "/system/df LayersSize is the storage driver's usage"
dctld_stop

# a storage driver whose init fails is listed with its error; dctld runs on
DCTLD="$dctld" DRIVER_DIR="$T/drv" dctld_start --storage-driver ootfs --storage-opt fail=yes
info=$(api GET /info)
echo "$info" >"$T/info.json"
[ "$(get '[[d["Status"], d["Error"]] for d in j["Drivers"] if d["Name"] == "ootfs"][0]')" = \
  '["error", "told to fail (yes)"]' ] || fail "failed driver entry: $(get 'j["Drivers"]')"
[ "$(get 'j["DriverStatus"]')" = '[["Error", "told to fail (yes)"]]' ] || fail "DriverStatus"
get 'j["Warnings"]' | grep -q "storage driver ootfs failed to start: told to fail" || fail "warning"
grep -q 'driver ootfs: init failed: told to fail (yes)' "$LOG" || fail "log line for the failure"
[ "$(api GET /system/df | json 'j["LayersSize"]')" = 0 ] || fail "LayersSize with a failed driver"
dctld_stop
ok "a storage driver whose init fails is listed with its error"
