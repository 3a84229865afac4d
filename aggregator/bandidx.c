/* SPDX-License-Identifier: MIT */
/* aggregator/bandidx.c: the band index file of the dedupe window. */
/* renameat2 (Linux 3.15, glibc 2.28) is a GNU extension */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "aggregator/bandidx.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/text.h"
#include "core/xalloc.h"

/*
 * DELTA_MIN, DELTA_MAX: slots of the delta (16 bytes each: 2 MiB to
 * 8 MiB, by the size of the base); it is merged into the base when three
 * quarters full: every 98,304 keys (about 1500 items) to 393,216 keys
 * (about 6000). On a disk too full for that, smaller, down to DELTA_FLOOR
 * (64 KiB: its blocks are allocated ahead, so that a write to the map
 * cannot fail).
 * BLOCK: base entries under one fence (1 KiB); a lookup reads one block
 * (and the next when the key's entries go on into it).
 * BLOOM_BITS: bits of the base's Bloom filter a key (four bits in one
 * word: about one false positive in 40).
 */
enum {
	HEADER = 4096,
	DELTA_FLOOR = 1 << 12,
	DELTA_MIN = 1 << 17,
	DELTA_MAX = 1 << 19,
	BLOCK = 64,
	BLOOM_BITS = 10,
	CHUNK = 16384 /* entries a merge reads or writes at once */
};

/* Free space (bytes) a disk keeps, beyond twice the spare's size, for the
 * spare file to be kept. */
static const uint64_t SPARE_ROOM = 64u << 20;

static const char MAGIC[8] = "WDBANDA";

/* An entry, as stored: item 0 marks an empty delta slot. */
struct entry {
	uint64_t key;
	uint32_t item, date;
};

struct header {
	char magic[8];
	uint32_t dirty; /* changed since its last seal */
	uint32_t unused;
	uint64_t db_id, gen;
	char boot[40]; /* the boot it was written in */
	int64_t cutoff;
	uint64_t dslots, dused;
	uint64_t nbase, nfences, bloom_bits;
	uint64_t stale; /* entries dropped since the Bloom filter was built */
	int64_t base_cutoff; /* the cutoff the base was written under */
	uint64_t size;  /* of the whole file */
	uint64_t merges;
};

struct job;
struct bandidx;
static int merge_finish(struct bandidx *ix);

struct bandidx {
	char *path; /* NULL: an unnamed file */
	int fd;           /* the file of the base lookups read */
	struct header *h; /* mapped: the header, then the delta */
	struct entry *delta;
	uint64_t *dfilter; /* the delta's Bloom filter, mapped */
	size_t maplen;
	uint64_t *fences; /* the base's, in memory */
	uint64_t *bloom;
	uint64_t boff, nbase, nfences, bloom_bits; /* the base's place */
	/* While a merge runs (struct job): the delta it merges, looked up
	 * still, and mapped from the old file; new entries go to the delta
	 * of the new file (ix->h). */
	struct header *fmap;
	size_t fmaplen;
	struct entry *fdelta;
	uint64_t *fdfilter, fdslots;
	struct job *job;
	bool broken; /* a merge failed: the entries are in two files */
	char boot[40];
	char err[512];
};

static int
fail(struct bandidx *ix, const char *what)
{
	snprintf(ix->err, sizeof(ix->err), "band index %s: %s: %s",
		 ix->path ? ix->path : "(temporary)", what, strerror(errno));
	return WD_EIO;
}

const char *
bandidx_errmsg(const struct bandidx *ix)
{
	return ix->err;
}

static void
read_boot(char out[40])
{
	memset(out, 0, 40);
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	if (!f)
		return;
	if (!fgets(out, 40, f))
		memset(out, 0, 40);
	fclose(f);
}

/* Keys a delta of slots holds before it is merged: three quarters (its
 * filter spares most lookups the probe; an insert probes ~8 slots). */
static uint64_t
delta_full(uint64_t slots)
{
	return slots / 4 * 3;
}

/* The delta for a base of nbase entries: twice the base, from DELTA_MIN
 * to DELTA_MAX. */
static uint64_t
delta_slots(uint64_t nbase)
{
	uint64_t d = DELTA_MIN;

	while (d < DELTA_MAX && d < 2 * nbase)
		d *= 2;
	return d;
}

/* The delta's slots: after the header and the delta's own Bloom filter
 * (8 bits a slot, about 11 a key when it is full). */
static uint64_t
delta_off(const struct header *h)
{
	return HEADER + h->dslots;
}

static uint64_t
base_off(const struct header *h)
{
	return delta_off(h) + h->dslots * sizeof(struct entry);
}

static uint64_t
file_size(const struct header *h)
{
	return base_off(h) + h->nbase * sizeof(struct entry) +
	       h->nfences * 8 + h->bloom_bits / 8;
}

