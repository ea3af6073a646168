/* http.c - the one HTTP client of osdl on libcurl, see http.h.
 *
 * (Over 600 lines: authentication, SigV4, retries with backoff and error
 * classification belong to the one request path every tool shares.) */
#include "http.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "errbuf.h"
#include "jstr.h"
#include "log.h"
#include "osdl.h"
#include "sig.h"

#define ERRBODY_MAX (64 * 1024)       /* non-2xx body kept for the message */
#define JSON_MAX (256u * 1024 * 1024) /* http_json() response cap */
#define RETRY_AFTER_MAX 300.0         /* longest Retry-After we honour */

struct http {
	CURL *curl;
	struct curl_slist *headers;
	char *base;       /* base URL without trailing '/', may hold user:pass@ */
	char *base_log;   /* same, credentials removed */
	char *url;        /* scratch: base + path */
	size_t url_cap;
	char *password;   /* from OS_PASSWORD_FILE, wiped at free */
	struct http_opts o;
	unsigned long long rng;
	unsigned long requests, retries;
	unsigned long long bytes;
	int cleanup;
	char curl_err[CURL_ERROR_SIZE];

	/* per request */
	http_sink sink;
	void *ud;
	int sink_aborted;
	struct http_resp *resp;
	char *errbody;
	size_t errlen;
};

static int curl_ready;

static size_t on_header(char *buf, size_t size, size_t n, void *ud)
{
	http *h = ud;
	size_t len = size * n;
	if (len > 5 && strncasecmp(buf, "HTTP/", 5) == 0) {
		/* A new response (e.g. after 100 Continue): forget the last one. */
		h->resp->retry_after_s = -1;
	} else if (len > 12 && strncasecmp(buf, "Retry-After:", 12) == 0) {
		char v[128];
		size_t k = len - 12 < sizeof v - 1 ? len - 12 : sizeof v - 1;
		memcpy(v, buf + 12, k);
		v[k] = '\0';
		v[strcspn(v, "\r\n")] = '\0';
		char *s = v + strspn(v, " \t"), *end;
		double d = strtod(s, &end);
		if (end != s && *end == '\0' && d >= 0) {
			h->resp->retry_after_s = d;
		} else {
			time_t t = curl_getdate(s, NULL); /* HTTP-date form */
			if (t != (time_t)-1)
				h->resp->retry_after_s = t > time(NULL) ? (double)(t - time(NULL)) : 0;
		}
	}
	return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *ud)
{
	http *h = ud;
	size_t len = size * n;
	long status = 0;
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status < 300) {
		h->resp->body_bytes += len;
		if (h->sink && h->sink(buf, len, h->ud) != 0) {
			h->sink_aborted = 1;
			return 0; /* CURLE_WRITE_ERROR */
		}
		return len;
	}
	/* Error body: keep the start, it holds error.type and error.reason. */
	size_t room = ERRBODY_MAX - h->errlen;
	size_t k = len < room ? len : room;
	memcpy(h->errbody + h->errlen, buf, k);
	h->errlen += k;
	return len;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	http *h = ud;
	return !h->cleanup && sig_caught() != 0; /* non-zero aborts the transfer */
}

/* Called each time libcurl is about to send the request. */
static int on_prereq(void *ud, char *conn_primary_ip, char *conn_local_ip,
		     int conn_primary_port, int conn_local_port)
{
	http *h = ud;
	h->resp->sends++;
	return CURL_PREREQFUNC_OK;
}

