/* osplan.c - plans the chunks of a download: index pattern, time range and
 * query in, chunk specs out, covering the range exactly once. */
#include "cli.h"
#include "http.h"
#include "log.h"
#include "osdl.h"
#include "plan.h"
#include "plansrv.h"
#include "query.h"
#include "sig.h"
#include "spec.h"
#include "tspan.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: osplan [OPTIONS] -i PATTERN -f FROM -t TO [-s STEP]\n"
	"  -i, --index PATTERN     index pattern (logs-%Y.%m.%d), index, alias or wildcard\n"
	"  -f, --from FROM         range start, inclusive (ISO-8601, date or epoch ms)\n"
	"  -t, --to TO             range end, exclusive\n"
	"      --to-inclusive      TO is inclusive, as OpenSearch's lte (23:59:59 includes .999)\n"
	"  -s, --step STEP         chunk step: N ms|s|m|h|d|w|M|y (default: the pattern's period, or 1d)\n"
	"      --time-field F      date field of the range (default @timestamp)\n"
	"  -q, --query FILE        query DSL JSON combined with the range ('-' = stdin)\n"
	"      --fields LIST       comma-separated _source fields (default all)\n"
	"      --no-sort           fetch need not be in time order (changes the fingerprint)\n"
	"      --target-docs N     at most N documents per chunk (counts on the server)\n"
	"      --count             count the documents of each chunk (summary, json \"docs\")\n"
	"      --format F          lines (default), make or json\n"
	"  -d, --cache DIR         osfetch cache directory for make/json paths (default .)\n"
	"      --max-chunks N      refuse plans of more than N chunks (default 100000)\n"
	"      --offline           never contact the server\n"
	"      --insecure          do not verify TLS certificates\n"
	"      --aws-region R      sign requests with AWS SigV4\n"
	"      --aws-service S     SigV4 service (default es)\n"
	"      --log-level L       quiet, basic, detailed, extra or full\n"
	"      --log-file FILE     append log lines to FILE\n"
	"  -h, --help              this help\n"
	"  -V, --version           print the version\n";

enum {
	OPT_AWS_REGION = 256, OPT_AWS_SERVICE, OPT_COUNT, OPT_FIELDS, OPT_FORMAT, OPT_INSECURE,
	OPT_MAX_CHUNKS, OPT_NO_SORT, OPT_OFFLINE, OPT_TARGET_DOCS, OPT_TIME_FIELD, OPT_TO_INCLUSIVE
};

/* Sorted by long name. */
static const struct option options[] = {
	{ "aws-region", required_argument, NULL, OPT_AWS_REGION },
	{ "aws-service", required_argument, NULL, OPT_AWS_SERVICE },
	{ "cache", required_argument, NULL, 'd' },
	{ "count", no_argument, NULL, OPT_COUNT },
	{ "fields", required_argument, NULL, OPT_FIELDS },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "from", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "index", required_argument, NULL, 'i' },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "log-file", required_argument, NULL, CLI_OPT_LOG_FILE },
	{ "log-level", required_argument, NULL, CLI_OPT_LOG_LEVEL },
	{ "max-chunks", required_argument, NULL, OPT_MAX_CHUNKS },
	{ "no-sort", no_argument, NULL, OPT_NO_SORT },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "query", required_argument, NULL, 'q' },
	{ "step", required_argument, NULL, 's' },
	{ "target-docs", required_argument, NULL, OPT_TARGET_DOCS },
	{ "time-field", required_argument, NULL, OPT_TIME_FIELD },
	{ "to", required_argument, NULL, 't' },
	{ "to-inclusive", no_argument, NULL, OPT_TO_INCLUSIVE },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

struct opts {
	const char *index, *from_s, *to_s, *step_s, *time_field, *query_file, *fields;
	const char *format_s, *cache, *aws_region, *aws_service;
	int to_inclusive, no_sort, offline, insecure, count;
	long long target_docs;
	size_t max_chunks;
	/* derived */
	int64_t from, to;
	struct tspan_step step;
	int has_step;
	enum plan_format format;
	char query_abs[PATH_MAX];
};

