/* SPDX-License-Identifier: MIT */
/* aggregator/store.h: the SQLite state file (WAL, versioned schema). Feed
 * state is in feedstate.h, the archive of items and stories in archive.h. */
#ifndef WD_AGGREGATOR_STORE_H
#define WD_AGGREGATOR_STORE_H

#include <stddef.h>

#include "core/err.h"

struct store;

/* Open (creating it and its folder if needed) and migrate the database.
 * On failure returns WD_EDB with a message in err. */
WD_NODISCARD int store_open(const char *path, struct store **out, char *err,
			    size_t errlen);
/* The last error's text, borrowed until the next call on s. */
const char *store_errmsg(const struct store *s);
/* Transactions: a run's writes are grouped so a kill loses nothing. */
WD_NODISCARD int store_begin(struct store *s);
WD_NODISCARD int store_commit(struct store *s);
void store_rollback(struct store *s);
/* Small named facts about the state (table meta). store_meta_get copies
 * the value into out (NUL-terminated, truncated to outlen) and returns 1,
 * or 0 when the key is absent; store_meta_set with value NULL deletes. */
WD_NODISCARD int store_meta_get(struct store *s, const char *key, char *out,
				size_t outlen);
WD_NODISCARD int store_meta_set(struct store *s, const char *key,
				const char *value);
/* The schema version in the file. */
int store_version(struct store *s);
void store_close(struct store *s); /* NULL is a no-op */

#endif
