# tests/integration/osplan_server.sh - what osplan asks the server: field and
# time field checks with the closest names, aliases and wildcards resolved
# to concrete indexes, missing indexes skipped and listed.
. "${TOP:-$(dirname "$0")/../..}/tests/setup"
need_server

X=osdl-t-plan-srv
cleanup() { os_curl -X DELETE "$OS_URL/$X-*" >/dev/null 2>&1 || true; rm -rf "$T"; }
trap cleanup EXIT INT TERM
os_curl -X DELETE "$OS_URL/$X-*" >/dev/null 2>&1 || true
for i in a b; do
	os_curl -X PUT "$OS_URL/$X-$i" -d '{"settings":{"number_of_shards":1,"number_of_replicas":0},
		"mappings":{"properties":{"@timestamp":{"type":"date"},"level":{"type":"keyword"},
		"http":{"properties":{"status":{"type":"short"}}}}}}' >/dev/null
done
os_curl -X POST "$OS_URL/_aliases" -d "{\"actions\":[{\"add\":{\"index\":\"$X-a\",\"alias\":\"$X-al\"}},
	{\"add\":{\"index\":\"$X-b\",\"alias\":\"$X-al\"}}]}" >/dev/null

# err_case NAME REGEX ARGS...: exit 2, one line on stderr, nothing on stdout.
err_case() {
	_n=$1 _r=$2
	shift 2
	t_run "$_n" 2 "$_r" osplan -f 2024-03-01 -t 2024-03-03 "$@"
	[ ! -s "$T/out" ] && [ "$(wc -l <"$T/err")" = 1 ] && pass "$_n: one line, empty stdout" ||
		fail "$_n: stdout $(wc -c <"$T/out") bytes, stderr $(wc -l <"$T/err") lines"
}
err_case "unknown fields" '^osplan: unknown fields in --fields: levle \(closest: level[,)].*; http.stauts \(closest: http.status' \
	-i 'logs-%Y.%m.%d' --fields @timestamp,levle,http.stauts
err_case "unknown wildcard field" 'unknown field in --fields: nope\.\*' -i 'logs-%Y.%m.%d' --fields 'nope.*'
err_case "unknown time field" '^osplan: unknown time field timestmp \(closest: @timestamp' -i 'logs-%Y.%m.%d' --time-field timestmp
err_case "time field not a date" '^osplan: time field level is of type keyword, not date' -i 'logs-%Y.%m.%d' --time-field level
err_case "unknown field of an alias" 'unknown field in --fields: levl \(closest: level' -i "$X-al" --fields levl

t_run "known fields, objects and wildcards" 0 "" osplan -i 'logs-%Y.%m.%d' -f 2024-03-01 -t 2024-03-02 \
	--fields '@timestamp,geo,user.*,http.status'
t_eq "one chunk" "$(cat "$T/out")" "logs-2024.03.01 2024-03-01T00:00:00.000Z 2024-03-02T00:00:00.000Z"

cat >"$T/want" <<EOF
$X-a 2024-03-01T00:00:00.000Z 2024-03-02T00:00:00.000Z
$X-b 2024-03-01T00:00:00.000Z 2024-03-02T00:00:00.000Z
$X-a 2024-03-02T00:00:00.000Z 2024-03-03T00:00:00.000Z
$X-b 2024-03-02T00:00:00.000Z 2024-03-03T00:00:00.000Z
EOF
t_run "alias" 0 "" osplan -i "$X-al" -f 2024-03-01 -t 2024-03-03
t_same_file "alias resolved to its indexes" "$T/out" "$T/want"
t_run "wildcard" 0 "" osplan -i "$X-*" -f 2024-03-01 -t 2024-03-03
t_same_file "wildcard resolved to its indexes" "$T/out" "$T/want"
t_run "comma list" 0 "" osplan -i "$X-b,$X-a,$X-nope" -f 2024-03-01 -t 2024-03-03
t_same_file "comma list resolved to its indexes" "$T/out" "$T/want"
t_run "offline alias is passed on" 0 "" osplan --offline -i "$X-al" -f 2024-03-01 -t 2024-03-02
t_eq "offline alias" "$(cut -d' ' -f1 "$T/out")" "$X-al"

t_run "missing plain index" 0 "skipped 1 missing index: $X-nope" osplan -i "$X-nope" -f 2024-03-01 -t 2024-03-03
t_eq "missing: no chunk" "$(wc -c <"$T/out" | tr -d ' ')" 0
t_run "missing daily indexes" 0 "skipped 2 missing indexes: logs-2024.02.27, logs-2024.03.03" \
	osplan -i 'logs-%Y.%m.%d' -f 2024-02-27T12:00:00Z -t 2024-03-03T12:00:00Z
t_eq "missing: the others planned" "$(cut -d' ' -f1 "$T/out" | tr '\n' ' ')" \
	"logs-2024.02.28 logs-2024.02.29 logs-2024.03.01 logs-2024.03.02 "
grep -q "4 chunks, 2 missing indexes" "$T/err" && pass "summary counts the missing" || fail "summary: $(cat "$T/err")"

# --format tsv: the same chunks as the lines format, with the json format's
# paths and counts, six tab-separated fields.
t_run "tsv" 0 "" osplan -i 'logs-%Y.%m.%d' -f 2024-02-28 -t 2024-03-03 --target-docs 2000 --format tsv -d "$T/c"
cp "$T/out" "$T/plan.tsv"
osplan -i 'logs-%Y.%m.%d' -f 2024-02-28 -t 2024-03-03 --target-docs 2000 >"$T/plan.lines"
t_eq "tsv: six fields on every line" "$(awk -F '\t' 'NF != 6' "$T/plan.tsv" | wc -l | tr -d ' ')" 0
t_same_file "tsv: specs equal the lines format" \
	"$(awk -F '\t' '{ s = $1 " " $2 " " $3; if ($4 != "-") s = s " " $4; print s }' "$T/plan.tsv" >"$T/tsv.specs"; echo "$T/tsv.specs")" "$T/plan.lines"
osplan -i 'logs-%Y.%m.%d' -f 2024-02-28 -t 2024-03-03 --target-docs 2000 --format json -d "$T/c" |
	sed 's/.*"docs":\([0-9]*\),"path":"\([^"]*\)".*/\2	\1/' >"$T/json.pd"
t_same_file "tsv: paths and docs equal the json format" "$(cut -f 5,6 "$T/plan.tsv" >"$T/tsv.pd"; echo "$T/tsv.pd")" "$T/json.pd"
t_eq "tsv: docs add up to the server's count" "$(cut -f 6 "$T/plan.tsv" | paste -sd+ | bc)" "$(os_count 'logs-*' 2024-02-28T00:00:00Z 2024-03-03T00:00:00Z)"
# --total: KEY=VALUE lines, the server's _count over the range.
t_run "--total" 0 "" osplan -i 'logs-%Y.%m.%d' -f 2024-02-29 -t 2024-03-01 --total
t_eq "--total: the server's count" "$(sed -n 's/^total=//p' "$T/out")" \
	"$(os_count 'logs-*' 2024-02-29T00:00:00Z 2024-03-01T00:00:00Z)"
grep -Eq '^server=(opensearch|elasticsearch) [0-9.]+$' "$T/out" && pass "--total: names the engine" || fail "--total: $(cat "$T/out")"
t_eq "--total: url without credentials" "$(sed -n 's/^url=//p' "$T/out")" "${OS_URL%/}"
OS_URL=$OS_URL/x t_run "--total: a server that fails is an error" 3 "404" \
	osplan -i x -f 2024-03-01 -t 2024-03-02 --total
t_run "--total --offline: usage error" 2 "cannot be --offline" osplan --offline -i x -f 2024-03-01 -t 2024-03-02 --total

# --offline never connects, even to a dead server.
OS_URL=http://127.0.0.1:1 t_run "offline ignores OS_URL" 0 "" osplan --offline -i 'logs-%Y.%m.%d' -f 2024-03-01 -t 2024-03-02
t_done
