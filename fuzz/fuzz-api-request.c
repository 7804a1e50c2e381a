/* fuzz-api-request.c: what the Docker Engine API server reads from a request before it asks the
 * engine anything: the path, ?filters= and the body of POST /containers/create
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is three parts on lines of their own: the request path, the filters query value,
 * and the JSON body (the rest). A missing part is empty. What the body asks for must also
 * survive the trip through the config a container keeps on disk.
 */
#define G_LOG_DOMAIN "hatake-fuzz"

#include <string.h>

#include "hatake-api-private.h"
#include "hatake-container-config.h"
#include "hatake-fuzz.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  hatake_fuzz_init ();
  return 0;
}

/* The next line of *p (up to end), advancing *p past it. */
static char *
next_line (const char **p,
           const char  *end)
{
  const char *nl = memchr (*p, '\n', (gsize) (end - *p));
  const char *stop = nl != NULL ? nl : end;
  char *line = g_strndup (*p, (gsize) (stop - *p));

  *p = nl != NULL ? nl + 1 : end;
  return line;
}

static void
fuzz_path (const char *raw_path)
{
  static const char * const methods[] = { "GET", "HEAD", "POST", "PUT", "DELETE" };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) path = hatake_api_split_path (raw_path, &error);

  g_assert ((path != NULL) == (error == NULL));
  if (path == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    (void) hatake_api_archive_wants_spool (methods[i], path);
}

static void
fuzz_filters (const char *text)
{
  g_autoptr(GHashTable) query = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) filters = NULL;
  g_autoptr(GError) error = NULL;

  g_hash_table_insert (query, (char *) "filters", (char *) text);
  filters = hatake_api_query_filters (query, &error);
  g_assert ((filters != NULL) == (error == NULL));
  (void) hatake_api_query_bool (query, "filters", FALSE);
}

static void
fuzz_create_body (const char *body,
                  gsize       length)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainerConfig) reloaded = NULL;
  g_autoptr(JsonNode) saved = NULL;
  g_autoptr(GError) error = NULL;

  root = hatake_api_parse_json (body, length, TRUE, &error);
  g_assert ((root != NULL) == (error == NULL));
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;

  config = hatake_container_config_from_docker (json_node_get_object (root), "fuzz", &error);
  g_assert ((config != NULL) == (error == NULL));
  if (config == NULL)
    return;

  saved = hatake_container_config_to_json (config);
  reloaded = hatake_container_config_from_json (saved, &error);
  g_assert_no_error (error);
  g_assert (reloaded != NULL);
  {
    g_autoptr(JsonNode) docker = hatake_container_config_to_docker (config);
    g_assert (docker != NULL);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *p = (const char *) data;
  const char *end = p + size;
  g_autofree char *path = next_line (&p, end);
  g_autofree char *filters = next_line (&p, end);

  fuzz_path (path);
  fuzz_filters (filters);
  fuzz_create_body (p, (gsize) (end - p));
  return 0;
}
