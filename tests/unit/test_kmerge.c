/* test_kmerge.c - unit tests of lib/kmerge (heap, stable merge, passes,
 * unique) and lib/xsort (external sort equals an in-memory stable sort). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jkey.h"
#include "kmerge.h"
#include "osdl.h"
#include "unit.h"
#include "xsort.h"

/* ---- heap ---- */

struct hctx {
	int *key;
};

static int int_cmp(void *ctx, size_t a, size_t b)
{
	const struct hctx *c = ctx;
	return c->key[a] < c->key[b] ? -1 : c->key[a] > c->key[b];
}

/* Items drawn from a heap come out by (key, item): many ties, random pushes. */
static void test_heap(void)
{
	enum { N = 500 };
	int key[N];
	struct hctx c = { key };
	int bad = 0;
	srand(5);
	for (int round = 0; round < 50; round++) {
		heap *h = heap_new(N, int_cmp, &c);
		size_t n = 1 + (size_t)rand() % N;
		for (size_t i = 0; i < n; i++) {
			key[i] = rand() % 20;
			heap_push(h, i);
		}
		int pk = -1;
		size_t pi = 0;
		while (heap_size(h)) {
			size_t t = heap_top(h);
			if (key[t] < pk || (key[t] == pk && t < pi))
				bad++;
			pk = key[t];
			pi = t;
			heap_pop(h);
		}
		heap_free(h);
	}
	test_cond("heap pops in (key, item) order", bad == 0);

	/* update_top: a merge of sorted sequences, with a non-overlapping run. */
	enum { K = 7, L = 300 };
	int seq[K][L];
	size_t pos[K];
	for (int k = 0; k < K; k++) {
		int v = k == 6 ? 1000 : 0; /* the last one starts after all others end */
		for (int j = 0; j < L; j++)
			seq[k][j] = v += rand() % 3;
		pos[k] = 0;
	}
	heap *h = heap_new(K, int_cmp, &c);
	for (int k = 0; k < K; k++) {
		key[k] = seq[k][0];
		heap_push(h, (size_t)k);
	}
	int pk = -1, count = 0;
	size_t pi = 0;
	bad = 0;
	while (heap_size(h)) {
		size_t t = heap_top(h);
		if (key[t] < pk || (key[t] == pk && t < pi))
			bad++;
		pk = key[t];
		pi = t;
		count++;
		if (++pos[t] < L) {
			key[t] = seq[t][pos[t]];
			heap_update_top(h);
		} else {
			heap_pop(h);
		}
	}
	heap_free(h);
	test_cond("heap merge with update_top is sorted and stable", bad == 0 && count == K * L);
}

/* ---- files ---- */

static char dir[] = "/tmp/test_kmerge.XXXXXX";

static char *write_file(const char *name, const char *text)
{
	char *p = malloc(strlen(dir) + strlen(name) + 2);
	sprintf(p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return p;
}

/* Runs kmerge_files (or xsort_files if MEMORY) into a file; returns its
 * text, or NULL with the exit code in *RC and the reason in ERR (1024 bytes). */
static char *run_merge(struct kmerge_opts *o, size_t memory, char **paths, size_t n, int *rc, char *err,
		       struct kmerge_stats *st)
{
	char out[300];
	snprintf(out, sizeof out, "%s/out", dir);
	int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0600);
	lzio_writer *w = lzio_writer_new(fd, 0, 0);
	err[0] = '\0';
	memset(st, 0, sizeof *st);
	if (memory) {
		struct xsort_opts xo = { *o, memory };
		*rc = xsort_files(&xo, paths, n, w, st, err, 1024);
	} else {
		*rc = kmerge_files(o, paths, n, w, st, err, 1024);
	}
	lzio_finish(w);
	lzio_writer_free(w);
	close(fd);
	if (*rc != 0)
		return NULL;
	FILE *f = fopen(out, "r");
	char *text = calloc(1, 1 << 22);
	size_t k = fread(text, 1, (1 << 22) - 1, f);
	text[k] = '\0';
	fclose(f);
	return text;
}

static int dir_entries(const char *d)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", d);
	FILE *p = popen(cmd, "r");
	int n = -1;
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

