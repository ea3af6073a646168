#!/usr/bin/env python3
# bench/plain_scroll.py - the best case for a simple Python exporter: one
# scroll over the whole range (sort _doc, no time order), requests with a
# keep-alive session, orjson, NDJSON written page by page, and no gzip
# (requests asks for it by default; osfetch and elasticdump do not).  One line per
# document: {"_id","_index", <_source>} like an osfetch chunk.
#
#   plain_scroll.py --url URL --index INDEXES -f FROM -t TO [--page-size N] -o OUT.ndjson
#
# INDEXES is a comma list or wildcard (bench/run derives it from the osdl
# pattern).  Prints "rows N" on stderr.  Needs requests and orjson.
import argparse
import os
import sys

import orjson
import requests


def main():
    ap = argparse.ArgumentParser(prog="plain_scroll.py")
    ap.add_argument("--url", default=os.environ.get("OS_URL", "http://127.0.0.1:9250"))
    ap.add_argument("--index", required=True)
    ap.add_argument("-f", "--from", dest="start", required=True)
    ap.add_argument("-t", "--to", dest="end", required=True)
    ap.add_argument("--time-field", default="@timestamp")
    ap.add_argument("--page-size", type=int, default=5000)
    ap.add_argument("--gzip", action="store_true",
                    help="let the server gzip responses (requests asks for it by default; "
                         "on loopback it only costs CPU on both sides)")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    s = requests.Session()
    hdr = {"Content-Type": "application/json"}
    if not a.gzip:
        s.headers["Accept-Encoding"] = "identity"
    body = {"size": a.page_size, "sort": ["_doc"],
            "query": {"range": {a.time_field: {"gte": a.start, "lt": a.end,
                                               "format": "strict_date_optional_time"}}}}
    r = s.post("%s/%s/_search?scroll=2m" % (a.url, a.index), data=orjson.dumps(body), headers=hdr)
    r.raise_for_status()
    js = orjson.loads(r.content)
    rows = 0
    sid = js.get("_scroll_id")
    with open(a.output, "wb") as f:
        while True:
            hits = js["hits"]["hits"]
            if not hits:
                break
            out = []
            for h in hits:
                d = {"_id": h["_id"], "_index": h["_index"]}
                d.update(h["_source"])
                out.append(orjson.dumps(d))
            out.append(b"")
            f.write(b"\n".join(out))
            rows += len(hits)
            r = s.post("%s/_search/scroll" % a.url, data=orjson.dumps({"scroll": "2m", "scroll_id": sid}),
                       headers=hdr)
            r.raise_for_status()
            js = orjson.loads(r.content)
            sid = js.get("_scroll_id", sid)
    if sid:
        s.delete("%s/_search/scroll" % a.url, data=orjson.dumps({"scroll_id": sid}), headers=hdr)
    print("plain_scroll: rows %d" % rows, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
