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
	if [ -n "$dir" ]; then
		if [ "$tap_failed" = 1 ]; then
			echo "# a test failed: network logs kept in $dir, test logs in $work"
			sh "$imsnet_sh" stop --dir "$dir" --keep >/dev/null 2>&1
		else
			sh "$imsnet_sh" stop --dir "$dir" >/dev/null 2>&1
		fi
		dir=""
	fi
	[ "$tap_failed" = 1 ] || rm -rf "$work"
}

imsnet_start() {
	trap cleanup EXIT
	trap 'cleanup; exit 1' INT TERM HUP
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
