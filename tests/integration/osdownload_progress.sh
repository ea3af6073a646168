#!/bin/sh
# osdownload progress and logging: a plain line every --progress-interval
# seconds without control characters when stderr is not a terminal; one
# self-updating line under a pseudo-terminal; log lines with ISO time, tool
# and chunk at each level, in the log file too; peak RSS lines and summary.
. "$(dirname "$0")/../setup"
. "$TOP/scripts/osdl-testlib.sh"
. "$(dirname "$0")/osfetch_common"
need_server
need_tools

P=osdl-t-drv-prog-$$
FROM=2024-03-01T00:00:00.000Z TO=2024-03-03T00:00:00.000Z
osdl-testdata delete $P
trap 'osf_proxy_stop; osdl-testdata delete $P; rm -rf "$T"' EXIT
osdl-testdata create $P 2 1000
nplan=$(osplan --index "$P-%Y.%m.%d" --from $FROM --to $TO --step 30m | grep -cv '^#')

# Slow enough to see a few ticks on any machine: one chunk at a time, small
# pages, and every request held 10 ms by the proxy, so the 96 chunks (four
# requests or more each) take at least 3.8 s, whatever the load.
osf_proxy --delay 0.01
dl() { OS_URL=$PROXY_URL osdownload --index "$P-%Y.%m.%d" --from $FROM --to $TO --step 30m --page-size 20 -j 1 "$@"; }
# The log checks need no slowness.
dlf() { osdownload --index "$P-%Y.%m.%d" --from $FROM --to $TO --step 6h -j 3 "$@"; }

# --- not a terminal: plain lines ---
t_run "non-tty: exit 0" 0 "" dl --cache "$T/c1" -o "$T/o1.csv" --progress-interval 1
cp "$T/err" "$T/nontty.err"
re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z osdownload progress: chunks [0-9]+/'"$nplan"', docs [0-9]+, [0-9]+ docs/s, [0-9.]+ MB, ETA [0-9hms?]+, failed 0$'
n=$(grep -Ec "$re" "$T/nontty.err" || :)
[ "$n" -ge 2 ] && pass "non-tty: $n plain progress lines" || fail "non-tty: $n progress lines matching /$re/: $(head -c 600 "$T/nontty.err")"
grep -Eq "progress: chunks $nplan/$nplan, " "$T/nontty.err" && pass "non-tty: final progress line is complete" || fail "non-tty: no final chunks $nplan/$nplan line"
ctl=$(tr -d '\n\t' <"$T/nontty.err" | tr -dc '\000-\037\177' | wc -c)
t_eq "non-tty: no control characters at all" "$ctl" 0
t_run "--progress-interval 0: exit 0" 0 "" dlf --cache "$T/c1" -o "$T/o1.csv" --progress-interval 0
t_eq "--progress-interval 0: no progress line" "$(grep -c 'progress:' "$T/err" || :)" 0

# --- a pseudo-terminal: one self-updating line ---
if command -v script >/dev/null; then
	cmd="OS_URL='$PROXY_URL' osdownload --index '$P-%Y.%m.%d' --from $FROM --to $TO --step 30m --page-size 20 -j 1 --cache '$T/c2' -o '$T/o2.csv'"
	st=0
	script -qfec "$cmd" /dev/null >"$T/tty.out" 2>&1 </dev/null || st=$?
	t_eq "tty: exit 0" "$st" 0
	esc=$(printf '\033')
	cr=$(printf '\r')
	n=$(tr '\r' '\n' <"$T/tty.out" | grep -c "^${esc}\[Kchunks [0-9]*/$nplan, docs" || :)
	[ "$n" -ge 2 ] && pass "tty: $n redraws of the progress line (CR + erase line)" || fail "tty: $n redraws: $(head -c 400 "$T/tty.out" | od -c | head -5)"
	grep -q "${cr}${esc}\[Kchunks $nplan/$nplan" "$T/tty.out" && pass "tty: last redraw shows all chunks" || fail "tty: no final redraw"
	grep -q 'progress:' "$T/tty.out" && fail "tty: plain progress lines on a terminal" || pass "tty: no plain progress lines"
	t_same_file "tty: same CSV" "$T/o2.csv" "$T/o1.csv"
else
	fail "script(1) is not installed: cannot test the terminal progress"
fi

# --- log levels and the log file ---
iso='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
t_run "detailed: exit 0" 0 "" dlf --cache "$T/c3" -o "$T/o3.csv" --log-level detailed --log-file "$T/log3" --progress-interval 0
for tool in osdownload osplan osfetch osmerge osdown; do
	grep -Eq "$iso $tool " "$T/log3" && pass "detailed: log file has $tool lines" || fail "detailed: no $tool line in the log file"
done
for tool in osplan osfetch osmerge osdown; do
	grep -Eq "$iso $tool .*peak_rss_kb=[0-9]+" "$T/log3" && pass "detailed: $tool logs its peak RSS" || fail "detailed: no peak_rss_kb line from $tool"
done
grep -Eq "$iso osfetch \[$P-2024\.03\.0[12] 2024-03-0[12]T[0-9:.]+Z 2024-03-0[12]T[0-9:.]+Z\] " "$T/log3" &&
	pass "detailed: osfetch lines name their chunk" || fail "detailed: osfetch lines without the chunk: $(grep osfetch "$T/log3" | head -2)"
bad=$(grep -Ev "$iso (osdownload|osplan|osfetch|osmerge|osdown)[: ]" "$T/log3" | head -3)
t_eq "detailed: every log file line has an ISO time and a tool" "$bad" ""
grep -Eq "$iso osfetch " "$T/err" && pass "detailed: tool lines on stderr too" || fail "detailed: no tool lines on stderr"

t_run "basic: exit 0" 0 "" dlf --cache "$T/c3" -o "$T/o3.csv" --log-level basic --log-file "$T/log4" --progress-interval 0
grep -Eq "$iso (osplan|osfetch|osmerge|osdown) " "$T/err" && fail "basic: tool detail lines shown" || pass "basic: only the driver's lines"
grep -Eq "$iso osdownload done: [0-9]+ docs" "$T/err" && pass "basic: summary line" || fail "basic: no summary line"
grep -Eq "$iso osdownload memory: largest process os[a-z]+ [0-9.]+ MB" "$T/err" && pass "basic: memory summary" || fail "basic: no memory summary"
t_same_file "basic: stderr and log file have the same lines" "$T/err" "$T/log4"

t_run "quiet: exit 0 and silent" 0 "" dlf --cache "$T/c3" -o "$T/o3.csv" --log-level quiet
t_eq "quiet: nothing on stderr" "$(cat "$T/err")" ""

t_run "full: exit 0" 0 "" dlf --cache "$T/c5" -o "$T/o5.csv" --log-level full --log-file "$T/log5" --progress-interval 0
grep -q 'http://127.0.0.1' "$T/log5" && pass "full: request URLs logged" || fail "full: no request URL in the log"

t_done