static uint32_t
clamp_u32(int64_t v)
{
	return v < 0 ? 0 : v > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* e ranks before f in the base: key ascending, then newest first. */
static bool
ranks_before(const struct entry *e, const struct entry *f)
{
	if (e->key != f->key)
		return e->key < f->key;
	if (e->date != f->date)
		return e->date > f->date;
	return e->item > f->item;
}

/* The home slot of a (mixed) key: its top bits, so that the delta
 * keeps its entries in key order but for the runs linear probing makes:
 * a merge reads it in order, a run at a time, and sorts nothing bigger. */
static size_t
home(uint64_t key, uint64_t slots)
{
	return (size_t)(key >> (64 - __builtin_ctzll(slots)));
}

/* The Bloom filter's bits of a (mixed) key: four bits, from its low bits,
 * of one 64-bit word, from its top bits: one cache miss a lookup, and a
 * merge, which goes through keys in order, sets them in order. */
static uint64_t
bloom_mask(uint64_t key, uint64_t bits, size_t *word)
{
	*word = (size_t)(key >> (64 - __builtin_ctzll(bits / 64)));
	return 1ULL << (key & 63) | 1ULL << (key >> 6 & 63) |
	       1ULL << (key >> 12 & 63) | 1ULL << (key >> 18 & 63);
}

static bool
bloom_has(const struct bandidx *ix, uint64_t key)
{
	size_t w;

	if (!ix->bloom_bits)
		return false;
	uint64_t m = bloom_mask(key, ix->bloom_bits, &w);

	/* a merge's thread may be setting bits in it (set_bits) */
	return (__atomic_load_n(&ix->bloom[w], __ATOMIC_RELAXED) & m) == m;
}

/* Set the bits of key in a filter of bits bits. One thread sets bits in
 * a filter; another may read it meanwhile (bloom_has): words are read and
 * written whole (relaxed atomics, plain moves on the usual machines), and
 * a bit set early is a false positive at worst. */
static void
set_bits(uint64_t *filter, uint64_t bits, uint64_t key)
{
	size_t word;
	uint64_t m = bloom_mask(key, bits, &word);

	__atomic_store_n(&filter[word],
			 __atomic_load_n(&filter[word], __ATOMIC_RELAXED) | m,
			 __ATOMIC_RELAXED);
}

static int
pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO; /* shorter than its header says */
			return -1;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int
pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static void
unmap(struct bandidx *ix)
{
	if (ix->h)
		munmap(ix->h, ix->maplen);
	if (ix->fmap)
		munmap(ix->fmap, ix->fmaplen);
	ix->fmap = NULL;
	ix->fdelta = NULL;
	ix->fdfilter = NULL;
	ix->h = NULL;
	ix->delta = NULL;
	ix->dfilter = NULL;
	free(ix->fences);
	free(ix->bloom);
	ix->fences = NULL;
	ix->bloom = NULL;
}

/* Lookups read the base that header h describes. */
static void
set_base(struct bandidx *ix, const struct header *h)
{
	ix->boff = base_off(h);
	ix->nbase = h->nbase;
	ix->nfences = h->nfences;
	ix->bloom_bits = h->bloom_bits;
}

/* Map the header and delta of fd and read the fences and the Bloom
 * filter, unless given (then taken over: a merge has them); h: the
 * header as read. */
static int
attach(struct bandidx *ix, int fd, const struct header *h, uint64_t *fences,
       uint64_t *bloom)
{
	size_t len = (size_t)base_off(h);
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (m == MAP_FAILED) {
		free(fences);
		free(bloom);
		return fail(ix, "mapping");
	}
	uint64_t at = base_off(h) + h->nbase * sizeof(struct entry);
	bool given = fences != NULL;

	if (!given) {
		fences = xcalloc(h->nfences + 1, 8);
		bloom = xcalloc(h->bloom_bits / 64 + 1, 8);
	}
	if (!given && (pread_all(fd, fences, h->nfences * 8, at) < 0 ||
		       pread_all(fd, bloom, h->bloom_bits / 8,
				 at + h->nfences * 8) < 0)) {
		int rc = fail(ix, "reading");

		munmap(m, len);
		free(fences);
		free(bloom);
		return rc;
	}
	unmap(ix);
	if (ix->fd >= 0 && ix->fd != fd)
		close(ix->fd);
	ix->fd = fd;
	ix->h = m;
	ix->dfilter = (uint64_t *)((char *)m + HEADER);
	ix->delta = (struct entry *)((char *)m + delta_off(h));
	ix->maplen = len;
	ix->fences = fences;
	ix->bloom = bloom;
	set_base(ix, h);
	return 0;
}

/* Whether the header h of a file of size bytes describes a whole file
 * that was sealed with stamp in this boot. */
static bool
trusted(const struct bandidx *ix, const struct header *h, uint64_t size,
	const struct bandidx_stamp *stamp)
{
	if (memcmp(h->magic, MAGIC, sizeof(MAGIC)) || h->dirty ||
	    !ix->boot[0] ||
	    memcmp(h->boot, ix->boot, sizeof(h->boot)))
		return false;
	if (!stamp || h->db_id != stamp->db_id || h->gen != stamp->gen)
		return false;
	if (h->dslots < DELTA_FLOOR || h->dslots > DELTA_MAX ||
	    (h->dslots & (h->dslots - 1)) || h->dused > delta_full(h->dslots) ||
	    h->nbase > (1ULL << 40) ||
	    h->nfences != (h->nbase + BLOCK - 1) / BLOCK ||
	    (h->bloom_bits & (h->bloom_bits - 1)) ||
	    (h->nbase && h->bloom_bits < 1024))
		return false;
	return file_size(h) == size;
}

/* Open a file for ix to write a new index into: unnamed, or path-new
 * beside path. path-new is the file the last merge replaced, kept as a
 * spare: writing over its cached pages costs far less than filling new
 * ones, and dropping the old file's pages costs nothing. (A run killed
 * while it merged leaves a half-written one: all of it is written again.) */
static int
new_file(struct bandidx *ix, char **tmp)
{
	*tmp = NULL;
	if (!ix->path) {
		const char *dir = getenv("TMPDIR");
		size_t len = strlen(dir && *dir ? dir : "/tmp") + 32;
		char *t = xmalloc(len);

		snprintf(t, len, "%s/wiredesk-bands-XXXXXX",
			 dir && *dir ? dir : "/tmp");
		int fd = mkstemp(t);

		if (fd >= 0)
			unlink(t);
		free(t);
		return fd < 0 ? fail(ix, "creating a temporary file") : fd;
	}
	size_t len = strlen(ix->path) + 8;
	char *t = xmalloc(len);

	snprintf(t, len, "%s-new", ix->path);
	int fd = open(t, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	struct stat a, b;

	/* never the live file itself (two names of one file), nor anything
	 * but a plain file */
	if (fd >= 0 && (fstat(fd, &a) < 0 || !S_ISREG(a.st_mode) ||
			a.st_nlink != 1 ||
			(stat(ix->path, &b) == 0 && a.st_dev == b.st_dev &&
			 a.st_ino == b.st_ino))) {
		close(fd);
		unlink(t);
		fd = open(t, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	if (fd < 0 && errno != ENOENT) {
		unlink(t);
		fd = open(t, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	if (fd < 0) {
		free(t);
		return fail(ix, "creating");
	}
	*tmp = t;
	return fd;
}

/* The file a new one took the place of, now named spare, stays for the
 * next merge while the disk has room to spare: SPARE_ROOM and twice its
 * size free (a disk nearly full wants the space for the archive). */
static void
keep_spare(const char *spare)
{
	struct statvfs sv;
	struct stat sb;

	if (stat(spare, &sb) == 0 && statvfs(spare, &sv) == 0 &&
	    (uint64_t)sv.f_bavail * sv.f_frsize >=
		    SPARE_ROOM + 2 * (uint64_t)sb.st_size)
		return;
	unlink(spare);
}

/* Give the new file tmp the path: swapped with the old file, which stays
 * as the spare (keep_spare), or where the file system cannot swap, a
 * plain rename. */
static int
swap_in(const char *tmp, const char *path)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) < 0 &&
	    rename(tmp, path) < 0)
		return -1;
	keep_spare(tmp);
	return 0;
}

/* A new file (made by new_file) failed: the spare goes too (it is
 * half-written, and a disk without room wants the space back). */
static void
drop_new(int fd, char *tmp)
{
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	if (fd >= 0)
		close(fd);
}

/* Give fd (made by new_file, header h written) the path: swapped with the
 * old file, which stays as the next merge's spare (a handle that has the
 * old file open goes on reading it until it sees the archive change).
 * Where a swap is not supported, a plain rename. fences and bloom: as
 * attach() takes them. */
static int
take_place(struct bandidx *ix, int fd, char *tmp, const struct header *h,
	   uint64_t *fences, uint64_t *bloom)
{
	if (tmp) {
		if (swap_in(tmp, ix->path) < 0) {
			int rc = fail(ix, "renaming its new file");

			drop_new(fd, tmp);
			free(fences);
			free(bloom);
			return rc;
		}
		free(tmp);
	}
	int rc = attach(ix, fd, h, fences, bloom);

	if (rc < 0)
		close(fd);
	return rc;
}

/* Write a new file's delta as zeros: its blocks are allocated (so that a
 * write to the map cannot fail) and its pages cached (so that the first
 * write to each costs no more than a page fault); h->dslots is halved
 * while the disk has no room for it. */
static int
reserve_delta(struct bandidx *ix, int fd, struct header *h)
{
	static const char zeros[1 << 16];

	for (;;) {
		uint64_t at = HEADER, end = base_off(h);

		while (at < end) {
			size_t n = end - at < sizeof(zeros) ? (size_t)(end - at)
							    : sizeof(zeros);

			if (pwrite_all(fd, zeros, n, at) < 0)
				break;
			at += n;
		}
		if (at == end)
			return 0;
		if (errno != ENOSPC || h->dslots <= DELTA_FLOOR)
			return fail(ix, "allocating");
		if (ftruncate(fd, HEADER) < 0)
			return fail(ix, "sizing");
		h->dslots /= 2;
	}
}

/* Write the header and size a new file (its delta reserved). */
static int
lay_out(struct bandidx *ix, int fd, const struct header *h)
{
	if (pwrite_all(fd, h, sizeof(*h), 0) < 0)
		return fail(ix, "writing");
	if (ftruncate(fd, (off_t)h->size) < 0)
		return fail(ix, "sizing");
	return 0;
}

/* Replace the file with an empty index stamped stamp (dirty). */
static int
start_empty(struct bandidx *ix, const struct bandidx_stamp *stamp)
{
	struct header h;
	char *tmp;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, MAGIC, sizeof(MAGIC));
	h.dirty = 1;
	h.db_id = stamp ? stamp->db_id : 0;
	h.gen = stamp ? stamp->gen : 0;
	memcpy(h.boot, ix->boot, sizeof(h.boot));
	h.dslots = DELTA_MIN;
	int fd = new_file(ix, &tmp);

	if (fd < 0)
		return fd;
	int rc = reserve_delta(ix, fd, &h);

	h.size = file_size(&h);
	if (rc == 0)
		rc = lay_out(ix, fd, &h);

	if (rc < 0) {
		drop_new(fd, tmp);
		return rc;
	}
	return take_place(ix, fd, tmp, &h, NULL, NULL);
}

int
bandidx_open(const char *path, const struct bandidx_stamp *stamp,
	     struct bandidx **out, char *err, size_t errlen)
{
	struct bandidx *ix = xcalloc(1, sizeof(*ix));
	int rc = 1;

	ix->fd = -1;
	ix->path = path ? xstrdup(path) : NULL;
	read_boot(ix->boot);
	int fd = path ? open(path, O_RDWR | O_CLOEXEC) : -1;

	if (fd >= 0) {
		struct header h;
		struct stat sb;

		if (fstat(fd, &sb) == 0 && sb.st_size >= HEADER &&
		    pread_all(fd, &h, sizeof(h), 0) == 0 &&
		    trusted(ix, &h, (uint64_t)sb.st_size, stamp)) {
			rc = attach(ix, fd, &h, NULL, NULL);
			if (rc == 0)
				goto done;
		}
		close(fd);
	}
	rc = start_empty(ix, stamp);
	if (rc == 0)
		rc = 1;
done:
	if (rc < 0) {
		snprintf(err, errlen, "%s", ix->err);
		bandidx_close(ix);
		ix = NULL;
	}
	*out = ix;
	return rc;
}

void
bandidx_close(struct bandidx *ix)
{
	if (!ix)
		return;
	(void)merge_finish(ix); /* a failure leaves the file dirty */
	unmap(ix);
	if (ix->fd >= 0)
		close(ix->fd);
	free(ix->path);
	free(ix);
}

int
bandidx_begin(struct bandidx *ix)
{
	ix->h->dirty = 1;
	return 0;
}

int
bandidx_seal(struct bandidx *ix, const struct bandidx_stamp *stamp)
{
	int rc = merge_finish(ix);

	if (rc < 0)
		return rc;
	ix->h->db_id = stamp->db_id;
	ix->h->gen = stamp->gen;
	memcpy(ix->h->boot, ix->boot, sizeof(ix->boot));
	ix->h->dirty = 0;
	return 0;
}

void
bandidx_forget_before(struct bandidx *ix, int64_t cutoff)
{
	if (cutoff > ix->h->cutoff)
		ix->h->cutoff = cutoff;
}

/* ---- merging the delta into a new base ------------------------------ */

/* The output of a merge: entries written in chunks, fences and Bloom
 * bits set as they go. A failure is noted (what, err_no), not reported:
 * a merge may run in a thread of its own. */
struct writer {
	const char *what;
	int err_no;
	int fd;
	uint64_t off, n;
	struct entry buf[CHUNK];
	size_t nbuf;
	uint64_t *fences, nfences, capfences;
	uint64_t *bloom, bloom_bits;
	bool bloom_all; /* set the bits of every entry put (else the old
			   filter serves, the delta's keys added to it) */
	struct entry last; /* the last entry put */
	int per_key;
};

static int
writer_flush(struct writer *w)
{
	size_t len = w->nbuf * sizeof(struct entry);

	if (pwrite_all(w->fd, w->buf, len, w->off) < 0) {
		w->what = "writing";
		w->err_no = errno;
		return WD_EIO;
	}
	w->off += len;
	w->nbuf = 0;
	return 0;
}

/* The first key of a block of the new base. */
static void
push_fence(struct writer *w, uint64_t key)
{
	if (w->nfences == w->capfences) {
		w->capfences = w->capfences ? 2 * w->capfences : 1024;
		w->fences = xreallocarray(w->fences, w->capfences, 8);
	}
	w->fences[w->nfences++] = key;
}

static int
writer_put(struct writer *w, const struct entry *e)
{
	if (w->n && e->key == w->last.key) {
		if (w->per_key >= BANDIDX_KEY_CAP ||
		    (e->item == w->last.item && e->date == w->last.date))
			return 0;
		w->per_key++;
	} else {
		w->per_key = 1;
	}
	w->last = *e;
	if (w->n % BLOCK == 0)
		push_fence(w, e->key);
	if (w->bloom_all)
		set_bits(w->bloom, w->bloom_bits, e->key);
	w->buf[w->nbuf++] = *e;
	w->n++;
	return w->nbuf == CHUNK ? writer_flush(w) : 0;
}

/* Put a run of base entries: in order, capped and distinct already, all
 * kept, the first of another key than the last entry put. */
static int
writer_run(struct writer *w, const struct entry *v, size_t len)
{
	const struct entry *end = v + len;

	while (v < end) {
		size_t k = CHUNK - w->nbuf;
		struct entry *o = w->buf + w->nbuf;

		if (k > (size_t)(end - v))
			k = (size_t)(end - v);
		memcpy(o, v, k * sizeof(*v));
		for (uint64_t at = (w->n + BLOCK - 1) / BLOCK * BLOCK;
		     at < w->n + k; at += BLOCK)
			push_fence(w, o[at - w->n].key);
		for (size_t i = 0; w->bloom_all && i < k; i++)
			set_bits(w->bloom, w->bloom_bits, o[i].key);
		w->n += k;
		w->nbuf += k;
		v += k;
		if (w->nbuf == CHUNK && writer_flush(w) < 0)
			return WD_EIO;
	}
	w->last = end[-1];
	w->per_key = 1;
	while (w->per_key < (int)len && end[-1 - w->per_key].key == w->last.key)
		w->per_key++;
	return 0;
}

/*
 * The delta's entries in base order, dated from cutoff on. Every entry of
 * a run of occupied slots has its home in the run (linear probing never
 * passes an empty slot and the delta loses no entry), so the runs are in
 * key order and each is sorted alone; the run that wraps around the end
 * holds the largest keys, and any smallest ones at the start.
 */
struct dcursor {
	const struct entry *slot;
	size_t nslots, pos, wrap; /* slots [wrap, nslots) and the first run
				     are the wrapped run */
	uint32_t cutoff;
	struct entry *run; /* the run being read, sorted */
	size_t n, at, cap;
	int stage; /* 0: the first run's own; 1: runs; 2: the wrapped run;
		      3: the end */
	size_t emitted;
};

static void
run_add(struct dcursor *c, const struct entry *e)
{
	if (e->date < c->cutoff)
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->run = xreallocarray(c->run, c->cap, sizeof(*c->run));
	}
	c->run[c->n++] = *e;
}

/* Sort a few entries (an insertion sort) in base order. */
static void
sort_few(struct entry *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct entry e = v[i];
		size_t j = i;

		while (j > 0 && ranks_before(&e, &v[j - 1])) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = e;
	}
}

