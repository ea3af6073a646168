/* cli.h - option parsing that every osdl tool shares.
 *
 * Each bin/<tool>.c keeps its own sorted getopt_long() table and usage text
 * (its man page mirrors them); this module holds what is the same in all of
 * them: number and size arguments, and the options --help, --version,
 * --log-level and --log-file.  Nothing here prints an error or exits: errors
 * come back as an OSDL_EXIT_* code with a one-line reason in the caller's
 * (err, errlen) buffer, which the tool passes to log_error().
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>

/* getopt_long() values for the shared long options.  They lie above any
 * character and above the tools' own OPT_* values (which start at 256). */
enum { CLI_OPT_LOG_FILE = 0x10000, CLI_OPT_LOG_LEVEL, CLI_OPT_EXIT_CODES };

/* What cli_option() returns when option parsing should go on. */
#define CLI_CONTINUE (-1)

/* Parses S as a whole decimal integer in LO..HI (leading blanks and a sign
 * allowed, as strtoll).  Returns 0 with *OUT set, or -1 if S is not such a
 * number (*OUT untouched). */
int cli_parse_int(const char *s, long long lo, long long hi, long long *out);

/* Parses a size such as "64M": decimal digits (no blank or sign before
 * them), then an optional K, M or G (powers of 1024, either case), then an
 * optional B.  Returns 0 with *OUT set in bytes, or -1 if S is not a size or
 * it overflows size_t (*OUT untouched). */
int cli_parse_size(const char *s, size_t *out);

/* Checks the value ARG of a directory option named OPT ("--cache"): an
 * empty one would put files under "/" (DIR + "/name") or in the current
 * directory by accident, so it is refused.  Returns 0, or OSDL_EXIT_USAGE
 * with the reason in ERR. */
int cli_dir_arg(const char *opt, const char *arg, char *err, size_t errlen);

/* Handles one of the options every tool shares.  C is getopt_long()'s
 * return value, ARG its optarg, HELP the tool's usage text:
 *   'h'                HELP to stdout
 *   'V'                "TOOL osdl VERSION" to stdout (TOOL as in log_init())
 *   CLI_OPT_LOG_LEVEL  log_set_level(ARG)
 *   CLI_OPT_LOG_FILE   log_open_file(ARG)
 *   CLI_OPT_EXIT_CODES the exit codes as NAME=CODE lines to stdout
 * Returns CLI_CONTINUE after a log option; OSDL_EXIT_OK after help or
 * version, written and flushed, for the tool to exit with; or else the
 * tool's exit status with the reason in ERR: OSDL_EXIT_USAGE (unknown
 * level), OSDL_EXIT_IO (log file cannot be opened, stdout write failed),
 * OSDL_EXIT_FAIL (C is not a shared option: a bug in the caller). */
int cli_option(int c, const char *arg, const char *help, char *err, size_t errlen);

/* The one-line reason for getopt_long()'s '?' or ':' (with opterr = 0 and
 * an optstring that starts with ':'): "unknown option '--frm'" or "option
 * '--from' needs a value".  C is getopt_long()'s return value; ARGV and
 * OPTIND those getopt_long() saw.  Writes into ERR; returns
 * OSDL_EXIT_USAGE. */
int cli_bad_option(int c, char *const argv[], int optind_now, char *err, size_t errlen);

/* The paths listed in FILE ("-": stdin), one per line (a trailing CR is
 * dropped, blank lines skipped), for --files-from: appended to *PATHS
 * (malloc'd array of malloc'd strings, *N entries; free with
 * cli_free_list).  Returns 0, or OSDL_EXIT_IO / OSDL_EXIT_FAIL with the
 * reason in ERR. */
int cli_read_list(const char *file, char ***paths, size_t *n, char *err, size_t errlen);
void cli_free_list(char **paths, size_t n);

#endif
