#!/bin/sh
# The README demo (`make demo`, `tools/quickstart.sh demo`): the bundled IMS network (Kamailio
# P-CSCF and S-CSCF, the test HSS; test/ims-net/ims-net.sh) in network namespaces, imsued in the
# UE's namespace registering the "aka" test subscriber with IMS-AKA, shown in readable form
# through imsuectl: registration, status, events as they arrive, what the network holds, user
# deregistration; then everything is stopped. Exit 0 only when every step worked.
#
# Needs root (network namespaces). Environment: top_srcdir, top_builddir (set by make),
# DEMO_KEEP=1 keeps the network's and the UE's logs, DEMO_DEBUG=N is imsued's -d level.
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
PYTHON3=${PYTHON3:-python3}

imsnet=$top_srcdir/test/ims-net/ims-net.sh
show=$top_srcdir/test/demo/show.py
imsued=$top_builddir/tools/imsued
imsuectl=$top_builddir/tools/imsuectl

t0=$(date +%s.%N)
dir=""
work=""
ued_pid=""
show_pid=""
ok=0

say() { printf '\n== %s\n' "$*"; }
info() { printf '   %s\n' "$*"; }
fail() {
	printf '\ndemo FAILED: %s\n' "$*" >&2
	exit 1
}
elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

cleanup() {
	trap - EXIT INT TERM HUP
	if [ -n "$ued_pid" ] && kill -0 "$ued_pid" 2>/dev/null; then
		kill -TERM "$ued_pid" 2>/dev/null
		# imsued deregisters first (at most 5 s)
		i=0
		while kill -0 "$ued_pid" 2>/dev/null && [ $i -lt 70 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$ued_pid" 2>/dev/null
	fi
	[ -n "$ued_pid" ] && wait "$ued_pid" 2>/dev/null
	[ -n "$show_pid" ] && kill "$show_pid" 2>/dev/null
	if [ -n "$dir" ]; then
		if [ "$ok" = 1 ] && [ "${DEMO_KEEP:-0}" != 1 ]; then
			sh "$imsnet" stop --dir "$dir" >/dev/null 2>&1
		else
			sh "$imsnet" stop --dir "$dir" --keep >/dev/null 2>&1
			echo "   network logs kept in $dir" >&2
		fi
	fi
	if [ -n "$work" ]; then
		if [ "$ok" = 1 ] && [ "${DEMO_KEEP:-0}" != 1 ]; then
			rm -rf "$work"
		else
			if [ "$ok" != 1 ] && [ -s "$work/imsued.log" ]; then
				echo "   last lines of the imsued log:" >&2
				tail -n 15 "$work/imsued.log" | sed 's/^/     /' >&2
			fi
			echo "   UE logs kept in $work" >&2
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# ctl ARGS...: one imsuectl command to the UE, printed as a user would type it
ctl() {
	"$imsuectl" -s "$sock" "$@"
}
show_cmd() { printf '   $ imsuectl -s %s %s\n' "$sock" "$*"; }

# status_field KEY: a field of the UE's status ("" when unknown)
status_field() {
	ctl status 2>/dev/null | "$PYTHON3" "$show" field "$1"
}

# wait_state SECS STATE...: until the UE is in one of the states; prints the last one
wait_state() {
	_n=$(($1 * 10))
	shift
	while :; do
		_st=$(status_field state)
		for _want in "$@"; do
			[ "$_st" = "$_want" ] && { echo "$_st"; return 0; }
		done
		_n=$((_n - 1))
		[ $_n -le 0 ] && { echo "$_st"; return 1; }
		kill -0 "$ued_pid" 2>/dev/null || { echo "(imsued exited)"; return 1; }
		sleep 0.1
	done
}

# the S-CSCF's view of an IMPU: its state and contacts
scscf_view() {
	timeout 5 kamcmd -s "$scscf_ctl" ulscscf.showimpu "$1" 2>&1 | awk '
		/^[ \t]*state:/ && !st { st = $2 }
		/^[ \t]*contacts: \{/ { inc = 1; next }
		inc && /^[ \t]*sip:.*\{/ { sub(/^[ \t]*/, ""); sub(/: \{$/, ""); c = $0; n++ }
		inc && c != "" { printf "   S-CSCF contact     %s\n", c; c = "" }
		/Not found|not found/ { nf = 1 }
		END {
			if (nf || st == "") print "   S-CSCF             no record of this IMPU"
			else printf "   S-CSCF             IMPU %s, %d contact(s)\n", st, n
		}'
}
hss_view() {
	timeout 5 "$hss" -c "$hss_ctl" list 2>/dev/null | awk '/^name=aka / {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = substr($i, length(kv[1]) + 2) }
		printf "   HSS                registered=%s, S-CSCF %s, MAR %s, SAR %s, SQN %s\n",
			v["registered"], v["scscf"], v["mar"], v["sar"], v["sqn"] }'
}

# --- prerequisites -------------------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root (it creates network namespaces); run: sudo make demo" >&2
	exit 1
fi
for f in "$imsued" "$imsuectl"; do
	[ -x "$f" ] || { echo "demo: $f is not built; run make first" >&2; exit 1; }
done
command -v "$PYTHON3" >/dev/null 2>&1 || { echo "demo: needs python3" >&2; exit 1; }

echo "imsue demo: an IMS UE (imsued) registers with a local IMS core and deregisters again."
work=$(mktemp -d /tmp/imsue-demo.XXXXXX)

# --- 1. the network ------------------------------------------------------------------------------
say "1. Starting the IMS network: test HSS, Kamailio S-CSCF and P-CSCF, in two network namespaces"
sh "$imsnet" start >"$work/facts" 2>"$work/start.err"
rc=$?
if [ $rc != 0 ]; then
	dir=$(sed -n 's/^dir=//p' "$work/facts")
	tail -n 5 "$work/start.err" >&2
	if [ $rc = 77 ]; then
		fail "a prerequisite is missing: $(sed -n 's/^SKIP: //p' "$work/facts") (tools/install-deps.sh installs it)"
	fi
	fail "the network did not start: $(tail -n 1 "$work/facts")"
fi
# shellcheck disable=SC1091
. "$work/facts"
info "up in $startup_ms ms (run directory $dir)"
info "home domain        $domain"
info "P-CSCF             $pcscf_ip:$pcscf_port UDP (namespace $core_netns)"
info "S-CSCF             $scscf_uri, HSS on Diameter Cx 127.0.0.1:3868"
info "UE                 $ue_ip (namespace $ue_netns)"

# --- 2. the UE's configuration -------------------------------------------------------------------
say "2. UE configuration for the test subscriber \"aka\" (IMS-AKA, TS 35.208 test set 1 keys)"
conf=$work/demo.conf
sock=$work/demo.sock
cat >"$conf" <<EOF
[identity]
impi = $aka_impi
impu = $aka_impu
home_domain = $domain
imei = 356938035643809

[credentials]
k = $aka_k
opc = $aka_opc
amf = $aka_amf
sqn_file = $work/demo.sqn

[network]
pcscf = udp:$pcscf_ip:$pcscf_port
local_ip = $ue_ip
auth = aka
security = none

[ctl]
socket = $sock
EOF
sed 's/^/   | /' "$conf"
info "(security = none: no sec-agree; IPsec needs a kernel with ESP, see doc/conformance.md)"

# --- 3. imsued ---------------------------------------------------------------------------------
say "3. Starting imsued in the UE namespace; its events as they arrive:"
info "\$ ip netns exec $ue_netns imsued -c $conf -f --json-events"
t_ue=$(date +%s.%N)
# imsued's event stream on stdout, rendered line by line; its log in $work/imsued.log
mkfifo "$work/events"
"$PYTHON3" -u "$show" events "$t_ue" <"$work/events" &
show_pid=$!
ip netns exec "$ue_netns" "$imsued" -c "$conf" -f -d "${DEMO_DEBUG:-2}" --json-events \
	>"$work/events" 2>"$work/imsued.log" &
ued_pid=$!

st=$(wait_state 20 registered failed backoff deregistered)
case "$st" in
registered) ;;
*) fail "the UE did not register (state ${st:-unknown}; last error: $(status_field last_error))" ;;
esac
sleep 0.2 # let the event line land before the next heading
info "registered: REGISTER, 401 with the AKA challenge, REGISTER with the AKA response, 200 OK"

# --- 4. status -----------------------------------------------------------------------------------
say "4. Status, as the CLI reports it"
show_cmd status
ctl status >"$work/status.json" || fail "imsuectl status failed"
"$PYTHON3" "$show" status <"$work/status.json" || fail "no status"
grep -q '"state":"registered"' "$work/status.json" || fail "status is not registered"
echo
info "What the network holds:"
scscf_view "$aka_impu"
hss_view
scscf_view "$aka_impu" | grep -q 'S-CSCF contact' || fail "the S-CSCF has no contact for $aka_impu"

# --- 5. deregistration ---------------------------------------------------------------------------
say "5. User-initiated deregistration (TS 24.229 5.1.1.6)"
show_cmd deregister all
ctl deregister all | sed 's/^/   /' || fail "imsuectl deregister failed"
st=$(wait_state 10 deregistered failed)
[ "$st" = deregistered ] || fail "the UE did not deregister (state ${st:-unknown})"
sleep 0.2
show_cmd status
ctl status >"$work/status.json"
"$PYTHON3" "$show" status <"$work/status.json"
echo
info "What the network holds (the S-CSCF purges deregistered contacts within a second):"
n=0
while scscf_view "$aka_impu" | grep -q 'S-CSCF contact' && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
scscf_view "$aka_impu"
hss_view
scscf_view "$aka_impu" | grep -q 'S-CSCF contact' && fail "the S-CSCF still has a contact"

# --- 6. stop -------------------------------------------------------------------------------------
say "6. Stopping imsued and the network"
show_cmd quit
ctl quit | sed 's/^/   /'
n=0
while kill -0 "$ued_pid" 2>/dev/null && [ $n -lt 70 ]; do
	sleep 0.1
	n=$((n + 1))
done
kill -0 "$ued_pid" 2>/dev/null && fail "imsued did not stop"
wait "$ued_pid"
ued_rc=$?
ued_pid=""
wait "$show_pid" 2>/dev/null
show_pid=""
[ "$ued_rc" = 0 ] || fail "imsued exited with status $ued_rc"
ok=1
cleanup
info "imsued exited with status 0; network stopped, namespaces removed"
printf '\ndemo OK in %s s\n' "$(elapsed)"
exit 0
