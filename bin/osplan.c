/* osplan.c - plans the chunks of a download: index pattern, time range and
 * query in, chunk specs out, covering the range exactly once. */
#include "cli.h"
#include "http.h"
#include "log.h"
#include "osdl.h"
#include "plan.h"
#include "planner.h"
#include "publish.h"
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
#include <unistd.h>

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
	"      --slice-docs N      read a chunk of more than N documents as slices\n"
	"      --count             count the documents of each chunk (summary, json \"docs\")\n"
	"      --format F          lines (default), make, json or tsv\n"
	"      --total             print the server's count for the range (KEY=VALUE)\n"
	"      --drift             print the fields whose type differs between the plan's indexes\n"
	"      --recheck           compare the cached chunks with the server: STATE PATH CACHED SERVER REASON\n"
	"      --check LEVEL       what --recheck compares: count (default) or seqno\n"
	"      --invalidate        --recheck removes the stale chunks (implied by --format make)\n"
	"      --summary FILE      --recheck also writes its totals as KEY=VALUE lines to FILE\n"
	"  -d, --cache DIR         osfetch cache directory for make/json paths (default .)\n"
	"      --max-chunks N      refuse plans of more than N chunks (default 100000)\n"
	"      --offline           never contact the server\n"
	"      --insecure          do not verify TLS certificates\n"
	"      --aws-region R      sign requests with AWS SigV4\n"
	"      --aws-service S     SigV4 service (default es)\n"
	"      --log-level L       quiet, basic, detailed, extra or full\n"
	"      --log-file FILE     append log lines to FILE\n"
	"  -h, --help              this help\n"
	"  -V, --version           print the version\n"
	"      --exit-codes        print the exit codes as NAME=CODE lines (for scripts)\n";

enum {
	OPT_AWS_REGION = 256, OPT_AWS_SERVICE, OPT_COUNT, OPT_FIELDS, OPT_FORMAT, OPT_INSECURE,
	OPT_MAX_CHUNKS, OPT_NO_SORT, OPT_OFFLINE, OPT_SLICE_DOCS, OPT_TARGET_DOCS, OPT_TIME_FIELD, OPT_TO_INCLUSIVE,
	OPT_TOTAL, OPT_RECHECK, OPT_CHECK, OPT_INVALIDATE, OPT_SUMMARY, OPT_DRIFT
};

/* Sorted by long name. */
static const struct option options[] = {
	{ "aws-region", required_argument, NULL, OPT_AWS_REGION },
	{ "aws-service", required_argument, NULL, OPT_AWS_SERVICE },
	{ "cache", required_argument, NULL, 'd' },
	{ "check", required_argument, NULL, OPT_CHECK },
	{ "count", no_argument, NULL, OPT_COUNT },
	{ "drift", no_argument, NULL, OPT_DRIFT },
	{ "exit-codes", no_argument, NULL, CLI_OPT_EXIT_CODES },
	{ "fields", required_argument, NULL, OPT_FIELDS },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "from", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "index", required_argument, NULL, 'i' },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "invalidate", no_argument, NULL, OPT_INVALIDATE },
	{ "log-file", required_argument, NULL, CLI_OPT_LOG_FILE },
	{ "log-level", required_argument, NULL, CLI_OPT_LOG_LEVEL },
	{ "max-chunks", required_argument, NULL, OPT_MAX_CHUNKS },
	{ "no-sort", no_argument, NULL, OPT_NO_SORT },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "query", required_argument, NULL, 'q' },
	{ "recheck", no_argument, NULL, OPT_RECHECK },
	{ "slice-docs", required_argument, NULL, OPT_SLICE_DOCS },
	{ "step", required_argument, NULL, 's' },
	{ "summary", required_argument, NULL, OPT_SUMMARY },
	{ "target-docs", required_argument, NULL, OPT_TARGET_DOCS },
	{ "time-field", required_argument, NULL, OPT_TIME_FIELD },
	{ "to", required_argument, NULL, 't' },
	{ "to-inclusive", no_argument, NULL, OPT_TO_INCLUSIVE },
	{ "total", no_argument, NULL, OPT_TOTAL },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

