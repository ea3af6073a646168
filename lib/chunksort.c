/* chunksort.c - a chunk's lines in time order under a memory budget, see chunksort.h. */
#include "chunksort.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errbuf.h"
#include "jkey.h"
#include "kmerge.h"
#include "lzio.h"
#include "osdl.h"

#define NO_TEXT UINT32_MAX
#define MAX_LINE_DEFAULT ((size_t)512 << 20)

/* One line in the arena: its place, and where its keys are inside it. */
struct rec {
	size_t off;          /* the line (followed by its '\n') in the arena */
	uint32_t len;        /* without the '\n' */
	uint32_t toff;       /* time value text, relative to the line; NO_TEXT */
	uint32_t idoff, idlen;
	jkey_val t;          /* p is not kept: the arena moves */
};

struct chunksort {
	struct chunksort_opts o;
	jkey_spec ks;        /* the time field, and _id */
	char *arena;
	size_t arena_len, arena_cap;
	size_t arena_mark;   /* bytes of the committed lines */
	struct rec *recs;
	size_t n, cap, ncommit;
	char **runs;
	size_t nruns, runcap;
	struct chunksort_stats st;
};

/* The full order of two lines, see chunksort.h. */
struct key {
	jkey_val t;
	const char *id, *line;
	size_t idlen, len;
};

static int bytes_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);
	if (c)
		return c;
	return na < nb ? -1 : na > nb;
}

static int key_cmp(const struct key *a, const struct key *b)
{
	int c = jkey_cmp_val(&a->t, &b->t, 0);
	if (c)
		return c;
	if ((c = bytes_cmp(a->id, a->idlen, b->id, b->idlen)))
		return c;
	return bytes_cmp(a->line, a->len, b->line, b->len);
}

static void rec_key(const char *base, const struct rec *r, struct key *k)
{
	const char *line = base + r->off;
	k->t = r->t;
	k->t.p = r->toff == NO_TEXT ? NULL : line + r->toff;
	k->id = line + r->idoff;
	k->idlen = r->idlen;
	k->line = line;
	k->len = r->len;
}

static int rec_cmp(const void *a, const void *b, void *base)
{
	struct key ka, kb;
	rec_key(base, a, &ka);
	rec_key(base, b, &kb);
	return key_cmp(&ka, &kb);
}

chunksort *chunksort_new(const struct chunksort_opts *o)
{
	if (!o->time_field || strlen(o->time_field) >= sizeof ((jkey_spec *)0)->path[0])
		return NULL;
	chunksort *cs = calloc(1, sizeof *cs);
	if (!cs)
		return NULL;
	cs->o = *o;
	if (!cs->o.memory)
		cs->o.memory = CHUNKSORT_MEMORY_DEFAULT;
	if (cs->o.memory < CHUNKSORT_MEMORY_MIN)
		cs->o.memory = CHUNKSORT_MEMORY_MIN;
	if (!cs->o.max_line)
		cs->o.max_line = MAX_LINE_DEFAULT;
	/* Set directly: jkey_spec_add() would read a ':' in the name as a
	 * direction. */
	cs->ks.n = 1;
	cs->ks.with_id = 1;
	strcpy(cs->ks.path[0], o->time_field);
	cs->o.time_field = cs->ks.path[0];
	return cs;
}

static void drop_runs(chunksort *cs)
{
	for (size_t i = 0; i < cs->nruns; i++) {
		tmpdir_remove(*cs->o.tmp, cs->runs[i]); /* runs exist: so does *tmp */
		free(cs->runs[i]);
	}
	cs->nruns = 0;
}

void chunksort_free(chunksort *cs)
{
	if (!cs)
		return;
	drop_runs(cs);
	free(cs->runs);
	free(cs->arena);
	free(cs->recs);
	free(cs);
}

void chunksort_reset(chunksort *cs)
{
	drop_runs(cs);
	cs->n = cs->ncommit = 0;
	cs->arena_len = cs->arena_mark = 0;
}

