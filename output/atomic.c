/* SPDX-License-Identifier: MIT */
/* output/atomic.c: temp file + fsync + rename, and no write when unchanged. */
#include "output/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"

/* True when path holds exactly data[0..len). */
static bool
same_content(const char *path, const char *data, size_t len)
{
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size != len)
		return false;
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	char chunk[65536];
	size_t off = 0, n;
	bool same = true;

	while (same && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (off + n > len || memcmp(chunk, data + off, n))
			same = false;
		off += n;
	}
	same = same && !ferror(f) && off == len;
	fclose(f);
	return same;
}

int
atomic_write(const char *path, const char *data, size_t len, char *errbuf,
	     size_t errlen)
{
	if (same_content(path, data, len))
		return 0;
	struct buf tmp;

	buf_init(&tmp, 8192);
	buf_appendf(&tmp, "%s.tmp", path);
	int fd = open(buf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		      0644);

	if (fd < 0) {
		snprintf(errbuf, errlen, "%s: %s", buf_str(&tmp),
			 strerror(errno));
		buf_free(&tmp);
		return WD_EIO;
	}
	size_t off = 0;
	int err = 0;

	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : ENOSPC;
			break;
		}
		off += (size_t)n;
	}
	if (!err && fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && rename(buf_str(&tmp), path) < 0)
		err = errno;
	if (err) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(err));
		unlink(buf_str(&tmp));
		buf_free(&tmp);
		return WD_EIO;
	}
	buf_free(&tmp);
	return 1;
}
