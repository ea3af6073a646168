/* osdl.h - what every osdl tool shares: the version and the exit codes. */
#ifndef OSDL_H
#define OSDL_H

#define OSDL_VERSION "0.1.0"

/* Exit codes, the same for every tool and documented in every man page.
 * A scheduler can tell "fix the command" (2) from "try again later" (4)
 * from "the data did not check out" (5) without reading stderr. */
enum osdl_exit {
	OSDL_EXIT_OK       = 0, /* success (also: chunk already cached) */
	OSDL_EXIT_FAIL     = 1, /* other failure, e.g. interrupted by a signal */
	OSDL_EXIT_USAGE    = 2, /* bad flags, dates, specs, query JSON, unknown fields */
	OSDL_EXIT_SERVER   = 3, /* permanent server error (400/401/403/404, shard failures) */
	OSDL_EXIT_RETRIES  = 4, /* transient errors went on past the retry budget */
	OSDL_EXIT_VERIFY   = 5, /* document count did not match the server's total */
	OSDL_EXIT_IO       = 6, /* local I/O error: open, write, fsync, rename, disk full */
	OSDL_EXIT_DATA     = 7, /* bad input data: invalid JSON line, out-of-order input,
	                           truncated LZ4 frame */
	OSDL_EXIT_GAP      = 8, /* osshape --fail-on-gap: the range has a time span without
	                           documents (the output is still written) */
	OSDL_EXIT_SIGNAL   = 130 /* stopped by SIGINT/SIGTERM after cleaning up */
};

/* Every code above once, for `osplan --exit-codes` (scripts read the codes
 * from there): add a code to the enum and here. */
#define OSDL_EXIT_EACH(X) \
	X(OSDL_EXIT_OK) X(OSDL_EXIT_FAIL) X(OSDL_EXIT_USAGE) X(OSDL_EXIT_SERVER) \
	X(OSDL_EXIT_RETRIES) X(OSDL_EXIT_VERIFY) X(OSDL_EXIT_IO) X(OSDL_EXIT_DATA) \
	X(OSDL_EXIT_GAP) X(OSDL_EXIT_SIGNAL)

#endif