void chunksort_mark(chunksort *cs)
{
	cs->ncommit = cs->n;
	cs->arena_mark = cs->arena_len;
}

void chunksort_rewind(chunksort *cs)
{
	cs->n = cs->ncommit;
	cs->arena_len = cs->arena_mark;
}

/* Writes the lines of RECS[0..N) (sorted) as a new LZ4 run.  The run is
 * listed as soon as its file exists, so every exit path removes it.
 * Returns 0 or an exit code. */
static int write_run(chunksort *cs, const struct rec *recs, size_t n, char *err, size_t errlen)
{
	char path[4400];
	lzio_writer *w = NULL;
	int fd = -1, rc;
	if (!cs->o.tmp) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "no temporary directory to spill sorted runs into");
		goto out;
	}
	if (!*cs->o.tmp && !(*cs->o.tmp = tmpdir_new(cs->o.tmpdir, "osfetch"))) {
		const char *d = cs->o.tmpdir ? cs->o.tmpdir : getenv("TMPDIR");
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "cannot make a temporary directory in %s: %s",
				 d && *d ? d : "/tmp", strerror(errno));
		goto out;
	}
	if (cs->nruns == cs->runcap) {
		size_t cap = cs->runcap ? cs->runcap * 2 : 16;
		char **r = realloc(cs->runs, cap * sizeof *r);
		if (!r) {
			rc = errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
			goto out;
		}
		cs->runs = r;
		cs->runcap = cap;
	}
	if ((fd = tmpdir_create(*cs->o.tmp, path, sizeof path)) < 0) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "cannot create a temporary file in %s: %s",
				 tmpdir_path(*cs->o.tmp), strerror(errno));
		goto out;
	}
	if (!(cs->runs[cs->nruns] = strdup(path))) {
		tmpdir_remove(*cs->o.tmp, path);
		rc = errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
		goto out;
	}
	cs->nruns++;
	if (!(w = lzio_writer_new(fd, 1, 0))) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (lzio_write(w, cs->arena + recs[i].off, recs[i].len + 1) != 0)
			goto io;
	if (lzio_finish(w) != 0)
		goto io;
	cs->st.runs++;
	cs->st.spilled_bytes += lzio_written(w);
	rc = 0;
	goto out;
io:
	rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", path, strerror(errno));
out:
	lzio_writer_free(w);
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", path, strerror(errno));
	return rc;
}

/* Sorts and spills the committed lines; the uncommitted ones move to the
 * front of the arena.  Returns 0 or an exit code. */
static int spill(chunksort *cs, char *err, size_t errlen)
{
	size_t k = cs->ncommit;
	qsort_r(cs->recs, k, sizeof *cs->recs, rec_cmp, cs->arena);
	int rc = write_run(cs, cs->recs, k, err, errlen);
	if (rc != 0)
		return rc;
	size_t shift = cs->arena_mark;
	memmove(cs->arena, cs->arena + shift, cs->arena_len - shift);
	memmove(cs->recs, cs->recs + k, (cs->n - k) * sizeof *cs->recs);
	cs->n -= k;
	for (size_t i = 0; i < cs->n; i++)
		cs->recs[i].off -= shift;
	cs->arena_len -= shift;
	cs->ncommit = 0;
	cs->arena_mark = 0;
	return 0;
}

/* Room for one more line of LEN bytes and its record.  Returns 0 or an
 * exit code. */
static int make_room(chunksort *cs, size_t len, char *err, size_t errlen)
{
	int rc;
	if (cs->ncommit > 0 &&
	    cs->arena_len + len + (cs->n + 1) * sizeof *cs->recs > cs->o.memory &&
	    (rc = spill(cs, err, errlen)) != 0)
		return rc;
	if (cs->arena_len + len > cs->arena_cap) {
		size_t cap = cs->arena_cap ? cs->arena_cap : 256 * 1024;
		while (cap < cs->arena_len + len)
			cap *= 2;
		char *a = realloc(cs->arena, cap);
		if (!a)
			return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
		cs->arena = a;
		cs->arena_cap = cap;
	}
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 1024;
		struct rec *r = realloc(cs->recs, cap * sizeof *r);
		if (!r)
			return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
		cs->recs = r;
		cs->cap = cap;
	}
	return 0;
}