static int
cmp_entries(const void *a, const void *b)
{
	return ranks_before(a, b) ? -1 : ranks_before(b, a) ? 1 : 0;
}

static void
run_sort(struct dcursor *c)
{
	if (c->n > 64)
		qsort(c->run, c->n, sizeof(*c->run), cmp_entries);
	else
		sort_few(c->run, c->n);
	c->at = 0;
}

static void
dcursor_init(struct dcursor *c, const struct entry *slot, uint64_t nslots,
	     uint32_t cutoff)
{
	memset(c, 0, sizeof(*c));
	c->slot = slot;
	c->nslots = (size_t)nslots;
	c->cutoff = cutoff;
	c->wrap = c->nslots;
	if (c->slot[c->nslots - 1].item)
		while (c->wrap > 0 && c->slot[c->wrap - 1].item)
			c->wrap--;
	if (c->wrap == 0) /* no empty slot (a damaged file): one run */
		c->wrap = c->nslots;
	/* the first run's entries whose home is at its start */
	for (c->pos = 0; c->pos < c->wrap && c->slot[c->pos].item; c->pos++)
		if (home(c->slot[c->pos].key, c->nslots) < c->wrap)
			run_add(c, &c->slot[c->pos]);
	run_sort(c);
}

/* The next entry, or NULL at the end. */
static const struct entry *
dcursor_peek(struct dcursor *c)
{
	while (c->at == c->n) {
		if (c->stage >= 2) {
			c->stage = 3;
			return NULL;
		}
		c->n = 0;
		c->at = 0;
		c->stage = 1;
		while (c->pos < c->wrap && !c->slot[c->pos].item)
			c->pos++;
		if (c->pos < c->wrap) {
			while (c->pos < c->wrap && c->slot[c->pos].item)
				run_add(c, &c->slot[c->pos++]);
		} else {
			/* the wrapped run: its tail, then the first run's
			 * entries whose home is in the tail */
			for (size_t i = c->wrap; i < c->nslots; i++)
				run_add(c, &c->slot[i]);
			for (size_t i = 0; c->wrap < c->nslots &&
					   i < c->nslots && c->slot[i].item;
			     i++)
				if (home(c->slot[i].key, c->nslots) >= c->wrap)
					run_add(c, &c->slot[i]);
			c->stage = 2;
		}
		run_sort(c);
	}
	return &c->run[c->at];
}

