/* ospublish.c - writes a file so that it is complete or absent, for shell
 * scripts (lib/publish, the one way osdl writes a file): standard input into
 * FILE, or a chunk fetched on another host, verified, into the cache.
 * Parses options and calls lib/publish or lib/adopt. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "adopt.h"
#include "cli.h"
#include "log.h"
#include "osdl.h"
#include "publish.h"
#include "sig.h"

static const char usage_text[] =
	"usage: ospublish [--log-level LEVEL] [--log-file FILE] FILE < DATA\n"
	"       ospublish --chunk SRC DST\n"
	"       ospublish -h|--help|-V|--version\n"
	"\n"
	"Writes standard input to FILE so that FILE is complete or absent (temp name,\n"
	"fsync, rename); with --chunk, publishes the chunk SRC and its sidecar as DST\n"
	"once its LZ4 frames decode and its lines match the sidecar's docs.\n"
	"      --chunk             verify and publish a chunk fetched elsewhere\n"
	"  -h, --help              this help\n"
	"      --log-file FILE     also append log lines to FILE\n"
	"      --log-level LEVEL   quiet|basic|detailed|extra|full (default basic)\n"
	"  -V, --version           print the version\n"
	"Exit: 0 ok, 1 failure, 2 usage, 6 I/O error, 7 damaged chunk, 130 interrupted.\n";

enum { OPT_CHUNK = 256 };

struct opts {
	int chunk;
	const char *src, *dst; /* --chunk SRC DST; else DST only */
};

/* Fills O from argv.  Returns CLI_CONTINUE to go on, else the exit status
 * (OSDL_EXIT_OK after --help or --version). */
static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "chunk", no_argument, NULL, OPT_CHUNK },
		{ "help", no_argument, NULL, 'h' },
		{ "log-file", required_argument, NULL, CLI_OPT_LOG_FILE },
		{ "log-level", required_argument, NULL, CLI_OPT_LOG_LEVEL },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char err[1024];
	int c, rc;
	opterr = 0; /* one error line, ours */
	while ((c = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': case 'V': case CLI_OPT_LOG_FILE: case CLI_OPT_LOG_LEVEL:
			if ((rc = cli_option(c, optarg, usage_text, err, sizeof err)) == CLI_CONTINUE)
				break;
			if (rc != OSDL_EXIT_OK)
				log_error("%s", err);
			return rc;
		case OPT_CHUNK: o->chunk = 1; break;
		default:
			cli_bad_option(c, argv, optind, err, sizeof err);
			log_error("%s", err);
			return OSDL_EXIT_USAGE;
		}
	}
	int want = o->chunk ? 2 : 1;
	if (argc - optind != want) {
		log_error("%s", o->chunk ? "--chunk wants SRC and DST" : "want one FILE to write");
		return OSDL_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		if (!argv[i][0] || strcmp(argv[i], "-") == 0) {
			log_error("'%s' is not a file name", argv[i]);
			return OSDL_EXIT_USAGE;
		}
	o->src = o->chunk ? argv[optind] : NULL;
	o->dst = argv[argc - 1];
	return CLI_CONTINUE;
}

/* Standard input into O->dst, complete or absent. */
static int publish_stdin(const struct opts *o)
{
	char err[1024];
	publish *p = publish_open(o->dst, err, sizeof err);
	if (!p || publish_copy_fd(p, 0, "standard input", err, sizeof err)) {
		publish_abort(p);
		log_error("%s", err);
		return OSDL_EXIT_IO;
	}
	if (publish_commit(p, NULL, err, sizeof err)) {
		log_error("%s", err);
		return OSDL_EXIT_IO;
	}
	log_msg(LOG_DETAILED, "published %s", o->dst);
	return OSDL_EXIT_OK;
}

static int publish_chunk(const struct opts *o)
{
	char err[1024];
	uint64_t docs = 0;
	int rc = adopt_chunk(o->src, o->dst, &docs, err, sizeof err);
	if (rc)
		log_error("%s", err);
	else
		log_msg(LOG_DETAILED, "published %s (%" PRIu64 " documents, from %s)", o->dst, docs, o->src);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	int rc;

	log_init("ospublish");
	rc = parse_args(&o, argc, argv);
	if (rc != CLI_CONTINUE)
		return rc;
	sig_install(SIG_AT_ONCE);
	rc = o.chunk ? publish_chunk(&o) : publish_stdin(&o);
	log_close_file();
	return rc;
}
