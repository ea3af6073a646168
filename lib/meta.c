/* meta.c - chunk sidecars read and summed for scripts, see meta.h. */
#include "meta.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_tree.h>

#include "errbuf.h"
#include "osdl.h"

/* A sidecar is one line: its numbers, and the column statistics of the
 * chunk (colstats.h: at most 256 KiB of dictionary per column).  A file
 * past this is not ours. */
#define META_MAX ((size_t)64 << 20)

static uint64_t num_u(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);
	if (!v)
		return 0;
	return YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) > 0 ? (uint64_t)YAJL_GET_INTEGER(v) : 0;
}

static double num_d(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);
	return v ? YAJL_GET_DOUBLE(v) : 0.0;
}

static void str(yajl_val root, const char *key, char *buf, size_t n)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);
	snprintf(buf, n, "%s", v ? YAJL_GET_STRING(v) : "");
	for (char *s = buf; *s; s++)
		if (*s == '\t' || *s == '\n' || *s == '\r')
			*s = ' '; /* never breaks a line of the script formats */
}

int meta_read_text(const char *chunk_path, char **text, double *mtime, char *err, size_t errlen)
{
	char mpath[4096 + 8];
	struct stat st;
	*text = NULL;
	if (snprintf(mpath, sizeof mpath, "%s.meta", chunk_path) >= (int)sizeof mpath)
		return errbuf_fail(err, errlen, -1, "%s: name too long", chunk_path);
	if (stat(chunk_path, &st) != 0 || stat(mpath, &st) != 0)
		return 0;
	if (mtime)
		*mtime = (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9;
	if ((size_t)st.st_size > META_MAX)
		return errbuf_fail(err, errlen, -1, "%s: too long for a sidecar", mpath);
	FILE *f = fopen(mpath, "r");
	if (!f)
		return errno == ENOENT ? 0 : errbuf_fail(err, errlen, -1, "%s: %s", mpath, strerror(errno));
	char *t = malloc((size_t)st.st_size + 1);
	if (!t) {
		fclose(f);
		return errbuf_fail(err, errlen, -1, "out of memory");
	}
	size_t n = fread(t, 1, (size_t)st.st_size, f);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(t);
		return errbuf_fail(err, errlen, -1, "%s: read error", mpath);
	}
	t[n] = '\0';
	*text = t;
	return 0;
}

int meta_read(const char *chunk_path, struct meta *m, char *err, size_t errlen)
{
	char perr[256];
	char *text;
	memset(m, 0, sizeof *m);
	if (meta_read_text(chunk_path, &text, &m->mtime, err, errlen))
		return -1;
	if (!text)
		return 0;
	yajl_val root = yajl_tree_parse(text, perr, sizeof perr);
	free(text);
	if (!root || !YAJL_IS_OBJECT(root)) {
		yajl_tree_free(root);
		return errbuf_fail(err, errlen, -1, "%s.meta: not a sidecar (invalid JSON)", chunk_path);
	}
	m->published = 1;
	m->docs = num_u(root, "docs");
	m->server_total = (int64_t)num_u(root, "server_total");
	m->bytes = num_u(root, "bytes");
	m->compressed_bytes = num_u(root, "compressed_bytes");
	m->pages = num_u(root, "pages");
	m->retries = num_u(root, "retries");
	m->restarts = num_u(root, "restarts");
	m->seconds = num_d(root, "seconds");
	m->peak_rss_kb = (long)num_u(root, "peak_rss_kb");
	str(root, "engine", m->engine, sizeof m->engine);
	str(root, "method", m->method, sizeof m->method);
	str(root, "fetched_at", m->fetched_at, sizeof m->fetched_at);
	yajl_tree_free(root);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct totals {
	uint64_t chunks, published, newer, docs, server_total, bytes, compressed, retries, restarts;
	double seconds;
	long peak;
	char engine[64];
	uint64_t *docs_each; /* per published chunk, for min, median, max */
	size_t cap;
};

static int add(struct totals *t, const struct meta *m, const struct meta_summary_opts *o)
{
	t->chunks++;
	if (!m->published)
		return 0;
	if (t->published == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 1024;
		uint64_t *d = realloc(t->docs_each, cap * sizeof *d);
		if (!d)
			return -1;
		t->docs_each = d;
		t->cap = cap;
	}
	t->docs_each[t->published++] = m->docs;
	t->newer += o->newer_than > 0 && m->mtime > o->newer_than;
	t->docs += m->docs;
	t->server_total += m->server_total > 0 ? (uint64_t)m->server_total : 0;
	t->bytes += m->bytes;
	t->compressed += m->compressed_bytes;
	t->retries += m->retries;
	t->restarts += m->restarts;
	t->seconds += m->seconds;
	if (m->peak_rss_kb > t->peak)
		t->peak = m->peak_rss_kb;
	if (m->engine[0])
		snprintf(t->engine, sizeof t->engine, "%s", m->engine);
	return 0;
}

static void print_totals(FILE *out, struct totals *t)
{
	uint64_t mn = 0, med = 0, mx = 0, n = t->published;
	if (n) {
		qsort(t->docs_each, n, sizeof *t->docs_each, cmp_u64);
		mn = t->docs_each[0];
		mx = t->docs_each[n - 1];
		med = n % 2 ? t->docs_each[n / 2] : (t->docs_each[n / 2 - 1] + t->docs_each[n / 2]) / 2;
	}
	fprintf(out, "chunks=%" PRIu64 "\npublished=%" PRIu64 "\nmissing=%" PRIu64 "\nnewer=%" PRIu64
		"\ndocs=%" PRIu64 "\nserver_total=%" PRIu64 "\nbytes=%" PRIu64 "\ncompressed_bytes=%" PRIu64
		"\nretries=%" PRIu64 "\nrestarts=%" PRIu64 "\nseconds=%.3f\npeak_rss_kb=%ld\ndocs_min=%" PRIu64
		"\ndocs_median=%" PRIu64 "\ndocs_max=%" PRIu64 "\nengine=%s\n",
		t->chunks, t->published, t->chunks - t->published, t->newer, t->docs, t->server_total,
		t->bytes, t->compressed, t->retries, t->restarts, t->seconds, t->peak, mn, med, mx, t->engine);
}

static void print_chunk(FILE *out, const char *path, const struct meta *m)
{
	if (!m->published) {
		fprintf(out, "%s\tmissing\t-\t-\t-\t-\t-\t-\t-\t-\t-\n", path);
		return;
	}
	fprintf(out, "%s\tpublished\t%" PRIu64 "\t%" PRId64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
		"\t%.3f\t%ld\t%s\n", path, m->docs, m->server_total, m->bytes, m->compressed_bytes, m->retries,
		m->restarts, m->seconds, m->peak_rss_kb, m->fetched_at[0] ? m->fetched_at : "-");
}

int meta_summary(FILE *in, FILE *out, const struct meta_summary_opts *o, char *err, size_t errlen)
{
	struct totals t = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	while ((n = getline(&line, &cap, in)) >= 0) {
		struct meta m;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (meta_read(line, &m, err, errlen) != 0) {
			rc = OSDL_EXIT_DATA;
			goto out;
		}
		if (o->per_chunk)
			print_chunk(out, line, &m);
		else if (add(&t, &m, o) != 0) {
			rc = errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
			goto out;
		}
	}
	if (ferror(in)) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "reading the chunk list: %s", strerror(errno));
		goto out;
	}
	if (!o->per_chunk)
		print_totals(out, &t);
	if (fflush(out) != 0)
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "stdout: %s", strerror(errno));
out:
	free(line);
	free(t.docs_each);
	return rc;
}
