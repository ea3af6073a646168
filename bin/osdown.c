/* osdown.c - NDJSON (plain or LZ4) to typed RFC 4180 CSV or Parquet, plus
 * a schema.
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
#include "colstats.h" /* COLSTATS_CATEGORY_MAX */
#include "down.h"
#include "pqsink.h"
#include "log.h"
#include "lzio.h"
#include "esc.h"
#include "osdl.h"
#include "publish.h"
#include "schema.h"
#include "sig.h"

#define RG_ROWS_DEFAULT 131072 /* about DuckDB's: readers split work by row group */

static const char usage_text[] =
	"usage: osdown [-o FILE] [--format csv|parquet] [--schema FILE] [--fields LIST]\n"
	"              [--delimiter C] [--array-sep S] [--category-max N]\n"
	"              [--date-fields LIST] [--compression zstd|lz4|none]\n"
	"              [--row-group-size N] [--max-line N] [--no-header]\n"
	"              [--schema-in FILE | --schema-from-meta]\n"
	"              [--schema-only] [--log-level L] [--log-file FILE]\n"
	"              [--files-from LIST | FILE...]\n"
	"       osdown -h|--help|-V|--version\n"
	"  -o, --output FILE      write the output to FILE (default stdout)\n"
	"      --format F         csv or parquet (default: parquet if FILE ends in\n"
	"                         .parquet, else csv)\n"
	"      --schema FILE      write the schema sidecar (JSON) to FILE\n"
	"      --schema-in FILE   one pass: columns and types from this schema; a value\n"
	"                         it cannot hold is an error (exit 7)\n"
	"      --schema-from-meta one pass: the schema reduced from each input's .meta\n"
	"                         column statistics (osfetch chunk files)\n"
	"      --schema-only      write only --schema, no CSV\n"
	"      --no-header        rows only, no header line\n"
	"      --concat           with --schema-in: the header, then each input as is\n"
	"                         (CSV rows converted with --no-header, in order)\n"
	"      --files-from LIST  inputs from LIST, one path per line ('-': stdin)\n"
	"      --fields LIST      only these columns, in this order (comma separated)\n"
	"      --delimiter C      field delimiter: one character, or 'tab' (default ,)\n"
	"      --array-sep S      join arrays of scalars with S instead of JSON text\n"
	"      --category-max N   most distinct values of a category column (default 1000,\n"
	"                         0: no categories)\n"
	"      --date-fields LIST columns whose integers are epoch milliseconds\n"
	"      --compression C    Parquet pages: zstd (default), lz4 (LZ4_RAW) or none\n"
	"      --row-group-size N Parquet row groups of at most N rows, or with a K/M/G\n"
	"                         suffix N bytes in memory (default 131072 and 32M)\n"
	"      --max-line N       longest input line in bytes, K/M/G suffixes (default 256M + 64K)\n"
	"      --log-level L      quiet|basic|detailed|extra|full (default basic)\n"
	"      --log-file FILE    also append log lines to FILE\n"
	"  -h, --help             this help\n"
	"  -V, --version          print the version\n";

enum { FORMAT_AUTO, FORMAT_CSV, FORMAT_PARQUET };

struct opts {
	const char *output, *schema, *schema_in, *files_from;
	int format;
	int delim_set, codec_set, rg_set;
	struct pqsink_opts pq;
	int from_meta, schema_only, concat;
	struct down_opts d;
	char **inputs;
	int ninputs;
	char **listed;   /* --files-from paths (malloc'd), or NULL */
	size_t nlisted;
};

/* The columns without pass 1: from --schema-in or the inputs' .meta
 * statistics.  Returns an exit code (logged). */
