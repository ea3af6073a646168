#!/bin/sh
# tests/osdown_parquet.sh - osdown --format parquet: usage table, every value
# read back by pyarrow, pandas and DuckDB for each codec and with several row
# groups (tests/parquet_check.py), empty inputs, no file left on failure,
# stdout, invalid UTF-8, the dictionary's fallback to PLAIN, bounded memory,
# valgrind.  Needs no server.
. "$(dirname "$0")/setup"

printf '{"a":1}\n' >"$T/one.ndjson"
# STATUS | ARGS | STDIN | STDERR-REGEX
t_table osdown <<'EOF'
2 | --format xml | | ^osdown: bad --format: csv or parquet$
2 | --format parquet --compression brotli | | ^osdown: bad --compression: zstd, lz4 or none$
2 | --format parquet --row-group-size 0 | | ^osdown: bad --row-group-size
2 | --format parquet --row-group-size 1K | | ^osdown: bad --row-group-size
2 | --format parquet --row-group-size 5X | | ^osdown: bad --row-group-size
2 | --format parquet --delimiter tab | | ^osdown: --delimiter is for CSV output$
2 | -o x.parquet --delimiter tab | | ^osdown: --delimiter is for CSV output$
2 | --compression zstd | | ^osdown: --compression is for Parquet output \(--format parquet\)$
2 | -o x.csv --row-group-size 10 | | ^osdown: --row-group-size is for Parquet output
0 | --format parquet --compression none --row-group-size 4K | {"a":1}\n | osdown 1 rows, 1 columns, .* Parquet out
0 | --format parquet --row-group-size 1 | {"a":1}\n{"a":2}\n | osdown 2 rows
EOF

if ! python3 -c 'import pyarrow, duckdb, pandas' 2>/dev/null; then
	fail "pyarrow, duckdb and pandas are needed (scripts/deps --test installs them)"
	t_done
fi

# read_back FILE: "ROWS COLUMNS" as pyarrow, pandas and DuckDB see FILE.
read_back() {
	python3 - "$1" <<'PY'
import sys, duckdb, pandas as pd, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
df = pd.read_parquet(sys.argv[1])
try:
    d = duckdb.sql("SELECT count(*) FROM read_parquet(?)", params=[sys.argv[1]]).fetchall()[0][0]
except duckdb.Error:
    d = "refused"
print(t.num_rows, t.num_columns, len(df), len(df.columns), d)
PY
}

# Every value, every codec, several row groups (by rows and by bytes).
for args in "" "--compression lz4" "--compression none" \
            "--row-group-size 500 --min-row-groups 6" "--row-group-size 64K --min-row-groups 2"; do
	# shellcheck disable=SC2086
	python3 "$TOP/tests/parquet_check.py" --osdown "$TOP/bin/osdown" $args >"$T/pc.log" 2>&1 || true
	grep -E '^(not )?ok - |^# \[' "$T/pc.log"
	T_PASS=$((T_PASS + $(grep -c '^ok - ' "$T/pc.log" || true)))
	T_FAIL=$((T_FAIL + $(grep -c '^not ok - ' "$T/pc.log" || true)))
	grep -q '^# [0-9]* passed' "$T/pc.log" || fail "parquet_check $args: did not finish: $(tail -3 "$T/pc.log")"
done

# An empty result set: a valid file.  With --fields, a typed empty table
# every reader loads; with no column at all, an empty schema that pyarrow
# and pandas read and DuckDB refuses (it wants at least one column).
: >"$T/empty.ndjson"
t_run "empty input, --fields" 0 '' osdown -o "$T/e2.parquet" --fields a,b "$T/empty.ndjson"
t_eq "empty input, --fields: 0 rows, 2 columns in every reader" "$(read_back "$T/e2.parquet")" "0 2 0 2 0"
t_run "empty input, no columns" 0 '' osdown -o "$T/e0.parquet" "$T/empty.ndjson"
t_eq "empty input, no columns: pyarrow and pandas read it" "$(read_back "$T/e0.parquet")" "0 0 0 0 refused"

