# tests/integration/limits.sh - one size rule for every tool (lib/osdl.h,
# LIMITS in every man page): a 20 MiB document the server stores goes through
# osfetch, osmerge and osdown whole.
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
t_done