static void test_merge_files(void)
{
	jkey_spec ks = { 0 };
	jkey_spec_add(&ks, "t");
	ks.missing_last = 1;
	tmpdir *tmp = tmpdir_new(dir, "osmerge");
	struct kmerge_opts o = { &ks, 0, 64, 1, 0, 0, tmp, 0 };
	char err[1024];
	int rc;
	struct kmerge_stats st;
	char *p[3];
	p[0] = write_file("a", "{\"t\":1,\"s\":\"a1\"}\n{\"t\":3,\"s\":\"a3\"}\n{\"t\":3,\"s\":\"a3b\"}\n");
	p[1] = write_file("b", "{\"t\":2,\"s\":\"b2\"}\n{\"t\":3,\"s\":\"b3\"}\n");
	p[2] = write_file("c", "{\"t\":0,\"s\":\"c0\"}\n{\"t\":3,\"s\":\"c3\"}\n{\"s\":\"c-missing\"}");
	const char *want = "{\"t\":0,\"s\":\"c0\"}\n{\"t\":1,\"s\":\"a1\"}\n{\"t\":2,\"s\":\"b2\"}\n"
			   "{\"t\":3,\"s\":\"a3\"}\n{\"t\":3,\"s\":\"a3b\"}\n{\"t\":3,\"s\":\"b3\"}\n"
			   "{\"t\":3,\"s\":\"c3\"}\n{\"s\":\"c-missing\"}\n";
	char *got = run_merge(&o, 0, p, 3, &rc, err, &st);
	test_cond("merge of 3 files, ties in input order, missing last", got && strcmp(got, want) == 0);
	test_cond("stats count lines and bytes", st.lines_in == 8 && st.lines_out == 8 && st.bytes_in == strlen(want));
	free(got);
	o.fanin = 2;
	got = run_merge(&o, 0, p, 3, &rc, err, &st);
	test_cond("fan-in 2: same result through a spill", got && strcmp(got, want) == 0 && st.passes == 1);
	free(got);
	test_cond("pass temp files are gone", dir_entries(tmpdir_path(tmp)) == 0);

	/* External sort of the concatenation, tiny memory: identical. */
	got = run_merge(&o, 8 << 20, p, 3, &rc, err, &st);
	test_cond("xsort of sorted inputs gives the same (stable) order", got && strcmp(got, want) == 0);
	free(got);

	/* Out of order. */
	char *q = write_file("bad", "{\"t\":1}\n{\"t\":5}\n{\"t\":4}\n");
	char *pq[2] = { p[1], q };
	o.fanin = 64;
	got = run_merge(&o, 0, pq, 2, &rc, err, &st);
	test_cond("out of order names file and line", !got && rc == OSDL_EXIT_DATA && strstr(err, "bad:3: out of order"));
	got = run_merge(&o, 8 << 20, pq, 2, &rc, err, &st);
	test_cond("xsort accepts it", got && strncmp(got, "{\"t\":1}\n{\"t\":2,", 15) == 0);
	free(got);

	/* Unique: the same _id twice within equal keys is dropped; across keys kept. */
	ks.with_id = 1;
	o.unique = 1;
	char *u1 = write_file("u1", "{\"_id\":\"x\",\"t\":1}\n{\"_id\":\"y\",\"t\":1}\n{\"_id\":\"x\",\"t\":2}\n{\"t\":2}\n");
	char *u2 = write_file("u2", "{\"_id\":\"y\",\"t\":1}\n{\"_id\":\"x\",\"t\":2}\n{\"t\":2}\n{\"_id\":\"y\",\"t\":3}\n");
	char *pu[2] = { u1, u2 };
	got = run_merge(&o, 0, pu, 2, &rc, err, &st);
	test_cond("unique drops 2", got && st.dups == 2 && st.lines_out == 6 &&
					   strcmp(got, "{\"_id\":\"x\",\"t\":1}\n{\"_id\":\"y\",\"t\":1}\n{\"_id\":\"x\",\"t\":2}\n"
						       "{\"t\":2}\n{\"t\":2}\n{\"_id\":\"y\",\"t\":3}\n") == 0);
	free(got);
	got = run_merge(&o, 8 << 20, pu, 2, &rc, err, &st);
	test_cond("unique after xsort drops 2", got && st.dups == 2 && st.lines_out == 6);
	free(got);
	o.unique = 0;
	ks.with_id = 0;

	/* Skip-bad counts and goes on. */
	char *b = write_file("b2", "{\"t\":1}\nnot json\n[2]\n\n{\"t\":5}\n");
	char *missing = write_file("gone", "");
	unlink(missing);
	char *pb[2] = { b, missing };
	got = run_merge(&o, 0, pb, 1, &rc, err, &st);
	test_cond("bad line stops", !got && rc == OSDL_EXIT_DATA && strstr(err, "b2:2: invalid JSON at byte 1"));
	got = run_merge(&o, 0, pb + 1, 1, &rc, err, &st);
	test_cond("missing file is an I/O error", !got && rc == OSDL_EXIT_IO && strstr(err, "gone: cannot open"));
	o.skip_bad = 1;
	got = run_merge(&o, 0, pb, 2, &rc, err, &st);
	test_cond("skip-bad: 3 lines and 1 file skipped", got && st.bad_lines == 3 && st.bad_files == 1 &&
								  strcmp(got, "{\"t\":1}\n{\"t\":5}\n") == 0);
	free(got);
	o.skip_bad = 0;

	/* Long lines. */
	o.max_line = 10;
	char *lg = write_file("long", "{\"t\":1}\n{\"t\":2,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxx\"}\n{\"t\":3}\n");
	got = run_merge(&o, 0, &lg, 1, &rc, err, &st);
	test_cond("long line stops", !got && strstr(err, "long:2: line longer than 10 bytes"));
	o.skip_bad = 1;
	got = run_merge(&o, 0, &lg, 1, &rc, err, &st);
	test_cond("long line skipped", got && st.bad_lines == 1 && strcmp(got, "{\"t\":1}\n{\"t\":3}\n") == 0);
	free(got);
	o.skip_bad = 0;
	o.max_line = 0;

	/* Without a temp directory, overlap past the fan-in cannot be merged. */
	o.fanin = 2;
	o.tmp = NULL;
	got = run_merge(&o, 0, p, 3, &rc, err, &st);
	test_cond("too many overlapping inputs, no temp dir: an I/O error", !got && rc == OSDL_EXIT_IO &&
		  strcmp(err, "too many overlapping inputs and no temporary directory") == 0);
	o.tmp = tmp;
	o.fanin = 64;

	free(b);
	free(missing);
	free(lg);
	free(u1);
	free(u2);
	free(q);
	for (int i = 0; i < 3; i++)
		free(p[i]);
	tmpdir_free(tmp);
}

