#!/bin/sh
# tests/osshape.sh - osshape without a server: usage errors, bad counts
# lines, and what --counts input gives (tsv, gaps, --fail-on-gap, ASCII).
. "$(dirname "$0")/setup"
unset OS_URL COLUMNS
printf '{"term":' >"$T/bad.json"
A=1709251200000 # 2024-03-01T00:00:00Z
H=3600000

# STATUS | ARGS | STDIN | STDERR-REGEX
t_table osshape <<EOF
0 | -V | |
0 | --help | |
2 | --bogus | | ^osshape: unknown option '--bogus' \(try 'osshape --help'\)$
2 | -w | | ^osshape: option '-w' needs a value
2 | -f 2024-03-01 -t 2024-03-02 | | ^osshape: -i PATTERN, -f FROM and -t TO are required without --counts
2 | -i x -f 2024-03-01 | | are required
2 | --counts - -f 2024-03-01 | | ^osshape: -f FROM and -t TO go together$
2 | -i x -f 2024-03-02 -t 2024-03-01 | | ^osshape: reversed range 2024-03-02 .. 2024-03-01$
2 | -i x -f 2024-03-01 -t 2024-03-01 | | ^osshape: empty range
2 | -i x -f 2024-02-30 -t 2024-03-01 | | ^osshape: invalid FROM '2024-02-30'
2 | -i x -f 2024-03-01 -t 2024-03-02 --format csv | | ^osshape: unknown format 'csv' \(text, markdown, tsv\)$
2 | -i x -f 2024-03-01 -t 2024-03-02 --width 19 | | ^osshape: invalid --width '19': want 20..1000$
2 | -i x -f 2024-03-01 -t 2024-03-02 --width 1001 | | invalid --width
2 | -i x -f 2024-03-01 -t 2024-03-02 --width wide | | invalid --width
2 | -i x -f 2024-03-01 -t 2024-03-02 --spike-factor 0.5 | | ^osshape: invalid --spike-factor '0.5'
2 | -i x -f 2024-03-01 -t 2024-03-02 --spike-factor x | | invalid --spike-factor
2 | -i x -f 2024-03-01 -t 2024-03-02 --spike-min 0 | | ^osshape: invalid --spike-min '0'
2 | -i x -f 2024-03-01 -t 2024-03-02 --max-rows -1 | | invalid --max-rows
2 | -i x -f 2024-03-01 -t 2024-03-02 extra | | ^osshape: unexpected argument 'extra'
2 | --counts - --query $T/bad.json | | ^osshape: --query applies to the server's counts, not to --counts$
2 | --counts - --time-field ts | | ^osshape: --time-field applies
2 | --counts - | | ^osshape: no counts in - and no -f FROM -t TO$
2 | --counts - -i 'x-%Q' -f 2024-03-01 -t 2024-03-02 | | ^osshape: index pattern 'x-%Q': unsupported % token$
2 | -i x -f 2024-03-01 -t 2024-03-02 --log-level loud | | log level
6 | --counts $T/nope | | ^osshape: cannot open $T/nope: No such file or directory$
7 | --counts - | x\t1\t2\n | ^osshape: stdin:1: want INDEX<TAB>FROM_MS<TAB>TO_MS<TAB>COUNT
7 | --counts - | # c\n\nx\t1\t2\t3\nx\t2\t1\t3\n | ^osshape: stdin:4: want
7 | --counts - | x\t1\t1\t3\n | ^osshape: stdin:1: want
7 | --counts - | x\ta\t2\t3\n | stdin:1: want
7 | --counts - | x\t1\t2\t-3\n | stdin:1: want
7 | --counts - | x\t1\t2\t3\t4\n | stdin:1: want
7 | --counts - | \t1\t2\t3\n | stdin:1: want
7 | --counts - | x 1 2 3\n | stdin:1: want
7 | --counts - | a;b\t1\t2\t3\n | stdin:1: want .*INDEX of letters, digits and ._-\+@
7 | --counts - | a\$(id)\t1\t2\t3\n | stdin:1: want .*INDEX of letters
7 | --counts - | a\`id\`\t1\t2\t3\n | stdin:1: want .*INDEX of letters
2 | --counts - -i 'a;b-%Y' -f 2024-03-01 -t 2024-03-02 | | ^osshape: index pattern 'a;b-%Y' holds ';': index names are letters, digits and ._-\+@ only$
7 | --counts - -f $((A + 1)) -t $((A + 2 * H)) | x\t$A\t$((A + H))\t3\n | ^osshape: the counts of x over [0-9]*..[0-9]* straddle the range$
0 | --counts - | x\t1\t2\t3\n |
0 | --counts - -f $A -t $((A + H)) | x\t$((A + 2 * H))\t$((A + 3 * H))\t3\n |
8 | --counts - --fail-on-gap -f $A -t $((A + 3 * H)) | x\t$A\t$((A + H))\t3\n |
EOF

# A day of hourly counts with 05:00-07:00 empty, and b's last hour: at
# width 40 (34 bar columns) the buckets are the hours.
i=0
while [ $i -lt 24 ]; do
	n=10
	[ $i = 5 ] || [ $i = 6 ] && n=0
	printf 'a\t%s\t%s\t%s\n' $((A + i * H)) $((A + (i + 1) * H)) $n
	i=$((i + 1))
done >"$T/counts"
printf 'b\t%s\t%s\t50\n' $((A + 23 * H)) $((A + 24 * H)) >>"$T/counts"
cat >"$T/want" <<EOF2
range	2024-03-01T00:00:00.000Z	2024-03-02T00:00:00.000Z	3600000
gap	2024-03-01T05:00:00.000Z	2024-03-01T07:00:00.000Z
spike	2024-03-01T23:00:00.000Z	2024-03-02T00:00:00.000Z	60	6.0
total	270
EOF2
t_run "tsv from counts" 0 "" osshape --counts "$T/counts" --format tsv --width 40
grep -v '^bucket' "$T/out" >"$T/got"
t_same_file "tsv: range, gap, spike, total" "$T/got" "$T/want"
t_eq "tsv: 48 bucket lines adding up to the total" \
	"$(awk -F'\t' '$1 == "bucket" { n++; s += $5 } END { print n, s }' "$T/out")" "48 270"
grep -qx 'bucket	a	2024-03-01T01:00:00.000Z	2024-03-01T02:00:00.000Z	10' "$T/out" && pass "tsv: a bucket line" ||
	fail "tsv: no line for a at 01:00"

# At width 60 the buckets are 30m: b's hour is spread over two, no spike.
t_run "fail on gap" 8 "270 documents, 1 gap, 0 spikes" osshape --counts - --fail-on-gap --width 60 <"$T/counts"
grep -q '^no documents 2024-03-01T05:00Z - 07:00Z (2h)$' "$T/out" && pass "fail on gap: output written" ||
	fail "fail on gap: $(cat "$T/out")"

# A time pattern names its periods: the day without lines is missing.
printf 'x-2024.03.01\t%s\t%s\t5\n' $A $((A + H)) >"$T/days"
t_run "missing day from counts" 0 "" osshape --counts "$T/days" -i 'x-%Y.%m.%d' -f 2024-03-01 -t 2024-03-03 --format tsv
grep -qx 'missing	x-2024.03.02' "$T/out" && pass "missing day listed" || fail "missing day: $(cat "$T/out")"

t_run "C locale" 0 "" env LC_ALL=C osshape --counts "$T/counts" --width 40
LC_ALL=C grep -q '[^ -~]' "$T/out" && fail "C locale: not ASCII: $(cat "$T/out")" || pass "C locale: ASCII only"
t_run "UTF-8 locale" 0 "" env LC_ALL=C.UTF-8 osshape --counts "$T/counts" --width 40
grep -q "$(printf '\342\226')" "$T/out" && pass "UTF-8 locale: block characters" || fail "UTF-8: $(cat "$T/out")"
t_run "--ascii in UTF-8" 0 "" env LC_ALL=C.UTF-8 osshape --counts "$T/counts" --width 40 --ascii
LC_ALL=C grep -q '[^ -~]' "$T/out" && fail "--ascii: not ASCII" || pass "--ascii: ASCII only"

t_run "markdown" 0 "" osshape --counts "$T/counts" --format markdown
[ "$(head -1 "$T/out")" = '```text' ] && grep -q '^| gap | 2024-03-01T05:00Z | 2024-03-01T07:00Z | 0 | 2h without documents |$' "$T/out" &&
	pass "markdown: fence and gap table" || fail "markdown: $(cat "$T/out")"
