/* SPDX-License-Identifier: MIT */
/* core/log.h: one-line messages on stderr, the way cron mail wants them. */
#ifndef WD_CORE_LOG_H
#define WD_CORE_LOG_H

#include <stdbool.h>

enum wd_log_level { WD_LOG_ERROR, WD_LOG_WARN, WD_LOG_INFO, WD_LOG_DEBUG };

/* Messages above level are dropped (default WD_LOG_WARN). */
void wd_log_set_level(enum wd_log_level level);
/* Print "wiredesk: " + message + newline on stderr when level passes. */
void wd_log(enum wd_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define wd_error(...) wd_log(WD_LOG_ERROR, __VA_ARGS__)
#define wd_warn(...)  wd_log(WD_LOG_WARN, __VA_ARGS__)
#define wd_info(...)  wd_log(WD_LOG_INFO, __VA_ARGS__)

#endif
