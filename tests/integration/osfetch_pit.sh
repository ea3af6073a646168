# osfetch_pit.sh - the PIT + search_after method on a real OpenSearch >= 3.3:
# exactly once over thousands of documents sharing one timestamp on 3 shards
# (ids equal the server's), slices merged equal the whole, a lost page is
# asked again from the last complete page (retries > 0, restarts 0, exact
# ids even when half a page was already written), an expired PIT restarts
# the chunk on a new one, no PIT is ever left open (also after SIGTERM), and
# --method pit on an engine without _shard_doc exits 2.
#
# Against the usual OpenSearch 2.19 OS_URL it starts (and at the end stops)
# an opensearch-3.3 node through scripts/opensearch, which needs a Java >= 21
# ($OSDL_JAVA21 or /usr/lib/jvm); one already running for this checkout is
# used and left running.  When OS_URL itself is OpenSearch >= 3.3, that is used.
. "$(dirname "$0")/../setup"
. "$(dirname "$0")/osfetch_common"
need_server

# engine_of URL: "opensearch 3.3.2" style, from GET /.
engine_of() {
	curl -s "$1" | python3 -c 'import sys, json
r = json.load(sys.stdin)["version"]
print(r.get("distribution", "elasticsearch"), r["number"])' 2>/dev/null
}
# pit_capable "opensearch 3.3.2": exit 0 if osfetch picks PIT there.
pit_capable() {
	case "$1" in
	opensearch\ 3.[3-9]*|opensearch\ 3.[1-9][0-9]*|opensearch\ [4-9].*) return 0 ;;
	*) return 1 ;;
	esac
}

BASE_URL=$OS_URL BASE_ENGINE=$(engine_of "$OS_URL")
started=
if pit_capable "$BASE_ENGINE"; then
	PIT_URL=$OS_URL
elif PIT_URL=$(cd "$TOP" && OSDL_ENGINE=opensearch-3.3 scripts/opensearch url 2>/dev/null); then
	:
elif PIT_URL=$(cd "$TOP" && OSDL_ENGINE=opensearch-3.3 OSDL_HEAP=${OSDL_HEAP:-512m} \
		scripts/opensearch start 2>"$T/start.err"); then
	started=1
else
	fail "an OpenSearch >= 3.3 node for the PIT tests could not be started: $(tail -1 "$T/start.err")"
	t_done
