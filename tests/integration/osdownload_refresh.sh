# tests/integration/osdownload_refresh.sh - osdownload --refresh on the real
# server: after documents are added to an exported hour, deleted from
# another and moved between two, it fetches exactly those chunks again (the
# others keep inode and mtime) and the CSV equals a cold run's byte for
# byte; a kill -9 during the refresh leaves the old chunk published; a
# replace in place with equal counts is refreshed by --check seqno only;
# --strict-schema fails on a mapping drift; INFO.md records it all.
. "${TOP:-$(dirname "$0")/../..}/tests/setup"
. "$(dirname "$0")/recheck_common"
need_server

I="osdl-t-rf-$T_UID"
P="$I-%Y.%m.%d"
C=$T/cache
trap 'os_curl -XDELETE "$OS_URL/$I-2024.03.01,$I-2024.03.02?ignore_unavailable=true" >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM

rc_indexes "$I"
# Two documents an hour, and 2000 more in 2024-03-01T03 (slow to fetch
# again with one document a page: the chunk the kill hits).
awk -v i="$I-2024.03.01" 'BEGIN { for (k = 0; k < 2000; k++)
	printf "{\"index\":{\"_index\":\"%s\",\"_id\":\"big-%d\"}}\n{\"@timestamp\":\"2024-03-01T03:%02d:%02d.%03dZ\",\"code\":3,\"msg\":\"big\"}\n",
		i, k, k % 60, (k / 60) % 60, k % 1000 }' >>"$T/bulk"
os_curl -XPOST "$OS_URL/_bulk?refresh=true" --data-binary @"$T/bulk" | grep -q '"errors":false' &&
	pass "test indexes loaded" || fail "bulk load failed"

dl() { osdownload -i "$P" -f 2024-03-01 -t 2024-03-03 -s 1h -j 2 --progress-interval 0 "$@"; }
snap() { find "$C" -name '*.lz4' -exec stat -c '%n %i %Y' {} + | sort; }
chunk() { find "$C" -path "*/$I-2024.03.$1/202403$1T$2*" -name '*.lz4'; }

t_run "first run, --refresh --check seqno" 0 "refresh \(seqno\): 0 fresh, 0 stale, 48 missing" \
	dl --refresh --check seqno -d "$C" -o "$T/a.csv"
grep -q "schema drift: field code is keyword in $I-2024.03.02, long in $I-2024.03.01" "$T/err" &&
	pass "drift logged with both indexes" || fail "drift not logged: $(grep drift "$T/err")"
grep -q "^- refresh (recheck level seqno): 0 fresh, 0 stale, 48 missing before the fetch; 0 stale" "$T/INFO.md" &&
	pass "INFO.md: refresh line" || fail "INFO.md refresh line: $(grep refresh "$T/INFO.md")"
grep -q "^| \`code\` | keyword | $I-2024.03.02 |" "$T/INFO.md" && pass "INFO.md: drift table" || fail "INFO.md: no drift table"
snap >"$T/stat0"
big=$(chunk 01 03)
lz4cat "$big" | wc -l | tr -d ' ' >"$T/big.n0"
cp "$big.meta" "$T/big.meta0"

# Add to two exported hours, delete from one, move one between hours.
os_curl -XPOST "$OS_URL/$I-2024.03.01/_doc/late-1" -d '{"@timestamp":"2024-03-01T01:55:00.000Z","code":1,"msg":"late"}' >/dev/null
os_curl -XPOST "$OS_URL/$I-2024.03.01/_doc/late-3" -d '{"@timestamp":"2024-03-01T03:59:00.000Z","code":3,"msg":"late"}' >/dev/null
os_curl -XDELETE "$OS_URL/$I-2024.03.01/_doc/d01-h05-a" >/dev/null
os_curl -XPUT "$OS_URL/$I-2024.03.02/_doc/d02-h10-a" -d '{"@timestamp":"2024-03-02T11:30:00.000Z","code":"10","msg":"moved"}' >/dev/null
os_curl -XPOST "$OS_URL/$I-2024.03.01,$I-2024.03.02/_refresh" >/dev/null

# kill -9 while the big stale chunk is being fetched again: the driver and
# the osfetch it ran (listed in its work directory) die without cleanup.
# Started as itself, not through dl(): $! must be the driver's pid.
osdownload -i "$P" -f 2024-03-01 -t 2024-03-03 -s 1h --progress-interval 0 --refresh --check seqno -d "$C" \
	-o "$T/k.csv" -j 1 --page-size 1 --log-level quiet >/dev/null 2>&1 &
