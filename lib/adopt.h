/* adopt.h - taking into the cache a chunk that was fetched elsewhere (an
 * `osdownload --hosts-storage local` host sent it back): it is published
 * only once it is whole, and the same way as a chunk osfetch fetched here,
 * so that "a finished chunk is never fetched again, a half-written one
 * never looks finished" holds for it too.
 */
#ifndef ADOPT_H
#define ADOPT_H

#include <stddef.h>
#include <stdint.h>

/* Checks SRC against its sidecar SRC.meta: every LZ4 frame decodes (content
 * checksums included) and the chunk holds as many lines as the sidecar's
 * docs.  Then publishes DST and DST.meta with publish_begin/publish_commit
 * (directories made, temp name, fsync, the sidecar renamed first) and
 * removes SRC and SRC.meta.  *DOCS (if DOCS) gets the line count.  Returns
 * 0, or an osdl exit code with a reason in ERR: OSDL_EXIT_DATA (no sidecar,
 * a damaged frame, a count that differs; nothing is published and SRC is
 * left for the caller to look at), OSDL_EXIT_USAGE (SRC and DST are one
 * file), OSDL_EXIT_IO, OSDL_EXIT_FAIL (memory). */
int adopt_chunk(const char *src, const char *dst, uint64_t *docs, char *err, size_t errlen);

#endif
