#!/bin/sh
# Fuzz smoke run inside `make check` (TAP). For every target in
# $FUZZ_TARGETS: (1) the replay build runs the corpus test/fuzz/corpus/NAME
# plus deterministic mutations; (2) when clang is present, the libFuzzer build
# runs for FUZZ_SMOKE_SECONDS (default 5). Without clang the libFuzzer half is
# reported as a SKIP with the reason; CI installs clang, so it never skips there.
: "${top_srcdir:=.}" "${top_builddir:=.}"
secs=${FUZZ_SMOKE_SECONDS:-5}
set -- $FUZZ_TARGETS
if [ $# -eq 0 ]; then
	echo "1..0 # SKIP no fuzz targets are registered yet"
	exit 0
fi
echo "1..$(( $# * 2 ))"
i=0
for t in "$@"; do
	name=$(basename "$t")
	short=${name#fuzz_}
	corpus="$top_srcdir/test/fuzz/corpus/$short"
	i=$((i + 1))
	if [ -d "$corpus" ] && out=$("$top_builddir/$t" -n 300 "$corpus" 2>&1); then
		echo "ok $i - $name replay ($(printf '%s' "$out" | tail -n 1))"
	else
		echo "not ok $i - $name replay"
		[ -d "$corpus" ] || echo "# no corpus at $corpus"
		printf '%s\n' "$out" | tail -n 30 | sed 's/^/# /'
	fi
	i=$((i + 1))
	if [ -z "$CLANG" ] || ! command -v "$CLANG" >/dev/null 2>&1; then
		echo "ok $i - $name libFuzzer # SKIP clang is not installed (tools/install-deps.sh installs it)"
		continue
	fi
	if out=$(sh "$top_srcdir/test/fuzz/run-libfuzzer.sh" "$secs" "$name" 2>&1); then
		echo "ok $i - $name libFuzzer ${secs}s"
	else
		echo "not ok $i - $name libFuzzer ${secs}s"
		printf '%s\n' "$out" | tail -n 40 | sed 's/^/# /'
	fi
done
exit 0
