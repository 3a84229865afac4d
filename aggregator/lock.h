/* SPDX-License-Identifier: MIT */
/* aggregator/lock.h: one run at a time, with a lock file beside the state. */
#ifndef WD_AGGREGATOR_LOCK_H
#define WD_AGGREGATOR_LOCK_H

#include <stddef.h>

#include "core/err.h"

struct lock;

/* Take path's lock without waiting. WD_EBUSY when another process holds it
 * (err says which pid), WD_EIO when the file cannot be made. The lock is
 * released by lock_release or when the process dies (even by SIGKILL). */
WD_NODISCARD int lock_take(const char *path, struct lock **out, char *err,
			   size_t errlen);
void lock_release(struct lock *l); /* NULL is a no-op */

#endif
