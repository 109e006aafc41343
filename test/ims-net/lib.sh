# Shared helpers of the ims-net suites (sourced by test/ims-net/test_*.sh). TAP output.
#
#   plan NAME...          the test names, in order: prints 1..N
#   imsnet_start          start a network (skips every test when a prerequisite is missing),
#                         source its facts, stop it on exit (logs kept when a test failed)
#   check NAME CMD...     "ok"/"not ok" for the next test, which must be NAME
#   skip_rest REASON      report every remaining test as skipped
#   sipp_ue SCEN NAME ARGS...   run SIPp as the UE (UE namespace), log under $work/NAME
#   ue_probe NAME ARGS...       run test/ims-net/ue_probe.py as the UE (output in $work/NAME)
#   wait_until SECS CMD...      poll CMD every 0.1 s
#   imsued_conf / imsued_start / uectl / ue_field / ue_wait_state / ue_events / imsued_quit:
#                         the real daemon as the UE (below)
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir

imsnet_sh=$top_srcdir/test/ims-net/ims-net.sh
sipp_dir=$top_srcdir/test/ims-net/sipp
tap_n=0
tap_failed=0
tap_names=""
dir=""
work=$(mktemp -d /tmp/imsue-net-test.XXXXXX)

plan() {
	tap_names="$*"
	echo "1..$#"
}

# The name of test number $1 (1-based).
tap_name() {
	set -- "$1" $tap_names
	_tap_i=$1
	shift
	eval "echo \${$_tap_i}"
}

report() { # status(0/1) name [comment]
	tap_n=$((tap_n + 1))
	_expected=$(tap_name "$tap_n")
	[ "$2" = "$_expected" ] || echo "# (test $tap_n was planned as $_expected)"
	if [ "$1" = 0 ]; then
		echo "ok $tap_n - $2${3:+ # $3}"
	else
		echo "not ok $tap_n - $2"
		tap_failed=1
	fi
}

check() {
	_check_name=$1
	shift
	if "$@" >"$work/last.out" 2>&1; then
		report 0 "$_check_name"
	else
		report 1 "$_check_name"
		tail -n 25 "$work/last.out" | awk '{ print "#   " $0 }'
	fi
}

skip_rest() {
	_total=$(echo $tap_names | wc -w)
	while [ "$tap_n" -lt "$_total" ]; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - $(tap_name "$tap_n") # SKIP $*"
	done
}

finish() {
	skip_rest "not reached"
	exit 0
}

cleanup() {
	imsued_kill_all
	if [ -n "$dir" ]; then
		if [ "$tap_failed" = 1 ]; then
			echo "# a test failed: network logs kept in $dir, test logs in $work"
			sh "$imsnet_sh" stop --dir "$dir" --keep >/dev/null 2>&1
		else
			sh "$imsnet_sh" stop --dir "$dir" >/dev/null 2>&1
		fi
		dir=""
	fi
	[ "$tap_failed" = 1 ] || [ "${IMSNET_KEEP:-0}" = 1 ] || rm -rf "$work"
}

imsnet_start() {
	trap cleanup EXIT
	trap 'cleanup; exit 1' INT TERM HUP
	# output piped into something that quit (| head): stop the network all the same
	trap 'trap "" PIPE; cleanup >/dev/null 2>&1; exit 1' PIPE
	sh "$imsnet_sh" start >"$work/facts" 2>"$work/start.err"
	_start_rc=$?
	if [ "$_start_rc" = 77 ]; then
		skip_rest "$(sed -n 's/^SKIP: //p' "$work/facts")"
		exit 0
	fi
	# shellcheck disable=SC1091
	. "$work/facts"
	if [ "$_start_rc" != 0 ]; then
		echo "# the network did not start: $(tail -n 1 "$work/facts")"
		tail -n 40 "$work/start.err" | awk '{ print "#   " $0 }'
		tap_failed=1
		dir=""
		return 1
	fi
	echo "# network up in ${startup_ms} ms: $dir"
	return 0
}

require_sipp() {
	command -v sipp >/dev/null 2>&1
}

