#!/bin/sh
# The reg event package (RFC 3680, TS 24.229 5.1.1.3) through the IMS test network, seen by a
# scripted UE (test/ims-net/ue_probe.py, IMS-AKA): SUBSCRIBE after registration and the full
# state NOTIFY; a re-registration with an Expires below min_expires (no 423: clamped) and its
# NOTIFY; the user deregistration and its NOTIFY (expired). TAP.
. "$(dirname "$0")/lib.sh"

plan subscribe-first-notify rereg-clamped rereg-notify dereg-notify-expired dereg-contact-gone

imsnet_start || finish

ue_probe life --impi "$aka2_impi" --impu "$aka2_impu" --k "$aka2_k" --opc "$aka2_opc" \
	--subscribe --reregister 5 --dereg --expect-events registered,expired
rc=$?
out=$work/life
echo "# probe exit $rc"
awk '{ print "# " $0 }' "$out"

check subscribe-first-notify grep -q \
	'^notify 1 sub-state=active.* registrations=active,active,active events=registered' "$out"
# 5 s asked, min_expires granted less 10 % (doc/conformance.md)
check rereg-clamped grep -q "^contact=.*;expires=$((min_expires * 9 / 10))\$" "$out"
check rereg-notify grep -q '^notify 2 .*registrations=active,active,active' "$out"
expired_notify() {
	[ "$rc" = 0 ] &&
		grep -q '^notify .*registrations=terminated,terminated,terminated events=expired' "$out"
}
check dereg-notify-expired expired_notify
check dereg-contact-gone wait_until 5 impu_has_no_contact "$aka2_impu"
finish
