/* kmerge.h - stable k-way merge of sorted NDJSON streams with bounded memory.
 *
 * Three layers, each usable alone (the merge's heap is heap.h):
 *   - kmerge_reader / kmerge_next_doc: one input (plain or LZ4, "-" = stdin)
 *     read line by line, each line validated and its keys extracted, bad
 *     lines reported as "FILE:LINE: ..." or skipped and counted.
 *   - kmerge_out: the output end: writes lines, remembers the last key
 *     (for order checks) and drops duplicate _id within a run of equal keys.
 *   - kmerge_files: all of it: merges N sorted files into a writer, checking
 *     order.  Inputs are opened only when their first line is due (a first
 *     pass reads every input's first key), so chunk files of consecutive
 *     ranges are merged one or two at a time.  When more than opts.fanin
 *     inputs overlap, the open ones are merged into a temporary file that
 *     stands for them (a tree merge, only where inputs overlap); its lines
 *     keep their input number, so the result is the same and stable.
 *
 * Memory: one reader costs about KMERGE_READER_BYTES plus its longest line,
 * so a merge holds at most fanin x (KMERGE_READER_BYTES + max line), and
 * only as many readers as inputs overlap; plus one copied first key per
 * input.
 *
 * Errors: library functions never print them.  A failure returns the osdl
 * exit code of its kind (osmerge exits with it): OSDL_EXIT_DATA for bad
 * input (invalid JSON, order, a truncated LZ4 frame), OSDL_EXIT_IO for
 * open, read, write and temp files, OSDL_EXIT_FAIL for memory; and writes
 * one line into the caller's (ERR, ERRLEN) as errbuf.h says, e.g.
 * "a.ndjson:12: out of order: ...".
 */
#ifndef KMERGE_H
#define KMERGE_H

#include <stddef.h>
#include <stdint.h>

#include "heap.h"
#include "jkey.h"
#include "lzio.h"
#include "tmpdir.h"


/* ---- statistics ---- */

struct kmerge_stats {
	uint64_t lines_in;   /* documents read from the inputs */
	uint64_t bytes_in;   /* their NDJSON bytes, newlines included */
	uint64_t lines_out, bytes_out;
	uint64_t dups;       /* dropped by unique */
	uint64_t bad_lines;  /* skipped by skip_bad */
	uint64_t bad_files;  /* unreadable inputs skipped by skip_bad */
	uint64_t passes;     /* intermediate merge passes */
	uint64_t runs;       /* sorted runs spilled (xsort) */
	uint64_t tmp_bytes;  /* uncompressed bytes written to temp files */
};

/* ---- reading ---- */

#define KMERGE_READER_BYTES (1024 * 1024) /* lzio buffers, LZ4 context, line buffer: measured */

typedef struct kmerge_reader kmerge_reader;

/* Options shared by readers and merges. */
struct kmerge_opts {
	const jkey_spec *keys; /* with_id must be set when unique is */
	size_t max_line;       /* longest accepted line (0: OSDL_MAX_LINE) */
	size_t fanin;          /* inputs open at once, >= 2 */
	int check_order;       /* fail on a line that sorts before its predecessor */
	int unique;            /* drop a repeated _id within equal keys */
	int skip_bad;          /* skip and count bad lines and unreadable files */
	tmpdir *tmp;        /* temp files for passes (needed if n > fanin) */
	int sorted_keys;       /* 0: inputs are sorted by all keys; N: only by the
				  first N, and each run of equal first-N keys is
				  buffered and sorted by all keys (memory: the
				  longest run per open input) */
};

/* Opens PATH ("-" = stdin) into *R; the caller closes the reader.  Returns
 * 0, or OSDL_EXIT_FAIL / OSDL_EXIT_IO with the reason in ERR.  When
 * opts.skip_bad allows skipping an unreadable file, that is no failure:
 * 0 with *R NULL, the file counted in st->bad_files (and logged). */
int kmerge_reader_open(const struct kmerge_opts *o, const char *path, kmerge_reader **r,
		       struct kmerge_stats *st, char *err, size_t errlen);
/* Reads the next good document: *line and *len (valid until the next call) and
 * its keys in VALS (jkey_nvals() entries).  Returns 0 with the document, or
 * 0 with *line NULL at the end of input (so that every non-zero value is a
 * failure), or an exit code with the reason in ERR.  With skip_bad, bad
 * lines (and the rest of a truncated LZ4 stream) are counted in
 * st->bad_lines instead. */
int kmerge_next_doc(kmerge_reader *r, char **line, size_t *len, jkey_val *vals,
		    struct kmerge_stats *st, char *err, size_t errlen);
/* The input's name for messages, owned by R; and the lines read so far. */
const char *kmerge_reader_name(const kmerge_reader *r);
uint64_t kmerge_reader_lineno(const kmerge_reader *r);
void kmerge_reader_close(kmerge_reader *r); /* NULL is fine */

/* ---- writing ---- */

typedef struct kmerge_out kmerge_out;

/* Output end over writer W (not owned).  Returns NULL on allocation failure. */
kmerge_out *kmerge_out_new(const jkey_spec *ks, lzio_writer *w, int unique);
/* Compares VALS with the last emitted keys (>0 if nothing emitted yet). */
int kmerge_out_cmp_last(const kmerge_out *o, const jkey_val *vals);
/* The last emitted key as text, for messages. */
void kmerge_out_format_last(const kmerge_out *o, char *buf, size_t n);
/* Writes LINE and '\n' unless unique drops it; *WRITTEN says which.  Returns
 * 0, or an exit code with the reason in ERR: OSDL_EXIT_IO (a write error),
 * OSDL_EXIT_FAIL (out of memory). */
int kmerge_out_emit(kmerge_out *o, const char *line, size_t len, const jkey_val *vals, int *written,
		    char *err, size_t errlen);
uint64_t kmerge_out_dups(const kmerge_out *o);
void kmerge_out_free(kmerge_out *o);

/* ---- merging ---- */

/* Merges the N sorted inputs PATHS into W, stable.  Statistics are added to
 * ST.  Returns 0, or an exit code with the reason in ERR; temp files it made
 * are removed on both paths.  W is not finished. */
int kmerge_files(const struct kmerge_opts *o, char *const *paths, size_t n, lzio_writer *w,
		 struct kmerge_stats *st, char *err, size_t errlen);

#endif
