# tests/integration/harness.sh - the test harness itself: gendata is
# deterministic and as nasty as promised, loaddata put exactly gendata's
# documents on the server and is idempotent, scripts/opensearch starts and
# stops a second node by PID without touching the server under test.
. "$(dirname "$0")/../setup"
need_server

G="$TOP/scripts/gendata"
L="$TOP/scripts/loaddata"

# --- gendata: determinism and plan ---------------------------------------
"$G" --docs 600 > "$T/a"
"$G" --docs 600 > "$T/b"
t_same_file "gendata: same seed, same bytes" "$T/a" "$T/b"
"$G" --docs 600 --seed 7 > "$T/c"
if cmp -s "$T/a" "$T/c"; then fail "gendata: --seed changes the data"; else pass "gendata: --seed changes the data"; fi
t_eq "gendata: 2 bulk lines per doc" "$(wc -l < "$T/a" | tr -d ' ')" 1200
t_eq "gendata: --list adds up to --docs" "$("$G" --docs 601 --list | awk '{ s += $2 } END { print s }')" 601
t_eq "gendata: --list names the six indexes" "$("$G" --list | awk '{ print $1 }' | tr '\n' ' ')" \
	"logs-2024.02.28 logs-2024.02.29 logs-2024.03.01 logs-2024.03.02 metrics-2024.02 metrics-2024.03 "
"$G" --docs 600 --index logs-2024.03.01 > "$T/one"
grep -F '"_index":"logs-2024.03.01"' "$T/a" > "$T/a1" || true
grep -F '"_index":' "$T/one" > "$T/one1" || true
t_same_file "gendata: one index alone = the same index in the full output" "$T/a1" "$T/one1"
t_eq "gendata: ids unique" "$(grep -o '"_id":"[^"]*"' "$T/a" | sort | uniq -d | wc -l | tr -d ' ')" 0
t_run "gendata: --docs -1" 2 'must be >= 0' "$G" --docs -1
t_run "gendata: unknown index" 2 "unknown index 'logs-1999'" "$G" --index logs-1999
t_run "gendata: --version" 0 '' "$G" --version
grep -q '^gendata osdl [0-9]' "$T/out" && pass "gendata: --version text" || fail "gendata: --version text: $(cat "$T/out")"

# --- gendata: the nasty cases are really there ------------------------------
"$G" --docs 6000 > "$T/big"
python3 - "$T/big" > "$T/nasty" <<'EOF'
import json, struct, sys
seen = set()
docs = [json.loads(l) for i, l in enumerate(open(sys.argv[1], encoding="utf-8")) if i % 2]
def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]
for d in docs:
    m = d.get("message", "") or d.get("note", "")
    for k, c in (("comma", ","), ("quote", '"'), ("newline", "\n"), ("tab", "\t"), ("cr", "\r"),
                 ("backslash", "\\")):
        if c in m: seen.add(k)
    if any(ord(ch) > 0xFFFF for ch in m): seen.add("emoji")
    if any(0x4E00 <= ord(ch) <= 0x9FFF for ch in m): seen.add("cjk")
    u = d.get("user", "absent")
    if u == "absent" and "message" in d: seen.add("user-missing")
    if isinstance(u, dict) and u.get("id") is None: seen.add("user-null")
    if d.get("region", 0) is None: seen.add("region-null")
    c = d.get("counter")
    if c == 9223372036854775807: seen.add("int64-max")
    if c == -9223372036854775808: seen.add("int64-min")
    if d.get("bytes") in (2147483647, 2147483648): seen.add("int32-edge")
    t = d.get("tags", None)
    if isinstance(t, str): seen.add("tags-string")
    if t == []: seen.add("tags-empty")
    if isinstance(t, list) and len(t) > 1: seen.add("tags-array")
    if "tags" not in d: seen.add("tags-missing")
    x = d.get("duration_ms")
    if isinstance(x, float) and f32(x) != x: seen.add("not-float32")
    ts = d["@timestamp"]
    if not ts.endswith(".000Z"): seen.add("ms")
    if ts.endswith("T00:00:00.000Z"): seen.add("midnight")
    if ts.endswith("T23:59:59.999Z"): seen.add("last-ms")
    if isinstance(d.get("geo"), dict) and "location" in d["geo"]: seen.add("nested")
    if d.get("success") is False or d.get("ok") is False: seen.add("false")
print(" ".join(sorted(seen)))
EOF
for k in comma quote newline tab cr backslash emoji cjk user-missing user-null region-null \
	int64-max int64-min int32-edge tags-string tags-empty tags-array tags-missing not-float32 \
	ms midnight last-ms nested false; do
	case " $(cat "$T/nasty") " in
	*" $k "*) pass "gendata has $k" ;;
	*) fail "gendata has $k: only $(cat "$T/nasty")" ;;
	esac
