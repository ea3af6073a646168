# tests/integration/osplan_target.sh - --target-docs on the sample data: no
# chunk above N by the server's own count, chunks of an index contiguous,
# and the total equal to the server's count of the range.
. "${TOP:-$(dirname "$0")/../..}/tests/setup"
need_server
command -v jq >/dev/null || { fail "jq is needed"; # --count: the plan is unchanged and each chunk's docs is the server's count.
osplan -i 'logs-%Y.%m.%d' -f 2024-02-28T06:00:00Z -t 2024-03-02T18:00:00Z -s 6h >"$T/plain" 2>/dev/null
t_run "--count" 0 "planned 14 chunks, 0 missing indexes, [0-9]+ documents; per chunk min" \
	osplan -i 'logs-%Y.%m.%d' -f 2024-02-28T06:00:00Z -t 2024-03-02T18:00:00Z -s 6h --count --format json
jq -r '[.index, .from, .to] | join(" ")' "$T/out" >"$T/counted"
t_same_file "--count leaves the plan alone" "$T/counted" "$T/plain"
jq -r '[.index, .from, .to, .docs] | join(" ")' "$T/out" | while read -r idx f t d; do
	[ "$(count "$idx" "$f" "$t")" = "$d" ] || echo "$idx $f $t"
done >"$T/wrong"
t_eq "--count: docs per chunk are the server's" "$(wc -l <"$T/wrong" | tr -d ' ')" 0

t_done; }

count() { # INDEX FROM TO [QUERY]: the server's count of [FROM, TO)
	os_curl "$OS_URL/$1/_count" -d "{\"query\":{\"bool\":{\"filter\":[{\"range\":{\"@timestamp\":{\"gte\":\"$2\",\"lt\":\"$3\"}}}${4:+,$4}]}}}" |
		jq .count
}

# target NAME PATTERN FROM TO N [QUERY]
target() {
	_name=$1 _pat=$2 _from=$3 _to=$4 _n=$5 _q=${6:-}
	set -- -i "$_pat" -f "$_from" -t "$_to" --target-docs "$_n" --format json
	[ -n "$_q" ] && { printf '%s' "$_q" >"$T/q.json"; set -- "$@" -q "$T/q.json"; }
	if ! osplan "$@" >"$T/plan" 2>"$T/err"; then
		fail "$_name: osplan: $(cat "$T/err")"
		return
	fi
	# One line per chunk (slices of a chunk share a line) and its count.
	jq -r '[.index, .from, .to, (.slice // "-")] | join(" ")' "$T/plan" |
		awk '$4 == "-" || $4 ~ /^0\// { print $1, $2, $3, ($4 == "-" ? 1 : substr($4, 3)) }' >"$T/chunks"
	_sum=0 _bad=0 _max=0
	while read -r idx f t n; do
		c=$(count "$idx" "$f" "$t" "$_q")
		_sum=$((_sum + c))
		[ "$c" -gt "$_max" ] && _max=$c
		if [ "$c" -gt $((_n * n)) ] || { [ "$n" -gt 1 ] && [ "$c" -le "$_n" ]; }; then
			_bad=$((_bad + 1))
			echo "# $idx $f $t: $c documents, $n slice(s)"
		fi
	done <"$T/chunks"
	_total=$(count "${_pat%%%*}*" "$_from" "$_to" "$_q")
	t_eq "$_name: no chunk above $_n ($(wc -l <"$T/chunks" | tr -d ' ') chunks, max $_max)" "$_bad" 0
	[ "$_total" -gt 0 ] || fail "$_name: the range is empty, the test proves nothing"
	t_eq "$_name: total is the server's count" "$_sum" "$_total"
	# per index: sorted and contiguous (jq: group by index, compare ends)
	_gaps=$(jq -s '[group_by(.index)[] | [.[] | select((.slice // "0/1") | startswith("0/"))] |
		. as $c | range(1; length) | select($c[.].from_ms != $c[. - 1].to_ms)] | length' "$T/plan")
	t_eq "$_name: chunks of an index contiguous" "$_gaps" 0
	grep -q "per chunk min [0-9]* median [0-9]* max [0-9]*" "$T/err" && pass "$_name: summary" ||
		fail "$_name: no summary: $(cat "$T/err")"
}

target "daily, 3000" 'logs-%Y.%m.%d' 2024-02-28 2024-03-03 3000
target "daily, 777" 'logs-%Y.%m.%d' 2024-02-28T03:17:00Z 2024-03-02T20:00:00Z 777
target "daily, 1000, with a query" 'logs-%Y.%m.%d' 2024-02-28 2024-03-03 1000 '{"term":{"level":"ERROR"}}'
target "monthly, 500" 'metrics-%Y.%m' 2024-02-01 2024-04-01 500
target "hourly steps, 400" 'logs-%Y.%m.%d' 2024-02-29T10:00:00Z 2024-02-29T14:00:00Z 400
grep -q "logs-2024.02.29: 3000 documents at 2024-02-29T12:00:00.000Z, more than 400: fetched as 8 slices" "$T/err" &&
	pass "hot millisecond reported" || fail "hot millisecond not reported: $(cat "$T/err")"

# --count: the plan is unchanged and each chunk's docs is the server's count.
osplan -i 'logs-%Y.%m.%d' -f 2024-02-28T06:00:00Z -t 2024-03-02T18:00:00Z -s 6h >"$T/plain" 2>/dev/null
t_run "--count" 0 "planned 14 chunks, 0 missing indexes, [0-9]+ documents; per chunk min" \
	osplan -i 'logs-%Y.%m.%d' -f 2024-02-28T06:00:00Z -t 2024-03-02T18:00:00Z -s 6h --count --format json
jq -r '[.index, .from, .to] | join(" ")' "$T/out" >"$T/counted"
t_same_file "--count leaves the plan alone" "$T/counted" "$T/plain"
jq -r '[.index, .from, .to, .docs] | join(" ")' "$T/out" | while read -r idx f t d; do
	[ "$(count "$idx" "$f" "$t")" = "$d" ] || echo "$idx $f $t"
done >"$T/wrong"
t_eq "--count: docs per chunk are the server's" "$(wc -l <"$T/wrong" | tr -d ' ')" 0

t_done
