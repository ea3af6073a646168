# tests/integration/pipeline.sh - the walking pipeline against the real server:
#   osplan | xargs -P osfetch | osmerge | osdown
# over a range that spans several daily indexes, the hot instant and a day
# boundary.  The _id set of every stage's output must equal the set the server
# returns for the same range (by scroll, tests/os_ids.py), with no duplicates.
. "$(dirname "$0")/../setup"
need_server

FROM=2024-02-28T12:00:00.000Z
TO=2024-03-01T12:00:00.000Z
for tool in osplan osfetch osmerge osdown; do
	if [ ! -x "$TOP/bin/$tool" ]; then
		fail "bin/$tool is not built"
		t_done
	fi
done

want=$(os_count 'logs-*' "$FROM" "$TO")
os_ids 'logs-*' "$FROM" "$TO" > "$T/want-ids"
t_eq "server: ids by scroll = _count" "$(wc -l < "$T/want-ids" | tr -d ' ')" "$want"
[ "$want" -gt 1000 ] && pass "server: range holds $want docs" || fail "server: range holds only $want docs"

# ids_of FILE: the sorted _id values of an NDJSON file (python: robust to
# any key order and escaping).
ids_of() {
	python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        print(json.loads(line)["_id"])' "$1" | sort
}

# check_ids NAME FILE: FILE (sorted ids) equals the server's ids, no dups.
check_ids() {
	t_eq "$1: no duplicate _id" "$(uniq -d "$2" | wc -l | tr -d ' ')" 0
	if cmp -s "$2" "$T/want-ids"; then
		pass "$1: _id set = server's ($want)"
	else
		fail "$1: _id set differs from the server's: $(comm -23 "$T/want-ids" "$2" | wc -l) missing, $(comm -13 "$T/want-ids" "$2" | wc -l) extra, $(wc -l < "$2") lines"
	fi
}

# --- osplan ------------------------------------------------------------------
t_run "osplan" 0 '' osplan --index 'logs-%Y.%m.%d' --from "$FROM" --to "$TO" --step 6h
cp "$T/out" "$T/specs"
n=$(grep -cv '^\(#\|$\)' "$T/specs" || true)
[ "$n" -ge 3 ] && pass "osplan: $n chunks" || fail "osplan: $n chunks: $(head -3 "$T/specs")"
t_eq "osplan: chunks cover three daily indexes" \
	"$(awk '!/^#/ && NF { print $1 }' "$T/specs" | sort -u | tr '\n' ' ')" \
	"logs-2024.02.28 logs-2024.02.29 logs-2024.03.01 "
bad=$(awk '!/^#/ && NF && (NF < 3 || NF > 4 || $2 !~ /^[0-9-]+T[0-9:]+\.[0-9][0-9][0-9]Z$/ || $3 <= $2)' "$T/specs")
t_eq "osplan: spec lines are INDEX FROM TO [SLICE], FROM < TO" "$bad" ""

