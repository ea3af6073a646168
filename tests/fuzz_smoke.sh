# tests/fuzz_smoke.sh - a short run of every libFuzzer target (tests/fuzz/,
# make fuzz for the long one): FUZZ_SMOKE_SECONDS each (default 5), from the
# seed corpora, which hold every input that ever crashed one.  Without clang
# (scripts/deps --test installs it) the run is skipped, visibly.
. "${TOP:-$(dirname "$0")/..}/tests/setup"

if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
	echo "ok - # SKIP no clang (scripts/deps --test installs it)"
	t_done
fi
# The fuzzers are always built with ASan and UBSan: make check's second,
# sanitizer pass would only run them again.
if ldd "$TOP/bin/osfetch" 2>/dev/null | grep -q libasan; then
	echo "ok - # SKIP the fuzzers ran in the first pass (they always use ASan)"
	t_done
fi
t_run "make fuzz-build" 0 "" make -C "$TOP" -s fuzz-build
[ -s "$T/err" ] && sed 's/^/# /' "$T/err" | head -20
bins=$(ls "$TOP"/tests/fuzz/*.c | sed 's|.*/tests/fuzz/\(.*\)\.c$|'"$TOP"'/build/fuzz/\1|')
n=0
for b in $bins; do
	n=$((n + 1))
	if out=$("$TOP/tests/fuzz/run" "${FUZZ_SMOKE_SECONDS:-5}" "$b" 2>&1); then
		pass "$(echo "$out" | sed -n 's/^ok - //p' | head -1)"
	else
		fail "$(echo "$out" | sed -n 's/^not ok - //p' | head -1)"
		echo "$out" | grep '^#' || true
	fi
done
# The parsers issue 12 names, and osshape's counts reader, all have one.
missing=
for name in spec tspan query search jkey jflat csv lzio counts; do
	[ -f "$TOP/tests/fuzz/$name.c" ] && [ -d "$TOP/tests/fuzz/$name" ] || missing="$missing $name"
done
t_eq "fuzz targets and seed corpora ($n run)" "$missing" ""
t_done
