/* plan.c - chunk planning without a server: calendar cut, packing of counted
 * intervals, statistics and output formats. */
#include "plan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "esc.h"

void plan_init(struct plan *p, size_t max_chunks)
{
	memset(p, 0, sizeof *p);
	p->max = max_chunks;
}

void plan_free(struct plan *p)
{
	free(p->c);
	p->c = NULL;
	p->n = p->cap = 0;
}

int plan_add(struct plan *p, const char *index, int64_t from, int64_t to,
	     int slice_id, int slice_max, int64_t docs, char *err, size_t errlen)
{
	size_t len = strlen(index);
	if (p->n >= p->max)
		return errbuf_fail(err, errlen, -1, "the plan has more than %zu chunks (see --max-chunks)", p->max);
	if (len >= SPEC_INDEX_MAX)
		return errbuf_fail(err, errlen, -1, "index name too long: %.60s...", index);
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct plan_chunk *c = realloc(p->c, cap * sizeof *c);
		if (!c)
			return errbuf_fail(err, errlen, -1, "out of memory for %zu chunks", cap);
		p->c = c;
		p->cap = cap;
	}
	struct plan_chunk *c = &p->c[p->n++];
	memcpy(c->sp.index, index, len + 1);
	c->sp.from = from;
	c->sp.to = to;
	c->sp.slice_id = slice_id;
	c->sp.slice_max = slice_max;
	c->docs = docs;
	return 0;
}

int plan_pattern_chars(const char *pattern, char *err, size_t errlen)
{
	char shown[ESC_DISPLAY_MAX], bad[16];
	for (const char *s = pattern; *s; s++) {
		if (*s == '%' && s[1]) {
			s++; /* a token: tspan_pattern_period() checks it */
			continue;
		}
		if (!strchr("*?,", *s) && !spec_index_char_valid((unsigned char)*s))
			return errbuf_fail(err, errlen, -1, "index pattern '%s' holds '%s': index names are letters, digits and ._-+@ only",
					   esc_display(pattern, (size_t)-1, shown, sizeof shown),
					   esc_display(s, 1, bad, sizeof bad));
	}
	return 0;
}

int plan_pattern_period(const char *pattern, struct tspan_step *period,
			char *err, size_t errlen)
{
	char shown[ESC_DISPLAY_MAX];
	if (plan_pattern_chars(pattern, err, errlen))
		return -1;
	int rc = tspan_pattern_period(pattern, period);
	if (rc < 0)
		return errbuf_fail(err, errlen, -1, "index pattern '%s': unsupported %% token (use %%Y %%y %%m %%d %%j %%H %%%%)",
				   esc_display(pattern, (size_t)-1, shown, sizeof shown));
	if (rc == 0 && strchr(pattern, '%')) {
		int only_literal = 1;
		for (const char *s = pattern; (s = strchr(s, '%')); s += 2)
			only_literal &= s[1] == '%';
		if (only_literal)
			return errbuf_fail(err, errlen, -1, "index pattern '%s' has no time token (%%Y %%m %%d %%j %%H)",
					   esc_display(pattern, (size_t)-1, shown, sizeof shown));
	}
	return rc;
}

int plan_calendar(struct plan *p, const char *pattern, int64_t from, int64_t to,
		  const struct tspan_step *step, char *err, size_t errlen)
{
	struct tspan_step period;
	char name[SPEC_INDEX_MAX];
	int timed = plan_pattern_period(pattern, &period, err, errlen);

	if (timed < 0)
		return -1;
	if (from >= to)
		return errbuf_fail(err, errlen, -1, "empty or reversed range");
	for (int64_t t = from; t < to;) {
		int64_t e = to, b;
		/* floor(t) <= t < floor(t) + step, so every chunk is non-empty. */
		if (step && (b = tspan_add(tspan_floor(t, *step), *step)) < e)
			e = b;
		if (timed) {
			if ((b = tspan_add(tspan_floor(t, period), period)) < e)
				e = b;
			if (!tspan_pattern_format(pattern, t, name, sizeof name))
				return errbuf_fail(err, errlen, -1, "index name too long for pattern %.60s", pattern);
		}
		if (plan_add(p, timed ? name : pattern, t, e, 0, 0, -1, err, errlen))
			return -1;
		t = e;
	}
	return 0;
}

/* Appends [FROM, TO) with DOCS documents as one chunk, or as NSLICE slices
 * sharing the documents evenly. */
