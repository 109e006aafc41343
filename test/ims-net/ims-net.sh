#!/bin/sh
# The bundled IMS test network: test HSS, Kamailio S-CSCF and P-CSCF in network namespaces.
#
#   ims-net.sh start  [--dir RUNDIR] [--hss PATH] [--subscribers FILE]
#   ims-net.sh stop   [--dir RUNDIR] [--keep]
#   ims-net.sh status [--dir RUNDIR]
#
# start prints the facts a UE needs as key=value lines (also kept in RUNDIR/facts) and exits 0
# once everything answers; on failure it stops what it started, keeps the logs in RUNDIR and
# exits 1; when a prerequisite is missing it prints "SKIP: reason" and exits 77.
# stop ends every process by its recorded PID, deletes the namespaces and removes RUNDIR unless
# --keep is given (or IMSNET_KEEP=1), or RUNDIR was not created by start.
# Topology, addresses and subscribers: doc/ims-net.md.
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"

DOMAIN=ims.mnc001.mcc001.3gppnetwork.org
UE_IP=10.99.0.2
PCSCF_IP=10.99.0.1
NET_PREFIX=30
PCSCF_PORT=5060
PCSCF_TLS_PORT=5061
IPSEC_CLIENT_PORT=5100
IPSEC_SERVER_PORT=6100
IPSEC_MAX=8
SCSCF_IP=127.0.0.1
SCSCF_PORT=6060
SCSCF_DIAMETER_PORT=3870
HSS_PORT=3868
MIN_EXPIRES=${IMSNET_MIN_EXPIRES:-10}
UL_TIMER=${IMSNET_UL_TIMER:-1}
DEBUG=${IMSNET_DEBUG:-2}
READY_TIMEOUT=${IMSNET_READY_TIMEOUT:-20}
MODULE_DIR=${IMSNET_KAMAILIO_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}

cmd=${1:-}
[ $# -gt 0 ] && shift
dir=${IMSNET_DIR:-}
keep=${IMSNET_KEEP:-0}
hss=${IMSUE_HSS:-}
subs_file=$here/subscribers.ini
while [ $# -gt 0 ]; do
	case "$1" in
	--dir) dir=$2; shift 2 ;;
	--hss) hss=$2; shift 2 ;;
	--subscribers) subs_file=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	*) echo "ims-net.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

skip() {
	echo "SKIP: $*"
	exit 77
}

now_ms() {
	# GNU date; milliseconds since the epoch
	date +%s%3N
}

log() {
	echo "ims-net: $*" >&2
}

# Replace the @NAME@ placeholders of a template.
render() {
	sed -e "s|@RUNDIR@|$dir|g" \
		-e "s|@DOMAIN@|$DOMAIN|g" \
		-e "s|@MODULE_DIR@|$MODULE_DIR/|g" \
		-e "s|@PCSCF_IP@|$PCSCF_IP|g" \
		-e "s|@PCSCF_PORT@|$PCSCF_PORT|g" \
		-e "s|@PCSCF_TLS_PORT@|$PCSCF_TLS_PORT|g" \
		-e "s|@IPSEC_CLIENT_PORT@|$IPSEC_CLIENT_PORT|g" \
		-e "s|@IPSEC_SERVER_PORT@|$IPSEC_SERVER_PORT|g" \
		-e "s|@IPSEC_MAX@|$IPSEC_MAX|g" \
		-e "s|@SCSCF_IP@|$SCSCF_IP|g" \
		-e "s|@SCSCF_PORT@|$SCSCF_PORT|g" \
		-e "s|@SCSCF_DIAMETER_HOST@|scscf.$DOMAIN|g" \
		-e "s|@SCSCF_DIAMETER_PORT@|$SCSCF_DIAMETER_PORT|g" \
		-e "s|@HSS_DIAMETER_HOST@|localhost|g" \
		-e "s|@HSS_PORT@|$HSS_PORT|g" \
		-e "s|@CDP_TC@|2|g" \
		-e "s|@MIN_EXPIRES@|$MIN_EXPIRES|g" \
		-e "s|@UL_TIMER@|$UL_TIMER|g" \
		-e "s|@DEBUG@|$DEBUG|g" \
		"$1" >"$2"
}

