/* SPDX-License-Identifier: MIT */
/* aggregator/simdup.c: near-duplicate signatures (shingles, MinHash, LSH)
 * and the guards that keep different stories apart; aggregator stage. */
#include "aggregator/simdup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/text.h"

/*
 * How two stories are compared.
 *
 * Text. Title and lead are cut into words; each word is case-folded and
 * stripped of accents (utf8proc), "U.S." becomes "us", "1,200" becomes
 * "1200", and a possessive "'s" is dropped. A lead's dateline ("LONDON
 * (Reuters) -") gives no shingles: wires differ there, not in the news.
 *
 * Shingles. One-word shingles: stop words and reporting verbs are dropped,
 * English suffixes are cut (kills, killed, killing -> kill) and a short
 * table maps headline synonyms to one word (envoy -> ambassador, quits ->
 * resign), because wires rewrite each other's headlines with exactly those
 * swaps; longer shingles would miss most cross-wire rewrites. Countries and
 * their adjectives become one shingle ("Chinese" = "China"). Only the title
 * and the first LEAD_WORDS words of the lead count, where the news is.
 * One-letter words are dropped (noise in any language, and in mojibake).
 * A text of which under a tenth is English stop words is not English: its
 * stop words stay, so simdup_threshold() asks more of it.
 *
 * Similarity. The signature keeps the SIMDUP_SHINGLES smallest shingle
 * hashes (a bottom-k sketch): Jaccard is exact for short texts and an
 * unbiased estimate beyond. For lookups it also keeps SIMDUP_HASHES MinHash
 * values; bands of two rows make a pair a candidate with probability
 * 1 - (1 - J^2)^64: 0.93 at J = 0.2, 0.998 at J = 0.3, 0.15 for unrelated
 * texts (J = 0.05), so a lookup costs the size of a few buckets, never the
 * archive.
 *
 * Guards. Similar words are not the same news: "Quake kills 12 in Peru" and
 * "Quake kills 30 in Chile" share most shingles. Features that must agree
 * are kept apart from the shingles: numbers (digits and "two".."twelve"),
 * countries (with their adjectives and capitals), weekdays, months, years
 * and dates, and proper names (capitalized words not opening a sentence, and
 * acronyms; a sentence-opening capital is only a maybe-name). For numbers,
 * countries and days: what one headline states must be found in the other
 * text when that text says anything of the class at all, and two texts that
 * both state a class must share at least one value. A text that is silent
 * on a class never conflicts: a rewrite may leave out the death toll, not
 * change it. For names: each proven name of one headline must meet a name
 * (proven or maybe) of the other text if that text proves any, and two
 * texts with proven names must share one. A multi-word name matches on any
 * of its words ("Hanna Lind" = "Lind"); a final "n" after "a" is ignored
 * (Bavarian = Bavaria). A dateline's city counts as a maybe-name and its
 * country as a country; a headline's trailing attribution (" - USGS") is
 * read as lead text. Headlines cut from one template ("Gartner Outperform"
 * / "PayPal Outperform") conflict when they open on different capitalized
 * words and the rest is three quarters the same. Last, the topic: with the
 * names, places and numbers set aside, the remaining words must overlap
 * (Jaccard at least TOPIC_MIN), or it is the same people in another event.
 *
 * Limits. English stop words, suffixes and synonyms only (other languages
 * still match on exact words, with no stop words); Title Case headlines give
 * no proven names, so their names come from the lead; a number written two
 * ways ("1.2 million" / "1,200,000") or a total against a part ("300
 * prisoners" / "150 each") conflicts, which loses the duplicate, never
 * merges two stories.
 */

/* Least topic similarity (see topic_score) of one story's texts. */
static const double TOPIC_MIN = 0.1;

enum {
	LEAD_WORDS = 48, /* content words of the lead that count */
	TOK_MAX = 64,    /* bytes of one folded word */
	TOKS_MAX = 320,  /* words read from title + lead */
	TEXT_SCAN = 4096 /* bytes of the lead read at most */
};

/* Token flags. */
enum {
	T_CAP = 1 << 0,     /* first letter upper case */
	T_UPPER = 1 << 1,   /* all letters upper case, at least two */
	T_NUM = 1 << 2,     /* starts with a digit */
	T_START = 1 << 3,   /* opens a sentence */
	T_TITLE = 1 << 4,   /* from the title */
	T_USED = 1 << 5,    /* consumed by a neighbour (country, date) */
	T_DATELINE = 1 << 6 /* from a lead's dateline ("LONDON (Reuters)") */
};

struct tok {
	char s[TOK_MAX];
	unsigned char len;
	unsigned char flags;
	unsigned char letters, uppers; /* counts, up to TOK_MAX */
	bool lower_s;                  /* the last letter is a lower-case s */
};

/* Feature word layout: class (3 bits), title (1), name group (6), hash. */
enum fclass {
	F_NUM = 1,
	F_NAME = 2, /* a proper name in a position that proves it */
	F_WEAK = 3, /* capitalized at a sentence start: maybe a name */
	F_COUNTRY = 4,
	F_WEEKDAY = 5,
	F_MONTH = 6, /* month, or month and day */
	F_YEAR = 7
};
#define FEAT_CLASS(f) ((f) >> 29)
#define FEAT_TITLE(f) (((f) >> 28) & 1u)
#define FEAT_GROUP(f) (((f) >> 22) & 63u)
#define FEAT_HASH(f)  ((f)&0x3fffffu)

/* English stop words, reporting verbs and wire names: not news. Each word is
 * followed by a space. */
static const char stopwords[] =
    "a about above after again against ago all also am an and "
    "any are as at be because been before being below between "
    "both but by can could did do does doing down during each "
    "few for from further had has have having he her here hers "
    "him his how i if in into is it its itself just may me might "
    "more most much must my no nor not now of off on once only "
    "or other our out over own same she should so some such than "
    "that the their them then there these they this those "
    "through to too under until up upon very was we were what "
    "when where which while who whom why will with would you "
    "your amid despite says said say saying told tells tell "
    "according reported reports report announced announces added "
    "stated statement sources source reuters ap afp dpa "
    "associated press agence france-presse news agency via per "
    "cent percent pct new year years day days week weeks today "
    "yesterday tomorrow tonight morning evening afternoon night "
    "late early last next first one people mr mrs ms dr st "
    "around nearly almost least since still even there's it's "
    "local time ";

/* Capitalized words that are titles, institutions or company suffixes, not
 * the name that tells two stories apart ("President", "Central Bank",
 * "Inc"). */
