# osfetch_order.sh - a chunk read in the server's _doc order and sorted
# locally (time, then _id) has the same bytes whatever the page size, the
# memory budget (spilled runs, merge passes), a restarted scroll, or slicing
# (slices merged by time then _id equal the whole); its ids are the server's.
. "$(dirname "$0")/../setup"
. "$(dirname "$0")/osfetch_common"
need_server
IDX=osdl-t-fetch-order-$T_UID
trap 'osf_proxy_stop; os_curl -XDELETE "$OS_URL/$IDX" >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM
osf_index "$IDX"
# 6000 documents two by two on the same millisecond, 3000 more on one instant.
osf_load "$IDX" 6000 3000
os_ids "$IDX" $OSF_FROM $OSF_TO >"$T/want.ids"
mkdir "$T/tmp"
export TMPDIR=$T/tmp

# fetch NAME DIR [OPTION...]: the chunk (slice $SLICE if set) into cache
# DIR; its path in $T/out.
SLICE=
fetch() {
	_n=$1 _d=$2
	shift 2
	t_run "$_n" 0 "" osfetch -d "$_d" --log-level extra "$@" "$IDX" $OSF_FROM $OSF_TO $SLICE
}
fetch "page size 5000" "$T/a" --page-size 5000
A=$(cat "$T/out")
osf_file_ids "$A" >"$T/got.ids"
t_same_file "ids equal the server's" "$T/got.ids" "$T/want.ids"
t_eq "sorted by time, then _id (python's reading)" "$(osf_py "$A" '
all((L[i]["@timestamp"], L[i]["_id"]) < (L[i+1]["@timestamp"], L[i+1]["_id"]) for i in range(len(L)-1))')" true
t_eq "sorted locally, in memory" \
	"$(grep -c 'sorted 9000 docs locally in [0-9.]*s (0 runs spilled' "$T/err")" 1

fetch "page size 100" "$T/b" --page-size 100
t_same_file "page size 100 and 5000: the same file" "$(cat "$T/out")" "$A"

fetch "--memory 64K (spills, merge passes)" "$T/c" --memory 64K --page-size 1000
t_same_file "--memory 64K: the same file" "$(cat "$T/out")" "$A"
t_eq "--memory 64K: runs were spilled and merged" \
	"$(sed -n 's/.* (\([0-9]*\) runs spilled.*, \([0-9]*\) merge passes).*/\1 \2/p' "$T/err" | awk '{ print ($1 > 10 && $2 > 0) ? "yes" : $0 }')" yes
t_eq "no spill file left" "$(find "$T/tmp" -type f | wc -l | tr -d ' ')" 0
fetch "a chunk that fits makes no spill directory (--tmpdir missing)" "$T/c2" --tmpdir "$T/nonexistent"
t_run "a chunk that spills into a missing --tmpdir" 6 "cannot make a temporary directory in .*/nonexistent" \
	osfetch -d "$T/c3" --memory 64K --tmpdir "$T/nonexistent" "$IDX" $OSF_FROM $OSF_TO
t_eq "nothing published" "$(find "$T/c3" -name '*.lz4' | wc -l | tr -d ' ')" 0

# A scroll page lost mid-chunk: the chunk restarts on a new scroll.
osf_proxy 'POST /_search/scroll@4=reset'
OS_URL=$PROXY_URL fetch "restarted scroll" "$T/d" --page-size 1000 --memory 256K
osf_proxy_stop
t_eq "restarted scroll: the meta counts the restart" "$(osf_py "$(cat "$T/out")" 'M["restarts"] + M["retries"]')" 1
t_same_file "restarted scroll: the same file" "$(cat "$T/out")" "$A"

for i in 0 1; do
	SLICE=$i/2 fetch "slice $i/2" "$T/e" --page-size 700
	echo "$(cat "$T/out")" >>"$T/slices"
done
osmerge -k @timestamp -k _id --sorted-keys 1 --files-from "$T/slices" -o "$T/merged"
lz4 -dc "$A" >"$T/whole"
t_same_file "slices 0/2 and 1/2 merged by time then _id: the whole chunk's bytes" "$T/merged" "$T/whole"

fetch "--no-sort" "$T/f" --no-sort
osf_file_ids "$(cat "$T/out")" >"$T/got.ids"
t_same_file "--no-sort: ids equal the server's" "$T/got.ids" "$T/want.ids"
t_eq "no spill directory left" "$(find "$T/tmp" | wc -l | tr -d ' ')" 1
t_done
