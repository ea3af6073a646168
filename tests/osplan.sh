# tests/osplan.sh - osplan without a server: output forms, bad input, and
# exact coverage of random ranges through the command line.
. "${TOP:-$(dirname "$0")/..}/tests/setup"
unset OS_URL

# plan_case NAME STATUS STDERR-REGEX ARGS...: on failure there must be one
# line on stderr and nothing on stdout.
plan_case() {
	_n=$1 _s=$2 _r=$3
	shift 3
	t_run "$_n" "$_s" "$_r" osplan "$@" </dev/null
	if [ "$_s" != 0 ]; then
		[ ! -s "$T/out" ] && [ "$(wc -l <"$T/err")" = 1 ] && pass "$_n: one line, empty stdout" ||
			fail "$_n: stdout $(wc -c <"$T/out") bytes, stderr $(wc -l <"$T/err") lines"
	fi
}

P='logs-%Y.%m.%d'
printf '{"query":{"term":{"level":"error"}}}' >"$T/q.json"
printf '{"term":' >"$T/bad.json"
printf '[1,2]' >"$T/arr.json"

# Bad input: status 2, one clear line.
while IFS='|' read -r name re args; do
	case "$name" in ''|'#'*) continue ;; esac
	eval "set -- $args"
	plan_case "$name" 2 "$re" "$@"
done <<EOF
reversed range|^osplan: reversed range|-i '$P' -f 2024-03-02 -t 2024-03-01
empty range|^osplan: empty range|-i '$P' -f 2024-03-01 -t 2024-03-01
inclusive reversed by 1 ms|^osplan: reversed range|-i '$P' -f 2024-03-01T00:00:00.001Z -t 2024-03-01T00:00:00.000Z --to-inclusive
malformed date|^osplan: invalid FROM '2024-02-30'|-i '$P' -f 2024-02-30 -t 2024-03-01
month 13|^osplan: invalid TO|-i '$P' -f 2024-03-01 -t 2024-13-01
bad offset|^osplan: invalid TO|-i '$P' -f 2024-03-01 -t 2024-03-02T00:00:00+24:00
sub-millisecond|finer than a millisecond|-i '$P' -f 2024-03-01T00:00:00.0001Z -t 2024-03-02
unknown step unit|^osplan: invalid step '1x'|-i '$P' -f 2024-03-01 -t 2024-03-02 -s 1x
zero step|^osplan: invalid step '0h'|-i '$P' -f 2024-03-01 -t 2024-03-02 -s 0h
unsupported token|unsupported % token|-i 'logs-%Q' -f 2024-03-01 -t 2024-03-02
no time token|no time token|-i 'logs-%%' -f 2024-03-01 -t 2024-03-02
too many chunks|more than 100 chunks|-i '$P' -f 2024-03-01 -t 2024-03-06 -s 1h --max-chunks 100
default max chunks|more than 100000 chunks|-i '$P' -f 2024-03-01 -t 2024-03-03 -s 1s
bad max chunks|invalid --max-chunks|-i '$P' -f 2024-03-01 -t 2024-03-02 --max-chunks 0
missing query file|cannot open query file|-i '$P' -f 2024-03-01 -t 2024-03-02 -q $T/nope.json
invalid query JSON|invalid query JSON|-i '$P' -f 2024-03-01 -t 2024-03-02 -q $T/bad.json
query not an object|not an object|-i '$P' -f 2024-03-01 -t 2024-03-02 -q $T/arr.json
empty field name|empty field name|-i '$P' -f 2024-03-01 -t 2024-03-02 --fields a,,b
unknown format|unknown format 'csv'|-i '$P' -f 2024-03-01 -t 2024-03-02 --format csv
empty cache|^osplan: --cache needs a directory, not an empty string|-i '$P' -f 2024-03-01 -t 2024-03-02 -d ''
empty cache, make|--cache needs a directory|-i '$P' -f 2024-03-01 -t 2024-03-02 --format make --cache=
make dir with space|cache directory|-i '$P' -f 2024-03-01 -t 2024-03-02 --format make --cache 'a b'
make query from stdin|needs the query in a file|-i '$P' -f 2024-03-01 -t 2024-03-02 --format make -q -
wildcard offline|needs the server|-i 'logs-*' -f 2024-03-01 -t 2024-03-02
target docs offline|cannot be --offline|-i '$P' -f 2024-03-01 -t 2024-03-02 --target-docs 10 --offline
bad target docs|invalid --target-docs|-i '$P' -f 2024-03-01 -t 2024-03-02 --target-docs -5
missing from|are required|-i '$P' -t 2024-03-02
extra argument|unexpected argument 'x'|-i '$P' -f 2024-03-01 -t 2024-03-02 x
unknown option|^osplan: unknown option '--frm'|-i '$P' -f 2024-03-01 -t 2024-03-02 --frm 1
bad log level|unknown log level|-i '$P' -f 2024-03-01 -t 2024-03-02 --log-level loud
option without value|^osplan: option '--step' needs a value|-i '$P' -f 2024-03-01 -t 2024-03-02 --step
EOF

