#!/bin/sh
# Network-initiated deregistration in the IMS test network: a UE (test/ims-net/ue_probe.py)
# registers and subscribes to its reg event package (first NOTIFY: active); then the HSS sends
# a Registration-Termination-Request, or the operator runs kamcmd regscscf.dereg_impu, and the
# S-CSCF NOTIFYs every registration as terminated and drops the contact. TAP.
. "$(dirname "$0")/lib.sh"

plan rtr-registered-subscribed rtr-answered rtr-notify-terminated rtr-contact-gone \
	rtr-hss-state dereg-registered-subscribed dereg-rpc dereg-notify-terminated \
	dereg-contact-gone

imsnet_start || finish

# reg_event RUN ARGS...: the probe registers and subscribes in the background and waits up to
# 15 s for the terminating NOTIFY; returns once the first NOTIFY has been answered.
reg_event() {
	run=$1
	shift
	(ue_probe "$run" --subscribe --notified "$work/$run.notified" --wait-terminated 15 "$@"
	 echo $? >"$work/$run.rc") &
	wait_until 10 test -f "$work/$run.notified" || { cat "$work/$run"; return 1; }
	cat "$work/$run"
	grep -q '^notify 1 .*registrations=active,active,active events=registered' "$work/$run"
}

# probe_done RUN: the probe saw every registration terminated.
probe_done() {
	wait_until 20 test -f "$work/$1.rc" || return 1
	cat "$work/$1"
	[ "$(cat "$work/$1.rc")" = 0 ] &&
		grep -q '^notify .*registrations=terminated,terminated,terminated' "$work/$1"
}

# --- RTR from the HSS (TS 29.228 6.1.3), SIP digest subscriber
check rtr-registered-subscribed reg_event rtr --impi "$digest_impi" --impu "$digest_impu" \
	--password "$digest_password"
rtr_ok() {
	hss_ctl_cmd rtr "$digest_impi" | tee /dev/stderr | grep -q '^ok rta result=2001'
}
check rtr-answered rtr_ok
check rtr-notify-terminated probe_done rtr
check rtr-contact-gone wait_until 5 impu_has_no_contact "$digest_impu"
hss_unregistered() {
	hss_ctl_cmd list | grep '^name=digest ' | tee /dev/stderr | grep -q 'registered=no'
}
check rtr-hss-state hss_unregistered

# --- administrative deregistration at the S-CSCF, IMS-AKA subscriber
check dereg-registered-subscribed reg_event dereg --impi "$aka2_impi" --impu "$aka2_impu" \
	--k "$aka2_k" --opc "$aka2_opc"
check dereg-rpc timeout 5 kamcmd -s "$scscf_ctl" regscscf.dereg_impu "$aka2_impu"
check dereg-notify-terminated probe_done dereg
check dereg-contact-gone wait_until 5 impu_has_no_contact "$aka2_impu"
finish