# --- osfetch, in parallel with xargs -----------------------------------------
mkdir -p "$T/cache"
st=0
grep -v '^\(#\|$\)' "$T/specs" | xargs -P 4 -L 1 osfetch --cache "$T/cache" > "$T/paths" 2> "$T/err" || st=$?
t_eq "xargs -P 4 osfetch: exit status" "$st" 0
t_eq "osfetch: one path per chunk" "$(wc -l < "$T/paths" | tr -d ' ')" "$n"
missing=0
while read -r f; do [ -f "$f" ] || missing=$((missing + 1)); done < "$T/paths"
t_eq "osfetch: printed paths exist" "$missing" 0
case "$(head -1 "$T/paths")" in
"$T/cache/"*/logs-2024.*/*.ndjson.lz4) pass "osfetch: cache layout DIR/FP/INDEX/NAME.ndjson.lz4" ;;
*) fail "osfetch: path $(head -1 "$T/paths")" ;;
esac
ls "$T/cache"/*/*/*.part* >/dev/null 2>&1 && fail "osfetch: .part files left behind" || pass "osfetch: no .part files left"

# Every chunk is a real LZ4 frame of NDJSON with _id and _index.
first=$(sort "$T/paths" | while read -r f; do [ -s "$f" ] && { echo "$f"; break; }; done)
if [ -n "$first" ] && lz4 -dc "$first" | head -3 > "$T/head"; then
	python3 -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(l)
    assert "_id" in d and "_index" in d and "@timestamp" in d, d.keys()' "$T/head" \
		&& pass "lz4 -dc chunk | head: NDJSON with _id, _index, @timestamp" \
		|| fail "lz4 -dc chunk: not the NDJSON promised: $(head -c 200 "$T/head")"
else
	fail "lz4 -dc could not read a chunk ($first)"
fi
: > "$T/chunks.ndjson"
while read -r f; do lz4 -dc "$f" >> "$T/chunks.ndjson" || fail "lz4 -dc $f"; done < "$T/paths"
ids_of "$T/chunks.ndjson" > "$T/chunk-ids"
check_ids "chunks" "$T/chunk-ids"

# The meta sidecars agree with the chunks and the server.
sum=0 nmeta=0
for f in $(cat "$T/paths"); do
	m=""
	for cand in "$f.meta" "${f%.ndjson.lz4}.meta" "${f%.lz4}.meta"; do
		[ -f "$cand" ] && { m=$cand; break; }
	done
	[ -n "$m" ] || continue
	nmeta=$((nmeta + 1))
	d=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["docs"])' "$m" 2>/dev/null || echo x)
	sum=$((sum + ${d#x}))
done
t_eq "osfetch: a .meta beside every chunk" "$nmeta" "$n"
t_eq "osfetch: .meta docs add up to the server's count" "$sum" "$want"

# A second run fetches nothing: same paths, files untouched.
ls -l --time-style=+%s.%N $(cat "$T/paths") > "$T/ls1"
st=0
grep -v '^\(#\|$\)' "$T/specs" | xargs -P 4 -L 1 osfetch --cache "$T/cache" > "$T/paths2" 2>> "$T/err" || st=$?
t_eq "osfetch again: exit status" "$st" 0
sort "$T/paths" > "$T/p1"; sort "$T/paths2" > "$T/p2"
t_same_file "osfetch again: the same paths" "$T/p1" "$T/p2"
ls -l --time-style=+%s.%N $(cat "$T/paths") > "$T/ls2"
t_same_file "osfetch again: cached files not rewritten" "$T/ls1" "$T/ls2"

# --- osmerge -------------------------------------------------------------------
st=0
sort "$T/paths" | osmerge --files-from - -o "$T/all.ndjson" 2> "$T/err" || st=$?
t_eq "osmerge: exit status" "$st" 0
ids_of "$T/all.ndjson" > "$T/merge-ids"
check_ids "osmerge" "$T/merge-ids"
python3 - "$T/all.ndjson" > "$T/order" <<'EOF'
import json, sys
prev, bad = "", 0
for line in open(sys.argv[1], encoding="utf-8"):
    t = json.loads(line)["@timestamp"]
    if t < prev:
        bad += 1
    prev = t
print(bad)
EOF
t_eq "osmerge: @timestamp never decreases" "$(cat "$T/order")" 0

# --- osdown ------------------------------------------------------------------
st=0
osdown --schema "$T/out.schema.json" -o "$T/out.csv" "$T/all.ndjson" 2> "$T/err" || st=$?
t_eq "osdown: exit status" "$st" 0
[ -s "$T/out.schema.json" ] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out.schema.json" \
	&& pass "osdown: schema is JSON" || fail "osdown: schema missing or not JSON"
python3 - "$T/out.csv" > "$T/csv-check" 2>&1 <<'EOF'
import csv, sys
csv.field_size_limit(1 << 30)
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
head, body = rows[0], rows[1:]
bad = [i for i, r in enumerate(body) if len(r) != len(head)]
print("header", ",".join(head))
print("ragged", len(bad))
ids = sorted(r[head.index("_id")] for r in body)
open(sys.argv[1] + ".ids", "w").write("".join(i + "\n" for i in ids))
EOF
t_eq "osdown: every CSV row has the header's width" "$(sed -n 's/^ragged //p' "$T/csv-check")" 0
hdr=$(sed -n 's/^header //p' "$T/csv-check")
for col in _id @timestamp client.ip http.status bytes duration_ms geo.location.lat tags message user.id counter; do
	case ",$hdr," in *",$col,"*) pass "osdown: column $col" ;; *) fail "osdown: no column $col in: $hdr" ;; esac
done
if [ -f "$T/out.csv.ids" ]; then check_ids "osdown CSV" "$T/out.csv.ids"; else fail "osdown CSV: unreadable: $(head -c 300 "$T/csv-check")"; fi

if python3 -c 'import pandas' 2>/dev/null; then
	python3 - "$T/out.csv" "$want" > "$T/pd" 2>&1 <<'EOF'
import sys
import pandas as pd
df = pd.read_csv(sys.argv[1])
want = int(sys.argv[2])
assert len(df) == want, "rows %d, want %d" % (len(df), want)
for c in ("_id", "@timestamp", "http.status", "bytes", "duration_ms", "counter", "message"):
    assert c in df.columns, "no column %s in %s" % (c, list(df.columns))
assert df["_id"].is_unique, "duplicate _id"
assert pd.api.types.is_numeric_dtype(df["http.status"]), "http.status is %s" % df["http.status"].dtype
assert pd.api.types.is_numeric_dtype(df["duration_ms"]), "duration_ms is %s" % df["duration_ms"].dtype
print("ok")
EOF
	[ "$(tail -1 "$T/pd")" = ok ] && pass "pandas read_csv: $want rows, expected columns and types" \
		|| fail "pandas read_csv: $(tail -3 "$T/pd")"
else
	pass "pandas read_csv: skipped (no pandas; scripts/deps --test installs it)"
fi

# --- the same with GNU parallel, reading specs on stdin ------------------------
if command -v parallel >/dev/null 2>&1; then
	st=0
	grep -v '^\(#\|$\)' "$T/specs" | parallel -j 3 --colsep ' ' osfetch --cache "$T/cache2" {1} {2} {3} \
		| sort | osmerge --files-from - -o "$T/all2.ndjson" 2> "$T/err" || st=$?
	t_eq "parallel osfetch | osmerge: exit status" "$st" 0
	t_same_file "parallel and xargs give the same merged output" "$T/all.ndjson" "$T/all2.ndjson"
fi

# --- osdownload (the driver), when it exists ----------------------------------
if [ -x "$TOP/bin/osdownload" ]; then
	st=0
	osdownload --index 'logs-%Y.%m.%d' --from "$FROM" --to "$TO" --cache "$T/cache3" -o "$T/dl.csv" \
		> "$T/dl.out" 2> "$T/err" || st=$?
	t_eq "osdownload: exit status" "$st" 0
	[ "$st" = 0 ] || sed 's/^/# /' "$T/err" | tail -5
	[ -f "$T/dl.csv" ] && python3 - "$T/dl.csv" > "$T/dl-ids" <<'EOF'
import csv, sys
csv.field_size_limit(1 << 30)
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    r = csv.reader(f)
    h = next(r)
    i = h.index("_id")
    print("\n".join(sorted(row[i] for row in r)))
EOF
	if [ -f "$T/dl.csv" ]; then check_ids "osdownload CSV" "$T/dl-ids"; else fail "osdownload: no CSV"; fi
fi
t_done
