/* SPDX-License-Identifier: MIT */
/* aggregator/lock.c: flock(2) on a lock file. */
#include "aggregator/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/xalloc.h"

struct lock {
	int fd;
};

int
lock_take(const char *path, struct lock **out, char *err, size_t errlen)
{
	*out = NULL;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return WD_EIO;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		char pid[32] = "";
		ssize_t n = read(fd, pid, sizeof(pid) - 1);

		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(err, errlen,
			 "another wiredesk run is in progress (pid %s, lock "
			 "%s)",
			 *pid ? pid : "?", path);
		close(fd);
		return WD_EBUSY;
	}
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) == 0 && write(fd, pid, (size_t)n) != n) {
		/* The pid is only informative; the flock is the lock. */
	}
	struct lock *l = xmalloc(sizeof(*l));

	l->fd = fd;
	*out = l;
	return 0;
}

void
lock_release(struct lock *l)
{
	if (!l)
		return;
	close(l->fd);
	free(l);
}
