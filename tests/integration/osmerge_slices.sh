#!/bin/sh
# tests/integration/osmerge_slices.sh - merging what osfetch really writes:
# the slices of a chunk equal the unsliced chunk, and consecutive chunk
# files equal the whole-range download, byte for byte after both are
# sorted by (@timestamp, _id); the ids are the server's own.  A generated
# (serverless) version of both runs first.
. "$(dirname "$0")/../setup"
GEN="$TOP/tests/osmerge_gen.awk"

# Sort by (@timestamp, _id) with sort(1): field 12 and field 4 of lines
# {"_id":"ID","_index":"IX","@timestamp":"TS",...} (fixed-width UTC times).
by_key_id() { sort -t'"' -k12,12 -k4,4 "$@"; }

# ---- generated data: no server needed ----
awk -v n=20000 -v seed=11 -v span=86400000 -f "$GEN" >"$T/a"
awk -v n=3000 -v seed=12 -v start=1709294400000 -v span=30 -f "$GEN" >"$T/b" # 100 per ms at 12:00
sort -s -t'"' -k12,12 "$T/a" "$T/b" >"$T/chunk"
# Slices: documents dealt pseudo-randomly (like a hash of _id) into 3 files.
awk -v d="$T" 'BEGIN { srand(5) } { print > (d "/slice" int(rand() * 3)) }' "$T/chunk"
t_run "generated: merge of 3 slices" 0 "23000 documents" osmerge "$T/slice0" "$T/slice1" "$T/slice2"
by_key_id "$T/out" >"$T/m.s"
by_key_id "$T/chunk" >"$T/c.s"
t_same_file "generated: slices merge to the chunk (sorted by key, _id)" "$T/m.s" "$T/c.s"
# Overlapping re-fetch: slice1 fetched twice, --unique drops the copies.
n1=$(wc -l <"$T/slice1")
t_run "generated: --unique over a repeated slice" 0 "dropped $n1 duplicates" \
	osmerge --unique "$T/slice0" "$T/slice1" "$T/slice2" "$T/slice1"
by_key_id "$T/out" >"$T/u.s"
t_same_file "generated: --unique result is the chunk" "$T/u.s" "$T/c.s"
# Chunk files by 4 hours (ties never straddle two chunks) equal the whole.
awk -F'"' -v d="$T" '{ print > (d "/h" int(substr($12, 12, 2) / 4)) }' "$T/chunk"
t_run "generated: merge of 6 chunk files" 0 "23000 documents" osmerge "$T/h5" "$T/h3" "$T/h0" "$T/h1" "$T/h4" "$T/h2"
t_same_file "generated: chunk files merge to the whole range, byte for byte" "$T/out" "$T/chunk"

# ---- a real server ----
need_server
IX=osdl-t-merge-$$
cleanup_ix() { os_curl -XDELETE "$OS_URL/$IX" >/dev/null 2>&1 || true; rm -rf "$T"; }
trap cleanup_ix EXIT INT TERM
os_curl -XPUT "$OS_URL/$IX" -d '{"settings":{"number_of_shards":3,"number_of_replicas":0},
  "mappings":{"properties":{"@timestamp":{"type":"date"},"host":{"properties":{"name":{"type":"keyword"}}},
  "bytes":{"type":"long"},"status":{"type":"integer"},"message":{"type":"keyword"}}}}' >/dev/null
# The same documents as above, without _id/_index (the server assigns ids,
# spreading the 100-per-millisecond block over all three shards).
sed 's/^{"_id":"[^"]*","_index":"[^"]*",/{/' "$T/chunk" | awk '{ print "{\"index\":{}}"; print }' >"$T/bulk"
split -l 10000 "$T/bulk" "$T/bulk."
for f in "$T"/bulk.a?; do
	os_curl -XPOST "$OS_URL/$IX/_bulk" --data-binary "@$f" | grep -q '"errors":false' || fail "bulk load"
