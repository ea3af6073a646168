/* xsort.c - external merge sort of NDJSON lines under a memory budget. */
#include "xsort.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errbuf.h"
#include "log.h"
#include "osdl.h"
#include "tmpdir.h"

/* ---- sorting ---- */

/* A line in the arena and its keys (pointing into the arena copy). */
struct rec {
	const char *line;
	size_t len;
	jkey_val v[];
};

/* Lines grow from the front of the arena, records from the back; the gap
 * between them always keeps two pointers per record for the sort. */
struct sorter {
	const struct xsort_opts *o;
	char *arena;
	size_t size, lo, hi, nrec, recsize;
	char **runs;
	size_t nruns, runcap;
	struct kmerge_stats *st;
	char *err;
	size_t errlen;
};

#define ALIGN8(x) (((x) + 7) & ~(size_t)7)

static void msort(struct rec **a, struct rec **tmp, size_t n, const jkey_spec *ks)
{
	if (n <= 12) {
		for (size_t i = 1; i < n; i++) {
			struct rec *x = a[i];
			size_t j = i;
			while (j > 0 && jkey_cmp(ks, a[j - 1]->v, x->v) > 0) {
				a[j] = a[j - 1];
				j--;
			}
			a[j] = x;
		}
		return;
	}
	size_t h = n / 2;
	msort(a, tmp, h, ks);
	msort(a + h, tmp, n - h, ks);
	if (jkey_cmp(ks, a[h - 1]->v, a[h]->v) <= 0)
		return; /* already in order: sorted input costs one compare here */
	memcpy(tmp, a, h * sizeof *a);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		a[k++] = jkey_cmp(ks, tmp[i]->v, a[j]->v) <= 0 ? tmp[i++] : a[j++];
	while (i < h)
		a[k++] = tmp[i++];
}

/* Sorts the arena's records; returns the sorted pointer array (in the gap). */
static struct rec **sort_arena(struct sorter *s)
{
	struct rec **p = (struct rec **)(s->arena + ALIGN8(s->lo));
	struct rec **tmp = p + s->nrec;
	for (size_t k = 0; k < s->nrec; k++)
		p[k] = (struct rec *)(s->arena + s->size - (k + 1) * s->recsize);
	msort(p, tmp, s->nrec, s->o->m.keys);
	return p;
}

/* Writes the arena as one sorted LZ4 run file and empties it.  Returns 0
 * or an exit code. */
