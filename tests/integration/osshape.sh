# tests/integration/osshape.sh - osshape on the real server: two days of
# hourly data with a two-hour hole and a spike are reported with exactly
# those spans; bar totals equal the server's _count; --fail-on-gap; ASCII in
# the C locale; every line within the width, on a TTY too; --counts gives
# what the server query gives; daily indexes with a missing day.
. "${TOP:-$(dirname "$0")/../..}/tests/setup"
need_server

X=osdl-t-shape-$T_UID
cleanup() { os_curl -X DELETE "$OS_URL/$X,$X-d-*" >/dev/null 2>&1 || true; rm -rf "$T"; }
trap cleanup EXIT INT TERM
A=1709251200000 # 2024-03-01T00:00:00Z
H=3600000

# $X: 2024-03-01 and 02, 12 documents an hour (every 5 minutes), none in
# 2024-03-01T03:00-05:00, 240 in 2024-03-02T10:00-11:00 (every 15 s).
# $X-d-2024.03.01 and .02: one document an hour; .03 does not exist.
gen() {
	h=0
	while [ $h -lt 48 ]; do
		t=$((A + h * H))
		if [ $h = 3 ] || [ $h = 4 ]; then
			:
		elif [ $h = 34 ]; then
			k=0
			while [ $k -lt 240 ]; do
				printf '{"index":{"_index":"%s"}}\n{"@timestamp":%s,"n":%s}\n' "$X" $((t + k * 15000)) $k
				k=$((k + 1))
			done
		else
			k=0
			while [ $k -lt 12 ]; do
				printf '{"index":{"_index":"%s"}}\n{"@timestamp":%s,"n":%s}\n' "$X" $((t + k * 300000)) $k
				k=$((k + 1))
			done
		fi
		d=$((h < 24 ? 1 : 2))
		printf '{"index":{"_index":"%s-d-2024.03.0%s"}}\n{"@timestamp":%s,"n":0}\n' "$X" $d $((t + 60000))
		h=$((h + 1))
	done
}
for i in "$X" "$X-d-2024.03.01" "$X-d-2024.03.02"; do
	os_curl -X PUT "$OS_URL/$i" -d '{"settings":{"number_of_shards":2,"number_of_replicas":0},
		"mappings":{"properties":{"@timestamp":{"type":"date"},"n":{"type":"integer"}}}}' >/dev/null
done
gen >"$T/bulk"
curl -sS --fail-with-body -H 'Content-Type: application/x-ndjson' -X POST "$OS_URL/_bulk?refresh=true" --data-binary @"$T/bulk" |
	grep -q '"errors":false' && pass "bulk load" || fail "bulk load"
F=2024-03-01T00:00:00Z
TO=2024-03-03T00:00:00Z

# widest FILE: the longest line in characters (UTF-8), carriage returns aside.
widest() {
	python3 -c 'import sys; print(max([len(l.rstrip("\r\n")) for l in open(sys.argv[1], encoding="utf-8")] or [0]))' "$1"
}

# Exactly the hole and the spike, at 1h (width 80) and 15m (width 200) buckets.
for w in 80 200; do
	t_run "tsv at width $w" 0 "" osshape -i "$X" -f $F -t $TO --format tsv --width $w
	t_eq "width $w: the gap" "$(grep '^gap' "$T/out")" "$(printf 'gap\t2024-03-01T03:00:00.000Z\t2024-03-01T05:00:00.000Z')"
	t_eq "width $w: the spike" "$(grep '^spike' "$T/out" | cut -f1-4)" \
		"$(printf 'spike\t2024-03-02T10:00:00.000Z\t2024-03-02T11:00:00.000Z\t240')"
	t_eq "width $w: bar totals are the server's _count" \
		"$(awk -F'\t' '$1 == "bucket" { s += $5 } $1 == "total" { t = $2 } END { print s, t }' "$T/out")" \
		"$(n=$(os_count "$X" $F $TO); echo "$n $n")"
done

t_run "fail on gap" 8 "1 gap, 1 spike" osshape -i "$X" -f $F -t $TO --fail-on-gap --width 80
grep -qx 'no documents 2024-03-01T03:00Z - 05:00Z (2h)' "$T/out" && grep -q '^spike 2024-03-02T10:00Z - 11:00Z: 240 documents' "$T/out" &&
	pass "fail on gap: the output is written" || fail "fail on gap: $(cat "$T/out")"
t_run "no gap, no failure" 0 "" osshape -i "$X" -f 2024-03-01T05:00Z -t $TO --fail-on-gap --width 80

# A query narrows what is counted.
printf '{"range":{"n":{"lt":6}}}' >"$T/q.json"
t_run "query" 0 "" osshape -i "$X" -f $F -t $TO -q "$T/q.json" --format tsv
t_eq "query: total" "$(grep '^total' "$T/out" | cut -f2)" "$((46 * 6))"
t_run "unknown time field" 2 "unknown time field tstamp" osshape -i "$X" -f $F -t $TO --time-field tstamp

t_run "C locale" 0 "" env LC_ALL=C osshape -i "$X" -f $F -t $TO --width 80
LC_ALL=C grep -q '[^ -~]' "$T/out" && fail "C locale: not ASCII" || pass "C locale: ASCII only"
t_run "UTF-8 locale" 0 "" env LC_ALL=C.UTF-8 osshape -i "$X" -f $F -t $TO --width 80
grep -q "$(printf '\342\226\210')" "$T/out" && pass "UTF-8 locale: block characters" || fail "UTF-8: $(cat "$T/out")"

