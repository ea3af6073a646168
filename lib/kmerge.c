/* kmerge.c - stable k-way merge of sorted NDJSON streams with bounded memory. */
#include "kmerge.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "xsort.h"

#define DEFAULT_MAX_LINE ((size_t)16 << 20)
#define READ_BUF (128 * 1024)

static void set_err(struct kmerge_err *err, int kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(struct kmerge_err *err, int kind, const char *fmt, ...)
{
	if (err->kind)
		return; /* keep the first error */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->kind = kind;
}

/* ---- heap ---- */

struct kmerge_heap {
	size_t *items;
	size_t n, cap;
	kmerge_cmp_fn cmp;
	void *ctx;
	size_t best_child; /* index (1 or 2) of the root's smaller child, if known */
	int best_known;
};

kmerge_heap *kmerge_heap_new(size_t cap, kmerge_cmp_fn cmp, void *ctx)
{
	kmerge_heap *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->items = malloc((cap ? cap : 1) * sizeof *h->items);
	if (!h->items) {
		free(h);
		return NULL;
	}
	h->cap = cap;
	h->cmp = cmp;
	h->ctx = ctx;
	return h;
}

void kmerge_heap_free(kmerge_heap *h)
{
	if (!h)
		return;
	free(h->items);
	free(h);
}

/* Item a sorts strictly before item b; ties go to the smaller item. */
static inline int before(const kmerge_heap *h, size_t a, size_t b)
{
	int c = h->cmp(h->ctx, a, b);
	return c < 0 || (c == 0 && a < b);
}

static void sift_up(kmerge_heap *h, size_t i)
{
	size_t x = h->items[i];
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!before(h, x, h->items[p]))
			break;
		h->items[i] = h->items[p];
		i = p;
	}
	h->items[i] = x;
}

static void sift_down(kmerge_heap *h, size_t i)
{
	size_t x = h->items[i];
	for (;;) {
		size_t l = 2 * i + 1, c;
		if (l >= h->n)
			break;
		if (i == 0 && h->best_known) {
			c = h->best_child;
		} else {
			c = l;
			if (l + 1 < h->n && before(h, h->items[l + 1], h->items[l]))
				c = l + 1;
			if (i == 0) {
				h->best_child = c;
				h->best_known = 1;
			}
		}
		if (!before(h, h->items[c], x))
			break;
		h->items[i] = h->items[c];
		if (i == 0)
			h->best_known = 0; /* the subtree under the root changes */
		i = c;
	}
	h->items[i] = x;
}

void kmerge_heap_push(kmerge_heap *h, size_t item)
{
	if (h->n >= h->cap)
		return;
	h->items[h->n++] = item;
	h->best_known = 0;
	sift_up(h, h->n - 1);
}

size_t kmerge_heap_size(const kmerge_heap *h) { return h->n; }
size_t kmerge_heap_top(const kmerge_heap *h) { return h->items[0]; }

void kmerge_heap_update_top(kmerge_heap *h)
{
	if (h->n > 1)
		sift_down(h, 0);
}

void kmerge_heap_pop(kmerge_heap *h)
{
	if (h->n == 0)
		return;
	h->items[0] = h->items[--h->n];
	h->best_known = 0;
	if (h->n > 1)
		sift_down(h, 0);
}

/* ---- reading ---- */

struct kmerge_reader {
	const struct kmerge_opts *o;
	lzio_reader *lz;
	char *buf;
	size_t cap, start, end, scan; /* line starts at start; '\n' not in [start, scan) */
	size_t max_line;
	uint64_t lineno;
	int eof;
};

kmerge_reader *kmerge_reader_open(const struct kmerge_opts *o, const char *path,
				  struct kmerge_stats *st, struct kmerge_err *err)
{
	kmerge_reader *r = calloc(1, sizeof *r);
	if (!r) {
		set_err(err, KMERGE_ENOMEM, "out of memory");
		return NULL;
	}
	r->o = o;
	r->max_line = o->max_line ? o->max_line : DEFAULT_MAX_LINE;
	r->cap = READ_BUF;
	r->buf = malloc(r->cap);
	if (!r->buf) {
		free(r);
		set_err(err, KMERGE_ENOMEM, "out of memory");
		return NULL;
	}
	r->lz = lzio_open(path, 0);
	if (!r->lz) {
		int e = errno;
		free(r->buf);
		free(r);
		if (o->skip_bad && e != ENOMEM) {
			st->bad_files++;
			log_msg(LOG_BASIC, "%s: skipped: cannot open: %s", path, strerror(e));
			return NULL;
		}
		set_err(err, e == ENOMEM ? KMERGE_ENOMEM : KMERGE_EIO, "%s: cannot open: %s",
			strcmp(path, "-") == 0 ? "(stdin)" : path, strerror(e));
		return NULL;
	}
	return r;
}

