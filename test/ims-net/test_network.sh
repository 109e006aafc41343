#!/bin/sh
# The IMS test network itself: it starts, every part answers, the P-CSCF is reachable from the
# UE namespace over UDP and TLS (test CA), a missing prerequisite is a clear skip, and stop
# leaves nothing behind. TAP.
. "$(dirname "$0")/lib.sh"

plan start facts status hss-subscribers hss-peer pcscf-udp pcscf-tls tls-digest-register \
	scscf-ctl skip-message stop-processes stop-netns stop-rundir

t0=$(date +%s%3N)
if ! imsnet_start; then
	report 1 start
	finish
fi
report 0 start "${startup_ms} ms"

has_facts() {
	for k in dir ue_netns core_netns ue_ip pcscf_ip pcscf_port pcscf_tls_port domain ca_file \
		scscf_ctl pcscf_ctl hss hss_ctl aka_impi aka_impu aka_k aka_opc digest_impi \
		digest_password sipp_aka_impi; do
		grep -q "^$k=." "$work/facts" || { echo "missing fact $k"; return 1; }
	done
	case "$ue_netns" in
	imsue-*) ;;
	*)
		echo "namespace $ue_netns lacks the imsue- prefix"
		return 1
		;;
	esac
}
check facts has_facts

check status sh "$imsnet_sh" status --dir "$dir"

hss_lists_all() {
	out=$(hss_ctl_cmd list) || return 1
	echo "$out"
	[ "$(echo "$out" | grep -c '^name=')" -eq "$(grep -c '^\[' "$dir/subscribers.ini")" ]
}
check hss-subscribers hss_lists_all

hss_peer_open() {
	hss_ctl_cmd peers | tee /dev/stderr | grep -q "host=scscf.$domain realm=$domain open=1"
}
check hss-peer hss_peer_open

# An OPTIONS from the UE namespace gets an answer from the P-CSCF (403: not registered).
pcscf_udp() {
	[ -n "$PYTHON3" ] || PYTHON3=python3
	ip netns exec "$ue_netns" "$PYTHON3" - "$ue_ip" "$pcscf_ip" "$pcscf_port" <<-'EOF'
		import socket, sys
		ue, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.bind((ue, 0))
		s.settimeout(3)
		lp = s.getsockname()[1]
		msg = ("OPTIONS sip:%s:%d SIP/2.0\r\n"
		       "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-imsnet-1;rport\r\n"
		       "Max-Forwards: 70\r\nFrom: <sip:probe@%s>;tag=1\r\nTo: <sip:%s>\r\n"
		       "Call-ID: imsnet-probe-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
		       % (ip, port, ue, lp, ue, ip))
		s.sendto(msg.encode(), (ip, port))
		data = s.recv(65535).decode(errors="replace")
		print(data.splitlines()[0])
		sys.exit(0 if data.startswith("SIP/2.0 ") else 1)
	EOF
}
check pcscf-udp pcscf_udp

pcscf_tls() {
	echo | ip netns exec "$ue_netns" timeout 10 openssl s_client -connect "$pcscf_ip:$pcscf_tls_port" \
		-CAfile "$ca_file" -verify_return_error -verify_ip "$pcscf_ip" 2>&1 |
		tee /dev/stderr | grep -q 'Verify return code: 0 (ok)'
}
check pcscf-tls pcscf_tls

# SIP digest registration and deregistration over TLS (SIPp has no TLS: test/ims-net/ue_probe.py),
# the binding kept at the S-CSCF with transport=tls while registered.
tls_register() {
	ue_probe tls --pcscf "$pcscf_ip:$pcscf_tls_port" --transport tls --ca "$ca_file" \
		--impi "$digest_impi" --impu "$digest_impu" --password "$digest_password" \
		--hold 1.5 --dereg &
	wait_until 5 grep -q 'expires=540' "$work/tls" &&
		showimpu "$digest_impu" | tee /dev/stderr | grep -q "sip:ue@$ue_ip:[0-9]*;transport=tls" &&
		wait
	rc=$?
	cat "$work/tls"
	[ "$rc" = 0 ] && [ "$(grep -c '^SIP/2.0 200' "$work/tls")" = 2 ]
}
check tls-digest-register tls_register

check scscf-ctl timeout 5 kamcmd -s "$scscf_ctl" core.version

# A missing prerequisite ends in "SKIP: reason" and status 77, never in a silent pass.
skip_message() {
	out=$(IMSNET_KAMAILIO_MODULES=/nonexistent sh "$imsnet_sh" start 2>&1)
	rc=$?
	echo "$out (exit $rc)"
	[ "$rc" = 77 ] && echo "$out" | grep -q '^SKIP: Kamailio module .* is missing'
}
check skip-message skip_message

pids=$(sed 's/^[a-z]*=//' "$dir/pids")
saved_dir=$dir
stopped() {
	sh "$imsnet_sh" stop --dir "$dir" || return 1
	dir=""
	for p in $pids; do
		[ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" && {
			echo "pid $p still running"
			return 1
		}
	done
	return 0
}
check stop-processes stopped
no_netns() {
	! ip netns list | grep -qE "^($ue_netns|$core_netns)\b"
}
check stop-netns no_netns
check stop-rundir test ! -e "$saved_dir"
echo "# start to stop: $(($(date +%s%3N) - t0)) ms"
finish
