#!/bin/sh
# Layering check (DESIGN.md "Layers"): a lower layer never includes an upper
# one, and only the SIP glue file includes Sofia-SIP. Prints TAP.
# Usage: check-layering.sh [SRCDIR]
src=${1:-${top_srcdir:-.}}
cd "$src" || { echo "Bail out! no source dir $src"; exit 1; }

# The matching #include lines of one folder's C files.
incl() {
	find "$1" -name '*.[ch]' 2>/dev/null | sort |
		xargs -r grep -nHE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($2)" 2>/dev/null
}

n=0
report() { # description, violations
	n=$((n + 1))
	if [ -n "$2" ]; then
		echo "not ok $n - $1"
		printf '%s\n' "$2" | sed 's/^/#   /'
	else
		echo "ok $n - $1"
	fi
}

echo "1..6"
report "sec/ includes nothing above it" \
	"$(incl sec 'ue/|provisioning/|tools/|sofia-sip/|curl/|libxml/|jansson|ini\.h')"
report "provisioning/ includes neither ue/, tools/ nor Sofia-SIP" \
	"$(incl provisioning 'ue/|tools/|sofia-sip/|jansson')"
report "ue/ does not include tools/" "$(incl ue 'tools/')"
report "ue/ uses only provisioning/profile.h and provisioning/identity.h" \
	"$(incl ue 'provisioning/' | grep -vE 'provisioning/(profile|identity)\.h')"
report "only ue/sip_glue.c includes Sofia-SIP" \
	"$(for d in sec provisioning ue tools; do incl $d 'sofia-sip/|su_[a-z_]*\.h|nta[a-z_]*\.h|sip[a-z_]*\.h'; done |
		grep -v '^ue/sip_glue\.c:')"
report "tools/ includes no private header (*_priv.h)" "$(incl tools '[a-z/_]*_priv\.h')"
exit 0