const char *kmerge_reader_name(const kmerge_reader *r) { return lzio_name(r->lz); }
uint64_t kmerge_reader_lineno(const kmerge_reader *r) { return r->lineno; }

void kmerge_reader_close(kmerge_reader *r)
{
	if (!r)
		return;
	lzio_close(r->lz);
	free(r->buf);
	free(r);
}

/* Next raw line: LZIO_LINE, LZIO_EOF or an lzio error.  A line longer than
 * max_line is consumed and reported as LZIO_ERR_LONG (not sticky, so it can
 * be skipped), without ever buffering more than max_line bytes of it. */
static int next_line(kmerge_reader *r, char **line, size_t *len)
{
	int skipping = 0;
	for (;;) {
		char *nl = r->scan < r->end ? memchr(r->buf + r->scan, '\n', r->end - r->scan) : NULL;
		if (nl || (r->eof && r->start < r->end)) {
			size_t stop = nl ? (size_t)(nl - r->buf) : r->end;
			*line = r->buf + r->start;
			*len = stop - r->start;
			r->start = r->scan = nl ? stop + 1 : r->end;
			r->lineno++;
			if (skipping || *len > r->max_line)
				return LZIO_ERR_LONG;
			(*line)[*len] = '\0'; /* there is always room: see the growth below */
			return LZIO_LINE;
		}
		if (r->eof) {
			if (skipping) {
				r->lineno++;
				return LZIO_ERR_LONG;
			}
			return LZIO_EOF;
		}
		if (r->end - r->start > r->max_line) {
			skipping = 1; /* drop what we have of this line, look for its end */
			r->start = r->scan = r->end = 0;
		}
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		r->scan = r->end;
		/* Keep one spare byte for the NUL written after a line. */
		if (r->end + 1 >= r->cap) {
			size_t cap = r->cap * 2;
			char *p = realloc(r->buf, cap);
			if (!p)
				return LZIO_ERR_NOMEM;
			r->buf = p;
			r->cap = cap;
		}
		long n = lzio_read(r->lz, r->buf + r->end, r->cap - r->end - 1);
		if (n < 0)
			return (int)n;
		if (n == 0)
			r->eof = 1;
		r->end += (size_t)n;
	}
}

int kmerge_next_doc(kmerge_reader *r, char **line, size_t *len, jkey_val *vals,
		    struct kmerge_stats *st, struct kmerge_err *err)
{
	const char *name = lzio_name(r->lz);
	for (;;) {
		int s = next_line(r, line, len);
		unsigned long long ln = (unsigned long long)r->lineno;
		if (s == LZIO_LINE) {
			size_t pos = 0;
			int j = jkey_extract(r->o->keys, *line, *len, vals, &pos);
			if (j == JKEY_OK) {
				st->lines_in++;
				st->bytes_in += *len + 1;
				return 1;
			}
			if (r->o->skip_bad) {
				st->bad_lines++;
				log_msg(LOG_DETAILED, "%s:%llu: skipped: %s", name, ln, jkey_strerror(j));
				continue;
			}
			if (j == JKEY_ERR_JSON)
				set_err(err, KMERGE_EDATA, "%s:%llu: invalid JSON at byte %zu", name, ln, pos + 1);
			else
				set_err(err, KMERGE_EDATA, "%s:%llu: %s", name, ln, jkey_strerror(j));
			return -1;
		}
		if (s == LZIO_EOF)
			return 0;
		if (s == LZIO_ERR_LONG) {
			if (r->o->skip_bad) {
				st->bad_lines++;
				log_msg(LOG_DETAILED, "%s:%llu: skipped: line longer than %zu bytes", name, ln, r->max_line);
				continue;
			}
			set_err(err, KMERGE_EDATA, "%s:%llu: line longer than %zu bytes (--max-line)", name, ln, r->max_line);
			return -1;
		}
		if (s == LZIO_ERR_LZ4) {
			if (r->o->skip_bad) {
				st->bad_lines++;
				log_msg(LOG_DETAILED, "%s:%llu: skipped the rest: corrupt or truncated LZ4 frame", name, ln + 1);
				r->eof = 1;
				r->start = r->end = r->scan = 0;
				return 0;
			}
			set_err(err, KMERGE_EDATA, "%s:%llu: corrupt or truncated LZ4 frame", name, ln + 1);
			return -1;
		}
		if (s == LZIO_ERR_NOMEM) {
			set_err(err, KMERGE_ENOMEM, "%s:%llu: out of memory", name, ln + 1);
			return -1;
		}
		set_err(err, KMERGE_EIO, "%s: read error: %s", name, strerror(errno));
		return -1;
	}
}

