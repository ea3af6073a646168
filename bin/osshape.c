/* osshape.c - shows documents over time: a histogram of a range from one
 * server aggregation or from counts, with its gaps, spikes and missing
 * indexes, as text, Markdown or lines for scripts. */
#include "cli.h"
#include "hist.h"
#include "histout.h"
#include "http.h"
#include "log.h"
#include "osdl.h"
#include "plansrv.h"
#include "query.h"
#include "plan.h"
#include "publish.h"
#include "shape.h"
#include "sig.h"
#include "tspan.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: osshape [OPTIONS] -i PATTERN -f FROM -t TO\n"
	"       osshape [OPTIONS] --counts FILE [-i PATTERN] [-f FROM -t TO]\n"
	"  -i, --index PATTERN     index pattern (logs-%Y.%m.%d), index, alias or wildcard\n"
	"  -f, --from FROM         range start, inclusive (ISO-8601, date or epoch ms)\n"
	"  -t, --to TO             range end, exclusive\n"
	"      --to-inclusive      TO is inclusive, as OpenSearch's lte\n"
	"      --time-field F      date field of the range (default @timestamp)\n"
	"  -q, --query FILE        query DSL JSON combined with the range ('-' = stdin)\n"
	"      --counts FILE       read INDEX<TAB>FROM_MS<TAB>TO_MS<TAB>COUNT lines ('-' = stdin),\n"
	"                          ask no server\n"
	"      --format F          text (default), markdown or tsv\n"
	"      --markdown FILE     also write the markdown form (72 columns) to FILE\n"
	"      --tsv FILE          also write the tsv lines to FILE\n"
	"  -w, --width N           columns (default $COLUMNS, the terminal, else 80; markdown 72)\n"
	"      --ascii             ASCII only, even in a UTF-8 locale\n"
	"      --spike-factor K    a spike holds more than K x the median bucket (default 5)\n"
	"      --spike-min N       ... and at least N documents (default 10)\n"
	"      --max-rows N        draw at most N index rows (default 40)\n"
	"      --fail-on-gap       exit 8 when the range has a gap (after writing the output)\n"
	"      --insecure          do not verify TLS certificates\n"
	"      --aws-region R      sign requests with AWS SigV4\n"
	"      --aws-service S     SigV4 service (default es)\n"
	"      --log-level L       quiet, basic, detailed, extra or full\n"
	"      --log-file FILE     append log lines to FILE\n"
	"  -h, --help              this help\n"
	"  -V, --version           print the version\n";

enum {
	OPT_ASCII = 256, OPT_AWS_REGION, OPT_AWS_SERVICE, OPT_COUNTS, OPT_FAIL_ON_GAP, OPT_FORMAT,
	OPT_INSECURE, OPT_MARKDOWN, OPT_MAX_ROWS, OPT_SPIKE_FACTOR, OPT_SPIKE_MIN, OPT_TIME_FIELD,
	OPT_TO_INCLUSIVE, OPT_TSV
};

/* Sorted by long name. */
static const struct option options[] = {
	{ "ascii", no_argument, NULL, OPT_ASCII },
	{ "aws-region", required_argument, NULL, OPT_AWS_REGION },
	{ "aws-service", required_argument, NULL, OPT_AWS_SERVICE },
	{ "counts", required_argument, NULL, OPT_COUNTS },
	{ "fail-on-gap", no_argument, NULL, OPT_FAIL_ON_GAP },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "from", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "index", required_argument, NULL, 'i' },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "log-file", required_argument, NULL, CLI_OPT_LOG_FILE },
	{ "log-level", required_argument, NULL, CLI_OPT_LOG_LEVEL },
	{ "markdown", required_argument, NULL, OPT_MARKDOWN },
	{ "max-rows", required_argument, NULL, OPT_MAX_ROWS },
	{ "query", required_argument, NULL, 'q' },
	{ "spike-factor", required_argument, NULL, OPT_SPIKE_FACTOR },
	{ "spike-min", required_argument, NULL, OPT_SPIKE_MIN },
	{ "time-field", required_argument, NULL, OPT_TIME_FIELD },
	{ "to", required_argument, NULL, 't' },
	{ "to-inclusive", no_argument, NULL, OPT_TO_INCLUSIVE },
	{ "tsv", required_argument, NULL, OPT_TSV },
	{ "version", no_argument, NULL, 'V' },
	{ "width", required_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 }
};