static void
dcursor_next(struct dcursor *c)
{
	c->at++;
	c->emitted++;
}

/*
 * A merge: the old base and the delta it had (frozen: new entries go to
 * the delta of the new file) streamed into the new file's base, in a
 * thread of its own while the run goes on (or at once, for
 * bandidx_merge); merge_finish() waits for it and puts the new file in
 * place. What the thread reads and writes is its own: the old file's
 * base (pread), the frozen delta (read only), the new file past its delta
 * and the new filter.
 */
struct job {
	pthread_t tid;
	bool threaded;
	int from_fd;	     /* the old file */
	uint64_t from;	     /* its base: offset */
	struct header old;   /* its header as the merge began */
	const struct entry *delta; /* the frozen delta */
	char *tmp;	     /* the new file's name until it takes the place */
	uint64_t emitted;    /* delta entries put */
	int rc;
	struct writer w;
};

/* The thread's work: stream the base and the frozen delta, then write
 * the fences and the filter and size the file. */
static void *
merge_stream(void *arg)
{
	struct job *j = arg;
	struct writer *w = &j->w;
	const struct header *h = &j->old;
	struct entry *in = xmalloc(CHUNK * sizeof(*in));
	size_t nin = 0, ii = 0;
	uint64_t bi = 0;
	uint32_t cutoff = clamp_u32(h->cutoff);
	struct dcursor dc;
	const struct entry *de;
	int rc = 0;

	dcursor_init(&dc, j->delta, h->dslots, cutoff);
	/* Runs of base entries between two delta entries are copied whole,
	 * unless the cutoff has risen since the base was written. */
	bool whole = h->cutoff <= h->base_cutoff;

	while (rc == 0) {
		if (ii == nin && bi < h->nbase) {
			nin = h->nbase - bi < CHUNK ? (size_t)(h->nbase - bi)
						    : CHUNK;
			if (pread_all(j->from_fd, in, nin * sizeof(*in),
				      j->from + bi * sizeof(*in)) < 0) {
				w->what = "reading";
				w->err_no = errno;
				rc = WD_EIO;
				break;
			}
			bi += nin;
			ii = 0;
		}
		de = dcursor_peek(&dc);
		if (ii == nin || (de && ranks_before(de, &in[ii]))) {
			if (!de)
				break;
			if (!w->bloom_all)
				set_bits(w->bloom, w->bloom_bits, de->key);
			rc = writer_put(w, de);
			dcursor_next(&dc);
			continue;
		}
		if (!whole) {
			if (in[ii].date >= cutoff)
				rc = writer_put(w, &in[ii]);
			ii++;
			continue;
		}
		size_t end = ii + 1;

		while (end < nin && (!de || !ranks_before(de, &in[end])))
			end++;
		while (rc == 0 && ii < end && w->n && in[ii].key == w->last.key)
			rc = writer_put(w, &in[ii++]);
		if (rc == 0 && ii < end)
			rc = writer_run(w, in + ii, end - ii);
		ii = end;
	}
	if (rc == 0 && w->nbuf)
		rc = writer_flush(w);
	if (rc == 0 &&
	    (pwrite_all(w->fd, w->fences, w->nfences * 8, w->off) < 0 ||
	     pwrite_all(w->fd, w->bloom, w->bloom_bits / 8,
			w->off + w->nfences * 8) < 0 ||
	     ftruncate(w->fd, (off_t)(w->off + w->nfences * 8 +
				      w->bloom_bits / 8)) < 0)) {
		w->what = "writing";
		w->err_no = errno;
		rc = WD_EIO;
	}
	j->emitted = dc.emitted;
	j->rc = rc;
	free(in);
	free(dc.run);
	return NULL;
}

