/* planner.c - from pattern, range and query to the chunk plan, see planner.h. */
#include "planner.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "errbuf.h"
#include "esc.h"
#include "http.h"
#include "log.h"
#include "osdl.h"
#include "plansrv.h"
#include "query.h"

/* OpenSearch's index.max_slices_per_scroll default. */
#define PLANNER_MAX_SLICES 1024

/* Everything one planning run owns, freed in one place. */
struct run {
	const struct planner_opts *o;
	struct planner_result *res;
	query *q;
	http *h;
	plansrv_names *names;
	struct plan pieces, chunks;
	char **missing;
	size_t nmissing;
	size_t nhot; /* milliseconds above target_docs, sliced */
	FILE *drift;      /* --drift: the lines, else NULL */
	char dfield[ESC_DISPLAY_MAX], dline[2048]; /* the drifting field being logged */
	char *err;
	size_t errlen;
};

static int note_missing(struct run *r, const char *name)
{
	if (r->nmissing && strcmp(r->missing[r->nmissing - 1], name) == 0)
		return 0;
	char **m = realloc(r->missing, (r->nmissing + 1) * sizeof *m);
	if (!m)
		return -1;
	r->missing = m;
	if (!(m[r->nmissing] = strdup(name)))
		return -1;
	r->nmissing++;
	return 0;
}

