#!/bin/sh
# osdownload --hosts on real hosts inside this machine: three network
# namespaces on a bridge, each with its own sshd and keys made for the test
# (tests/integration/hosts_common).  The fetch stage runs on them through
# GNU parallel, with a shared cache and with local storage (chunks come back
# with --return); one host dies in the middle of a run.  Every CSV must be
# byte for byte the single-machine one, its _ids the server's.  Where test
# hosts cannot be built (not root, no ip, no sshd) the test says so in a
# SKIP line, never by passing silently.
. "$(dirname "$0")/../setup"
. "$TOP/scripts/osdl-testlib.sh"
. "$(dirname "$0")/hosts_common"
need_server
need_tools

if ! why=$(hosts_can); then
	echo "ok - # SKIP no test hosts: $why"
	t_done
fi

P=osdl-t-hosts-$T_UID
FROM=2024-03-01T00:00:00.000Z TO=2024-03-03T00:00:00.000Z
# set -e is on: the cleanup must run to its end, whatever fails in it.
trap 'hosts_down; osdl-testdata delete $P >/dev/null 2>&1 || :; rm -rf "$T" 2>/dev/null || { sleep 1; rm -rf "$T"; } || :' EXIT
trap 'exit 130' INT TERM
osdl-testdata create $P 2 1500

if hosts_up 3 2>"$T/up.err"; then pass "3 test hosts up (namespaces, sshd, forwarders)"
else fail "test hosts did not come up: $(head -c 300 "$T/up.err")"; t_done
fi
# Each host: its own address, the node at the coordinator's OS_URL, and the
# environment it accepts from ssh (SendEnv/AcceptEnv), never from argv.
for h in h1 h2 h3; do
	got=$(OS_TESTVAR=v-$h $HOSTS_SSH -o SendEnv=OS_TESTVAR "$h" \
		'echo "$OS_TESTVAR $(curl -s -o /dev/null -w %{http_code} '"$OS_URL"'/)"' 2>&1)
	t_eq "host $h: accepts OS_* from ssh and reaches the node" "$got" "v-$h 200"
done

# The single-machine run every other CSV must equal, byte for byte.
dl() { osdownload --index "$P-%Y.%m.%d" --from $FROM --to $TO --step 4h "$@"; }
mkdir -p "$T/ref" "$T/shared" "$T/local" "$T/death" "$T/bad"
t_run "single-machine run: exit 0" 0 "" dl --engine xargs -j 4 --cache "$T/ref/cache" -o "$T/ref/out.csv"
osdl-testdata ids $P $FROM $TO >"$T/server.ids"
csv_ids "$T/ref/out.csv" >"$T/ref.ids"
t_same_file "single-machine CSV holds the server's _ids" "$T/ref.ids" "$T/server.ids"
nchunks=$(find "$T/ref/cache" -name '*.ndjson.lz4' | wc -l)

printf '# test hosts, two jobs each\n2/h1\n2/h2\n2/h3\n' >"$T/hosts"
hosts() { dl --hosts "$T/hosts" --ssh "$HOSTS_SSH" --remote-bindir "$TOP/bin" "$@"; }
# check_run DIR NAME: the run's CSV, _ids, temp files and INFO.md.
check_run() {
	t_same_file "$2: CSV byte for byte the single-machine one" "$1/out.csv" "$T/ref/out.csv"
	csv_ids "$1/out.csv" >"$1/ids"
	t_same_file "$2: the server's _ids, each once" "$1/ids" "$T/server.ids"
	t_eq "$2: no temp file left" "$(temp_files "$1/cache")" ""
	t_eq "$2: every chunk published" "$(find "$1/cache" -name '*.ndjson.lz4' | wc -l | tr -d ' ')" "$nchunks"
	grep -q '^## Hosts' "$1/INFO.md" && pass "$2: INFO.md has the hosts" || fail "$2: no Hosts section in INFO.md"
	n=$(sed -n '/which host fetched which chunk/,/details>/p' "$1/INFO.md" | grep -Ec '^\| [^c-].* \| (h[123]|:) \|$' || :)
	t_eq "$2: INFO.md says which host fetched each chunk" "$n" "$nchunks"
}

# Shared storage: the namespaces see the coordinator's filesystem, so the
# cache is the same path everywhere.  The credentials' environment goes by
# ssh (SendEnv): never in any process's argv, here or on the hosts.
S_PW=HostsPassw0rdZq S_KEY=HostsApiKey7731
( while [ ! -e "$T/shared/done" ]; do ps -eo args >>"$T/shared/ps"; sleep 0.05; done ) &
sampler=$!
export OS_USER=osdl OS_PASSWORD=$S_PW OS_API_KEY=$S_KEY
s0=$(date +%s)
t_run "shared storage, 3 hosts: exit 0" 0 "" hosts --cache "$T/shared/cache" -o "$T/shared/out.csv" --log-level detailed
s1=$(date +%s)
unset OS_USER OS_PASSWORD OS_API_KEY
cp "$T/err" "$T/shared/stderr"
: >"$T/shared/done"
wait $sampler
check_run "$T/shared" "shared storage"
grep -q "hosts --cache $T/shared/cache" "$T/shared/ps" 2>/dev/null || grep -q "osdownload --index" "$T/shared/ps" &&
	pass "command lines were sampled during the run" || fail "the ps sampler saw no osdownload"
grep -q "osfetch --cache" "$T/shared/ps" && pass "the hosts' osfetch command lines were sampled too" ||
	fail "the ps sampler saw no osfetch"
for s in $S_PW $S_KEY; do
	t_eq "secret ${s%??????}... in no command line, log or file" \
		"$(grep -rlF -- "$s" "$T/shared" 2>/dev/null | tr '\n' ' ')" ""
done

