/* http.h - the one HTTP client of osdl, on libcurl: one keep-alive
 * connection per process, authentication and TLS from the environment,
 * streaming response bodies, and the single retry layer.
 *
 * Environment (read by http_new; secrets are only ever read from here or
 * from files, never from argv, and never logged):
 *   OS_URL            base URL (default http://127.0.0.1:9200)
 *   OS_USER, OS_PASSWORD   basic auth;  OS_PASSWORD_FILE reads the password
 *   OS_NETRC          netrc file for basic auth
 *   OS_API_KEY        "Authorization: ApiKey ..." (id:key base64 as issued)
 *   OS_CACERT         CA bundle for TLS verification (on by default)
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN  for SigV4
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

typedef struct http http;

struct http_opts {
	const char *url;        /* NULL: $OS_URL, else http://127.0.0.1:9200 */
	int insecure;           /* 1: skip TLS verification (--insecure) */
	const char *aws_region; /* non-NULL: sign requests with AWS SigV4 */
	const char *aws_service;/* default "es" */
	long connect_timeout_s; /* 0: 10 s */
	long timeout_s;         /* whole request; 0: 300 s */
	/* retry budget for http_json() and callers using retry_*() */
	int max_retries;        /* 0: 8, < 0: none */
	double retry_base_s;    /* 0: 0.5 s, doubled each try, with jitter */
	double retry_max_s;     /* 0: 30 s cap on one wait */
};

/* Result of one request: what the server (or the transfer) answered, which
 * the retry layer classifies.  Its err is part of that answer, like status;
 * callers put it into their own (err, errlen) line (errbuf.h), e.g.
 * "counting logs-1: HTTP 404 index_not_found_exception: no such index". */
struct http_resp {
	long status;          /* HTTP status, 0 if none was received */
	int curl_code;        /* CURLcode, 0 on transfer success */
	double retry_after_s; /* Retry-After header value, -1 if absent */
	char err[512];        /* one-line reason on failure: curl error, or the
	                         server's error type and reason */
	char err_type[128];   /* the server's error.type ("" if none), e.g.
	                         "search_context_missing_exception" */
	double seconds;       /* time the request took */
	unsigned long long body_bytes; /* 2xx body bytes passed to the sink */
	int sends;            /* times libcurl sent the request: > 1 when it
	                         silently re-sent it on a new connection after a
	                         reused one died, which for a non-idempotent
	                         request (a scroll page) means a lost response */
};

/* Receives response body bytes as they arrive; returns 0 to continue or
 * non-zero to abort the transfer. */
typedef int (*http_sink)(const char *data, size_t n, void *ud);

/* Creates the client.  Returns NULL with a reason in ERR (bad URL, unreadable
 * password file, libcurl failure). */
http *http_new(const struct http_opts *opts, char *err, size_t errlen);
void http_free(http *h); /* NULL is fine */

/* Base URL with any credentials removed, for logs. */
const char *http_base_url(const http *h);

/* One request, no retry.  PATH includes the query string ("/_search?x=1").
 * BODY is JSON or NULL.  Non-2xx bodies are captured (up to 64 KiB) to fill
 * resp->err and are not passed to SINK.  Returns 0 if a 2xx response was
 * received completely, -1 otherwise (details in RESP). */
int http_request(http *h, const char *method, const char *path, const char *body,
		 http_sink sink, void *ud, struct http_resp *resp);

/* A small JSON request with retries (idempotent requests only): parses the
 * 2xx body into *OUT (caller frees with yajl_tree_free).  Returns 0, or an
 * osdl exit code: OSDL_EXIT_SERVER (permanent error), OSDL_EXIT_RETRIES
 * (transient errors past the budget), OSDL_EXIT_SIGNAL; RESP says why. */
int http_json(http *h, const char *method, const char *path, const char *body,
	      yajl_val *out, struct http_resp *resp);

/* The retry layer, shared by http_json() and osfetch's page loop. */
enum http_class { HTTP_OK, HTTP_TRANSIENT, HTTP_PERMANENT };
/* 429, 502, 503, 504, connection failures, timeouts, truncated bodies are
 * transient; 404 search_context_missing is reported as permanent here (the
 * caller restarts the chunk); other 4xx permanent. */
enum http_class http_classify(const struct http_resp *resp);
/* Sleeps before try number ATTEMPT (1-based) with exponential backoff and
 * full jitter, or RETRY_AFTER seconds when >= 0.  Returns 0, or -1 when the
 * retry budget is exhausted or a signal asked us to stop. */
int http_backoff(http *h, int attempt, double retry_after_s);

/* Set by SIGINT/SIGTERM handlers (see sig.h); in-flight transfers abort. */
int http_interrupted(void);

/* Cleanup mode (ON=1): requests ignore the signal flag and take at most
 * 10 s, so that contexts can still be cleared after SIGINT/SIGTERM. */
void http_set_cleanup(http *h, int on);


/* Requests made, retries slept and 2xx body bytes received so far. */
void http_stats(const http *h, unsigned long *requests, unsigned long *retries,
		unsigned long long *bytes);

#endif
