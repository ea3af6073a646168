/* histout.c - the text, Markdown and tab-separated forms of a hist; see
 * histout.h. */
#include "histout.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tspan.h"

static const char *const blocks[8] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"
};
static const char ascii_ramp[] = "_.-=+*#@";

#define MAX_LISTED 20 /* gaps, spikes, missing indexes listed; tsv has all */

/* One output line: bytes, and the characters they draw. */
struct line {
	char *b;
	size_t len, cap, cols;
};

/* Everything one drawing needs, freed in draw_free(). */
struct draw {
	FILE *f;
	const hist *h;
	const struct histout_opts *o;
	struct line ln;
	size_t label_w, bars; /* label column (0: none), bar columns */
	int failed;
};

static void ln_add(struct draw *d, const char *s, size_t n, size_t cols)
{
	struct line *l = &d->ln;
	if (l->len + n + 1 > l->cap) {
		size_t cap = (l->len + n + 1) * 2;
		char *b = realloc(l->b, cap);
		if (!b) {
			d->failed = 1;
			return;
		}
		l->b = b;
		l->cap = cap;
	}
	memcpy(l->b + l->len, s, n);
	l->len += n;
	l->b[l->len] = 0;
	l->cols += cols;
}

static void ln_str(struct draw *d, const char *s)
{
	ln_add(d, s, strlen(s), strlen(s)); /* ASCII: one column a byte */
}

static void ln_pad(struct draw *d, size_t cols)
{
	while (cols--)
		ln_add(d, " ", 1, 1);
}

/* Writes the line, cut at the width (never inside a UTF-8 sequence), and
 * starts a new one. */
static void ln_emit(struct draw *d)
{
	struct line *l = &d->ln;
	size_t end = 0, cols = 0, w = (size_t)d->o->width;
	while (end < l->len) {
		size_t n = 1;
		while (end + n < l->len && ((unsigned char)l->b[end + n] & 0xC0) == 0x80)
			n++;
		if (cols == w)
			break;
		end += n;
		cols++;
	}
	while (end && l->b[end - 1] == ' ')
		end--; /* no trailing blanks */
	if (!d->failed && (fwrite(l->b ? l->b : "", 1, end, d->f) != end || putc('\n', d->f) == EOF))
		d->failed = 1;
	l->len = l->cols = 0;
}

/* The first of the NUL-terminated ASCII candidates that fits the width
 * after COLS already used (the last one, cut, if none does). */
static void ln_fit(struct draw *d, const char *const *cand, size_t n)
{
	size_t room = (size_t)d->o->width > d->ln.cols ? (size_t)d->o->width - d->ln.cols : 0;
	for (size_t i = 0; i < n; i++)
		if (strlen(cand[i]) <= room || i == n - 1) {
			ln_str(d, cand[i]);
			return;
		}
}

/* "2024-03-01T03:00Z": seconds and milliseconds only when not zero. */
static char *fmt_time(int64_t ms, char *buf)
{
	tspan_format_iso(ms, buf);
	char *dot = strchr(buf, '.');
	if (dot && strcmp(dot, ".000Z") == 0) {
		strcpy(dot, "Z");
		size_t n = strlen(buf);
		if (n >= 4 && strcmp(buf + n - 4, ":00Z") == 0)
			strcpy(buf + n - 4, "Z");
	}
	return buf;
}

/* The end of a span from A: its time only when on A's day. */
static char *fmt_end(int64_t a, int64_t b, char *buf)
{
	char ab[TSPAN_ISO_MAX];
	fmt_time(a, ab);
	fmt_time(b, buf);
	if (strncmp(ab, buf, 10) == 0)
		memmove(buf, buf + 11, strlen(buf + 11) + 1);
	return buf;
}

/* "2h", "1h30m", "45s", "250ms": at most two units. */
static char *fmt_dur(int64_t ms, char *buf, size_t n)
{
	static const struct { int64_t ms; const char *u; } units[] = {
		{ 86400000, "d" }, { 3600000, "h" }, { 60000, "m" }, { 1000, "s" }, { 1, "ms" }
	};
	size_t o = 0;
	int parts = 0;
	buf[0] = 0;
	for (size_t i = 0; i < 5 && parts < 2 && o < n; i++) {
		if (ms >= units[i].ms) {
			o += (size_t)snprintf(buf + o, n - o, "%" PRId64 "%s", ms / units[i].ms, units[i].u);
			ms %= units[i].ms;
			parts++;
		} else if (parts) {
			break; /* "1h5s" would read as a typo */
		}
	}
	if (!parts)
		snprintf(buf, n, "0ms");
	return buf;
}

