/* osmerge.c - merge (or sort) NDJSON chunk files by key with bounded memory.
 * Parses options, sets up the output and the temp directory, hands the work
 * to kmerge_files() or xsort_files(), whose failure code is its exit status. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "jkey.h"
#include "kmerge.h"
#include "log.h"
#include "lzio.h"
#include "osdl.h"
#include "publish.h"
#include "sig.h"
#include "xsort.h"

#define FD_MARGIN 16 /* std streams, output, temp writer, log file, spare */

struct opts {
	jkey_spec keys;
	const char *output;
	int compress;
	const char *files_from;
	int sort;
	size_t memory;
	const char *tmpdir;
	int unique;
	int skip_bad;
	int sorted_keys;
	size_t max_line;
	char **inputs;
	size_t ninputs, capinputs;
};

static const char usage_text[] =
	"usage: osmerge [-k FIELD[:asc|:desc]]... [-o FILE] [-z] [--files-from FILE]\n"
	"               [--sort] [--memory SIZE] [--tmpdir DIR] [--unique] [--skip-bad]\n"
	"               [--missing first|last] [--max-line SIZE] [--sorted-keys N]\n"
	"               [--log-level LEVEL] [--log-file FILE] [FILE...]\n"
	"       osmerge -h|--help|-V|--version\n"
	"\n"
	"Merges sorted NDJSON files (plain or LZ4; none or '-' = stdin) in key order.\n"
	"  -z, --compress          write an LZ4 frame\n"
	"      --files-from FILE   read input paths from FILE, one a line ('-' = stdin)\n"
	"  -h, --help              this help\n"
	"  -k, --key FIELD[:desc]  sort key, dotted path, repeatable (default @timestamp)\n"
	"      --log-file FILE     also append log lines to FILE\n"
	"      --log-level LEVEL   quiet|basic|detailed|extra|full (default basic)\n"
	"      --max-line SIZE     longest accepted line (default 256M + 64K)\n"
	"      --memory SIZE       memory budget (default 256M, at least 4M)\n"
	"      --missing first|last  where documents without the key go (default last)\n"
	"  -o, --output FILE       write to FILE (renamed into place at the end)\n"
	"      --skip-bad          skip and count bad lines and unreadable files\n"
	"      --sort              sort unsorted input (external merge sort)\n"
	"      --sorted-keys N     inputs are sorted by the first N keys only\n"
	"      --tmpdir DIR        temporary files (default $TMPDIR, else /tmp)\n"
	"      --unique            drop repeated _id within equal keys\n"
	"  -V, --version           print the version\n"
	"Exit: 0 ok, 1 failure, 2 usage, 6 I/O error, 7 bad input data, 130 interrupted.\n";

static int add_input(struct opts *o, const char *path)
{
	if (o->ninputs == o->capinputs) {
		size_t cap = o->capinputs ? o->capinputs * 2 : 64;
		char **p = realloc(o->inputs, cap * sizeof *p);
		if (!p)
			return -1;
		o->inputs = p;
		o->capinputs = cap;
	}
	if (!(o->inputs[o->ninputs] = strdup(path)))
		return -1;
	o->ninputs++;
	return 0;
}

