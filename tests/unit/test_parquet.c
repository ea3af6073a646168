/* test_parquet.c - unit tests of the Parquet writer: file framing (magic,
 * footer length), the first bytes of a known file, row groups by rows and
 * bytes, and the error contract.  Values are checked by real readers in
 * tests/osdown_parquet.sh.  With OSDL_PARQUET_KEEP=FILE the all-types file
 * is also written there. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parquet.h"
#include "unit.h"

static const struct parquet_col all_cols[] = {
	{ "b", 1, PARQUET_BOOL, 1 },
	{ "i8", 2, PARQUET_INT8, 0 },
	{ "i16", 3, PARQUET_INT16, 1 },
	{ "i32", 3, PARQUET_INT32, 0 },
	{ "i64", 3, PARQUET_INT64, 0 },
	{ "u64", 3, PARQUET_UINT64, 0 },
	{ "f", 1, PARQUET_FLOAT, 1 },
	{ "d", 1, PARQUET_DOUBLE, 0 },
	{ "ts", 2, PARQUET_TIMESTAMP_MS, 0 },
	{ "s", 1, PARQUET_STRING, 1 },
};
#define NALL (sizeof all_cols / sizeof all_cols[0])

/* Writes N rows of every type; returns the file's bytes (malloc'd). */
static unsigned char *all_types(FILE *f, const struct parquet_opts *o, uint64_t n,
                                size_t *len, uint64_t *rgs)
{
	parquet_w *w = parquet_new(fileno(f), all_cols, NALL, o);
	int rc = w ? 0 : -1;
	char s[32];
	for (uint64_t r = 0; r < n && rc == 0; r++) {
		rc |= r % 3 ? parquet_bool(w, 0, r & 1) : parquet_null(w, 0);
		rc |= parquet_int(w, 1, (int64_t)(r % 256) - 128);
		rc |= r % 5 ? parquet_int(w, 2, -(int64_t)(r % 30000)) : parquet_null(w, 2);
		rc |= parquet_int(w, 3, INT32_MIN + (int64_t)r);
		rc |= parquet_int(w, 4, INT64_MAX - (int64_t)r);
		rc |= parquet_uint(w, 5, UINT64_MAX - r);
		rc |= r % 7 ? parquet_float(w, 6, 0.5f * (float)r) : parquet_null(w, 6);
		rc |= parquet_double(w, 7, -0.25 * (double)r);
		rc |= parquet_int(w, 8, (int64_t)r * 1000 - 86400000);
		snprintf(s, sizeof s, "v%u", (unsigned)(r % 10));
		rc |= r % 4 ? parquet_string(w, 9, s, strlen(s)) : parquet_null(w, 9);
		rc |= parquet_end_row(w);
	}
	if (rc == 0)
		rc = parquet_finish(w);
	*rgs = w ? parquet_row_groups(w) : 0;
	parquet_free(w);
	if (rc)
		return NULL;
	fflush(f);
	*len = (size_t)ftell(f);
	unsigned char *p = malloc(*len);
	rewind(f);
	if (!p || fread(p, 1, *len, f) != *len) {
		free(p);
		return NULL;
	}
	return p;
}

/* Magic at both ends and a footer length that fits. */
static int framed(const unsigned char *p, size_t len)
{
	if (len < 12 || memcmp(p, "PAR1", 4) || memcmp(p + len - 4, "PAR1", 4))
		return 0;
	uint32_t flen = (uint32_t)p[len - 8] | (uint32_t)p[len - 7] << 8 |
	                (uint32_t)p[len - 6] << 16 | (uint32_t)p[len - 5] << 24;
	return flen > 0 && flen <= len - 12;
}