static int spill(struct sorter *s)
{
	char path[4096];
	struct rec **p = sort_arena(s);
	if (s->nruns == s->runcap) {
		size_t cap = s->runcap ? s->runcap * 2 : 16;
		char **r = realloc(s->runs, cap * sizeof *r);
		if (!r)
			return errbuf_fail(s->err, s->errlen, OSDL_EXIT_FAIL, "out of memory");
		s->runs = r;
		s->runcap = cap;
	}
	int fd = tmpdir_create(s->o->m.tmp, path, sizeof path);
	if (fd < 0)
		return errbuf_fail(s->err, s->errlen, OSDL_EXIT_IO, "cannot create a temporary file in %s: %s",
				   tmpdir_path(s->o->m.tmp), strerror(errno));
	s->runs[s->nruns] = strdup(path);
	if (!s->runs[s->nruns]) {
		tmpdir_remove(s->o->m.tmp, path);
		close(fd);
		return errbuf_fail(s->err, s->errlen, OSDL_EXIT_FAIL, "out of memory");
	}
	s->nruns++;
	lzio_writer *w = lzio_writer_new(fd, 1, 0);
	int rc;
	if (!w) {
		rc = errbuf_fail(s->err, s->errlen, OSDL_EXIT_FAIL, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < s->nrec; k++)
		if (lzio_write(w, p[k]->line, p[k]->len) != 0 || lzio_write(w, "\n", 1) != 0)
			goto werr;
	if (lzio_finish(w) != 0)
		goto werr;
	s->st->tmp_bytes += lzio_written(w);
	s->st->runs++;
	log_msg(LOG_DETAILED, "sorted run %zu: %zu lines", s->nruns, s->nrec);
	s->lo = s->nrec = 0;
	s->hi = s->size;
	rc = 0;
	goto out;
werr:
	rc = errbuf_fail(s->err, s->errlen, OSDL_EXIT_IO, "%s: write error: %s", path, strerror(errno));
out:
	lzio_writer_free(w);
	if (close(fd) != 0 && rc == 0)
		rc = errbuf_fail(s->err, s->errlen, OSDL_EXIT_IO, "%s: write error: %s", path, strerror(errno));
	return rc;
}

/* Returns 0 or an exit code. */
static int add_line(struct sorter *s, const char *line, size_t len, const jkey_val *v)
{
	int nv = jkey_nvals(s->o->m.keys), rc;
	/* After this line: lines, then 2 sort pointers per record, then records. */
	size_t need = ALIGN8(len) + s->recsize + (s->nrec + 1) * 2 * sizeof(void *);
	if (s->lo + need > s->hi) {
		if (s->nrec == 0)
			return errbuf_fail(s->err, s->errlen, OSDL_EXIT_DATA,
					   "a line of %zu bytes does not fit in --memory", len);
		if ((rc = spill(s)) != 0)
			return rc;
	}
	char *dst = s->arena + s->lo;
	memcpy(dst, line, len);
	s->hi -= s->recsize;
	struct rec *r = (struct rec *)(s->arena + s->hi);
	r->line = dst;
	r->len = len;
	for (int i = 0; i < nv; i++) {
		r->v[i] = v[i];
		if (v[i].p) /* values point into the line: rebase onto the copy */
			r->v[i].p = dst + (v[i].p - line);
	}
	s->lo += ALIGN8(len);
	s->nrec++;
	return 0;
}

int xsort_files(const struct xsort_opts *o, char *const *paths, size_t n, lzio_writer *w,
		struct kmerge_stats *st, char *err, size_t errlen)
{
	struct sorter s = { 0 };
	kmerge_reader *r = NULL;
	kmerge_out *out = NULL;
	int rc;
	int nv = jkey_nvals(o->m.keys);
	/* The reader and the writer live outside the arena. */
	size_t overhead = KMERGE_READER_BYTES + 768 * 1024;
	s.o = o;
	s.st = st;
	s.err = err;
	s.errlen = errlen;
	s.size = o->memory > overhead + (1u << 20) ? o->memory - overhead : 1u << 20;
	s.size &= ~(size_t)7;
	s.hi = s.size;
	s.recsize = ALIGN8(sizeof(struct rec) + (size_t)nv * sizeof(jkey_val));
	s.arena = malloc(s.size);
	if (!s.arena) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "cannot allocate %zu bytes of --memory", s.size);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = kmerge_reader_open(&o->m, paths[i], &r, st, err, errlen)) != 0)
			goto out;
		if (!r)
			continue; /* unreadable, skip_bad */
		for (;;) {
			char *line;
			size_t len;
			jkey_val v[JKEY_MAX];
			if ((rc = kmerge_next_doc(r, &line, &len, v, st, err, errlen)) != 0)
				goto out;
			if (!line)
				break;
			if ((rc = add_line(&s, line, len, v)) != 0)
				goto out;
		}
		kmerge_reader_close(r);
		r = NULL;
	}
	if (s.nruns == 0) {
		/* Everything fit: straight from the arena to the output. */
		struct rec **p = sort_arena(&s);
		out = kmerge_out_new(o->m.keys, w, o->m.unique);
		if (!out) {
			rc = errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
			goto out;
		}
		for (size_t k = 0; k < s.nrec; k++) {
			int written;
			if ((rc = kmerge_out_emit(out, p[k]->line, p[k]->len, p[k]->v, &written, err, errlen)))
				goto out;
			if (written) {
				st->lines_out++;
				st->bytes_out += p[k]->len + 1;
			}
		}
		st->dups += kmerge_out_dups(out);
		rc = 0;
		goto out;
	}
	if (s.nrec && (rc = spill(&s)) != 0)
		goto out;
	/* The runs are merged with the arena freed, so fanin readers fit. */
	free(s.arena);
	s.arena = NULL;
	struct kmerge_opts mo = o->m;
	struct kmerge_stats ms = { 0 };
	mo.check_order = 1; /* runs are sorted: this only double-checks */
	mo.skip_bad = 0;
	mo.sorted_keys = 0; /* runs are sorted by all keys */
	rc = kmerge_files(&mo, s.runs, s.nruns, w, &ms, err, errlen);
	st->lines_out += ms.lines_out;
	st->bytes_out += ms.bytes_out;
	st->dups += ms.dups;
	st->passes += ms.passes;
	st->tmp_bytes += ms.tmp_bytes;
out:
	kmerge_reader_close(r);
	kmerge_out_free(out);
	free(s.arena);
	for (size_t i = 0; i < s.nruns; i++) {
		tmpdir_remove(o->m.tmp, s.runs[i]);
		free(s.runs[i]);
	}
	free(s.runs);
	return rc;
}