enum format { FMT_TEXT, FMT_MARKDOWN, FMT_TSV };

struct opts {
	const char *index, *from_s, *to_s, *time_field, *query_file, *counts, *format_s;
	const char *aws_region, *aws_service, *markdown, *tsv;
	int to_inclusive, insecure, ascii, fail_on_gap;
	long long width, spike_min, max_rows;
	double spike_factor;
	/* derived */
	int64_t from, to;
	int has_range;
	enum format format;
};

/* Everything main() owns, freed in one place. */
struct run {
	struct opts o;
	query *q;
	http *h;
	plansrv_names *names;
	struct shape_list expect;
	struct shape_count *counts;
	size_t ncounts;
	hist *hist;       /* as counted: the finest the outputs need */
	hist *views[2];   /* regrouped for the output and --markdown, if coarser */
	size_t nrows, lon; /* rows and longest name the labels are sized for */
};

#define MARKDOWN_WIDTH 72

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_verror(fmt, ap);
	va_end(ap);
	return OSDL_EXIT_USAGE;
}

static int parse_instant(const char *opt, const char *s, int64_t *ms)
{
	int sub = 0;
	if (tspan_parse_time(s, (size_t)-1, ms, &sub))
		return usage_error("invalid %s '%s': want ISO-8601 (2024-03-01T00:00:00Z), a date or epoch ms",
				   opt, s);
	if (sub)
		return usage_error("%s '%s' is finer than a millisecond", opt, s);
	return 0;
}

/* The width when --width is not given: markdown's fixed 72, else $COLUMNS,
 * else the terminal on stderr (the driver keeps stdout for the lines it
 * reads) or stdout, else 80. */
static long long default_width(enum format f)
{
	struct winsize ws;
	long long v;
	const char *c = getenv("COLUMNS");
	if (f == FMT_MARKDOWN)
		return 72;
	if (c && !cli_parse_int(c, 1, 100000, &v))
		return v;
	for (int fd = 2; fd >= 1; fd--)
		if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
			return ws.ws_col;
	return 80;
}

/* Fills O from argv and checks it.  Returns CLI_CONTINUE to go on, else the
 * exit status (OSDL_EXIT_OK after --help or --version). */
