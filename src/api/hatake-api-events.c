/* hatake-api-events.c: /events, from the engine's models
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine's models are the source: a container added or gone, its state changing, an image
 * added or gone each make docker's event (with the legacy status/id/from fields that
 * docker-compose 1.x reads); volumes and networks, which have no model, come from the
 * engine's "object-event" signal. The last HISTORY events are kept for `since`; followers get the
 * rest live until `until` or until they go away.
 */
#define G_LOG_DOMAIN "hatake-api"

#include "config.h"

#include <string.h>

#include "hatake-api-private.h"
#include "hatake-json.h"

#define HISTORY 1024
/* A follower that reads nothing while events keep coming would have them all kept for it: one
 * this far behind is cut off. Its client sees its stream break (docker drops events for a slow
 * subscriber, silently; a stream with a gap would mislead whoever waits on it) and can follow
 * again, with since= for what it missed. */
#define FOLLOWER_BEHIND_MAX (4 * 1024 * 1024)

struct _HatakeApiEvents
{
  GObject       parent_instance;

  HatakeEngine *engine;
  GQueue        history;     /* JsonNode, oldest first */
  GPtrArray    *followers;   /* Follower */
  GHashTable   *watched;     /* HatakeContainer → Watch */
  GPtrArray    *images;      /* image ids as last seen, to tell which one went */
};

G_DEFINE_FINAL_TYPE (HatakeApiEvents, hatake_api_events, G_TYPE_OBJECT)

typedef struct
{
  HatakeContainerState state;
  HatakeHealthStatus   health;
  char                *name;
  gulong               state_handler;
  gulong               name_handler;
  gulong               health_handler;
} Watch;

typedef struct
{
  HatakeApiEvents  *events;
  HatakeApiRequest *request;
  GHashTable       *filters;
  gint64            until;   /* ns; 0: none */
  guint             timer;
  gulong            cancelled_id;
} Follower;

static void follower_end (Follower *follower);

/* ---- making events ------------------------------------------------------------------------- */

static void
add_labels (JsonObject      *attributes,
            HatakeContainer *container)
{
  const char * const *labels = hatake_container_get_labels (container);

  for (guint i = 0; labels != NULL && labels[i] != NULL; i++)
    {
      const char *eq = strchr (labels[i], '=');
      g_autofree char *key = eq ? g_strndup (labels[i], eq - labels[i]) : g_strdup (labels[i]);

      json_object_set_string_member (attributes, key, eq ? eq + 1 : "");
    }
}

static gboolean
matches (JsonObject *event,
         GHashTable *filters)
{
  GHashTableIter iter;
  gpointer key, value;
  JsonObject *actor = hatake_json_object_member (event, "Actor");
  JsonObject *attributes = hatake_json_object_member (actor, "Attributes");
  const char *type = hatake_json_string_or (event, "Type", "");

  if (filters == NULL)
    return TRUE;
  g_hash_table_iter_init (&iter, filters);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GStrv values = value;
      gboolean any = values[0] == NULL;

      for (guint i = 0; values[i] != NULL && !any; i++)
        {
          const char *v = values[i];

          if (g_str_equal (key, "type"))
            any = g_str_equal (type, v);
          /* docker's event=health_status (exec_create, exec_start) takes every "health_status: …" */
          else if (g_str_equal (key, "event") || g_str_equal (key, "action"))
            any = g_str_equal (hatake_json_string_or (event, "Action", ""), v) ||
                  ((g_str_equal (v, "health_status") || g_str_equal (v, "exec_create") ||
                    g_str_equal (v, "exec_start")) &&
                   g_str_has_prefix (hatake_json_string_or (event, "Action", ""), v));
          else if (g_str_equal (key, "container"))
            any = g_str_equal (type, "container") &&
                  (g_str_has_prefix (hatake_json_string_or (actor, "ID", ""), v) ||
                   g_strcmp0 (hatake_json_string_or (attributes, "name", NULL), v) == 0);
          else if (g_str_equal (key, "volume"))
            any = g_str_equal (type, "volume") && g_strcmp0 (hatake_json_string_or (actor, "ID", NULL), v) == 0;
          else if (g_str_equal (key, "network"))
            any = g_str_equal (type, "network") &&
                  (g_str_has_prefix (hatake_json_string_or (actor, "ID", ""), v) ||
                   g_strcmp0 (hatake_json_string_or (attributes, "name", NULL), v) == 0);
          else if (g_str_equal (key, "image"))
            any = g_strcmp0 (hatake_json_string_or (attributes, "image", NULL), v) == 0 ||
                  (g_str_equal (type, "image") &&
                   g_strcmp0 (hatake_json_string_or (actor, "ID", NULL), v) == 0);
          else if (g_str_equal (key, "label"))
            {
              const char *eq = strchr (v, '=');
              g_autofree char *k = eq ? g_strndup (v, eq - v) : g_strdup (v);
              const char *have = hatake_json_string_or (attributes, k, NULL);

              any = have != NULL && (eq == NULL || g_str_equal (have, eq + 1));
            }
          else
            any = TRUE;
        }
      if (!any)
        return FALSE;
    }
  return TRUE;
}

