/* test_pqenc.c - unit tests of Parquet's encodings against byte strings
 * worked out by hand from Encodings.md (the 0..7 example is the spec's). */
#include <stdio.h>
#include <string.h>

#include "pqenc.h"
#include "unit.h"

static int same(const char *name, const struct pqenc_buf *b, const char *want, size_t n)
{
	int ok = !b->nomem && b->len == n && (n == 0 || memcmp(b->p, want, n) == 0);
	if (!ok) {
		printf("# %s: got", name);
		for (size_t k = 0; k < b->len; k++)
			printf(" %02x", b->p[k]);
		printf("\n");
	}
	return ok;
}

static const uint32_t zero_to_7[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
static const uint32_t mixed[] = { 1, 2, 3, 0, 1, 2, 3, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2 };
static const uint32_t wide[] = { 300, 300, 300, 300, 300, 300, 300, 300 };
static const uint32_t short3[] = { 1, 0, 1 };
static uint32_t zeros200[200];

static const struct {
	const char *name;
	const uint32_t *v;
	size_t n;
	int width;
	const char *want;
	size_t want_len;
} rle_cases[] = {
	{ "empty", zero_to_7, 0, 3, "", 0 },
	/* spec example: 10001000 11000110 11111010 */
	{ "0..7 width 3 bit-packed", zero_to_7, 8, 3, "\x03\x88\xc6\xfa", 4 },
	{ "short tail zero-padded", short3, 3, 1, "\x03\x05", 2 },
	/* one bit-packed group (1,2,3,0 = 0x39 twice), then RLE 9 x 2 */
	{ "bit-packed then RLE", mixed, 17, 2, "\x03\x39\x39\x12\x02", 5 },
	{ "RLE value in two bytes (width 9)", wide, 8, 9, "\x10\x2c\x01", 3 },
	{ "RLE length as 2-byte varint", zeros200, 200, 1, "\x90\x03\x00", 3 },
	{ "width 0: an RLE run with no value bytes", zeros200, 10, 0, "\x14", 1 },
};

int main(void)
{
	for (size_t i = 0; i < sizeof rle_cases / sizeof rle_cases[0]; i++) {
		struct pqenc_buf b = { 0 };
		pqenc_rle(&b, rle_cases[i].v, rle_cases[i].n, rle_cases[i].width);
		test_cond(rle_cases[i].name, same(rle_cases[i].name, &b, rle_cases[i].want,
		                                  rle_cases[i].want_len));
		pqenc_buf_free(&b);
	}

	struct pqenc_buf b = { 0 };
	const uint8_t ones[10] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	pqenc_levels(&b, ones, 10, 1);
	test_cond("levels: length prefix, one RLE run", same("levels", &b, "\x02\x00\x00\x00\x14\x01", 6));
	b.len = 0;
	const uint8_t lv[9] = { 1, 0, 1, 1, 0, 0, 0, 0, 1 };
	pqenc_levels(&b, lv, 9, 1);
	/* two groups: 1,0,1,1,0,0,0,0 = 0x0d; 1 = 0x01 */
	test_cond("levels: bit-packed", same("levels2", &b, "\x03\x00\x00\x00\x05\x0d\x01", 7));
	b.len = 0;
	const uint8_t bools[9] = { 1, 0, 0, 1, 1, 0, 0, 0, 1 };
	pqenc_bools(&b, bools, 9);
	test_cond("plain booleans: LSB first", same("bools", &b, "\x19\x01", 2));
	b.len = 0;
	pqenc_bytes(&b, "hi", 2);
	pqenc_u32le(&b, 0x01020304);
	pqenc_u64le(&b, (uint64_t)-2);
	test_cond("plain byte array, int32, int64",
	          same("plain", &b, "\x02\x00\x00\x00hi\x04\x03\x02\x01\xfe\xff\xff\xff\xff\xff\xff\xff", 18));
	pqenc_buf_free(&b);

	test_cond("width 0", pqenc_width(0) == 0);
	test_cond("width 1", pqenc_width(1) == 1);
	test_cond("width 255", pqenc_width(255) == 8);
	test_cond("width 256", pqenc_width(256) == 9);
	test_cond("width max", pqenc_width(UINT32_MAX) == 32);

	pqenc_dict *d = pqenc_dict_new(20);
	uint32_t ia = 9, ib = 9, ia2 = 9, ie = 9, ix = 9;
	int r1 = pqenc_dict_add(d, "a", 1, &ia);
	int r2 = pqenc_dict_add(d, "bc", 2, &ib);
	int r3 = pqenc_dict_add(d, "a", 1, &ia2);
	int r4 = pqenc_dict_add(d, "", 0, &ie);
	test_cond("dict: indices in order of arrival",
	          !r1 && !r2 && !r3 && !r4 && ia == 0 && ib == 1 && ia2 == 0 && ie == 2);
	/* 5 + 6 + 4 = 15 bytes; "xyz" would make 22 > 20 */
	test_cond("dict: full past max_bytes", pqenc_dict_add(d, "xyz", 3, &ix) == 1 && ix == 9);
	test_cond("dict: a known value still found when full", pqenc_dict_add(d, "bc", 2, &ix) == 0 && ix == 1);
	size_t len;
	const uint8_t *p = pqenc_dict_plain(d, &len);
	test_cond("dict: PLAIN page body", pqenc_dict_count(d) == 3 && len == 15 &&
	          memcmp(p, "\x01\0\0\0a\x02\0\0\0bc\0\0\0\0", 15) == 0);
	size_t elen;
	const uint8_t *e = pqenc_dict_entry(d, 1, &elen);
	test_cond("dict: entry by number", elen == 2 && memcmp(e, "bc", 2) == 0);
	e = pqenc_dict_entry(d, 2, &elen);
	test_cond("dict: empty entry", elen == 0);
	pqenc_dict_reset(d);
	test_cond("dict: reset", pqenc_dict_count(d) == 0 && pqenc_dict_add(d, "bc", 2, &ix) == 0 && ix == 0);
	pqenc_dict_free(d);

	d = pqenc_dict_new(1 << 20);
	int okall = 1;
	char key[16];
	for (uint32_t i = 0; i < 5000; i++) {
		uint32_t k;
		snprintf(key, sizeof key, "k%u", i);
		okall &= pqenc_dict_add(d, key, strlen(key), &k) == 0 && k == i;
	}
	for (uint32_t i = 0; i < 5000; i += 7) {
		uint32_t k;
		snprintf(key, sizeof key, "k%u", i);
		okall &= pqenc_dict_add(d, key, strlen(key), &k) == 0 && k == i;
	}
	test_cond("dict: 5000 entries through table growth", okall && pqenc_dict_count(d) == 5000);
	pqenc_dict_free(d);
	return test_report();
}
