/* tests/fuzz/search.c - the search-response parser (lib/search): any bytes,
 * fed in two pieces, end in a result or an error; every emitted line is one
 * line ending in "}\n". */
#include "fuzz.h"
#include "search.h"

static int emit(const char *prefix, size_t plen, const char *body, size_t blen, void *ud)
{
	(void)ud;
	fuzz_check(plen > 0 && prefix[0] == '{' && blen >= 2);
	fuzz_check(body[blen - 1] == '\n' && body[blen - 2] == '}');
	fuzz_check(!memchr(prefix, '\n', plen) && !memchr(body, '\n', blen - 1));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	search_parser *p = search_new(emit, NULL, 1 << 20);
	fuzz_check(p != NULL);
	size_t split = size ? data[0] % (size + 1) : 0;
	if (search_feed(p, (const char *)data, split) == 0 &&
	    search_feed(p, (const char *)data + split, size - split) == 0 && search_finish(p) == 0) {
		const struct search_result *r = search_result(p);
		fuzz_check(r != NULL);
	} else {
		fuzz_check(search_error(p) != NULL);
	}
	search_free(p);
	return 0;
}