static void report_missing(const struct run *r)
{
	char list[1024] = "";
	size_t o = 0;
	if (!r->nmissing)
		return;
	for (size_t i = 0; i < r->nmissing && o < sizeof list - 1; i++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", r->missing[i]);
	if (o >= sizeof list - 1)
		strcpy(list + sizeof list - 5, "...");
	log_msg(LOG_BASIC, "skipped %zu missing index%s: %s", r->nmissing, r->nmissing > 1 ? "es" : "", list);
}

static void log_hot(struct run *r, const char *name, const struct plan_leaf *leaves, size_t nl)
{
	char a[TSPAN_ISO_MAX];
	for (size_t l = 0; l < nl; l++) {
		if (leaves[l].docs <= r->o->target_docs)
			continue;
		/* The first few at basic level: a skewed index has many. */
		log_msg(++r->nhot <= 10 ? LOG_BASIC : LOG_DETAILED,
			"%s: %" PRId64 " documents at %s, more than %lld: fetched as %" PRId64 " slices", name,
			leaves[l].docs, tspan_format_iso(leaves[l].from, a), r->o->target_docs,
			(leaves[l].docs + (int64_t)r->o->target_docs - 1) / (int64_t)r->o->target_docs);
	}
}

/* One concrete index over one calendar piece: counted, packed or added. */
static int expand_one(struct run *r, const char *name, const struct spec *pc)
{
	struct plan_leaf *leaves = NULL;
	size_t nl = 0, before = r->chunks.n;
	int64_t total = -1;
	int rc = 0;
	char a[TSPAN_ISO_MAX];
	if (!r->o->target_docs && r->o->slice_docs) {
		/* Few, large reads: a chunk too large for one stream is read
		 * as slices of the same span, in parallel. */
		if ((rc = plansrv_total(r->h, r->q, name, pc->from, pc->to, &total, r->err, r->errlen)))
			goto out;
		int64_t k = (total + r->o->slice_docs - 1) / r->o->slice_docs;
		if (k > PLANNER_MAX_SLICES)
			k = PLANNER_MAX_SLICES;
		if (k <= 1) {
			if (plan_add(&r->chunks, name, pc->from, pc->to, 0, 0, total, r->err, r->errlen))
				rc = OSDL_EXIT_USAGE;
			goto out;
		}
		log_msg(LOG_DETAILED, "%s from %s: %" PRId64 " documents, read as %" PRId64 " slices", name,
			tspan_format_iso(pc->from, a), total, k);
		for (int64_t i = 0; i < k && !rc; i++)
			if (plan_add(&r->chunks, name, pc->from, pc->to, (int)i, (int)k, -1, r->err, r->errlen))
				rc = OSDL_EXIT_USAGE;
		goto out;
	}
	if (!r->o->target_docs) {
		/* count: one histogram per chunk, never split */
		if (r->o->count && (rc = plansrv_count(r->h, r->q, name, pc->from, pc->to, INT64_MAX, &leaves,
						       &nl, &total, r->err, r->errlen)))
			goto out;
		if (plan_add(&r->chunks, name, pc->from, pc->to, 0, 0, total, r->err, r->errlen))
			rc = OSDL_EXIT_USAGE;
		goto out;
	}
	if ((rc = plansrv_count(r->h, r->q, name, pc->from, pc->to, r->o->target_docs, &leaves, &nl, &total,
				r->err, r->errlen)))
		goto out;
	if (plan_pack(&r->chunks, name, pc->from, pc->to, leaves, nl, r->o->target_docs, r->err, r->errlen)) {
		rc = OSDL_EXIT_USAGE;
		goto out;
	}
	log_msg(LOG_DETAILED, "%s from %s: %" PRId64 " documents, %zu chunks", name,
		tspan_format_iso(pc->from, a), total, r->chunks.n - before);
	log_hot(r, name, leaves, nl);
out:
	free(leaves);
	return rc;
}

/* Turns the calendar pieces into chunks of concrete indexes. */
static int expand(struct run *r)
{
	int rc = 0;
	for (size_t i = 0; i < r->pieces.n && !rc; i++) {
		const struct spec *pc = &r->pieces.c[i].sp;
		const char **idx = NULL;
		long n;
		if ((n = plansrv_lookup(r->names, pc->index, &idx)) < 0)
			return errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
		if (n == 0 && note_missing(r, pc->index))
			rc = errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
		for (long k = 0; k < n && !rc; k++)
			rc = expand_one(r, idx[k], pc);
		free(idx);
	}
	return rc;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int has_wildcard(const struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (strpbrk(p->c[i].sp.index, "*?,"))
			return 1;
	return 0;
}

/* The query and the server connection every planning step needs. */
static int setup(struct run *r, int need_server)
{
	const struct planner_opts *o = r->o;
	if (!(r->q = query_new(o->time_field)))
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
	if (o->query_file && query_load_file(r->q, o->query_file, r->err, r->errlen))
		return OSDL_EXIT_USAGE;
	if (query_set_fields(r->q, o->fields, r->err, r->errlen))
		return OSDL_EXIT_USAGE;
	query_set_sorted(r->q, !o->no_sort);
	if (!need_server)
		return 0;
	struct http_opts ho = { 0 };
	ho.insecure = o->insecure;
	ho.aws_region = o->aws_region;
	ho.aws_service = o->aws_service;
	if (!(r->h = http_new(&ho, r->err, r->errlen)))
		return OSDL_EXIT_USAGE;
	snprintf(r->res->url, sizeof r->res->url, "%s", http_base_url(r->h));
	return 0;
}

/* Fetch options the make recipes pass on, in osfetch's spelling. */
static size_t fetch_args(const struct planner_opts *o, const char **args)
{
	size_t na = 0;
	args[na++] = "--cache";
	args[na++] = o->cache ? o->cache : ".";
	if (o->time_field) {
		args[na++] = "--time-field";
		args[na++] = o->time_field;
	}
	if (o->query_file) {
		args[na++] = "--query";
		args[na++] = o->query_arg ? o->query_arg : o->query_file;
	}
	if (o->fields) {
		args[na++] = "--fields";
		args[na++] = o->fields;
	}
	if (o->no_sort)
		args[na++] = "--no-sort";
	if (o->insecure)
		args[na++] = "--insecure";
	/* SigV4 settings are options, not secrets; the keys stay in the environment. */
	if (o->aws_region) {
		args[na++] = "--aws-region";
		args[na++] = o->aws_region;
	}
	if (o->aws_service) {
		args[na++] = "--aws-service";
		args[na++] = o->aws_service;
	}
	return na;
}

static int write_plan(struct run *r)
{
	const char *args[16];
	struct plan_out po = { r->o->format, r->o->cache, query_fingerprint(r->q), args, fetch_args(r->o, args) };
	FILE *mem = open_memstream(&r->res->out, &r->res->outlen);
	if (!mem)
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
	int rc = plan_write(mem, &r->chunks, &po);
	if (fclose(mem) || rc) {
		if (errno == EINVAL)
			return errbuf_fail(r->err, r->errlen, OSDL_EXIT_USAGE,
					   "an option value holds a newline; make recipes cannot carry it");
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
	}
	return 0;
}

static void drift_flush(struct run *r)
{
	if (r->dfield[0])
		log_msg(LOG_BASIC, "schema drift: field %s is %s", r->dfield, r->dline);
	r->dfield[0] = r->dline[0] = 0;
}

/* One type of a drifting field: a line for --drift, a log line per field. */
static int drift_one(const char *field, const char *type, const char *indexes, void *ud)
{
	struct run *r = ud;
	char f[ESC_DISPLAY_MAX], t[128];
	esc_display(field, (size_t)-1, f, sizeof f);
	esc_display(type, (size_t)-1, t, sizeof t);
	if (strcmp(f, r->dfield) != 0) {
		drift_flush(r);
		snprintf(r->dfield, sizeof r->dfield, "%s", f);
	}
	size_t o = strlen(r->dline);
	snprintf(r->dline + o, sizeof r->dline - o, "%s%s in %s", o ? ", " : "", t, indexes);
	/* Escaped: a field name never holds a raw tab or newline here. */
	if (r->drift && fprintf(r->drift, "%s\t%s\t%s\n", f, t, indexes) < 0)
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
	return 0;
}

/* Schema drift: the fields whose type differs between the plan's indexes,
 * logged (one line per field) and, with --drift, printed. */
static int drift(struct run *r)
{
	const char **names = malloc((r->chunks.n ? r->chunks.n : 1) * sizeof *names);
	char glob[1024];
	size_t n = 0;
	int rc;
	if (!names)
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
	if (!r->chunks.n) {
		free(names);
		return 0; /* no index, no drift */
	}
	for (size_t i = 0; i < r->chunks.n; i++)
		names[n++] = r->chunks.c[i].sp.index;
	qsort(names, n, sizeof *names, str_cmp);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (!u || strcmp(names[i], names[u - 1]) != 0)
			names[u++] = names[i];
	plan_pattern_glob(r->o->index, glob, sizeof glob);
	if (r->o->drift && !(r->drift = open_memstream(&r->res->out, &r->res->outlen))) {
		free(names);
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
	}
	rc = plansrv_drift(r->h, glob, names, u, drift_one, r, &r->res->drifted, r->err, r->errlen);
	drift_flush(r);
	if (r->drift && fclose(r->drift) && !rc)
		rc = errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
	r->drift = NULL;
	free(names);
	return rc;
}

/* --recheck: the cached chunks against the server; with --format make the
 * stale ones are removed for make to fetch again, the lines logged. */
static int recheck(struct run *r)
{
	const struct planner_opts *o = r->o;
	struct recheck_opts ro = { o->check, o->cache ? o->cache : ".", query_fingerprint(r->q),
				   o->invalidate || o->format == PLAN_MAKE };
	FILE *mem = NULL;
	int rc;
	if (!r->h)
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_USAGE, "--recheck asks the server: set OS_URL");
	if (o->format != PLAN_MAKE && !(mem = open_memstream(&r->res->out, &r->res->outlen)))
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
	rc = recheck_run(r->h, r->q, &r->chunks, &ro, mem, &r->res->recheck, r->err, r->errlen);
	if (mem && fclose(mem) && !rc)
		rc = errbuf_fail(r->err, r->errlen, OSDL_EXIT_FAIL, "out of memory");
	if (rc)
		return rc;
	const struct recheck_stats *st = &r->res->recheck;
	log_msg(LOG_BASIC, "recheck (%s): %zu chunks, %zu fresh, %zu stale, %zu missing%s; %lu requests, %.2f s",
		o->check == RECHECK_SEQNO ? "seqno" : "count", st->chunks, st->fresh, st->stale, st->missing,
		ro.invalidate ? (st->removed ? ", stale ones removed" : "") : "", st->requests, st->seconds);
	return 0;
}

/* A document filed in an index other than the one its time names is in no
 * chunk of a pattern plan: say so rather than lose it. */
static int check_misfiled(struct run *r, const struct plan_stats *st)
{
	char glob[1024];
	int64_t all;
	int rc;
	plan_pattern_glob(r->o->index, glob, sizeof glob);
	if ((rc = plansrv_total(r->h, r->q, glob, r->o->from, r->o->to, &all, r->err, r->errlen)))
		return rc;
	r->res->range_total = all;
	if (all != st->total)
		log_msg(LOG_QUIET, "warning: %s holds %" PRId64 " documents in the range, the plan %" PRId64
			": some are in an index that does not match their time; plan with -i '%s' to get them",
			glob, all, st->total, glob);
	return 0;
}

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->nmissing; i++)
		free(r->missing[i]);
	free(r->missing);
	plan_free(&r->pieces);
	plan_free(&r->chunks);
	plansrv_names_free(r->names);
	http_free(r->h);
	query_free(r->q);
}

