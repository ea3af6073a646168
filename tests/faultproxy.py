#!/usr/bin/env python3
"""faultproxy.py - a fault-injecting HTTP proxy for osfetch's tests.

Listens on 127.0.0.1 (an ephemeral port, printed as the first stdout line),
forwards each request to UPSTREAM (which must be 127.0.0.1 too) and injects
faults into chosen requests:

    faultproxy.py UPSTREAM_URL RULE...     RULE = SUBSTRING@N=FAULT

The Nth request (1-based) whose "METHOD PATH" contains SUBSTRING gets FAULT:
    429, 503     answer that status with Retry-After: 0, not forwarded
    reset        forwarded (the server's cursor moves on), then the client
                 connection is reset with no response: a lost scroll page
    truncate     forwarded, then half the body is sent under the full
                 Content-Length and the connection closed
    cutjson      forwarded, then half the body is sent as a complete response
    stall        forwarded, then nothing is sent for 300 s (for timeouts and
                 signals: long enough that a loaded machine still acts
                 inside the stall)
    gone         answer 404 search_context_missing_exception, not forwarded:
                 an expired scroll or point in time
    restart      the server "restarts": this and every request for --outage
                 seconds (default 3) get their connection reset unanswered,
                 and afterwards a scroll or PIT opened before is answered
                 404 search_context_missing_exception, as a restarted node
                 has forgotten them
    trickle      forwarded, then the body is sent 1 KiB every 50 ms (a slow
                 network: the client's timeout fires)

--delay S: wait S seconds before forwarding each request (a slow server,
so that a test of periodic output sees several periods whatever the load).
--auth PREFIX: answer 401 (security_exception) unless the Authorization
header starts with PREFIX; --need-header NAME:VALUE: answer 403 unless the
request has that header (both for the auth tests).

Every request is logged to stderr as "N METHOD PATH -> STATUS|FAULT".
Bounded: exits after --idle seconds without a request (default 60).
"""
import http.client
import json
import http.server
import socket
import struct
import sys
import threading
import time
import urllib.parse

rules = []          # [substring, n, fault, seen]
auth_prefix = [None]
need_headers = []   # [(name, value)]
delay = [0.0]
outage = [3.0]          # --outage seconds
down_until = [0.0]      # time.time() before which every request is reset
epoch = [0]             # restarts so far
ctx_epoch = {}          # scroll or PIT id -> epoch it was opened in
flushed = [0]           # the last epoch whose contexts were dropped upstream
lock = threading.Lock()
last_request = [time.time()]
counter = [0]


