/* hatake-client-engine.c: the HatakeEngine of an engine behind the Docker Engine API
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DESIGN.md's second implementation of the interface. The models hold the same HatakeContainer and
 * HatakeImage objects the local engine makes, filled from the API's JSON: a container from its
 * inspect (times, exit code and pid are only there), an image from the images list. They are kept
 * current by the engine's event stream, never by polling: an event about a container inspects that
 * one container again (or drops it when it is gone), one about an image reads the images list. When
 * the stream ends (the engine restarted, the connection dropped) it is opened again with backoff,
 * and everything is read again on return. Each call that changes something also refreshes what it
 * changed before it reports, so a caller sees its own change in the models at once, events or not.
 *
 * Operations are the API's own requests, and their results are the API's JSON: the interface's
 * results were made in docker's shapes so that this file passes them through.
 */
#define G_LOG_DOMAIN "hatake-client"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include <gio/gunixsocketaddress.h>

#include "hatake-client-engine-private.h"
#include "hatake-error.h"
#include "hatake-json.h"
#include "hatake-stats-watcher.h"

#define BACKOFF_FIRST_MS 250
#define BACKOFF_MAX_MS   (30 * 1000)

static void hatake_client_engine_iface_init (HatakeEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HatakeClientEngine, hatake_client_engine, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HATAKE_TYPE_ENGINE, hatake_client_engine_iface_init))

static void
hatake_client_engine_dispose (GObject *object)
{
  HatakeClientEngine *self = (HatakeClientEngine *) object;

  hatake_client_engine_disconnect (self);
  if (self->stats != NULL)
    g_object_run_dispose (G_OBJECT (self->stats));
  g_clear_object (&self->stats);
  G_OBJECT_CLASS (hatake_client_engine_parent_class)->dispose (object);
}

static void
hatake_client_engine_finalize (GObject *object)
{
  HatakeClientEngine *self = (HatakeClientEngine *) object;

  g_clear_object (&self->client);
  g_clear_object (&self->containers);
  g_clear_object (&self->images);
  g_clear_pointer (&self->waits_registering, g_hash_table_unref);
  g_clear_pointer (&self->removed, g_hash_table_unref);
  g_free (self->description);
  G_OBJECT_CLASS (hatake_client_engine_parent_class)->finalize (object);
}

static void
hatake_client_engine_class_init (HatakeClientEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hatake_client_engine_dispose;
  object_class->finalize = hatake_client_engine_finalize;
}

static void
hatake_client_engine_init (HatakeClientEngine *self)
{
  self->containers = g_list_store_new (HATAKE_TYPE_CONTAINER);
  self->images = g_list_store_new (HATAKE_TYPE_IMAGE);
  self->backoff_ms = BACKOFF_FIRST_MS;
  self->waits_registering = _hatake_client_engine_new_waits ();
  self->removed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

HatakeClientEngine *
hatake_client_engine_new (const HatakeEndpoint  *endpoint,
                          GError               **error)
{
  g_autoptr(HatakeClientEngine) self = g_object_new (HATAKE_TYPE_CLIENT_ENGINE, NULL);

  self->client = hatake_client_new (endpoint, error);
  if (self->client == NULL)
    return NULL;
  self->description = g_strdup (endpoint->host);
  return g_steal_pointer (&self);
}

HatakeClientEngine *
hatake_client_engine_new_unix (const char *socket_path)
{
  g_autofree char *host = g_strdup_printf ("unix://%s", socket_path);
  g_autoptr(HatakeEndpoint) endpoint = hatake_endpoint_new (host);

  return hatake_client_engine_new (endpoint, NULL);
}

/* ---- the models from JSON ------------------------------------------------------------------- */

static gint64
parse_time_us (const char *text)
{
  g_autoptr(GDateTime) dt = text && *text ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  /* docker's "0001-01-01T00:00:00Z" is "never" */
  if (dt == NULL || g_date_time_get_year (dt) < 1971)
    return 0;
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

static GStrv
labels_strv (JsonObject *labels)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autoptr(GList) keys = labels ? json_object_get_members (labels) : NULL;

  for (GList *l = keys; l != NULL; l = l->next)
    {
      g_autofree char *kv = g_strdup_printf ("%s=%s", (char *) l->data, hatake_json_string_or (labels, l->data, ""));

      g_strv_builder_add (b, kv);
    }
  return g_strv_builder_end (b);
}

static HatakeContainer *
find_container (HatakeClientEngine *self, const char *id, guint *out_position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->containers));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (G_LIST_MODEL (self->containers), i);

      if (g_str_equal (hatake_container_get_id (c), id))
        {
          if (out_position != NULL)
            *out_position = i;
          return c;   /* the store holds it */
        }
    }
  return NULL;
}

/* State.Health (absent: none) into the container's health properties */
static void
update_health (HatakeContainer *c,
               JsonObject      *health)
{
  JsonArray *log = hatake_json_array_member (health, "Log");
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) hatake_health_result_free);
  HatakeHealthStatus status = HATAKE_HEALTH_NONE;

  if (health != NULL && !hatake_health_status_from_string (hatake_json_string_or (health, "Status", "none"), &status))
    status = HATAKE_HEALTH_UNHEALTHY;   /* (docker's word for a status it cannot tell) */
  for (guint i = 0; log != NULL && i < json_array_get_length (log); i++)
    {
      JsonObject *r = hatake_json_array_object (log, i);

      if (r != NULL)
        g_ptr_array_add (results, hatake_health_result_new (parse_time_us (hatake_json_string (r, "Start")),
                                                            parse_time_us (hatake_json_string (r, "End")),
                                                            (int) hatake_json_int (r, "ExitCode", -1),
                                                            hatake_json_string_or (r, "Output", "")));
    }
  hatake_container_set_health_log (c, results);
  hatake_container_set_health (c, status, (guint) MAX (hatake_json_int (health, "FailingStreak", 0), 0));
}

