/* kmerge.c - stable k-way merge of sorted NDJSON streams with bounded memory.
 *
 * (Over 600 lines: the reader, the output end and the merger with its
 * spill passes are the three layers of kmerge.h, used apart by xsort and
 * chunksort; the heap is heap.c, the temp files tmpdir.c.) */
#include "kmerge.h"
#include "fnv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"
#include "log.h"
#include "osdl.h"
#include "tmpdir.h"

#define DEFAULT_MAX_LINE OSDL_MAX_LINE
#define READ_BUF (128 * 1024)

/* ---- reading ---- */

struct kmerge_reader {
	const struct kmerge_opts *o;
	lzio_reader *lz;
	char *buf;
	size_t cap, start, end, scan; /* line starts at start; '\n' not in [start, scan) */
	size_t max_line;
	uint64_t lineno;
	int eof;
	int tagged;      /* a spill file: lines are "ORIGIN\tJSON", not counted */
	uint32_t origin; /* of the last line of a tagged file */
};

int kmerge_reader_open(const struct kmerge_opts *o, const char *path, kmerge_reader **rp,
		       struct kmerge_stats *st, char *err, size_t errlen)
{
	*rp = NULL;
	kmerge_reader *r = calloc(1, sizeof *r);
	if (!r)
		return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
	r->o = o;
	r->max_line = o->max_line ? o->max_line : DEFAULT_MAX_LINE;
	r->cap = READ_BUF;
	r->buf = malloc(r->cap);
	if (!r->buf) {
		free(r);
		return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
	}
	r->lz = lzio_open(path, 0);
	if (!r->lz) {
		int e = errno;
		free(r->buf);
		free(r);
		if (o->skip_bad && e != ENOMEM) {
			st->bad_files++;
			log_msg(LOG_BASIC, "%s: skipped: cannot open: %s", path, strerror(e));
			return 0;
		}
		return errbuf_fail(err, errlen, e == ENOMEM ? OSDL_EXIT_FAIL : OSDL_EXIT_IO, "%s: cannot open: %s",
				   strcmp(path, "-") == 0 ? "(stdin)" : path, strerror(e));
	}
	*rp = r;
	return 0;
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
		long n = lzio_read(r->lz, r->buf + r->end, r->cap - r->end - 1, NULL, 0);
		if (n < 0)
			return (int)n;
		if (n == 0)
			r->eof = 1;
		r->end += (size_t)n;
	}
}

int kmerge_next_doc(kmerge_reader *r, char **line, size_t *len, jkey_val *vals,
		    struct kmerge_stats *st, char *err, size_t errlen)
{
	const char *name = lzio_name(r->lz);
	for (;;) {
		int s = next_line(r, line, len);
		unsigned long long ln = (unsigned long long)r->lineno;
		if (s == LZIO_LINE) {
			char why[128];
			if (r->tagged) {
				char *tab = memchr(*line, '\t', *len);
				if (!tab)
					return errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s:%llu: damaged temporary file",
							   name, ln);
				r->origin = (uint32_t)strtoul(*line, NULL, 10);
				*len -= (size_t)(tab + 1 - *line);
				*line = tab + 1;
			}
			if (jkey_extract(r->o->keys, *line, *len, vals, why, sizeof why) == JKEY_OK) {
				if (!r->tagged) {
					st->lines_in++;
					st->bytes_in += *len + 1;
				}
				return 0;
			}
			if (r->o->skip_bad) {
				st->bad_lines++;
				log_msg(LOG_DETAILED, "%s:%llu: skipped: %s", name, ln, why);
				continue;
			}
			return errbuf_fail(err, errlen, OSDL_EXIT_DATA, "%s:%llu: %s", name, ln, why);
		}
		if (s == LZIO_EOF)
			break;
		if (s == LZIO_ERR_LONG) {
			if (r->o->skip_bad) {
				st->bad_lines++;
				log_msg(LOG_DETAILED, "%s:%llu: skipped: line longer than %zu bytes", name, ln, r->max_line);
				continue;
			}
			return errbuf_fail(err, errlen, OSDL_EXIT_DATA, "%s:%llu: line longer than %zu bytes (--max-line)",
					   name, ln, r->max_line);
		}
		if (s == LZIO_ERR_LZ4) {
			if (r->o->skip_bad) {
				st->bad_lines++;
				log_msg(LOG_DETAILED, "%s:%llu: skipped the rest: corrupt or truncated LZ4 frame", name, ln + 1);
				r->eof = 1;
				r->start = r->end = r->scan = 0;
				break;
			}
			return errbuf_fail(err, errlen, OSDL_EXIT_DATA, "%s:%llu: corrupt or truncated LZ4 frame",
					   name, ln + 1);
		}
		if (s == LZIO_ERR_NOMEM)
			return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "%s:%llu: out of memory", name, ln + 1);
		return errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: read error: %s", name, strerror(errno));
	}
	*line = NULL;
	*len = 0;
	return 0;
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
	uint64_t h = fnv1a64(FNV1A64_INIT, id->p, id->len);
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