static const char generic_caps[] =
    "president minister prime premier chancellor king queen "
    "prince princess pope general gen col colonel captain sen "
    "senator rep gov governor mayor judge justice chief "
    "executive officer ceo cfo chairman chairwoman director "
    "secretary spokesman spokeswoman foreign interior defence "
    "defense finance trade economy health energy police army "
    "navy government parliament congress senate house court "
    "supreme central bank federal reserve fed ministry "
    "department office state states national union european eu "
    "un nations united council party inc corp co ltd plc ag sa "
    "nv group holdings company north south east west northern "
    "southern eastern western city province republic kingdom "
    "island islands river sea coast mount lake street wall "
    "europe africa african asia asian pacific atlantic arctic "
    "gulf latin middle pm mp "
    "stocks dollar euro yen exclusive breaking update urgent "
    "analysis factbox explainer ap afp reuters the a an new big "
    "world global international top key airlines airline airways "
    "systems foods shipping motors technologies industries "
    "partners capital media ";

/* Headline verbs and nouns that wires swap for each other. Each row maps
 * stems (after suffix cutting) to the first one. */
static const char *const synonyms[][8] = {
    {"ambassador", "envoy", "emissary", NULL},
    {"resign", "quit", "resignation", NULL},
    {"kill", "dead", "death", "die", "di", "dy", "toll", NULL},
    {"hack", "cyber", "cyberattack", "hacker", NULL},
    {"charg", "indictment", "indict", "accus", NULL},
    {"probe", "investigation", "investigat", "inquiry", NULL},
    {"rise", "ris", "gain", "climb", "jump", "rall", "surg", NULL},
    {"fall", "fell", "drop", "slide", "slid", "slip", "sink", "tumbl"},
    {"plunge", "plung", "slump", "sank", "tumble", NULL},
    {"rais", "hike", NULL},
    {"cut", "lower", "reduc", NULL},
    {"quake", "earthquake", "temblor", "tremor", NULL},
    {"blast", "explosion", "explod", "bomb", "bombing", NULL},
    {"strike", "walkout", NULL},
    {"talk", "negotiation", "negotiat", NULL},
    {"buy", "acquir", "acquisition", "takeover", "purchas", NULL},
    {"deal", "agreement", "pact", "accord", NULL},
    {"win", "won", "victory", "wins", NULL},
    {"vote", "ballot", NULL},
    {"firm", "company", NULL},
    {"profit", "earning", "income", NULL},
    {"storm", "cyclone", "typhoon", "hurricane", NULL},
    {"flood", "flooding", "deluge", NULL},
    {"fire", "blaze", "wildfire", NULL},
    {"arrest", "detain", "detention", NULL},
    {"warn", "caution", NULL},
    {"rate", "rates", NULL},
    {"shooting", "gunfire", "gunman", "shot", "shoot", NULL},
    {"plan", "proposal", "propos", NULL},
    {"crash", "collision", "collid", NULL},
    {"summon", "call", "calls", NULL}};

/* Countries, one row each: "#" + the canonical name, then what else names
 * it (adjectives, capitals), each followed by "|". One string, so a lookup
 * is one strstr. */
static const char countries[] =
    "#us|usa|america|american|americans|united states|washington|"
    "#uk|britain|british|united kingdom|england|english|london|"
    "#china|chinese|beijing|#russia|russian|russians|moscow|kremlin|"
    "#france|french|paris|#germany|german|germans|berlin|"
    "#japan|japanese|tokyo|#india|indian|new delhi|delhi|"
    "#italy|italian|rome|#spain|spanish|madrid|#canada|canadian|ottawa|"
    "#mexico|mexican|#brazil|brazilian|#argentina|argentine|"
    "#chile|chilean|#peru|peruvian|#colombia|colombian|"
    "#venezuela|venezuelan|#ecuador|ecuadorean|ecuadorian|"
    "#bolivia|bolivian|#cuba|cuban|#haiti|haitian|"
    "#australia|australian|canberra|#new zealand|#indonesia|indonesian|"
    "#philippines|philippine|filipino|manila|#vietnam|vietnamese|"
    "#thailand|thai|bangkok|#malaysia|malaysian|#singapore|"
    "#myanmar|burma|burmese|#cambodia|cambodian|#laos|lao|"
    "#south korea|seoul|#north korea|pyongyang|#korea|korean|"
    "#taiwan|taiwanese|taipei|#hong kong|#pakistan|pakistani|"
    "#afghanistan|afghan|#bangladesh|bangladeshi|#sri lanka|sri lankan|"
    "#nepal|nepalese|#iran|iranian|tehran|#iraq|iraqi|baghdad|"
    "#syria|syrian|damascus|#turkey|turkish|ankara|turkiye|"
    "#israel|israeli|israelis|#lebanon|lebanese|beirut|"
    "#jordan|jordanian|#egypt|egyptian|cairo|"
    "#saudi arabia|saudi|riyadh|#yemen|yemeni|#qatar|qatari|"
    "#united arab emirates|uae|emirati|#kuwait|kuwaiti|#oman|omani|"
    "#libya|libyan|#tunisia|tunisian|#algeria|algerian|"
    "#morocco|moroccan|#nigeria|nigerian|#ghana|ghanaian|"
    "#ivory coast|ivorian|cote divoire|#senegal|senegalese|"
    "#mali|malian|#niger|nigerien|#kenya|kenyan|nairobi|"
    "#ethiopia|ethiopian|#somalia|somali|#sudan|sudanese|#south sudan|"
    "#uganda|ugandan|#tanzania|tanzanian|#rwanda|rwandan|"
    "#congo|congolese|#angola|angolan|#mozambique|#zimbabwe|zimbabwean|"
    "#zambia|zambian|#south africa|south african|"
    "#ukraine|ukrainian|kyiv|kiev|#poland|polish|warsaw|"
    "#netherlands|dutch|holland|amsterdam|#belgium|belgian|brussels|"
    "#sweden|swedish|#norway|norwegian|#denmark|danish|"
    "#finland|finnish|#iceland|icelandic|#ireland|irish|dublin|"
    "#portugal|portuguese|lisbon|#greece|greek|athens|"
    "#austria|austrian|vienna|#switzerland|swiss|#hungary|hungarian|"
    "#romania|romanian|#bulgaria|bulgarian|#serbia|serbian|"
    "#croatia|croatian|#czech republic|czech|#slovakia|slovak|"
    "#belarus|belarusian|#georgia|georgian|#armenia|armenian|"
    "#azerbaijan|azeri|#kazakhstan|kazakh|#uzbekistan|uzbek|"
    "#mongolia|mongolian|#estonia|estonian|#latvia|latvian|"
    "#lithuania|lithuanian|#moldova|moldovan|#cyprus|cypriot|"
    "#malta|maltese|#panama|panamanian|#guatemala|guatemalan|"
    "#honduras|honduran|#nicaragua|nicaraguan|#el salvador|salvadoran|"
    "#costa rica|costa rican|#uruguay|uruguayan|#paraguay|paraguayan|"
    "#jamaica|jamaican|#fiji|fijian|#papua new guinea|"
    "#palestinian|palestinians|gaza|west bank|";

