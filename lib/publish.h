/* publish.h - all-or-nothing publication of a chunk file and its meta sidecar.
 *
 * A chunk is written to NAME.part.HOST.PID.XXXXXX (mkstemp) in the target
 * directory, so that a published NAME is always complete and two hosts or
 * processes sharing a cache never write the same temporary file.  Commit
 * fsyncs the data, writes NAME.meta the same way, renames the meta and then
 * the chunk into place and fsyncs the directory: a chunk without its meta
 * never exists.
 *
 * Every temporary path is kept in a small process-wide registry so that it is
 * removed on every exit path: publish_abort() on errors, an atexit() hook for
 * any exit() that forgets, and publish_emergency_cleanup() (async-signal-safe)
 * from the signal handler when a second signal asks to stop at once.
 * SIGKILL cannot be caught: its leftovers (.part files of a dead process on
 * this host) are removed by the next publish_begin() into the same directory.
 */
#ifndef PUBLISH_H
#define PUBLISH_H

#include <stddef.h>

typedef struct publish publish;

/* Creates the directories of FINAL_PATH as needed and the temporary file.
 * Returns NULL with a one-line reason in ERR (errno set). */
publish *publish_begin(const char *final_path, char *err, size_t errlen);

/* The temporary file's descriptor, for writing, and its path (owned by P);
 * both stay P's until publish_commit() or publish_abort(). */
int publish_fd(const publish *p);
const char *publish_temp_path(const publish *p);

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

/* Unlinks every registered temporary file; async-signal-safe. */
void publish_emergency_cleanup(void);

/* 1 if PATH exists as a regular file. */
int publish_exists(const char *path);

#endif
