/* SPDX-License-Identifier: MIT */
/* tests/check_main.c: the one main() of every Check suite. */
#include <stdlib.h>

#include <check.h>

#include "tests/suite.h"

int
main(void)
{
	SRunner *sr = srunner_create(test_suite());

	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);

	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