static int parse_args(int argc, char **argv, struct opts *o)
{
	char err[1024], *end;
	int c, rc;
	o->format_s = "text";
	o->spike_factor = 5;
	o->spike_min = 10;
	o->max_rows = 40;
	opterr = 0; /* one error line, ours */
	while ((c = getopt_long(argc, argv, ":f:hi:q:t:Vw:", options, NULL)) != -1) {
		switch (c) {
		case 'f': o->from_s = optarg; break;
		case 'i': o->index = optarg; break;
		case 'q': o->query_file = optarg; break;
		case 't': o->to_s = optarg; break;
		case 'w':
			if (cli_parse_int(optarg, HISTOUT_MIN_WIDTH, HISTOUT_MAX_WIDTH, &o->width))
				return usage_error("invalid --width '%s': want %d..%d", optarg, HISTOUT_MIN_WIDTH,
						   HISTOUT_MAX_WIDTH);
			break;
		case 'h': case 'V': case CLI_OPT_LOG_FILE: case CLI_OPT_LOG_LEVEL:
			if ((rc = cli_option(c, optarg, usage_text, err, sizeof err)) == CLI_CONTINUE)
				break;
			if (rc != OSDL_EXIT_OK)
				log_error("%s", err);
			return rc;
		case OPT_ASCII: o->ascii = 1; break;
		case OPT_AWS_REGION: o->aws_region = optarg; break;
		case OPT_AWS_SERVICE: o->aws_service = optarg; break;
		case OPT_COUNTS: o->counts = optarg; break;
		case OPT_FAIL_ON_GAP: o->fail_on_gap = 1; break;
		case OPT_FORMAT: o->format_s = optarg; break;
		case OPT_INSECURE: o->insecure = 1; break;
		case OPT_MARKDOWN: o->markdown = optarg; break;
		case OPT_TSV: o->tsv = optarg; break;
		case OPT_MAX_ROWS:
			if (cli_parse_int(optarg, 0, 100000, &o->max_rows))
				return usage_error("invalid --max-rows '%s': want 0..100000", optarg);
			break;
		case OPT_SPIKE_FACTOR:
			errno = 0;
			o->spike_factor = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->spike_factor >= 1 && o->spike_factor <= 1e9))
				return usage_error("invalid --spike-factor '%s': want a number >= 1", optarg);
			break;
		case OPT_SPIKE_MIN:
			if (cli_parse_int(optarg, 1, INT64_MAX, &o->spike_min))
				return usage_error("invalid --spike-min '%s': want a positive count", optarg);
			break;
		case OPT_TIME_FIELD: o->time_field = optarg; break;
		case OPT_TO_INCLUSIVE: o->to_inclusive = 1; break;
		default:
			cli_bad_option(c, argv, optind, err, sizeof err);
			return usage_error("%s (try 'osshape --help')", err);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s' (try 'osshape --help')", argv[optind]);
	if (strcmp(o->format_s, "text") == 0)
		o->format = FMT_TEXT;
	else if (strcmp(o->format_s, "markdown") == 0)
		o->format = FMT_MARKDOWN;
	else if (strcmp(o->format_s, "tsv") == 0)
		o->format = FMT_TSV;
	else
		return usage_error("unknown format '%s' (text, markdown, tsv)", o->format_s);
	if (!o->counts && (!o->index || !o->from_s || !o->to_s))
		return usage_error("-i PATTERN, -f FROM and -t TO are required without --counts (try 'osshape --help')");
	if (o->counts && (o->query_file || o->time_field))
		return usage_error("--%s applies to the server's counts, not to --counts",
				   o->query_file ? "query" : "time-field");
	if (o->index && !*o->index)
		return usage_error("empty index pattern");
	if (!o->from_s != !o->to_s)
		return usage_error("-f FROM and -t TO go together");
	if (o->from_s) {
		if ((rc = parse_instant("FROM", o->from_s, &o->from)) || (rc = parse_instant("TO", o->to_s, &o->to)))
			return rc;
		int64_t to_given = o->to;
		if (o->to_inclusive)
			o->to += tspan_precision(o->to_s, (size_t)-1); /* as OpenSearch's lte */
		if (o->from >= o->to)
			return usage_error("%s range %s .. %s%s", o->from > to_given ? "reversed" : "empty", o->from_s,
					   o->to_s, o->to_inclusive ? " (inclusive)" : "");
		o->has_range = 1;
	}
	if (!o->width) {
		o->width = default_width(o->format);
		if (o->width < HISTOUT_MIN_WIDTH)
			o->width = HISTOUT_MIN_WIDTH;
		if (o->width > HISTOUT_MAX_WIDTH)
			o->width = HISTOUT_MAX_WIDTH;
	}
	return CLI_CONTINUE;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t longest(const struct shape_list *l, size_t longest_so_far)
{
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->name[i]) > longest_so_far)
			longest_so_far = strlen(l->name[i]);
	return longest_so_far;
}

/* The histogram sized for the widest output of NROWS rows named up to
 * LON bytes. */
