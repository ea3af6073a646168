/* down.c - the passes of osdown: NDJSON in, typed rows to a sink (CSV here,
 * Parquet in pqsink) and the schema out.
 *
 * (Over 600 lines: pass 1, a given schema and pass 2 share the column table
 * and the row assembly; the sinks and the schema text live elsewhere.) */
#include "down.h"
#include "fnv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "colstats.h"
#include "csv.h"
#include "errbuf.h"
#include "jflat.h"
#include "lzio.h"
#include "osdl.h"
#include "schema.h"

struct column {
	char *name;
	size_t name_len;
	uint32_t hash;
	int ignored;          /* seen but not in --fields */
	int date_field;
	coltype *type;
	enum coltype_kind kind;
	int nullable;
	int has_empty;        /* given columns: "" may occur */
	uint64_t present;     /* rows with this column (pass 1) */
	long succ;            /* column after this one in the last record, -1 */
	uint64_t gen;         /* row that set the fields below */
	enum jflat_type t;    /* pass 2: this row's value */
	size_t off, len;
};

struct down {
	struct down_opts o;
	struct column *cols;
	size_t ncols, cols_cap;
	int32_t *hash;        /* open addressing into cols, -1 empty */
	size_t hash_cap;
	long first, prev;     /* first column of the last record, previous leaf */
	char **fields;        /* --fields names, NULL-terminated */
	char **dates;         /* --date-fields names */
	size_t nfields, ndates;
	int pass;
	int known;            /* pass 2: no new columns may appear */
	int given;            /* columns from a schema or statistics: check values */
	const char *unknown;  /* given: a member that is no column (in the line) */
	size_t unknown_len;
	uint64_t gen, rows, in_bytes, out_bytes, replaced;
	char *arena;          /* pass 2: the current row's values */
	size_t arena_len, arena_cap;
	int nomem, changed;
	jflat *jf;
	csv_writer *csv;
	const struct down_sink *sink; /* pass 2's output */
	char *const *inputs;
	int ninputs;
	int *spool;           /* per input: its copy (see open_input), or -1 */
};

static int hash_insert(down *d, size_t idx)
{
	if ((d->ncols + 1) * 2 > d->hash_cap) {
		size_t cap = d->hash_cap ? d->hash_cap * 2 : 256;
		int32_t *h = malloc(cap * sizeof *h);
		if (!h)
			return -1;
		memset(h, 0xff, cap * sizeof *h);
		for (size_t i = 0; i < d->ncols; i++) {
			if (i == idx)
				continue;
			size_t j = d->cols[i].hash & (cap - 1);
			while (h[j] >= 0)
				j = (j + 1) & (cap - 1);
			h[j] = (int32_t)i;
		}
		free(d->hash);
		d->hash = h;
		d->hash_cap = cap;
	}
	size_t j = d->cols[idx].hash & (d->hash_cap - 1);
	while (d->hash[j] >= 0)
		j = (j + 1) & (d->hash_cap - 1);
	d->hash[j] = (int32_t)idx;
	return 0;
}

static struct column *col_find(down *d, const char *name, size_t len, uint32_t h)
{
	if (!d->hash_cap)
		return NULL;
	for (size_t j = h & (d->hash_cap - 1); d->hash[j] >= 0; j = (j + 1) & (d->hash_cap - 1)) {
		struct column *c = &d->cols[d->hash[j]];
		if (c->hash == h && c->name_len == len && memcmp(c->name, name, len) == 0)
			return c;
	}
	return NULL;
}

