/* test_cli.c - unit tests of lib/cli: numbers, sizes and the shared options. */
#include "cli.h"
#include "log.h"
#include "osdl.h"
#include "unit.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_ints(void)
{
	static const struct {
		const char *s;
		long long lo, hi;
		int rc;
		long long want;
	} t[] = {
		{ "1", 1, 10000, 0, 1 },
		{ "10000", 1, 10000, 0, 10000 },
		{ "0", 0, 1000, 0, 0 },
		{ "-5", -10, 10, 0, -5 },
		{ "1000000000000", 1, 1000000000000LL, 0, 1000000000000LL },
		{ "0", 1, 10000, -1, 0 },
		{ "10001", 1, 10000, -1, 0 },
		{ "-1", 0, 1000, -1, 0 },
		{ "", 0, 10, -1, 0 },
		{ "x", 0, 10, -1, 0 },
		{ "5x", 0, 10, -1, 0 },
		{ "5 ", 0, 10, -1, 0 },
		{ "99999999999999999999", 0, INT64_MAX, -1, 0 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char d[128];
		long long v = 42;
		int rc = cli_parse_int(t[i].s, t[i].lo, t[i].hi, &v);
		snprintf(d, sizeof d, "cli_parse_int(\"%s\", %lld..%lld)", t[i].s, t[i].lo, t[i].hi);
		test_cond(d, rc == t[i].rc && v == (rc == 0 ? t[i].want : 42));
	}
}

static void test_sizes(void)
{
	static const struct {
		const char *s;
		int rc;
		size_t want;
	} t[] = {
		{ "0", 0, 0 },
		{ "4096", 0, 4096 },
		{ "64k", 0, (size_t)64 << 10 },
		{ "4M", 0, (size_t)4 << 20 },
		{ "256m", 0, (size_t)256 << 20 },
		{ "1G", 0, (size_t)1 << 30 },
		{ "64MB", 0, (size_t)64 << 20 },
		{ "10b", 0, 10 },
		{ "", -1, 0 },
		{ "M", -1, 0 },
		{ "lots", -1, 0 },
		{ "1X", -1, 0 },
		{ "1MM", -1, 0 },
		{ "1BM", -1, 0 },
		{ "-1", -1, 0 },
		{ " -1", -1, 0 },
		{ " 5", -1, 0 },
		{ "+5", -1, 0 },
		{ "17179869184G", -1, 0 },
		{ "99999999999999999999", -1, 0 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char d[128];
		size_t v = 42;
		int rc = cli_parse_size(t[i].s, &v);
		snprintf(d, sizeof d, "cli_parse_size(\"%s\")", t[i].s);
		test_cond(d, rc == t[i].rc && v == (rc == 0 ? t[i].want : 42));
	}
}

static void test_options(void)
{
	char err[256] = "", path[64];
	int rc;

	rc = cli_option(CLI_OPT_LOG_LEVEL, "detailed", "", err, sizeof err);
	test_cond("--log-level detailed goes on", rc == CLI_CONTINUE && log_get_level() == LOG_DETAILED);
	rc = cli_option(CLI_OPT_LOG_LEVEL, "0", "", err, sizeof err);
	test_cond("--log-level 0 is quiet", rc == CLI_CONTINUE && log_get_level() == LOG_QUIET);
	rc = cli_option(CLI_OPT_LOG_LEVEL, "loud", "", err, sizeof err);
	test_cond("--log-level loud is a usage error", rc == OSDL_EXIT_USAGE && log_get_level() == LOG_QUIET);
	test_cond("--log-level loud: the reason names the option and the value",
		  strstr(err, "bad --log-level 'loud'") != NULL && !strchr(err, '\n'));

	err[0] = 0;
	rc = cli_option(CLI_OPT_LOG_FILE, "/nonexistent/dir/log", "", err, sizeof err);
	test_cond("--log-file in a missing directory is an I/O error", rc == OSDL_EXIT_IO);
	test_cond("--log-file: the reason names the file and the cause",
		  strstr(err, "/nonexistent/dir/log: No such file or directory") != NULL);
	snprintf(path, sizeof path, "/tmp/test_cli.%ld.log", (long)getpid());
	rc = cli_option(CLI_OPT_LOG_FILE, path, "", err, sizeof err);
	test_cond("--log-file in /tmp goes on", rc == CLI_CONTINUE && access(path, F_OK) == 0);
	log_close_file();
	unlink(path);

	err[0] = 0;
	rc = cli_option('q', NULL, "", err, sizeof err);
	test_cond("a tool's own option is refused", rc == OSDL_EXIT_FAIL && err[0]);
}

/* Help and version go to stdout: run them with stdout on a file. */
static void test_output(void)
{
	char err[256] = "", buf[256] = "", path[64];
	snprintf(path, sizeof path, "/tmp/test_cli.%ld.out", (long)getpid());
	fflush(stdout);
	int saved = dup(1);
	FILE *f = fopen(path, "w+");
	if (saved < 0 || !f) {
		test_cond("temp file for stdout", 0);
		return;
	}
	dup2(fileno(f), 1);
	int rh = cli_option('h', NULL, "usage: tool [OPTIONS]\n", err, sizeof err);
	int rv = cli_option('V', NULL, "", err, sizeof err);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	unlink(path);
	test_cond("--help and --version exit 0", rh == OSDL_EXIT_OK && rv == OSDL_EXIT_OK);
	test_cond("--help prints the usage text, --version 'TOOL osdl VERSION'",
		  strcmp(buf, "usage: tool [OPTIONS]\ntest_cli osdl " OSDL_VERSION "\n") == 0);

	if (access("/dev/full", W_OK) == 0) {
		fflush(stdout);
		saved = dup(1);
		int full = open("/dev/full", O_WRONLY);
		dup2(full, 1);
		close(full);
		err[0] = 0;
		rh = cli_option('h', NULL, "usage: tool\n", err, sizeof err);
		clearerr(stdout);
		dup2(saved, 1);
		close(saved);
		test_cond("--help on a full device is an I/O error",
			  rh == OSDL_EXIT_IO && strstr(err, "stdout: No space left on device") != NULL);
	}
}

/* getopt_long() through cli_bad_option(): the messages name the option as
 * typed, long or short, bundled or not. */
static void test_bad_options(void)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct { int argc; const char *argv[4]; const char *want; } cases[] = {
		{ 2, { "t", "--frm" }, "unknown option '--frm'" },
		{ 2, { "t", "--frm=3" }, "unknown option '--frm'" },
		{ 2, { "t", "--from" }, "option '--from' needs a value" },
		{ 2, { "t", "-Z" }, "unknown option '-Z'" },
		{ 2, { "t", "-xZ" }, "unknown option '-Z'" },
		{ 2, { "t", "-f" }, "option '-f' needs a value" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char err[128] = "", name[160];
		int c, rc = 0;
		optind = 0; /* full reset of getopt's state */
		opterr = 0;
		while ((c = getopt_long(cases[i].argc, (char **)cases[i].argv, ":f:x", longopts, NULL)) != -1)
			if (c == '?' || c == ':')
				rc = cli_bad_option(c, (char **)cases[i].argv, optind, err, sizeof err);
		snprintf(name, sizeof name, "cli_bad_option: %s -> %s", cases[i].argv[1], cases[i].want);
		test_cond(name, rc == OSDL_EXIT_USAGE && strcmp(err, cases[i].want) == 0);
	}
}

/* --files-from lists: CR dropped, blank lines skipped, appended. */
static void test_list(void)
{
	char path[] = "/tmp/test_cli.XXXXXX", err[256];
	int fd = mkstemp(path);
	const char text[] = "a.lz4\r\n\n  b c\n\r\nlast";
	char **v = NULL;
	size_t n = 0;
	test_cond("list file written", fd >= 0 && write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
	close(fd);
	test_cond("cli_read_list", cli_read_list(path, &v, &n, err, sizeof err) == 0 && n == 3 &&
		  strcmp(v[0], "a.lz4") == 0 && strcmp(v[1], "  b c") == 0 && strcmp(v[2], "last") == 0);
	test_cond("cli_read_list appends", cli_read_list(path, &v, &n, err, sizeof err) == 0 && n == 6 &&
		  strcmp(v[5], "last") == 0);
	unlink(path);
	test_cond("cli_read_list: missing file", cli_read_list(path, &v, &n, err, sizeof err) == OSDL_EXIT_IO &&
		  strstr(err, "No such file") && n == 6);
	cli_free_list(v, n);
}

int main(void)
{
	log_init("test_cli");
	test_bad_options();
	test_ints();
	test_sizes();
	test_options();
	test_output();
	test_list();
	return test_report();
}
