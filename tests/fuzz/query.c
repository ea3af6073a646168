/* tests/fuzz/query.c - the query-file reader (lib/query): a file of any
 * bytes loads or fails with one line; a loaded query gives request bodies
 * and a fingerprint; a field list parses or fails. */
#include "fuzz.h"
#include "query.h"

#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], path[64];
	query *q = query_new(NULL);
	int fd = memfd_create("query", 0);
	fuzz_check(q && fd >= 0);
	fuzz_check(write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (query_load_file(q, path, err, sizeof err) == 0) {
		char *body = query_filter_json(q, 0, 1);
		fuzz_check(body != NULL);
		free(body);
		fuzz_check(strlen(query_fingerprint(q)) == 16);
	} else {
		fuzz_check(err[0] && !strchr(err, '\n'));
	}
	close(fd);
	char *s = fuzz_str(data, size);
	if (query_set_fields(q, s, err, sizeof err) == 0)
		for (size_t i = 0; i < query_field_count(q); i++)
			fuzz_check(query_field(q, i) && query_field(q, i)[0]);
	free(s);
	query_free(q);
	return 0;
}
