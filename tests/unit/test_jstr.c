/* test_jstr.c - unit tests of lib/jstr: one U+FFFD per lone surrogate. */
#include "jstr.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>

#define R "\xef\xbf\xbd" /* U+FFFD */

int main(void)
{
	static const struct {
		const char *raw, *want;
	} dec[] = {
		{ "plain", "plain" },
		{ "a\\nb\\t\\\"\\\\\\/", "a\nb\t\"\\/" },
		{ "\\u0041\\u00e9\\u20ac", "A\xc3\xa9\xe2\x82\xac" },
		{ "\\ud83d\\ude00", "\xf0\x9f\x98\x80" },
		{ "\\uD83D\\uDE00", "\xf0\x9f\x98\x80" },
		{ "\\ud800", R },
		{ "x\\ud800y", "x" R "y" },
		{ "\\udc00", R },
		{ "\\udfff\\ud800", R R },
		{ "\\ud800\\u0041", R "A" },
		{ "\\ud800\\ud800", R R },
		{ "\\ud800\\ud83d\\ude00", R "\xf0\x9f\x98\x80" },
		{ "\\ud800\\n", R "\n" },
		{ "\\\\ud800", "\\ud800" },
		{ "\\ufffd", R },
		{ "\\u0000z", "\0z" },
	};
	char out[64], d[200];
	for (size_t i = 0; i < sizeof dec / sizeof dec[0]; i++) {
		size_t n = jstr_decode(dec[i].raw, strlen(dec[i].raw), out);
		size_t wn = strlen(dec[i].want) + (strcmp(dec[i].raw, "\\u0000z") == 0 ? 2 : 0);
		snprintf(d, sizeof d, "decode '%s'", dec[i].raw);
		test_cond(d, n == wn && memcmp(out, dec[i].want, n) == 0);
	}
	static const struct {
		const char *text, *want;
	} fix[] = {
		{ "[\"\\ud800\"]", "[\"" R "\"]" },
		{ "[\"\\ud83d\\ude00\",\"\\udc00\"]", "[\"\\ud83d\\ude00\",\"" R "\"]" },
		{ "[\"\\\\ud800\",1]", "[\"\\\\ud800\",1]" },
		{ "[\"\\ud800\\u0041\"]", "[\"" R "\\u0041\"]" },
		{ "[{\"k\\udc00\":\"\\n\"}]", "[{\"k" R "\":\"\\n\"}]" },
		{ "[\"\\ufffd\"]", "[\"\\ufffd\"]" },
	};
	for (size_t i = 0; i < sizeof fix / sizeof fix[0]; i++) {
		size_t n = jstr_fix_text(fix[i].text, strlen(fix[i].text), out);
		snprintf(d, sizeof d, "fix text '%s'", fix[i].text);
		test_cond(d, n == strlen(fix[i].want) && memcmp(out, fix[i].want, n) == 0);
	}
	test_cond("has surrogate", jstr_has_surrogate("a\\ud800", 7) && jstr_has_surrogate("\\uDFFF", 6) &&
					   !jstr_has_surrogate("\\\\ud800", 7) && !jstr_has_surrogate("\\u0041", 6) &&
					   !jstr_has_surrogate("\\ud8", 4) && !jstr_has_surrogate("\\ue000", 6));
	test_cond("too deep", jstr_too_deep("[[[]]]", 6, 2) && !jstr_too_deep("[[[]]]", 6, 3) &&
				      !jstr_too_deep("[\"[[[\\\"[[\"]", 12, 1) && jstr_too_deep("{\"a\":{}}", 9, 1) &&
				      !jstr_too_deep("{}{}{}", 6, 1) && !jstr_too_deep("", 0, 0));
	return test_report();
}
