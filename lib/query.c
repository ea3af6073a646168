/* query.c - time field, user query, _source fields and sort mode; the
 * request filter built from them and their cache fingerprint. */
#include "query.h"
#include "fnv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "jstr.h"
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#define QUERY_FILE_MAX (16 << 20) /* a query DSL file larger than this is a mistake */
#define QUERY_FIELDS_MAX 10000
/* yajl's tree is freed by recursion and its generator stops at 128 levels:
 * a query nested deeper is refused before either sees it. */
#define QUERY_MAX_DEPTH 100

struct query {
	char *time_field;
	char *user;        /* canonical (minified) query DSL, NULL = match all */
	char **fields;     /* NULL = all fields */
	size_t nfields;
	char *source_json; /* JSON array of fields, NULL = "true" */
	int sorted;
	int fp_ok;         /* fp is up to date */
	char fp[17];
};

query *query_new(const char *time_field)
{
	query *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	q->time_field = strdup(time_field ? time_field : "@timestamp");
	if (!q->time_field) {
		free(q);
		return NULL;
	}
	q->sorted = 1;
	return q;
}

static void free_fields(query *q)
{
	for (size_t i = 0; i < q->nfields; i++)
		free(q->fields[i]);
	free(q->fields);
	free(q->source_json);
	q->fields = NULL;
	q->nfields = 0;
	q->source_json = NULL;
}

void query_free(query *q)
{
	if (!q)
		return;
	free_fields(q);
	free(q->user);
	free(q->time_field);
	free(q);
}

/* Writes V through G.  Numbers keep their source text, so the canonical form
 * never rounds a value the server would have read exactly. */
static int gen_value(yajl_gen g, yajl_val v)
{
	size_t i;
	switch (v->type) {
	case yajl_t_string:
		return yajl_gen_string(g, (const unsigned char *)v->u.string, strlen(v->u.string));
	case yajl_t_number:
		return yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
	case yajl_t_object:
		if (yajl_gen_map_open(g))
			return -1;
		for (i = 0; i < v->u.object.len; i++) {
			const char *k = v->u.object.keys[i];
			if (yajl_gen_string(g, (const unsigned char *)k, strlen(k)) ||
			    gen_value(g, v->u.object.values[i]))
				return -1;
		}
		return yajl_gen_map_close(g);
	case yajl_t_array:
		if (yajl_gen_array_open(g))
			return -1;
		for (i = 0; i < v->u.array.len; i++)
			if (gen_value(g, v->u.array.values[i]))
				return -1;
		return yajl_gen_array_close(g);
	case yajl_t_true:
		return yajl_gen_bool(g, 1);
	case yajl_t_false:
		return yajl_gen_bool(g, 0);
	case yajl_t_null:
		return yajl_gen_null(g);
	default:
		return -1;
	}
}

/* Minified JSON of V, malloc'd; NULL on ENOMEM. */
static char *to_json(yajl_val v)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	char *out = NULL;
	if (!g)
		return NULL;
	if (gen_value(g, v) == 0 && yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok &&
	    (out = malloc(len + 1))) {
		memcpy(out, buf, len);
		out[len] = 0;
	}
	yajl_gen_free(g);
	return out;
}

char *query_json_quote(const char *s)
{
	struct yajl_val_s v = { .type = yajl_t_string };
	v.u.string = (char *)s;
	return to_json(&v);
}

int query_load_string(query *q, const char *json, char *err, size_t errlen)
{
	char perr[256];
	yajl_val root = NULL, v;
	char *canon = NULL;
	int rc = -1;

	if (jstr_too_deep(json, strlen(json), QUERY_MAX_DEPTH)) {
		errbuf_fail(err, errlen, -1, "invalid query JSON: nested deeper than %d levels", QUERY_MAX_DEPTH);
		goto out;
	}
	root = yajl_tree_parse(json, perr, sizeof perr);
	if (!root) {
		/* yajl's message spans lines; the first one says what is wrong. */
		perr[strcspn(perr, "\n")] = 0;
		errbuf_fail(err, errlen, -1, "invalid query JSON: %s", perr[0] ? perr : "parse error");
		goto out;
	}
	if (!YAJL_IS_OBJECT(root)) {
		errbuf_fail(err, errlen, -1, "invalid query JSON: not an object");
		goto out;
	}
	v = root;
	for (size_t i = 0; i < root->u.object.len; i++) {
		if (strcmp(root->u.object.keys[i], "query") != 0)
			continue;
		if (root->u.object.len != 1) {
			/* A body with "size", "sort", "_source"... would be silently
			 * ignored; fields belong in --fields. */
			errbuf_fail(err, errlen, -1, "query JSON: a body with \"query\" may hold nothing else");
			goto out;
		}
		v = root->u.object.values[i];
		if (!YAJL_IS_OBJECT(v)) {
			errbuf_fail(err, errlen, -1, "query JSON: \"query\" is not an object");
			goto out;
		}
	}
	/* {} matches everything, and the server refuses an empty clause. */
	if (v->u.object.len) {
		canon = to_json(v);
		if (!canon) {
			errbuf_fail(err, errlen, -1, "out of memory");
			goto out;
		}
	}
	free(q->user);
	q->user = canon;
	q->fp_ok = 0;
	rc = 0;
out:
	yajl_tree_free(root);
	return rc;
}

