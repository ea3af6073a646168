/* osfetch.c - download chunk specs into verified LZ4 NDJSON cache files. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chunksort.h"
#include "cli.h"
#include "engine.h"
#include "fetch.h"
#include "http.h"
#include "log.h"
#include "meta.h"
#include "osdl.h"
#include "publish.h"
#include "query.h"
#include "sig.h"
#include "spec.h"
#include "xsort.h"

static const char usage_text[] =
	"usage: osfetch [OPTIONS] [INDEX FROM TO [SLICE]]\n"
	"       (without a spec in the arguments, spec lines are read from stdin)\n"
	"  -d, --cache DIR        cache directory (default .)\n"
	"      --aws-region R     sign requests with AWS SigV4 for region R\n"
	"      --aws-service S    SigV4 service name (default es)\n"
	"      --fields LIST      _source fields, comma-separated (default all)\n"
	"      --force            fetch again even if the chunk file exists\n"
	"  -h, --help             this text\n"
	"      --insecure         do not verify TLS certificates\n"
	"      --keep-alive D     scroll keep-alive between pages (default 2m)\n"
	"      --log-file FILE    also append log lines to FILE\n"
	"      --log-level L      quiet|basic|detailed|extra|full (default basic)\n"
	"      --memory SIZE      local sort budget, K/M/G suffixes (default 16M)\n"
	"      --method M         auto|scroll|pit snapshot method (default auto)\n"
	"      --no-sort          documents in index order, not time order\n"
	"      --page-size N      hits per page, 1..10000 (default 5000)\n"
	"  -q, --query FILE       query DSL JSON ANDed with the time range\n"
	"      --retries N        transient failures and restarts per chunk (default 8)\n"
	"      --time-field F     time field (default @timestamp)\n"
	"      --timeout S        seconds per request (default 300)\n"
	"      --tmpdir DIR       where the local sort spills (default $TMPDIR or /tmp)\n"
	"      --summary LIST     sum the sidecars of the chunk paths in LIST ('-' = stdin)\n"
	"                         as KEY=VALUE lines, fetching nothing\n"
	"      --per-chunk        with --summary: one tab-separated line per chunk\n"
	"      --newer FILE       with --summary: also count sidecars newer than FILE\n"
	"  -V, --version          print the version\n";

enum {
	OPT_AWS_REGION = 256, OPT_AWS_SERVICE, OPT_FIELDS, OPT_FORCE, OPT_INSECURE,
	OPT_KEEP_ALIVE, OPT_MEMORY, OPT_METHOD, OPT_NEWER, OPT_NO_SORT, OPT_PAGE_SIZE, OPT_PER_CHUNK,
	OPT_RETRIES, OPT_SUMMARY, OPT_TIME_FIELD, OPT_TIMEOUT, OPT_TMPDIR
};

/* Sorted by long name. */
static const struct option longopts[] = {
	{ "aws-region", required_argument, NULL, OPT_AWS_REGION },
	{ "aws-service", required_argument, NULL, OPT_AWS_SERVICE },
	{ "cache", required_argument, NULL, 'd' },
	{ "fields", required_argument, NULL, OPT_FIELDS },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "help", no_argument, NULL, 'h' },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "keep-alive", required_argument, NULL, OPT_KEEP_ALIVE },
	{ "log-file", required_argument, NULL, CLI_OPT_LOG_FILE },
	{ "log-level", required_argument, NULL, CLI_OPT_LOG_LEVEL },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "method", required_argument, NULL, OPT_METHOD },
	{ "newer", required_argument, NULL, OPT_NEWER },
	{ "no-sort", no_argument, NULL, OPT_NO_SORT },
	{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
	{ "per-chunk", no_argument, NULL, OPT_PER_CHUNK },
	{ "query", required_argument, NULL, 'q' },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "summary", required_argument, NULL, OPT_SUMMARY },
	{ "time-field", required_argument, NULL, OPT_TIME_FIELD },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "tmpdir", required_argument, NULL, OPT_TMPDIR },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

struct options {
	struct http_opts http;
	struct fetch_opts fetch;
	const char *query_file, *fields, *time_field, *tmpdir;
	int no_sort;
	const char *summary;           /* --summary LIST: report, fetch nothing */
	struct meta_summary_opts sum;
};

/* The local sort's spill directory, made by the first chunk that needs it
 * and kept for the others. */
static tmpdir *spill_tmp;

/* Whole-process totals for the final log line. */
struct totals {
	unsigned long long docs, bytes, pages, retries, chunks, cached;
	double seconds;
};

static int usage_error(const char *fmt, const char *arg)
{
	char msg[512];
	snprintf(msg, sizeof msg, fmt, arg);
	log_error("%s (see osfetch --help)", msg);
	return OSDL_EXIT_USAGE;
}

/* A scroll keep-alive: digits and one unit (ms s m h d). */
static int valid_keep_alive(const char *s)
{
	size_t d = strspn(s, "0123456789");
	return d > 0 && (strcmp(s + d, "s") == 0 || strcmp(s + d, "m") == 0 ||
			 strcmp(s + d, "h") == 0 || strcmp(s + d, "d") == 0 ||
			 strcmp(s + d, "ms") == 0);
}

