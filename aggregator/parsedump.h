/* SPDX-License-Identifier: MIT */
/* aggregator/parsedump.h: `wiredesk parse [--json] FILE|URL`: one feed
 * through the real fetch and parse stages, printed for people or as the
 * neutral JSON of ../shared/tools/fp_conformance.py. */
#ifndef WD_AGGREGATOR_PARSEDUMP_H
#define WD_AGGREGATOR_PARSEDUMP_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Read src (a local file, or an http(s) URL fetched with its headers),
 * parse it and print the result on out. Returns the exit status: 0 when
 * the input could be read (also when it is ill-formed: "bozo" says so),
 * 2 when it could not. For local files FEED_URL and FEED_CONTENT_TYPE in
 * the environment stand in for the document URL and the HTTP header.
 */
int parsedump_run(const char *src, bool json, FILE *out);

#endif
