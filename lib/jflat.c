/* jflat.c - flattens one NDJSON object line into (column, type, value) leaves. */
#include "jflat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/* A growable byte buffer; it grows to the longest name or joined array seen,
 * which the line length cap bounds. */
struct jbuf {
	char *p;
	size_t len, cap;
};

struct jflat {
	char *sep;          /* array separator, NULL: arrays as JSON text */
	size_t sep_len;
	struct jbuf name;   /* dotted path of the current key */
	size_t *depth_len;  /* name length at each open object */
	size_t depth, depth_cap;
	int started;        /* the top-level value has begun */
	int closed;         /* ... and has ended */
	int twice;          /* a second value began on the line */
	size_t close_at;    /* offset just after the object's '}' */
	int notobj;         /* the top-level value is not an object */
	int nomem;
	int stopped;        /* the callback asked to stop */
	size_t in_arr;      /* containers open since the outermost array began */
	size_t arr_start;   /* offset of that array's '[' */
	int arr_flat;       /* every element so far is a scalar */
	size_t arr_n;       /* elements joined so far */
	struct jbuf join;
	yajl_handle y;
	const char *line;
	jflat_fn fn;
	void *ctx;
	char err[160];
};

static int jbuf_put(struct jbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

jflat *jflat_new(const char *array_sep)
{
	jflat *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	if (array_sep) {
		f->sep = strdup(array_sep);
		if (!f->sep) {
			free(f);
			return NULL;
		}
		f->sep_len = strlen(array_sep);
	}
	return f;
}

void jflat_free(jflat *f)
{
	if (!f)
		return;
	free(f->sep);
	free(f->name.p);
	free(f->join.p);
	free(f->depth_len);
	if (f->y)
		yajl_free(f->y);
	free(f);
}

const char *jflat_error(const jflat *f) { return f->err; }

/* Passes one leaf to the callback; 0 to go on, 0 to yajl means stop. */
static int emit(jflat *f, enum jflat_type t, const char *v, size_t n)
{
	if (f->fn(f->ctx, f->name.p ? f->name.p : "", f->name.len, t, v, n)) {
		f->stopped = 1;
		return 0;
	}
	return 1;
}

/* A value that begins after the line's object ended. */
static int second(jflat *f)
{
	f->twice = 1;
	return 0;
}

/* A scalar at the top, as an object member, or inside an array. */
static int scalar(jflat *f, enum jflat_type t, const char *v, size_t n)
{
	if (f->closed)
		return second(f);
	if (!f->started) {
		f->started = 1;
		f->notobj = 1;
		return 0;
	}
	if (f->in_arr == 0)
		return emit(f, t, v, n);
	if (f->in_arr == 1 && f->sep && f->arr_flat) {
		if ((f->arr_n++ > 0 && jbuf_put(&f->join, f->sep, f->sep_len) < 0) ||
		    jbuf_put(&f->join, v, n) < 0) {
			f->nomem = 1;
			return 0;
		}
	}
	return 1;
}

static int cb_null(void *c) { return scalar(c, JFLAT_NULL, "", 0); }

static int cb_bool(void *c, int b)
{
	return b ? scalar(c, JFLAT_BOOL, "true", 4) : scalar(c, JFLAT_BOOL, "false", 5);
}

static int cb_number(void *c, const char *s, size_t n)
{
	return scalar(c, JFLAT_NUMBER, s, n);
}

static int cb_string(void *c, const unsigned char *s, size_t n)
{
	return scalar(c, JFLAT_STRING, (const char *)s, n);
}

/* Opening a container inside an array only makes the array non-flat. */
static int nested_open(jflat *f)
{
	f->in_arr++;
	f->arr_flat = 0;
	return 1;
}

static int cb_start_map(void *c)
{
	jflat *f = c;
	if (f->closed)
		return second(f);
	if (!f->started)
		f->started = 1;
	if (f->in_arr > 0)
		return nested_open(f);
	if (f->depth == f->depth_cap) {
		size_t cap = f->depth_cap ? f->depth_cap * 2 : 16;
		size_t *p = realloc(f->depth_len, cap * sizeof *p);
		if (!p) {
			f->nomem = 1;
			return 0;
		}
		f->depth_len = p;
		f->depth_cap = cap;
	}
	f->depth_len[f->depth++] = f->name.len;
	return 1;
}

static int cb_key(void *c, const unsigned char *k, size_t n)
{
	jflat *f = c;
	if (f->in_arr > 0)
		return 1;
	size_t base = f->depth_len[f->depth - 1];
	f->name.len = base;
	if ((base > 0 && jbuf_put(&f->name, ".", 1) < 0) ||
	    jbuf_put(&f->name, (const char *)k, n) < 0) {
		f->nomem = 1;
		return 0;
	}
	return 1;
}

static int cb_end_map(void *c)
{
	jflat *f = c;
	if (f->in_arr > 0) {
		f->in_arr--;
		return 1;
	}
	f->depth--;
	if (f->depth == 0) {
		f->closed = 1;
		f->close_at = yajl_get_bytes_consumed(f->y);
	}
	f->name.len = f->depth_len[f->depth];
	if (f->name.p)
		f->name.p[f->name.len] = 0;
	return 1;
}

static int cb_start_array(void *c)
{
	jflat *f = c;
	if (f->closed)
		return second(f);
	if (!f->started) {
		f->started = 1;
		f->notobj = 1;
		return 0;
	}
	if (f->in_arr > 0)
		return nested_open(f);
	/* yajl has consumed the '[' when it calls us. */
	f->arr_start = yajl_get_bytes_consumed(f->y) - 1;
	f->in_arr = 1;
	f->arr_flat = 1;
	f->arr_n = 0;
	f->join.len = 0;
	return 1;
}

static int cb_end_array(void *c)
{
	jflat *f = c;
	if (--f->in_arr > 0)
		return 1;
	if (f->sep && f->arr_flat)
		return emit(f, JFLAT_ARRAY, f->join.p ? f->join.p : "", f->join.len);
	size_t end = yajl_get_bytes_consumed(f->y);
	return emit(f, JFLAT_ARRAY, f->line + f->arr_start, end - f->arr_start);
}

static const yajl_callbacks callbacks = {
	cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_key, cb_end_map, cb_start_array, cb_end_array
};

/* One handle serves every line (yajl 2 has no reset, and an allocation per
 * line costs more than the parse): it accepts a stream of values, and a
 * line is good when it held exactly one complete object.  After an error
 * the handle is dropped and a new one made for the next line. */
/* 1 if the N bytes at S are all JSON whitespace (S need not be
 * NUL-terminated: strspn would read past the line). */
static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\r\n", s[i]) || !s[i])
			return 0;
	return 1;
}

