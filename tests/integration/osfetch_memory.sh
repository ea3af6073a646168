# osfetch_memory.sh - memory does not grow with the chunk: with a --memory
# budget the local sort spills, so the peak RSS of a chunk 10x larger stays
# within 3 MB of the small one (docs/osfetch.1 states the bound: the budget,
# one document and fixed buffers), and the default budget keeps a 100 000
# document chunk under 32 MB.  Also measures docs/s on one
# large chunk: the sample day logs-2024.03.01 copied 10 times (100 000
# documents, each timestamp shared by 10 of them) when the sample data is
# loaded, else 60 000 generated documents.
. "$(dirname "$0")/../setup"
. "$(dirname "$0")/osfetch_common"
need_server
IDX=osdl-t-fetch-memory-$$
trap 'os_curl -XDELETE "$OS_URL/$IDX" >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM
if curl -sf "$OS_URL/logs-2024.03.01/_count" >/dev/null 2>&1; then
	src=logs-2024.03.01
	os_curl "$OS_URL/$src/_mapping" | python3 -c 'import sys, json
m = json.load(sys.stdin)[sys.argv[1]]["mappings"]
m.pop("_meta", None)
print(json.dumps({"settings": {"number_of_shards": 3, "number_of_replicas": 0, "refresh_interval": -1}, "mappings": m}))' "$src" >"$T/idx.json"
	os_curl -XPUT "$OS_URL/$IDX" -d "@$T/idx.json" >/dev/null
	for k in 0 1 2 3 4 5 6 7 8 9; do
		os_curl -XPOST "$OS_URL/_reindex?filter_path=failures" -d "{\"source\":{\"index\":\"$src\",\"size\":5000},
		  \"dest\":{\"index\":\"$IDX\"},\"script\":{\"source\":\"ctx._id = ctx._id + '-$k'\"}}" >/dev/null
	done
	os_curl -XPOST "$OS_URL/$IDX/_refresh" >/dev/null
else
	osf_index "$IDX"
	osf_load "$IDX" 60000 0
fi
total=$(os_count "$IDX" $OSF_FROM $OSF_TO)

# fetch FROM TO [OPTION...]: fetches [FROM, TO); prints "peak_rss_kb docs_per_s".
fetch() {
	_f=$1 _t=$2
	shift 2
	osfetch -d "$T/c" --force --log-level detailed "$@" "$IDX" "$_f" "$_t" >"$T/out" 2>"$T/err"
	sed -n 's/.*done:.*docs_per_s=\([0-9]*\) peak_rss_kb=\([0-9]*\)$/\2 \1/p' "$T/err"
}
set -- $(fetch 2024-03-01T00:00:00.000Z 2024-03-01T02:24:00.000Z --memory 2M)
small=$1
set -- $(fetch $OSF_FROM $OSF_TO --memory 2M)
big=$1
set -- $(fetch $OSF_FROM $OSF_TO)
default=$1 rate=$2
osf_file_ids "$(cat "$T/out")" >"$T/got.ids"
t_eq "the large chunk is complete" "$(wc -l <"$T/got.ids" | tr -d ' ')" "$total"
t_eq "the large chunk has no duplicate" "$(uniq -d "$T/got.ids" | wc -l | tr -d ' ')" 0
set -- $(fetch $OSF_FROM $OSF_TO --no-sort)
echo "# $total docs, $(osf_py "$(cat "$T/out")" 'M["bytes"]') bytes: $rate docs/s sorted, $2 docs/s --no-sort;" \
	"peak RSS with --memory 2M $small KiB (1/10 of the chunk) vs $big KiB; default budget $default KiB"
if ldd "$TOP/bin/osfetch" 2>/dev/null | grep -q libasan; then
	pass "peak RSS bound # SKIP: sanitizer build ($small KiB vs $big KiB)"
else
	t_eq "--memory 2M: peak RSS of a 10x larger chunk within 3 MB ($small vs $big KiB)" \
		"$(test $((big - small)) -lt 3072 && echo yes)" yes
	t_eq "default budget: peak RSS under 32 MB ($default KiB)" \
		"$(test "$default" -lt 32768 && echo yes)" yes
fi
t_done