static void set_err(struct http_resp *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_err(struct http_resp *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
}

/* Appends to R's error the request it came from, " [GET URL]" with the
 * credentials removed, and NOTE if any: so a wrong OS_URL or a proxy in the
 * way is named in the one line the user sees. */
static void add_endpoint(const http *h, struct http_resp *r, const char *method, const char *path,
			 const char *note)
{
	size_t o = strlen(r->err);
	if (o < sizeof r->err - 1)
		snprintf(r->err + o, sizeof r->err - o, " [%s %s%s%s%s%s]", method, h->base_log,
			 path[0] == '/' ? "" : "/", path, note ? "; " : "", note ? note : "");
}

/* Whether BODY (N bytes) cannot be an engine's JSON answer at all: its first
 * non-blank byte opens no object or array (an HTML page, plain text). */
static int not_json(const char *body, size_t n)
{
	size_t i = 0;
	while (i < n && body[i] && strchr(" \t\r\n", body[i]))
		i++;
	return i < n && body[i] != '{' && body[i] != '[';
}

#define NOT_ENGINE "not an OpenSearch or Elasticsearch answer: check OS_URL"

/* Fills resp->err/err_type from an engine error body:
 * {"error":{"type":..,"reason":..,"root_cause":[..]},"status":N}
 * or {"error":"text"} (old engines), or anything else (first bytes). */
static void parse_error_body(http *h)
{
	struct http_resp *r = h->resp;
	char tmp[200];
	h->errbody[h->errlen] = '\0';
	yajl_val root = jstr_too_deep(h->errbody, h->errlen, OSDL_MAX_DEPTH) ? NULL : yajl_tree_parse(h->errbody, NULL, 0);
	const char *type = NULL, *reason = NULL;
	if (root && YAJL_IS_OBJECT(root)) {
		const char *pe[] = { "error", NULL };
		yajl_val e = yajl_tree_get(root, pe, yajl_t_any);
		if (e && YAJL_IS_STRING(e)) {
			reason = YAJL_GET_STRING(e);
		} else if (e && YAJL_IS_OBJECT(e)) {
			const char *pt[] = { "type", NULL }, *pr[] = { "reason", NULL };
			const char *prc[] = { "root_cause", NULL };
			yajl_val t = yajl_tree_get(e, pt, yajl_t_string);
			yajl_val rs = yajl_tree_get(e, pr, yajl_t_string);
			yajl_val rc = yajl_tree_get(e, prc, yajl_t_array);
			type = t ? YAJL_GET_STRING(t) : NULL;
			reason = rs ? YAJL_GET_STRING(rs) : NULL;
			/* "all shards failed" says little; the root cause says why. */
			if (rc && YAJL_GET_ARRAY(rc)->len > 0 && YAJL_IS_OBJECT(YAJL_GET_ARRAY(rc)->values[0])) {
				yajl_val c = YAJL_GET_ARRAY(rc)->values[0];
				yajl_val ct = yajl_tree_get(c, pt, yajl_t_string);
				yajl_val cr = yajl_tree_get(c, pr, yajl_t_string);
				const char *cts = ct ? YAJL_GET_STRING(ct) : NULL;
				const char *crs = cr ? YAJL_GET_STRING(cr) : NULL;
				if (cts && crs && type && strcmp(cts, type) != 0) {
					type = cts;
					reason = crs;
				}
			}
		}
		/* 404 on DELETE scroll/pit: {"succeeded":true,"num_freed":0} etc. */
	}
	snprintf(r->err_type, sizeof r->err_type, "%s", type ? type : "");
	if (type || reason) {
		set_err(r, "HTTP %ld %s%s%s", r->status, type ? type : "",
			type && reason ? ": " : "", reason ? reason : "");
	} else {
		/* Not JSON (a proxy's page): show its first line, printable only. */
		size_t k = 0;
		for (size_t i = 0; i < h->errlen && k < sizeof tmp - 1; i++) {
			unsigned char c = (unsigned char)h->errbody[i];
			if (c == '\n' || c == '\r') {
				if (k)
					break;
				continue;
			}
			tmp[k++] = c < 32 || c == 127 ? ' ' : (char)c;
		}
		tmp[k] = '\0';
		set_err(r, "HTTP %ld%s%s", r->status, k ? ": " : "", tmp);
	}
	yajl_tree_free(root);
}

static char *read_secret_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	if (!f) {
		errbuf_fail(err, errlen, -1, "OS_PASSWORD_FILE %s: %s", path, strerror(errno));
		return NULL;
	}
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		errbuf_fail(err, errlen, -1, "OS_PASSWORD_FILE %s: read error", path);
		return NULL;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0'; /* the first line is the password */
	char *p = strdup(buf);
	memset(buf, 0, sizeof buf);
	if (!p)
		errbuf_fail(err, errlen, -1, "out of memory");
	return p;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* Adds a header; returns -1 on ENOMEM. */
static int add_header(http *h, const char *line)
{
	struct curl_slist *l = curl_slist_append(h->headers, line);
	if (!l)
		return -1;
	h->headers = l;
	return 0;
}

http *http_new(const struct http_opts *opts, char *err, size_t errlen)
{
	http *h = calloc(1, sizeof *h);
	char line[4200];
	const char *v;
	if (!h) {
		errbuf_fail(err, errlen, -1, "out of memory");
		return NULL;
	}
	if (opts)
		h->o = *opts;
	if (!h->o.url)
		h->o.url = env("OS_URL") ? env("OS_URL") : "http://127.0.0.1:9200";
	if (!h->o.aws_service)
		h->o.aws_service = "es";
	if (h->o.connect_timeout_s <= 0)
		h->o.connect_timeout_s = 10;
	if (h->o.timeout_s <= 0)
		h->o.timeout_s = 300;
	if (h->o.max_retries == 0)
		h->o.max_retries = 8;
	else if (h->o.max_retries < 0)
		h->o.max_retries = 0; /* explicitly none */
	if (h->o.retry_base_s <= 0)
		h->o.retry_base_s = 0.5;
	if (h->o.retry_max_s <= 0)
		h->o.retry_max_s = 30;
	h->rng = (unsigned long long)getpid() * 0x9E3779B97F4A7C15ull ^ (unsigned long long)time(NULL);

	if (strncmp(h->o.url, "http://", 7) != 0 && strncmp(h->o.url, "https://", 8) != 0) {
		char red[512];
		log_redact_url(h->o.url, red, sizeof red);
		errbuf_fail(err, errlen, -1, "OS_URL must start with http:// or https://: %s", red);
		goto fail;
	}
	h->base = strdup(h->o.url);
	h->base_log = malloc(strlen(h->o.url) + 1);
	if (!h->base || !h->base_log) {
		errbuf_fail(err, errlen, -1, "out of memory");
		goto fail;
	}
	size_t bl = strlen(h->base);
	while (bl > 0 && h->base[bl - 1] == '/')
		h->base[--bl] = '\0';
	log_redact_url(h->base, h->base_log, strlen(h->o.url) + 1);

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			errbuf_fail(err, errlen, -1, "libcurl initialisation failed");
			goto fail;
		}
		curl_ready = 1;
	}
	h->curl = curl_easy_init();
	if (!h->curl) {
		errbuf_fail(err, errlen, -1, "libcurl initialisation failed");
		goto fail;
	}
	CURL *c = h->curl;
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->curl_err);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, h->o.connect_timeout_s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, h->o.timeout_s);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(c, CURLOPT_PREREQDATA, h);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "osdl/" OSDL_VERSION);
	/* Big pages: a larger receive buffer means fewer callbacks. */
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);

	if (h->o.insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if ((v = env("OS_CACERT"))) {
		if (access(v, R_OK) != 0) {
			errbuf_fail(err, errlen, -1, "OS_CACERT %s: %s", v, strerror(errno));
			goto fail;
		}
		curl_easy_setopt(c, CURLOPT_CAINFO, v);
	}

	if (add_header(h, "Content-Type: application/json") || add_header(h, "Expect:"))
		goto nomem;

	if (h->o.aws_region) {
		const char *id = env("AWS_ACCESS_KEY_ID"), *secret = env("AWS_SECRET_ACCESS_KEY");
		if (!id || !secret) {
			errbuf_fail(err, errlen, -1, "--aws-region needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
			goto fail;
		}
		snprintf(line, sizeof line, "aws:amz:%s:%s", h->o.aws_region, h->o.aws_service);
		curl_easy_setopt(c, CURLOPT_AWS_SIGV4, line);
		curl_easy_setopt(c, CURLOPT_USERNAME, id);
		curl_easy_setopt(c, CURLOPT_PASSWORD, secret);
		if ((v = env("AWS_SESSION_TOKEN"))) {
			snprintf(line, sizeof line, "x-amz-security-token: %s", v);
			int bad = add_header(h, line);
			memset(line, 0, sizeof line);
			if (bad)
				goto nomem;
		}
	} else if ((v = env("OS_API_KEY"))) {
		snprintf(line, sizeof line, "Authorization: ApiKey %s", v);
		int bad = add_header(h, line);
		memset(line, 0, sizeof line);
		if (bad)
			goto nomem;
	} else if ((v = env("OS_USER"))) {
		const char *pw = env("OS_PASSWORD");
		const char *pwfile = env("OS_PASSWORD_FILE");
		if (pwfile) {
			h->password = read_secret_file(pwfile, err, errlen);
			if (!h->password)
				goto fail;
			pw = h->password;
		}
		if (!pw) {
			errbuf_fail(err, errlen, -1, "OS_USER is set but neither OS_PASSWORD nor OS_PASSWORD_FILE");
			goto fail;
		}
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, v);
		curl_easy_setopt(c, CURLOPT_PASSWORD, pw);
	} else if ((v = env("OS_NETRC"))) {
		if (access(v, R_OK) != 0) {
			errbuf_fail(err, errlen, -1, "OS_NETRC %s: %s", v, strerror(errno));
			goto fail;
		}
		curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_REQUIRED);
		curl_easy_setopt(c, CURLOPT_NETRC_FILE, v);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
	return h;
nomem:
	errbuf_fail(err, errlen, -1, "out of memory");
fail:
	http_free(h);
	return NULL;
}

