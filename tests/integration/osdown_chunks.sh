# osdown_chunks.sh - one pass over real osfetch chunks of the sample data:
# the schema reduced from the chunks' .meta statistics equals the one the
# two passes infer, the one-pass CSV is byte for byte the two-pass CSV (and
# that of osmerge | osdown), chunks converted one by one with --no-header
# and concatenated after the header give the same CSV, and a schema that
# cannot hold a value fails naming the column and the row.
. "$(dirname "$0")/../setup"
need_server
if ! curl -sf "$OS_URL/logs-2024.03.01/_count" >/dev/null 2>&1; then
	fail "the sample data (logs-2024.*) is not loaded"
	t_done
fi
cd "$T"
osplan --offline -i 'logs-%Y.%m.%d' -f 2024-02-28T00:00:00.000Z -t 2024-03-03T00:00:00.000Z -s 6h >plan
t_eq "16 chunks planned" "$(wc -l <plan | tr -d ' ')" 16
# In plan order (xargs -P keeps no order: sort by plan line).
xargs -P 2 -L 1 osfetch -d cache <plan >paths 2>fetch.err
t_eq "16 chunks fetched" "$(wc -l <paths | tr -d ' ')" 16
sort paths >list
t_eq "the chunks hold every sample log document" "$(xargs cat <list | lz4 -dc | wc -l | tr -d ' ')" \
	"$(os_count 'logs-*' 2024-02-28T00:00:00.000Z 2024-03-03T00:00:00.000Z)"

t_run "two passes" 0 '' osdown --files-from list -o all.csv --schema two.json
t_run "reduce the statistics" 0 '' osdown --schema-from-meta --schema-only --files-from list \
	-o all.csv --schema reduced.json
t_same_file "the reduced schema is the two passes' schema" reduced.json two.json
t_run "one pass, --schema-from-meta" 0 '' osdown --schema-from-meta --files-from list -o one.csv
t_same_file "one pass (statistics) = two passes" one.csv all.csv
t_run "one pass, --schema-in" 0 '' osdown --schema-in reduced.json --files-from list -o one2.csv
t_same_file "one pass (schema) = two passes" one2.csv all.csv
osmerge --files-from list | osdown -o merged.csv 2>/dev/null
t_same_file "osmerge | osdown = the same CSV" merged.csv all.csv

# --fields: picked and ordered from the statistics as pass 1 does.
osdown --fields nothere,_id,level --files-from list -o f.csv --schema f2.json 2>/dev/null
mv f.csv f2.csv
t_run "--fields with --schema-from-meta" 0 '' osdown --schema-from-meta --fields nothere,_id,level \
	--files-from list -o f.csv --schema f1.json
t_same_file "--fields: the same schema" f1.json f2.json
t_same_file "--fields: the same CSV" f.csv f2.csv

# The driver's parallel conversion: header, then each chunk's rows.
xargs -P 2 -I{} osdown --schema-in reduced.json --no-header -o {}.csv {} <list 2>/dev/null
{ osdown --schema-in reduced.json </dev/null 2>/dev/null; sed 's/$/.csv/' list | xargs cat; } >parts.csv
t_same_file "header + chunks converted in parallel with --no-header = the whole" parts.csv all.csv

# Sliced: each day in 3 slices.  Reduced in any list order, the statistics
# give the unsliced schema (columns by first sighting in time, then _id),
# and osmerge | osdown with it gives the unsliced CSV.
osplan --offline -i 'logs-%Y.%m.%d' -f 2024-02-28T00:00:00.000Z -t 2024-03-03T00:00:00.000Z -s 1d |
	while read -r i f t; do for k in 2 0 1; do echo "$i $f $t $k/3"; done; done >splan
xargs -P 2 -L 1 osfetch -d cache <splan >spaths 2>>fetch.err
t_eq "12 slices fetched" "$(wc -l <spaths | tr -d ' ')" 12
t_run "reduce the slices' statistics (slice 2 first)" 0 '' osdown --schema-from-meta --schema-only \
	--files-from spaths -o all.csv --schema sliced.json
t_same_file "slices: the reduced schema is the unsliced two passes' schema" sliced.json two.json
osmerge -k @timestamp -k _id --sorted-keys 1 --files-from spaths |
	osdown --schema-in sliced.json -o sliced.csv 2>/dev/null
t_same_file "slices: osmerge | osdown --schema-in = the unsliced CSV" sliced.csv all.csv

# A schema that cannot hold a value: http.status as int8 (it has 200, 404...).
python3 -c 'import json
s = json.load(open("reduced.json"))
for c in s["columns"]:
    if c["name"] == "http.status": c["type"] = "int8"
json.dump(s, open("bad.json", "w"))'
t_run "a schema that cannot hold a value" 7 \
	"^osdown: [^ ]*\.ndjson\.lz4:[0-9]+: column http\.status: the schema's int8 cannot hold [0-9]+$" \
	osdown --schema-in bad.json --files-from list -o bad.csv
t_eq "nothing written" "$(ls | grep -c '^bad\.csv')" 0
t_done
