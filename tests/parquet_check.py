#!/usr/bin/env python3
"""tests/parquet_check.py - runs osdown --format parquet and reads the file back
with two independent readers, pyarrow (and pandas through it) and DuckDB,
checking every cell against the NDJSON source and the file's metadata.

    parquet_check.py [--osdown BIN] [--date-fields LIST] [--compression C]
                     [--row-group-size N] [--min-row-groups K] [--keep DIR]
                     [NDJSON...]

Without files it writes the edge-case data of tests/osdown_roundtrip.py
(every type, nulls, int64/uint64 limits, float32-exact and inexact
numbers, unicode, quotes, control characters, NUL) plus a second file of
its own edges (timestamps before 1970 and at millisecond edges, a column
absent from most rows, a column that widens int -> float -> string, nulls
vs empty strings, control characters).  Checks:
  - every value equals the NDJSON in pyarrow, pandas and DuckDB (rows in
    order, "" apart from null);
  - pd.read_parquet gives the schema's pandas dtypes (categories too, from
    the footer's ARROW:schema);
  - physical and logical types, compression, statistics (min/max by the
    type's order, null_count) per row group, in pyarrow and DuckDB's
    parquet_metadata().
Prints "ok - " / "not ok - " lines for tests/run.
"""
import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import osdown_roundtrip as rt  # noqa: E402  (the NDJSON model and generator)

import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

# schema type -> (physical type, pyarrow logical type JSON fragment)
TYPES = {
    "bool": ("BOOLEAN", '"Type":"None"'),
    "int8": ("INT32", '"bitWidth":8,"isSigned":true'),
    "int16": ("INT32", '"bitWidth":16,"isSigned":true'),
    "int32": ("INT32", '"bitWidth":32,"isSigned":true'),
    "int64": ("INT64", '"Type":"None"'),
    "uint64": ("INT64", '"bitWidth":64,"isSigned":false'),
    "float32": ("FLOAT", '"Type":"None"'),
    "float64": ("DOUBLE", '"Type":"None"'),
    "timestamp": ("INT64", '"isAdjustedToUTC":true,"timeUnit":"milliseconds"'),
    "category": ("BYTE_ARRAY", '"Type":"String"'),
    "string": ("BYTE_ARRAY", '"Type":"String"'),
}
CODECS = {"zstd": "ZSTD", "lz4": "LZ4_RAW", "none": "UNCOMPRESSED"}
# pyarrow names Parquet's LZ4_RAW "LZ4" (and the deprecated LZ4 "LZ4_HADOOP")
PA_CODECS = {"zstd": "ZSTD", "lz4": "LZ4", "none": "UNCOMPRESSED"}


def gen_edges(path, n=400):
    """Edges the round-trip generator does not cover; its columns are
    absent from every row of that file (so: absent from most rows)."""
    ts = ["1969-12-31T23:59:59.999Z", "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00.001Z",
          "0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "1900-02-28T12:34:56.789Z",
          "1969-07-20T20:17:40-04:00"]
    ctrl = ["\u0001\u001f\u007f", "\t", "caf\u00e9", "\U0001F600 emoji", "\u2028sep", "\u65e5\u672c\u8a9e",
            "a\u0000b", "", "x"]
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            r = {"edge_ts": ts[i % len(ts)],
                 "edge_i64": [-2**63, 2**63 - 1, 0][i % 3],
                 "edge_u64": [0, 2**64 - 1, 2**63][i % 3],
                 "edge_ctrl": ctrl[i % len(ctrl)],
                 # "" and null apart, in one column
                 "edge_empty": ["", None, "v"][i % 3],
                 # int, then float, then string: a string column
                 "widen_s": "@NUM@%d" % i if i < 100 else ("@NUM@%d.5" % i if i < 200 else "s%d" % i),
                 # int then float: a float column
                 "widen_f": "@NUM@%d" % i if i < 200 else "@NUM@%d.25" % i,
                 "f32": "@NUM@" + ["0.15625", "-1024.5", "16777216", "-0.0", "3.5e-3" if False else "0.75"][i % 5],
                 "b": [True, False][i % 2]}
            if i % 97 == 0:
                r["rare"] = "only here %d" % i
            line = json.dumps(r, ensure_ascii=i % 2 == 0)
            import re
            line = re.sub(r'"@NUM@([^"]*)"', r"\1", line)
            f.write(line + "\n")


