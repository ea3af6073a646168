/* test_cli.c - unit tests of lib/cli: numbers, sizes and the shared options. */
#include "cli.h"
#include "log.h"
#include "osdl.h"
#include "unit.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
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

int main(void)
{
	log_init("test_cli");
	test_ints();
	test_sizes();
	test_options();
	test_output();
	return test_report();
}