void http_free(http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	/* The slist may hold the API key or session token: wipe it. */
	for (struct curl_slist *l = h->headers; l; l = l->next)
		memset(l->data, 0, strlen(l->data));
	curl_slist_free_all(h->headers);
	if (h->password) {
		memset(h->password, 0, strlen(h->password));
		free(h->password);
	}
	free(h->base);
	free(h->base_log);
	free(h->url);
	free(h->errbody);
	free(h);
}

const char *http_base_url(const http *h) { return h->base_log; }

int http_interrupted(void) { return sig_caught() != 0; }

void http_set_cleanup(http *h, int on)
{
	h->cleanup = on;
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT, on && h->o.timeout_s > 10 ? 10L : h->o.timeout_s);
}


void http_stats(const http *h, unsigned long *requests, unsigned long *retries,
		unsigned long long *bytes)
{
	if (requests)
		*requests = h->requests;
	if (retries)
		*retries = h->retries;
	if (bytes)
		*bytes = h->bytes;
}

int http_request(http *h, const char *method, const char *path, const char *body,
		 http_sink sink, void *ud, struct http_resp *resp)
{
	CURL *c = h->curl;
	memset(resp, 0, sizeof *resp);
	resp->retry_after_s = -1;
	if (sig_caught() && !h->cleanup) {
		resp->curl_code = CURLE_ABORTED_BY_CALLBACK;
		set_err(resp, "interrupted");
		return -1;
	}
	size_t need = strlen(h->base) + strlen(path) + 2;
	if (need > h->url_cap) {
		char *u = realloc(h->url, need);
		if (!u) {
			set_err(resp, "out of memory");
			resp->curl_code = CURLE_OUT_OF_MEMORY;
			return -1;
		}
		h->url = u;
		h->url_cap = need;
	}
	snprintf(h->url, need, "%s%s%s", h->base, path[0] == '/' ? "" : "/", path);
	if (!h->errbody && !(h->errbody = malloc(ERRBODY_MAX + 1))) {
		set_err(resp, "out of memory");
		resp->curl_code = CURLE_OUT_OF_MEMORY;
		return -1;
	}
	h->sink = sink;
	h->ud = ud;
	h->sink_aborted = 0;
	h->resp = resp;
	h->errlen = 0;
	h->curl_err[0] = '\0';

	/* HTTPGET resets any body of the previous request on this handle. */
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
			 strcmp(method, "GET") == 0 || strcmp(method, "POST") == 0 ? NULL : method);
	if (!body && strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	}
	curl_easy_setopt(c, CURLOPT_URL, h->url);

	double t0 = log_now_s();
	CURLcode rc = curl_easy_perform(c);
	resp->seconds = log_now_s() - t0;
	h->requests++;
	h->bytes += resp->body_bytes;
	resp->curl_code = (int)rc;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	if (log_get_level() >= LOG_FULL) {
		char red[1024];
		long conns = 0;
		curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &conns);
		log_redact_url(h->url, red, sizeof red);
		log_msg(LOG_FULL, "%s %s -> %ld (%d) %.3fs %llu bytes, %s connection", method, red,
			resp->status, (int)rc, resp->seconds, resp->body_bytes,
			conns ? "new" : "reused");
	}
	if (rc != CURLE_OK) {
		if (rc == CURLE_ABORTED_BY_CALLBACK && sig_caught())
			set_err(resp, "interrupted by signal %d", sig_caught());
		else if (h->sink_aborted)
			set_err(resp, "response processing stopped");
		else {
			set_err(resp, "%s", h->curl_err[0] ? h->curl_err : curl_easy_strerror(rc));
			add_endpoint(h, resp, method, path, NULL);
		}
		return -1;
	}
	if (resp->status < 200 || resp->status >= 300) {
		parse_error_body(h);
		add_endpoint(h, resp, method, path, resp->err_type[0] || !not_json(h->errbody, h->errlen) ? NULL : NOT_ENGINE);
		return -1;
	}
	return 0;
}