# sipp_ue SCENARIO NAME [SIPp arguments...]: run SIPp in the UE namespace against the P-CSCF
# (UDP unless the arguments say otherwise); messages and logs go to $work/NAME.
sipp_ue() {
	_sipp_scen=$1 _sipp_run=$2
	shift 2
	mkdir -p "$work/$_sipp_run"
	(cd "$work/$_sipp_run" && ip netns exec "$ue_netns" sipp -sf "$sipp_dir/$_sipp_scen" -i "$ue_ip" \
		-m 1 -nostdin -timeout 20s -timeout_error -trace_msg -trace_logs -trace_err \
		-key domain "$domain" "$@" "$pcscf_ip:$pcscf_port" >sipp.out 2>&1)
}

# ue_probe NAME [ue_probe.py arguments...]: the Python UE in the UE namespace, against the
# P-CSCF over UDP unless the arguments say otherwise; its output goes to $work/NAME.
ue_probe() {
	_probe_run=$1
	shift
	ip netns exec "$ue_netns" "${PYTHON3:-python3}" "$top_srcdir/test/ims-net/ue_probe.py" \
		--ue-ip "$ue_ip" --pcscf "$pcscf_ip:$pcscf_port" --domain "$domain" "$@" \
		>"$work/$_probe_run" 2>&1
}

