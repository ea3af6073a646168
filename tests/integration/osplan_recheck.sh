# tests/integration/osplan_recheck.sh - osplan --recheck on the real server:
# after documents are added to an exported hour, deleted from another and
# moved between two, it lists exactly those chunks; a replace in place with
# equal counts is seen by --check seqno only; slices of one millisecond
# share the verdict of the whole millisecond; --format make removes exactly
# the stale chunks and make fetches only those; a mapping drift across two
# daily indexes is reported with both names.
. "${TOP:-$(dirname "$0")/../..}/tests/setup"
. "$(dirname "$0")/recheck_common"
need_server

I="osdl-t-rc-$T_UID"
P="$I-%Y.%m.%d"
C=$T/cache
trap 'os_curl -XDELETE "$OS_URL/$I-2024.03.01,$I-2024.03.02?ignore_unavailable=true" >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM

# Two daily indexes (recheck_common), and five more documents sharing
# 2024-03-01T12:00:00.000Z.
rc_indexes "$I"
for k in 1 2 3 4 5; do
	printf '{"index":{"_index":"%s","_id":"same-%s"}}\n{"@timestamp":"2024-03-01T12:00:00.000Z","code":%s,"msg":"s"}\n' "$I-2024.03.01" $k $k
done >>"$T/bulk"
os_curl -XPOST "$OS_URL/_bulk?refresh=true" --data-binary @"$T/bulk" |
	grep -q '"errors":false' && pass "test indexes loaded" || fail "bulk load failed"

R="-i $P -f 2024-03-01 -t 2024-03-03 -s 1h -d $C"
# recheck [ARGS]: the recheck lines as "STATE INDEX/NAME CACHED SERVER REASON".
recheck() {
	# shellcheck disable=SC2086
	osplan $R --recheck "$@" >"$T/rc.out" 2>"$T/rc.err" || { fail "osplan --recheck $*: exit $?: $(head -c 300 "$T/rc.err")"; return 1; }
	awk -F '\t' '{ n = split($2, p, "/"); print $1, p[n - 1] "/" p[n], $3, $4, $5 }' "$T/rc.out"
}
# name DAY HOUR: the chunk of that hour, as recheck prints it.
name() { echo "$I-2024.03.$1/202403$1T$2""0000.000Z_202403$1T$(printf %02d $((1$2 - 99)))0000.000Z.ndjson.lz4"; }
states() { recheck "$@" | awk '{ print $1 }' | sort | uniq -c | awk '{ printf "%s %s ", $2, $1 }'; }

# Before anything is cached: every chunk missing; seqno records baselines.
t_eq "all missing" "$(states --check seqno)" "missing 48 "
t_eq "seqno baselines recorded" "$(find "$C" -name '*.check' | wc -l | tr -d ' ')" 48
# shellcheck disable=SC2086
osplan $R | osfetch -d "$C" >"$T/paths" 2>"$T/fetch.err" && pass "fetched" || fail "fetch: $(head -c 300 "$T/fetch.err")"
t_eq "count: all fresh" "$(states)" "fresh 48 "
t_eq "seqno: all fresh" "$(states --check seqno)" "fresh 48 "
t_run "summary" 0 "recheck \(count\): 48 chunks, 48 fresh, 0 stale, 0 missing; 2 requests" \
	osplan $R --recheck --summary "$T/sum"
t_eq "summary file" "$(tr '\n' ' ' <"$T/sum" | sed 's/ seconds=.*//')" \
	"check=count chunks=48 fresh=48 stale=0 missing=0 removed=0 requests=2"
grep -q "^fresh	$C/.*/$I-2024.03.01/20240301T000000.000Z_20240301T010000.000Z.ndjson.lz4	2	2	-\$" "$T/out" &&
	pass "line format" || fail "line format: $(head -1 "$T/out")"

# Add to an exported hour, delete from another, move one between hours.
os_curl -XPOST "$OS_URL/$I-2024.03.01/_doc/late-1" -d '{"@timestamp":"2024-03-01T01:55:00.000Z","code":1,"msg":"late"}' >/dev/null
os_curl -XDELETE "$OS_URL/$I-2024.03.01/_doc/d01-h05-a" >/dev/null
os_curl -XPUT "$OS_URL/$I-2024.03.02/_doc/d02-h10-a" -d '{"@timestamp":"2024-03-02T11:30:00.000Z","code":"10","msg":"moved"}' >/dev/null
os_curl -XPOST "$OS_URL/$I-2024.03.01,$I-2024.03.02/_refresh" >/dev/null
printf '%s\n' "stale $(name 01 01) 2 3 count" "stale $(name 01 05) 2 1 count" "stale $(name 02 10) 2 1 count" \
	"stale $(name 02 11) 2 3 count" >"$T/want1"
recheck | grep -v '^fresh' >"$T/got1"
t_same_file "count: exactly the three changed hours and the moved document's target" "$T/got1" "$T/want1"
t_eq "count: the others fresh" "$(states)" "fresh 44 stale 4 "