/* Appends the paths listed in FILE, one per line; blank lines are ignored. */
static int read_files_from(struct opts *o, const char *file)
{
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	if (!f) {
		log_errno("%s: cannot open", file);
		return OSDL_EXIT_IO;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n > 0 && add_input(o, line) != 0) {
			log_error("out of memory");
			rc = OSDL_EXIT_FAIL;
			break;
		}
	}
	if (!rc && ferror(f)) {
		log_errno("%s: read error", file);
		rc = OSDL_EXIT_IO;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

enum { OPT_FILES_FROM = 256, OPT_MAX_LINE, OPT_MEMORY, OPT_MISSING, OPT_SKIP_BAD, OPT_SORT,
       OPT_SORTED_KEYS, OPT_TMPDIR, OPT_UNIQUE };

/* Fills O from argv.  Returns CLI_CONTINUE to go on, else the exit status
 * (OSDL_EXIT_OK after --help or --version). */
static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "compress", no_argument, NULL, 'z' },
		{ "files-from", required_argument, NULL, OPT_FILES_FROM },
		{ "help", no_argument, NULL, 'h' },
		{ "key", required_argument, NULL, 'k' },
		{ "log-file", required_argument, NULL, CLI_OPT_LOG_FILE },
		{ "log-level", required_argument, NULL, CLI_OPT_LOG_LEVEL },
		{ "max-line", required_argument, NULL, OPT_MAX_LINE },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "missing", required_argument, NULL, OPT_MISSING },
		{ "output", required_argument, NULL, 'o' },
		{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
		{ "sort", no_argument, NULL, OPT_SORT },
		{ "sorted-keys", required_argument, NULL, OPT_SORTED_KEYS },
		{ "tmpdir", required_argument, NULL, OPT_TMPDIR },
		{ "unique", no_argument, NULL, OPT_UNIQUE },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char err[1024];
	int c, rc;
	long long v;
	o->memory = (size_t)256 << 20;
	o->max_line = OSDL_MAX_LINE;
	o->keys.missing_last = 1;
	opterr = 0; /* one error line, ours */
	while ((c = getopt_long(argc, argv, ":hk:o:Vz", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': case 'V': case CLI_OPT_LOG_FILE: case CLI_OPT_LOG_LEVEL:
			if ((rc = cli_option(c, optarg, usage_text, err, sizeof err)) == CLI_CONTINUE)
				break;
			if (rc != OSDL_EXIT_OK)
				log_error("%s", err);
			return rc;
		case 'k':
			if (jkey_spec_add(&o->keys, optarg) != 0) {
				log_error("bad key '%s' (FIELD, FIELD:asc or FIELD:desc; at most %d)", optarg, JKEY_MAX - 1);
				return OSDL_EXIT_USAGE;
			}
			break;
		case 'o': o->output = optarg; break;
		case 'z': o->compress = 1; break;
		case OPT_FILES_FROM: o->files_from = optarg; break;
		case OPT_MAX_LINE:
			if (cli_parse_size(optarg, &o->max_line) != 0 || o->max_line == 0) {
				log_error("bad --max-line '%s'", optarg);
				return OSDL_EXIT_USAGE;
			}
			break;
		case OPT_MEMORY:
			if (cli_parse_size(optarg, &o->memory) != 0 || o->memory < ((size_t)4 << 20)) {
				log_error("bad --memory '%s' (a size of at least 4M, e.g. 64M)", optarg);
				return OSDL_EXIT_USAGE;
			}
			break;
		case OPT_MISSING:
			if (strcmp(optarg, "first") == 0)
				o->keys.missing_last = 0;
			else if (strcmp(optarg, "last") == 0)
				o->keys.missing_last = 1;
			else {
				log_error("bad --missing '%s' (first or last)", optarg);
				return OSDL_EXIT_USAGE;
			}
			break;
		case OPT_SKIP_BAD: o->skip_bad = 1; break;
		case OPT_SORT: o->sort = 1; break;
		case OPT_SORTED_KEYS:
			if (cli_parse_int(optarg, 1, JKEY_MAX, &v) != 0) {
				log_error("bad --sorted-keys '%s' (a number of keys, at least 1)", optarg);
				return OSDL_EXIT_USAGE;
			}
			o->sorted_keys = (int)v;
			break;
		case OPT_TMPDIR:
			if ((rc = cli_dir_arg("--tmpdir", optarg, err, sizeof err)) != 0) {
				log_error("%s", err);
				return rc;
			}
			o->tmpdir = optarg;
			break;
		case OPT_UNIQUE: o->unique = 1; break;
		default:
			rc = cli_bad_option(c, argv, optind, err, sizeof err);
			log_error("%s (try 'osmerge --help')", err);
			return rc;
		}
	}
	if (o->keys.n == 0)
		jkey_spec_add(&o->keys, "@timestamp");
	if (o->sorted_keys > o->keys.n) {
		log_error("--sorted-keys %d: only %d keys given", o->sorted_keys, o->keys.n);
		return OSDL_EXIT_USAGE;
	}
	o->keys.with_id = o->unique;
	for (int i = optind; i < argc; i++)
		if (add_input(o, argv[i]) != 0) {
			log_error("out of memory");
			return OSDL_EXIT_FAIL;
		}
	if (o->files_from) {
		if ((rc = read_files_from(o, o->files_from)) != 0)
			return rc;
	} else if (o->ninputs == 0 && add_input(o, "-") != 0) {
		log_error("out of memory");
		return OSDL_EXIT_FAIL;
	}
	int stdin_uses = o->files_from && strcmp(o->files_from, "-") == 0;
	for (size_t i = 0; i < o->ninputs; i++)
		stdin_uses += strcmp(o->inputs[i], "-") == 0;
	if (stdin_uses > 1) {
		log_error("standard input ('-') can be read only once");
		return OSDL_EXIT_USAGE;
	}
	return CLI_CONTINUE;
}

/* Inputs open at once: the descriptor limit (raised to the hard limit) and
 * the memory budget both bound it. */
static size_t fanin_for(size_t memory)
{
	struct rlimit rl;
	size_t by_fd = 1024;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
				getrlimit(RLIMIT_NOFILE, &rl);
		}
		by_fd = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1u << 20 ? 1u << 20 : (size_t)rl.rlim_cur;
	}
	by_fd = by_fd > FD_MARGIN + 2 ? by_fd - FD_MARGIN : 2;
	size_t by_mem = memory / KMERGE_READER_BYTES;
	size_t f = by_fd < by_mem ? by_fd : by_mem;
	return f < 2 ? 2 : f;
}

