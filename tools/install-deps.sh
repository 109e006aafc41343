#!/bin/sh
# Install what building and testing imsue needs on Debian 12, as root.
# Idempotent: when everything is present it only checks (well under a second).
# usage: tools/install-deps.sh [--check]   (--check: list what is missing, exit 1 if any)
set -eu

PKGS="
build-essential autoconf automake libtool pkg-config
libssl-dev openssl
libsofia-sip-ua-dev
libxml2-dev
libcurl4-openssl-dev
libmnl-dev
libinih-dev
libjansson-dev
libedit-dev
libcmocka-dev
libosmocore-dev
clang libclang-rt-14-dev
python3
valgrind
iproute2
kamailio kamailio-ims-modules kamailio-xml-modules kamailio-presence-modules
kamailio-tls-modules kamailio-utils-modules
sip-tester
qemu-system-x86 busybox-static cpio kmod
tshark
"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install-deps: all $(echo $PKGS | wc -w) packages present"
	exit 0
fi
if [ "${1:-}" = "--check" ]; then
	echo "install-deps: missing:$missing"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing:$missing — run as root (apt-get install needs it)" >&2
	exit 1
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# Package lists may be absent or stale on a fresh machine.
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
