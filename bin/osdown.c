/* osdown.c - NDJSON (plain or LZ4) to typed RFC 4180 CSV plus a schema.
 *
 * Options in, lib/down's two passes, then the output files through
 * lib/publish: complete under their names, or absent.  Nothing is written before the whole input has been checked. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "down.h"
#include "log.h"
#include "lzio.h"
#include "esc.h"
#include "osdl.h"
#include "publish.h"
#include "schema.h"
#include "sig.h"

#define CATEGORY_MAX_DEFAULT 1000

static const char usage_text[] =
	"usage: osdown [-o FILE] [--schema FILE] [--fields LIST] [--delimiter C]\n"
	"              [--array-sep S] [--category-max N] [--date-fields LIST]\n"
	"              [--max-line N] [--log-level L] [--log-file FILE] [FILE...]\n"
	"       osdown -h|--help|-V|--version\n"
	"  -o, --output FILE      write the CSV to FILE (default stdout)\n"
	"      --schema FILE      write the schema sidecar (JSON) to FILE\n"
	"      --fields LIST      only these columns, in this order (comma separated)\n"
	"      --delimiter C      field delimiter: one character, or 'tab' (default ,)\n"
	"      --array-sep S      join arrays of scalars with S instead of JSON text\n"
	"      --category-max N   most distinct values of a category column (default 1000,\n"
	"                         0: no categories)\n"
	"      --date-fields LIST columns whose integers are epoch milliseconds\n"
	"      --max-line N       longest input line in bytes, K/M/G suffixes (default 256M + 64K)\n"
	"      --log-level L      quiet|basic|detailed|extra|full (default basic)\n"
	"      --log-file FILE    also append log lines to FILE\n"
	"  -h, --help             this help\n"
	"  -V, --version          print the version\n";

struct opts {
	const char *output, *schema;
	struct down_opts d;
	char **inputs;
	int ninputs;
};

/* Fills O from argv.  Returns CLI_CONTINUE to go on, else the exit status
 * (OSDL_EXIT_OK after --help or --version). */
static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { O_ARRAY_SEP = 256, O_CATEGORY_MAX, O_DATE_FIELDS, O_DELIMITER, O_FIELDS,
	       O_MAX_LINE, O_SCHEMA };
	static const struct option longopts[] = { /* sorted */
		{ "array-sep", required_argument, NULL, O_ARRAY_SEP },
		{ "category-max", required_argument, NULL, O_CATEGORY_MAX },
		{ "date-fields", required_argument, NULL, O_DATE_FIELDS },
		{ "delimiter", required_argument, NULL, O_DELIMITER },
		{ "fields", required_argument, NULL, O_FIELDS },
		{ "help", no_argument, NULL, 'h' },
		{ "log-file", required_argument, NULL, CLI_OPT_LOG_FILE },
		{ "log-level", required_argument, NULL, CLI_OPT_LOG_LEVEL },
		{ "max-line", required_argument, NULL, O_MAX_LINE },
		{ "output", required_argument, NULL, 'o' },
		{ "schema", required_argument, NULL, O_SCHEMA },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char err[1024];
	int ch, rc;
	o->d.delim = ',';
	o->d.category_max = CATEGORY_MAX_DEFAULT;
	o->d.max_line = OSDL_MAX_LINE;
	opterr = 0; /* one error line, ours */
	while ((ch = getopt_long(argc, argv, ":hVo:", longopts, NULL)) != -1) {
		switch (ch) {
		case O_ARRAY_SEP: o->d.array_sep = optarg; break;
		case O_CATEGORY_MAX:
			if (cli_parse_size(optarg, &o->d.category_max) < 0) {
				log_error("bad --category-max: %s", optarg);
				return OSDL_EXIT_USAGE;
			}
			break;
		case O_DATE_FIELDS: o->d.date_fields = optarg; break;
		case O_DELIMITER:
			if (strcmp(optarg, "tab") == 0 || strcmp(optarg, "\\t") == 0)
				o->d.delim = '\t';
			else if (strlen(optarg) == 1 && !strchr("\"\r\n", optarg[0]))
				o->d.delim = optarg[0];
			else {
				log_error("bad --delimiter: one character (not '\"', CR or LF) or 'tab'");
				return OSDL_EXIT_USAGE;
			}
			break;
		case O_FIELDS: o->d.fields = optarg; break;
		case 'h': case 'V': case CLI_OPT_LOG_FILE: case CLI_OPT_LOG_LEVEL:
			if ((rc = cli_option(ch, optarg, usage_text, err, sizeof err)) == CLI_CONTINUE)
				break;
			if (rc != OSDL_EXIT_OK)
				log_error("%s", err);
			return rc;
		case O_MAX_LINE:
			if (cli_parse_size(optarg, &o->d.max_line) < 0 || o->d.max_line == 0) {
				log_error("bad --max-line: %s", optarg);
				return OSDL_EXIT_USAGE;
			}
			break;
		case 'o': o->output = strcmp(optarg, "-") ? optarg : NULL; break;
		case O_SCHEMA: o->schema = optarg; break;
		default:
			rc = cli_bad_option(ch, argv, optind, err, sizeof err);
			log_error("%s (try 'osdown --help')", err);
			return rc;
		}
	}
	o->inputs = argv + optind;
	o->ninputs = argc - optind;
	int stdins = o->ninputs == 0;
	for (int i = 0; i < o->ninputs; i++)
		stdins += strcmp(o->inputs[i], "-") == 0;
	if (stdins > 1) {
		log_error("stdin ('-') can be read only once");
		return OSDL_EXIT_USAGE;
	}
	if (o->output && o->schema && strcmp(o->output, o->schema) == 0) {
		log_error("--output and --schema name the same file");
		return OSDL_EXIT_USAGE;
	}
	return CLI_CONTINUE;
}

