/* SPDX-License-Identifier: MIT */
/* aggregator/main.c: the wiredesk command line. Parses the subcommand and
 * its options, calls one function, maps its result to an exit status. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregator/editor.h"
#include "aggregator/parsedump.h"
#include "aggregator/run.h"
#include "core/item.h"
#include "core/wdtime.h"

static const char usage[] =
	"usage: wiredesk [-c CONFIG] COMMAND [ARGS]\n"
	"\n"
	"Commands:\n"
	"  run [--force [FEED]]   poll due feeds, store, dedupe, select, write\n"
	"  publish                select and write every audience, no fetching\n"
	"  check                  validate wiredesk.yaml and every audience file\n"
	"  feeds [--json]         the state of every feed\n"
	"  parse [--json] FILE|URL  one feed as normalized JSON on stdout\n"
	"  stories [--json] [--since DURATION]\n"
	"                         stories with their items and why each joined\n"
	"  items [--json] [--since DURATION]\n"
	"                         every stored item with its story id\n"
	"  pick AUDIENCE STORY [--until DATE|DURATION] [--note TEXT] [--by NAME]\n"
	"  block AUDIENCE STORY [--until ...] [--note ...] [--by ...]\n"
	"  unpick AUDIENCE STORY, unblock AUDIENCE STORY\n"
	"                         editors' picks and blocks; they win over rules\n"
	"  explain AUDIENCE [STORY] [--json]\n"
	"                         rules that fired, scores, quotas, verdicts\n"
	"  prune --older-than DURATION\n"
	"                         forget stories older than that (default: keep)\n"
	"\n"
	"Options:\n"
	"  -c, --config PATH      configuration file (default ./wiredesk.yaml)\n"
	"  -h, --help             this text\n"
	"  -V, --version          the version\n"
	"\n"
	"Exit status: 0 all fine; 1 some feeds failed (the others were\n"
	"processed and outputs written); 2 the run could not happen (usage,\n"
	"configuration, rules, database); 3 another run holds the lock.\n";

/* Is a (possibly "--name=value") one of the options that take a value? */
static bool
value_option(const char *a, const char *const *names)
{
	size_t len = strcspn(a, "=");

	for (size_t i = 0; names[i]; i++) {
		if (strlen(names[i]) == len && !strncmp(a, names[i], len))
			return true;
	}
	return false;
}

static int
usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "wiredesk: %s%s%s\n%s", msg, arg ? ": " : "",
		arg ? arg : "", usage);
	return RUN_FAILED;
}

/* `wiredesk date`: one date per line on stdin to RFC 3339 (or an empty
 * line), for checking the date reader against other parsers' cases. */
static int
cmd_date(void)
{
	char line[4096];

	while (fgets(line, sizeof(line), stdin)) {
		size_t n = strcspn(line, "\r\n");
		int64_t t = wd_date_parse(line, n);
		char out[32];

		if (t == WD_NOTIME) {
			putchar('\n');
		} else {
			wd_time_rfc3339(t, out);
			puts(out);
		}
		fflush(stdout);
	}
	return 0;
}

