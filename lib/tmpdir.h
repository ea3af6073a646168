/* tmpdir.h - a private temporary directory of numbered files (sort runs,
 * merge passes), on publish.h's cleanup list from birth to removal, so that
 * a signal handler can remove every file with async-signal-safe calls only.
 */
#ifndef TMPDIR_H
#define TMPDIR_H

#include <stddef.h>

typedef struct tmpdir tmpdir;

/* Creates PARENT/PREFIX.XXXXXX (PARENT NULL or "": $TMPDIR, else /tmp).
 * Returns NULL with errno set. */
tmpdir *tmpdir_new(const char *parent, const char *prefix);
/* Creates a new empty file in the directory, mode 0600; its path goes to
 * PATH.  Returns the open descriptor (caller closes), or -1 with errno. */
int tmpdir_create(tmpdir *t, char *path, size_t pathsz);
/* Unlinks one file made by tmpdir_create (errors ignored). */
void tmpdir_remove(tmpdir *t, const char *path);
/* The directory's path, owned by T, for messages. */
const char *tmpdir_path(const tmpdir *t);
/* Removes every file made and the directory, then frees T.  NULL is fine. */
void tmpdir_free(tmpdir *t);

#endif