/* Makes O's last key a copy of FROM's (so a spill continues the order check
 * where the main output stands).  Returns 0 or -1 out of memory. */
static int out_copy_last(kmerge_out *o, const kmerge_out *from)
{
	if (!from->have_last)
		return 0;
	size_t need = jkey_copy_size(from->last, o->ks->n);
	if (need > o->lastcap) {
		char *p = realloc(o->lastbuf, need);
		if (!p)
			return -1;
		o->lastbuf = p;
		o->lastcap = need;
	}
	jkey_copy(o->last, from->last, o->ks->n, o->lastbuf);
	o->have_last = 1;
	return 0;
}

static int out_emit(kmerge_out *o, long origin, const char *line, size_t len, const jkey_val *vals,
		    int *written, char *err, size_t errlen);

int kmerge_out_emit(kmerge_out *o, const char *line, size_t len, const jkey_val *vals, int *written,
		    char *err, size_t errlen)
{
	return out_emit(o, -1, line, len, vals, written, err, errlen);
}

/* ORIGIN >= 0 writes the line tagged for a spill file. */
static int out_emit(kmerge_out *o, long origin, const char *line, size_t len, const jkey_val *vals,
		    int *written, char *err, size_t errlen)
{
	*written = 0;
	const jkey_spec *ks = o->ks;
	if (o->unique) {
		if (!o->have_last || jkey_cmp(ks, vals, o->last) != 0)
			idset_reset(o);
		const jkey_val *id = &vals[ks->n];
		if (id->type != JKEY_MISSING) {
			int a = idset_add(o, id);
			if (a < 0)
				return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
			if (a == 0) {
				o->dups++;
				return 0;
			}
		}
	}
	if (origin >= 0) {
		char tag[24];
		int n = snprintf(tag, sizeof tag, "%ld\t", origin);
		if (lzio_write(o->w, tag, (size_t)n) != 0)
			return errbuf_fail(err, errlen, OSDL_EXIT_IO, "write error: %s", strerror(errno));
	}
	if (lzio_write(o->w, line, len) != 0 || lzio_write(o->w, "\n", 1) != 0)
		return errbuf_fail(err, errlen, OSDL_EXIT_IO, "write error: %s", strerror(errno));
	size_t need = jkey_copy_size(vals, ks->n);
	if (need > o->lastcap) {
		size_t cap = need < 256 ? 256 : need * 2;
		char *p = realloc(o->lastbuf, cap);
		if (!p)
			return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
		o->lastbuf = p;
		o->lastcap = cap;
	}
	jkey_copy(o->last, vals, ks->n, o->lastbuf);
	o->have_last = 1;
	*written = 1;
	return 0;
}

/* ---- merging ----
 *
 * Inputs are opened lazily: a first pass reads each input's first key and
 * closes it again; the merge then opens an input only when its first line
 * is the next one due.  Consecutive chunk files are therefore merged with
 * one or two files open, whatever their number.  Inputs that really
 * overlap are all open at once; when that would exceed fanin, the open
 * inputs of the lowest level are merged into one temporary "spill" file
 * (level + 1), which then stands for them.  That is a tree merge where it
 * is needed and nothing where it is not.  Spill lines carry the number of
 * the input they came from, so ties still come out in input order. */

struct input {
	const char *path;
	jkey_val first[JKEY_MAX]; /* first key, copied into firstbuf */
	char *firstbuf;
	int state;                /* IN_PENDING, IN_OPEN, IN_DONE */
};

