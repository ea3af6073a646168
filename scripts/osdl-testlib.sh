# scripts/osdl-testlib.sh - helpers sourced by the osdownload tests (after
# tests/setup): tool checks, the CSV's _id column, chunk file identities.

# need_tools: one failure naming each tool that is not built yet, then stop.
need_tools() {
	_missing=""
	for _t in osplan osfetch osmerge osdown osdownload; do
		command -v "$_t" >/dev/null 2>&1 || _missing="$_missing $_t"
	done
	if [ -n "$_missing" ]; then
		fail "missing tool(s):$_missing (not built or not merged into main yet)"
		t_done
	fi
}

# csv_ids CSV: the sorted values of the "_id" column (test data has no
# commas or quotes inside values, so a plain split is exact).
csv_ids() {
	awk -F ',' 'NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); if (h == "_id") c = i }
		if (!c) { print "no _id column in the CSV header" > "/dev/stderr"; exit 1 } next }
		{ v = $c; gsub(/"/, "", v); print v }' "$1" | LC_ALL=C sort
}

# chunk_ids DIR: "inode mtime path" of every published chunk file under DIR,
# to prove a rerun did not fetch (rewrite) them again.
chunk_ids() {
	find "$1" -name '*.ndjson.lz4' -type f -exec stat -c '%i %Y.%y %n' {} + | LC_ALL=C sort -k 3
}

# temp_files DIR...: anything a run must not leave behind.
temp_files() {
	find "$@" \( -name '*.part*' -o -name '.osdownload' -o -name '*.spool*' -o -name '*.run*' -o -name 'osdl-*.tmp*' \) -print 2>/dev/null
}

# start_default_int CMD...: runs CMD in the background with SIGINT at its
# default disposition (an asynchronous command of a non-interactive shell
# otherwise starts with SIGINT ignored, and no trap can catch it then).
start_default_int() {
	if env --default-signal=INT true 2>/dev/null; then
		env --default-signal=INT "$@" &
	else
		perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die "exec: $!"' "$@" &
	fi
	BGPID=$!
}
