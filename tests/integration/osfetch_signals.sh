# osfetch_signals.sh - SIGTERM/SIGINT/SIGHUP mid-download clear the scroll, remove
# the temporary file and exit 130 (--method scroll on every engine; PIT:
# osfetch_pit.sh); SIGKILL mid-download publishes nothing and
# a rerun publishes the complete chunk (removing the dead process's leftovers).
. "$(dirname "$0")/../setup"
. "$(dirname "$0")/osfetch_common"
need_server
IDX=osdl-t-fetch-signals-$$
trap 'osf_proxy_stop; os_curl -XDELETE "$OS_URL/$IDX" >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM
osf_index "$IDX"
osf_load "$IDX" 8000 1000
os_ids "$IDX" $OSF_FROM $OSF_TO >"$T/want.ids"

# wait_for FILE REGEX: until FILE has a line matching REGEX (see t_until).
wait_for() {
	t_until 300 grep -Eq "$2" "$1" 2>/dev/null || fail "no /$2/ in $1 after 300 s"
}

# A page stalls in the proxy after the server has served it: osfetch is in
# the middle of a transfer with a scroll open on the server.
for sig in TERM INT HUP; do
	C=$T/c-$sig
	osf_proxy '_search/scroll@2=stall'
	st=0
	OS_URL=$PROXY_URL osfetch --method scroll -d "$C" --page-size 1000 "$IDX" $OSF_FROM $OSF_TO >"$T/out" 2>"$T/err" &
	pid=$!
	wait_for "$T/proxy.log" 'stall$'
	t_eq "SIG$sig: a scroll is open mid-download" "$(test "$(osf_open_scrolls "$IDX")" -gt 0 && echo yes)" yes
	kill -$sig $pid
	wait $pid || st=$?
	osf_proxy_stop
	t_eq "SIG$sig: exit 130" "$st" 130
	t_eq "SIG$sig: one-line message" "$(grep -c 'interrupted by signal' "$T/err")" 1
	t_eq "SIG$sig: nothing published, no temporary file" "$(find "$C" -type f | wc -l | tr -d ' ')" 0
	t_eq "SIG$sig: no scroll context left" "$(osf_open_scrolls "$IDX")" 0
done

# SIGKILL: no cleanup is possible; nothing may be published.
C=$T/c-kill
osf_proxy '_search/scroll@3=stall'
# A short keep-alive: the scroll the killed process leaves expires soon.
OS_URL=$PROXY_URL osfetch --method scroll -d "$C" --keep-alive 5s --page-size 1000 "$IDX" $OSF_FROM $OSF_TO >"$T/out" 2>"$T/err" &
pid=$!
wait_for "$T/proxy.log" 'stall$'
kill -KILL $pid
wait $pid || true
osf_proxy_stop
# (Empty: a sorted chunk is only written once its last page is in.)
t_eq "SIGKILL: a temporary file is left" "$(find "$C" -name '*.part.*' | wc -l | tr -d ' ')" 1
t_eq "SIGKILL: nothing published" "$(find "$C" -name '*.lz4' -o -name '*.meta' | wc -l | tr -d ' ')" 0
t_run "rerun after SIGKILL" 0 "" osfetch --method scroll -d "$C" "$IDX" $OSF_FROM $OSF_TO
osf_file_ids "$(cat "$T/out")" >"$T/got.ids"
t_same_file "rerun after SIGKILL: complete chunk" "$T/got.ids" "$T/want.ids"
t_eq "rerun after SIGKILL: the dead process's temporary file is gone" "$(find "$C" -name '*.part.*' | wc -l | tr -d ' ')" 0
# The SIGKILLed process's scroll lives until its 5 s keep-alive has passed
# and the server's reaper (search.keep_alive_interval, 1 min) runs, or until
# the index is deleted at the end of this test.
t_done