enum { IN_PENDING, IN_OPEN, IN_DONE };

/* With sorted_keys < the number of keys, an input is read one run of equal
 * leading keys at a time; the run is copied here and sorted by all keys. */
struct rline {
	size_t off, len;    /* line in mem */
	jkey_val v[JKEY_MAX];
};

struct runbuf {
	char *mem;
	size_t used, cap;
	struct rline *recs, **order;
	size_t n, cap_recs, pos;
	struct rline next;  /* first line of the next run, at next_off in nextmem */
	char *nextmem;
	size_t nextcap;
	int have_next, eof;
};

struct slot {
	kmerge_reader *r;   /* NULL: free slot */
	char *line;
	size_t len;
	jkey_val v[JKEY_MAX];
	uint32_t origin;    /* input number of the current line */
	int level;          /* 0: an input; > 0: a spill file */
	char *tmppath;      /* spill file to remove when done */
	struct runbuf *run; /* run mode only */
};

struct merger {
	const struct kmerge_opts *o;
	struct kmerge_stats *st;
	char *err;          /* the caller's, for a failure's reason */
	size_t errlen;
	struct input *in;
	size_t n;
	size_t *pending;    /* inputs by (first key, number) */
	size_t npending, next_pending;
	struct slot *slot;
	size_t nslot;       /* fanin */
	heap *heap;
	kmerge_out *out;
	int run_mode;       /* only the first sorted_keys keys are sorted in inputs */
	jkey_spec lead;     /* those keys */
};

static int key_origin_cmp(const jkey_spec *ks, const jkey_val *a, uint32_t oa, const jkey_val *b, uint32_t ob)
{
	int c = jkey_cmp(ks, a, b);
	if (c)
		return c;
	return oa < ob ? -1 : oa > ob;
}

static int slot_cmp(void *ctx, size_t a, size_t b)
{
	const struct merger *m = ctx;
	return key_origin_cmp(m->o->keys, m->slot[a].v, m->slot[a].origin, m->slot[b].v, m->slot[b].origin);
}

static void runbuf_free(struct runbuf *b)
{
	if (!b)
		return;
	free(b->mem);
	free(b->recs);
	free(b->order);
	free(b->nextmem);
	free(b);
}

/* Copies a document (line and keys) to DST, its bytes at *mem + *used,
 * growing *mem; key pointers are stored relative to the line for now. */
static int copy_doc(char **mem, size_t *used, size_t *cap, struct rline *dst, int nv,
		    const char *line, size_t len, const jkey_val *v)
{
	if (*used + len + 1 > *cap) {
		size_t c = *cap ? *cap : 64 * 1024;
		while (c < *used + len + 1)
			c *= 2;
		char *p = realloc(*mem, c);
		if (!p)
			return -1;
		*mem = p;
		*cap = c;
	}
	memcpy(*mem + *used, line, len);
	(*mem)[*used + len] = '\0';
	dst->off = *used;
	dst->len = len;
	for (int i = 0; i < nv; i++) {
		dst->v[i] = v[i];
		dst->v[i].p = v[i].p ? (const char *)(uintptr_t)(v[i].p - line) : NULL;
	}
	*used += len + 1;
	return 0;
}

/* Turns the line-relative key pointers of copy_doc() into real ones. */
static void rebase(struct rline *r, const char *mem, int nv)
{
	for (int i = 0; i < nv; i++)
		if (r->v[i].p) /* a value never starts at offset 0 of its line */
			r->v[i].p = mem + r->off + (uintptr_t)r->v[i].p;
}

static int rline_cmp(const void *a, const void *b, void *ctx)
{
	const struct rline *x = *(struct rline *const *)a, *y = *(struct rline *const *)b;
	int c = jkey_cmp(ctx, x->v, y->v);
	return c ? c : x < y ? -1 : x > y; /* stable: records are in input order */
}

/* Keeps LINE as the first line of the next run (in nextmem). */
static int set_next(struct runbuf *b, int nv, const char *line, size_t len, const jkey_val *v)
{
	size_t u = 0;
	if (copy_doc(&b->nextmem, &u, &b->nextcap, &b->next, nv, line, len, v) != 0)
		return -1;
	rebase(&b->next, b->nextmem, nv);
	b->have_next = 1;
	return 0;
}

