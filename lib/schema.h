/* schema.h - the schema sidecar of a typed CSV file (JSON).
 *
 * One JSON object (pretty-printed):
 *   {"format": "osdl-csv-schema/1", "generator": "osdown osdl VERSION",
 *    "rows": N, "delimiter": ",", "header": true, "null": "",
 *    "columns": [{"name": "...", "type": "int32", "nullable": true,
 *                 "empty_strings": false, "pandas": "Int32",
 *                 "duckdb": "INTEGER"}, ...],
 *    "pandas": {keyword arguments for pandas.read_csv: sep, dtype,
 *               parse_dates, keep_default_na, na_values},
 *    "duckdb": {"columns": {name: type}, "sql": "SELECT * FROM read_csv(...)"}}
 *
 * So `pd.read_csv(CSV, **json.load(open(SCHEMA))["pandas"])` loads the file
 * with the narrowest types, and duckdb.sql(schema["duckdb"]["sql"]) does
 * the same in DuckDB (the SQL names the CSV path given to schema_render).
 * For a Parquet output, "output_format": "parquet" is added and the SQL is
 * SELECT * FROM read_parquet(PATH); the Parquet file carries its types.
 * Column names are written with invalid UTF-8 replaced as the CSV header
 * has it (csv.h), so they match.
 */
#ifndef SCHEMA_H
#define SCHEMA_H

#include <stddef.h>
#include <stdint.h>

struct schema_col {
	const char *name;
	size_t name_len;
	int kind;        /* enum coltype_kind */
	int nullable;    /* some row has no value (null or missing) */
	int has_empty;   /* some value is the empty string */
};

struct schema_info {
	const struct schema_col *cols;
	size_t ncols;
	char delim;
	uint64_t rows;
	const char *csv_path; /* named in the DuckDB SQL; NULL: "out.csv" */
	int parquet;          /* the output is Parquet: the SQL reads that */
};

/* Renders the schema as JSON text into a malloc'd buffer (*out, *len; the
 * caller frees it).  Returns 0, or -1 on allocation failure. */
int schema_render(const struct schema_info *s, char **out, size_t *len);

/* Reads the columns of the schema file PATH (name, type, nullable,
 * empty_strings; the rest is derived from them) into *COLS, *N: malloc'd,
 * names too; free with schema_cols_free.  Returns 0, or -1 with a one-line
 * reason in ERR: unreadable (errno set), invalid JSON, another format, a
 * column without a name or with an unknown type. */
int schema_load(const char *path, struct schema_col **cols, size_t *n, char *err, size_t errlen);
void schema_cols_free(struct schema_col *cols, size_t n);

#endif
