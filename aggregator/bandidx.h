/* SPDX-License-Identifier: MIT */
/*
 * aggregator/bandidx.h: the LSH band index of the dedupe window, in a file
 * of its own beside the archive (ARCHIVE-bands). It is derived data: the
 * archive's bands_new table holds every key durably, and stories.c rebuilds
 * the file from it whenever the file cannot be trusted (missing, damaged,
 * from another archive or another boot, left dirty by a killed run).
 *
 * The file is a small hash table that takes new entries (the "delta",
 * memory-mapped, with a Bloom filter of its own: one write a key) and a
 * large sorted array of older ones (the "base", read with pread through a
 * Bloom filter and a fence index held in memory, so that a lookup costs
 * one read of 1 KiB and memory does not grow with the window). When the
 * delta is full it is merged into a new base, written sequentially to the
 * spare file (ARCHIVE-bands-new, the file the last merge replaced), which
 * then swaps names with the live one: no page of the live base is ever
 * written in place. The merge runs in a thread of its own while new
 * entries go to the new file's delta and lookups read both deltas and the
 * old base; a seal, a close or the next full delta waits for it.
 *
 *   header (4 KiB) | delta filter | delta slots | base entries | fences |
 *   base filter
 *
 * Entries are (key, item, date): item ids 1 to 2^32 - 1, dates clamped to
 * 0 .. 2^32 - 1 seconds. Each key keeps its BANDIDX_KEY_CAP newest entries
 * (a key thousands of items share, boilerplate, costs no more than that).
 */
#ifndef WD_AGGREGATOR_BANDIDX_H
#define WD_AGGREGATOR_BANDIDX_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum { BANDIDX_KEY_CAP = 64 };

struct bandidx;

/* One entry of a lookup. */
struct bandidx_hit {
	int64_t item, date;
};

/* What the file must say to be trusted (compared by bandidx_open). */
struct bandidx_stamp {
	uint64_t db_id; /* the archive's own random id */
	uint64_t gen;   /* changed by each transaction that changed its keys */
};

/*
 * Open the index at path (NULL: an unnamed temporary file, for an archive
 * in memory). Returns 0 with *out set when the file exists, is whole, was
 * last closed clean, since this boot, and carries stamp; 1 with *out set
 * to a new, empty index (the old file, if any, replaced) that the caller
 * must fill from the durable copy and then seal; < 0 on an I/O error, with
 * a message naming the file in err.
 */
WD_NODISCARD int bandidx_open(const char *path,
			      const struct bandidx_stamp *stamp,
			      struct bandidx **out, char *err, size_t errlen);
/* Close (NULL is fine). An index left dirty stays dirty on disk. */
void bandidx_close(struct bandidx *ix);

/* Mark the file dirty before a change: a run killed before
 * bandidx_seal leaves it untrusted, so the next run rebuilds it. */
WD_NODISCARD int bandidx_begin(struct bandidx *ix);
/* The change is durable in the archive under stamp: mark the file clean. */
WD_NODISCARD int bandidx_seal(struct bandidx *ix,
			      const struct bandidx_stamp *stamp);

/* Add an entry (the index must be dirty). A full delta is merged into a
 * new base first. Keys a key already holds are not added twice. */
WD_NODISCARD int bandidx_add(struct bandidx *ix, uint64_t key, int64_t item,
			     int64_t date);
/* Entries dated before cutoff are gone from now on (lookups skip them,
 * the next merge drops them). The index must be dirty. */
void bandidx_forget_before(struct bandidx *ix, int64_t cutoff);
/* Merge the delta into a new base now (tests and benchmarks; the index
 * must be dirty or empty of changes since its seal). */
WD_NODISCARD int bandidx_merge(struct bandidx *ix);
/* Wait for the merge that runs in the background, if any, and put its
 * file in place (bandidx_seal and bandidx_close do too): a caller that
 * must know whether the index is whole before it commits calls this. */
WD_NODISCARD int bandidx_settle(struct bandidx *ix);

/*
 * The newest entries of key dated from since to until (inclusive), at most
 * max, into out[], newest first (date, then item, descending). Returns how
 * many, or < 0 on an I/O error.
 */
int bandidx_get(struct bandidx *ix, uint64_t key, int64_t since,
		int64_t until, struct bandidx_hit *out, size_t max);

/* Start reading into the cache what a lookup or an add of key will read
 * first (its words of both filters, its home slot): a caller with many
 * keys calls this for each before it looks them up, so that their cache
 * misses overlap. */
void bandidx_prefetch(const struct bandidx *ix, uint64_t key);

/* The message of the last error. */
const char *bandidx_errmsg(const struct bandidx *ix);

/* Counts, for tests and benchmarks. While a merge runs (merging), the
 * delta it merges is in neither delta nor base, and merges counts it. */
struct bandidx_stats {
	uint64_t delta, delta_slots, base, merges;
	int merging;
};
void bandidx_stats(const struct bandidx *ix, struct bandidx_stats *st);

#endif
