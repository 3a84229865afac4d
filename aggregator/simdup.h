/* SPDX-License-Identifier: MIT */
/* aggregator/simdup.h: near-duplicate stories. A signature of title + lead
 * (word shingles, MinHash, LSH band keys, and the names, numbers, places and
 * days that must agree), scored and compared without any storage. */
#ifndef WD_AGGREGATOR_SIMDUP_H
#define WD_AGGREGATOR_SIMDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum {
	SIMDUP_HASHES = 128, /* MinHash values per signature */
	SIMDUP_BANDS = 64, /* LSH bands of SIMDUP_HASHES / SIMDUP_BANDS rows */
	SIMDUP_SHINGLES = 128, /* bottom-k sample of the shingle hashes */
	SIMDUP_FEATS = 64,     /* guard features kept */
	SIMDUP_BLOB_MAX =
	    4 + 2 + 2 + 4 * (SIMDUP_HASHES + SIMDUP_SHINGLES + SIMDUP_FEATS)
};

/* Why two texts must not be merged (bits of simdup_conflicts()). */
enum {
	SIMDUP_G_NUMBERS = 1 << 0, /* counts, amounts, percentages, years */
	SIMDUP_G_NAMES = 1 << 1,   /* people, companies, places: proper nouns */
	SIMDUP_G_COUNTRIES = 1 << 2,
	SIMDUP_G_DAYS = 1 << 3 /* weekdays, months and calendar dates */
};

/* A value type (lives on the stack or in an array); fields are read-only
 * outside simdup.c. All-zero is not a valid signature: use simdup_sign. */
struct simdup_sig {
	uint32_t minhash[SIMDUP_HASHES];
	uint32_t shingles[SIMDUP_SHINGLES]; /* the smallest shingle hashes,
					       ascending */
	uint32_t feats[SIMDUP_FEATS];       /* guard features, ascending */
	uint16_t nshingles;                 /* used in shingles[] */
	uint16_t nfeats;                    /* used in feats[] */
	bool sampled; /* more shingles than SIMDUP_SHINGLES existed */
};

/*
 * Sign a story from its title and lead (plain UTF-8 text; either may be
 * NULL). Pass the wirever base headline and the lead after its advisory
 * lines. English stop words and headline verbs are normalized; other
 * languages still work, without stop words. Never fails.
 */
void simdup_sign(const char *title, const char *lead, struct simdup_sig *out);
/*
 * LSH: write one 64-bit key per band to keys[] and return how many (0 for a
 * text with no words: it must not be matched). Keys include the band number,
 * so all of them can live in one indexed column; two signatures that share
 * any key are candidates for simdup_same_story().
 */
size_t simdup_bands(const struct simdup_sig *s, uint64_t keys[SIMDUP_BANDS]);
/* Estimated Jaccard similarity of the two shingle sets, 0.0 to 1.0 (exact
 * when both texts have at most SIMDUP_SHINGLES distinct shingles). */
double simdup_score(const struct simdup_sig *a, const struct simdup_sig *b);
/* The guards that fail between a and b (SIMDUP_G_* bits), 0 when names,
 * numbers, countries and days agree. */
unsigned simdup_conflicts(const struct simdup_sig *a,
			  const struct simdup_sig *b);
/* True when score(a, b) >= threshold and no guard fails; *score (may be
 * NULL) gets the score either way. */
bool simdup_same_story(const struct simdup_sig *a, const struct simdup_sig *b,
		       double threshold, double *score);
/* Serialize s into blob (little-endian, versioned); returns its length,
 * at most SIMDUP_BLOB_MAX. */
size_t simdup_to_blob(const struct simdup_sig *s,
		      unsigned char blob[SIMDUP_BLOB_MAX]);
/* Read a blob made by simdup_to_blob into *out. Returns 0, or WD_EPARSE for
 * a blob of another version or a damaged one (then sign the text again). */
WD_NODISCARD int simdup_from_blob(const void *blob, size_t len,
				  struct simdup_sig *out);

#endif