awk 'length($0) > 72 && !/^\|/ { bad = 1 } END { exit bad }' "$T/out" && pass "markdown: 72 columns" ||
	fail "markdown wider than 72"
# Every other hour empty: 30 gaps, 20 listed in text, all in tsv.
i=0
while [ $i -le 60 ]; do
	printf 'a\t%s\t%s\t5\n' $((A + i * H)) $((A + i * H + H))
	i=$((i + 2))
done >"$T/sparse"
t_run "many gaps: text" 0 "" osshape --counts "$T/sparse" --width 100
t_eq "many gaps: 20 listed and a count" "$(grep -c '^no documents' "$T/out") $(tail -1 "$T/out")" "20 ... 10 more gaps"
t_run "many gaps: tsv" 0 "" osshape --counts "$T/sparse" --width 100 --format tsv
t_eq "many gaps: all in tsv" "$(grep -c '^gap' "$T/out")" 30
# One index over 48 hours at width 60: no label column, so hourly bars.
i=0
while [ $i -lt 48 ]; do
	printf 'one\t%s\t%s\t5\n' $((A + i * H)) $((A + i * H + H))
	i=$((i + 1))
done >"$T/one"
t_run "one index: full width" 0 "" osshape --counts "$T/one" --width 60 --format tsv
t_eq "one index: 1h buckets" "$(head -1 "$T/out" | cut -f4)" 3600000
t_done
