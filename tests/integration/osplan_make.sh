# tests/integration/osplan_make.sh - a --format make plan fetched with make
# and osfetch holds every document of the range once; after deleting two
# chunk files, make -n lists exactly those two.
. "${TOP:-$(dirname "$0")/../..}/tests/setup"
need_server
command -v jq >/dev/null || { fail "jq is needed"; t_done; }
command -v osfetch >/dev/null || { fail "osfetch is not built"; t_done; }

F=2024-02-28T00:00:00Z
E=2024-03-03T00:00:00Z
want=$(os_curl "$OS_URL/logs-*/_count" -d "{\"query\":{\"range\":{\"@timestamp\":{\"gte\":\"$F\",\"lt\":\"$E\"}}}}" | jq .count)
[ "$want" -gt 0 ] && pass "sample data: $want documents" || fail "no sample data"

# 2500 per chunk: the sample's 3000 documents sharing one millisecond
# become two slices, so sliced chunk files are covered too.
t_run "plan" 0 "" osplan -i 'logs-%Y.%m.%d' -f $F -t $E --target-docs 2500 --format make --cache "$T/c"
mv "$T/out" "$T/plan.mk"
n=$(grep -c '^	\$(OSFETCH)' "$T/plan.mk")
grep -q ' [01]/2 >/dev/null$' "$T/plan.mk" && pass "plan has slices" || fail "plan has no slices"

t_run "make -j 2 fetches all $n chunks" 0 "" make -s -j 2 -f "$T/plan.mk"
t_eq "chunk files" "$(find "$T/c" -name '*.ndjson.lz4' | wc -l | tr -d ' ')" "$n"
t_eq "nothing left to do" "$(make -n -f "$T/plan.mk" | grep -c osfetch)" 0

# Every (_index, _id) once, and as many as the server counts in the range.
all_ids() { find "$T/c" -name '*.ndjson.lz4' -exec lz4cat {} + | jq -r '._index + " " + ._id' | sort; }
all_ids >"$T/ids1"
t_eq "no document twice" "$(uniq -d "$T/ids1" | wc -l | tr -d ' ')" 0
t_eq "documents fetched = server count" "$(wc -l <"$T/ids1" | tr -d ' ')" "$want"

# Delete two chunk files: make -n names exactly their specs.
set -- $(find "$T/c" -name '*.ndjson.lz4' | sort | sed -n '3p;8p')
rm -f "$1" "$2" "$1.meta" "$2.meta"
make -n -f "$T/plan.mk" OSFETCH=osfetch | grep osfetch >"$T/todo"
t_eq "make -n lists two" "$(wc -l <"$T/todo" | tr -d ' ')" 2
for f in "$1" "$2"; do
	# .../INDEX/FROMc_TOc[.sIofN].ndjson.lz4 -> the spec make will fetch
	idx=$(basename "$(dirname "$f")")
	grep -q "^$f:\$" "$T/plan.mk" && pass "deleted file is a target" || fail "$f is no target"
	recipe=$(grep -A1 "^$f:\$" "$T/plan.mk" | tail -1 | sed 's/^	\$(OSFETCH) \$(OSFETCH_FLAGS)/osfetch /')
	grep -qF -- "$(echo "$recipe" | sed 's/^osfetch //')" "$T/todo" && pass "make -n lists $idx chunk" ||
		fail "make -n does not list $f"
done
t_run "make refetches the two" 0 "" make -s -j 2 -f "$T/plan.mk"
all_ids >"$T/ids2"
t_same_file "same documents after the rerun" "$T/ids1" "$T/ids2"

t_done
