/* unit.h - the tiny test macro of the C unit tests (redis's test_cond style):
 * each check prints "ok - " or "not ok - " for tests/run to count. */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_pass, unit_fail;

#define test_cond(descr, cond)                                                 \
	do {                                                                   \
		if (cond) {                                                    \
			unit_pass++;                                           \
			printf("ok - %s\n", descr);                            \
		} else {                                                       \
			unit_fail++;                                           \
			printf("not ok - %s (%s:%d)\n", descr, __FILE__, __LINE__); \
		}                                                              \
	} while (0)

#define test_report()                                                          \
	(printf("# %d passed, %d failed\n", unit_pass, unit_fail), unit_fail ? 1 : 0)

/* A JSON object nested LEVELS deep ({"a":[[...]]}) between PRE and POST,
 * for the depth rule's tests.  The caller frees it. */
static inline char *deep_json(const char *pre, size_t levels, const char *post)
{
	size_t pl = strlen(pre), ql = strlen(post), n = levels - 1;
	char *s = malloc(pl + 5 + 2 * n + 1 + ql + 1);
	memcpy(s, pre, pl);
	memcpy(s + pl, "{\"a\":", 5);
	memset(s + pl + 5, '[', n);
	memset(s + pl + 5 + n, ']', n);
	s[pl + 5 + 2 * n] = '}';
	memcpy(s + pl + 5 + 2 * n + 1, post, ql + 1);
	return s;
}

#endif