/* Abbreviations whose point ends no sentence. */
static const char *const abbrevs[] = {
    "mr", "mrs", "ms", "dr", "st",  "gen",  "sen", "rep", "gov", "col",
    "lt", "sgt", "jr", "sr", "inc", "corp", "co",  "ltd", "no",  "vs"};

static const char *const weekdays[] = {"monday",   "tuesday", "wednesday",
				       "thursday", "friday",  "saturday",
				       "sunday"};

static const char *const months[] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december",
    "jan",     "feb",      "mar",       "apr",     "may",      "jun",
    "jul",     "aug",      "sept",      "oct",     "nov",      "dec"};

static const char *const number_words[] = {
    "zero",  "one",   "two",  "three", "four",   "five",  "six",
    "seven", "eight", "nine", "ten",   "eleven", "twelve"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t
hash_str(const char *s, size_t n, uint64_t seed)
{
	uint64_t h = 0xcbf29ce484222325ull ^ seed;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return wd_mix64(h);
}

/* Is s one of the space-terminated words of list? */
static bool
word_in(const char *list, const char *s)
{
	size_t n = strlen(s);

	for (const char *p = list; (p = strstr(p, s)); p++) {
		if ((p == list || p[-1] == ' ') && p[n] == ' ')
			return true;
	}
	return false;
}

static bool
in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(list[i], s))
			return true;
	}
	return false;
}

static int
list_index(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		if (list[i][0] == s[0] && !strcmp(list[i], s))
			return (int)i;
	}
	return -1;
}

static bool
is_letter(utf8proc_int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);

	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

static bool
is_upper(utf8proc_int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);

	return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

static bool
is_digit(utf8proc_int32_t cp)
{
	return utf8proc_category(cp) == UTF8PROC_CATEGORY_ND;
}

/* Code point at s[i..n) into *cp; returns its length (1 for bad bytes). */
static size_t
next_cp(const char *s, size_t i, size_t n, utf8proc_int32_t *cp)
{
	unsigned c;
	size_t l = wd_utf8_decode(s + i, n - i, &c);

	if (!l) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = (utf8proc_int32_t)c;
	return l;
}

/* The code point after position i, or 0 at the end. */
static utf8proc_int32_t
peek_cp(const char *s, size_t i, size_t n)
{
	utf8proc_int32_t cp = 0;

	if (i < n)
		next_cp(s, i, n, &cp);
	return cp;
}

/* Append cp case-folded and without accents to t (dropped when full). */
static void
tok_put(struct tok *t, utf8proc_int32_t cp)
{
	utf8proc_int32_t dec[8];
	int last = 0;
	utf8proc_ssize_t nd =
	    utf8proc_decompose_char(cp, dec, 8,
				    UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE |
					UTF8PROC_STRIPMARK | UTF8PROC_COMPAT,
				    &last);

	for (utf8proc_ssize_t j = 0; j < nd && j < 8; j++) {
		utf8proc_uint8_t u[4];
		utf8proc_ssize_t ul = utf8proc_encode_char(dec[j], u);

		if (ul <= 0 || t->len + ul >= TOK_MAX)
			return;
		memcpy(t->s + t->len, u, (size_t)ul);
		t->len += (unsigned char)ul;
	}
}

/*
 * Skip a dateline: "LONDON, March 3 (Reuters) - ", "BEIJING (AP) — ",
 * "PARIS (AFP) - ". Returns the offset of the story text.
 */
static size_t
skip_dateline(const char *s, size_t n)
{
	size_t lim = n < 120 ? n : 120;

	for (size_t i = 0; i + 2 < lim; i++) {
		if (s[i] != ')')
			continue;
		size_t j = i + 1;

		while (j < n && s[j] == ' ')
			j++;
		if (j < n && s[j] == '-')
			return j + 1;
		if (j + 2 < n && (!strncmp(s + j, "\xe2\x80\x94", 3) ||
				  !strncmp(s + j, "\xe2\x80\x93", 3)))
			return j + 3;
	}
	return 0;
}

/* Cut text into tokens, appending to toks[*n]. */
static void
tokenize(const char *s, size_t n, unsigned base_flags, struct tok *toks,
	 size_t *ntoks)
{
	struct tok *t = NULL;
	bool start = true;
	bool all_upper = true;
	bool dotted = false;
	size_t letters = 0;

	for (size_t i = 0; i < n;) {
		utf8proc_int32_t cp;
		size_t l = next_cp(s, i, n, &cp);
		bool letter = is_letter(cp);
		bool digit = is_digit(cp);

		if (letter || digit) {
			if (!t) {
				if (*ntoks >= TOKS_MAX)
					return;
				t = &toks[(*ntoks)++];
				memset(t, 0, sizeof(*t));
				t->flags = (unsigned char)base_flags;
				if (start)
					t->flags |= T_START;
				if (digit)
					t->flags |= T_NUM;
				else if (is_upper(cp))
					t->flags |= T_CAP;
				start = false;
				all_upper = true;
				letters = 0;
			}
			if (letter) {
				letters++;
				if (!is_upper(cp))
					all_upper = false;
				if (t->letters < TOK_MAX)
					t->letters++;
				if (is_upper(cp) && t->uppers < TOK_MAX)
					t->uppers++;
				t->lower_s = cp == 's';
			}
			tok_put(t, cp);
			i += l;
			if (letters >= 2 && all_upper && (t->flags & T_CAP))
				t->flags |= T_UPPER;
			else
				t->flags &= (unsigned char)~T_UPPER;
			continue;
		}
		utf8proc_int32_t nx = peek_cp(s, i + l, n);

		if (t && (cp == '.' || cp == ',') && (t->flags & T_NUM) &&
		    is_digit(nx)) {
			/* 1,200 and 3.5: keep the point, drop the comma */
			if (cp == '.')
				tok_put(t, '.');
			i += l;
			continue;
		}
		if (t && cp == '.' && letters == 1 && (t->flags & T_CAP) &&
		    is_upper(nx)) {
			/* U.S., U.N.: an acronym with points */
			i += l;
			dotted = true;
			continue;
		}
		if (t && (cp == '\'' || cp == 0x2019) && is_letter(nx)) {
			utf8proc_int32_t nn = peek_cp(s, i + l + 1, n);

			if ((nx == 's' || nx == 'S') && !is_letter(nn)) {
				i += l + 1; /* possessive 's */
				t = NULL;
				continue;
			}
			i += l; /* O'Neill, d'Ivoire */
			continue;
		}
		/* A point after "U.S", an initial or "Mr" ends no sentence. */
		bool abbrev = t && cp == '.' &&
			      (dotted || letters == 1 ||
			       in_list(abbrevs, NELEM(abbrevs), t->s));

		t = NULL;
		dotted = false;
		if ((cp == '.' && !abbrev) || cp == '!' || cp == '?' ||
		    cp == ':' || cp == ';' || cp == '"' || cp == 0x201c)
			start = true;
		i += l;
	}
}