static int add_rec(struct runbuf *b, int nv, const char *line, size_t len, const jkey_val *v)
{
	if (b->n == b->cap_recs) {
		size_t c = b->cap_recs ? b->cap_recs * 2 : 64;
		struct rline *r = realloc(b->recs, c * sizeof *r);
		if (!r)
			return -1;
		b->recs = r;
		struct rline **o = realloc(b->order, c * sizeof *o);
		if (!o)
			return -1;
		b->order = o;
		b->cap_recs = c;
	}
	if (copy_doc(&b->mem, &b->used, &b->cap, &b->recs[b->n], nv, line, len, v) != 0)
		return -1;
	b->n++;
	return 0;
}

/* Reads the next run of equal leading keys of S into its buffer, sorted by
 * all keys; at the end of input the buffer stays empty (b->n 0).  Returns 0
 * or an exit code.  Memory: the longest run. */
static int fill_run(struct merger *m, struct slot *s)
{
	struct runbuf *b = s->run;
	int nv = jkey_nvals(m->o->keys), rc;
	char *line;
	size_t len;
	jkey_val v[JKEY_MAX];
	b->used = b->n = b->pos = 0;
	if (!b->have_next) {
		if (b->eof)
			return 0;
		if ((rc = kmerge_next_doc(s->r, &line, &len, v, m->st, m->err, m->errlen)) != 0)
			return rc;
		if (!line)
			return 0;
		if (set_next(b, nv, line, len, v) != 0)
			goto nomem;
	}
	/* The run's leading keys are those of the lookahead, valid in nextmem
	 * until the next lookahead replaces it at the end of the run. */
	if (add_rec(b, nv, b->nextmem, b->next.len, b->next.v) != 0)
		goto nomem;
	b->have_next = 0;
	for (;;) {
		if ((rc = kmerge_next_doc(s->r, &line, &len, v, m->st, m->err, m->errlen)) != 0)
			return rc;
		if (!line) {
			b->eof = 1;
			break;
		}
		int c = jkey_cmp(&m->lead, v, b->next.v);
		if (c < 0) {
			char now[256], before[256];
			format_keys(&m->lead, v, now, sizeof now);
			format_keys(&m->lead, b->next.v, before, sizeof before);
			return errbuf_fail(m->err, m->errlen, OSDL_EXIT_DATA,
					   "%s:%llu: out of order: key %s after %s (use --sort for unsorted input)",
					   kmerge_reader_name(s->r), (unsigned long long)kmerge_reader_lineno(s->r),
					   now, before);
		}
		if (c > 0) {
			if (set_next(b, nv, line, len, v) != 0)
				goto nomem;
			break;
		}
		if (add_rec(b, nv, line, len, v) != 0)
			goto nomem;
	}
	for (size_t i = 0; i < b->n; i++) {
		rebase(&b->recs[i], b->mem, nv);
		b->order[i] = &b->recs[i];
	}
	if (b->n > 1)
		qsort_r(b->order, b->n, sizeof *b->order, rline_cmp, (void *)m->o->keys);
	return 0;
nomem:
	return errbuf_fail(m->err, m->errlen, OSDL_EXIT_FAIL, "out of memory");
}

/* Reads the slot's next document; at the end of its input the slot is
 * closed and freed (s->r NULL).  Returns 0 or an exit code. */
static int slot_advance(struct merger *m, struct slot *s)
{
	int rc, more;
	if (s->run) {
		struct runbuf *b = s->run;
		if (b->pos >= b->n && (rc = fill_run(m, s)) != 0)
			return rc;
		more = b->pos < b->n;
		if (more) {
			struct rline *r = b->order[b->pos++];
			s->line = b->mem + r->off;
			s->len = r->len;
			memcpy(s->v, r->v, sizeof(jkey_val) * (size_t)jkey_nvals(m->o->keys));
		}
	} else {
		if ((rc = kmerge_next_doc(s->r, &s->line, &s->len, s->v, m->st, m->err, m->errlen)) != 0)
			return rc;
		more = s->line != NULL;
	}
	if (more) {
		if (s->r->tagged)
			s->origin = s->r->origin;
		return 0;
	}
	runbuf_free(s->run);
	s->run = NULL;
	kmerge_reader_close(s->r);
	s->r = NULL;
	if (s->tmppath) {
		tmpdir_remove(m->o->tmp, s->tmppath);
		free(s->tmppath);
		s->tmppath = NULL;
	}
	return 0;
}

