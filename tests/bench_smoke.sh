# tests/bench_smoke.sh - bench/run's option checks and --dry-run plan only:
# no server is contacted, nothing is downloaded or timed (the benchmark
# itself is run by hand: docs/bench.md).
. "${TOP:-$(dirname "$0")/..}/tests/setup"
B="$TOP/bench/run"
# A loopback port nobody listens on: a dry run must not need the server.
export OS_URL=http://127.0.0.1:9

t_run "dry run" 0 "" "$B" --dry-run -j 3 -s 2h -r 2
for t in floor osdl osdl-fetch seed plain elasticdump; do
	grep -q "^$t: " "$T/out" && pass "dry run lists $t" || fail "dry run lists $t"
done
grep -q -- "-j 3 -i osdl-bench-logs-%Y.%m.%d .* -s 2h " "$T/out" && pass "osdl gets -j and -s" ||
	fail "osdl gets -j and -s"
grep -q -- "--threads 3 " "$T/out" && pass "seed gets the same thread count" || fail "seed threads"
grep -q -- "^floor: .*floor_scroll.py .* -j 3 " "$T/out" && pass "the floor gets the same parallelism" || fail "floor -j"
grep -q -- "--index 'osdl-bench-logs-\*'" "$T/out" && pass "pattern to wildcard" || fail "pattern to wildcard"
grep -q '^chart: .*/bench/results/[0-9-]*\.png$' "$T/out" && pass "dry run names the chart" || fail "dry run: no chart line"

# The chart step for real, on a committed report and on one with a floor row.
C="$TOP/bench/chart"
R=$(ls "$TOP"/bench/results/*.md | head -1)
t_run "chart of $(basename "$R")" 0 "" "$C" "$R" "$T/chart.png"
[ -s "$T/chart.png" ] && [ "$(head -c 4 "$T/chart.png" | od -An -tx1 | tr -d ' \n')" = 89504e47 ] &&
	pass "chart: a non-empty PNG" || fail "chart: no PNG ($(wc -c <"$T/chart.png" 2>/dev/null) bytes)"
sed 's/^| plain |/| floor |/' "$R" >"$T/floor.md"
t_run "chart with a floor row" 0 "" "$C" "$T/floor.md"
[ -s "$T/floor.png" ] && pass "chart: beside the report by default" || fail "chart: no $T/floor.png"
printf '# x\n\nno table\n' >"$T/empty.md"
t_run "chart of a report without numbers" 7 "^bench/chart: no tool rows" "$C" "$T/empty.md"
t_run "other pattern, no load" 0 "" "$B" -n -i 'logs-%Y.%m.%d' --tools plain
grep -q '^data: as on the server' "$T/out" && pass "no load for a foreign pattern" || fail "no load for a foreign pattern"

while IFS='|' read -r name re args; do
	case "$name" in ''|'#'*) continue ;; esac
	eval "set -- $args"
	t_run "$name" 2 "$re" "$B" -n "$@"
done <<'TABLE'
non-loopback url|^bench/run: refusing 'http://10.1.2.3:9200'|--url http://10.1.2.3:9200
https url|^bench/run: refusing|--url https://127.0.0.1:9200
lookalike host|^bench/run: refusing|--url http://127.0.0.1.example.com:9200
shared prefix|^bench/run: bad --prefix 'logs'|--prefix logs
unknown tool|^bench/run: unknown tool 'nope'|--tools osdl,nope
zero jobs|^bench/run: --jobs must be|-j 0
zero docs|^bench/run: --docs must be|--docs 0
bad date|^bench/run: --from/--to must|-f 2024-02-28
reversed|^bench/run: --from must be before|-f 2024-03-03T00:00:00.000Z -t 2024-02-28T00:00:00.000Z
bad step|^bench/run: bad --step '1x'|-s 1x
not a pattern|^bench/run: --index must be a strftime|-i logs
TABLE
t_done
