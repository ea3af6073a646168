# tests/integration/valgrind.sh - every tool once under valgrind memcheck on
# real work (osplan against the server, osfetch of a chunk with the hot
# instant, osmerge of chunk files, osdown to CSV, osshape, ospublish): no invalid access, no
# uninitialised read, no leak.  Skipped for sanitizer builds (the two do not mix).
. "$(dirname "$0")/../setup"
need_server

if ! command -v valgrind >/dev/null 2>&1; then
	fail "valgrind is not installed (scripts/deps installs it)"
	t_done
fi
if ldd "$TOP/bin/osfetch" 2>/dev/null | grep -q libasan; then
	pass "valgrind skipped: sanitizer build"
	t_done
fi

# vg NAME CMD...: the command under memcheck; any error or definite leak fails.
vg() {
	_n=$1
	shift
	_st=0
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--log-file="$T/vg.log" "$@" >"$T/out" 2>"$T/err" || _st=$?
	if [ "$_st" = 99 ] || [ -s "$T/vg.log" ]; then
		fail "$_n: valgrind: $(head -c 600 "$T/vg.log")"
	elif [ "$_st" != 0 ]; then
		fail "$_n: exit $_st: $(head -c 300 "$T/err")"
	else
		pass "$_n: valgrind clean"
	fi
}

FROM=2024-02-29T11:00:00.000Z
TO=2024-02-29T13:00:00.000Z
vg "osplan --target-docs" osplan --index 'logs-%Y.%m.%d' --from "$FROM" --to "$TO" --target-docs 1000
cp "$T/out" "$T/specs"
vg "osplan offline make format" osplan --offline --format make --cache "$T/c" \
	--index 'logs-%Y.%m.%d' --from 2024-02-28 --to 2024-03-03 --step 1h
vg "osfetch sliced and unsliced chunks" osfetch --cache "$T/c" --page-size 500 < "$T/specs"
ls "$T"/c/*/*/*.ndjson.lz4 > "$T/files" 2>/dev/null || true
[ -s "$T/files" ] && pass "osfetch published chunk files" || fail "osfetch published nothing"
vg "osfetch --no-sort --fields" osfetch --cache "$T/c2" --no-sort --fields '@timestamp,geo,tags' \
	logs-2024.03.01 2024-03-01T00:00:00Z 2024-03-01T02:00:00Z
one=$(head -n 1 "$T/files")
mkdir -p "$T/ret"
cp "$one" "$T/ret/c.lz4" && cp "$one.meta" "$T/ret/c.lz4.meta"
vg "ospublish --chunk of a fetched chunk" ospublish --chunk "$T/ret/c.lz4" "$T/adopted/c.lz4"
cmp -s "$one" "$T/adopted/c.lz4" && pass "ospublish --chunk: the same bytes" || fail "ospublish --chunk changed the chunk"
vg "ospublish of standard input" ospublish "$T/published" < "$one"
vg "osmerge of chunk files" osmerge --files-from "$T/files" -o "$T/merged.ndjson"
vg "osmerge --sort --unique -z" osmerge --sort --unique --memory 4M -z -o "$T/sorted.lz4" "$T/merged.ndjson" "$T/merged.ndjson"
vg "osdown with schema" osdown --schema "$T/s.json" -o "$T/out.csv" "$T/merged.ndjson"
rows=$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))) - 1)' "$T/out.csv")
t_eq "osdown under valgrind: one row per document" "$rows" "$(os_count 'logs-*' "$FROM" "$TO")"
vg "osdown from stdin (spooled), tab delimiter" osdown --delimiter '	' - < "$T/merged.ndjson"
vg "osshape of a daily pattern, markdown and tsv beside" osshape -i 'logs-%Y.%m.%d' -f 2024-02-27 -t 2024-03-03 \
	--width 50 --markdown "$T/shape.md" --tsv "$T/shape.tsv"
printf 'a\t1709251200000\t1709262000000\t7\n' >"$T/counts"
vg "osshape --counts, spread over buckets" osshape --counts "$T/counts" --format markdown
t_done
