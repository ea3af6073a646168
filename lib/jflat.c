/* jflat.c - flattens one NDJSON object line into (column, type, value) leaves. */
#include "jflat.h"

#include "errbuf.h"
#include "jstr.h"
#include "osdl.h"

#include <stdint.h>
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
	int toodeep;        /* nested deeper than OSDL_MAX_DEPTH */
	int stopped;        /* the callback asked to stop */
	size_t in_arr;      /* containers open since the outermost array began */
	size_t arr_start;   /* offset of that array's '[' */
	int arr_flat;       /* every element so far is a scalar */
	size_t arr_n;       /* elements joined so far */
	struct jbuf join;
	struct jbuf fix;    /* a string or array with lone surrogates, redone */
	yajl_handle y;
	const char *line;
	size_t line_len;
	jflat_fn fn;
	void *ctx;
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

/* The string yajl just passed as V (N bytes), with surrogate escapes
 * decoded by the one rule of jstr.h instead of yajl's ("?" for a lone high
 * one, invalid bytes ED xx xx for a lone low one, and a 4-byte character
 * for a high one followed by any escape).  Only strings holding one of
 * those bytes are looked at again in the line: the raw string ends at the
 * parse position's closing quote and starts at the first quote before it
 * that no odd run of backslashes escapes.  Returns 0 (*OUT, *ON set) or -1
 * out of memory. */
static int redo_string(jflat *f, const char *v, size_t n, const char **out, size_t *on)
{
	*out = v;
	*on = n;
	int maybe = memchr(v, '?', n) || memchr(v, 0xED, n);
	for (size_t k = 0; k < n && !maybe; k++)
		maybe = (unsigned char)v[k] >= 0xF0;
	if (!maybe)
		return 0;
	size_t end = yajl_get_bytes_consumed(f->y);
	if (end == 0 || end > f->line_len || f->line[end - 1] != '"')
		return 0;
	size_t q = end - 1, i = q, bs;
	for (;;) {
		if (i == 0)
			return 0;
		if (f->line[--i] != '"')
			continue;
		for (bs = 0; bs < i && f->line[i - bs - 1] == '\\'; bs++)
			;
		if (bs % 2 == 0)
			break;
	}
	const char *raw = f->line + i + 1;
	size_t rn = q - i - 1;
	if (!jstr_has_surrogate(raw, rn))
		return 0;
	f->fix.len = 0;
	if (jbuf_put(&f->fix, raw, rn) < 0)
		return -1;
	f->fix.len = jstr_decode(raw, rn, f->fix.p);
	*out = f->fix.p;
	*on = f->fix.len;
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
	free(f->fix.p);
	free(f->depth_len);
	if (f->y)
		yajl_free(f->y);
	free(f);
}

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
	jflat *f = c;
	const char *v;
	size_t vn;
	if (redo_string(f, (const char *)s, n, &v, &vn) < 0) {
		f->nomem = 1;
		return 0;
	}
	return scalar(f, JFLAT_STRING, v, vn);
}

/* Opening a container inside an array only makes the array non-flat. */
static int nested_open(jflat *f)
{
	f->in_arr++;
	f->arr_flat = 0;
	return 1;
}

/* Opening one more container: within OSDL_MAX_DEPTH? */
static int too_deep(jflat *f)
{
	if (f->depth + f->in_arr < OSDL_MAX_DEPTH)
		return 0;
	f->toodeep = 1;
	return 1;
}

