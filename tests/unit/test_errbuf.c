/* test_errbuf.c - unit tests of lib/errbuf: the one-line error buffer. */
#include "errbuf.h"
#include "unit.h"

int main(void)
{
	char err[32];

	test_cond("errbuf_fail returns the code",
		  errbuf_fail(err, sizeof err, 7, "bad %s", "line") == 7);
	test_cond("errbuf_fail writes the reason", strcmp(err, "bad line") == 0);
	test_cond("errbuf_fail accepts no buffer", errbuf_fail(NULL, 0, -1, "x") == -1);

	errbuf_fail(err, sizeof err, -1, "invalid JSON");
	test_cond("errbuf_prefix returns the code",
		  errbuf_prefix(err, sizeof err, 5, "%s:%d: ", "a.lz4", 3) == 5);
	test_cond("errbuf_prefix puts the text in front",
		  strcmp(err, "a.lz4:3: invalid JSON") == 0);

	errbuf_fail(err, sizeof err, -1, "0123456789abcdefghij");
	errbuf_prefix(err, sizeof err, -1, "%s: ", "0123456789");
	test_cond("errbuf_prefix truncates to the buffer",
		  strlen(err) == sizeof err - 1 &&
		  strncmp(err, "0123456789: 0123456789", 22) == 0);

	char small[4] = "abc";
	errbuf_prefix(small, sizeof small, -1, "%s", "longer than the buffer");
	test_cond("errbuf_prefix keeps the NUL when the prefix fills it",
		  strcmp(small, "lon") == 0);
	return test_report();
}