# The messages SIPp exchanged in run NAME.
sipp_messages() {
	cat "$work/$1"/*_messages.log 2>/dev/null
}

wait_until() {
	_wait_n=$(($1 * 10))
	shift
	while ! "$@" >/dev/null 2>&1; do
		_wait_n=$((_wait_n - 1))
		[ "$_wait_n" -le 0 ] && return 1
		sleep 0.1
	done
	return 0
}

# (a timeout: a wedged S-CSCF must fail a test, not hang it)
showimpu() {
	timeout 5 kamcmd -s "$scscf_ctl" ulscscf.showimpu "$1" 2>&1
}

impu_has_contact() {
	showimpu "$1" | grep -q "sip:ue@$ue_ip"
}

impu_has_no_contact() {
	! impu_has_contact "$1"
}

hss_ctl_cmd() {
	timeout 10 "$hss" -c "$hss_ctl" "$@"
}

# --- imsued as the UE ------------------------------------------------------------------------------
# imsued_conf NAME SUBSCRIBER [LINE...]: write $work/NAME.conf for the subscriber's facts
# (SUBSCRIBER_impi, _impu, _k, _opc, _amf, _password), UDP to the P-CSCF; each LINE
# ("key = value") is added to [network] and overrides the defaults given there.
imsued_conf() {
	_c_name=$1 _c_sub=$2
	shift 2
	eval "_c_impi=\${${_c_sub}_impi} _c_impu=\${${_c_sub}_impu}"
	eval "_c_k=\${${_c_sub}_k:-} _c_opc=\${${_c_sub}_opc:-} _c_amf=\${${_c_sub}_amf:-}"
	eval "_c_pw=\${${_c_sub}_password:-}"
	{
		echo "[identity]"
		echo "impi = $_c_impi"
		echo "impu = $_c_impu"
		echo "home_domain = $domain"
		echo "imei = 356938035643809"
		echo "[credentials]"
		[ -n "$_c_k" ] && echo "k = $_c_k"
		[ -n "$_c_opc" ] && echo "opc = $_c_opc"
		[ -n "$_c_amf" ] && echo "amf = $_c_amf"
		[ -n "$_c_k" ] && echo "sqn_file = $work/$_c_name.sqn"
		[ -n "$_c_pw" ] && echo "password = $_c_pw"
		echo "[network]"
		_c_seen=""
		for _c_line in "$@"; do
			echo "$_c_line"
			_c_seen="$_c_seen ${_c_line%% *}"
		done
		case " $_c_seen " in *" pcscf "*) ;; *) echo "pcscf = udp:$pcscf_ip:$pcscf_port" ;; esac
		case " $_c_seen " in *" local_ip "*) ;; *) echo "local_ip = $ue_ip" ;; esac
		echo "[ctl]"
		echo "socket = $work/$_c_name.sock"
	} >"$work/$_c_name.conf"
}

# imsued_start NAME: run imsued -c $work/NAME.conf in the UE namespace (debug log in
# $work/NAME.log, --json-events lines in $work/NAME.events) and wait for its control socket.
imsued_start() {
	ip netns exec "$ue_netns" "$top_builddir/tools/imsued" -c "$work/$1.conf" -f -d 3 \
		--json-events >"$work/$1.events" 2>"$work/$1.log" &
	echo $! >"$work/$1.pid"
	wait_until 10 uectl "$1" status && return 0
	echo "imsued $1 does not answer on its control socket; its log:"
	tail -n 20 "$work/$1.log"
	return 1
}

# uectl NAME ARGS...: imsuectl against UE NAME (one JSON reply line on stdout)
uectl() {
	_u_name=$1
	shift
	"$top_builddir/tools/imsuectl" -s "$work/$_u_name.sock" -t 5 "$@"
}

# ue_field NAME KEY: STATUS[KEY] of UE NAME; strings bare, other values as JSON, null as ""
ue_field() {
	uectl "$1" status 2>/dev/null | "${PYTHON3:-python3}" -c '
import json, sys
try:
    v = json.load(sys.stdin)["ue"][0].get(sys.argv[1])
except Exception:
    sys.exit(1)
print("" if v is None else v if isinstance(v, str) else json.dumps(v))' "$2"
}

# ue_wait_state NAME SECS STATE...: until UE NAME is in one of the states
ue_wait_state() {
	_w_name=$1 _w_n=$(($2 * 10))
	shift 2
	while :; do
		_w_st=$(ue_field "$_w_name" state)
		for _w_want in "$@"; do
			[ "$_w_st" = "$_w_want" ] && return 0
		done
		_w_n=$((_w_n - 1))
		if [ $_w_n -le 0 ]; then
			echo "UE $_w_name: state '$_w_st', expected $*; last_error: $(ue_field "$_w_name" last_error)"
			return 1
		fi
		sleep 0.1
	done
}

# ue_events NAME EVENT: how many EVENT events UE NAME has reported so far
ue_events() {
	grep -c "\"event\":\"$2\"" "$work/$1.events" 2>/dev/null || true
}

# ue_wait_event NAME SECS EVENT COUNT: until UE NAME has reported EVENT at least COUNT times
ue_wait_event() {
	wait_until "$2" sh -c "[ \$(grep -c '\"event\":\"$3\"' '$work/$1.events') -ge $4 ]"
}

# imsued_quit NAME: the `quit` command; imsued must deregister and exit 0 within 10 s
imsued_quit() {
	_q_pid=$(cat "$work/$1.pid")
	uectl "$1" quit || return 1
	_q_n=100
	while kill -0 "$_q_pid" 2>/dev/null; do
		_q_n=$((_q_n - 1))
		[ $_q_n -le 0 ] && { echo "imsued $1 still running 10 s after quit"; return 1; }
		sleep 0.1
	done
	wait "$_q_pid"
	_q_rc=$?
	rm -f "$work/$1.pid"
	[ "$_q_rc" = 0 ] || { echo "imsued $1 exited with status $_q_rc"; return 1; }
}

# every imsued still running (exit trap)
imsued_kill_all() {
	_k_any=""
	for _k_pid in "$work"/*.pid; do
		[ -f "$_k_pid" ] || continue
		kill -TERM "$(cat "$_k_pid")" 2>/dev/null && _k_any=1
	done
	[ -n "$_k_any" ] && sleep 0.5
	for _k_pid in "$work"/*.pid; do
		[ -f "$_k_pid" ] || continue
		kill -KILL "$(cat "$_k_pid")" 2>/dev/null
		rm -f "$_k_pid"
	done
}

# ue_has_contact IMPU: the S-CSCF holds a contact of the UE's address for IMPU (imsued's
# contacts are sip:USER@UE_IP:PORT, unlike SIPp's and ue_probe.py's sip:ue@...)
ue_has_contact() {
	showimpu "$1" | grep -q "@$ue_ip:"
}

ue_has_no_contact() {
	! ue_has_contact "$1"
}

# hss_field SUBSCRIBER KEY: a field of the HSS's `list` line for the subscriber
hss_field() {
	hss_ctl_cmd list | awk -v n="$1" -v k="$2" '$1 == "name=" n {
		for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }'
}