/* GET /containers/{id}/json into the model: the container made when new, updated otherwise */
static HatakeContainer *
update_container (HatakeClientEngine *self, JsonObject *o)
{
  const char *id = hatake_json_string (o, "Id");
  const char *name = hatake_json_string_or (o, "Name", "");
  JsonObject *config = hatake_json_object_member (o, "Config");
  JsonObject *state = hatake_json_object_member (o, "State");
  JsonArray *args = hatake_json_array_member (o, "Args");
  g_auto(GStrv) labels = labels_strv (hatake_json_object_member (config, "Labels"));
  g_autoptr(GString) command = g_string_new (hatake_json_string_or (o, "Path", ""));
  HatakeContainerState st = HATAKE_CONTAINER_CREATED;
  HatakeContainer *c;

  if (id == NULL || g_hash_table_contains (self->removed, id))
    return NULL;
  if (name[0] == '/')
    name++;
  c = find_container (self, id, NULL);
  if (c == NULL)
    {
      g_autoptr(HatakeContainer) made = hatake_container_new (id, name);

      g_list_store_append (self->containers, made);
      c = made;
    }
  for (guint i = 0; args && i < json_array_get_length (args); i++)
    g_string_append_printf (command, " %s", json_array_get_string_element (args, i));
  hatake_container_set_name (c, name);
  hatake_container_set_image (c, hatake_json_string_or (config, "Image", ""));
  hatake_container_set_image_id (c, hatake_json_string_or (o, "Image", ""));
  hatake_container_set_command (c, command->str);
  hatake_container_set_labels (c, (const char * const *) labels);
  hatake_container_set_created (c, parse_time_us (hatake_json_string (o, "Created")));
  hatake_container_set_restart_count (c, hatake_json_int (o, "RestartCount", 0));
  if (state != NULL)
    {
      hatake_container_set_started_at (c, parse_time_us (hatake_json_string (state, "StartedAt")));
      hatake_container_set_finished_at (c, parse_time_us (hatake_json_string (state, "FinishedAt")));
      hatake_container_set_exit_code (c, hatake_json_int (state, "ExitCode", 0));
      hatake_container_set_oom_killed (c, hatake_json_boolean (state, "OOMKilled", FALSE));
      hatake_container_set_pid (c, hatake_json_int (state, "Pid", 0));
      hatake_container_set_error (c, hatake_json_string (state, "Error"));
      if (!hatake_container_state_from_string (hatake_json_string_or (state, "Status", "created"), &st))
        st = HATAKE_CONTAINER_DEAD;
    }
  hatake_container_mirror_state (c, st);
  update_health (c, hatake_json_object_member (state, "Health"));
  return c;
}

void
_hatake_client_engine_drop_container (HatakeClientEngine *self, const char *id)
{
  guint position;

  /* (IDs are never used again) */
  g_hash_table_add (self->removed, g_strdup (id));
  if (find_container (self, id, &position) != NULL)
    g_list_store_remove (self->containers, position);
}

/* GET /images/json into the model: what is gone goes, what is new comes, the rest is updated */
static void
update_images (HatakeClientEngine *self, JsonArray *list)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; list && i < json_array_get_length (list); i++)
    {
      JsonObject *o = hatake_json_array_object (list, i);
      const char *id = hatake_json_string (o, "Id");
      g_auto(GStrv) tags = NULL, digests = NULL;
      g_autoptr(GStrvBuilder) tb = g_strv_builder_new ();
      g_autoptr(GStrvBuilder) db = g_strv_builder_new ();
      JsonArray *t = hatake_json_array_member (o, "RepoTags");
      JsonArray *d = hatake_json_array_member (o, "RepoDigests");
      g_autoptr(HatakeImage) image = NULL;
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->images));

      if (id == NULL)
        continue;
      g_hash_table_add (seen, (gpointer) id);
      for (guint k = 0; k < n && image == NULL; k++)
        {
          g_autoptr(HatakeImage) candidate = g_list_model_get_item (G_LIST_MODEL (self->images), k);

          if (g_str_equal (hatake_image_get_id (candidate), id))
            image = g_steal_pointer (&candidate);
        }
      if (image == NULL)
        {
          image = hatake_image_new (id);
          g_list_store_append (self->images, image);
        }
      /* docker lists an untagged image with "<none>:<none>" */
      for (guint k = 0; t && k < json_array_get_length (t); k++)
        if (g_strcmp0 (json_array_get_string_element (t, k), "<none>:<none>") != 0)
          g_strv_builder_add (tb, json_array_get_string_element (t, k));
      for (guint k = 0; d && k < json_array_get_length (d); k++)
        if (g_strcmp0 (json_array_get_string_element (d, k), "<none>@<none>") != 0)
          g_strv_builder_add (db, json_array_get_string_element (d, k));
      tags = g_strv_builder_end (tb);
      digests = g_strv_builder_end (db);
      hatake_image_set_repo_tags (image, (const char * const *) tags);
      hatake_image_set_repo_digests (image, (const char * const *) digests);
      hatake_image_set_size (image, hatake_json_int (o, "Size", 0));
      hatake_image_set_created (image, hatake_json_int (o, "Created", 0));
    }
  for (guint k = g_list_model_get_n_items (G_LIST_MODEL (self->images)); k > 0; k--)
    {
      g_autoptr(HatakeImage) image = g_list_model_get_item (G_LIST_MODEL (self->images), k - 1);

      if (!g_hash_table_contains (seen, hatake_image_get_id (image)))
        g_list_store_remove (self->images, k - 1);
    }
}

/* ---- refreshing ----------------------------------------------------------------------------- */

typedef struct
{
  guint     pending;
  GError   *error;
} RefreshData;

static void
refresh_data_free (RefreshData *data)
{
  g_clear_error (&data->error);
  g_free (data);
}

static void
refresh_one_done (GTask *task)
{
  RefreshData *data = g_task_get_task_data (task);

  if (--data->pending > 0)
    return;
  if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_boolean (task, TRUE);
}

typedef struct
{
  GTask *task;
  char  *id;
} InspectData;

