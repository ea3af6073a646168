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

# --offline never connects, even to a dead server.
OS_URL=http://127.0.0.1:1 t_run "offline ignores OS_URL" 0 "" osplan --offline -i 'logs-%Y.%m.%d' -f 2024-03-01 -t 2024-03-02
t_done
