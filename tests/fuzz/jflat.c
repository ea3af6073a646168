/* tests/fuzz/jflat.c - the NDJSON flattener (lib/jflat), arrays as JSON
 * text and joined: any line flattens or fails with one line of reason;
 * names and leaves stay inside what was given; and osdown takes a line
 * exactly when osmerge does (jkey), invalid UTF-8 aside, which osdown
 * writes as U+FFFD by design. */
#include "csv.h"
#include "fuzz.h"
#include "jflat.h"
#include "jkey.h"

static int utf8_ok(const uint8_t *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k)
		if ((k = s[i] < 0x80 ? 1 : csv_utf8_len(s + i, n - i)) == 0)
			return 0;
	return 1;
}

static int leaf(void *ctx, const char *name, size_t nl, enum jflat_type t, const char *val, size_t len)
{
	fuzz_check(name[nl] == 0 && t >= JFLAT_NULL && t <= JFLAT_ARRAY);
	size_t *total = ctx;
	*total += nl + len;
	if (len)
		fuzz_check(val != NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static jflat *plain, *joined;
	if (!plain) {
		plain = jflat_new(NULL);
		joined = jflat_new("|");
	}
	char *line = malloc(size ? size : 1);
	memcpy(line, data, size);
	int ok[2];
	for (int k = 0; k < 2; k++) {
		jflat *f = k ? joined : plain;
		size_t total = 0;
		char err[256] = "";
		int rc = jflat_line(f, line, size, leaf, &total, err, sizeof err);
		if (rc != JFLAT_OK)
			fuzz_check(err[0] && !strchr(err, '\n'));
		ok[k] = rc == JFLAT_OK;
	}
	fuzz_check(ok[0] == ok[1]);
	static jkey_spec ks;
	if (!ks.n)
		jkey_spec_add(&ks, "@timestamp");
	jkey_val v[JKEY_MAX];
	int st = jkey_extract(&ks, line, size, v, NULL, 0);
	if (st != JKEY_ERR_EMPTY && utf8_ok(data, size))
		fuzz_check(ok[0] == (st == JKEY_OK));
	free(line);
	return 0;
}