find_hss() {
	[ -n "$hss" ] && { [ -x "$hss" ] && return 0; return 1; }
	for c in "${top_builddir:-}/test/hss/imsue-test-hss" "$top_srcdir/test/hss/imsue-test-hss"; do
		if [ -x "$c" ]; then
			hss=$c
			return 0
		fi
	done
	return 1
}

check_prereqs() {
	[ "$(id -u)" = 0 ] || skip "not root (network namespaces need CAP_SYS_ADMIN)"
	for p in ip kamailio kamcmd openssl; do
		command -v "$p" >/dev/null 2>&1 || skip "$p is not installed (Debian: $(pkg_of "$p"))"
	done
	for m in tls ims_auth ims_usrloc_scscf ims_registrar_scscf ims_usrloc_pcscf \
		ims_registrar_pcscf ims_ipsec_pcscf cdp cdp_avp ims_dialog presence; do
		[ -f "$MODULE_DIR/$m.so" ] ||
			skip "Kamailio module $m is missing (Debian: $(pkg_of "$m"))"
	done
	find_hss ||
		skip "the test HSS is not built (make test/hss/imsue-test-hss; set top_builddir or --hss)"
	[ -r "$subs_file" ] || skip "no subscriber file $subs_file"
}

pkg_of() {
	case "$1" in
	ip) echo iproute2 ;;
	kamcmd) echo kamailio-utils-modules ;;
	tls) echo kamailio-tls-modules ;;
	presence) echo kamailio-presence-modules ;;
	ims_* | cdp*) echo kamailio-ims-modules ;;
	*) echo "$1" ;;
	esac
}

# Processes are recorded as NAME=PID lines in RUNDIR/pids.
record_pid() {
	echo "$1=$2" >>"$dir/pids"
}

alive() {
	[ -n "$1" ] && [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

wait_gone() { # pid, timeout (tenths of a second)
	n=0
	while alive "$1" && [ "$n" -lt "$2" ]; do
		sleep 0.1
		n=$((n + 1))
	done
	! alive "$1"
}

stop_pid() { # name, pid, expected command substring
	alive "$2" || return 0
	if ! tr '\0' ' ' <"/proc/$2/cmdline" 2>/dev/null | grep -q -- "$3"; then
		log "$1: pid $2 is no longer ours, not touching it"
		return 0
	fi
	kill -TERM "$2" 2>/dev/null
	if ! wait_gone "$2" 50; then
		log "$1 (pid $2) ignored SIGTERM, killing it"
		kill -KILL "$2" 2>/dev/null
		wait_gone "$2" 20
	fi
}

load_state() {
	if [ -z "$dir" ]; then
		echo "ims-net.sh: which network? give --dir RUNDIR (or IMSNET_DIR)" >&2
		exit 2
	fi
	[ -f "$dir/state" ] || { echo "ims-net.sh: no network state in $dir" >&2; exit 1; }
	dir=$(cd "$dir" && pwd)
	# shellcheck disable=SC1091
	. "$dir/state"
}

do_stop() {
	load_state
	if [ -f "$dir/pids" ]; then
		# reverse start order: P-CSCF, S-CSCF, HSS
		for name in pcscf scscf hss; do
			pid=$(sed -n "s/^$name=//p" "$dir/pids" | tail -n 1)
			case "$name" in
			hss) what=imsue-test-hss ;;
			*) what="$dir/$name.cfg" ;;
			esac
			[ -n "$pid" ] && stop_pid "$name" "$pid" "$what"
		done
	fi
	for ns in "$core_netns" "$ue_netns"; do
		ip netns list 2>/dev/null | grep -q "^$ns\b" || continue
		# whatever is still running inside namespaces this script created was started in them
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null || log "cannot delete namespace $ns"
	done
	if [ "$keep" = 1 ] || [ "${created:-0}" != 1 ]; then
		log "stopped; logs kept in $dir"
	else
		rm -rf "$dir"
	fi
	return 0
}

fail_start() {
	log "FAIL: $*"
	for f in hss scscf pcscf; do
		[ -s "$dir/$f.log" ] && { log "--- last lines of $dir/$f.log"; tail -n 15 "$dir/$f.log" >&2; }
	done
	keep=1
	do_stop
	echo "FAIL: $* (logs in $dir)"
	exit 1
}

