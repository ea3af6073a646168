/* tests/fuzz/jflat.c - the NDJSON flattener (lib/jflat), arrays as JSON
 * text and joined: any line flattens or fails with one line of reason;
 * names and leaves stay inside what was given. */
#include "fuzz.h"
#include "jflat.h"

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
	for (int k = 0; k < 2; k++) {
		jflat *f = k ? joined : plain;
		size_t total = 0;
		int rc = jflat_line(f, line, size, leaf, &total);
		if (rc != JFLAT_OK)
			fuzz_check(jflat_error(f)[0] && !strchr(jflat_error(f), '\n'));
	}
	free(line);
	return 0;
}
