/* SPDX-License-Identifier: MIT */
/* tests/test_fetch.c: feeds/fetch against tests/httpd.py, a scripted HTTP/1.1
 * server on 127.0.0.1 that this suite starts and stops. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "core/err.h"
#include "core/item.h"
#include "core/wdtime.h"
#include "core/xalloc.h"
#include "feeds/fetch.h"
#include "tests/suite.h"

static pid_t srv_pid = -1;
static int srv_in = -1; /* closing it stops the server */
static char base[64];   /* "http://127.0.0.1:PORT" */

static void
server_start(void)
{
	int in[2], out[2];

	if (pipe(in) < 0 || pipe(out) < 0)
		ck_abort_msg("pipe: %s", strerror(errno));
	srv_pid = fork();
	if (srv_pid < 0)
		ck_abort_msg("fork: %s", strerror(errno));
	if (srv_pid == 0) {
		const char *script = TEST_DATA_DIR "/../httpd.py";

		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		/* httpd.py needs only the standard library */
		execl("/usr/bin/python3", "python3", script, "--lifetime", "90",
		      (char *)NULL);
		execlp("python3", "python3", script, "--lifetime", "90",
		       (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	srv_in = in[1];
	char line[32];
	size_t n = 0;

	while (n < sizeof(line) - 1) {
		ssize_t got = read(out[0], line + n, 1);

		if (got <= 0 || line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	close(out[0]);
	long port = strtol(line, NULL, 10);

	if (port <= 0 || port > 65535)
		ck_abort_msg("tests/httpd.py did not start");
	snprintf(base, sizeof(base), "http://127.0.0.1:%ld", port);
}

static void
server_stop(void)
{
	if (srv_in >= 0)
		close(srv_in);
	srv_in = -1;
	if (srv_pid > 0) {
		for (int i = 0; i < 50; i++) {
			if (waitpid(srv_pid, NULL, WNOHANG) == srv_pid) {
				srv_pid = -1;
				return;
			}
			usleep(100000);
		}
		kill(srv_pid, SIGKILL);
		waitpid(srv_pid, NULL, 0);
	}
	srv_pid = -1;
}

/* A copy of one fetch_res, owned by the test. */
struct got {
	int calls;
	int rc;
	long status;
	char *errmsg;
	char *body;
	size_t len;
	char *etag;
	char *last_modified;
	char *content_type;
	char *content_location;
	char *content_language;
	char *final_url;
	char *moved_to;
	int64_t max_age;
	int64_t expires;
	int64_t retry_after;
	void *user;
};

static char *
dup0(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
on_done(void *ctx, const struct fetch_req *req, const struct fetch_res *res)
{
	struct got *g = ctx;

	g->calls++;
	g->rc = res->rc;
	g->status = res->status;
	g->errmsg = dup0(res->errmsg);
	g->body = xmalloc(res->len + 1);
	memcpy(g->body, res->body, res->len + 1);
	g->len = res->len;
	g->etag = dup0(res->etag);
	g->last_modified = dup0(res->last_modified);
	g->content_type = dup0(res->content_type);
	g->content_location = dup0(res->content_location);
	g->content_language = dup0(res->content_language);
	g->final_url = dup0(res->final_url);
	g->moved_to = dup0(res->moved_to);
	g->max_age = res->max_age;
	g->expires = res->expires;
	g->retry_after = res->retry_after;
	g->user = req->user;
}

static void
got_free(struct got *g)
{
	free(g->errmsg);
	free(g->body);
	free(g->etag);
	free(g->last_modified);
	free(g->content_type);
	free(g->content_location);
	free(g->content_language);
	free(g->final_url);
	free(g->moved_to);
}

static char *
url_of(const char *path)
{
	char *u = xmalloc(strlen(base) + strlen(path) + 1);

	memcpy(u, base, strlen(base));
	memcpy(u + strlen(base), path, strlen(path) + 1);
	return u;
}

/* Fetch one URL or file path alone. */
static void
getu(const struct fetch_opts *o, const char *url, const char *etag,
     const char *lm, struct got *g)
{
	struct fetch *f;
	struct fetch_req req = {url, etag, lm, NULL};

	memset(g, 0, sizeof(*g));
	ck_assert_int_eq(fetch_new(o, &f), 0);
	fetch_add(f, &req);
	ck_assert_int_eq(fetch_run(f, on_done, g), 0);
	fetch_free(f);
	ck_assert_int_eq(g->calls, 1);
}

/* Fetch one path of the test server. */
static void
get1(const struct fetch_opts *o, const char *path, const char *etag,
     const char *lm, struct got *g)
{
	char *url = url_of(path);

	getu(o, url, etag, lm, g);
	free(url);
}

static void
assert_url(const char *got, const char *path)
{
	char *want = url_of(path);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(want);
}

static void
assert_near(int64_t got, int64_t want, int64_t slack)
{
	ck_assert_int_ne(got, WD_NOTIME);
	ck_assert_int_ge(got, want - slack);
	ck_assert_int_le(got, want + slack);
}

/* ---- 200, conditional GET, headers ---- */

START_TEST(fetch_ok_returns_body_and_validators)
{
	struct got g;

	get1(NULL, "/feed.xml", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_ptr_null(g.errmsg);
	ck_assert_int_eq(g.status, 200);
	ck_assert_ptr_nonnull(strstr(g.body, "Harbour reopens"));
	ck_assert_uint_eq(g.len, strlen(g.body));
	ck_assert_str_eq(g.etag, "\"v1-abc\"");
	ck_assert_str_eq(g.last_modified, "Tue, 03 Mar 2026 10:00:00 GMT");
	ck_assert_str_eq(g.content_type, "application/rss+xml");
	assert_url(g.final_url, "/feed.xml");
	ck_assert_ptr_null(g.moved_to);
	ck_assert_int_eq(g.max_age, -1);
	ck_assert_int_eq(g.expires, WD_NOTIME);
	ck_assert_int_eq(g.retry_after, WD_NOTIME);
	ck_assert_ptr_null(g.content_location);
	ck_assert_ptr_null(g.content_language);
	got_free(&g);
}
END_TEST

START_TEST(fetch_returns_content_location_and_language)
{
	struct got g;

	get1(NULL, "/cl/feed", NULL, NULL, &g);
	ck_assert_int_eq(g.status, 200);
	assert_url(g.content_location, "/cl/archive/feed.xml");
	ck_assert_str_eq(g.content_language, "fr-ca");
	got_free(&g);
	/* against the URL that answered, not the one asked for */
	get1(NULL, "/cl-moved", NULL, NULL, &g);
	ck_assert_int_eq(g.status, 200);
	assert_url(g.final_url, "/cl/feed");
	assert_url(g.content_location, "/cl/archive/feed.xml");
	ck_assert_str_eq(g.content_language, "fr-ca");
	got_free(&g);
}
END_TEST

START_TEST(fetch_matching_etag_gives_304)
{
	struct got g;

	get1(NULL, "/feed.xml", "\"v1-abc\"", NULL, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(g.status, 304);
	ck_assert_uint_eq(g.len, 0);
	ck_assert_str_eq(g.etag, "\"v1-abc\"");
	got_free(&g);
}
END_TEST

START_TEST(fetch_matching_last_modified_gives_304)
{
	struct got g;

	get1(NULL, "/feed.xml", NULL, "Tue, 03 Mar 2026 10:00:00 GMT", &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(g.status, 304);
	got_free(&g);
}
END_TEST

START_TEST(fetch_stale_etag_gives_200)
{
	struct got g;

	get1(NULL, "/feed.xml", "\"v0\"", "Tue, 03 Mar 2026 10:00:00 GMT", &g);
	ck_assert_int_eq(g.status, 200);
	ck_assert_uint_gt(g.len, 0);
	got_free(&g);
}
END_TEST

START_TEST(fetch_sends_user_agent_validators_and_encodings)
{
	struct fetch_opts o = {.user_agent =
				   "wiredesk/9 (+http://desk.example/)"};
	struct got g;

	get1(&o, "/echo", "W/\"x1\"", "Mon, 02 Mar 2026 09:00:00 GMT", &g);
	ck_assert_int_eq(g.status, 200);
	ck_assert_ptr_nonnull(
	    strstr(g.body, "User-Agent: wiredesk/9 (+http://desk.example/)\n"));
	ck_assert_ptr_nonnull(strstr(g.body, "If-None-Match: W/\"x1\"\n"));
	ck_assert_ptr_nonnull(strstr(
	    g.body, "If-Modified-Since: Mon, 02 Mar 2026 09:00:00 GMT\n"));
	ck_assert_ptr_nonnull(strstr(g.body, "Accept-Encoding: "));
	ck_assert_ptr_nonnull(strstr(g.body, "gzip"));
	got_free(&g);
}
END_TEST

START_TEST(fetch_default_user_agent_names_wiredesk)
{
	struct got g;

	get1(NULL, "/echo", NULL, NULL, &g);
	ck_assert_ptr_nonnull(strstr(g.body, "User-Agent: wiredesk/"));
	ck_assert_ptr_nonnull(strstr(g.body, "If-None-Match: -\n"));
	got_free(&g);
}
END_TEST

START_TEST(fetch_does_not_send_validator_with_newline)
{
	struct got g;

	get1(NULL, "/echo", "\"a\"\r\nX-Evil: 1", NULL, &g);
	ck_assert_ptr_nonnull(strstr(g.body, "If-None-Match: -\n"));
	got_free(&g);
}
END_TEST

START_TEST(fetch_reads_cache_control_age_and_expires)
{
	struct got g;
	int64_t now = wd_now();

	get1(NULL, "/cache", NULL, NULL, &g);
	ck_assert_int_eq(g.status, 200);
	ck_assert_int_eq(g.max_age, 500); /* max-age 600 minus Age 100 */
	assert_near(g.expires, now + 3600, 5);
	got_free(&g);
}
END_TEST

START_TEST(fetch_gzip_body_is_decoded)
{
	struct got g, plain;

	get1(NULL, "/gzip", NULL, NULL, &g);
	get1(NULL, "/feed.xml", NULL, NULL, &plain);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_str_eq(g.body, plain.body);
	got_free(&g);
	got_free(&plain);
}
END_TEST

START_TEST(fetch_wrong_content_type_is_returned_as_is)
{
	struct got g;

	get1(NULL, "/wrong-type", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(g.status, 200);
	ck_assert_str_eq(g.content_type, "image/png");
	ck_assert_ptr_nonnull(strstr(g.body, "<rss"));
	got_free(&g);
}
END_TEST

START_TEST(fetch_charset_in_content_type_keeps_bytes)
{
	struct got g;

	get1(NULL, "/charset", NULL, NULL, &g);
	ck_assert_int_eq(g.status, 200);
	ck_assert_str_eq(g.content_type,
			 "application/rss+xml; charset=ISO-8859-1");
	ck_assert_ptr_nonnull(strstr(g.body, "Caf\xe9"));
	got_free(&g);
}
END_TEST

/* ---- redirects ---- */

START_TEST(fetch_301_records_moved_to)
{
	struct got g;

	get1(NULL, "/moved301", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(g.status, 200);
	assert_url(g.moved_to, "/feed.xml");
	assert_url(g.final_url, "/feed.xml");
	ck_assert_str_eq(g.etag, "\"v1-abc\"");
	got_free(&g);
}
END_TEST

START_TEST(fetch_308_records_moved_to)
{
	struct got g;

	get1(NULL, "/moved308", NULL, NULL, &g);
	ck_assert_int_eq(g.status, 200);
	assert_url(g.moved_to, "/feed.xml");
	got_free(&g);
}
END_TEST

START_TEST(fetch_relative_location_is_resolved)
{
	struct got g;

	get1(NULL, "/relative", NULL, NULL, &g);
	ck_assert_int_eq(g.status, 200);
	assert_url(g.moved_to, "/feed.xml");
	got_free(&g);
}
END_TEST

START_TEST(fetch_302_and_307_are_not_recorded)
{
	struct got g;

	get1(NULL, "/temp302", NULL, NULL, &g);
	ck_assert_int_eq(g.status, 200);
	ck_assert_ptr_null(g.moved_to);
	assert_url(g.final_url, "/feed.xml");
	got_free(&g);
	get1(NULL, "/temp307", NULL, NULL, &g);
	ck_assert_int_eq(g.status, 200);
	ck_assert_ptr_null(g.moved_to);
	got_free(&g);
}
END_TEST

START_TEST(fetch_moved_to_stops_at_first_temporary_hop)
{
	struct got g;

	get1(NULL, "/chain-301-302", NULL, NULL, &g);
	ck_assert_int_eq(g.status, 200);
	assert_url(g.moved_to, "/temp302");
	got_free(&g);
	get1(NULL, "/chain-302-301", NULL, NULL, &g);
	ck_assert_int_eq(g.status, 200);
	ck_assert_ptr_null(g.moved_to);
	got_free(&g);
}
END_TEST

START_TEST(fetch_redirect_loop_fails)
{
	struct got g;

	get1(NULL, "/loop-a", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, WD_ENET);
	ck_assert_ptr_nonnull(strstr(g.errmsg, "redirect loop"));
	ck_assert_ptr_null(g.moved_to);
	got_free(&g);
}
END_TEST

START_TEST(fetch_five_hops_pass_six_fail)
{
	struct got g;

	get1(NULL, "/hops/5", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(g.status, 200);
	got_free(&g);
	get1(NULL, "/hops/6", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, WD_ENET);
	ck_assert_ptr_nonnull(strstr(g.errmsg, "too many redirects"));
	got_free(&g);
}
END_TEST

/* ---- statuses the caller decides on ---- */

START_TEST(fetch_410_is_a_status_not_an_error)
{
	struct got g;

	get1(NULL, "/gone", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(g.status, 410);
	got_free(&g);
}
END_TEST

START_TEST(fetch_429_retry_after_seconds)
{
	struct got g;
	int64_t now = wd_now();

	get1(NULL, "/429-seconds", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(g.status, 429);
	assert_near(g.retry_after, now + 120, 5);
	got_free(&g);
}
END_TEST

START_TEST(fetch_429_retry_after_http_date)
{
	struct got g;
	int64_t now = wd_now();

	get1(NULL, "/429-date", NULL, NULL, &g);
	ck_assert_int_eq(g.status, 429);
	assert_near(g.retry_after, now + 3600, 5);
	got_free(&g);
}
END_TEST

START_TEST(fetch_server_dates_are_read_against_server_clock)
{
	struct got g;

	/* our clock is a year behind the server's: the delta still counts */
	setenv("WIREDESK_NOW", "1700000000", 1);
	get1(NULL, "/429-date", NULL, NULL, &g);
	unsetenv("WIREDESK_NOW");
	assert_near(g.retry_after, 1700000000 + 3600, 5);
	got_free(&g);
}
END_TEST

START_TEST(fetch_503_500_404_are_statuses)
{
	struct got g;

	get1(NULL, "/503", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(g.status, 503);
	ck_assert_int_eq(g.retry_after, WD_NOTIME);
	got_free(&g);
	get1(NULL, "/500", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(g.status, 500);
	got_free(&g);
	get1(NULL, "/nowhere", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(g.status, 404);
	got_free(&g);
}
END_TEST

/* ---- limits ---- */

static double
elapsed_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

START_TEST(fetch_trickle_hits_low_speed_limit)
{
	struct fetch_opts o = {.low_speed_limit = 100, .low_speed_time = 2};
	struct timespec t0;
	struct got g;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	get1(&o, "/trickle", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, WD_ENET);
	ck_assert_ptr_nonnull(g.errmsg);
	ck_assert_double_lt(elapsed_since(&t0), 6.0);
	got_free(&g);
}
END_TEST

START_TEST(fetch_stall_hits_low_speed_limit)
{
	struct fetch_opts o = {.low_speed_limit = 100, .low_speed_time = 2};
	struct timespec t0;
	struct got g;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	get1(&o, "/stall", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, WD_ENET);
	ck_assert_ptr_nonnull(strstr(g.errmsg, "too slow"));
	ck_assert_double_lt(elapsed_since(&t0), 6.0);
	got_free(&g);
}
END_TEST

START_TEST(fetch_slow_body_hits_total_timeout)
{
	struct fetch_opts o = {.total_timeout = 2};
	struct timespec t0;
	struct got g;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	get1(&o, "/slow-body", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, WD_ENET);
	ck_assert_ptr_nonnull(strstr(g.errmsg, "timed out"));
	ck_assert_double_lt(elapsed_since(&t0), 6.0);
	got_free(&g);
}
END_TEST

START_TEST(fetch_truncated_body_fails)
{
	struct got g;

	get1(NULL, "/truncated", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, WD_ENET);
	ck_assert_uint_eq(g.len, 0);
	ck_assert_ptr_nonnull(g.errmsg);
	got_free(&g);
}
END_TEST

START_TEST(fetch_oversized_body_stops_at_cap)
{
	struct fetch_opts o = {.max_body = 1 << 20};
	struct got g;

	get1(&o, "/big", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, WD_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(g.errmsg, "larger than 1048576"));
	got_free(&g);
	get1(NULL, "/big", NULL, NULL, &g); /* 2 MiB under the 16 MiB default */
	ck_assert_int_eq(g.rc, 0);
	ck_assert_uint_eq(g.len, 2 << 20);
	got_free(&g);
}
END_TEST

START_TEST(fetch_gzip_bomb_stops_at_cap)
{
	struct fetch_opts o = {.max_body = 1 << 20};
	struct got g;

	get1(&o, "/bomb", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, WD_ETOOBIG);
	got_free(&g);
	get1(NULL, "/bomb", NULL, NULL, &g); /* 64 MiB unpacked > 16 MiB */
	ck_assert_int_eq(g.rc, WD_ETOOBIG);
	got_free(&g);
}
END_TEST

/* ---- network failures ---- */

START_TEST(fetch_refused_connection_fails)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	char url[64];
	struct got g;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sa, &len), 0);
	close(s); /* nobody listens there now */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/feed.xml",
		 ntohs(sa.sin_port));
	getu(NULL, url, NULL, NULL, &g);
	ck_assert_int_eq(g.rc, WD_ENET);
	ck_assert_int_eq(g.status, 0);
	ck_assert_ptr_nonnull(g.errmsg);
	ck_assert_ptr_null(strchr(g.errmsg, '\n'));
	got_free(&g);
}
END_TEST

START_TEST(fetch_unknown_host_fails)
{
	struct fetch_opts o = {.connect_timeout = 3};
	struct got g;

	getu(&o, "http://wiredesk-test.invalid/feed.xml", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, WD_ENET);
	ck_assert_ptr_nonnull(g.errmsg);
	got_free(&g);
}
END_TEST

START_TEST(fetch_refuses_other_protocols)
{
	struct got g;

	getu(NULL, "ftp://127.0.0.1/feed.xml", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, WD_ENET);
	ck_assert_ptr_nonnull(strstr(g.errmsg, "unsupported protocol"));
	got_free(&g);
}
END_TEST

/* ---- local files ---- */

START_TEST(fetch_local_file_is_read)
{
	struct got g;

	getu(NULL, TEST_DATA_DIR "/fetch/local-feed.xml", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(g.status, 200);
	ck_assert_ptr_nonnull(strstr(g.body, "Ferry timetable"));
	ck_assert_ptr_null(g.etag);
	got_free(&g);
}
END_TEST

START_TEST(fetch_missing_local_file_fails_with_errno_text)
{
	struct got g;

	getu(NULL, TEST_DATA_DIR "/fetch/no-such-file.xml", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, WD_EIO);
	ck_assert_int_eq(g.status, 0);
	ck_assert_ptr_nonnull(strstr(g.errmsg, "No such file"));
	ck_assert_ptr_nonnull(strstr(g.errmsg, "no-such-file.xml"));
	got_free(&g);
}
END_TEST

START_TEST(fetch_local_file_over_cap_fails)
{
	struct fetch_opts o = {.max_body = 64};
	struct got g;

	getu(&o, TEST_DATA_DIR "/fetch/local-feed.xml", NULL, NULL, &g);
	ck_assert_int_eq(g.rc, WD_ETOOBIG);
	got_free(&g);
}
END_TEST

/* ---- many at once ---- */

struct many {
	int calls;
	int ok;
	int seen[16];
};

static void
on_many(void *ctx, const struct fetch_req *req, const struct fetch_res *res)
{
	struct many *m = ctx;
	int *slot = req->user;

	m->calls++;
	if (res->rc == 0 && res->status == 200)
		m->ok++;
	(*slot)++;
}

START_TEST(fetch_runs_in_parallel_within_host_limit)
{
	struct fetch_opts o = {.max_per_host = 3};
	struct many m;
	struct fetch *f;
	char *url = url_of("/conc");
	struct timespec t0;

	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(fetch_new(&o, &f), 0);
	for (int i = 0; i < 12; i++) {
		struct fetch_req req = {url, NULL, NULL, &m.seen[i]};

		fetch_add(f, &req);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(fetch_run(f, on_many, &m), 0);
	double secs = elapsed_since(&t0);

	fetch_free(f);
	free(url);
	ck_assert_int_eq(m.calls, 12);
	ck_assert_int_eq(m.ok, 12);
	for (int i = 0; i < 12; i++)
		ck_assert_int_eq(m.seen[i], 1);
	/* 12 requests of 0.3 s, 3 at a time: about 1.2 s, not 3.6 s */
	ck_assert_double_lt(secs, 3.0);

	struct got g;

	get1(NULL, "/conc-max", NULL, NULL, &g);
	ck_assert_int_ge(strtol(g.body, NULL, 10), 2);
	ck_assert_int_le(strtol(g.body, NULL, 10), 3);
	got_free(&g);
}
END_TEST

START_TEST(fetch_host_limit_is_per_host)
{
	struct fetch_opts o = {.max_per_host = 2};
	struct many m;
	struct fetch *f;
	char *a = url_of("/conc");
	char *b = xstrdup(a);
	struct got g;

	/* the same server under two host names: two separate limits */
	memcpy(strstr(b, "127.0.0.1"), "localhost", 9);
	get1(NULL, "/conc-reset", NULL, NULL, &g);
	got_free(&g);
	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(fetch_new(&o, &f), 0);
	for (int i = 0; i < 12; i++) {
		struct fetch_req req = {i % 2 ? b : a, NULL, NULL, &m.seen[i]};

		fetch_add(f, &req);
	}
	ck_assert_int_eq(fetch_run(f, on_many, &m), 0);
	fetch_free(f);
	free(a);
	free(b);
	ck_assert_int_eq(m.ok, 12);
	get1(NULL, "/conc-max", NULL, NULL, &g);
	ck_assert_int_ge(strtol(g.body, NULL, 10), 3);
	ck_assert_int_le(strtol(g.body, NULL, 10), 4);
	got_free(&g);
}
END_TEST

struct chain {
	struct fetch *f;
	char *url;
	int calls;
};

static void
on_chain(void *ctx, const struct fetch_req *req, const struct fetch_res *res)
{
	struct chain *c = ctx;

	c->calls++;
	if (c->calls == 1) {
		struct fetch_req next = {c->url, NULL, NULL, NULL};
		struct fetch_req local = {TEST_DATA_DIR "/fetch/local-feed.xml",
					  NULL, NULL, NULL};

		fetch_add(c->f, &next);
		fetch_add(c->f, &local);
	}
}

START_TEST(fetch_done_callback_may_queue_more)
{
	struct chain c = {NULL, url_of("/feed.xml"), 0};

	ck_assert_int_eq(fetch_new(NULL, &c.f), 0);
	struct fetch_req req = {c.url, NULL, NULL, NULL};

	fetch_add(c.f, &req);
	ck_assert_int_eq(fetch_run(c.f, on_chain, &c), 0);
	ck_assert_int_eq(c.calls, 3);
	fetch_free(c.f);
	free(c.url);
}
END_TEST

START_TEST(fetch_free_drops_unrun_requests)
{
	struct fetch *f;
	struct fetch_req req = {"http://127.0.0.1:9/x", "\"e\"", NULL, NULL};

	ck_assert_int_eq(fetch_new(NULL, &f), 0);
	fetch_add(f, &req);
	fetch_add(f, &req);
	fetch_free(f);
	fetch_free(NULL);
}
END_TEST

Suite *
test_suite(void)
{
	Suite *s = suite_create("fetch");
	TCase *tc = tcase_create("http");

	tcase_add_unchecked_fixture(tc, server_start, server_stop);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, fetch_ok_returns_body_and_validators);
	tcase_add_test(tc, fetch_returns_content_location_and_language);
	tcase_add_test(tc, fetch_matching_etag_gives_304);
	tcase_add_test(tc, fetch_matching_last_modified_gives_304);
	tcase_add_test(tc, fetch_stale_etag_gives_200);
	tcase_add_test(tc, fetch_sends_user_agent_validators_and_encodings);
	tcase_add_test(tc, fetch_default_user_agent_names_wiredesk);
	tcase_add_test(tc, fetch_does_not_send_validator_with_newline);
	tcase_add_test(tc, fetch_reads_cache_control_age_and_expires);
	tcase_add_test(tc, fetch_gzip_body_is_decoded);
	tcase_add_test(tc, fetch_wrong_content_type_is_returned_as_is);
	tcase_add_test(tc, fetch_charset_in_content_type_keeps_bytes);
	tcase_add_test(tc, fetch_301_records_moved_to);
	tcase_add_test(tc, fetch_308_records_moved_to);
	tcase_add_test(tc, fetch_relative_location_is_resolved);
	tcase_add_test(tc, fetch_302_and_307_are_not_recorded);
	tcase_add_test(tc, fetch_moved_to_stops_at_first_temporary_hop);
	tcase_add_test(tc, fetch_redirect_loop_fails);
	tcase_add_test(tc, fetch_five_hops_pass_six_fail);
	tcase_add_test(tc, fetch_410_is_a_status_not_an_error);
	tcase_add_test(tc, fetch_429_retry_after_seconds);
	tcase_add_test(tc, fetch_429_retry_after_http_date);
	tcase_add_test(tc, fetch_server_dates_are_read_against_server_clock);
	tcase_add_test(tc, fetch_503_500_404_are_statuses);
	tcase_add_test(tc, fetch_trickle_hits_low_speed_limit);
	tcase_add_test(tc, fetch_stall_hits_low_speed_limit);
	tcase_add_test(tc, fetch_slow_body_hits_total_timeout);
	tcase_add_test(tc, fetch_truncated_body_fails);
	tcase_add_test(tc, fetch_oversized_body_stops_at_cap);
	tcase_add_test(tc, fetch_gzip_bomb_stops_at_cap);
	tcase_add_test(tc, fetch_refused_connection_fails);
	tcase_add_test(tc, fetch_unknown_host_fails);
	tcase_add_test(tc, fetch_runs_in_parallel_within_host_limit);
	tcase_add_test(tc, fetch_host_limit_is_per_host);
	tcase_add_test(tc, fetch_done_callback_may_queue_more);
	suite_add_tcase(s, tc);

	TCase *local = tcase_create("local");

	tcase_add_test(local, fetch_refuses_other_protocols);
	tcase_add_test(local, fetch_local_file_is_read);
	tcase_add_test(local, fetch_missing_local_file_fails_with_errno_text);
	tcase_add_test(local, fetch_local_file_over_cap_fails);
	tcase_add_test(local, fetch_free_drops_unrun_requests);
	suite_add_tcase(s, local);
	return s;
}