static struct slot *free_slot(struct merger *m)
{
	for (size_t i = 0; i < m->nslot; i++)
		if (!m->slot[i].r)
			return &m->slot[i];
	return NULL;
}

static size_t open_slots(const struct merger *m)
{
	size_t k = 0;
	for (size_t i = 0; i < m->nslot; i++)
		k += m->slot[i].r != NULL;
	return k;
}

/* Output of one document into OUT, with the order check.  Returns 0 or an
 * exit code. */
static int emit(struct merger *m, kmerge_out *out, long tag, struct slot *s, struct kmerge_stats *ost)
{
	if (m->o->check_order && kmerge_out_cmp_last(out, s->v) < 0) {
		char now[256], before[256];
		format_keys(m->o->keys, s->v, now, sizeof now);
		kmerge_out_format_last(out, before, sizeof before);
		return errbuf_fail(m->err, m->errlen, OSDL_EXIT_DATA,
				   "%s:%llu: out of order: key %s after %s (use --sort for unsorted input)",
				   kmerge_reader_name(s->r), (unsigned long long)kmerge_reader_lineno(s->r),
				   now, before);
	}
	int written, rc = out_emit(out, tag, s->line, s->len, s->v, &written, m->err, m->errlen);
	if (rc)
		return rc;
	if (written && ost) {
		ost->lines_out++;
		ost->bytes_out += s->len + 1;
	}
	return 0;
}

/* Merges the open slots of the lowest levels (at least two slots) into one
 * tagged spill file, which takes one of their slots.  Returns 0 or an exit
 * code. */