static int given_columns(down *d, const struct opts *o)
{
	char err[1024];
	int rc;
	if (o->schema_in) {
		struct schema_col *cols = NULL;
		size_t n = 0;
		errno = 0;
		if (schema_load(o->schema_in, &cols, &n, err, sizeof err) != 0) {
			log_error("%s", err);
			return errno == ENOENT || errno == EACCES ? OSDL_EXIT_IO : OSDL_EXIT_DATA;
		}
		rc = down_use_schema(d, cols, n, err, sizeof err);
		schema_cols_free(cols, n);
	} else {
		rc = down_use_meta(d, err, sizeof err);
	}
	if (rc)
		log_error("%s", err);
	return rc;
}

/* Fills O from argv.  Returns CLI_CONTINUE to go on, else the exit status
 * (OSDL_EXIT_OK after --help or --version). */
static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { O_ARRAY_SEP = 256, O_CATEGORY_MAX, O_COMPRESSION, O_CONCAT, O_DATE_FIELDS, O_DELIMITER,
	       O_FIELDS, O_FILES_FROM, O_FORMAT, O_MAX_LINE, O_NO_HEADER, O_ROW_GROUP_SIZE, O_SCHEMA,
	       O_SCHEMA_FROM_META, O_SCHEMA_IN, O_SCHEMA_ONLY };
	static const struct option longopts[] = { /* sorted */
		{ "array-sep", required_argument, NULL, O_ARRAY_SEP },
		{ "category-max", required_argument, NULL, O_CATEGORY_MAX },
		{ "compression", required_argument, NULL, O_COMPRESSION },
		{ "concat", no_argument, NULL, O_CONCAT },
		{ "date-fields", required_argument, NULL, O_DATE_FIELDS },
		{ "delimiter", required_argument, NULL, O_DELIMITER },
		{ "fields", required_argument, NULL, O_FIELDS },
		{ "files-from", required_argument, NULL, O_FILES_FROM },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ "log-file", required_argument, NULL, CLI_OPT_LOG_FILE },
		{ "log-level", required_argument, NULL, CLI_OPT_LOG_LEVEL },
		{ "max-line", required_argument, NULL, O_MAX_LINE },
		{ "no-header", no_argument, NULL, O_NO_HEADER },
		{ "output", required_argument, NULL, 'o' },
		{ "row-group-size", required_argument, NULL, O_ROW_GROUP_SIZE },
		{ "schema", required_argument, NULL, O_SCHEMA },
		{ "schema-from-meta", no_argument, NULL, O_SCHEMA_FROM_META },
		{ "schema-in", required_argument, NULL, O_SCHEMA_IN },
		{ "schema-only", no_argument, NULL, O_SCHEMA_ONLY },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char err[1024];
	int ch, rc;
	o->d.delim = ',';
	o->d.category_max = COLSTATS_CATEGORY_MAX;
	o->d.max_line = OSDL_MAX_LINE;
	o->pq.codec = PARQUET_ZSTD;
	o->pq.rg_rows = RG_ROWS_DEFAULT;
	o->pq.rg_bytes = PARQUET_RG_BYTES_DEFAULT;
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
		case O_COMPRESSION:
			o->codec_set = 1;
			if (strcmp(optarg, "zstd") == 0)
				o->pq.codec = PARQUET_ZSTD;
			else if (strcmp(optarg, "lz4") == 0 || strcmp(optarg, "lz4_raw") == 0)
				o->pq.codec = PARQUET_LZ4_RAW;
			else if (strcmp(optarg, "none") == 0)
				o->pq.codec = PARQUET_UNCOMPRESSED;
			else {
				log_error("bad --compression: zstd, lz4 or none");
				return OSDL_EXIT_USAGE;
			}
			break;
		case O_CONCAT: o->concat = 1; break;
		case O_DATE_FIELDS: o->d.date_fields = optarg; break;
		case O_DELIMITER:
			o->delim_set = 1;
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
		case O_FORMAT:
			if (strcmp(optarg, "csv") == 0)
				o->format = FORMAT_CSV;
			else if (strcmp(optarg, "parquet") == 0)
				o->format = FORMAT_PARQUET;
			else {
				log_error("bad --format: csv or parquet");
				return OSDL_EXIT_USAGE;
			}
			break;
		case O_FILES_FROM: o->files_from = optarg; break;
		case O_NO_HEADER: o->d.no_header = 1; break;
		case O_SCHEMA_FROM_META: o->from_meta = 1; break;
		case O_SCHEMA_IN: o->schema_in = optarg; break;
		case O_SCHEMA_ONLY: o->schema_only = 1; break;
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
		case O_ROW_GROUP_SIZE: {
			/* Rows, or bytes when a suffix says so; each sets its own
			 * limit, so the option can give both. */
			size_t n = 0, len = strlen(optarg);
			int rows = len > 0 && optarg[len - 1] >= '0' && optarg[len - 1] <= '9';
			o->rg_set = 1;
			if (cli_parse_size(optarg, &n) < 0 || n == 0 || (!rows && n < 4096)) {
				log_error("bad --row-group-size: rows, or bytes with a K, M or G suffix "
				          "(at least 4K)");
				return OSDL_EXIT_USAGE;
			}
			if (rows)
				o->pq.rg_rows = n;
			else
				o->pq.rg_bytes = n;
			break;
		}
		case O_SCHEMA: o->schema = optarg; break;
		default:
			rc = cli_bad_option(ch, argv, optind, err, sizeof err);
			log_error("%s (try 'osdown --help')", err);
			return rc;
		}
	}
	o->inputs = argv + optind;
	o->ninputs = argc - optind;
	if (o->files_from && o->ninputs) {
		log_error("--files-from and FILE arguments exclude each other");
		return OSDL_EXIT_USAGE;
	}
	if (o->schema_in && o->from_meta) {
		log_error("--schema-in and --schema-from-meta exclude each other");
		return OSDL_EXIT_USAGE;
	}
	if (o->concat && (!o->schema_in || o->schema_only || o->d.no_header)) {
		log_error("--concat needs --schema-in, and no --schema-only or --no-header");
		return OSDL_EXIT_USAGE;
	}
	if (o->schema_only && !o->schema) {
		log_error("--schema-only needs --schema FILE");
		return OSDL_EXIT_USAGE;
	}
	if (o->files_from) {
		if ((rc = cli_read_list(o->files_from, &o->listed, &o->nlisted, err, sizeof err)) != 0) {
			log_error("%s", err);
			return rc;
		}
		o->inputs = o->listed;
		o->ninputs = (int)o->nlisted;
	}
	int stdins = o->ninputs == 0 && !o->files_from;
	for (int i = 0; i < o->ninputs; i++)
		stdins += strcmp(o->inputs[i], "-") == 0;
	if (o->from_meta && stdins) {
		log_error("--schema-from-meta needs chunk files with their .meta, not stdin");
		return OSDL_EXIT_USAGE;
	}
	if (stdins > 1) {
		log_error("stdin ('-') can be read only once");
		return OSDL_EXIT_USAGE;
	}
	if (o->output && o->schema && strcmp(o->output, o->schema) == 0) {
		log_error("--output and --schema name the same file");
		return OSDL_EXIT_USAGE;
	}
	if (o->format == FORMAT_AUTO) {
		size_t n = o->output ? strlen(o->output) : 0;
		o->format = n >= 8 && strcmp(o->output + n - 8, ".parquet") == 0 ? FORMAT_PARQUET
		                                                                  : FORMAT_CSV;
	}
	if (o->format == FORMAT_PARQUET && (o->delim_set || o->d.no_header || o->concat)) {
		log_error("%s is for CSV output",
		          o->delim_set ? "--delimiter" : o->d.no_header ? "--no-header" : "--concat");
		return OSDL_EXIT_USAGE;
	}
	if (o->format == FORMAT_CSV && (o->codec_set || o->rg_set)) {
		log_error("%s is for Parquet output (--format parquet)",
		          o->codec_set ? "--compression" : "--row-group-size");
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
	struct schema_info si = { sc, n, o->d.delim, down_rows(d), o->output,
	                          o->format == FORMAT_PARQUET };
	char *text = NULL;
	size_t len = 0;
	int rc = schema_render(&si, &text, &len);
	if (rc == 0)
		rc = lzio_write_all(fd, text, len) < 0 || lzio_write_all(fd, "\n", 1) < 0 ? -1 : 0;
	free(text);
	free(sc);
	return rc;
}

