#!/bin/sh
# `imsue reginfo`: per-registration decisions of TS 24.229 5.1.1.5A and
# 5.1.1.7 over the test/data/reginfo-*.xml NOTIFY bodies, and exit status 2
# with a one-line reason for malformed or hostile documents. Prints TAP.
: "${top_srcdir:=.}" "${top_builddir:=.}"
imsue="$top_builddir/tools/imsue"
data="$top_srcdir/test/data"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

ours=sip:001010000000001@192.0.2.10:5062
inst='<urn:gsma:imei:49015420-323751-0>'
impu=sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org
tel=tel:+15550100001

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

# good NAME EXPECTED-STDOUT FILE ARGS...: exit 0, exactly that stdout,
# nothing on stderr.
good() {
	name=$1 want=$2 file=$3
	shift 3
	"$imsue" reginfo "$data/$file" "$@" >"$tmp/out" 2>"$tmp/err"
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
	"$imsue" reginfo "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$lines" -eq 1 ] &&
		grep -qF -- "$want" "$tmp/err"; then
		ok "$name"
	else
		not_ok "$name" "exit $rc (want 2), $lines stderr lines (want 1 with '$want')"
	fi
}

total=33
echo "1..$total"

if [ ! -x "$imsue" ]; then
	: >"$tmp/out"; echo "no executable $imsue" >"$tmp/err"
	for i in $(seq 1 $total); do not_ok "tools/imsue is built"; done
	exit 0
fi

good "RFC 3680 example: our contact registered" \
	"aor=sip:user@example.com state=active action=none" \
	reginfo-rfc3680-example.xml --contact sip:user@pc887.example.com

good "full state, registered (default IMPU + tel URI)" \
	"aor=$impu state=active action=none
aor=$tel state=active action=none" \
	reginfo-full-registered.xml --contact "$ours" --instance "$inst"

good "shortened: re-register with the new expiry (5.1.1.5A)" \
	"aor=$impu state=active action=reregister expires=300
aor=$tel state=active action=reregister expires=300" \
	reginfo-shortened.xml --contact "$ours"

good "deactivated: new initial registration (5.1.1.7)" \
	"aor=$impu state=terminated action=initial-registration" \
	reginfo-deactivated.xml --contact "$ours" --instance "$inst"

good "rejected: deregistered, no automatic re-registration" \
	"aor=$impu state=terminated action=deregistered reason=rejected rejected=yes
aor=$tel state=terminated action=deregistered reason=rejected rejected=yes" \
	reginfo-rejected.xml --contact "$ours"

good "unregistered, registration active for another UE (5.1.1.7 item 2)" \
	"aor=$impu state=active action=deregistered reason=unregistered" \
	reginfo-unregistered.xml --contact "$ours" --instance "$inst"

good "probation with retry-after" \
	"aor=$impu state=terminated action=deregistered reason=probation retry_after=120" \
	reginfo-probation.xml --contact "$ours"

good "Kamailio: terminated registrations without contacts (RTR, dereg_impu)" \
	"aor=$impu state=terminated action=deregistered reason=terminated
aor=$tel state=terminated action=deregistered reason=terminated" \
	reginfo-kamailio-terminated.xml --contact "$ours" --instance "$inst"

good "Kamailio: registered, with its broken q attribute" \
	"aor=$impu state=active action=none" \
	reginfo-kamailio-registered.xml --contact "$ours"

good "another UE's contacts only: no action" \
	"aor=$impu state=active action=none" \
	reginfo-other-ue.xml --contact "$ours" --instance "$inst"

good "partial state: our contact shortened" \
	"aor=$impu state=active action=reregister expires=1200" \
	reginfo-partial.xml --contact "$ours" --instance "$inst"

good "ours by +sip.instance although the URI differs" \
	"aor=$impu state=terminated action=deregistered reason=unregistered" \
	reginfo-instance-only.xml --contact "$ours" --instance "urn:gsma:imei:49015420-323751-0"

good "without --instance that contact is not ours" \
	"aor=$impu state=terminated action=none" \
	reginfo-instance-only.xml --contact "$ours"

good "--contact=<SIP:...> with another case and brackets matches" \
	"aor=$impu state=terminated action=initial-registration" \
	reginfo-deactivated.xml "--contact=<SIP:001010000000001@192.0.2.10:5062;transport=udp>"

good "--contact with another port does not match" \
	"aor=$impu state=terminated action=none" \
	reginfo-deactivated.xml --contact sip:001010000000001@192.0.2.10

good "--contact with another user does not match" \
	"aor=$impu state=active action=none
aor=$tel state=active action=none" \
	reginfo-shortened.xml --contact sip:001010000000002@192.0.2.10:5062

# Standard input.
"$imsue" reginfo - --contact "$ours" <"$data/reginfo-deactivated.xml" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ] && grep -qx "aor=$impu state=terminated action=initial-registration" "$tmp/out"
then ok "FILE - reads standard input"; else not_ok "FILE - reads standard input"; fi

"$imsue" reginfo --help >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ] && grep -q -- "--contact" "$tmp/out"; then ok "--help"; else not_ok "--help"; fi

bad "malformed XML: reason with the line" "reginfo-bad-malformed.xml: line 7: XML:" \
	"$data/reginfo-bad-malformed.xml" --contact "$ours"
bad "XXE: DOCTYPE refused" "line 2: document type declaration (DOCTYPE) not allowed" \
	"$data/reginfo-bad-xxe.xml" --contact "$ours"
if grep -q "root:" "$tmp/out" "$tmp/err"; then
	not_ok "XXE: nothing of /etc/passwd printed"
else
	ok "XXE: nothing of /etc/passwd printed"
fi
bad "billion laughs: DOCTYPE refused" "document type declaration (DOCTYPE) not allowed" \
	"$data/reginfo-bad-billion-laughs.xml" --contact "$ours"
bad "unknown contact event" "line 5: <contact> event=\"kicked\" is not one of" \
	"$data/reginfo-bad-event.xml" --contact "$ours"
bad "reginfo without version" "line 2: <reginfo> has no version attribute" \
	"$data/reginfo-bad-no-version.xml" --contact "$ours"
bad "non-numeric expires" "line 5: <contact> expires=\"5 minutes\" is not an unsigned decimal number" \
	"$data/reginfo-bad-expires.xml" --contact "$ours"

# A document over 64 KiB: refused before parsing.
{
	echo '<?xml version="1.0"?>'
	echo '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">'
	i=0
	while [ $i -lt 900 ]; do
		echo "<!-- padding padding padding padding padding padding padding padding pad $i -->"
		i=$((i + 1))
	done
	echo '</reginfo>'
} >"$tmp/big.xml"
bad "document over 64 KiB" "more than the 65536 allowed" "$tmp/big.xml" --contact "$ours"

printf '' >"$tmp/empty.xml"
bad "empty file" "empty document" "$tmp/empty.xml" --contact "$ours"
bad "missing file" "No such file or directory" "$tmp/nonexistent.xml" --contact "$ours"
bad "no --contact" "--contact URI is required" "$data/reginfo-deactivated.xml"
bad "--contact without a value" "--contact needs a value" "$data/reginfo-deactivated.xml" --contact
bad "no FILE" "FILE is required" --contact "$ours"
bad "unknown option" "unknown argument '--contacts'" "$data/reginfo-deactivated.xml" --contacts x
bad "two files" "more than one FILE" "$data/reginfo-deactivated.xml" "$data/reginfo-rejected.xml" \
	--contact "$ours"

[ $n -eq $total ] || echo "# ran $n tests, planned $total"
exit 0
