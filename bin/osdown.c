/* osdown.c - NDJSON (plain or LZ4) to typed RFC 4180 CSV plus a schema.
 *
 * Two passes over the input: the first flattens every line and infers each
 * column's type (lib/coltype), the second writes the CSV (lib/csv).  Stdin
 * and pipes are spooled to unlinked LZ4 temp files during the first pass so
 * they can be read twice.  Nothing is written before the whole input has been checked,
 * and -o/--schema files appear under their names only when complete. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "coltype.h"
#include "csv.h"
#include "jflat.h"
#include "log.h"
#include "lzio.h"
#include "osdl.h"
#include "schema.h"

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
	"      --max-line N       longest input line in bytes, K/M/G suffixes (default 64M)\n"
	"      --log-level L      quiet|basic|detailed|extra|full (default basic)\n"
	"      --log-file FILE    also append log lines to FILE\n"
	"  -h, --help             this help\n"
	"  -V, --version          print the version\n";

struct opts {
	const char *output, *schema, *fields, *array_sep, *date_fields;
	char delim;
	size_t category_max, max_line;
	char **inputs;
	int ninputs;
};

/* Temp files removed by the signal handler and on every error exit: the
 * only mutable globals besides the options, because a handler cannot be
 * passed a context. */
static char tmp_csv[4096], tmp_schema[4096];

static void on_signal(int sig)
{
	if (tmp_csv[0])
		unlink(tmp_csv);
	if (tmp_schema[0])
		unlink(tmp_schema);
	_exit(sig == SIGINT || sig == SIGTERM ? OSDL_EXIT_SIGNAL : OSDL_EXIT_FAIL);
}

struct column {
	char *name;
	size_t name_len;
	uint32_t hash;
	int ignored;          /* seen but not in --fields */
	int date_field;
	coltype *type;
	enum coltype_kind kind;
	int nullable;
	uint64_t present;     /* rows with this column (pass 1) */
	uint64_t gen;         /* row that set the fields below */
	enum jflat_type t;    /* pass 2: this row's value */
	size_t off, len;
};

struct down {
	const struct opts *o;
	struct column *cols;
	size_t ncols, cols_cap;
	int32_t *hash;        /* open addressing into cols, -1 empty */
	size_t hash_cap;
	char **dates;         /* --date-fields names */
	size_t ndates;
	int pass;
	int known;            /* pass 2: no new columns may appear */
	uint64_t gen, rows, in_bytes;
	char *arena;          /* pass 2: the current row's values */
	size_t arena_len, arena_cap;
	int nomem, changed;
	jflat *jf;
	csv_writer *csv;
	char **inputs;
	int *spool;           /* per input: its copy (see open_input), or -1 */
};

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int hash_insert(struct down *d, size_t idx)
{
	if ((d->ncols + 1) * 2 > d->hash_cap) {
		size_t cap = d->hash_cap ? d->hash_cap * 2 : 256;
		int32_t *h = malloc(cap * sizeof *h);
		if (!h)
			return -1;
		memset(h, 0xff, cap * sizeof *h);
		for (size_t i = 0; i < d->ncols; i++) {
			if (i == idx)
				continue;
			size_t j = d->cols[i].hash & (cap - 1);
			while (h[j] >= 0)
				j = (j + 1) & (cap - 1);
			h[j] = (int32_t)i;
		}
		free(d->hash);
		d->hash = h;
		d->hash_cap = cap;
	}
	size_t j = d->cols[idx].hash & (d->hash_cap - 1);
	while (d->hash[j] >= 0)
		j = (j + 1) & (d->hash_cap - 1);
	d->hash[j] = (int32_t)idx;
	return 0;
}

static struct column *col_find(struct down *d, const char *name, size_t len, uint32_t h)
{
	if (!d->hash_cap)
		return NULL;
	for (size_t j = h & (d->hash_cap - 1); d->hash[j] >= 0; j = (j + 1) & (d->hash_cap - 1)) {
		struct column *c = &d->cols[d->hash[j]];
		if (c->hash == h && c->name_len == len && memcmp(c->name, name, len) == 0)
			return c;
	}
	return NULL;
}

