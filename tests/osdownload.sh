#!/bin/sh
# osdownload's command line: usage errors (one line, exit 2), --help and the
# man page list the same options, --version, POSIX sh only (runs under dash,
# no bashisms), config file errors.  No server needed.
. "$(dirname "$0")/setup"
D="-f 2024-03-01 -t 2024-03-02 -d $T/c -o $T/o.csv"
t_table osdownload <<EOF
# status | args | stdin | stderr regex
2 | $D | | ^osdownload: missing --index$
2 | -i 'x-%Y' -t 2024-03-02 -d $T/c -o $T/o.csv | | ^osdownload: missing --from$
2 | -i 'x-%Y' -f 2024-03-01 -d $T/c -o $T/o.csv | | ^osdownload: missing --to$
2 | -i 'x-%Y' -f 2024-03-01 -t 2024-03-02 -o $T/o.csv | | ^osdownload: missing --cache$
2 | -i 'x-%Y' -f 2024-03-01 -t 2024-03-02 -d $T/c | | ^osdownload: missing --output$
2 | -i x $D --bogus | | ^osdownload: unknown option '--bogus'$
2 | -i x $D -x | | ^osdownload: unknown option '-x'$
2 | -i x $D extra | | ^osdownload: unexpected argument 'extra'$
2 | -i x $D --engine threads | | ^osdownload: unknown engine 'threads' \(parallel, xargs, make\)$
2 | -i x $D --log-level loud | | ^osdownload: unknown log level 'loud'
2 | -i x $D -j 0 | | ^osdownload: --jobs must be at least 1$
2 | -i x $D -j many | | ^osdownload: --jobs wants a non-negative integer, not 'many'$
2 | -i x $D --retries -1 | | ^osdownload: --retries wants a non-negative integer
2 | -i x $D --target-docs 1e6 | | ^osdownload: --target-docs wants a non-negative integer
2 | -i x $D --clean=yes | | ^osdownload: option '--clean' takes no value$
2 | -i x $D --step | | ^osdownload: option '--step' needs a value$
2 | -i x $D -q $T/nonexistent.json | | ^osdownload: cannot read query file
2 | -i x $D --config $T/nonexistent.conf | | ^osdownload: cannot read config file
2 | -i x -f 2024-03-01 -t 2024-03-02 -d $T/c -o $T/nodir/o.csv | | ^osdownload: output directory '.*nodir' does not exist$
2 | -i x -f 2024-03-01 -t 2024-03-02 -d $T/c -o $T/o.csv --info $T/nodir/INFO.md | | ^osdownload: --info: directory '.*nodir' does not exist$
2 | -i x -f 2024-03-01 -t 2024-03-02 -d $T/c -o $T/o.csv --info $T | | ^osdownload: --info '.*' is a directory: name the file to write$
2 | -i x -f 2024-03-01 -t 2024-03-02 -d $T/c -o - | | ^osdownload: --output must be a file
0 | --version | |
0 | -h | |
EOF

# --version format; --help lists every option of the man page and vice versa.
t_eq "--version" "$(osdownload --version)" "osdownload osdl 0.1.0"
osdownload --help >"$T/help"
# the options each OPTIONS entry starts with, and every option the section names
sed -n '/^\.SH OPTIONS/,/^\.SH EXIT/p' "$TOP/docs/osdownload.1" >"$T/man.sec"
awk 'prev ~ /^\.TP/ { print } { prev = $0 }' "$T/man.sec" |
	grep -o '\\-\\-[a-z\\-]*' | sed 's/\\//g; s/^--//' | sort -u >"$T/man.opts"
grep -o '\\-\\-[a-z\\-]*' "$T/man.sec" | sed 's/\\//g; s/^--//' | sort -u >"$T/man.all"
grep -o -- '--[a-z][a-z-]*' "$T/help" | sed 's/^--//' | sort -u >"$T/help.opts"
[ -s "$T/man.opts" ] && pass "the man page lists options" || fail "no options found in docs/osdownload.1"
t_eq "--help lists every option of the man page" "$(comm -23 "$T/man.opts" "$T/help.opts" | tr '\n' ' ')" ""
t_eq "the man page's OPTIONS name every option of --help" "$(comm -13 "$T/man.all" "$T/help.opts" | tr '\n' ' ')" ""
grep -q '^Usage: osdownload ' "$T/help" && pass "--help starts with the synopsis" || fail "--help has no Usage line"

# POSIX sh: parses and runs under dash (which rejects bash syntax), and has
# none of the usual bashisms.
if command -v dash >/dev/null; then
	dash -n "$TOP/bin/osdownload" && pass "dash -n parses bin/osdownload" || fail "dash -n fails on bin/osdownload"
	t_run "runs under dash" 0 "" dash "$TOP/bin/osdownload" --help
else
	sh -n "$TOP/bin/osdownload" && pass "sh -n parses bin/osdownload" || fail "sh -n fails"
fi
head -n 1 "$TOP/bin/osdownload" | grep -qx '#!/bin/sh' && pass "#!/bin/sh" || fail "shebang is not #!/bin/sh"
bash_re='\[\[ |\[ [^]]* == |^[[:space:]]*function [A-Za-z_]+[[:space:]]*(\(\))?[[:space:]]*\{|^[[:space:]]*local |\<declare |\<typeset |\<source |\$\{[A-Za-z_]+//|\$\{[A-Za-z_]+:[0-9]|<<<|\$\(<|\<let |\$RANDOM|\<pushd|\<popd|\<select |&>|PIPESTATUS|\<echo -e'
for f in "$TOP"/bin/osdownload*; do
	found=$(grep -nE "$bash_re" "$f" | grep -v '^[0-9]*:[[:space:]]*#' | head -3)
	t_eq "no bashisms in ${f#"$TOP"/}" "$found" ""
	if command -v dash >/dev/null; then
		dash -n "$f" && pass "dash -n parses ${f#"$TOP"/}" || fail "dash -n fails on ${f#"$TOP"/}"
	fi
done

# Config file errors: file:line, exit 2, checked before any tool runs.
printf 'index = x\nfrom 2024\n' >"$T/a.conf"
printf 'clean = maybe\n' >"$T/b.conf"
printf 'config = other\n' >"$T/c.conf"
t_table osdownload <<EOF
2 | --config $T/a.conf -t 2024-03-02 -d $T/c -o $T/o.csv | | ^osdownload: .*a.conf:2: expected 'key = value'$
2 | --config $T/b.conf -i x $D | | ^osdownload: .*b.conf:1: 'clean' wants true or false, not 'maybe'$
2 | --config $T/c.conf -i x $D | | ^osdownload: .*c.conf:1: 'config' cannot be set in a config file$
EOF
t_done
