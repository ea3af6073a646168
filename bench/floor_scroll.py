#!/usr/bin/env python3
# bench/floor_scroll.py - the floor: the least a client can ask of the
# server for a time range.  One scroll over the range in J slices (one
# thread each), sort _doc, no filter_path, no gzip, the bodies read and
# thrown away: nothing is parsed but the scroll id (a regex on the
# response's start) and the page's hit count (occurrences of "_id":").
# Every other exporter's wall and server CPU are measured against this.
#
#   floor_scroll.py --url URL --index INDEXES -f FROM -t TO [-j J] [--page-size N] -o COUNT
#
# Writes the number of hits read to COUNT (bench/run checks it against the
# server's _count; there are no ids to check).  Needs requests.
import argparse
import json
import os
import re
import sys
import threading

import requests

SID = re.compile(rb'"_scroll_id"\s*:\s*"([^"]+)"')
HDR = {"Content-Type": "application/json"}


def one_slice(a, i, counts, errors):
    try:
        s = requests.Session()
        s.headers["Accept-Encoding"] = "identity"
        body = {"size": a.page_size, "sort": ["_doc"],
                "query": {"range": {a.time_field: {"gte": a.start, "lt": a.end,
                                                   "format": "strict_date_optional_time"}}}}
        if a.jobs > 1:
            body["slice"] = {"id": i, "max": a.jobs}
        r = s.post("%s/%s/_search?scroll=2m" % (a.url, a.index), data=json.dumps(body), headers=HDR)
        n = 0
        sid = None
        while True:
            r.raise_for_status()
            c = r.content
            m = SID.search(c, 0, 65536)
            sid = m.group(1).decode() if m else sid
            k = c.count(b'"_id":"')
            if k == 0:
                break
            n += k
            r = s.post("%s/_search/scroll" % a.url, data=json.dumps({"scroll": "2m", "scroll_id": sid}),
                       headers=HDR)
        if sid:
            s.delete("%s/_search/scroll" % a.url, data=json.dumps({"scroll_id": [sid]}), headers=HDR)
        counts[i] = n
    except Exception as e:  # reported by the main thread
        errors.append("slice %d: %s" % (i, e))


def main():
    ap = argparse.ArgumentParser(prog="floor_scroll.py")
    ap.add_argument("--url", default=os.environ.get("OS_URL", "http://127.0.0.1:9250"))
    ap.add_argument("--index", required=True)
    ap.add_argument("-f", "--from", dest="start", required=True)
    ap.add_argument("-t", "--to", dest="end", required=True)
    ap.add_argument("--time-field", default="@timestamp")
    ap.add_argument("-j", "--jobs", type=int, default=4)
    ap.add_argument("--page-size", type=int, default=5000)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    counts = [0] * a.jobs
    errors = []
    th = [threading.Thread(target=one_slice, args=(a, i, counts, errors)) for i in range(a.jobs)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    if errors:
        sys.exit("floor_scroll.py: " + "; ".join(errors))
    with open(a.output, "w") as f:
        f.write("%d\n" % sum(counts))
    print("rows %d" % sum(counts), file=sys.stderr)


if __name__ == "__main__":
    main()