int chunksort_add(chunksort *cs, const char *prefix, size_t plen,
		  const char *body, size_t blen, char *err, size_t errlen)
{
	size_t len = plen + blen;
	jkey_val v[2];
	int rc;
	if (len < 2 || body[blen - 1] != '\n' || len - 1 >= NO_TEXT)
		return errbuf_fail(err, errlen, OSDL_EXIT_DATA, "document %llu: not one line of at most 4 GiB",
				   (unsigned long long)cs->st.lines + 1);
	if ((rc = make_room(cs, len, err, errlen)) != 0)
		return rc;
	char *line = cs->arena + cs->arena_len;
	memcpy(line, prefix, plen);
	memcpy(line + plen, body, blen);
	if (jkey_extract(&cs->ks, line, len - 1, v, err, errlen) != JKEY_OK)
		return errbuf_prefix(err, errlen, OSDL_EXIT_DATA, "document %llu: ",
				     (unsigned long long)cs->st.lines + 1);
	struct rec *r = &cs->recs[cs->n];
	r->off = cs->arena_len;
	r->len = (uint32_t)(len - 1);
	r->t = v[0];
	r->toff = v[0].p ? (uint32_t)(v[0].p - line) : NO_TEXT;
	r->t.p = NULL;
	r->idoff = v[1].p ? (uint32_t)(v[1].p - line) : 0;
	r->idlen = v[1].p ? v[1].len : 0;
	cs->n++;
	cs->arena_len += len;
	cs->st.lines++;
	if (!cs->o.paged)
		chunksort_mark(cs);
	return 0;
}

/* ---- merging the runs ---- */

struct merge {
	kmerge_reader **rd;
	char **line;
	size_t *len;
	jkey_val (*v)[2];
};

static int merge_cmp(void *ctx, size_t a, size_t b)
{
	struct merge *m = ctx;
	struct key ka = { m->v[a][0], m->v[a][1].p, m->line[a], m->v[a][1].len, m->len[a] };
	struct key kb = { m->v[b][0], m->v[b][1].p, m->line[b], m->v[b][1].len, m->len[b] };
	return key_cmp(&ka, &kb);
}

/* Merges runs [FIRST, FIRST+K) into EMIT.  Returns 0, -1 when EMIT failed
 * (ERR untouched), or an exit code. */
static int merge_runs(chunksort *cs, size_t first, size_t k, chunksort_emit emit, void *ud,
		      char *err, size_t errlen)
{
	struct kmerge_opts ko = { .keys = &cs->ks, .max_line = cs->o.max_line, .fanin = k,
				  .tmp = *cs->o.tmp };
	struct kmerge_stats kst = { 0 };
	struct merge m = { calloc(k, sizeof *m.rd), calloc(k, sizeof *m.line),
			   calloc(k, sizeof *m.len), calloc(k, sizeof *m.v) };
	heap *h = heap_new(k, merge_cmp, &m);
	int rc;
	if (!m.rd || !m.line || !m.len || !m.v || !h) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < k; i++) {
		if ((rc = kmerge_reader_open(&ko, cs->runs[first + i], &m.rd[i], &kst, err, errlen)) != 0 ||
		    (rc = kmerge_next_doc(m.rd[i], &m.line[i], &m.len[i], m.v[i], &kst, err, errlen)) != 0)
			goto out;
		if (m.line[i])
			heap_push(h, i);
	}
	while (heap_size(h) > 0) {
		size_t i = heap_top(h);
		if (emit(m.line[i], m.len[i], m.v[i], ud) != 0) {
			rc = -1;
			goto out;
		}
		if ((rc = kmerge_next_doc(m.rd[i], &m.line[i], &m.len[i], m.v[i], &kst, err, errlen)) != 0)
			goto out;
		if (m.line[i])
			heap_update_top(h);
		else
			heap_pop(h);
	}
	rc = 0;
