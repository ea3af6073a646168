/* test_spec.c - unit tests of lib/spec: spec lines, arguments, cache paths. */
#include "spec.h"
#include "tspan.h"
#include "unit.h"

#include <string.h>

static void test_lines(void)
{
	static const struct {
		const char *line;
		int rc;
		const char *index;
		long long from, to;
		int sid, smax;
		const char *canon; /* spec_format() of the result */
	} t[] = {
		{ "logs-2024.03.01 2024-03-01T00:00:00.000Z 2024-03-01T01:00:00.000Z\n", 1, "logs-2024.03.01",
		  1709251200000LL, 1709254800000LL, 0, 0,
		  "logs-2024.03.01 2024-03-01T00:00:00.000Z 2024-03-01T01:00:00.000Z" },
		{ "  a\t1709251200000   1709251200001 3/8\r\n", 1, "a", 1709251200000LL, 1709251200001LL, 3, 8,
		  "a 2024-03-01T00:00:00.000Z 2024-03-01T00:00:00.001Z 3/8" },
		{ "a 2024-03-01T02:00:00+02:00 2024-03-02 0/1", 1, "a", 1709251200000LL, 1709337600000LL, 0, 1,
		  "a 2024-03-01T00:00:00.000Z 2024-03-02T00:00:00.000Z 0/1" },
		{ "", 0, NULL, 0, 0, 0, 0, NULL },
		{ "   \n", 0, NULL, 0, 0, 0, 0, NULL },
		{ "# a comment 1 2", 0, NULL, 0, 0, 0, 0, NULL },
		{ "  # indented comment", 0, NULL, 0, 0, 0, 0, NULL },
		{ "a 2024-03-01", -1, NULL, 0, 0, 0, 0, NULL },
		{ "a 2024-03-01 2024-03-02 0/2 extra", -1, NULL, 0, 0, 0, 0, NULL },
		{ "logs-* 2024-03-01 2024-03-02", -1, NULL, 0, 0, 0, 0, NULL },
		{ "a,b 2024-03-01 2024-03-02", -1, NULL, 0, 0, 0, 0, NULL },
		{ "a:b 2024-03-01 2024-03-02", -1, NULL, 0, 0, 0, 0, NULL },
		{ ".. 2024-03-01 2024-03-02", -1, NULL, 0, 0, 0, 0, NULL },
		{ "a 2024-03-02 2024-03-01", -1, NULL, 0, 0, 0, 0, NULL },
		{ "a 2024-03-01 2024-03-01", -1, NULL, 0, 0, 0, 0, NULL },
		{ "a 2023-02-29 2024-03-01", -1, NULL, 0, 0, 0, 0, NULL },
		{ "a 2024-03-01 2024-03-02 2/2", -1, NULL, 0, 0, 0, 0, NULL },
		{ "a 2024-03-01 2024-03-02 -1/2", -1, NULL, 0, 0, 0, 0, NULL },
		{ "a 2024-03-01 2024-03-02 1/0", -1, NULL, 0, 0, 0, 0, NULL },
		{ "a 2024-03-01 2024-03-02 1/", -1, NULL, 0, 0, 0, 0, NULL },
		{ "a 2024-03-01 2024-03-02 1/2x", -1, NULL, 0, 0, 0, 0, NULL },
		{ "a 2024-03-01T00:00:00.0001Z 2024-03-02", -1, NULL, 0, 0, 0, 0, NULL },
		/* Found by tests/fuzz/spec: a field holding a newline or other
		 * control byte made a two-line error. */
		{ "a34- 3\0224-03-02\n-01 20=\0224-03-02\n", -1, NULL, 0, 0, 0, 0, NULL },
		{ "a 2024-03-01 2024-03-02 1/\x1b[2J", -1, NULL, 0, 0, 0, 0, NULL },
		{ "a 2024-03-02\r 2024-03-01", -1, NULL, 0, 0, 0, 0, NULL },
	};
	char d[200], err[200], buf[512];
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct spec sp;
		err[0] = 0;
		int rc = spec_parse_line(t[i].line, &sp, err, sizeof err);
		snprintf(d, sizeof d, "spec line '%.*s'", (int)strcspn(t[i].line, "\r\n"), t[i].line);
		if (t[i].rc == 1) {
			test_cond(d, rc == 1 && strcmp(sp.index, t[i].index) == 0 && sp.from == t[i].from &&
					     sp.to == t[i].to && sp.slice_id == t[i].sid && sp.slice_max == t[i].smax);
			size_t n = spec_format(&sp, buf, sizeof buf);
			snprintf(d, sizeof d, "spec format '%.60s'", t[i].canon);
			test_cond(d, n == strlen(t[i].canon) && strcmp(buf, t[i].canon) == 0);
			struct spec again;
			test_cond("formatted spec parses back", spec_parse_line(buf, &again, err, sizeof err) == 1 &&
									    memcmp(&again, &sp, sizeof sp) == 0);
		} else if (t[i].rc == 0) {
			test_cond(d, rc == 0);
		} else {
			test_cond(d, rc == -1 && err[0] && !strpbrk(err, "\n\r\x1b"));
		}
	}
}

