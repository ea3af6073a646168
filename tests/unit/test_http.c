/* test_http.c - the retry classification, backoff bounds and engine facts
 * (no server: what a response means, not how it is fetched). */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "http.h"
#include "unit.h"

static struct http_resp resp(long status, int curl_code, const char *err)
{
	struct http_resp r;
	memset(&r, 0, sizeof r);
	r.status = status;
	r.curl_code = curl_code;
	r.retry_after_s = -1;
	snprintf(r.err, sizeof r.err, "%s", err);
	return r;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	static const struct {
		long status;
		int curl;
		const char *err;
		enum http_class want;
	} cases[] = {
		{ 200, CURLE_OK, "", HTTP_OK },
		{ 201, CURLE_OK, "", HTTP_OK },
		{ 429, CURLE_OK, "HTTP 429 es_rejected_execution_exception: rejected", HTTP_TRANSIENT },
		{ 429, CURLE_OK, "HTTP 429 circuit_breaking_exception: [parent] Data too large ... \"durability\":\"PERMANENT\"", HTTP_PERMANENT },
		{ 502, CURLE_OK, "", HTTP_TRANSIENT },
		{ 503, CURLE_OK, "", HTTP_TRANSIENT },
		{ 504, CURLE_OK, "", HTTP_TRANSIENT },
		{ 400, CURLE_OK, "", HTTP_PERMANENT },
		{ 401, CURLE_OK, "", HTTP_PERMANENT },
		{ 403, CURLE_OK, "", HTTP_PERMANENT },
		{ 404, CURLE_OK, "HTTP 404 search_context_missing_exception", HTTP_PERMANENT },
		{ 500, CURLE_OK, "", HTTP_PERMANENT },
		{ 0, CURLE_COULDNT_CONNECT, "", HTTP_TRANSIENT },
		{ 0, CURLE_OPERATION_TIMEDOUT, "", HTTP_TRANSIENT },
		{ 0, CURLE_RECV_ERROR, "", HTTP_TRANSIENT },
		{ 200, CURLE_PARTIAL_FILE, "", HTTP_TRANSIENT },
		{ 0, CURLE_GOT_NOTHING, "", HTTP_TRANSIENT },
		{ 0, CURLE_SSL_CONNECT_ERROR, "", HTTP_PERMANENT },
		{ 0, CURLE_PEER_FAILED_VERIFICATION, "", HTTP_PERMANENT },
		{ 0, CURLE_URL_MALFORMAT, "", HTTP_PERMANENT },
		{ 0, CURLE_ABORTED_BY_CALLBACK, "", HTTP_PERMANENT },
		{ 200, CURLE_WRITE_ERROR, "", HTTP_PERMANENT },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct http_resp r = resp(cases[i].status, cases[i].curl, cases[i].err);
		char d[160];
		snprintf(d, sizeof d, "classify status %ld curl %d %.40s", cases[i].status, cases[i].curl, cases[i].err);
		test_cond(d, http_classify(&r) == cases[i].want);
	}

	char err[256];
	struct http_opts o = { .url = "http://127.0.0.1:1", .max_retries = 3, .retry_base_s = 0.01, .retry_max_s = 0.04 };
	http *h = http_new(&o, err, sizeof err);
	test_cond("http_new", h != NULL);
	double t0 = now_s();
	int ok = 1;
	for (int a = 1; a <= 3; a++)
		ok &= http_backoff(h, a, -1) == 0;
	double waited = now_s() - t0;
	test_cond("backoff within budget", ok);
	test_cond("full jitter waits at most base*2^(n-1), capped", waited <= 0.01 + 0.02 + 0.04 + 0.05);
	test_cond("backoff past the budget", http_backoff(h, 4, -1) == -1);
	t0 = now_s();
	test_cond("Retry-After honoured", http_backoff(h, 1, 0.2) == 0 && now_s() - t0 >= 0.19);
	unsigned long reqs, retries;
	http_stats(h, &reqs, &retries, NULL);
	test_cond("retries counted", reqs == 0 && retries == 4);
	test_cond("base URL for logs", strcmp(http_base_url(h), "http://127.0.0.1:1") == 0);
	http_free(h);

	struct http_opts cred = { .url = "http://user:pw@127.0.0.1:1/" };
	h = http_new(&cred, err, sizeof err);
	test_cond("credentials never in the logged URL", h && strcmp(http_base_url(h), "http://127.0.0.1:1") == 0);
	http_free(h);
	struct http_opts bad = { .url = "file:///etc/passwd" };
	test_cond("only http(s) URLs", http_new(&bad, err, sizeof err) == NULL && strstr(err, "http://"));

