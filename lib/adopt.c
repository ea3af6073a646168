/* adopt.c - a chunk fetched elsewhere, verified and published into the
 * cache, see adopt.h. */
#include "adopt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"
#include "lzio.h"
#include "meta.h"
#include "osdl.h"
#include "publish.h"

#define COPY_BUF ((size_t)1 << 20)

/* The lines of SRC, decoding every frame (the decoder checks the frames'
 * checksums).  Returns 0 or an exit code with the reason in ERR. */
static int count_lines(const char *src, char *buf, uint64_t *lines, char *err, size_t errlen)
{
	lzio_reader *r = lzio_open(src, 0);
	char why[256];
	long n;
	*lines = 0;
	if (!r)
		return errbuf_fail(err, errlen, errno == ENOMEM ? OSDL_EXIT_FAIL : OSDL_EXIT_IO, "%s: %s", src,
				   strerror(errno));
	int lz4 = lzio_is_lz4(r);
	while ((n = lzio_read(r, buf, COPY_BUF, why, sizeof why)) > 0)
		for (char *p = buf; (p = memchr(p, '\n', (size_t)(buf + n - p))); p++)
			(*lines)++;
	lzio_close(r);
	if (n < 0)
		return errbuf_fail(err, errlen, n == LZIO_ERR_IO ? OSDL_EXIT_IO : OSDL_EXIT_DATA, "%s: damaged: %s", src, why);
	if (!lz4)
		return errbuf_fail(err, errlen, OSDL_EXIT_DATA, "%s: not an LZ4 chunk", src);
	return 0;
}

int adopt_chunk(const char *src, const char *dst, uint64_t *docs, char *err, size_t errlen)
{
	struct meta m;
	char *text = NULL, *buf = NULL;
	publish *p = NULL;
	uint64_t lines;
	int rc;

	struct stat a, b;
	if (stat(src, &a) == 0 && stat(dst, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		/* Publishing it over itself and then removing the source would
		 * lose it. */
		rc = errbuf_fail(err, errlen, OSDL_EXIT_USAGE, "%s and %s are the same file", src, dst);
		goto out;
	}
	if (meta_read(src, &m, err, errlen)) {
		rc = OSDL_EXIT_DATA;
		goto out;
	}
	if (!m.published) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_DATA, "%s: no such chunk, or no sidecar beside it", src);
		goto out;
	}
	if (!(buf = malloc(COPY_BUF))) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "out of memory");
		goto out;
	}
	if ((rc = count_lines(src, buf, &lines, err, errlen)))
		goto out;
	if (lines != m.docs) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_DATA, "%s: %llu line(s), its sidecar says %llu documents", src,
				 (unsigned long long)lines, (unsigned long long)m.docs);
		goto out;
	}
	if (meta_read_text(src, &text, NULL, err, errlen)) {
		rc = OSDL_EXIT_IO;
		goto out;
	}
	if (!text) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_DATA, "%s.meta: gone while reading", src);
		goto out;
	}
	/* publish_commit wants the sidecar as one line without its newline. */
	text[strcspn(text, "\n")] = '\0';
	if (!(p = publish_begin(dst, err, errlen))) {
		rc = OSDL_EXIT_IO;
		goto out;
	}
	int fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", src, strerror(errno));
		goto out;
	}
	rc = publish_copy_fd(p, fd, src, err, errlen) ? OSDL_EXIT_IO : 0;
	close(fd);
	if (rc)
		goto out;
	rc = publish_commit(p, text, err, errlen) ? OSDL_EXIT_IO : 0;
	p = NULL;
	if (rc)
		goto out;
	/* Published: the copies that came back are no longer needed. */
	char mpath[4096 + 8];
	snprintf(mpath, sizeof mpath, "%s.meta", src);
	unlink(src);
	unlink(mpath);
	if (docs)
		*docs = lines;
out:
	publish_abort(p);
	free(text);
	free(buf);
	return rc;
}