static void
on_container_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  InspectData *inspect = user_data;
  g_autoptr(GTask) task = inspect->task;
  g_autofree char *id = inspect->id;
  HatakeClientEngine *self = g_task_get_source_object (task);
  RefreshData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_client_request_finish (HATAKE_CLIENT (source), result, NULL, &error);

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    update_container (self, json_node_get_object (node));
  else if (g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND))
    _hatake_client_engine_drop_container (self, id);   /* removed meanwhile */
  else if (error != NULL && data->error == NULL)
    data->error = g_steal_pointer (&error);
  g_free (inspect);
  refresh_one_done (task);
}

static void
inspect_into (HatakeClientEngine *self, GTask *task, const char *id)
{
  g_autofree char *path = g_strdup_printf ("/containers/%s/json", id);
  InspectData *inspect = g_new0 (InspectData, 1);

  /* the id goes with the request: a 404 drops it from the model */
  inspect->task = g_object_ref (task);
  inspect->id = g_strdup (id);
  ((RefreshData *) g_task_get_task_data (task))->pending++;
  hatake_client_request_async (self->client, "GET", path, NULL, NULL, g_task_get_cancellable (task),
                               on_container_inspected, inspect);
}

static void
on_containers_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeClientEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_client_request_finish (HATAKE_CLIENT (source), result, NULL, &error);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *list;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      if (error == NULL)
        error = g_error_new (HATAKE_ERROR, HATAKE_ERROR_FAILED, _("The engine's container list is not a list"));
      ((RefreshData *) g_task_get_task_data (task))->error = g_steal_pointer (&error);
      refresh_one_done (task);
      return;
    }
  list = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      const char *id = hatake_json_string (hatake_json_array_object (list, i), "Id");

      if (id != NULL)
        {
          g_hash_table_add (seen, g_strdup (id));
          inspect_into (self, task, id);
        }
    }
  for (guint k = g_list_model_get_n_items (G_LIST_MODEL (self->containers)); k > 0; k--)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (G_LIST_MODEL (self->containers), k - 1);

      if (!g_hash_table_contains (seen, hatake_container_get_id (c)))
        g_list_store_remove (self->containers, k - 1);
    }
  refresh_one_done (task);
}

static void
on_images_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeClientEngine *self = g_task_get_source_object (task);
  RefreshData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_client_request_finish (HATAKE_CLIENT (source), result, NULL, &error);

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    update_images (self, json_node_get_array (node));
  else if (data->error == NULL)
    data->error = error ? g_steal_pointer (&error)
                        : g_error_new (HATAKE_ERROR, HATAKE_ERROR_FAILED, _("The engine's image list is not a list"));
  refresh_one_done (task);
}

void
_hatake_client_engine_refresh_async (HatakeClientEngine  *self,
                                     HatakeClientRefresh  what,
                                     const char          *id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  RefreshData *data = g_new0 (RefreshData, 1);

  g_task_set_source_tag (task, _hatake_client_engine_refresh_async);
  g_task_set_task_data (task, data, (GDestroyNotify) refresh_data_free);
  data->pending = 1;   /* this function's own, given back at the end */
  switch (what)
    {
    case HATAKE_CLIENT_REFRESH_NONE:
      break;
    case HATAKE_CLIENT_REFRESH_CONTAINER:
      if (id != NULL)
        inspect_into (self, task, id);
      break;
    case HATAKE_CLIENT_REFRESH_CONTAINERS:
      data->pending++;
      hatake_client_request_async (self->client, "GET", "/containers/json?all=1", NULL, NULL, cancellable,
                                   on_containers_listed, g_object_ref (task));
      break;
    case HATAKE_CLIENT_REFRESH_IMAGES:
      data->pending++;
      hatake_client_request_async (self->client, "GET", "/images/json", NULL, NULL, cancellable, on_images_listed,
                                   g_object_ref (task));
      break;
    default:
      g_assert_not_reached ();
    }
  refresh_one_done (task);
}

/* ---- the generic call ----------------------------------------------------------------------- */

typedef struct
{
  HatakeClientRefresh  refresh;
  char                *refresh_id;
  JsonNode            *answer;
} CallData;

static void
call_data_free (CallData *data)
{
  g_free (data->refresh_id);
  g_clear_pointer (&data->answer, json_node_unref);
  g_free (data);
}

static void
on_call_refreshed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CallData *data = g_task_get_task_data (task);

  /* the call itself succeeded: a refresh that failed is the next event's to fix */
  g_task_propagate_boolean (G_TASK (result), NULL);
  g_task_return_pointer (task, g_steal_pointer (&data->answer), (GDestroyNotify) json_node_unref);
}

static void
on_call_answered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeClientEngine *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->answer = hatake_client_request_finish (HATAKE_CLIENT (source), result, NULL, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (data->refresh_id == NULL && data->refresh == HATAKE_CLIENT_REFRESH_CONTAINER && data->answer != NULL &&
      JSON_NODE_HOLDS_OBJECT (data->answer))
    data->refresh_id = g_strdup (hatake_json_string (json_node_get_object (data->answer), "Id"));
  _hatake_client_engine_refresh_async (self, data->refresh, data->refresh_id, g_task_get_cancellable (task),
                                       on_call_refreshed, g_object_ref (task));
}

void
_hatake_client_engine_call (HatakeClientEngine  *self,
                            gpointer             source_tag,
                            const char          *method,
                            char                *path,
                            JsonNode            *body,
                            SoupMessageHeaders  *headers,
                            HatakeClientRefresh  refresh,
                            const char          *refresh_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *owned = path;
  CallData *data = g_new0 (CallData, 1);

  g_task_set_source_tag (task, source_tag);
  data->refresh = refresh;
  data->refresh_id = g_strdup (refresh_id);
  g_task_set_task_data (task, data, (GDestroyNotify) call_data_free);
  hatake_client_request_async (self->client, method, owned, body, headers, cancellable, on_call_answered,
                               g_steal_pointer (&task));
}

