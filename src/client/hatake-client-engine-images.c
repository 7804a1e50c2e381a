/* hatake-client-engine-images.c: images, files, volumes and networks of a remote engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pulls and pushes read docker's JSON progress into the same HatakePull the local engine fills
 * (a layer by the short ID the stream names it by); save, load and the archive calls stream the
 * bodies through without holding them.
 */
#define G_LOG_DOMAIN "hatake-client"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hatake-client-engine-private.h"
#include "hatake-error.h"
#include "hatake-json.h"
#include "hatake-reference.h"

/* ---- pull and push -------------------------------------------------------------------------- */

typedef struct
{
  HatakePull *progress;
  char       *reference;
  gboolean    push;
  JsonNode   *aux;        /* push: {"Tag", "Digest", "Size"} */
} TransferData;

static void
transfer_data_free (TransferData *data)
{
  g_clear_object (&data->progress);
  g_free (data->reference);
  g_clear_pointer (&data->aux, json_node_unref);
  g_free (data);
}

static gboolean
state_from_status (const char *status, HatakeLayerState *state)
{
  static const struct { const char *prefix; HatakeLayerState state; } words[] = {
    { "Pulling fs layer", HATAKE_LAYER_WAITING }, { "Waiting", HATAKE_LAYER_WAITING },
    { "Preparing", HATAKE_LAYER_WAITING }, { "Downloading", HATAKE_LAYER_DOWNLOADING },
    { "Pushing", HATAKE_LAYER_DOWNLOADING }, { "Verifying Checksum", HATAKE_LAYER_VERIFYING },
    { "Download complete", HATAKE_LAYER_VERIFYING }, { "Extracting", HATAKE_LAYER_EXTRACTING },
    { "Pull complete", HATAKE_LAYER_DONE }, { "Pushed", HATAKE_LAYER_DONE },
    { "Already exists", HATAKE_LAYER_EXISTS }, { "Layer already exists", HATAKE_LAYER_EXISTS },
    { "Mounted from", HATAKE_LAYER_EXISTS },
  };

  for (guint i = 0; status && i < G_N_ELEMENTS (words); i++)
    if (g_str_has_prefix (status, words[i].prefix))
      {
        *state = words[i].state;
        return TRUE;
      }
  return FALSE;
}

static void
on_progress_line (JsonObject *line, gpointer user_data)
{
  TransferData *data = user_data;
  const char *status = hatake_json_string (line, "status");
  const char *id = hatake_json_string (line, "id");
  JsonObject *detail = hatake_json_object_member (line, "progressDetail");
  JsonObject *aux = hatake_json_object_member (line, "aux");
  HatakeLayerState state;

  if (aux != NULL)
    {
      g_clear_pointer (&data->aux, json_node_unref);
      data->aux = json_node_init_object (json_node_alloc (), aux);
      return;
    }
  if (status == NULL)
    return;
  if (id != NULL && state_from_status (status, &state))
    {
      HatakePullLayer *layer = hatake_pull_find_layer (data->progress, id);
      gint64 total = hatake_json_int (detail, "total", 0);

      if (layer == NULL)
        layer = hatake_pull_add_layer (data->progress, id, total);
      if (hatake_json_int (detail, "current", -1) >= 0)
        hatake_pull_layer_set_current (layer, hatake_json_int (detail, "current", 0));
      hatake_pull_layer_set_state (layer, state);
      return;
    }
  if (g_str_has_prefix (status, "Digest: "))
    hatake_pull_set_digest (data->progress, status + strlen ("Digest: "));
  hatake_pull_set_status (data->progress, status);
}

static void
on_transfer_refreshed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  TransferData *data = g_task_get_task_data (task);
  g_autoptr(HatakeImage) image = NULL;

  g_task_propagate_boolean (G_TASK (result), NULL);
  image = hatake_engine_lookup_image (HATAKE_ENGINE (source), data->reference);
  if (image == NULL)
    g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED,
                             _("The engine pulled %s but does not list it"), data->reference);
  else
    g_task_return_pointer (task, g_steal_pointer (&image), g_object_unref);
}

