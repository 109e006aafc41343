#!/bin/sh
# Inside the ESP test guest: the bundled IMS network (Kamailio P-CSCF with ims_ipsec_pcscf,
# S-CSCF, test HSS; doc/ims-net.md) and a scripted UE (ipsec_probe.py) whose SAs are installed
# by sec/xfrm.c. IMS-AKA registration over real ESP, the P-CSCF's SAs mirroring ours, SA
# counters, cleanup. TAP.
# everything starts ~40x slower in the emulated guest
IMSNET_READY_TIMEOUT=${IMSNET_READY_TIMEOUT:-90}
export IMSNET_READY_TIMEOUT
. "$top_srcdir/test/ims-net/lib.sh"

plan esp-register-200 pcscf-sas-mirror-ue ue-sa-counters ue-cleanup-empty

imsnet_start || finish
esp=$top_builddir/test/esp-vm/esp_xfrm

probe() {
	ip netns exec "$ue_netns" "${PYTHON3:-python3}" "$top_srcdir/test/esp-vm/ipsec_probe.py" \
		--ue-ip "$ue_ip" --pcscf "$pcscf_ip:$pcscf_port" --domain "$domain" \
		--impi "$aka_impi" --impu "$aka_impu" --k "$aka_k" --opc "$aka_opc" \
		--imsue "$top_builddir/tools/imsue" --esp-xfrm "$esp" >"$work/probe" 2>&1
	rc=$?
	cat "$work/probe"
	return $rc
}
check esp-register-200 probe
sed 's/^/# probe: /' "$work/probe"

# The P-CSCF's SAs towards the UE carry the UE's SPIs and ports, and its inbound ones the SPIs
# it announced: the same four SAs sec/xfrm.c installs on the UE side (TS 33.203 7.1).
mirror() {
	ue_spi_c=$(sed -n 's/^ue spi-c=\([0-9]*\).*/\1/p' "$work/probe")
	ue_spi_s=$(sed -n 's/^ue spi-c=[0-9]* spi-s=\([0-9]*\).*/\1/p' "$work/probe")
	pc_spi_c=$(sed -n 's/^pcscf spi-c=\([0-9]*\).*/\1/p' "$work/probe")
	pc_spi_s=$(sed -n 's/^pcscf spi-c=[0-9]* spi-s=\([0-9]*\).*/\1/p' "$work/probe")
	ip -n "$core_netns" xfrm state >"$work/pcscf-sa"
	ip -n "$ue_netns" xfrm state >"$work/ue-sa"
	cat "$work/pcscf-sa"
	for spi in "$ue_spi_c" "$ue_spi_s" "$pc_spi_c" "$pc_spi_s"; do
		[ -n "$spi" ] || return 1
		h=$(printf '0x%08x' "$spi")
		grep -q "spi $h " "$work/pcscf-sa" || { echo "P-CSCF has no SA with spi $h"; return 1; }
		grep -q "spi $h " "$work/ue-sa" || { echo "UE has no SA with spi $h"; return 1; }
	done
}
check pcscf-sas-mirror-ue mirror

counters() {
	ip -n "$ue_netns" -s xfrm state | tee "$work/ue-sa-s" |
		awk '/lifetime current:/ { getline; sub(/\(packets\).*/, ""); sub(/.*, /, "");
			n += $0 } END { print "packets=" n; exit !(n >= 2) }'
}
check ue-sa-counters counters
grep -h '^packets=' "$work/last.out" | sed 's/^/# UE SAs: /'

ue_cleanup() {
	ip netns exec "$ue_netns" "$esp" cleanup &&
		[ -z "$(ip -n "$ue_netns" xfrm state)" ] && [ -z "$(ip -n "$ue_netns" xfrm policy)" ]
}
check ue-cleanup-empty ue_cleanup
finish
