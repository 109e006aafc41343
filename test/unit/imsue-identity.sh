#!/bin/sh
# `imsue identity`: TS 23.003 clause 13 identities, the RCC.14 2.2 URL and
# the RFC 7254 instance ID, plus the exit status and one-line reason on bad
# input (DESIGN.md "Offline utilities"). Prints TAP.
: "${top_builddir:=.}"
imsue="$top_builddir/tools/imsue"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=1
	echo "not ok $n - $1"
	shift
	for line in "$@"; do printf '# %s\n' "$line"; done
	sed 's/^/#   stdout: /' "$tmp/out"
	sed 's/^/#   stderr: /' "$tmp/err"
}

# good NAME EXPECTED-STDOUT ARGS...
good() {
	name=$1 want=$2
	shift 2
	"$imsue" identity "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	printf '%s\n' "$want" >"$tmp/want"
	if [ $rc -eq 0 ] && cmp -s "$tmp/out" "$tmp/want" && [ ! -s "$tmp/err" ]; then
		ok "$name"
	else
		not_ok "$name" "exit $rc (want 0); expected stdout:" "$(cat "$tmp/want")"
	fi
}

# bad NAME REASON-SUBSTRING ARGS...: exit 2, nothing on stdout, one line on
# stderr containing the reason.
bad() {
	name=$1 want=$2
	shift 2
	"$imsue" identity "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$lines" -eq 1 ] &&
		grep -qF -- "$want" "$tmp/err"; then
		ok "$name"
	else
		not_ok "$name" "exit $rc (want 2), $lines stderr lines (want 1 with '$want')"
	fi
}

echo "1..30"

if [ ! -x "$imsue" ]; then
	# Without the binary every case fails, visibly.
	: >"$tmp/out"; echo "no executable $imsue" >"$tmp/err"
	for i in $(seq 1 30); do not_ok "tools/imsue is built"; done
	exit 0
fi

good "2-digit MNC (test PLMN 001-01)" "impi=001010123456789@ims.mnc001.mcc001.3gppnetwork.org
impu=sip:001010123456789@ims.mnc001.mcc001.3gppnetwork.org
home_domain=ims.mnc001.mcc001.3gppnetwork.org
autoconf_url=http://config.rcs.mnc001.mcc001.pub.3gppnetwork.org" --imsi 001010123456789

good "RCC.14 example IMSI 214-01" "impi=214011001388741@ims.mnc001.mcc214.3gppnetwork.org
impu=sip:214011001388741@ims.mnc001.mcc214.3gppnetwork.org
home_domain=ims.mnc001.mcc214.3gppnetwork.org
autoconf_url=http://config.rcs.mnc001.mcc214.pub.3gppnetwork.org" --imsi 214011001388741

good "3-digit MNC from the table (310-150)" "impi=310150123456789@ims.mnc150.mcc310.3gppnetwork.org
impu=sip:310150123456789@ims.mnc150.mcc310.3gppnetwork.org
home_domain=ims.mnc150.mcc310.3gppnetwork.org
autoconf_url=http://config.rcs.mnc150.mcc310.pub.3gppnetwork.org" --imsi 310150123456789

good "--mnc-digits 2 overrides the table" "impi=310150123456789@ims.mnc015.mcc310.3gppnetwork.org
impu=sip:310150123456789@ims.mnc015.mcc310.3gppnetwork.org
home_domain=ims.mnc015.mcc310.3gppnetwork.org
autoconf_url=http://config.rcs.mnc015.mcc310.pub.3gppnetwork.org" --imsi 310150123456789 --mnc-digits 2

good "--mnc-digits=3 before --imsi=" "impi=234150123456789@ims.mnc150.mcc234.3gppnetwork.org
impu=sip:234150123456789@ims.mnc150.mcc234.3gppnetwork.org
home_domain=ims.mnc150.mcc234.3gppnetwork.org
autoconf_url=http://config.rcs.mnc150.mcc234.pub.3gppnetwork.org" --mnc-digits=3 --imsi=234150123456789