static gint64
event_time (JsonObject *event)
{
  return hatake_json_int (event, "timeNano", 0);
}

static void
emit (HatakeApiEvents *self,
      JsonObject      *event)   /* taken */
{
  g_autoptr(JsonNode) node = hatake_api_object_node (event);
  g_autoptr(GPtrArray) ended = g_ptr_array_new ();

  g_queue_push_tail (&self->history, json_node_ref (node));
  while (self->history.length > HISTORY)
    json_node_unref (g_queue_pop_head (&self->history));
  for (guint i = 0; i < self->followers->len; i++)
    {
      Follower *follower = g_ptr_array_index (self->followers, i);

      if (follower->until != 0 && event_time (event) > follower->until)
        g_ptr_array_add (ended, follower);
      else if (follower->request->queued > FOLLOWER_BEHIND_MAX)
        {
          GSocket *socket = soup_server_message_get_socket (follower->request->msg);

          g_message ("An event follower read nothing of its last %zu bytes: cut off", follower->request->queued);
          /* (what libsoup still holds for it goes as its write fails) */
          if (socket != NULL)
            g_socket_shutdown (socket, TRUE, TRUE, NULL);
          g_ptr_array_add (ended, follower);
        }
      else if (matches (event, follower->filters))
        hatake_api_request_write_json (follower->request, node);
    }
  for (guint i = 0; i < ended->len; i++)
    follower_end (g_ptr_array_index (ended, i));
}

static JsonObject *
new_event (const char *type,
           const char *action,
           const char *id,
           JsonObject *attributes)   /* taken */
{
  JsonObject *event = json_object_new ();
  JsonObject *actor = json_object_new ();
  gint64 now = g_get_real_time ();

  json_object_set_string_member (event, "Type", type);
  json_object_set_string_member (event, "Action", action);
  json_object_set_string_member (actor, "ID", id);
  json_object_set_object_member (actor, "Attributes", attributes);
  json_object_set_object_member (event, "Actor", actor);
  json_object_set_string_member (event, "scope", "local");
  json_object_set_int_member (event, "time", now / G_USEC_PER_SEC);
  json_object_set_int_member (event, "timeNano", now * 1000);
  return event;
}

static void
container_event_full (HatakeApiEvents *self,
                      HatakeContainer *container,
                      const char      *action,
                      const char      *name,
                      JsonObject      *extra)
{
  JsonObject *attributes = json_object_new ();
  const char *image = hatake_container_get_image (container);
  g_autoptr(GList) keys = extra ? json_object_get_members (extra) : NULL;
  JsonObject *event;

  for (GList *l = keys; l != NULL; l = l->next)
    json_object_set_member (attributes, l->data, json_node_copy (json_object_get_member (extra, l->data)));
  add_labels (attributes, container);
  json_object_set_string_member (attributes, "image", image ? image : "");
  json_object_set_string_member (attributes, "name", name ? name : hatake_container_get_name (container));
  if (g_str_equal (action, "die"))
    {
      g_autofree char *code = g_strdup_printf ("%d", hatake_container_get_exit_code (container));

      json_object_set_string_member (attributes, "exitCode", code);
    }
  event = new_event ("container", action, hatake_container_get_id (container), attributes);
  /* what docker-compose 1.x and older clients read */
  json_object_set_string_member (event, "status", action);
  json_object_set_string_member (event, "id", hatake_container_get_id (container));
  json_object_set_string_member (event, "from", image ? image : "");
  emit (self, event);
}

