/* spec.h - chunk specs: the line format that osplan emits and osfetch reads,
 * and the cache file name osfetch publishes for a chunk.
 *
 * A spec line is whitespace-separated, no quoting needed:
 *
 *     INDEX FROM TO [SLICE]
 *
 * INDEX is one concrete index (no wildcard; letters, digits and "._-+@"
 * only, so it is safe in paths, make targets and URLs); FROM and TO are ISO-8601 UTC
 * instants with milliseconds ("2024-03-01T00:00:00.000Z"), the chunk being
 * the half-open range [FROM, TO); SLICE is "i/n" (0 <= i < n) when the chunk
 * is fetched as one of n slices.  Lines starting with '#' and blank lines are
 * ignored by readers.
 */
#ifndef SPEC_H
#define SPEC_H

#include <stddef.h>
#include <stdint.h>

#define SPEC_INDEX_MAX 256

/* The one rule for index names that osdl accepts or emits, as osplan.1
 * promises: 1 to SPEC_INDEX_MAX - 1 letters, digits and "._-+@", not "." or
 * "..".  Such a name is safe unquoted in paths, make targets, sh words, xargs
 * input and URLs, and names exactly one index.  Returns 1 if S is one. */
int spec_index_name_valid(const char *s);
/* Whether C may appear in such a name. */
int spec_index_char_valid(int c);

struct spec {
	char index[SPEC_INDEX_MAX];
	int64_t from, to;      /* [from, to) in epoch ms UTC */
	int slice_id, slice_max; /* slice_max == 0: not sliced */
};

/* Parses one spec line.  Returns 1 on a spec, 0 on a blank/comment line,
 * -1 on an error with a one-line reason in ERR. */
int spec_parse_line(const char *line, struct spec *sp, char *err, size_t errlen);
/* Parses a spec given as separate arguments (INDEX FROM TO [SLICE]).
 * FROM/TO also accept any form tspan_parse_time() accepts.  Returns 0, or
 * -1 with a one-line reason in ERR. */
int spec_parse_args(int argc, char *const argv[], struct spec *sp, char *err, size_t errlen);
/* Formats SP as a spec line without newline.  Returns the length, or 0 if
 * it does not fit. */
size_t spec_format(const struct spec *sp, char *buf, size_t n);

/* The published cache file of a chunk:
 *     DIR/FINGERPRINT/INDEX/FROM_TO[.sIofN].ndjson.lz4
 * with FROM/TO in tspan_format_compact() form.  Returns the length, or 0 if
 * it does not fit in N bytes or DIR is empty. */
size_t spec_chunk_path(const char *dir, const char *fingerprint,
		       const struct spec *sp, char *buf, size_t n);

#endif