/* Pass 2 as Parquet to FD (complete when this returns 0).  Returns an
 * exit code, the error logged. */
static int write_parquet(down *d, const struct opts *o, int fd, uint64_t *bytes,
                         uint64_t *replaced)
{
	char err[1024];
	int rc = OSDL_EXIT_OK;
	pqsink *k = pqsink_new(fd, d, &o->pq);
	if (!k) {
		log_errno("%s", o->d.out_name);
		return OSDL_EXIT_FAIL;
	}
	if ((rc = down_write_sink(d, pqsink_sink(k), err, sizeof err))) {
		log_error("%s", err);
		goto out;
	}
	if (pqsink_finish(k) < 0) {
		log_errno("%s", o->d.out_name);
		rc = errno == ENOMEM ? OSDL_EXIT_FAIL : OSDL_EXIT_IO;
		goto out;
	}
	*bytes = pqsink_bytes(k);
	*replaced = pqsink_replaced(k);
	log_msg(LOG_DETAILED, "%llu row groups", (unsigned long long)pqsink_row_groups(k));
out:
	pqsink_free(k);
	return rc;
}

/* --concat: each input's bytes after the header, in order (parts that
 * osdown --no-header wrote with the same schema).  Returns an exit code. */
static int append_parts(const struct opts *o, int fd, uint64_t *bytes)
{
	char buf[1 << 16];
	for (int i = 0; i < o->ninputs; i++) {
		int in = strcmp(o->inputs[i], "-") == 0 ? 0 : open(o->inputs[i], O_RDONLY | O_CLOEXEC);
		if (in < 0) {
			log_errno("%s", o->inputs[i]);
			return OSDL_EXIT_IO;
		}
		ssize_t n;
		while ((n = read(in, buf, sizeof buf)) > 0) {
			if (lzio_write_all(fd, buf, (size_t)n) != 0) {
				log_errno("%s", o->d.out_name);
				close(in);
				return OSDL_EXIT_IO;
			}
			*bytes += (uint64_t)n;
		}
		if (n < 0)
			log_errno("%s", o->inputs[i]);
		if (in)
			close(in);
		if (n < 0)
			return OSDL_EXIT_IO;
	}
	return OSDL_EXIT_OK;
}

