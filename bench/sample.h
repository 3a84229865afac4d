/* SPDX-License-Identifier: MIT */
/* bench/sample.h: drawing from a discrete distribution, for the benchmark
 * programs that generate text (ingest_bench.c, story_dense.c). */
#ifndef WD_BENCH_SAMPLE_H
#define WD_BENCH_SAMPLE_H

#include <stddef.h>

/* The first i of cumul[0..n) (ascending, the last 1.0) with u <= cumul[i],
 * for u in [0, 1): rank i drawn with probability cumul[i] - cumul[i - 1]. */
static inline size_t
sample_rank(const double *cumul, size_t n, double u)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cumul[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#endif
