#!/bin/sh
# tools/imsued with SIP digest over TLS against the Kamailio P-CSCF's TLS port (doc/tls.md):
# the P-CSCF's certificate (test CA made by ims-net.sh, subjectAltName IP:$pcscf_ip) is
# verified against ca_file; registration and deregistration over that one session, the
# S-CSCF binding the contact; a ca_file with another CA stops before anything is sent
# (unknown-ca, error event, no plaintext fallback); and sec-agree "tls": the unprotected
# REGISTER over UDP, the P-CSCF's 401 with Security-Server: tls, the challenged REGISTER over
# TLS to its protected port (TS 24.229 5.1.1.2.3, 5.1.1.5.6). The abandon rule (no "tls" in
# Security-Server) is tested with the scripted peer (test/peer/tc_tls_security_server_abandon.py). TAP.
. "$(dirname "$0")/lib.sh"

plan tls-register tls-status tls-network tls-deregister tls-unbound tls-quit \
	tls-unknown-ca tls-unknown-ca-nothing-sent tls-unknown-ca-quit \
	secagree-tls secagree-tls-quit

imsnet_start || finish

# Sofia-SIP never frees the OpenSSL state of its TLS connections (doc/tls.md); for
# --enable-sanitizers builds, where imsued must still exit 0.
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$top_srcdir/test/data/lsan-sofia-tls.supp"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
export LSAN_OPTIONS ASAN_OPTIONS

impu=$digest_impu
pcscf_log=$dir/pcscf.log

# REGISTERs the P-CSCF received from the UE over PROTO (its request_route logs each one)
registers_from() {
	grep -c "REGISTER .* from $1:$ue_ip:" "$pcscf_log" 2>/dev/null || true
}

# --- digest over TLS to the TLS port (security = none) --------------------------------------------
imsued_conf tls digest "auth = digest" "pcscf = tls:$pcscf_ip:$pcscf_tls_port" \
	"ca_file = $ca_file"
udp0=$(registers_from udp)
tls_registered() {
	imsued_start tls && ue_wait_state tls 10 registered &&
		grep -q "TLS to $pcscf_ip:$pcscf_tls_port (ok): session verified" "$work/tls.log"
}
check tls-register tls_registered
[ -s "$work/tls.pid" ] || { skip_rest "imsued did not start"; exit 0; }
tls_status() {
	[ "$(ue_field tls pcscf)" = "tls:$pcscf_ip:$pcscf_tls_port" ] &&
		[ -z "$(ue_field tls last_error)" ]
}
check tls-status tls_status
# The S-CSCF binds the contact; every REGISTER came over TLS, none in plaintext.
tls_network() {
	wait_until 5 ue_has_contact "$impu" && [ "$(registers_from tls)" -ge 2 ] &&
		[ "$(registers_from udp)" = "$udp0" ] && [ "$(registers_from tcp)" = 0 ]
}
check tls-network tls_network
tls_dereg() {
	n=$(registers_from tls)
	uectl tls deregister "$impu" && ue_wait_state tls 5 deregistered &&
		grep -q '"event":"deregistered".*"reason":"user"' "$work/tls.events" &&
		[ "$(registers_from tls)" -gt "$n" ]
}
check tls-deregister tls_dereg
check tls-unbound wait_until 5 ue_has_no_contact "$impu"
check tls-quit imsued_quit tls

# --- a CA the P-CSCF's certificate does not chain to -------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj "/CN=imsue other test CA" -keyout "$work/other-ca.key" -out "$work/other-ca.pem" \
	>/dev/null 2>&1
imsued_conf badca digest "auth = digest" "pcscf = tls:$pcscf_ip:$pcscf_tls_port" \
	"ca_file = $work/other-ca.pem"
tls0=$(registers_from tls) udp0=$(registers_from udp)
unknown_ca() {
	imsued_start badca && ue_wait_event badca 10 error 1 &&
		grep '"event":"error"' "$work/badca.events" | head -n 1 |
		grep -q "(unknown-ca): certificate not issued by a trusted CA" &&
		ue_field badca last_error | grep -q "(unknown-ca)"
}
check tls-unknown-ca unknown_ca
nothing_sent() {
	sleep 1
	[ "$(registers_from tls)" = "$tls0" ] && [ "$(registers_from udp)" = "$udp0" ] &&
		[ "$(ue_field badca state)" = backoff ]
}
check tls-unknown-ca-nothing-sent nothing_sent
check tls-unknown-ca-quit imsued_quit badca

# --- sec-agree "tls": unprotected REGISTER over UDP, protected port = the TLS port ----------------
imsued_conf sa digest "auth = digest" "security = tls" "ca_file = $ca_file" \
	"tls_port = $pcscf_tls_port"
tls0=$(registers_from tls)
secagree() {
	# the P-CSCF answers with Security-Server: tls, so the challenged REGISTER and
	# everything after it go over TLS to its protected port (5.1.1.2.3, 5.1.1.5.6)
	imsued_start sa && ue_wait_state sa 10 registered backoff &&
		[ "$(ue_field sa state)" = registered ] &&
		[ "$(registers_from tls)" -gt "$tls0" ] && ue_has_contact "$impu"
}
check secagree-tls secagree
check secagree-tls-quit imsued_quit sa
finish
