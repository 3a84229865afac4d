/* SPDX-License-Identifier: MIT */
/* tests/suite.h: each tests/test_<module>.c defines the suite it runs. */
#ifndef WD_TESTS_SUITE_H
#define WD_TESTS_SUITE_H

#include <check.h>

Suite *test_suite(void);

#endif
