# tests/not_opensearch.sh - osplan and osfetch pointed at a server that is
# not OpenSearch (an HTML web server, a JSON service without "version"): one
# error line naming the URL, credentials removed, and the endpoint; no retry
# loop against it.
. "${TOP:-$(dirname "$0")/..}/tests/setup"
unset OS_USER OS_PASSWORD OS_PASSWORD_FILE OS_NETRC OS_API_KEY OS_CACERT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

# serve MODE: a local server on a free port ($T/port), pid in $SRV.
#   html: 404 with an HTML page for everything but /, an HTML page for /
#   json: 200 {"name":"svc"} for everything
#   empty: 200 with an empty body (crashed osplan and osfetch)
#   deep: 200 with JSON nested 200000 deep (would overflow yajl's tree)
cat >"$T/srv.py" <<'PY'
import http.server, sys
mode = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def answer(self):
        if mode == "json":
            code, ctype, body = 200, "application/json", b'{"name":"svc","tagline":"not a search engine"}'
        elif mode == "empty":
            code, ctype, body = 200, "application/json", b""
        elif mode == "deep":
            code, ctype, body = 200, "application/json", b'{"a":' + b"[" * 200000 + b"]" * 200000 + b"}"
        elif self.path == "/":
            code, ctype, body = 200, "text/html", b"<!DOCTYPE html>\n<html><body>hello</body></html>\n"
        else:
            code, ctype, body = 404, "text/html", b"<!DOCTYPE HTML>\n<html><title>404 Not Found</title></html>\n"
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = do_DELETE = answer
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
SRV=
serve() {
	python3 "$T/srv.py" "$1" "$T/port.tmp" &
	SRV=$!
	t_until 120 test -s "$T/port.tmp" || fail "server ($1) did not start within 120 s"
	PORT=$(cat "$T/port.tmp")
	rm -f "$T/port.tmp"
}
stop() { kill "$SRV" 2>/dev/null || true; wait "$SRV" 2>/dev/null || true; }
trap 'stop; rm -rf "$T"' EXIT INT TERM

# check NAME TOOL-ARGS...: exit 3, one line naming the URL without the
# password, and the endpoint.
check() {
	_n=$1 _ep=$2
	shift 2
	OS_URL="http://user:s3cret@127.0.0.1:$PORT" t_run "$_n" 3 "http://127.0.0.1:$PORT" "$@"
	[ "$(wc -l <"$T/err" | tr -d ' ')" = 1 ] && ! grep -q s3cret "$T/err" && grep -qF -- "$_ep" "$T/err" &&
		pass "$_n: one line, URL and endpoint, no password" || fail "$_n: $(cat "$T/err")"
}

serve html
check "osplan, HTML server" "GET http://127.0.0.1:$PORT/_resolve/index/logs" osplan -i logs -f 2024-03-01 -t 2024-03-02
grep -q "not an OpenSearch or Elasticsearch answer" "$T/err" && pass "osplan, HTML server: says so" || fail "osplan: $(cat "$T/err")"
check "osfetch, HTML server" "GET http://127.0.0.1:$PORT/" osfetch -d "$T/c" --retries 2 logs 2024-03-01 2024-03-02
grep -q "not an OpenSearch or Elasticsearch answer" "$T/err" && pass "osfetch, HTML server: says so" || fail "osfetch: $(cat "$T/err")"
stop

serve json
check "osplan, JSON without version" "GET http://127.0.0.1:$PORT/_resolve/index/logs" osplan -i logs -f 2024-03-01 -t 2024-03-02
check "osfetch, JSON without version" "GET /" osfetch -d "$T/c" --retries 2 logs 2024-03-01 2024-03-02
grep -q "does not look like OpenSearch" "$T/err" && pass "osfetch, JSON: says so" || fail "osfetch: $(cat "$T/err")"
stop

for mode in empty deep; do
	serve $mode
	check "osplan, $mode answer" "GET http://127.0.0.1:$PORT/_resolve/index/logs" osplan -i logs -f 2024-03-01 -t 2024-03-02
	check "osfetch, $mode answer" "GET http://127.0.0.1:$PORT/" osfetch -d "$T/c" --retries 2 logs 2024-03-01 2024-03-02
	stop
done
t_eq "nothing published" "$(find "$T/c" -name '*.lz4' 2>/dev/null | wc -l | tr -d ' ')" 0
t_done
