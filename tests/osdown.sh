#!/bin/sh
# tests/osdown.sh - osdown: usage and bad-input table, exact CSV for a small
# input, LZ4/stdin/FIFO inputs, atomic output, signal cleanup, bounded
# memory on 10x the data, and the pandas/DuckDB round trip.
. "$(dirname "$0")/setup"

# STATUS | ARGS | STDIN | STDERR-REGEX
t_table osdown <<'EOF'
0 | --version | |
0 | --help | |
2 | --bogus | | ^osdown: unknown option '--bogus' \(try 'osdown --help'\)$
2 | -Z | | ^osdown: unknown option '-Z' \(try 'osdown --help'\)$
2 | -o | | ^osdown: option '-o' needs a value \(try 'osdown --help'\)$
2 | --delimiter ab | | ^osdown: bad --delimiter
2 | --delimiter '"' | | ^osdown: bad --delimiter
2 | --max-line 0 | | ^osdown: bad --max-line
2 | --max-line 1X | | ^osdown: bad --max-line
2 | --category-max -1 | | ^osdown: bad --category-max
2 | --log-level loud | | ^osdown: bad --log-level
2 | - - | | ^osdown: stdin \('-'\) can be read only once
2 | -o same --schema same | | ^osdown: --output and --schema name the same file
6 | /nonexistent/x.ndjson | | ^osdown: /nonexistent/x.ndjson: No such file or directory$
7 | | {"a":1}\n{"a":\n | ^osdown: stdin:2: invalid JSON: premature EOF
7 | | [1,2]\n | ^osdown: stdin:1: not a JSON object$
7 | | 42\n | ^osdown: stdin:1: not a JSON object$
7 | | "x"\n | ^osdown: stdin:1: not a JSON object$
7 | | {"a":1}\n\nnull\n | ^osdown: stdin:3: not a JSON object$
7 | | {"a":1}{"b":2}\n | ^osdown: stdin:1: invalid JSON: trailing garbage
7 | | {"a":NaN}\n | ^osdown: stdin:1: invalid JSON
7 | | {a:1}\n | ^osdown: stdin:1: invalid JSON: lexical error
7 | | {"a":"x}\n | ^osdown: stdin:1: invalid JSON
7 | --max-line 16 | {"a":1}\n{"a":"0123456789ab"}\n | ^osdown: stdin:2: line longer than 16 bytes \(--max-line\)$
0 | --max-line 16 | {"a":"01234567"}\n | osdown 1 rows
0 | | \n  \n{}\n | osdown 1 rows, 0 columns
EOF

# Exact output: flattening, normalisation, quoting, nulls, column order.
printf '%s\n' \
  '{"id":"a","n":1.0,"f":0.5,"ok":true,"s":"x,y","ts":"2024-03-01T01:00:00+01:00","geo":{"lat":1.25},"tags":["a","b"],"e":0}' \
  '{"id":"b","n":-7,"f":-2.75,"ok":false,"s":"say \"hi\"\nthere","ts":"2024-02-29","tags":[],"e":1709251200123,"extra":null}' \
  '{"id":"c","n":25e0,"f":null,"s":"","ts":"2024-03-01T00:00:00.5Z","geo":{"lat":-3},"tags":[1,{"k":2}]}' \
  >"$T/small.ndjson"
printf '%s\r\n%s\r\n%s\n%s\r\n%s\r\n' \
  'id,n,f,ok,s,ts,geo.lat,tags,e,extra' \
  'a,1,0.5,true,"x,y",2024-03-01T00:00:00.000Z,1.25,"[""a"",""b""]",1970-01-01T00:00:00.000Z,' \
  'b,-7,-2.75,false,"say ""hi""' \
  'there",2024-02-29T00:00:00.000Z,,[],2024-03-01T00:00:00.123Z,' \
  'c,25,,,"",2024-03-01T00:00:00.500Z,-3,"[1,{""k"":2}]",,' >"$T/want.csv"
t_run "small input" 0 '' osdown --date-fields e -o "$T/small.csv" --schema "$T/small.json" "$T/small.ndjson"
t_same_file "small input: exact CSV" "$T/small.csv" "$T/want.csv"
types=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(" ".join("%s:%s:%s:%s" % (c["name"], c["type"], int(c["nullable"]), c["pandas"]) for c in s["columns"]))' "$T/small.json")
t_eq "small input: schema types" "$types" "id:string:0:string n:int8:0:int8 f:float32:1:float32 ok:bool:1:boolean s:string:0:string ts:timestamp:0:datetime64[ms, UTC] geo.lat:float32:1:float32 tags:string:0:string e:timestamp:1:datetime64[ms, UTC] extra:string:1:string"

# Options: --fields (order, unknown field, others dropped), tab, --array-sep.
t_run "--fields" 0 '' osdown --fields ok,nothere,id "$T/small.ndjson"
t_eq "--fields: header and rows" "$(tr -d '\r' <"$T/out")" "$(printf 'ok,nothere,id\ntrue,,a\nfalse,,b\n,,c')"
t_run "--delimiter tab" 0 '' osdown --delimiter tab --fields id,s "$T/small.ndjson"
t_eq "--delimiter tab: comma unquoted" "$(sed -n 2p "$T/out" | tr -d '\r')" "$(printf 'a\tx,y')"
printf '{"t":["a","b\\tc",1,null,true]}\n{"t":[[1]]}\n' >"$T/arr.ndjson"
t_run "--array-sep" 0 '' osdown --array-sep ';' "$T/arr.ndjson"
t_eq "--array-sep: joined, nested stays JSON" "$(tr -d '\r' <"$T/out")" "$(printf 't\na;b\tc;1;;true\n[[1]]')"
t_run "--category-max 0" 0 '' osdown --category-max 0 --schema "$T/c0.json" "$T/small.ndjson"

# Invalid UTF-8 becomes U+FFFD and is counted; NUL is kept, quoted.
printf '{"s":"caf\351","t":"a\\u0000b"}\n' >"$T/bad8.ndjson"
t_run "invalid UTF-8" 0 'osdown 1 invalid UTF-8 bytes written as U\+FFFD' osdown "$T/bad8.ndjson"
t_eq "invalid UTF-8: replaced, NUL quoted" "$(sed -n 2p "$T/out" | od -An -c | tr -s ' ')" \
  "$(printf 'caf\357\277\275,"a\000b"\r\n' | od -An -c | tr -s ' ')"

# Inputs: several files, LZ4 detected by magic, stdin, FIFO: same CSV.
head -n 2 "$T/small.ndjson" >"$T/p1.ndjson"
tail -n 1 "$T/small.ndjson" | lz4 -q -c >"$T/p2.bin"
t_run "plain + LZ4 files" 0 '' osdown --date-fields e -o "$T/multi.csv" "$T/p1.ndjson" "$T/p2.bin"
t_same_file "plain + LZ4 files: same CSV" "$T/multi.csv" "$T/want.csv"
mkdir "$T/tmp"
lz4 -q -c "$T/small.ndjson" | TMPDIR="$T/tmp" t_run "LZ4 on stdin" 0 '' osdown --date-fields e
t_same_file "LZ4 on stdin: same CSV" "$T/out" "$T/want.csv"
t_eq "stdin spool removed" "$(ls -A "$T/tmp")" ""
mkfifo "$T/fifo"
cat "$T/small.ndjson" >"$T/fifo" &
TMPDIR="$T/tmp" t_run "FIFO input (read once, spooled)" 0 '' osdown --date-fields e "$T/fifo"
t_same_file "FIFO input: same CSV" "$T/out" "$T/want.csv"
t_eq "FIFO spool removed" "$(ls -A "$T/tmp")" ""

# Bad input never leaves output behind, whichever file it is in.
mkdir "$T/o"
printf '{"a":1}\n{"a":2}\n{"a":\n' >"$T/bad.ndjson"
t_run "bad second file" 7 "^osdown: $T/bad.ndjson:3: invalid JSON" \
  osdown -o "$T/o/x.csv" --schema "$T/o/x.json" "$T/p1.ndjson" "$T/bad.ndjson"
t_eq "bad input: no output files" "$(ls -A "$T/o")" ""
head -c 40 "$T/p2.bin" >"$T/trunc.lz4"
t_run "truncated LZ4" 7 "^osdown: $T/trunc.lz4:1: corrupt or truncated LZ4 frame" osdown -o "$T/o/x.csv" "$T/trunc.lz4"
t_eq "truncated LZ4: no output files" "$(ls -A "$T/o")" ""
t_run "unwritable output dir" 6 "^osdown: $T/none/x.csv: No such file" osdown -o "$T/none/x.csv" "$T/p1.ndjson"

if [ -w /dev/full ]; then
	t_run "stdout full" 6 '^osdown: stdout: No space left on device$' sh -c "osdown '$T/p1.ndjson' >/dev/full"
fi

awk 'BEGIN { for (i = 0; i < 20000; i++) printf "{\"id\":\"row-%d\",\"v\":%d,\"s\":\"padding padding padding\"}\n", i, i }' >"$T/big.ndjson"
# A reader that goes away (SIGPIPE) leaves no schema temp file.
( s=0; osdown --schema "$T/o/p.json" "$T/big.ndjson" || s=$?; echo $s >"$T/pipe.st" ) | head -c 10 >/dev/null
t_eq "SIGPIPE: died of it" "$(cat "$T/pipe.st")" 141
t_eq "SIGPIPE: no files left" "$(ls -A "$T/o")" ""

# Paths that are not regular files are written in place; a symlink is kept
# and its target replaced.
t_run "-o /dev/stdout (a file)" 0 '' osdown -o /dev/stdout --date-fields e "$T/small.ndjson"
t_same_file "-o /dev/stdout: the CSV" "$T/out" "$T/want.csv"
t_eq "-o /dev/stdout: still a link" "$(readlink /dev/stdout)" "/proc/self/fd/1"
t_run "-o - (stdout)" 0 '' osdown -o - --date-fields e "$T/small.ndjson"
t_same_file "-o -: the CSV" "$T/out" "$T/want.csv"
echo old >"$T/o/target.csv"
ln -s target.csv "$T/o/link.csv"
t_run "-o a symlink" 0 '' osdown -o "$T/o/link.csv" --date-fields e "$T/small.ndjson"
t_eq "-o a symlink: link kept" "$(readlink "$T/o/link.csv")" "target.csv"
t_same_file "-o a symlink: target written" "$T/o/target.csv" "$T/want.csv"
rm -f "$T/o/link.csv" "$T/o/target.csv"

# Mode of a published file follows the umask, not mkstemp's 0600.
t_run "published file" 0 '' sh -c "umask 022 && osdown -o '$T/o/m.csv' '$T/p1.ndjson'"
t_eq "published file mode" "$(stat -c %a "$T/o/m.csv")" 644
rm -f "$T/o/m.csv"

# SIGTERM in pass 2 (stdout blocked on a FIFO nobody reads): exit 130 and
# the schema's temp file is gone.
mkfifo "$T/outfifo"
osdown --schema "$T/o/s.json" "$T/big.ndjson" >"$T/outfifo" 2>"$T/sig.err" &
pid=$!
exec 3<"$T/outfifo"
t_until 300 sh -c '[ -n "$(ls -A "$1")" ]' sh "$T/o" || fail "SIGTERM: no schema temp file after 300 s"
t_eq "SIGTERM: schema temp file exists while blocked" "$(ls "$T/o" | sed 's/XXXXXX$//; s/\.part\..*/.part/')" "s.json.part"
kill -TERM $pid
st=0
wait $pid || st=$?
exec 3<&-
t_eq "SIGTERM: exit 130" "$st" 130
t_eq "SIGTERM: no files left" "$(ls -A "$T/o")" ""

# Memory: peak RSS on 10x the rows within a few MB of 1x (high-cardinality
# strings fill the dictionaries to their cap and beyond).
awk 'BEGIN { for (i = 0; i < 30000; i++) printf "{\"@timestamp\":\"2024-03-01T00:00:%02d.%03dZ\",\"id\":\"doc-%d\",\"host\":\"h%d\",\"bytes\":%d,\"ratio\":%d.25,\"msg\":\"message number %d with some text\",\"tags\":[\"t%d\"]}\n", i % 60, i % 1000, i, i % 50, i * 7, i % 100, i, i % 5 }' >"$T/m1.ndjson"
: >"$T/m10.ndjson"
for k in 0 1 2 3 4 5 6 7 8 9; do sed "s/doc-/doc-$k-/" "$T/m1.ndjson" >>"$T/m10.ndjson"; done
rss() { osdown --log-level detailed -o "$T/m.csv" "$1" 2>&1 | sed -n 's/.*peak_rss_kb=//p'; }
r1=$(rss "$T/m1.ndjson")
r10=$(rss "$T/m10.ndjson")
echo "# peak RSS: 1x ${r1} KiB, 10x ${r10} KiB"
if ldd "$TOP/bin/osdown" 2>/dev/null | grep -q libasan; then
	pass "peak RSS # SKIP: sanitizer build ($r1 KiB vs $r10 KiB)"
elif [ -n "$r1" ] && [ -n "$r10" ] && [ $((r10 - r1)) -lt 3072 ]; then
	pass "peak RSS on 10x within 3 MB of 1x ($r1 KiB vs $r10 KiB)"
else
	fail "peak RSS on 10x not within 3 MB of 1x ($r1 KiB vs $r10 KiB)"
fi
t_eq "10x: every row written" "$(($(wc -l <"$T/m.csv") - 1))" "$(wc -l <"$T/m10.ndjson")"

# pandas (and DuckDB when installed) read the CSV back equal to the NDJSON.
if python3 -c 'import pandas' 2>/dev/null; then
	python3 "$TOP/tests/osdown_roundtrip.py" --osdown "$TOP/bin/osdown" >"$T/rt.log" 2>&1 || true
	grep -E '^(not )?ok - |^#' "$T/rt.log" | sed 's/^\(not \)\{0,1\}ok - /&roundtrip: /'
	T_PASS=$((T_PASS + $(grep -c '^ok - ' "$T/rt.log" || true)))
	T_FAIL=$((T_FAIL + $(grep -c '^not ok - ' "$T/rt.log" || true)))
	grep -q '^ok - ' "$T/rt.log" || fail "roundtrip: no result: $(tail -3 "$T/rt.log")"
	# The sample data from the server (tests/run loads it): one daily logs
	# index and one monthly metrics index, fetched, merged, round-tripped.
	if [ -n "${OS_URL:-}" ] && [ -x "$TOP/bin/osfetch" ] && [ -x "$TOP/bin/osmerge" ]; then
		for spec in "logs-2024.02.29 2024-02-29T00:00:00.000Z 2024-03-01T00:00:00.000Z" \
		            "metrics-2024.03 2024-03-01T00:00:00.000Z 2024-04-01T00:00:00.000Z"; do
			idx=${spec%% *}
			# shellcheck disable=SC2086
			chunk=$(osfetch --log-level quiet -d "$T/cache" $spec) || { fail "osfetch $spec"; continue; }
			osmerge --log-level quiet -o "$T/$idx.ndjson" "$chunk"
			want=$(os_curl "$OS_URL/$idx/_count" | sed 's/.*"count":\([0-9]*\).*/\1/')
			python3 "$TOP/tests/osdown_roundtrip.py" --osdown "$TOP/bin/osdown" "$T/$idx.ndjson" >"$T/rt.log" 2>&1 || true
			grep -E '^(not )?ok - |^# (types|memory)' "$T/rt.log" | sed "s/^\(not \)\{0,1\}ok - /&$idx: /"
			T_PASS=$((T_PASS + $(grep -c '^ok - ' "$T/rt.log" || true)))
			T_FAIL=$((T_FAIL + $(grep -c '^not ok - ' "$T/rt.log" || true)))
			t_eq "$idx: rows in the CSV = server count" "$(grep -o 'schema rows [0-9]*' "$T/rt.log" | cut -d' ' -f3)" "$want"
		done
	else
		echo "# OS_URL not set or osfetch/osmerge not built: sample data round trip skipped"
	fi
else
	fail "pandas is not installed (scripts/deps --test installs it)"
fi
# Lone surrogate escapes: exactly one U+FFFD each, in text, names, joined
# and JSON-text arrays; a pair stays one character.  Byte for byte.
printf '%s\n' '{"s":"x\ud800y","l":"\udc00","h":"\ud800\u0041","k\udc00":"\ud83d\ude00","j":["\ud800","\udc00\ud800"]}' >"$T/sur.ndjson"
R=$(printf '\357\277\275')
t_run "lone surrogates, arrays as JSON" 0 "" osdown "$T/sur.ndjson"
printf 's,l,h,k%s,j\r\nx%sy,%s,%sA,\360\237\230\200,"[""%s"",""%s%s""]"\r\n' "$R" "$R" "$R" "$R" "$R" "$R" "$R" >"$T/sur.want"
t_same_file "lone surrogates: one U+FFFD each" "$T/out" "$T/sur.want"
t_run "lone surrogates, joined arrays" 0 "" osdown --array-sep '|' "$T/sur.ndjson"
printf 's,l,h,k%s,j\r\nx%sy,%s,%sA,\360\237\230\200,%s|%s%s\r\n' "$R" "$R" "$R" "$R" "$R" "$R" "$R" >"$T/sur.want"
t_same_file "lone surrogates, joined: one U+FFFD each" "$T/out" "$T/sur.want"

# Column names reach log lines escaped: a key cannot forge or hide a line.
printf '%s\n' '{"a\nb 2026-01-01T00:00:00.000Z osdown FORGED":1,"c\u001b[2J\\":2}' >"$T/forge.ndjson"
t_run "names in log lines" 0 "" osdown --log-level detailed --log-file "$T/forge.log" "$T/forge.ndjson"
grep -c '^[0-9T:.-]*Z osdown ' "$T/err" >"$T/n1" || true
t_eq "names in log lines: every stderr line is a log line" "$(cat "$T/n1")" "$(wc -l <"$T/err" | tr -d ' ')"
t_eq "names in log lines: every log file line is a log line" "$(grep -c '^[0-9T:.-]*Z osdown ' "$T/forge.log")" \
	"$(wc -l <"$T/forge.log" | tr -d ' ')"
grep -qF "column 'a\nb 2026-01-01T00:00:00.000Z osdown FORGED'" "$T/err" &&
	grep -qF "column 'c\x1b[2J\\\\'" "$T/err" && pass "names in log lines: shown escaped" ||
	fail "names in log lines: $(cat "$T/err")"
! grep -q "$(printf '\033')" "$T/err" && pass "names in log lines: no terminal escape" || fail "names in log lines: ESC byte"

# One depth rule for every tool (OSDL_MAX_DEPTH, LIMITS in the man pages):
# 600 levels pass, as at the limit; one more is bad data (exit 7).
deep() { python3 -c 'import sys; n = int(sys.argv[1]) - 1
print("{\"@timestamp\":\"2024-03-01T00:00:00Z\",\"a\":" + "[" * n + "]" * n + "}")' "$1"; }
lim=$(sed -n 's/^#define OSDL_MAX_DEPTH \([0-9]*\)$/\1/p' "$TOP/lib/osdl.h")
deep 600 >"$T/d600.ndjson"
deep "$lim" >"$T/dlim.ndjson"
deep $((lim + 1)) >"$T/dover.ndjson"
t_run "600 levels deep" 0 "" osdown "$T/d600.ndjson"
t_eq "600 levels deep: the array as JSON text" "$(sed -n 2p "$T/out" | tr -d '\r')" \
	"$(python3 -c 'print("2024-03-01T00:00:00.000Z," + "[" * 599 + "]" * 599)')"
t_run "$lim levels deep" 0 "" osdown "$T/dlim.ndjson"
t_run "$((lim + 1)) levels deep" 7 "dover.ndjson:1: JSON nested deeper than $lim levels" osdown "$T/dover.ndjson"
t_done
