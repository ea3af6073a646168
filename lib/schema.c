/* schema.c - the schema sidecar of a typed CSV file (JSON). */
#include "schema.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "coltype.h"
#include "csv.h"
#include "errbuf.h"
#include "osdl.h"
#include "strbuf.h"

static void sb_str(struct strbuf *b, const char *s) { strbuf_put(b, s, strlen(s)); }

/* S with each invalid UTF-8 byte replaced by U+FFFD, as the CSV has it. */
static void sb_utf8(struct strbuf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t k = csv_utf8_len(u + i, n - i);
		if (k == 0) {
			strbuf_put(b, "\xEF\xBF\xBD", 3);
			i++;
		} else {
			strbuf_put(b, s + i, k);
			i += k;
		}
	}
}

/* A SQL string literal: quotes doubled. */
static void sb_sql(struct strbuf *b, const char *s, size_t n)
{
	strbuf_put(b, "'", 1);
	for (size_t i = 0; i < n; i++)
		strbuf_put(b, s[i] == '\'' ? "''" : s + i, s[i] == '\'' ? 2 : 1);
	strbuf_put(b, "'", 1);
}

#define GS(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

int schema_render(const struct schema_info *s, char **out, size_t *len)
{
	int rc = -1;
	char delim[2] = { s->delim, 0 };
	char **names = calloc(s->ncols + 1, sizeof *names);
	struct strbuf sql = { 0 };
	yajl_gen g = yajl_gen_alloc(NULL);
	if (!names || !g)
		goto out;
	for (size_t i = 0; i < s->ncols; i++) {
		struct strbuf nb = { 0 };
		sb_utf8(&nb, s->cols[i].name, s->cols[i].name_len);
		strbuf_put(&nb, "", 0);
		if (nb.nomem || !nb.p) {
			free(nb.p);
			goto out;
		}
		names[i] = nb.p;
	}
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "  ");
	yajl_gen_map_open(g);
	GS(g, "format");
	GS(g, "osdl-csv-schema/1");
	GS(g, "generator");
	GS(g, "osdown osdl " OSDL_VERSION);
	GS(g, "rows");
	yajl_gen_integer(g, (long long)s->rows);
	GS(g, "delimiter");
	GS(g, delim);
	if (s->parquet) {
		GS(g, "output_format");
		GS(g, "parquet");
	}
	GS(g, "header");
	yajl_gen_bool(g, 1);
	GS(g, "null");
	GS(g, "");
	GS(g, "columns");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < s->ncols; i++) {
		const struct schema_col *c = &s->cols[i];
		yajl_gen_map_open(g);
		GS(g, "name");
		GS(g, names[i]);
		GS(g, "type");
		GS(g, coltype_name(c->kind));
		GS(g, "nullable");
		yajl_gen_bool(g, c->nullable);
		GS(g, "empty_strings");
		yajl_gen_bool(g, c->has_empty);
		GS(g, "pandas");
		GS(g, coltype_pandas(c->kind, c->nullable));
		GS(g, "duckdb");
		GS(g, coltype_duckdb(c->kind));
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);

	/* pandas.read_csv keyword arguments.  Timestamps go through
	 * parse_dates (read_csv has no datetime dtype); only nullable columns
	 * treat the empty cell as NA, so "" stays "" where there is no null. */
	GS(g, "pandas");
	yajl_gen_map_open(g);
	GS(g, "sep");
	GS(g, delim);
	GS(g, "dtype");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < s->ncols; i++) {
		if (s->cols[i].kind == COLTYPE_TIMESTAMP)
			continue;
		GS(g, names[i]);
		GS(g, coltype_pandas(s->cols[i].kind, s->cols[i].nullable));
	}
	yajl_gen_map_close(g);
	GS(g, "parse_dates");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < s->ncols; i++)
		if (s->cols[i].kind == COLTYPE_TIMESTAMP)
			GS(g, names[i]);
	yajl_gen_array_close(g);
	GS(g, "keep_default_na");
	yajl_gen_bool(g, 0);
	GS(g, "na_values");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < s->ncols; i++) {
		if (!s->cols[i].nullable)
			continue;
		GS(g, names[i]);
		yajl_gen_array_open(g);
		GS(g, "");
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);

	/* DuckDB: the types, and a complete query. */
	GS(g, "duckdb");
	yajl_gen_map_open(g);
	GS(g, "columns");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < s->ncols; i++) {
		GS(g, names[i]);
		GS(g, coltype_duckdb(s->cols[i].kind));
	}
	yajl_gen_map_close(g);
	const char *path = s->csv_path ? s->csv_path : s->parquet ? "out.parquet" : "out.csv";
	sb_str(&sql, "SELECT * FROM read_csv(");
	sb_sql(&sql, path, strlen(path));
	sb_str(&sql, ", delim = ");
	sb_sql(&sql, delim, 1);
	sb_str(&sql, ", header = true, quote = '\"', escape = '\"', auto_detect = false,"
	             " allow_quoted_nulls = false, columns = {");
	for (size_t i = 0; i < s->ncols; i++) {
		if (i)
			sb_str(&sql, ", ");
		sb_sql(&sql, names[i], strlen(names[i]));
		sb_str(&sql, ": ");
		sb_sql(&sql, coltype_duckdb(s->cols[i].kind), strlen(coltype_duckdb(s->cols[i].kind)));
	}
	sb_str(&sql, "})");
	if (s->parquet) { /* the file carries its types */
		sql.len = 0;
		sb_str(&sql, "SELECT * FROM read_parquet(");
		sb_sql(&sql, path, strlen(path));
		sb_str(&sql, ")");
	}
	if (sql.nomem)
		goto out;
	GS(g, "sql");
	GS(g, sql.p);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);

	const unsigned char *text;
	size_t n;
	if (yajl_gen_get_buf(g, &text, &n) != yajl_gen_status_ok || !(*out = malloc(n + 1)))
		goto out;
	memcpy(*out, text, n);
	(*out)[n] = 0;
	*len = n;
	rc = 0;