# Replace in place with equal counts: an update, and a delete plus an add.
os_curl -XPUT "$OS_URL/$I-2024.03.01/_doc/d01-h15-a?refresh=true" -d '{"@timestamp":"2024-03-01T15:10:00.000Z","code":15,"msg":"changed"}' >/dev/null
os_curl -XDELETE "$OS_URL/$I-2024.03.02/_doc/d02-h20-a?refresh=true" >/dev/null
os_curl -XPOST "$OS_URL/$I-2024.03.02/_doc/new-20?refresh=true" -d '{"@timestamp":"2024-03-02T20:20:00.000Z","code":"20","msg":"new"}' >/dev/null
t_eq "count cannot see a replace in place" "$(states)" "fresh 44 stale 4 "
recheck --check seqno | grep -v '^fresh' >"$T/got2"
{ cat "$T/want1"; echo "stale $(name 01 15) 2 2 seqno"; echo "stale $(name 02 20) 2 2 seqno"; } | sort >"$T/want2"
sort "$T/got2" >"$T/got2s"
t_same_file "seqno: also the two replaced in place" "$T/got2s" "$T/want2"

# A sidecar that does not describe its file (a refresh killed between the
# two renames): stale, whatever the counts.
f=$C/$(sed -n 1p "$T/paths" | sed "s|^$C/||")
cp "$f.meta" "$T/meta.keep"
sed 's/"compressed_bytes":[0-9]*/"compressed_bytes":1/' "$T/meta.keep" >"$f.meta"
recheck | grep -q "^stale $(name 01 00) 2 2 size\$" && pass "size mismatch is stale" || fail "size mismatch: $(head -1 "$T/rc.out")"
cp "$T/meta.keep" "$f.meta"

# make: the recheck removes exactly the stale chunks, make fetches them.
t_run "recheck --format make" 0 "recheck \(seqno\): 48 chunks, 42 fresh, 6 stale, 0 missing, stale ones removed" \
	osplan $R --recheck --check seqno --format make
mv "$T/out" "$T/plan.mk"
t_eq "six chunks removed" "$(find "$C" -name '*.lz4' | wc -l | tr -d ' ')" 42
t_eq "make -n: six to fetch" "$(make -n -f "$T/plan.mk" | grep -c osfetch)" 6
# The 42 kept chunks get a marker mtime: a refetched chunk may reuse a
# removed one's inode within the same second, so inode and mtime alone
# cannot tell it apart.
find "$C" -name '*.lz4' -exec touch -m -d @978307200 {} +
t_run "make fetches them" 0 "" make -s -f "$T/plan.mk"
find "$C" -name '*.lz4' -exec stat -c '%Y %n' {} + | awk '$1 != 978307200 { n = split($2, p, "/"); print p[n - 1] "/" p[n] }' |
	sort >"$T/changed"
awk '{ print $2 }' "$T/want2" | sort >"$T/want_changed"
t_same_file "only the six stale chunks were written again" "$T/changed" "$T/want_changed"
t_eq "seqno after make: all fresh" "$(states --check seqno)" "fresh 48 "
t_eq "count after make: all fresh" "$(states)" "fresh 48 "

# Slices: 5 documents in one millisecond, at most 3 per chunk: two slices,
# each line carrying the whole millisecond's counts.
S="-i $P -f 2024-03-01T12:00:00Z -t 2024-03-01T13:00:00Z --target-docs 3 -d $T/sc"
# shellcheck disable=SC2086
osplan $S | osfetch -d "$T/sc" >/dev/null 2>&1 && pass "sliced chunks fetched" || fail "sliced fetch"
# shellcheck disable=SC2086
osplan $S --recheck >"$T/sl" 2>/dev/null
t_eq "slices fresh with the millisecond's counts" "$(awk -F '\t' '$2 ~ /\.s[01]of2\./ { print $1, $3, $4 }' "$T/sl" | tr '\n' ' ')" \
	"fresh 5 5 fresh 5 5 "
os_curl -XDELETE "$OS_URL/$I-2024.03.01/_doc/same-3?refresh=true" >/dev/null
# shellcheck disable=SC2086
osplan $S --recheck >"$T/sl" 2>/dev/null
t_eq "a deletion in the millisecond: both slices stale" \
	"$(awk -F '\t' '$2 ~ /\.s[01]of2\./ { print $1, $3, $4, $5 }' "$T/sl" | tr '\n' ' ')" "stale 5 4 count stale 5 4 count "
rm -f "$(awk -F '\t' '$2 ~ /\.s0of2\./ { print $2 }' "$T/sl")"
# shellcheck disable=SC2086
osplan $S --recheck >"$T/sl" 2>/dev/null
t_eq "one slice missing: the other cannot be checked alone" \
	"$(awk -F '\t' '$2 ~ /\.s[01]of2\./ { print $1, $5 }' "$T/sl" | tr '\n' ' ')" "missing missing stale slices "

# Schema drift across the two daily indexes, both named.
t_run "drift lines" 0 "schema drift: field code is (long in $I-2024.03.01, keyword in $I-2024.03.02|keyword in $I-2024.03.02, long in $I-2024.03.01)" \
	osplan -i "$P" -f 2024-03-01 -t 2024-03-03 --drift
t_eq "drift tsv" "$(sort "$T/out" | tr '\t\n' '|;')" "code|keyword|$I-2024.03.02;code|long|$I-2024.03.01;"
t_run "one index: no drift" 0 "" osplan -i "$P" -f 2024-03-01 -t 2024-03-02 --drift
t_eq "no drift lines" "$(wc -c <"$T/out" | tr -d ' ')" 0

# Usage.
t_run "--check without --recheck" 2 "goes with --recheck" osplan $R --check seqno
t_run "unknown level" 2 "unknown --check 'max'" osplan $R --recheck --check max
t_run "--recheck offline" 2 "not with --offline" osplan $R --recheck --offline
t_run "--recheck json" 2 "prints its own lines" osplan $R --recheck --format json
t_done
