#!/bin/sh
# osdownload under faults, through tests/faultproxy.py in front of the real
# node and on real file systems: the server going away and coming back
# having forgotten its scrolls, a slow trickle of bytes (timeouts fire and
# are retried), a full disk while writing chunks and while writing the CSV
# (a small tmpfs), and kill -9 of chunk fetches and of the driver at
# moments chosen by what has been published, over several reruns.  Each
# ends with the CSV of a clean run byte for byte, or a loud failure that a
# rerun completes; no temp file is left, and no scroll stays open (but
# after SIGKILL, which nothing can catch: its scroll lives out its
# keep-alive).
. "$(dirname "$0")/../setup"
. "$TOP/scripts/osdl-testlib.sh"
. "$(dirname "$0")/osfetch_common"
need_server
need_tools

P=osdl-t-drv-fault-$T_UID
FROM=2024-03-01T00:00:00.000Z TO=2024-03-03T00:00:00.000Z
mounts=""
cleanup() {
	osf_proxy_stop
	for m in $mounts; do umount "$m" 2>/dev/null; done
	osdl-testdata delete $P
	rm -rf "$T"
}
osdl-testdata delete $P
trap cleanup EXIT
osdl-testdata create $P 2 2000
dl() { osdownload --index "$P-%Y.%m.%d" --from $FROM --to $TO --log-level quiet --progress-interval 0 "$@"; }
scrolls_closed() { [ "$(osf_open_scrolls "$P-*")" = 0 ]; }

t_run "reference run" 0 "" dl -s 6h -j 2 --cache "$T/ref" -o "$T/ref.csv"
osdl-testdata ids $P $FROM $TO >"$T/server.ids"
csv_ids "$T/ref.csv" >"$T/ref.ids"
t_same_file "reference CSV holds the server's ids" "$T/ref.ids" "$T/server.ids"

# --- the server goes away for 2 s mid-scroll and forgets its scrolls ---
osf_proxy --delay 0.005 --outage 2 'POST /_search/scroll@6=restart'
OS_URL=$PROXY_URL t_run "restart: exit 0" 0 "" dl -s 6h -j 2 --page-size 100 --cache "$T/c1" -o "$T/r1.csv"
t_same_file "restart: the clean run's CSV" "$T/r1.csv" "$T/ref.csv"
grep -q ' -> down$' "$T/proxy.log" && pass "restart: requests were refused during the outage" || fail "restart: no outage seen"
grep -Eq 'chunk restarts' "$T/INFO.md" && [ "$(sed -n 's/.*and \([0-9]*\) chunk restarts.*/\1/p' "$T/INFO.md")" -gt 0 ] &&
	pass "restart: INFO.md counts the chunk restarts" || fail "restart: $(grep retries: "$T/INFO.md")"
t_until 30 scrolls_closed && pass "restart: no scroll left open" || fail "restart: $(osf_open_scrolls "$P-*") scrolls open"
t_eq "restart: no temp files" "$(temp_files "$T/c1" "$T")" ""
osf_proxy_stop

# --- a slow trickle of bytes: the timeout fires, the page is fetched again ---
osf_proxy 'POST /_search/scroll@2=trickle'
OS_URL=$PROXY_URL t_run "trickle: exit 0" 0 "" dl -s 12h -j 2 --page-size 1000 --timeout 5 --cache "$T/c2" -o "$T/r2.csv"
t_same_file "trickle: the clean run's CSV" "$T/r2.csv" "$T/ref.csv"
grep -q ' trickle$' "$T/proxy.log" && pass "trickle: a page was trickled" || fail "trickle: not injected"
t_until 30 scrolls_closed && pass "trickle: no scroll left open" || fail "trickle: $(osf_open_scrolls "$P-*") scrolls open: $(grep -c DELETE "$T/proxy.log") clears"
osf_proxy_stop

