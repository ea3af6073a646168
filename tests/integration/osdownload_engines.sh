#!/bin/sh
# osdownload with each engine (GNU parallel, xargs -P, make -j) against a real
# OpenSearch: the same CSV byte for byte, holding exactly the server's _ids
# for the range; reruns fetch nothing; --clean, --keep-intermediate, --config
# precedence; a failed chunk is retried, listed, and a rerun fills the gap.
. "$(dirname "$0")/../setup"
. "$TOP/scripts/osdl-testlib.sh"
need_server
need_tools

P=osdl-t-drv-eng-$$
FROM=2024-03-01T00:00:00.000Z TO=2024-03-03T00:00:00.000Z
osdl-testdata delete $P
trap 'osdl-testdata delete $P; rm -rf "$T"' EXIT
osdl-testdata create $P 2 1000

dl() { osdownload --index "$P-%Y.%m.%d" --from $FROM --to $TO --step 6h -j 3 --log-level quiet "$@"; }

osdl-testdata ids $P $FROM $TO >"$T/server.ids"
want=$(wc -l <"$T/server.ids")
t_eq "server has the test documents" "$want" 2000

for e in parallel xargs make; do
	case $e in parallel) command -v parallel >/dev/null || { pass "engine parallel: skipped, not installed"; continue; } ;; esac
	mkdir -p "$T/$e"
	t_run "engine $e: exit 0" 0 "" dl --engine $e --cache "$T/$e/cache" -o "$T/$e/out.csv"
	if [ -s "$T/$e/out.csv" ]; then
		csv_ids "$T/$e/out.csv" >"$T/$e/ids"
		t_same_file "engine $e: CSV _ids are the server's _ids" "$T/$e/ids" "$T/server.ids"
		t_eq "engine $e: one row per document" "$(($(wc -l <"$T/$e/out.csv") - 1))" "$want"
	else
		fail "engine $e: no CSV written"
	fi
	grep -q "engine: $e " "$T/$e/INFO.md" && pass "engine $e: INFO.md names the engine" ||
		fail "engine $e: INFO.md does not name the engine: $(grep 'engine:' "$T/$e/INFO.md")"
	grep -q "_count\` for the whole range: $want - matches" "$T/$e/INFO.md" &&
		pass "engine $e: INFO.md total checked against the server" ||
		fail "engine $e: INFO.md count line: $(grep 'total docs' "$T/$e/INFO.md")"
	t_eq "engine $e: no temp files left" "$(temp_files "$T/$e")" ""
done
first=""
for e in parallel xargs make; do
	[ -f "$T/$e/out.csv" ] || continue
	if [ -z "$first" ]; then first=$e; continue; fi
	t_same_file "CSV of $e is byte-identical to $first's" "$T/$e/out.csv" "$T/$first/out.csv"
done

# The plan's chunk count and the sidecars agree with INFO.md.
nplan=$(osplan --index "$P-%Y.%m.%d" --from $FROM --to $TO --step 6h | grep -cv '^#')
nmeta=$(find "$T/xargs/cache" -name '*.meta' | wc -l)
t_eq "one sidecar per planned chunk" "$nmeta" "$nplan"
grep -q "chunks: $nplan planned, $nplan published ($nplan fetched by this run, 0 from the cache), 0 failed" "$T/xargs/INFO.md" &&
	pass "INFO.md chunk counts" || fail "INFO.md chunk counts: $(grep 'chunks:' "$T/xargs/INFO.md")"
for k in 'docs per chunk: min [0-9]+, median [0-9]+, max [0-9]+' '^\| plan \| [0-9.]+ s' '^\| fetch \(xargs, -j 3\)' \
	 'peak RSS' '^\| convert \| [0-9.]+ [KMG]B per process \| osdown' 'Largest single process: os[a-z]+ [0-9.]+ MB' \
	 'osfetch osdl [0-9]' 'server: http://[^ ]+ \((opensearch|elasticsearch) [0-9.]+\)' "index pattern: \`$P-%Y.%m.%d\`"; do
	grep -Eq -- "$k" "$T/xargs/INFO.md" && pass "INFO.md has /$k/" || fail "INFO.md lacks /$k/"
done

# A rerun fetches nothing (same inodes and mtimes) and writes the same CSV.
chunk_ids "$T/xargs/cache" >"$T/before"
cp "$T/xargs/out.csv" "$T/first.csv"
sleep 1
t_run "rerun: exit 0" 0 "" dl --engine xargs --cache "$T/xargs/cache" -o "$T/xargs/out.csv"
chunk_ids "$T/xargs/cache" >"$T/after"
t_same_file "rerun: no chunk fetched again" "$T/after" "$T/before"
t_same_file "rerun: same CSV" "$T/xargs/out.csv" "$T/first.csv"
grep -q "(0 fetched by this run, $nplan from the cache)" "$T/xargs/INFO.md" && pass "rerun: INFO.md says all from cache" ||
	fail "rerun: INFO.md: $(grep 'chunks:' "$T/xargs/INFO.md")"

