# osfetch_faults.sh - lost and refused responses through tests/faultproxy.py
# (the scroll method, forced on every engine; PIT: osfetch_pit.sh):
# a lost scroll page restarts the chunk on a new scroll (never re-asks for
# it), 429/503 are retried, the result is still exactly the server's ids;
# past the retry budget nothing is published; contexts are always cleared.
. "$(dirname "$0")/../setup"
. "$(dirname "$0")/osfetch_common"
need_server
IDX=osdl-t-fetch-faults-$$
trap 'osf_proxy_stop; os_curl -XDELETE "$OS_URL/$IDX" >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM
osf_index "$IDX"
osf_load "$IDX" 12000 2000
os_ids "$IDX" $OSF_FROM $OSF_TO >"$T/want.ids"
C=$T/cache

# fault_case NAME WANT_RESTARTS WANT_RETRIES RULE...: fetch through the proxy
# with the rules, then compare with the server.
fault_case() {
	_n=$1 _rs=$2 _rt=$3
	shift 3
	osf_proxy "$@"
	OS_URL=$PROXY_URL t_run "$_n" 0 "" osfetch --method scroll -d "$C" --force --page-size 1000 "$IDX" $OSF_FROM $OSF_TO
	osf_proxy_stop
	_f=$(cat "$T/out")
	osf_file_ids "$_f" >"$T/got.ids"
	t_same_file "$_n: _id multiset equals the server's" "$T/got.ids" "$T/want.ids"
	t_eq "$_n: restarts, retries in meta" "$(osf_py "$_f" '[M["restarts"], M["retries"]]')" "[$_rs,$_rt]"
	t_eq "$_n: fault injected" "$(grep -c -E ' (reset|truncate|cutjson|stall|429|503)$' "$T/proxy.log")" "$(($# ))"
	t_eq "$_n: no scroll context left" "$(osf_open_scrolls "$IDX")" 0
}

fault_case "connection reset after a scroll page was served" 1 0 '_search/scroll@3=reset'
fault_case "scroll page cut short (Content-Length)" 1 0 '_search/scroll@2=truncate'
fault_case "scroll page with cut JSON" 1 0 '_search/scroll@4=cutjson'
fault_case "503 on the first request" 0 1 'scroll=@1=503'
fault_case "429 on a scroll page" 1 0 '_search/scroll@5=429'
fault_case "several faults in one chunk" 2 1 'scroll=@1=503' '_search/scroll@2=reset' '_search/scroll@7=truncate'

# Past the budget: exit 4, nothing published, no temporary file, no context.
osf_proxy 'scroll=@1=503' 'scroll=@2=503' 'scroll=@3=503'
OS_URL=$PROXY_URL t_run "retries exhausted" 4 "HTTP 503 injected_fault.*gave up after 3 tries" \
	osfetch --method scroll -d "$T/c2" --retries 2 --page-size 1000 "$IDX" $OSF_FROM $OSF_TO
osf_proxy_stop
t_eq "retries exhausted: nothing published" "$(find "$T/c2" -type f | wc -l | tr -d ' ')" 0
# Lost scroll pages on every try: restarts exhaust the same budget.
osf_proxy 'POST /_search/scroll@1=reset' 'POST /_search/scroll@2=reset' 'POST /_search/scroll@3=reset' \
	'POST /_search/scroll@4=reset' 'POST /_search/scroll@5=reset' 'POST /_search/scroll@6=reset'
OS_URL=$PROXY_URL t_run "restarts exhausted" 4 "gave up after 3 tries" \
	osfetch --method scroll -d "$T/c2" --retries 2 --page-size 1000 "$IDX" $OSF_FROM $OSF_TO
osf_proxy_stop
t_eq "restarts exhausted: nothing published" "$(find "$T/c2" -type f | wc -l | tr -d ' ')" 0
t_eq "restarts exhausted: no scroll context left" "$(osf_open_scrolls "$IDX")" 0

# A timeout mid-page is a lost response too.  --timeout 10, not less: a
# page of a loaded server must still come in time, only the stall not.
osf_proxy '_search/scroll@2=stall'
OS_URL=$PROXY_URL t_run "timeout on a scroll page" 0 "" \
	osfetch --method scroll -d "$T/c3" --timeout 10 --page-size 1000 "$IDX" $OSF_FROM $OSF_TO
osf_proxy_stop
osf_file_ids "$(cat "$T/out")" >"$T/got.ids"
t_same_file "timeout: _id multiset equals the server's" "$T/got.ids" "$T/want.ids"
t_eq "timeout: no scroll context left" "$(osf_open_scrolls "$IDX")" 0
t_done