/* Begin a merge: the new file (the spare) laid out with an empty delta
 * and mapped, the old delta frozen, and the stream started (in a thread
 * when threaded and one can be had, else at once). */
static int
merge_start(struct bandidx *ix, bool threaded)
{
	struct header h = *ix->h;
	struct job *j = xcalloc(1, sizeof(*j));
	uint64_t bits = 1024;
	char *tmp = NULL;

	j->old = h;
	while (bits < (h.nbase + h.dused) * BLOOM_BITS)
		bits *= 2;
	j->w.bloom_bits = bits;
	/* The old filter serves again (the delta's keys added to it, while
	 * lookups read it: see set_bits) while its size holds and few of the
	 * entries it has bits for are gone (each is a false positive). */
	j->w.bloom_all = bits != h.bloom_bits || 2 * h.stale > h.nbase;
	j->w.bloom = j->w.bloom_all ? xcalloc(bits / 64, 8) : ix->bloom;
	h.dslots = delta_slots(h.nbase + h.dused);
	h.dused = 0;
	h.dirty = 1;
	h.nbase = h.nfences = h.bloom_bits = 0; /* until it is done */
	int fd = new_file(ix, &tmp);
	int rc = fd < 0 ? fd : reserve_delta(ix, fd, &h);

	h.size = base_off(&h);
	if (rc == 0)
		rc = lay_out(ix, fd, &h);
	void *m = MAP_FAILED;

	if (rc == 0) {
		m = mmap(NULL, (size_t)h.size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			rc = fail(ix, "mapping");
	}
	if (rc < 0) {
		drop_new(fd, tmp);
		if (j->w.bloom != ix->bloom)
			free(j->w.bloom);
		free(j);
		return rc;
	}
	/* freeze the old delta; new entries go to the new file's */
	ix->fmap = ix->h;
	ix->fmaplen = ix->maplen;
	ix->fdelta = ix->delta;
	ix->fdfilter = ix->dfilter;
	ix->fdslots = j->old.dslots;
	ix->h = m;
	ix->maplen = (size_t)h.size;
	ix->dfilter = (uint64_t *)((char *)m + HEADER);
	ix->delta = (struct entry *)((char *)m + delta_off(&h));
	j->from_fd = ix->fd;
	j->from = ix->boff;
	j->delta = ix->fdelta;
	j->tmp = tmp;
	j->w.fd = fd;
	j->w.off = h.size;
	ix->job = j;
	if (threaded) {
		/* signals are the main thread's */
		sigset_t all, was;

		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &was);
		j->threaded = pthread_create(&j->tid, NULL, merge_stream, j) == 0;
		pthread_sigmask(SIG_SETMASK, &was, NULL);
	}
	if (!j->threaded)
		merge_stream(j);
	return 0;
}

