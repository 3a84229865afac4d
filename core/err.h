/* SPDX-License-Identifier: MIT */
/* core/err.h: the error codes every stage returns (negative on failure). */
#ifndef WD_CORE_ERR_H
#define WD_CORE_ERR_H

#define WD_NODISCARD __attribute__((warn_unused_result))

enum wd_err {
	WD_OK = 0,
	WD_ENET = -1,     /* network, DNS, TLS, timeout, HTTP error */
	WD_EPARSE = -2,   /* input could not be parsed at all */
	WD_EIO = -3,      /* file system */
	WD_EDB = -4,      /* SQLite */
	WD_ECONFIG = -5,  /* config or audience file mistake */
	WD_ETOOBIG = -6,  /* a cap was reached */
	WD_EBUSY = -7,    /* another run holds the lock */
	WD_EINVAL = -8,   /* bad argument (usage) */
	WD_ENOTFOUND = -9 /* no such feed, audience, story */
};

/* Text for an error code; a static string. */
const char *wd_strerror(int rc);

#endif