/* Adds a column (ignored: seen but not wanted).  NULL on allocation failure. */
static struct column *col_add(down *d, const char *name, size_t len, uint32_t h, int ignored)
{
	if (d->ncols == d->cols_cap) {
		size_t cap = d->cols_cap ? d->cols_cap * 2 : 64;
		struct column *c = realloc(d->cols, cap * sizeof *c);
		if (!c)
			return NULL;
		d->cols = c;
		d->cols_cap = cap;
	}
	struct column *c = &d->cols[d->ncols];
	memset(c, 0, sizeof *c);
	c->name = malloc(len + 1);
	c->hash = h;
	c->name_len = len;
	c->ignored = ignored;
	c->succ = -1;
	for (size_t i = 0; i < d->ndates; i++)
		if (strlen(d->dates[i]) == len && memcmp(d->dates[i], name, len) == 0)
			c->date_field = 1;
	struct coltype_opts to = { d->o.category_max, 0, c->date_field };
	if (!ignored)
		c->type = coltype_new(&to);
	if (!c->name || (!ignored && !c->type)) {
		free(c->name);
		coltype_free(c->type);
		return NULL;
	}
	memcpy(c->name, name, len);
	c->name[len] = 0;
	if (hash_insert(d, d->ncols) < 0) {
		free(c->name);
		coltype_free(c->type);
		return NULL;
	}
	d->ncols++;
	return c;
}

/* jflat callback: one leaf of the current line. */
static int on_leaf(void *ctx, const char *name, size_t nlen, enum jflat_type t,
                   const char *v, size_t len)
{
	down *d = ctx;
	/* Records mostly repeat the previous one's member order: try the
	 * column that followed the previous leaf last time before hashing. */
	long guess = d->prev < 0 ? d->first : d->cols[d->prev].succ;
	struct column *c = NULL;
	if (guess >= 0 && d->cols[guess].name_len == nlen &&
	    memcmp(d->cols[guess].name, name, nlen) == 0)
		c = &d->cols[guess];
	uint32_t h = c ? 0 : fnv1a32(name, nlen);
	if (!c)
		c = col_find(d, name, nlen, h);
	if (!c) {
		if (d->known && d->given && d->fields)
			return 0; /* not among the --fields */
		if (d->known) {
			d->changed = 1;
			d->unknown = name;
			d->unknown_len = nlen;
			return 1;
		}
		c = col_add(d, name, nlen, h, d->o.fields != NULL);
		if (!c) {
			d->nomem = 1;
			return 1;
		}
	}
	if (d->prev < 0)
		d->first = c - d->cols;
	else
		d->cols[d->prev].succ = c - d->cols;
	d->prev = c - d->cols;
	if (c->ignored)
		return 0;
	if (d->pass == 1) {
		if (c->gen != d->gen) {
			c->gen = d->gen;
			c->present++;
		}
		/* Out of memory for a dictionary only rules out a category. */
		coltype_add(c->type, t, v, len);
		return 0;
	}
	/* Pass 2: keep the value until the row is complete (a repeated name
	 * in one line: the last value wins). */
	if (d->arena_len + len > d->arena_cap) {
		size_t cap = d->arena_cap ? d->arena_cap : 65536;
		while (cap < d->arena_len + len)
			cap *= 2;
		char *a = realloc(d->arena, cap);
		if (!a) {
			d->nomem = 1;
			return 1;
		}
		d->arena = a;
		d->arena_cap = cap;
	}
	if (len > 0) /* the arena may not exist yet */
		memcpy(d->arena + d->arena_len, v, len);
	c->gen = d->gen;
	c->t = t;
	c->off = d->arena_len;
	c->len = len;
	d->arena_len += len;
	return 0;
}

/* Given columns: why the current row does not fit column C (and, with
 * SHOW, the start of its value), into ERR.  Returns -3. */
static int misfit(down *d, const struct column *c, const char *why, int show, char *err,
                  size_t errlen)
{
	int here = show && c->gen == d->gen;
	int n = here ? (int)(c->len > 40 ? 40 : c->len) : 0;
	return errbuf_fail(err, errlen, -3, "column %s: %s%.*s%s", c->name, why, n,
	                   here ? d->arena + c->off : "", here && c->len > 40 ? "..." : "");
}

/* With a given schema: whether the current value of C fits it (0), or
 * misfit()'s -3. */
static int check_given(down *d, const struct column *c, char *err, size_t errlen)
{
	char why[64];
	if (c->gen != d->gen || c->t == JFLAT_NULL)
		return c->nullable ? 0 : misfit(d, c, "no value, and the schema says it is not nullable", 0,
		                                err, errlen);
	snprintf(why, sizeof why, "the schema's %s cannot hold ", coltype_name(c->kind));
	if (!coltype_holds(c->kind, c->date_field, c->t, d->arena + c->off, c->len))
		return misfit(d, c, why, 1, err, errlen);
	if (c->t == JFLAT_STRING && c->len == 0 && !c->has_empty)
		return misfit(d, c, "an empty string, and the schema says there is none", 0, err, errlen);
	return 0;
}

