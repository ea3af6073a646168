#!/bin/sh
# osdownload against what used to go wrong (issue 12): an output that is a
# directory, -j far above the chunk count, a plan without any chunk, INFO.md
# when planning fails, credentials with quotes and backslashes and a server
# that answers 401 (through the library's one auth path, never a curl
# config), and a SIGKILLed driver whose progress monitor must end with it.
. "$(dirname "$0")/../setup"
. "$TOP/scripts/osdl-testlib.sh"
. "$(dirname "$0")/osfetch_common"
need_server
need_tools

P=osdl-t-drv-host-$T_UID
FROM=2024-03-01T00:00:00.000Z TO=2024-03-03T00:00:00.000Z
osdl-testdata delete $P
trap 'osf_proxy_stop; osdl-testdata delete $P; rm -rf "$T"' EXIT
osdl-testdata create $P 2 500
dl() { osdownload --index "$P-%Y.%m.%d" --from $FROM --to $TO --log-level quiet --progress-interval 0 "$@"; }

mkdir -p "$T/outdir"
t_run "-o an existing directory: usage error before any work" 2 "is a directory" dl --cache "$T/c0" -o "$T/outdir"
t_eq "-o DIR: nothing written into it" "$(ls -A "$T/outdir")" ""
[ -e "$T/c0" ] && fail "-o DIR: the cache was created" || pass "-o DIR: no cache created"

# -j 100000 with the make engine used to hang: capped at the chunks.
t_run "-j 100000 --engine make: capped, exit 0" 0 "" dl -j 100000 --engine make --step 12h --cache "$T/c1" -o "$T/j.csv"
grep -q 'fetch (make, -j 4)' "$T/INFO.md" && pass "-j capped at the 4 chunks" || fail "-j: $(grep 'fetch (' "$T/INFO.md")"

# A plan that matches no index is an error unless asked for.
t_run "no index in the range: exit 2" 2 "the plan has no chunk" \
	osdownload --index "$P-nosuch-%Y.%m.%d" --from $FROM --to $TO --cache "$T/c2" -o "$T/e.csv"
[ -e "$T/e.csv" ] && fail "empty plan: a CSV was written" || pass "empty plan: no CSV"
grep -q 'status: \*\*failed: the plan has no chunk' "$T/INFO.md" && pass "empty plan: INFO.md says why" ||
	fail "empty plan: INFO.md: $(grep status "$T/INFO.md")"
t_run "--allow-empty: exit 0" 0 "" osdownload --index "$P-nosuch-%Y.%m.%d" --from $FROM --to $TO \
	--cache "$T/c2" -o "$T/e.csv" --allow-empty --log-level quiet
t_eq "--allow-empty: an empty CSV" "$(wc -c <"$T/e.csv" | tr -d ' ')" 0

# A time field that no index maps is an error, not a verified empty chunk.
t_run "--time-field nosuch: exit 2" 2 "unknown time field nosuch" dl --time-field nosuch --cache "$T/c7" -o "$T/t.csv"
[ -e "$T/t.csv" ] && fail "--time-field nosuch: a CSV was written" || pass "--time-field nosuch: no CSV"
t_eq "--time-field nosuch: no chunk published" "$(find "$T/c7" -name '*.lz4' 2>/dev/null | wc -l | tr -d ' ')" 0

# INFO.md is written when planning fails (osdownload.1 says so).
rm -f "$T/INFO.md"
t_run "planning fails: exit 2" 2 "planning failed" dl --fields 'nosuchfield' --cache "$T/c3" -o "$T/f.csv"
grep -q 'status: \*\*failed: planning failed' "$T/INFO.md" && pass "planning failure: INFO.md written" ||
	fail "planning failure: INFO.md: $(cat "$T/INFO.md" 2>/dev/null | head -3)"

# Credentials take the library's path: a password with a quote and a
# backslash is sent as is (the proxy wants exactly it); a wrong one is a
# failure, never "exit 0, count not checked".
pw='p"w\x%40y'
osf_proxy --auth "Basic $(printf 'osdl:%s' "$pw" | base64 | tr -d '\n')"
OS_URL=$PROXY_URL OS_USER=osdl OS_PASSWORD=$pw t_run "password with \" and \\: exit 0" 0 "" \
	dl --cache "$T/c4" -o "$T/a.csv"
grep -q 'for the whole range: 1000 - matches' "$T/INFO.md" && pass "password with \" and \\: count checked" ||
	fail "password: $(grep 'total docs' "$T/INFO.md")"
OS_URL=$PROXY_URL OS_USER=osdl OS_PASSWORD=wrong t_run "wrong password: exit 3" 3 "401" \
	dl --cache "$T/c5" -o "$T/b.csv" --retries 0
[ -e "$T/b.csv" ] && fail "wrong password: a CSV was written" || pass "wrong password: no CSV"
osf_proxy_stop

# kill -9 of the driver: its progress monitor ends too (it used to write an
# error into the log every second, for ever).
start_default_int osdownload --index "$P-%Y.%m.%d" --from $FROM --to $TO --step 1h --page-size 10 -j 1 \
	--progress-interval 1 --cache "$T/c6" -o "$T/k.csv" --log-file "$T/k.log"
pid=$BGPID
i=0
while [ "$(find "$T/c6" -name '*.meta' 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
mon=$(ps -o pid= --ppid "$pid" | tr -d ' ' | tr '\n' ' ')
kill -KILL "$pid"
wait "$pid" 2>/dev/null || :
# The monitor checks its driver every second: wait for that, not longer.
i=0
left=$mon
while [ -n "$left" ] && [ $i -lt 600 ]; do
	left=""
	for c in $mon; do kill -0 "$c" 2>/dev/null && [ "$(ps -o comm= -p "$c")" = osdownload ] && left="$left $c"; done
	[ -n "$left" ] && sleep 0.1
	i=$((i + 1))
done
t_eq "SIGKILL: the driver's monitor is gone" "$left" ""
t_done