struct opts {
	const char *index, *from_s, *to_s, *step_s, *time_field, *query_file, *fields;
	const char *format_s, *cache, *aws_region, *aws_service, *check_s, *summary;
	int to_inclusive, no_sort, offline, insecure, count, total, recheck, invalidate, drift;
	long long target_docs, slice_docs;
	size_t max_chunks;
	/* derived */
	int64_t from, to;
	struct tspan_step step;
	int has_step;
	enum recheck_level check;
	enum plan_format format;
	char query_abs[PATH_MAX];
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
		case 'h': case 'V': case CLI_OPT_LOG_FILE: case CLI_OPT_LOG_LEVEL: case CLI_OPT_EXIT_CODES:
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
		case OPT_SLICE_DOCS:
			if (cli_parse_int(optarg, 1, 1000000000000LL, &o->slice_docs))
				return usage_error("invalid --slice-docs '%s': want a positive count", optarg);
			break;
		case OPT_TARGET_DOCS:
			if (cli_parse_int(optarg, 1, 1000000000000LL, &o->target_docs))
				return usage_error("invalid --target-docs '%s': want a positive count", optarg);
			break;
		case OPT_TIME_FIELD: o->time_field = optarg; break;
		case OPT_TO_INCLUSIVE: o->to_inclusive = 1; break;
		case OPT_TOTAL: o->total = 1; break;
		case OPT_RECHECK: o->recheck = 1; break;
		case OPT_DRIFT: o->drift = 1; break;
		case OPT_CHECK: o->check_s = optarg; break;
		case OPT_INVALIDATE: o->invalidate = 1; break;
		case OPT_SUMMARY: o->summary = optarg; break;
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
	else if (strcmp(o->format_s, "tsv") == 0)
		o->format = PLAN_TSV;
	else
		return usage_error("unknown format '%s' (lines, make, json, tsv)", o->format_s);
	if (o->format != PLAN_LINES && !plan_dir_ok(o->cache))
		return usage_error("cache directory '%s' must be letters, digits and ._-+@/ only", o->cache);
	if (o->format == PLAN_MAKE && o->query_file) {
		if (strcmp(o->query_file, "-") == 0)
			return usage_error("--format make needs the query in a file, not stdin");
		if (!realpath(o->query_file, o->query_abs))
			return usage_error("cannot open query file %s: %s", o->query_file, strerror(errno));
	}
	if (o->check_s && strcmp(o->check_s, "count") == 0)
		o->check = RECHECK_COUNT;
	else if (o->check_s && strcmp(o->check_s, "seqno") == 0)
		o->check = RECHECK_SEQNO;
	else if (o->check_s)
		return usage_error("unknown --check '%s' (count, seqno)", o->check_s);
	if ((o->check_s || o->invalidate || o->summary) && !o->recheck)
		return usage_error("--%s goes with --recheck",
				   o->check_s ? "check" : o->invalidate ? "invalidate" : "summary");
	if (o->drift && (o->total || o->offline || o->recheck))
		return usage_error("--drift asks the server for its own lines: not with --%s",
				   o->total ? "total" : o->offline ? "offline" : "recheck");
	if (o->recheck && (o->total || o->offline))
		return usage_error("--recheck asks the server: not with --%s", o->total ? "total" : "offline");
	if (o->recheck && (o->format == PLAN_JSON || o->format == PLAN_TSV))
		return usage_error("--recheck prints its own lines: --format lines (default) or make");
	if (o->offline && o->total)
		return usage_error("--total counts on the server: it cannot be --offline");
	if (o->offline && o->slice_docs)
		return usage_error("--slice-docs counts on the server: it cannot be --offline");
	if (o->offline && (o->target_docs || o->count))
		return usage_error("--%s counts on the server: it cannot be --offline",
				   o->target_docs ? "target-docs" : "count");
	return CLI_CONTINUE;
}

/* --total: the server's count for the range, as KEY=VALUE lines. */
static int print_total(const struct planner_opts *po)
{
	struct planner_result res = { 0 };
	char err[1024];
	int rc = planner_total(po, &res, err, sizeof err);
	if (rc) {
		log_error("%s", err);
		return rc;
	}
	printf("total=%" PRId64 "\nserver=%s\nurl=%s\n", res.range_total, res.server, res.url);
	return 0;
}

/* --summary FILE: the recheck's totals, complete or absent. */
static int write_summary(const char *path, const struct planner_result *res, enum recheck_level level)
{
	char err[1024];
	publish *p = publish_open(path, err, sizeof err);
	FILE *f = NULL;
	int fd = -1, bad;
	if (!p) {
		log_error("%s", err);
		return OSDL_EXIT_IO;
	}
	if ((fd = dup(publish_fd(p))) < 0 || !(f = fdopen(fd, "w"))) {
		log_errno("%s", path);
		if (fd >= 0)
			close(fd);
		publish_abort(p);
		return OSDL_EXIT_IO;
	}
	bad = recheck_write_summary(f, &res->recheck, level);
	if (fclose(f) || bad) {
		log_errno("writing %s", path);
		publish_abort(p);
		return OSDL_EXIT_IO;
	}
	if (publish_commit(p, NULL, err, sizeof err)) {
		log_error("%s", err);
		return OSDL_EXIT_IO;
	}
	return 0;
}

static int print_plan(const struct planner_opts *po, const char *summary)
{
	struct planner_result res = { 0 };
	char err[1024];
	int rc = planner_run(po, &res, err, sizeof err);
	if (rc) {
		log_error("%s", err);
		return rc;
	}
	/* The plan reaches stdout only whole. */
	if (res.outlen && fwrite(res.out, 1, res.outlen, stdout) != res.outlen)
		rc = OSDL_EXIT_IO;
	free(res.out);
	if (!rc && summary)
		rc = write_summary(summary, &res, po->check);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc;

	log_init("osplan");
	memset(&o, 0, sizeof o);
	rc = parse_args(argc, argv, &o);
	if (rc != CLI_CONTINUE)
		return rc;
	sig_install(SIG_AT_ONCE);
	struct planner_opts po = {
		.index = o.index, .from = o.from, .to = o.to, .step = o.has_step ? &o.step : NULL,
		.time_field = o.time_field, .query_file = o.query_file,
		.query_arg = o.query_abs[0] ? o.query_abs : o.query_file, .fields = o.fields,
		.no_sort = o.no_sort, .offline = o.offline, .count = o.count, .insecure = o.insecure,
		.target_docs = o.target_docs, .slice_docs = o.slice_docs, .max_chunks = o.max_chunks, .aws_region = o.aws_region,
		.aws_service = o.aws_service, .format = o.format, .cache = o.cache,
		.recheck = o.recheck, .drift = o.drift, .invalidate = o.invalidate, .check = o.check,
	};
	rc = o.total ? print_total(&po) : print_plan(&po, o.summary);
	if (fclose(stdout) && rc == 0)
		rc = OSDL_EXIT_IO;
	if (rc == OSDL_EXIT_IO)
		log_errno("writing the plan");
	log_msg(LOG_DETAILED, "done, peak_rss_kb=%ld", log_peak_rss_kb());
	log_close_file();
	return rc;
}