static void
on_transfer_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeClientEngine *self = g_task_get_source_object (task);
  TransferData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!_hatake_client_read_lines_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (data->push)
    {
      if (data->aux == NULL)
        g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("The engine did not say what it pushed"));
      else
        g_task_return_pointer (task, json_node_ref (data->aux), (GDestroyNotify) json_node_unref);
      return;
    }
  _hatake_client_engine_refresh_async (self, HATAKE_CLIENT_REFRESH_IMAGES, NULL, g_task_get_cancellable (task),
                                       on_transfer_refreshed, g_object_ref (task));
}

static void
on_transfer_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  TransferData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GInputStream) stream = hatake_client_stream_finish (HATAKE_CLIENT (source), result, NULL, &error);

  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _hatake_client_read_lines_async (stream, on_progress_line, data, g_task_get_cancellable (task), on_transfer_read,
                                   g_object_ref (task));
}

static void
transfer (HatakeClientEngine *self, gpointer source_tag, gboolean push, const char *reference, const char *platform,
          HatakePull *progress, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HatakeReference) ref = NULL;
  SoupMessageHeaders *headers;  /* (no g_autoptr: its cleanup calls libsoup directly, hatake-soup.h) */
  g_autofree char *repository = NULL, *path = NULL;
  TransferData *data;
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  ref = hatake_reference_parse (reference, &error);
  if (ref == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data = g_new0 (TransferData, 1);
  data->progress = progress ? g_object_ref (progress) : hatake_pull_new (reference);
  data->reference = g_strdup (reference);
  data->push = push;
  g_task_set_task_data (task, data, (GDestroyNotify) transfer_data_free);
  repository = hatake_reference_repository (ref);
  headers = _hatake_client_registry_auth (data->progress);
  if (push)
    {
      g_autofree char *name = _hatake_client_escape (repository);
      g_autofree char *base = g_strdup_printf ("/images/%s/push", name);

      path = hatake_client_path (base, "tag", ref->tag ? ref->tag : "latest", NULL);
    }
  else
    path = hatake_client_path ("/images/create", "fromImage", repository, "tag", ref->digest ? ref->digest : ref->tag,
                               "platform", platform, NULL);
  hatake_client_stream_async (self->client, "POST", path, NULL, NULL, NULL, headers, cancellable,
                              on_transfer_opened, g_steal_pointer (&task));
  if (headers != NULL)
    soup_message_headers_unref (headers);
}

static void
hatake_client_engine_pull_async (HatakeEngine        *engine,
                                 const char          *reference,
                                 const char          *platform,
                                 HatakePull          *progress,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  transfer (HATAKE_CLIENT_ENGINE (engine), hatake_client_engine_pull_async, FALSE, reference, platform, progress,
            cancellable, callback, user_data);
}