static int run(struct opts *o)
{
	struct kmerge_stats st = { 0 };
	char err[1024];
	lzio_writer *w = NULL;
	publish *out = NULL;
	tmpdir *tmp = NULL;
	char perr[PATH_MAX + 128];
	int rc = OSDL_EXIT_FAIL, fd = 1;
	double t0 = log_now_s();
	size_t fanin = fanin_for(o->memory);

	if (o->sort || o->ninputs > fanin) {
		tmp = tmpdir_new(o->tmpdir, "osmerge");
		if (!tmp) {
			log_errno("cannot create a temporary directory in %s",
				  o->tmpdir ? o->tmpdir : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
			return OSDL_EXIT_IO;
		}
	}
	if (o->output) {
		if (!(out = publish_open(o->output, perr, sizeof perr))) {
			log_error("%s", perr);
			rc = OSDL_EXIT_IO;
			goto out;
		}
		fd = publish_fd(out);
	}
	if (!(w = lzio_writer_new(fd, o->compress, 0))) {
		log_error("out of memory");
		goto out;
	}
	struct kmerge_opts mo = { &o->keys, o->max_line, fanin, !o->sort, o->unique, o->skip_bad, tmp,
				  o->sorted_keys };
	log_msg(LOG_DETAILED, "%zu inputs, %zu open at once, memory %zu MiB%s", o->ninputs, fanin,
		o->memory >> 20, o->sort ? ", sorting" : "");
	if (o->sort) {
		struct xsort_opts xo = { mo, o->memory };
		rc = xsort_files(&xo, o->inputs, o->ninputs, w, &st, err, sizeof err);
	} else {
		rc = kmerge_files(&mo, o->inputs, o->ninputs, w, &st, err, sizeof err);
	}
	if (rc != 0) {
		log_error("%s", err);
		goto out;
	}
	if (lzio_finish(w) != 0) {
		log_errno("%s: write error", o->output ? o->output : "(stdout)");
		rc = OSDL_EXIT_IO;
		goto out;
	}
	if (out) {
		publish *p = out;
		out = NULL;
		if (publish_commit(p, NULL, perr, sizeof perr) != 0) {
			log_error("%s", perr);
			rc = OSDL_EXIT_IO;
			goto out;
		}
	} else if (close(1) != 0) {
		log_errno("(stdout): write error");
		rc = OSDL_EXIT_IO;
		goto out;
	}
	double secs = log_now_s() - t0;
	char extra[256] = "";
	size_t used = 0;
	if (o->unique)
		used += (size_t)snprintf(extra + used, sizeof extra - used, ", dropped %llu duplicates",
					 (unsigned long long)st.dups);
	if (st.bad_lines || st.bad_files || o->skip_bad)
		used += (size_t)snprintf(extra + used, sizeof extra - used,
					 ", skipped %llu bad lines and %llu unreadable files",
					 (unsigned long long)st.bad_lines, (unsigned long long)st.bad_files);
	if (st.runs || st.passes)
		snprintf(extra + used, sizeof extra - used, ", %llu sorted runs, %llu merge passes",
			 (unsigned long long)st.runs, (unsigned long long)st.passes);
	log_msg(LOG_BASIC, "%llu documents (%.1f MB) from %zu inputs in %.2f s, %.1f MB/s%s",
		(unsigned long long)st.lines_out, st.bytes_in / 1e6, o->ninputs, secs,
		secs > 0 ? st.bytes_in / 1e6 / secs : 0.0, extra);
	rc = OSDL_EXIT_OK;
out:
	lzio_writer_free(w);
	publish_abort(out);
	tmpdir_free(tmp);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	log_init("osmerge");
	int rc = parse_args(&o, argc, argv);
	if (rc == CLI_CONTINUE) {
		sig_install(SIG_AT_ONCE);
		rc = run(&o);
	}
	for (size_t i = 0; i < o.ninputs; i++)
		free(o.inputs[i]);
	free(o.inputs);
	log_msg(LOG_DETAILED, "peak_rss_kb=%ld", log_peak_rss_kb());
	log_close_file();
	return rc;
}
