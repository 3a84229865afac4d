/* SPDX-License-Identifier: MIT */
/* feeds/websub.h: tell a WebSub hub that one of our feeds changed (W3C
 * WebSub, section 7: a form POST of hub.mode=publish and hub.url=TOPIC), so
 * subscribers hear of it at once instead of at their next poll. */
#ifndef WD_FEEDS_WEBSUB_H
#define WD_FEEDS_WEBSUB_H

#include <stddef.h>

#include "core/err.h"

/* POST the ping for topic to hub (http or https; redirects are not
 * followed; 10 s to connect, 30 s in all). 0 when the hub answered 2xx,
 * else WD_ENET with a one-line reason in err. */
WD_NODISCARD int websub_ping(const char *hub, const char *topic,
			     const char *user_agent, char *err, size_t errlen);

#endif