/* Adds a column (ignored: seen but not wanted).  NULL on allocation failure. */
static struct column *col_add(struct down *d, const char *name, size_t len, uint32_t h, int ignored)
{
	if (d->ncols == d->cols_cap) {
		size_t cap = d->cols_cap ? d->cols_cap * 2 : 64;
		struct column *c = realloc(d->cols, cap * sizeof *c);
		if (!c)
			return NULL;
		d->cols = c;
		d->cols_cap = cap;
	}
	struct column *c = &d->cols[d->ncols];
	memset(c, 0, sizeof *c);
	c->name = malloc(len + 1);
	c->hash = h;
	c->name_len = len;
	c->ignored = ignored;
	for (size_t i = 0; i < d->ndates; i++)
		if (strlen(d->dates[i]) == len && memcmp(d->dates[i], name, len) == 0)
			c->date_field = 1;
	struct coltype_opts to = { d->o->category_max, 0, c->date_field };
	if (!ignored)
		c->type = coltype_new(&to);
	if (!c->name || (!ignored && !c->type)) {
		free(c->name);
		coltype_free(c->type);
		return NULL;
	}
	memcpy(c->name, name, len);
	c->name[len] = 0;
	if (hash_insert(d, d->ncols) < 0) {
		free(c->name);
		coltype_free(c->type);
		return NULL;
	}
	d->ncols++;
	return c;
}

/* jflat callback: one leaf of the current line. */
static int on_leaf(void *ctx, const char *name, size_t nlen, enum jflat_type t,
                   const char *v, size_t len)
{
	struct down *d = ctx;
	uint32_t h = fnv1a(name, nlen);
	struct column *c = col_find(d, name, nlen, h);
	if (!c) {
		if (d->known) {
			d->changed = 1;
			return 1;
		}
		c = col_add(d, name, nlen, h, d->o->fields != NULL);
		if (!c) {
			d->nomem = 1;
			return 1;
		}
	}
	if (c->ignored)
		return 0;
	if (d->pass == 1) {
		if (c->gen != d->gen) {
			c->gen = d->gen;
			c->present++;
		}
		if (coltype_add(c->type, t, v, len) < 0)
			log_msg(LOG_DETAILED, "column %s: no memory for its dictionary", c->name);
		return 0;
	}
	/* Pass 2: keep the value until the row is complete (a repeated name
	 * in one line: the last value wins). */
	if (d->arena_len + len > d->arena_cap) {
		size_t cap = d->arena_cap ? d->arena_cap : 65536;
		while (cap < d->arena_len + len)
			cap *= 2;
		char *a = realloc(d->arena, cap);
		if (!a) {
			d->nomem = 1;
			return 1;
		}
		d->arena = a;
		d->arena_cap = cap;
	}
	if (len > 0) /* the arena may not exist yet */
		memcpy(d->arena + d->arena_len, v, len);
	c->gen = d->gen;
	c->t = t;
	c->off = d->arena_len;
	c->len = len;
	d->arena_len += len;
	return 0;
}

/* Pass 2: the current row as one CSV record.  Returns 0, -1 on a write
 * error (errno), -2 if a value no longer fits its column's type. */
static int write_row(struct down *d)
{
	char buf[COLTYPE_FMT_MAX];
	for (size_t i = 0; i < d->ncols; i++) {
		struct column *c = &d->cols[i];
		if (c->ignored)
			continue;
		if (c->gen != d->gen || c->t == JFLAT_NULL) {
			if (csv_null(d->csv) < 0)
				return -1;
			continue;
		}
		const char *out;
		size_t n;
		if (coltype_format(c->kind, c->date_field, c->t, d->arena + c->off, c->len,
		                   buf, &out, &n) < 0)
			return -2;
		if (csv_field(d->csv, out, n) < 0)
			return -1;
	}
	return csv_end_row(d->csv);
}

static int write_header(struct down *d)
{
	for (size_t i = 0; i < d->ncols; i++)
		if (!d->cols[i].ignored && csv_field(d->csv, d->cols[i].name, d->cols[i].name_len) < 0)
			return -1;
	return csv_end_row(d->csv);
}

/* Opens input I.  Stdin and other inputs that cannot be read twice (pipes,
 * FIFOs, /dev/fd/N) are copied to a spool in pass 1 and replayed from it in
 * pass 2.  NULL with the error logged. */
