/* SPDX-License-Identifier: MIT */
/* core/log.c: stderr logging. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

static enum wd_log_level log_level = WD_LOG_WARN;

void
wd_log_set_level(enum wd_log_level level)
{
	log_level = level;
}

void
wd_log(enum wd_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	fputs("wiredesk: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
