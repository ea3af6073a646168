#!/usr/bin/env python3
# tests/os_ids.py - the _id (or INDEX/_id with --with-index) of every document
# with FROM <= FIELD < TO in INDEXES on $OS_URL, sorted, one per line, read
# with a scroll (per-shard cursors: no tie-breaker trap).  Test helper only.
#   os_ids.py [--with-index] [--query FILE] INDEXES FROM TO [FIELD]
import json, os, sys, urllib.request

def req(method, url, body):
    r = urllib.request.Request(url, data=json.dumps(body).encode(), method=method,
                               headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(r, timeout=120) as f:
        return json.load(f)

def main(argv):
    with_index = "--with-index" in argv
    argv = [a for a in argv if a != "--with-index"]
    extra = None
    if "--query" in argv:
        i = argv.index("--query")
        extra = json.load(open(argv[i + 1]))
        del argv[i:i + 2]
    if len(argv) not in (3, 4):
        sys.exit("usage: os_ids.py [--with-index] [--query FILE] INDEXES FROM TO [FIELD]")
    idx, frm, to = argv[:3]
    field = argv[3] if len(argv) == 4 else "@timestamp"
    base = os.environ["OS_URL"].rstrip("/")
    rng = {"range": {field: {"gte": frm, "lt": to, "format": "strict_date_optional_time"}}}
    q = {"bool": {"filter": [rng] + ([extra.get("query", extra)] if extra else [])}}
    page = req("POST", "%s/%s/_search?scroll=1m&ignore_unavailable=true" % (base, idx),
               {"size": 5000, "query": q, "sort": ["_doc"], "_source": False})
    out, sid = [], page.get("_scroll_id")
    try:
        while True:
            if page["_shards"].get("failed"):
                sys.exit("os_ids.py: shard failures: %s" % page["_shards"])
            hits = page["hits"]["hits"]
            if not hits:
                break
            out += [(h["_index"] + "/" + h["_id"]) if with_index else h["_id"] for h in hits]
            page = req("POST", base + "/_search/scroll", {"scroll": "1m", "scroll_id": page["_scroll_id"]})
            sid = page.get("_scroll_id", sid)
    finally:
        if sid:
            try:
                req("DELETE", base + "/_search/scroll", {"scroll_id": [sid]})
            except Exception:
                pass
    out.sort()
    sys.stdout.write("".join(x + "\n" for x in out))

if __name__ == "__main__":
    main(sys.argv[1:])
