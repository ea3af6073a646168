#!/bin/sh
# tests/osmerge.sh - osmerge's command line: usage errors, every bad-input
# case (message and exit status), output handling, stdin, --files-from,
# LZ4 in and out, --unique, --skip-bad, keys, and clean-up on signals.
. "$(dirname "$0")/setup"
GEN="$TOP/tests/osmerge_gen.awk"

# STATUS | ARGS | STDIN | STDERR-REGEX
t_table osmerge <<'EOF'
0 | -V | |
0 | --help | |
2 | --bogus | | ^osmerge: unknown option '--bogus' \(try 'osmerge --help'\)$
2 | -Z | | ^osmerge: unknown option '-Z' \(try 'osmerge --help'\)$
2 | -o | | ^osmerge: option '-o' needs a value \(try 'osmerge --help'\)$
2 | --memory 1M | | ^osmerge: bad --memory '1M'
2 | --memory lots | | ^osmerge: bad --memory 'lots'
2 | --max-line 0 | | ^osmerge: bad --max-line
2 | -k a:up | | ^osmerge: bad key 'a:up'
2 | -k '' | | ^osmerge: bad key ''
2 | --missing middle | | ^osmerge: bad --missing 'middle'
2 | --log-level loud | | ^osmerge: bad --log-level
2 | --sorted-keys 0 | | ^osmerge: bad --sorted-keys '0'
2 | --sorted-keys x | | ^osmerge: bad --sorted-keys 'x'
2 | -k a --sorted-keys 2 | | ^osmerge: --sorted-keys 2: only 1 keys given
2 | - - | | ^osmerge: standard input .* only once
2 | --files-from - - | | ^osmerge: standard input .* only once
# bad input on stdin: one line with file and line number
7 | | not json\n | ^osmerge: \(stdin\):1: invalid JSON at byte 1$
7 | | {"@timestamp":"2024-03-01"}\n{"a":1,}\n | ^osmerge: \(stdin\):2: invalid JSON at byte 8$
7 | | {"a":"x\n | ^osmerge: \(stdin\):1: invalid JSON
7 | | [1,2]\n | ^osmerge: \(stdin\):1: not a JSON object$
7 | | {"a":1}\n"str"\n | ^osmerge: \(stdin\):2: not a JSON object$
7 | | {"a":1}\n\n{"a":2}\n | ^osmerge: \(stdin\):2: empty line$
7 | --max-line 10 | {"a":1}\n{"a":"xxxxxxxxxxxxxxx"}\n | ^osmerge: \(stdin\):2: line longer than 10 bytes \(--max-line\)$
7 | | {"@timestamp":"2024-03-02T00:00:00Z"}\n{"@timestamp":"2024-03-01T00:00:00Z"}\n | ^osmerge: \(stdin\):2: out of order: key "2024-03-01T00:00:00Z" after "2024-03-02T00:00:00Z"
7 | -k n | {"n":10}\n{"n":9}\n | ^osmerge: \(stdin\):2: out of order: key 9 after 10
7 | -k n:desc | {"n":9}\n{"n":10}\n | ^osmerge: \(stdin\):2: out of order
6 | /nonexistent/x.ndjson | | ^osmerge: /nonexistent/x.ndjson: cannot open: No such file or directory$
6 | /tmp | | ^osmerge: /tmp: cannot open: Is a directory$
6 | --files-from /nonexistent/list | | ^osmerge: /nonexistent/list: cannot open
6 | -o /nonexistent/dir/out | {"a":1}\n | ^osmerge: /nonexistent/dir/out: No such file or directory$
2 | --sort --tmpdir '' | {"a":1}\n | ^osmerge: --tmpdir needs a directory, not an empty string$
2 | --sort --tmpdir= | {"a":1}\n | ^osmerge: --tmpdir needs a directory
6 | --sort --tmpdir /nonexistent/tmp | {"a":1}\n | ^osmerge: cannot create a temporary directory in /nonexistent/tmp
# --skip-bad: counted, never silent
0 | --skip-bad | {"a":1}\nbad\n[1]\n\n{"a":2}\n | skipped 3 bad lines and 0 unreadable files
0 | --skip-bad --max-line 10 | {"a":1}\n{"a":"xxxxxxxxxxxxxxx"}\n | skipped 1 bad lines
0 | --skip-bad - /nonexistent/x | {"a":1}\n | skipped 0 bad lines and 1 unreadable files
# --sorted-keys 1: only the first key must be sorted; ties sorted by the rest
7 | -k t -k i | {"t":1,"i":2}\n{"t":1,"i":1}\n | \(stdin\):2: out of order: key 1, 1 after 1, 2
0 | -k t -k i --sorted-keys 1 | {"t":1,"i":2}\n{"t":1,"i":1}\n{"t":2,"i":0}\n | 3 documents
7 | -k t -k i --sorted-keys 1 | {"t":2,"i":2}\n{"t":1,"i":1}\n | \(stdin\):2: out of order: key 1 after 2
# sorted input passes, descending and missing placement
0 | -k n:desc | {"n":10}\n{"n":9}\n{"x":1}\n |
7 | -k n:desc | {"x":1}\n{"n":10}\n | out of order: key 10 after \(missing\)
0 | -k n:desc --missing first | {"x":1}\n{"n":10}\n |
0 | --sort | {"@timestamp":"2024-03-02"}\n{"@timestamp":"2024-03-01"}\n | 2 documents
EOF

# --version text
t_eq "--version" "$(osmerge --version)" "osmerge osdl $(sed -n 's/^#define OSDL_VERSION "\(.*\)"/\1/p' "$TOP/lib/osdl.h")"
# --help lists every long option of the man page
missing=""
for o in $(sed 's/\\//g' "$TOP/docs/osmerge.1" | grep -o -- '--[a-z][a-z-]*' | sed 's/^--//' | sort -u); do
	osmerge --help | grep -q -- "--$o" || missing="$missing $o"
done
t_eq "--help lists every option of the man page" "$missing" ""

# Inputs: a, b sorted with ties across them; expected merge done by hand.
printf '%s\n' '{"_id":"a1","@timestamp":"2024-03-01T00:00:01.000Z"}' \
	'{"_id":"a2","@timestamp":"2024-03-01T00:00:03.000Z"}' \
	'{"_id":"x","@timestamp":"2024-03-01T00:00:03.000Z"}' >"$T/a"
printf '%s\n' '{"_id":"b1","@timestamp":"2024-03-01T02:00:02+02:00"}' \
	'{"_id":"x","@timestamp":"2024-03-01T00:00:03Z"}' >"$T/b"
printf '%s\n' '{"_id":"a1","@timestamp":"2024-03-01T00:00:01.000Z"}' \
	'{"_id":"b1","@timestamp":"2024-03-01T02:00:02+02:00"}' \
	'{"_id":"a2","@timestamp":"2024-03-01T00:00:03.000Z"}' \
	'{"_id":"x","@timestamp":"2024-03-01T00:00:03.000Z"}' \
	'{"_id":"x","@timestamp":"2024-03-01T00:00:03Z"}' >"$T/want"
t_run "merge two files" 0 "5 documents" osmerge "$T/a" "$T/b"
t_same_file "merge two files: output" "$T/out" "$T/want"
grep -v '"x","@timestamp":"2024-03-01T00:00:03Z"' "$T/want" >"$T/want.u"
t_run "--unique reports the count" 0 "dropped 1 duplicates" osmerge --unique "$T/a" "$T/b"
t_same_file "--unique output" "$T/out" "$T/want.u"

# stdin, LZ4 input detected by magic (no .lz4 name), -z output, -o.
lz4 -q -c "$T/b" >"$T/b.compressed"
t_run "lz4 input by magic, stdin" 0 "" sh -c 'osmerge - "$1" <"$2"' sh "$T/b.compressed" "$T/a"
sort "$T/want" >"$T/want.s"
sort "$T/out" >"$T/got.s"
t_same_file "lz4 and stdin: same documents" "$T/got.s" "$T/want.s"
t_run "-z -o" 0 "" osmerge -z -o "$T/o.lz4" "$T/a" "$T/b.compressed"
lz4 -dc "$T/o.lz4" >"$T/o.plain"
t_same_file "-z output is an LZ4 frame of the merge" "$T/o.plain" "$T/want"
t_eq "-o leaves no temp file" "$(ls "$T" | grep -c 'tmp\.')" 0
# A failing merge leaves nothing under the output name (nor a temp).
printf '{"@timestamp":"2024-03-02"}\n{"@timestamp":"2024-03-01"}\n' >"$T/unsorted"
t_run "failed merge" 7 "unsorted:2: out of order" osmerge -o "$T/failed" "$T/a" "$T/unsorted"
t_eq "failed merge leaves no output" "$(ls "$T" | grep -c '^failed')" 0
# Truncated and corrupt LZ4.
awk -v n=6000 -f "$GEN" | lz4 -q -B4 -c >"$T/full.lz4"
head -c $(($(wc -c <"$T/full.lz4") * 2 / 3)) "$T/full.lz4" >"$T/trunc.lz4"
t_run "truncated LZ4 frame" 7 "^osmerge: $T/trunc.lz4:[0-9]+: corrupt or truncated LZ4 frame$" osmerge "$T/trunc.lz4"
t_run "truncated LZ4 frame, --skip-bad" 0 "skipped 1 bad lines" osmerge --skip-bad "$T/trunc.lz4"
n=$(wc -l <"$T/out")
t_eq "truncated LZ4 with --skip-bad keeps the $n lines before" "$([ "$n" -gt 10 ] && [ "$n" -lt 6000 ] && echo yes)" yes
{ head -c 3000 "$T/full.lz4"; head -c 3000 /dev/zero; tail -c +6001 "$T/full.lz4"; } >"$T/corrupt.lz4"
t_run "corrupt LZ4 block" 7 "corrupt or truncated LZ4 frame" osmerge "$T/corrupt.lz4"
t_run "empty file" 0 "0 documents" osmerge /dev/null

# FIFOs cannot be read twice: they stay open from the first look on.
mkfifo "$T/f1" "$T/f2"
cat "$T/a" >"$T/f1" &
lz4 -q -c "$T/b" >"$T/f2" &
t_run "two FIFOs (one LZ4)" 0 "5 documents" osmerge "$T/f1" "$T/f2"
t_same_file "two FIFOs: output" "$T/out" "$T/want"
wait

# --files-from, from a file and from stdin, with blank lines.
printf '%s\n\n%s\n' "$T/a" "$T/b" >"$T/list"
t_run "--files-from FILE" 0 "5 documents" osmerge --files-from "$T/list"
t_same_file "--files-from FILE output" "$T/out" "$T/want"
t_run "--files-from -" 0 "5 documents" sh -c 'osmerge --files-from - <"$1"' sh "$T/list"
t_same_file "--files-from - output" "$T/out" "$T/want"

# Several keys, nested paths, numbers compared exactly.
printf '%s\n' '{"h":{"n":"b"},"v":2}' '{"h":{"n":"a"},"v":10000000000000000001}' \
	'{"h":{"n":"a"},"v":10000000000000000000}' '{"h.n":"a","v":1e19}' '{"v":5}' >"$T/k"
printf '%s\n' '{"h":{"n":"a"},"v":10000000000000000001}' '{"h":{"n":"a"},"v":10000000000000000000}' \
	'{"h.n":"a","v":1e19}' '{"h":{"n":"b"},"v":2}' '{"v":5}' >"$T/k.want"
t_run "--sort -k h.n -k v:desc" 0 "" osmerge --sort -k h.n -k v:desc "$T/k"
t_same_file "--sort -k h.n -k v:desc: output" "$T/out" "$T/k.want"
t_run "sorted by two keys merges cleanly" 0 "" osmerge -k h.n -k v:desc "$T/k.want"

# Output errors are checked: a full disk is an I/O error.
t_run "write error on stdout" 6 "^osmerge: \(stdout\): write error: No space left on device$" \
	sh -c 'osmerge "$1" "$2" >/dev/full' sh "$T/a" "$T/b"

# A reader that goes away (SIGPIPE) still leaves no temp files.
awk -v n=30000 -v seed=6 -f "$GEN" | sort >"$T/pipein"
mkdir "$T/ptmp"
first=$(osmerge --sort --memory 4M --tmpdir "$T/ptmp" "$T/pipein" 2>/dev/null | head -n 1)
t_eq "SIGPIPE during the final merge: first line written" "$(echo "$first" | cut -c1-8)" '{"_id":"'
t_eq "SIGPIPE: temp dir cleaned" "$(find "$T/ptmp" | wc -l)" 1

# --sorted-keys 1 as osdownload uses it: time-sorted chunks, _id ties.
printf '%s\n' '{"_id":"c","t":1}' '{"_id":"a","t":1}' '{"_id":"b","t":2}' >"$T/s1"
printf '%s\n' '{"_id":"b","t":1}' '{"_id":"a","t":2}' '{"_id":"d","t":2}' >"$T/s2"
printf '%s\n' '{"_id":"a","t":1}' '{"_id":"b","t":1}' '{"_id":"c","t":1}' \
	'{"_id":"a","t":2}' '{"_id":"b","t":2}' '{"_id":"d","t":2}' >"$T/s.want"
t_run "-k t -k _id --sorted-keys 1" 0 "6 documents" osmerge -k t -k _id --sorted-keys 1 "$T/s1" "$T/s2"
t_same_file "-k t -k _id --sorted-keys 1: output" "$T/out" "$T/s.want"
t_run "stdin with --sorted-keys 1" 0 "6 documents" sh -c 'osmerge -k t -k _id --sorted-keys 1 "$1" - <"$2"' sh "$T/s1" "$T/s2"
t_same_file "stdin with --sorted-keys 1: output" "$T/out" "$T/s.want"

# Signals: temp files and partial output are removed, exit 130.
awk -v n=40000 -v seed=5 -f "$GEN" | sort >"$T/big"
mkdir "$T/tmp"
for sig in TERM INT HUP; do
	mkfifo "$T/fifo"
	osmerge --sort --memory 4M --tmpdir "$T/tmp" -o "$T/sigout" <"$T/fifo" 2>"$T/sigerr" &
	pid=$!
	exec 3>"$T/fifo"
	cat "$T/big" >&3
	# wait until runs were spilled (the input is ~8 MB, the budget 4M)
	t_until 300 sh -c '[ -n "$(find "$1" -type f)" ]' sh "$T/tmp" || fail "SIG$sig: no run spilled after 300 s"
	spilled=$(find "$T/tmp" -type f | wc -l)
	kill -$sig $pid
	st=0
	wait $pid || st=$?
	exec 3>&-
	rm -f "$T/fifo"
	t_eq "SIG$sig while sorting: exit 130 after spilling $spilled runs" "$st" 130
	t_eq "SIG$sig: temp dir cleaned" "$(find "$T/tmp" | wc -l)" 1
	t_eq "SIG$sig: no output or temp output" "$(ls "$T" | grep -c sigout)" 0
done

# Whatever a caller does not escape, a log line stays one line: a file
# name with a newline, skipped.
nlname="$T/gone
2026-01-01T00:00:00.000Z osmerge FORGED"
echo "{\"a\":1}" >"$T/forgein.ndjson"
t_run "file name with a newline in a log line" 0 "skipped: cannot open" osmerge --skip-bad "$nlname" "$T/forgein.ndjson"
t_eq "file name with a newline: one stderr line per message" "$(grep -c '^[0-9T:.-]*Z osmerge ' "$T/err")" \
	"$(wc -l <"$T/err" | tr -d ' ')"

# One depth rule for every tool (OSDL_MAX_DEPTH, LIMITS in the man pages):
# 600 levels pass, as at the limit; one more is bad data (exit 7).
deep() { python3 -c 'import sys; n = int(sys.argv[1]) - 1
print("{\"@timestamp\":\"2024-03-01T00:00:00Z\",\"a\":" + "[" * n + "]" * n + "}")' "$1"; }
lim=$(sed -n 's/^#define OSDL_MAX_DEPTH \([0-9]*\)$/\1/p' "$TOP/lib/osdl.h")
deep 600 >"$T/d600.ndjson"
deep "$lim" >"$T/dlim.ndjson"
deep $((lim + 1)) >"$T/dover.ndjson"
t_run "600 levels deep" 0 "" osmerge "$T/d600.ndjson"
t_same_file "600 levels deep: line unchanged" "$T/out" "$T/d600.ndjson"
t_run "$lim levels deep" 0 "" osmerge --sort "$T/dlim.ndjson"
t_same_file "$lim levels deep: line unchanged" "$T/out" "$T/dlim.ndjson"
t_run "$((lim + 1)) levels deep" 7 "dover.ndjson:1: JSON nested deeper than $lim levels" osmerge "$T/dover.ndjson"
t_done