done
os_curl -XPOST "$OS_URL/$IX/_refresh" >/dev/null
total=$(os_curl "$OS_URL/$IX/_count" | sed -n 's/.*"count":\([0-9]*\).*/\1/p')
t_eq "server holds the 23000 documents" "$total" 23000

D=2024-03-01T00:00:00.000Z
E=2024-03-02T00:00:00.000Z
whole=$(osfetch -d "$T/cache" --log-level quiet "$IX" $D $E) || fail "osfetch whole day"
for i in 0 1 2; do
	osfetch -d "$T/cache" --log-level quiet "$IX" $D $E $i/3 || fail "osfetch slice $i/3"
done >"$T/slices"
t_eq "3 slice files" "$(wc -l <"$T/slices")" 3
t_run "server: merge of 3 slices" 0 "23000 documents" osmerge --files-from "$T/slices" -o "$T/sm"
lz4 -dc "$whole" | by_key_id >"$T/w.s"
by_key_id "$T/sm" >"$T/sm.s"
t_same_file "server: slices merge to the unsliced chunk (sorted by key, _id)" "$T/sm.s" "$T/w.s"
# The ids: exactly the server's, each once (a scroll of our own; sed, not
# jq: server ids are [A-Za-z0-9_-]).
os_curl -XPOST "$OS_URL/$IX/_search?size=10000&scroll=1m&filter_path=_scroll_id,hits.hits._id" \
	-d '{"_source":false,"sort":["_doc"]}' >"$T/page"
: >"$T/server.ids"
while grep -q '"_id"' "$T/page"; do
	grep -o '"_id":"[^"]*"' "$T/page" | cut -d'"' -f4 >>"$T/server.ids"
	sid=$(sed -n 's/.*"_scroll_id":"\([^"]*\)".*/\1/p' "$T/page")
	os_curl -XPOST "$OS_URL/_search/scroll?filter_path=_scroll_id,hits.hits._id" \
		-d "{\"scroll\":\"1m\",\"scroll_id\":\"$sid\"}" >"$T/page"
done
# Clear only our own scroll: the server may be shared.
sid=$(sed -n 's/.*"_scroll_id":"\([^"]*\)".*/\1/p' "$T/page")
[ -z "$sid" ] || os_curl -XDELETE "$OS_URL/_search/scroll" -d "{\"scroll_id\":[\"$sid\"]}" >/dev/null 2>&1 || true
sort "$T/server.ids" >"$T/server.s"
cut -d'"' -f4 "$T/sm" | sort >"$T/merged.ids"
t_same_file "server: merged ids are the server's ids, each once" "$T/merged.ids" "$T/server.s"

# Six 4-hour chunk files, listed out of order, equal the whole-day file.
for h in 20 08 00 16 12 04; do
	e=$(printf '%02d' "$(expr "$h" + 4)")
	if [ "$e" = 24 ]; then to=$E; else to=2024-03-01T$e:00:00.000Z; fi
	osfetch -d "$T/cache" --log-level quiet "$IX" 2024-03-01T$h:00:00.000Z $to || fail "osfetch $h"
done >"$T/chunks"
t_run "server: merge of 6 chunk files" 0 "23000 documents" osmerge --files-from "$T/chunks" -o "$T/cm"
by_key_id "$T/cm" >"$T/cm.s"
t_same_file "server: chunk files merge to the whole-range download (sorted by key, _id)" "$T/cm.s" "$T/w.s"
# As osdownload merges: by (time, _id), chunks sorted by time only.
t_run "server: -k @timestamp -k _id --sorted-keys 1 over slices and chunks" 0 "46000 documents" \
	osmerge -k @timestamp -k _id --sorted-keys 1 -o "$T/byid" $(cat "$T/slices" "$T/chunks")
by_key_id "$T/sm" "$T/cm" >"$T/byid.want"
t_same_file "server: (time, _id) merge equals sort(1) by (time, _id), byte for byte" "$T/byid" "$T/byid.want"
t_run "server: whole-range download and its merge with itself under --unique" 0 "dropped 23000 duplicates" \
	osmerge --unique "$whole" "$T/cm"
t_done
