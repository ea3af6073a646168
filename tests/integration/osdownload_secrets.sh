#!/bin/sh
# Secrets given through the environment (URL credentials, OS_PASSWORD,
# OS_API_KEY, AWS keys) never reach INFO.md, the log file, stderr, the cache
# sidecars, or any process's command line.
. "$(dirname "$0")/../setup"
. "$TOP/scripts/osdl-testlib.sh"
need_server
need_tools

P=osdl-t-drv-sec-$$
FROM=2024-03-01T00:00:00.000Z TO=2024-03-02T00:00:00.000Z
osdl-testdata delete $P
trap 'osdl-testdata delete $P; rm -rf "$T"' EXIT
osdl-testdata create $P 1 500

S_URL=UrlPassw0rdXyz S_PW=EnvPassw0rdQrs S_KEY=ApiKeyVal9876 S_AWS=wJalrXUtnFEMIK7MDENGbPxRfiCYSECRET S_TOK=SessTok3nAbc
hostport=${OS_URL#*://}
run() {
	OS_URL="http://osdluser:$S_URL@$hostport" OS_USER=osdluser OS_PASSWORD=$S_PW OS_API_KEY=$S_KEY \
	AWS_ACCESS_KEY_ID=AKIDOSDLTEST AWS_SECRET_ACCESS_KEY=$S_AWS AWS_SESSION_TOKEN=$S_TOK \
	osdownload --index "$P-%Y.%m.%d" --from $FROM --to $TO --step 1h -j 2 --page-size 50 \
		--log-level full --log-file "$T/log" --progress-interval 1 "$@"
}
# Sample every command line while the job runs.
( while [ ! -e "$T/done" ]; do ps -eo args >>"$T/ps"; sleep 0.05; done ) &
sampler=$!
st=0
run --cache "$T/cache" -o "$T/out.csv" >"$T/stdout" 2>"$T/stderr" || st=$?
: >"$T/done"
wait $sampler
t_eq "run with credentials in the environment: exit 0" "$st" 0
[ -s "$T/INFO.md" ] && pass "INFO.md written" || fail "no INFO.md"
grep -q "server: http://$hostport " "$T/INFO.md" && pass "INFO.md shows the URL without credentials" ||
	fail "INFO.md server line: $(grep 'server:' "$T/INFO.md")"
grep -q "osdownload --index" "$T/ps" && pass "command lines were sampled during the run" || fail "the ps sampler saw no osdownload"
for s in $S_URL $S_PW $S_KEY $S_AWS $S_TOK; do
	found=$(grep -rlF -- "$s" "$T/INFO.md" "$T/log" "$T/stderr" "$T/stdout" "$T/cache" "$T/out.csv" "$T/ps" 2>/dev/null | tr '\n' ' ')
	t_eq "secret ${s%????????}... appears nowhere" "$found" ""
done
t_done