JsonNode *
_hatake_client_engine_json_finish (HatakeEngine  *engine,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
_hatake_client_engine_bool_finish (HatakeEngine  *engine,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_autoptr(GError) local = NULL;
  G_GNUC_UNUSED g_autoptr(JsonNode) node = g_task_propagate_pointer (G_TASK (result), &local);

  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

/* ---- events --------------------------------------------------------------------------------- */

static void follow_events (HatakeClientEngine *self);

static gboolean
on_reconnect (gpointer user_data)
{
  HatakeClientEngine *self = user_data;

  self->reconnect_timer = 0;
  follow_events (self);
  return G_SOURCE_REMOVE;
}

static void
events_lost (HatakeClientEngine *self, const GError *error)
{
  if (self->events_cancellable == NULL || g_cancellable_is_cancelled (self->events_cancellable))
    return;
  g_debug ("%s: the event stream ended (%s); again in %u ms", self->description, error ? error->message : "EOF",
           self->backoff_ms);
  g_clear_handle_id (&self->reconnect_timer, g_source_remove);
  self->reconnect_timer = g_timeout_add (self->backoff_ms, on_reconnect, self);
  self->backoff_ms = MIN (self->backoff_ms * 2, BACKOFF_MAX_MS);
}

static void
on_event (JsonObject *event, gpointer user_data)
{
  HatakeClientEngine *self = user_data;
  const char *type = hatake_json_string (event, "Type");
  const char *action = hatake_json_string_or (event, "Action", hatake_json_string (event, "status"));
  const char *id = hatake_json_string (hatake_json_object_member (event, "Actor"), "ID");

  /* a container's operation, whose change shows in the die or start it leads to (which come as
   * their own): passed on, as the volumes' and networks' events are, with nothing to refresh */
  gboolean operation = g_strcmp0 (type, "container") == 0 && action != NULL &&
                       (g_str_equal (action, "kill") || g_str_equal (action, "stop") || g_str_equal (action, "restart") ||
                        g_str_equal (action, "attach") || g_str_has_prefix (action, "exec_"));

  if (id == NULL)
    id = hatake_json_string (event, "id");
  if (g_strcmp0 (type, "container") == 0 && id != NULL && !operation)
    {
      if (g_strcmp0 (action, "destroy") == 0)
        _hatake_client_engine_drop_container (self, id);
      else
        _hatake_client_engine_refresh_async (self, HATAKE_CLIENT_REFRESH_CONTAINER, id, self->events_cancellable,
                                             NULL, NULL);
    }
  else if (g_strcmp0 (type, "image") == 0)
    _hatake_client_engine_refresh_async (self, HATAKE_CLIENT_REFRESH_IMAGES, NULL, self->events_cancellable, NULL,
                                         NULL);
  else if ((operation || g_strcmp0 (type, "volume") == 0 || g_strcmp0 (type, "network") == 0) && id != NULL &&
           action != NULL)
    {
      JsonObject *given = hatake_json_object_member (hatake_json_object_member (event, "Actor"), "Attributes");
      g_autoptr(JsonObject) attributes = given ? json_object_ref (given) : json_object_new ();
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), attributes);

      g_signal_emit_by_name (self, "object-event", type, action, id, node);
    }
}

static void
on_events_ended (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(HatakeClientEngine) self = user_data;
  g_autoptr(GError) error = NULL;

  _hatake_client_read_lines_finish (result, &error);
  events_lost (self, error);
}

static void
on_events_refreshed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_task_propagate_boolean (G_TASK (result), NULL);
}

static void
read_events (HatakeClientEngine *self, GInputStream *stream)
{
  self->backoff_ms = BACKOFF_FIRST_MS;
  _hatake_client_read_lines_async (stream, on_event, self, self->events_cancellable, on_events_ended,
                                   g_object_ref (self));
}

static void
on_events_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(HatakeClientEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = hatake_client_stream_finish (HATAKE_CLIENT (source), result, NULL, &error);

  if (stream == NULL)
    {
      events_lost (self, error);
      return;
    }
  /* back: what happened while the stream was away is read again */
  if (self->backoff_ms > BACKOFF_FIRST_MS)
    {
      _hatake_client_engine_refresh_async (self, HATAKE_CLIENT_REFRESH_CONTAINERS, NULL, self->events_cancellable,
                                           on_events_refreshed, NULL);
      _hatake_client_engine_refresh_async (self, HATAKE_CLIENT_REFRESH_IMAGES, NULL, self->events_cancellable,
                                           on_events_refreshed, NULL);
    }
  read_events (self, stream);
}

#define EVENTS_PATH "/events?filters=" \
  "%7B%22type%22%3A%5B%22container%22%2C%22image%22%2C%22volume%22%2C%22network%22%5D%7D"

static void
follow_events (HatakeClientEngine *self)
{
  if (self->events_cancellable == NULL)
    self->events_cancellable = g_cancellable_new ();
  hatake_client_stream_async (self->client, "GET", EVENTS_PATH, NULL, NULL, NULL, NULL, self->events_cancellable,
                              on_events_opened, g_object_ref (self));
}

void
hatake_client_engine_disconnect (HatakeClientEngine *self)
{
  g_return_if_fail (HATAKE_IS_CLIENT_ENGINE (self));

  g_clear_handle_id (&self->reconnect_timer, g_source_remove);
  if (self->events_cancellable != NULL)
    g_cancellable_cancel (self->events_cancellable);
  g_clear_object (&self->events_cancellable);
}

/* ---- finding an engine ---------------------------------------------------------------------- */

gboolean
hatake_client_socket_answers (const char *path)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GSocketConnection) connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL,
                                                                      NULL);

  return connection != NULL;
}

char *
hatake_client_owner_host (const char *data_root)
{
  g_autofree char *file = g_build_filename (data_root, "api-socket", NULL);
  g_autofree char *path = NULL;

  if (!g_file_get_contents (file, &path, NULL, NULL))
    return NULL;
  g_strstrip (path);
  return hatake_client_socket_answers (path) ? g_strconcat ("unix://", path, NULL) : NULL;
}

/* ---- connect -------------------------------------------------------------------------------- */

