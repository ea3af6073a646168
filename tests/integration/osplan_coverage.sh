# tests/integration/osplan_coverage.sh - every document of a range is in
# exactly one chunk: per-chunk _id sets against one whole-range query, on
# daily indexes holding documents at and next to every hour boundary.
. "${TOP:-$(dirname "$0")/../..}/tests/setup"
need_server
command -v jq >/dev/null || { fail "jq is needed"; t_done; }

X=osdl-t-plan-cov
cleanup() { os_curl -X DELETE "$OS_URL/$X-*" >/dev/null 2>&1 || true; rm -rf "$T"; }
trap cleanup EXIT INT TERM
os_curl -X DELETE "$OS_URL/$X-*" >/dev/null 2>&1 || true

# Days 2024-02-28 .. 2024-03-02: a leap day and a month end.  Documents at
# H - 1 ms, H and H + 1 ms of every hour H, plus one inside each hour.
d0=1709078400000 # 2024-02-28T00:00:00Z
names="2024.02.28 2024.02.29 2024.03.01 2024.03.02"
for n in $names; do
	os_curl -X PUT "$OS_URL/$X-$n" -d '{"settings":{"number_of_shards":2,"number_of_replicas":0},
		"mappings":{"properties":{"@timestamp":{"type":"date"},"k":{"type":"keyword"}}}}' >/dev/null
done
awk -v d0="$d0" -v names="$names" -v X="$X" 'BEGIN {
	split(names, nm, " ")
	for (h = 0; h <= 96; h++) {
		H = d0 + h * 3600000
		for (o = -1; o <= 1; o++) emit(H + o)
		if (h < 96) emit(H + 1234567 + h)
	}
}
function emit(t,   day) {
	day = int((t - d0) / 86400000) + 1
	if (t < d0 || day > 4) return
	id++
	printf "{\"index\":{\"_index\":\"%s-%s\",\"_id\":\"d%d\"}}\n", X, nm[day], id
	printf "{\"@timestamp\":%.0f,\"k\":\"%s\"}\n", t, (id % 3 ? "a" : "b")
}' >"$T/bulk"
curl -sS --fail-with-body -H 'Content-Type: application/x-ndjson' -X POST "$OS_URL/_bulk?refresh=true" --data-binary @"$T/bulk" |
	grep -q '"errors":false' && pass "test data loaded" || fail "bulk load"

# ids QUERY-JSON INDEX: the sorted _id list of the documents of INDEX matching QUERY.
ids() {
	os_curl "$OS_URL/$2/_search?size=10000&_source=false" -d "{\"query\":$1}" | jq -r '.hits.hits[]._id'
}
range() { # FROM TO OP: a range query on @timestamp
	printf '{"range":{"@timestamp":{"gte":"%s","%s":"%s"}}}' "$1" "$3" "$2"
}

# check NAME FROM TO [OSPLAN ARGS...]: chunk _ids, concatenated, equal the
# whole range's _ids with no duplicate.
check() {
	_name=$1 _from=$2 _to=$3
	shift 3
	_op=lt
	case " $* " in *" --to-inclusive "*) _op=lte ;; esac
	if ! osplan -i "$X-%Y.%m.%d" -f "$_from" -t "$_to" "$@" >"$T/plan" 2>"$T/err"; then
		fail "$_name: osplan: $(cat "$T/err")"
		return
	fi
	: >"$T/got"
	while read -r idx f t slice; do
		ids "$(range "$f" "$t" lt)" "$idx" >>"$T/got"
	done <"$T/plan"
	ids "$(range "$_from" "$_to" "$_op")" "$X-*" | sort >"$T/want"
	_dup=$(sort "$T/got" | uniq -d | wc -l)
	sort "$T/got" -o "$T/got"
	if [ "$_dup" != 0 ]; then
		fail "$_name: $_dup documents in two chunks"
	elif ! cmp -s "$T/got" "$T/want"; then
		fail "$_name: chunks have $(wc -l <"$T/got") documents, the range $(wc -l <"$T/want")"
	elif [ ! -s "$T/want" ]; then
		fail "$_name: empty range proves nothing"
	else
		pass "$_name ($(wc -l <"$T/plan") chunks, $(wc -l <"$T/want") docs)"
	fi
}

