/* tests/fuzz/tspan.c - time and duration parsing (lib/tspan): an instant
 * that parses formats to ISO-8601 that parses to the same millisecond; a
 * step that parses floors and adds forward; a pattern that has a period
 * formats a name. */
#include "fuzz.h"
#include "tspan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), iso[TSPAN_ISO_MAX], name[512];
	int64_t ms, back;
	int sub = 0;
	if (tspan_parse_time((const char *)data, size, &ms, &sub) == 0) {
		tspan_format_iso(ms, iso);
		fuzz_check(tspan_parse_time(iso, (size_t)-1, &back, NULL) == 0 && back == ms);
		fuzz_check(tspan_precision((const char *)data, size) >= 1);
		struct tspan_step step;
		if (tspan_parse_step(s + strlen(s) / 2, &step) == 0) {
			int64_t f = tspan_floor(ms, step), a = tspan_add(f, step);
			fuzz_check(f <= ms && a > f);
		}
	}
	struct tspan_step step;
	if (tspan_parse_step(s, &step) == 0) {
		int64_t f = tspan_floor(1709251200123LL, step);
		fuzz_check(f <= 1709251200123LL && tspan_add(f, step) > f);
	}
	struct tspan_step per;
	if (tspan_pattern_period(s, &per) == 1)
		tspan_pattern_format(s, 1709251200123LL, name, sizeof name);
	free(s);
	return 0;
}