static void
on_connect_refreshed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  guint *pending = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_task_had_error (task) && (*pending)-- > 0)
        g_task_return_error (task, error);
      else
        g_error_free (error);
      return;
    }
  if (--*pending == 0 && !g_task_had_error (task))
    g_task_return_boolean (task, TRUE);
}

/* The event stream is open (the engine tells us of every change from now on): the models are
 * read, and nothing that happens meanwhile is missed */
static void
on_connect_events_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeClientEngine *self = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GInputStream) stream = NULL;
  GError *error = NULL;

  stream = hatake_client_stream_finish (HATAKE_CLIENT (source), result, NULL, &error);
  if (stream == NULL)
    {
      hatake_client_engine_disconnect (self);
      g_task_return_error (task, error);
      return;
    }
  read_events (self, stream);
  _hatake_client_engine_refresh_async (self, HATAKE_CLIENT_REFRESH_IMAGES, NULL, cancellable, on_connect_refreshed,
                                       g_object_ref (task));
  _hatake_client_engine_refresh_async (self, HATAKE_CLIENT_REFRESH_CONTAINERS, NULL, cancellable,
                                       on_connect_refreshed, g_object_ref (task));
}

/* A one-off connect: the engine answers */
static void
on_connect_version (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;

  node = hatake_client_request_finish (HATAKE_CLIENT (source), result, NULL, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
hatake_client_engine_set_one_off (HatakeClientEngine *self,
                                  gboolean            one_off)
{
  g_return_if_fail (HATAKE_IS_CLIENT_ENGINE (self));
  self->one_off = one_off;
}

void
hatake_client_engine_connect_async (HatakeClientEngine  *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  guint *pending;

  g_task_set_source_tag (task, hatake_client_engine_connect_async);
  if (self->one_off)
    {
      hatake_client_request_async (self->client, "GET", "/version", NULL, NULL, cancellable, on_connect_version,
                                   g_steal_pointer (&task));
      return;
    }
  /* the two refreshes on_connect_events_opened() starts */
  pending = g_new (guint, 1);
  *pending = 2;
  g_task_set_task_data (task, pending, g_free);
  /* events first: a change between reading the models and following the events would be lost */
  g_clear_handle_id (&self->reconnect_timer, g_source_remove);
  if (self->events_cancellable != NULL)
    g_cancellable_cancel (self->events_cancellable);
  g_clear_object (&self->events_cancellable);
  self->events_cancellable = g_cancellable_new ();
  hatake_client_stream_async (self->client, "GET", EVENTS_PATH, NULL, NULL, NULL, NULL, self->events_cancellable,
                              on_connect_events_opened, g_steal_pointer (&task));
}

gboolean
hatake_client_engine_connect_finish (HatakeClientEngine  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- lines of JSON -------------------------------------------------------------------------- */

typedef struct
{
  GDataInputStream    *lines;
  HatakeClientLineFunc func;
  gpointer             func_data;
} LinesData;

static void
lines_data_free (LinesData *data)
{
  g_clear_object (&data->lines);
  g_free (data);
}

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  LinesData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, &length,
                                                                     &error);
  g_autoptr(JsonParser) parser = NULL;

  if (line == NULL)
    {
      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_boolean (task, TRUE);
      return;
    }
  parser = json_parser_new ();
  if (length > 0 && json_parser_load_from_data (parser, line, length, NULL) &&
      hatake_json_root_is (parser, JSON_NODE_OBJECT))
    {
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));
      const char *failure = hatake_json_string (o, "error");

      if (failure != NULL)
        {
          g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED, "%s", failure);
          return;
        }
      if (data->func != NULL)
        data->func (o, data->func_data);
    }
  g_data_input_stream_read_line_async (data->lines, G_PRIORITY_DEFAULT, g_task_get_cancellable (task), on_line,
                                       g_object_ref (task));
}

void
_hatake_client_read_lines_async (GInputStream         *stream,
                                 HatakeClientLineFunc  line_func,
                                 gpointer              line_data,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  LinesData *data = g_new0 (LinesData, 1);

  g_task_set_source_tag (task, _hatake_client_read_lines_async);
  data->lines = g_data_input_stream_new (stream);
  data->func = line_func;
  data->func_data = line_data;
  g_task_set_task_data (task, data, (GDestroyNotify) lines_data_free);
  g_data_input_stream_read_line_async (data->lines, G_PRIORITY_DEFAULT, cancellable, on_line, task);
}

gboolean
_hatake_client_read_lines_finish (GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

SoupMessageHeaders *
_hatake_client_registry_auth (HatakePull *progress)
{
  SoupMessageHeaders *headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  const char *username = NULL, *password = NULL;
  JsonObject *o = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *json = NULL, *encoded = NULL;

  if (progress != NULL && hatake_pull_get_credentials (progress, &username, &password))
    {
      json_object_set_string_member (o, "username", username);
      json_object_set_string_member (o, "password", password);
    }
  json_node_take_object (node, o);
  json = json_to_string (node, FALSE);
  /* docker's: base64 with the URL alphabet */
  encoded = g_base64_encode ((const guchar *) json, strlen (json));
  g_strdelimit (encoded, "+", '-');
  g_strdelimit (encoded, "/", '_');
  soup_message_headers_replace (headers, "X-Registry-Auth", encoded);
  memset (json, 0, strlen (json));
  return headers;
}

/* ---- containers ----------------------------------------------------------------------------- */

static GListModel *
hatake_client_engine_get_containers (HatakeEngine *engine)
{
  return G_LIST_MODEL (HATAKE_CLIENT_ENGINE (engine)->containers);
}

static GListModel *
hatake_client_engine_get_images (HatakeEngine *engine)
{
  return G_LIST_MODEL (HATAKE_CLIENT_ENGINE (engine)->images);
}

static const char *
hatake_client_engine_get_description (HatakeEngine *engine)
{
  return HATAKE_CLIENT_ENGINE (engine)->description;
}

static void
hatake_client_engine_create_container_async (HatakeEngine                *engine,
                                             const HatakeContainerConfig *config,
                                             GCancellable                *cancellable,
                                             GAsyncReadyCallback          callback,
                                             gpointer                     user_data)
{
  HatakeClientEngine *self = HATAKE_CLIENT_ENGINE (engine);
  g_autoptr(JsonNode) body = hatake_container_config_to_docker (config);

  _hatake_client_engine_call (self, hatake_client_engine_create_container_async, "POST",
                              hatake_client_path ("/containers/create", "name", config->name, NULL), body, NULL,
                              HATAKE_CLIENT_REFRESH_CONTAINER, NULL, cancellable, callback, user_data);
}

static HatakeContainer *
hatake_client_engine_create_container_finish (HatakeEngine  *engine,
                                              GAsyncResult  *result,
                                              GError       **error)
{
  HatakeClientEngine *self = HATAKE_CLIENT_ENGINE (engine);
  g_autoptr(JsonNode) answer = g_task_propagate_pointer (G_TASK (result), error);
  const char *id = answer && JSON_NODE_HOLDS_OBJECT (answer) ? hatake_json_string (json_node_get_object (answer), "Id")
                                                             : NULL;
  HatakeContainer *c = id ? find_container (self, id, NULL) : NULL;

  if (answer == NULL)
    return NULL;
  if (c == NULL)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_FAILED, _("The engine made container %s but does not show it"),
                   id ? id : "?");
      return NULL;
    }
  return g_object_ref (c);
}

