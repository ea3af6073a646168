/* spec.c - the chunk spec line (INDEX FROM TO [SLICE]) and its cache path. */
#include "spec.h"

#include "tspan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "esc.h"

static int index_ok(const char *s, size_t len)
{
	if (len == 0 || len >= SPEC_INDEX_MAX || (s[0] == '.' && (len == 1 || (len == 2 && s[1] == '.'))))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!spec_index_char_valid((unsigned char)s[i]))
			return 0;
	return 1;
}

int spec_index_char_valid(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("._-+@", c));
}

int spec_index_name_valid(const char *s)
{
	return index_ok(s, strlen(s));
}

static int parse_time(const char *s, int64_t *ms)
{
	int sub = 0;
	/* A chunk bound finer than 1 ms would be silently widened: refuse. */
	return tspan_parse_time(s, (size_t)-1, ms, &sub) == 0 && !sub ? 0 : -1;
}

static int parse_slice(const char *s, int *id, int *max)
{
	char *e;
	long i, n;
	if (*s < '0' || *s > '9')
		return -1;
	i = strtol(s, &e, 10);
	if (*e != '/' || e[1] < '0' || e[1] > '9')
		return -1;
	n = strtol(e + 1, &e, 10);
	if (*e || n < 1 || n > 1000000 || i < 0 || i >= n)
		return -1;
	*id = (int)i;
	*max = (int)n;
	return 0;
}

int spec_parse_args(int argc, char *const argv[], struct spec *sp, char *err, size_t errlen)
{
	if (argc < 3 || argc > 4)
		return errbuf_fail(err, errlen, -1, "a spec is INDEX FROM TO [SLICE], got %d field%s",
			    argc, argc == 1 ? "" : "s");
	memset(sp, 0, sizeof *sp);
	size_t len = strlen(argv[0]);
	if (!index_ok(argv[0], len)) {
		char shown[ESC_DISPLAY_MAX];
		return errbuf_fail(err, errlen, -1, "invalid index name '%s': one concrete index of letters, digits and ._-+@ only",
				   esc_display(argv[0], len, shown, sizeof shown));
	}
	memcpy(sp->index, argv[0], len + 1);
	/* Fields come from a line of input: shown escaped, on one line. */
	char a[64], b[64];
	if (parse_time(argv[1], &sp->from))
		return errbuf_fail(err, errlen, -1, "invalid FROM instant '%s'", esc_display(argv[1], (size_t)-1, a, sizeof a));
	if (parse_time(argv[2], &sp->to))
		return errbuf_fail(err, errlen, -1, "invalid TO instant '%s'", esc_display(argv[2], (size_t)-1, a, sizeof a));
	if (sp->from >= sp->to)
		return errbuf_fail(err, errlen, -1, "empty or reversed range %s .. %s",
				   esc_display(argv[1], (size_t)-1, a, sizeof a), esc_display(argv[2], (size_t)-1, b, sizeof b));
	if (argc == 4 && parse_slice(argv[3], &sp->slice_id, &sp->slice_max))
		return errbuf_fail(err, errlen, -1, "invalid slice '%s' (want i/n with 0 <= i < n)",
				   esc_display(argv[3], (size_t)-1, a, sizeof a));
	return 0;
}

int spec_parse_line(const char *line, struct spec *sp, char *err, size_t errlen)
{
	char buf[1024];
	char *fields[5];
	int n = 0;
	size_t len = strlen(line);

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len >= sizeof buf)
		return errbuf_fail(err, errlen, -1, "spec line too long (%zu bytes)", len);
	memcpy(buf, line, len);
	buf[len] = 0;
	for (char *p = buf; *p;) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		if (!*p)
			break;
		if (n == 0 && *p == '#')
			return 0;
		if (n == 5)
			break;
		fields[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	if (n == 0)
		return 0;
	return spec_parse_args(n, fields, sp, err, errlen) ? -1 : 1;
}

size_t spec_format(const struct spec *sp, char *buf, size_t n)
{
	char a[TSPAN_ISO_MAX], b[TSPAN_ISO_MAX];
	int l;
	tspan_format_iso(sp->from, a);
	tspan_format_iso(sp->to, b);
	if (sp->slice_max)
		l = snprintf(buf, n, "%s %s %s %d/%d", sp->index, a, b, sp->slice_id, sp->slice_max);
	else
		l = snprintf(buf, n, "%s %s %s", sp->index, a, b);
	return l < 0 || (size_t)l >= n ? 0 : (size_t)l;
}

size_t spec_chunk_path(const char *dir, const char *fingerprint,
		       const struct spec *sp, char *buf, size_t n)
{
	char a[TSPAN_ISO_MAX], b[TSPAN_ISO_MAX], slice[32] = "";
	size_t dl = strlen(dir);
	int l;
	if (dl == 0)
		return 0; /* "" + "/FINGERPRINT" would be under "/" */
	/* "dir/" and "dir" name the same files; keep "/" itself. */
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	if (sp->slice_max)
		snprintf(slice, sizeof slice, ".s%dof%d", sp->slice_id, sp->slice_max);
	l = snprintf(buf, n, "%.*s%s%s/%s/%s_%s%s.ndjson.lz4", (int)dl, dir,
		     dl == 1 && dir[0] == '/' ? "" : "/", fingerprint, sp->index,
		     tspan_format_compact(sp->from, a), tspan_format_compact(sp->to, b), slice);
	return l < 0 || (size_t)l >= n ? 0 : (size_t)l;
}