# Index names outside letters, digits and ._-+@ (osplan.1) would be code in
# make's output and split fields for xargs: in every format, exit 2, one
# line naming the name escaped, nothing on stdout.
nl='
'
tab=$(printf '\t')
for name in 'a$(shell touch '"$T"'/pwned)' 'a;touch x' 'a`id`' "a${tab}b" "a'b" 'a"b' 'a b' "a${nl}b" 'a\b' 'a:b' 'a/b'; do
	shown=$(printf '%s' "$name" | sed 's/\\/\\\\/g' | sed ':a;N;s/\n/\\n/;ba' | sed "s/$tab/\\\\t/g")
	label=$(printf '%s\n' "$shown" | sed 's/\\/\\\\/g') # echo in dash reads backslashes
	for fmt in lines make json; do
		for pat in "$name" "$name-%Y.%m.%d"; do
			plan_case "bad name, $fmt: $label" 2 "^osplan: index pattern '" -i "$pat" -f 2024-03-01 -t 2024-03-02 --offline --format "$fmt"
			grep -qF -- "$shown" "$T/err" && pass "bad name, $fmt: shown escaped" || fail "bad name, $fmt: stderr $(cat "$T/err")"
		done
	done
done
[ ! -e "$T/pwned" ] && pass "bad names: nothing ran" || fail "bad names: make code ran"

# Good input: exact output.
plan_case "version" 0 "" --version
t_eq "version line" "$(cat "$T/out")" "osplan osdl 0.1.0"
plan_case "help" 0 "" --help
grep -q '^usage: osplan \[OPTIONS\] -i PATTERN -f FROM -t TO \[-s STEP\]' "$T/out" && pass "help synopsis" || fail "help synopsis"
# --help lists every long option of the man page
opts=$(grep -A1 '^\.TP' "$TOP/docs/osplan.1" | grep -o '\\-\\-[a-z]*\(\\-[a-z]*\)*' | tr -d '\\' | sort -u)
missing=
for o in $opts; do
	grep -q -- "$o\>" "$T/out" || missing="$missing $o"
done
t_eq "help lists the man page's $(echo $opts | wc -w) options" "$missing" ""
# and the man page documents every option osplan accepts
for o in $(grep -o -- ' --[a-z-]*' "$T/out" | sort -u); do
	echo "$opts" | grep -qx -- "$o" || missing="$missing $o"
done
t_eq "man page lists --help's options" "$missing" ""

plan_case "daily over monthly" 0 "" -i 'metrics-%Y.%m' -f 2024-02-28T06:00:00Z -t 2024-03-01T12:00:00Z -s 1d --offline
cat >"$T/want" <<EOF
metrics-2024.02 2024-02-28T06:00:00.000Z 2024-02-29T00:00:00.000Z
metrics-2024.02 2024-02-29T00:00:00.000Z 2024-03-01T00:00:00.000Z
metrics-2024.03 2024-03-01T00:00:00.000Z 2024-03-01T12:00:00.000Z
EOF
t_same_file "daily over monthly: lines" "$T/out" "$T/want"

plan_case "monthly over daily, inclusive" 0 "" -i "$P" -f 2024-02-28T12:00:00+02:00 -t 2024-03-01T23:59:59.999Z -s 1M --to-inclusive
cat >"$T/want" <<EOF
logs-2024.02.28 2024-02-28T10:00:00.000Z 2024-02-29T00:00:00.000Z
logs-2024.02.29 2024-02-29T00:00:00.000Z 2024-03-01T00:00:00.000Z
logs-2024.03.01 2024-03-01T00:00:00.000Z 2024-03-02T00:00:00.000Z
EOF
t_same_file "monthly over daily: lines" "$T/out" "$T/want"