/* Pass 2: the current row to the sink.  Returns 0, -1 on a write error
 * (errno), -2 if a value no longer fits its column's type, -3 if it does
 * not fit a given column (reason in ERR, for the caller to put "FILE:LINE: "
 * in front). */
static int write_row(down *d, char *err, size_t errlen)
{
	struct down_cell cell = { 0 };
	for (size_t i = 0; i < d->ncols; i++) {
		struct column *c = &d->cols[i];
		if (c->ignored)
			continue;
		if (d->given) {
			int g = check_given(d, c, err, errlen);
			if (g)
				return g;
		}
		cell.kind = c->kind;
		cell.date_field = c->date_field;
		if (c->gen != d->gen || c->t == JFLAT_NULL) {
			cell.t = JFLAT_NULL;
			cell.v = "";
			cell.len = 0;
		} else {
			cell.t = c->t;
			cell.v = d->arena + c->off;
			cell.len = c->len;
		}
		int rc = d->sink->cell(d->sink->ctx, &cell);
		if (rc < 0)
			return rc;
		cell.col++;
	}
	return d->sink->end_row(d->sink->ctx);
}

/* The CSV sink of down_write. */
static int csv_cell(void *ctx, const struct down_cell *c)
{
	char buf[COLTYPE_FMT_MAX];
	const char *out;
	size_t n;
	if (c->t == JFLAT_NULL)
		return csv_null(ctx);
	if (coltype_format(c->kind, c->date_field, c->t, c->v, c->len, buf, &out, &n) < 0)
		return -2;
	return csv_field(ctx, out, n);
}

static int csv_row(void *ctx)
{
	return csv_end_row(ctx);
}

/* Opens input I into *R.  Stdin and other inputs that cannot be read twice
 * (pipes, FIFOs, /dev/fd/N) are copied to a spool in pass 1 and replayed
 * from it in pass 2.  Returns OSDL_EXIT_OK or an exit code with ERR set. */
static int open_input(down *d, int i, lzio_reader **r, lzio_writer **spool, char *err,
                      size_t errlen)
{
	const char *path = d->inputs[i];
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "stdin" : path;
	struct stat st;
	if (d->pass == 2 && d->spool[i] >= 0) {
		int fd = dup(d->spool[i]);
		if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0) {
			int rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: spool: %s", name, strerror(errno));
			if (fd >= 0)
				close(fd);
			return rc;
		}
		if (!(*r = lzio_fdopen(fd, name, d->o.max_line))) {
			int rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", name, strerror(errno));
			close(fd); /* lzio_fdopen leaves it open on failure */
			return rc;
		}
		return OSDL_EXIT_OK;
	}
	if (d->pass == 1 && (is_stdin || (stat(path, &st) == 0 && !S_ISREG(st.st_mode)))) {
		const char *dir = getenv("TMPDIR");
		char tmp[4096];
		snprintf(tmp, sizeof tmp, "%s/osdown-spool.XXXXXX", dir && *dir ? dir : "/tmp");
		if ((d->spool[i] = mkstemp(tmp)) < 0)
			return errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", tmp, strerror(errno));
		/* Unlinked at once: no exit path, not even SIGKILL, leaves it. */
		unlink(tmp);
		if (!(*spool = lzio_writer_new(d->spool[i], 1, 0)))
			return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
	}
	*r = is_stdin ? lzio_fdopen(0, name, d->o.max_line) : lzio_open(path, d->o.max_line);
	if (!*r)
		return errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", name, strerror(errno));
	return OSDL_EXIT_OK;
}

