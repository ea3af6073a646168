#!/bin/sh
# osdownload's shape of the range: the histogram in the summary and in
# INFO.md, a deliberate four-hour hole (made by the query) reported as that
# span, --fail-on-gap exits 8 with the CSV and INFO.md still written, the
# bars add up to the server's count, lines fit the terminal, --ascii.
. "$(dirname "$0")/../setup"
. "$TOP/scripts/osdl-testlib.sh"
need_server
need_tools

P=osdl-t-drv-shape-$T_UID
FROM=2024-03-01T00:00:00.000Z TO=2024-03-03T00:00:00.000Z
osdl-testdata delete $P
trap 'osdl-testdata delete $P; rm -rf "$T"' EXIT
osdl-testdata create $P 2 2000
# The query leaves out 04:00-08:00 of the first day: a hole the server made.
printf '%s\n' '{"bool":{"must_not":{"range":{"@timestamp":{"gte":"2024-03-01T04:00:00Z","lt":"2024-03-01T08:00:00Z"}}}}}' >"$T/hole.json"
dl() { COLUMNS=100 osdownload --index "$P-%Y.%m.%d" --from $FROM --to $TO -j 2 --progress-interval 0 "$@"; }

t_run "a hole, --fail-on-gap: exit 8" 8 "gaps without documents" dl -q "$T/hole.json" --fail-on-gap --cache "$T/c" -o "$T/o.csv"
cp "$T/err" "$T/gap.err"
[ -s "$T/o.csv" ] && pass "--fail-on-gap: the CSV is written" || fail "--fail-on-gap: no CSV"
grep -q '^## Shape of the range' "$T/INFO.md" && pass "INFO.md has the shape" || fail "INFO.md lacks the shape"
grep -q 'no documents 2024-03-01T04:00Z - 08:00Z (4h)' "$T/INFO.md" && pass "INFO.md names the hole" ||
	fail "INFO.md hole: $(grep -i 'no documents\|gap' "$T/INFO.md" | head -3)"
grep -q 'osdownload no documents 2024-03-01T04:00Z - 08:00Z (4h)$' "$T/gap.err" && pass "the summary names the hole" ||
	fail "summary: $(grep -i 'documents' "$T/gap.err" | head -3)"
t_eq "only that hole" "$(grep -c 'no documents' "$T/gap.err")" 1
# The bars' total is the server's count for the query, and the CSV's rows.
want=$(os_curl -XPOST "$OS_URL/$P-*/_count" -d "{\"query\":$(cat "$T/hole.json")}" | sed -n 's/.*"count":\([0-9]*\).*/\1/p')
t_eq "the shape's total is the server's count" "$(sed -n 's/.*osdownload .*total \([0-9]*\) documents.*/\1/p' "$T/gap.err")" "$want"
t_eq "the CSV holds as many rows" "$(($(wc -l <"$T/o.csv") - 1))" "$want"
long=$(grep 'osdownload ' "$T/gap.err" | LC_ALL=C.UTF-8 python3 -c '
import sys
print(sum(1 for l in sys.stdin.read().splitlines() if "\u2581" in l or "\u2588" in l or "no documents" in l if len(l) > 100))')
t_eq "shape lines fit COLUMNS=100 after their log prefix" "$long" 0

t_run "no --fail-on-gap: exit 0" 0 "" dl -q "$T/hole.json" --cache "$T/c" -o "$T/o2.csv" --ascii
t_eq "--ascii: the summary is ASCII" "$(LC_ALL=C grep -c '[^[:print:][:space:]]' "$T/err" || :)" 0
t_run "no hole: --fail-on-gap exit 0" 0 "" dl --fail-on-gap --cache "$T/c" -o "$T/o3.csv"
t_eq "no hole: no gap listed" "$(grep -c 'no documents' "$T/err" || :)" 0
t_done
