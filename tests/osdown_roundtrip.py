#!/usr/bin/env python3
"""tests/osdown_roundtrip.py - reads osdown's CSV back with its schema (pandas,
and DuckDB when installed) and checks every cell against the NDJSON source.

    osdown_roundtrip.py [--osdown BIN] [--date-fields LIST] [--keep DIR] [NDJSON...]

Without files it generates its own edge-case data (every column type, nulls,
int64/uint64 limits, floats that are and are not float32-exact, unicode,
quotes, commas, newlines, tabs, NUL, strings such as "NA").  Prints TAP-ish
"ok - " / "not ok - " lines for tests/run, then the DataFrame memory with
the schema vs a plain pd.read_csv:
    # memory: schema N bytes, plain M bytes, reduction P%
"""
import argparse
import datetime as dt
import json
import math
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

FAILS = 0
PASSES = 0


def ok(cond, msg):
    global FAILS, PASSES
    if cond:
        PASSES += 1
        print("ok - " + msg)
    else:
        FAILS += 1
        print("not ok - " + msg)


class Num(str):
    """A JSON number kept as its text (json's parse_int/parse_float hook)."""


def flatten(obj, prefix, out):
    """Dotted leaves as osdown makes them; arrays are kept as values."""
    for k, v in obj.items():
        name = prefix + "." + k if prefix else k
        if isinstance(v, dict):
            flatten(v, name, out)
        else:
            out[name] = v
    return out


def load_ndjson(paths):
    rows = []
    for p in paths:
        opener = open
        with opener(p, "rb") as f:
            head = f.read(4)
        if head == b"\x04\x22\x4d\x18":
            data = subprocess.run(["lz4", "-dc", p], check=True, capture_output=True).stdout
        else:
            with open(p, "rb") as f:
                data = f.read()
        for line in data.split(b"\n"):
            if not line.strip():
                continue
            rows.append(flatten(json.loads(line, parse_int=Num, parse_float=Num), "", {}))
    return rows