/* One reader: every non-zero return is a failure; the end of input is 0
 * with no line; a file skip_bad skips is 0 with no reader. */
static void test_reader(void)
{
	jkey_spec ks = { 0 };
	jkey_spec_add(&ks, "t");
	struct kmerge_opts o = { &ks, 0, 2, 1, 0, 0, NULL, 0 };
	struct kmerge_stats st = { 0 };
	char err[1024] = "", *line;
	size_t len;
	jkey_val v[JKEY_MAX];
	kmerge_reader *r;
	char *path = write_file("rd", "{\"t\":1}\n{\"t\":2}\n[3]\n");
	int rc = kmerge_reader_open(&o, path, &r, &st, err, sizeof err);
	test_cond("reader: open", rc == 0 && r);
	rc = kmerge_next_doc(r, &line, &len, v, &st, err, sizeof err);
	test_cond("reader: a document is 0 and a line", rc == 0 && line && len == 7 && v[0].i == 1);
	rc = kmerge_next_doc(r, &line, &len, v, &st, err, sizeof err);
	rc = kmerge_next_doc(r, &line, &len, v, &st, err, sizeof err);
	test_cond("reader: a bad line is bad data, named", rc == OSDL_EXIT_DATA && strstr(err, "rd:3: not a JSON object"));
	kmerge_reader_close(r);
	o.skip_bad = 1;
	kmerge_reader_open(&o, path, &r, &st, err, sizeof err);
	int n = 0;
	while ((rc = kmerge_next_doc(r, &line, &len, v, &st, err, sizeof err)) == 0 && line)
		n++;
	test_cond("reader: end of input is 0 and no line", rc == 0 && !line && n == 2 && st.bad_lines == 1);
	kmerge_reader_close(r);
	unlink(path);
	strcpy(err, "untouched");
	rc = kmerge_reader_open(&o, path, &r, &st, err, sizeof err);
	test_cond("reader: skip_bad skips an unreadable file: 0, no reader, counted",
		  rc == 0 && !r && st.bad_files == 1 && strcmp(err, "untouched") == 0);
	o.skip_bad = 0;
	rc = kmerge_reader_open(&o, path, &r, &st, err, sizeof err);
	test_cond("reader: else an I/O error", rc == OSDL_EXIT_IO && !r && strstr(err, "rd: cannot open"));
	free(path);
}

/* Random unsorted input: xsort with a tiny budget (many runs, passes with
 * fan-in 3) equals a reference stable sort done here. */
struct ref {
	long k;
	int seq;
	char line[64];
};

static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	return x->seq - y->seq;
}