/* One pass over one input.  Returns an exit code with ERR set. */
static int run_file(down *d, int i, char *err, size_t errlen)
{
	lzio_writer *spool = NULL;
	lzio_reader *r = NULL;
	int rc = open_input(d, i, &r, &spool, err, errlen);
	if (rc)
		goto out;
	const char *name = lzio_name(r);
	char *line;
	size_t len;
	int st;
	while ((st = lzio_getline(r, &line, &len, err, errlen)) == LZIO_LINE) {
		unsigned long long ln = (unsigned long long)lzio_lineno(r);
		if (spool && (lzio_write(spool, line, len) < 0 || lzio_write(spool, "\n", 1) < 0)) {
			rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: spool: %s", name, strerror(errno));
			goto out;
		}
		if (strspn(line, " \t\r") == len)
			continue; /* blank lines are not records */
		d->gen++;
		d->arena_len = 0;
		d->prev = -1;
		int jr = jflat_line(d->jf, line, len, on_leaf, d, err, errlen);
		if (d->nomem) {
			rc = errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "%s:%llu: out of memory", name, ln);
			goto out;
		}
		if (d->changed && d->given) {
			rc = errbuf_fail(err, errlen, OSDL_EXIT_DATA, "%s:%llu: column %.*s is not in the schema",
			                 name, ln, (int)(d->unknown_len > 200 ? 200 : d->unknown_len), d->unknown);
			goto out;
		}
		if (d->changed) {
			rc = errbuf_fail(err, errlen, OSDL_EXIT_DATA, "%s:%llu: input changed between the two passes",
			                 name, ln);
			goto out;
		}
		if (jr != JFLAT_OK) {
			rc = errbuf_prefix(err, errlen, jr == JFLAT_ERR_NOMEM ? OSDL_EXIT_FAIL : OSDL_EXIT_DATA,
			                   "%s:%llu: ", name, ln);
			goto out;
		}
		d->in_bytes += len + 1;
		if (d->pass == 1) {
			d->rows++;
			continue;
		}
		if (d->given)
			d->rows++;
		int wr = write_row(d, err, errlen);
		if (wr == -3) {
			rc = errbuf_prefix(err, errlen, OSDL_EXIT_DATA, "%s:%llu: ", name, ln);
			goto out;
		}
		if (wr == -2) {
			rc = errbuf_fail(err, errlen, OSDL_EXIT_DATA, "%s:%llu: input changed between the two passes",
			                 name, ln);
			goto out;
		}
		if (wr < 0) {
			rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", d->o.out_name, strerror(errno));
			goto out;
		}
	}
	if (st != LZIO_EOF) {
		unsigned long long ln = (unsigned long long)lzio_lineno(r) + 1;
		if (st == LZIO_ERR_LONG)
			rc = errbuf_fail(err, errlen, OSDL_EXIT_DATA, "%s:%llu: line longer than %zu bytes (--max-line)",
			                 name, ln, d->o.max_line);
		else if (st == LZIO_ERR_IO)
			rc = errbuf_prefix(err, errlen, OSDL_EXIT_IO, "%s: ", name);
		else
			rc = errbuf_prefix(err, errlen, st == LZIO_ERR_NOMEM ? OSDL_EXIT_FAIL : OSDL_EXIT_DATA,
			                   "%s:%llu: ", name, ln);
		goto out;
	}
	if (spool && lzio_finish(spool) < 0)
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: spool: %s", name, strerror(errno));
out:
	lzio_writer_free(spool);
	lzio_close(r);
	return rc;
}

