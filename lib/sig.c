/* sig.c - SIGINT/SIGTERM/SIGHUP recorded as a flag, see sig.h. */
#include "sig.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "osdl.h"

/* Signal state is process-wide by nature. */
static volatile sig_atomic_t caught;
static void (*emergency)(void);

static void on_signal(int signo)
{
	if (caught) {
		/* Second signal: the user does not want to wait for cleanup. */
		if (emergency)
			emergency();
		_exit(OSDL_EXIT_SIGNAL);
	}
	caught = signo;
}

void sig_install(void (*hook)(void))
{
	struct sigaction sa;
	emergency = hook;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: let read/write/sleep return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL); /* a closed terminal: clean up too */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

void sig_install_handler(void (*handler)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
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