static int make_hist(struct run *r, size_t nrows, size_t lon)
{
	size_t bars = histout_bar_columns((int)r->o.width, nrows, lon);
	size_t mdbars = histout_bar_columns(MARKDOWN_WIDTH, nrows, lon);
	r->nrows = nrows;
	r->lon = lon;
	if (r->o.markdown && mdbars > bars)
		bars = mdbars;
	int64_t b = hist_nice_bucket(r->o.from, r->o.to, bars);
	if (!(r->hist = hist_new(r->o.from, r->o.to, b))) {
		log_error("out of memory");
		return OSDL_EXIT_FAIL;
	}
	log_msg(LOG_DETAILED, "%zu buckets of %" PRId64 " ms over %zu bar columns", hist_buckets(r->hist), b, bars);
	return 0;
}

/* --counts: the lines, the range they cover unless -f/-t, the pattern's
 * periods without a line as missing indexes. */
static int from_counts(struct run *r)
{
	struct opts *o = &r->o;
	char err[1024];
	FILE *f = strcmp(o->counts, "-") == 0 ? stdin : fopen(o->counts, "r");
	int rc;
	if (!f) {
		log_errno("cannot open %s", o->counts);
		return OSDL_EXIT_IO;
	}
	rc = shape_read_counts(f, strcmp(o->counts, "-") == 0 ? "stdin" : o->counts, &r->counts, &r->ncounts, err,
			       sizeof err);
	if (f != stdin)
		fclose(f);
	if (rc) {
		log_error("%s", err);
		return rc;
	}
	if (!o->has_range) {
		if (!r->ncounts)
			return usage_error("no counts in %s and no -f FROM -t TO", o->counts);
		o->from = r->counts[0].from;
		o->to = r->counts[0].to;
		for (size_t i = 1; i < r->ncounts; i++) {
			if (r->counts[i].from < o->from)
				o->from = r->counts[i].from;
			if (r->counts[i].to > o->to)
				o->to = r->counts[i].to;
		}
	}
	if (o->index && (rc = shape_expect(NULL, o->index, o->from, o->to, &r->expect, err, sizeof err))) {
		log_error("%s", err);
		return rc;
	}
	/* Rows: the distinct indexes of the lines and the expected ones. */
	const char **names = malloc((r->ncounts + r->expect.n + 1) * sizeof *names);
	size_t nn = 0, nrows = 0, lon = 0;
	if (!names) {
		log_error("out of memory");
		return OSDL_EXIT_FAIL;
	}
	for (size_t i = 0; i < r->ncounts; i++)
		names[nn++] = r->counts[i].index;
	for (size_t i = 0; i < r->expect.n; i++)
		names[nn++] = r->expect.name[i];
	qsort(names, nn, sizeof *names, str_cmp);
	for (size_t i = 0; i < nn; i++) {
		nrows += !i || strcmp(names[i], names[i - 1]) != 0;
		if (strlen(names[i]) > lon)
			lon = strlen(names[i]);
	}
	free(names);
	if ((rc = make_hist(r, nrows, lon)))
		return rc;
	size_t skipped = 0;
	for (size_t i = 0; i < r->ncounts; i++) {
		const struct shape_count *c = &r->counts[i];
		if (c->to <= o->from || c->from >= o->to) {
			skipped++;
			continue;
		}
		if (c->from < o->from || c->to > o->to) {
			log_error("the counts of %s over %" PRId64 "..%" PRId64 " straddle the range", c->index, c->from,
				  c->to);
			return OSDL_EXIT_DATA;
		}
		if (hist_add(r->hist, c->index, c->from, c->to, c->count, err, sizeof err)) {
			log_error("%s", err);
			return OSDL_EXIT_FAIL;
		}
	}
	if (skipped)
		log_msg(LOG_DETAILED, "%zu counts lines outside the range left out", skipped);
	for (size_t i = 0; i < r->expect.n; i++)
		if (hist_add_missing(r->hist, r->expect.name[i])) {
			log_error("out of memory");
			return OSDL_EXIT_FAIL;
		}
	return 0;
}

