#!/bin/sh
# Registration through the IMS test network with SIPp standing in for the UE (UE namespace →
# P-CSCF → S-CSCF → test HSS): SIP digest over UDP and TCP, Digest-AKAv1-MD5, deregistration,
# the P-CSCF removing CK/IK from the 401, the sec-agree (ipsec-3gpp) negotiation, and the 403s
# for an unknown user and for a user the HSS rejects. TAP.
. "$(dirname "$0")/lib.sh"

plan digest-register digest-impus digest-hss-state digest-deregister digest-tcp-register \
	digest-tcp-deregister aka-register aka-no-ck-ik aka-scscf-sends-ck-ik aka-sqn-advanced \
	aka-deregister secagree-security-server unknown-user-403 hss-reject-403 \
	hss-reject-off-register

if ! require_sipp; then
	skip_rest "SIPp is not installed (Debian: sip-tester)"
	exit 0
fi
imsnet_start || finish

reg() { # run-name impi impu password expires [SIPp args]
	run=$1 impi=$2 impu=$3 pw=$4 exp=$5
	shift 5
	sipp_ue register.xml "$run" -key impi "$impi" -key impu "$impu" -key expires "$exp" \
		-au "$impi" -ap "$pw" "$@" || { cat "$work/$run/sipp.out"; sipp_messages "$run"; return 1; }
}

# --- SIP digest over UDP
check digest-register reg digest-reg "$digest_impi" "$digest_impu" "$digest_password" 600

impus_registered() {
	out=$(showimpu "$digest_impu")
	echo "$out"
	echo "$out" | grep -q 'state: registered' &&
		echo "$out" | grep -q "sip:ue@$ue_ip" &&
		for u in $(echo "$digest_impus" | tr , ' '); do
			echo "$out" | grep -q "[0-9]: $u\$" || { echo "no $u"; return 1; }
		done &&
		# every IMPU of the implicit set appears in P-Associated-URI, the default first
		sipp_messages digest-reg | grep '^P-Associated-URI:' | tail -n 1 |
		grep -q "^P-Associated-URI: <$digest_impu>, <.*>, <tel:"
}
check digest-impus impus_registered

hss_registered() {
	hss_ctl_cmd list | grep "^name=digest " | grep -q 'registered=yes scscf=sip:'
}
check digest-hss-state hss_registered

dereg_ok() {
	reg "$@" && wait_until 5 impu_has_no_contact "$3"
}
check digest-deregister dereg_ok digest-dereg "$digest_impi" "$digest_impu" "$digest_password" 0

# --- SIP digest over TCP
check digest-tcp-register reg digest-tcp "$digest_impi" "$digest_impu" "$digest_password" 600 \
	-t t1
check digest-tcp-deregister dereg_ok digest-tcp-dereg "$digest_impi" "$digest_impu" \
	"$digest_password" 0 -t t1

# --- Digest-AKAv1-MD5 (SIPp's ASCII keys belong to the sipp-aka subscriber)
aka_reg() {
	reg aka-reg "$sipp_aka_impi" "$sipp_aka_impu" unused 600 &&
		sipp_messages aka-reg | grep -q '^WWW-Authenticate: Digest .*algorithm=AKAv1-MD5' &&
		impu_has_contact "$sipp_aka_impu"
}
check aka-register aka_reg

# TS 33.203: CK and IK stay in the core; the P-CSCF removes them from the 401.
no_ck_ik() {
	www=$(sipp_messages aka-reg | grep '^WWW-Authenticate:')
	echo "$www"
	[ -n "$www" ] && ! echo "$www" | grep -qiE '(ck|ik)='
}
check aka-no-ck-ik no_ck_ik

# ...which is only meaningful because the S-CSCF does send them: ask it directly.
scscf_ck_ik() {
	mkdir -p "$work/scscf-401"
	(cd "$work/scscf-401" && ip netns exec "$core_netns" sipp -sf "$sipp_dir/challenge.xml" \
		-i 127.0.0.1 -m 1 -nostdin -timeout 10s -timeout_error -trace_msg \
		-key domain "$domain" -key impi "$sipp_aka_impi" -key impu "$sipp_aka_impu" \
		"${scscf_uri#sip:}" >sipp.out 2>&1) || { cat "$work/scscf-401/sipp.out"; return 1; }
	sipp_messages scscf-401 | grep '^WWW-Authenticate:' | tee /dev/stderr |
		grep -qE 'ck="[0-9a-f]{32}", ik="[0-9a-f]{32}"'
}
check aka-scscf-sends-ck-ik scscf_ck_ik

sqn_advanced() {
	line=$(hss_ctl_cmd list | grep '^name=sipp-aka ')
	echo "$line"
	! echo "$line" | grep -q 'sqn=000000000000 '
}
check aka-sqn-advanced sqn_advanced

check aka-deregister dereg_ok aka-dereg "$sipp_aka_impi" "$sipp_aka_impu" unused 0

# --- sec-agree: the P-CSCF answers an ipsec-3gpp Security-Client with its Security-Server
# (TS 33.203 7.1, RFC 3329). This kernel may lack ESP; only the negotiation is checked here.
secagree() {
	# its own port: the P-CSCF keeps the half-made SAs for this address and port
	sipp_ue challenge-secagree.xml secagree -p 5099 -key impi "$aka_impi" -key impu "$aka_impu" \
		-key spi_c 11111 -key spi_s 22222 -key port_c 5088 -key port_s 5089 ||
		{ cat "$work/secagree/sipp.out"; return 1; }
	ss=$(sipp_messages secagree | grep -i '^Security-Server:')
	echo "$ss"
	echo "$ss" | grep -q 'ipsec-3gpp' &&
		echo "$ss" | grep -qE "port-c=$pcscf_ipsec_client_port[;,]" &&
		echo "$ss" | grep -qE "port-s=$pcscf_ipsec_server_port([;,]|\$)" &&
		echo "$ss" | grep -qE 'spi-c=[1-9][0-9]*' && echo "$ss" | grep -qE 'spi-s=[1-9][0-9]*' &&
		echo "$ss" | grep -q 'alg=hmac-sha-1-96' &&
		! sipp_messages secagree | grep -qiE '^WWW-Authenticate:.*(ck|ik)='
}
check secagree-security-server secagree

# --- refusals
check unknown-user-403 sipp_ue forbidden.xml unknown -key impi "nobody@$domain" \
	-key impu "sip:nobody@$domain"

hss_reject() {
	hss_ctl_cmd reject digest 5001 && sipp_ue forbidden.xml rejected -key impi "$digest_impi" \
		-key impu "$digest_impu"
}
check hss-reject-403 hss_reject

reject_off() {
	hss_ctl_cmd reject digest off &&
		reg digest-again "$digest_impi" "$digest_impu" "$digest_password" 600
}
check hss-reject-off-register reject_off
finish
