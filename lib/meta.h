/* meta.h - reading chunk sidecars (NAME.meta, written by fetch.c through
 * publish_commit) and summing a set of them for scripts: what the osdownload
 * driver shows as progress and writes into INFO.md, without parsing JSON in
 * sh.
 */
#ifndef META_H
#define META_H

#include <stdint.h>
#include <stdio.h>

struct meta {
	int published;                /* the chunk file and its sidecar exist */
	uint64_t docs, bytes, compressed_bytes, pages, retries, restarts;
	int64_t server_total;
	double seconds;
	long peak_rss_kb;
	char engine[64], method[16], fetched_at[32];
	double mtime;                 /* of the sidecar, seconds since the epoch */
};

/* Reads CHUNK_PATH's sidecar into M.  A chunk without its file or sidecar
 * is not an error: M->published is 0.  Returns 0, or -1 with a reason in
 * ERR when the sidecar exists but cannot be read or parsed. */
int meta_read(const char *chunk_path, struct meta *m, char *err, size_t errlen);

/* CHUNK_PATH's sidecar as it is on disk, for copying it elsewhere: *TEXT
 * (the caller frees it) is NULL when the chunk or its sidecar is missing,
 * which is not an error; *MTIME (if MTIME) gets the sidecar's mtime.
 * Returns 0, or -1 with a reason in ERR (too long, unreadable). */
int meta_read_text(const char *chunk_path, char **text, double *mtime, char *err, size_t errlen);

struct meta_summary_opts {
	int per_chunk;       /* one tab-separated line per chunk instead of totals */
	double newer_than;   /* count sidecars newer than this (seconds), 0: none */
};

/* Reads chunk paths, one per line, from IN and writes to OUT either the
 * totals as KEY=VALUE lines or one line per chunk (meta.h's formats,
 * documented in osfetch.1).  Returns 0, or an osdl exit code with a reason
 * in ERR (OSDL_EXIT_DATA: a sidecar that cannot be parsed; OSDL_EXIT_IO). */
int meta_summary(FILE *in, FILE *out, const struct meta_summary_opts *o, char *err, size_t errlen);

#endif