static HatakeImage *
hatake_client_engine_pull_finish (HatakeEngine  *engine,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
hatake_client_engine_push_async (HatakeEngine        *engine,
                                 const char          *reference,
                                 HatakePull          *progress,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  transfer (HATAKE_CLIENT_ENGINE (engine), hatake_client_engine_push_async, TRUE, reference, NULL, progress,
            cancellable, callback, user_data);
}

/* ---- image calls ---------------------------------------------------------------------------- */

static void
hatake_client_engine_tag_image_async (HatakeEngine        *engine,
                                      const char          *source,
                                      const char          *target,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(HatakeReference) ref = hatake_reference_parse (target, NULL);
  g_autofree char *name = _hatake_client_escape (source);
  g_autofree char *base = g_strdup_printf ("/images/%s/tag", name);
  g_autofree char *repository = ref ? hatake_reference_repository (ref) : g_strdup (target);

  _hatake_client_engine_call (HATAKE_CLIENT_ENGINE (engine), hatake_client_engine_tag_image_async, "POST",
                              hatake_client_path (base, "repo", repository, "tag", ref ? ref->tag : NULL, NULL), NULL,
                              NULL, HATAKE_CLIENT_REFRESH_IMAGES, NULL, cancellable, callback, user_data);
}

static void
hatake_client_engine_remove_image_async (HatakeEngine        *engine,
                                         const char          *reference,
                                         gboolean             force,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autofree char *name = _hatake_client_escape (reference);
  g_autofree char *base = g_strdup_printf ("/images/%s", name);

  _hatake_client_engine_call (HATAKE_CLIENT_ENGINE (engine), hatake_client_engine_remove_image_async, "DELETE",
                              hatake_client_path (base, "force", force ? "1" : NULL, NULL), NULL, NULL,
                              HATAKE_CLIENT_REFRESH_IMAGES, NULL, cancellable, callback, user_data);
}

static void
image_get (HatakeEngine *engine, gpointer source_tag, const char *reference, const char *what,
           GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autofree char *name = _hatake_client_escape (reference);

  _hatake_client_engine_call (HATAKE_CLIENT_ENGINE (engine), source_tag, "GET",
                              g_strdup_printf ("/images/%s/%s", name, what), NULL, NULL, HATAKE_CLIENT_REFRESH_NONE,
                              NULL, cancellable, callback, user_data);
}

static void
hatake_client_engine_inspect_image_async (HatakeEngine        *engine,
                                          const char          *reference,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  image_get (engine, hatake_client_engine_inspect_image_async, reference, "json", cancellable, callback, user_data);
}

static void
hatake_client_engine_image_history_async (HatakeEngine        *engine,
                                          const char          *reference,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  image_get (engine, hatake_client_engine_image_history_async, reference, "history", cancellable, callback,
             user_data);
}

static void
hatake_client_engine_login_async (HatakeEngine        *engine,
                                  const char          *registry,
                                  const char          *username,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  JsonObject *o = json_object_new ();
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (o, "username", username ? username : "");
  json_object_set_string_member (o, "password", password ? password : "");
  json_object_set_string_member (o, "serveraddress", registry ? registry : "");
  json_node_take_object (body, o);
  _hatake_client_engine_call (HATAKE_CLIENT_ENGINE (engine), hatake_client_engine_login_async, "POST",
                              g_strdup ("/auth"), body, NULL, HATAKE_CLIENT_REFRESH_NONE, NULL, cancellable, callback,
                              user_data);
}

static void
hatake_client_engine_disk_usage_async (HatakeEngine        *engine,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  _hatake_client_engine_call (HATAKE_CLIENT_ENGINE (engine), hatake_client_engine_disk_usage_async, "GET",
                              g_strdup ("/system/df"), NULL, NULL, HATAKE_CLIENT_REFRESH_NONE, NULL, cancellable,
                              callback, user_data);
}

/* ---- streams: save, load, archives ---------------------------------------------------------- */

static void
on_stream_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  GInputStream *stream = hatake_client_stream_finish (HATAKE_CLIENT (source), result, &msg, &error);
  const char *stat = msg ? soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                         "X-Docker-Container-Path-Stat") : NULL;

  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (stat != NULL)
    {
      gsize length = 0;
      g_autofree guchar *json = g_base64_decode (stat, &length);
      g_autofree char *text = g_strndup ((const char *) json, length);
      JsonNode *node = json_from_string (text, NULL);

      if (node != NULL)
        g_object_set_data_full (G_OBJECT (task), "hatake-stat", node, (GDestroyNotify) json_node_unref);
    }
  g_task_return_pointer (task, stream, g_object_unref);
}

static GInputStream *
stream_finish (GAsyncResult *result, JsonNode **out_stat, GError **error)
{
  GInputStream *stream = g_task_propagate_pointer (G_TASK (result), error);
  JsonNode *stat = g_object_get_data (G_OBJECT (result), "hatake-stat");

  if (out_stat != NULL)
    *out_stat = stat ? json_node_ref (stat) : NULL;
  if (stream != NULL && g_object_get_data (G_OBJECT (result), "hatake-no-body") != NULL)
    {
      g_input_stream_close (stream, NULL, NULL);
      g_clear_object (&stream);
    }
  return stream;
}

/* PATH is taken; without KEEP_BODY the answer is its status and headers alone */
static void
open_stream (HatakeClientEngine *self, gpointer source_tag, const char *method, char *path, GInputStream *upload,
             gboolean keep_body, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *owned = path;

  g_task_set_source_tag (task, source_tag);
  g_object_set_data (G_OBJECT (task), "hatake-no-body", GINT_TO_POINTER (!keep_body));
  hatake_client_stream_async (self->client, method, owned, NULL, upload, "application/x-tar", NULL, cancellable,
                              on_stream_opened, g_steal_pointer (&task));
}