static void
hatake_client_engine_container_op_async (HatakeEngine                *engine,
                                         const char                  *container,
                                         HatakeContainerOp            op,
                                         const HatakeContainerOpArgs *args,
                                         GCancellable                *cancellable,
                                         GAsyncReadyCallback          callback,
                                         gpointer                     user_data)
{
  HatakeClientEngine *self = HATAKE_CLIENT_ENGINE (engine);
  g_autofree char *id = _hatake_client_escape (container);
  g_autofree char *base = g_strdup_printf ("/containers/%s", id);
  g_autofree char *timeout = args && args->timeout >= 0 ? g_strdup_printf ("%d", args->timeout) : NULL;
  g_autoptr(HatakeContainer) c = hatake_engine_lookup_container (engine, container);
  const char *refresh_id = c ? hatake_container_get_id (c) : container;
  const char *method = "POST";
  char *path;

  switch (op)
    {
    case HATAKE_CONTAINER_OP_START:
      path = g_strconcat (base, "/start", NULL);
      break;
    case HATAKE_CONTAINER_OP_STOP:
      {
        g_autofree char *p = g_strconcat (base, "/stop", NULL);

        path = hatake_client_path (p, "t", timeout, NULL);
      }
      break;
    case HATAKE_CONTAINER_OP_RESTART:
      {
        g_autofree char *p = g_strconcat (base, "/restart", NULL);

        path = hatake_client_path (p, "t", timeout, NULL);
      }
      break;
    case HATAKE_CONTAINER_OP_KILL:
      {
        g_autofree char *p = g_strconcat (base, "/kill", NULL);

        path = hatake_client_path (p, "signal", args ? args->signal : NULL, NULL);
      }
      break;
    case HATAKE_CONTAINER_OP_PAUSE:
      path = g_strconcat (base, "/pause", NULL);
      break;
    case HATAKE_CONTAINER_OP_UNPAUSE:
      path = g_strconcat (base, "/unpause", NULL);
      break;
    case HATAKE_CONTAINER_OP_REMOVE:
      method = "DELETE";
      path = hatake_client_path (base, "force", args && args->force ? "1" : NULL, "v",
                                 args && args->volumes ? "1" : NULL, NULL);
      break;
    case HATAKE_CONTAINER_OP_WAIT:
      {
        g_autofree char *p = g_strconcat (base, "/wait", NULL);
        HatakeContainerState state = c ? hatake_container_get_state (c) : HATAKE_CONTAINER_EXITED;

        /* the interface's wait: a container that has not run yet (or runs) is waited for until
         * its next exit, one that has exited answers at once (docker's default condition would
         * answer at once for a created one too) */
        path = hatake_client_path (p, "condition",
                                   args && args->removed ? "removed"
                                   : state == HATAKE_CONTAINER_EXITED || state == HATAKE_CONTAINER_DEAD ? "not-running"
                                                                                                        : "next-exit",
                                   NULL);
      }
      break;
    default:
      g_assert_not_reached ();
    }
  if (op == HATAKE_CONTAINER_OP_WAIT)
    _hatake_client_engine_wait_async (self, hatake_client_engine_container_op_async, path, refresh_id,
                                      args && args->removed, cancellable, callback, user_data);
  else if (op == HATAKE_CONTAINER_OP_START &&
           _hatake_client_engine_hold_start (self, hatake_client_engine_container_op_async, path, refresh_id,
                                             cancellable, callback, user_data))
    ;
  else
    _hatake_client_engine_call (self, hatake_client_engine_container_op_async, method, path, NULL, NULL,
                                HATAKE_CLIENT_REFRESH_CONTAINER, refresh_id, cancellable, callback, user_data);
}

/* GET /containers/{CONTAINER}/WHAT, its JSON the answer (inspect, top, stats) */
static void
container_get (HatakeEngine *engine, gpointer source_tag, const char *container, const char *what,
               GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autofree char *id = _hatake_client_escape (container);

  _hatake_client_engine_call (HATAKE_CLIENT_ENGINE (engine), source_tag, "GET",
                              g_strdup_printf ("/containers/%s/%s", id, what), NULL, NULL, HATAKE_CLIENT_REFRESH_NONE,
                              NULL, cancellable, callback, user_data);
}

static void
hatake_client_engine_inspect_container_async (HatakeEngine        *engine,
                                              const char          *container,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  container_get (engine, hatake_client_engine_inspect_container_async, container, "json", cancellable, callback,
                 user_data);
}

