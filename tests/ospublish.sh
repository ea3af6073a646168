#!/bin/sh
# tests/ospublish.sh - ospublish without a server: usage errors, standard
# input published complete or absent (also when killed half-way), and
# --chunk: a chunk that came back from a host is published only when whole,
# checked by lz4(1) as the independent reader.
. "$(dirname "$0")/setup"
unset OS_URL

# STATUS | ARGS | STDIN | STDERR-REGEX
t_table ospublish <<EOF
0 | -V | |
0 | --help | |
2 | | | ^ospublish: want one FILE to write$
2 | a b | | ^ospublish: want one FILE to write$
2 | --bogus x | | ^ospublish: unknown option '--bogus'
2 | - | | ^ospublish: '-' is not a file name$
2 | '' | | ^ospublish: '' is not a file name$
2 | --chunk a | | ^ospublish: --chunk wants SRC and DST$
2 | --log-level loud x | | log level
6 | $T/no/such/dir/f | x | ^ospublish: .*No such file or directory
EOF

# Standard input, byte for byte, including no newline at the end and NULs.
printf 'a\0b\nlast' >"$T/in"
t_run "stdin to a file" 0 "" ospublish "$T/out.bin" <"$T/in"
t_same_file "the file holds standard input" "$T/out.bin" "$T/in"
t_run "an empty input gives an empty file" 0 "" ospublish "$T/empty" </dev/null
t_eq "the empty file" "$(wc -c <"$T/empty" | tr -d ' ')" 0
printf 'old\n' >"$T/target"
ln -s target "$T/link"
printf 'new\n' | ospublish "$T/link"
t_eq "a symlink stays and its target is replaced" "$(readlink "$T/link"):$(cat "$T/target")" "target:new"

# Killed half-way: the old file stays as it was and no temp file is left.
printf 'before\n' >"$T/kept"
mkfifo "$T/fifo"
ospublish "$T/kept" <"$T/fifo" 2>"$T/kill.err" &
pid=$!
exec 3>"$T/fifo"
printf 'half of the new content\n' >&3
t_until 60 sh -c 'ls "$1".part.* >/dev/null 2>&1' - "$T/kept" ||
	fail "killed: the temp file never appeared"
kill -TERM "$pid"
st=0
wait "$pid" || st=$?
exec 3>&-
t_eq "killed: exit 130" "$st" 130
t_eq "killed: the old file is untouched" "$(cat "$T/kept")" before
t_eq "killed: no temp file is left" "$(ls "$T" | grep -c '^kept\.part' || :)" 0

# --chunk: a whole chunk with its sidecar.
seq 1 500 | sed 's/.*/{"n":&}/' >"$T/lines"
lz4 -q <"$T/lines" >"$T/c.lz4"
printf '{"docs":500,"engine":"scroll"}\n' >"$T/c.lz4.meta"
cp "$T/c.lz4.meta" "$T/meta.want"
t_run "--chunk publishes a whole chunk" 0 "" ospublish --chunk "$T/c.lz4" "$T/cache/x/c.lz4"
lz4 -dcq "$T/cache/x/c.lz4" >"$T/got"
t_same_file "--chunk: lz4 reads the same lines" "$T/got" "$T/lines"
t_eq "--chunk: the sidecar is copied" "$(cat "$T/cache/x/c.lz4.meta")" "$(cat "$T/meta.want")"
t_eq "--chunk: the copies that came back are removed" "$(ls "$T"/c.lz4* 2>/dev/null | wc -l | tr -d ' ')" 0

mkdir -p "$T/same"
lz4 -q <"$T/lines" >"$T/same/c.lz4"
cp "$T/meta.want" "$T/same/c.lz4.meta"
t_run "--chunk refuses SRC = DST" 2 "^ospublish: .* are the same file$" ospublish --chunk "$T/same/c.lz4" "$T/same/../same/c.lz4"
t_eq "--chunk: SRC = DST stays" "$(lz4 -dcq "$T/same/c.lz4" | wc -l | tr -d ' ')" 500

# Chunks that must not be published: each leaves the cache without it and
# the source in place, exit 7.
bad() {
	_name=$1 _re=$2
	t_run "--chunk refuses $_name" 7 "$_re" ospublish --chunk "$T/b.lz4" "$T/cache/b.lz4"
	t_eq "--chunk: nothing published for $_name" "$(ls "$T/cache" | grep -c '^b\.lz4' || :)" 0
	t_eq "--chunk: the source stays for $_name" "$(ls "$T"/b.lz4 2>/dev/null)" "$T/b.lz4"
}
head -n 499 "$T/lines" | lz4 -q >"$T/b.lz4"
printf '{"docs":500}\n' >"$T/b.lz4.meta"
bad "a line count that differs" "^ospublish: .*/b\.lz4: 499 line\(s\), its sidecar says 500 documents$"
lz4 -q <"$T/lines" | head -c 300 >"$T/b.lz4"
bad "a truncated frame" "^ospublish: .*/b\.lz4: damaged: "
lz4 -q <"$T/lines" >"$T/b.lz4"
printf '\001' | dd of="$T/b.lz4" bs=1 seek=100 conv=notrunc 2>/dev/null
bad "a corrupt frame" "damaged"
cp "$T/lines" "$T/b.lz4"
bad "plain NDJSON" "not an LZ4 chunk$"
lz4 -q <"$T/lines" >"$T/b.lz4"
rm -f "$T/b.lz4.meta"
bad "a chunk without its sidecar" "no such chunk, or no sidecar beside it$"
printf '{"docs":' >"$T/b.lz4.meta"
bad "a sidecar that is not JSON" "not a sidecar"
t_done
