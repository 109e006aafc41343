#!/bin/sh
# `imsue aka`: the USIM check on the six TS 35.208 4.3 test sets (AUTN built
# here as SQN xor AK || AMF || MAC-A from test/data/ts35208-milenage.txt),
# synchronisation and MAC failures, and exit status 2 with a one-line reason
# naming the option on malformed input (DESIGN.md "Offline utilities").
# Prints TAP.
: "${top_builddir:=.}"
: "${top_srcdir:=$(dirname "$0")/../..}"
imsue="$top_builddir/tools/imsue"
data="$top_srcdir/test/data/ts35208-milenage.txt"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
total=28

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do printf '# %s\n' "$line"; done
	sed 's/^/#   stdout: /' "$tmp/out"
	sed 's/^/#   stderr: /' "$tmp/err"
}

# run ARGS...: imsue aka into $tmp/out and $tmp/err, status in $rc.
run() {
	"$imsue" aka "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# expect NAME STATUS EXPECTED-STDOUT ARGS...: that status and stdout; on
# failure (status 1) exactly one line on stderr, on success none.
expect() {
	name=$1 want_rc=$2 want=$3
	shift 3
	run "$@"
	printf '%s\n' "$want" >"$tmp/want"
	lines=$(wc -l <"$tmp/err")
	want_lines=1
	[ "$want_rc" -eq 0 ] && want_lines=0
	if [ $rc -eq "$want_rc" ] && cmp -s "$tmp/out" "$tmp/want" && [ "$lines" -eq $want_lines ]; then
		ok "$name"
	else
		not_ok "$name" "exit $rc (want $want_rc), $lines stderr lines; expected stdout:" \
			"$(cat "$tmp/want")"
	fi
}

# bad NAME REASON-SUBSTRING ARGS...: exit 2, nothing on stdout, one line on
# stderr containing the reason.
bad() {
	name=$1 want=$2
	shift 2
	run "$@"
	lines=$(wc -l <"$tmp/err")
	if [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$lines" -eq 1 ] &&
		grep -qF -- "$want" "$tmp/err"; then
		ok "$name"
	else
		not_ok "$name" "exit $rc (want 2), $lines stderr lines (want 1 with '$want')"
	fi
}

hex12() { printf '%012x' "$1"; }

# The value of KEY in test set SET.
val() {
	awk -F= -v set="$1" -v key="$2" '
		$1 == "set" { cur = $2 }
		cur == set && $1 == key { print $2; exit }' "$data"
}

# Load set $1 into k, rand, sqn, amf, op, opc, f1, f2, f3, f4, f5, f5star, autn.
load() {
	for key in k rand sqn amf op opc f1 f2 f3 f4 f5 f5star; do
		eval "$key=\$(val \"\$1\" $key)"
	done
	autn=$(hex12 $((0x$sqn ^ 0x$f5)))$amf$f1
}

echo "1..$total"

if [ ! -x "$imsue" ] || [ ! -r "$data" ]; then
	: >"$tmp/out"; echo "no executable $imsue or no $data" >"$tmp/err"
	i=0
	while [ $i -lt $total ]; do not_ok "tools/imsue and the TS 35.208 data exist"; i=$((i + 1)); done
	exit 0
fi

# 1-12: every set, with OPc and with OP; the USIM's SQN_MS is one SEQ below.
for set in 1 2 3 4 5 6; do
	load $set
	sqn_ms=$(hex12 $((0x$sqn - 32)))
	want="result=ok
res=$f2
ck=$f3
ik=$f4
sqn=$sqn"
	expect "TS 35.208 test set $set (OPc)" 0 "$want" \
		--k "$k" --opc "$opc" --rand "$rand" --autn "$autn" --sqn-ms "$sqn_ms"
	expect "TS 35.208 test set $set (OP)" 0 "$want" \
		--k="$k" --op="$op" --rand="$rand" --autn="$autn" --sqn-ms="$sqn_ms" --amf "$amf"
done

# Synchronisation failure: the USIM has already accepted this SQN. AUTS
# starts with SQN_MS xor AK*, and auts_b64 is the same 14 bytes.
sync_check() {
	name=$1 want_ms=$2
	auts=$(sed -n 's/^auts=//p' "$tmp/out")
	b64=$(sed -n 's/^auts_b64=//p' "$tmp/out")
	from_b64=$(printf '%s' "$b64" | base64 -d 2>/dev/null | od -An -tx1 | tr -d ' \n')
	prefix=$(hex12 $((0x$want_ms ^ 0x$f5star)))
	lines=$(wc -l <"$tmp/err")
	if [ $rc -eq 1 ] && [ "$(sed -n 1p "$tmp/out")" = result=sync-failure ] &&
		[ "$(sed -n 2p "$tmp/out")" = "sqn=$sqn" ] && [ ${#auts} -eq 28 ] &&
		[ "${auts%????????????????}" = "$prefix" ] && [ "$from_b64" = "$auts" ] &&
		[ "$(wc -l <"$tmp/out")" -eq 4 ] && [ "$lines" -eq 1 ]; then
		ok "$name"
	else
		not_ok "$name" "exit $rc (want 1); want auts starting $prefix, base64 of it"
	fi
}
load 1
run --k "$k" --opc "$opc" --rand "$rand" --autn "$autn" --sqn-ms "$sqn"
sync_check "replayed SQN: sync-failure with AUTS over SQN_MS" "$sqn"
load 2
run --k "$k" --opc "$opc" --rand "$rand" --autn "$autn"
sync_check "SEQ ahead by more than delta (SQN_MS 0): sync-failure" 000000000000

# The same challenge without the delta limit, and with no IND bits.
expect "--delta none accepts any jump ahead" 0 "result=ok
res=$f2
ck=$f3
ik=$f4
sqn=$sqn" --k "$k" --opc "$opc" --rand "$rand" --autn "$autn" --delta none
load 3
expect "--ind-bits 0: SQN_MS one below" 0 "result=ok
res=$f2
ck=$f3
ik=$f4
sqn=$sqn" --k "$k" --opc "$opc" --rand "$rand" --autn "$autn" --ind-bits 0 \
	--sqn-ms "$(hex12 $((0x$sqn - 1)))"

# MAC failure: one bit of MAC-A changed.
load 4
last=$(printf '%s' "$autn" | cut -c32)
case $last in 0) flip=1 ;; *) flip=0 ;; esac
bad_autn=$(printf '%s' "$autn" | cut -c1-31)$flip
expect "MAC failure" 1 "result=mac-failure" --k "$k" --opc "$opc" --rand "$rand" \
	--autn "$bad_autn" --sqn-ms 0

# Malformed input and bad usage.
load 1
bad "non-hex --k" "--k: invalid hex digit 'z'" \
	--k "${k%??}zz" --opc "$opc" --rand "$rand" --autn "$autn"
bad "odd-length --rand" "--rand: expected 32 hex digits, found 31" \
	--k "$k" --opc "$opc" --rand "${rand%?}" --autn "$autn"
bad "short --autn" "--autn: expected 32 hex digits, found 30" \
	--k "$k" --opc "$opc" --rand "$rand" --autn "${autn%??}"
bad "non-hex --opc" "--opc: invalid hex digit '-'" \
	--k "$k" --opc "-$opc" --rand "$rand" --autn "$autn"
bad "13-digit --sqn-ms" "--sqn-ms: expected 1 to 12 hex digits, found 13" \
	--k "$k" --opc "$opc" --rand "$rand" --autn "$autn" --sqn-ms 0000000000000
bad "--amf of 3 digits" "--amf: expected 4 hex digits, found 3" \
	--k "$k" --opc "$opc" --rand "$rand" --autn "$autn" --amf b9b
bad "both --op and --opc" "give one of --op and --opc" \
	--k "$k" --op "$op" --opc "$opc" --rand "$rand" --autn "$autn"
bad "missing --autn" "--autn is required" --k "$k" --opc "$opc" --rand "$rand"
bad "--ind-bits out of range" "--ind-bits: expected a number from 0 to 8, found '9'" \
	--k "$k" --opc "$opc" --rand "$rand" --autn "$autn" --ind-bits 9
bad "--delta 0" "--delta: expected a number from 1" \
	--k "$k" --opc "$opc" --rand "$rand" --autn "$autn" --delta 0
bad "unknown option" "unknown argument '--sqn'" \
	--k "$k" --opc "$opc" --rand "$rand" --autn "$autn" --sqn 1

[ "$n" -eq "$total" ] || echo "# ran $n tests, planned $total"
exit 0
