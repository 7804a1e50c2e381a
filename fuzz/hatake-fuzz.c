/* hatake-fuzz.c: what every fuzz target shares
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-fuzz"

#include "hatake-fuzz.h"

#include <locale.h>
#include <stdlib.h>

/* abort(), not GLib's own fatal path: that raises SIGTRAP, on which libFuzzer keeps no input */
static GLogWriterOutput
write_log (GLogLevelFlags   level,
           const GLogField *fields,
           gsize            n_fields,
           gpointer         user_data)
{
  GLogWriterOutput out = g_log_writer_default (level, fields, n_fields, user_data);

  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
  return out;
}

void
hatake_fuzz_init (void)
{
  /* An input that makes any code warn (a failed g_return_if_fail, a GError set twice) is a bug,
   * so it must stop the fuzzer with a stack trace and the input kept, as a crash does. Messages
   * and debug output are left to G_MESSAGES_DEBUG. */
  g_log_set_writer_func (write_log, NULL, NULL);
  /* Errors are built with _() and the locale's formats: the C locale keeps runs repeatable. */
  setlocale (LC_ALL, "C");
}
