#!/usr/bin/env python3
# bench/load.py - loads the benchmark data set: scripts/gendata's four daily
# log indexes, renamed PREFIX-logs-2024.02.28 .. PREFIX-logs-2024.03.02
# (default prefix osdl-bench), so the shared sample indexes logs-* and
# metrics-* are never touched.
#
#   bench/load.py --url URL --docs N [--prefix P] [--seed S] [--force]
#   bench/load.py --url URL --delete [--prefix P]
#
# N is the number of log documents wanted (gendata is asked for N*6/5, of
# which it gives 5/6 to the logs).  Each index carries a signature in its
# mapping _meta; an index whose signature and _count already match is left
# alone, so a second run costs a few requests.  Prints one line per index and
# the load rate on stderr.  Only loopback http URLs are accepted.
import argparse
import http.client
import importlib.machinery
import importlib.util
import json
import os
import queue
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
BATCH = 5000  # documents per _bulk request


def load_gendata():
    path = os.path.join(TOP, "scripts", "gendata")
    loader = importlib.machinery.SourceFileLoader("osdl_gendata", path)
    spec = importlib.util.spec_from_loader("osdl_gendata", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def loopback(url):
    u = urllib.parse.urlsplit(url)
    h = u.hostname or ""
    return u.scheme == "http" and (h in ("localhost", "::1") or h.startswith("127."))


class Server:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)

    def req(self, method, path, body=None, ok=(200, 201)):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        ctype = "application/x-ndjson" if "_bulk" in path else "application/json"
        self.conn.request(method, path, body=body, headers={"Content-Type": ctype})
        resp = self.conn.getresponse()
        data = resp.read()
        js = json.loads(data) if data else {}
        if resp.status not in ok:
            raise SystemExit("load: %s %s: HTTP %d: %s" % (method, path, resp.status, json.dumps(js)[:300]))
        return resp.status, js


def plan(g, docs):
    """[(source index, bench index, count)] for docs log documents."""
    gen_docs = (docs * 6 + 4) // 5
    while gen_docs * 5 // 6 < docs:
        gen_docs += 1
    out = [(i, c) for i, c in g.plan(gen_docs) if i.startswith("logs-")]
    return gen_docs, out


def bodies(g, src, dst, seed, gen_docs):
    """_bulk bodies of BATCH documents, generated in a thread while the
    previous body is being indexed."""
    q = queue.Queue(maxsize=3)

    def produce():
        try:
            buf, n = [], 0
            for i, d in g.documents(src, seed, gen_docs):
                buf.append('{"index":{"_index":%s,"_id":%s}}' % (json.dumps(dst), json.dumps(i)))
                buf.append(json.dumps(d, ensure_ascii=False, separators=(",", ":")))
                n += 1
                if n % BATCH == 0:
                    q.put("\n".join(buf) + "\n")
                    buf = []
            if buf:
                q.put("\n".join(buf) + "\n")
            q.put(None)
        except BaseException as e:  # handed to the consumer
            q.put(e)

    threading.Thread(target=produce, daemon=True).start()
    while True:
        item = q.get()
        if item is None:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def main():
    ap = argparse.ArgumentParser(prog="bench/load.py")
    ap.add_argument("--url", default=os.environ.get("OS_URL", "http://127.0.0.1:9250"))
    ap.add_argument("--docs", type=int, default=200000)
    ap.add_argument("--prefix", default="osdl-bench")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--delete", action="store_true")
    a = ap.parse_args()
    if not loopback(a.url):
        print("load: refusing %s: only http on loopback" % a.url, file=sys.stderr)
        return 2
    if not a.prefix or a.prefix.startswith(("logs", "metrics")) or "*" in a.prefix:
        print("load: bad --prefix '%s'" % a.prefix, file=sys.stderr)
        return 2
    g = load_gendata()
    seed = a.seed if a.seed is not None else g.DEFAULT_SEED
    srv = Server(a.url)
    gen_docs, idx = plan(g, a.docs)
    if a.delete:
        for src, _ in idx:
            srv.req("DELETE", "/%s-%s" % (a.prefix, src), ok=(200, 404))
        return 0
    sig = {"generator": "osdl-bench", "gendata": g.VERSION, "seed": seed, "docs": gen_docs}
    t0 = time.time()
    total = loaded = 0
    for src, count in idx:
        dst = "%s-%s" % (a.prefix, src)
        total += count
        st, js = srv.req("GET", "/%s/_mapping" % dst, ok=(200, 404))
        meta = js.get(dst, {}).get("mappings", {}).get("_meta", {}).get("osdl_bench") if st == 200 else None
        if meta == sig and not a.force:
            _, js = srv.req("GET", "/%s/_count" % dst)
            if js.get("count") == count:
                continue
        t1 = time.time()
        srv.req("DELETE", "/" + dst, ok=(200, 404))
        srv.req("PUT", "/" + dst, {
            "settings": {"number_of_shards": 3, "number_of_replicas": 0, "refresh_interval": "-1"},
            "mappings": g.mapping(src)})
        for body in bodies(g, src, dst, seed, gen_docs):
            _, js = srv.req("POST", "/_bulk?filter_path=errors,items.*.error", body)
            if js.get("errors"):
                raise SystemExit("load: bulk errors: %s" % json.dumps(js)[:300])
        srv.req("PUT", "/%s/_settings" % dst, {"index": {"refresh_interval": None}})
        srv.req("POST", "/%s/_refresh" % dst)
        _, js = srv.req("GET", "/%s/_count" % dst)
        if js.get("count") != count:
            raise SystemExit("load: %s has %s documents, want %d" % (dst, js.get("count"), count))
        srv.req("PUT", "/%s/_mapping" % dst, {"_meta": {"osdl_bench": sig}})
        loaded += count
        print("load: %s: %d docs in %.1f s" % (dst, count, time.time() - t1), file=sys.stderr)
    dt = time.time() - t0
    if loaded:
        print("load: %d docs loaded in %.1f s (%.0f docs/s)" % (loaded, dt, loaded / dt), file=sys.stderr)
    else:
        print("load: %s-logs-* already current (%d docs)" % (a.prefix, total), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
