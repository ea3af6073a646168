/* test_lzio.c - unit tests of the LZ4-or-plain line reader and the writer. */
#include "lzio.h"
#include "unit.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/osdl-lzio.XXXXXX";
static char err[256]; /* the last read error's reason */

/* Writes LINES lines "line N" (and a long one) to PATH, compressed or not. */
static int write_file(const char *path, int compress, int lines)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	lzio_writer *w = lzio_writer_new(fd, compress, 0);
	char buf[64];
	int rc = 0;
	for (int i = 0; i < lines && rc == 0; i++) {
		int n = snprintf(buf, sizeof buf, "line %d\n", i);
		rc = lzio_write(w, buf, (size_t)n);
	}
	if (rc == 0)
		rc = lzio_finish(w);
	lzio_writer_free(w);
	close(fd);
	return rc;
}

/* Reads PATH back; returns the number of lines that matched "line N", or -1. */
static long read_back(const char *path, int *is_lz4, int *status)
{
	lzio_reader *r = lzio_open(path, 0);
	if (!r)
		return -1;
	char *line, want[64];
	size_t len;
	long n = 0;
	int st;
	while ((st = lzio_getline(r, &line, &len, err, sizeof err)) == LZIO_LINE) {
		snprintf(want, sizeof want, "line %ld", n);
		if (strcmp(line, want) != 0 || len != strlen(want))
			break;
		n++;
	}
	*is_lz4 = lzio_is_lz4(r);
	*status = st;
	lzio_close(r);
	return n;
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	char plain[256], lz[256], trunc[256], empty[256];
	snprintf(plain, sizeof plain, "%s/plain.ndjson", tmpdir);
	snprintf(lz, sizeof lz, "%s/x.bin", tmpdir); /* no .lz4 name: magic decides */
	snprintf(trunc, sizeof trunc, "%s/trunc", tmpdir);
	snprintf(empty, sizeof empty, "%s/empty", tmpdir);
	int is_lz4, st;

	test_cond("plain write", write_file(plain, 0, 100000) == 0);
	test_cond("plain read back", read_back(plain, &is_lz4, &st) == 100000 && st == LZIO_EOF);
	test_cond("plain not detected as lz4", is_lz4 == 0);

	test_cond("lz4 write", write_file(lz, 1, 100000) == 0);
	test_cond("lz4 read back", read_back(lz, &is_lz4, &st) == 100000 && st == LZIO_EOF);
	test_cond("lz4 detected by magic", is_lz4 == 1);

	/* Cut the frame short: the reader must report a truncated frame. */
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "head -c 20000 %s > %s", lz, trunc);
	test_cond("make truncated copy", system(cmd) == 0);
	long got = read_back(trunc, &is_lz4, &st);
	test_cond("truncated frame is an error", got >= 0 && got < 100000 && st == LZIO_ERR_LZ4);
	test_cond("... with its reason in ERR", strcmp(err, "corrupt or truncated LZ4 frame") == 0);

	/* Concatenated frames read as one stream, like lz4 -dc. */
	snprintf(cmd, sizeof cmd, "cat %s %s > %s/cat.lz4", lz, lz, tmpdir);
	test_cond("concatenate frames", system(cmd) == 0);
	snprintf(cmd, sizeof cmd, "%s/cat.lz4", tmpdir);
	lzio_reader *r = lzio_open(cmd, 0);
	char *line;
	size_t len;
	long n = 0;
	while ((st = lzio_getline(r, &line, &len, err, sizeof err)) == LZIO_LINE)
		n++;
	lzio_close(r);
	test_cond("two frames give twice the lines", n == 200000 && st == LZIO_EOF);

	/* lz4 -dc must read what the writer produced. */
	snprintf(cmd, sizeof cmd, "lz4 -dc %s | cmp -s - %s", lz, plain);
	test_cond("lz4 -dc reads our frame", system(cmd) == 0);

	/* An empty compressed stream is a valid frame with no lines. */
	test_cond("empty lz4 write", write_file(empty, 1, 0) == 0);
	test_cond("empty lz4 read", read_back(empty, &is_lz4, &st) == 0 && st == LZIO_EOF && is_lz4);

	/* Line cap. */
	r = lzio_open(plain, 4);
	st = lzio_getline(r, &line, &len, err, sizeof err);
	test_cond("line over max_line is an error", st == LZIO_ERR_LONG);
	test_cond("... with its reason in ERR", strcmp(err, "line longer than the maximum line length") == 0);
	err[0] = '\0';
	test_cond("errors are sticky, and so is their reason",
		  lzio_getline(r, &line, &len, err, sizeof err) == LZIO_ERR_LONG &&
		  strcmp(err, "line longer than the maximum line length") == 0);
	lzio_close(r);

	/* Final line without newline. */
	snprintf(cmd, sizeof cmd, "printf 'a\\nbc' > %s/nonl", tmpdir);
	test_cond("make file without final newline", system(cmd) == 0);
	snprintf(cmd, sizeof cmd, "%s/nonl", tmpdir);
	r = lzio_open(cmd, 0);
	lzio_getline(r, &line, &len, err, sizeof err);
	st = lzio_getline(r, &line, &len, err, sizeof err);
	test_cond("last line without newline is returned", st == LZIO_LINE && strcmp(line, "bc") == 0);
	test_cond("then EOF", lzio_getline(r, &line, &len, err, sizeof err) == LZIO_EOF);
	lzio_close(r);

	test_cond("missing file fails", lzio_open("/nonexistent/x", 0) == NULL);

	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return test_report();
}
