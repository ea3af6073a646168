/* unit.h - the tiny test macro of the C unit tests (redis's test_cond style):
 * each check prints "ok - " or "not ok - " for tests/run to count. */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>

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

#endif