/* ---- writing ---- */

/* The _id set of the current run of equal keys.  Slots of an older
 * generation are empty, so starting a new run costs nothing. */
struct idslot {
	uint64_t hash;
	uint32_t off, len, gen;
};

struct kmerge_out {
	const jkey_spec *ks;
	lzio_writer *w;
	int unique, have_last;
	jkey_val last[JKEY_MAX];
	char *lastbuf;
	size_t lastcap;
	struct idslot *slots;
	size_t nslots, count;
	uint32_t gen;
	char *ids;
	size_t idlen, idcap;
	uint64_t dups;
};

kmerge_out *kmerge_out_new(const jkey_spec *ks, lzio_writer *w, int unique)
{
	kmerge_out *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->ks = ks;
	o->w = w;
	o->unique = unique;
	o->gen = 1;
	return o;
}

void kmerge_out_free(kmerge_out *o)
{
	if (!o)
		return;
	free(o->lastbuf);
	free(o->slots);
	free(o->ids);
	free(o);
}

uint64_t kmerge_out_dups(const kmerge_out *o) { return o->dups; }

int kmerge_out_cmp_last(const kmerge_out *o, const jkey_val *vals)
{
	return o->have_last ? jkey_cmp(o->ks, vals, o->last) : 1;
}

static void format_keys(const jkey_spec *ks, const jkey_val *v, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < ks->n && used + 1 < n; i++) {
		if (i)
			used += (size_t)snprintf(buf + used, n - used, ", ");
		if (used + 1 < n)
			jkey_format(&v[i], buf + used, n - used);
		used = strlen(buf);
	}
}

void kmerge_out_format_last(const kmerge_out *o, char *buf, size_t n)
{
	format_keys(o->ks, o->last, buf, n);
}

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h;
}

static int idset_grow(kmerge_out *o)
{
	size_t n = o->nslots ? o->nslots * 2 : 64;
	struct idslot *s = calloc(n, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < o->nslots; i++) {
		if (o->slots[i].gen != o->gen)
			continue;
		size_t j = o->slots[i].hash & (n - 1);
		while (s[j].gen == o->gen)
			j = (j + 1) & (n - 1);
		s[j] = o->slots[i];
	}
	free(o->slots);
	o->slots = s;
	o->nslots = n;
	return 0;
}

static void idset_reset(kmerge_out *o)
{
	o->count = 0;
	o->idlen = 0;
	if (++o->gen == 0) { /* wrapped: old slots could look current */
		if (o->slots)
			memset(o->slots, 0, o->nslots * sizeof *o->slots);
		o->gen = 1;
	}
}

/* Returns 1 if ID was added, 0 if it was there, -1 out of memory. */
static int idset_add(kmerge_out *o, const jkey_val *id)
{
	if ((o->count + 1) * 2 > o->nslots && idset_grow(o) != 0)
		return -1;
	uint64_t h = fnv1a(id->p, id->len);
	size_t j = h & (o->nslots - 1);
	for (; o->slots[j].gen == o->gen; j = (j + 1) & (o->nslots - 1)) {
		struct idslot *s = &o->slots[j];
		if (s->hash == h && s->len == id->len && memcmp(o->ids + s->off, id->p, id->len) == 0)
			return 0;
	}
	if (o->idlen + id->len > o->idcap) {
		size_t cap = o->idcap ? o->idcap : 4096;
		while (cap < o->idlen + id->len)
			cap *= 2;
		char *p = realloc(o->ids, cap);
		if (!p)
			return -1;
		o->ids = p;
		o->idcap = cap;
	}
	memcpy(o->ids + o->idlen, id->p, id->len);
	o->slots[j] = (struct idslot){ h, (uint32_t)o->idlen, id->len, o->gen };
	o->idlen += id->len;
	o->count++;
	return 1;
}