static int spill(struct merger *m)
{
	int rc, level = 0;
	size_t *sel = malloc(m->nslot * sizeof *sel), ns = 0;
	char path[4096];
	if (!sel)
		return errbuf_fail(m->err, m->errlen, OSDL_EXIT_FAIL, "out of memory");
	heap *h = NULL;
	kmerge_out *out = NULL;
	lzio_writer *w = NULL;
	int fd = -1;
	for (int lim = 0; ns < 2; lim++) {
		ns = 0;
		for (size_t i = 0; i < m->nslot; i++)
			if (m->slot[i].r && m->slot[i].level <= lim) {
				sel[ns++] = i;
				if (m->slot[i].level + 1 > level)
					level = m->slot[i].level + 1;
			}
	}
	char *name = NULL;
	if ((fd = tmpdir_create(m->o->tmp, path, sizeof path)) < 0) {
		rc = errbuf_fail(m->err, m->errlen, OSDL_EXIT_IO, "cannot create a temporary file in %s: %s",
				 tmpdir_path(m->o->tmp), strerror(errno));
		goto fail;
	}
	name = strdup(path);
	w = lzio_writer_new(fd, 1, 0);
	out = kmerge_out_new(m->o->keys, w, 0);
	h = heap_new(m->nslot, slot_cmp, m);
	if (!name || !w || !out || !h || out_copy_last(out, m->out) != 0) {
		rc = errbuf_fail(m->err, m->errlen, OSDL_EXIT_FAIL, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < ns; i++)
		heap_push(h, sel[i]);
	while (heap_size(h)) {
		struct slot *s = &m->slot[heap_top(h)];
		if ((rc = emit(m, out, s->origin, s, NULL)) != 0 || (rc = slot_advance(m, s)) != 0)
			goto fail;
		if (!s->r)
			heap_pop(h);
		else
			heap_update_top(h);
	}
	if (lzio_finish(w) != 0 || close(fd) != 0) {
		fd = -1;
		rc = errbuf_fail(m->err, m->errlen, OSDL_EXIT_IO, "%s: write error: %s", path, strerror(errno));
		goto fail;
	}
	fd = -1;
	m->st->tmp_bytes += lzio_written(w);
	m->st->passes++;
	log_msg(LOG_DETAILED, "merged %zu open inputs into a level %d temporary file", ns, level);
	struct slot *s = free_slot(m);
	if ((rc = kmerge_reader_open(m->o, name, &s->r, m->st, m->err, m->errlen)) != 0)
		goto fail;
	if (!s->r) { /* skip_bad skipped our own file: its lines would be lost */
		rc = errbuf_fail(m->err, m->errlen, OSDL_EXIT_FAIL, "%s: temporary file lost", name);
		goto fail;
	}
	s->r->tagged = 1;
	s->level = level;
	s->tmppath = name;
	name = NULL;
	if ((rc = slot_advance(m, s)) != 0)
		goto fail;
	heap_free(h);
	h = NULL;
	heap_clear(m->heap); /* its drained slots are gone: rebuild */
	for (size_t i = 0; i < m->nslot; i++)
		if (m->slot[i].r)
			heap_push(m->heap, i);
	rc = 0;
fail:
	free(sel);
	if (name) {
		tmpdir_remove(m->o->tmp, name);
		free(name);
	} else if (fd >= 0) {
		tmpdir_remove(m->o->tmp, path);
	}
	if (fd >= 0)
		close(fd);
	lzio_writer_free(w);
	kmerge_out_free(out);
	heap_free(h);
	return rc;
}

/* Opens pending input I into a free slot (spilling first if none is free)
 * and reads its first document.  Returns 0 or an exit code. */
static int admit(struct merger *m, size_t i)
{
	int rc;
	if (open_slots(m) >= m->nslot && (rc = spill(m)) != 0)
		return rc;
	struct slot *s = free_slot(m);
	if ((rc = kmerge_reader_open(m->o, m->in[i].path, &s->r, m->st, m->err, m->errlen)) != 0)
		return rc;
	if (!s->r) {
		m->in[i].state = IN_DONE; /* vanished since the first look; skip_bad */
		return 0;
	}
	s->origin = (uint32_t)i;
	s->level = 0;
	if (m->run_mode && !(s->run = calloc(1, sizeof *s->run)))
		return errbuf_fail(m->err, m->errlen, OSDL_EXIT_FAIL, "out of memory");
	if ((rc = slot_advance(m, s)) != 0)
		return rc;
	m->in[i].state = s->r ? IN_OPEN : IN_DONE;
	if (s->r)
		heap_push(m->heap, (size_t)(s - m->slot));
	return 0;
}

static int pending_cmp(const void *a, const void *b, void *ctx)
{
	const struct merger *m = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return key_origin_cmp(m->o->keys, m->in[x].first, (uint32_t)x, m->in[y].first, (uint32_t)y);
}

/* First pass: each input's first key.  Stdin, pipes, FIFOs and devices
 * cannot be read twice, so they stay open (in a slot) from here on.
 * Returns 0 or an exit code. */
static int first_keys(struct merger *m)
{
	struct kmerge_stats scratch = { 0 };
	int nv = jkey_nvals(m->o->keys), rc;
	for (size_t i = 0; i < m->n; i++) {
		struct input *in = &m->in[i];
		struct stat sb;
		int is_stdin = strcmp(in->path, "-") == 0 ||
			       (stat(in->path, &sb) == 0 && !S_ISREG(sb.st_mode));
		struct kmerge_stats *st = is_stdin ? m->st : &scratch;
		if (is_stdin && open_slots(m) >= m->nslot) {
			if (!m->o->tmp)
				return errbuf_fail(m->err, m->errlen, OSDL_EXIT_IO, "too many pipes among the inputs");
			if ((rc = spill(m)) != 0)
				return rc;
		}
		kmerge_reader *r;
		if ((rc = kmerge_reader_open(m->o, in->path, &r, m->st, m->err, m->errlen)) != 0)
			return rc;
		if (!r) {
			in->state = IN_DONE;
			continue;
		}
		char *line;
		size_t len;
		jkey_val v[JKEY_MAX];
		uint64_t bad0 = scratch.bad_lines;
		if ((rc = kmerge_next_doc(r, &line, &len, v, st, m->err, m->errlen)) != 0) {
			kmerge_reader_close(r);
			return rc;
		}
		if (!line) {
			m->st->bad_lines += scratch.bad_lines - bad0; /* never read again */
			kmerge_reader_close(r);
			in->state = IN_DONE;
			continue;
		}
		if (is_stdin) {
			struct slot *s = free_slot(m);
			s->r = r;
			s->line = line;
			s->len = len;
			memcpy(s->v, v, sizeof(jkey_val) * (size_t)nv);
			s->origin = (uint32_t)i;
			in->state = IN_OPEN;
			if (m->run_mode) { /* the line read becomes the first of a run */
				if (!(s->run = calloc(1, sizeof *s->run)) || set_next(s->run, nv, line, len, v) != 0)
					return errbuf_fail(m->err, m->errlen, OSDL_EXIT_FAIL, "out of memory");
				if ((rc = slot_advance(m, s)) != 0)
					return rc;
			}
			heap_push(m->heap, (size_t)(s - m->slot));
			continue;
		}
		if (!(in->firstbuf = malloc(jkey_copy_size(v, nv) + 1))) {
			kmerge_reader_close(r);
			return errbuf_fail(m->err, m->errlen, OSDL_EXIT_FAIL, "out of memory");
		}
		jkey_copy(in->first, v, nv, in->firstbuf);
		kmerge_reader_close(r);
		m->pending[m->npending++] = i;
	}
	qsort_r(m->pending, m->npending, sizeof *m->pending, pending_cmp, m);
	return 0;
}

int kmerge_files(const struct kmerge_opts *o, char *const *paths, size_t n, lzio_writer *w,
		 struct kmerge_stats *st, char *err, size_t errlen)
{
	struct merger m = { 0 };
	int rc;
	m.o = o;
	m.st = st;
	m.err = err;
	m.errlen = errlen;
	m.n = n;
	m.nslot = o->fanin < 2 ? 2 : o->fanin;
	m.in = calloc(n ? n : 1, sizeof *m.in);
	m.pending = calloc(n ? n : 1, sizeof *m.pending);
	m.slot = calloc(m.nslot, sizeof *m.slot);
	m.heap = heap_new(m.nslot, slot_cmp, &m);
	m.out = kmerge_out_new(o->keys, w, o->unique);
	if (!m.in || !m.pending || !m.slot || !m.heap || !m.out) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		m.in[i].path = paths[i];
	m.run_mode = o->sorted_keys > 0 && o->sorted_keys < o->keys->n;
	m.lead = *o->keys;
	if (m.run_mode)
		m.lead.n = o->sorted_keys;
	if ((rc = first_keys(&m)) != 0)
		goto out;
	for (;;) {
		/* Open every input whose first line is due before the current top. */
		while (m.next_pending < m.npending) {
			size_t i = m.pending[m.next_pending];
			if (heap_size(m.heap)) {
				const struct slot *t = &m.slot[heap_top(m.heap)];
				/* In run mode an input's first run may hold smaller keys
				 * than its first line: admit on the leading keys. */
				int c = m.run_mode ? (jkey_cmp(&m.lead, m.in[i].first, t->v) > 0)
						   : key_origin_cmp(o->keys, m.in[i].first, (uint32_t)i, t->v, t->origin) > 0;
				if (c)
					break;
			}
			if (o->tmp == NULL && open_slots(&m) >= m.nslot) {
				rc = errbuf_fail(err, errlen, OSDL_EXIT_IO,
						 "too many overlapping inputs and no temporary directory");
				goto out;
			}
			if ((rc = admit(&m, i)) != 0)
				goto out;
			m.next_pending++;
		}
		if (!heap_size(m.heap))
			break;
		struct slot *s = &m.slot[heap_top(m.heap)];
		if ((rc = emit(&m, m.out, -1, s, st)) != 0 || (rc = slot_advance(&m, s)) != 0)
			goto out;
		if (!s->r)
			heap_pop(m.heap);
		else
			heap_update_top(m.heap);
	}
	st->dups += kmerge_out_dups(m.out);
	rc = 0;
out:
	if (m.slot)
		for (size_t i = 0; i < m.nslot; i++) {
			kmerge_reader_close(m.slot[i].r);
			runbuf_free(m.slot[i].run);
			if (m.slot[i].tmppath) {
				tmpdir_remove(o->tmp, m.slot[i].tmppath);
				free(m.slot[i].tmppath);
			}
		}
	if (m.in)
		for (size_t i = 0; i < n; i++)
			free(m.in[i].firstbuf);
	free(m.in);
	free(m.pending);
	free(m.slot);
	heap_free(m.heap);
	kmerge_out_free(m.out);
	return rc;
}