static void test_xsort_random(void)
{
	enum { N = 60000 };
	struct ref *r = malloc(N * sizeof *r);
	char path[300];
	snprintf(path, sizeof path, "%s/rand", dir);
	FILE *f = fopen(path, "w");
	srand(9);
	for (int i = 0; i < N; i++) {
		r[i].k = rand() % 5000;
		r[i].seq = i;
		snprintf(r[i].line, sizeof r[i].line, "{\"k\":%ld,\"i\":%d,\"pad\":\"%0*d\"}", r[i].k, i, 20, i);
		fprintf(f, "%s\n", r[i].line);
	}
	fclose(f);
	qsort(r, N, sizeof *r, ref_cmp);
	size_t total = 0;
	for (int i = 0; i < N; i++)
		total += strlen(r[i].line) + 1;
	char *want = malloc(total + 1), *p = want;
	for (int i = 0; i < N; i++)
		p += sprintf(p, "%s\n", r[i].line);

	jkey_spec ks = { 0 };
	jkey_spec_add(&ks, "k");
	tmpdir *tmp = tmpdir_new(dir, "osmerge");
	struct kmerge_opts o = { &ks, 0, 3, 1, 0, 0, tmp, 0 };
	char err[1024];
	int rc;
	struct kmerge_stats st;
	char *pp = path;
	char *got = run_merge(&o, 4 << 20, &pp, 1, &rc, err, &st); /* ~3 MiB arena for ~3.6 MB of lines */
	test_cond("xsort, small budget: equals stable sort", got && strcmp(got, want) == 0);
	char d[100];
	snprintf(d, sizeof d, "xsort spilled runs (%llu) and merged in passes (%llu)",
		 (unsigned long long)st.runs, (unsigned long long)st.passes);
	test_cond(d, st.runs >= 2);
	free(got);
	got = run_merge(&o, 256 << 20, &pp, 1, &rc, err, &st);
	test_cond("xsort, big budget: equals stable sort, no runs", got && strcmp(got, want) == 0 && st.runs == 0);
	free(got);
	test_cond("xsort temp files are gone", dir_entries(tmpdir_path(tmp)) == 0);
	char tdir[300];
	snprintf(tdir, sizeof tdir, "%s", tmpdir_path(tmp));
	tmpdir_free(tmp);
	struct stat sb;
	test_cond("temp dir removed by tmpdir_free", stat(tdir, &sb) != 0);
	free(want);
	free(r);
}

/* Property: for random sets of sorted inputs (overlapping, consecutive,
 * empty, many ties) and small fan-ins, the merge equals the stable sort of
 * the inputs' concatenation, and spill files are all removed. */
static void test_merge_random(void)
{
	enum { MAXIN = 40, MAXL = 200 };
	jkey_spec ks = { 0 };
	jkey_spec_add(&ks, "k");
	tmpdir *tmp = tmpdir_new(dir, "osmerge");
	int bad = 0, spilled = 0;
	srand(21);
	for (int round = 0; round < 60; round++) {
		size_t n = 1 + (size_t)rand() % MAXIN, total = 0;
		struct ref *r = malloc(MAXIN * MAXL * sizeof *r);
		char *paths[MAXIN];
		for (size_t i = 0; i < n; i++) {
			char name[32];
			snprintf(name, sizeof name, "r%zu", i);
			paths[i] = malloc(strlen(dir) + 40);
			sprintf(paths[i], "%s/%s", dir, name);
			FILE *f = fopen(paths[i], "w");
			int len = rand() % 4 == 0 ? 0 : rand() % MAXL;
			long k = rand() % 3 == 0 ? (long)i * 50 : rand() % 100; /* consecutive or overlapping */
			for (int j = 0; j < len; j++) {
				k += rand() % 3 == 0;
				r[total].k = k;
				r[total].seq = (int)total;
				snprintf(r[total].line, sizeof r[total].line, "{\"k\":%ld,\"in\":%zu,\"j\":%d}", k, i, j);
				fprintf(f, "%s\n", r[total].line);
				total++;
			}
			fclose(f);
		}
		qsort(r, total, sizeof *r, ref_cmp);
		char *want = malloc(total * 64 + 1), *p = want;
		*p = '\0';
		for (size_t i = 0; i < total; i++)
			p += sprintf(p, "%s\n", r[i].line);
		struct kmerge_opts o = { &ks, 0, 2 + (size_t)rand() % 4, 1, 0, 0, tmp, 0 };
		char err[1024];
		int rc;
		struct kmerge_stats st;
		char *got = run_merge(&o, 0, paths, n, &rc, err, &st);
		if (!got || strcmp(got, want) != 0) {
			if (bad++ < 3)
				printf("# round %d: %zu inputs, fanin %zu: %s\n", round, n, o.fanin, got ? "differs" : err);
		}
		spilled += st.passes > 0;
		free(got);
		free(want);
		free(r);
		for (size_t i = 0; i < n; i++) {
			unlink(paths[i]);
			free(paths[i]);
		}
	}
	char d[120];
	snprintf(d, sizeof d, "60 random merges (%d with spills) equal the stable sort of the concatenation", spilled);
	test_cond(d, bad == 0 && spilled > 10);
	test_cond("no spill file left", dir_entries(tmpdir_path(tmp)) == 0);
	tmpdir_free(tmp);
}

