#!/bin/sh
# The real daemon against the Kamailio IMS network, IMS-AKA without sec-agree (TS 24.229
# 5.1.1): tools/imsued with a configuration file for the "aka" subscriber (TS 35.208 keys),
# driven and observed through tools/imsuectl (status JSON, events), the S-CSCF's usrloc and the
# HSS. Initial registration (5.1.1.2), the status contract, user deregistration with
# "Contact: *" (5.1.1.6), AUTS resynchronisation when the HSS is behind the UE and when it is
# too far ahead (5.1.1.5.3, TS 33.102 Annex C), 403 after the HSS rejects the MAR and
# registration once it accepts again (5.1.1.5.5), shutdown by `quit`; then reregistration with an
# expiry below min_expires (5.1.1.4.1, deviation 3) and network-initiated deregistration by an
# HSS Registration-Termination-Request (what the UE sees without the reg event, and how it
# gets bound again), and the same for `kamcmd regscscf.dereg_impu`. TAP.
. "$(dirname "$0")/lib.sh"

plan imsued-start aka-register aka-status aka-registered-event aka-network-bound \
	aka-deregister aka-deregister-network \
	resync-hss-behind resync-hss-behind-sqn resync-hss-far-ahead resync-hss-far-ahead-sqn \
	hss-reject-403 hss-reject-no-retry hss-accepts-again aka-quit-deregisters \
	rereg-clamped rereg-refresh rereg-network \
	rtr-rta rtr-scscf-unbound rtr-ue-view rtr-ue-bound-again \
	admin-dereg-scscf-unbound admin-dereg-ue-view quit-rereg

imsnet_start || finish

impu=$aka_impu

# --- one UE with the default expiry -------------------------------------------------------------
imsued_conf ue aka "auth = aka" "security = none"
check imsued-start imsued_start ue
uectl ue status >/dev/null 2>&1 || { skip_rest "not run: imsued did not start (test 1 failed)"; exit 0; }

check aka-register ue_wait_state ue 10 registered

status_contract() {
	uectl ue status >"$work/status.json" || return 1
	cat "$work/status.json"
	"${PYTHON3:-python3}" - "$work/status.json" "$impu" "$aka_impus" "$pcscf_ip:$pcscf_port" <<'EOF'
import json, sys
u = json.load(open(sys.argv[1]))["ue"][0]
impu, impus, pcscf = sys.argv[2], sys.argv[3].split(","), sys.argv[4]
def need(cond, what):
    if not cond:
        print("status: " + what)
        sys.exit(1)
need(u["state"] == "registered", "state")
need(u["impu"] == impu, "impu")
# P-Associated-URI: the implicit set of the service profile, default IMPU first, with the tel URI
need(u["associated_uris"] == impus, "associated_uris %r" % u["associated_uris"])
need(u["service_route"] == ["sip:orig@127.0.0.1:6060;lr"], "service_route")
need(u["pcscf"] == "udp:" + pcscf, "pcscf")
need(u["security"] == "none" and u["auth"] == "aka", "security/auth")
# asked 600000 s, granted 90 % (deviation 3); reregistration 600 s before expiry (> 1200 s)
need(539000 < u["expires_in_s"] <= 540000, "expires_in_s %r" % u["expires_in_s"])
need(abs(u["expires_in_s"] - 600 - u["refresh_in_s"]) <= 1, "refresh_in_s %r" % u["refresh_in_s"])
need(isinstance(u["call_id"], str) and u["call_id"], "call_id")
need(u["last_error"] is None, "last_error")
EOF
}
check aka-status status_contract
check aka-registered-event grep -q '"event":"registered".*"state":"registered"' "$work/ue.events"

bound() {
	ue_has_contact "$impu" && [ "$(hss_field aka registered)" = yes ]
}
check aka-network-bound bound

# imsued sends Contact: * with Expires: 0 for "all"
deregister_all() {
	uectl ue deregister all && ue_wait_state ue 5 deregistered &&
		grep -q '"event":"deregistered".*"reason":"user"' "$work/ue.events"
}
check aka-deregister deregister_all
unbound() {
	wait_until 5 ue_has_no_contact "$impu" && [ "$(hss_field aka registered)" = no ]
}
check aka-deregister-network unbound

# register_again: `register` from deregistered or failed, until registered
register_again() {
	uectl ue register && ue_wait_state ue 10 registered
}
# deregister and wait until the S-CSCF forgot the contact (a new registration from the same
# contact inside usrloc's purge window races with it: deviation 18)
deregister_clean() {
	deregister_all && wait_until 5 ue_has_no_contact "$impu"
}

# The HSS behind the UE: the next challenge's SQN is not fresh (TS 33.102 C.2.2), the UE sends
# AUTS, the HSS adopts SQN_MS and sends a fresh vector.
sync_failures() {
	grep -c 'AKA challenge: sync-failure' "$work/ue.log"
}
resync_behind() {
	r0=$(hss_field aka resync) s0=$(sync_failures)
	hss_ctl_cmd sqn aka 000000000000 && register_again &&
		[ "$(hss_field aka resync)" = $((r0 + 1)) ] && [ "$(sync_failures)" = $((s0 + 1)) ]
}
check resync-hss-behind resync_behind
# the vector the UE accepted after the AUTS: the HSS's SQN is the UE's SQN_MS (first line of
# its sqn_file), so the HSS adopted the UE's SQN_MS
same_sqn() {
	h=$(hss_field aka sqn) u=$(head -n 1 "$work/ue.sqn")
	echo "HSS $h, UE $u"
	[ "$h" = "$u" ] && [ "$((0x$h))" -gt 32 ] && [ "$((0x$h))" -lt "$((0x100000000))" ]
}
check resync-hss-behind-sqn same_sqn
deregister_clean >/dev/null 2>&1

