/* hatake-api-transfer.c: images to and from registries: pull (POST /images/create), push
 * (POST /images/{name}/push) with docker's JSON progress, and login (POST /auth); the credentials of
 * X-Registry-Auth go with the one transfer they came with
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-api"

#include "config.h"

#include <string.h>

#include "hatake-api-private.h"
#include "hatake-error.h"
#include "hatake-json.h"
#include "hatake-reference.h"

/* docker's X-Registry-Auth: base64url of {"username", "password", "serveraddress"} (or "{}"). */
static gboolean
take_registry_auth (SoupServerMessage *msg, HatakePull *pull, GError **error)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "X-Registry-Auth");
  g_autoptr(GString) text = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree guchar *json = NULL;
  gsize length = 0;
  JsonObject *o;

  if (header == NULL || *header == '\0')
    return TRUE;
  text = g_string_new (header);
  g_strdelimit (text->str, "-", '+');
  g_strdelimit (text->str, "_", '/');
  while (text->len % 4 != 0)
    g_string_append_c (text, '=');
  json = g_base64_decode (text->str, &length);
  node = json ? json_from_string ((const char *) json, NULL) : NULL;
  if (json != NULL)
    memset (json, 0, length);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid X-Registry-Auth header");
      return FALSE;
    }
  o = json_node_get_object (node);
  if (hatake_json_string (o, "username") != NULL && hatake_json_string (o, "password") != NULL)
    hatake_pull_set_credentials (pull, hatake_json_string (o, "username"), hatake_json_string (o, "password"));
  return TRUE;
}

typedef struct
{
  HatakeApiRequest *request;
  HatakePull       *pull;
  GHashTable       *sent;     /* layer digest → last state sent + 1 */
  guint             timer;
  char             *tag;
  gboolean          push;     /* the words of a push for the layers' states */
} PullData;

static void
pull_data_free (PullData *data)
{
  g_clear_handle_id (&data->timer, g_source_remove);
  g_clear_object (&data->pull);
  g_hash_table_unref (data->sent);
  g_free (data->tag);
  g_free (data);
}

static void
pull_send_progress (PullData *data)
{
  GListModel *layers = hatake_pull_get_layers (data->pull);

  for (guint i = 0; i < g_list_model_get_n_items (layers); i++)
    {
      g_autoptr(HatakePullLayer) layer = g_list_model_get_item (layers, i);
      const char *digest = hatake_pull_layer_get_digest (layer);
      HatakeLayerState state = hatake_pull_layer_get_state (layer);
      guint last = GPOINTER_TO_UINT (g_hash_table_lookup (data->sent, digest));
      g_autofree char *short_id = g_strndup (strchr (digest, ':') ? strchr (digest, ':') + 1 : digest, 12);
      JsonObject *object;
      g_autoptr(JsonNode) node = NULL;
      gboolean moving = state == HATAKE_LAYER_DOWNLOADING || state == HATAKE_LAYER_EXTRACTING;

      if (last == state + 1 && !moving)
        continue;
      g_hash_table_insert (data->sent, g_strdup (digest), GUINT_TO_POINTER (state + 1));
      object = json_object_new ();
      json_object_set_string_member (object, "status", data->push ? hatake_layer_state_to_push_string (state)
                                                                  : hatake_layer_state_to_string (state));
      if (moving)
        {
          JsonObject *detail = json_object_new ();

          json_object_set_int_member (detail, "current", hatake_pull_layer_get_current (layer));
          json_object_set_int_member (detail, "total", hatake_pull_layer_get_total (layer));
          json_object_set_object_member (object, "progressDetail", detail);
        }
      else
        json_object_set_object_member (object, "progressDetail", json_object_new ());
      json_object_set_string_member (object, "id", short_id);
      node = hatake_api_object_node (object);
      hatake_api_request_write_json (data->request, node);
    }
}

static gboolean
pull_tick (gpointer user_data)
{
  pull_send_progress (user_data);
  return G_SOURCE_CONTINUE;
}

static void
write_status (HatakeApiRequest *request,
              const char       *status,
              const char       *id)
{
  JsonObject *object = json_object_new ();
  g_autoptr(JsonNode) node = NULL;

  json_object_set_string_member (object, "status", status);
  if (id != NULL)
    json_object_set_string_member (object, "id", id);
  node = hatake_api_object_node (object);
  hatake_api_request_write_json (request, node);
}

static void
on_pulled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PullData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeImage) image = hatake_engine_pull_finish (HATAKE_ENGINE (source), result, &error);

  g_clear_handle_id (&data->timer, g_source_remove);
  if (image == NULL)
    hatake_api_request_reply_error (data->request, error);
  else
    {
      g_autofree char *digest = g_strconcat ("Digest: ", hatake_pull_get_digest (data->pull), NULL);
      g_autofree char *status = g_strconcat ("Status: Downloaded newer image for ", data->tag, NULL);

      pull_send_progress (data);
      write_status (data->request, digest, NULL);
      write_status (data->request, status, NULL);
      hatake_api_request_end_stream (data->request);
    }
  pull_data_free (data);
}