static void
container_event (HatakeApiEvents *self,
                 HatakeContainer *container,
                 const char      *action,
                 const char      *name)
{
  container_event_full (self, container, action, name, NULL);
}

/* ---- watching the models ------------------------------------------------------------------- */

static void
watch_free (Watch *watch)
{
  g_free (watch->name);
  g_free (watch);
}

static void
on_state (HatakeContainer *container,
          GParamSpec      *pspec,
          gpointer         user_data)
{
  HatakeApiEvents *self = user_data;
  Watch *watch = g_hash_table_lookup (self->watched, container);
  HatakeContainerState state = hatake_container_get_state (container);
  HatakeContainerState was;

  if (watch == NULL || watch->state == state)
    return;
  was = watch->state;
  watch->state = state;
  switch (state)
    {
    case HATAKE_CONTAINER_RUNNING:
      container_event (self, container, was == HATAKE_CONTAINER_PAUSED ? "unpause" : "start", NULL);
      break;
    case HATAKE_CONTAINER_PAUSED:
      container_event (self, container, "pause", NULL);
      break;
    case HATAKE_CONTAINER_EXITED:
    case HATAKE_CONTAINER_DEAD:
      if (was == HATAKE_CONTAINER_RUNNING || was == HATAKE_CONTAINER_PAUSED || was == HATAKE_CONTAINER_RESTARTING)
        container_event (self, container, "die", NULL);
      break;
    case HATAKE_CONTAINER_RESTARTING:
      container_event (self, container, "die", NULL);
      break;
    case HATAKE_CONTAINER_CREATED:
    case HATAKE_CONTAINER_REMOVING:
    case HATAKE_CONTAINER_REMOVED:
    default:
      break;
    }
}

static void
on_name (HatakeContainer *container,
         GParamSpec      *pspec,
         gpointer         user_data)
{
  HatakeApiEvents *self = user_data;
  Watch *watch = g_hash_table_lookup (self->watched, container);

  if (watch == NULL || g_strcmp0 (watch->name, hatake_container_get_name (container)) == 0)
    return;
  container_event (self, container, "rename", NULL);
  g_free (watch->name);
  watch->name = g_strdup (hatake_container_get_name (container));
}

/* docker's "health_status: healthy" and "health_status: unhealthy", at each change to either */
static void
on_health (HatakeContainer *container,
           GParamSpec      *pspec,
           gpointer         user_data)
{
  HatakeApiEvents *self = user_data;
  Watch *watch = g_hash_table_lookup (self->watched, container);
  HatakeHealthStatus health = hatake_container_get_health_status (container);
  g_autofree char *action = NULL;

  if (watch == NULL || watch->health == health)
    return;
  watch->health = health;
  if (health != HATAKE_HEALTH_HEALTHY && health != HATAKE_HEALTH_UNHEALTHY)
    return;
  action = g_strconcat ("health_status: ", hatake_health_status_to_string (health), NULL);
  container_event (self, container, action, NULL);
}

static void
watch (HatakeApiEvents *self,
       HatakeContainer *container)
{
  Watch *w = g_new0 (Watch, 1);

  w->state = hatake_container_get_state (container);
  w->health = hatake_container_get_health_status (container);
  w->name = g_strdup (hatake_container_get_name (container));
  w->state_handler = g_signal_connect (container, "notify::state", G_CALLBACK (on_state), self);
  w->name_handler = g_signal_connect (container, "notify::name", G_CALLBACK (on_name), self);
  w->health_handler = g_signal_connect (container, "notify::health", G_CALLBACK (on_health), self);
  g_hash_table_insert (self->watched, g_object_ref (container), w);
}

static void
unwatch (HatakeApiEvents *self,
         HatakeContainer *container)
{
  Watch *w = g_hash_table_lookup (self->watched, container);

  if (w == NULL)
    return;
  g_signal_handler_disconnect (container, w->state_handler);
  g_signal_handler_disconnect (container, w->name_handler);
  g_signal_handler_disconnect (container, w->health_handler);
  g_hash_table_remove (self->watched, container);
}

