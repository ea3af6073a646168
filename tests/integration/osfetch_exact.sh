# osfetch_exact.sh - exactly-once against the real server: the _id multiset
# of every chunk file equals the server's, including thousands of documents
# sharing one timestamp across 3 shards; slices merge to the whole; cache
# hits never contact the server; contexts are cleared.
. "$(dirname "$0")/../setup"
. "$(dirname "$0")/osfetch_common"
need_server
IDX=osdl-t-fetch-exact-$$
trap 'os_curl -XDELETE "$OS_URL/$IDX" >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM
osf_index "$IDX"
osf_load "$IDX" 20000 4000
C=$T/cache

# check_chunk NAME FILE FROM TO: ids, count, meta, contexts.
check_chunk() {
	osf_file_ids "$2" >"$T/got.ids"
	os_ids "$IDX" "$3" "$4" >"$T/want.ids"
	t_same_file "$1: _id multiset equals the server's" "$T/got.ids" "$T/want.ids"
	t_eq "$1: no duplicate _id" "$(uniq -d "$T/got.ids" | wc -l | tr -d ' ')" 0
	t_eq "$1: meta docs = lines = server count" "$(osf_py "$2" '[M["docs"], len(L), M["server_total"]]')" \
		"[$(os_count "$IDX" "$3" "$4"),$(wc -l <"$T/got.ids" | tr -d ' '),$(os_count "$IDX" "$3" "$4")]"
	t_eq "$1: no scroll context left" "$(osf_open_scrolls "$IDX")" 0
}

t_run "whole day" 0 "" osfetch -d "$C" "$IDX" $OSF_FROM $OSF_TO
F=$(cat "$T/out")
t_eq "prints the published path" "$(test -f "$F" && echo yes)" yes
check_chunk "whole day" "$F" $OSF_FROM $OSF_TO
t_eq "whole day: documents in time order" \
	"$(osf_py "$F" 'all(L[i]["@timestamp"] <= L[i + 1]["@timestamp"] for i in range(len(L) - 1))')" true
t_eq "lines are _id, _index, then the source" "$(osf_py "$F" 'list(L[0])[0:3]')" '["_id","_index","@timestamp"]'
t_eq "no temporary file left" "$(find "$C" -name '*.part.*' | wc -l | tr -d ' ')" 0

# The hour of the shared timestamp: 4000 documents at 12:00:00.000 on 3 shards.
t_run "shared-timestamp hour" 0 "" osfetch -d "$C" --page-size 500 "$IDX" \
	2024-03-01T12:00:00.000Z 2024-03-01T13:00:00.000Z
check_chunk "shared-timestamp hour" "$(cat "$T/out")" 2024-03-01T12:00:00.000Z 2024-03-01T13:00:00.000Z
t_eq "shared-timestamp hour: more than 4000 docs" "$(osf_py "$(cat "$T/out")" 'M["docs"] > 4000')" true

t_run "--no-sort" 0 "" osfetch -d "$C" --no-sort "$IDX" $OSF_FROM $OSF_TO
t_eq "--no-sort uses another cache directory" "$(test "$(cat "$T/out")" != "$F" && echo yes)" yes
check_chunk "--no-sort" "$(cat "$T/out")" $OSF_FROM $OSF_TO

# Slices: four files whose union is the whole chunk, each document once.
: >"$T/slices.ids"
for i in 0 1 2 3; do
	t_run "slice $i/4" 0 "" osfetch -d "$C" "$IDX" $OSF_FROM $OSF_TO $i/4
	osf_file_ids "$(cat "$T/out")" >>"$T/slices.ids"
	t_eq "slice $i/4: no scroll context left" "$(osf_open_scrolls "$IDX")" 0
done
sort "$T/slices.ids" >"$T/slices.sorted"
osf_file_ids "$F" >"$T/whole.ids"
t_same_file "slices 0/4..3/4 merged equal the whole chunk" "$T/slices.sorted" "$T/whole.ids"

# Cached: no server contact at all (a dead URL), same path, file unchanged.
cp "$F" "$T/before"
OS_URL=http://127.0.0.1:1 t_run "cached chunk needs no server" 0 "" osfetch -d "$C" "$IDX" $OSF_FROM $OSF_TO
t_eq "cached chunk prints its path" "$(cat "$T/out")" "$F"
OS_URL=http://127.0.0.1:1 t_run "--force refetches (dead server: retries exhausted)" 4 "Couldn't connect|Failed to connect" \
	osfetch -d "$C" --force --retries 1 "$IDX" $OSF_FROM $OSF_TO
t_same_file "failed --force leaves the published file alone" "$F" "$T/before"
t_run "--force refetches" 0 "" osfetch -d "$C" --force "$IDX" $OSF_FROM $OSF_TO
check_chunk "--force" "$F" $OSF_FROM $OSF_TO

# Spec lines on stdin: one path per chunk, comments skipped.
printf '# two chunks\n%s %s %s\n\n%s %s %s\n' "$IDX" 2024-03-01T00:00:00.000Z 2024-03-01T06:00:00.000Z \
	"$IDX" 2024-03-01T06:00:00.000Z 2024-03-01T12:00:00.000Z |
	t_run "spec lines on stdin" 0 "" osfetch -d "$C"
t_eq "stdin: two paths" "$(wc -l <"$T/out" | tr -d ' ')" 2
check_chunk "stdin chunk 2" "$(sed -n 2p "$T/out")" 2024-03-01T06:00:00.000Z 2024-03-01T12:00:00.000Z

# Fields and query.
t_run "--fields n" 0 "" osfetch -d "$C" --fields n "$IDX" $OSF_FROM $OSF_TO
t_eq "--fields n: only _id, _index, n" "$(osf_py "$(cat "$T/out")" 'sorted(set(tuple(d) for d in L))')" '[["_id","_index","n"]]'
echo '{"term":{"tag":"t3"}}' >"$T/q.json"
t_run "--query" 0 "" osfetch -d "$C" -q "$T/q.json" "$IDX" $OSF_FROM $OSF_TO
osf_file_ids "$(cat "$T/out")" >"$T/got.ids"
os_ids --query "$T/q.json" "$IDX" $OSF_FROM $OSF_TO >"$T/want.ids"
t_same_file "--query: _id multiset equals the server's for the query" "$T/got.ids" "$T/want.ids"
t_eq "--query: not everything" "$(test "$(wc -l <"$T/got.ids")" -lt "$(wc -l <"$T/whole.ids")" && echo yes)" yes

# An empty chunk is a valid, empty file.
t_run "empty chunk" 0 "" osfetch -d "$C" "$IDX" 2023-01-01T00:00:00.000Z 2023-01-02T00:00:00.000Z
t_eq "empty chunk: no lines" "$(lz4 -dc "$(cat "$T/out")" | wc -l | tr -d ' ')" 0

# Permanent errors: the server's type and reason, exit 3, no file.
t_run "missing index" 3 "index_not_found_exception" osfetch -d "$C" "$IDX-nope" $OSF_FROM $OSF_TO
t_eq "missing index: nothing published" "$(find "$C" -path "*$IDX-nope*" -type f | wc -l | tr -d ' ')" 0
t_run "bad query" 3 "HTTP 400" osfetch -d "$C" -q /dev/stdin "$IDX" $OSF_FROM $OSF_TO <<'EOF'
{"no_such_query":{}}
EOF
t_eq "no scroll context left after errors" "$(osf_open_scrolls "$IDX")" 0
t_done