out:
	if (names)
		for (size_t i = 0; i < s->ncols; i++)
			free(names[i]);
	free(names);
	free(sql.p);
	if (g)
		yajl_gen_free(g);
	return rc;
}

void schema_cols_free(struct schema_col *cols, size_t n)
{
	for (size_t i = 0; cols && i < n; i++)
		free((char *)cols[i].name);
	free(cols);
}

/* The whole file PATH, NUL-terminated, malloc'd; NULL with errno set. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	size_t len = 0, cap = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			char *q = realloc(p, cap);
			if (!q)
				break;
			p = q;
		}
		size_t k = fread(p + len, 1, cap - len - 1, f);
		len += k;
		if (k == 0) {
			if (ferror(f))
				break;
			p[len] = 0;
			fclose(f);
			return p;
		}
	}
	int e = ferror(f) ? EIO : ENOMEM;
	free(p);
	fclose(f);
	errno = e;
	return NULL;
}

int schema_load(const char *path, struct schema_col **cols, size_t *n, char *err, size_t errlen)
{
	char perr[256];
	struct schema_col *c = NULL;
	yajl_val root = NULL;
	int rc = -1;
	size_t k = 0;
	char *text = slurp(path);
	if (!text)
		return errbuf_fail(err, errlen, -1, "%s: %s", path, strerror(errno));
	const char *pf[] = { "format", NULL }, *pc[] = { "columns", NULL };
	if (!(root = yajl_tree_parse(text, perr, sizeof perr))) {
		perr[strcspn(perr, "\r\n")] = 0;
		errbuf_fail(err, errlen, -1, "%s: invalid JSON: %s", path, perr);
		goto out;
	}
	yajl_val fmt = yajl_tree_get(root, pf, yajl_t_string);
	yajl_val arr = yajl_tree_get(root, pc, yajl_t_array);
	if (!fmt || strcmp(fmt->u.string, "osdl-csv-schema/1") != 0 || !arr) {
		errbuf_fail(err, errlen, -1, "%s: not an osdl-csv-schema/1 schema", path);
		goto out;
	}
	size_t m = arr->u.array.len;
	if (!(c = calloc(m + 1, sizeof *c))) {
		errbuf_fail(err, errlen, -1, "out of memory");
		goto out;
	}
	for (; k < m; k++) {
		const char *pn[] = { "name", NULL }, *pt[] = { "type", NULL };
		const char *pnull[] = { "nullable", NULL }, *pe[] = { "empty_strings", NULL };
		yajl_val o = arr->u.array.values[k];
		yajl_val name = yajl_tree_get(o, pn, yajl_t_string);
		yajl_val type = yajl_tree_get(o, pt, yajl_t_string);
		yajl_val nul = yajl_tree_get(o, pnull, yajl_t_any);
		yajl_val emp = yajl_tree_get(o, pe, yajl_t_any);
		int kind = type ? coltype_from_name(type->u.string) : -1;
		if (!name || kind < 0 || !nul || !(YAJL_IS_TRUE(nul) || YAJL_IS_FALSE(nul)) ||
		    !emp || !(YAJL_IS_TRUE(emp) || YAJL_IS_FALSE(emp))) {
			errbuf_fail(err, errlen, -1, "%s: column %zu: want a name, a known type, nullable "
				    "and empty_strings", path, k + 1);
			goto out;
		}
		if (!(c[k].name = strdup(name->u.string))) {
			errbuf_fail(err, errlen, -1, "out of memory");
			goto out;
		}
		c[k].name_len = strlen(c[k].name);
		c[k].kind = kind;
		c[k].nullable = YAJL_IS_TRUE(nul);
		c[k].has_empty = YAJL_IS_TRUE(emp);
	}
	*cols = c;
	*n = m;
	c = NULL;
	rc = 0;
out:
	schema_cols_free(c, k);
	yajl_tree_free(root);
	free(text);
	return rc;
}
