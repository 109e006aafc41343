#!/bin/sh
# IMS-AKA through the IMS test network with an independent UE (test/ims-net/ue_probe.py:
# Milenage and the TS 33.102 SQN check on the openssl CLI) and the TS 35.208 keys of the "aka"
# subscriber: registration, resynchronisation when the UE's SQN is ahead of the HSS (AUTS
# verified by the HSS, fresh challenge, 200), no resynchronisation when the HSS is set ahead, and
# deregistration. TAP.
. "$(dirname "$0")/lib.sh"

plan aka-register aka-resync aka-resync-hss-state aka-hss-ahead aka-deregister aka-contact-gone

imsnet_start || finish

# aka_ue NAME SQN_MS EXPIRES: one registration by the Python UE, always from the same port (so
# the same contact); its output in $work/NAME.
aka_ue() {
	ue_probe "$1" --impi "$aka_impi" --impu "$aka_impu" --k "$aka_k" --opc "$aka_opc" \
		--sqn-ms "$2" --expires "$3" --local-port 5090
	rc=$?
	cat "$work/$1"
	return $rc
}

hss_line() {
	hss_ctl_cmd list | grep '^name=aka '
}

register_fresh() {
	aka_ue reg 000000000000 600 && grep -q '^accepted sqn=' "$work/reg" &&
		! grep -q sync-failure "$work/reg" && impu_has_contact "$aka_impu"
}
check aka-register register_fresh

# the UE is at SQN 0x1000, the HSS far behind: one AUTS round, then a fresh vector
resync() {
	aka_ue resync 000000001000 600 && grep -q '^sync-failure' "$work/resync" &&
		grep -q '^accepted sqn=000000001020' "$work/resync"
}
check aka-resync resync
resync_state() {
	hss_line | tee /dev/stderr | grep -q 'sqn=000000001020 .*resync=1 '
}
check aka-resync-hss-state resync_state

# the HSS set ahead of the UE: the challenge is fresh, no resynchronisation
ahead() {
	hss_ctl_cmd sqn aka 000000005000 && aka_ue ahead 000000001020 600 &&
		grep -q '^accepted sqn=000000005020' "$work/ahead" &&
		! grep -q sync-failure "$work/ahead" && hss_line | grep -q 'resync=1 '
}
check aka-hss-ahead ahead
check aka-deregister aka_ue dereg 000000005020 0
check aka-contact-gone wait_until 5 impu_has_no_contact "$aka_impu"
finish
