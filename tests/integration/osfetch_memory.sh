# osfetch_memory.sh - memory does not grow with the chunk: peak RSS of a
# chunk 10x larger stays within 3 MB of the small one (docs/osfetch.1 states
# the bound: one document plus fixed buffers).  Also prints docs/s.
. "$(dirname "$0")/../setup"
. "$(dirname "$0")/osfetch_common"
need_server
IDX=osdl-t-fetch-memory-$$
trap 'os_curl -XDELETE "$OS_URL/$IDX" >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM
osf_index "$IDX"
osf_load "$IDX" 60000 0

# rss FROM TO: fetches [FROM, TO) and prints its peak_rss_kb (final log line).
rss() {
	osfetch -d "$T/c" --log-level detailed "$IDX" "$1" "$2" >"$T/out" 2>"$T/err"
	grep 'done:' "$T/err" | sed -n 's/.*docs_per_s=\([0-9]*\) peak_rss_kb=\([0-9]*\)$/\2 \1/p'
}
set -- $(rss 2024-03-01T00:00:00.000Z 2024-03-01T02:24:00.000Z)
small=$1
set -- $(rss $OSF_FROM $OSF_TO)
big=$1 rate=$2
t_eq "the large chunk has 10x the documents" "$(osf_py "$(cat "$T/out")" 'M["docs"]')" 60000
echo "# peak RSS: $small KiB for 6000 docs, $big KiB for 60000 docs; $rate docs/s"
if ldd "$TOP/bin/osfetch" 2>/dev/null | grep -q libasan; then
	pass "peak RSS bound # SKIP: sanitizer build ($small KiB vs $big KiB)"
else
	t_eq "peak RSS of a 10x larger chunk within 3 MB ($small vs $big KiB)" \
		"$(test $((big - small)) -lt 3072 && echo yes)" yes
fi
t_done
