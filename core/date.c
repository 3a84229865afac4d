/* SPDX-License-Identifier: MIT */
/* core/date.c: dates as feeds write them, to seconds since the epoch (core,
 * shared by every stage; feeds/ calls it for every date element). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/item.h"
#include "core/text.h"
#include "core/wdtime.h"

/*
 * How a date is read, and why.
 *
 * Feeds claim RFC 822 (RSS) or RFC 3339 (Atom), and write everything in
 * between: two-digit years, missing seconds or time, zone names, a wrong or
 * missing weekday, "13 Feb, 2012", asctime, Twitter's and JavaScript's
 * toString(), ISO 8601 partial and basic forms, month names in other
 * languages, Korean blog formats. One grammar covers them all:
 *
 * 1. Tokenize: numbers (digit runs), words (letters, folded to lowercase
 *    with accents and Greek tonos removed, so "Ιούλ" and "ιουλ", "július"
 *    and "julius" compare equal), and the punctuation , / - + : . alone.
 *    Whitespace only marks the next token; "(comments)" are dropped as RFC
 *    5322 allows. Any other byte, invalid UTF-8 or an overlong input means
 *    "not a date".
 * 2. Match, left to right, with no skipping of unknown tokens:
 *       [weekday [.] [,]]  date  [,]  [T|at] [am/pm] [time [am/pm]]
 *       [zone [same zone]]  [year, when the date had none]  [zone]
 *    where date is one of
 *       YYYY[-MM[-DD]]  YYYY-DDD  YYYY-0MM-DD  YYYY-month-DD  YYYY/MM/DD
 *       YYYYMMDD  YYYYDDD  YYMMDD  -YYMM  -YY-MM  YYYY년 MM월 DD일
 *       DD[.] [-]month[.][-] [,] YY|YYY|YYYY       (RFC 822 and friends)
 *       month[.] DD[st] [,] YYYY                  (US, JavaScript)
 *       month[.] DD    ...time... YYYY            (asctime, Twitter)
 *    Every token must be used; "1:2:3:4", "2013-01-27-01" and
 *    "...-06:00Textra" fail because something is left over. A leading word
 *    that is both a weekday and a month ("Mar": martes, March) is tried
 *    both ways; if both readings succeed and disagree, we refuse.
 * 3. Validate everything: year 1..9999, month 1..12, day against the
 *    month's length in that year (Gregorian leap rule), hour 0..23 (24:00
 *    as ISO's end of day), minute 0..59, second 0..60 (a leap second lands
 *    on the next minute), 12-hour clocks 1..12, offsets up to 14:59.
 *
 * What we decide, since a wrong date is worse than none (the store then
 * uses the time it first saw the item, which is close for a polled feed):
 *  - Two-digit years follow RFC 5322 (00-49 -> 20xx, 50-99 -> 19xx);
 *    three-digit years add 1900, also RFC 5322 (old Y2K bugs: 104 = 2004).
 *  - No zone means UTC, as in RFC 3339's "unknown local offset"; Korean
 *    formats (년/월/일, 오전/오후) mean KST, +09:00, as they come from
 *    Korean servers.
 *  - Zone names: UT, UTC, GMT, Z, the RFC 822 US zones, their short forms
 *    AT/ET/CT/MT/PT, and unambiguous European/Asian/Pacific ones (CET,
 *    MET, MEST, EET, JST, KST, AEST, ...). Ambiguous ones (BST, IST) are
 *    rejected. Military letters other than Z are rejected: RFC 822 got
 *    their signs backwards and RFC 1123 says they carry no information.
 *  - "Etc/GMT+5" is the tz database's inverted sign (UTC-5); "GMT+5" and
 *    "GMT-01:01" are plain offsets.
 *  - Forms we refuse although some parser accepts them: YY-MM-DD with
 *    hyphens ("03-12-31" is also DD-MM-YY or MM-DD-YY in the wild), YYDDD
 *    ordinals ("03335", indistinguishable from a five-digit year), slashed
 *    dates other than YYYY/MM/DD (03/04/2005 is March or April), dotted
 *    DD.MM.YYYY, week dates.
 * Month and weekday names: English, German, French, Spanish, Italian,
 * Portuguese, Dutch, Hungarian and Greek, matched as prefixes of at least
 * three letters (two for weekdays) of the full names; a prefix that fits
 * names of two different months ("jui": juin, juillet) is refused.
 */