/* --sorted-keys 1: inputs sorted by k only, ties in random s order; the
 * merge by (k, s) equals a stable sort of the concatenation by (k, s). */
struct ref2 {
	long k, t;
	int seq;
	char line[64];
};

static int ref2_cmp(const void *a, const void *b)
{
	const struct ref2 *x = a, *y = b;
	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq - y->seq;
}

static void test_sorted_keys_random(void)
{
	enum { MAXIN = 12, MAXL = 300 };
	jkey_spec ks = { 0 };
	jkey_spec_add(&ks, "k");
	jkey_spec_add(&ks, "t");
	tmpdir *tmp = tmpdir_new(dir, "osmerge");
	int bad = 0, strict_fails = 0;
	srand(33);
	for (int round = 0; round < 40; round++) {
		size_t n = 1 + (size_t)rand() % MAXIN, total = 0;
		struct ref2 *r = malloc(MAXIN * MAXL * sizeof *r);
		char *paths[MAXIN];
		for (size_t i = 0; i < n; i++) {
			paths[i] = malloc(strlen(dir) + 40);
			sprintf(paths[i], "%s/s%zu", dir, i);
			FILE *f = fopen(paths[i], "w");
			int len = rand() % MAXL;
			long k = rand() % 20;
			for (int j = 0; j < len; j++) {
				k += rand() % 8 == 0;
				r[total].k = k;
				r[total].t = rand() % 10;
				r[total].seq = (int)total;
				snprintf(r[total].line, sizeof r[total].line, "{\"k\":%ld,\"t\":%ld,\"in\":%zu,\"j\":%d}",
					 k, r[total].t, i, j);
				fprintf(f, "%s\n", r[total].line);
				total++;
			}
			fclose(f);
		}
		qsort(r, total, sizeof *r, ref2_cmp);
		char *want = malloc(total * 64 + 1), *p = want;
		*p = '\0';
		for (size_t i = 0; i < total; i++)
			p += sprintf(p, "%s\n", r[i].line);
		struct kmerge_opts o = { &ks, 0, 2 + (size_t)rand() % 6, 1, 0, 0, tmp, 1 };
		char err[1024];
		int rc;
		struct kmerge_stats st;
		char *got = run_merge(&o, 0, paths, n, &rc, err, &st);
		if (!got || strcmp(got, want) != 0) {
			if (bad++ < 3)
				printf("# round %d: %zu inputs, fanin %zu: %s\n", round, n, o.fanin, got ? "differs" : err);
		}
		free(got);
		o.sorted_keys = 0; /* strict: the same inputs are out of order */
		got = run_merge(&o, 0, paths, n, &rc, err, &st);
		strict_fails += !got && rc == OSDL_EXIT_DATA && strstr(err, "out of order");
		free(got);
		free(want);
		free(r);
		for (size_t i = 0; i < n; i++) {
			unlink(paths[i]);
			free(paths[i]);
		}
	}
	test_cond("40 random merges with --sorted-keys 1 equal the sort by (k, t)", bad == 0);
	test_cond("without it they fail as out of order", strict_fails >= 30);
	/* A decrease of the leading key is still an error, at its line. */
	char *b = write_file("sk", "{\"k\":1,\"t\":5}\n{\"k\":1,\"t\":2}\n{\"k\":0,\"t\":9}\n");
	struct kmerge_opts o = { &ks, 0, 4, 1, 0, 0, tmp, 1 };
	char err[1024];
	int rc;
	struct kmerge_stats st;
	char *got = run_merge(&o, 0, &b, 1, &rc, err, &st);
	test_cond("--sorted-keys 1: leading key out of order named", !got && strstr(err, "sk:3: out of order: key 0 after 1"));
	unlink(b);
	free(b);
	test_cond("no spill file left (sorted keys)", dir_entries(tmpdir_path(tmp)) == 0);
	tmpdir_free(tmp);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_heap();
	test_merge_files();
	test_reader();
	test_xsort_random();
	test_merge_random();
	test_sorted_keys_random();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	test_cond("only the 10 test files left in the test dir", dir_entries(dir) == 10);
	if (system(cmd) != 0)
		return 1;
	return test_report();
}
