/* SPDX-License-Identifier: MIT */
/* selections/select.c: which stories an audience gets (selections stage). */
#include "selections/select.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

/* Newest first; the key breaks ties so the order is stable across runs. */
static int
cmp_newest(const void *pa, const void *pb, const struct story *stories)
{
	const struct story *a = &stories[*(const size_t *)pa];
	const struct story *b = &stories[*(const size_t *)pb];

	if (a->published != b->published)
		return a->published > b->published ? -1 : 1;
	return strcmp(a->key ? a->key : "", b->key ? b->key : "");
}

/* qsort has no context argument in C11; a small insertion-merge sort keeps
 * the function pure instead of using a global. */
static void
sort_order(size_t *v, size_t n, const struct story *stories, size_t *tmp)
{
	if (n < 2)
		return;
	size_t h = n / 2;

	sort_order(v, h, stories, tmp);
	sort_order(v + h, n - h, stories, tmp);
	size_t i = 0, j = h, k = 0;

	while (i < h && j < n)
		tmp[k++] = cmp_newest(&v[j], &v[i], stories) < 0 ? v[j++]
								  : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

int
select_stories(const struct audience *a, const struct story *stories,
	       size_t n, int64_t now, size_t *order)
{
	const struct audience_meta *m = audience_meta(a);
	size_t cnt = 0;

	for (size_t i = 0; i < n; i++) {
		const struct story *s = &stories[i];

		if (s->killed || s->published == WD_NOTIME)
			continue;
		if (s->published < now - m->window || s->published > now + 3600)
			continue;
		order[cnt++] = i;
	}
	size_t *tmp = xcalloc(cnt ? cnt : 1, sizeof(*tmp));

	sort_order(order, cnt, stories, tmp);
	free(tmp);
	if (cnt > (size_t)m->limit)
		cnt = (size_t)m->limit;
	return (int)cnt;
}
