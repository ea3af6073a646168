/* test_thrift.c - unit tests of the Thrift compact protocol writer against
 * byte strings worked out by hand from the compact protocol spec. */
#include <stdio.h>
#include <string.h>

#include "thrift.h"
#include "unit.h"

static void msg_ints(thrift_w *w)
{
	thrift_i32(w, 1, 3);       /* delta 1, type 5: 0x15; zigzag 3 = 6 */
	thrift_binary(w, 2, "ab", 2); /* delta 1, type 8: 0x18, len 2 */
	thrift_i64(w, 20, -1);     /* delta 18 > 15: type byte 06, id zigzag 40 */
	thrift_bool(w, 21, 1);     /* delta 1, true = 1: 0x11 */
	thrift_bool(w, 22, 0);     /* false = 2: 0x12 */
	thrift_end(w);
}

static void msg_nested(thrift_w *w)
{
	thrift_begin(w, 3);        /* 0x3c */
	thrift_i32(w, 1, 150);     /* 0x15, zigzag 300 = ac 02 */
	thrift_begin(w, 2);        /* empty struct, delta 1: 0x1c 00 */
	thrift_end(w);
	thrift_end(w);
	thrift_i8(w, 4, -2);       /* delta from 3 is 1: 0x13, byte fe */
	thrift_i16(w, 5, -300);    /* 0x14, zigzag 599 = d7 04 */
	thrift_end(w);
}

static void msg_lists(thrift_w *w)
{
	thrift_list(w, 4, THRIFT_I32, 3); /* 0x49, size 3 << 4 | 5 = 0x35 */
	thrift_elem_i32(w, 1);
	thrift_elem_i32(w, -1);
	thrift_elem_i32(w, 64);    /* zigzag 128 = 80 01 */
	thrift_list(w, 5, THRIFT_STRUCT, 1); /* 0x19, 0x1c */
	thrift_elem_struct(w);
	thrift_i64(w, 1, 1LL << 40); /* 0x16, zigzag 2^41 = varint of 2^41 */
	thrift_end(w);
	thrift_list(w, 6, THRIFT_BINARY, 15); /* long form: 0x19, f8 0f */
	for (int i = 0; i < 15; i++)
		thrift_elem_binary(w, "", 0);
	thrift_end(w);
}

static const struct {
	const char *name;
	void (*build)(thrift_w *);
	const char *want;
	size_t want_len;
} cases[] = {
	{ "ints, binary, long delta, bools", msg_ints,
	  "\x15\x06" "\x18\x02" "ab" "\x06\x28\x01" "\x11" "\x12" "\x00", 12 },
	{ "nested and empty structs, i8, i16", msg_nested,
	  "\x3c" "\x15\xac\x02" "\x1c\x00" "\x00" "\x13\xfe" "\x14\xd7\x04" "\x00", 13 },
	{ "lists: short and long form, struct elements", msg_lists,
	  "\x49\x35\x02\x01\x80\x01"
	  "\x19\x1c" "\x16\x80\x80\x80\x80\x80\x40" "\x00"
	  "\x19\xf8\x0f" "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
	  "\x00", 6 + 10 + 18 + 1 },
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		thrift_w *w = thrift_new();
		cases[i].build(w);
		size_t len;
		const uint8_t *p = thrift_data(w, &len);
		int same = p && len == cases[i].want_len && memcmp(p, cases[i].want, len) == 0;
		if (!same && p) {
			printf("# got:");
			for (size_t k = 0; k < len; k++)
				printf(" %02x", p[k]);
			printf("\n");
		}
		test_cond(cases[i].name, same);
		thrift_free(w);
	}

	uint8_t b[10];
	test_cond("varint 0", thrift_varint(b, 0) == 1 && b[0] == 0);
	test_cond("varint 127", thrift_varint(b, 127) == 1 && b[0] == 0x7f);
	test_cond("varint 128", thrift_varint(b, 128) == 2 && b[0] == 0x80 && b[1] == 1);
	test_cond("varint 2^64-1", thrift_varint(b, UINT64_MAX) == 10 && b[9] == 1);

	thrift_w *w = thrift_new();
	thrift_i32(w, 1, 1);
	thrift_reset(w);
	thrift_i32(w, 1, 1);
	thrift_end(w);
	size_t len;
	const uint8_t *p = thrift_data(w, &len);
	test_cond("reset starts a fresh message", p && len == 3 && memcmp(p, "\x15\x02\x00", 3) == 0);
	for (int i = 0; i < THRIFT_DEPTH; i++)
		thrift_begin(w, 1);
	test_cond("nesting too deep is an error", thrift_data(w, &len) == NULL);
	thrift_free(w);
	return test_report();
}
