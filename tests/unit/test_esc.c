/* test_esc.c - unit tests of lib/esc: data-derived text shown on one line. */
#include "esc.h"
#include "unit.h"

#include <string.h>

int main(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} t[] = {
		{ "logs-2024.03.01", (size_t)-1, "logs-2024.03.01" },
		{ "a\nb", (size_t)-1, "a\\nb" },
		{ "a\tb\rc", (size_t)-1, "a\\tb\\rc" },
		{ "a\\nb", (size_t)-1, "a\\\\nb" },
		{ "\x1b[31mred", (size_t)-1, "\\x1b[31mred" },
		{ "del\x7f", (size_t)-1, "del\\x7f" },
		{ "nul\0x", 5, "nul\\x00x" },
		{ "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80", (size_t)-1, "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80" },
		{ "bad\xff\xc3", (size_t)-1, "bad\\xff\\xc3" },
		{ "overlong\xc0\xaf", (size_t)-1, "overlong\\xc0\\xaf" },
		{ "surrogate\xed\xa0\x80", (size_t)-1, "surrogate\\xed\\xa0\\x80" },
		{ "c1\xc2\x85", (size_t)-1, "c1\\u0085" },
		{ "ls\xe2\x80\xa8 rlo\xe2\x80\xae", (size_t)-1, "ls\\u2028 rlo\\u202e" },
		{ "$(shell id);`x` 'q' \"d\"", (size_t)-1, "$(shell id);`x` 'q' \"d\"" },
	};
	char buf[ESC_DISPLAY_MAX], d[ESC_DISPLAY_MAX + 40];
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		esc_display(t[i].in, t[i].len, buf, sizeof buf);
		snprintf(d, sizeof d, "esc case %zu: got '%s'", i, buf);
		test_cond(d, strcmp(buf, t[i].want) == 0);
	}
	/* esc_line: the net under every log line keeps backslashes. */
	test_cond("esc_line keeps backslashes, escapes controls",
		  strcmp(esc_line("a\\n\nb\x1b", (size_t)-1, buf, sizeof buf), "a\\n\\nb\\x1b") == 0);
	test_cond("esc NULL", strcmp(esc_display(NULL, 0, buf, sizeof buf), "(null)") == 0);
	/* Truncation keeps whole pieces and ends in "..." within N. */
	char small[10];
	esc_display("abcdefghijklmnop", (size_t)-1, small, sizeof small);
	test_cond("esc truncates with ...", strcmp(small, "abcdef...") == 0);
	esc_display("ab\n\n\n\n", (size_t)-1, small, sizeof small);
	test_cond("esc never cuts an escape", strcmp(small, "ab\\n\\n...") == 0);
	esc_display("abcd\xe6\x97\xa5\xe6\x97\xa5", (size_t)-1, small, sizeof small);
	test_cond("esc never cuts a UTF-8 character", strcmp(small, "abcd...") == 0);
	esc_display("abcdefghi", (size_t)-1, small, sizeof small);
	test_cond("esc: exactly fits", strcmp(small, "abcdefghi") == 0);
	return test_report();
}
