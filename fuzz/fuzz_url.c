/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz_url.c: libFuzzer target for feeds/canon.h (canonical links) and
 * feeds/urlres.h (relative link resolution). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/item.h"
#include "core/xalloc.h"
#include "feeds/canon.h"
#include "feeds/urlres.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input is "URL" or "URL\0BASE". canon_link must be idempotent: the
 * canonical form of a canonical link is itself, as long as it is short
 * enough to be read again (canon.c takes 8192 bytes of input, but
 * percent-encoding may triple them; tests/test_canon.c wants that kept).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = xstrndup((const char *)data, size);
	size_t n = strlen(url);
	const char *base = n < size ? url + n + 1 : NULL;
	char *c, *r;

	if (base) {
		char *b = xstrndup((const char *)data + n + 1, size - n - 1);
		r = urlres_resolve(b, url);
		free(r);
		free(b);
	}
	c = canon_link(url);
	if (c && strlen(c) <= 8192) {
		char *again = canon_link(c);

		if (!again || strcmp(again, c) != 0)
			abort();
		free(again);
	}
	free(c);

	struct item it;

	memset(&it, 0, sizeof(it));
	it.link = url;
	it.id = url;
	it.id_is_permalink = true;
	c = canon_item_link(&it);
	free(c);
	free(url);
	return 0;
}