int kmerge_out_emit(kmerge_out *o, const char *line, size_t len, const jkey_val *vals)
{
	const jkey_spec *ks = o->ks;
	if (o->unique) {
		if (!o->have_last || jkey_cmp(ks, vals, o->last) != 0)
			idset_reset(o);
		const jkey_val *id = &vals[ks->n];
		if (id->type != JKEY_MISSING) {
			int a = idset_add(o, id);
			if (a < 0)
				return -2;
			if (a == 0) {
				o->dups++;
				return 0;
			}
		}
	}
	if (lzio_write(o->w, line, len) != 0 || lzio_write(o->w, "\n", 1) != 0)
		return -1;
	size_t need = jkey_copy_size(vals, ks->n);
	if (need > o->lastcap) {
		size_t cap = need < 256 ? 256 : need * 2;
		char *p = realloc(o->lastbuf, cap);
		if (!p)
			return -2;
		o->lastbuf = p;
		o->lastcap = cap;
	}
	jkey_copy(o->last, vals, ks->n, o->lastbuf);
	o->have_last = 1;
	return 1;
}

/* ---- merging ---- */

struct src {
	kmerge_reader *r;
	char *line;
	size_t len;
	jkey_val v[JKEY_MAX];
};

struct group {
	const struct kmerge_opts *o;
	struct src *src;
	size_t n;
	kmerge_heap *heap;
	kmerge_out *out;
};

static int src_cmp(void *ctx, size_t a, size_t b)
{
	const struct group *g = ctx;
	return jkey_cmp(g->o->keys, g->src[a].v, g->src[b].v);
}

/* One merge of N <= fanin inputs into W.  Reader statistics go to IN,
 * output ones to OUT. */