good "14-digit IMSI" "impi=26201123456789@ims.mnc001.mcc262.3gppnetwork.org
impu=sip:26201123456789@ims.mnc001.mcc262.3gppnetwork.org
home_domain=ims.mnc001.mcc262.3gppnetwork.org
autoconf_url=http://config.rcs.mnc001.mcc262.pub.3gppnetwork.org" --imsi 26201123456789

good "MCC 405 with a 3-digit MNC (854)" "impi=405854123456789@ims.mnc854.mcc405.3gppnetwork.org
impu=sip:405854123456789@ims.mnc854.mcc405.3gppnetwork.org
home_domain=ims.mnc854.mcc405.3gppnetwork.org
autoconf_url=http://config.rcs.mnc854.mcc405.pub.3gppnetwork.org" --imsi 405854123456789

good "MCC 405 with a 2-digit MNC (05)" "impi=405051234567890@ims.mnc005.mcc405.3gppnetwork.org
impu=sip:405051234567890@ims.mnc005.mcc405.3gppnetwork.org
home_domain=ims.mnc005.mcc405.3gppnetwork.org
autoconf_url=http://config.rcs.mnc005.mcc405.pub.3gppnetwork.org" --imsi 405051234567890

good "--imei adds the RFC 7254 instance" "impi=001010000000001@ims.mnc001.mcc001.3gppnetwork.org
impu=sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org
home_domain=ims.mnc001.mcc001.3gppnetwork.org
autoconf_url=http://config.rcs.mnc001.mcc001.pub.3gppnetwork.org
instance=urn:gsma:imei:49015420-323751-0" --imsi 001010000000001 --imei 490154203237518

good "--imei alone" "instance=urn:gsma:imei:49015420-323751-0" --imei 490154203237518
good "IMEISV drops the software version" "instance=urn:gsma:imei:35209900-176148-0" --imei=3520990017614823

"$imsue" identity --help >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ] && grep -q -- "--imsi" "$tmp/out"; then ok "--help"; else not_ok "--help"; fi

bad "letters in the IMSI" "IMSI: character 4 is 'a', not a decimal digit" --imsi 001a10123456789
bad "space in the IMSI" "character 1 is 0x20" --imsi " 01010123456789"
bad "13-digit IMSI" "IMSI has 13 digits; it must have 14 or 15" --imsi 0010101234567
bad "16-digit IMSI" "IMSI has 16 digits" --imsi 0010101234567890
bad "empty IMSI" "IMSI is empty" --imsi ""
bad "--mnc-digits 4" "--mnc-digits must be 2 or 3" --imsi 001010123456789 --mnc-digits 4
bad "--mnc-digits 02" "--mnc-digits must be 2 or 3" --imsi 001010123456789 --mnc-digits 02
bad "--mnc-digits without --imsi" "--mnc-digits needs --imsi" --mnc-digits 2 --imei 490154203237518
bad "no arguments" "--imsi or --imei is required"
bad "--imsi without a value" "--imsi needs a value" --imsi
bad "unknown argument" "unknown argument '--imsx'" --imsx 001010123456789
bad "positional argument" "unknown argument '001010123456789'" 001010123456789
bad "--imsi twice" "--imsi given twice" --imsi 001010123456789 --imsi=001010123456789
bad "IMEI with a bad check digit" "IMEI check digit is 7, expected 8" --imei 490154203237517
bad "14-digit IMEI" "IMEI has 14 digits; it must have 15 (IMEI) or 16 (IMEISV)" --imei 49015420323751
bad "IMEI with a dash" "IMEI: character 9 is '-', not a decimal digit" --imei 49015420-323751
bad "good IMSI, bad IMEI: nothing printed" "IMEI has 17 digits" --imsi 001010123456789 --imei 49015420323751800
bad "bad IMSI, good IMEI: nothing printed" "IMSI has 3 digits" --imsi 001 --imei 490154203237518
exit 0
