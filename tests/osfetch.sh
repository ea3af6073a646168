# tests/osfetch.sh - osfetch without a server: options, specs and environment
# that are wrong give exit 2 and one clear line before any request; help and
# version; a cached chunk is printed without contacting the (dead) server.
. "${TOP:-$(dirname "$0")/..}/tests/setup"
unset OS_USER OS_PASSWORD OS_PASSWORD_FILE OS_NETRC OS_API_KEY OS_CACERT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
# Nothing listens on port 1: any request would fail with exit 4, not 2.
OS_URL=http://127.0.0.1:1
export OS_URL
S='logs-2024.03.01 2024-03-01T00:00:00.000Z 2024-03-01T01:00:00.000Z'

t_table osfetch <<EOF
# status | args | stdin | stderr regex
2 | --page-size 0 $S | | ^osfetch: bad --page-size '0'
2 | --page-size 10001 $S | | ^osfetch: bad --page-size
2 | --page-size x $S | | ^osfetch: bad --page-size
2 | --retries -1 $S | | ^osfetch: bad --retries
2 | --timeout 0 $S | | ^osfetch: bad --timeout
2 | --keep-alive 5x $S | | ^osfetch: bad --keep-alive '5x'
2 | --keep-alive m $S | | ^osfetch: bad --keep-alive
2 | --log-level loud $S | | ^osfetch: bad --log-level 'loud'
2 | --memory 1K $S | | ^osfetch: bad --memory '1K' \(at least 64K\)
2 | --memory x $S | | ^osfetch: bad --memory 'x'
2 | --no-such-option $S | | ^osfetch: unknown option '--no-such-option' \(try 'osfetch --help'\)$
2 | --page-size | | ^osfetch: option '--page-size' needs a value \(try 'osfetch --help'\)$
2 | logs-2024.03.01 2024-03-01 | | ^osfetch: want INDEX FROM TO \[SLICE\]
2 | a b c d e | | ^osfetch: want INDEX FROM TO
2 | logs-x yesterday 2024-03-01 | | ^osfetch: 
2 | logs-x 2024-03-02 2024-03-01 | | ^osfetch: 
2 | logs-x 2024-03-01 2024-03-02 4/4 | | ^osfetch: 
2 | -d '' $S | | ^osfetch: --cache needs a directory, not an empty string
2 | --cache= $S | | ^osfetch: --cache needs a directory
2 | -d '' | $S\n | ^osfetch: --cache needs a directory
2 | -q /no/such/file.json $S | | ^osfetch: .*no/such/file.json
2 | | logs-x 2024-03-01\n | ^osfetch: stdin:1: 
2 | | \n# comment\nlogs-x 2024-03-01 2024-03-02 0/0\n | ^osfetch: stdin:3: 
0 | | \n# only comments\n\n | 
0 | --help | | 
0 | -h | | 
0 | --version | | 
0 | -V | | 
EOF

# Index names outside letters, digits and ._-+@: one escaped line, exit 2,
# as arguments and as spec lines.
for name in 'a$(id)' 'a;b' 'a`id`' "a'b" 'a"b' "$(printf 'a\033[2Jb')"; do
	shown=$(printf '%s' "$name" | sed 's/\\/\\\\/g; s/'"$(printf '\033')"'/\\x1b/g')
	t_run "bad index name argument $shown" 2 "^osfetch: invalid index name '" osfetch -d "$T/c" "$name" 2024-03-01 2024-03-02
	grep -qF -- "'$shown'" "$T/err" && [ ! -s "$T/out" ] && pass "argument $shown shown escaped" || fail "argument $shown: $(cat "$T/err")"
	printf '%s 2024-03-01 2024-03-02\n' "$name" >"$T/in"
	t_run "bad index name line $shown" 2 "^osfetch: stdin:1: invalid index name '" osfetch -d "$T/c" <"$T/in"
done
printf 'a\001b 2024-03-01 2024-03-02\n' >"$T/in"
t_run "control character in a spec line" 2 "^osfetch: stdin:1: invalid index name 'a\\\\x01b'" osfetch -d "$T/c" <"$T/in"

t_run "--version prints the version" 0 "" osfetch --version
t_eq "--version text" "$(cat "$T/out")" "osfetch osdl $(sed -n 's/.*OSDL_VERSION "\(.*\)".*/\1/p' "$TOP/lib/osdl.h")"
t_run "--help" 0 "" osfetch --help
t_eq "--help starts with the synopsis" "$(head -1 "$T/out")" "usage: osfetch [OPTIONS] [INDEX FROM TO [SLICE]]"
# Every long option of the man page is in --help, and the other way round.
man_opts=$(sed -n '/^\.SH OPTIONS/,/^\.SH EXIT/p' "$TOP/docs/osfetch.1" | grep -o '\\-\\-[a-z\\-]*' | tr -d '\\' | sort -u)
help_opts=$(grep -o -- '--[a-z-]*' "$T/out" | sort -u)
t_eq "--help and the man page list the same options" "$help_opts" "$man_opts"

OS_CACERT=$T/none.pem t_run "OS_CACERT missing" 2 "^osfetch: OS_CACERT .*none.pem: No such file or directory" osfetch $S
OS_URL=ftp://127.0.0.1/ t_run "OS_URL scheme" 2 "^osfetch: OS_URL must start with http:// or https://" osfetch $S
t_run "--aws-region needs credentials" 2 "^osfetch: --aws-region needs AWS_ACCESS_KEY_ID" osfetch --aws-region eu-west-1 $S
t_run "dead server, no retry: retries exhausted" 4 "^osfetch: .*(Couldn't connect|Failed to connect).*\[GET http://127.0.0.1:1/\]" \
	osfetch -d "$T/c" --retries 0 $S
t_eq "dead server: nothing published" "$(find "$T/c" -type f 2>/dev/null | wc -l | tr -d ' ')" 0
# The cache path is made before any request: a local error is exit 6.
t_run "cache directory cannot be made" 6 "^osfetch: .*/dev/null/c.*Not a directory" osfetch -d /dev/null/c --retries 0 $S
t_done
