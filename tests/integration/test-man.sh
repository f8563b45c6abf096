#!/bin/bash
# tests/integration/test-man.sh - every man page renders without a warning
# (groff -ww and man -l), and the pages cover what the programs offer: every
# dctld flag, every dctl global option and command, every command's options.
. "$top_srcdir/tests/integration/lib.sh"

command -v groff >/dev/null || skip "groff is not installed (scripts/setup.sh installs groff-base)"
command -v man >/dev/null || skip "man is not installed (scripts/setup.sh installs man-db)"

MAN="$top_srcdir/man"
pages=("$MAN"/*.[1-8])
[ ${#pages[@]} -ge 5 ] || fail "only ${#pages[@]} man pages in $MAN"

for p in "${pages[@]}"; do
    out=$(groff -man -ww -z "$p" 2>&1) || fail "groff failed on $p: $out"
    [ -z "$out" ] || fail "groff warns on $(basename "$p"): $out"
    out=$(MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$p" 2>&1 >/dev/null) || fail "man -l failed on $p"
    [ -z "$out" ] || fail "man -l warns on $(basename "$p"): $out"
    MANWIDTH=80 man -l "$p" 2>/dev/null >"$T/page"
    grep -q '^NAME' "$T/page" && grep -q '^SYNOPSIS' "$T/page" && grep -q '^DESCRIPTION' "$T/page" ||
        fail "$(basename "$p") lacks NAME, SYNOPSIS or DESCRIPTION"
    # no line wider than the terminal
    awk -v p="$(basename "$p")" 'length($0) > 80 { print p ": line too wide: " $0; bad = 1 }
        END { exit bad }' "$T/page" || fail "$(basename "$p") renders wider than 80 columns"
done
ok "${#pages[@]} man pages render without warnings"

# rendered text with hyphens folded back (groff may print U+2010 for a hyphen)
render() {
    MANWIDTH=200 LC_ALL=C man -l "$1" 2>/dev/null | sed 's/\xe2\x80\x90/-/g'
}

render "$MAN/dctld.8" >"$T/dctld"
for flag in $("$DCTLD" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    grep -q -- "$flag" "$T/dctld" || fail "dctld.8 does not document $flag"
done
for key in hosts data-root exec-root driver-dir storage-driver storage-opts log-level debug \
           pidfile labels http-idle-timeout shutdown-timeout; do
    grep -Eq -- "^ *$key( |\$)" "$T/dctld" || fail "dctld.8 does not document daemon.json key $key"
done
for s in SIGTERM SIGINT SIGHUP; do grep -q "$s" "$T/dctld" || fail "dctld.8: no $s"; done
ok "dctld.8 documents every flag, daemon.json key and signal"

[ -x "$DCTL" ] || fail "dctl not built at $DCTL"
render "$MAN/dctl.1" >"$T/dctl"
for flag in $("$DCTL" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    grep -q -- "$flag" "$T/dctl" || fail "dctl.1 does not document $flag"
done
grep -q DCTL_HOST "$T/dctl" && grep -q DOCKER_HOST "$T/dctl" || fail "dctl.1: environment"
cmds=$("$DCTL" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF && $1 != "Commands:" { print $1 }')
[ -n "$cmds" ] || fail "no commands in dctl --help"
for c in $cmds; do
    grep -Eq "^ *$c( |\$)" "$T/dctl" || fail "dctl.1 does not list command $c"
    [ "$c" = help ] && continue
    [ -f "$MAN/dctl-$c.1" ] || fail "no man page for dctl $c"
    render "$MAN/dctl-$c.1" >"$T/cmd"
    for flag in $("$DCTL" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        grep -q -- "$flag" "$T/cmd" || fail "dctl-$c.1 does not document $flag"
    done
done
ok "dctl.1 and dctl-CMD.1 document every global option, command and command option"

# management commands: each subcommand's page documents its options
subs=$("$DCTL" image --help | sed -n '/^Commands:/,/^$/p' | awk 'NF && $1 != "Commands:" { print $1 }')
[ -n "$subs" ] || fail "no subcommands in dctl image --help"
render "$MAN/dctl-image.1" >"$T/image"
for s in $subs; do
    grep -Eq "^ *$s( |,|\$)" "$T/image" || fail "dctl-image.1 does not list $s"
    page=$("$DCTL" image "$s" --help | sed -n 's/^See \(dctl-[a-z-]*\)(1) for more\.$/\1/p')
    [ -f "$MAN/$page.1" ] || fail "no man page $page.1 for dctl image $s"
    render "$MAN/$page.1" >"$T/cmd"
    for flag in $("$DCTL" image "$s" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        grep -q -- "$flag" "$T/cmd" || fail "$page.1 does not document $flag (dctl image $s)"
    done
done
ok "dctl-image.1 lists the image subcommands; each one's page documents its options"