# The HSS far ahead (SEQ - SEQ_MS beyond the UE's limit delta, 2^28: wrap-around protection,
# TS 33.102 C.2.2): AUTS as well, and the HSS returns to the UE's SQN_MS.
resync_ahead() {
	r0=$(hss_field aka resync) s0=$(sync_failures)
	hss_ctl_cmd sqn aka 400000000000 && register_again &&
		[ "$(hss_field aka resync)" = $((r0 + 1)) ] && [ "$(sync_failures)" = $((s0 + 1)) ]
}
check resync-hss-far-ahead resync_ahead
check resync-hss-far-ahead-sqn same_sqn
deregister_clean >/dev/null 2>&1

# The HSS refuses the MAR (5012, unable to comply): the S-CSCF answers 403; the UE stops in
# state failed with last_error auth-failed and an auth-failed event, and does not retry.
reject() {
	a0=$(ue_events ue auth-failed)
	hss_ctl_cmd reject aka 5012 && uectl ue register && ue_wait_state ue 10 failed &&
		ue_field ue last_error | grep -q '^auth-failed' &&
		[ "$(ue_events ue auth-failed)" -gt "$a0" ]
}
check hss-reject-403 reject
no_retry() {
	m0=$(hss_field aka mar)
	sleep 1.5
	[ "$(hss_field aka mar)" = "$m0" ] && [ "$(ue_field ue state)" = failed ]
}
check hss-reject-no-retry no_retry
accepts_again() {
	hss_ctl_cmd reject aka off && register_again && ue_wait_state ue 1 registered &&
		[ -z "$(ue_field ue last_error)" ] && ue_has_contact "$impu"
}
check hss-accepts-again accepts_again

# quit: imsued deregisters before it exits
quit_deregisters() {
	imsued_quit ue && wait_until 5 ue_has_no_contact "$impu" &&
		[ "$(hss_field aka registered)" = no ]
}
check aka-quit-deregisters quit_deregisters

# --- a second UE asking for 1 s: below min_expires ----------------------------------------------
# The S-CSCF sends no 423 (deviation 3): it grants 90 % of min_expires, and the UE reregisters
# at half of that (TS 24.229 5.1.1.4.1).
imsued_conf short aka "auth = aka" "expires = 1"
short_registered() {
	imsued_start short && ue_wait_state short 10 registered &&
		e=$(ue_field short expires_in_s) && echo "expires_in_s $e" &&
		[ "$e" -ge 1 ] && [ "$e" -le $((min_expires * 9 / 10)) ]
}
check rereg-clamped short_registered
cid=$(ue_field short call_id)
refresh() {
	ue_wait_event short $((min_expires + 2)) reregistered 1 &&
		ue_wait_state short 2 registered &&
		[ "$(ue_field short call_id)" = "$cid" ]
}
check rereg-refresh refresh
check rereg-network ue_has_contact "$impu"

# --- network-initiated deregistration: HSS RTR --------------------------------------------------
check rtr-rta sh -c "$hss -c $hss_ctl rtr aka | grep -q 'result=2001'"
check rtr-scscf-unbound wait_until 5 ue_has_no_contact "$impu"
# The UE is subscribed to its reg event (5.1.1.3): the S-CSCF's NOTIFY (registration
# terminated, no contacts: deviation 12) is a network-initiated deregistration (5.1.1.7) that
# the UE reports as a deregistered event with a network reason, and its state follows.
ue_wait_event short 5 deregistered 1
st=$(ue_field short state)
seen=$(grep '"event":"deregistered"' "$work/short.events" | head -n 1)
echo "# UE state after the RTR: $st; event: ${seen:-none}"
rtr_view() {
	uectl short status >/dev/null || return 1
	echo "$seen" | grep -q '"reason":"network' && [ "$st" = deregistered ]
}
check rtr-ue-view rtr_view
# The next reregistration finds the IMPU unregistered: the S-CSCF challenges, the UE
# authenticates again and is bound again; a UE deregistered by the NOTIFY is told `register`.
rebound() {
	_r_n=$(((min_expires + 4) * 10)) _r_asked=""
	while [ $_r_n -gt 0 ]; do
		_r_st=$(ue_field short state)
		if [ "$_r_st" = deregistered ] && [ -z "$_r_asked" ]; then
			uectl short register || return 1
			_r_asked=1
		fi
		[ "$_r_st" = registered ] && ue_has_contact "$impu" && return 0
		_r_n=$((_r_n - 1))
		sleep 0.1
	done
	echo "not bound again: state $_r_st"
	return 1
}
check rtr-ue-bound-again rebound

# --- administrative deregistration at the S-CSCF (kamcmd regscscf.dereg_impu) ------------------
d0=$(ue_events short deregistered)
admin_dereg() {
	timeout 5 kamcmd -s "$scscf_ctl" regscscf.dereg_impu "$impu" &&
		wait_until 5 ue_has_no_contact "$impu"
}
check admin-dereg-scscf-unbound admin_dereg
# as after the RTR: the NOTIFY deregisters the UE (5.1.1.7)
admin_view() {
	ue_wait_event short 5 deregistered $((d0 + 1))
	st=$(ue_field short state)
	echo "UE state after dereg_impu: $st, deregistered events $d0 -> $(ue_events short deregistered)"
	[ "$(ue_events short deregistered)" -gt "$d0" ] && [ "$st" = deregistered ]
}
check admin-dereg-ue-view admin_view
check quit-rereg imsued_quit short
finish