static void
hatake_client_engine_save_images_async (HatakeEngine        *engine,
                                        const char * const  *references,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  GString *path = g_string_new ("/images/get");

  for (guint i = 0; references && references[i]; i++)
    {
      g_autofree char *name = _hatake_client_escape (references[i]);

      g_string_append_printf (path, "%cnames=%s", i ? '&' : '?', name);
    }
  open_stream (HATAKE_CLIENT_ENGINE (engine), hatake_client_engine_save_images_async, "GET",
               g_string_free (path, FALSE), NULL, TRUE, cancellable, callback, user_data);
}

static GInputStream *
hatake_client_engine_save_images_finish (HatakeEngine  *engine,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  return stream_finish (result, NULL, error);
}

static void
on_load_line (JsonObject *line, gpointer user_data)
{
  JsonArray *lines = user_data;
  g_autofree char *text = g_strdup (hatake_json_string (line, "stream"));

  if (text != NULL && *g_strstrip (text) != '\0')
    json_array_add_string_element (lines, text);
}

static void
on_load_refreshed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  JsonArray *lines = g_task_get_task_data (task);

  g_task_propagate_boolean (G_TASK (result), NULL);
  g_task_return_pointer (task, json_node_init_array (json_node_alloc (), lines), (GDestroyNotify) json_node_unref);
}

static void
on_load_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!_hatake_client_read_lines_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  _hatake_client_engine_refresh_async (g_task_get_source_object (task), HATAKE_CLIENT_REFRESH_IMAGES, NULL,
                                       g_task_get_cancellable (task), on_load_refreshed, g_object_ref (task));
}

static void
on_load_answered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(GInputStream) stream = hatake_client_stream_finish (HATAKE_CLIENT (source), result, NULL, &error);

  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _hatake_client_read_lines_async (stream, on_load_line, g_task_get_task_data (task), g_task_get_cancellable (task),
                                   on_load_read, g_object_ref (task));
}

static void
hatake_client_engine_load_images_async (HatakeEngine        *engine,
                                        GInputStream        *tar,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  HatakeClientEngine *self = HATAKE_CLIENT_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, hatake_client_engine_load_images_async);
  g_task_set_task_data (task, json_array_new (), (GDestroyNotify) json_array_unref);
  hatake_client_stream_async (self->client, "POST", "/images/load", NULL, tar, "application/x-tar", NULL, cancellable,
                              on_load_answered, g_steal_pointer (&task));
}

static void
hatake_client_engine_container_archive_async (HatakeEngine        *engine,
                                              const char          *container,
                                              HatakeArchiveOp      op,
                                              const char          *path,
                                              GInputStream        *tar,
                                              HatakeArchiveFlags   flags,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autofree char *id = _hatake_client_escape (container);
  g_autofree char *base = g_strdup_printf ("/containers/%s/%s", id, op == HATAKE_ARCHIVE_EXPORT ? "export" : "archive");
  const char *methods[] = { [HATAKE_ARCHIVE_STAT] = "HEAD", [HATAKE_ARCHIVE_GET] = "GET",
                            [HATAKE_ARCHIVE_PUT] = "PUT", [HATAKE_ARCHIVE_EXPORT] = "GET" };

  open_stream (HATAKE_CLIENT_ENGINE (engine), hatake_client_engine_container_archive_async, methods[op],
               op == HATAKE_ARCHIVE_EXPORT ? g_strdup (base)
                                           : hatake_client_path (base, "path", path,
                                                                 "noOverwriteDirNonDir",
                                                                 (flags & HATAKE_ARCHIVE_NO_OVERWRITE_DIR) ? "1" : NULL,
                                                                 "copyUIDGID",
                                                                 (flags & HATAKE_ARCHIVE_KEEP_OWNERS) ? "1" : NULL,
                                                                 NULL),
               op == HATAKE_ARCHIVE_PUT ? tar : NULL, op == HATAKE_ARCHIVE_GET || op == HATAKE_ARCHIVE_EXPORT,
               cancellable, callback, user_data);
}

