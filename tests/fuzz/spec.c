/* tests/fuzz/spec.c - the chunk spec parser (lib/spec): any line parses or
 * fails cleanly; what parses formats back to a line that parses the same;
 * its cache path holds only rule-abiding names; and index names and
 * patterns are shown on one line. */
#include "esc.h"
#include "fuzz.h"
#include "plan.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), err[256], buf[1024], path[4096];
	struct spec sp, again;
	int rc = spec_parse_line(s, &sp, err, sizeof err);
	fuzz_check(rc >= -1 && rc <= 1);
	if (rc < 0)
		fuzz_check(err[0] && !strchr(err, '\n'));
	if (rc == 1) {
		fuzz_check(spec_index_name_valid(sp.index) && sp.from < sp.to);
		size_t n = spec_format(&sp, buf, sizeof buf);
		fuzz_check(n > 0 && spec_parse_line(buf, &again, err, sizeof err) == 1);
		fuzz_check(memcmp(&sp, &again, sizeof sp) == 0);
		if (spec_chunk_path("cache", "0123456789abcdef", &sp, path, sizeof path))
			fuzz_check(!strpbrk(path, " \t\n'\"$`;\\"));
	}
	char shown[ESC_DISPLAY_MAX];
	esc_display(s, (size_t)-1, shown, sizeof shown);
	fuzz_check(!strpbrk(shown, "\n\r\t\x1b") && strlen(shown) < sizeof shown);
	struct tspan_step per;
	if (plan_pattern_period(s, &per, err, sizeof err) < 0)
		fuzz_check(err[0] && !strchr(err, '\n'));
	free(s);
	return 0;
}