def pick_fault(line):
    with lock:
        counter[0] += 1
        last_request[0] = time.time()
        fault = None
        for r in rules:  # each rule counts its own matches
            if r[0] in line:
                r[3] += 1
                if r[3] == r[1] and fault is None:
                    fault = r[2]
        return counter[0], fault


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def forward(self, body):
        if delay[0] > 0:
            time.sleep(delay[0])
        u = urllib.parse.urlsplit(UPSTREAM)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
        hdrs = {k: v for k, v in self.headers.items()
                if k.lower() not in ("host", "connection", "content-length")}
        c.request(self.command, self.path, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        ctype = r.getheader("Content-Type", "application/json")
        c.close()
        return r.status, ctype, data

    def reply(self, status, ctype, data, length=None, extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        line = "%s %s" % (self.command, self.path)
        num, fault = pick_fault(line)
        if auth_prefix[0] is not None and not (self.headers.get("Authorization") or "").startswith(auth_prefix[0]):
            sys.stderr.write("%d %s -> 401\n" % (num, line))
            err = b'{"error":{"type":"security_exception","reason":"missing or wrong credentials"},"status":401}'
            self.reply(401, "application/json", err)
            return
        for name, value in need_headers:
            if self.headers.get(name) != value:
                sys.stderr.write("%d %s -> 403\n" % (num, line))
                err = b'{"error":{"type":"security_exception","reason":"header check failed"},"status":403}'
                self.reply(403, "application/json", err)
                return
        if fault in ("429", "503"):
            sys.stderr.write("%d %s -> %s\n" % (num, line, fault))
            err = ('{"error":{"type":"injected_fault","reason":"faultproxy %s"},"status":%s}'
                   % (fault, fault)).encode()
            self.reply(int(fault), "application/json", err, extra={"Retry-After": "0"})
            return
        if fault == "restart":
            with lock:
                down_until[0] = time.time() + outage[0]
                epoch[0] += 1
        if time.time() < down_until[0]:
            sys.stderr.write("%d %s -> down\n" % (num, line))
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if epoch[0] > flushed[0]:
            self.drop_old_contexts()
        if fault is None and epoch[0] and self.command != "DELETE" and self.forgotten(body):
            fault = "gone"
        if fault == "gone":
            sys.stderr.write("%d %s -> 404 gone\n" % (num, line))
            err = (b'{"error":{"root_cause":[{"type":"search_context_missing_exception",'
                   b'"reason":"No search context found (faultproxy)"}],'
                   b'"type":"search_phase_execution_exception","reason":"all shards failed"},"status":404}')
            self.reply(404, "application/json", err)
            return
        started = epoch[0]  # a context opened before a restart is forgotten by it
        status, ctype, data = self.forward(body)
        self.remember(data, started)
        sys.stderr.write("%d %s -> %d%s\n" % (num, line, status, " " + fault if fault else ""))
        sys.stderr.flush()
        if fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif fault == "truncate":
            self.reply(status, ctype, data[: len(data) // 2], length=len(data))
            self.close_connection = True
        elif fault == "cutjson":
            self.reply(status, ctype, data[: len(data) // 2])
        elif fault == "trickle":
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                for i in range(0, len(data), 1024):
                    self.wfile.write(data[i:i + 1024])
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
            self.close_connection = True
        elif fault == "stall":
            time.sleep(300)
            self.close_connection = True
        else:
            self.reply(status, ctype, data)

    def remember(self, data, started):
        """Notes the epoch of every scroll or PIT id the server hands out."""
        if not epoch[0] and not any(r[2] == "restart" for r in rules):
            return
        try:
            j = json.loads(data)
        except ValueError:
            return
        for k in ("_scroll_id", "pit_id", "id"):
            if isinstance(j, dict) and isinstance(j.get(k), str):
                with lock:
                    ctx_epoch[j[k]] = started
                    if started < epoch[0]:
                        flushed[0] = min(flushed[0], started)

    def drop_old_contexts(self):
        """Back from an outage: the real node still holds the scrolls the
        "restarted" one forgot; clear them there, as a restart would."""
        with lock:
            if flushed[0] >= epoch[0]:
                return
            flushed[0] = epoch[0]
            old = [i for i, e in ctx_epoch.items() if 0 <= e < epoch[0]]
            for i in old:
                ctx_epoch[i] = -1  # dropped: still "forgotten", never dropped twice
        if not old:
            return
        u = urllib.parse.urlsplit(UPSTREAM)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        c.request("DELETE", "/_search/scroll", body=json.dumps({"scroll_id": old}),
                  headers={"Content-Type": "application/json"})
        c.getresponse().read()
        c.close()

    def forgotten(self, body):
        """A request that names a scroll or PIT opened before a restart
        (clearing one is forwarded: the real node still holds it)."""
        try:
            j = json.loads(body or b"{}")
        except ValueError:
            return False
        ids = [j.get("scroll_id"), (j.get("pit") or {}).get("id") if isinstance(j.get("pit"), dict) else None]
        return any(i in ctx_epoch and ctx_epoch[i] < epoch[0] for i in ids if isinstance(i, str))

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


def main():
    global UPSTREAM
    idle = 60.0
    args, opts = [], sys.argv[1:]
    while opts:
        a = opts.pop(0)
        if a in ("--idle", "--auth", "--need-header", "--delay", "--outage") and opts:
            v = opts.pop(0)
            if a == "--idle":
                idle = float(v)
            elif a == "--outage":
                outage[0] = float(v)
            elif a == "--delay":
                delay[0] = float(v)
            elif a == "--auth":
                auth_prefix[0] = v
            else:
                need_headers.append(tuple(v.split(":", 1)))
        elif a.startswith("--"):
            sys.exit("faultproxy: unknown option " + a)
        else:
            args.append(a)
    if not args:
        sys.exit("usage: faultproxy.py [--idle S] [--delay S] [--outage S] [--auth PREFIX] [--need-header N:V] UPSTREAM_URL RULE...")
    UPSTREAM = args[0]
    if urllib.parse.urlsplit(UPSTREAM).hostname not in ("127.0.0.1", "localhost"):
        sys.exit("faultproxy: upstream must be on 127.0.0.1")
    for a in args[1:]:
        sub, rest = a.rsplit("@", 1)
        n, fault = rest.split("=", 1)
        rules.append([sub, int(n), fault, 0])
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print(srv.server_address[1], flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    while time.time() - last_request[0] < idle:
        time.sleep(0.2)
    srv.shutdown()


if __name__ == "__main__":
    main()
