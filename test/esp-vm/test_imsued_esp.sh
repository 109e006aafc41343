#!/bin/sh
# TAP: boots the ESP test guest and runs test/esp-vm/imsued_esp.sh in it: tools/imsued with
# security = ipsec-3gpp registering over real ESP through Kamailio's P-CSCF (ims_ipsec_pcscf).
# Skips only when QEMU cannot start, or when not root.
top_builddir=${top_builddir:-$(pwd)}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export top_builddir top_srcdir
if [ "$(id -u)" != 0 ]; then
	echo "1..1"
	echo "ok 1 - imsued with ipsec-3gpp over ESP in the test guest # SKIP not root"
	exit 0
fi
out=$(mktemp) || exit 1
err=$(mktemp) || exit 1
trap 'rm -f "$out" "$err"' EXIT
start=$(date +%s.%N)
ESP_VM_TIMEOUT=${ESP_VM_TIMEOUT:-180} sh "$top_srcdir/test/esp-vm/run.sh" sh "$top_srcdir/test/esp-vm/imsued_esp.sh" >"$out" 2>"$err"
rc=$?
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
if [ $rc = 77 ]; then
	echo "1..1"
	echo "ok 1 - imsued with ipsec-3gpp over ESP in the test guest # SKIP $(grep 'SKIP:' "$err" | tail -n 1 | sed 's/.*SKIP: //')"
	exit 0
fi
if grep -q '^1\.\.[0-9]' "$out"; then
	cat "$out"
	sed 's/^/# /' "$err"
	echo "# guest boot + suite: $took s (exit $rc)"
	exit 0
fi
echo "1..1"
echo "not ok 1 - imsued with ipsec-3gpp over ESP in the test guest (run.sh exit $rc, no TAP plan)"
sed 's/^/# /' "$out" "$err"
exit 0