static int
dispatch(int argc, char **argv)
{
	const char *config = "wiredesk.yaml";
	const char *cmd = NULL;
	const char *args[16];
	size_t nargs = 0;
	bool json = false, force = false;
	const char *since = NULL, *until = NULL, *note = NULL, *by = NULL;
	const char *older = NULL;
	static const char *const valued[] = {"--since", "--until", "--note",
					     "--by", "--older-than", NULL};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-c") || !strcmp(a, "--config")) {
			if (++i >= argc)
				return usage_error("missing path after", a);
			config = argv[i];
		} else if (!strncmp(a, "--config=", 9)) {
			config = a + 9;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("wiredesk %s\n", WD_VERSION);
			return 0;
		} else if (a[0] == '-' && a[1] == '-' && value_option(a, valued)) {
			const char *eq = strchr(a, '=');
			const char *v = eq ? eq + 1 : NULL;
			size_t len = eq ? (size_t)(eq - a) : strlen(a);

			if (!v && ++i >= argc)
				return usage_error("missing value after", a);
			if (!v)
				v = argv[i];
			if (!strncmp(a, "--since", len))
				since = v;
			else if (!strncmp(a, "--until", len))
				until = v;
			else if (!strncmp(a, "--note", len))
				note = v;
			else if (!strncmp(a, "--by", len))
				by = v;
			else
				older = v;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--force")) {
			force = true;
		} else if (a[0] == '-' && a[1]) {
			return usage_error("unknown option", a);
		} else if (!cmd) {
			cmd = a;
		} else if (nargs < sizeof(args) / sizeof(args[0])) {
			args[nargs++] = a;
		} else {
			return usage_error("too many arguments", NULL);
		}
	}
	if (!cmd)
		return usage_error("no command given", NULL);
	if (!strcmp(cmd, "run") || !strcmp(cmd, "publish")) {
		bool run = !strcmp(cmd, "run");
		struct run_opts o = {
			.config = config,
			.fetch = run,
			.publish = true,
			.force = force,
			.only_feed = nargs ? args[0] : NULL,
		};

		if (nargs > 1 || (nargs && !force) || (!run && force))
			return usage_error("usage", run ? "run [--force [FEED]]"
							: "publish");
		return run_main(&o);
	}
	if (!strcmp(cmd, "check")) {
		if (nargs)
			return usage_error("check takes no arguments", NULL);
		return run_check(config);
	}
	if (!strcmp(cmd, "feeds")) {
		if (nargs)
			return usage_error("feeds takes no arguments", NULL);
		return run_feeds(config, json);
	}
	if (!strcmp(cmd, "parse")) {
		if (nargs != 1)
			return usage_error("usage", "parse [--json] FILE|URL");
		return parsedump_run(args[0], json, stdout);
	}
	if (!strcmp(cmd, "stories") || !strcmp(cmd, "items")) {
		if (nargs)
			return usage_error("usage", "stories|items [--json] "
						    "[--since DURATION]");
		return editor_list(config, !strcmp(cmd, "stories"), json,
				   since);
	}
	if (!strcmp(cmd, "pick") || !strcmp(cmd, "block") ||
	    !strcmp(cmd, "unpick") || !strcmp(cmd, "unblock")) {
		struct editor_pick p = {
			.audience = nargs > 0 ? args[0] : NULL,
			.story = nargs > 1 ? args[1] : NULL,
			.block = strstr(cmd, "block") != NULL,
			.remove = cmd[0] == 'u',
			.until = until,
			.note = note,
			.by = by,
		};

		if (nargs != 2 || (p.remove && (until || note)))
			return usage_error("usage", p.remove
							    ? "unpick|unblock AUDIENCE STORY"
							    : "pick|block AUDIENCE STORY [--until DATE] [--note TEXT] [--by NAME]");
		return editor_pick(config, &p);
	}
	if (!strcmp(cmd, "explain")) {
		if (nargs < 1 || nargs > 2)
			return usage_error("usage",
					   "explain AUDIENCE [STORY] [--json]");
		return run_explain(config, args[0], nargs > 1 ? args[1] : NULL,
				   json);
	}
	if (!strcmp(cmd, "prune")) {
		if (nargs)
			return usage_error("usage", "prune --older-than DURATION");
		return editor_prune(config, older);
	}
	if (!strcmp(cmd, "date"))
		return cmd_date();
	return usage_error("unknown command", cmd);
}

int
main(int argc, char **argv)
{
	int status = dispatch(argc, argv);

	/* Output lost on a full disk or a closed pipe is a failure, not a
	 * silent success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "wiredesk: writing standard output: %s\n",
			strerror(errno));
		if (status == RUN_OK || status == RUN_PARTIAL)
			status = RUN_FAILED;
	}
	return status;
}