drv=$!
bigpart() { ls "$big".part.* >/dev/null 2>&1; }
if t_until 120 bigpart; then pass "the big chunk is being fetched again"; else fail "no refetch of $big seen"; fi
kill -9 $drv 2>/dev/null || :
for f in "$C"/.osdownload/*/pids/*; do [ -e "$f" ] && kill -9 "${f##*/}" 2>/dev/null || :; done
wait $drv 2>/dev/null || :
kill -0 $drv 2>/dev/null && fail "the driver survived kill -9" || pass "driver killed"
t_eq "old chunk still published (inode, mtime)" "$(stat -c '%n %i %Y' "$big")" "$(grep "^$big " "$T/stat0")"
t_eq "old chunk whole" "$(lz4cat "$big" | wc -l | tr -d ' ')" "$(cat "$T/big.n0")"
t_same_file "old sidecar" "$big.meta" "$T/big.meta0"

# The refresh again, to the end: exactly the five changed hours were
# fetched again over both runs, and the CSV is a cold run's.
t_run "refresh after the kill" 0 "refresh \(seqno\): 44 fresh, 4 stale, 0 missing" dl --refresh --check seqno -d "$C" -o "$T/b.csv"
grep -q "; 4 stale chunks fetched again" "$T/INFO.md" && pass "INFO.md: 4 fetched again" || fail "INFO.md: $(grep refresh "$T/INFO.md")"
snap >"$T/stat1"
comm -13 "$T/stat0" "$T/stat1" | sed "s|^$C/[^/]*/||; s| .*||" | sort >"$T/changed"
printf '%s\n' "$I-2024.03.01/20240301T010000.000Z_20240301T020000.000Z.ndjson.lz4" \
	"$I-2024.03.01/20240301T030000.000Z_20240301T040000.000Z.ndjson.lz4" \
	"$I-2024.03.01/20240301T050000.000Z_20240301T060000.000Z.ndjson.lz4" \
	"$I-2024.03.02/20240302T100000.000Z_20240302T110000.000Z.ndjson.lz4" \
	"$I-2024.03.02/20240302T110000.000Z_20240302T120000.000Z.ndjson.lz4" >"$T/want"
t_same_file "exactly the changed chunks were fetched again; the others keep inode and mtime" "$T/changed" "$T/want"
t_eq "no temp file left" "$(find "$C" -name '*.part.*' | wc -l | tr -d ' ')" 0
t_run "cold run" 0 "" dl -d "$T/cold1" -o "$T/cold1.csv"
t_same_file "refreshed CSV = cold CSV" "$T/b.csv" "$T/cold1.csv"

# Replace in place with equal counts: count sees nothing, seqno refreshes it.
os_curl -XDELETE "$OS_URL/$I-2024.03.02/_doc/d02-h20-a?refresh=true" >/dev/null
os_curl -XPOST "$OS_URL/$I-2024.03.02/_doc/new-20?refresh=true" -d '{"@timestamp":"2024-03-02T20:20:00.000Z","code":"20","msg":"new"}' >/dev/null
snap >"$T/stat2"
t_run "count: nothing stale" 0 "refresh \(count\): 48 fresh, 0 stale" dl --refresh -d "$C" -o "$T/c.csv"
t_run "seqno: the replaced chunk" 0 "refresh \(seqno\): 47 fresh, 1 stale" dl --refresh --check seqno -d "$C" -o "$T/d.csv"
t_eq "only that chunk changed" "$(snap | comm -13 "$T/stat2" - | sed "s|^$C/[^/]*/||; s| .*||")" \
	"$I-2024.03.02/20240302T200000.000Z_20240302T210000.000Z.ndjson.lz4"
t_run "cold run" 0 "" dl -d "$T/cold2" -o "$T/cold2.csv"
t_same_file "seqno-refreshed CSV = cold CSV" "$T/d.csv" "$T/cold2.csv"

# --strict-schema: the drift is an error before anything is fetched.
t_run "--strict-schema fails on the drift" 7 "1 field\(s\) change type between the indexes \(--strict-schema\): code" \
	dl --strict-schema -d "$T/strict" -o "$T/s.csv"
t_eq "nothing fetched" "$(find "$T/strict" -name '*.lz4' | wc -l | tr -d ' ')" 0
t_run "--check without --refresh" 2 "goes with --refresh" dl --check seqno -d "$C" -o "$T/e.csv"
t_done
