/* fuzz-compose-interpolate.c: .env files and ${…} interpolation
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is read as a .env file over a fixed environment, and then, whatever came of that,
 * expanded as one interpolated value with the variables it set.
 */
#define G_LOG_DOMAIN "hatake-fuzz"

#include "hatake-compose-private.h"
#include "hatake-fuzz.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  hatake_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GHashTable) environment = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *expanded = NULL;
  HatakeComposeNode where = { .kind = HATAKE_COMPOSE_NODE_SCALAR, .file = (char *) "compose.yaml",
                              .dir = (char *) "/", .line = 1, .column = 1 };
  HatakeComposeEnv env = { vars, warnings, warned };
  gboolean ok;

  g_hash_table_insert (environment, (char *) "HOME", (char *) "/nonexistent/home");
  g_hash_table_insert (environment, (char *) "TAG", (char *) "1.25");
  g_hash_table_insert (environment, (char *) "EMPTY", (char *) "");

  ok = _hatake_compose_dotenv_parse ((const char *) data, size, ".env", vars, order, environment, &error);
  g_assert (ok == (error == NULL));
  g_assert (order->len <= g_hash_table_size (vars));
  g_clear_error (&error);

  expanded = _hatake_compose_interpolate_string (text, &env, &where, &error);
  g_assert ((expanded != NULL) == (error == NULL));
  return 0;
}
