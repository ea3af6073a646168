#!/bin/sh
# osdownload at the server's floor (issue 11): chunks read in _doc order and
# sorted locally, the schema reduced from their statistics, converted in
# parallel or merged on the fly.  The CSV of a sliced, -j 8, retried run is
# byte-identical to an unsliced -j 1 run and to the two-pass pipeline; the
# ids are the server's; --schema-from converts while fetching and a schema
# that cannot hold a value fails naming the column; Parquet reads back.
. "$(dirname "$0")/../setup"
. "$TOP/scripts/osdl-testlib.sh"
. "$(dirname "$0")/osfetch_common"
need_server
need_tools

P=osdl-t-drv-one-$T_UID
FROM=2024-03-01T00:00:00.000Z TO=2024-03-03T00:00:00.000Z
osdl-testdata delete $P
trap 'osf_proxy_stop; osdl-testdata delete $P; rm -rf "$T"' EXIT
osdl-testdata create $P 2 1500
dl() { osdownload --index "$P-%Y.%m.%d" --from $FROM --to $TO --log-level quiet --progress-interval 0 "$@"; }

t_run "unsliced, -j 1" 0 "" dl -j 1 --cache "$T/c1" -o "$T/one.csv" --schema "$T/one.schema.json"
osdl-testdata ids $P $FROM $TO >"$T/server.ids"
csv_ids "$T/one.csv" >"$T/one.ids"
t_same_file "unsliced: the server's ids" "$T/one.ids" "$T/server.ids"
grep -q '^| merge |' "$T/INFO.md" && fail "unsliced: merged although no chunk overlaps" || pass "unsliced: no merge (chunks concatenated)"

# 200 documents share 12:00:00.000 each day: --target-docs 60 slices that
# millisecond, so chunks overlap and are merged on the fly.  A reset scroll
# page restarts a chunk on the way.
osf_proxy 'POST /_search/scroll@4=reset'
OS_URL=$PROXY_URL t_run "sliced, -j 8, retried" 0 "" dl -j 8 --target-docs 60 --log-level detailed --cache "$T/c2" -o "$T/sliced.csv"
osf_proxy_stop
grep -q 'reset$' "$T/proxy.log" && pass "a page was lost and fetched again" || fail "no reset injected"
osplan --index "$P-%Y.%m.%d" --from $FROM --to $TO --target-docs 60 | grep -c ' [0-9]*/[0-9]*$' >"$T/nslices" || :
[ "$(cat "$T/nslices")" -ge 2 ] && pass "the plan has $(cat "$T/nslices") slices" || fail "the plan has no slices"
grep -q ' osmerge .*documents' "$T/err" && pass "overlapping chunks were merged" || fail "no osmerge ran for the slices"
t_same_file "sliced -j 8 retried = unsliced -j 1, byte for byte" "$T/sliced.csv" "$T/one.csv"

# --slice-docs: each day (1500 documents) read as 3 parallel slices.
t_run "--slice-docs 500" 0 "" dl -j 4 --slice-docs 500 --log-level detailed --cache "$T/c4" -o "$T/slices.csv"
t_eq "--slice-docs 500: 3 slices a day" "$(find "$T/c4" -name '*.s[0-9]of3.ndjson.lz4' | wc -l | tr -d ' ')" 6
t_same_file "--slice-docs 500: the same CSV" "$T/slices.csv" "$T/one.csv"

# The two-pass pipeline by hand (osmerge, then osdown inferring the types)
# gives the same bytes as the one pass over the reduced schema.
osmerge -k @timestamp -k _id --sorted-keys 1 --files-from "$(find "$T/c1" -name '*.lz4' | sort >"$T/l"; echo "$T/l")" 2>/dev/null |
	osdown -o "$T/two.csv" --schema "$T/two.schema.json" - 2>/dev/null
t_same_file "one pass = two passes (CSV)" "$T/one.csv" "$T/two.csv"
sed 's#/two\.csv#/one.csv#' "$T/two.schema.json" >"$T/two.schema.norm"
t_same_file "one pass = two passes (schema, but the CSV's name)" "$T/one.schema.json" "$T/two.schema.norm"

# --schema-from: a previous run's schema; chunks convert as they arrive.
t_run "--schema-from: exit 0" 0 "" dl -j 3 --schema-from "$T/one.schema.json" --cache "$T/c3" -o "$T/given.csv"
t_same_file "--schema-from: the same CSV" "$T/given.csv" "$T/one.csv"
# A schema that cannot hold the data: column n narrowed to int8.
python3 - "$T/one.schema.json" "$T/narrow.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
def narrow(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "n" and isinstance(v, str) and v.startswith("int"):
                o[k] = "int8"
            elif k == "name" and v == "n" and "type" in o:
                o["type"] = "int8"
            else:
                narrow(v)
    elif isinstance(o, list):
        for v in o:
            narrow(v)
narrow(s)
json.dump(s, open(sys.argv[2], "w"))
PY
t_run "--schema-from that cannot hold a value: exit 7" 7 "column n.*int8 cannot hold" \
	dl -j 2 --schema-from "$T/narrow.json" --cache "$T/c3" -o "$T/narrow.csv"
[ -e "$T/narrow.csv" ] && fail "narrow schema: a CSV was written" || pass "narrow schema: no CSV"

# Parquet by the suffix: the same rows, read back by pyarrow.
t_run "-o FILE.parquet" 0 "" dl -j 2 --cache "$T/c1" -o "$T/all.parquet"
python3 -c '
import sys, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
print("\n".join(sorted(t.column("_id").to_pylist())))' "$T/all.parquet" >"$T/pq.ids" 2>"$T/pq.err" ||
	fail "pyarrow: $(cat "$T/pq.err")"
t_same_file "Parquet: the server's ids" "$T/pq.ids" "$T/server.ids"
t_eq "no temp files" "$(temp_files "$T")" ""
t_done
