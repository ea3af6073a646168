/* publish.h - writing a file so that it is complete or absent: the one way
 * every osdl tool publishes a file (chunks and their sidecars, CSV, schema,
 * merged NDJSON).
 *
 * A file is written to NAME.part.HOST.PID.XXXXXX (mkstemp) in its target
 * directory, so that a published NAME is always complete and two hosts or
 * processes sharing a directory never write the same temporary file.  Commit
 * fsyncs the data, writes NAME.meta the same way when asked, renames the meta
 * and then the file into place and fsyncs the directory: a chunk without its
 * meta never exists.
 *
 * Every temporary path is kept in a small process-wide cleanup list so that
 * it is removed on every exit path: publish_abort() on errors, an atexit()
 * hook for any exit() that forgets, and publish_emergency_cleanup()
 * (async-signal-safe) from the signal handler (sig.h).  Temporary directories
 * of numbered files (tmpdir.h) are on the same list.  SIGKILL cannot be
 * caught: its leftovers (.part files of a dead process on this host) are
 * removed by the next publish_begin() or publish_open() of the same name.
 */
#ifndef PUBLISH_H
#define PUBLISH_H

#include <stddef.h>

typedef struct publish publish;

/* Creates the directories of FINAL_PATH as needed and the temporary file.
 * Returns NULL with a one-line reason in ERR (errno set). */
publish *publish_begin(const char *final_path, char *err, size_t errlen);

/* For an output named by a user (osdown -o, osmerge -o): PATH is not
 * created as a directory tree, a symlink is followed (the link stays, its
 * target is replaced), and a path that is not a regular file (/dev/stdout,
 * /proc/self/fd/N, a FIFO) is opened and written in place, with nothing to
 * rename (publish_commit() then only closes it).  Returns NULL with a
 * one-line reason in ERR (errno set). */
publish *publish_open(const char *path, char *err, size_t errlen);

/* The temporary file's descriptor, for writing, and its path (owned by P);
 * both stay P's until publish_commit() or publish_abort(). */
int publish_fd(const publish *p);
const char *publish_temp_path(const publish *p);

/* Appends everything read from FD (named NAME in messages) until its end to
 * P's temporary file.  Returns 0, or -1 with a reason in ERR (a read or
 * write error; P stays P's caller's to abort). */
int publish_copy_fd(publish *p, int fd, const char *name, char *err, size_t errlen);

/* Empties the temporary file to start over (a chunk restart).  Returns 0 or
 * -1 with errno set. */
int publish_truncate(publish *p);

/* fsync, write META (one JSON line, without newline; NULL: no meta file) to
 * NAME.meta, rename both into place, fsync the directory; P is freed.
 * Returns 0, or -1 with a reason in ERR, in which case no new file is
 * published (P is freed and its temporary files removed). */
int publish_commit(publish *p, const char *meta, char *err, size_t errlen);

/* Closes and removes the temporary file; P is freed.  NULL is fine. */
void publish_abort(publish *p);

/* Puts DIR, a temporary directory whose files are named DIR/0 ..
 * DIR/(*NEXT - 1), on the cleanup list: publish_emergency_cleanup() removes
 * those files and the directory.  NEXT must stay valid until
 * publish_untrack_dir().  Returns a slot number, or -1 when the list is full. */
int publish_track_dir(const char *dir, volatile unsigned long *next);
void publish_untrack_dir(int slot);

/* Unlinks every temporary file and directory on the cleanup list;
 * async-signal-safe (for signal handlers). */
void publish_emergency_cleanup(void);

/* 1 if PATH exists as a regular file. */
int publish_exists(const char *path);

#endif