# Wait until a command succeeds or READY_TIMEOUT seconds pass. Also fails early when the named
# process died.
wait_for() { # what, pid, command...
	what=$1 pid=$2
	shift 2
	deadline=$(($(now_ms) + READY_TIMEOUT * 1000))
	while ! "$@" >/dev/null 2>&1; do
		alive "$pid" || fail_start "$what exited during start-up"
		[ "$(now_ms)" -lt "$deadline" ] || fail_start "$what not ready after ${READY_TIMEOUT}s"
		sleep 0.05
	done
}

hss_ready() {
	timeout 5 "$hss" -c "$dir/hss.ctl" ping
}

scscf_peer_open() {
	timeout 5 kamcmd -s "unix:$dir/scscf.ctl" cdp.list_peers 2>/dev/null | grep -q 'State: I_Open'
}

pcscf_ready() {
	timeout 5 kamcmd -s "unix:$dir/pcscf.ctl" core.version
}

make_certs() {
	t=$dir/tls
	mkdir -p "$t" || return 1
	cat >"$t/server.ext" <<-EOF
		basicConstraints = CA:FALSE
		keyUsage = critical, digitalSignature
		extendedKeyUsage = serverAuth
		subjectAltName = DNS:pcscf.$DOMAIN, IP:$PCSCF_IP
	EOF
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$t/ca.key" -out "$t/ca.pem" -days 7 -subj "/CN=imsue test CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$t/pcscf.key" -out "$t/pcscf.csr" -subj "/CN=pcscf.$DOMAIN" &&
		openssl x509 -req -in "$t/pcscf.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" \
			-CAcreateserial -out "$t/pcscf.pem" -days 7 -extfile "$t/server.ext"
}