# A failure leaves nothing that looks complete: bad input is found in pass
# 1, a full disk in pass 2.
mkdir "$T/o"
printf '{"a":1}\n{"a":2}\n{"a":\n' >"$T/bad.ndjson"
t_run "bad input" 7 '^osdown: .*bad.ndjson:3: invalid JSON' osdown -o "$T/o/x.parquet" --schema "$T/o/x.json" "$T/bad.ndjson"
t_eq "bad input: no files left" "$(ls -A "$T/o")" ""
if [ -w /dev/full ]; then
	t_run "stdout full" 6 '^osdown: stdout: No space left on device$' sh -c "osdown --format parquet '$T/one.ndjson' >/dev/full"
fi

# Standard output is a file like any other (the writer never seeks).
t_run "--format parquet to stdout" 0 '' sh -c "osdown --format parquet '$T/one.ndjson' | cat >'$T/pipe.parquet'"
t_eq "--format parquet to stdout: readable" "$(read_back "$T/pipe.parquet")" "1 1 1 1 1"

# Invalid UTF-8 in values and names becomes U+FFFD, as in the CSV.
printf '{"s\377":"a\377b","t":"ok"}\n' >"$T/utf8.ndjson"
t_run "invalid UTF-8" 0 "osdown 2 invalid UTF-8 bytes written as U\\+FFFD$" osdown -o "$T/u.parquet" "$T/utf8.ndjson"
t_eq "invalid UTF-8: replaced in value and name" "$(python3 -c '
import sys, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1]); print(t.column_names[0] == "s\ufffd", t.column(0)[0].as_py() == "a\ufffdb")' "$T/u.parquet")" "True True"

# Strings: a column of few values in its first page is dictionary-encoded,
# and goes on PLAIN in the same chunk once its dictionary passes 1 MiB
# (id); a column mostly distinct from the start is PLAIN (long).  Values
# longer than the 256 bytes kept in the statistics keep a lower bound and
# drop the upper one.
awk 'BEGIN { for (i = 0; i < 60000; i++) printf "{\"id\":\"%s-%06d\",\"long\":\"%0300d\"}\n", "some-long-identifier-prefix-to-fill-the-dictionary", i < 20000 ? i % 100 : i, i }' >"$T/uniq.ndjson"
t_run "dictionary fallback" 0 '' osdown -o "$T/uniq.parquet" "$T/uniq.ndjson"
t_eq "dictionary fallback: encodings" "$(python3 -c '
import sys, duckdb
print(duckdb.sql("SELECT string_agg(encodings, \x27/\x27 ORDER BY path_in_schema) FROM parquet_metadata(?)", params=[sys.argv[1]]).fetchall()[0][0])' "$T/uniq.parquet")" "PLAIN, RLE, RLE_DICTIONARY/PLAIN, RLE"
t_eq "dictionary fallback: every value in order" "$(python3 -c '
import sys, pandas as pd
df = pd.read_parquet(sys.argv[1])
print(df.id.tolist() == ["some-long-identifier-prefix-to-fill-the-dictionary-%06d" % (i % 100 if i < 20000 else i) for i in range(60000)],
      df.long.tolist() == ["%0300d" % i for i in range(60000)])' "$T/uniq.parquet")" "True True"
t_eq "long strings: inexact min, no max" "$(python3 -c '
import sys, duckdb
print(duckdb.sql("SELECT DISTINCT length(stats_min_value), min_is_exact, stats_max_value IS NULL FROM parquet_metadata(?) WHERE path_in_schema = ?", params=[sys.argv[1], "long"]).fetchall())' "$T/uniq.parquet")" "[(256, False, True)]"