static int cb_start_map(void *c)
{
	jflat *f = c;
	if (f->closed)
		return second(f);
	if (too_deep(f))
		return 0;
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
	const char *name;
	size_t nn;
	f->name.len = base;
	if (redo_string(f, (const char *)k, n, &name, &nn) < 0 ||
	    (base > 0 && jbuf_put(&f->name, ".", 1) < 0) || jbuf_put(&f->name, name, nn) < 0) {
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
	if (too_deep(f))
		return 0;
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
	const char *text = f->line + f->arr_start;
	size_t tn = end - f->arr_start;
	if (jstr_has_surrogate(text, tn)) {
		f->fix.len = 0;
		if (jbuf_put(&f->fix, text, tn) < 0) {
			f->nomem = 1;
			return 0;
		}
		f->fix.len = jstr_fix_text(text, tn, f->fix.p);
		return emit(f, JFLAT_ARRAY, f->fix.p, f->fix.len);
	}
	return emit(f, JFLAT_ARRAY, text, tn);
}

static const yajl_callbacks callbacks = {
	cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_key, cb_end_map, cb_start_array, cb_end_array
};

/* Whether the N bytes at S are all blanks; S need not be NUL-terminated
 * (strspn() read past the line: found by tests/fuzz/jflat). */
static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/* One handle serves every line (yajl 2 has no reset, and an allocation per
 * line costs more than the parse): it accepts a stream of values, and a
 * line is good when it held exactly one complete object.  After an error
 * the handle is dropped and a new one made for the next line. */
int jflat_line(jflat *f, const char *line, size_t len, jflat_fn fn, void *ctx,
               char *err, size_t errlen)
{
	int rc = JFLAT_OK;
	f->started = f->notobj = f->nomem = f->toodeep = f->stopped = f->closed = f->twice = 0;
	f->in_arr = 0;
	f->depth = 0;
	f->name.len = 0;
	f->line = line;
	f->line_len = len;
	f->fn = fn;
	f->ctx = ctx;
	/* yajl takes \f and \v for blanks; JSON (and osmerge's reader) has
	 * them nowhere, and inside a string yajl refuses them anyway: one
	 * rule for what a valid line is in every tool (found by
	 * tests/fuzz/jflat against jkey). */
	const char *ff = memchr(line, '\f', len), *vt = memchr(line, '\v', len);
	if (ff || vt) {
		const char *at = ff && (!vt || ff < vt) ? ff : vt;
		return errbuf_fail(err, errlen, JFLAT_ERR_JSON, "invalid JSON: %s at byte %zu",
		                   *at == '\f' ? "form feed" : "vertical tab", (size_t)(at - line));
	}
	if (!f->y) {
		f->y = yajl_alloc(&callbacks, NULL, f);
		if (!f->y)
			return errbuf_fail(err, errlen, JFLAT_ERR_NOMEM, "out of memory");
		/* Bytes are checked by the CSV writer, not here (see csv.h). */
		yajl_config(f->y, yajl_dont_validate_strings, 1);
		yajl_config(f->y, yajl_allow_multiple_values, 1);
	}
	yajl_status st = yajl_parse(f->y, (const unsigned char *)line, len);
	if (f->stopped) {
		rc = JFLAT_ERR_STOP;
	} else if (f->nomem) {
		rc = errbuf_fail(err, errlen, JFLAT_ERR_NOMEM, "out of memory");
	} else if (f->toodeep) {
		rc = errbuf_fail(err, errlen, JFLAT_ERR_JSON, "JSON nested deeper than %d levels at byte %zu",
		                 OSDL_MAX_DEPTH, yajl_get_bytes_consumed(f->y));
	} else if (f->notobj) {
		rc = errbuf_fail(err, errlen, JFLAT_ERR_NOTOBJ, "not a JSON object");
	} else if (f->twice || (f->closed && !blank(line + f->close_at, len - f->close_at))) {
		rc = errbuf_fail(err, errlen, JFLAT_ERR_JSON, "invalid JSON: trailing garbage at byte %zu",
		                 f->close_at);
	} else if (st != yajl_status_ok) {
		unsigned char *m = yajl_get_error(f->y, 0, (const unsigned char *)line, len);
		const char *msg = m ? (const char *)m : "parse error";
		if (strncmp(msg, "parse error: ", 13) == 0)
			msg += 13;
		rc = errbuf_fail(err, errlen, JFLAT_ERR_JSON, "invalid JSON: %.*s at byte %zu",
		                 (int)strcspn(msg, "\n"), msg, yajl_get_bytes_consumed(f->y));
		if (m)
			yajl_free_error(f->y, m);
	} else if (!f->closed) {
		/* yajl holds back a top-level number until it sees what follows */
		size_t i = 0;
		while (i < len && line[i] && strchr(" \t\r\n", line[i]))
			i++;
		if (i < len && line[i] != '{')
			rc = errbuf_fail(err, errlen, JFLAT_ERR_NOTOBJ, "not a JSON object");
		else
			rc = errbuf_fail(err, errlen, JFLAT_ERR_JSON, "invalid JSON: premature EOF at byte %zu", len);
	}
	if (rc != JFLAT_OK) {
		yajl_free(f->y);
		f->y = NULL;
	}
	return rc;
}
