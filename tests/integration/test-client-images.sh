#!/bin/bash
# tests/integration/test-client-images.sh - dctl's image commands against a real
# dctld: import (file, pipe, streamed without holding the file), images with its
# table, json, templates, filters and flags, tag, history, image inspect, rmi, image
# prune and the `dctl image SUB` forms; errors printed as docker prints them, with
# docker's exit statuses, and bad input leaving the images as they were. Where the
# docker CLI is installed, dctl's output is compared with docker's for the same daemon.
. "$top_srcdir/tests/integration/lib.sh"
need_root
[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian's busybox-static)"
[ -x "$DCTL" ] || fail "dctl not built at $DCTL"

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc"
cp /bin/busybox "$T/rootfs/bin/busybox"
for c in sh ls true; do ln -s busybox "$T/rootfs/bin/$c"; done
echo "root:x:0:0:root:/root:/bin/sh" >"$T/rootfs/etc/passwd"
tar -C "$T/rootfs" --numeric-owner -cf "$T/busybox.tar" .
printf 'this is not a tar archive at all\n%.0s' $(seq 100) >"$T/garbage.tar"

dctld_start --storage-driver vfs
export DCTL_HOST="unix://$SOCK"

# run_dctl ARGS...: stdout in $T/out, stderr in $T/err, status in $rc (stdin: /dev/null)
run_dctl() {
    rc=0
    timeout 120 "$DCTL" "$@" >"$T/out" 2>"$T/err" </dev/null || rc=$?
}
# the images the daemon holds, tags and all: what bad input must leave alone
state() {
    api GET '/v1.43/images/json?all=1' | json '[(i["Id"], sorted(i["RepoTags"])) for i in j]'
}
# expect RC STDERR-LINE: the last run_dctl failed so, printing nothing on stdout
expect_fail() {
    [ "$rc" = "$1" ] || fail "rc $rc, want $1; stderr: $(cat "$T/err")"
    grep -qxF -- "$2" "$T/err" || fail "stderr: $(cat "$T/err"), want: $2"
}

# ---- import ------------------------------------------------------------------------------
run_dctl import -m hello -c 'CMD ["sh", "-c", "echo hi"]' -c 'LABEL team=core' \
    "$T/busybox.tar" busybox:one
[ $rc -eq 0 ] || fail "import: rc $rc: $(cat "$T/err")"
[ "$(wc -l <"$T/out")" = 1 ] && grep -Eqx 'sha256:[0-9a-f]{64}' "$T/out" || fail "import printed $(cat "$T/out")"
ID=$(cat "$T/out")
SHORT=${ID:7:12}
insp=$(api GET /v1.43/images/busybox:one/json)
[ "$(echo "$insp" | json '[j["Id"], j["Comment"], j["Config"]["Cmd"], j["Config"]["Labels"]]')" = \
    "[\"$ID\", \"hello\", [\"sh\", \"-c\", \"echo hi\"], {\"team\": \"core\"}]" ] || fail "imported image: $insp"
SIZE=$(echo "$insp" | json 'j["Size"]')
ok "import FILE REF with -m and -c prints the new image's ID; the daemon has the changes"

rc=0
timeout 120 "$DCTL" import -m piped - piped:1 <"$T/busybox.tar" >"$T/out" 2>"$T/err" || rc=$?
[ $rc -eq 0 ] && grep -Eqx 'sha256:[0-9a-f]{64}' "$T/out" || fail "import - <file: rc $rc $(cat "$T/err")"
rc=0
cat "$T/busybox.tar" | timeout 120 "$DCTL" image import - piped:2 >"$T/out" 2>"$T/err" || rc=$?
[ $rc -eq 0 ] && grep -Eqx 'sha256:[0-9a-f]{64}' "$T/out" || fail "import from a pipe: rc $rc $(cat "$T/err")"
PIPED=$(cat "$T/out")
[ "$(api GET /v1.43/images/piped:2/json | json 'j["Id"]')" = "$PIPED" ] || fail "piped:2 not tagged"
ok "import - reads standard input, a file or a pipe (chunked); image import is the same"

# streamed: a 48 MiB tarball goes through a client that stays far smaller than it
mkdir -p "$T/big"
head -c $((48 * 1024 * 1024)) /dev/urandom >"$T/big/blob"
tar -C "$T/big" -cf "$T/big.tar" .
rm -rf "$T/big"
python3 - "$DCTL" "$T/big.tar" >"$T/rss" <<'EOF' || fail "big import failed: $(cat "$T/rss")"
import resource, subprocess, sys
r = subprocess.run([sys.argv[1], "import", sys.argv[2], "big:1"], capture_output=True, text=True)
print(r.stdout.strip(), r.stderr.strip(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(r.returncode)
EOF
maxrss_kb=$(awk '{print $NF}' "$T/rss")
[ "$maxrss_kb" -lt $((24 * 1024)) ] || fail "dctl import of 48 MiB peaked at ${maxrss_kb} KiB"
rm -f "$T/big.tar"
run_dctl rmi big:1
[ $rc -eq 0 ] || fail "rmi big:1: $(cat "$T/err")"
ok "import streams the file: dctl's peak RSS ${maxrss_kb} KiB for a 48 MiB tarball"

before=$(state)
run_dctl import "$T/nosuch.tar"
expect_fail 1 "open $T/nosuch.tar: no such file or directory"
run_dctl import "$T/busybox.tar" UPPER
expect_fail 1 "invalid reference format: repository name (library/UPPER) must be lowercase"
run_dctl import -c 'RUN true' "$T/busybox.tar" x:1
expect_fail 1 "Error response from daemon: run is not a valid change command"
run_dctl import "$T/garbage.tar" garbage:1
[ $rc -eq 1 ] && grep -q '^Error response from daemon: .*Unrecognized archive format' "$T/err" ||
    fail "garbage import: rc $rc $(cat "$T/err")"
run_dctl import
[ $rc -eq 1 ] && grep -qx '"dctl import" requires at least 1 argument.' "$T/err" || fail "import without args"
run_dctl import --bogus "$T/busybox.tar"
[ $rc -eq 125 ] && grep -qx 'unknown flag: --bogus' "$T/err" || fail "import --bogus: rc $rc"
[ "$(state)" = "$before" ] || fail "bad imports changed the images: $(state)"
ok "import: missing file, bad reference, bad change, garbage, bad usage: docker's errors, nothing stored"

# ---- tag ---------------------------------------------------------------------------------
run_dctl tag busybox:one localhost:5000/team/bb:v1
[ $rc -eq 0 ] && [ ! -s "$T/out" ] || fail "tag: rc $rc $(cat "$T/err")"
run_dctl image tag "$SHORT" busybox:two
[ $rc -eq 0 ] || fail "image tag by ID: $(cat "$T/err")"
[ "$(api GET /v1.43/images/busybox:one/json | json 'sorted(j["RepoTags"])')" = \
    '["busybox:one", "busybox:two", "localhost:5000/team/bb:v1"]' ] || fail "tags: $(cat "$T/body")"
before=$(state)
run_dctl tag busybox:one UPPER
expect_fail 1 'Error parsing reference: "UPPER" is not a valid repository/tag: invalid reference format: repository name (library/UPPER) must be lowercase'
run_dctl tag nosuch x:1
expect_fail 1 "Error response from daemon: No such image: nosuch:latest"
run_dctl tag busybox:one
[ $rc -eq 1 ] && grep -qx '"dctl tag" requires exactly 2 arguments.' "$T/err" || fail "tag with one arg"
[ "$(state)" = "$before" ] || fail "bad tags changed the images"
ok "tag and image tag by name and ID; bad target, missing source, bad usage change nothing"

# ---- images --------------------------------------------------------------------------------
run_dctl images
[ $rc -eq 0 ] || fail "images: $(cat "$T/err")"
head -1 "$T/out" | grep -Eqx 'REPOSITORY +TAG +IMAGE ID +CREATED +SIZE' || fail "header: $(head -1 "$T/out")"
# columns start where the header's do (docker's tab writer)
python3 - "$T/out" <<'EOF' || fail "images table: $(cat "$T/out")"
import sys
lines = open(sys.argv[1]).read().splitlines()
h = lines[0]
starts = [h.index(c) for c in ("TAG", "IMAGE ID", "CREATED", "SIZE")]
assert starts[0] == max(len("REPOSITORY"), max(len(l.split()[0]) for l in lines[1:])) + 3, h
for l in lines[1:]:
    for s in starts:
        assert l[s - 1] == " " and l[s] != " ", (l, s)
EOF
grep -Eq "^busybox +one +$SHORT +(Less than a second|[0-9]+ seconds?|About a minute) ago +[0-9.]+MB\$" "$T/out" ||
    fail "busybox:one row: $(cat "$T/out")"
grep -Eq "^localhost:5000/team/bb +v1 +$SHORT " "$T/out" || fail "one row per tag: $(cat "$T/out")"
[ "$(grep -c " $SHORT " "$T/out")" = 3 ] || fail "rows of $SHORT: $(cat "$T/out")"
run_dctl images --format '{{.Repository}} {{.Tag}} {{.ID}}'
cp "$T/out" "$T/images"
run_dctl image ls --format '{{.Repository}} {{.Tag}} {{.ID}}'
cmp -s "$T/out" "$T/images" && [ -s "$T/out" ] || fail "image ls differs from images"
ok "images: docker's table, aligned, one row per tag; image ls is the same"

run_dctl images --format json
[ $rc -eq 0 ] || fail "images --format json"
python3 - "$T/out" "$SHORT" <<'EOF' || fail "images json: $(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
keys = ["Containers", "CreatedAt", "CreatedSince", "Digest", "ID", "Repository", "SharedSize",
        "Size", "Tag", "UniqueSize", "VirtualSize"]
assert all(list(r) == keys for r in rows), rows
r = [r for r in rows if r["Repository"] == "busybox" and r["Tag"] == "one"][0]
assert r["ID"] == sys.argv[2] and r["Digest"] == "<none>" and r["Containers"] == "N/A", r
assert r["Size"].endswith("MB") and r["CreatedSince"].endswith(" ago"), r
EOF
grep -q '"Digest":"\\u003cnone\\u003e"' "$T/out" || fail "json escapes < and > as Go does"
run_dctl images --format '{{.Repository}}:{{.Tag}}' busybox
[ "$(sort "$T/out" | tr '\n' ' ')" = "busybox:one busybox:two " ] || fail "template with REPO operand: $(cat "$T/out")"
run_dctl images --format 'table {{.ID}}\t{{.Size}}' --filter reference=localhost:5000/*/*
[ "$(head -1 "$T/out")" = "IMAGE ID       SIZE" ] && [ "$(wc -l <"$T/out")" = 2 ] &&
    grep -Eqx "$SHORT   [0-9.]+MB" "$T/out" || fail "table template: $(cat "$T/out")"
run_dctl images -q busybox
[ "$(cat "$T/out")" = "$(printf '%s\n%s' "$SHORT" "$SHORT")" ] || fail "-q: $(cat "$T/out")"
run_dctl images --no-trunc -q --filter label=team=core
[ "$(sort -u "$T/out")" = "$ID" ] || fail "--no-trunc -q --filter label: $(cat "$T/out")"
run_dctl images --digests busybox:one
head -1 "$T/out" | grep -Eqx 'REPOSITORY +TAG +DIGEST +IMAGE ID +CREATED +SIZE' &&
    grep -Eq "^busybox +one +<none> +$SHORT " "$T/out" || fail "--digests: $(cat "$T/out")"
run_dctl images -a --format '{{.ID}} {{json .Tag}} {{.VirtualSize}}' piped:1
grep -Eqx '[0-9a-f]{12} "1" [0-9.]+MB' "$T/out" || fail "json action, -a: $(cat "$T/out")"
# an untagged image: <none>, and the dangling filter
run_dctl import "$T/busybox.tar"
DANGLING=$(cat "$T/out")
run_dctl images --filter dangling=true
[ "$(tail -n +2 "$T/out" | awk '{print $1, $2, $3}')" = "<none> <none> ${DANGLING:7:12}" ] ||
    fail "dangling: $(cat "$T/out")"
ok "images: json lines with docker's keys, templates, table templates, -q, --no-trunc, --digests, -a, filters, <none>"

before=$(state)
run_dctl images --format '{{.Nope}}'
expect_fail 1 'template parsing error: template: :1:2: executing "" at <.Nope>: can'"'"'t evaluate field Nope'
run_dctl images --format '{{if .ID}}x{{end}}'
[ $rc -eq 1 ] && grep -q '^template parsing error: .*unsupported action "{{if .ID}}"' "$T/err" &&
    [ ! -s "$T/out" ] || fail "unsupported template: rc $rc $(cat "$T/err")"
run_dctl images --format '{{.ID'
expect_fail 1 "template parsing error: template: :1: unclosed action"
run_dctl images --filter nonsense
[ $rc -eq 125 ] && grep -qx 'invalid argument "nonsense" for "-f, --filter" flag: bad format of filter (expected name=value)' "$T/err" ||
    fail "bad filter syntax: rc $rc $(cat "$T/err")"
run_dctl images --filter bogus=1
expect_fail 1 "Error response from daemon: invalid filter 'bogus'"
run_dctl images a b
[ $rc -eq 1 ] && grep -qx '"dctl images" requires at most 1 argument.' "$T/err" || fail "two operands"
[ "$(state)" = "$before" ] || fail "images errors changed the images"
ok "images: unknown field, unsupported or unclosed template, bad filters: errors, no output"

# ---- history -------------------------------------------------------------------------------
run_dctl history busybox:one
[ $rc -eq 0 ] || fail "history: $(cat "$T/err")"
head -1 "$T/out" | grep -Eqx 'IMAGE +CREATED +CREATED BY +SIZE +COMMENT' || fail "history header: $(cat "$T/out")"
grep -Eqx "$SHORT +.* ago +[0-9.]+MB +hello" "$T/out" || fail "history row: $(cat "$T/out")"
run_dctl image history -H=false --no-trunc busybox:one
head -1 "$T/out" | grep -Eqx 'IMAGE +CREATED AT +CREATED BY +SIZE +COMMENT' &&
    grep -Eqx "$ID +20[0-9-]+T[0-9:]+Z +$SIZE +hello" "$T/out" || fail "history -H=false: $(cat "$T/out")"
run_dctl history --human=false -q busybox:one
[ "$(cat "$T/out")" = "$SHORT" ] || fail "history -q: $(cat "$T/out")"
run_dctl history --format '{{.ID}}|{{.Comment}}|{{.CreatedBy}}' busybox:one
[ "$(cat "$T/out")" = "$SHORT|hello|" ] || fail "history template: $(cat "$T/out")"
run_dctl history nosuch
expect_fail 1 "Error response from daemon: No such image: nosuch:latest"
run_dctl history --human=maybe busybox:one
[ $rc -eq 125 ] && grep -q 'invalid argument "maybe" for "-H, --human" flag' "$T/err" || fail "--human=maybe: rc $rc"
run_dctl history
[ $rc -eq 1 ] && grep -qx '"dctl history" requires exactly 1 argument.' "$T/err" || fail "history without image"
ok "history: table, -H=false, --no-trunc, -q, templates; missing image and bad flags fail like docker"

# ---- image inspect ------------------------------------------------------------------------
run_dctl image inspect busybox:one
[ $rc -eq 0 ] || fail "inspect: $(cat "$T/err")"
[ "$(head -2 "$T/out" | tail -1)" = "    {" ] && grep -qx "        \"Id\": \"$ID\"," "$T/out" ||
    fail "inspect is not indented by 4: $(head -5 "$T/out")"
[ "$(json '[len(j), j[0]["Id"], j[0]["Size"]]' <"$T/out")" = "[1, \"$ID\", $SIZE]" ] || fail "inspect JSON"
run_dctl image inspect -f '{{.Id}} {{.Config.Cmd}} {{.Config.Labels}}' busybox:one "$SHORT"
[ "$(cat "$T/out")" = "$(printf '%s [sh -c echo hi] map[team:core]\n%s [sh -c echo hi] map[team:core]' "$ID" "$ID")" ] ||
    fail "inspect -f: $(cat "$T/out")"
run_dctl image inspect --format '{{json .Config}}' busybox:one
[ "$(json '[j["Cmd"], j["Labels"]]' <"$T/out")" = '[["sh", "-c", "echo hi"], {"team": "core"}]' ] ||
    fail "inspect json .Config: $(cat "$T/out")"
run_dctl image inspect nosuch
[ $rc -eq 1 ] && [ "$(cat "$T/out")" = "[]" ] || fail "inspect nosuch: rc $rc, $(cat "$T/out")"
grep -qx "Error response from daemon: No such image: nosuch:latest" "$T/err" || fail "inspect nosuch: $(cat "$T/err")"
run_dctl image inspect busybox:one nosuch -f '{{.Id}}'
[ $rc -eq 1 ] && [ "$(cat "$T/out")" = "$ID" ] &&
    grep -qx "Error response from daemon: No such image: nosuch:latest" "$T/err" || fail "inspect one of two: rc $rc"
run_dctl image inspect -f '{{.Config.Nope}}' busybox:one
expect_fail 1 'template parsing error: template: :1:9: executing "" at <.Config.Nope>: map has no entry for key "Nope"'
run_dctl image inspect -f '{{range .RepoTags}}x{{end}}' busybox:one
[ $rc -eq 1 ] && grep -q 'unsupported action' "$T/err" && [ ! -s "$T/out" ] || fail "inspect range: rc $rc"
ok "image inspect: 4-space JSON array, -f paths and json, missing images and bad templates fail"

# ---- the docker CLI on the same daemon prints the same --------------------------------------
if [ -x /usr/local/bin/docker ] || command -v docker >/dev/null; then
    DOCKER=$(command -v docker || echo /usr/local/bin/docker)
    cmp_docker() {
        "$DCTL" "$@" 2>&1 | sort >"$T/dctl.cmp"
        DOCKER_HOST="unix://$SOCK" DOCKER_CONFIG="$T/docker-config" "$DOCKER" "$@" 2>&1 | sort >"$T/docker.cmp"
        diff "$T/docker.cmp" "$T/dctl.cmp" >"$T/diff" || fail "dctl $* differs from docker: $(cat "$T/diff")"
    }
    cmp_docker images --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}\t{{.CreatedAt}}'
    cmp_docker images --digests --format '{{json .Digest}} {{.VirtualSize}} {{.Repository}}'
    cmp_docker images -q
    cmp_docker image inspect busybox:one nosuch
    cmp_docker history -H=false busybox:one
    cmp_docker tag nosuch x
    cmp_docker rmi nosuch1 nosuch2
    ok "images, image inspect, history, tag and rmi print what the docker CLI prints"
else
    echo "# no docker CLI: the comparison with docker's output is left out"
fi

# ---- rmi -------------------------------------------------------------------------------------
before=$(state)
run_dctl rmi "$SHORT"
[ $rc -eq 1 ] && grep -q "^Error response from daemon: conflict: unable to delete $SHORT (must be forced) - image is referenced in multiple repositories" "$T/err" ||
    fail "rmi of an ID with tags: rc $rc $(cat "$T/err")"
[ "$(state)" = "$before" ] || fail "refused rmi changed the images"
run_dctl rmi nosuch busybox:two -f nosuch2
[ $rc -eq 0 ] && [ "$(cat "$T/out")" = "Untagged: busybox:two" ] || fail "rmi -f with missing: rc $rc $(cat "$T/out")"
[ "$(cat "$T/err")" = "$(printf 'Error response from daemon: No such image: nosuch:latest\nError response from daemon: No such image: nosuch2:latest')" ] ||
    fail "rmi -f errors: $(cat "$T/err")"
run_dctl image rm nosuch localhost:5000/team/bb:v1
[ $rc -eq 1 ] && [ "$(cat "$T/out")" = "Untagged: localhost:5000/team/bb:v1" ] &&
    grep -qx 'Error response from daemon: No such image: nosuch:latest' "$T/err" || fail "rmi continues: rc $rc"
run_dctl rmi busybox:one
[ $rc -eq 0 ] && [ "$(cat "$T/out")" = "$(printf 'Untagged: busybox:one\nDeleted: %s' "$ID")" ] ||
    fail "rmi last tag: rc $rc $(cat "$T/out")"
api GET "/v1.43/images/$ID/json" >/dev/null
[ "$(status)" = 404 ] || fail "image still there after rmi"
run_dctl rmi
[ $rc -eq 1 ] && grep -qx '"dctl rmi" requires at least 1 argument.' "$T/err" || fail "rmi without args"
ok "rmi: conflict leaves all, -f tolerates missing images, the list goes on, Untagged/Deleted lines"

# ---- image prune -------------------------------------------------------------------------------
before=$(state)
rc=0
echo n | timeout 60 "$DCTL" image prune >"$T/out" 2>"$T/err" || rc=$?
[ $rc -eq 0 ] && [ "$(cat "$T/out")" = "$(printf 'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ')" ] ||
    fail "prune, answered n: rc $rc $(cat "$T/out")"
[ "$(state)" = "$before" ] || fail "cancelled prune removed images"
run_dctl image prune --filter bogus=1 -f
expect_fail 1 "Error response from daemon: invalid filter 'bogus'"
run_dctl image prune extra
[ $rc -eq 1 ] && grep -q 'accepts no arguments' "$T/err" || fail "prune extra: rc $rc"
[ "$(state)" = "$before" ] || fail "refused prunes removed images"
rc=0
echo y | timeout 60 "$DCTL" image prune >"$T/out" 2>"$T/err" || rc=$?
[ $rc -eq 0 ] || fail "prune y: $(cat "$T/err")"
[ "$(tail -n +2 "$T/out")" = "$(printf 'Are you sure you want to continue? [y/N] Deleted Images:\ndeleted: %s\n\nTotal reclaimed space: 0B' "$DANGLING")" ] ||
    fail "prune output: $(cat "$T/out")"
run_dctl image prune -f
[ "$(cat "$T/out")" = "Total reclaimed space: 0B" ] || fail "prune with nothing to do: $(cat "$T/out")"
run_dctl image prune -a -f
[ $rc -eq 0 ] && head -1 "$T/out" | grep -qx 'Deleted Images:' && grep -qx 'untagged: piped:1' "$T/out" &&
    grep -Eqx 'Total reclaimed space: [0-9.]+MB' "$T/out" || fail "prune -a: $(cat "$T/out")"
[ "$(state)" = "[]" ] || fail "images left after prune -a: $(state)"
ok "image prune: asks, n cancels, y prunes dangling, -a -f all; Deleted Images and Total reclaimed space"

# ---- dctl image, and no daemon -------------------------------------------------------------------
run_dctl image
[ $rc -eq 0 ] && grep -q '^Usage:  dctl image COMMAND' "$T/out" || fail "dctl image"
for s in history import inspect ls prune rm tag; do
    grep -Eq "^  $s " "$T/out" || fail "dctl image does not list $s"
done
run_dctl image nosuch
expect_fail 1 "dctl: unknown command: dctl image nosuch"
run_dctl image ls --help
[ $rc -eq 0 ] && grep -q '^Usage:  dctl images' "$T/out" && grep -q 'dctl image ls, dctl image list' "$T/out" ||
    fail "image ls --help"
for c in "images" "history x" "image inspect x" "rmi x" "tag x y" "image prune -f"; do
    # shellcheck disable=SC2086
    DCTL_HOST="unix://$T/missing.sock" run_dctl $c
    [ $rc -eq 1 ] && [ "$(cat "$T/err")" = "Cannot connect to the dctl daemon at unix://$T/missing.sock. Is dctld running?" ] ||
        fail "$c without a daemon: rc $rc $(cat "$T/err")"
done
ok "dctl image lists its subcommands; no daemon is one line, exit 1"