/* Cut English suffixes: plurals, -ed, -ing, a final e. ASCII words only. */
static void
stem(char *w, size_t *len)
{
	size_t n = *len;

	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)w[i] >= 0x80 || !wd_isalpha(w[i]))
			return;
	}
	if (n > 4 && !strcmp(w + n - 3, "ies")) {
		n -= 2;
		w[n - 1] = 'y';
	} else if (n > 4 && !strcmp(w + n - 4, "sses")) {
		n -= 2;
	} else if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's' &&
		   w[n - 2] != 'u' && w[n - 2] != 'i') {
		n -= 1;
	}
	w[n] = '\0';
	if (n > 5 && !strcmp(w + n - 3, "ing")) {
		n -= 3;
	} else if (n > 4 && !strcmp(w + n - 2, "ed")) {
		n -= 2;
	}
	if (n > 3 && w[n - 1] == w[n - 2] && w[n - 1] != 'l' &&
	    w[n - 1] != 's' && w[n - 1] != 'e')
		n--; /* running -> run */
	if (n > 3 && w[n - 1] == 'e')
		n--;
	w[n] = '\0';
	*len = n;
}

/* Map a stem to its synonym row's head (rows are compared stemmed). */
static const char *
synonym(const char *w)
{
	for (size_t r = 0; r < NELEM(synonyms); r++) {
		for (size_t c = 0; c < 8 && synonyms[r][c]; c++) {
			char e[TOK_MAX];
			size_t el = strlen(synonyms[r][c]);

			/* stems keep the first letter: a cheap filter */
			if (synonyms[r][c][0] != w[0] || el >= TOK_MAX)
				continue;
			memcpy(e, synonyms[r][c], el + 1);
			stem(e, &el);
			if (!strcmp(synonyms[r][c], w) || !strcmp(e, w))
				return synonyms[r][0];
		}
	}
	return w;
}

/* The canonical country (up to its "|") whose row names cand, or NULL. */
static const char *
find_alias(const char *cand, size_t cl)
{
	for (const char *p = countries; (p = strstr(p, cand)); p++) {
		if (p == countries || (p[-1] != '|' && p[-1] != '#') ||
		    p[cl] != '|')
			continue;
		while (p[-1] != '#')
			p--;
		return p;
	}
	return NULL;
}

/* Country at toks[i] (up to three words): its canonical name and how many
 * tokens it spans, or NULL. */
static const char *
country_at(const struct tok *toks, size_t ntoks, size_t i, size_t *span)
{
	char cand[3 * TOK_MAX + 4];

	for (size_t k = 3; k >= 1; k--) {
		if (i + k > ntoks)
			continue;
		size_t cl = 0;
		bool ok = true;

		for (size_t j = 0; j < k; j++) {
			const struct tok *t = &toks[i + j];

			if (!(t->flags & T_CAP) && !(j > 0 && t->len <= 2)) {
				ok = false;
				break;
			}
			if (j)
				cand[cl++] = ' ';
			memcpy(cand + cl, t->s, t->len);
			cl += t->len;
		}
		if (!ok)
			continue;
		cand[cl] = '\0';
		if (k == 1 && !strcmp(cand, "us") && !(toks[i].flags & T_UPPER))
			continue; /* "Us" is a pronoun */
		const char *hit = find_alias(cand, cl);

		if (hit) {
			*span = k;
			return hit;
		}
	}
	return NULL;
}

struct signer {
	struct simdup_sig *sig;
	uint32_t sh[TOKS_MAX];  /* shingle hashes, unsorted, with repeats */
	uint32_t tsh[TOKS_MAX]; /* the headline's, likewise */
	size_t nsh, ntsh;
	uint32_t ent[TOKS_MAX]; /* shingles of names, places and numbers */
	size_t nent;
	bool entity;                      /* the next shingle is one of those */
	uint32_t maybe_name[TOKS_MAX];    /* name hashes of maybe-names */
	uint32_t maybe_shingle[TOKS_MAX]; /* and their shingles (0: none) */
	size_t nmaybe;
	bool maybe_next;     /* the next shingle is the last maybe-name's */
	size_t words, stops; /* words read, and English stop words among them */
	size_t title_words;  /* headline words that are not stop words */
	bool subject_done;   /* the headline's first such word was seen */
	unsigned group;      /* name phrase counter */
	bool in_phrase;
};

static uint32_t
shingle_hash(const char *s, size_t n)
{
	return (uint32_t)(hash_str(s, n, 0x5d1f) >> 32);
}

static size_t
code_points(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void
add_shingle(struct signer *g, bool title, const char *s, size_t n)
{
	uint32_t h = shingle_hash(s, n);

	if (g->entity && g->nent < TOKS_MAX)
		g->ent[g->nent++] = h;
	if (g->maybe_next && g->nmaybe)
		g->maybe_shingle[g->nmaybe - 1] = h;
	g->entity = false;
	g->maybe_next = false;

	if (g->nsh < TOKS_MAX)
		g->sh[g->nsh++] = h;
	if (title && g->ntsh < TOKS_MAX)
		g->tsh[g->ntsh++] = h;
}

static void
add_feat(struct signer *g, enum fclass cls, bool title, const char *s, size_t n)
{
	struct simdup_sig *sig = g->sig;
	uint32_t h = (uint32_t)hash_str(s, n, 0xfea7) & 0x3fffffu;

	for (size_t i = 0; i < sig->nfeats; i++) {
		uint32_t f = sig->feats[i];

		if (FEAT_CLASS(f) == (uint32_t)cls && FEAT_HASH(f) == h) {
			if (title)
				sig->feats[i] |= 1u << 28;
			return;
		}
	}
	if (sig->nfeats >= SIMDUP_FEATS)
		return;
	sig->feats[sig->nfeats++] = ((uint32_t)cls << 29) |
				    ((uint32_t)title << 28) |
				    ((g->group & 63u) << 22) | h;
}

/* "1,200" -> "1200", "3.50" -> "3.5", "21st" -> "21", "4.2bn" -> "4.2". */
static size_t
norm_number(const struct tok *t, char *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < t->len && n + 1 < cap; i++) {
		char c = t->s[i];

		if (!wd_isdigit((unsigned char)c) && c != '.')
			break;
		out[n++] = c;
	}
	if (memchr(out, '.', n)) {
		while (n && out[n - 1] == '0')
			n--;
		if (n && out[n - 1] == '.')
			n--;
	}
	out[n] = '\0';
	return n;
}

