/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz_date.c: libFuzzer target for core/wdtime.h (feed dates, config
 * durations, formatting) and feeds/datefast.h, which must give exactly the
 * answer of wd_date_parse. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/item.h"
#include "core/wdtime.h"
#include "core/xalloc.h"
#include "feeds/datefast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly size bytes, no NUL: wd_date_parse takes (s, n). */
	char *s = xmalloc(size ? size : 1);
	char out[40];
	int64_t t;

	memcpy(s, data, size);
	t = wd_date_parse(s, size);
	if (datefast_parse(s, size) != t)
		abort();
	if (t != WD_NOTIME) {
		wd_time_rfc3339(t, out);
		wd_time_rfc822(t, out);
	}
	free(s);

	char *z = xstrndup((const char *)data, size);
	int64_t d = 0;

	if (wd_duration_parse(z, &d) == 0 && d < 0)
		abort();
	free(z);
	return 0;
}