static int plan_all(struct run *r)
{
	const struct planner_opts *o = r->o;
	struct tspan_step period, dflt;
	const struct tspan_step *step = o->step;
	char glob[1024];
	int rc, timed,
	    online = !o->offline && (getenv("OS_URL") || o->target_docs || o->count || o->slice_docs || o->recheck || o->drift);

	if ((rc = setup(r, online)))
		return rc;
	if ((timed = plan_pattern_period(o->index, &period, r->err, r->errlen)) < 0)
		return OSDL_EXIT_USAGE;
	if (!step && !o->target_docs) {
		/* Default: one chunk per index period, or per day for plain names. */
		dflt = timed ? period : (struct tspan_step){ 1, 'd' };
		step = &dflt;
	}
	plan_init(&r->pieces, o->max_chunks);
	plan_init(&r->chunks, o->max_chunks);
	if (plan_calendar(&r->pieces, o->index, o->from, o->to, step, r->err, r->errlen))
		return OSDL_EXIT_USAGE;
	if (online) {
		plan_pattern_glob(o->index, glob, sizeof glob);
		log_msg(LOG_DETAILED, "resolving %s at %s", glob, http_base_url(r->h));
		if ((rc = plansrv_resolve(r->h, glob, &r->names, r->err, r->errlen)) ||
		    (rc = plansrv_check_fields(r->h, glob, r->q, r->err, r->errlen)) || (rc = expand(r)))
			return rc;
	} else if (has_wildcard(&r->pieces)) {
		return errbuf_fail(r->err, r->errlen, OSDL_EXIT_USAGE,
				   "index '%s' has a wildcard or list: resolving it needs the server (set OS_URL)",
				   o->index);
	} else {
		/* Offline the pieces are the chunks: hand them over, no copy. */
		struct plan t = r->chunks;
		r->chunks = r->pieces;
		r->pieces = t;
	}
	plan_free(&r->pieces); /* memory for the output */
	if (plan_check_names(&r->chunks, r->err, r->errlen))
		return OSDL_EXIT_USAGE;
	plan_sort(&r->chunks);
	report_missing(r);
	if (r->h && (rc = drift(r)))
		return rc;
	/* --drift: its lines are the output; --recheck: its lines, or for make
	 * the plan after the stale chunks are gone. */
	if (!o->drift && o->recheck && (rc = recheck(r)))
		return rc;
	if (!o->drift && (!o->recheck || o->format == PLAN_MAKE) && (rc = write_plan(r)))
		return rc;

	struct plan_stats st;
	plan_stats(&r->chunks, &st);
	if (r->h && st.total >= 0 && timed && (rc = check_misfiled(r, &st)))
		return rc;
	if (r->nhot > 10)
		log_msg(LOG_BASIC, "%zu milliseconds held more than %lld documents and are sliced", r->nhot,
			o->target_docs);
	if ((o->target_docs || o->count) && st.total < 0)
		st.total = st.min = st.median = st.max = 0;
	r->res->chunks = st.chunks;
	r->res->missing = r->nmissing;
	r->res->docs = st.total;
	if (st.total >= 0)
		log_msg(LOG_BASIC, "planned %zu chunks, %zu missing indexes, %" PRId64 " documents; per chunk min %" PRId64
			" median %" PRId64 " max %" PRId64,
			st.chunks, r->nmissing, st.total, st.min, st.median, st.max);
	else
		log_msg(LOG_BASIC, "planned %zu chunks, %zu missing indexes", st.chunks, r->nmissing);
	return 0;
}

int planner_run(const struct planner_opts *o, struct planner_result *res, char *err, size_t errlen)
{
	struct run r = { .o = o, .res = res, .err = err, .errlen = errlen };
	res->docs = res->range_total = -1;
	int rc = plan_all(&r);
	run_free(&r);
	if (rc) {
		free(res->out);
		res->out = NULL;
		res->outlen = 0;
	}
	return rc;
}

int planner_total(const struct planner_opts *o, struct planner_result *res, char *err, size_t errlen)
{
	struct run r = { .o = o, .res = res, .err = err, .errlen = errlen };
	struct engine e;
	struct http_resp resp;
	char glob[1024];
	int rc;
	res->docs = res->range_total = -1;
	if ((rc = setup(&r, 1)))
		goto out;
	if ((rc = engine_detect(r.h, &e, &resp))) {
		errbuf_fail(err, errlen, rc, "%s", resp.err);
		goto out;
	}
	snprintf(res->server, sizeof res->server, "%s", e.name);
	plan_pattern_glob(o->index, glob, sizeof glob);
	rc = plansrv_total(r.h, r.q, glob, o->from, o->to, &res->range_total, err, errlen);
out:
	run_free(&r);
	return rc;
}