# Inclusive ends as OpenSearch's lte rounds them: the whole unit spelled out.
for c in "2024-03-01T23:59:59.999Z 2024-03-02T00:00:00.000Z" "2024-03-01T23:59:59Z 2024-03-02T00:00:00.000Z" \
	"2024-03-01T23:59Z 2024-03-02T00:00:00.000Z" "2024-03-01 2024-03-02T00:00:00.000Z" \
	"2024-03-01T23:59:59.5Z 2024-03-01T23:59:59.501Z" "1709337599000 2024-03-01T23:59:59.001Z"; do
	set -- $c
	plan_case "inclusive $1" 0 "" -i plain -f 2024-03-01T12:00:00Z -t "$1" --to-inclusive -s 1M
	t_eq "inclusive $1 ends at $2" "$(cut -d' ' -f3 "$T/out")" "$2"
done

plan_case "epoch ms, 1 ms range" 0 "" -i plain -f 1709251200000 -t 1709251200001
t_eq "1 ms range" "$(cat "$T/out")" "plain 2024-03-01T00:00:00.000Z 2024-03-01T00:00:00.001Z"

plan_case "default step of a plain index is 1d" 0 "" -i plain -f 2024-03-01T12:00:00Z -t 2024-03-03
t_eq "plain 1d" "$(wc -l <"$T/out" | tr -d ' ')" 2

plan_case "year boundary, hourly pattern" 0 "" -i 'x-%Y.%m.%d.%H' -f 2023-12-31T22:30:00Z -t 2024-01-01T01:00:00Z -s 1d
cat >"$T/want" <<EOF
x-2023.12.31.22 2023-12-31T22:30:00.000Z 2023-12-31T23:00:00.000Z
x-2023.12.31.23 2023-12-31T23:00:00.000Z 2024-01-01T00:00:00.000Z
x-2024.01.01.00 2024-01-01T00:00:00.000Z 2024-01-01T01:00:00.000Z
EOF
t_same_file "year boundary: lines" "$T/out" "$T/want"

# The lines are what spec readers accept: every field parses back (osfetch
# and xargs -L1 see exactly INDEX FROM TO).
plan_case "json format" 0 "" -i "$P" -f 2024-02-29T23:00:00Z -t 2024-03-01T01:00:00Z -s 1h --format json --cache c
cat >"$T/want" <<EOF
{"index":"logs-2024.02.29","from":"2024-02-29T23:00:00.000Z","to":"2024-03-01T00:00:00.000Z","from_ms":1709247600000,"to_ms":1709251200000,"path":"c/934b89d235faafc3/logs-2024.02.29/20240229T230000.000Z_20240301T000000.000Z.ndjson.lz4"}
{"index":"logs-2024.03.01","from":"2024-03-01T00:00:00.000Z","to":"2024-03-01T01:00:00.000Z","from_ms":1709251200000,"to_ms":1709254800000,"path":"c/934b89d235faafc3/logs-2024.03.01/20240301T000000.000Z_20240301T010000.000Z.ndjson.lz4"}
EOF
t_same_file "json lines" "$T/out" "$T/want"

plan_case "make format" 0 "" -i "$P" -f 2024-03-01 -t 2024-03-01T02:00:00Z -s 1h --format make --cache "$T/c" -q "$T/q.json" --fields level,message --no-sort
fp=$(sed -n 's/^# osplan: 2 chunks, fingerprint \([0-9a-f]*\);.*/\1/p' "$T/out")
t_eq "make: fingerprint in header" "${#fp}" 16
grep -q "^$T/c/$fp/logs-2024.03.01/20240301T010000.000Z_20240301T020000.000Z.ndjson.lz4:\$" "$T/out" &&
	pass "make: target path" || fail "make: target path"
grep -q "^	\$(OSFETCH) \$(OSFETCH_FLAGS) '--cache' '$T/c' '--query' '$T/q.json' '--fields' 'level,message' '--no-sort' 'logs-2024.03.01' 2024-03-01T00:00:00.000Z 2024-03-01T01:00:00.000Z >/dev/null\$" "$T/out" &&
	pass "make: recipe" || fail "make: recipe: $(grep OSFETCH\) "$T/out" | head -1)"
