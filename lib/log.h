/* log.h - leveled logging and one-line errors shared by all tools.
 *
 * Errors always go to stderr as "TOOL: message" (and to the log file if one
 * is open).  Log lines are "2026-11-28T08:00:00.123Z TOOL [CHUNK] message"
 * and go to stderr and/or a log file depending on the level.  Credentials
 * must never be passed to these functions: callers log URLs through
 * log_redact_url() first.
 *
 * State is process-wide by design (one program name, one log sink): it is
 * set once from main() and read everywhere else.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stdio.h>

/* The seed's level names plus quiet; each level includes the ones before it. */
enum log_level {
	LOG_QUIET = 0,    /* errors only */
	LOG_BASIC = 1,    /* start/end summaries (default) */
	LOG_DETAILED = 2, /* per chunk lines, peak RSS at exit */
	LOG_EXTRA = 3,    /* per page / per retry lines */
	LOG_FULL = 4      /* request URLs (redacted) and timings */
};

/* Sets the program name used as prefix ("osfetch").  Call first in main(). */
void log_init(const char *tool);
const char *log_tool(void);

/* Parses "quiet|basic|detailed|extra|full" (or 0..4); returns -1 if unknown. */
int log_parse_level(const char *s);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Appends log lines to PATH as well as stderr ("-" means stderr only).
 * Returns 0, or -1 with errno set if the file cannot be opened. */
int log_open_file(const char *path);
void log_close_file(void);

/* Context shown in brackets on each log line, e.g. the chunk being worked
 * on; NULL clears it.  The string is copied. */
void log_set_context(const char *ctx);

/* Every message below is one line: what the format makes of it passes
 * through esc_line() (esc.h), so a newline or terminal escape in data that
 * a caller forgot to show with esc_display() cannot forge or hide a line.
 * Data-derived text (names from documents or the server) should still go
 * through esc_display(), which also marks backslashes unambiguously. */

/* Log line at LEVEL if the current level is at least LEVEL. */
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "TOOL: message" on stderr, always; also to the log file. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, with ": strerror(errno)" appended. */
void log_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_verror(const char *fmt, va_list ap);

/* Peak resident set size of this process in KiB (getrusage). */
long log_peak_rss_kb(void);

/* Copies URL into BUF with any "user:password@" part removed. */
void log_redact_url(const char *url, char *buf, size_t bufsize);

/* Current UTC time as ISO-8601 with milliseconds, into BUF (>= 25 bytes). */
void log_now_iso(char *buf, size_t bufsize);

/* Seconds on the monotonic clock, for the durations that log lines report. */
double log_now_s(void);

#endif