static int add_group(struct plan *p, const char *index, int64_t from, int64_t to,
		     int64_t docs, int64_t nslice, char *err, size_t errlen)
{
	if (nslice <= 1)
		return plan_add(p, index, from, to, 0, 0, docs, err, errlen);
	if (nslice > 1000000)
		return errbuf_fail(err, errlen, -1, "%" PRId64 " documents in one millisecond of %s need %" PRId64
			    " slices; raise --target-docs", docs, index, nslice);
	for (int64_t i = 0; i < nslice; i++) {
		int64_t share = docs / nslice + (i < docs % nslice);
		if (plan_add(p, index, from, to, (int)i, (int)nslice, share, err, errlen))
			return -1;
	}
	return 0;
}

int plan_pack(struct plan *p, const char *index, int64_t from, int64_t to,
	      const struct plan_leaf *leaves, size_t n, int64_t target,
	      char *err, size_t errlen)
{
	int64_t start = from, docs = 0;
	size_t last = p->n; /* first chunk of the last group appended */

	for (size_t i = 0; i < n; i++) {
		const struct plan_leaf *l = &leaves[i];
		if (l->docs > target) {
			/* Too many for one chunk and not splittable in time: slices.
			 * Empty time before it joins the sliced chunk rather than
			 * becoming a chunk of its own. */
			if (docs > 0) {
				last = p->n;
				if (add_group(p, index, start, l->from, docs, 1, err, errlen))
					return -1;
				start = l->from;
			}
			last = p->n;
			if (add_group(p, index, start, l->to, l->docs, (l->docs + target - 1) / target,
				      err, errlen))
				return -1;
			start = l->to;
			docs = 0;
		} else if (docs + l->docs > target) {
			last = p->n;
			if (add_group(p, index, start, l->from, docs, 1, err, errlen))
				return -1;
			start = l->from;
			docs = l->docs;
		} else {
			docs += l->docs;
		}
	}
	if (docs > 0)
		return add_group(p, index, start, to, docs, 1, err, errlen);
	/* Trailing empty time belongs to the last group (all its slices). */
	for (size_t i = last; i < p->n; i++)
		p->c[i].sp.to = to;
	return 0;
}

int plan_check_names(const struct plan *p, char *err, size_t errlen)
{
	char shown[ESC_DISPLAY_MAX];
	for (size_t i = 0; i < p->n; i++)
		if (!spec_index_name_valid(p->c[i].sp.index))
			return errbuf_fail(err, errlen, -1, "index name '%s' is not allowed: letters, digits and ._-+@ only",
					   esc_display(p->c[i].sp.index, (size_t)-1, shown, sizeof shown));
	return 0;
}

static int chunk_cmp(const void *a, const void *b)
{
	const struct spec *x = &((const struct plan_chunk *)a)->sp;
	const struct spec *y = &((const struct plan_chunk *)b)->sp;
	int c;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if ((c = strcmp(x->index, y->index)))
		return c;
	return (x->slice_id > y->slice_id) - (x->slice_id < y->slice_id);
}

void plan_sort(struct plan *p)
{
	if (p->n > 1)
		qsort(p->c, p->n, sizeof *p->c, chunk_cmp);
}

static int i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

void plan_stats(const struct plan *p, struct plan_stats *st)
{
	int64_t *d = malloc((p->n ? p->n : 1) * sizeof *d);
	size_t k = 0;
	st->chunks = p->n;
	st->total = st->min = st->median = st->max = -1;
	if (!d)
		return;
	for (size_t i = 0; i < p->n; i++)
		if (p->c[i].docs >= 0)
			d[k++] = p->c[i].docs;
	if (k) {
		qsort(d, k, sizeof *d, i64_cmp);
		st->total = 0;
		for (size_t i = 0; i < k; i++)
			st->total += d[i];
		st->min = d[0];
		st->max = d[k - 1];
		st->median = k % 2 ? d[k / 2] : (d[k / 2 - 1] + d[k / 2]) / 2;
	}
	free(d);
}

int plan_dir_ok(const char *dir)
{
	if (!*dir)
		return 0;
	for (const char *s = dir; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && !strchr("._-+@/", *s))
			return 0;
	return 1;
}

/* S as one sh word inside a make recipe: single quotes for sh, and '$'
 * doubled for make, which expands variables before sh sees the line. */
static int put_arg(FILE *f, const char *s)
{
	if (strchr(s, '\n')) {
		errno = EINVAL;
		return -1;
	}
	putc(' ', f);
	putc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else if (*s == '$')
			fputs("$$", f);
		else
			putc(*s, f);
	}
	putc('\'', f);
	return 0;
}