static void
on_containers_changed (GListModel *model,
                       guint       position,
                       guint       removed,
                       guint       added,
                       gpointer    user_data)
{
  HatakeApiEvents *self = user_data;
  g_autoptr(GHashTable) present = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (model, i);

      g_hash_table_add (present, c);
      if (!g_hash_table_contains (self->watched, c))
        {
          watch (self, c);
          container_event (self, c, "create", NULL);
          /* (one that runs already when we first see it started meanwhile) */
          if (hatake_container_get_state (c) == HATAKE_CONTAINER_RUNNING)
            container_event (self, c, "start", NULL);
        }
    }
  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (present, key))
      g_ptr_array_add (gone, g_object_ref (key));
  for (guint i = 0; i < gone->len; i++)
    {
      HatakeContainer *c = g_ptr_array_index (gone, i);
      Watch *w = g_hash_table_lookup (self->watched, c);

      if (w->state == HATAKE_CONTAINER_RUNNING || w->state == HATAKE_CONTAINER_PAUSED)
        container_event (self, c, "die", NULL);
      container_event (self, c, "destroy", NULL);
      unwatch (self, c);
    }
}

static void
on_images_changed (GListModel *model,
                   guint       position,
                   guint       removed,
                   guint       added,
                   gpointer    user_data)
{
  HatakeApiEvents *self = user_data;
  g_autoptr(GPtrArray) now = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(HatakeImage) image = g_list_model_get_item (model, i);
      const char *id = hatake_image_get_id (image);
      const char * const *tags = hatake_image_get_repo_tags (image);

      g_ptr_array_add (now, g_strdup (id));
      if (!g_ptr_array_find_with_equal_func (self->images, id, g_str_equal, NULL))
        {
          JsonObject *attributes = json_object_new ();

          json_object_set_string_member (attributes, "name", tags && tags[0] ? tags[0] : id);
          emit (self, new_event ("image", "pull", tags && tags[0] ? tags[0] : id, attributes));
        }
    }
  for (guint i = 0; i < self->images->len; i++)
    {
      const char *id = g_ptr_array_index (self->images, i);

      if (!g_ptr_array_find_with_equal_func (now, id, g_str_equal, NULL))
        {
          JsonObject *attributes = json_object_new ();

          json_object_set_string_member (attributes, "name", id);
          emit (self, new_event ("image", "delete", id, attributes));
        }
    }
  g_ptr_array_unref (self->images);
  self->images = g_steal_pointer (&now);
}

/* volumes and networks: the engine says what changed */
static void
on_object_event (HatakeEngine *engine,
                 const char   *type,
                 const char   *action,
                 const char   *id,
                 JsonNode     *attributes,
                 gpointer      user_data)
{
  HatakeApiEvents *self = user_data;

  /* a container's operation: docker's attributes of the container along */
  if (g_str_equal (type, "container"))
    {
      g_autoptr(HatakeContainer) container = hatake_engine_lookup_container (engine, id);

      if (container != NULL)
        container_event_full (self, container, action, NULL, json_node_get_object (attributes));
      return;
    }
  /* (shared, read only) */
  emit (self, new_event (type, action, id, json_node_dup_object (attributes)));
}

/* ---- followers ----------------------------------------------------------------------------- */

static void
follower_end (Follower *follower)
{
  HatakeApiEvents *self = follower->events;

  g_ptr_array_remove (self->followers, follower);
  g_clear_handle_id (&follower->timer, g_source_remove);
  g_cancellable_disconnect (follower->request->cancellable, follower->cancelled_id);
  hatake_api_request_end_stream (follower->request);
  g_clear_pointer (&follower->filters, g_hash_table_unref);
  g_free (follower);
}

static gboolean
on_until (gpointer user_data)
{
  Follower *follower = user_data;

  follower->timer = 0;
  follower_end (follower);
  return G_SOURCE_REMOVE;
}

static gboolean
end_idle (gpointer user_data)
{
  Follower *follower = user_data;

  if (g_ptr_array_find (follower->events->followers, follower, NULL))
    follower_end (follower);
  return G_SOURCE_REMOVE;
}

static void
on_client_gone (GCancellable *cancellable,
                gpointer      user_data)
{
  /* (not from inside the cancellable's own signal emission) */
  g_idle_add (end_idle, user_data);
}

static gint64
parse_time (const char *text)
{
  /* docker sends seconds, maybe with a fraction: "1700000000.123456789" */
  return text && *text ? (gint64) (g_ascii_strtod (text, NULL) * 1e9) : 0;
}