/* Wait for the merge that runs, if any, and put its file in place: it
 * swaps names with the old one (the next merge's spare), and lookups read
 * its base. On a failure the index is broken (its entries are in two
 * files) and only good for closing. */
static int
merge_finish(struct bandidx *ix)
{
	struct job *j = ix->job;

	if (!j)
		return ix->broken ? (errno = EIO, fail(ix, "unusable after "
							  "a failed merge"))
				  : 0;
	if (j->threaded)
		pthread_join(j->tid, NULL);
	ix->job = NULL;
	int rc = j->rc;

	if (rc == 0 && j->tmp && swap_in(j->tmp, ix->path) < 0) {
		j->w.what = "renaming its new file";
		j->w.err_no = errno;
		rc = WD_EIO;
	}
	if (rc < 0) {
		errno = j->w.err_no;
		rc = fail(ix, j->w.what);
		ix->broken = true;
		/* the new file goes (its map stays until the close) */
		drop_new(-1, j->tmp);
		close(j->w.fd);
		free(j->w.fences);
		if (j->w.bloom != ix->bloom)
			free(j->w.bloom);
		free(j);
		return rc;
	}
	struct header *h = ix->h;

	h->stale = (j->w.bloom_all ? 0 : j->old.stale) +
		   (j->old.nbase + j->emitted - j->w.n);
	h->base_cutoff = j->old.cutoff;
	h->nbase = j->w.n;
	h->nfences = j->w.nfences;
	h->bloom_bits = j->w.bloom_bits;
	h->size = file_size(h);
	h->merges = j->old.merges + 1;
	munmap(ix->fmap, ix->fmaplen);
	ix->fmap = NULL;
	ix->fdelta = NULL;
	ix->fdfilter = NULL;
	close(ix->fd);
	ix->fd = j->w.fd;
	free(ix->fences);
	if (ix->bloom != j->w.bloom)
		free(ix->bloom);
	ix->fences = j->w.fences ? j->w.fences : xcalloc(1, 8);
	ix->bloom = j->w.bloom;
	set_base(ix, h);
	free(j->tmp);
	free(j);
	return 0;
}

