#!/bin/sh
# TAP: boots the ESP test guest once (test/esp-vm/run.sh) and runs the
# sec/xfrm.c ESP suite (test/esp-vm/esp_xfrm) inside it. Skips only when
# QEMU cannot start, or when not root (the guest needs /dev access and
# the suite needs network namespaces).
top_builddir=${top_builddir:-$(pwd)}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export top_builddir top_srcdir
prog=$top_builddir/test/esp-vm/esp_xfrm

if [ "$(id -u)" != 0 ]; then
	echo "1..1"
	echo "ok 1 - ESP suite in the test guest # SKIP not root"
	exit 0
fi
out=$(mktemp) || exit 1
err=$(mktemp) || exit 1
trap 'rm -f "$out" "$err"' EXIT
start=$(date +%s.%N)
sh "$top_srcdir/test/esp-vm/run.sh" "$prog" >"$out" 2>"$err"
rc=$?
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
if [ $rc = 77 ]; then
	echo "1..1"
	echo "ok 1 - ESP suite in the test guest # SKIP $(grep 'SKIP:' "$err" | tail -n 1 | sed 's/.*SKIP: //')"
	exit 0
fi
plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$out" | head -n 1)
if [ -n "$plan" ]; then
	# one more check of our own: the suite's exit status (a sanitizer
	# report or a crash after the last check must fail too)
	echo "1..$((plan + 1))"
	grep -v '^1\.\.[0-9]' "$out"
	sed 's/^/# /' "$err"
	if [ $rc = 0 ]; then
		echo "ok $((plan + 1)) - the guest suite exited with status 0"
	else
		echo "not ok $((plan + 1)) - the guest suite exited with status $rc"
	fi
	echo "# guest boot + suite: $took s"
	exit 0
fi
echo "1..1"
echo "not ok 1 - ESP suite in the test guest (run.sh exit $rc, no TAP plan)"
sed 's/^/# /' "$out" "$err"
exit 0
