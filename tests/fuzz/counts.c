/* tests/fuzz/counts.c - osshape's counts reader (lib/shape): any file gives
 * lines whose names follow the index-name rule and whose spans are not
 * empty, or one error line. */
#include "fuzz.h"
#include "shape.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size ? size : 1, "r");
	if (!f)
		return 0;
	struct shape_count *c;
	size_t n;
	char err[512];
	if (size && shape_read_counts(f, "fuzz", &c, &n, err, sizeof err) == 0) {
		for (size_t i = 0; i < n; i++)
			fuzz_check(spec_index_name_valid(c[i].index) && c[i].from < c[i].to && c[i].count >= 0);
		shape_counts_free(c, n);
	} else if (size) {
		fuzz_check(err[0] && !strchr(err, '\n'));
	}
	fclose(f);
	return 0;
}