int
bandidx_merge(struct bandidx *ix)
{
	int rc = merge_finish(ix);

	if (rc == 0)
		rc = merge_start(ix, false);
	if (rc == 0)
		rc = merge_finish(ix);
	return rc;
}

int
bandidx_settle(struct bandidx *ix)
{
	return merge_finish(ix);
}

/* ---- adding and looking up ------------------------------------------- */

int
bandidx_add(struct bandidx *ix, uint64_t key, int64_t item, int64_t date)
{
	if (item <= 0 || item > (int64_t)UINT32_MAX ||
	    clamp_u32(date) < clamp_u32(ix->h->cutoff))
		return 0;
	if (ix->broken || ix->h->dused >= delta_full(ix->h->dslots)) {
		/* the last merge first, if it still runs; then this one,
		 * in the background */
		int rc = merge_finish(ix);

		if (rc == 0 && ix->h->dused >= delta_full(ix->h->dslots))
			rc = merge_start(ix, true);
		if (rc < 0)
			return rc;
	}
	key = wd_mix64(key); /* stored mixed: spread top bits */
	struct entry e = {key, (uint32_t)item, clamp_u32(date)};
	size_t mask = (size_t)ix->h->dslots - 1, i = home(key, ix->h->dslots);
	struct entry *oldest = NULL;
	int same = 0;
	size_t left = mask + 1; /* a damaged file may have no empty slot */

	for (; ix->delta[i].item; i = (i + 1) & mask) {
		struct entry *p = &ix->delta[i];

		if (!--left) {
			errno = EIO;
			return fail(ix, "its delta has no room (damaged)");
		}
		if (p->key != key)
			continue;
		if (p->item == e.item)
			return 0;
		same++;
		if (!oldest || ranks_before(oldest, p))
			oldest = p;
	}
	if (same >= BANDIDX_KEY_CAP) {
		if (ranks_before(&e, oldest))
			*oldest = e;
		return 0;
	}
	ix->delta[i] = e;
	ix->h->dused++;
	set_bits(ix->dfilter, ix->h->dslots * 8, key);
	return 0;
}