enum {
	MAXLEN = 256, /* no real date is longer */
	MAXTOK = 32,
	WORDMAX = 32, /* folded bytes, NUL included */
};

struct tok {
	char kind;       /* 'n' number, 'w' word, else the punctuation */
	bool sp;         /* whitespace before it */
	int len;         /* digits of a number, bytes of a folded word */
	int ncp;         /* code points of a word; 0 if too long to match */
	int val;         /* value of a number of at most 9 digits, else -1 */
	const char *dig; /* a number's digits in the input */
	char w[WORDMAX]; /* a word, folded */
};

struct ps {
	const struct tok *t;
	int n;
	int i;
};

struct dt {
	int year, mon, day; /* mon 0 with yday set: an ordinal date */
	int yday;
	int hour, min, sec;
	char ampm; /* 0, 'a' or 'p' */
	bool have_year, have_time, have_zone, korean;
	int off; /* seconds east of UTC */
};

/*
 * Month names by month, folded (lowercase, unaccented, Greek without tonos):
 * English, German, French, Spanish, Italian, Portuguese, Dutch, Hungarian,
 * Greek (nominative and genitive). A word names a month when it is a prefix
 * of at least three letters of names of that month only.
 */
static const char *const month_names[12] = {
    "january januar janner janvier enero gennaio janeiro januari "
    "ιανουαριος ιανουαριου",
    "february februar fevrier febrero febbraio fevereiro februari "
    "φεβρουαριος φεβρουαριου",
    "march marz maerz mars marzo marco maart marcius μαρτιος μαρτιου",
    "april avril abril aprile aprilis απριλιος απριλιου",
    "may mai mayo maggio maio mei majus μαιος μαιου",
    "june juni juin junio giugno junho junius ιουνιος ιουνιου",
    "july juli juillet julio luglio julho julius ιουλιος ιουλιου",
    "august aout agosto augustus augusztus αυγουστος αυγουστου",
    "september septembre septiembre setiembre settembre setembro "
    "szeptember σεπτεμβριος σεπτεμβριου",
    "october oktober octobre octubre ottobre outubro οκτωβριος οκτωβριου",
    "november novembre noviembre novembro νοεμβριος νοεμβριου",
    "december dezember decembre diciembre dicembre dezembro "
    "δεκεμβριος δεκεμβριου",
};

/* Weekdays in the same languages. They are never checked against the date
 * (feeds get them wrong), so any prefix of two letters will do. */
static const char weekday_names[] =
    "sunday monday tuesday wednesday thursday friday saturday "
    "sonntag montag dienstag mittwoch donnerstag freitag samstag "
    "sonnabend dimanche lundi mardi mercredi jeudi vendredi samedi "
    "domingo lunes martes miercoles jueves viernes sabado "
    "domenica lunedi martedi mercoledi giovedi venerdi sabato "
    "zondag maandag dinsdag woensdag donderdag vrijdag zaterdag "
    "domingo segunda terca quarta quinta sexta sabado "
    "vasarnap hetfo kedd szerda csutortok pentek szombat "
    "κυριακη δευτερα τριτη τεταρτη πεμπτη παρασκευη σαββατο";

/* Zone names, exact, grouped by offset. */
static const struct {
	const char *names;
	int minutes; /* east of UTC */
} zone_names[] = {
    {"z ut utc gmt uct zulu wet", 0},
    {"nst", -210}, /* Newfoundland */
    {"ndt", -150},
    {"adt", -180},
    {"ast at edt", -240},
    {"est et cdt", -300},
    {"cst ct mdt", -360},
    {"mst mt pdt", -420},
    {"pst pt akdt", -480},
    {"akst", -540},
    {"hst", -600},
    {"cet met west", 60},
    {"cest mest eet", 120},
    {"eest msk", 180},
    {"hkt sgt awst", 480},
    {"jst kst", 540},
    {"acst", 570},
    {"aest", 600},
    {"acdt", 630},
    {"aedt", 660},
    {"nzst", 720},
    {"nzdt", 780},
};

/* Lowercase, unaccented Latin-1 letters from U+00C0; '?' keeps the
 * character as it is. */
static const char latin1_fold[] = "aaaaaa?ceeeeiiiidnooooo?ouuuuy??"
				  "aaaaaa?ceeeeiiiidnooooo?ouuuuy?y";

