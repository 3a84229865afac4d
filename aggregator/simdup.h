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
	SIMDUP_HASHES = 128,   /* MinHash values per signature */
	SIMDUP_BANDS = 64,     /* LSH bands of SIMDUP_HASHES / SIMDUP_BANDS */
	SIMDUP_SHINGLES = 128, /* bottom-k sample of the shingle hashes */
	SIMDUP_FEATS = 64,     /* guard features kept */
	SIMDUP_TITLE = 24,     /* headline shingles kept */
	SIMDUP_ENTS = 32,      /* shingles of names, places, numbers kept */
	SIMDUP_BLOB_MAX = 14 + 4 * (SIMDUP_SHINGLES + SIMDUP_FEATS +
				    SIMDUP_TITLE + SIMDUP_ENTS)
};

/* Texts that are not English must score at least this much. */
#define SIMDUP_FOREIGN_THRESHOLD 0.5
/* Short texts (a headline with no lead: fewer than SIMDUP_SHORT_TEXT
 * shingles) must score at least this much: two shared words of ten ("Donald
 * Trump") are chance, not the same story. */
#define SIMDUP_SHORT_THRESHOLD 0.34
#define SIMDUP_SHORT_TEXT      10

/* Why two texts must not be merged (bits of simdup_conflicts()). */
enum {
	SIMDUP_G_NUMBERS = 1 << 0,   /* counts, amounts, percentages */
	SIMDUP_G_NAMES = 1 << 1,     /* people, companies, places */
	SIMDUP_G_COUNTRIES = 1 << 2, /* countries, adjectives, capitals */
	SIMDUP_G_DAYS = 1 << 3,      /* weekdays, months, years, dates */
	SIMDUP_G_SUBJECT = 1 << 4,   /* one headline template, two subjects */
	SIMDUP_G_TOPIC = 1 << 5      /* same people, another event */
};

/* A value type (lives on the stack or in an array); fields are read-only
 * outside simdup.c. All-zero is not a valid signature: use simdup_sign. */
struct simdup_sig {
	uint32_t minhash[SIMDUP_HASHES]; /* for simdup_bands(); not stored in
					    a blob: zero when read back */
	uint32_t shingles[SIMDUP_SHINGLES]; /* the smallest shingle hashes,
					       ascending */
	uint32_t feats[SIMDUP_FEATS];       /* guard features, ascending */
	uint32_t title[SIMDUP_TITLE];       /* headline shingles, ascending */
	uint32_t ents[SIMDUP_ENTS]; /* shingles of names, places and numbers,
				       ascending */
	uint32_t subject;   /* shingle of the headline's capitalized first
			       word, or 0 */
	uint16_t nshingles; /* used in shingles[] */
	uint16_t nfeats;    /* used in feats[] */
	uint8_t ntitle;     /* used in title[] */
	uint8_t nents;      /* used in ents[] */
	bool sampled;       /* more shingles than SIMDUP_SHINGLES existed */
	bool english;       /* reads as English: stop words were dropped */
};

/*
 * Sign a story from its title and lead (plain UTF-8 text; either may be
 * NULL). Pass the wirever base headline and the lead after its advisory
 * lines. English stop words, suffixes and headline synonyms are normalized;
 * other languages match on exact words only. Never fails.
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
/* The threshold for a and b: base, raised to SIMDUP_SHORT_THRESHOLD when
 * either text is short, and to SIMDUP_FOREIGN_THRESHOLD when either is not
 * English (stop words stay in its shingles and capitals do not mark names,
 * so both the score and the guards are weaker). */
double simdup_threshold(const struct simdup_sig *a, const struct simdup_sig *b,
			double base);
/* The guards that fail between a and b (SIMDUP_G_* bits), 0 when names,
 * numbers, countries, days, headline subjects and topics agree. */
unsigned simdup_conflicts(const struct simdup_sig *a,
			  const struct simdup_sig *b);
/* True when score(a, b) >= simdup_threshold(a, b, threshold) and no guard
 * fails; *score (may be NULL) gets the score either way. */
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
