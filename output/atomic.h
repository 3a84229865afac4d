/* SPDX-License-Identifier: MIT */
/* output/atomic.h: write a file so that readers never see half of it. */
#ifndef WD_OUTPUT_ATOMIC_H
#define WD_OUTPUT_ATOMIC_H

#include <stddef.h>

#include "core/err.h"

/*
 * Write data[0..len) to path through path.tmp + fsync + rename. When path
 * already holds exactly these bytes nothing is written (mtime untouched) and
 * 0 is returned; 1 when the file was replaced; WD_EIO on failure, with the
 * old file left as it was and a message in errbuf.
 */
WD_NODISCARD int atomic_write(const char *path, const char *data, size_t len,
			      char *errbuf, size_t errlen);

#endif
