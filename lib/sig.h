/* sig.h - the one signal strategy of every osdl tool.
 *
 * Every temporary file or directory a tool makes is on publish.h's cleanup
 * list, and every tool installs the same handler with sig_install():
 *
 *   SIG_AT_ONCE   (osplan, osmerge, osdown: nothing outside this machine to
 *                 release) SIGINT, SIGTERM or SIGHUP removes every temporary
 *                 file on the list and exits OSDL_EXIT_SIGNAL at once; SIGPIPE
 *                 (a reader such as head went away) removes them too and
 *                 the tool then dies of SIGPIPE, as a filter should.
 *   SIG_GRACEFUL  (osfetch: a scroll or PIT on the server to clear) the
 *                 first signal is only recorded: transfers abort through
 *                 http.c's progress callback, sleeps return early, and the
 *                 normal error paths clear the server context, remove the
 *                 temporary files and exit OSDL_EXIT_SIGNAL.  A second signal
 *                 is taken as "stop now": cleanup list, then _exit.  SIGPIPE
 *                 is ignored (writes fail with EPIPE instead).
 */
#ifndef SIG_H
#define SIG_H

enum sig_mode { SIG_AT_ONCE, SIG_GRACEFUL };

/* Installs the handler for SIGINT, SIGTERM, SIGHUP (without SA_RESTART, so
 * blocking calls return EINTR) and SIGPIPE. */
void sig_install(enum sig_mode mode);

/* The signal number that was caught (SIG_GRACEFUL), or 0. */
int sig_caught(void);

/* Sleeps SECONDS unless a signal arrives.  Returns 0, or -1 if interrupted
 * by SIGINT/SIGTERM (sig_caught() is then set). */
int sig_sleep(double seconds);

#endif