static void test_args(void)
{
	char err[200];
	struct spec sp;
	char *ok[] = { "idx", "2024-03-01T00:00:00Z", "1709337600000" };
	test_cond("spec args", spec_parse_args(3, ok, &sp, err, sizeof err) == 0 && sp.slice_max == 0 &&
				       sp.to - sp.from == 86400000);
	char *two[] = { "idx", "2024-03-01T00:00:00Z" };
	test_cond("spec args: two", spec_parse_args(2, two, &sp, err, sizeof err) == -1);
	char *sl[] = { "idx", "2024-03-01", "2024-03-02", "1/4" };
	test_cond("spec args: slice", spec_parse_args(4, sl, &sp, err, sizeof err) == 0 && sp.slice_id == 1 &&
					      sp.slice_max == 4);
	char name[SPEC_INDEX_MAX + 1];
	memset(name, 'a', SPEC_INDEX_MAX);
	name[SPEC_INDEX_MAX] = 0;
	char *lng[] = { name, "2024-03-01", "2024-03-02" };
	test_cond("spec args: index too long", spec_parse_args(3, lng, &sp, err, sizeof err) == -1);
	/* Names that a shell, make or xargs would read as code or fields are
	 * refused, and the error shows them escaped on one line. */
	static const char *const bad[] = { "a$(shell id)", "a;b", "a`id`", "a\tb", "a'b", "a\"b", "a b",
					   "a\nb", "a\\b", "a*", "a,b", "a:b", "a/b", ".", "..", "", "caf\xc3\xa9" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char d[300];
		char *args[] = { (char *)bad[i], "2024-03-01", "2024-03-02" };
		int rc = spec_parse_args(3, args, &sp, err, sizeof err);
		snprintf(d, sizeof d, "index name %zu refused: %s", i, err);
		test_cond(d, !spec_index_name_valid(bad[i]) && rc == -1 && !strchr(err, '\n') && !strchr(err, '\t'));
	}
	char *nl[] = { "a\nb", "2024-03-01", "2024-03-02" };
	spec_parse_args(3, nl, &sp, err, sizeof err);
	test_cond("index name error escaped", strstr(err, "'a\\nb'") != NULL);
	test_cond("index names valid", spec_index_name_valid("logs-2024.03.01") && spec_index_name_valid("A_b+c@d") &&
					       spec_index_name_valid(".kibana") && spec_index_name_valid("..."));
	struct spec big = { .from = 0, .to = 1 };
	memcpy(big.index, name, SPEC_INDEX_MAX - 1);
	test_cond("spec format: too small", spec_format(&big, err, 100) == 0);
}

static void test_paths(void)
{
	struct spec sp = { "logs-2024.03.01", 1709251200000LL, 1709254800000LL, 0, 0 };
	char buf[512];
	const char *want = "cache/0123456789abcdef/logs-2024.03.01/20240301T000000.000Z_20240301T010000.000Z.ndjson.lz4";
	test_cond("chunk path", spec_chunk_path("cache", "0123456789abcdef", &sp, buf, sizeof buf) == strlen(want) &&
					strcmp(buf, want) == 0);
	test_cond("chunk path, dir with slash", spec_chunk_path("cache//", "0123456789abcdef", &sp, buf, sizeof buf) &&
						    strcmp(buf, want) == 0);
	test_cond("chunk path, empty dir refused", spec_chunk_path("", "f", &sp, buf, sizeof buf) == 0);
	test_cond("chunk path, root dir", spec_chunk_path("/", "f", &sp, buf, sizeof buf) &&
					      strncmp(buf, "/f/logs-2024.03.01/", 19) == 0);
	sp.slice_id = 2;
	sp.slice_max = 5;
	spec_chunk_path(".", "f", &sp, buf, sizeof buf);
	test_cond("chunk path, slice",
		  strcmp(buf, "./f/logs-2024.03.01/20240301T000000.000Z_20240301T010000.000Z.s2of5.ndjson.lz4") == 0);
	test_cond("chunk path has no ':' or ' '", !strchr(buf, ':') && !strchr(buf, ' '));
	test_cond("chunk path too small", spec_chunk_path(".", "f", &sp, buf, 40) == 0);
}

int main(void)
{
	test_lines();
	test_args();
	test_paths();
	return test_report();
}