for w in 40 80 200; do
	for fmt in text markdown; do
		t_run "$fmt at width $w" 0 "" env LC_ALL=C.UTF-8 osshape -i "$X-d-%Y.%m.%d" -f $F -t 2024-03-04 --width $w --format $fmt
		grep -v '^|' "$T/out" >"$T/lines"
		[ "$(widest "$T/lines")" -le $w ] && pass "$fmt: every line within $w characters" ||
			fail "$fmt: a line of $(widest "$T/lines") characters at width $w"
	done
done

# A TTY: the width of the terminal; without one, COLUMNS.
script -qc "stty cols 50 rows 20; LC_ALL=C.UTF-8 osshape -i $X -f $F -t $TO 2>/dev/null" /dev/null </dev/null >"$T/tty" 2>&1
grep -q "$(printf '\342\226')" "$T/tty" && [ "$(widest "$T/tty")" -le 50 ] && [ "$(widest "$T/tty")" -ge 45 ] &&
	pass "TTY of 50 columns: drawn within them" || fail "TTY: $(widest "$T/tty") columns: $(cat "$T/tty")"
COLUMNS=57 osshape -i "$X" -f $F -t $TO >"$T/out" 2>/dev/null
[ "$(widest "$T/out")" -le 57 ] && pass "COLUMNS=57 without a TTY" || fail "COLUMNS: $(widest "$T/out") columns"
env -u COLUMNS osshape -i "$X" -f $F -t $TO >"$T/out" 2>/dev/null
[ "$(widest "$T/out")" -le 80 ] && [ "$(widest "$T/out")" -gt 60 ] && pass "no TTY: 80 columns" ||
	fail "no TTY: $(widest "$T/out") columns"

# --counts: hourly counts from osplan give what the server query gives.
osplan -i "$X" -f $F -t $TO -s 1h --count --format json 2>/dev/null |
	sed -n 's/^{"index":"\([^"]*\)".*"from_ms":\([0-9]*\),"to_ms":\([0-9]*\),"docs":\([0-9]*\).*/\1	\2	\3	\4/p' >"$T/counts"
t_eq "osplan counts: 48 hours" "$(wc -l <"$T/counts" | tr -d ' ')" 48
osshape -i "$X" -f $F -t $TO --format tsv --width 80 >"$T/srv" 2>/dev/null
t_run "counts from stdin" 0 "" osshape --counts - -i "$X" -f $F -t $TO --format tsv --width 80 <"$T/counts"
t_same_file "--counts - gives the server's result" "$T/out" "$T/srv"

# --markdown and --tsv files in one run hold what separate runs print.
t_run "markdown and tsv files" 0 "" env LC_ALL=C.UTF-8 osshape -i "$X-d-%Y.%m.%d" -f $F -t 2024-03-04 --width 160 \
	--markdown "$T/md" --tsv "$T/tsv"
cp "$T/out" "$T/text"
env LC_ALL=C.UTF-8 osshape -i "$X-d-%Y.%m.%d" -f $F -t 2024-03-04 --format markdown >"$T/md2" 2>/dev/null
t_same_file "--markdown FILE: as --format markdown" "$T/md" "$T/md2"
env LC_ALL=C.UTF-8 osshape -i "$X-d-%Y.%m.%d" -f $F -t 2024-03-04 --format tsv --width 160 >"$T/tsv2" 2>/dev/null
t_same_file "--tsv FILE: as --format tsv" "$T/tsv" "$T/tsv2"
env LC_ALL=C.UTF-8 osshape -i "$X-d-%Y.%m.%d" -f $F -t 2024-03-04 --width 160 >"$T/text2" 2>/dev/null
t_same_file "the text beside them: as alone" "$T/text" "$T/text2"

# Daily indexes: per index rows, the missing day listed and a gap.
t_run "daily pattern" 0 "" env LC_ALL=C osshape -i "$X-d-%Y.%m.%d" -f $F -t 2024-03-04 --width 100
grep -q "d-2024.03.03 (missing index)$" "$T/out" && grep -q "^total " "$T/out" &&
	grep -qx "no documents 2024-03-03T00:00Z - 2024-03-04T00:00Z (1d)" "$T/out" &&
	pass "daily pattern: rows, the missing index and its gap" || fail "daily pattern: $(cat "$T/out")"
t_run "daily pattern tsv" 0 "" osshape -i "$X-d-%Y.%m.%d" -f $F -t 2024-03-04 --format tsv
t_eq "daily pattern: missing line" "$(grep '^missing' "$T/out")" "$(printf 'missing\t%s' "$X-d-2024.03.03")"
t_eq "daily pattern: per index totals" \
	"$(awk -F'\t' '$1 == "bucket" { s[$2] += $5 } END { for (i in s) print i, s[i] }' "$T/out" | sort | tr '\n' ' ')" \
	"$X-d-2024.03.01 24 $X-d-2024.03.02 24 "
# A document filed in the wrong day's index is not in a pattern plan, nor in
# the pattern's histogram; the wildcard form counts it, as it fetches it.
os_curl -X POST "$OS_URL/$X-d-2024.03.01/_doc?refresh=true" -d '{"@timestamp":"2024-03-02T12:30:00Z","n":1}' >/dev/null
t_run "misfiled: pattern" 0 "" osshape -i "$X-d-%Y.%m.%d" -f $F -t 2024-03-04 --format tsv
t_eq "misfiled: not in the pattern's total" "$(grep '^total' "$T/out" | cut -f2)" 48
t_run "misfiled: wildcard" 0 "" osshape -i "$X-d-*" -f $F -t 2024-03-04 --format tsv
t_eq "misfiled: in the wildcard's total" "$(grep '^total' "$T/out" | cut -f2)" 49
t_done
