/* tests/fuzz/search.c - the search-response parser (lib/search): any bytes,
 * fed in two pieces, end in a result or an error; every emitted line is one
 * line ending in "}\n", and one that osmerge's reader (jkey) takes: osfetch
 * never publishes a line the next tool refuses.  Known exception, left to
 * decide: invalid UTF-8 from the server passes osfetch (and osdown writes it
 * as U+FFFD) but osmerge refuses it (osmerge.1: RFC 8259, UTF-8); so that
 * check runs on valid UTF-8 responses only. */
#include "csv.h"
#include "fuzz.h"
#include "jkey.h"
#include "search.h"

static int utf8_input;

static int utf8_ok(const uint8_t *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k)
		if ((k = s[i] < 0x80 ? 1 : csv_utf8_len(s + i, n - i)) == 0)
			return 0;
	return 1;
}

static int emit(const char *prefix, size_t plen, const char *body, size_t blen, void *ud)
{
	(void)ud;
	fuzz_check(plen > 0 && prefix[0] == '{' && blen >= 2);
	fuzz_check(body[blen - 1] == '\n' && body[blen - 2] == '}');
	fuzz_check(!memchr(prefix, '\n', plen) && !memchr(body, '\n', blen - 1));
	static jkey_spec ks;
	if (!ks.n) {
		jkey_spec_add(&ks, "@timestamp");
		ks.with_id = 1;
	}
	char *line = malloc(plen + blen);
	memcpy(line, prefix, plen);
	memcpy(line + plen, body, blen - 1);
	jkey_val v[JKEY_MAX];
	int st = jkey_extract(&ks, line, plen + blen - 1, v, NULL, 0);
	if (utf8_input && st != JKEY_OK)
		fprintf(stderr, "fuzz: osmerge refuses: %.*s\n", (int)(plen + blen - 1), line);
	fuzz_check(!utf8_input || st == JKEY_OK);
	free(line);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	utf8_input = utf8_ok(data, size);
	search_parser *p = search_new(emit, NULL, 1 << 20);
	fuzz_check(p != NULL);
	size_t split = size ? data[0] % (size + 1) : 0;
	char err[256] = "";
	if (search_feed(p, (const char *)data, split, err, sizeof err) == 0 &&
	    search_feed(p, (const char *)data + split, size - split, err, sizeof err) == 0 &&
	    search_finish(p, err, sizeof err) == 0) {
		const struct search_result *r = search_result(p);
		fuzz_check(r != NULL);
	} else {
		fuzz_check(err[0] && !strchr(err, '\n'));
	}
	search_free(p);
	return 0;
}
