/* tests/fuzz/csv.c - the CSV writer (lib/csv): fields of any bytes (the
 * input split at 0xFF bytes, rows at 0xFE) give valid UTF-8 in which every
 * quote is balanced and every row ends in CRLF. */
#include "csv.h"
#include "fuzz.h"

#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("csv", 0);
	fuzz_check(fd >= 0);
	csv_writer *w = csv_writer_new(fd, size && data[0] == '\t' ? '\t' : ',');
	fuzz_check(w != NULL);
	size_t start = 0, rows = 0;
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != 0xFF && data[i] != 0xFE)
			continue;
		if (i - start == 1 && data[start] == 'N')
			fuzz_check(csv_null(w) == 0);
		else
			fuzz_check(csv_field(w, (const char *)data + start, i - start) == 0);
		if (i == size || data[i] == 0xFE) {
			fuzz_check(csv_end_row(w) == 0);
			rows++;
		}
		start = i + 1;
	}
	fuzz_check(csv_flush(w) == 0);
	off_t n = lseek(fd, 0, SEEK_CUR);
	unsigned char *out = malloc((size_t)n + 1);
	fuzz_check(pread(fd, out, (size_t)n, 0) == n);
	/* Valid UTF-8 throughout, quotes balanced at every row end. */
	int quoted = 0;
	size_t crlf = 0;
	for (off_t i = 0; i < n;) {
		size_t k = csv_utf8_len(out + i, (size_t)(n - i));
		fuzz_check(k > 0 || out[i] == 0);
		if (out[i] == '"')
			quoted = !quoted;
		if (!quoted && out[i] == '\r') {
			fuzz_check(i + 1 < n && out[i + 1] == '\n');
			crlf++;
		}
		i += k ? (off_t)k : 1;
	}
	fuzz_check(!quoted && crlf == rows);
	free(out);
	csv_writer_free(w);
	close(fd);
	return 0;
}