/* The folded form of code point cp: 0 drops it (combining accents). */
static unsigned
fold_cp(unsigned cp)
{
	if (cp < 0x80)
		return (unsigned)wd_tolower((int)cp);
	if (cp >= 0xc0 && cp <= 0xff && latin1_fold[cp - 0xc0] != '?')
		return (unsigned char)latin1_fold[cp - 0xc0];
	if (cp >= 0x300 && cp <= 0x36f)
		return 0;
	switch (cp) {
	case 0x150: /* Ő ő */
	case 0x151:
		return 'o';
	case 0x170: /* Ű ű */
	case 0x171:
		return 'u';
	case 0x386: /* Ά ά */
	case 0x3ac:
		return 0x3b1;
	case 0x388: /* Έ έ */
	case 0x3ad:
		return 0x3b5;
	case 0x389: /* Ή ή */
	case 0x3ae:
		return 0x3b7;
	case 0x38a: /* Ί ί ΐ Ϊ ϊ */
	case 0x3af:
	case 0x390:
	case 0x3aa:
	case 0x3ca:
		return 0x3b9;
	case 0x38c: /* Ό ό */
	case 0x3cc:
		return 0x3bf;
	case 0x38e: /* Ύ ύ ΰ Ϋ ϋ */
	case 0x3cd:
	case 0x3b0:
	case 0x3ab:
	case 0x3cb:
		return 0x3c5;
	case 0x38f: /* Ώ ώ */
	case 0x3ce:
		return 0x3c9;
	case 0x3c2: /* final sigma */
		return 0x3c3;
	default:
		break;
	}
	if (cp >= 0x391 && cp <= 0x3a9)
		return cp + 0x20;
	return cp;
}

/* Append cp as UTF-8 to w[0..*len); false when it does not fit. */
static bool
put_cp(char *w, int *len, unsigned cp)
{
	char tmp[4];
	int n;

	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xe0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		tmp[0] = (char)(0xf0 | (cp >> 18));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (*len + n >= WORDMAX)
		return false;
	memcpy(w + *len, tmp, (size_t)n);
	*len += n;
	return true;
}

static bool
is_nbsp(const char *p, const char *end)
{
	return end - p >= 2 && (unsigned char)p[0] == 0xc2 &&
	       (unsigned char)p[1] == 0xa0;
}

/* Split s[0..n) into tokens; returns their number or -1 when s holds
 * something no date contains. */
static int
tokenize(const char *s, size_t n, struct tok *toks)
{
	const char *p = s, *end = s + n;
	int nt = 0;
	bool sp = false;

	while (p < end) {
		unsigned char c = (unsigned char)*p;

		if (wd_isspace(c) || is_nbsp(p, end)) {
			p += c < 0x80 ? 1 : 2;
			sp = true;
			continue;
		}
		if (c == '(') {
			int depth = 0;

			do {
				if (*p == '\\' && end - p >= 2)
					p++; /* RFC 5322 quoted-pair */
				else if (*p == '(')
					depth++;
				else if (*p == ')')
					depth--;
				p++;
			} while (p < end && depth > 0);
			if (depth > 0)
				return -1;
			sp = true;
			continue;
		}
		if (nt == MAXTOK)
			return -1;
		struct tok *t = &toks[nt++];

		memset(t, 0, sizeof(*t));
		t->sp = sp;
		sp = false;
		if (wd_isdigit(c)) {
			t->kind = 'n';
			t->dig = p;
			t->val = 0;
			while (p < end && wd_isdigit((unsigned char)*p)) {
				if (t->len < 9)
					t->val = t->val * 10 + (*p - '0');
				t->len++;
				p++;
			}
			if (t->len > 9)
				t->val = -1;
		} else if (wd_isalpha(c) || c >= 0x80) {
			bool fits = true;

			t->kind = 'w';
			while (p < end && !is_nbsp(p, end) &&
			       (wd_isalpha((unsigned char)*p) ||
				(unsigned char)*p >= 0x80)) {
				unsigned cp;
				size_t k =
				    wd_utf8_decode(p, (size_t)(end - p), &cp);

				if (k == 0)
					return -1;
				p += k;
				cp = fold_cp(cp);
				if (cp == 0)
					continue;
				if (fits)
					fits = put_cp(t->w, &t->len, cp);
				t->ncp++;
			}
			if (!fits) {
				t->len = 0;
				t->ncp = 0;
			}
			t->w[t->len] = '\0';
		} else if (c != '\0' && strchr(",/-+:.", c)) {
			t->kind = (char)c;
			p++;
		} else {
			return -1;
		}
	}
	return nt;
}