static long
small_int(const char *s)
{
	long v = 0;

	for (; *s; s++) {
		if (!wd_isdigit((unsigned char)*s) || v > 100)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

static bool
is_month_tok(const struct tok *t, int *m)
{
	if (!(t->flags & T_CAP) || (t->flags & T_NUM))
		return false;
	int i = list_index(months, NELEM(months), t->s);

	if (i < 0)
		return false;
	*m = i % 12;
	return true;
}

/* Title Case or ALL CAPS headlines: capitals there say nothing. */
static bool
title_is_capitalized(const struct tok *toks, size_t n)
{
	size_t caps = 0, words = 0;

	for (size_t i = 1; i < n; i++) {
		if (toks[i].flags & T_NUM)
			continue;
		if (toks[i].len < 4 && word_in(stopwords, toks[i].s))
			continue;
		words++;
		if (toks[i].flags & T_CAP)
			caps++;
	}
	return words >= 3 && caps * 10 >= words * 7;
}

/* Names are compared without a final "n" after "a", so a region's
 * adjective meets the region: Bavarian = Bavaria, Himalayan = Himalaya. */
static size_t
name_key(const struct tok *t, char *out)
{
	size_t n = t->len;

	memcpy(out, t->s, n);
	if (n > 5 && out[n - 1] == 'n' && out[n - 2] == 'a')
		n--;
	return n;
}

static uint32_t
name_hash_of(const struct tok *t)
{
	char k[TOK_MAX];
	size_t n = name_key(t, k);

	return (uint32_t)hash_str(k, n, 0xfea7) & 0x3fffffu;
}

static void
add_name(struct signer *g, enum fclass cls, bool title, const struct tok *t)
{
	char k[TOK_MAX];
	size_t n = name_key(t, k);

	add_feat(g, cls, title, k, n);
}

/*
 * A dateline ("SHIMLA, India, March 7 (Reuters) -") gives places but no
 * shingles: wires differ there. Its country counts; its city is a maybe-name
 * that the other text's names may meet; its date is the filing date.
 */
static void
sign_dateline(struct signer *g, struct tok *toks, size_t n, size_t i)
{
	struct tok *t = &toks[i];
	size_t span = 0;
	int m;
	const char *country;

	g->in_phrase = false;
	if ((t->flags & T_NUM) || is_month_tok(t, &m))
		return;
	country = country_at(toks, n, i, &span);
	if (country) {
		add_feat(g, F_COUNTRY, false, country, strcspn(country, "|"));
		for (size_t j = 1; j < span; j++)
			toks[i + j].flags |= T_USED;
		return;
	}
	if ((t->flags & T_CAP) && !word_in(stopwords, t->s) &&
	    !word_in(generic_caps, t->s))
		add_name(g, F_WEAK, false, t);
}

/* "EVs", "CEOs", "POWs": a plural names a kind of thing, not one. */
static bool
is_plural_acronym(const struct tok *t)
{
	return t->letters >= 3 && t->lower_s && t->uppers == t->letters - 1;
}

static void
sign_tokens(struct signer *g, struct tok *toks, size_t n, size_t ntitle)
{
	bool capitalized = title_is_capitalized(toks, ntitle);
	size_t lead_words = 0;

	for (size_t i = 0; i < n; i++) {
		struct tok *t = &toks[i];
		bool title = t->flags & T_TITLE;
		char num[TOK_MAX];
		int m;

		if (t->flags & T_USED)
			continue;
		if (t->flags & T_DATELINE) {
			sign_dateline(g, toks, n, i);
			continue;
		}
		if (!title && lead_words >= LEAD_WORDS)
			break;
		bool stop = !(t->flags & T_NUM) && word_in(stopwords, t->s);

		if (!(t->flags & T_NUM)) {
			g->words++;
			g->stops += stop;
		}
		if (title && !stop && g->title_words++)
			g->subject_done = true;
		if (t->flags & T_NUM) {
			size_t nl = norm_number(t, num, sizeof(num));
			long v = small_int(num);

			if (v >= 1 && v <= 31 && i > 0 &&
			    is_month_tok(&toks[i - 1], &m)) {
				continue; /* taken with its month below */
			}
			if (v >= 1 && v <= 31 && i + 1 < n &&
			    is_month_tok(&toks[i + 1], &m)) {
				char d[16];
				int dl = snprintf(d, sizeof(d), "%d-%ld", m, v);

				add_feat(g, F_MONTH, title, d, (size_t)dl);
				toks[i + 1].flags |= T_USED;
				continue;
			}
			if (nl) {
				long y = nl == 4 ? strtol(num, NULL, 10) : 0;

				/* a year is a date: it conflicts with years */
				add_feat(
				    g, y >= 1900 && y <= 2100 ? F_YEAR : F_NUM,
				    title, num, nl);
				g->entity = true;
				add_shingle(g, title, num, nl);
				lead_words += !title;
			}
			g->in_phrase = false;
			continue;
		}
		if (is_month_tok(t, &m)) {
			char d[16];
			int dl;
			long v = -1;

			if (i + 1 < n && (toks[i + 1].flags & T_NUM)) {
				norm_number(&toks[i + 1], num, sizeof(num));
				v = small_int(num);
			}
			if (v >= 1 && v <= 31)
				dl = snprintf(d, sizeof(d), "%d-%ld", m, v);
			else
				dl = snprintf(d, sizeof(d), "%d", m);
			if (strcmp(t->s, "may") || v >= 1)
				add_feat(g, F_MONTH, title, d, (size_t)dl);
			g->in_phrase = false;
			continue;
		}
		int wd = list_index(weekdays, NELEM(weekdays), t->s);

		if (wd >= 0) {
			add_feat(g, F_WEEKDAY, title, t->s, t->len);
			g->in_phrase = false;
			continue;
		}
		int nw = list_index(number_words, NELEM(number_words), t->s);

		if (nw >= 2) {
			int dl = snprintf(num, sizeof(num), "%d", nw);

			add_feat(g, F_NUM, title, num, (size_t)dl);
			g->entity = true;
			add_shingle(g, title, num, (size_t)dl);
			g->in_phrase = false;
			continue;
		}
		size_t span = 0;
		const char *country = country_at(toks, n, i, &span);

		if (country) {
			size_t cl = strcspn(country, "|");

			add_feat(g, F_COUNTRY, title, country, cl);
			g->entity = true;
			add_shingle(g, title, country, cl);
			for (size_t j = 1; j < span; j++)
				toks[i + j].flags |= T_USED;
			g->in_phrase = false;
			lead_words += !title;
			continue;
		}
		if (word_in(stopwords, t->s)) {
			g->in_phrase = false;
			continue;
		}
		lead_words += !title;
		if ((t->flags & T_CAP) && !word_in(generic_caps, t->s) &&
		    !is_plural_acronym(t)) {
			enum fclass cls = F_NAME;

			if ((t->flags & T_START) || (title && capitalized))
				cls = F_WEAK;
			if ((t->flags & T_UPPER) && !(title && capitalized))
				cls = F_NAME;
			if (!g->in_phrase)
				g->group++;
			g->in_phrase = true;
			add_name(g, cls, title, t);
			/* a proven name is an entity; a maybe-name is one if
			 * it is proven elsewhere (see sign_ents) */
			if (cls == F_NAME)
				g->entity = true;
			else if (g->nmaybe < TOKS_MAX)
				g->maybe_name[g->nmaybe++] = name_hash_of(t);
			g->maybe_next = cls != F_NAME;
		} else {
			g->in_phrase = false;
		}
		char w[TOK_MAX];
		size_t wl = t->len;

		memcpy(w, t->s, wl + 1);
		stem(w, &wl);
		const char *sy = synonym(w);

		if (code_points(sy) > 1) /* "s", "ð": noise in any language */
			add_shingle(g, title, sy, strlen(sy));
		g->entity = false;
		g->maybe_next = false;
		/* the subject: a headline opening on a capitalized word that
		 * is not a country, number or stop word */
		if (title && !g->subject_done && (t->flags & T_CAP) &&
		    !word_in(generic_caps, t->s))
			g->sig->subject = shingle_hash(sy, strlen(sy));
	}
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Where a headline's trailing attribution starts: "Quake hits Chile -
 * USGS", "... - sources", "... - quick count" (a spaced dash followed by at
 * most three words). Its words are the source, not the news, so they are
 * read as lead words. Returns len when there is none.
 */
static size_t
attribution_at(const char *s, size_t len)
{
	for (size_t i = len; i-- > 1;) {
		size_t dl = 0;

		if (s[i - 1] != ' ')
			continue;
		if (s[i] == '-')
			dl = 1;
		else if (i + 2 < len && (!strncmp(s + i, "\xe2\x80\x94", 3) ||
					 !strncmp(s + i, "\xe2\x80\x93", 3)))
			dl = 3;
		if (!dl || i + dl >= len || s[i + dl] != ' ')
			continue;
		size_t words = 0;

		for (size_t j = i + dl; j < len; j++) {
			if (s[j] != ' ' && s[j - 1] == ' ')
				words++;
		}
		return words >= 1 && words <= 3 ? i - 1 : len;
	}
	return len;
}

/* Promote weak names that appear as proven names elsewhere in the text. */
static void
promote_names(struct simdup_sig *sig)
{
	for (size_t i = 0; i < sig->nfeats; i++) {
		uint32_t f = sig->feats[i];

		if (FEAT_CLASS(f) != F_WEAK)
			continue;
		for (size_t j = 0; j < sig->nfeats; j++) {
			uint32_t o = sig->feats[j];

			if (FEAT_CLASS(o) == F_NAME &&
			    FEAT_HASH(o) == FEAT_HASH(f)) {
				/* the headline's phrase keeps its group */
				if (FEAT_TITLE(f))
					sig->feats[j] = (o & ~(63u << 22)) |
							(f & (63u << 22)) |
							(1u << 28);
				sig->feats[i] = 0;
				break;
			}
		}
	}
	size_t k = 0;

	for (size_t i = 0; i < sig->nfeats; i++) {
		if (sig->feats[i])
			sig->feats[k++] = sig->feats[i];
	}
	/* unused slots stay zero, so equal signatures are equal bytes */
	memset(&sig->feats[k], 0, (sig->nfeats - k) * sizeof(uint32_t));
	sig->nfeats = (uint16_t)k;
}

static bool has_feat(const struct simdup_sig *s, unsigned cls, uint32_t hash);

/* Keep the smallest distinct entity shingles, ascending: numbers,
 * countries, proven names, and maybe-names proven elsewhere in the text. */
static void
sign_ents(struct signer *g, struct simdup_sig *out)
{
	size_t u = 0;

	for (size_t i = 0; i < g->nmaybe && g->nent < TOKS_MAX; i++) {
		if (g->maybe_shingle[i] &&
		    has_feat(out, F_NAME, g->maybe_name[i]))
			g->ent[g->nent++] = g->maybe_shingle[i];
	}
	qsort(g->ent, g->nent, sizeof(uint32_t), cmp_u32);
	for (size_t i = 0; i < g->nent && u < SIMDUP_ENTS; i++) {
		if (!u || g->ent[i] != out->ents[u - 1])
			out->ents[u++] = g->ent[i];
	}
	out->nents = (uint8_t)u;
}

/* Keep the headline's smallest distinct shingles, ascending. */
static void
sign_title(struct signer *g, struct simdup_sig *out)
{
	size_t u = 0;

	qsort(g->tsh, g->ntsh, sizeof(uint32_t), cmp_u32);
	for (size_t i = 0; i < g->ntsh && u < SIMDUP_TITLE; i++) {
		if (!u || g->tsh[i] != out->title[u - 1])
			out->title[u++] = g->tsh[i];
	}
	out->ntitle = (uint8_t)u;
}

/*
 * MinHash of the shingle set: hash k of a shingle is the top half of
 * a_k * x + b_k (mod 2^64), x the shingle mixed to 64 bits, a_k odd: one
 * multiply per shingle and hash. The constants derive from k, so the
 * values (and the band keys stored from them) never change between runs.
 */
static void
minhash(const uint32_t *sh, size_t n, uint32_t out[SIMDUP_HASHES])
{
	uint64_t a[SIMDUP_HASHES], b[SIMDUP_HASHES];

	for (size_t k = 0; k < SIMDUP_HASHES; k++) {
		a[k] = wd_mix64(2 * k + 1) | 1;
		b[k] = wd_mix64(2 * k + 2);
		out[k] = UINT32_MAX;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t x = wd_mix64(sh[i]);

		for (size_t k = 0; k < SIMDUP_HASHES; k++) {
			uint32_t h = (uint32_t)((a[k] * x + b[k]) >> 32);

			if (h < out[k])
				out[k] = h;
		}
	}
}

void
simdup_sign(const char *title, const char *lead, struct simdup_sig *out)
{
	struct tok toks[TOKS_MAX];
	struct signer g;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	memset(&g, 0, sizeof(g));
	g.sig = out;
	size_t tl = title ? strnlen(title, TEXT_SCAN) : 0;
	size_t body = title ? attribution_at(title, tl) : 0;

	if (title)
		tokenize(title, body, T_TITLE, toks, &n);
	size_t ntitle = n;

	if (title)
		tokenize(title + body, tl - body, 0, toks, &n);

	if (lead) {
		size_t ll = strnlen(lead, TEXT_SCAN);
		size_t off = skip_dateline(lead, ll);

		tokenize(lead, off, T_DATELINE, toks, &n);
		tokenize(lead + off, ll - off, 0, toks, &n);
	}
	sign_tokens(&g, toks, n, ntitle);
	promote_names(out);
	qsort(out->feats, out->nfeats, sizeof(uint32_t), cmp_u32);

	qsort(g.sh, g.nsh, sizeof(uint32_t), cmp_u32);
	size_t u = 0;

	for (size_t i = 0; i < g.nsh; i++) {
		if (!u || g.sh[i] != g.sh[u - 1])
			g.sh[u++] = g.sh[i];
	}
	sign_title(&g, out);
	sign_ents(&g, out);
	/* English running text is a third to a half stop words; a title
	 * alone is too short to tell and counts as English. */
	out->english = g.words < 12 || g.stops * 10 >= g.words;
	out->sampled = u > SIMDUP_SHINGLES;
	out->nshingles = (uint16_t)(u > SIMDUP_SHINGLES ? SIMDUP_SHINGLES : u);
	memcpy(out->shingles, g.sh, out->nshingles * sizeof(uint32_t));

	minhash(g.sh, u, out->minhash);
}

size_t
simdup_bands(const struct simdup_sig *s, uint64_t keys[SIMDUP_BANDS])
{
	enum { ROWS = SIMDUP_HASHES / SIMDUP_BANDS };

	if (!s->nshingles)
		return 0;
	for (size_t b = 0; b < SIMDUP_BANDS; b++) {
		uint64_t h = wd_mix64(0x1b4d0000ull + b);

		for (size_t r = 0; r < ROWS; r++)
			h = wd_mix64(h ^ s->minhash[b * ROWS + r]);
		keys[b] = h;
	}
	return SIMDUP_BANDS;
}

double
simdup_score(const struct simdup_sig *a, const struct simdup_sig *b)
{
	size_t i = 0, j = 0, both = 0, uni = 0;
	size_t k = a->sampled || b->sampled ? SIMDUP_SHINGLES : (size_t)-1;

	while ((i < a->nshingles || j < b->nshingles) && uni < k) {
		if (j >= b->nshingles ||
		    (i < a->nshingles && a->shingles[i] < b->shingles[j])) {
			i++;
		} else if (i >= a->nshingles ||
			   b->shingles[j] < a->shingles[i]) {
			j++;
		} else {
			i++, j++, both++;
		}
		uni++;
	}
	return uni ? (double)both / (double)uni : 0.0;
}

static bool
has_feat(const struct simdup_sig *s, unsigned cls, uint32_t hash)
{
	for (size_t i = 0; i < s->nfeats; i++) {
		uint32_t f = s->feats[i];

		if (FEAT_CLASS(f) == cls && FEAT_HASH(f) == hash)
			return true;
	}
	return false;
}

static size_t
count_class(const struct simdup_sig *s, unsigned cls)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nfeats; i++)
		n += FEAT_CLASS(s->feats[i]) == cls;
	return n;
}

