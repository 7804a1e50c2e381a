/* hatake-fuzz.c: what every fuzz target shares
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-fuzz"

#include "hatake-fuzz.h"

#include <locale.h>

void
hatake_fuzz_init (void)
{
  /* An input that makes our code warn (a failed g_return_if_fail, a GError set twice) is a bug,
   * so it must stop the fuzzer with a stack trace as a crash does. Messages and debug output are
   * left to G_MESSAGES_DEBUG. */
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  /* Errors are built with _() and the locale's formats: the C locale keeps runs repeatable. */
  setlocale (LC_ALL, "C");
}