int jflat_line(jflat *f, const char *line, size_t len, jflat_fn fn, void *ctx)
{
	int rc = JFLAT_OK;
	f->started = f->notobj = f->nomem = f->stopped = f->closed = f->twice = 0;
	f->in_arr = 0;
	f->depth = 0;
	f->name.len = 0;
	f->line = line;
	f->fn = fn;
	f->ctx = ctx;
	f->err[0] = 0;
	if (!f->y) {
		f->y = yajl_alloc(&callbacks, NULL, f);
		if (!f->y) {
			snprintf(f->err, sizeof f->err, "out of memory");
			return JFLAT_ERR_NOMEM;
		}
		/* Bytes are checked by the CSV writer, not here (see csv.h). */
		yajl_config(f->y, yajl_dont_validate_strings, 1);
		yajl_config(f->y, yajl_allow_multiple_values, 1);
	}
	yajl_status st = yajl_parse(f->y, (const unsigned char *)line, len);
	if (f->stopped) {
		rc = JFLAT_ERR_STOP;
	} else if (f->nomem) {
		rc = JFLAT_ERR_NOMEM;
		snprintf(f->err, sizeof f->err, "out of memory");
	} else if (f->notobj) {
		rc = JFLAT_ERR_NOTOBJ;
		snprintf(f->err, sizeof f->err, "not a JSON object");
	} else if (f->twice || (f->closed && !blank(line + f->close_at, len - f->close_at))) {
		rc = JFLAT_ERR_JSON;
		snprintf(f->err, sizeof f->err, "invalid JSON: trailing garbage at byte %zu",
		         f->close_at);
	} else if (st != yajl_status_ok) {
		rc = JFLAT_ERR_JSON;
		unsigned char *m = yajl_get_error(f->y, 0, (const unsigned char *)line, len);
		const char *msg = m ? (const char *)m : "parse error";
		if (strncmp(msg, "parse error: ", 13) == 0)
			msg += 13;
		snprintf(f->err, sizeof f->err, "invalid JSON: %.*s at byte %zu",
		         (int)strcspn(msg, "\n"), msg, yajl_get_bytes_consumed(f->y));
		if (m)
			yajl_free_error(f->y, m);
	} else if (!f->closed) {
		/* yajl holds back a top-level number until it sees what follows */
		size_t i = 0;
		while (i < len && strchr(" \t\r\n", line[i]))
			i++;
		if (i < len && line[i] != '{') {
			rc = JFLAT_ERR_NOTOBJ;
			snprintf(f->err, sizeof f->err, "not a JSON object");
		} else {
			rc = JFLAT_ERR_JSON;
			snprintf(f->err, sizeof f->err, "invalid JSON: premature EOF at byte %zu", len);
		}
	}
	if (rc != JFLAT_OK) {
		yajl_free(f->y);
		f->y = NULL;
	}
	return rc;
}
