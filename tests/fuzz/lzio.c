/* tests/fuzz/lzio.c - the LZ4 frame reader (lib/lzio): any bytes, plain or
 * LZ4-framed (the input as is, and the input framed by lzio's own writer),
 * read as lines up to EOF or a clean error, never past a line's end. */
#include "fuzz.h"
#include "lzio.h"

#include <sys/mman.h>
#include <unistd.h>

static void read_all(int fd)
{
	lseek(fd, 0, SEEK_SET);
	lzio_reader *r = lzio_fdopen(fd, "fuzz", 1 << 16);
	fuzz_check(r != NULL);
	char *line, err[256] = "";
	size_t len;
	int st;
	while ((st = lzio_getline(r, &line, &len, err, sizeof err)) == LZIO_LINE)
		fuzz_check(line[len] == 0 && !memchr(line, '\n', len));
	fuzz_check(st == LZIO_EOF || st < 0);
	if (st < 0)
		fuzz_check(err[0]);
	lzio_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("lz", 0);
	fuzz_check(fd >= 0 && write(fd, data, size) == (ssize_t)size);
	read_all(fd); /* the reader closes FD */
	/* The same bytes compressed: they must come back. */
	fd = memfd_create("lz", 0);
	lzio_writer *w = lzio_writer_new(fd, 1, 0);
	fuzz_check(w && lzio_write(w, data, size) == 0 && lzio_finish(w) == 0);
	lzio_writer_free(w);
	lseek(fd, 0, SEEK_SET);
	lzio_reader *r = lzio_fdopen(fd, "fuzz", 0);
	fuzz_check(r != NULL);
	char *back = malloc(size + 1);
	size_t got = 0;
	long k;
	while ((k = lzio_read(r, back + got, size + 1 - got, NULL, 0)) > 0)
		got += (size_t)k;
	fuzz_check(k == 0 && got == size && memcmp(back, data, size) == 0);
	free(back);
	lzio_close(r); /* and FD */
	return 0;
}
