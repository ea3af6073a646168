# tests/integration/limits.sh - one size and one depth rule for every tool
# (lib/osdl.h, LIMITS in every man page): a 20 MiB document and one nested
# 600 deep that the server stores go through osfetch, osmerge and osdown
# whole; one nested deeper than the limit fails osfetch, which publishes
# nothing, as osmerge and osdown would refuse it.
. "${TOP:-$(dirname "$0")/../..}/tests/setup"
need_server

X=osdl-t-limits-$T_UID
cleanup() { os_curl -X DELETE "$OS_URL/$X-*" >/dev/null 2>&1 || true; rm -rf "$T"; }
trap cleanup EXIT INT TERM
# Only @timestamp is mapped: the big and deep fields are stored, not indexed.
os_curl -X PUT "$OS_URL/$X-big" -d '{"settings":{"number_of_shards":1,"number_of_replicas":0},
	"mappings":{"dynamic":false,"properties":{"@timestamp":{"type":"date"}}}}' >/dev/null

# 20 MiB: above osmerge's old 16M line limit, below the server's 100mb body.
python3 -c 'import json, sys
sys.stdout.write(json.dumps({"@timestamp": "2024-03-01T00:00:00Z", "big": "x" * (20 << 20) + "\u00e9"}))' >"$T/big.json"
os_curl -X PUT "$OS_URL/$X-big/_doc/1?refresh=true" --data-binary "@$T/big.json" >/dev/null

t_run "osfetch: 20 MiB document" 0 "" osfetch -d "$T/c" "$X-big" 2024-03-01 2024-03-02
t_run "osmerge: 20 MiB line" 0 "" osmerge -o "$T/m.ndjson" "$(cat "$T/out")"
t_run "osdown: 20 MiB line" 0 "" osdown -o "$T/out.csv" "$T/m.ndjson"
python3 - "$T/m.ndjson" "$T/out.csv" >"$T/check" 2>&1 <<'PY' || true
import csv, json, sys
csv.field_size_limit(1 << 30)
doc = json.loads(open(sys.argv[1], encoding="utf-8").read())
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8", newline="")))
want = "x" * (20 << 20) + "\u00e9"
print("ok" if doc["big"] == want and len(rows) == 1 and rows[0]["big"] == want else "differs")
PY
t_eq "the document arrives whole in NDJSON and CSV" "$(cat "$T/check")" "ok"

# Depth: the deep field is stored, not mapped (enabled false).
os_curl -X PUT "$OS_URL/$X-deep" -d '{"settings":{"number_of_shards":1,"number_of_replicas":0},
	"mappings":{"dynamic":false,"properties":{"@timestamp":{"type":"date"},"deep":{"type":"object","enabled":false}}}}' >/dev/null
lim=$(sed -n 's/^#define OSDL_MAX_DEPTH \([0-9]*\)$/\1/p' "$TOP/lib/osdl.h")
# deep N DAY: a document nested N levels deep, the _source included.
deep() { python3 -c 'import sys; n = int(sys.argv[1]) - 1
print("{\"@timestamp\":\"%sT00:00:00Z\",\"deep\":" % sys.argv[2] + "{\"a\":" * n + "1" + "}" * n + "}")' "$1" "$2"; }
deep 600 2024-03-01 >"$T/d600.json"
deep $((lim + 1)) 2024-03-02 >"$T/dover.json"
os_curl -X PUT "$OS_URL/$X-deep/_doc/600" --data-binary "@$T/d600.json" >/dev/null
os_curl -X PUT "$OS_URL/$X-deep/_doc/over?refresh=true" --data-binary "@$T/dover.json" >/dev/null
t_run "osfetch: 600 levels deep" 0 "" osfetch -d "$T/c" "$X-deep" 2024-03-01 2024-03-02
t_run "osmerge: 600 levels deep" 0 "" osmerge -o "$T/d.ndjson" "$(cat "$T/out")"
t_run "osdown: 600 levels deep" 0 "" osdown -o "$T/d.csv" "$T/d.ndjson"
python3 - "$T/d600.json" "$T/d.ndjson" "$T/d.csv" >"$T/check" 2>&1 <<'PY' || true
import csv, json, sys
want = json.load(open(sys.argv[1]))
got = json.loads(open(sys.argv[2]).read())
del got["_id"], got["_index"]
rows = list(csv.DictReader(open(sys.argv[3], newline="")))
# osdown flattens the objects into one dotted column holding the 1
col = "deep" + ".a" * open(sys.argv[1]).read().count("{\"a\":")
print("ok" if got == want and len(rows) == 1 and rows[0].get(col) == "1" else "differs")
PY
t_eq "600 levels deep: the same document in NDJSON and CSV" "$(cat "$T/check")" "ok"
t_run "osfetch: $((lim + 1)) levels deep" 1 "nested deeper than the limit of $lim levels" \
	osfetch -d "$T/c2" "$X-deep" 2024-03-02 2024-03-03
t_eq "too deep: nothing published" "$(find "$T/c2" -name '*.lz4' 2>/dev/null | wc -l | tr -d ' ')" 0
t_done