# Memory: peak RSS stays under 64 MB at the default row-group size however
# large the input (10x the rows: within the bound, not 10x the memory).
awk 'BEGIN { for (i = 0; i < 30000; i++) printf "{\"@timestamp\":\"2024-03-01T00:00:%02d.%03dZ\",\"id\":\"doc-%d\",\"host\":\"h%d\",\"bytes\":%d,\"ratio\":%d.25,\"msg\":\"message number %d with some text\",\"tags\":[\"t%d\"]}\n", i % 60, i % 1000, i, i % 50, i * 7, i % 100, i, i % 5 }' >"$T/m1.ndjson"
: >"$T/m10.ndjson"
for k in 0 1 2 3 4 5 6 7 8 9; do sed "s/doc-/doc-$k-/" "$T/m1.ndjson" >>"$T/m10.ndjson"; done
rss() { osdown --log-level detailed -o "$T/m.parquet" "$@" 2>&1 | sed -n 's/.*peak_rss_kb=//p'; }
r1=$(rss "$T/m1.ndjson")
r10=$(rss "$T/m10.ndjson")
r10s=$(rss --row-group-size 1M "$T/m10.ndjson")
echo "# peak RSS: 1x ${r1} KiB, 10x ${r10} KiB, 10x with 1M row groups ${r10s} KiB"
if ldd "$TOP/bin/osdown" 2>/dev/null | grep -q libasan; then
	pass "peak RSS # SKIP: sanitizer build ($r1 KiB, $r10 KiB)"
elif [ -n "$r10" ] && [ "$r10" -lt 65536 ] && [ -n "$r10s" ] && [ "$r10s" -lt "$r10" ]; then
	pass "peak RSS on 10x under 64 MB ($r10 KiB), smaller with smaller row groups ($r10s KiB)"
else
	fail "peak RSS: 1x $r1 KiB, 10x $r10 KiB, 1M row groups $r10s KiB"
fi
t_eq "10x: every row, in several row groups" "$(python3 -c '
import sys, pyarrow.parquet as pq
m = pq.ParquetFile(sys.argv[1]).metadata; print(m.num_rows, m.num_row_groups > 1)' "$T/m.parquet")" "300000 True"

# SIGTERM while the Parquet temp file is being written: exit 130, nothing
# left (the temp file appears when pass 2 starts; if the run ends before we
# see it, the case is skipped rather than guessed).
mkdir "$T/sig"
osdown -o "$T/sig/x.parquet" --schema "$T/sig/x.json" "$T/m10.ndjson" 2>"$T/sig.err" &
pid=$!
i=0
while ! ls "$T/sig" | grep -q 'x.parquet.part' && kill -0 $pid 2>/dev/null && [ $i -lt 400 ]; do
	sleep 0.02
	i=$((i + 1))
done
if ls "$T/sig" | grep -q 'x.parquet.part' && kill -TERM $pid 2>/dev/null; then
	st=0
	wait $pid || st=$?
	t_eq "SIGTERM in pass 2: exit 130" "$st" 130
	t_eq "SIGTERM in pass 2: no files left" "$(ls -A "$T/sig")" ""
else
	wait $pid || true
	pass "SIGTERM in pass 2 # SKIP: the run ended before its temp file was seen"
fi

# valgrind: no invalid access and no leak on one run with every type.
if ldd "$TOP/bin/osdown" 2>/dev/null | grep -q libasan; then
	pass "valgrind # SKIP: sanitizer build"
elif command -v valgrind >/dev/null 2>&1; then
	python3 -c "
import sys; sys.path.insert(0, '$TOP/tests'); import osdown_roundtrip as rt, parquet_check as pc
rt.gen('$T/vg.ndjson', n=500); pc.gen_edges('$T/vg2.ndjson', n=100)"
	t_run "valgrind: clean" 0 '' valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		osdown -o "$T/vg.parquet" --schema "$T/vg.json" --row-group-size 100 --date-fields epoch "$T/vg.ndjson" "$T/vg2.ndjson"
	t_eq "valgrind: the file reads back" "$(read_back "$T/vg.parquet" | cut -d' ' -f1,5)" "600 600"
else
	fail "valgrind is not installed (scripts/deps --test installs it)"
fi
t_done