/* Append the base's entries of key to v (n there, room for cap more);
 * returns the new count, or < 0 on an I/O error. */
static int
base_entries(struct bandidx *ix, uint64_t key, struct entry *v, size_t n,
	     size_t cap)
{
	struct entry blk[BLOCK];
	size_t end = n + cap;

	if (!ix->nbase || !bloom_has(ix, key))
		return (int)n;
	/* the last block whose first key is below key: key's entries start
	 * in it or in the next */
	size_t lo = 0, hi = (size_t)ix->nfences;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->fences[mid] < key)
			lo = mid;
		else
			hi = mid;
	}
	bool first = true;

	for (uint64_t at = (uint64_t)lo * BLOCK; at < ix->nbase; at += BLOCK) {
		size_t len = ix->nbase - at < BLOCK ? (size_t)(ix->nbase - at)
						   : BLOCK;
		size_t i = 0;

		if (pread_all(ix->fd, blk, len * sizeof(blk[0]),
			      ix->boff + at * sizeof(blk[0])) < 0)
			return fail(ix, "reading");
		if (first) { /* the first entry of key in the block */
			size_t b = len;

			while (i < b) {
				size_t mid = i + (b - i) / 2;

				if (blk[mid].key < key)
					i = mid + 1;
				else
					b = mid;
			}
			first = false;
		}
		for (; i < len; i++) {
			if (blk[i].key != key || n == end)
				return (int)n;
			v[n++] = blk[i];
		}
	}
	return (int)n;
}

void
bandidx_prefetch(const struct bandidx *ix, uint64_t key)
{
	size_t w;

	key = wd_mix64(key);
	(void)bloom_mask(key, ix->h->dslots * 8, &w);
	__builtin_prefetch(&ix->dfilter[w]);
	__builtin_prefetch(&ix->delta[home(key, ix->h->dslots)]);
	if (ix->bloom_bits) {
		(void)bloom_mask(key, ix->bloom_bits, &w);
		__builtin_prefetch(&ix->bloom[w]);
	}
}

/* Append the entries of key in a delta (its slots and filter) to v (n
 * there, room up to BANDIDX_KEY_CAP); returns the new count. */
static size_t
delta_entries(const struct entry *delta, const uint64_t *filter,
	      uint64_t slots, uint64_t key, struct entry *v, size_t n)
{
	size_t mask = (size_t)slots - 1, w, left = mask + 1;
	uint64_t m = bloom_mask(key, slots * 8, &w);

	if ((filter[w] & m) != m)
		return n;
	for (size_t i = home(key, slots);
	     delta[i].item && n < BANDIDX_KEY_CAP && left;
	     i = (i + 1) & mask, left--)
		if (delta[i].key == key)
			v[n++] = delta[i];
	return n;
}

int
bandidx_get(struct bandidx *ix, uint64_t key, int64_t since, int64_t until,
	    struct bandidx_hit *out, size_t max)
{
	struct entry all[3 * BANDIDX_KEY_CAP];
	size_t n;

	if (ix->broken) {
		errno = EIO;
		return fail(ix, "unusable after a failed merge");
	}
	key = wd_mix64(key); /* stored mixed: spread top bits */
	if (since < ix->h->cutoff)
		since = ix->h->cutoff;
	if (!max || until < 0 || since > (int64_t)UINT32_MAX || since > until)
		return 0;
	n = delta_entries(ix->delta, ix->dfilter, ix->h->dslots, key, all, 0);
	if (ix->fdelta) /* the delta a running merge merges */
		n += delta_entries(ix->fdelta, ix->fdfilter, ix->fdslots, key,
				   all + n, 0);
	int rc = base_entries(ix, key, all, n, BANDIDX_KEY_CAP);

	if (rc < 0)
		return rc;
	n = (size_t)rc;
	/* the key's newest BANDIDX_KEY_CAP, once each, as a merge would
	 * leave them; then those in range */
	sort_few(all, n);
	uint32_t lo = clamp_u32(since), hi = clamp_u32(until);
	size_t got = 0, kept = 0;

	for (size_t i = 0; i < n && kept < BANDIDX_KEY_CAP && got < max; i++) {
		if (i && all[i].item == all[i - 1].item &&
		    all[i].date == all[i - 1].date)
			continue;
		kept++;
		if (all[i].date < lo)
			break;
		if (all[i].date > hi)
			continue;
		out[got].item = all[i].item;
		out[got].date = all[i].date;
		got++;
	}
	return (int)got;
}

void
bandidx_stats(const struct bandidx *ix, struct bandidx_stats *st)
{
	st->delta = ix->h->dused;
	st->delta_slots = ix->h->dslots;
	st->base = ix->nbase;
	st->merges = ix->h->merges + (ix->job != NULL);
	st->merging = ix->job != NULL;
}