int query_load_file(query *q, const char *path, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = -1;

	if (!f)
		return errbuf_fail(err, errlen, -1, "cannot open query file %s: %s", path, strerror(errno));
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				errbuf_fail(err, errlen, -1, "out of memory reading %s", path);
				goto out;
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len > QUERY_FILE_MAX) {
			errbuf_fail(err, errlen, -1, "query file %s is larger than %d bytes", path, QUERY_FILE_MAX);
			goto out;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		errbuf_fail(err, errlen, -1, "cannot read query file %s: %s", path, strerror(errno));
		goto out;
	}
	if (memchr(buf, 0, len)) {
		errbuf_fail(err, errlen, -1, "invalid query JSON in %s: NUL byte", path);
		goto out;
	}
	buf[len] = 0;
	if (query_load_string(q, buf, err, errlen) == 0) {
		rc = 0;
	} else if (err && errlen) {
		char tmp[512];
		snprintf(tmp, sizeof tmp, "%s: %s", path, err);
		errbuf_fail(err, errlen, -1, "%s", tmp);
	}
out:
	free(buf);
	if (f != stdin)
		fclose(f);
	return rc;
}

static int build_source(query *q)
{
	size_t cap = 2, len;
	char **lit = calloc(q->nfields ? q->nfields : 1, sizeof *lit);
	int rc = -1;
	if (!lit)
		return -1;
	for (size_t i = 0; i < q->nfields; i++) {
		if (!(lit[i] = query_json_quote(q->fields[i])))
			goto out;
		cap += strlen(lit[i]) + 1;
	}
	if (!(q->source_json = malloc(cap + 1)))
		goto out;
	q->source_json[0] = '[';
	len = 1;
	for (size_t i = 0; i < q->nfields; i++) {
		if (i)
			q->source_json[len++] = ',';
		size_t l = strlen(lit[i]);
		memcpy(q->source_json + len, lit[i], l);
		len += l;
	}
	q->source_json[len++] = ']';
	q->source_json[len] = 0;
	rc = 0;
out:
	for (size_t i = 0; i < q->nfields; i++)
		free(lit[i]);
	free(lit);
	return rc;
}

int query_set_fields(query *q, const char *csv, char *err, size_t errlen)
{
	free_fields(q);
	q->fp_ok = 0;
	if (!csv || !*csv)
		return 0;
	for (const char *p = csv;;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		const char *s = p;
		while (l && (*s == ' ' || *s == '\t'))
			s++, l--;
		while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
			l--;
		if (!l) {
			errbuf_fail(err, errlen, -1, "empty field name in --fields '%.80s'", csv);
			goto fail;
		}
		int dup = 0;
		for (size_t i = 0; i < q->nfields && !dup; i++)
			dup = strlen(q->fields[i]) == l && memcmp(q->fields[i], s, l) == 0;
		if (!dup) {
			if (q->nfields == QUERY_FIELDS_MAX) {
				errbuf_fail(err, errlen, -1, "more than %d fields", QUERY_FIELDS_MAX);
				goto fail;
			}
			char **nf = realloc(q->fields, (q->nfields + 1) * sizeof *nf);
			if (!nf)
				goto nomem;
			q->fields = nf;
			if (!(q->fields[q->nfields] = strndup(s, l)))
				goto nomem;
			q->nfields++;
		}
		if (!e)
			break;
		p = e + 1;
	}
	if (build_source(q) == 0)
		return 0;
nomem:
	errbuf_fail(err, errlen, -1, "out of memory");
fail:
	free_fields(q);
	return -1;
}

size_t query_field_count(const query *q) { return q->nfields; }
const char *query_field(const query *q, size_t i) { return i < q->nfields ? q->fields[i] : NULL; }

void query_set_sorted(query *q, int sorted)
{
	q->sorted = !!sorted;
	q->fp_ok = 0;
}

int query_sorted(const query *q) { return q->sorted; }
const char *query_time_field(const query *q) { return q->time_field; }
const char *query_user_json(const query *q) { return q->user; }

/* Each part goes in as "LEN:BYTES" so no two different questions can hash
 * the same string by moving bytes between parts. */
static uint64_t fnv_part(uint64_t h, const char *s)
{
	char n[24];
	size_t l = s ? strlen(s) : 0;
	int nl = snprintf(n, sizeof n, "%zu:", l);
	h = fnv1a64(h, n, (size_t)nl);
	return fnv1a64(h, s ? s : "", l);
}

const char *query_fingerprint(const query *q)
{
	query *m = (query *)q; /* the cached fingerprint is not observable state */
	if (!m->fp_ok) {
		uint64_t h = FNV1A64_INIT;
		h = fnv_part(h, "osdl-fingerprint-1");
		h = fnv_part(h, q->time_field);
		h = fnv_part(h, q->user);
		h = fnv_part(h, q->source_json ? q->source_json : "true");
		/* Sorted chunks are read in _doc order and sorted locally, ties by
		 * _id: other bytes than the server's time sort gave, so another
		 * name ("sorted" was the server's order); unsorted ones are
		 * unchanged. */
		h = fnv_part(h, q->sorted ? "sorted-local-time-id" : "unsorted");
		snprintf(m->fp, sizeof m->fp, "%016llx", (unsigned long long)h);
		m->fp_ok = 1;
	}
	return q->fp;
}

char *query_filter_json(const query *q, int64_t from, int64_t to)
{
	char *tf = query_json_quote(q->time_field), *out = NULL;
	if (!tf)
		return NULL;
	if (asprintf(&out,
		     "{\"bool\":{\"filter\":[{\"range\":{%s:{\"gte\":%lld,\"lt\":%lld,"
		     "\"format\":\"epoch_millis\"}}}%s%s]}}",
		     tf, (long long)from, (long long)to, q->user ? "," : "",
		     q->user ? q->user : "") < 0)
		out = NULL;
	free(tf);
	return out;
}

const char *query_source_json(const query *q)
{
	return q->source_json ? q->source_json : "true";
}
