/* SPDX-License-Identifier: MIT */
/* placeholder until this module is written */
enum { placeholder_config };
