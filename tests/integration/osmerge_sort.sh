#!/bin/sh
# tests/integration/osmerge_sort.sh - external sort: a shuffled file six
# times the memory budget sorts to the same bytes as an unlimited-memory
# sort and as sort(1) -s; peak RSS stays near the budget; temp files go.
. "$(dirname "$0")/../setup"
GEN="$TOP/tests/osmerge_gen.awk"

# ~24 MB, many documents per millisecond (stable order matters).
awk -v n=120000 -v seed=3 -v span=600000 -f "$GEN" >"$T/sorted0"
shuf --random-source="$T/sorted0" "$T/sorted0" >"$T/shuf"
# Reference: a stable sort on the @timestamp field (12th '"'-separated
# field; fixed-width ISO UTC, so bytewise order is time order).
sort -s -t'"' -k12,12 "$T/shuf" >"$T/ref"
size_kb=$(( $(wc -c <"$T/shuf") / 1024 ))
budget_kb=4096
mkdir "$T/tmp"

t_run "sort, unlimited memory" 0 "120000 documents" osmerge --sort --memory 1G --tmpdir "$T/tmp" -o "$T/big" "$T/shuf"
t_same_file "unlimited-memory sort equals sort -s" "$T/big" "$T/ref"
t_run "sort, --memory 4M (input ${size_kb} KiB)" 0 "sorted runs" \
	osmerge --sort --memory 4M --tmpdir "$T/tmp" --log-level detailed -o "$T/small" "$T/shuf"
t_same_file "4M sort equals the unlimited one" "$T/small" "$T/big"
runs=$(sed -n 's/.*, \([0-9]*\) sorted runs.*/\1/p' "$T/err")
t_eq "input is several times the budget: runs spilled ($runs)" "$([ "${runs:-0}" -ge 6 ] && echo yes)" yes
t_eq "temp dir empty afterwards" "$(find "$T/tmp" | wc -l)" 1

# Peak RSS: the tool's own line, and /usr/bin/time -v when installed.
# Compared with the program's own baseline (an empty run) so that a
# sanitizer build's larger baseline does not count against the budget.
peak=$(sed -n 's/.*peak_rss_kb=\([0-9]*\).*/\1/p' "$T/err")
osmerge --log-level detailed /dev/null 2>"$T/base.err" >/dev/null
base=$(sed -n 's/.*peak_rss_kb=\([0-9]*\).*/\1/p' "$T/base.err")
echo "# peak_rss_kb=$peak baseline=$base budget=$budget_kb input=$size_kb"
# ASan's quarantine and shadow memory are not ours: skip the RSS bounds there.
asan=$(ldd "$TOP/bin/osmerge" 2>/dev/null | grep -c asan || true)
if [ "$asan" != 0 ]; then
	echo "# sanitizer build: RSS bounds not checked"
else
t_eq "peak RSS - baseline ($((peak - base)) KiB) within 1.25 x budget" \
	"$([ $((peak - base)) -le $((budget_kb * 5 / 4)) ] && echo yes)" yes
t_eq "peak RSS far below the input size" "$([ "$peak" -lt $((size_kb / 2)) ] && echo yes)" yes
if [ -x /usr/bin/time ]; then
	/usr/bin/time -v osmerge --sort --memory 4M --tmpdir "$T/tmp" "$T/shuf" 2>"$T/time.err" >"$T/small2"
	tpeak=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time.err")
	echo "# /usr/bin/time -v: maximum resident set size $tpeak KiB"
	t_eq "time -v agrees: peak RSS - baseline within 1.25 x budget" \
		"$([ $((tpeak - base)) -le $((budget_kb * 5 / 4)) ] && echo yes)" yes
	t_same_file "second 4M sort: same bytes" "$T/small2" "$T/ref"
fi
fi

# Sorting by another key: several LZ4 inputs, key host.name then
# @timestamp descending; reference from sort(1) on the same fields.
head -n 60000 "$T/shuf" | lz4 -q -c >"$T/p1"
tail -n +60001 "$T/shuf" >"$T/p2"
t_run "sort by host.name, @timestamp:desc, LZ4 + plain" 0 "" \
	osmerge --sort --memory 4M --tmpdir "$T/tmp" -k host.name -k @timestamp:desc -o "$T/byhost" "$T/p1" "$T/p2"
# host.name is field 18 ("web-N"): bytewise; then time descending, stable.
sort -s -t'"' -k18,18 -k12,12r "$T/shuf" >"$T/ref2"
t_same_file "sort by two keys equals sort(1)" "$T/byhost" "$T/ref2"
t_run "the result merges as sorted by those keys" 0 "" osmerge -k host.name -k @timestamp:desc "$T/byhost"

# --unique after --sort: every document twice (in different inputs).
t_run "--sort --unique over a doubled input" 0 "dropped 120000 duplicates" \
	osmerge --sort --unique --memory 4M --tmpdir "$T/tmp" -o "$T/uniq" "$T/shuf" "$T/p1" "$T/p2"
t_same_file "--sort --unique gives the single copy" "$T/uniq" "$T/ref"
t_eq "temp dir empty at the end" "$(find "$T/tmp" | wc -l)" 1
t_done
