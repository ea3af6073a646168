/* tests/fuzz/jkey.c - the NDJSON key reader (lib/jkey): never reads past
 * the line, takes a line exactly when yajl finds it a valid JSON object,
 * and compares a line's keys equal to themselves.  (A line that is not an
 * object is refused either way; jkey may call it "not an object" before
 * checking the rest of it.) */
#include "csv.h"
#include "fuzz.h"
#include "jkey.h"

#include <yajl/yajl_parse.h>

/* yajl's verdict.  A trailing '"' after the value leaves yajl waiting for
 * the rest of a string, and yajl_complete_parse() lets it pass; the line's
 * own end, a newline, settles it. */
static int yajl_valid(const uint8_t *s, size_t n)
{
	yajl_handle h = yajl_alloc(NULL, NULL, NULL);
	int ok = yajl_parse(h, s, n) == yajl_status_ok && yajl_parse(h, (const unsigned char *)"\n", 1) == yajl_status_ok &&
		 yajl_complete_parse(h) == yajl_status_ok;
	yajl_free(h);
	return ok;
}

/* RFC 3629 UTF-8 throughout: jkey refuses overlong forms that yajl lets
 * through, so only such input is compared. */
static int utf8_ok(const uint8_t *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k)
		if ((k = s[i] < 0x80 ? 1 : csv_utf8_len(s + i, n - i)) == 0)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static jkey_spec ks;
	static int ready;
	if (!ready) {
		jkey_spec_add(&ks, "@timestamp");
		jkey_spec_add(&ks, "host.name:desc");
		jkey_spec_add(&ks, "a");
		ks.with_id = 1;
		ready = 1;
	}
	/* An exact-size copy, so ASan sees any read past the line. */
	char *line = malloc(size ? size : 1);
	memcpy(line, data, size);
	jkey_val v[JKEY_MAX];
	char why[128] = "";
	int st = jkey_extract(&ks, line, size, v, why, sizeof why);
	if (st == JKEY_OK)
		fuzz_check(jkey_cmp(&ks, v, v) == 0 && why[0] == '\0');
	else
		fuzz_check(why[0] != '\0');
	/* yajl also takes \v and \f as blanks, which JSON (and jkey) do not. */
	if (st != JKEY_ERR_EMPTY && st != JKEY_ERR_DEPTH && size < 4096 && !memchr(data, '\v', size) &&
	    !memchr(data, '\f', size) && utf8_ok(data, size)) {
		size_t i = 0;
		while (i < size && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
			i++;
		int object = i < size && data[i] == '{';
		fuzz_check((st == JKEY_OK) == (object && yajl_valid(data, size)));
	}
	free(line);
	return 0;
}
