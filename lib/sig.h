/* sig.h - SIGINT/SIGTERM/SIGHUP as a flag: the handler only records the signal, so
 * the normal error paths (which clear server-side contexts and remove
 * temporary files) run to completion and the tool exits OSDL_EXIT_SIGNAL.
 *
 * libcurl transfers in progress abort through http.c's progress callback,
 * and sleeps (retry backoff) return early, once the flag is set.  A second
 * signal while cleaning up is taken as "stop now": the handler runs the
 * emergency hook (async-signal-safe: it may only unlink files) and _exits.
 */
#ifndef SIG_H
#define SIG_H

/* Installs the handlers for SIGINT, SIGTERM, SIGHUP (without SA_RESTART, so blocking
 * calls return EINTR) and ignores SIGPIPE (write errors are reported as EPIPE
 * instead).  HOOK, if not NULL, is called on a second signal before _exit. */
void sig_install(void (*hook)(void));

/* For a tool that cleans up inside the handler itself instead of polling
 * sig_caught(): installs HANDLER for SIGINT, SIGTERM, SIGHUP and SIGPIPE.
 * HANDLER must use only async-signal-safe calls and end the process. */
void sig_install_handler(void (*handler)(int));

/* The signal number that was caught, or 0. */
int sig_caught(void);

/* Sleeps SECONDS unless a signal arrives.  Returns 0, or -1 if interrupted
 * by SIGINT/SIGTERM (sig_caught() is then set). */
int sig_sleep(double seconds);

#endif