# Make itself agrees: with the files present nothing is to be done.
mkdir -p "$T/c/$fp/logs-2024.03.01"
touch "$T/c/$fp/logs-2024.03.01/20240301T000000.000Z_20240301T010000.000Z.ndjson.lz4"
t_eq "make -n: only the missing chunk" "$(make -n -s -f "$T/out" OSFETCH=echo | grep -c '^echo')" 1

# The fingerprint follows the question, not the file's layout.
printf '{ "query" :\n  { "term" : { "level" : "error" } } }\n' >"$T/q2.json"
osplan -i "$P" -f 2024-03-01 -t 2024-03-02 --format json -q "$T/q.json" 2>/dev/null | sed 's/.*"path"://' >"$T/p1"
osplan -i "$P" -f 2024-03-01 -t 2024-03-02 --format json -q "$T/q2.json" 2>/dev/null | sed 's/.*"path"://' >"$T/p2"
osplan -i "$P" -f 2024-03-01 -t 2024-03-02 --format json 2>/dev/null | sed 's/.*"path"://' >"$T/p3"
t_same_file "fingerprint ignores whitespace" "$T/p1" "$T/p2"
cmp -s "$T/p1" "$T/p3" && fail "fingerprint ignores the query" || pass "fingerprint follows the query"

# Random ranges through the CLI: sorted, contiguous, exactly [FROM, TO),
# every chunk inside one day (daily pattern) and one step.
check_plan() { # FROM_MS TO_MS DAY_OR_HOUR_MS < json lines
	awk -v F="$1" -v E="$2" -v P="$3" '
	function fl(x, m) { return x - ((x % m) + m) % m }
	{
		match($0, /"from_ms":-?[0-9]+/); f = substr($0, RSTART + 10, RLENGTH - 10) + 0
		match($0, /"to_ms":-?[0-9]+/); t = substr($0, RSTART + 8, RLENGTH - 8) + 0
		if (NR == 1 && f != F) { print "first chunk does not start at FROM"; exit 1 }
		if (NR > 1 && f != prev) { print "gap or overlap at line " NR; exit 1 }
		if (f >= t) { print "empty chunk at line " NR; exit 1 }
		if (fl(f, P) != fl(t - 1, P)) { print "chunk spans two periods at line " NR; exit 1 }
		prev = t
	}
	END { if (prev != E) { print "last chunk does not end at TO"; exit 1 } }'
}
seed=1
bad=0
for i in $(seq 1 40); do
	seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
	from=$(( 1709100000000 + seed % 400000000 ))
	seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
	len=$(( 1 + seed % 300000000 ))
	case $((i % 4)) in
	0) pat='logs-%Y.%m.%d' per=86400000 step=1h ;;
	1) pat='x-%Y.%m.%d.%H' per=3600000 step=1d ;;
	2) pat='logs-%Y.%m.%d' per=86400000 step=7m ;;
	3) pat='x-%Y.%m.%d.%H' per=900000 step=15m ;;
	esac
	to=$((from + len)) incl=
	[ $((i % 3)) = 0 ] && incl=--to-inclusive
	end=$to
	[ -n "$incl" ] && end=$((to + 1))
	if ! osplan -i "$pat" -f "$from" -t "$to" -s "$step" $incl --format json >"$T/plan.json" 2>"$T/err"; then
		bad=$((bad + 1)); fail "random plan $i: $(cat "$T/err")"; continue
	fi
	if ! why=$(check_plan "$from" "$end" "$per" <"$T/plan.json"); then
		bad=$((bad + 1)); fail "random plan $i ($pat $from..$to $step $incl): $why"
	fi
done
t_eq "40 random CLI plans cover their range exactly" "$bad" 0

# --exit-codes: the enum of lib/osdl.h, read here by sed, as NAME=CODE lines.
t_run "--exit-codes" 0 "" osplan --exit-codes
sed -n 's/^[[:space:]]*\(OSDL_EXIT_[A-Z]*\)[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1=\2/p' "$TOP/lib/osdl.h" >"$T/codes.want"
t_same_file "--exit-codes: every code of osdl.h" "$T/out" "$T/codes.want"
t_done