/* The server: resolve the pattern, check the time field, one aggregation. */
static int from_server(struct run *r)
{
	struct opts *o = &r->o;
	struct http_opts ho = { 0 };
	char err[1024], glob[1024];
	const char **idx = NULL;
	int64_t total;
	int rc;

	if (!(r->q = query_new(o->time_field))) {
		log_error("out of memory");
		return OSDL_EXIT_FAIL;
	}
	if (o->query_file && query_load_file(r->q, o->query_file, err, sizeof err))
		return usage_error("%s", err);
	ho.insecure = o->insecure;
	ho.aws_region = o->aws_region;
	ho.aws_service = o->aws_service;
	if (!(r->h = http_new(&ho, err, sizeof err))) {
		log_error("%s", err);
		return OSDL_EXIT_USAGE;
	}
	plan_pattern_glob(o->index, glob, sizeof glob);
	log_msg(LOG_DETAILED, "resolving %s at %s", glob, http_base_url(r->h));
	if ((rc = plansrv_resolve(r->h, glob, &r->names, err, sizeof err)) ||
	    (rc = plansrv_check_fields(r->h, glob, r->q, err, sizeof err)) ||
	    (rc = shape_expect(r->names, o->index, o->from, o->to, &r->expect, err, sizeof err))) {
		log_error("%s", err);
		return rc;
	}
	long nidx = plansrv_lookup(r->names, glob, &idx);
	if (nidx < 0) {
		log_error("out of memory");
		return OSDL_EXIT_FAIL;
	}
	/* Any index of the glob may get a row; size the labels for all. */
	size_t lon = longest(&r->expect, 0), nrows = r->expect.n;
	for (long k = 0; k < nidx; k++) {
		size_t e = 0;
		while (e < r->expect.n && strcmp(r->expect.name[e], idx[k]) != 0)
			e++;
		nrows += e == r->expect.n;
		if (strlen(idx[k]) > lon)
			lon = strlen(idx[k]);
	}
	free(idx);
	if ((rc = make_hist(r, nrows, lon)))
		return rc;
	for (size_t i = 0; i < r->expect.n; i++)
		if (r->expect.missing[i] ? hist_add_missing(r->hist, r->expect.name[i])
					 : hist_add(r->hist, r->expect.name[i], o->from, o->to, 0, err, sizeof err)) {
			log_error("out of memory");
			return OSDL_EXIT_FAIL;
		}
	/* A time pattern reads each index for its own period, as osplan plans. */
	const struct shape_list *only = &r->expect;
	if (r->expect.nperiod > SHAPE_MAX_PERIODS) {
		log_msg(LOG_BASIC, "%zu index periods, more than %d: counting the documents of every index of %s, "
			"also those filed in an index other than the one their time names", r->expect.nperiod,
			SHAPE_MAX_PERIODS, glob);
		only = NULL;
	}
	if ((rc = shape_count(r->h, r->q, glob, only, (size_t)nidx, r->hist, &total, err, sizeof err))) {
		log_error("%s", err);
		return rc;
	}
	log_msg(LOG_DETAILED, "%s: %" PRId64 " documents in the range", glob, total);
	return 0;
}

/* The histogram for an output of WIDTH: the counted one, or the counted
 * one regrouped into coarser buckets (whole multiples, nothing spread),
 * analyzed.  NULL on ENOMEM. */
static hist *view(struct run *r, int slot, int width)
{
	size_t bars = histout_bar_columns(width, r->nrows, r->lon);
	int64_t b = hist_nice_multiple(r->o.from, r->o.to, hist_bucket_ms(r->hist), bars);
	hist *v = r->hist;
	if (b != hist_bucket_ms(r->hist)) {
		if (!(v = r->views[slot] = hist_regroup(r->hist, b)) || hist_analyze(v, r->o.spike_factor, r->o.spike_min))
			return NULL;
	}
	return v;
}