	static const struct {
		enum engine_dist dist;
		const char *version;
		int pit, shard_doc;
	} engines[] = {
		{ ENGINE_OPENSEARCH, "1.3.13", 0, 0 },
		{ ENGINE_OPENSEARCH, "2.3.0", 0, 0 },
		{ ENGINE_OPENSEARCH, "2.4.0", 1, 0 },
		{ ENGINE_OPENSEARCH, "2.19.1", 1, 0 },
		{ ENGINE_OPENSEARCH, "3.3.0", 1, 1 },
		{ ENGINE_ELASTICSEARCH, "7.9.3", 0, 0 },
		{ ENGINE_ELASTICSEARCH, "7.10.2", 1, 0 },
		{ ENGINE_ELASTICSEARCH, "7.12.0", 1, 1 },
		{ ENGINE_ELASTICSEARCH, "8.15.0", 1, 1 },
	};
	for (size_t i = 0; i < sizeof engines / sizeof engines[0]; i++) {
		struct engine e;
		char d[120];
		engine_from_version(&e, engines[i].dist, engines[i].version);
		/* The method table: auto takes PIT only where a unique tie-breaker
		 * exists and the PIT path was run here (OpenSearch). */
		enum engine_method want = engines[i].shard_doc && engines[i].dist == ENGINE_OPENSEARCH
						  ? ENGINE_PIT : ENGINE_SCROLL;
		snprintf(d, sizeof d, "engine %s: pit %d, shard_doc %d, %s", e.name, engines[i].pit,
			 engines[i].shard_doc, engine_method_name(want));
		test_cond(d, e.has_pit == engines[i].pit && e.has_shard_doc == engines[i].shard_doc &&
			  e.method == want);
		char why[300] = "";
		int rc = engine_choose_method(&e, ENGINE_WANT_PIT, why, sizeof why);
		snprintf(d, sizeof d, "engine %s: --method pit %s", e.name,
			 engines[i].shard_doc ? "accepted" : "refused with the reason");
		test_cond(d, engines[i].shard_doc ? rc == 0 && e.method == ENGINE_PIT
						  : rc == -1 && strstr(why, "_shard_doc") && strstr(why, e.name));
		test_cond("--method scroll is always accepted",
			  engine_choose_method(&e, ENGINE_WANT_SCROLL, why, sizeof why) == 0 &&
			  e.method == ENGINE_SCROLL);
	}
	test_cond("method names parse", engine_parse_want("auto") == ENGINE_WANT_AUTO &&
		  engine_parse_want("scroll") == ENGINE_WANT_SCROLL &&
		  engine_parse_want("pit") == ENGINE_WANT_PIT && engine_parse_want("PIT") == -1);
	struct engine e;
	char buf[256];
	engine_from_version(&e, ENGINE_OPENSEARCH, "2.19.1");
	test_cond("scroll start path, odd index name encoded",
		  engine_scroll_start_path(&e, "logs#1?", "2m", "hits.total", buf, sizeof buf) &&
		  strcmp(buf, "/logs%231%3F/_search?scroll=2m&filter_path=hits.total") == 0);
	test_cond("path that does not fit", engine_scroll_start_path(&e, "logs", "2m", NULL, buf, 8) == 0);
	char *b = engine_scroll_next_body(&e, "1m", "ab\"c");
	test_cond("scroll body escapes the id", b && strcmp(b, "{\"scroll\":\"1m\",\"scroll_id\":\"ab\\\"c\"}") == 0);
	free(b);
	b = engine_scroll_clear_body(&e, "xyz");
	test_cond("clear body", b && strcmp(b, "{\"scroll_id\":[\"xyz\"]}") == 0);
	free(b);

	/* PIT endpoints, per distribution. */
	engine_from_version(&e, ENGINE_OPENSEARCH, "3.3.2");
	test_cond("OpenSearch PIT open path", engine_pit_open_path(&e, "logs-1", "2m", buf, sizeof buf) &&
		  strcmp(buf, "/logs-1/_search/point_in_time?keep_alive=2m") == 0 &&
		  strcmp(engine_pit_id_key(&e), "pit_id") == 0);
	test_cond("PIT search path has no index", engine_pit_search_path(&e, "hits.hits.sort", buf, sizeof buf) &&
		  strcmp(buf, "/_search?filter_path=hits.hits.sort") == 0);
	test_cond("OpenSearch PIT sort names _shard_doc",
		  engine_pit_sort(&e, "\"@timestamp\"", 1, buf, sizeof buf) &&
		  strcmp(buf, "[{\"@timestamp\":{\"order\":\"asc\",\"unmapped_type\":\"date\"}},{\"_shard_doc\":\"asc\"}]") == 0);
	test_cond("unsorted PIT sort", engine_pit_sort(&e, "\"t\"", 0, buf, sizeof buf) &&
		  strcmp(buf, "[\"_shard_doc\"]") == 0);
	b = engine_pit_member(&e, "p\"1", "1m");
	test_cond("pit member escapes the id", b && strcmp(b, ",\"pit\":{\"id\":\"p\\\"1\",\"keep_alive\":\"1m\"}") == 0);
	free(b);
	b = engine_pit_close_body(&e, "p1");
	test_cond("OpenSearch PIT close", b && strcmp(b, "{\"pit_id\":[\"p1\"]}") == 0 &&
		  strcmp(engine_pit_close_path(&e), "/_search/point_in_time") == 0);
	free(b);
	engine_from_version(&e, ENGINE_ELASTICSEARCH, "8.15.0");
	test_cond("Elasticsearch PIT open path", engine_pit_open_path(&e, "logs-1", "2m", buf, sizeof buf) &&
		  strcmp(buf, "/logs-1/_pit?keep_alive=2m") == 0 && strcmp(engine_pit_id_key(&e), "id") == 0);
	b = engine_pit_close_body(&e, "p1");
	test_cond("Elasticsearch PIT close", b && strcmp(b, "{\"id\":\"p1\"}") == 0 &&
		  strcmp(engine_pit_close_path(&e), "/_pit") == 0);
	free(b);
	test_cond("Elasticsearch: implicit _shard_doc", engine_pit_sort(&e, "\"t\"", 1, buf, sizeof buf) &&
		  !strstr(buf, "_shard_doc"));
	return test_report();
}