/* A value class (numbers, countries, days): a's title values must be in b
 * when b has any; values of both must intersect. */
static bool
values_conflict(const struct simdup_sig *a, const struct simdup_sig *b,
		unsigned cls)
{
	size_t na = count_class(a, cls), nb = count_class(b, cls);

	if (!na || !nb)
		return false;
	bool common = false;

	for (size_t i = 0; i < a->nfeats; i++) {
		uint32_t f = a->feats[i];

		if (FEAT_CLASS(f) != cls)
			continue;
		bool in_b = has_feat(b, cls, FEAT_HASH(f));

		common |= in_b;
		if (FEAT_TITLE(f) && !in_b)
			return true;
	}
	return !common;
}

static bool
has_name(const struct simdup_sig *s, uint32_t hash)
{
	return has_feat(s, F_NAME, hash) || has_feat(s, F_WEAK, hash);
}

/* Names: every proven name phrase of a's headline must have a word among
 * b's names when b names anyone; proven names of both must meet. */
static bool
names_conflict(const struct simdup_sig *a, const struct simdup_sig *b)
{
	if (!count_class(a, F_NAME) || !count_class(b, F_NAME))
		return false;
	uint64_t seen = 0, matched = 0;
	bool common = false;

	for (size_t i = 0; i < a->nfeats; i++) {
		uint32_t f = a->feats[i];
		unsigned cls = FEAT_CLASS(f);

		if (cls != F_NAME && cls != F_WEAK)
			continue;
		bool in_b = has_name(b, FEAT_HASH(f));

		if (cls == F_NAME && in_b)
			common = true;
		if (!FEAT_TITLE(f))
			continue;
		uint64_t bit = 1ull << FEAT_GROUP(f);

		if (cls == F_NAME)
			seen |= bit;
		if (in_b)
			matched |= bit;
	}
	if (seen & ~matched)
		return true;
	if (!common) {
		/* proven names of b may be weak in a */
		for (size_t i = 0; i < b->nfeats; i++) {
			uint32_t f = b->feats[i];

			if (FEAT_CLASS(f) == F_NAME &&
			    has_name(a, FEAT_HASH(f)))
				common = true;
		}
	}
	return !common;
}