static lzio_reader *open_input(struct down *d, int i, lzio_writer **spool)
{
	const char *path = d->inputs[i];
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "stdin" : path;
	struct stat st;
	lzio_reader *r = NULL;
	if (d->pass == 2 && d->spool[i] >= 0) {
		int fd = dup(d->spool[i]);
		if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0) {
			log_errno("%s: spool", name);
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		if (!(r = lzio_fdopen(fd, name, d->o->max_line)))
			log_errno("%s", name);
		return r;
	}
	if (d->pass == 1 && (is_stdin || (stat(path, &st) == 0 && !S_ISREG(st.st_mode)))) {
		const char *dir = getenv("TMPDIR");
		char tmp[4096];
		snprintf(tmp, sizeof tmp, "%s/osdown-spool.XXXXXX", dir && *dir ? dir : "/tmp");
		if ((d->spool[i] = mkstemp(tmp)) < 0) {
			log_errno("%s", tmp);
			return NULL;
		}
		/* Unlinked at once: no exit path, not even SIGKILL, leaves it. */
		unlink(tmp);
		if (!(*spool = lzio_writer_new(d->spool[i], 1, 0))) {
			log_error("out of memory");
			return NULL;
		}
	}
	r = is_stdin ? lzio_fdopen(0, name, d->o->max_line) : lzio_open(path, d->o->max_line);
	if (!r)
		log_errno("%s", name);
	return r;
}

/* One pass over one input.  Returns an exit code. */
static int run_file(struct down *d, int i)
{
	int rc = OSDL_EXIT_OK;
	lzio_writer *spool = NULL;
	lzio_reader *r = open_input(d, i, &spool);
	if (!r) {
		rc = OSDL_EXIT_IO;
		goto out;
	}
	const char *name = lzio_name(r);
	char *line;
	size_t len;
	int st;
	while ((st = lzio_getline(r, &line, &len)) == LZIO_LINE) {
		unsigned long long ln = (unsigned long long)lzio_lineno(r);
		if (spool && (lzio_write(spool, line, len) < 0 || lzio_write(spool, "\n", 1) < 0)) {
			log_errno("%s: spool", name);
			rc = OSDL_EXIT_IO;
			goto out;
		}
		if (strspn(line, " \t\r") == len)
			continue; /* blank lines are not records */
		d->gen++;
		d->arena_len = 0;
		int jr = jflat_line(d->jf, line, len, on_leaf, d);
		if (d->nomem) {
			log_error("%s:%llu: out of memory", name, ln);
			rc = OSDL_EXIT_FAIL;
			goto out;
		}
		if (d->changed) {
			log_error("%s:%llu: input changed between the two passes", name, ln);
			rc = OSDL_EXIT_DATA;
			goto out;
		}
		if (jr != JFLAT_OK) {
			log_error("%s:%llu: %s", name, ln, jflat_error(d->jf));
			rc = jr == JFLAT_ERR_NOMEM ? OSDL_EXIT_FAIL : OSDL_EXIT_DATA;
			goto out;
		}
		d->in_bytes += len + 1;
		if (d->pass == 1) {
			d->rows++;
			continue;
		}
		int wr = write_row(d);
		if (wr == -2) {
			log_error("%s:%llu: input changed between the two passes", name, ln);
			rc = OSDL_EXIT_DATA;
			goto out;
		}
		if (wr < 0) {
			log_errno("%s", d->o->output ? d->o->output : "stdout");
			rc = OSDL_EXIT_IO;
			goto out;
		}
	}
	if (st != LZIO_EOF) {
		unsigned long long ln = (unsigned long long)lzio_lineno(r) + 1;
		if (st == LZIO_ERR_LONG)
			log_error("%s:%llu: line longer than %zu bytes (--max-line)", name, ln,
			          d->o->max_line);
		else if (st == LZIO_ERR_IO)
			log_errno("%s", name);
		else
			log_error("%s:%llu: %s", name, ln, lzio_strerror(st));
		rc = st == LZIO_ERR_IO ? OSDL_EXIT_IO : st == LZIO_ERR_NOMEM ? OSDL_EXIT_FAIL
		                                                            : OSDL_EXIT_DATA;
		goto out;
	}
	if (spool && lzio_finish(spool) < 0) {
		log_errno("%s: spool", name);
		rc = OSDL_EXIT_IO;
	}
out:
	lzio_writer_free(spool);
	lzio_close(r);
	return rc;
}