# Local storage: the hosts write into their own working directory, each
# chunk comes back with parallel's --return, is verified here (LZ4 frames,
# lines against the sidecar's docs) and renamed into the cache; --cleanup
# leaves nothing behind on the hosts.
# This machine (':') takes part too, its chunks verified like the others.
printf '1/:\n2/h1\n2/h2\n2/h3\n' >"$T/hosts.local"
l0=$(date +%s)
t_run "local storage, 3 hosts and this machine: exit 0" 0 "" hosts --hosts "$T/hosts.local" --hosts-storage local \
	--remote-workdir "$T/remote" --cache "$T/local/cache" -o "$T/local/out.csv"
l1=$(date +%s)
check_run "$T/local" "local storage"
t_eq "local storage: nothing left in the hosts' working directory" "$(find "$T/remote" -type f 2>/dev/null)" ""

# The host check: every host fails (no tools there) and the run stops
# before any work, naming each; a run that finds no host fails the same way.
t_run "host check: hosts without the tools stop the run" 1 "h1: .*osplan not found" \
	hosts --remote-bindir /nonexistent --cache "$T/bad/cache" -o "$T/bad/out.csv"
grep -q 'h2: ' "$T/err" && grep -q 'h3: ' "$T/err" && pass "host check: one list names every failing host" ||
	fail "host check: not every host listed: $(head -c 300 "$T/err")"
t_eq "host check: nothing fetched" "$(find "$T/bad/cache" -name '*.lz4' 2>/dev/null | wc -l | tr -d ' ')" 0

# A host dies in the middle of a run (its sshd, its sessions, its
# osfetch: everything in its namespace): parallel retries its chunks on the
# others, and the result is still each document exactly once.
d0=$(date +%s)
hosts --hosts-storage local --remote-workdir "$T/remote" --page-size 20 --cache "$T/death/cache" \
	-o "$T/death/out.csv" >"$T/death/stdout" 2>"$T/death/stderr" &
run=$!
if t_until 120 sh -c '[ "$(find "$1" -name "*.lz4.meta" 2>/dev/null | wc -l)" -ge 2 ]' _ "$T/death/cache"; then
	hosts_kill 2
	npub=$(find "$T/death/cache" -name '*.lz4.meta' | wc -l)
	[ "$npub" -lt "$nchunks" ] && pass "host h2 killed mid-run ($npub of $nchunks chunks published)" ||
		fail "the run was over before h2 was killed"
else
	fail "no chunk published in 120 s"
fi
st=0
wait $run || st=$?
d1=$(date +%s)
t_eq "host death: the run still succeeds" "$st" 0
[ "$st" = 0 ] || sed 's/^/#   /' "$T/death/stderr" | tail -20
check_run "$T/death" "host death"
h2=$(grep '^| h2 | ok |' "$T/death/INFO.md" | awk -F '|' '{ gsub(/ /, "", $8); print $8 }')
[ "${h2:-0}" -gt 0 ] && pass "host death: INFO.md shows h2's failed attempts ($h2)" ||
	fail "host death: no failed attempt of h2 in INFO.md: $(grep '^| h' "$T/death/INFO.md")"

# The dead host fails the check of the next run; --skip-bad-hosts drops it.
rm -rf "$T/death/cache" "$T/death/out.csv" || :
t_run "host check: the dead host stops the next run" 1 "h2: " hosts --cache "$T/death/cache" -o "$T/death/out.csv"
# --skip-bad-hosts drops it, with shared storage; and h3 dies in the middle
# of that run too, leaving h1 alone.
mkdir -p "$T/death2"
hosts --skip-bad-hosts --page-size 20 --cache "$T/death2/cache" -o "$T/death2/out.csv" \
	>"$T/death2/stdout" 2>"$T/death2/stderr" &
run=$!
if t_until 120 sh -c '[ "$(find "$1" -name "*.lz4.meta" 2>/dev/null | wc -l)" -ge 2 ]' _ "$T/death2/cache"; then
	hosts_kill 3
	npub=$(find "$T/death2/cache" -name '*.lz4.meta' | wc -l)
	[ "$npub" -lt "$nchunks" ] && pass "shared storage: host h3 killed mid-run ($npub of $nchunks chunks published)" ||
		fail "the shared run was over before h3 was killed"
else
	fail "no chunk published in 120 s"
fi
st=0
wait $run || st=$?
t_eq "--skip-bad-hosts, h3 dead mid-run: the run still succeeds" "$st" 0
[ "$st" = 0 ] || sed 's/^/#   /' "$T/death2/stderr" | tail -20
grep -q 'dropping the hosts' "$T/death2/stderr" && pass "--skip-bad-hosts says it drops h2" ||
	fail "--skip-bad-hosts: no note of the dropped host: $(head -c 300 "$T/death2/stderr")"
# A host that dies with shared storage may leave its temp files
# (NAME.part.HOST.PID.XXXXXX) beside the chunks, never a published name; the
# next run of a tool on that host removes them.  Here: only dead writers'.
left=$(temp_files "$T/death2/cache")
alive_w=""
for f in $left; do
	p=${f%.*}
	p=${p##*.}
	# Alive means: that process holds the file open.  A PID alone says
	# little here: with pid_max 32768 and a busy machine, a killed
	# writer's PID is soon another process's.
	ls -l "/proc/$p/fd" 2>/dev/null | grep -qF -- "$f" && alive_w="$alive_w $f"
	rm -f "$f"
done
t_eq "shared storage, host death: temp files left only by dead writers ($(echo $left | wc -w | tr -d ' '))" "$alive_w" ""
check_run "$T/death2" "shared storage, host death"
echo "# wall time: shared $((s1 - s0)) s, local $((l1 - l0)) s, local with a host death $((d1 - d0)) s"
t_done