/* True when word t is a prefix of at least mincp code points of one of the
 * space-separated names. */
static bool
is_prefix_of(const struct tok *t, const char *names, int mincp)
{
	if (t->kind != 'w' || t->ncp < mincp)
		return false;
	for (const char *p = names; *p;) {
		size_t n = strcspn(p, " ");

		if ((size_t)t->len <= n && !memcmp(p, t->w, (size_t)t->len))
			return true;
		p += n;
		p += *p == ' ';
	}
	return false;
}

/* True when word t is exactly one of the space-separated names. */
static bool
is_one_of(const struct tok *t, const char *names)
{
	if (t->kind != 'w' || t->ncp == 0)
		return false;
	for (const char *p = names; *p;) {
		size_t n = strcspn(p, " ");

		if ((size_t)t->len == n && !memcmp(p, t->w, n))
			return true;
		p += n;
		p += *p == ' ';
	}
	return false;
}

/* The month word t names, 1..12, or 0 when none or more than one. */
static int
month_of(const struct tok *t)
{
	int m = 0;

	for (int i = 0; i < 12; i++) {
		if (!is_prefix_of(t, month_names[i], 3))
			continue;
		if (m)
			return 0;
		m = i + 1;
	}
	return m;
}

static const struct tok *
cur(const struct ps *ps)
{
	return ps->i < ps->n ? &ps->t[ps->i] : NULL;
}

/* True when the token k ahead is punctuation c (with no space before it
 * when tight). */
static bool
is_p(const struct ps *ps, int k, char c, bool tight)
{
	int i = ps->i + k;

	return i < ps->n && ps->t[i].kind == c && !(tight && ps->t[i].sp);
}

static bool
accept_p(struct ps *ps, char c, bool tight)
{
	if (!is_p(ps, 0, c, tight))
		return false;
	ps->i++;
	return true;
}

/* A number of minlen..maxlen digits at the cursor; its value or -1. */
static int
take_num(struct ps *ps, int minlen, int maxlen, bool tight)
{
	const struct tok *t = cur(ps);

	if (!t || t->kind != 'n' || t->len < minlen || t->len > maxlen ||
	    (tight && t->sp))
		return -1;
	ps->i++;
	return t->val;
}

static bool
is_word(const struct ps *ps, const char *w)
{
	const struct tok *t = cur(ps);

	return t && t->kind == 'w' && t->ncp > 0 && !strcmp(t->w, w);
}

static bool
accept_word(struct ps *ps, const char *w)
{
	if (!is_word(ps, w))
		return false;
	ps->i++;
	return true;
}

static int
month_word(struct ps *ps)
{
	const struct tok *t = cur(ps);
	int m = t ? month_of(t) : 0;

	if (m)
		ps->i++;
	return m;
}

/* Digits [at, at+n) of number token t. */
static int
digits(const struct tok *t, int at, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (t->dig[at + i] - '0');
	return v;
}

static int
year_from(int v, int len)
{
	if (len == 2)
		return v < 50 ? 2000 + v : 1900 + v;
	if (len == 3)
		return 1900 + v;
	return v;
}

/* An ordinal suffix right after a day number ("1st", "22nd"). */
static void
skip_ordinal(struct ps *ps)
{
	const struct tok *t = cur(ps);

	if (t && t->kind == 'w' && !t->sp &&
	    (!strcmp(t->w, "st") || !strcmp(t->w, "nd") ||
	     !strcmp(t->w, "rd") || !strcmp(t->w, "th")))
		ps->i++;
}

/* A year of 4 digits (or 2..4 when loose) that is not an hour. */
static bool
take_year(struct ps *ps, struct dt *d, bool loose)
{
	const struct tok *t = cur(ps);

	if (!t || t->kind != 'n' || t->len > 4 || t->len < (loose ? 2 : 4))
		return false;
	if (is_p(ps, 1, ':', true))
		return false;
	ps->i++;
	d->year = year_from(t->val, t->len);
	d->have_year = true;
	return true;
}

