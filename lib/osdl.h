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

/* The size and depth rules of documents, the same in every tool and stated
 * in every man page (LIMITS).  A document's _source may be OSDL_MAX_DOC
 * bytes; its NDJSON line, with "_id" and "_index" added, OSDL_MAX_LINE
 * (ids are at most 512 bytes, index names 255, even escaped they fit the
 * margin).  Buffers grow to the longest line seen, never past these. */
#define OSDL_MAX_DOC ((size_t)256 << 20)
#define OSDL_MAX_LINE (OSDL_MAX_DOC + ((size_t)64 << 10))
/* Arrays and objects may nest OSDL_MAX_DEPTH deep, the line's (the
 * _source's) own object being the first level.  The server stores deeper
 * documents; every tool refuses them alike, osfetch before it publishes. */
#define OSDL_MAX_DEPTH 10000
#define OSDL_STR_(x) #x
#define OSDL_STR(x) OSDL_STR_(x)
#define OSDL_MAX_DEPTH_TEXT OSDL_STR(OSDL_MAX_DEPTH) /* for messages */

#endif