/* Fills O from argv.  Returns CLI_CONTINUE to go on, else the exit status
 * (OSDL_EXIT_OK after --help or --version). */
static int parse_options(int argc, char **argv, struct options *o)
{
	char err[1024];
	int c, rc;
	long long v;
	opterr = 0; /* one error line, ours */
	while ((c = getopt_long(argc, argv, "+:d:hq:V", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if ((rc = cli_dir_arg("--cache", optarg, err, sizeof err)) != 0)
				return usage_error("%s", err);
			o->fetch.cache_dir = optarg;
			break;
		case 'q': o->query_file = optarg; break;
		case 'h': case 'V': case CLI_OPT_LOG_FILE: case CLI_OPT_LOG_LEVEL:
			if ((rc = cli_option(c, optarg, usage_text, err, sizeof err)) == CLI_CONTINUE)
				break;
			if (rc != OSDL_EXIT_OK)
				log_error("%s", err);
			return rc;
		case OPT_AWS_REGION: o->http.aws_region = optarg; break;
		case OPT_AWS_SERVICE: o->http.aws_service = optarg; break;
		case OPT_FIELDS: o->fields = optarg; break;
		case OPT_FORCE: o->fetch.force = 1; break;
		case OPT_INSECURE: o->http.insecure = 1; break;
		case OPT_KEEP_ALIVE:
			if (!valid_keep_alive(optarg))
				return usage_error("bad --keep-alive '%s' (want e.g. 2m)", optarg);
			o->fetch.keep_alive = optarg;
			break;
		case OPT_METHOD:
			if ((o->fetch.method = engine_parse_want(optarg)) < 0)
				return usage_error("bad --method '%s' (auto, scroll or pit)", optarg);
			break;
		case OPT_MEMORY:
			if (cli_parse_size(optarg, &o->fetch.memory) != 0 ||
			    o->fetch.memory < CHUNKSORT_MEMORY_MIN)
				return usage_error("bad --memory '%s' (at least 64K)", optarg);
			break;
		case OPT_NO_SORT: o->no_sort = 1; break;
		case OPT_NEWER: {
			struct stat st;
			if (stat(optarg, &st) != 0)
				return usage_error("--newer: cannot stat '%s'", optarg);
			o->sum.newer_than = (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9;
			break;
		}
		case OPT_PER_CHUNK: o->sum.per_chunk = 1; break;
		case OPT_SUMMARY: o->summary = optarg; break;
		case OPT_PAGE_SIZE:
			if (cli_parse_int(optarg, 1, 10000, &v) != 0)
				return usage_error("bad --page-size '%s' (1..10000)", optarg);
			o->fetch.page_size = (int)v;
			break;
		case OPT_RETRIES:
			if (cli_parse_int(optarg, 0, 1000, &v) != 0)
				return usage_error("bad --retries '%s' (0..1000)", optarg);
			/* 0 means "no retry"; the libraries read 0 as "default". */
			o->fetch.max_failures = v ? (int)v : -1;
			o->http.max_retries = v ? (int)v : -1;
			break;
		case OPT_TIME_FIELD: o->time_field = optarg; break;
		case OPT_TMPDIR: o->tmpdir = optarg; break;
		case OPT_TIMEOUT:
			if (cli_parse_int(optarg, 1, 86400, &v) != 0)
				return usage_error("bad --timeout '%s' (seconds)", optarg);
			o->http.timeout_s = (long)v;
			break;
		default:
			rc = cli_bad_option(c, argv, optind, err, sizeof err);
			log_error("%s (try 'osfetch --help')", err);
			return rc;
		}
	}
	if ((o->sum.per_chunk || o->sum.newer_than > 0) && !o->summary)
		return usage_error("%s", "--per-chunk and --newer go with --summary");
	return CLI_CONTINUE;
}

/* --summary: the sidecars of the listed chunks, for scripts. */
static int summary(const struct options *o)
{
	char err[1024];
	FILE *in = strcmp(o->summary, "-") == 0 ? stdin : fopen(o->summary, "r");
	if (!in) {
		log_errno("%s", o->summary);
		return OSDL_EXIT_IO;
	}
	int rc = meta_summary(in, stdout, &o->sum, err, sizeof err);
	if (in != stdin)
		fclose(in);
	if (rc)
		log_error("%s", err);
	return rc;
}

/* Fetches one spec, prints its path, logs the outcome.  Returns an exit code. */
static int one_chunk(http *h, struct engine *eng, int *eng_known, const query *q,
		     const struct options *o, const struct spec *sp, struct totals *t)
{
	char path[PATH_MAX], err[1024] = "", specs[SPEC_INDEX_MAX + 128];
	struct fetch_stats st;
	spec_format(sp, specs, sizeof specs);
	log_set_context(specs);
	int rc = fetch_chunk(h, eng, eng_known, q, sp, &o->fetch, path, sizeof path, &st, err, sizeof err);
	if (rc == 0) {
		if (printf("%s\n", path) < 0 || fflush(stdout) != 0) {
			log_errno("stdout");
			rc = OSDL_EXIT_IO;
		}
		if (st.cached) {
			t->cached++;
			log_msg(LOG_DETAILED, "cached %s", path);
		} else {
			t->chunks++;
			t->docs += st.docs;
			t->bytes += st.bytes;
			t->pages += st.pages;
			t->retries += st.retries + st.restarts;
			log_msg(LOG_DETAILED, "%llu docs, %llu bytes (%llu compressed), %llu pages, "
				"%llu retries, %llu restarts, %.3fs -> %s",
				(unsigned long long)st.docs, (unsigned long long)st.bytes,
				(unsigned long long)st.compressed_bytes, (unsigned long long)st.pages,
				(unsigned long long)st.retries, (unsigned long long)st.restarts,
				st.seconds, path);
		}
	} else {
		log_error("%s", err);
	}
	t->seconds += st.seconds;
	log_set_context(NULL);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	struct totals t = { 0 };
	struct engine eng;
	int eng_known = 0, rc = 0;
	query *q = NULL;
	http *h = NULL;
	char err[1024];
	char *line = NULL;
	size_t cap = 0;

	log_init("osfetch");
	memset(&o, 0, sizeof o);
	rc = parse_options(argc, argv, &o);
	if (rc == OSDL_EXIT_OK) /* --help, --version: written, no run to report */
		return rc;
	if (rc != CLI_CONTINUE)
		goto out;
	rc = 0;
	argc -= optind;
	argv += optind;
	if (o.summary) {
		rc = argc ? usage_error("%s", "--summary takes no chunk spec") : summary(&o);
		goto out;
	}
	if (argc != 0 && argc != 3 && argc != 4) {
		rc = usage_error("%s", "want INDEX FROM TO [SLICE], or spec lines on stdin");
		goto out;
	}
	q = query_new(o.time_field);
	if (!q) {
		log_error("out of memory");
		rc = OSDL_EXIT_FAIL;
		goto out;
	}
	if ((o.query_file && query_load_file(q, o.query_file, err, sizeof err) != 0) ||
	    (o.fields && query_set_fields(q, o.fields, err, sizeof err) != 0)) {
		log_error("%s", err);
		rc = OSDL_EXIT_USAGE;
		goto out;
	}
	query_set_sorted(q, !o.no_sort);
	/* Made by the first chunk that spills, so that a chunk that fits in
	 * --memory leaves nothing behind, even after SIGKILL.  It is on
	 * publish.h's cleanup list from birth, like every temporary file. */
	o.fetch.tmp = &spill_tmp;
	o.fetch.tmpdir = o.tmpdir;
	sig_install(SIG_GRACEFUL);
	h = http_new(&o.http, err, sizeof err);
	if (!h) {
		log_error("%s", err);
		rc = OSDL_EXIT_USAGE;
		goto out;
	}
	if (argc) {
		struct spec sp;
		if (spec_parse_args(argc, argv, &sp, err, sizeof err) != 0) {
			log_error("%s", err);
			rc = OSDL_EXIT_USAGE;
			goto out;
		}
		rc = one_chunk(h, &eng, &eng_known, q, &o, &sp, &t);
	} else {
		unsigned long lineno = 0;
		ssize_t n;
		/* One chunk after another; a failed chunk does not stop the rest
		 * (the first failure's code is the exit status), a signal does. */
		while (!sig_caught() && (n = getline(&line, &cap, stdin)) >= 0) {
			struct spec sp;
			lineno++;
			if (n > 0 && line[n - 1] == '\n')
				line[n - 1] = '\0';
			int k = spec_parse_line(line, &sp, err, sizeof err);
			if (k == 0)
				continue;
			int crc = k < 0 ? OSDL_EXIT_USAGE : one_chunk(h, &eng, &eng_known, q, &o, &sp, &t);
			if (k < 0)
				log_error("stdin:%lu: %s", lineno, err);
			if (crc != 0 && rc == 0)
				rc = crc;
			if (crc == OSDL_EXIT_SIGNAL)
				break;
		}
		if (ferror(stdin) && !sig_caught()) {
			log_errno("stdin");
			if (rc == 0)
				rc = OSDL_EXIT_IO;
		}
	}
	if (sig_caught())
		rc = OSDL_EXIT_SIGNAL;
out:
	{
		unsigned long reqs = 0;
		if (h)
			http_stats(h, &reqs, NULL, NULL);
		log_msg(LOG_DETAILED, "done: %llu chunks fetched, %llu cached, docs=%llu bytes=%llu "
			"pages=%llu retries=%llu requests=%lu seconds=%.3f docs_per_s=%.0f peak_rss_kb=%ld",
			t.chunks, t.cached, t.docs, t.bytes, t.pages, t.retries, reqs, t.seconds,
			t.seconds > 0 ? (double)t.docs / t.seconds : 0.0, log_peak_rss_kb());
	}
	free(line);
	tmpdir_free(spill_tmp);
	http_free(h);
	query_free(q);
	if (fclose(stdout) != 0 && rc == 0) {
		log_errno("stdout");
		rc = OSDL_EXIT_IO;
	}
	log_close_file();
	return rc;
}