int main(void)
{
	static const struct {
		const char *name;
		struct parquet_opts o;
		uint64_t rows, want_rgs;
	} cases[] = {
		{ "zstd, one row group", { PARQUET_ZSTD, 0, 0, 0, 0, NULL, NULL }, 1000, 1 },
		{ "lz4_raw", { PARQUET_LZ4_RAW, 0, 0, 0, 0, NULL, NULL }, 1000, 1 },
		{ "uncompressed", { PARQUET_UNCOMPRESSED, 0, 0, 0, 0, NULL, NULL }, 1000, 1 },
		{ "row groups of 300 rows", { PARQUET_ZSTD, 0, 300, 0, 0, NULL, NULL }, 1000, 4 },
		{ "row groups of 64K bytes", { PARQUET_UNCOMPRESSED, 0, 0, 65536, 0, NULL, NULL }, 50000, 0 },
		{ "no rows", { PARQUET_ZSTD, 0, 0, 0, 0, NULL, NULL }, 0, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		FILE *f = tmpfile();
		size_t len = 0;
		uint64_t rgs = 0;
		unsigned char *p = all_types(f, &cases[i].o, cases[i].rows, &len, &rgs);
		char d[128];
		snprintf(d, sizeof d, "%s: framed", cases[i].name);
		test_cond(d, p && framed(p, len));
		snprintf(d, sizeof d, "%s: %llu row groups", cases[i].name,
		         (unsigned long long)rgs);
		test_cond(d, cases[i].want_rgs ? rgs == cases[i].want_rgs
		                               : cases[i].rows == 0 ? rgs == 0 : rgs > 5);
		if (i == 2 && p)
			/* PAR1, then b's first page header: DATA_PAGE (0x15 0x00), ... */
			test_cond("first page header", len > 6 && p[4] == 0x15 && p[5] == 0x00);
		const char *keep = getenv("OSDL_PARQUET_KEEP");
		if (i == 0 && keep && p) {
			FILE *k = fopen(keep, "wb");
			if (k) {
				fwrite(p, 1, len, k);
				fclose(k);
			}
		}
		free(p);
		fclose(f);
	}

	/* Errors. */
	FILE *f = tmpfile();
	struct parquet_opts o = { PARQUET_ZSTD, 0, 0, 0, 0, NULL, NULL };
	parquet_w *w = parquet_new(fileno(f), all_cols, NALL, &o);
	test_cond("wrong type is EINVAL", parquet_double(w, 1, 1.0) < 0 && errno == EINVAL);
	test_cond("then only free", parquet_int(w, 1, 1) < 0);
	parquet_free(w);
	w = parquet_new(fileno(f), all_cols, NALL, &o);
	test_cond("int8 out of range is EINVAL", parquet_int(w, 1, 128) < 0 && errno == EINVAL);
	parquet_free(w);
	w = parquet_new(fileno(f), all_cols, NALL, &o);
	test_cond("null in a required column is EINVAL", parquet_null(w, 1) < 0 && errno == EINVAL);
	parquet_free(w);
	w = parquet_new(fileno(f), all_cols, NALL, &o);
	parquet_null(w, 0);
	test_cond("a row without every column is EINVAL", parquet_end_row(w) < 0 && errno == EINVAL);
	parquet_free(w);
	w = parquet_new(fileno(f), all_cols, NALL, &o);
	parquet_null(w, 0);
	test_cond("two values of one column in a row is EINVAL",
	          parquet_null(w, 0) < 0 && errno == EINVAL);
	parquet_free(w);
	fclose(f);
	struct parquet_opts bad = { (enum parquet_codec)1, 0, 0, 0, 0, NULL, NULL };
	test_cond("unknown codec is EINVAL", !parquet_new(1, all_cols, NALL, &bad) && errno == EINVAL);
	int fds[2];
	signal(SIGPIPE, SIG_IGN);
	if (pipe(fds) == 0) {
		close(fds[0]);
		w = parquet_new(fds[1], all_cols, 1, &o);
		int rc = 0;
		for (int r = 0; r < 10 && rc == 0; r++)
			rc = parquet_bool(w, 0, 1) | parquet_end_row(w);
		test_cond("a write error is returned", rc == 0 && parquet_finish(w) < 0 && errno == EPIPE);
		parquet_free(w);
		close(fds[1]);
	}
	return test_report();
}