# key=value facts for the subscribers: NAME_impi, NAME_impu (the default IMPU), NAME_impus
# (all, comma-separated), and every other key as NAME_key ('-' in NAME becomes '_').
subscriber_facts() {
	awk '
	function flush() { if (sec != "") print sec "_impus=" impus }
	/^[ \t]*[;#]/ || /^[ \t]*$/ { next }
	/^\[/ { flush(); sec = $0; gsub(/[][ \t]/, "", sec); gsub(/-/, "_", sec); impus = ""; next }
	{
		line = $0; k = line; sub(/[ \t]*=.*/, "", k); gsub(/^[ \t]+/, "", k)
		v = line; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
		if (k == "impu") {
			if (impus == "") print sec "_impu=" v
			impus = impus (impus == "" ? "" : ",") v
		} else print sec "_" k "=" v
	}
	END { flush() }' "$1"
}

do_start() {
	check_prereqs
	t0=$(now_ms)
	created=0
	if [ -z "$dir" ]; then
		dir=$(mktemp -d /tmp/imsue-net.XXXXXX) || { echo "FAIL: mktemp"; exit 1; }
		created=1
	else
		mkdir -p "$dir" || { echo "FAIL: cannot create $dir"; exit 1; }
		dir=$(cd "$dir" && pwd)
		[ -f "$dir/state" ] && { echo "FAIL: $dir already holds a network (stop it first)"; exit 1; }
	fi
	tag=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	core_netns=imsue-$tag-core
	ue_netns=imsue-$tag-ue
	cat >"$dir/state" <<-EOF
		created=$created
		core_netns=$core_netns
		ue_netns=$ue_netns
	EOF
	: >"$dir/pids"
	trap 'fail_start "interrupted"' INT TERM HUP

	ip netns add "$core_netns" 2>"$dir/netns.err" || {
		e=$(cat "$dir/netns.err")
		rm -rf "$dir"
		skip "cannot create a network namespace: $e"
	}
	ip netns add "$ue_netns" || fail_start "cannot create namespace $ue_netns"
	ip -n "$ue_netns" link add ue0 type veth peer name core0 netns "$core_netns" ||
		fail_start "cannot create the veth pair (CONFIG_VETH?)"
	ip -n "$ue_netns" addr add "$UE_IP/$NET_PREFIX" dev ue0 &&
		ip -n "$core_netns" addr add "$PCSCF_IP/$NET_PREFIX" dev core0 &&
		ip -n "$ue_netns" link set lo up && ip -n "$core_netns" link set lo up &&
		ip -n "$ue_netns" link set ue0 up && ip -n "$core_netns" link set core0 up ||
		fail_start "cannot configure the namespaces"

	make_certs >"$dir/certs.log" 2>&1 ||
		fail_start "openssl could not create the test CA (see certs.log)"
	cp "$subs_file" "$dir/subscribers.ini"
	render "$here/scscf.cfg.in" "$dir/scscf.cfg"
	render "$here/scscf-cdp.xml.in" "$dir/scscf-cdp.xml"
	render "$here/pcscf.cfg.in" "$dir/pcscf.cfg"
	render "$here/pcscf-tls.cfg.in" "$dir/pcscf-tls.cfg"
	mkdir -p "$dir/scscf.run" "$dir/pcscf.run"

	set --
	if [ "${IMSNET_HSS_DUMP:-0}" = 1 ]; then
		mkdir -p "$dir/diameter"
		set -- -x "$dir/diameter"
	fi
	ip netns exec "$core_netns" "$hss" -s "$dir/subscribers.ini" -l "127.0.0.1:$HSS_PORT" \
		-H "hss.$DOMAIN" -R "$DOMAIN" -n "sip:$SCSCF_IP:$SCSCF_PORT" -c "$dir/hss.ctl" "$@" \
		</dev/null >"$dir/hss.log" 2>&1 &
	hss_pid=$!
	record_pid hss "$hss_pid"
	wait_for "the test HSS" "$hss_pid" hss_ready

	ip netns exec "$core_netns" kamailio -DD -E -f "$dir/scscf.cfg" -Y "$dir/scscf.run" \
		</dev/null >"$dir/scscf.log" 2>&1 &
	scscf_pid=$!
	record_pid scscf "$scscf_pid"
	ip netns exec "$core_netns" kamailio -DD -E -f "$dir/pcscf.cfg" -Y "$dir/pcscf.run" \
		</dev/null >"$dir/pcscf.log" 2>&1 &
	pcscf_pid=$!
	record_pid pcscf "$pcscf_pid"
	wait_for "the S-CSCF (Diameter peer to the HSS)" "$scscf_pid" scscf_peer_open
	wait_for "the P-CSCF" "$pcscf_pid" pcscf_ready
	t1=$(now_ms)

	{
		echo "dir=$dir"
		echo "ue_netns=$ue_netns"
		echo "core_netns=$core_netns"
		echo "ue_ip=$UE_IP"
		echo "pcscf_ip=$PCSCF_IP"
		echo "pcscf_port=$PCSCF_PORT"
		echo "pcscf_tls_port=$PCSCF_TLS_PORT"
		echo "pcscf_uri=sip:$PCSCF_IP:$PCSCF_PORT"
		echo "pcscf_ipsec_client_port=$IPSEC_CLIENT_PORT"
		echo "pcscf_ipsec_server_port=$IPSEC_SERVER_PORT"
		echo "domain=$DOMAIN"
		echo "ca_file=$dir/tls/ca.pem"
		echo "scscf_uri=sip:$SCSCF_IP:$SCSCF_PORT"
		echo "scscf_ctl=unix:$dir/scscf.ctl"
		echo "pcscf_ctl=unix:$dir/pcscf.ctl"
		echo "hss=$hss"
		echo "hss_ctl=$dir/hss.ctl"
		echo "min_expires=$MIN_EXPIRES"
		echo "subscribers=$dir/subscribers.ini"
		subscriber_facts "$dir/subscribers.ini"
		echo "startup_ms=$((t1 - t0))"
	} >"$dir/facts"
	trap - INT TERM HUP
	cat "$dir/facts"
	log "up in $((t1 - t0)) ms; stop with: $0 stop --dir $dir"
	exit 0
}

do_status() {
	load_state
	rc=0
	for name in hss scscf pcscf; do
		pid=$(sed -n "s/^$name=//p" "$dir/pids" 2>/dev/null | tail -n 1)
		if alive "$pid"; then
			echo "$name=running pid $pid"
		else
			echo "$name=stopped"
			rc=1
		fi
	done
	for ns in "$ue_netns" "$core_netns"; do
		if ip netns list 2>/dev/null | grep -q "^$ns\b"; then
			echo "netns=$ns present"
		else
			echo "netns=$ns missing"
			rc=1
		fi
	done
	if scscf_peer_open; then
		echo "diameter=open"
	else
		echo "diameter=down"
		rc=1
	fi
	exit $rc
}

case "$cmd" in
start) do_start ;;
stop) do_stop ;;
status) do_status ;;
*)
	echo "usage: ims-net.sh start|stop|status [--dir RUNDIR] [--hss PATH]" \
		"[--subscribers FILE] [--keep]" >&2
	exit 2
	;;
esac