static bool
in_title(const struct simdup_sig *s, uint32_t h)
{
	for (size_t i = 0; i < s->ntitle; i++) {
		if (s->title[i] == h)
			return true;
	}
	return false;
}

/*
 * One headline template, another subject: "Gartner Outperform" / "PayPal
 * Outperform", "Acme shares fall on profit warning" / "Zenco shares ...".
 * The headlines open on different capitalized words, neither headline has
 * the other's, and without them three quarters of the headline words are
 * the same. (A looser test would part "Strong quake hits Chile" from
 * "Powerful quake hits off Chile coast".)
 */
static bool
subject_conflict(const struct simdup_sig *a, const struct simdup_sig *b)
{
	if (!a->subject || !b->subject || a->subject == b->subject ||
	    in_title(a, b->subject) || in_title(b, a->subject))
		return false;
	size_t both = 0, uni = 0;

	for (size_t i = 0; i < a->ntitle; i++) {
		if (a->title[i] == a->subject)
			continue;
		uni++;
		both += in_title(b, a->title[i]);
	}
	for (size_t i = 0; i < b->ntitle; i++)
		uni += b->title[i] != b->subject && !in_title(a, b->title[i]);
	return uni && both * 4 >= uni * 3;
}

static bool
is_ent(const struct simdup_sig *s, uint32_t h)
{
	for (size_t i = 0; i < s->nents; i++) {
		if (s->ents[i] == h)
			return true;
	}
	return false;
}