/* S as a make target or prerequisite.  Checked names and directories hold
 * none of these; the escapes are a second line of defence, not the rule. */
static void put_target(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '$')
			fputs("$$", f);
		else if (strchr(" \t#:;=%*?[\\", *s))
			fprintf(f, "\\%c", *s);
		else
			putc(*s, f);
	}
}

static void put_json_str(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
	putc('"', f);
}

int plan_write(FILE *f, const struct plan *p, const struct plan_out *fmt)
{
	char line[SPEC_INDEX_MAX + 2 * TSPAN_ISO_MAX + 32], path[4096];
	char a[TSPAN_ISO_MAX], b[TSPAN_ISO_MAX];
	const char *dir = fmt->cache_dir ? fmt->cache_dir : ".";

	if (plan_check_names(p, NULL, 0)) {
		errno = EINVAL;
		return -1;
	}
	if (fmt->format == PLAN_MAKE) {
		fprintf(f, "# osplan: %zu chunks, fingerprint %s; make -j N -f THIS fetches the missing ones\n"
			   "OSFETCH ?= osfetch\nOSFETCH_FLAGS ?=\n\nall:",
			p->n, fmt->fingerprint);
		for (size_t i = 0; i < p->n; i++) {
			if (!spec_chunk_path(dir, fmt->fingerprint, &p->c[i].sp, path, sizeof path))
				goto toolong;
			fputs(" \\\n\t", f);
			put_target(f, path);
		}
		fputs("\n\n", f);
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_chunk *c = &p->c[i];
		if (!spec_format(&c->sp, line, sizeof line) ||
		    !spec_chunk_path(dir, fmt->fingerprint, &c->sp, path, sizeof path))
			goto toolong;
		switch (fmt->format) {
		case PLAN_LINES:
			fprintf(f, "%s\n", line);
			break;
		case PLAN_MAKE:
			put_target(f, path);
			fputs(":\n\t$(OSFETCH) $(OSFETCH_FLAGS)", f);
			for (size_t k = 0; k < fmt->nfetch_args; k++)
				if (put_arg(f, fmt->fetch_args[k]))
					return -1;
			/* Checked names need no quoting (see spec.h); quote anyway. */
			if (put_arg(f, c->sp.index))
				return -1;
			fprintf(f, "%s >/dev/null\n", line + strlen(c->sp.index));
			break;
		case PLAN_JSON:
			fputs("{\"index\":", f);
			put_json_str(f, c->sp.index);
			fprintf(f, ",\"from\":\"%s\",\"to\":\"%s\",\"from_ms\":%" PRId64 ",\"to_ms\":%" PRId64,
				tspan_format_iso(c->sp.from, a), tspan_format_iso(c->sp.to, b),
				c->sp.from, c->sp.to);
			if (c->sp.slice_max)
				fprintf(f, ",\"slice\":\"%d/%d\"", c->sp.slice_id, c->sp.slice_max);
			if (c->docs >= 0)
				fprintf(f, ",\"docs\":%" PRId64, c->docs);
			fputs(",\"path\":", f);
			put_json_str(f, path);
			fputs("}\n", f);
			break;
		case PLAN_TSV:
			/* Names and paths are checked: no tab or newline in them. */
			fprintf(f, "%s\t%s\t%s\t", c->sp.index, tspan_format_iso(c->sp.from, a),
				tspan_format_iso(c->sp.to, b));
			if (c->sp.slice_max)
				fprintf(f, "%d/%d", c->sp.slice_id, c->sp.slice_max);
			else
				putc('-', f);
			fprintf(f, "\t%s\t", path);
			if (c->docs >= 0)
				fprintf(f, "%" PRId64 "\n", c->docs);
			else
				fputs("-\n", f);
			break;
		}
	}
	if (fmt->format == PLAN_MAKE)
		fputs("\n.PHONY: all\n", f);
	return ferror(f) ? -1 : 0;
toolong:
	errno = ENAMETOOLONG;
	return -1;
}

void plan_pattern_glob(const char *pattern, char *buf, size_t n)
{
	size_t o = 0;
	for (const char *p = pattern; *p && o + 2 < n; p++) {
		if (*p == '%' && p[1] == '%') {
			buf[o++] = '%';
			p++;
		} else if (*p == '%' && p[1]) {
			if (!o || buf[o - 1] != '*')
				buf[o++] = '*';
			p++;
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = 0;
}