# --clean removes this run's chunks after success; --keep-intermediate keeps
# the merged NDJSON beside the output; --info moves the manifest.
mkdir -p "$T/clean"
t_run "--clean --keep-intermediate: exit 0" 0 "" dl --cache "$T/clean/cache" -o "$T/clean/out.csv" --clean --keep-intermediate --info "$T/clean/run.md"
t_eq "--clean: no chunk left" "$(find "$T/clean/cache" -name '*.ndjson.lz4*' | wc -l)" 0
t_same_file "--clean: same CSV" "$T/clean/out.csv" "$T/first.csv"
if [ -f "$T/clean/out.ndjson" ]; then
	t_eq "--keep-intermediate: merged NDJSON has every document" "$(wc -l <"$T/clean/out.ndjson")" "$want"
else
	fail "--keep-intermediate: $T/clean/out.ndjson missing"
fi
[ -f "$T/clean/run.md" ] && [ ! -f "$T/clean/INFO.md" ] && pass "--info FILE replaces INFO.md" || fail "--info FILE not honoured"

# --config: key = value lines; the command line wins.
mkdir -p "$T/conf"
cat >"$T/conf/job.conf" <<EOF
# a QueryConfigurator-like file
index = $P-%Y.%m.%d
from = $FROM
to = "$TO"
step = 12h
jobs = 2
engine = make
log_level = quiet
keep-intermediate = false
EOF
t_run "--config: exit 0" 0 "" osdownload --config "$T/conf/job.conf" --engine xargs --cache "$T/conf/cache" -o "$T/conf/out.csv"
grep -q 'engine: xargs' "$T/conf/INFO.md" && pass "--config: command line wins (engine)" || fail "--config: engine not from the command line"
grep -q 'fetch (xargs, -j 2)' "$T/conf/INFO.md" && pass "--config: file supplies jobs" || fail "--config: jobs not from the file"
t_same_file "--config: same CSV" "$T/conf/out.csv" "$T/first.csv"
printf 'index = x\nbogus = 1\n' >"$T/conf/bad.conf"
t_run "--config: unknown key is a usage error" 2 'bad.conf:2: unknown key .bogus.' \
	osdownload --config "$T/conf/bad.conf" --from $FROM --to $TO --cache "$T/conf/c2" -o "$T/conf/o2.csv"

# A chunk that cannot be written (a plain file where its index directory
# goes) fails after --retries reruns, is listed with its error, the run exits
# non-zero; with the obstacle gone a rerun fetches only what is missing.
fp=$(find "$T/xargs/cache" -name '*.meta' | head -n 1)
fpdir=$(dirname "$(dirname "$fp")")
mkdir -p "$T/fail"
cp -r "$fpdir" "$T/fail/"
fcache=$T/fail
fdir=$T/fail/$(basename "$fpdir")
rm -rf "$fdir/$P-2024.03.02"
: >"$fdir/$P-2024.03.02"
chunk_ids "$fcache" >"$T/fail.before"
t_run "failed chunks: non-zero exit, each listed" 6 "chunks failed:" dl --engine xargs --retries 1 --cache "$fcache" -o "$T/fail/out.csv"
nf=$(grep -c "^  $P-2024.03.02 .*exit 6 after 2 attempts" "$T/err" || :)
t_eq "failed chunks: the day's chunks listed with exit code and attempts" "$nf" "$((nplan / 2))"
grep -q '^## Failed chunks' "$T/fail/INFO.md" && pass "failed chunks: INFO.md lists them" || fail "failed chunks: not in INFO.md"
[ ! -f "$T/fail/out.csv" ] && pass "failed run writes no CSV" || fail "failed run wrote a CSV"
# --max-failures: after the first failure no chunk starts; every chunk not
# published is still listed (failed, or not started).
for e in parallel xargs make; do
	case $e in parallel) command -v parallel >/dev/null || continue ;; esac
	t_run "--max-failures 1 ($e): non-zero exit" 1 "chunks failed:" dl --engine $e -j 1 --retries 0 --max-failures 1 --cache "$fcache" -o "$T/fail/out.csv"
	t_eq "--max-failures 1 ($e): every unpublished chunk listed" "$(grep -c "^  $P-2024.03.02 " "$T/err" || :)" "$((nplan / 2))"
	t_eq "--max-failures 1 ($e): only the day's chunks listed" "$(grep -c '^  ' "$T/err" || :)" "$((nplan / 2))"
done
rm -f "$fdir/$P-2024.03.02"
t_run "after the failure: rerun exit 0" 0 "" dl --engine xargs --cache "$fcache" -o "$T/fail/out.csv"
t_same_file "after the failure: same CSV" "$T/fail/out.csv" "$T/first.csv"
chunk_ids "$fcache" | grep -v "/$P-2024.03.02/" >"$T/fail.after"
t_same_file "after the failure: the good chunks were not fetched again" "$T/fail.after" "$T/fail.before"
t_eq "no temp files left anywhere" "$(temp_files "$T/xargs" "$T/clean" "$T/conf" "$T/fail")" ""

t_done
