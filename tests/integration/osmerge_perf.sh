#!/bin/sh
# tests/integration/osmerge_perf.sh - throughput and memory of the merge:
# 2 inputs, 64 overlapping inputs, 64 consecutive chunk files (the fast
# path), plain and LZ4.  Prints MB/s and peak RSS as "# " lines; asserts
# only loose bounds on time (the machine is shared): chunk files merge at
# least at 50% of the 2-input speed; memory is O(overlapping inputs x
# buffer): 64 chunk files need the memory of a few inputs only.
. "$(dirname "$0")/../setup"
GEN="$TOP/tests/osmerge_gen.awk"
mkdir "$T/ov" "$T/nov"
awk -v n=192000 -v seed=1 -v span=86400000 -f "$GEN" >"$T/a"
awk -v n=192000 -v seed=2 -v span=86400000 -f "$GEN" >"$T/b"
i=0
while [ $i -lt 64 ]; do
	awk -v n=6000 -v seed=$i -v span=86400000 -f "$GEN" >"$T/ov/$i"
	awk -v n=6000 -v seed=$i -v start=$((1709251200000 + i * 3600000)) -v span=3600000 -f "$GEN" >"$T/nov/$(printf %02d $i)"
	i=$((i + 1))
done

# measure NAME ARGS...: runs osmerge 3 times, prints the best MB/s and the
# peak RSS, sets $mbs $rss.
measure() {
	_n=$1
	shift
	mbs=0
	for _k in 1 2 3; do
		osmerge --log-level detailed "$@" 2>"$T/m.err" >/dev/null || fail "$_n: exit $?"
		_m=$(sed -n 's/.* s, \([0-9.]*\) MB\/s.*/\1/p' "$T/m.err")
		mbs=$(echo "$_m $mbs" | awk '{ print ($1 > $2) ? $1 : $2 }')
	done
	mb=$(sed -n 's/.*documents (\([0-9.]*\) MB).*/\1/p' "$T/m.err")
	rss=$(sed -n 's/.*peak_rss_kb=\([0-9]*\).*/\1/p' "$T/m.err")
	echo "# $_n: $mb MB at $mbs MB/s (best of 3), peak RSS $rss KiB"
}
measure "2 inputs" "$T/a" "$T/b"
two=$mbs
measure "64 overlapping inputs" "$T"/ov/*
ovrss=$rss
measure "64 chunk files (no overlap)" "$T"/nov/*
chunks=$mbs
chunkrss=$rss
t_eq "64 chunk files merge at >= 50% of the 2-input speed ($chunks vs $two MB/s)" \
	"$(echo "$chunks $two" | awk '{ print ($1 >= 0.5 * $2) ? "yes" : "no" }')" yes
osmerge --log-level detailed /dev/null 2>"$T/base.err" >/dev/null
base=$(sed -n 's/.*peak_rss_kb=\([0-9]*\).*/\1/p' "$T/base.err")
if [ "$(ldd "$TOP/bin/osmerge" 2>/dev/null | grep -c asan || true)" = 0 ]; then
	t_eq "64 overlapping inputs: peak RSS - baseline ($((ovrss - base)) KiB) <= 64 x 1.25 MiB" \
		"$([ $((ovrss - base)) -le $((64 * 1280)) ] && echo yes)" yes
	# Chunk files are opened one after another: memory of a few inputs.
	t_eq "64 chunk files: peak RSS - baseline ($((chunkrss - base)) KiB) <= 4 x 1.25 MiB" \
		"$([ $((chunkrss - base)) -le $((4 * 1280)) ] && echo yes)" yes
fi
for f in "$T"/nov/*; do lz4 -q -B5 -c "$f" >"$f.lz4" && rm "$f"; done
measure "64 LZ4 chunk files (no overlap)" "$T"/nov/*.lz4
measure "64 LZ4 chunk files, -z output" -z "$T"/nov/*.lz4
t_done
