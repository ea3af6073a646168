#!/bin/sh
# tests/integration/osmerge_many.sh - 2,000 inputs under `ulimit -n 64`:
# overlapping ones are merged in passes through temporary files, same bytes
# as a stable sort of the inputs' concatenation (what a stable merge is);
# consecutive chunk files are opened one after another, no temp files.
. "$(dirname "$0")/../setup"
GEN="$TOP/tests/osmerge_gen.awk"
mkdir "$T/ov" "$T/chunks" "$T/tmp"

# Overlapping: 20,000 documents dealt round-robin into 2,000 files (each
# file sorted, all files covering the whole range, ties across files).
awk -v n=20000 -v seed=7 -v span=5000 -f "$GEN" >"$T/whole"
awk -v d="$T/ov" '{ f = sprintf("%s/%04d", d, NR % 2000); print >> f; close(f) }' "$T/whole"
# Argument order is not name order: the list is reversed.
ls "$T/ov" | sort -r | sed "s|^|$T/ov/|" >"$T/list"
xargs cat <"$T/list" | sort -s -t'"' -k12,12 >"$T/ref"
t_eq "2000 input files" "$(wc -l <"$T/list")" 2000
t_run "ulimit -n 64: merge of 2000 overlapping files" 0 "20000 documents .* from 2000 inputs.*merge passes" \
	sh -c 'ulimit -n 64 && osmerge --tmpdir "$1" --files-from "$2" -o "$3"' sh "$T/tmp" "$T/list" "$T/merged"
t_same_file "equals the stable sort of the concatenation" "$T/merged" "$T/ref"
sort "$T/whole" >"$T/a"
sort "$T/merged" >"$T/b"
t_same_file "same documents as the source" "$T/a" "$T/b"
t_eq "temp files removed" "$(find "$T/tmp" | wc -l)" 1

# Consecutive chunk files (the osfetch case): 2000 chunks of 2.5 ms of
# @timestamp each (so ties never straddle two chunks), half of them LZ4,
# given in shuffled order; equals the whole range.
awk -F'"' -v d="$T/chunks" '{
	ms = substr($12, 18, 2) * 1000 + substr($12, 21, 3)
	f = sprintf("%s/c%04d", d, int(ms * 2 / 5)); print >> f; close(f) }' "$T/whole"
t_eq "2000 chunk files" "$(ls "$T/chunks" | wc -l)" 2000
for f in "$T"/chunks/c??[02468]?; do lz4 -q -c "$f" >"$f.z" && mv "$f.z" "$f"; done
ls "$T/chunks" | shuf --random-source="$T/whole" | sed "s|^|$T/chunks/|" >"$T/clist"
t_run "ulimit -n 64: merge of 2000 chunk files (half LZ4)" 0 "20000 documents" \
	sh -c 'ulimit -n 64 && osmerge --tmpdir "$1" --files-from "$2" -z -o "$3"' sh "$T/tmp" "$T/clist" "$T/cm.lz4"
t_eq "chunk files need no temporary files (opened one after another)" "$(grep -c 'merge passes' "$T/err")" 0
lz4 -dc "$T/cm.lz4" >"$T/cm"
t_same_file "chunk merge equals the whole range, byte for byte" "$T/cm" "$T/whole"
t_eq "temp files removed" "$(find "$T/tmp" | wc -l)" 1

# A bad line deep inside one of 2000 inputs is still named exactly.
printf '{"@timestamp":"2024-03-01T00:00:00.000Z"}\n{"@timestamp":\n' >"$T/ov/bad"
echo "$T/ov/bad" >>"$T/list"
t_run "bad line in input 2001 under ulimit -n 64" 7 "^osmerge: $T/ov/bad:2: invalid JSON at byte 15$" \
	sh -c 'ulimit -n 64 && osmerge --tmpdir "$1" --files-from "$2"' sh "$T/tmp" "$T/list"
t_eq "temp files removed after the error" "$(find "$T/tmp" | wc -l)" 1
t_done
