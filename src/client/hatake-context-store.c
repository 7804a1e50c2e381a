/* hatake-context-store.c: docker's contexts, and hatake's own, as stores of named engines
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A context names an engine, kept as docker keeps its own: STORE/meta/<sha256 of the name>/meta.json
 * holds {"Name", "Metadata": {"Description"}, "Endpoints": {"docker": {"Host", "SkipTLSVerify"}}},
 * and STORE/tls/<sha256>/docker/{ca,cert,key}.pem its TLS material. Two stores are read: hatake's
 * own in $XDG_CONFIG_HOME/hatake/contexts and docker's in $DOCKER_CONFIG/contexts (else
 * ~/.docker/contexts). The current context is "currentContext" in $XDG_CONFIG_HOME/hatake/config.json.
 * `hatake context` (src/cli) changes them; the CLI and the app read them through this file.
 */
#define G_LOG_DOMAIN "hatake-client"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hatake-context-store.h"
#include "hatake-error.h"
#include "hatake-json.h"

void
hatake_context_free (HatakeContext *context)
{
  g_free (context->dir);
  g_clear_pointer (&context->meta, json_node_unref);
  g_free (context);
}


/* ---- reading members ------------------------------------------------------------------------- */

const char *
hatake_context_name (HatakeContext *context)
{
  return hatake_json_string (json_node_get_object (context->meta), "Name");
}

const char *
hatake_context_description (HatakeContext *context)
{
  JsonObject *metadata = hatake_json_object_member (json_node_get_object (context->meta), "Metadata");
  const char *description = hatake_json_string (metadata, "Description");

  return description != NULL ? description : "";
}

JsonObject *
hatake_context_docker_endpoint (HatakeContext *context)
{
  JsonObject *endpoints = hatake_json_object_member (json_node_get_object (context->meta), "Endpoints");

  return hatake_json_object_member (endpoints, "docker");
}

/* The endpoint's host; NULL when it names none */
const char *
hatake_context_host (HatakeContext *context)
{
  const char *host = hatake_json_string (hatake_context_docker_endpoint (context), "Host");

  return host != NULL && *host != '\0' ? host : NULL;
}

/* ---- the stores ------------------------------------------------------------------------------ */

char *
hatake_context_hatake_store (void)
{
  return g_build_filename (g_get_user_config_dir (), "hatake", "contexts", NULL);
}

char *
hatake_context_docker_store (void)
{
  const char *dir = g_getenv ("DOCKER_CONFIG");

  if (dir != NULL && *dir != '\0')
    return g_build_filename (dir, "contexts", NULL);
  return g_build_filename (g_get_home_dir (), ".docker", "contexts", NULL);
}

/* STORE/KIND/<sha256 of NAME>: where docker keeps a context's metadata (KIND "meta") and its TLS
 * material ("tls") */
char *
hatake_context_path (const char *dir,
              const char *kind,
              const char *name)
{
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);

  return g_build_filename (dir, kind, digest, NULL);
}

HatakeContext *
hatake_context_read (HatakeContextStore   store,
              const char    *dir,
              const char    *path,
              GError       **error)
{
  g_autoptr(HatakeContext) context = g_new0 (HatakeContext, 1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  if (!json_parser_load_from_data (parser, contents, length, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "parsing %s: %s", path, local_error->message);
      return NULL;
    }
  if (!hatake_json_root_is (parser, JSON_NODE_OBJECT) ||
      hatake_json_string (json_node_get_object (json_parser_get_root (parser)), "Name") == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "parsing %s: not a context", path);
      return NULL;
    }
  context->store = store;
  context->dir = g_strdup (dir);
  context->meta = json_node_copy (json_parser_get_root (parser));
  return g_steal_pointer (&context);
}

/* NAME in the store at DIR; HATAKE_ERROR_NOT_FOUND in docker's words when it is not there */
HatakeContext *
hatake_context_load (HatakeContextStore   store,
              const char    *dir,
              const char    *name,
              GError       **error)
{
  g_autofree char *meta_dir = hatake_context_path (dir, "meta", name);
  g_autofree char *path = g_build_filename (meta_dir, "meta.json", NULL);
  g_autoptr(GError) local_error = NULL;
  HatakeContext *context = hatake_context_read (store, dir, path, &local_error);

  if (context == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ||
          g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
        g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                     "context \"%s\": context not found: open %s: no such file or directory", name, path);
      else
        g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, "context \"%s\": %s", name, local_error->message);
    }
  return context;
}


void
hatake_context_list_store (GPtrArray    *contexts,
            GHashTable   *names,
            HatakeContextStore  store,
            const char   *dir)
{
  g_autofree char *meta = g_build_filename (dir, "meta", NULL);
  g_autoptr(GDir) folder = g_dir_open (meta, 0, NULL);
  const char *entry;

  while (folder != NULL && (entry = g_dir_read_name (folder)) != NULL)
    {
      g_autofree char *path = g_build_filename (meta, entry, "meta.json", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(HatakeContext) context = hatake_context_read (store, dir, path, &error);

      if (context == NULL)
        {
          g_debug ("Skipping %s: %s", path, error->message);
          continue;
        }
      if (g_hash_table_contains (names, hatake_context_name (context)))
        continue;
      g_hash_table_add (names, g_strdup (hatake_context_name (context)));
      g_ptr_array_add (contexts, g_steal_pointer (&context));
    }
}


char *
hatake_context_config_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "hatake", "config.json", NULL);
}

/* The file as an object ({} when there is none yet) */
JsonNode *
hatake_context_config_load (const char  *path,
             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      return hatake_json_node_new_object ();
    }
  if (length == 0)
    return hatake_json_node_new_object ();
  if (!json_parser_load_from_data (parser, contents, length, &local_error) ||
      !hatake_json_root_is (parser, JSON_NODE_OBJECT))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Error loading config file %s: %s"), path,
                   local_error != NULL ? local_error->message : _("not a JSON object"));
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}


char *
hatake_context_config_current (GError **error)
{
  g_autofree char *path = hatake_context_config_path ();
  g_autoptr(JsonNode) config = hatake_context_config_load (path, error);
  const char *current;

  if (config == NULL)
    return NULL;
  current = hatake_json_string (json_node_get_object (config), "currentContext");
  return current != NULL && *current != '\0' ? g_strdup (current) : NULL;
}

/* A stored context's TLS material, where docker keeps it: STORE/tls/<sha256>/docker/{ca,cert,key}.pem */
void
hatake_context_apply_tls (HatakeContext        *context,
                    HatakeEndpoint *endpoint)
{
  g_autofree char *tls_dir = context->dir ? hatake_context_path (context->dir, "tls", hatake_context_name (context)) : NULL;
  struct { const char *file; char **field; } files[] = {
    { "ca.pem", &endpoint->ca_file },
    { "cert.pem", &endpoint->cert_file },
    { "key.pem", &endpoint->key_file },
  };

  endpoint->skip_verify = hatake_json_boolean (hatake_context_docker_endpoint (context), "SkipTLSVerify", FALSE);
  for (guint i = 0; tls_dir != NULL && i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (tls_dir, "docker", files[i].file, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          *files[i].field = g_steal_pointer (&path);
          endpoint->tls = TRUE;
        }
    }
  if (endpoint->skip_verify)
    g_clear_pointer (&endpoint->ca_file, g_free);
}