void
hatake_api_images_pull (HatakeApiServer   *server,
                        SoupServerMessage *msg,
                        GStrv              path,
                        GHashTable        *query)
{
  const char *from = hatake_api_query (query, "fromImage");
  const char *tag = hatake_api_query (query, "tag");
  const char *platform = hatake_api_query (query, "platform");
  g_autofree char *reference = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  PullData *data;
  g_autofree char *pulling = NULL;

  if (from == NULL || *from == '\0')
    {
      hatake_api_reply_message (msg, hatake_api_query (query, "fromSrc") ? SOUP_STATUS_NOT_IMPLEMENTED
                                                                         : SOUP_STATUS_BAD_REQUEST,
                                hatake_api_query (query, "fromSrc") ? "importing an image is not supported by Hatake yet"
                                                                    : "fromImage is required");
      return;
    }
  if (tag != NULL && *tag != '\0')
    reference = g_strdup_printf ("%s%s%s", from, g_str_has_prefix (tag, "sha256:") ? "@" : ":", tag);
  else
    reference = g_strdup (from);
  ref = hatake_reference_parse (reference, &error);
  if (ref == NULL)
    {
      hatake_api_reply_error (msg, error);
      return;
    }
  data = g_new0 (PullData, 1);
  data->request = hatake_api_request_new (server, msg, query, path);
  data->pull = hatake_pull_new (reference);
  data->sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  data->tag = ref->tag ? hatake_reference_with_tag (ref) : hatake_reference_to_string (ref);
  if (!take_registry_auth (msg, data->pull, &error))
    {
      hatake_api_request_reply_error (data->request, error);
      pull_data_free (data);
      return;
    }
  hatake_api_request_begin_stream (data->request, "application/json");
  pulling = g_strdup_printf ("Pulling from %s", ref->path);
  write_status (data->request, pulling, ref->tag ? ref->tag : ref->digest);
  data->timer = g_timeout_add (200, pull_tick, data);
  hatake_engine_pull_async (data->request->engine, reference, platform && *platform ? platform : NULL, data->pull,
                            data->request->cancellable, on_pulled, data);
}


static void
on_pushed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PullData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) aux = hatake_engine_push_finish (HATAKE_ENGINE (source), result, &error);

  g_clear_handle_id (&data->timer, g_source_remove);
  pull_send_progress (data);
  if (aux == NULL)
    hatake_api_request_reply_error (data->request, error);
  else
    {
      JsonObject *o = json_object_new ();
      g_autoptr(JsonNode) node = NULL;

      write_status (data->request, hatake_pull_get_status (data->pull), NULL);
      json_object_set_object_member (o, "progressDetail", json_object_new ());
      json_object_set_member (o, "aux", json_node_copy (aux));
      node = hatake_api_object_node (o);
      hatake_api_request_write_json (data->request, node);
      hatake_api_request_end_stream (data->request);
    }
  pull_data_free (data);
}

/* POST /images/{name}/push?tag=: NAME's TAG (latest when none) to its registry */
void
hatake_api_images_push (HatakeApiServer   *server,
                        SoupServerMessage *msg,
                        GStrv              path,
                        GHashTable        *query,
                        const char        *name)
{
  const char *tag = hatake_api_query (query, "tag");
  g_autofree char *reference = NULL;
  g_autofree char *repository = NULL;
  g_autofree char *refers = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autoptr(GError) error = NULL;
  PullData *data;

  reference = g_strdup_printf ("%s:%s", name, tag && *tag ? tag : "latest");
  ref = hatake_reference_parse (reference, &error);
  if (ref == NULL)
    {
      hatake_api_reply_error (msg, error);
      return;
    }
  data = g_new0 (PullData, 1);
  data->push = TRUE;
  data->request = hatake_api_request_new (server, msg, query, path);
  data->pull = hatake_pull_new (reference);
  data->sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!take_registry_auth (msg, data->pull, &error))
    {
      hatake_api_request_reply_error (data->request, error);
      pull_data_free (data);
      return;
    }
  hatake_api_request_begin_stream (data->request, "application/json");
  repository = hatake_reference_repository (ref);
  refers = g_strdup_printf ("The push refers to repository [%s]", repository);
  write_status (data->request, refers, NULL);
  data->timer = g_timeout_add (200, pull_tick, data);
  hatake_engine_push_async (data->request->engine, reference, data->pull, data->request->cancellable, on_pushed, data);
}

/* ---- login --------------------------------------------------------------------------------- */

static void
on_login (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HatakeApiRequest *request = user_data;
  g_autoptr(GError) error = NULL;
  JsonObject *o;
  g_autoptr(JsonNode) node = NULL;

  if (!hatake_engine_login_finish (HATAKE_ENGINE (source), result, &error))
    {
      hatake_api_request_reply_error (request, error);
      return;
    }
  o = json_object_new ();
  json_object_set_string_member (o, "Status", "Login Succeeded");
  json_object_set_string_member (o, "IdentityToken", "");
  node = hatake_api_object_node (o);
  hatake_api_request_reply_json (request, SOUP_STATUS_OK, node);
}

/* POST /auth {"username", "password", "serveraddress"}: the daemon only checks them; the client
 * keeps them (docker: in its config.json or a credential helper) */
void
hatake_api_auth (HatakeApiServer   *server,
                 SoupServerMessage *msg,
                 GStrv              path,
                 GHashTable        *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = hatake_api_body_json (msg, TRUE, &error);
  HatakeApiRequest *request;
  JsonObject *o;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    {
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "the body must be a JSON object");
      hatake_api_reply_error (msg, error);
      return;
    }
  o = json_node_get_object (body);
  request = hatake_api_request_new (server, msg, query, path);
  hatake_engine_login_async (request->engine, hatake_json_string (o, "serveraddress"), hatake_json_string (o, "username"),
                             hatake_json_string (o, "password"), request->cancellable, on_login, request);
}
