/* tmpdir.c - private temporary directories of numbered files, see tmpdir.h. */
#include "tmpdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "publish.h"

struct tmpdir {
	char dir[4096];
	size_t dirlen;
	volatile unsigned long next; /* files 0 .. next-1 may exist */
	int slot;                    /* on the cleanup list */
};

tmpdir *tmpdir_new(const char *parent, const char *prefix)
{
	if (!parent || !*parent)
		parent = getenv("TMPDIR");
	if (!parent || !*parent)
		parent = "/tmp";
	tmpdir *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	int n = snprintf(t->dir, sizeof t->dir, "%s/%s.XXXXXX", parent, prefix);
	if (n < 0 || (size_t)n >= sizeof t->dir - 32) {
		free(t);
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (!mkdtemp(t->dir)) {
		int e = errno;
		free(t);
		errno = e;
		return NULL;
	}
	t->dirlen = (size_t)n;
	if ((t->slot = publish_track_dir(t->dir, &t->next)) < 0) {
		rmdir(t->dir);
		free(t);
		errno = EMFILE;
		return NULL;
	}
	return t;
}

int tmpdir_create(tmpdir *t, char *path, size_t pathsz)
{
	/* Count first: a signal between open and the increment must not leak. */
	unsigned long num = t->next++;
	if (snprintf(path, pathsz, "%s/%lu", t->dir, num) >= (int)pathsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
}

void tmpdir_remove(tmpdir *t, const char *path)
{
	(void)t;
	unlink(path);
}

const char *tmpdir_path(const tmpdir *t) { return t->dir; }

void tmpdir_free(tmpdir *t)
{
	if (!t)
		return;
	char path[sizeof t->dir + 24];
	for (unsigned long i = 0; i < t->next; i++) {
		snprintf(path, sizeof path, "%s/%lu", t->dir, i);
		unlink(path);
	}
	rmdir(t->dir);
	publish_untrack_dir(t->slot);
	free(t);
}