/* The label column: NAME, keeping its end (where dates differ). */
static void put_label(struct draw *d, const char *name)
{
	if (!d->label_w)
		return;
	size_t len = strlen(name), w = d->label_w;
	if (len <= w) {
		ln_str(d, name);
		ln_pad(d, w - len + 1);
	} else {
		ln_str(d, "..");
		ln_str(d, name + len - (w - 2));
		ln_pad(d, 1);
	}
}

static void put_bar(struct draw *d, int64_t v, int64_t max)
{
	if (v <= 0 || max <= 0) {
		ln_add(d, " ", 1, 1);
		return;
	}
	/* Any document shows: the lowest level is for 1..max/8. */
	int lv = (int)(((unsigned __int128)v * 8 + (uint64_t)max - 1) / (uint64_t)max);
	if (lv > 8)
		lv = 8;
	if (d->o->ascii)
		ln_add(d, &ascii_ramp[lv - 1], 1, 1);
	else
		ln_add(d, blocks[lv - 1], 3, 1);
}

/* One index row: bars, or a word when it holds nothing. */
static void put_row(struct draw *d, size_t r)
{
	const hist *h = d->h;
	put_label(d, hist_row_name(h, r));
	if (hist_row_missing(h, r))
		ln_str(d, "(missing index)");
	else if (!hist_row_total(h, r))
		ln_str(d, "(no documents)");
	else
		for (size_t i = 0; i < hist_buckets(h); i++)
			put_bar(d, hist_row_at(h, r, i), hist_row_max(h));
	ln_emit(d);
}

static void put_title(struct draw *d)
{
	const hist *h = d->h;
	char a[TSPAN_ISO_MAX], b[TSPAN_ISO_MAX], full[2200], range[100];
	snprintf(range, sizeof range, "%s - %s", fmt_time(hist_from(h), a), fmt_end(hist_from(h), hist_to(h), b));
	snprintf(full, sizeof full, "%s  %s", d->o->title ? d->o->title : "documents", range);
	const char *cand[] = { full, range };
	ln_fit(d, cand, 2);
	ln_emit(d);
}

/* Start and end under the bars, as far as they fit. */
static void put_axis(struct draw *d)
{
	const hist *h = d->h;
	char a[TSPAN_ISO_MAX], b[TSPAN_ISO_MAX];
	fmt_time(hist_from(h), a);
	fmt_time(hist_to(h), b);
	size_t la = strlen(a), lb = strlen(b);
	ln_pad(d, d->label_w ? d->label_w + 1 : 0);
	if (la + 1 + lb > d->bars) {
		fmt_end(hist_from(h), hist_to(h), b);
		lb = strlen(b);
	}
	if (la + 1 + lb <= d->bars) {
		ln_str(d, a);
		ln_pad(d, d->bars - la - lb);
		ln_str(d, b);
	} else if (la <= d->bars) {
		ln_str(d, a);
	}
	ln_emit(d);
}

static void put_marks(struct draw *d)
{
	const hist *h = d->h;
	if (!hist_gaps(h) && !hist_spikes(h))
		return;
	ln_pad(d, d->label_w ? d->label_w + 1 : 0);
	for (size_t i = 0; i < hist_buckets(h); i++) {
		int m = hist_mark(h, i);
		ln_str(d, m == 'g' ? "x" : m == 's' ? "^" : " ");
	}
	ln_emit(d);
}

static void put_summary(struct draw *d)
{
	const hist *h = d->h;
	char bk[40], l1[300], l2[300], l3[300];
	size_t g = hist_gaps(h), s = hist_spikes(h);
	fmt_dur(hist_bucket_ms(h), bk, sizeof bk);
	snprintf(l1, sizeof l1, "%s per bar, max %" PRId64 ", total %" PRId64 " documents, %zu gap%s, %zu spike%s", bk,
		 hist_total_max(h), hist_total(h), g, g == 1 ? "" : "s", s, s == 1 ? "" : "s");
	snprintf(l2, sizeof l2, "%s/bar max %" PRId64 " total %" PRId64 " gaps %zu spikes %zu", bk, hist_total_max(h),
		 hist_total(h), g, s);
	snprintf(l3, sizeof l3, "total %" PRId64 " gaps %zu spikes %zu", hist_total(h), g, s);
	const char *cand[] = { l1, l2, l3 };
	ln_fit(d, cand, 3);
	ln_emit(d);
}

