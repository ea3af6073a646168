/* log.c - leveled logging and one-line errors shared by all tools. */
#include "log.h"

#include "esc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

/* Process-wide logging state: set once from main(), see log.h. */
static struct {
	const char *tool;
	enum log_level level;
	FILE *file;
	char ctx[256];
} L = { "osdl", LOG_BASIC, NULL, "" };

void log_init(const char *tool)
{
	const char *slash = strrchr(tool, '/');
	L.tool = slash ? slash + 1 : tool;
}

const char *log_tool(void) { return L.tool; }

int log_parse_level(const char *s)
{
	static const char *names[] = { "quiet", "basic", "detailed", "extra", "full" };
	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	if (s[0] >= '0' && s[0] <= '4' && s[1] == '\0')
		return s[0] - '0';
	return -1;
}

void log_set_level(enum log_level level) { L.level = level; }
enum log_level log_get_level(void) { return L.level; }

int log_open_file(const char *path)
{
	log_close_file();
	if (strcmp(path, "-") == 0)
		return 0;
	FILE *f = fopen(path, "a");
	if (!f)
		return -1;
	setvbuf(f, NULL, _IOLBF, 0);
	L.file = f;
	return 0;
}

void log_close_file(void)
{
	if (L.file)
		fclose(L.file);
	L.file = NULL;
}

void log_set_context(const char *ctx)
{
	esc_line(ctx ? ctx : "", (size_t)-1, L.ctx, sizeof L.ctx);
}

void log_now_iso(char *buf, size_t bufsize)
{
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(buf, bufsize, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
}

/* Formats one whole line first so that concurrent tools writing to one
 * stderr or one log file (O_APPEND) do not interleave within a line. */
static void emit(FILE *f, const char *line)
{
	fputs(line, f);
	fflush(f);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level > L.level)
		return;
	char ts[32], raw[4096], msg[4096], line[4500];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	esc_line(raw, (size_t)-1, msg, sizeof msg);
	log_now_iso(ts, sizeof ts);
	if (L.ctx[0])
		snprintf(line, sizeof line, "%s %s [%s] %s\n", ts, L.tool, L.ctx, msg);
	else
		snprintf(line, sizeof line, "%s %s %s\n", ts, L.tool, msg);
	emit(stderr, line);
	if (L.file)
		emit(L.file, line);
}

void log_verror(const char *fmt, va_list ap)
{
	char raw[4096], msg[4096], line[4400];
	vsnprintf(raw, sizeof raw, fmt, ap);
	esc_line(raw, (size_t)-1, msg, sizeof msg);
	if (L.ctx[0])
		snprintf(line, sizeof line, "%s: [%s] %s\n", L.tool, L.ctx, msg);
	else
		snprintf(line, sizeof line, "%s: %s\n", L.tool, msg);
	emit(stderr, line);
	if (L.file) {
		char ts[32];
		log_now_iso(ts, sizeof ts);
		fprintf(L.file, "%s %s", ts, line);
		fflush(L.file);
	}
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_verror(fmt, ap);
	va_end(ap);
}

void log_errno(const char *fmt, ...)
{
	int e = errno;
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_error("%s: %s", msg, strerror(e));
}

long log_peak_rss_kb(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return -1;
	return ru.ru_maxrss;
}

void log_redact_url(const char *url, char *buf, size_t bufsize)
{
	const char *scheme = strstr(url, "://");
	const char *host = scheme ? scheme + 3 : url;
	const char *at = strchr(host, '@');
	const char *slash = strchr(host, '/');
	if (at && (!slash || at < slash)) {
		int n = (int)(host - url);
		snprintf(buf, bufsize, "%.*s%s", n, url, at + 1);
	} else {
		snprintf(buf, bufsize, "%s", url);
	}
}

double log_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