enum http_class http_classify(const struct http_resp *r)
{
	if (r->curl_code == CURLE_OK) {
		if (r->status >= 200 && r->status < 300)
			return HTTP_OK;
		if (r->status == 429) {
			/* A circuit breaker that says PERMANENT will not clear by waiting;
			 * that shows only in the reason text ("durability":"PERMANENT"). */
			return strstr(r->err, "PERMANENT") ? HTTP_PERMANENT : HTTP_TRANSIENT;
		}
		if (r->status == 502 || r->status == 503 || r->status == 504)
			return HTTP_TRANSIENT;
		return HTTP_PERMANENT;
	}
	switch ((CURLcode)r->curl_code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_HTTP3:
		return HTTP_TRANSIENT;
	default:
		/* TLS failures, bad URL, login denied, signal, sink abort: waiting
		 * does not help. */
		return HTTP_PERMANENT;
	}
}

/* xorshift64*: jitter needs no quality, only no shared global state. */
static double rnd01(http *h)
{
	h->rng ^= h->rng >> 12;
	h->rng ^= h->rng << 25;
	h->rng ^= h->rng >> 27;
	return (double)((h->rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

int http_backoff(http *h, int attempt, double retry_after_s)
{
	if (attempt > h->o.max_retries || sig_caught())
		return -1;
	double wait;
	if (retry_after_s >= 0) {
		wait = retry_after_s > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : retry_after_s;
	} else {
		double cap = h->o.retry_base_s;
		for (int i = 1; i < attempt && cap < h->o.retry_max_s; i++)
			cap *= 2;
		if (cap > h->o.retry_max_s)
			cap = h->o.retry_max_s;
		wait = cap * rnd01(h); /* full jitter: spreads a herd of processes */
	}
	h->retries++;
	log_msg(LOG_EXTRA, "retry %d/%d in %.2fs", attempt, h->o.max_retries, wait);
	return sig_sleep(wait);
}

/* Growing buffer for http_json(). */
struct jbuf {
	char *p;
	size_t len, cap;
};

static int jbuf_sink(const char *data, size_t n, void *ud)
{
	struct jbuf *b = ud;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > JSON_MAX)
			return -1;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

int http_json(http *h, const char *method, const char *path, const char *body,
	      yajl_val *out, struct http_resp *resp)
{
	struct jbuf b = { NULL, 0, 0 };
	int rc = OSDL_EXIT_FAIL;
	*out = NULL;
	for (int attempt = 1;; attempt++) {
		b.len = 0;
		if (http_request(h, method, path, body, jbuf_sink, &b, resp) == 0 && b.len == 0) {
			/* An empty 2xx body: the sink never ran (this was a NULL
			 * dereference); no engine answers so. */
			set_err(resp, "empty response");
			add_endpoint(h, resp, method, path, NOT_ENGINE);
			resp->curl_code = CURLE_WEIRD_SERVER_REPLY;
		} else if (resp->curl_code == CURLE_OK && resp->status >= 200 && resp->status < 300) {
			char perr[256] = "nested deeper than " OSDL_MAX_DEPTH_TEXT " levels";
			b.p[b.len] = '\0';
			/* Never hand yajl's recursive tree a hostile depth. */
			int deep = jstr_too_deep(b.p, b.len, OSDL_MAX_DEPTH);
			if (!deep)
				*out = yajl_tree_parse(b.p, perr, sizeof perr);
			if (*out) {
				rc = 0;
				goto out;
			}
			/* A 2xx body that does not parse was cut short somewhere
			 * (try again), unless it was never JSON at all: then the
			 * server is something else, which waiting will not change. */
			int alien = deep || not_json(b.p, b.len);
			perr[strcspn(perr, "\r\n")] = '\0';
			set_err(resp, "invalid JSON in response: %s", perr);
			add_endpoint(h, resp, method, path, alien ? NOT_ENGINE : NULL);
			resp->curl_code = alien ? CURLE_WEIRD_SERVER_REPLY : CURLE_PARTIAL_FILE;
		}
		if (sig_caught()) {
			rc = OSDL_EXIT_SIGNAL;
			goto out;
		}
		if (http_classify(resp) == HTTP_PERMANENT) {
			rc = resp->curl_code == CURLE_WRITE_ERROR ? OSDL_EXIT_FAIL : OSDL_EXIT_SERVER;
			if (rc == OSDL_EXIT_FAIL)
				set_err(resp, "response too large or out of memory");
			goto out;
		}
		log_msg(LOG_EXTRA, "%s %s: %s", method, path, resp->err);
		if (http_backoff(h, attempt, resp->retry_after_s) != 0) {
			rc = sig_caught() ? OSDL_EXIT_SIGNAL : OSDL_EXIT_RETRIES;
			goto out;
		}
	}
out:
	free(b.p);
	return rc;
}
