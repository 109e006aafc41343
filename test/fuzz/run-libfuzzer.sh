#!/bin/sh
# Build and run libFuzzer targets with clang (ASan + UBSan).
# usage: run-libfuzzer.sh SECONDS [fuzz_NAME...]   (default: every target)
# Each test/fuzz/fuzz_NAME.c names what it links in two comment lines:
#   FUZZ-SOURCES: sec/digest.c sec/base64.c
#   FUZZ-PKGS: libcrypto
# Corpus: test/fuzz/corpus/NAME (seeds, read-only); new inputs go to a
# scratch directory under the build tree; crashes are kept there.
set -e
: "${top_srcdir:=.}" "${top_builddir:=.}"
CLANG=${CLANG:-clang}
secs=${1:-60}
shift || true
[ $# -gt 0 ] || set -- $(cd "$top_srcdir/test/fuzz" && ls fuzz_*.c | sed 's/\.c$//')
out="$top_builddir/test/fuzz/libfuzzer"
mkdir -p "$out"
for name in "$@"; do
	src="$top_srcdir/test/fuzz/$name.c"
	srcs=$(sed -n 's/.*FUZZ-SOURCES:\(.*\)/\1/p' "$src" | sed 's#[*]/##')
	pkgs=$(sed -n 's/.*FUZZ-PKGS:\(.*\)/\1/p' "$src" | sed 's#[*]/##')
	files=""
	for s in $srcs; do files="$files $top_srcdir/$s"; done
	# shellcheck disable=SC2086
	$CLANG -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-D_GNU_SOURCE -I"$top_srcdir" -I"$top_builddir" \
		$( [ -n "$pkgs" ] && pkg-config --cflags $pkgs ) \
		-o "$out/$name" "$src" $files $( [ -n "$pkgs" ] && pkg-config --libs $pkgs )
	short=${name#fuzz_}
	work="$out/$short.corpus"
	mkdir -p "$work"
	seeds="$top_srcdir/test/fuzz/corpus/$short"
	[ -d "$seeds" ] || seeds=""
	(cd "$out" && ./"$name" -max_total_time="$secs" -max_len=8192 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=0 "$work" $seeds)
	echo "$name: ran ${secs}s"
done
