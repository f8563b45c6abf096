#!/bin/bash
# scripts/test.sh - the README's test command and what .ci/run runs: set up,
# build, run every test (`make check`), show the logs of what failed, and end
# with one "N passed, N failed, N skipped" line.
set -uo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh || exit 1
make -j"$(nproc)" check
rc=$?
[ -f test-suite.log ] || { echo "no test-suite.log"; exit 1; }
if [ $rc -ne 0 ]; then
    echo "==== test-suite.log ===="
    cat test-suite.log
fi
pass=0 fail=0 skip=0
for f in $(find tests -name '*.trs'); do
    case "$(sed -n 's/^:test-result: //p' "$f" | head -1)" in
    PASS|XFAIL) pass=$((pass + 1)) ;;
    SKIP) skip=$((skip + 1)); echo "skipped: ${f%.trs}: $(grep -h '^SKIP' "${f%.trs}.log" | head -1)" ;;
    *) fail=$((fail + 1)) ;;
    esac
done
echo "$pass passed, $fail failed, $skip skipped"
exit $rc