/* Dates that start with a four-digit year. */
static bool
date_ymd(struct ps *ps, struct dt *d)
{
	int y = take_num(ps, 4, 4, false);

	if (y < 0)
		return false;
	d->year = y;
	d->have_year = true;
	d->mon = 1;
	d->day = 1;
	if (accept_p(ps, '-', true)) {
		const struct tok *t = cur(ps);

		if (t && t->kind == 'n' && !t->sp && t->len == 3) {
			ps->i++;
			if (t->dig[0] == '0' && is_p(ps, 0, '-', true)) {
				/* "2003-012-31": a zero-padded month */
				d->mon = t->val;
				ps->i++;
				d->day = take_num(ps, 1, 2, true);
				return d->day >= 0;
			}
			d->mon = 0;
			d->yday = t->val;
			return true;
		}
		if (t && t->kind == 'w' && !t->sp) {
			d->mon = month_word(ps);
			if (!d->mon || !accept_p(ps, '-', true))
				return false;
		} else {
			d->mon = take_num(ps, 1, 2, true);
			if (d->mon < 0)
				return false;
			if (!accept_p(ps, '-', true))
				return true;
		}
		d->day = take_num(ps, 1, 2, true);
		return d->day >= 0;
	}
	if (accept_p(ps, '/', true)) {
		d->mon = take_num(ps, 1, 2, true);
		if (d->mon < 0 || !accept_p(ps, '/', true))
			return false;
		d->day = take_num(ps, 1, 2, true);
		return d->day >= 0;
	}
	if (accept_word(ps, "년")) {
		d->korean = true;
		d->mon = take_num(ps, 1, 2, false);
		if (d->mon < 0 || !accept_word(ps, "월"))
			return false;
		d->day = take_num(ps, 1, 2, false);
		if (d->day < 0 || !accept_word(ps, "일"))
			return false;
		return true;
	}
	/* A bare year only as the whole date. */
	return ps->i == ps->n;
}

/* ISO 8601 basic and truncated forms, only at the very start. */
static bool
date_compact(struct ps *ps, struct dt *d)
{
	if (ps->i != 0)
		return false;
	const struct tok *t = cur(ps);

	if (t->kind == '-') {
		/* -YYMM and -YY-MM: ISO 8601:1988 with the century left out */
		ps->i++;
		t = cur(ps);
		if (!t || t->kind != 'n' || t->sp)
			return false;
		ps->i++;
		if (t->len == 4) {
			d->year = year_from(digits(t, 0, 2), 2);
			d->mon = digits(t, 2, 2);
		} else if (t->len == 2 && accept_p(ps, '-', true)) {
			d->year = year_from(t->val, 2);
			d->mon = take_num(ps, 2, 2, true);
		} else {
			return false;
		}
		d->day = 1;
		d->have_year = true;
		return d->mon >= 0;
	}
	if (t->kind != 'n')
		return false;
	switch (t->len) {
	case 8:
		d->year = digits(t, 0, 4);
		d->mon = digits(t, 4, 2);
		d->day = digits(t, 6, 2);
		break;
	case 7:
		d->year = digits(t, 0, 4);
		d->mon = 0;
		d->yday = digits(t, 4, 3);
		break;
	case 6:
		d->year = year_from(digits(t, 0, 2), 2);
		d->mon = digits(t, 2, 2);
		d->day = digits(t, 4, 2);
		break;
	default:
		return false;
	}
	ps->i++;
	d->have_year = true;
	return true;
}

/* "16 Dec 2012", "16-Dec-12", "13 Feb, 2012", "12. Januar 2004". */
static bool
date_dmy(struct ps *ps, struct dt *d)
{
	d->day = take_num(ps, 1, 2, false);
	if (d->day < 0)
		return false;
	skip_ordinal(ps);
	accept_p(ps, '.', true);
	bool dash = accept_p(ps, '-', false);

	d->mon = month_word(ps);
	if (!d->mon)
		return false;
	accept_p(ps, '.', true);
	if (dash && !accept_p(ps, '-', false))
		return false;
	accept_p(ps, ',', false);
	return take_year(ps, d, true);
}

/* "Aug 30 2012", "June 10, 2003", and asctime's "Jan  4" (year later). */
static bool
date_mdy(struct ps *ps, struct dt *d)
{
	d->mon = month_word(ps);
	if (!d->mon)
		return false;
	accept_p(ps, '.', true);
	d->day = take_num(ps, 1, 2, false);
	if (d->day < 0)
		return false;
	skip_ordinal(ps);
	if (accept_p(ps, ',', false))
		return take_year(ps, d, false);
	take_year(ps, d, false);
	return true;
}