/* "... N more gaps" after the first MAX_LISTED of N + MAX_LISTED. */
static void put_more(struct draw *d, size_t n, const char *what)
{
	char l[100];
	if (n <= MAX_LISTED)
		return;
	snprintf(l, sizeof l, "... %zu more %s", n - MAX_LISTED, what);
	ln_str(d, l);
	ln_emit(d);
}

static void put_events(struct draw *d)
{
	const hist *h = d->h;
	char a[TSPAN_ISO_MAX], b[TSPAN_ISO_MAX], du[40], l1[300], l2[300], l3[300];
	for (size_t i = 0; i < hist_gaps(h) && i < MAX_LISTED; i++) {
		const struct hist_span *s = hist_gap(h, i);
		fmt_time(s->from, a);
		fmt_end(s->from, s->to, b);
		fmt_dur(s->to - s->from, du, sizeof du);
		snprintf(l1, sizeof l1, "no documents %s - %s (%s)", a, b, du);
		snprintf(l2, sizeof l2, "no documents %s - %s", a, b);
		snprintf(l3, sizeof l3, "gap %s - %s", a, b);
		const char *cand[] = { l1, l2, l3 };
		ln_fit(d, cand, 3);
		ln_emit(d);
	}
	put_more(d, hist_gaps(h), "gaps");
	for (size_t i = 0; i < hist_spikes(h) && i < MAX_LISTED; i++) {
		const struct hist_span *s = hist_spike(h, i);
		fmt_time(s->from, a);
		fmt_end(s->from, s->to, b);
		snprintf(l1, sizeof l1, "spike %s - %s: %" PRId64 " documents, %.1fx the median %" PRId64 " per bar", a, b,
			 s->docs, s->factor, hist_median(h));
		snprintf(l2, sizeof l2, "spike %s - %s: %" PRId64 ", %.1fx", a, b, s->docs, s->factor);
		snprintf(l3, sizeof l3, "spike %s - %s %.1fx", a, b, s->factor);
		const char *cand[] = { l1, l2, l3 };
		ln_fit(d, cand, 3);
		ln_emit(d);
	}
	put_more(d, hist_spikes(h), "spikes");
}

static size_t longest_name(const hist *h)
{
	size_t m = strlen("total");
	for (size_t r = 0; r < hist_rows(h); r++)
		if (strlen(hist_row_name(h, r)) > m)
			m = strlen(hist_row_name(h, r));
	return m;
}

size_t histout_bar_columns(int width, size_t nrows, size_t longest)
{
	if (nrows <= 1)
		return (size_t)width;
	size_t lw = longest < strlen("total") ? strlen("total") : longest;
	if (lw > (size_t)width / 3)
		lw = (size_t)width / 3;
	return (size_t)width - lw - 1;
}

static void draw(struct draw *d)
{
	const hist *h = d->h;
	size_t nr = hist_rows(h);
	d->bars = histout_bar_columns(d->o->width, nr, longest_name(h));
	d->label_w = nr > 1 ? (size_t)d->o->width - d->bars - 1 : 0;
	put_title(d);
	if (nr > 1)
		put_label(d, "total");
	if (nr <= 1 && !hist_total(h))
		ln_str(d, nr && hist_row_missing(h, 0) ? "(missing index)" : "(no documents)");
	else
		for (size_t i = 0; i < hist_buckets(h); i++)
			put_bar(d, hist_total_at(h, i), hist_total_max(h));
	ln_emit(d);
	for (size_t r = 0; nr > 1 && r < nr && r < d->o->max_rows; r++)
		put_row(d, r);
	if (nr > 1 && nr > d->o->max_rows) {
		char more[100];
		snprintf(more, sizeof more, "... %zu more indexes", nr - d->o->max_rows);
		put_label(d, "");
		ln_str(d, more);
		ln_emit(d);
	}
	put_marks(d);
	put_axis(d);
	put_summary(d);
	put_events(d);
	size_t nmiss = 0;
	for (size_t r = 0; r < nr; r++) {
		if (!hist_row_missing(h, r) || ++nmiss > MAX_LISTED)
			continue;
		char l[600];
		snprintf(l, sizeof l, "missing index %s", hist_row_name(h, r));
		ln_str(d, l);
		ln_emit(d);
	}
	put_more(d, nmiss, "missing indexes");
}

static int finish(struct draw *d)
{
	free(d->ln.b);
	if (d->failed && !errno)
		errno = ENOMEM;
	return d->failed ? -1 : 0;
}

int histout_text(FILE *f, const hist *h, const struct histout_opts *o)
{
	struct draw d = { f, h, o, { NULL, 0, 0, 0 }, 0, 0, 0 };
	errno = 0;
	draw(&d);
	return finish(&d);
}

