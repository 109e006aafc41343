#!/bin/sh
# `imsue provdoc FILE`: the RCC.14 example documents as key=value lines,
# exit 1 for a document not usable for IMS, exit 2 with one line on stderr
# for malformed or hostile input (DESIGN.md "Offline utilities"; key list in
# doc/autoconf.md). Prints TAP, the plan at the end.
: "${top_srcdir:=.}" "${top_builddir:=.}"
imsue="$top_builddir/tools/imsue"
data="$top_srcdir/test/data"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

n=0
result() { # ok|fail NAME [DIAGNOSTIC...]
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

run() { "$imsue" provdoc "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }

# golden NAME FILE EXPECTED-STDOUT [ARGS...]: exit 0, exact stdout, empty stderr.
golden() {
	name=$1 file=$2 want=$3
	shift 3
	run "$file" "$@"
	printf '%s\n' "$want" >"$tmp/want"
	if [ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/want" && [ ! -s "$tmp/err" ]; then
		result ok "$name"
	else
		result fail "$name" "exit $rc (want 0); want stdout:" "$(cat "$tmp/want")"
	fi
}

# refused NAME STATUS REASON FILE [ARGS...]: that exit status, exactly one
# stderr line containing REASON; for status 2 nothing on stdout.
refused() {
	name=$1 want_rc=$2 want=$3
	shift 3
	run "$@"
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -eq "$want_rc" ] && [ "$lines" -eq 1 ] && grep -qF -- "$want" "$tmp/err" &&
		{ [ "$want_rc" -ne 2 ] || [ ! -s "$tmp/out" ]; }; then
		result ok "$name"
	else
		result fail "$name" "exit $rc (want $want_rc), $lines stderr lines (want 1 with '$want')"
	fi
}

if [ ! -x "$imsue" ]; then
	: >"$tmp/out"; echo "no executable $imsue" >"$tmp/err"
	result fail "tools/imsue is built"
	echo "1..$n"
	exit 0
fi

golden "RCC.14 Table 2: full configuration with the RCC.15 IMS characteristic" \
	"$data/rcc14-table2-full.xml" "kind=full
vers.version=3
vers.validity=86400
token=tok-A-0123456789abcdef
ims.impi=214011001388741@ims.mnc001.mcc214.3gppnetwork.org
ims.impu=sip:+34600000001@ims.mnc001.mcc214.3gppnetwork.org
ims.impu=tel:+34600000001
ims.impu=sip:214011001388741@ims.mnc001.mcc214.3gppnetwork.org
ims.home_domain=ims.mnc001.mcc214.3gppnetwork.org
ims.pcscf=pcscf1.ims.mnc001.mcc214.3gppnetwork.org fqdn
ims.pcscf=192.0.2.10 ipv4
ims.pcscf=2001:db8::10 ipv6
ims.timer_t1=2000
ims.timer_t2=16000
ims.timer_t4=17000
ims.reg_retry_base_time=30
ims.reg_retry_max_time=1800
ims.appauth.auth_type=AKA
ims.appauth.realm=ims.mnc001.mcc214.3gppnetwork.org
ims.msisdn=+34600000001"

golden "RCC.14 Table 3: version only, with token" "$data/rcc14-table3-version-only.xml" \
	"kind=version-only
vers.version=3
vers.validity=172800
token=tok-Z-fedcba9876543210"

golden "RCC.14 Table 4: version and validity 0" "$data/rcc14-table4-reset.xml" "kind=reset
vers.version=0
vers.validity=0"

golden "RCC.14 Table 5: version and validity -1" "$data/rcc14-table5-disabled.xml" \
	"kind=disabled
vers.version=-1
vers.validity=-1"

golden "RCC.14 Table 6: version and validity -2" "$data/rcc14-table6-disabled-until-user.xml" \
	"kind=disabled-until-user
vers.version=-2
vers.validity=-2"

golden "RCC.14 Table 7: user message" "$data/rcc14-table7-msg.xml" "kind=reset
vers.version=0
vers.validity=0
msg.title=Example
msg.message=Hello world
msg.accept_btn=1
msg.reject_btn=0"

golden "RCC.14 Table 11: SMS_port zero policy" "$data/rcc14-table11-policy.xml" "kind=policy
policy.sms_port=0"

# --all adds the parms that are not interpreted.
run "$data/rcc14-table2-full.xml" --all
if [ "$rc" -eq 0 ] && grep -qxF 'parm.APPLICATION[ap2002]/SERVICES/ChatAuth=1' "$tmp/out" &&
	grep -qxF 'parm.APPLICATION[ap2001]/Ext/NatUrlFmt=0' "$tmp/out"; then
	result ok "--all prints uninterpreted parms with their path"
else
	result fail "--all prints uninterpreted parms with their path"
fi

refused "no Private_User_Identity: exit 1" 1 \
	"not usable for IMS: line 9: APPLICATION ap2001 has no Private_User_Identity" \
	"$data/rcc14-invalid-no-impi.xml"
if grep -qxF 'ims.home_domain=ims.example.net' "$tmp/out"; then
	result ok "an IMS-invalid document is still printed"
else
	result fail "an IMS-invalid document is still printed"
fi

refused "malformed XML" 2 "line 9: XML: Opening and ending tag mismatch" \
	"$data/rcc14-bad-malformed.xml"
refused "XXE (external entity in a DOCTYPE)" 2 \
	"line 2: document type declaration (DOCTYPE) not allowed" "$data/rcc14-bad-xxe.xml"
refused "billion laughs" 2 "document type declaration (DOCTYPE) not allowed" \
	"$data/rcc14-bad-billion-laughs.xml"
refused "nesting too deep" 2 "elements nested deeper than 32 levels" "$data/rcc14-bad-deep.xml"
refused "VERS without version" 2 "line 3: VERS has no version parm" \
	"$data/rcc14-bad-no-version.xml"
refused "non-numeric version" 2 "line 4: VERS version 'three' is not an integer" \
	"$data/rcc14-bad-version-nan.xml"

# Too big: 256 KiB + 1 bytes.
{ cat "$data/rcc14-table4-reset.xml"; head -c 262144 /dev/zero | tr '\0' ' '; } >"$tmp/big.xml"
refused "too big" 2 "more than the 262144 allowed" "$tmp/big.xml"
printf '\376\377\000<\000a\330\000\000/\000>' >"$tmp/utf16.xml"
refused "bad UTF-16: one line, no document bytes on stderr" 2 \
	"line 1: XML: invalid character encoding" "$tmp/utf16.xml"
refused "missing file" 2 "No such file or directory" "$tmp/nonexistent.xml"
refused "a directory" 2 "provdoc: $tmp:" "$tmp"
refused "empty file" 2 "empty document" /dev/null
refused "no FILE" 2 "missing FILE"
refused "unknown option" 2 "unknown option '--bogus'" "$data/rcc14-table4-reset.xml" --bogus
refused "two files" 2 "more than one FILE" "$data/rcc14-table4-reset.xml" \
	"$data/rcc14-table4-reset.xml"

# Reading from stdin.
"$imsue" provdoc - <"$data/rcc14-table11-policy.xml" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ] && grep -qxF 'policy.sms_port=0' "$tmp/out"; then
	result ok "FILE - reads standard input"
else
	result fail "FILE - reads standard input"
fi

# The APPAUTH password is redacted unless asked for; values stay on one line.
cat >"$tmp/digest.xml" <<'EOF'
<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="VERS"><parm name="version" value="4"/><parm name="validity" value="60"/></characteristic>
  <characteristic type="TOKEN"><parm name="token" value="secret-token-1"/></characteristic>
  <characteristic type="MSG"><parm name="title" value="T"/><parm name="message" value="line1&#10;line2\x"/><parm name="Accept_btn" value="1"/></characteristic>
  <characteristic type="APPLICATION">
    <parm name="AppID" value="ap2001"/>
    <characteristic type="APPAUTH"><parm name="AuthType" value="Digest"/><parm name="UserName" value="alice"/><parm name="UserPwd" value="pw-secret"/></characteristic>
  </characteristic>
</wap-provisioningdoc>
EOF
run "$tmp/digest.xml"
if [ "$rc" -eq 1 ] && grep -qxF 'ims.appauth.userpwd=<redacted>' "$tmp/out" &&
	! grep -qF 'pw-secret' "$tmp/out"; then
	result ok "UserPwd redacted by default"
else
	result fail "UserPwd redacted by default"
fi
if ! grep -qF 'secret-token-1' "$tmp/err" && ! grep -qF 'pw-secret' "$tmp/err" &&
	grep -qxF 'token=secret-token-1' "$tmp/out"; then
	result ok "token printed on stdout only, never in the error line"
else
	result fail "token printed on stdout only, never in the error line"
fi
if grep -qxF 'msg.message=line1\nline2\\x' "$tmp/out"; then
	result ok "newline and backslash escaped"
else
	result fail "newline and backslash escaped"
fi
run "$tmp/digest.xml" --show-secrets
if grep -qxF 'ims.appauth.userpwd=pw-secret' "$tmp/out"; then
	result ok "--show-secrets prints UserPwd"
else
	result fail "--show-secrets prints UserPwd"
fi

echo "1..$n"
exit 0