static void free_list(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Splits a comma-separated LIST into a NULL-terminated array of copies
 * (empty items skipped).  NULL on allocation failure. */
static char **split_list(const char *list, size_t *n)
{
	size_t cap = 2;
	for (const char *p = list; *p; p++)
		cap += *p == ',';
	char **v = calloc(cap, sizeof *v);
	if (!v)
		return NULL;
	*n = 0;
	for (const char *p = list;;) {
		size_t k = strcspn(p, ",");
		if (k > 0 && !(v[(*n)++] = strndup(p, k))) {
			free_list(v);
			return NULL;
		}
		if (!p[k])
			break;
		p += k + 1;
	}
	return v;
}

int down_infer(down *d, char *err, size_t errlen)
{
	d->pass = 1;
	for (size_t i = 0; i < d->nfields; i++) {
		const char *f = d->fields[i];
		uint32_t h = fnv1a32(f, strlen(f));
		if (!col_find(d, f, strlen(f), h) && !col_add(d, f, strlen(f), h, 0))
			return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
	}
	for (int i = 0; i < d->ninputs; i++) {
		int rc = run_file(d, i, err, errlen);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < d->ncols; i++) {
		struct column *c = &d->cols[i];
		if (c->ignored)
			continue;
		c->kind = coltype_kind(c->type);
		c->nullable = c->present < d->rows || coltype_has_null(c->type);
	}
	return OSDL_EXIT_OK;
}

int down_write_sink(down *d, const struct down_sink *sink, char *err, size_t errlen)
{
	int rc = OSDL_EXIT_OK;
	d->pass = 2;
	d->known = 1;
	d->in_bytes = 0;
	d->sink = sink;
	if (d->given)
		d->rows = 0; /* counted by this pass, not by a pass 1 */
	for (int i = 0; i < d->ninputs && !rc; i++)
		rc = run_file(d, i, err, errlen);
	d->sink = NULL;
	return rc;
}

int down_write(down *d, int fd, char *err, size_t errlen)
{
	int rc = OSDL_EXIT_OK;
	if (!(d->csv = csv_writer_new(fd, d->o.delim)))
		return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < d->ncols && !rc && !d->o.no_header; i++)
		if (!d->cols[i].ignored && csv_field(d->csv, d->cols[i].name, d->cols[i].name_len) < 0)
			rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", d->o.out_name, strerror(errno));
	/* No column at all (no document): an empty file, not an empty line. */
	if (!rc && !d->o.no_header && down_ncols(d) && csv_end_row(d->csv) < 0)
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", d->o.out_name, strerror(errno));
	struct down_sink sink = { d->csv, csv_cell, csv_row };
	if (!rc)
		rc = down_write_sink(d, &sink, err, errlen);
	if (!rc && csv_flush(d->csv) < 0)
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", d->o.out_name, strerror(errno));
	d->out_bytes = csv_bytes(d->csv);
	d->replaced = csv_replaced(d->csv);
	csv_writer_free(d->csv);
	d->csv = NULL;
	return rc;
}

/* The I-th column that is written (not ignored). */
static struct column *out_col(const down *d, size_t i)
{
	for (size_t k = 0; k < d->ncols; k++)
		if (!d->cols[k].ignored && i-- == 0)
			return &d->cols[k];
	return NULL;
}

size_t down_ncols(const down *d)
{
	size_t n = 0;
	for (size_t k = 0; k < d->ncols; k++)
		n += !d->cols[k].ignored;
	return n;
}

void down_col(const down *d, size_t i, struct down_col *out)
{
	const struct column *c = out_col(d, i);
	*out = (struct down_col){ c->name, c->name_len, c->kind, c->nullable,
	                          d->given ? c->has_empty : coltype_has_empty(c->type), c->date_field,
	                          coltype_values(c->type), coltype_distinct(c->type) };
}

/* Sets one given column (added unless there); NULL on ENOMEM. */
static struct column *given_col(down *d, const char *name, size_t len, enum coltype_kind kind,
                                int nullable, int has_empty)
{
	uint32_t h = fnv1a32(name, len);
	struct column *c = col_find(d, name, len, h);
	if (!c && !(c = col_add(d, name, len, h, 0)))
		return NULL;
	c->kind = kind;
	c->nullable = nullable;
	c->has_empty = has_empty;
	return c;
}

int down_use_schema(down *d, const struct schema_col *cols, size_t n, char *err, size_t errlen)
{
	if (d->nfields) {
		int same = d->nfields == n;
		for (size_t i = 0; same && i < n; i++)
			same = strlen(d->fields[i]) == cols[i].name_len &&
			       memcmp(d->fields[i], cols[i].name, cols[i].name_len) == 0;
		if (!same)
			return errbuf_fail(err, errlen, OSDL_EXIT_USAGE, "--fields must name the schema's columns in order");
	}
	for (size_t i = 0; i < n; i++) {
		const char *nm = cols[i].name;
		size_t len = cols[i].name_len;
		if (col_find(d, nm, len, fnv1a32(nm, len)))
			return errbuf_fail(err, errlen, OSDL_EXIT_DATA, "the schema names column %.*s twice", (int)len, nm);
		if (given_col(d, nm, len, (enum coltype_kind)cols[i].kind, cols[i].nullable,
		              cols[i].has_empty) == NULL)
			return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
	}
	d->given = d->known = 1;
	return OSDL_EXIT_OK;
}

