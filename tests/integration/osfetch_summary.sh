#!/bin/sh
# osfetch --summary: the sidecars of a set of chunks summed for scripts
# (KEY=VALUE totals, --per-chunk lines), checked against Python's own reading
# of the same sidecars and against the server's counts; missing chunks,
# --newer, a corrupt sidecar.
. "$(dirname "$0")/../setup"
need_server
C=$T/cache
osplan -i 'logs-%Y.%m.%d' -f 2024-02-28T00:00:00Z -t 2024-03-01T00:00:00Z -s 12h --format tsv -d "$C" >"$T/plan.tsv"
cut -f 5 "$T/plan.tsv" >"$T/paths"
t_eq "four chunks planned" "$(wc -l <"$T/paths" | tr -d ' ')" 4
# Fetch three of the four; the last stays missing.
head -n 3 "$T/plan.tsv" | awk -F '\t' '{ print $1, $2, $3 }' | osfetch -d "$C" >/dev/null 2>"$T/fetch.err" ||
	fail "fetching three chunks: $(cat "$T/fetch.err")"
t_run "--summary" 0 "" osfetch --summary "$T/paths"
cp "$T/out" "$T/sum"
want=$(head -n 3 "$T/paths" | python3 -c '
import json, sys
m = [json.load(open(p.strip() + ".meta")) for p in sys.stdin]
d = sorted(x["docs"] for x in m)
print("published=%d docs=%d bytes=%d compressed_bytes=%d peak_rss_kb=%d docs_min=%d docs_median=%d docs_max=%d engine=%s" % (
    len(m), sum(x["docs"] for x in m), sum(x["bytes"] for x in m), sum(x["compressed_bytes"] for x in m),
    max(x["peak_rss_kb"] for x in m), d[0], d[1], d[2], m[0]["engine"]))')
got=$(for k in published docs bytes compressed_bytes peak_rss_kb docs_min docs_median docs_max engine; do
	printf '%s=%s ' "$k" "$(sed -n "s/^$k=//p" "$T/sum")"; done | sed 's/ $//')
t_eq "--summary: totals equal Python's reading of the sidecars" "$got" "$want"
t_eq "--summary: chunks and missing" "$(grep -E '^(chunks|missing)=' "$T/sum" | tr '\n' ' ')" "chunks=4 missing=1 "
day1=$(os_count 'logs-2024.02.28' 2024-02-28T00:00:00Z 2024-02-29T00:00:00Z)
half=$(os_count 'logs-2024.02.29' 2024-02-29T00:00:00Z 2024-02-29T12:00:00Z)
t_eq "--summary: docs equal the server's count of the fetched chunks" "$(sed -n 's/^docs=//p' "$T/sum")" "$((day1 + half))"
bad=$(grep -Ev '^[a-z_]+=' "$T/sum" | head -3)
t_eq "--summary: only KEY=VALUE lines" "$bad" ""

t_run "--per-chunk" 0 "" osfetch --summary - --per-chunk <"$T/paths"
t_eq "--per-chunk: one line per chunk, in order" "$(cut -f 1 "$T/out")" "$(cat "$T/paths")"
t_eq "--per-chunk: eleven fields" "$(awk -F '\t' 'NF != 11' "$T/out" | wc -l | tr -d ' ')" 0
t_eq "--per-chunk: states" "$(cut -f 2 "$T/out" | tr '\n' ' ')" "published published published missing "
t_eq "--per-chunk: docs add up" "$(awk -F '\t' '$2 == "published" { s += $3 } END { print s }' "$T/out")" "$((day1 + half))"

touch "$T/t0"
tail -n 1 "$T/plan.tsv" | awk -F '\t' '{ print $1, $2, $3 }' | osfetch -d "$C" >/dev/null 2>&1
t_run "--newer" 0 "" osfetch --summary "$T/paths" --newer "$T/t0"
t_eq "--newer: only the chunk fetched after FILE" "$(grep -E '^(published|newer)=' "$T/out" | tr '\n' ' ')" "published=4 newer=1 "

t_table osfetch <<TABLE
2 | --per-chunk | | --per-chunk and --newer go with --summary
2 | --summary $T/paths logs 2024-03-01 2024-03-02 | | --summary takes no chunk spec
2 | --summary $T/paths --newer $T/nonexistent | | --newer: cannot stat
6 | --summary $T/nonexistent | | nonexistent
TABLE
f=$(head -n 1 "$T/paths")
echo '{"docs":' >"$f.meta"
t_run "a corrupt sidecar: exit 7, named" 7 "$f.meta: not a sidecar" osfetch --summary "$T/paths"
t_done