static int merge_group(const struct kmerge_opts *o, char *const *paths, size_t n, lzio_writer *w,
		       int unique, struct kmerge_stats *in, struct kmerge_stats *out, struct kmerge_err *err)
{
	struct group g = { o, calloc(n ? n : 1, sizeof(struct src)), n, NULL, NULL };
	int rc = -1;
	g.heap = kmerge_heap_new(n, src_cmp, &g);
	g.out = kmerge_out_new(o->keys, w, unique);
	if (!g.src || !g.heap || !g.out) {
		set_err(err, KMERGE_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct src *s = &g.src[i];
		s->r = kmerge_reader_open(o, paths[i], in, err);
		if (!s->r) {
			if (err->kind)
				goto out;
			continue; /* skipped by skip_bad */
		}
		int k = kmerge_next_doc(s->r, &s->line, &s->len, s->v, in, err);
		if (k < 0)
			goto out;
		if (k == 0) {
			kmerge_reader_close(s->r);
			s->r = NULL;
			continue;
		}
		kmerge_heap_push(g.heap, i);
	}
	while (kmerge_heap_size(g.heap) > 0) {
		struct src *s = &g.src[kmerge_heap_top(g.heap)];
		if (o->check_order && kmerge_out_cmp_last(g.out, s->v) < 0) {
			char now[256], before[256];
			format_keys(o->keys, s->v, now, sizeof now);
			kmerge_out_format_last(g.out, before, sizeof before);
			set_err(err, KMERGE_EDATA, "%s:%llu: out of order: key %s after %s (use --sort for unsorted input)",
				kmerge_reader_name(s->r), (unsigned long long)kmerge_reader_lineno(s->r), now, before);
			goto out;
		}
		int e = kmerge_out_emit(g.out, s->line, s->len, s->v);
		if (e == -1) {
			set_err(err, KMERGE_EIO, "write error: %s", strerror(errno));
			goto out;
		}
		if (e == -2) {
			set_err(err, KMERGE_ENOMEM, "out of memory");
			goto out;
		}
		if (e == 1) {
			out->lines_out++;
			out->bytes_out += s->len + 1;
		}
		int k = kmerge_next_doc(s->r, &s->line, &s->len, s->v, in, err);
		if (k < 0)
			goto out;
		if (k == 0) {
			/* Close at once: frees the fd and the buffers for the rest. */
			kmerge_reader_close(s->r);
			s->r = NULL;
			kmerge_heap_pop(g.heap);
		} else {
			kmerge_heap_update_top(g.heap);
		}
	}
	out->dups += kmerge_out_dups(g.out);
	rc = 0;
out:
	if (g.src)
		for (size_t i = 0; i < n; i++)
			kmerge_reader_close(g.src[i].r);
	free(g.src);
	kmerge_heap_free(g.heap);
	kmerge_out_free(g.out);
	return rc;
}

static void free_level(xsort_tmp *tmp, char **names, size_t n)
{
	if (!names)
		return;
	for (size_t i = 0; i < n; i++) {
		if (names[i])
			xsort_tmp_remove(tmp, names[i]);
		free(names[i]);
	}
	free(names);
}

/* Merges GROUP inputs into one new temp file whose name goes to *name. */
static int merge_to_tmp(const struct kmerge_opts *o, char *const *paths, size_t n, char **name,
			struct kmerge_stats *in, struct kmerge_stats *st, struct kmerge_err *err)
{
	char path[4096];
	struct kmerge_stats dummy = { 0 };
	int fd = xsort_tmp_create(o->tmp, path, sizeof path);
	if (fd < 0) {
		set_err(err, KMERGE_EIO, "cannot create a temporary file in %s: %s",
			xsort_tmp_dir(o->tmp), strerror(errno));
		return -1;
	}
	*name = strdup(path);
	lzio_writer *tw = lzio_writer_new(fd, 1, 0);
	int rc = -1;
	if (!*name || !tw) {
		set_err(err, KMERGE_ENOMEM, "out of memory");
		goto out;
	}
	if (merge_group(o, paths, n, tw, 0, in, &dummy, err) != 0)
		goto out;
	if (lzio_finish(tw) != 0) {
		set_err(err, KMERGE_EIO, "%s: write error: %s", path, strerror(errno));
		goto out;
	}
	st->tmp_bytes += lzio_written(tw);
	st->passes++;
	rc = 0;
out:
	lzio_writer_free(tw);
	if (close(fd) != 0 && rc == 0) {
		set_err(err, KMERGE_EIO, "%s: write error: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc != 0 && !*name)
		xsort_tmp_remove(o->tmp, path);
	return rc;
}

int kmerge_files(const struct kmerge_opts *o, char *const *paths, size_t n, lzio_writer *w,
		 struct kmerge_stats *st, struct kmerge_err *err)
{
	size_t fanin = o->fanin < 2 ? 2 : o->fanin;
	if (n <= fanin)
		return merge_group(o, paths, n, w, o->unique, st, st, err);
	if (!o->tmp) {
		set_err(err, KMERGE_EIO, "too many inputs for one pass and no temporary directory");
		return -1;
	}
	struct kmerge_stats dummy = { 0 };
	char *const *cur = paths;
	char **owned = NULL;
	size_t ncur = n;
	int rc = -1;
	while (ncur > fanin) {
		size_t ng = (ncur + fanin - 1) / fanin;
		char **next = calloc(ng, sizeof *next);
		if (!next) {
			set_err(err, KMERGE_ENOMEM, "out of memory");
			goto out;
		}
		for (size_t gi = 0; gi < ng; gi++) {
			size_t first = gi * fanin, cnt = ncur - first < fanin ? ncur - first : fanin;
			int k = merge_to_tmp(o, cur + first, cnt, &next[gi], owned ? &dummy : st, st, err);
			if (owned)
				for (size_t j = first; j < first + cnt; j++) {
					xsort_tmp_remove(o->tmp, owned[j]);
					free(owned[j]);
					owned[j] = NULL;
				}
			if (k != 0) {
				free_level(o->tmp, next, ng);
				goto out;
			}
		}
		log_msg(LOG_DETAILED, "merged %zu inputs into %zu temporary files", ncur, ng);
		free_level(o->tmp, owned, ncur);
		owned = next;
		cur = next;
		ncur = ng;
	}
	rc = merge_group(o, cur, ncur, w, o->unique, &dummy, st, err);
	st->bad_lines += dummy.bad_lines;
out:
	free_level(o->tmp, owned, ncur);
	return rc;
}
