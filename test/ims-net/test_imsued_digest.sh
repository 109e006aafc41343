#!/bin/sh
# The real daemon against the Kamailio IMS network with SIP digest (TS 24.229 5.1.1.2.1,
# 5.1.1.5, RFC 2617 / RFC 7616) through the P-CSCF: tools/imsued with a configuration file for
# the "digest" subscriber, over UDP and over TCP; registration (401 → 200, implicit set in
# P-Associated-URI), deregistration of the own contact (`deregister IMPU`: expires=0) and of all
# (`Contact: *`), and a wrong password (403 → failed, auth-failed). TAP.
. "$(dirname "$0")/lib.sh"

plan digest-udp-register digest-udp-status digest-udp-network digest-udp-deregister-impu \
	digest-udp-deregister-network \
	digest-tcp-register digest-tcp-network digest-tcp-deregister-all digest-tcp-quit \
	digest-wrong-password digest-wrong-password-no-retry digest-quit

imsnet_start || finish

impu=$digest_impu

status_is() { # UE TRANSPORT
	uectl "$1" status >"$work/status.json" || return 1
	cat "$work/status.json"
	"${PYTHON3:-python3}" - "$work/status.json" "$impu" "$digest_impus" "$2:$pcscf_ip:$pcscf_port" <<'EOF'
import json, sys
u = json.load(open(sys.argv[1]))["ue"][0]
def need(cond, what):
    if not cond:
        print("status: " + what)
        sys.exit(1)
need(u["state"] == "registered", "state")
need(u["impu"] == sys.argv[2], "impu")
need(u["associated_uris"] == sys.argv[3].split(","), "associated_uris %r" % u["associated_uris"])
need(u["pcscf"] == sys.argv[4], "pcscf %r" % u["pcscf"])
need(u["auth"] == "digest" and u["security"] == "none", "auth/security")
need(539000 < u["expires_in_s"] <= 540000, "expires_in_s %r" % u["expires_in_s"])
need(u["last_error"] is None, "last_error")
EOF
}

# the S-CSCF's binding of the UE's contact, and the HSS's view (digest: MAR without AKA)
bound() { # [transport]
	if [ -n "${1:-}" ]; then
		showimpu "$impu" | grep "@$ue_ip:" | grep -qi "transport=$1" || return 1
	fi
	ue_has_contact "$impu" && [ "$(hss_field digest registered)" = yes ] &&
		[ "$(hss_field digest auth)" = digest ]
}
unbound() {
	wait_until 5 ue_has_no_contact "$impu" && [ "$(hss_field digest registered)" = no ]
}

# --- UDP -----------------------------------------------------------------------------------------
imsued_conf udp digest "auth = digest"
start_registered() {
	imsued_start "$1" && ue_wait_state "$1" 10 registered
}
check digest-udp-register start_registered udp
uectl udp status >/dev/null 2>&1 || { skip_rest "not run: imsued did not start (test 1 failed)"; exit 0; }
check digest-udp-status status_is udp udp
check digest-udp-network bound
# `deregister IMPU`: the own contact with expires=0 (TS 24.229 5.1.1.6.1)
deregister_impu() {
	uectl udp deregister "$impu" && ue_wait_state udp 5 deregistered &&
		grep -q '"event":"deregistered".*"reason":"user"' "$work/udp.events"
}
check digest-udp-deregister-impu deregister_impu
check digest-udp-deregister-network unbound
imsued_quit udp >/dev/null 2>&1

# --- TCP -----------------------------------------------------------------------------------------
imsued_conf tcp digest "auth = digest" "pcscf = tcp:$pcscf_ip:$pcscf_port"
tcp_registered() {
	start_registered tcp && status_is tcp tcp
}
check digest-tcp-register tcp_registered
check digest-tcp-network bound tcp
# `deregister all`: Contact: * with Expires: 0 (the S-CSCF rewrites it: deviation 26)
deregister_all() {
	uectl tcp deregister all && ue_wait_state tcp 5 deregistered && unbound
}
check digest-tcp-deregister-all deregister_all
check digest-tcp-quit imsued_quit tcp

# --- a wrong password: the S-CSCF answers the response with 403 --------------------------------
digest_password="not-$digest_password"
imsued_conf bad digest "auth = digest"
digest_password=${digest_password#not-}
wrong_password() {
	imsued_start bad && ue_wait_state bad 10 failed &&
		ue_field bad last_error | grep -q '^auth-failed' &&
		[ "$(ue_events bad auth-failed)" -ge 1 ] && ue_has_no_contact "$impu"
}
check digest-wrong-password wrong_password
no_retry() {
	m0=$(hss_field digest mar)
	sleep 1.5
	[ "$(hss_field digest mar)" = "$m0" ] && [ "$(ue_field bad state)" = failed ]
}
check digest-wrong-password-no-retry no_retry
check digest-quit imsued_quit bad
finish