/* Opens PATH as an output through lib/publish into *P.  Returns 0 or
 * OSDL_EXIT_IO (logged). */
static int open_output(const char *path, publish **p)
{
	char perr[PATH_MAX + 128];
	if (!(*p = publish_open(path, perr, sizeof perr))) {
		log_error("%s", perr);
		return OSDL_EXIT_IO;
	}
	return 0;
}

/* Publishes *P (NULL is fine): complete under its name, or absent. */
static int commit_output(publish **p)
{
	char perr[PATH_MAX + 128];
	publish *q = *p;
	*p = NULL;
	if (q && publish_commit(q, NULL, perr, sizeof perr) != 0) {
		log_error("%s", perr);
		return OSDL_EXIT_IO;
	}
	return 0;
}

/* Writes the schema sidecar into a new output *P.  Returns an exit code. */
static int put_schema(down *d, const struct opts *o, publish **p)
{
	int rc = open_output(o->schema, p);
	if (!rc && write_schema(d, o, publish_fd(*p)) < 0) {
		log_errno("%s", o->schema);
		rc = OSDL_EXIT_IO;
	}
	return rc;
}

int main(int argc, char **argv)
{
	char *stdin_only[] = { "-" }, err[1024];
	struct opts o = { 0 };
	down *d = NULL;
	publish *out = NULL, *schema = NULL;
	int rc = OSDL_EXIT_OK;
	uint64_t out_bytes = 0, replaced = 0;
	double t0 = log_now_s();

	log_init("osdown");
	if ((rc = parse_args(argc, argv, &o)) != CLI_CONTINUE)
		return rc;
	rc = OSDL_EXIT_OK;
	o.d.out_name = o.output ? o.output : "stdout";

	sig_install(SIG_AT_ONCE);

	/* --concat: down writes the header alone; the parts are copied. */
	if (!(d = o.concat ? down_new(&o.d, NULL, 0)
	                   : down_new(&o.d, o.ninputs ? o.inputs : stdin_only, o.ninputs ? o.ninputs : 1))) {
		log_error("out of memory");
		rc = OSDL_EXIT_FAIL;
		goto out;
	}
	int one_pass = o.schema_in || o.from_meta;
	if ((rc = one_pass ? given_columns(d, &o) : down_infer(d, err, sizeof err)) != 0) {
		if (!one_pass) /* given_columns logs its own */
			log_error("%s", err);
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

	/* Pass 2.  Nothing has been written yet.  Two passes: the schema is
	 * known now.  One pass: a given schema's rows are only known once the
	 * CSV is written. */
	if (!o.schema_only && o.output && (rc = open_output(o.output, &out)))
		goto out;
	if (o.schema && (!one_pass || o.schema_only || !o.schema_in) && (rc = put_schema(d, &o, &schema)))
		goto out;
	if (!o.schema_only) {
		int fd = out ? publish_fd(out) : 1;
		if (o.format == FORMAT_PARQUET)
			rc = write_parquet(d, &o, fd, &out_bytes, &replaced);
		else if ((rc = down_write(d, fd, err, sizeof err)))
			log_error("%s", err);
		else {
			out_bytes = down_out_bytes(d);
			replaced = down_replaced(d);
		}
		if (!rc && o.concat)
			rc = append_parts(&o, fd, &out_bytes);
		if (rc)
			goto out;
	}
	if (o.schema && !schema && !o.schema_only && (rc = put_schema(d, &o, &schema)))
		goto out;
	if (replaced)
		log_msg(LOG_BASIC, "%llu invalid UTF-8 bytes written as U+FFFD",
		        (unsigned long long)replaced);
	/* The schema first, so a CSV under its final name always has one. */
	if ((rc = commit_output(&schema)))
		goto out;
	if (o.schema_only) {
		log_msg(LOG_BASIC, "schema of %llu rows, %zu columns", (unsigned long long)down_rows(d),
		        down_ncols(d));
		goto out;
	}
	if (out) {
		if ((rc = commit_output(&out)))
			goto out;
	} else if (close(1) < 0) {
		log_errno("stdout");
		rc = OSDL_EXIT_IO;
		goto out;
	}
	double secs = log_now_s() - t0;
	log_msg(LOG_BASIC, "%llu rows, %zu columns, %.1f MB NDJSON in, %.1f MB %s out, "
	        "%.2f s, %.1f MB/s", (unsigned long long)down_rows(d), down_ncols(d),
	        down_in_bytes(d) / 1e6, out_bytes / 1e6,
	        o.format == FORMAT_PARQUET ? "Parquet" : "CSV", secs,
	        secs > 0 ? down_in_bytes(d) / 1e6 / secs : 0.0);
out:
	/* Nothing half-written stays behind under any name. */
	publish_abort(schema);
	publish_abort(out);
	down_free(d);
	cli_free_list(o.listed, o.nlisted);
	log_msg(LOG_DETAILED, "peak_rss_kb=%ld", log_peak_rss_kb());
	log_close_file();
	return rc;
}