/*
 * What happened, apart from who and where: the Jaccard similarity of the
 * shingles that are not names, places or numbers. Two stories about one
 * person ("Brenner says union break-up possible" / "Brenner says no new
 * spending target") share the entities and little else.
 */
static double
topic_score(const struct simdup_sig *a, const struct simdup_sig *b)
{
	size_t i = 0, j = 0, both = 0, uni = 0;

	while (i < a->nshingles || j < b->nshingles) {
		uint32_t h;
		bool in_a = false, in_b = false;

		if (j >= b->nshingles ||
		    (i < a->nshingles && a->shingles[i] < b->shingles[j])) {
			h = a->shingles[i++];
			in_a = true;
		} else if (i >= a->nshingles ||
			   b->shingles[j] < a->shingles[i]) {
			h = b->shingles[j++];
			in_b = true;
		} else {
			h = a->shingles[i];
			i++, j++;
			in_a = in_b = true;
		}
		if (is_ent(a, h) || is_ent(b, h))
			continue;
		uni++;
		both += in_a && in_b;
	}
	return uni ? (double)both / (double)uni : 0.0;
}

double
simdup_threshold(const struct simdup_sig *a, const struct simdup_sig *b,
		 double base)
{
	double t = base;

	if ((a->nshingles < SIMDUP_SHORT_TEXT ||
	     b->nshingles < SIMDUP_SHORT_TEXT) &&
	    t < SIMDUP_SHORT_THRESHOLD)
		t = SIMDUP_SHORT_THRESHOLD;
	if ((!a->english || !b->english) && t < SIMDUP_FOREIGN_THRESHOLD)
		t = SIMDUP_FOREIGN_THRESHOLD;
	return t;
}

unsigned
simdup_conflicts(const struct simdup_sig *a, const struct simdup_sig *b)
{
	unsigned g = 0;

	if (values_conflict(a, b, F_NUM) || values_conflict(b, a, F_NUM))
		g |= SIMDUP_G_NUMBERS;
	if (values_conflict(a, b, F_COUNTRY) ||
	    values_conflict(b, a, F_COUNTRY))
		g |= SIMDUP_G_COUNTRIES;
	if (values_conflict(a, b, F_WEEKDAY) ||
	    values_conflict(b, a, F_WEEKDAY) ||
	    values_conflict(a, b, F_MONTH) || values_conflict(b, a, F_MONTH) ||
	    values_conflict(a, b, F_YEAR) || values_conflict(b, a, F_YEAR))
		g |= SIMDUP_G_DAYS;
	if (names_conflict(a, b) || names_conflict(b, a))
		g |= SIMDUP_G_NAMES;
	if (subject_conflict(a, b))
		g |= SIMDUP_G_SUBJECT;
	if (topic_score(a, b) < TOPIC_MIN)
		g |= SIMDUP_G_TOPIC;
	return g;
}

bool
simdup_same_story(const struct simdup_sig *a, const struct simdup_sig *b,
		  double threshold, double *score)
{
	double s = simdup_score(a, b);

	if (score)
		*score = s;
	return s >= simdup_threshold(a, b, threshold) &&
	       !simdup_conflicts(a, b);
}

/*
 * Blob layout, little-endian: "SD", version, flags (1 sampled, 2 english),
 * nshingles (2), nfeats (2), ntitle (1), nents (1), subject (4), then
 * shingles, feats, title and ents, 4 bytes each. The MinHash values serve
 * only the band keys of a new item and are not stored; version 3 blobs
 * (stored before) carry SIMDUP_HASHES of them after the head, skipped when
 * read.
 */
enum { BLOB_VERSION = 4, BLOB_HEAD = 14 };

static unsigned char *
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
	return p + 4;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static unsigned char *
put_array(unsigned char *p, const uint32_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p = put32(p, v[i]);
	return p;
}

static const unsigned char *
get_array(const unsigned char *p, uint32_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++, p += 4)
		v[i] = get32(p);
	return p;
}

size_t
simdup_to_blob(const struct simdup_sig *s, unsigned char blob[SIMDUP_BLOB_MAX])
{
	unsigned char *p = blob;

	*p++ = 'S';
	*p++ = 'D';
	*p++ = BLOB_VERSION;
	*p++ = (unsigned char)((s->sampled ? 1 : 0) | (s->english ? 2 : 0));
	*p++ = (unsigned char)s->nshingles;
	*p++ = (unsigned char)(s->nshingles >> 8);
	*p++ = (unsigned char)s->nfeats;
	*p++ = (unsigned char)(s->nfeats >> 8);
	*p++ = s->ntitle;
	*p++ = s->nents;
	p = put32(p, s->subject);
	p = put_array(p, s->shingles, s->nshingles);
	p = put_array(p, s->feats, s->nfeats);
	p = put_array(p, s->title, s->ntitle);
	p = put_array(p, s->ents, s->nents);
	return (size_t)(p - blob);
}

int
simdup_from_blob(const void *blob, size_t len, struct simdup_sig *out)
{
	const unsigned char *p = blob;
	struct simdup_sig s;

	memset(&s, 0, sizeof(s));
	if (len < BLOB_HEAD || p[0] != 'S' || p[1] != 'D' ||
	    (p[2] != BLOB_VERSION && p[2] != 3) || p[3] > 3)
		return WD_EPARSE;
	size_t skip = p[2] == 3 ? SIMDUP_HASHES : 0;
	s.sampled = p[3] & 1;
	s.english = (p[3] & 2) != 0;
	size_t ns = (size_t)p[4] | (size_t)p[5] << 8;
	size_t nf = (size_t)p[6] | (size_t)p[7] << 8;
	size_t nt = p[8];
	size_t ne = p[9];

	if (ns > SIMDUP_SHINGLES || nf > SIMDUP_FEATS || nt > SIMDUP_TITLE ||
	    ne > SIMDUP_ENTS ||
	    len != BLOB_HEAD + 4 * (skip + ns + nf + nt + ne))
		return WD_EPARSE;
	s.subject = get32(p + 10);
	p += BLOB_HEAD + 4 * skip;
	p = get_array(p, s.shingles, ns);
	p = get_array(p, s.feats, nf);
	p = get_array(p, s.title, nt);
	get_array(p, s.ents, ne);
	s.nshingles = (uint16_t)ns;
	s.nfeats = (uint16_t)nf;
	s.ntitle = (uint8_t)nt;
	s.nents = (uint8_t)ne;
	*out = s;
	return 0;
}