static GInputStream *
hatake_client_engine_container_archive_finish (HatakeEngine  *engine,
                                               GAsyncResult  *result,
                                               JsonNode     **out_stat,
                                               GError       **error)
{
  return stream_finish (result, out_stat, error);
}

/* ---- volumes and networks ------------------------------------------------------------------- */

/* KEY=VALUE strings (labels, options) as an object */
static JsonObject *
labels_object (const char * const *labels)
{
  JsonObject *o = json_object_new ();

  for (guint i = 0; labels && labels[i]; i++)
    {
      g_auto(GStrv) kv = g_strsplit (labels[i], "=", 2);

      json_object_set_string_member (o, kv[0], kv[1] ? kv[1] : "");
    }
  return o;
}

static void
hatake_client_engine_volume_op_async (HatakeEngine             *engine,
                                      HatakeVolumeOp            op,
                                      const HatakeVolumeOpArgs *args,
                                      GCancellable             *cancellable,
                                      GAsyncReadyCallback       callback,
                                      gpointer                  user_data)
{
  g_autofree char *name = args->name ? _hatake_client_escape (args->name) : NULL;
  g_autoptr(JsonNode) body = NULL;
  const char *method = "GET";
  char *path = NULL;

  switch (op)
    {
    case HATAKE_VOLUME_OP_CREATE:
      {
        JsonObject *o = json_object_new ();

        if (args->name != NULL)
          json_object_set_string_member (o, "Name", args->name);
        json_object_set_string_member (o, "Driver", args->driver ? args->driver : "local");
        json_object_set_object_member (o, "Labels", labels_object (args->labels));
        json_object_set_object_member (o, "DriverOpts", labels_object (args->options));
        body = json_node_init_object (json_node_alloc (), o);
        json_object_unref (o);
        method = "POST";
        path = g_strdup ("/volumes/create");
      }
      break;
    case HATAKE_VOLUME_OP_LIST:
      path = g_strdup ("/volumes");
      break;
    case HATAKE_VOLUME_OP_INSPECT:
      path = g_strdup_printf ("/volumes/%s", name);
      break;
    case HATAKE_VOLUME_OP_REMOVE:
      method = "DELETE";
      path = g_strdup_printf ("/volumes/%s", name);
      break;
    case HATAKE_VOLUME_OP_PRUNE:
      method = "POST";
      /* API 1.42 and later prune only anonymous volumes unless all=true; 1.41 prunes them all */
      path = g_strdup ("/volumes/prune");
      break;
    default:
      g_assert_not_reached ();
    }
  _hatake_client_engine_call (HATAKE_CLIENT_ENGINE (engine), hatake_client_engine_volume_op_async, method, path, body,
                              NULL, HATAKE_CLIENT_REFRESH_NONE, NULL, cancellable, callback, user_data);
}

