/* down.c - the two passes of osdown: NDJSON in, typed CSV and schema out. */
#include "down.h"
#include "fnv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "jflat.h"
#include "lzio.h"
#include "osdl.h"

struct column {
	char *name;
	size_t name_len;
	uint32_t hash;
	int ignored;          /* seen but not in --fields */
	int date_field;
	coltype *type;
	enum coltype_kind kind;
	int nullable;
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
	uint64_t gen, rows, in_bytes, out_bytes, replaced;
	char *arena;          /* pass 2: the current row's values */
	size_t arena_len, arena_cap;
	int nomem, changed;
	jflat *jf;
	csv_writer *csv;
	char *const *inputs;
	int ninputs;
	int *spool;           /* per input: its copy (see open_input), or -1 */
	char err[512];
	int code;             /* exit code that goes with err */
};

/* Sets the message of the error being returned; returns CODE. */
static int fail(down *d, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(down *d, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->err, sizeof d->err, fmt, ap);
	va_end(ap);
	return d->code = code;
}

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
		if (d->known) {
			d->changed = 1;
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

/* Pass 2: the current row as one CSV record.  Returns 0, -1 on a write
 * error (errno), -2 if a value no longer fits its column's type. */
static int write_row(down *d)
{
	char buf[COLTYPE_FMT_MAX];
	for (size_t i = 0; i < d->ncols; i++) {
		struct column *c = &d->cols[i];
		if (c->ignored)
			continue;
		if (c->gen != d->gen || c->t == JFLAT_NULL) {
			if (csv_null(d->csv) < 0)
				return -1;
			continue;
		}
		const char *out;
		size_t n;
		if (coltype_format(c->kind, c->date_field, c->t, d->arena + c->off, c->len,
		                   buf, &out, &n) < 0)
			return -2;
		if (csv_field(d->csv, out, n) < 0)
			return -1;
	}
	return csv_end_row(d->csv);
}

/* Opens input I.  Stdin and other inputs that cannot be read twice (pipes,
 * FIFOs, /dev/fd/N) are copied to a spool in pass 1 and replayed from it in
 * pass 2.  NULL with the error set. */
static lzio_reader *open_input(down *d, int i, lzio_writer **spool)
{
	const char *path = d->inputs[i];
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "stdin" : path;
	struct stat st;
	lzio_reader *r = NULL;
	if (d->pass == 2 && d->spool[i] >= 0) {
		int fd = dup(d->spool[i]);
		if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0) {
			fail(d, OSDL_EXIT_IO, "%s: spool: %s", name, strerror(errno));
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		if (!(r = lzio_fdopen(fd, name, d->o.max_line)))
			fail(d, OSDL_EXIT_IO, "%s: %s", name, strerror(errno));
		return r;
	}
	if (d->pass == 1 && (is_stdin || (stat(path, &st) == 0 && !S_ISREG(st.st_mode)))) {
		const char *dir = getenv("TMPDIR");
		char tmp[4096];
		snprintf(tmp, sizeof tmp, "%s/osdown-spool.XXXXXX", dir && *dir ? dir : "/tmp");
		if ((d->spool[i] = mkstemp(tmp)) < 0) {
			fail(d, OSDL_EXIT_IO, "%s: %s", tmp, strerror(errno));
			return NULL;
		}
		/* Unlinked at once: no exit path, not even SIGKILL, leaves it. */
		unlink(tmp);
		if (!(*spool = lzio_writer_new(d->spool[i], 1, 0))) {
			fail(d, OSDL_EXIT_FAIL, "out of memory");
			return NULL;
		}
	}
	r = is_stdin ? lzio_fdopen(0, name, d->o.max_line) : lzio_open(path, d->o.max_line);
	if (!r)
		fail(d, OSDL_EXIT_IO, "%s: %s", name, strerror(errno));
	return r;
}

/* One pass over one input.  Returns an exit code. */
static int run_file(down *d, int i)
{
	int rc = OSDL_EXIT_OK;
	lzio_writer *spool = NULL;
	lzio_reader *r = open_input(d, i, &spool);
	if (!r) {
		rc = d->code; /* open_input said why */
		goto out;
	}
	const char *name = lzio_name(r);
	char *line;
	size_t len;
	int st;
	while ((st = lzio_getline(r, &line, &len)) == LZIO_LINE) {
		unsigned long long ln = (unsigned long long)lzio_lineno(r);
		if (spool && (lzio_write(spool, line, len) < 0 || lzio_write(spool, "\n", 1) < 0)) {
			rc = fail(d, OSDL_EXIT_IO, "%s: spool: %s", name, strerror(errno));
			goto out;
		}
		if (strspn(line, " \t\r") == len)
			continue; /* blank lines are not records */
		d->gen++;
		d->arena_len = 0;
		d->prev = -1;
		int jr = jflat_line(d->jf, line, len, on_leaf, d);
		if (d->nomem) {
			rc = fail(d, OSDL_EXIT_FAIL, "%s:%llu: out of memory", name, ln);
			goto out;
		}
		if (d->changed) {
			rc = fail(d, OSDL_EXIT_DATA, "%s:%llu: input changed between the two passes",
			          name, ln);
			goto out;
		}
		if (jr != JFLAT_OK) {
			rc = fail(d, jr == JFLAT_ERR_NOMEM ? OSDL_EXIT_FAIL : OSDL_EXIT_DATA,
			          "%s:%llu: %s", name, ln, jflat_error(d->jf));
			goto out;
		}
		d->in_bytes += len + 1;
		if (d->pass == 1) {
			d->rows++;
			continue;
		}
		int wr = write_row(d);
		if (wr == -2) {
			rc = fail(d, OSDL_EXIT_DATA, "%s:%llu: input changed between the two passes",
			          name, ln);
			goto out;
		}
		if (wr < 0) {
			rc = fail(d, OSDL_EXIT_IO, "%s: %s", d->o.out_name, strerror(errno));
			goto out;
		}
	}
	if (st != LZIO_EOF) {
		unsigned long long ln = (unsigned long long)lzio_lineno(r) + 1;
		if (st == LZIO_ERR_LONG)
			rc = fail(d, OSDL_EXIT_DATA, "%s:%llu: line longer than %zu bytes (--max-line)",
			          name, ln, d->o.max_line);
		else if (st == LZIO_ERR_IO)
			rc = fail(d, OSDL_EXIT_IO, "%s: %s", name, strerror(errno));
		else
			rc = fail(d, st == LZIO_ERR_NOMEM ? OSDL_EXIT_FAIL : OSDL_EXIT_DATA,
			          "%s:%llu: %s", name, ln, lzio_strerror(st));
		goto out;
	}
	if (spool && lzio_finish(spool) < 0)
		rc = fail(d, OSDL_EXIT_IO, "%s: spool: %s", name, strerror(errno));
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

int down_infer(down *d)
{
	d->pass = 1;
	for (size_t i = 0; i < d->nfields; i++) {
		const char *f = d->fields[i];
		uint32_t h = fnv1a32(f, strlen(f));
		if (!col_find(d, f, strlen(f), h) && !col_add(d, f, strlen(f), h, 0))
			return fail(d, OSDL_EXIT_FAIL, "out of memory");
	}
	for (int i = 0; i < d->ninputs; i++) {
		int rc = run_file(d, i);
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

int down_write(down *d, int fd)
{
	int rc = OSDL_EXIT_OK;
	d->pass = 2;
	d->known = 1;
	d->in_bytes = 0;
	if (!(d->csv = csv_writer_new(fd, d->o.delim)))
		return fail(d, OSDL_EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < d->ncols && !rc; i++)
		if (!d->cols[i].ignored && csv_field(d->csv, d->cols[i].name, d->cols[i].name_len) < 0)
			rc = fail(d, OSDL_EXIT_IO, "%s: %s", d->o.out_name, strerror(errno));
	/* No column at all (no document): an empty file, not an empty line. */
	if (!rc && down_ncols(d) && csv_end_row(d->csv) < 0)
		rc = fail(d, OSDL_EXIT_IO, "%s: %s", d->o.out_name, strerror(errno));
	for (int i = 0; i < d->ninputs && !rc; i++)
		rc = run_file(d, i);
	if (!rc && csv_flush(d->csv) < 0)
		rc = fail(d, OSDL_EXIT_IO, "%s: %s", d->o.out_name, strerror(errno));
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
	                          coltype_has_empty(c->type), c->date_field,
	                          coltype_values(c->type), coltype_distinct(c->type) };
}

uint64_t down_rows(const down *d) { return d->rows; }
uint64_t down_in_bytes(const down *d) { return d->in_bytes; }
uint64_t down_out_bytes(const down *d) { return d->out_bytes; }
uint64_t down_replaced(const down *d) { return d->replaced; }
const char *down_error(const down *d) { return d->err; }

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