int histout_markdown(FILE *f, const hist *h, const struct histout_opts *o)
{
	struct draw d = { f, h, o, { NULL, 0, 0, 0 }, 0, 0, 0 };
	char a[TSPAN_ISO_MAX], b[TSPAN_ISO_MAX], du[40], bk[40];
	errno = 0;
	fmt_dur(hist_bucket_ms(h), bk, sizeof bk);
	ln_str(&d, "```text");
	ln_emit(&d);
	draw(&d);
	ln_str(&d, "```");
	ln_emit(&d);
	size_t nmiss = 0;
	for (size_t r = 0; r < hist_rows(h); r++)
		nmiss += hist_row_missing(h, r) != 0;
	if (!hist_gaps(h) && !hist_spikes(h) && !nmiss) {
		if (fprintf(f, "\nNo gaps, spikes or missing indexes at %s per bar.\n", bk) < 0)
			d.failed = 1;
		return finish(&d);
	}
	if (fprintf(f, "\n| | from | to | documents | |\n|---|---|---|---:|---|\n") < 0)
		d.failed = 1;
	for (size_t i = 0; i < hist_gaps(h) && i < MAX_LISTED; i++) {
		const struct hist_span *s = hist_gap(h, i);
		if (fprintf(f, "| gap | %s | %s | 0 | %s without documents |\n", fmt_time(s->from, a),
			    fmt_time(s->to, b), fmt_dur(s->to - s->from, du, sizeof du)) < 0)
			d.failed = 1;
	}
	for (size_t i = 0; i < hist_spikes(h) && i < MAX_LISTED; i++) {
		const struct hist_span *s = hist_spike(h, i);
		if (fprintf(f, "| spike | %s | %s | %" PRId64 " | %.1fx the median %" PRId64 " per %s |\n",
			    fmt_time(s->from, a), fmt_time(s->to, b), s->docs, s->factor, hist_median(h), bk) < 0)
			d.failed = 1;
	}
	size_t listed = 0;
	for (size_t r = 0; r < hist_rows(h); r++)
		if (hist_row_missing(h, r) && ++listed <= MAX_LISTED &&
		    fprintf(f, "| missing index | %s | | | |\n", hist_row_name(h, r)) < 0)
			d.failed = 1;
	if ((hist_gaps(h) > MAX_LISTED || hist_spikes(h) > MAX_LISTED || nmiss > MAX_LISTED) &&
	    fprintf(f, "\n%zu gaps, %zu spikes, %zu missing indexes in all; the first %d of each are listed.\n",
		    hist_gaps(h), hist_spikes(h), nmiss, MAX_LISTED) < 0)
		d.failed = 1;
	return finish(&d);
}

int histout_tsv(FILE *f, const hist *h)
{
	char a[TSPAN_ISO_MAX], b[TSPAN_ISO_MAX];
	int bad = fprintf(f, "range\t%s\t%s\t%" PRId64 "\n", tspan_format_iso(hist_from(h), a),
			  tspan_format_iso(hist_to(h), b), hist_bucket_ms(h)) < 0;
	for (size_t r = 0; r < hist_rows(h); r++) {
		if (hist_row_missing(h, r))
			continue;
		for (size_t i = 0; i < hist_buckets(h); i++) {
			int64_t lo, hi;
			hist_bucket_span(h, i, &lo, &hi);
			bad |= fprintf(f, "bucket\t%s\t%s\t%s\t%" PRId64 "\n", hist_row_name(h, r),
				       tspan_format_iso(lo, a), tspan_format_iso(hi, b), hist_row_at(h, r, i)) < 0;
		}
	}
	for (size_t r = 0; r < hist_rows(h); r++)
		if (hist_row_missing(h, r))
			bad |= fprintf(f, "missing\t%s\n", hist_row_name(h, r)) < 0;
	for (size_t i = 0; i < hist_gaps(h); i++)
		bad |= fprintf(f, "gap\t%s\t%s\n", tspan_format_iso(hist_gap(h, i)->from, a),
			       tspan_format_iso(hist_gap(h, i)->to, b)) < 0;
	for (size_t i = 0; i < hist_spikes(h); i++) {
		const struct hist_span *s = hist_spike(h, i);
		bad |= fprintf(f, "spike\t%s\t%s\t%" PRId64 "\t%.1f\n", tspan_format_iso(s->from, a),
			       tspan_format_iso(s->to, b), s->docs, s->factor) < 0;
	}
	bad |= fprintf(f, "total\t%" PRId64 "\n", hist_total(h)) < 0;
	return bad ? -1 : 0;
}