int down_use_stats(down *d, const struct colstats *s, char *err, size_t errlen)
{
	if (d->ndates || d->o.array_sep)
		return errbuf_fail(err, errlen, OSDL_EXIT_USAGE, "chunk statistics were gathered without "
		                   "--date-fields and --array-sep: read the data instead");
	size_t n = d->nfields ? d->nfields : colstats_ncols(s);
	for (size_t i = 0; i < n; i++) {
		struct colstats_col sc;
		long k = d->nfields ? colstats_find(s, d->fields[i], strlen(d->fields[i])) : (long)i;
		if (k >= 0)
			colstats_col(s, (size_t)k, &sc);
		else /* a listed field never seen: an all-null string column */
			sc = (struct colstats_col){ d->fields[i], strlen(d->fields[i]), COLTYPE_STRING,
			                            colstats_rows(s) > 0, 0, 0, 0, 0 };
		if (!given_col(d, sc.name, sc.name_len, sc.kind, sc.nullable, sc.has_empty))
			return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
	}
	d->given = d->known = 1;
	d->rows = colstats_rows(s);
	return OSDL_EXIT_OK;
}

int down_use_meta(down *d, char *err, size_t errlen)
{
	char meta[4096];
	int rc = OSDL_EXIT_OK;
	colstats *s = colstats_new(d->o.category_max);
	if (!s)
		return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
	for (int i = 0; i < d->ninputs && !rc; i++) {
		if (strcmp(d->inputs[i], "-") == 0 ||
		    (size_t)snprintf(meta, sizeof meta, "%s.meta", d->inputs[i]) >= sizeof meta) {
			rc = errbuf_fail(err, errlen, OSDL_EXIT_USAGE, "%s: not a chunk file with a .meta",
			                 d->inputs[i]);
			break;
		}
		errno = 0;
		if (colstats_merge_file(s, meta, err, errlen) != 0)
			rc = errno == ENOENT || errno == EACCES || errno == EIO ? OSDL_EXIT_IO : OSDL_EXIT_DATA;
	}
	if (!rc)
		rc = down_use_stats(d, s, err, errlen);
	colstats_free(s);
	return rc;
}

uint64_t down_rows(const down *d) { return d->rows; }
uint64_t down_in_bytes(const down *d) { return d->in_bytes; }
uint64_t down_out_bytes(const down *d) { return d->out_bytes; }
uint64_t down_replaced(const down *d) { return d->replaced; }

down *down_new(const struct down_opts *opts, char *const *inputs, int ninputs)
{
	down *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->o = *opts;
	d->inputs = inputs;
	d->ninputs = ninputs;
	d->first = d->prev = -1;
	d->spool = calloc((size_t)(ninputs > 0 ? ninputs : 1), sizeof *d->spool);
	for (int i = 0; d->spool && i < ninputs; i++)
		d->spool[i] = -1;
	d->jf = jflat_new(opts->array_sep);
	if (opts->fields)
		d->fields = split_list(opts->fields, &d->nfields);
	if (opts->date_fields)
		d->dates = split_list(opts->date_fields, &d->ndates);
	if (!d->spool || !d->jf || (opts->fields && !d->fields) ||
	    (opts->date_fields && !d->dates)) {
		down_free(d);
		return NULL;
	}
	return d;
}

void down_free(down *d)
{
	if (!d)
		return;
	for (int i = 0; d->spool && i < d->ninputs; i++)
		if (d->spool[i] >= 0)
			close(d->spool[i]);
	free(d->spool);
	for (size_t i = 0; i < d->ncols; i++) {
		free(d->cols[i].name);
		coltype_free(d->cols[i].type);
	}
	free(d->cols);
	free(d->hash);
	free(d->arena);
	free_list(d->fields);
	free_list(d->dates);
	jflat_free(d->jf);
	csv_writer_free(d->csv);
	free(d);
}
