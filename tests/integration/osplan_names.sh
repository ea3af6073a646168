# tests/integration/osplan_names.sh - index names the server accepts but
# osplan.1 does not ($, ;, backticks, quotes, tabs, newlines): resolved from
# a wildcard they stop the plan with one escaped line in every format, so no
# Makefile or xargs line ever carries them.
. "${TOP:-$(dirname "$0")/../..}/tests/setup"
need_server

X=osdl-t-names-$T_UID
tab=$(printf '\t')
cleanup() { os_curl -X DELETE "$OS_URL/$X-*" >/dev/null 2>&1 || true; rm -rf "$T"; }
trap cleanup EXIT INT TERM
urlenc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
mk() {
	os_curl -X PUT "$OS_URL/$(urlenc "$1")" -d '{"settings":{"number_of_shards":1,"number_of_replicas":0},
		"mappings":{"properties":{"@timestamp":{"type":"date"}}}}' >/dev/null
}
mk "$X-good"
t_run "only good names: planned" 0 "" osplan -i "$X-*" -f 2024-03-01 -t 2024-03-02 --format make
t_eq "the good index" "$(grep -c "^	\$(OSFETCH) .* '$X-good' " "$T/out")" 1


nl='
'
for suffix in 'a$(shell'"$tab"'touch'"$tab"'x)' 'a$(id)' 'a;id' 'a`id`' "a'b" "a${tab}b" "a${nl}b" 'a=b'; do
	name="$X-$suffix"
	shown=$(printf '%s\n' "$name" | sed ':a;N;s/\n/\\n/;ba' | sed "s/$tab/\\\\t/g")
	label=$(printf '%s\n' "$shown" | sed 's/\\/\\\\/g') # echo in dash reads backslashes
	if ! mk "$name" 2>"$T/mkerr"; then
		pass "server refuses '$shown': nothing to plan"
		continue
	fi
	t_run "osshape, server name '$label'" 2 "^osshape: index name '.*' is not allowed" \
		osshape -i "$X-*" -f 2024-03-01 -t 2024-03-02 --format tsv
	grep -qF -- "'$shown'" "$T/err" && [ ! -s "$T/out" ] && pass "osshape, server name '$label': escaped, no output" ||
		fail "osshape, server name '$label': stdout $(wc -c <"$T/out") bytes; stderr $(cat "$T/err")"
	for fmt in lines make json tsv; do
		t_run "server name '$label', $fmt" 2 "^osplan: index name '.*' is not allowed" \
			osplan -i "$X-*" -f 2024-03-01 -t 2024-03-02 --format "$fmt" --cache "$T/c"
		grep -qF -- "'$shown'" "$T/err" && [ ! -s "$T/out" ] && [ "$(wc -l <"$T/err")" = 1 ] &&
			pass "server name '$label', $fmt: one escaped line, no output" ||
			fail "server name '$label', $fmt: stdout $(wc -c <"$T/out") bytes; stderr $(cat "$T/err")"
	done
	os_curl -X DELETE "$OS_URL/$(urlenc "$name")" >/dev/null
done
# Field names from the server's mapping reach error lines escaped.
os_curl -X PUT "$OS_URL/$X-fields" -d '{"settings":{"number_of_shards":1,"number_of_replicas":0},
	"mappings":{"properties":{"@timestamp":{"type":"date"},"lev\nel":{"type":"keyword"}}}}' >/dev/null
t_run "closest field names escaped" 2 "closest: lev\\\\nel" osplan -i "$X-fields" -f 2024-03-01 -t 2024-03-02 --fields levle
t_eq "closest field names: one line" "$(wc -l <"$T/err" | tr -d ' ')" 1

[ ! -e x ] && [ ! -e "$T/c/x" ] && pass "nothing ran" || fail "a name ran as code"
t_done