static void
hatake_client_engine_network_op_async (HatakeEngine              *engine,
                                       HatakeNetworkOp            op,
                                       const HatakeNetworkOpArgs *args,
                                       GCancellable              *cancellable,
                                       GAsyncReadyCallback        callback,
                                       gpointer                   user_data)
{
  g_autofree char *name = args->name ? _hatake_client_escape (args->name) : NULL;
  JsonObject *o = json_object_new ();
  g_autoptr(JsonNode) body = NULL;
  HatakeClientRefresh refresh = HATAKE_CLIENT_REFRESH_NONE;
  const char *method = "POST";
  char *path = NULL;

  switch (op)
    {
    case HATAKE_NETWORK_OP_CREATE:
      {
        JsonObject *ipam = json_object_new ();
        JsonArray *configs = json_array_new ();

        if (args->subnet != NULL)
          {
            JsonObject *c = json_object_new ();

            json_object_set_string_member (c, "Subnet", args->subnet);
            if (args->gateway != NULL)
              json_object_set_string_member (c, "Gateway", args->gateway);
            if (args->ip_range != NULL)
              json_object_set_string_member (c, "IPRange", args->ip_range);
            json_array_add_object_element (configs, c);
          }
        json_object_set_array_member (ipam, "Config", configs);
        json_object_set_string_member (o, "Name", args->name);
        json_object_set_string_member (o, "Driver", "bridge");
        json_object_set_boolean_member (o, "Internal", args->internal);
        json_object_set_object_member (o, "IPAM", ipam);
        json_object_set_object_member (o, "Labels", labels_object (args->labels));
        path = g_strdup ("/networks/create");
      }
      break;
    case HATAKE_NETWORK_OP_LIST:
      method = "GET";
      path = g_strdup ("/networks");
      break;
    case HATAKE_NETWORK_OP_INSPECT:
      method = "GET";
      path = g_strdup_printf ("/networks/%s", name);
      break;
    case HATAKE_NETWORK_OP_REMOVE:
      method = "DELETE";
      path = g_strdup_printf ("/networks/%s", name);
      break;
    case HATAKE_NETWORK_OP_PRUNE:
      path = g_strdup ("/networks/prune");
      break;
    case HATAKE_NETWORK_OP_CONNECT:
    case HATAKE_NETWORK_OP_DISCONNECT:
      json_object_set_string_member (o, "Container", args->container);
      if (op == HATAKE_NETWORK_OP_DISCONNECT)
        json_object_set_boolean_member (o, "Force", args->force);
      else
        {
          JsonObject *endpoint = json_object_new ();
          JsonArray *aliases = json_array_new ();

          for (guint i = 0; args->aliases && args->aliases[i]; i++)
            json_array_add_string_element (aliases, args->aliases[i]);
          json_object_set_array_member (endpoint, "Aliases", aliases);
          if (args->ip != NULL)
            {
              JsonObject *ipam = json_object_new ();

              json_object_set_string_member (ipam, "IPv4Address", args->ip);
              json_object_set_object_member (endpoint, "IPAMConfig", ipam);
            }
          json_object_set_object_member (o, "EndpointConfig", endpoint);
        }
      path = g_strdup_printf ("/networks/%s/%s", name, op == HATAKE_NETWORK_OP_CONNECT ? "connect" : "disconnect");
      refresh = HATAKE_CLIENT_REFRESH_CONTAINERS;
      break;
    default:
      g_assert_not_reached ();
    }
  if (json_object_get_size (o) > 0)
    body = json_node_init_object (json_node_alloc (), o);
  json_object_unref (o);
  _hatake_client_engine_call (HATAKE_CLIENT_ENGINE (engine), hatake_client_engine_network_op_async, method, path,
                              body, NULL, refresh, NULL, cancellable, callback, user_data);
}

void
_hatake_client_engine_images_iface_init (HatakeEngineInterface *iface)
{
  iface->pull_async = hatake_client_engine_pull_async;
  iface->pull_finish = hatake_client_engine_pull_finish;
  iface->push_async = hatake_client_engine_push_async;
  iface->push_finish = _hatake_client_engine_json_finish;
  iface->tag_image_async = hatake_client_engine_tag_image_async;
  iface->tag_image_finish = _hatake_client_engine_bool_finish;
  iface->remove_image_async = hatake_client_engine_remove_image_async;
  iface->remove_image_finish = _hatake_client_engine_json_finish;
  iface->inspect_image_async = hatake_client_engine_inspect_image_async;
  iface->inspect_image_finish = _hatake_client_engine_json_finish;
  iface->image_history_async = hatake_client_engine_image_history_async;
  iface->image_history_finish = _hatake_client_engine_json_finish;
  iface->login_async = hatake_client_engine_login_async;
  iface->login_finish = _hatake_client_engine_bool_finish;
  iface->save_images_async = hatake_client_engine_save_images_async;
  iface->save_images_finish = hatake_client_engine_save_images_finish;
  iface->load_images_async = hatake_client_engine_load_images_async;
  iface->load_images_finish = _hatake_client_engine_json_finish;
  iface->container_archive_async = hatake_client_engine_container_archive_async;
  iface->container_archive_finish = hatake_client_engine_container_archive_finish;
  iface->volume_op_async = hatake_client_engine_volume_op_async;
  iface->volume_op_finish = _hatake_client_engine_json_finish;
  iface->network_op_async = hatake_client_engine_network_op_async;
  iface->network_op_finish = _hatake_client_engine_json_finish;
  iface->disk_usage_async = hatake_client_engine_disk_usage_async;
  iface->disk_usage_finish = _hatake_client_engine_json_finish;
}
