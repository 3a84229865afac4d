/* SPDX-License-Identifier: MIT */
/* feeds/websub.c: the publisher's ping to a WebSub hub, with libcurl. */
#include "feeds/websub.h"

#include <curl/curl.h>
#include <stdio.h>

#include "core/buf.h"

/* The hub's answer is not needed: read and dropped. */
static size_t
drop(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

int
websub_ping(const char *hub, const char *topic, const char *user_agent,
	    char *err, size_t errlen)
{
	CURL *e = curl_easy_init();
	char cerr[CURL_ERROR_SIZE] = "";
	long status = 0;

	if (!e) {
		snprintf(err, errlen, "cannot start libcurl");
		return WD_ENET;
	}
	char *t = curl_easy_escape(e, topic, 0);
	struct buf form;

	buf_init(&form, 16384);
	buf_appendf(&form, "hub.mode=publish&hub.url=%s", t ? t : "");
	curl_free(t);
	curl_easy_setopt(e, CURLOPT_URL, hub);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, buf_str(&form));
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)form.len);
	curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, drop);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, cerr);
	CURLcode rc = curl_easy_perform(e);

	if (rc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(e);
	buf_free(&form);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", *cerr ? cerr : curl_easy_strerror(rc));
		return WD_ENET;
	}
	if (status < 200 || status > 299) {
		snprintf(err, errlen, "the hub answered HTTP %ld", status);
		return WD_ENET;
	}
	return 0;
}