done
hot=$(grep -c '"@timestamp":"2024-02-29T12:00:00.000Z","level"' "$T/big" || true)
[ "$hot" -ge 300 ] && pass "gendata: hot instant ($hot docs)" || fail "gendata: hot instant has $hot docs"

# --- loaddata: the server holds exactly gendata's data ----------------------
docs=${OSDL_SAMPLE_DOCS:-48000}
t_run "loaddata: second run" 0 'already current' "$L"
"$G" --list > "$T/plan"
while read -r idx n; do
	t_eq "loaddata: _count of $idx" "$(os_curl "$OS_URL/$idx/_count" | sed -n 's/.*"count":\([0-9]*\).*/\1/p')" "$n"
	s=$(os_curl "$OS_URL/$idx/_settings?filter_path=*.settings.index.number_of_shards,*.settings.index.number_of_replicas")
	case "$s" in
	*'"number_of_shards":"3"'*'"number_of_replicas":"0"'*|*'"number_of_replicas":"0"'*'"number_of_shards":"3"'*) pass "loaddata: $idx 3 shards 0 replicas" ;;
	*) fail "loaddata: $idx settings: $s" ;;
	esac
done < "$T/plan"
m=$(os_curl "$OS_URL/logs-2024.02.29/_mapping")
case "$m" in
*'"dynamic":"strict"'*'"@timestamp":{"type":"date"'*) pass "loaddata: explicit strict mapping with a date" ;;
*) fail "loaddata: mapping: $(echo "$m" | head -c 300)" ;;
esac
# The ids of one daily index, from the generator and from the server.
"$G" --index logs-2024.03.02 | grep -o '"_id":"[^"]*"' | cut -d'"' -f4 | sort > "$T/gen-ids"
os_ids logs-2024.03.02 2024-03-02T00:00:00.000Z 2024-03-03T00:00:00.000Z > "$T/srv-ids"
t_same_file "loaddata: server ids = generator ids (logs-2024.03.02)" "$T/gen-ids" "$T/srv-ids"
# The hot instant lives on all three shards.
for s in 0 1 2; do
	c=$(os_curl -XPOST "$OS_URL/logs-2024.02.29/_count?preference=_shards:$s" \
		-d '{"query":{"term":{"@timestamp":"2024-02-29T12:00:00.000Z"}}}' | sed -n 's/.*"count":\([0-9]*\).*/\1/p')
	[ "${c:-0}" -gt 100 ] && pass "hot instant on shard $s ($c docs)" || fail "hot instant on shard $s: ${c:-none}"
done
start=$(date +%s)
"$L" --quiet > "$T/out" 2>&1
secs=$(( $(date +%s) - start ))
[ "$secs" -le 5 ] && [ ! -s "$T/out" ] && pass "loaddata --quiet: current data, ${secs}s, silent" \
	|| fail "loaddata --quiet: ${secs}s: $(head -c 200 "$T/out")"
t_run "loaddata refuses a non-loopback server" 1 'only http on loopback' "$L" --url http://192.0.2.1:9200

# --- scripts/opensearch: a second node, started and stopped by PID ----------
if [ -n "${OSDL_SKIP_NODE_TEST:-}" ]; then
	pass "scripts/opensearch: skipped (OSDL_SKIP_NODE_TEST)"
else
	export OSDL_STATE_DIR="$T/engine" OSDL_HEAP=512m
	if url=$("$TOP/scripts/opensearch" start 2>"$T/err"); then
		pass "opensearch start ($url)"
		[ "$url" != "$OS_URL" ] && pass "opensearch: a new node, not the server under test" || fail "opensearch: reused $OS_URL"
		case "$url" in http://127.0.0.1:*) pass "opensearch: bound to 127.0.0.1" ;; *) fail "opensearch: url $url" ;; esac
		curl -sf "$url/_cluster/health" | grep -q '"status":"\(green\|yellow\)"' && pass "opensearch: healthy" || fail "opensearch: health"
		t_eq "opensearch url" "$("$TOP/scripts/opensearch" url)" "$url"
		t_eq "opensearch start again: same url" "$("$TOP/scripts/opensearch" start)" "$url"
		pid=$(cat "$T/engine/pid")
		base=$(cat "$T/engine/base")
		"$TOP/scripts/opensearch" stop
		kill -0 "$pid" 2>/dev/null && fail "opensearch stop: pid $pid still alive" || pass "opensearch stop: pid $pid gone"
		[ -e "$base" ] && fail "opensearch stop: $base left behind" || pass "opensearch stop: data dir removed"
		t_run "opensearch status after stop" 1 '' "$TOP/scripts/opensearch" status
		curl -sf "$OS_URL/_cluster/health" >/dev/null && pass "server under test still up" || fail "server under test is down"
	else
		fail "opensearch start: $(tail -3 "$T/err")"
	fi
	unset OSDL_STATE_DIR OSDL_HEAP
fi
t_done