static void
hatake_client_engine_rename_container_async (HatakeEngine        *engine,
                                             const char          *container,
                                             const char          *name,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autofree char *id = _hatake_client_escape (container);
  g_autofree char *base = g_strdup_printf ("/containers/%s/rename", id);
  g_autoptr(HatakeContainer) c = hatake_engine_lookup_container (engine, container);

  _hatake_client_engine_call (HATAKE_CLIENT_ENGINE (engine), hatake_client_engine_rename_container_async, "POST",
                              hatake_client_path (base, "name", name, NULL), NULL, NULL,
                              HATAKE_CLIENT_REFRESH_CONTAINER, c ? hatake_container_get_id (c) : container, cancellable,
                              callback, user_data);
}

static void
hatake_client_engine_update_container_async (HatakeEngine                *engine,
                                             const char                  *container,
                                             const HatakeContainerUpdate *update,
                                             GCancellable                *cancellable,
                                             GAsyncReadyCallback          callback,
                                             gpointer                     user_data)
{
  g_autofree char *id = _hatake_client_escape (container);
  g_autoptr(JsonNode) body = hatake_container_update_to_docker (update);
  g_autoptr(HatakeContainer) c = hatake_engine_lookup_container (engine, container);

  _hatake_client_engine_call (HATAKE_CLIENT_ENGINE (engine), hatake_client_engine_update_container_async, "POST",
                              g_strdup_printf ("/containers/%s/update", id), body, NULL,
                              HATAKE_CLIENT_REFRESH_CONTAINER, c ? hatake_container_get_id (c) : container, cancellable,
                              callback, user_data);
}

static void
hatake_client_engine_top_async (HatakeEngine        *engine,
                                const char          *container,
                                const char          *ps_args,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *args = ps_args ? g_uri_escape_string (ps_args, NULL, FALSE) : NULL;
  g_autofree char *what = args ? g_strconcat ("top?ps_args=", args, NULL) : g_strdup ("top");

  container_get (engine, hatake_client_engine_top_async, container, what, cancellable, callback, user_data);
}

static void
hatake_client_engine_changes_async (HatakeEngine        *engine,
                                    const char          *container,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  container_get (engine, hatake_client_engine_changes_async, container, "changes", cancellable, callback, user_data);
}

static void
hatake_client_engine_stats_async (HatakeEngine        *engine,
                                  const char          *container,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  container_get (engine, hatake_client_engine_stats_async, container, "stats?stream=false", cancellable, callback,
                 user_data);
}

static void
hatake_client_engine_watch_stats (HatakeEngine *engine, HatakeContainer *container)
{
  HatakeClientEngine *self = HATAKE_CLIENT_ENGINE (engine);

  if (self->stats == NULL)
    self->stats = hatake_stats_watcher_new (engine);
  hatake_stats_watcher_watch (self->stats, container);
}

static void
hatake_client_engine_unwatch_stats (HatakeEngine *engine, HatakeContainer *container)
{
  HatakeClientEngine *self = HATAKE_CLIENT_ENGINE (engine);

  g_return_if_fail (self->stats != NULL);
  hatake_stats_watcher_unwatch (self->stats, container);
}

/* ---- logs ----------------------------------------------------------------------------------- */

typedef struct
{
  HatakeClientEngine *self;
  char               *path;
  gboolean            tty;
  HatakeLogFunc       func;
  gpointer            func_data;
  GInputStream       *stream;
  GByteArray         *frames;     /* multiplexed input not yet parsed */
  GByteArray         *line[3];    /* per stream: a line not yet ended */
  char                buffer[64 * 1024];
} LogsData;

static void
logs_data_free (LogsData *data)
{
  g_clear_object (&data->self);
  g_free (data->path);
  g_clear_object (&data->stream);
  g_byte_array_unref (data->frames);
  for (guint i = 0; i < 3; i++)
    g_byte_array_unref (data->line[i]);
  g_free (data);
}

/* "2024-01-02T03:04:05.123456789Z payload": the time in ns, and where the payload starts */
static gint64
split_timestamp (const char *line, gsize length, gsize *payload)
{
  const char *space = memchr (line, ' ', MIN (length, 64));
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) dt = NULL;
  const char *dot;
  gint64 ns = 0;

  *payload = 0;
  if (space == NULL)
    return 0;
  text = g_strndup (line, space - line);
  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return 0;
  *payload = space - line + 1;
  ns = g_date_time_to_unix (dt) * G_GINT64_CONSTANT (1000000000);
  if ((dot = strchr (text, '.')) != NULL)
    {
      gint64 scale = 100000000;

      for (const char *d = dot + 1; g_ascii_isdigit (*d) && scale > 0; d++, scale /= 10)
        ns += (*d - '0') * scale;
    }
  return ns;
}

static void
emit_lines (LogsData *data, guint stream, const guint8 *bytes, gsize length, gboolean end)
{
  GByteArray *pending = data->line[stream];

  if (length > 0)
    g_byte_array_append (pending, bytes, length);
  while (pending->len > 0)
    {
      guint8 *newline = memchr (pending->data, '\n', pending->len);
      gsize line_length = newline ? (gsize) (newline - pending->data) + 1 : pending->len;
      gsize start = 0;
      HatakeLogEntry entry = { 0 };
      g_autoptr(GBytes) content = NULL;

      if (newline == NULL && !end)
        return;
      entry.timestamp = split_timestamp ((const char *) pending->data, line_length, &start);
      entry.stream = stream == 2 ? HATAKE_LOG_STDERR : HATAKE_LOG_STDOUT;
      content = g_bytes_new (pending->data + start, line_length - start);
      entry.content = content;
      entry.partial = newline == NULL;
      data->func (&entry, data->func_data);
      g_byte_array_remove_range (pending, 0, line_length);
    }
}

/* docker's multiplexed stream: [stream, 0, 0, 0, size (4 bytes, big endian)] then the payload */
static void
parse_frames (LogsData *data)
{
  while (data->frames->len >= 8)
    {
      guint8 *h = data->frames->data;
      guint32 size = ((guint32) h[4] << 24) | ((guint32) h[5] << 16) | ((guint32) h[6] << 8) | h[7];
      guint stream = h[0] == 2 ? 2 : 1;

      if (data->frames->len < 8 + size)
        return;
      emit_lines (data, stream, h + 8, size, FALSE);
      g_byte_array_remove_range (data->frames, 0, 8 + size);
    }
}