static bool
parse_date(struct ps *ps, struct dt *d)
{
	static bool (*const forms[])(struct ps *, struct dt *) = {
	    date_ymd,
	    date_compact,
	    date_dmy,
	    date_mdy,
	};
	int i0 = ps->i;
	struct dt d0 = *d;

	for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
		if (forms[k](ps, d))
			return true;
		ps->i = i0;
		*d = d0;
	}
	return false;
}

/* Hour, minute, second and a fraction we drop. after_t allows ISO's basic
 * forms (T10, T1014, T101455). */
static bool
parse_time(struct ps *ps, struct dt *d, bool after_t)
{
	const struct tok *t = cur(ps);
	int i0 = ps->i;
	bool secs = false;

	if (!t || t->kind != 'n')
		return false;
	if (t->len <= 2 && is_p(ps, 1, ':', true)) {
		int h = t->val, m, s = 0;

		ps->i += 2;
		m = take_num(ps, 2, 2, true);
		if (m >= 0 && accept_p(ps, ':', true)) {
			s = take_num(ps, 2, 2, true);
			secs = true;
		}
		if (m < 0 || s < 0) {
			ps->i = i0;
			return false;
		}
		d->hour = h;
		d->min = m;
		d->sec = s;
	} else if (after_t && (t->len == 2 || t->len == 4 || t->len == 6)) {
		ps->i++;
		d->hour = digits(t, 0, 2);
		d->min = t->len >= 4 ? digits(t, 2, 2) : 0;
		d->sec = t->len == 6 ? digits(t, 4, 2) : 0;
		secs = t->len == 6;
	} else {
		return false;
	}
	if (secs && (is_p(ps, 0, '.', true) || is_p(ps, 0, ',', true)) &&
	    ps->i + 1 < ps->n && ps->t[ps->i + 1].kind == 'n' &&
	    !ps->t[ps->i + 1].sp)
		ps->i += 2;
	d->have_time = true;
	return true;
}

/* +HH, +HHMM, +HH:MM (and -) into *off seconds; invert for Etc/GMT+N. */
static bool
parse_offset(struct ps *ps, int *off, bool hours_only)
{
	const struct tok *t = cur(ps);
	int sign = t->kind == '-' ? -1 : 1, h, m = 0;

	ps->i++;
	t = cur(ps);
	if (!t || t->kind != 'n' || t->sp)
		return false;
	ps->i++;
	if (t->len == 4 && !hours_only) {
		h = t->val / 100;
		m = t->val % 100;
	} else if (t->len <= 2) {
		h = t->val;
		if (!hours_only && accept_p(ps, ':', true)) {
			m = take_num(ps, 2, 2, true);
			if (m < 0)
				return false;
		}
	} else {
		return false;
	}
	if (h > 14 || m > 59)
		return false;
	*off = sign * (h * 3600 + m * 60);
	return true;
}

static bool
zone_word(const struct tok *t, int *off)
{
	for (size_t i = 0; i < sizeof(zone_names) / sizeof(zone_names[0]);
	     i++) {
		if (is_one_of(t, zone_names[i].names)) {
			*off = zone_names[i].minutes * 60;
			return true;
		}
	}
	return false;
}

static bool
is_utc_word(const struct tok *t)
{
	int off;

	return t->kind == 'w' && zone_word(t, &off) && off == 0 &&
	       strcmp(t->w, "z") != 0;
}

/* One zone: Z, a name, an offset, "GMT+2", "Etc/GMT-3". */
static bool
parse_zone(struct ps *ps, int *off)
{
	const struct tok *t = cur(ps);
	int i0 = ps->i;

	if (!t)
		return false;
	if (t->kind == '+' || t->kind == '-') {
		if (parse_offset(ps, off, false))
			return true;
		ps->i = i0;
		return false;
	}
	if (is_word(ps, "etc") && is_p(ps, 1, '/', true) && ps->i + 2 < ps->n &&
	    is_utc_word(&ps->t[ps->i + 2]) && !ps->t[ps->i + 2].sp) {
		ps->i += 3;
		*off = 0;
		if (is_p(ps, 0, '+', true) || is_p(ps, 0, '-', true)) {
			/* the tz database's POSIX sign: Etc/GMT+5 is UTC-5 */
			if (!parse_offset(ps, off, true)) {
				ps->i = i0;
				return false;
			}
			*off = -*off;
		}
		return true;
	}
	if (!zone_word(t, off))
		return false;
	ps->i++;
	if (is_utc_word(t) &&
	    (is_p(ps, 0, '+', true) || is_p(ps, 0, '-', true))) {
		if (!parse_offset(ps, off, false)) {
			ps->i = i0;
			return false;
		}
	}
	return true;
}

