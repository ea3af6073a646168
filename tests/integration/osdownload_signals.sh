#!/bin/sh
# osdownload interrupted mid-run, by SIGINT (cleans up itself) and by SIGKILL
# (the next run cleans up): the rerun writes the same CSV as an uninterrupted
# run, leaves no temp file, and does not fetch the chunks already published
# (their inodes and mtimes do not change).
. "$(dirname "$0")/../setup"
. "$TOP/scripts/osdl-testlib.sh"
need_server
need_tools

P=osdl-t-drv-sig-$$
FROM=2024-03-01T00:00:00.000Z TO=2024-03-03T00:00:00.000Z
osdl-testdata delete $P
trap 'osdl-testdata delete $P; rm -rf "$T"' EXIT
osdl-testdata create $P 2 1000

# Many small chunks, one at a time, small pages: slow enough to kill mid-run.
dl() { osdownload --index "$P-%Y.%m.%d" --from $FROM --to $TO --step 1h --page-size 20 --log-level quiet "$@"; }

mkdir -p "$T/ref"
t_run "reference run: exit 0" 0 "" dl -j 2 --engine xargs --cache "$T/ref/cache" -o "$T/ref/out.csv"
osdl-testdata ids $P $FROM $TO >"$T/server.ids"
csv_ids "$T/ref/out.csv" >"$T/ref.ids"
t_same_file "reference CSV holds the server's _ids" "$T/ref.ids" "$T/server.ids"
nplan=$(find "$T/ref/cache" -name '*.meta' | wc -l)

# wait_chunks DIR N: until N chunks are published (or 60 s).
wait_chunks() {
	_i=0
	while [ "$(find "$1" -name '*.meta' 2>/dev/null | wc -l)" -lt "$2" ] && [ $_i -lt 600 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
}
# wait_gone PID: until the process has exited (or 30 s).
wait_gone() {
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt 300 ]; do sleep 0.1; _i=$((_i + 1)); done
}

# INT: to the driver only; PGINT: to its whole process group, as a
# terminal's Ctrl-C does (every tool gets it at once); KILL: no cleanup.
for sig in INT PGINT KILL; do
	for e in xargs parallel make; do
		case $e in parallel) command -v parallel >/dev/null || continue ;; esac
		case $sig in PGINT) command -v setsid >/dev/null || { pass "PGINT: skipped, no setsid"; continue; } ;; esac
		d=$T/$sig-$e
		mkdir -p "$d"
		[ $sig = PGINT ] && pre=setsid || pre=""
		start_default_int $pre osdownload --index "$P-%Y.%m.%d" --from $FROM --to $TO --step 1h --page-size 20 \
			--log-level quiet -j 1 --engine $e --cache "$d/cache" -o "$d/out.csv"
		pid=$BGPID
		wait_chunks "$d/cache" 4
		if [ $sig = PGINT ]; then
			pg=$(ps -o pgid= -p $pid | tr -d ' ')
			kill -INT "-$pg" 2>/dev/null || :
		else
			kill -$sig $pid 2>/dev/null || :
		fi
		st=0
		wait $pid || st=$?
		if [ $sig != KILL ]; then
			t_eq "SIG$sig $e: exit 130" "$st" 130
			# the driver waited for its children: nothing may be left at all
			t_eq "SIG$sig $e: no temp files after the interrupted run" "$(temp_files "$d")" ""
		else
			t_eq "SIGKILL $e: killed" "$st" 137
		fi
		n=$(find "$d/cache" -name '*.meta' | wc -l)
		if [ "$n" -ge 4 ] && [ "$n" -lt "$nplan" ]; then pass "$sig $e: stopped mid-run ($n of $nplan chunks)"
		else fail "$sig $e: not mid-run: $n of $nplan chunks published"; fi
		[ -f "$d/out.csv" ] && fail "$sig $e: an interrupted run wrote the CSV" || pass "$sig $e: no CSV from the interrupted run"
		chunk_ids "$d/cache" >"$d/before"
		t_run "$sig $e: rerun exit 0" 0 "" dl -j 2 --engine $e --cache "$d/cache" -o "$d/out.csv"
		t_same_file "$sig $e: rerun CSV equals the uninterrupted run's" "$d/out.csv" "$T/ref/out.csv"
		t_eq "$sig $e: no temp files after the rerun" "$(temp_files "$d")" ""
		# chunks published before the rerun started are untouched (after a
		# SIGKILL the orphaned fetches may still publish a few more: those
		# are not in the list, so they do not matter here)
		chunk_ids "$d/cache" | grep -F -f "$d/before" >"$d/after" || :
		t_same_file "$sig $e: chunks already fetched were not fetched again" "$d/after" "$d/before"
	done
done

t_done
