#!/bin/sh
# `imsue sms HEX [--imsi D] [--impi I] [--port N]`: decode an SMS-DELIVER
# TPDU and match the RCC.14 section 3 trigger; exit 0 when decoded (trigger
# yes or no), 2 with one line on stderr for bad hex or a malformed TPDU.
# Prints TAP, the plan at the end.
: "${top_builddir:=.}"
imsue="$top_builddir/tools/imsue"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

IMSI=214011001388741
IMPI=214011001388741@ims.mnc001.mcc214.3gppnetwork.org
# UCS2 "<IMSI>-rcscfg", UDH 06 05 04 9199 0000 (RCC.14 3).
T_IMSI=440B914306000000F10008613012010000403306050491990000003200310034003000310031003000300031003300380038003700340031002D007200630073006300660067
# UCS2 "<IMPI>-rcscfg".
T_IMPI=440B914306000000F1000861301201000040770605049199000000320031003400300031003100300030003100330038003800370034003100400069006D0073002E006D006E0063003000300031002E006D00630063003200310034002E0033006700700070006E006500740077006F0072006B002E006F00720067002D007200630073006300660067
# The UDH bytes as printed in RCC.14 3: 06 05 04 4074 0000 (port 16500).
T_4074=440B914306000000F10008613012010000403306050440740000003200310034003000310031003000300031003300380038003700340031002D007200630073006300660067
# 8-bit binary data to the port.
T_BIN=440B914306000000F10004613012010000400A0605049199000000FF10

n=0
result() {
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2"
		return
	fi
	echo "not ok $n - $2"
	shift 2
	for d in "$@"; do printf '# %s\n' "$d"; done
	sed 's/^/#   stdout: /' "$tmp/out" 2>/dev/null
	sed 's/^/#   stderr: /' "$tmp/err" 2>/dev/null
}

run() { "$imsue" sms "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }

# decoded NAME 'LINE|LINE|...' ARGS...: exit 0, each line present exactly.
decoded() {
	name=$1 lines=$2
	shift 2
	run "$@"
	good=1
	missing=
	[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] || good=0
	old=$IFS
	IFS='|'
	for l in $lines; do
		grep -qxF -- "$l" "$tmp/out" || { good=0; missing=$l; }
	done
	IFS=$old
	if [ $good -eq 1 ]; then
		result ok "$name"
	else
		result fail "$name" "exit $rc (want 0), missing line: ${missing:-}"
	fi
}

# refused NAME REASON ARGS...: exit 2, no stdout, one stderr line with REASON.
refused() {
	name=$1 want=$2
	shift 2
	run "$@"
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$lines" -eq 1 ] &&
		grep -qF -- "$want" "$tmp/err"; then
		result ok "$name"
	else
		result fail "$name" "exit $rc (want 2), $lines stderr lines (want 1 with '$want')"
	fi
}

if [ ! -x "$imsue" ]; then
	: >"$tmp/out"; echo "no executable $imsue" >"$tmp/err"
	result fail "tools/imsue is built"
	echo "1..$n"
	exit 0
fi

decoded "IMSI trigger (RCC.14 3)" \
	"oa=+34600000001|dcs=0x08|alphabet=ucs2|scts=2016-03-21T10:00:00+01:00|port=37273|src_port=0|text=$IMSI-rcscfg|trigger=yes|match=imsi" \
	"$T_IMSI" --imsi "$IMSI"
decoded "IMPI trigger (RCC.14 3)" "text=$IMPI-rcscfg|trigger=yes|match=impi" \
	"$T_IMPI" --impi "$IMPI" --imsi "$IMSI"
decoded "lower-case hex" "trigger=yes" "$(printf '%s' "$T_IMSI" | tr 'A-F' 'a-f')" --imsi "$IMSI"
decoded "another SIM's IMSI: no" "trigger=no|reason=the IMSI in the text is not ours" \
	"$T_IMSI" --imsi 214011001388742
decoded "no identity given: no" "trigger=no|reason=an IMSI trigger, but no IMSI to compare with" \
	"$T_IMSI"
decoded "another IMPI: no" "trigger=no|reason=the IMPI in the text is not ours" \
	"$T_IMPI" --impi "sip:$IMPI"
decoded "UDH bytes as printed in RCC.14 3 (port 16500): no" \
	"port=16500|trigger=no|reason=destination port 16500, expected 37273" "$T_4074" --imsi "$IMSI"
decoded "... accepted when that port is configured" "trigger=yes" "$T_4074" --imsi "$IMSI" \
	--port 16500
decoded "wrong port configured: no" "trigger=no|reason=destination port 37273, expected 5000" \
	"$T_IMSI" --imsi "$IMSI" --port 5000
decoded "8-bit binary data" "alphabet=8bit|text=|data=00ff10|trigger=no" "$T_BIN"
decoded "GSM 7-bit without UDH" "port=none|text=Hello|trigger=no" \
	040B914306000000F100006130120100004005C8329BFD06

refused "odd number of hex digits" "bad hex: odd number of hex digits (3)" abc
refused "not hex" "bad hex: not a hex digit at position 2" 00zz
refused "empty" "malformed TPDU: empty TPDU" ""
refused "truncated TPDU" "malformed TPDU: TPDU truncated in TP-UD" \
	"$(printf '%s' "$T_IMSI" | cut -c1-60)"
refused "UDHL overflow" "malformed TPDU: UDHL 9 overflows the user data (7 octets)" \
	440B914306000000F10008613012010000400709050491990000
refused "bad UCS2" "malformed TPDU: invalid UCS2 at octet 2" \
	040B914306000000F1000861301201000040060041DC000042
refused "odd UCS2 length" "malformed TPDU: odd UCS2 text length (3 octets)" \
	440B914306000000F10008613012010000400A06050491990000004100
refused "not an SMS-DELIVER" "not an SMS-DELIVER (TP-MTI 1" \
	450B914306000000F100006130120100004005C8329BFD06
refused "too long" "at most 163 allowed" "$(head -c 400 /dev/zero | tr '\0' 0)"
refused "no HEX" "missing HEX"
refused "bad --imsi" "--imsi '12ab' is not 6 to 15 digits" "$T_IMSI" --imsi 12ab
refused "bad --port" "--port '0' is not 1..65535" "$T_IMSI" --port 0
refused "--impi without value" "--impi needs a value" "$T_IMSI" --impi
refused "unknown option" "unknown option '-x'" "$T_IMSI" -x

echo "1..$n"
exit 0