static bool
accept_ampm(struct ps *ps, struct dt *d)
{
	if (d->ampm)
		return false;
	if (accept_word(ps, "am")) {
		d->ampm = 'a';
	} else if (accept_word(ps, "pm")) {
		d->ampm = 'p';
	} else if (accept_word(ps, "오전")) {
		d->ampm = 'a';
		d->korean = true;
	} else if (accept_word(ps, "오후")) {
		d->ampm = 'p';
		d->korean = true;
	} else {
		return false;
	}
	return true;
}

/* A zone, and a redundant second one that must agree ("+0000 GMT").
 * False when there is none (have_zone unset) or they disagree (set). */
static bool
zones(struct ps *ps, struct dt *d)
{
	if (!parse_zone(ps, &d->off))
		return false;
	d->have_zone = true;
	int again;

	if (parse_zone(ps, &again) && again != d->off)
		return false;
	return true;
}

/* The whole grammar; see the comment at the top. */
static bool
parse_all(struct ps *ps, struct dt *d, bool weekday)
{
	if (weekday) {
		if (!is_prefix_of(cur(ps), weekday_names, 2))
			return false;
		ps->i++;
		accept_p(ps, '.', true);
		accept_p(ps, ',', false);
	}
	if (!parse_date(ps, d))
		return false;
	accept_p(ps, ',', false);

	bool after_t = false, need_time = false;

	if (is_word(ps, "t") && !cur(ps)->sp) {
		ps->i++;
		after_t = need_time = true;
	} else if (accept_word(ps, "at")) {
		need_time = true;
	}
	if (accept_ampm(ps, d))
		need_time = true;
	if (parse_time(ps, d, after_t)) {
		accept_ampm(ps, d);
		if (!zones(ps, d) && d->have_zone)
			return false;
	} else if (need_time) {
		return false;
	}
	if (!d->have_year) {
		if (!take_year(ps, d, false))
			return false;
		if (!d->have_zone && d->have_time && !zones(ps, d) &&
		    d->have_zone)
			return false;
	}
	return ps->i == ps->n;
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar,
 * counting years from March so that the leap day comes last. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* Validate every field and convert; WD_NOTIME for anything out of range. */
static int64_t
dt_finish(const struct dt *d)
{
	int64_t days;
	int h = d->hour;

	if (d->year < 1 || d->year > 9999)
		return WD_NOTIME;
	if (d->mon == 0) {
		if (d->yday < 1 || d->yday > (is_leap(d->year) ? 366 : 365))
			return WD_NOTIME;
		days = days_from_civil(d->year, 1, 1) + d->yday - 1;
	} else {
		if (d->mon < 1 || d->mon > 12 || d->day < 1 ||
		    d->day > month_days(d->year, d->mon))
			return WD_NOTIME;
		days = days_from_civil(d->year, d->mon, d->day);
	}
	if (d->ampm) {
		if (h < 1 || h > 12)
			return WD_NOTIME;
		h = h % 12 + (d->ampm == 'p' ? 12 : 0);
	}
	if (h > 24 || (h == 24 && (d->min || d->sec)) || d->min > 59 ||
	    d->sec > 60)
		return WD_NOTIME;
	int off = d->have_zone ? d->off : d->korean ? 9 * 3600 : 0;

	return days * 86400 + h * 3600 + d->min * 60 + d->sec - off;
}

static int64_t
try_parse(const struct tok *toks, int nt, bool weekday)
{
	struct ps ps = {toks, nt, 0};
	struct dt d;

	memset(&d, 0, sizeof(d));
	if (!parse_all(&ps, &d, weekday))
		return WD_NOTIME;
	return dt_finish(&d);
}

int64_t
wd_date_parse(const char *s, size_t n)
{
	struct tok toks[MAXTOK];

	if (!s || n == 0 || n > MAXLEN)
		return WD_NOTIME;
	int nt = tokenize(s, n, toks);

	if (nt <= 0)
		return WD_NOTIME;
	int64_t plain = try_parse(toks, nt, false);
	int64_t wday = try_parse(toks, nt, true);

	if (plain != WD_NOTIME && wday != WD_NOTIME && plain != wday)
		return WD_NOTIME;
	return plain != WD_NOTIME ? plain : wday;
}
