/* test_csv.c - unit tests of the RFC 4180 writer: quoting, NULL vs "",
 * UTF-8 kept byte for byte, invalid UTF-8 replaced, NUL kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "unit.h"

/* Writes one record (fields given with lengths; NULL means a null field)
 * through a temp file and returns what was written, malloc'd. */
static char *record(char delim, const char *const *f, const size_t *n, size_t nf,
                    uint64_t *replaced)
{
	FILE *tmp = tmpfile();
	csv_writer *w = csv_writer_new(fileno(tmp), delim);
	for (size_t i = 0; i < nf; i++)
		if (f[i])
			csv_field(w, f[i], n[i]);
		else
			csv_null(w);
	csv_end_row(w);
	csv_flush(w);
	if (replaced)
		*replaced = csv_replaced(w);
	csv_writer_free(w);
	long len = ftell(tmp);
	char *out = calloc(1, (size_t)len + 1);
	rewind(tmp);
	if (fread(out, 1, (size_t)len, tmp) != (size_t)len)
		out[0] = 0;
	fclose(tmp);
	return out;
}

static const struct {
	const char *name;
	char delim;
	const char *in;
	size_t len;       /* (size_t)-1: strlen */
	const char *want; /* the record, CRLF included */
	unsigned replaced;
	size_t want_len;  /* 0: strlen(want) */
} cases[] = {
	{ "plain", ',', "abc", (size_t)-1, "abc\r\n", 0, 0 },
	{ "empty string is quoted", ',', "", 0, "\"\"\r\n", 0, 0 },
	{ "comma quoted", ',', "a,b", (size_t)-1, "\"a,b\"\r\n", 0, 0 },
	{ "quote doubled", ',', "say \"hi\"", (size_t)-1, "\"say \"\"hi\"\"\"\r\n", 0, 0 },
	{ "LF quoted", ',', "a\nb", (size_t)-1, "\"a\nb\"\r\n", 0, 0 },
	{ "CR quoted", ',', "a\rb", (size_t)-1, "\"a\rb\"\r\n", 0, 0 },
	{ "CRLF quoted", ',', "a\r\nb", (size_t)-1, "\"a\r\nb\"\r\n", 0, 0 },
	{ "tab plain with comma delimiter", ',', "a\tb", (size_t)-1, "a\tb\r\n", 0, 0 },
	{ "tab quoted with tab delimiter", '\t', "a\tb", (size_t)-1, "\"a\tb\"\r\n", 0, 0 },
	{ "comma plain with tab delimiter", '\t', "a,b", (size_t)-1, "a,b\r\n", 0, 0 },
	{ "spaces kept", ',', " a ", (size_t)-1, " a \r\n", 0, 0 },
	{ "UTF-8 byte for byte", ',', "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", (size_t)-1,
	  "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\r\n", 0, 0 },
	{ "UTF-8 with quote", ',', "\xC3\xA9\"", (size_t)-1, "\"\xC3\xA9\"\"\"\r\n", 0, 0 },
	{ "NUL kept and quoted", ',', "a\0b", 3, "\"a\0b\"\r\n", 0, 7 },
	{ "lone continuation byte", ',', "a\x80z", (size_t)-1, "a\xEF\xBF\xBDz\r\n", 1, 0 },
	{ "Latin-1 byte", ',', "caf\xE9", (size_t)-1, "caf\xEF\xBF\xBD\r\n", 1, 0 },
	{ "truncated sequence at end", ',', "x\xE2\x82", (size_t)-1,
	  "x\xEF\xBF\xBD\xEF\xBF\xBD\r\n", 2, 0 },
	{ "overlong NUL", ',', "\xC0\x80", (size_t)-1, "\xEF\xBF\xBD\xEF\xBF\xBD\r\n", 2, 0 },
	{ "surrogate", ',', "\xED\xA0\x80", (size_t)-1,
	  "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\r\n", 3, 0 },
	{ "above U+10FFFF", ',', "\xF4\x90\x80\x80", (size_t)-1,
	  "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\r\n", 4, 0 },
	{ "invalid byte inside quoted field", ',', "\xFF,", (size_t)-1,
	  "\"\xEF\xBF\xBD,\"\r\n", 1, 0 },
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *f[1] = { cases[i].in };
		size_t n[1] = { cases[i].len == (size_t)-1 ? strlen(cases[i].in) : cases[i].len };
		uint64_t rep = 0;
		char *got = record(cases[i].delim, f, n, 1, &rep);
		size_t wl = cases[i].want_len ? cases[i].want_len : strlen(cases[i].want);
		char d1[200], d2[200];
		snprintf(d1, sizeof d1, "csv: %s", cases[i].name);
		test_cond(d1, memcmp(got, cases[i].want, wl + 1) == 0);
		snprintf(d2, sizeof d2, "csv: %s: %u bytes replaced", cases[i].name, cases[i].replaced);
		test_cond(d2, rep == cases[i].replaced);
		free(got);
	}

	/* NULL is an empty unquoted field; "" is quoted. */
	const char *f[4] = { "a", NULL, "", NULL };
	size_t n[4] = { 1, 0, 0, 0 };
	char *got = record(',', f, n, 4, NULL);
	test_cond("csv: null vs empty string", strcmp(got, "a,,\"\",\r\n") == 0);
	free(got);

	/* A field bigger than the buffer goes through intact. */
	size_t big = 1 << 20;
	char *s = malloc(big);
	memset(s, 'x', big);
	s[big / 2] = ',';
	const char *bf[2] = { s, "y" };
	size_t bn[2] = { big, 1 };
	got = record(',', bf, bn, 2, NULL);
	test_cond("csv: 1 MiB field quoted and intact",
	          got[0] == '"' && memcmp(got + 1, s, big) == 0 &&
	          strcmp(got + 1 + big, "\",y\r\n") == 0);
	free(got);
	free(s);

	/* utf8_len contract */
	test_cond("csv: utf8_len ascii", csv_utf8_len((const unsigned char *)"a", 1) == 1);
	test_cond("csv: utf8_len 4 bytes", csv_utf8_len((const unsigned char *)"\xF0\x9F\x98\x80", 4) == 4);
	test_cond("csv: utf8_len short", csv_utf8_len((const unsigned char *)"\xF0\x9F\x98", 3) == 0);
	test_cond("csv: utf8_len E0 overlong", csv_utf8_len((const unsigned char *)"\xE0\x80\x80", 3) == 0);
	return test_report();
}