out:
	for (size_t i = 0; m.rd && i < k; i++)
		kmerge_reader_close(m.rd[i]);
	heap_free(h);
	free(m.rd);
	free(m.line);
	free(m.len);
	free(m.v);
	return rc;
}

/* Emit callback of an intermediate pass: lines into a run writer (errno
 * says why it failed). */
static int to_writer(const char *line, size_t len, const jkey_val *keys, void *ud)
{
	lzio_writer *w = ud;
	return lzio_write(w, line, len) != 0 || lzio_write(w, "\n", 1) != 0 ? -1 : 0;
}

/* Merges the first K runs into one new run at the end.  Returns 0 or an
 * exit code. */
static int merge_pass(chunksort *cs, size_t k, char *err, size_t errlen)
{
	char path[4400];
	int fd = tmpdir_create(*cs->o.tmp, path, sizeof path);
	if (fd < 0)
		return errbuf_fail(err, errlen, OSDL_EXIT_IO, "cannot create a temporary file in %s: %s",
				   tmpdir_path(*cs->o.tmp), strerror(errno));
	char *p = strdup(path);
	lzio_writer *w = lzio_writer_new(fd, 1, 0);
	int rc;
	if (!p || !w) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
		goto out;
	}
	if ((rc = merge_runs(cs, 0, k, to_writer, w, err, errlen)) != 0) {
		if (rc < 0) /* to_writer's */
			rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (lzio_finish(w) != 0) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < k; i++) {
		tmpdir_remove(*cs->o.tmp, cs->runs[i]);
		free(cs->runs[i]);
	}
	memmove(cs->runs, cs->runs + k, (cs->nruns - k) * sizeof *cs->runs);
	cs->nruns -= k;
	cs->runs[cs->nruns++] = p; /* room: k >= 2 slots were freed */
	p = NULL;
	cs->st.passes++;
	rc = 0;
out:
	lzio_writer_free(w);
	if (close(fd) != 0 && rc == 0)
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", path, strerror(errno));
	if (p) {
		tmpdir_remove(*cs->o.tmp, p);
		free(p);
	}
	return rc;
}

int chunksort_finish(chunksort *cs, chunksort_emit emit, void *ud, char *err, size_t errlen)
{
	int rc = 0;
	chunksort_mark(cs);
	if (cs->nruns == 0) {
		if (cs->n > 0) /* no arena yet when empty */
			qsort_r(cs->recs, cs->n, sizeof *cs->recs, rec_cmp, cs->arena);
		for (size_t i = 0; i < cs->n; i++) {
			struct key k;
			rec_key(cs->arena, &cs->recs[i], &k);
			jkey_val kv[2] = { k.t, { k.id, (uint32_t)k.idlen, JKEY_STR, 0, 0 } };
			if (emit(k.line, k.len, kv, ud) != 0) {
				rc = -1;
				goto out;
			}
		}
		goto out;
	}
	if (cs->n > 0 && (rc = spill(cs, err, errlen)) != 0)
		goto out;
	/* The readers take the arena's place in the budget. */
	free(cs->arena);
	free(cs->recs);
	cs->arena = NULL;
	cs->recs = NULL;
	cs->arena_cap = cs->cap = 0;
	size_t fanin = cs->o.memory / (KMERGE_READER_BYTES + (64 << 10));
	if (fanin < 2)
		fanin = 2;
	while (cs->nruns > fanin)
		if ((rc = merge_pass(cs, fanin, err, errlen)) != 0)
			goto out;
	rc = merge_runs(cs, 0, cs->nruns, emit, ud, err, errlen);
out:
	chunksort_reset(cs);
	return rc;
}

void chunksort_stats(const chunksort *cs, struct chunksort_stats *st) { *st = cs->st; }
