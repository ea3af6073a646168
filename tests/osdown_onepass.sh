#!/bin/sh
# tests/osdown_onepass.sh - osdown's one pass with a given schema
# (--schema-in): the same CSV as the two passes, a value the schema cannot
# hold fails naming the column and the row (exit 7, no output left), and
# rows converted part by part with --no-header concatenate to the whole.
. "$(dirname "$0")/setup"

printf '%s\n' \
  '{"id":"a","n":1.0,"f":0.5,"ok":true,"s":"x,y","ts":"2024-03-01T01:00:00+01:00","geo":{"lat":1.25},"tags":["a","b"],"c":"u"}' \
  '{"id":"b","n":-7,"f":-2.75,"ok":false,"s":"say \"hi\"\nthere","ts":"2024-02-29","tags":[],"extra":null,"c":"u"}' \
  '{"id":"c","n":25e0,"f":null,"s":"","ts":"2024-03-01T00:00:00.5Z","geo":{"lat":-3},"tags":[1,{"k":2}],"c":"v"}' \
  '{"id":"d","n":100,"f":8,"s":"z","ts":"2024-03-02","c":"v"}' >"$T/all.ndjson"
head -2 "$T/all.ndjson" >"$T/p1.ndjson"
tail -2 "$T/all.ndjson" >"$T/p2.ndjson"
osdown -o "$T/two.csv" --schema "$T/s.json" "$T/all.ndjson" 2>/dev/null
S=$T/s.json

t_run "--schema-in" 0 '' osdown --schema-in "$S" -o "$T/one.csv" --schema "$T/one.json" "$T/all.ndjson"
t_same_file "--schema-in: the CSV of the two passes" "$T/one.csv" "$T/two.csv"
t_eq "--schema-in: the schema written back counts the rows" \
	"$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); print(a["rows"], a["columns"] == b["columns"])' "$T/one.json" "$S")" "4 True"
t_run "--no-header part 1" 0 '' osdown --schema-in "$S" --no-header -o "$T/p1.csv" "$T/p1.ndjson"
t_run "--no-header part 2" 0 '' osdown --schema-in "$S" --no-header -o "$T/p2.csv" "$T/p2.ndjson"
osdown --schema-in "$S" </dev/null >"$T/head.csv" 2>/dev/null
cat "$T/head.csv" "$T/p1.csv" "$T/p2.csv" >"$T/cat.csv"
t_same_file "header + parts with --no-header = the whole" "$T/cat.csv" "$T/two.csv"
t_eq "no input: the header alone" "$(wc -l <"$T/head.csv" | tr -d ' ')" 1
printf '%s\n' "$T/p1.ndjson" "$T/p2.ndjson" >"$T/list"
t_run "--files-from" 0 '' osdown --files-from "$T/list" -o "$T/ff.csv"
t_same_file "--files-from: the same as the arguments" "$T/ff.csv" "$T/two.csv"

# A schema that cannot hold a value: exit 7, column and row named, no CSV.
# set_type NAME TYPE [NULLABLE [EMPTY]]: $T/bad.json is $S with that column changed.
set_type() {
	python3 -c 'import json,sys
s = json.load(open(sys.argv[1]))
for c in s["columns"]:
    if c["name"] == sys.argv[2]:
        c["type"] = sys.argv[3]
        if len(sys.argv) > 4: c["nullable"] = sys.argv[4] == "1"
        if len(sys.argv) > 5: c["empty_strings"] = sys.argv[5] == "1"
json.dump(s, open(sys.argv[1].replace("s.json", "bad.json"), "w"))' "$S" "$@"
}
# misfit NAME REGEX NAME TYPE [NULLABLE [EMPTY]]
misfit() {
	_n=$1 _re=$2
	shift 2
	set_type "$@"
	rm -f "$T/bad.csv"
	t_run "$_n" 7 "$_re" osdown --schema-in "$T/bad.json" -o "$T/bad.csv" "$T/all.ndjson"
	t_eq "$_n: no CSV left" "$(ls "$T" | grep -c '^bad\.csv')" 0
}
misfit "bool column given a number" "all.ndjson:1: column n: the schema's bool cannot hold 1\.0$" n bool
misfit "int column given a float" "all.ndjson:1: column f: the schema's int64 cannot hold 0\.5$" f int64
misfit "int8 column given 0.5" "all.ndjson:1: column f: the schema's int8 cannot hold 0\.5$" f int8
misfit "timestamp column given a string" "all.ndjson:1: column s: the schema's timestamp cannot hold x,y$" s timestamp
misfit "category column given a number" "all.ndjson:1: column n: the schema's category cannot hold 1\.0$" n category
misfit "not nullable" "all.ndjson:3: column f: no value, and the schema says it is not nullable$" f float32 0
misfit "missing member in a column that is not nullable" "all.ndjson:2: column geo.lat: no value" geo.lat float32 0
misfit "an empty string the schema has none of" "all.ndjson:3: column s: an empty string, and the schema says there is none$" s string 0 0
printf '{"id":"e","n":1000}\n' >"$T/big.ndjson"
t_run "int8 column given 1000" 7 "big.ndjson:1: column n: the schema's int8 cannot hold 1000$" \
	osdown --schema-in "$S" "$T/big.ndjson"
printf '{"id":"e","n":1,"nope":1}\n' >"$T/new.ndjson"
t_run "a member that is not in the schema" 7 "new.ndjson:1: column nope is not in the schema$" \
	osdown --schema-in "$S" "$T/new.ndjson"
osdown --fields id,n --schema "$T/f.json" -o /dev/null "$T/all.ndjson" 2>/dev/null
t_run "--schema-in with --fields" 0 '' osdown --schema-in "$T/f.json" --fields id,n "$T/new.ndjson"
t_eq "--schema-in with --fields: the row" "$(sed -n 2p "$T/out" | tr -d '\r')" "e,1"
t_run "--fields other than the schema's columns" 2 "fields must name the schema's columns in order" \
	osdown --schema-in "$T/f.json" --fields n,id "$T/new.ndjson"

# STATUS | ARGS | STDIN | STDERR-REGEX
echo '{"format":"other"}' >"$T/other.json"
echo '{"format":"osdl-csv-schema/1","columns":[{"name":"a","type":"int7","nullable":true,"empty_strings":false}]}' >"$T/type.json"
cd "$T"
t_table osdown <<'TABLE'
6 | --schema-in nonexistent.json | {}\n | ^osdown: nonexistent.json: No such file or directory$
7 | --schema-in other.json | {}\n | ^osdown: other.json: not an osdl-csv-schema/1 schema$
7 | --schema-in type.json | {}\n | ^osdown: type.json: column 1: want a name, a known type
7 | --schema-in head.csv | {}\n | ^osdown: head.csv: invalid JSON
2 | --schema-in s.json --schema-from-meta x | | exclude each other
2 | --schema-only | | ^osdown: --schema-only needs --schema FILE$
2 | --files-from list x | | exclude each other
2 | --schema-from-meta | | needs chunk files with their .meta
6 | --schema-from-meta all.ndjson | | ^osdown: all.ndjson.meta: No such file or directory$
TABLE
echo '{"docs":1}' >all.ndjson.meta
t_run "a .meta without statistics" 7 "^osdown: all.ndjson.meta: no column statistics" \
	osdown --schema-from-meta --schema-only --schema x.json all.ndjson
t_done
