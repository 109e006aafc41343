#!/bin/sh
# The README's two commands:
#   tools/quickstart.sh demo    install what is missing, build, run the demo
#   tools/quickstart.sh check   install what is missing, build with ASan+UBSan
#                               and -Werror, run the full test suite
# Builds out of tree in build/ (demo) or build-check/ (check).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
what=${1:-}
case "$what" in
demo) dir=build; flags="" ;;
check) dir=build-check; flags="--enable-sanitizers --enable-werror" ;;
*)
	echo "usage: tools/quickstart.sh demo|check" >&2
	exit 2
	;;
esac

step() { printf '\n== %s (%s)\n' "$1" "$(date +%T)"; }

step "dependencies"
sh tools/install-deps.sh

step "configure"
[ -x configure ] || autoreconf -fi
mkdir -p "$dir"
cd "$dir"
# Reconfigure only when the flags changed or nothing is configured yet.
if [ ! -f Makefile ] || [ "$(cat .quickstart-flags 2>/dev/null)" != "$flags" ]; then
	# shellcheck disable=SC2086
	"$top/configure" -q $flags
	echo "$flags" >.quickstart-flags
fi

step "build"
make -j"$(nproc)" >/dev/null

case "$what" in
demo)
	step "demo"
	make demo
	;;
check)
	step "test suite"
	rc=0
	make -j"$(nproc)" check || rc=$?
	# The summary lines, whatever happened (make check prints them too).
	if [ -f test-suite.log ]; then
		sed -n '/^# TOTAL/,/^# ERROR/p' test-suite.log
	fi
	exit $rc
	;;
esac