/* The schema for the columns pass 1 found, to FD. */
static int write_schema(down *d, const struct opts *o, int fd)
{
	size_t n = down_ncols(d);
	struct schema_col *sc = calloc(n + 1, sizeof *sc);
	if (!sc)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct down_col c;
		down_col(d, i, &c);
		sc[i] = (struct schema_col){ c.name, c.name_len, c.kind, c.nullable, c.has_empty };
	}
	struct schema_info si = { sc, n, o->d.delim, down_rows(d), o->output };
	char *text = NULL;
	size_t len = 0;
	int rc = schema_render(&si, &text, &len);
	if (rc == 0)
		rc = lzio_write_all(fd, text, len) < 0 || lzio_write_all(fd, "\n", 1) < 0 ? -1 : 0;
	free(text);
	free(sc);
	return rc;
}

int main(int argc, char **argv)
{
	char *stdin_only[] = { "-" };
	char perr[PATH_MAX + 128];
	struct opts o = { 0 };
	down *d = NULL;
	publish *out = NULL, *schema = NULL;
	int rc = OSDL_EXIT_OK, out_fd = 1;
	double t0 = log_now_s();

	log_init("osdown");
	if ((rc = parse_args(argc, argv, &o)) != CLI_CONTINUE)
		return rc;
	rc = OSDL_EXIT_OK;
	o.d.out_name = o.output ? o.output : "stdout";

	sig_install(SIG_AT_ONCE);

	if (!(d = down_new(&o.d, o.ninputs ? o.inputs : stdin_only, o.ninputs ? o.ninputs : 1))) {
		log_error("out of memory");
		rc = OSDL_EXIT_FAIL;
		goto out;
	}
	if ((rc = down_infer(d))) {
		log_error("%s", down_error(d));
		goto out;
	}
	for (size_t i = 0; i < down_ncols(d); i++) {
		struct down_col c;
		char shown[ESC_DISPLAY_MAX];
		down_col(d, i, &c);
		log_msg(LOG_DETAILED, "column '%s': %s%s, %llu values, %zu distinct",
			esc_display(c.name, (size_t)-1, shown, sizeof shown),
		        coltype_name(c.kind), c.nullable ? " nullable" : "",
		        (unsigned long long)c.values, c.distinct);
	}

	/* Pass 2.  Nothing has been written yet. */
	if (o.output) {
		if (!(out = publish_open(o.output, perr, sizeof perr))) {
			log_error("%s", perr);
			rc = OSDL_EXIT_IO;
			goto out;
		}
		out_fd = publish_fd(out);
	}
	if (o.schema) {
		if (!(schema = publish_open(o.schema, perr, sizeof perr))) {
			log_error("%s", perr);
			rc = OSDL_EXIT_IO;
			goto out;
		}
		if (write_schema(d, &o, publish_fd(schema)) < 0) {
			log_errno("%s", o.schema);
			rc = OSDL_EXIT_IO;
			goto out;
		}
	}
	if ((rc = down_write(d, out_fd))) {
		log_error("%s", down_error(d));
		goto out;
	}
	if (down_replaced(d))
		log_msg(LOG_BASIC, "%llu invalid UTF-8 bytes written as U+FFFD",
		        (unsigned long long)down_replaced(d));
	/* The schema first, so a CSV under its final name always has one. */
	if (schema) {
		publish *p = schema;
		schema = NULL;
		if (publish_commit(p, NULL, perr, sizeof perr) != 0) {
			log_error("%s", perr);
			rc = OSDL_EXIT_IO;
			goto out;
		}
	}
	if (out) {
		publish *p = out;
		out = NULL;
		if (publish_commit(p, NULL, perr, sizeof perr) != 0) {
			log_error("%s", perr);
			rc = OSDL_EXIT_IO;
			goto out;
		}
	} else if (close(1) < 0) {
		log_errno("stdout");
		rc = OSDL_EXIT_IO;
		goto out;
	}
	double secs = log_now_s() - t0;
	log_msg(LOG_BASIC, "%llu rows, %zu columns, %.1f MB NDJSON in, %.1f MB CSV out, "
	        "%.2f s, %.1f MB/s", (unsigned long long)down_rows(d), down_ncols(d),
	        down_in_bytes(d) / 1e6, down_out_bytes(d) / 1e6, secs,
	        secs > 0 ? down_in_bytes(d) / 1e6 / secs : 0.0);
out:
	/* Nothing half-written stays behind under any name. */
	publish_abort(schema);
	publish_abort(out);
	down_free(d);
	log_msg(LOG_DETAILED, "peak_rss_kb=%ld", log_peak_rss_kb());
	log_close_file();
	return rc;
}
