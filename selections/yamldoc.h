/* SPDX-License-Identifier: MIT */
/* selections/yamldoc.h: one YAML reader for wiredesk.yaml and the audience
 * files. It loads a document into a tree whose every node knows its line and
 * column, and collects errors as "FILE:LINE:COLUMN: message". */
#ifndef WD_SELECTIONS_YAMLDOC_H
#define WD_SELECTIONS_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum ydoc_kind { YDOC_SCALAR, YDOC_SEQ, YDOC_MAP };

/* A node; read-only for callers. Map entries alternate key, value in kids. */
struct ydoc_node {
	enum ydoc_kind kind;
	int line, col;        /* 1-based position of the node's start */
	const char *str;      /* scalar text (UTF-8, NUL-terminated) */
	bool plain;           /* scalar was unquoted (so "null", "~" apply) */
	struct ydoc_node **kids;
	size_t nkids;         /* for maps: 2 * number of entries */
};

struct ydoc;

/* Load path; never fails to return a document: syntax errors are recorded
 * on it (see ydoc_nerrors) and root is then NULL. */
struct ydoc *ydoc_load(const char *path);
/* Same from memory; name is used in messages. */
struct ydoc *ydoc_load_mem(const char *name, const char *data, size_t len);
/* Root node or NULL (empty document or syntax error). */
const struct ydoc_node *ydoc_root(const struct ydoc *d);
/* Record "FILE:LINE:COLUMN: message" at node at (NULL: line 1, column 1). */
void ydoc_error(struct ydoc *d, const struct ydoc_node *at, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));
size_t ydoc_nerrors(const struct ydoc *d);
/* Append a copy of every error of from (messages kept as they are). */
void ydoc_add_errors(struct ydoc *d, const struct ydoc *from);
/* Error i, borrowed until ydoc_free. */
const char *ydoc_errmsg(const struct ydoc *d, size_t i);
/* The file name given at load, borrowed until ydoc_free. */
const char *ydoc_name(const struct ydoc *d);
void ydoc_free(struct ydoc *d); /* NULL is a no-op */

/* Value of key in map m, or NULL. */
const struct ydoc_node *ydoc_get(const struct ydoc_node *m, const char *key);

/*
 * Typed reads that record an error on d when the node has the wrong type:
 * each returns 0 on success, WD_ECONFIG otherwise. A NULL node is "absent"
 * and leaves *out untouched, returning 0.
 */
int ydoc_str(struct ydoc *d, const struct ydoc_node *n, const char **out);
int ydoc_int(struct ydoc *d, const struct ydoc_node *n, int64_t min,
	     int64_t max, int64_t *out);
int ydoc_bool(struct ydoc *d, const struct ydoc_node *n, bool *out);
int ydoc_duration(struct ydoc *d, const struct ydoc_node *n, int64_t *out);
/* Report every key of map m that is not in the NULL-terminated list. */
void ydoc_check_keys(struct ydoc *d, const struct ydoc_node *m,
		     const char *const *known);
/* Require n to be a map (or sequence); record an error naming what. */
bool ydoc_is_map(struct ydoc *d, const struct ydoc_node *n, const char *what);
bool ydoc_is_seq(struct ydoc *d, const struct ydoc_node *n, const char *what);

#endif
