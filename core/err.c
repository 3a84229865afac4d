/* SPDX-License-Identifier: MIT */
/* core/err.c: error code texts. */
#include "core/err.h"

const char *
wd_strerror(int rc)
{
	switch (rc) {
	case WD_OK:
		return "success";
	case WD_ENET:
		return "network error";
	case WD_EPARSE:
		return "parse error";
	case WD_EIO:
		return "I/O error";
	case WD_EDB:
		return "database error";
	case WD_ECONFIG:
		return "configuration error";
	case WD_ETOOBIG:
		return "too big";
	case WD_EBUSY:
		return "busy";
	case WD_EINVAL:
		return "invalid argument";
	case WD_ENOTFOUND:
		return "not found";
	}
	return "unknown error";
}