fi
IDX=osdl-t-fetch-pit-$T_UID
cleanup() {
	osf_proxy_stop
	if [ -n "${STUB_PID:-}" ]; then
		kill "$STUB_PID" 2>/dev/null || true
	fi
	os_curl -XDELETE "$PIT_URL/$IDX" >/dev/null 2>&1 || true
	if [ -n "$started" ]; then
		(cd "$TOP" && OSDL_ENGINE=opensearch-3.3 scripts/opensearch stop) || true
	fi
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
OS_URL=$PIT_URL
echo "# PIT node: $(engine_of "$PIT_URL") at $PIT_URL"

# open_pits: points in time open on the node right now (all indexes).
open_pits() {
	os_curl "$OS_URL/_search/point_in_time/_all" | python3 -c 'import sys, json
print(len(json.load(sys.stdin).get("pits", [])))'
}

osf_index "$IDX"
osf_load "$IDX" 3000 3000
os_ids "$IDX" $OSF_FROM $OSF_TO >"$T/want.ids"
t_eq "test data: 6000 documents, over 3000 at one instant over 3 shards" \
	"$(wc -l <"$T/want.ids" | tr -d ' '),$(test "$(os_count "$IDX" 2024-03-01T12:00:00.000Z 2024-03-01T12:00:00.001Z)" -ge 3000 && echo yes)" "6000,yes"
C=$T/cache

# fetched NAME FILE: ids equal the server's, meta says pit, docs = total.
fetched() {
	osf_file_ids "$2" >"$T/got.ids"
	t_same_file "$1: _id multiset equals the server's" "$T/got.ids" "$T/want.ids"
	t_eq "$1: meta" "$(osf_py "$2" '[M["method"], M["docs"] == M["server_total"] == len(L)]')" '["pit",true]'
}

t_run "--method pit, whole day, page 500" 0 "" osfetch -d "$C" --method pit --page-size 500 "$IDX" $OSF_FROM $OSF_TO
F=$(cat "$T/out")
fetched "--method pit" "$F"
cp "$F" "$T/nofault"
t_eq "--method pit: time order" "$(osf_py "$F" 'all(L[i]["@timestamp"] <= L[i+1]["@timestamp"] for i in range(len(L)-1))')" true
t_eq "--method pit: 13 pages (12 full, one short)" "$(osf_py "$F" 'M["pages"]')" 13
t_eq "--method pit: no PIT left open" "$(open_pits)" 0
t_run "--method scroll on the same node" 0 "" osfetch -d "$T/c-scroll" --method scroll --page-size 700 "$IDX" $OSF_FROM $OSF_TO
t_same_file "pit and scroll: the same bytes (local sort, ties by _id)" "$(cat "$T/out")" "$F"

t_run "auto on $(engine_of "$PIT_URL")" 0 "" osfetch -d "$C" --force --page-size 1000 "$IDX" $OSF_FROM $OSF_TO
fetched "auto" "$(cat "$T/out")"

# A total that is a multiple of the page size ends on an empty page.
t_run "page size dividing the total" 0 "" osfetch -d "$C" --force --method pit --page-size 2000 "$IDX" $OSF_FROM $OSF_TO
fetched "page size dividing the total" "$(cat "$T/out")"

t_run "--no-sort --method pit" 0 "" osfetch -d "$C" --method pit --no-sort --page-size 700 "$IDX" $OSF_FROM $OSF_TO
fetched "--no-sort" "$(cat "$T/out")"

: >"$T/slices.ids"
for i in 0 1 2 3; do
	t_run "slice $i/4" 0 "" osfetch -d "$C" --method pit --page-size 400 "$IDX" $OSF_FROM $OSF_TO $i/4
	osf_file_ids "$(cat "$T/out")" >>"$T/slices.ids"
	t_eq "slice $i/4: meta" "$(osf_py "$(cat "$T/out")" '[M["method"], M["docs"] == M["server_total"] == len(L) > 0]')" '["pit",true]'
done
sort "$T/slices.ids" >"$T/slices.sorted"
t_same_file "slices 0/4..3/4 merged equal the whole" "$T/slices.sorted" "$T/want.ids"
t_eq "slices: no PIT left open" "$(open_pits)" 0

# Lost pages through the fault proxy.  Page requests are "POST /_search";
# the PIT open is "POST /IDX/_search/point_in_time".
# pit_fault NAME RETRIES RESTARTS RULE...
pit_fault() {
	_n=$1 _rt=$2 _rs=$3
	shift 3
	osf_proxy "$@"
	OS_URL=$PROXY_URL t_run "$_n" 0 "" osfetch -d "$C" --force --method pit --page-size 500 "$IDX" $OSF_FROM $OSF_TO
	osf_proxy_stop
	_f=$(cat "$T/out")
	osf_file_ids "$_f" >"$T/got.ids"
	t_same_file "$_n: _id multiset equals the server's" "$T/got.ids" "$T/want.ids"
	t_same_file "$_n: the same bytes as without a fault" "$_f" "$T/nofault"
	t_eq "$_n: retries, restarts in meta" "$(osf_py "$_f" '[M["retries"], M["restarts"]]')" "[$_rt,$_rs]"
	t_eq "$_n: fault injected" "$(grep -c -E ' (reset|truncate|cutjson|gone|503)$' "$T/proxy.log")" "$#"
	t_eq "$_n: no PIT left open" "$(open_pits)" 0
}
pit_fault "connection reset after page 5 was served" 1 0 'POST /_search@5=reset'
# Half a page streamed into the file, then lost: the file goes back to the
# end of page 3, or the ids would repeat.
pit_fault "page 4 cut short (Content-Length)" 1 0 'POST /_search@4=truncate'
pit_fault "page 6 with cut JSON" 1 0 'POST /_search@6=cutjson'
pit_fault "first page refused (503), later page reset" 2 0 'POST /_search@1=503' 'POST /_search@9=reset'
grep -E '^[0-9]+ POST /_search -> ' "$T/proxy.log" | sed 's/^[0-9]* //' >"$T/pages.log"
t_eq "the lost page is asked again, never the chunk from the start" \
	"$(grep -c -- '-> 200$' "$T/pages.log"),$(grep -c 'POST /.*point_in_time' "$T/proxy.log")" "13,1"
pit_fault "expired PIT restarts the chunk on a new PIT" 0 1 'POST /_search@7=gone'
t_eq "expired PIT: two PITs were opened" "$(grep -c 'POST /.*_search/point_in_time' "$T/proxy.log")" 2

# Past the budget: exit 4, nothing published, no PIT.
osf_proxy 'POST /_search@2=503' 'POST /_search@3=503' 'POST /_search@4=503'
OS_URL=$PROXY_URL t_run "retries exhausted" 4 "gave up after 3 tries" \
	osfetch -d "$T/c2" --method pit --retries 2 --page-size 500 "$IDX" $OSF_FROM $OSF_TO
osf_proxy_stop
t_eq "retries exhausted: nothing published, no PIT" "$(find "$T/c2" -type f | wc -l | tr -d ' '),$(open_pits)" "0,0"

# SIGTERM while a page stalls: the PIT is deleted, exit 130, nothing published.
osf_proxy 'POST /_search@3=stall'
OS_URL=$PROXY_URL osfetch -d "$T/c3" --method pit --page-size 500 "$IDX" $OSF_FROM $OSF_TO >"$T/out" 2>"$T/err" &
pid=$!
t_until 300 grep -q 'stall$' "$T/proxy.log" 2>/dev/null || fail "SIGTERM: the page did not stall within 300 s"
t_eq "SIGTERM: a PIT is open mid-download" "$(open_pits)" 1
kill -TERM $pid
st=0
wait $pid || st=$?
osf_proxy_stop
t_eq "SIGTERM: exit 130, one-line message" "$st,$(grep -c 'interrupted by signal' "$T/err")" "130,1"
t_eq "SIGTERM: nothing published, no temporary file" "$(find "$T/c3" -type f | wc -l | tr -d ' ')" 0
t_eq "SIGTERM: no PIT left open" "$(open_pits)" 0

# An engine without _shard_doc refuses --method pit (exit 2, says why).
if pit_capable "$BASE_ENGINE"; then
	# Engine detection is all the refusal needs: a stub answering GET /.
	python3 -c 'import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = json.dumps({"version": {"distribution": "opensearch", "number": "2.19.1"}}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.timeout = 60
s.handle_request()' >"$T/stub.port" &
	STUB_PID=$!
	t_until 120 grep -q '^[0-9]' "$T/stub.port" 2>/dev/null || fail "stub server did not start within 120 s"
	BASE_URL=http://127.0.0.1:$(cat "$T/stub.port") BASE_ENGINE="opensearch 2.19.1 (stub)"
fi
OS_URL=$BASE_URL t_run "--method pit on $BASE_ENGINE exits 2" 2 \
	"--method pit: opensearch 2\.19\.[0-9]+ has point in time but no _shard_doc tie-breaker" \
	osfetch -d "$T/c4" --method pit "$IDX" $OSF_FROM $OSF_TO
t_run "bad --method" 2 "bad --method 'PIT' \(auto, scroll or pit\)" osfetch --method PIT "$IDX" $OSF_FROM $OSF_TO
t_done
