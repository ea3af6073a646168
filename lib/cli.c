/* cli.c - option parsing that every osdl tool shares, see cli.h. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errbuf.h"
#include "log.h"
#include "osdl.h"

int cli_parse_int(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int cli_dir_arg(const char *opt, const char *arg, char *err, size_t errlen)
{
	if (!*arg)
		return errbuf_fail(err, errlen, OSDL_EXIT_USAGE, "%s needs a directory, not an empty string", opt);
	return 0;
}

int cli_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned shift = 0;
	/* strtoull() would skip blanks and take " -1" as a huge number. */
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v > (SIZE_MAX >> shift))
		return -1;
	*out = (size_t)(v << shift);
	return 0;
}

/* Help and version are the output of the run: a failed write is an error. */
static int print(const char *text, char *err, size_t errlen)
{
	if (fputs(text, stdout) == EOF || fflush(stdout) != 0)
		return errbuf_fail(err, errlen, OSDL_EXIT_IO, "stdout: %s", strerror(errno));
	return OSDL_EXIT_OK;
}

int cli_option(int c, const char *arg, const char *help, char *err, size_t errlen)
{
	char version[128];
	int level;
	switch (c) {
	case 'h':
		return print(help, err, errlen);
	case 'V':
		snprintf(version, sizeof version, "%s osdl %s\n", log_tool(), OSDL_VERSION);
		return print(version, err, errlen);
	case CLI_OPT_EXIT_CODES:
		/* For scripts (the osdownload driver): the codes from osdl.h,
		 * never copied into another language by hand. */
		{
			char codes[1024];
			size_t n = 0;
#define CLI_PUT_CODE(name) \
			n += (size_t)snprintf(codes + n, sizeof codes - n, "%s=%d\n", #name, (int)name);
			OSDL_EXIT_EACH(CLI_PUT_CODE)
#undef CLI_PUT_CODE
			return print(codes, err, errlen);
		}
	case CLI_OPT_LOG_LEVEL:
		if ((level = log_parse_level(arg)) < 0)
			return errbuf_fail(err, errlen, OSDL_EXIT_USAGE,
					   "bad --log-level '%s': unknown log level (quiet, basic, detailed, extra, full)",
					   arg);
		log_set_level((enum log_level)level);
		return CLI_CONTINUE;
	case CLI_OPT_LOG_FILE:
		if (log_open_file(arg) != 0)
			return errbuf_fail(err, errlen, OSDL_EXIT_IO, "cannot open log file %s: %s", arg,
					   strerror(errno));
		return CLI_CONTINUE;
	default:
		return errbuf_fail(err, errlen, OSDL_EXIT_FAIL, "option %d is not a shared option", c);
	}
}

int cli_bad_option(int c, char *const argv[], int optind_now, char *err, size_t errlen)
{
	/* A long option is the word getopt_long() just passed (without any
	 * "=value"); a short one may sit inside a bundle ("-xZ"), so only
	 * optopt names it. */
	const char *word = optind_now > 0 ? argv[optind_now - 1] : "";
	int len = (int)strcspn(word, "=");
	if (strncmp(word, "--", 2) != 0) {
		char shortopt[3] = { '-', (char)optopt, '\0' };
		if (c == ':')
			return errbuf_fail(err, errlen, OSDL_EXIT_USAGE, "option '%s' needs a value", shortopt);
		return errbuf_fail(err, errlen, OSDL_EXIT_USAGE, "unknown option '%s'", shortopt);
	}
	if (c == ':')
		return errbuf_fail(err, errlen, OSDL_EXIT_USAGE, "option '%.*s' needs a value", len, word);
	return errbuf_fail(err, errlen, OSDL_EXIT_USAGE, "unknown option '%.*s'", len, word);
}

void cli_free_list(char **paths, size_t n)
{
	for (size_t i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
}

int cli_read_list(const char *file, char ***paths, size_t *n, char *err, size_t errlen)
{
	int is_stdin = strcmp(file, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(file, "r");
	char *line = NULL;
	size_t cap = 0, lcap = *n;
	ssize_t k;
	int rc = 0;
	if (!f)
		return errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", file, strerror(errno));
	while (!rc && (k = getline(&line, &cap, f)) >= 0) {
		while (k > 0 && (line[k - 1] == '\n' || line[k - 1] == '\r'))
			line[--k] = '\0';
		if (k == 0)
			continue;
		if (*n == lcap) {
			lcap = lcap ? lcap * 2 : 64;
			char **p = realloc(*paths, lcap * sizeof *p);
			if (!p) {
				rc = OSDL_EXIT_FAIL;
				break;
			}
			*paths = p;
		}
		if (!((*paths)[*n] = strdup(line)))
			rc = OSDL_EXIT_FAIL;
		else
			(*n)++;
	}
	if (rc)
		errbuf_fail(err, errlen, -1, "out of memory");
	else if (ferror(f)) {
		rc = errbuf_fail(err, errlen, OSDL_EXIT_IO, "%s: %s", file, strerror(errno));
	}
	free(line);
	if (!is_stdin)
		fclose(f);
	return rc;
}