/* Writes one form of V to PATH (NULL: stdout), complete or absent. */
static int write_form(const char *path, enum format fmt, const hist *v, const struct histout_opts *ho)
{
	char perr[PATH_MAX + 128];
	publish *p = NULL;
	FILE *f = stdout;
	int rc;
	if (path && (!(p = publish_open(path, perr, sizeof perr)) || !(f = fdopen(dup(publish_fd(p)), "w")))) {
		log_error("%s", p ? "out of memory" : perr);
		publish_abort(p);
		return OSDL_EXIT_IO;
	}
	if (fmt == FMT_TSV)
		rc = histout_tsv(f, v);
	else if (fmt == FMT_MARKDOWN)
		rc = histout_markdown(f, v, ho);
	else
		rc = histout_text(f, v, ho);
	if (path && fclose(f))
		rc = -1;
	if (rc) {
		log_errno("writing %s", path ? path : "the histogram");
		publish_abort(p);
		return OSDL_EXIT_IO;
	}
	if (p && publish_commit(p, NULL, perr, sizeof perr)) {
		log_error("%s", perr);
		return OSDL_EXIT_IO;
	}
	return 0;
}

static int run(struct run *r)
{
	struct opts *o = &r->o;
	hist *out, *md = NULL;
	int rc = o->counts ? from_counts(r) : from_server(r);
	if (rc)
		return rc;
	if (hist_analyze(r->hist, o->spike_factor, o->spike_min) || !(out = view(r, 0, (int)o->width)) ||
	    (o->markdown && !(md = view(r, 1, MARKDOWN_WIDTH)))) {
		log_error("out of memory");
		return OSDL_EXIT_FAIL;
	}
	setlocale(LC_CTYPE, "");
	struct histout_opts ho = { (int)o->width, o->ascii || strcmp(nl_langinfo(CODESET), "UTF-8") != 0, o->index,
				   (size_t)o->max_rows };
	if ((rc = write_form(NULL, o->format, out, &ho)) || (o->tsv && (rc = write_form(o->tsv, FMT_TSV, out, &ho))))
		return rc;
	if (md) {
		ho.width = MARKDOWN_WIDTH;
		if ((rc = write_form(o->markdown, FMT_MARKDOWN, md, &ho)))
			return rc;
	}
	log_msg(LOG_BASIC, "%" PRId64 " documents, %zu gap%s, %zu spike%s", hist_total(out), hist_gaps(out),
		hist_gaps(out) == 1 ? "" : "s", hist_spikes(out), hist_spikes(out) == 1 ? "" : "s");
	return o->fail_on_gap && (hist_gaps(out) || (md && hist_gaps(md))) ? OSDL_EXIT_GAP : 0;
}

int main(int argc, char **argv)
{
	struct run r;
	int rc;

	log_init("osshape");
	memset(&r, 0, sizeof r);
	rc = parse_args(argc, argv, &r.o);
	if (rc != CLI_CONTINUE)
		return rc;
	sig_install(SIG_AT_ONCE);
	rc = run(&r);
	if (fclose(stdout) && (rc == 0 || rc == OSDL_EXIT_GAP)) {
		log_errno("writing the histogram");
		rc = OSDL_EXIT_IO;
	}
	log_msg(LOG_DETAILED, "done, peak_rss_kb=%ld", log_peak_rss_kb());
	for (int i = 0; i < 2; i++)
		hist_free(r.views[i]);
	hist_free(r.hist);
	shape_counts_free(r.counts, r.ncounts);
	shape_list_free(&r.expect);
	plansrv_names_free(r.names);
	http_free(r.h);
	query_free(r.q);
	log_close_file();
	return rc;
}