void
hatake_api_events_serve (HatakeApiEvents   *self,
                         HatakeApiServer   *server,
                         SoupServerMessage *msg,
                         GStrv              path,
                         GHashTable        *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) filters = hatake_api_query_filters (query, &error);
  gint64 since = parse_time (hatake_api_query (query, "since"));
  gint64 until = parse_time (hatake_api_query (query, "until"));
  gint64 now = g_get_real_time () * 1000;
  Follower *follower;

  if (filters == NULL)
    {
      hatake_api_reply_error (msg, error);
      return;
    }
  follower = g_new0 (Follower, 1);
  follower->events = self;
  follower->filters = g_steal_pointer (&filters);
  follower->until = until;
  follower->request = hatake_api_request_new (server, msg, query, path);
  hatake_api_request_begin_stream (follower->request, "application/json");
  if (since != 0)
    for (GList *l = self->history.head; l != NULL; l = l->next)
      {
        JsonObject *event = json_node_get_object (l->data);

        if (event_time (event) >= since && (until == 0 || event_time (event) <= until) &&
            matches (event, follower->filters))
          hatake_api_request_write_json (follower->request, l->data);
      }
  g_ptr_array_add (self->followers, follower);
  if (until != 0 && until <= now)
    {
      follower_end (follower);
      return;
    }
  if (until != 0)
    follower->timer = g_timeout_add ((until - now) / 1000000 + 1, on_until, follower);
  follower->cancelled_id = g_cancellable_connect (follower->request->cancellable, G_CALLBACK (on_client_gone),
                                                  follower, NULL);
}

/* ---- the object ---------------------------------------------------------------------------- */

static void
hatake_api_events_dispose (GObject *object)
{
  HatakeApiEvents *self = (HatakeApiEvents *) object;

  while (self->followers != NULL && self->followers->len > 0)
    follower_end (g_ptr_array_index (self->followers, 0));
  if (self->engine != NULL)
    {
      g_signal_handlers_disconnect_by_data (hatake_engine_get_containers (self->engine), self);
      g_signal_handlers_disconnect_by_data (hatake_engine_get_images (self->engine), self);
      g_signal_handlers_disconnect_by_data (self->engine, self);
    }
  if (self->watched != NULL)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, self->watched);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_signal_handlers_disconnect_by_data (key, self);
      g_clear_pointer (&self->watched, g_hash_table_unref);
    }
  g_clear_object (&self->engine);
  G_OBJECT_CLASS (hatake_api_events_parent_class)->dispose (object);
}

static void
hatake_api_events_finalize (GObject *object)
{
  HatakeApiEvents *self = (HatakeApiEvents *) object;

  g_queue_clear_full (&self->history, (GDestroyNotify) json_node_unref);
  g_clear_pointer (&self->followers, g_ptr_array_unref);
  g_clear_pointer (&self->images, g_ptr_array_unref);
  G_OBJECT_CLASS (hatake_api_events_parent_class)->finalize (object);
}

static void
hatake_api_events_class_init (HatakeApiEventsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hatake_api_events_dispose;
  G_OBJECT_CLASS (klass)->finalize = hatake_api_events_finalize;
}

static void
hatake_api_events_init (HatakeApiEvents *self)
{
  g_queue_init (&self->history);
  self->followers = g_ptr_array_new ();
  self->watched = g_hash_table_new_full (NULL, NULL, g_object_unref, (GDestroyNotify) watch_free);
  self->images = g_ptr_array_new_with_free_func (g_free);
}

HatakeApiEvents *
hatake_api_events_new (HatakeEngine *engine)
{
  HatakeApiEvents *self = g_object_new (HATAKE_TYPE_API_EVENTS, NULL);
  GListModel *containers = hatake_engine_get_containers (engine);
  GListModel *images = hatake_engine_get_images (engine);

  self->engine = g_object_ref (engine);
  /* what exists already makes no events */
  for (guint i = 0; i < g_list_model_get_n_items (containers); i++)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (containers, i);

      watch (self, c);
    }
  for (guint i = 0; i < g_list_model_get_n_items (images); i++)
    {
      g_autoptr(HatakeImage) image = g_list_model_get_item (images, i);

      g_ptr_array_add (self->images, g_strdup (hatake_image_get_id (image)));
    }
  g_signal_connect (containers, "items-changed", G_CALLBACK (on_containers_changed), self);
  g_signal_connect (images, "items-changed", G_CALLBACK (on_images_changed), self);
  g_signal_connect (engine, "object-event", G_CALLBACK (on_object_event), self);
  return self;
}