# --- disk full: a 256 KiB tmpfs for the cache, then for the CSV ---
mkdir -p "$T/small" "$T/ofs"
if mount -t tmpfs -o size=256k tmpfs "$T/small" 2>/dev/null; then
	mounts="$T/small"
	# The driver's own work files are in the cache too: it may not be able
	# to list the chunks, but it says why, and exits 6.
	t_run "disk full in the cache: exit 6" 6 "No space left on device" \
		dl -s 6h -j 2 --retries 0 --cache "$T/small/c" -o "$T/ofs/f.csv"
		[ -e "$T/ofs/f.csv" ] && fail "disk full: a CSV was written" || pass "disk full: no CSV"
	t_eq "disk full: no temp files in the cache" "$(temp_files "$T/small")" ""
	mount -o remount,size=64m "$T/small"
	t_run "disk full: the rerun completes" 0 "" dl -s 6h -j 2 --cache "$T/small/c" -o "$T/ofs/f.csv"
	t_same_file "disk full: the rerun's CSV is the clean run's" "$T/ofs/f.csv" "$T/ref.csv"
	umount "$T/small"
	mounts=""
	if mount -t tmpfs -o size=128k tmpfs "$T/ofs" 2>/dev/null; then
		mounts="$T/ofs"
		t_run "disk full while writing the CSV: exit 6" 6 "No space left on device" \
			dl -s 6h -j 2 --cache "$T/ref" -o "$T/ofs/g.csv" --info "$T/g.md"
		t_eq "disk full (CSV): no CSV and no temp file" "$(ls -A "$T/ofs")" ""
		grep -q 'status: \*\*failed: CSV conversion failed' "$T/g.md" && pass "disk full (CSV): INFO.md says so" ||
			fail "disk full (CSV): $(grep status "$T/g.md")"
		mount -o remount,size=64m "$T/ofs"
		t_run "disk full (CSV): the rerun completes" 0 "" dl -s 6h -j 2 --cache "$T/ref" -o "$T/ofs/g.csv"
		t_same_file "disk full (CSV): the clean run's CSV" "$T/ofs/g.csv" "$T/ref.csv"
		umount "$T/ofs"
		mounts=""
	fi
else
	echo "ok - # SKIP disk full: cannot mount a tmpfs here (not root?)"
fi

# --- kill -9 of fetches and of the driver, then reruns ---
# Each round waits for one more published chunk, kills a running osfetch,
# waits for one more, kills the driver; the next round resumes.
osf_proxy --delay 0.02
KC=$T/kc
published() { find "$KC" -name '*.meta' 2>/dev/null | wc -l | tr -d ' '; }
more_than() { [ "$(published)" -gt "$1" ] || ! kill -0 "$pid" 2>/dev/null; }
a_fetch() { f=$(ps -eo pid=,args= | grep "[o]sfetch --cache $KC" | awk 'NR == 1 { print $1 }'); [ -n "$f" ] || ! kill -0 "$pid" 2>/dev/null; }
round=0 killed_fetch=0 killed_driver=0
while [ $round -lt 5 ]; do
	round=$((round + 1))
	OS_URL=$PROXY_URL start_default_int osdownload --index "$P-%Y.%m.%d" --from $FROM --to $TO --log-level quiet \
		--progress-interval 0 -s 1h -j 3 --page-size 10 --cache "$KC" -o "$T/k.csv"
	pid=$BGPID
	n=$(published)
	t_until 120 more_than "$n" || :
	f=""
	t_until 60 a_fetch || :
	[ -n "$f" ] && kill -KILL "$f" 2>/dev/null && killed_fetch=$((killed_fetch + 1))
	n=$(published)
	t_until 120 more_than "$n" || :
	kill -KILL "$pid" 2>/dev/null && killed_driver=$((killed_driver + 1))
	wait "$pid" 2>/dev/null || :
done
[ $killed_driver -ge 3 ] && [ $killed_fetch -ge 3 ] && pass "kill -9: $killed_fetch fetches and $killed_driver drivers killed mid-run" ||
	fail "kill -9: only $killed_fetch fetches and $killed_driver drivers were killed mid-run"
OS_URL=$PROXY_URL t_run "kill -9: the rerun completes" 0 "" dl -s 1h -j 3 --page-size 50 --cache "$KC" -o "$T/k.csv"
osf_proxy_stop
t_same_file "kill -9: the clean run's CSV" "$T/k.csv" "$T/ref.csv"
t_eq "kill -9: no temp files" "$(temp_files "$KC" "$T/k.csv")" ""
t_done