def pa_value_list(col):
    return col.to_pylist()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--osdown", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bin", "osdown"))
    ap.add_argument("--date-fields", default=None)
    ap.add_argument("--compression", default=None)
    ap.add_argument("--row-group-size", default=None)
    ap.add_argument("--min-row-groups", type=int, default=1)
    ap.add_argument("--keep", default=None)
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    tmp = a.keep or tempfile.mkdtemp(prefix="osdown-pq.")
    os.makedirs(tmp, exist_ok=True)
    if not a.keep:
        atexit.register(shutil.rmtree, tmp, True)
    files = a.files
    date_fields = a.date_fields
    if not files:
        files = [os.path.join(tmp, "gen.ndjson"), os.path.join(tmp, "edges.ndjson")]
        rt.gen(files[0])
        gen_edges(files[1])
        date_fields = date_fields or "epoch"
    out = os.path.join(tmp, "out.parquet")
    schema_path = os.path.join(tmp, "out.schema.json")
    cmd = [a.osdown, "-o", out, "--schema", schema_path]
    if date_fields:
        cmd += ["--date-fields", date_fields]
    if a.compression:
        cmd += ["--compression", a.compression]
    if a.row_group_size:
        cmd += ["--row-group-size", a.row_group_size]
    r = subprocess.run(cmd + files, capture_output=True, text=True)
    tag = "[%s%s]" % (a.compression or "zstd", ", row groups " + a.row_group_size if a.row_group_size else "")
    rt.ok(r.returncode == 0, "%s osdown exits 0 (%s)" % (tag, r.stderr.strip().replace("\n", "; ")))
    if r.returncode:
        return 1
    schema = json.load(open(schema_path))
    cols = [c["name"] for c in schema["columns"]]
    kinds = {c["name"]: c["type"] for c in schema["columns"]}
    dfields = set((date_fields or "").split(",")) - {""}
    rows = rt.load_ndjson(files)
    nulls = {c: sum(1 for row in rows if row.get(c) is None) for c in cols}
    rt.ok(schema["rows"] == len(rows), "%s schema rows %d = NDJSON records %d" % (tag, schema["rows"], len(rows)))
    rt.ok(schema.get("output_format") == "parquet" and "read_parquet" in schema["duckdb"]["sql"],
          "%s schema names the Parquet file" % tag)

    # pyarrow: the file, its metadata, every value.
    pf = pq.ParquetFile(out)
    md = pf.metadata
    rt.ok(md.num_rows == len(rows), "%s pyarrow: %d rows" % (tag, md.num_rows))
    rt.ok(md.num_row_groups >= a.min_row_groups,
          "%s pyarrow: %d row groups (at least %d)" % (tag, md.num_row_groups, a.min_row_groups))
    rt.ok([pf.schema.column(i).name for i in range(md.num_columns)] == cols, "%s pyarrow: columns in schema order" % tag)
    bad = []
    for i, name in enumerate(cols):
        c = pf.schema.column(i)
        phys, logical = TYPES[kinds[name]]
        if c.physical_type != phys or logical not in c.logical_type.to_json():
            bad.append("%s: %s %s" % (name, c.physical_type, c.logical_type.to_json()))
        nullable = c.max_definition_level == 1
        want_nullable = next(x["nullable"] for x in schema["columns"] if x["name"] == name)
        if nullable != want_nullable:
            bad.append("%s: nullable %s" % (name, nullable))
    rt.ok(not bad, "%s pyarrow: physical and logical types, OPTIONAL iff nullable%s" % (tag, "; " + ", ".join(bad) if bad else ""))
    table = pf.read()
    rt.check("pyarrow " + tag, {n: pa_value_list(table.column(n)) for n in cols}, kinds, rows, set(), dfields)

    # Statistics and compression of every column chunk.
    want_codec = CODECS[a.compression or "zstd"]
    pa_codec = PA_CODECS[a.compression or "zstd"]
    bad = []
    start = 0
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        part = table.slice(start, rg.num_rows)
        start += rg.num_rows
        for j, name in enumerate(cols):
            cc = rg.column(j)
            if cc.compression != pa_codec:
                bad.append("rg %d %s: codec %s" % (g, name, cc.compression))
            st = cc.statistics
            col = part.column(name)
            if st is None or st.null_count != col.null_count:
                bad.append("rg %d %s: null_count %s vs %d" % (g, name, st and st.null_count, col.null_count))
                continue
            if col.null_count == len(col):
                if st.has_min_max:
                    bad.append("rg %d %s: min/max of no values" % (g, name))
                continue
            if pa.types.is_dictionary(col.type):
                col = col.cast(col.type.value_type)
            mm = pc.min_max(col)
            if not st.has_min_max or st.min != mm["min"].as_py() or st.max != mm["max"].as_py():
                bad.append("rg %d %s: min/max %r..%r vs %r..%r" % (g, name, st.has_min_max and st.min,
                                                                 st.has_min_max and st.max, mm["min"].as_py(), mm["max"].as_py()))
    rt.ok(not bad, "%s pyarrow: every chunk %s, min/max/null_count equal the data%s" % (tag, want_codec, "; " + "; ".join(bad[:5]) if bad else ""))

    # pandas: the one-line load gives the schema's dtypes and the values.
    df = pd.read_parquet(out)
    bad = []
    for c in schema["columns"]:
        want = c["pandas"]
        got = str(df[c["name"]].dtype)
        if want.startswith("datetime64"):
            good = got == "datetime64[ms, UTC]"
        elif want == "string":
            good = got in ("string", "str")
        else:
            good = got == want
        if not good:
            bad.append("%s %s (schema %s)" % (c["name"], got, want))
    rt.ok(not bad, "%s pandas: read_parquet dtypes are the schema's%s" % (tag, "; " + ", ".join(bad) if bad else ""))
    rt.check("pandas " + tag, {n: df[n].tolist() for n in cols}, kinds, rows, set(), dfields)

    # DuckDB: the schema's SQL, the values, parquet_metadata().
    import duckdb
    con = duckdb.connect()
    con.sql("SET TimeZone = 'UTC'")
    res = con.sql(schema["duckdb"]["sql"])
    data = res.fetchall()
    rt.ok(len(data) == len(rows) and list(res.columns) == cols, "%s duckdb: %d rows, columns in order" % (tag, len(data)))
    rt.check("duckdb " + tag, {n: [row[j] for row in data] for j, n in enumerate(res.columns)}, kinds, rows, set(), dfields)
    dtypes = dict(con.sql("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))", params=[out]).fetchall())
    bad = ["%s %s" % (c["name"], dtypes.get(c["name"])) for c in schema["columns"]
           if dtypes.get(c["name"]) != {"TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE", "FLOAT": "FLOAT"}.get(c["duckdb"], c["duckdb"])]
    rt.ok(not bad, "%s duckdb: column types are the schema's%s" % (tag, "; " + ", ".join(bad) if bad else ""))
    # min/max in every chunk that has a value
    meta = con.sql("SELECT path_in_schema, type, compression, sum(stats_null_count), "
                   "bool_and(stats_min_value IS NOT NULL OR stats_null_count = num_values), "
                   "bool_and(stats_max_value IS NOT NULL OR stats_null_count = num_values), "
                   "string_agg(encodings, ',') FROM parquet_metadata(?) GROUP BY ALL", params=[out]).fetchall()
    bad = []
    for name, typ, codec, nnull, has_min, has_max, encs in meta:
        if typ != TYPES[kinds[name]][0] or codec != want_codec or nnull != nulls[name]:
            bad.append("%s: %s %s nulls %s (want %d)" % (name, typ, codec, nnull, nulls[name]))
        if not (has_min and has_max):
            bad.append("%s: no min/max" % name)
        if kinds[name] == "category" and "RLE_DICTIONARY" not in encs:
            bad.append("%s: category not dictionary-encoded (%s)" % (name, encs))
    rt.ok(len(meta) == len(cols) and not bad,
          "%s duckdb: parquet_metadata types, codec, null counts, min/max, dictionaries%s" % (tag, "; " + "; ".join(bad[:5]) if bad else ""))
    ints = con.sql("SELECT path_in_schema, min(TRY_CAST(stats_min_value AS HUGEINT)), max(TRY_CAST(stats_max_value AS HUGEINT)) "
                   "FROM parquet_metadata(?) WHERE type IN ('INT32', 'INT64') GROUP BY ALL", params=[out]).fetchall()
    bad = []
    for name, lo, hi in ints:
        if kinds[name] == "timestamp":
            continue
        vals = [rt.exact_int(row[name]) for row in rows if row.get(name) is not None]
        if vals and (lo != min(vals) or hi != max(vals)):
            bad.append("%s: %s..%s vs %s..%s" % (name, lo, hi, min(vals), max(vals)))
    rt.ok(not bad, "%s duckdb: integer min/max statistics in signed/unsigned order%s" % (tag, "; " + "; ".join(bad) if bad else ""))

    size = os.path.getsize(out)
    print("# %s %d rows, %d columns, %d row groups, %d bytes Parquet from %d bytes NDJSON" % (
        tag, len(rows), len(cols), md.num_row_groups, size, sum(os.path.getsize(f) for f in files)))
    print("# %d passed, %d failed" % (rt.PASSES, rt.FAILS))
    return 1 if rt.FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