static void
on_logs_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  LogsData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (n == 0)
    {
      emit_lines (data, 1, NULL, 0, TRUE);
      emit_lines (data, 2, NULL, 0, TRUE);
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (data->tty)
    emit_lines (data, 1, (guint8 *) data->buffer, n, FALSE);
  else
    {
      g_byte_array_append (data->frames, (guint8 *) data->buffer, n);
      parse_frames (data);
    }
  g_input_stream_read_async (data->stream, data->buffer, sizeof data->buffer, G_PRIORITY_DEFAULT,
                             g_task_get_cancellable (task), on_logs_read, g_object_ref (task));
}

static void
on_logs_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  LogsData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->stream = hatake_client_stream_finish (HATAKE_CLIENT (source), result, NULL, &error);
  if (data->stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_input_stream_read_async (data->stream, data->buffer, sizeof data->buffer, G_PRIORITY_DEFAULT,
                             g_task_get_cancellable (task), on_logs_read, g_object_ref (task));
}

/* Whether the container has a terminal decides the stream's format: raw, or multiplexed. */
static void
on_logs_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  LogsData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(JsonNode) node = hatake_client_request_finish (HATAKE_CLIENT (source), result, NULL, &error);

  if (node == NULL)
    {
      g_task_return_error (task, error ? error : g_error_new (HATAKE_ERROR, HATAKE_ERROR_FAILED, "inspect"));
      return;
    }
  data->tty = hatake_json_boolean (hatake_json_object_member (json_node_get_object (node), "Config"), "Tty", FALSE);
  hatake_client_stream_async (data->self->client, "GET", data->path, NULL, NULL, NULL, NULL,
                              g_task_get_cancellable (task), on_logs_opened, g_object_ref (task));
}

static char *
ns_text (gint64 ns)
{
  return ns > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT ".%09d", ns / 1000000000, (int) (ns % 1000000000)) : NULL;
}

static void
hatake_client_engine_container_logs_async (HatakeEngine           *engine,
                                           const char             *container,
                                           const HatakeLogOptions *options,
                                           HatakeLogFunc           func,
                                           gpointer                func_data,
                                           GCancellable           *cancellable,
                                           GAsyncReadyCallback     callback,
                                           gpointer                user_data)
{
  HatakeClientEngine *self = HATAKE_CLIENT_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *id = _hatake_client_escape (container);
  g_autofree char *base = g_strdup_printf ("/containers/%s/logs", id);
  g_autofree char *inspect = g_strdup_printf ("/containers/%s/json", id);
  g_autofree char *tail = options->tail >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, options->tail) : g_strdup ("all");
  g_autofree char *since = ns_text (options->since), *until = ns_text (options->until);
  guint streams = options->streams ? options->streams : HATAKE_LOG_STDOUT | HATAKE_LOG_STDERR;
  LogsData *data = g_new0 (LogsData, 1);

  g_task_set_source_tag (task, hatake_client_engine_container_logs_async);
  data->self = g_object_ref (self);
  data->func = func;
  data->func_data = func_data;
  data->frames = g_byte_array_new ();
  for (guint i = 0; i < 3; i++)
    data->line[i] = g_byte_array_new ();
  data->path = hatake_client_path (base, "stdout", (streams & HATAKE_LOG_STDOUT) ? "1" : NULL,
                                   "stderr", (streams & HATAKE_LOG_STDERR) ? "1" : NULL, "timestamps", "1",
                                   "follow", options->follow ? "1" : NULL, "tail", tail, "since", since,
                                   "until", until, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) logs_data_free);
  hatake_client_request_async (self->client, "GET", inspect, NULL, NULL, cancellable, on_logs_inspected,
                               g_steal_pointer (&task));
}

static gboolean
hatake_client_engine_container_logs_finish (HatakeEngine  *engine,
                                            GAsyncResult  *result,
                                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hatake_client_engine_iface_init (HatakeEngineInterface *iface)
{
  iface->get_images = hatake_client_engine_get_images;
  iface->get_description = hatake_client_engine_get_description;
  iface->get_containers = hatake_client_engine_get_containers;
  iface->create_container_async = hatake_client_engine_create_container_async;
  iface->create_container_finish = hatake_client_engine_create_container_finish;
  iface->container_op_async = hatake_client_engine_container_op_async;
  iface->container_op_finish = _hatake_client_engine_json_finish;
  iface->inspect_container_async = hatake_client_engine_inspect_container_async;
  iface->inspect_container_finish = _hatake_client_engine_json_finish;
  iface->rename_container_async = hatake_client_engine_rename_container_async;
  iface->rename_container_finish = _hatake_client_engine_bool_finish;
  iface->update_container_async = hatake_client_engine_update_container_async;
  iface->update_container_finish = _hatake_client_engine_bool_finish;
  iface->container_logs_async = hatake_client_engine_container_logs_async;
  iface->container_logs_finish = hatake_client_engine_container_logs_finish;
  iface->exec_async = _hatake_client_engine_exec_async;
  iface->exec_finish = _hatake_client_engine_exec_finish;
  iface->changes_async = hatake_client_engine_changes_async;
  iface->changes_finish = _hatake_client_engine_json_finish;
  iface->top_async = hatake_client_engine_top_async;
  iface->top_finish = _hatake_client_engine_json_finish;
  iface->attach_async = _hatake_client_engine_attach_async;
  iface->attach_finish = _hatake_client_engine_attach_finish;
  iface->stats_async = hatake_client_engine_stats_async;
  iface->stats_finish = _hatake_client_engine_json_finish;
  iface->watch_stats = hatake_client_engine_watch_stats;
  iface->unwatch_stats = hatake_client_engine_unwatch_stats;
  _hatake_client_engine_images_iface_init (iface);
}
