#!/usr/bin/env python3
# bench/seed_like.py - a stand-in for the system osdl replaces (the seed's
# concurrent_data_downloader.py, /work/shared/seed), written as that tool is
# described, to be benchmarked against osdl in the same run:
#
#   prepare_queries()        the time range cut into sub-ranges of --step,
#                            each against its concrete daily/monthly index
#   download_data_parallel() a ThreadPoolExecutor of --threads workers; each
#                            task (_process_single_query) runs opensearch-py's
#                            helpers.scan (scroll), json_normalize()s the hits
#                            with pandas, downcasts the types
#                            (optimize_dataframe), sorts by time and pickles
#                            the chunk to a temp directory
#   compile to CSV           the .pkl chunks read back in time order and
#                            appended to the CSV chunk by chunk (bounded
#                            memory), then the temp directory removed
#
#   seed_like.py --url URL -i PATTERN -f FROM -t TO [-s STEP] [--threads N]
#                [--page-size N] -o OUT.csv
#
# Same knobs as osdl in the benchmark: same chunk step, thread count = osdl's
# -j, same page size.  _id and _index become columns as in osdl's output.
# Prints "rows N" on stderr.  Only used by bench/run; needs pandas and
# opensearch-py (pip install opensearch-py).
import argparse
import concurrent.futures
import datetime as dt
import os
import re
import shutil
import sys
import tempfile
import urllib.parse

import pandas as pd
from opensearchpy import OpenSearch, helpers

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_time(s):
    s = s.strip()
    if re.fullmatch(r"\d{4}-\d\d-\d\d", s):
        s += "T00:00:00"
    s = s.replace("Z", "+00:00")
    t = dt.datetime.fromisoformat(s)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(dt.timezone.utc)


def parse_step(s):
    m = re.fullmatch(r"(\d+)([smhd])", s)
    if not m or int(m.group(1)) == 0:
        raise SystemExit("seed_like: bad --step '%s'" % s)
    return dt.timedelta(seconds=int(m.group(1)) * UNITS[m.group(2)])


def next_index_boundary(t, pattern):
    """Start of the next index period after t (daily if the pattern has %d,
    monthly if it has %m, else yearly)."""
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    if "%d" in pattern or "%j" in pattern:
        return day + dt.timedelta(days=1)
    first = day.replace(day=1)
    if "%m" in pattern:
        return (first + dt.timedelta(days=32)).replace(day=1)
    return first.replace(year=t.year + 1, month=1)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def prepare_queries(pattern, start, end, step, time_field):
    """[(index, body)] of non-overlapping [gte, lt) sub-ranges, cut at step
    and at index boundaries."""
    out = []
    t = start
    while t < end:
        u = min(t + step, end, next_index_boundary(t, pattern))
        body = {"query": {"bool": {"filter": [{"range": {time_field: {
            "gte": iso(t), "lt": iso(u), "format": "strict_date_optional_time"}}}]}}}
        out.append((t.strftime(pattern), body))
        t = u
    return out


def optimize_dataframe(df):
    """The seed's downcasting: int64 -> smallest int, float64 -> float32 when
    pandas allows it, object -> category when values repeat."""
    for col in df.columns:
        kind = df[col].dtype.kind
        if kind == "i":
            df[col] = pd.to_numeric(df[col], downcast="integer")
        elif kind == "f":
            df[col] = pd.to_numeric(df[col], downcast="float")
        elif kind == "O":
            try:
                if df[col].nunique(dropna=True) < 0.5 * len(df):
                    df[col] = df[col].astype("category")
            except TypeError:  # lists (arrays) are unhashable: leave as is
                pass
    return df


def _process_single_query(client, n, index, body, page_size, tmpdir, time_field):
    rows = []
    for h in helpers.scan(client, query=body, index=index, size=page_size, scroll="5m",
                          preserve_order=False, request_timeout=300):
        d = {"_id": h["_id"], "_index": h["_index"]}
        d.update(h.get("_source", {}))
        rows.append(d)
    path = os.path.join(tmpdir, "chunk_%06d.pkl" % n)
    if not rows:
        return path, 0, []
    df = pd.json_normalize(rows)
    df = optimize_dataframe(df)
    if time_field in df.columns:
        df = df.sort_values(time_field, kind="stable")
    df.to_pickle(path)
    return path, len(df), list(df.columns)


def download_data_parallel(client, queries, threads, page_size, tmpdir, time_field):
    results = [None] * len(queries)
    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as ex:
        futs = {ex.submit(_process_single_query, client, n, idx, body, page_size, tmpdir,
                          time_field): n for n, (idx, body) in enumerate(queries)}
        for f in concurrent.futures.as_completed(futs):
            results[futs[f]] = f.result()  # a failed chunk fails the run
    return results


def write_csv(results, out):
    cols = []
    seen = set()
    for _, n, c in results:
        for x in c:
            if x not in seen:
                seen.add(x)
                cols.append(x)
    rows = 0
    with open(out, "w", newline="", encoding="utf-8") as f:
        first = True
        for path, n, _ in results:
            if not n:
                continue
            df = pd.read_pickle(path).reindex(columns=cols)
            df.to_csv(f, header=first, index=False)
            first = False
            rows += len(df)
        if first:
            f.write(",".join(cols) + "\n")
    return rows


def main():
    ap = argparse.ArgumentParser(prog="seed_like.py")
    ap.add_argument("--url", default=os.environ.get("OS_URL", "http://127.0.0.1:9250"))
    ap.add_argument("-i", "--index", required=True)
    ap.add_argument("-f", "--from", dest="start", required=True)
    ap.add_argument("-t", "--to", dest="end", required=True)
    ap.add_argument("-s", "--step", default="1h")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--page-size", type=int, default=5000)
    ap.add_argument("--time-field", default="@timestamp")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    u = urllib.parse.urlsplit(a.url)
    client = OpenSearch(hosts=[{"host": u.hostname, "port": u.port or 80}], use_ssl=False,
                        pool_maxsize=a.threads, timeout=300)
    queries = prepare_queries(a.index, parse_time(a.start), parse_time(a.end),
                              parse_step(a.step), a.time_field)
    tmpdir = tempfile.mkdtemp(prefix="seed_like.", dir=os.path.dirname(os.path.abspath(a.output)))
    try:
        results = download_data_parallel(client, queries, a.threads, a.page_size, tmpdir,
                                         a.time_field)
        rows = write_csv(results, a.output)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    print("seed_like: rows %d from %d queries" % (rows, len(queries)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