/* Everything main() owns, freed in one place. */
struct run {
	struct opts o;
	query *q;
	http *h;
	plansrv_names *names;
	struct plan pieces, chunks;
	char *out;
	size_t outlen;
	char **missing;
	size_t nmissing;
	size_t nhot; /* milliseconds above --target-docs, sliced */
};

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

/* Fills O from argv and checks it.  Returns CLI_CONTINUE to go on, else the
 * exit status (OSDL_EXIT_OK after --help or --version). */
static int parse_args(int argc, char **argv, struct opts *o)
{
	char err[1024];
	int c, rc;
	long long v;
	o->max_chunks = 100000;
	o->cache = ".";
	o->format_s = "lines";
	opterr = 0; /* one error line, ours */
	while ((c = getopt_long(argc, argv, ":d:f:hi:q:s:t:V", options, NULL)) != -1) {
		switch (c) {
		case 'd':
			if ((rc = cli_dir_arg("--cache", optarg, err, sizeof err)) != 0)
				return usage_error("%s", err);
			o->cache = optarg;
			break;
		case 'f': o->from_s = optarg; break;
		case 'i': o->index = optarg; break;
		case 'q': o->query_file = optarg; break;
		case 's': o->step_s = optarg; break;
		case 't': o->to_s = optarg; break;
		case 'h': case 'V': case CLI_OPT_LOG_FILE: case CLI_OPT_LOG_LEVEL:
			if ((rc = cli_option(c, optarg, usage_text, err, sizeof err)) == CLI_CONTINUE)
				break;
			if (rc != OSDL_EXIT_OK)
				log_error("%s", err);
			return rc;
		case OPT_AWS_REGION: o->aws_region = optarg; break;
		case OPT_AWS_SERVICE: o->aws_service = optarg; break;
		case OPT_COUNT: o->count = 1; break;
		case OPT_FIELDS: o->fields = optarg; break;
		case OPT_FORMAT: o->format_s = optarg; break;
		case OPT_INSECURE: o->insecure = 1; break;
		case OPT_MAX_CHUNKS:
			if (cli_parse_int(optarg, 1, 100000000, &v))
				return usage_error("invalid --max-chunks '%s': want 1..100000000", optarg);
			o->max_chunks = (size_t)v;
			break;
		case OPT_NO_SORT: o->no_sort = 1; break;
		case OPT_OFFLINE: o->offline = 1; break;
		case OPT_TARGET_DOCS:
			if (cli_parse_int(optarg, 1, 1000000000000LL, &o->target_docs))
				return usage_error("invalid --target-docs '%s': want a positive count", optarg);
			break;
		case OPT_TIME_FIELD: o->time_field = optarg; break;
		case OPT_TO_INCLUSIVE: o->to_inclusive = 1; break;
		default:
			cli_bad_option(c, argv, optind, err, sizeof err);
			return usage_error("%s (try 'osplan --help')", err);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s' (try 'osplan --help')", argv[optind]);
	if (!o->index || !o->from_s || !o->to_s)
		return usage_error("-i PATTERN, -f FROM and -t TO are required (try 'osplan --help')");
	if (!*o->index)
		return usage_error("empty index pattern");
	if ((rc = parse_instant("FROM", o->from_s, &o->from)) || (rc = parse_instant("TO", o->to_s, &o->to)))
		return rc;
	int64_t to_given = o->to;
	if (o->to_inclusive)
		o->to += tspan_precision(o->to_s, (size_t)-1); /* as OpenSearch's lte */
	if (o->from >= o->to)
		return usage_error("%s range %s .. %s%s", o->from > to_given ? "reversed" : "empty", o->from_s,
				   o->to_s, o->to_inclusive ? " (inclusive)" : "");
	if (o->step_s) {
		if (tspan_parse_step(o->step_s, &o->step))
			return usage_error("invalid step '%s': want a count and a unit (ms s m h d w M y), e.g. 1h",
					   o->step_s);
		o->has_step = 1;
	}
	if (strcmp(o->format_s, "lines") == 0)
		o->format = PLAN_LINES;
	else if (strcmp(o->format_s, "make") == 0)
		o->format = PLAN_MAKE;
	else if (strcmp(o->format_s, "json") == 0)
		o->format = PLAN_JSON;
	else
		return usage_error("unknown format '%s' (lines, make, json)", o->format_s);
	if (o->format != PLAN_LINES && !plan_dir_ok(o->cache))
		return usage_error("cache directory '%s' must be letters, digits and ._-+@/ only", o->cache);
	if (o->format == PLAN_MAKE && o->query_file) {
		if (strcmp(o->query_file, "-") == 0)
			return usage_error("--format make needs the query in a file, not stdin");
		if (!realpath(o->query_file, o->query_abs))
			return usage_error("cannot open query file %s: %s", o->query_file, strerror(errno));
	}
	if (o->offline && (o->target_docs || o->count))
		return usage_error("--%s counts on the server: it cannot be --offline",
				   o->target_docs ? "target-docs" : "count");
	return CLI_CONTINUE;
}

/* The expression that names every index the pattern can produce, for one
 * resolve and one _field_caps request: time tokens become '*'. */
static void pattern_glob(const char *pattern, char *buf, size_t n)
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

static int note_missing(struct run *r, const char *name)
{
	if (r->nmissing && strcmp(r->missing[r->nmissing - 1], name) == 0)
		return 0;
	char **m = realloc(r->missing, (r->nmissing + 1) * sizeof *m);
	if (!m)
		return -1;
	r->missing = m;
	if (!(m[r->nmissing] = strdup(name)))
		return -1;
	r->nmissing++;
	return 0;
}

static void report_missing(const struct run *r)
{
	char list[1024] = "";
	size_t o = 0;
	if (!r->nmissing)
		return;
	for (size_t i = 0; i < r->nmissing && o < sizeof list - 1; i++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", r->missing[i]);
	if (o >= sizeof list - 1)
		strcpy(list + sizeof list - 5, "...");
	log_msg(LOG_BASIC, "skipped %zu missing index%s: %s", r->nmissing, r->nmissing > 1 ? "es" : "", list);
}

/* Turns the calendar pieces into chunks of concrete indexes, counting and
 * packing them with --target-docs. */
static int expand(struct run *r)
{
	char err[1024], a[TSPAN_ISO_MAX];
	int rc = 0;
	for (size_t i = 0; i < r->pieces.n && !rc; i++) {
		const struct spec *pc = &r->pieces.c[i].sp;
		const char **idx = NULL;
		long n = 1;
		if (r->names) {
			if ((n = plansrv_lookup(r->names, pc->index, &idx)) < 0) {
				log_error("out of memory");
				return OSDL_EXIT_FAIL;
			}
			if (n == 0 && note_missing(r, pc->index)) {
				log_error("out of memory");
				rc = OSDL_EXIT_FAIL;
			}
		}
		for (long k = 0; k < n && !rc; k++) {
			const char *name = idx ? idx[k] : pc->index;
			struct plan_leaf *leaves = NULL;
			size_t nl = 0, before = r->chunks.n;
			int64_t total = -1;
			if (!r->o.target_docs) {
				/* --count: one histogram per chunk, never split */
				if (r->o.count && (rc = plansrv_count(r->h, r->q, name, pc->from, pc->to, INT64_MAX,
								      &leaves, &nl, &total, err, sizeof err)))
					log_error("%s", err);
				else if (plan_add(&r->chunks, name, pc->from, pc->to, 0, 0, total, err, sizeof err))
					rc = usage_error("%s", err);
				free(leaves);
				continue;
			}
			if ((rc = plansrv_count(r->h, r->q, name, pc->from, pc->to, r->o.target_docs, &leaves, &nl,
						&total, err, sizeof err))) {
				log_error("%s", err);
			} else if (plan_pack(&r->chunks, name, pc->from, pc->to, leaves, nl, r->o.target_docs, err,
					     sizeof err)) {
				rc = usage_error("%s", err);
			} else {
				log_msg(LOG_DETAILED, "%s from %s: %" PRId64 " documents, %zu chunks", name,
					tspan_format_iso(pc->from, a), total, r->chunks.n - before);
				for (size_t l = 0; l < nl; l++) {
					if (leaves[l].docs <= r->o.target_docs)
						continue;
					/* The first few at basic level: a skewed index has many. */
					log_msg(++r->nhot <= 10 ? LOG_BASIC : LOG_DETAILED,
						"%s: %" PRId64 " documents at %s, more than %lld: fetched as %" PRId64
						" slices", name, leaves[l].docs, tspan_format_iso(leaves[l].from, a),
						r->o.target_docs,
						(leaves[l].docs + (int64_t)r->o.target_docs - 1) / (int64_t)r->o.target_docs);
				}
			}
			free(leaves);
		}
		free(idx);
	}
	return rc;
}

static int has_wildcard(const struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (strpbrk(p->c[i].sp.index, "*?,"))
			return 1;
	return 0;
}

static int run(struct run *r)
{
	struct opts *o = &r->o;
	struct tspan_step period, *step = NULL;
	char err[1024];
	int rc, timed;

	if (!(r->q = query_new(o->time_field)))
		goto nomem;
	if (o->query_file && query_load_file(r->q, o->query_file, err, sizeof err))
		return usage_error("%s", err);
	if (query_set_fields(r->q, o->fields, err, sizeof err))
		return usage_error("%s", err);
	query_set_sorted(r->q, !o->no_sort);
	if ((timed = plan_pattern_period(o->index, &period, err, sizeof err)) < 0)
		return usage_error("%s", err);
	if (o->has_step) {
		step = &o->step;
	} else if (!o->target_docs) {
		/* Default: one chunk per index period, or per day for plain names. */
		o->step = timed ? period : (struct tspan_step){ 1, 'd' };
		step = &o->step;
	}
	plan_init(&r->pieces, o->max_chunks);
	plan_init(&r->chunks, o->max_chunks);
	if (plan_calendar(&r->pieces, o->index, o->from, o->to, step, err, sizeof err))
		return usage_error("%s", err);

	if (!o->offline && (getenv("OS_URL") || o->target_docs || o->count)) {
		struct http_opts ho = { 0 };
		char glob[1024];
		ho.insecure = o->insecure;
		ho.aws_region = o->aws_region;
		ho.aws_service = o->aws_service;
		if (!(r->h = http_new(&ho, err, sizeof err))) {
			log_error("%s", err);
			return OSDL_EXIT_USAGE;
		}
		pattern_glob(o->index, glob, sizeof glob);
		log_msg(LOG_DETAILED, "resolving %s at %s", glob, http_base_url(r->h));
		if ((rc = plansrv_resolve(r->h, glob, &r->names, err, sizeof err)) ||
		    (rc = plansrv_check_fields(r->h, glob, r->q, err, sizeof err))) {
			log_error("%s", err);
			return rc;
		}
	} else if (has_wildcard(&r->pieces)) {
		return usage_error("index '%s' has a wildcard or list: resolving it needs the server (set OS_URL)",
				   o->index);
	}
	if (!r->h) {
		/* Offline the pieces are the chunks: hand them over, no copy. */
		struct plan t = r->chunks;
		r->chunks = r->pieces;
		r->pieces = t;
	} else if ((rc = expand(r))) {
		return rc;
	}
	plan_free(&r->pieces); /* memory for the output */
	if (plan_check_names(&r->chunks, err, sizeof err))
		return usage_error("%s", err);
	plan_sort(&r->chunks);
	report_missing(r);

	const char *args[16];
	size_t na = 0;
	args[na++] = "--cache";
	args[na++] = o->cache;
	if (o->time_field) {
		args[na++] = "--time-field";
		args[na++] = o->time_field;
	}
	if (o->query_file) {
		args[na++] = "--query";
		args[na++] = o->query_abs[0] ? o->query_abs : o->query_file;
	}
	if (o->fields) {
		args[na++] = "--fields";
		args[na++] = o->fields;
	}
	if (o->no_sort)
		args[na++] = "--no-sort";
	if (o->insecure)
		args[na++] = "--insecure";
	/* SigV4 settings are options, not secrets; the keys stay in the environment. */
	if (o->aws_region) {
		args[na++] = "--aws-region";
		args[na++] = o->aws_region;
	}
	if (o->aws_service) {
		args[na++] = "--aws-service";
		args[na++] = o->aws_service;
	}
	struct plan_out po = { o->format, o->cache, query_fingerprint(r->q), args, na };
	FILE *mem = open_memstream(&r->out, &r->outlen);
	if (!mem)
		goto nomem;
	rc = plan_write(mem, &r->chunks, &po);
	if (fclose(mem) || rc) {
		if (errno == EINVAL)
			return usage_error("an option value holds a newline; make recipes cannot carry it");
		goto nomem;
	}

	struct plan_stats st;
	plan_stats(&r->chunks, &st);
	if (r->h && st.total >= 0 && timed) {
		/* A document filed in an index other than the one its time names
		 * is in no chunk of a pattern plan: say so rather than lose it. */
		char glob[1024];
		int64_t all;
		pattern_glob(o->index, glob, sizeof glob);
		if ((rc = plansrv_total(r->h, r->q, glob, o->from, o->to, &all, err, sizeof err))) {
			log_error("%s", err);
			return rc;
		}
		if (all != st.total)
			log_msg(LOG_QUIET, "warning: %s holds %" PRId64 " documents in the range, the plan %" PRId64
				": some are in an index that does not match their time; plan with -i '%s' to get them",
				glob, all, st.total, glob);
	}
	if (r->nhot > 10)
		log_msg(LOG_BASIC, "%zu milliseconds held more than %lld documents and are sliced",
			r->nhot, o->target_docs);
	if ((o->target_docs || o->count) && st.total < 0)
		st.total = st.min = st.median = st.max = 0;
	if (st.total >= 0)
		log_msg(LOG_BASIC, "planned %zu chunks, %zu missing indexes, %" PRId64 " documents; per chunk min %" PRId64
			" median %" PRId64 " max %" PRId64,
			st.chunks, r->nmissing, st.total, st.min, st.median, st.max);
	else
		log_msg(LOG_BASIC, "planned %zu chunks, %zu missing indexes", st.chunks, r->nmissing);
	return 0;
nomem:
	log_error("out of memory");
	return OSDL_EXIT_FAIL;
}

int main(int argc, char **argv)
{
	struct run r;
	int rc;

	log_init("osplan");
	memset(&r, 0, sizeof r);
	rc = parse_args(argc, argv, &r.o);
	if (rc != CLI_CONTINUE)
		return rc;
	sig_install(SIG_AT_ONCE);
	rc = run(&r);
	/* The plan reaches stdout only whole. */
	if (rc == 0 && r.outlen && fwrite(r.out, 1, r.outlen, stdout) != r.outlen)
		rc = OSDL_EXIT_IO;
	if (fclose(stdout) && rc == 0)
		rc = OSDL_EXIT_IO;
	if (rc == OSDL_EXIT_IO)
		log_errno("writing the plan");
	if (rc == 0 && sig_caught())
		rc = OSDL_EXIT_SIGNAL;
	log_msg(LOG_DETAILED, "done, peak_rss_kb=%ld", log_peak_rss_kb());
	free(r.out);
	for (size_t i = 0; i < r.nmissing; i++)
		free(r.missing[i]);
	free(r.missing);
	plan_free(&r.pieces);
	plan_free(&r.chunks);
	plansrv_names_free(r.names);
	http_free(r.h);
	query_free(r.q);
	log_close_file();
	return rc;
}