check "1h over daily" 2024-02-28T00:00:00Z 2024-03-03T00:00:00Z -s 1h
check "unaligned ends at document instants" 2024-02-28T05:00:00.001Z 2024-03-02T17:59:59.999Z -s 1h
check "inclusive end at a document" 2024-02-28T05:00:00.001Z 2024-03-02T17:59:59.999Z -s 6h --to-inclusive
check "exclusive end at a day boundary" 2024-02-29T00:00:00Z 2024-03-01T00:00:00Z -s 15m
check "inclusive end at a day boundary" 2024-02-29T00:00:00Z 2024-03-01T00:00:00Z -s 1d --to-inclusive
check "1M step over daily indexes" 2024-02-28T23:59:59.999Z 2024-03-02T00:00:00.001Z -s 1M
check "7m step, offsets" 2024-02-29T22:00:00+01:00 2024-03-01T03:00:00.001+02:00 -s 7m
check "1 ms range" 2024-03-01T00:00:00Z 2024-03-01T00:00:00.001Z
check "1 ms inclusive range" 2024-02-29T23:59:59.999Z 2024-02-29T23:59:59.999Z --to-inclusive
check "default step" 2024-02-27T00:00:00Z 2024-03-04T00:00:00Z
grep -q "skipped 2 missing indexes: $X-2024.02.27, $X-2024.03.03" "$T/err" &&
	pass "missing indexes listed" || fail "missing indexes not listed: $(cat "$T/err")"
check "target docs" 2024-02-28T00:00:00Z 2024-03-03T00:00:00Z --target-docs 17

printf '{"term":{"k":"b"}}' >"$T/q.json"
os_curl "$OS_URL/$X-*/_count" -d '{"query":{"term":{"k":"b"}}}' | jq .count >"$T/want"
osplan -i "$X-%Y.%m.%d" -f 2024-02-28 -t 2024-03-03 -q "$T/q.json" --target-docs 5 --log-level quiet >"$T/plan"
t_eq "target docs with a query: planned total is the server's" \
	"$(osplan -i "$X-%Y.%m.%d" -f 2024-02-28 -t 2024-03-03 -q "$T/q.json" --target-docs 5 --format json 2>/dev/null |
		jq -s 'map(.docs) | add')" "$(cat "$T/want")"

# The same through osfetch: every chunk fetched (xargs -L1, as documented),
# the files' (_index, _id) pairs against one whole-range search.
if command -v osfetch >/dev/null; then
	for args in "-s 1h" "-s 7m --to-inclusive" "--target-docs 9"; do
		rm -rf "$T/c"
		to=2024-03-02T17:59:59.999Z op=lt
		case "$args" in *inclusive*) op=lte ;; esac
		# shellcheck disable=SC2086
		osplan -i "$X-%Y.%m.%d" -f 2024-02-28T05:00:00.001Z -t $to $args 2>/dev/null |
			xargs -L 1 osfetch --cache "$T/c" --log-level quiet >"$T/files" || fail "fetch $args"
		xargs lz4cat <"$T/files" | jq -r '._index + " " + ._id' | sort >"$T/got"
		os_curl "$OS_URL/$X-*/_search?size=10000&_source=false" -d "{\"query\":$(range 2024-02-28T05:00:00.001Z $to $op)}" |
			jq -r '.hits.hits[] | ._index + " " + ._id' | sort >"$T/want"
		[ -s "$T/want" ] && t_same_file "osfetch of every chunk ($args) = whole range ($(wc -l <"$T/want") docs)" "$T/got" "$T/want" ||
			fail "empty range"
	done
else
	fail "osfetch is not built"
fi

# A document filed in the wrong day's index is in no chunk: osplan says so.
os_curl -X PUT "$OS_URL/$X-2024.02.29/_doc/misfiled?refresh=true" -d '{"@timestamp":"2024-03-01T10:00:00Z","k":"a"}' >/dev/null
t_run "counted plan warns of a misfiled document" 0 \
	"warning: $X-\*\.\*\.\* holds 385 documents in the range, the plan 384: some are in an index" \
	osplan -i "$X-%Y.%m.%d" -f 2024-02-28 -t 2024-03-03 --count
t_run "target plan warns too" 0 "warning: .* holds 385 documents in the range, the plan 384" \
	osplan -i "$X-%Y.%m.%d" -f 2024-02-28 -t 2024-03-03 --target-docs 100
check "wildcard plan gets the misfiled document" 2024-02-28T00:00:00Z 2024-03-03T00:00:00Z -i "$X-*" -s 1d

t_done
