/* sig.c - SIGINT/SIGTERM/SIGHUP recorded as a flag, see sig.h. */
#include "sig.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "osdl.h"
#include "publish.h"

/* Signal state is process-wide by nature. */
static volatile sig_atomic_t caught;
static volatile sig_atomic_t graceful;

static void on_signal(int signo)
{
	if (graceful && !caught) {
		caught = signo;
		return;
	}
	/* At once, or a second signal: the user does not want to wait. */
	publish_emergency_cleanup();
	if (signo == SIGPIPE) {
		/* Die of it, as a filter should: default action, then unblock
		 * it (a handler runs with its own signal blocked). */
		sigset_t pipe;
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&pipe);
		sigaddset(&pipe, SIGPIPE);
		raise(SIGPIPE);
		sigprocmask(SIG_UNBLOCK, &pipe, NULL);
	}
	_exit(OSDL_EXIT_SIGNAL);
}

void sig_install(enum sig_mode mode)
{
	struct sigaction sa;
	graceful = mode == SIG_GRACEFUL;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: let read/write/sleep return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL); /* a closed terminal: clean up too */
	if (mode == SIG_GRACEFUL)
		sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int sig_caught(void) { return caught; }

int sig_sleep(double seconds)
{
	struct timespec ts, rem;
	if (seconds < 0)
		seconds = 0;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (!caught && nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
	return caught ? -1 : 0;
}