def text_of(v):
    """What osdown writes for a value in a string column."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (Num, str)):
        return str(v)
    return None  # arrays: compared as JSON


def exact_int(text):
    from decimal import Decimal
    d = Decimal(text)
    assert d == d.to_integral_value(), text
    return int(d)


def epoch_ms(v, date_field):
    if isinstance(v, Num) or (date_field and isinstance(v, str) and v.lstrip("-").isdigit()):
        return exact_int(v)
    t = pd.Timestamp(v)
    if t.tzinfo is None:
        t = t.tz_localize("UTC")
    return int(t.value // 1_000_000) if t.unit == "ns" else int(t.as_unit("ms").asm8.astype("int64"))


def same(kind, src, got, col, date_field):
    """Does the cell read back (got) hold the source JSON value (src)?"""
    missing = src is None
    na = got is None or got is pd.NA or got is pd.NaT or (isinstance(got, float) and math.isnan(got))
    if missing or na:
        return missing and na
    if kind in ("int8", "int16", "int32", "int64", "uint64"):
        return int(got) == exact_int(src)
    if kind == "float32":
        return float(np.float32(got)) == float(src) and np.float32(got) == np.float32(float(src))
    if kind == "float64":
        return float(got) == float(src)
    if kind == "bool":
        return bool(got) == src
    if kind == "timestamp":
        g = pd.Timestamp(got)
        return int(g.as_unit("ms").asm8.astype("int64")) == epoch_ms(src, date_field)
    if isinstance(src, list):
        return json.loads(got, parse_int=Num, parse_float=Num) == src
    return str(got) == text_of(src)


def check(name, df_cols, kinds, rows, nullable_empty, date_fields):
    """Compares every cell; one ok/not ok line per column."""
    for col, values in df_cols.items():
        kind = kinds[col]
        bad = []
        for i, got in enumerate(values):
            src = rows[i].get(col)
            if isinstance(src, str) and src == "" and col in nullable_empty:
                # pandas cannot tell "" from null in one column: documented.
                src = None if name == "pandas" else src
            if not same(kind, src, got, col, col in date_fields):
                bad.append((i, src, got))
        ok(not bad, "%s: column %r (%s): %d values equal the NDJSON%s" % (
            name, col, kind, len(values), "" if not bad else "; first mismatch row %d: %r vs %r" % bad[0]))


def gen(path, n=3000, seed=7):
    """Edge-case NDJSON covering every type."""
    rnd = random.Random(seed)
    cats = ["GET", "POST", "PUT", "DELETE", "caf\u00e9", "\u65e5\u672c", "x,y", "NA"]
    texts = ["plain", "with,comma", 'with "quotes"', "new\nline", "cr\rlf\r\n", "tab\there",
             "unicode \u00e9\u00e8 \U0001F600", "NA", "null", "NaN", "None", "", " lead", "trail ",
             "nul\u0000byte", "'single'", "\\backslash", "#hash", "=formula"]
    f32s = ["0.5", "1.25", "-3.75", "1000", "0", "-0.0", "16777216", "2.5e-3" if False else "0.25", "1e3"]
    f64s = ["0.1", "1e300", "-2.2250738585072014e-308", "3.141592653589793", "0.30000000000000004",
            "123456.789", "1.7976931348623157e308", "5"]
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            r = {"_id": "id-%06d" % i,
                 "@timestamp": (dt.datetime(2024, 2, 28, tzinfo=dt.timezone.utc)
                                + dt.timedelta(milliseconds=rnd.randrange(4 * 86400000))
                                ).isoformat(timespec="milliseconds").replace("+00:00", "Z")}
            r["i8"] = rnd.randrange(-128, 128) if i % 7 else None
            r["i16"] = rnd.choice([-32768, 32767, rnd.randrange(-1000, 1000)])
            r["i32"] = rnd.choice([-2**31, 2**31 - 1, rnd.randrange(-10**6, 10**6)])
            r["i64"] = rnd.choice([-2**63, 2**63 - 1, rnd.randrange(-10**15, 10**15)])
            r["u64"] = rnd.choice([2**64 - 1, 2**63, rnd.randrange(0, 1000)])
            r["f32"] = "@F32@" + rnd.choice(f32s)
            r["f64"] = "@F64@" + rnd.choice(f64s)
            r["norm"] = "@NUM@" + rnd.choice(["1.0", "2", "3e1", "-4.00", "0"])
            r["flag"] = rnd.choice([True, False, None])
            r["when"] = rnd.choice(["2024-03-01T00:00:00Z", "2024-02-29T23:59:59.999+01:00",
                                    "2024-03-01", "1999-12-31T23:59:59.5-05:30"])
            r["epoch"] = rnd.choice([1709251200000, 0, -1, 253402300799999, None])
            r["method"] = rnd.choice(cats)
            r["text"] = rnd.choice(texts) + (str(i) if rnd.random() < 0.5 else "")
            r["maybe"] = rnd.choice(["a", "b", None, "c d"])
            r["geo"] = {"lat": "@F64@%.6f" % rnd.uniform(-90, 90), "lon": "@F32@%g" % rnd.choice([-0.5, 12.25])}
            r["tags"] = rnd.choice([["a", "b"], [], [1, {"k": "v"}], ["x"]])
            r["mixed"] = rnd.choice([1, "one", 2.5, True])
            r["bignum"] = "@NUM@" + rnd.choice(["123456789012345678901234567890", "1"])
            if i % 3 == 0:
                r["sometimes"] = rnd.randrange(0, 5)
            line = json.dumps(r, ensure_ascii=rnd.random() < 0.5)
            # numbers as literal text, not as Python would print them
            import re
            line = re.sub(r'"@(?:F32|F64|NUM)@([^"]*)"', r"\1", line)
            f.write(line + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--osdown", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bin", "osdown"))
    ap.add_argument("--date-fields", default=None)
    ap.add_argument("--keep", default=None, help="directory for the CSV and schema (kept)")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    tmp = a.keep or tempfile.mkdtemp(prefix="osdown-rt.")
    os.makedirs(tmp, exist_ok=True)
    files = a.files
    date_fields = a.date_fields
    if not files:
        files = [os.path.join(tmp, "gen.ndjson")]
        gen(files[0])
        date_fields = date_fields or "epoch"
    csv = os.path.join(tmp, "out.csv")
    schema_path = os.path.join(tmp, "out.schema.json")
    cmd = [a.osdown, "-o", csv, "--schema", schema_path] + (["--date-fields", date_fields] if date_fields else []) + files
    r = subprocess.run(cmd, capture_output=True, text=True)
    ok(r.returncode == 0, "osdown exits 0 (%s)" % r.stderr.strip().replace("\n", "; "))
    if r.returncode:
        return 1
    schema = json.load(open(schema_path))
    kinds = {c["name"]: c["type"] for c in schema["columns"]}
    dfields = set((date_fields or "").split(",")) - {""}
    nullable_empty = {c["name"] for c in schema["columns"] if c["nullable"] and c["empty_strings"]}
    rows = load_ndjson(files)
    ok(schema["rows"] == len(rows), "schema rows %d = NDJSON records %d" % (schema["rows"], len(rows)))

    # The one-line load from docs/osdown.1.
    df = pd.read_csv(csv, **json.load(open(schema_path))["pandas"])
    ok(list(df.columns) == [c["name"] for c in schema["columns"]], "pandas: columns in schema order")
    ok(len(df) == len(rows), "pandas: %d rows" % len(df))
    for c in schema["columns"]:
        want = c["pandas"]
        got = str(df[c["name"]].dtype)
        if want.startswith("datetime64"):
            good = got.startswith("datetime64[") and "UTC" in got
        elif want == "string":
            good = got in ("string", "str")
        else:
            good = got == want
        ok(good, "pandas: column %r dtype %s (schema %s)" % (c["name"], got, want))
    check("pandas", {c: df[c].tolist() for c in df.columns}, kinds, rows, nullable_empty, dfields)

    try:
        import duckdb
    except ImportError:
        duckdb = None
    if duckdb is not None:
        sql = schema["duckdb"]["sql"]
        res = duckdb.sql(sql)
        names = res.columns
        data = res.fetchall()
        ok(len(data) == len(rows), "duckdb: %d rows" % len(data))
        cols = {n: [row[j] for row in data] for j, n in enumerate(names)}
        check("duckdb", cols, kinds, rows, set(), dfields)
    else:
        print("# duckdb not installed: DuckDB load not checked")

    plain = pd.read_csv(csv)
    m_typed = int(df.memory_usage(deep=True).sum())
    m_plain = int(plain.memory_usage(deep=True).sum())
    size = sum(os.path.getsize(f) for f in files)
    print("# types: " + ", ".join("%s=%s" % (c["name"], c["type"]) for c in schema["columns"]))
    print("# memory: schema %d bytes, plain %d bytes, reduction %.1f%% (%d rows, %d NDJSON bytes)" % (
        m_typed, m_plain, 100.0 * (m_plain - m_typed) / m_plain, len(df), size))
    ok(m_typed < m_plain, "memory with the schema below plain read_csv")
    print("# %d passed, %d failed" % (PASSES, FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