/* Splits a comma-separated LIST into a NULL-terminated array of copies. */
static char **split_list(const char *list, size_t *n)
{
	size_t cap = 2;
	for (const char *p = list; *p; p++)
		cap += *p == ',';
	char **v = calloc(cap, sizeof *v);
	if (!v)
		return NULL;
	*n = 0;
	for (const char *p = list;;) {
		size_t k = strcspn(p, ",");
		if (k > 0 && !(v[(*n)++] = strndup(p, k)))
			return v; /* caller sees the short list as out of memory */
		if (!p[k])
			break;
		p += k + 1;
	}
	return v;
}

static void free_list(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Opens a temp file beside PATH (so rename() is atomic) into TMP.  Returns
 * the descriptor or -1 with the error logged. */
static int open_tmp(const char *path, char *tmp, size_t size)
{
	char t[4096];
	if ((size_t)snprintf(t, sizeof t, "%s.part.XXXXXX", path) >= size) {
		log_error("%s: name too long", path);
		return -1;
	}
	memcpy(tmp, t, strlen(t) + 1); /* registered before it exists */
	int fd = mkstemp(tmp);
	if (fd < 0) {
		log_errno("%s", path);
		tmp[0] = 0;
		return -1;
	}
	/* mkstemp makes 0600; a finished file gets the usual 0666 & ~umask. */
	mode_t um = umask(0);
	umask(um);
	if (fchmod(fd, 0666 & ~um) < 0) {
		log_errno("%s", tmp);
		close(fd);
		return -1;
	}
	return fd;
}

/* fsync + close + rename of a finished temp file.  0 or -1 (logged). */
static int publish(int fd, char *tmp, const char *path)
{
	if (fsync(fd) < 0 || close(fd) < 0) {
		log_errno("%s", path);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		log_errno("rename %s", path);
		return -1;
	}
	tmp[0] = 0;
	return 0;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	int shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (errno || end == s || *end || s[0] == '-' || v > (~0ULL >> shift))
		return -1;
	*out = (size_t)(v << shift);
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { O_ARRAY_SEP = 256, O_CATEGORY_MAX, O_DATE_FIELDS, O_DELIMITER, O_FIELDS,
	       O_LOG_FILE, O_LOG_LEVEL, O_MAX_LINE, O_SCHEMA };
	static const struct option longopts[] = { /* sorted */
		{ "array-sep", required_argument, NULL, O_ARRAY_SEP },
		{ "category-max", required_argument, NULL, O_CATEGORY_MAX },
		{ "date-fields", required_argument, NULL, O_DATE_FIELDS },
		{ "delimiter", required_argument, NULL, O_DELIMITER },
		{ "fields", required_argument, NULL, O_FIELDS },
		{ "help", no_argument, NULL, 'h' },
		{ "log-file", required_argument, NULL, O_LOG_FILE },
		{ "log-level", required_argument, NULL, O_LOG_LEVEL },
		{ "max-line", required_argument, NULL, O_MAX_LINE },
		{ "output", required_argument, NULL, 'o' },
		{ "schema", required_argument, NULL, O_SCHEMA },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, lvl;
	o->delim = ',';
	o->category_max = CATEGORY_MAX_DEFAULT;
	o->max_line = (size_t)64 << 20;
	while ((ch = getopt_long(argc, argv, "hVo:", longopts, NULL)) != -1) {
		switch (ch) {
		case O_ARRAY_SEP: o->array_sep = optarg; break;
		case O_CATEGORY_MAX:
			if (parse_size(optarg, &o->category_max) < 0) {
				log_error("bad --category-max: %s", optarg);
				return -1;
			}
			break;
		case O_DATE_FIELDS: o->date_fields = optarg; break;
		case O_DELIMITER:
			if (strcmp(optarg, "tab") == 0 || strcmp(optarg, "\\t") == 0)
				o->delim = '\t';
			else if (strlen(optarg) == 1 && !strchr("\"\r\n", optarg[0]))
				o->delim = optarg[0];
			else {
				log_error("bad --delimiter: one character (not '\"', CR or LF) or 'tab'");
				return -1;
			}
			break;
		case O_FIELDS: o->fields = optarg; break;
		case 'h': fputs(usage_text, stdout); exit(OSDL_EXIT_OK);
		case O_LOG_FILE:
			if (log_open_file(optarg) < 0) {
				log_errno("%s", optarg);
				return -1;
			}
			break;
		case O_LOG_LEVEL:
			if ((lvl = log_parse_level(optarg)) < 0) {
				log_error("bad --log-level: %s", optarg);
				return -1;
			}
			log_set_level((enum log_level)lvl);
			break;
		case O_MAX_LINE:
			if (parse_size(optarg, &o->max_line) < 0 || o->max_line == 0) {
				log_error("bad --max-line: %s", optarg);
				return -1;
			}
			break;
		case 'o': o->output = optarg; break;
		case O_SCHEMA: o->schema = optarg; break;
		case 'V': printf("osdown osdl %s\n", OSDL_VERSION); exit(OSDL_EXIT_OK);
		default: fputs(usage_text, stderr); return -1;
		}
	}
	o->inputs = argv + optind;
	o->ninputs = argc - optind;
	int stdins = o->ninputs == 0;
	for (int i = 0; i < o->ninputs; i++)
		stdins += strcmp(o->inputs[i], "-") == 0;
	if (stdins > 1) {
		log_error("stdin ('-') can be read only once");
		return -1;
	}
	if (o->output && o->schema && strcmp(o->output, o->schema) == 0) {
		log_error("--output and --schema name the same file");
		return -1;
	}
	return 0;
}

/* Pass 1 over every input; then the columns' types are fixed. */
static int infer(struct down *d, int n)
{
	d->pass = 1;
	if (d->o->fields) {
		size_t nf;
		char **f = split_list(d->o->fields, &nf);
		if (!f)
			return OSDL_EXIT_FAIL;
		for (size_t i = 0; i < nf; i++) {
			uint32_t h = fnv1a(f[i], strlen(f[i]));
			if (!col_find(d, f[i], strlen(f[i]), h) &&
			    !col_add(d, f[i], strlen(f[i]), h, 0)) {
				free_list(f);
				log_error("out of memory");
				return OSDL_EXIT_FAIL;
			}
		}
		free_list(f);
	}
	for (int i = 0; i < n; i++) {
		int rc = run_file(d, i);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < d->ncols; i++) {
		struct column *c = &d->cols[i];
		if (c->ignored)
			continue;
		c->kind = coltype_kind(c->type);
		c->nullable = c->present < d->rows || coltype_has_null(c->type);
		log_msg(LOG_DETAILED, "column %s: %s%s, %llu values, %zu distinct", c->name,
		        coltype_name(c->kind), c->nullable ? " nullable" : "",
		        (unsigned long long)coltype_values(c->type), coltype_distinct(c->type));
	}
	return OSDL_EXIT_OK;
}

static int write_schema(struct down *d, int fd)
{
	size_t n = 0;
	for (size_t i = 0; i < d->ncols; i++)
		n += !d->cols[i].ignored;
	struct schema_col *sc = calloc(n + 1, sizeof *sc);
	if (!sc)
		return -1;
	n = 0;
	for (size_t i = 0; i < d->ncols; i++) {
		struct column *c = &d->cols[i];
		if (c->ignored)
			continue;
		sc[n++] = (struct schema_col){ c->name, c->name_len, c->kind, c->nullable,
		                               coltype_has_empty(c->type) };
	}
	struct schema_info si = { sc, n, d->o->delim, d->rows, d->o->output };
	char *text = NULL;
	size_t len = 0;
	int rc = schema_render(&si, &text, &len);
	if (rc == 0)
		rc = write_all(fd, text, len) < 0 || write_all(fd, "\n", 1) < 0 ? -1 : 0;
	free(text);
	free(sc);
	return rc;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static char *stdin_only[] = { "-" };
	struct opts o = { 0 };
	struct down d = { 0 };
	int rc = OSDL_EXIT_OK, out_fd = 1, schema_fd = -1;
	double t0 = now_s();

	log_init("osdown");
	if (parse_args(argc, argv, &o) < 0)
		return OSDL_EXIT_USAGE;
	char **inputs = o.ninputs ? o.inputs : stdin_only;
	int ninputs = o.ninputs ? o.ninputs : 1;

	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	d.o = &o;
	d.inputs = inputs;
	d.spool = calloc((size_t)(ninputs > 0 ? ninputs : 1), sizeof *d.spool);
	for (int i = 0; d.spool && i < ninputs; i++)
		d.spool[i] = -1;
	d.jf = jflat_new(o.array_sep);
	if (o.date_fields)
		d.dates = split_list(o.date_fields, &d.ndates);
	if (!d.jf || !d.spool || (o.date_fields && !d.dates)) {
		log_error("out of memory");
		rc = OSDL_EXIT_FAIL;
		goto out;
	}
	if ((rc = infer(&d, ninputs)))
		goto out;

	/* Pass 2.  Nothing has been written yet. */
	if (o.output && (out_fd = open_tmp(o.output, tmp_csv, sizeof tmp_csv)) < 0) {
		rc = OSDL_EXIT_IO;
		goto out;
	}
	if (o.schema) {
		if ((schema_fd = open_tmp(o.schema, tmp_schema, sizeof tmp_schema)) < 0) {
			rc = OSDL_EXIT_IO;
			goto out;
		}
		if (write_schema(&d, schema_fd) < 0) {
			log_errno("%s", o.schema);
			rc = OSDL_EXIT_IO;
			goto out;
		}
	}
	if (!(d.csv = csv_writer_new(out_fd, o.delim))) {
		log_error("out of memory");
		rc = OSDL_EXIT_FAIL;
		goto out;
	}
	if (write_header(&d) < 0) {
		log_errno("%s", o.output ? o.output : "stdout");
		rc = OSDL_EXIT_IO;
		goto out;
	}
	d.pass = 2;
	d.known = 1;
	d.in_bytes = 0;
	for (int i = 0; i < ninputs && !rc; i++)
		rc = run_file(&d, i);
	if (rc)
		goto out;
	if (csv_flush(d.csv) < 0) {
		log_errno("%s", o.output ? o.output : "stdout");
		rc = OSDL_EXIT_IO;
		goto out;
	}
	if (csv_replaced(d.csv))
		log_msg(LOG_BASIC, "%llu invalid UTF-8 bytes written as U+FFFD",
		        (unsigned long long)csv_replaced(d.csv));
	/* The schema first, so a CSV under its final name always has one. */
	if (schema_fd >= 0) {
		int fd = schema_fd;
		schema_fd = -1;
		if (publish(fd, tmp_schema, o.schema) < 0) {
			rc = OSDL_EXIT_IO;
			goto out;
		}
	}
	if (o.output) {
		int fd = out_fd;
		out_fd = 1;
		if (publish(fd, tmp_csv, o.output) < 0) {
			rc = OSDL_EXIT_IO;
			goto out;
		}
	} else if (fflush(stdout) != 0 || close(1) < 0) {
		log_errno("stdout");
		rc = OSDL_EXIT_IO;
		goto out;
	}
	double secs = now_s() - t0;
	size_t ncol = 0;
	for (size_t i = 0; i < d.ncols; i++)
		ncol += !d.cols[i].ignored;
	log_msg(LOG_BASIC, "%llu rows, %zu columns, %.1f MB NDJSON in, %.1f MB CSV out, "
	        "%.2f s, %.1f MB/s", (unsigned long long)d.rows, ncol, d.in_bytes / 1e6,
	        csv_bytes(d.csv) / 1e6, secs, secs > 0 ? d.in_bytes / 1e6 / secs : 0.0);
out:
	if (rc) {
		/* Nothing half-written stays behind under any name. */
		if (tmp_csv[0])
			unlink(tmp_csv);
		if (tmp_schema[0])
			unlink(tmp_schema);
	}
	if (out_fd > 1)
		close(out_fd);
	if (schema_fd >= 0)
		close(schema_fd);
	for (int i = 0; d.spool && i < ninputs; i++)
		if (d.spool[i] >= 0)
			close(d.spool[i]);
	free(d.spool);
	for (size_t i = 0; i < d.ncols; i++) {
		free(d.cols[i].name);
		coltype_free(d.cols[i].type);
	}
	free(d.cols);
	free(d.hash);
	free(d.arena);
	free_list(d.dates);
	jflat_free(d.jf);
	csv_writer_free(d.csv);
	log_msg(LOG_DETAILED, "peak_rss_kb=%ld", log_peak_rss_kb());
	log_close_file();
	return rc;
}
