#!/bin/bash
# scripts/setup.sh - installs the Debian packages that dctl's build and tests
# need (only those missing), then runs autoreconf, configure and make.
# Idempotent; run as root on Debian 12. Extra arguments go to configure.
set -euo pipefail
cd "$(dirname "$0")/.."

# build
PKGS=(build-essential autoconf automake libtool pkg-config
      libevent-dev libmicrohttpd-dev libjson-c-dev libarchive-dev libdevmapper-dev
      libcurl4-gnutls-dev check nettle-dev libseccomp-dev)
# tests and benchmarks
PKGS+=(curl python3 procps iproute2 tmux busybox-static docker-registry wrk man-db groff-base)

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
    autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
    ./configure "$@"
fi
make -j"$(nproc)"
