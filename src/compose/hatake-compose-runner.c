/* hatake-compose-runner.c: a compose project run on an engine, as a queue of engine calls
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each operation is a Job: a queue of actions run one after the other, each one engine call
 * (or a decision that puts more actions at the head of the queue: a container to converge
 * becomes stop, remove, create, start). The decisions read the engine's models when they are
 * made, so they see what the actions before them did.
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <string.h>

#include "hatake-compose-project-private.h"
#include "hatake-compose-runner.h"
#include "hatake-error.h"
#include "hatake-json.h"

typedef enum
{
  ACTION_NETWORK_CREATE,
  ACTION_NETWORK_REMOVE,
  ACTION_VOLUME_CREATE,
  ACTION_VOLUME_REMOVE,
  ACTION_PULL,
  ACTION_CONVERGE,      /* decides what a replica needs and queues it */
  ACTION_CREATE,
  ACTION_START,
  ACTION_STOP,
  ACTION_RESTART,
  ACTION_REMOVE,
  ACTION_WAIT_COMPLETED,
  ACTION_WAIT_HEALTHY,
  ACTION_BATCH,         /* container actions run at once (independent services) */
} ActionKind;

typedef struct
{
  ActionKind             kind;
  char                  *name;      /* container, network, volume or image */
  char                  *service;
  guint                  number;
  GStrv                  labels;    /* network, volume create */
  char                  *driver;    /* volume create */
  GStrv                  options;   /* volume create: its driver_opts */
  char                  *subnet, *gateway, *ip_range;
  gboolean               internal;
  HatakeContainerConfig *config;    /* create */
  const char            *done;      /* the event once done, NULL for none */
  gboolean               recreated;
  GPtrArray             *batch;     /* of Action: a batch's, or the replicas a converge takes */
} Action;

static void
action_free (Action *a)
{
  g_free (a->name);
  g_free (a->service);
  g_strfreev (a->labels);
  g_free (a->driver);
  g_strfreev (a->options);
  g_free (a->subnet);
  g_free (a->gateway);
  g_free (a->ip_range);
  g_clear_pointer (&a->config, hatake_container_config_free);
  g_clear_pointer (&a->batch, g_ptr_array_unref);
  g_free (a);
}

static Action *
action_new (ActionKind kind, const char *name, const char *service)
{
  Action *a = g_new0 (Action, 1);

  a->kind = kind;
  a->name = g_strdup (name);
  a->service = g_strdup (service);
  return a;
}

typedef struct
{
  HatakeEngine           *engine;
  HatakeComposeProject   *project;
  HatakeComposeRunOptions options;
  GStrv                   services;
  GQueue                  actions;          /* of Action, the head next */
  Action                 *current;
  GHashTable             *exit_wanted;      /* services others wait to complete */
  GHashTable             *exits;            /* container name → exit code (GINT_TO_POINTER(code + 1)) */
  GHashTable             *exit_errors;      /* container name → GError */
  GHashTable             *created;          /* containers this job created and has not started */
  GHashTable             *watched;          /* containers whose exit is being waited for */
  GHashTable             *said_healthy;     /* containers whose "Healthy" event was sent */
  char                   *awaiting;         /* the container whose exit the head action waits for */
  guint                   pending;          /* container actions of the current one not done yet */
  guint                   next_item;        /* the next of its batch to run */
  GError                 *batch_error;      /* the first of their errors */
  guint                   health_timer;
  gboolean                warned_health;
  gboolean                done;
} Job;

static void
job_free (Job *job)
{
  g_queue_clear_full (&job->actions, (GDestroyNotify) action_free);
  g_clear_pointer (&job->current, action_free);
  g_clear_object (&job->engine);
  g_clear_object (&job->project);
  g_strfreev (job->services);
  g_clear_pointer (&job->exit_wanted, g_hash_table_unref);
  g_clear_pointer (&job->exits, g_hash_table_unref);
  g_clear_pointer (&job->exit_errors, g_hash_table_unref);
  g_clear_pointer (&job->created, g_hash_table_unref);
  g_clear_pointer (&job->watched, g_hash_table_unref);
  g_clear_pointer (&job->said_healthy, g_hash_table_unref);
  g_clear_error (&job->batch_error);
  g_clear_handle_id (&job->health_timer, g_source_remove);
  g_free (job->awaiting);
  g_free (job);
}

static void job_next (GTask *task);

static void
job_event (Job *job, const char *kind, const char *name, const char *status)
{
  if (job->options.event != NULL)
    job->options.event (kind, name, status, job->options.event_data);
}

static void
job_fail (GTask *task, GError *error)
{
  Job *job = g_task_get_task_data (task);

  job->done = TRUE;
  g_task_return_error (task, error);
}

/* The action that just ran: its event, then the next one. */
static void
job_done (GTask *task)
{
  Job *job = g_task_get_task_data (task);
  Action *a = job->current;

  if (a != NULL && a->done != NULL)
    {
      const char *kind = a->kind == ACTION_NETWORK_CREATE || a->kind == ACTION_NETWORK_REMOVE ? "Network"
                         : a->kind == ACTION_VOLUME_CREATE || a->kind == ACTION_VOLUME_REMOVE ? "Volume"
                         : a->kind == ACTION_PULL ? "Image" : "Container";
      job_event (job, kind, a->kind == ACTION_PULL ? a->service : a->name, a->done);
    }
  job_next (task);
}

/* ---- containers of a project --------------------------------------------------------------- */

static guint
container_number (HatakeContainer *c)
{
  const char *n = hatake_container_get_label (c, HATAKE_COMPOSE_NUMBER_LABEL);

  return n != NULL ? (guint) g_ascii_strtoull (n, NULL, 10) : 0;
}

static int
compare_containers (gconstpointer a, gconstpointer b)
{
  HatakeContainer *ca = *(HatakeContainer **) a, *cb = *(HatakeContainer **) b;
  int by_service = g_strcmp0 (hatake_container_get_label (ca, HATAKE_COMPOSE_SERVICE_LABEL),
                              hatake_container_get_label (cb, HATAKE_COMPOSE_SERVICE_LABEL));

  if (by_service != 0)
    return by_service;
  if (container_number (ca) != container_number (cb))
    return container_number (ca) < container_number (cb) ? -1 : 1;
  return g_strcmp0 (hatake_container_get_name (ca), hatake_container_get_name (cb));
}

GPtrArray *
hatake_compose_get_containers (HatakeEngine *engine,
                               const char   *project,
                               const char   *service,
                               gboolean      oneoff)
{
  GListModel *model;
  GPtrArray *out;

  g_return_val_if_fail (HATAKE_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (project != NULL, NULL);

  model = hatake_engine_get_containers (engine);
  out = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (model, i);
      HatakeContainerState state = hatake_container_get_state (c);

      if (g_strcmp0 (hatake_container_get_project (c), project) != 0 ||
          state == HATAKE_CONTAINER_REMOVING || state == HATAKE_CONTAINER_REMOVED)
        continue;
      if (service != NULL && g_strcmp0 (hatake_container_get_label (c, HATAKE_COMPOSE_SERVICE_LABEL), service) != 0)
        continue;
      if (!oneoff && g_strcmp0 (hatake_container_get_label (c, HATAKE_COMPOSE_ONEOFF_LABEL), "True") == 0)
        continue;
      g_ptr_array_add (out, g_steal_pointer (&c));
    }
  g_ptr_array_sort (out, compare_containers);
  return out;
}

/* The project's container of that name: never another's that has it (a `docker run --name`,
 * another project whose names run together with ours), nor one whose ID merely starts so. */
static HatakeContainer *
find_container (Job *job, const char *name)
{
  g_autoptr(HatakeContainer) c = hatake_engine_lookup_container (job->engine, name);

  if (c == NULL || hatake_container_get_state (c) == HATAKE_CONTAINER_REMOVING ||
      hatake_container_get_state (c) == HATAKE_CONTAINER_REMOVED ||
      g_strcmp0 (hatake_container_get_name (c), name) != 0 ||
      g_strcmp0 (hatake_container_get_project (c), hatake_compose_project_get_name (job->project)) != 0)
    return NULL;
  return g_steal_pointer (&c);
}

HatakeComposeHealth
hatake_compose_container_health (HatakeEngine    *engine,
                                 HatakeContainer *container)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (engine), HATAKE_COMPOSE_HEALTH_NONE);
  g_return_val_if_fail (HATAKE_IS_CONTAINER (container), HATAKE_COMPOSE_HEALTH_NONE);

  switch (hatake_container_get_health_status (container))
    {
    case HATAKE_HEALTH_STARTING: return HATAKE_COMPOSE_HEALTH_STARTING;
    case HATAKE_HEALTH_HEALTHY: return HATAKE_COMPOSE_HEALTH_HEALTHY;
    case HATAKE_HEALTH_UNHEALTHY: return HATAKE_COMPOSE_HEALTH_UNHEALTHY;
    case HATAKE_HEALTH_NONE:
    default: return HATAKE_COMPOSE_HEALTH_NONE;
    }
}

/* ---- the config hash ----------------------------------------------------------------------- */

char *
hatake_compose_config_hash (HatakeComposeProject *project,
                            HatakeComposeService *service)
{
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(GStrvBuilder) labels = g_strv_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  g_return_val_if_fail (HATAKE_IS_COMPOSE_PROJECT (project), NULL);
  g_return_val_if_fail (service != NULL, NULL);

  /* what all replicas share: the number (in the name and a label) left out */
  config = hatake_compose_project_container_config (project, service, 1);
  g_clear_pointer (&config->name, g_free);
  for (guint i = 0; config->labels != NULL && config->labels[i] != NULL; i++)
    if (!g_str_has_prefix (config->labels[i], HATAKE_COMPOSE_NUMBER_LABEL "="))
      g_strv_builder_add (labels, config->labels[i]);
  g_strfreev (config->labels);
  config->labels = g_strv_builder_end (labels);
  node = hatake_container_config_to_json (config);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

/* ---- actions ------------------------------------------------------------------------------- */

static void
on_network_op (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node G_GNUC_UNUSED = hatake_engine_network_op_finish (HATAKE_ENGINE (source), result, &error);

  if (error != NULL)
    {
      Job *job = g_task_get_task_data (task);

      /* down: a network another project's containers still use stays, said as docker
       * compose says it; the rest of down goes on */
      if (job->current->kind == ACTION_NETWORK_REMOVE &&
          (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY) || g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_CONFLICT)))
        {
          g_autofree char *message = g_strdup_printf ("network %s: %s", job->current->name, error->message);

          job_event (job, "Warning", message, NULL);
          job_done (task);
          return;
        }
      g_prefix_error (&error, "network %s: ", job->current->name);
      return job_fail (task, g_steal_pointer (&error));
    }
  job_done (task);
}

static void
on_volume_op (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node G_GNUC_UNUSED = hatake_engine_volume_op_finish (HATAKE_ENGINE (source), result, &error);

  if (error != NULL)
    {
      Job *job = g_task_get_task_data (task);
      g_prefix_error (&error, "volume %s: ", job->current->name);
      return job_fail (task, g_steal_pointer (&error));
    }
  job_done (task);
}

static void
on_pulled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeImage) image = hatake_engine_pull_finish (HATAKE_ENGINE (source), result, &error);

  if (image == NULL)
    return job_fail (task, g_error_new (error->domain, error->code, "service \"%s\": pulling %s: %s",
                                        job->current->service, job->current->name, error->message));
  job_done (task);
}

/* At most this many container actions of a batch run at once: each holds one of the engine's
 * worker threads while it waits for the host's network lock, and a pool of them all waiting
 * makes GLib grow it one thread per 100 ms or more. */
#define MAX_PARALLEL 4

static void run_item (GTask *task, Action *a);

/* One container action of the current action (itself, or one of its batch). */
typedef struct
{
  GTask  *task;
  Action *a;
  GError *start_error;    /* a failed start, while its container is removed */
} Item;

static void put_files (Item *item, HatakeContainer *c);

/* The item's event, or its error kept (the first one wins); once the last item of the current
 * action is done, the job goes on or fails. */
static void
item_finish (Item *item, GError *error)
{
  GTask *task = item->task;
  Job *job = g_task_get_task_data (task);

  if (error != NULL && job->batch_error == NULL)
    job->batch_error = error;
  else if (error != NULL)
    g_error_free (error);
  else if (item->a->done != NULL)
    job_event (job, "Container", item->a->name, item->a->done);
  g_free (item);
  g_assert (job->pending > 0);
  if (job->current->batch != NULL && job->next_item < job->current->batch->len && job->batch_error == NULL)
    run_item (task, g_ptr_array_index (job->current->batch, job->next_item++));
  else if (job->current->batch != NULL && job->batch_error != NULL)
    {
      /* after an error the rest of the batch does not run */
      job->pending -= job->current->batch->len - job->next_item;
      job->next_item = job->current->batch->len;
    }
  if (--job->pending == 0)
    {
      if (job->batch_error != NULL)
        job_fail (task, g_steal_pointer (&job->batch_error));
      else
        job_next (task);
    }
  g_object_unref (task);
}

static void
on_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Item *item = user_data;
  Job *job = g_task_get_task_data (item->task);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeContainer) c = hatake_engine_create_container_finish (HATAKE_ENGINE (source), result, &error);

  if (c == NULL)
    return item_finish (item, g_error_new (error->domain, error->code, "service \"%s\": creating %s: %s",
                                           item->a->service, item->a->name, error->message));
  g_hash_table_add (job->created, g_strdup (item->a->name));
  put_files (item, c);
}

/* A start that failed: the container it created goes again (see the header). */
static void
on_removed_after_failure (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Item *item = user_data;
  g_autoptr(JsonNode) node G_GNUC_UNUSED = hatake_engine_container_op_finish (HATAKE_ENGINE (source), result, NULL);

  item_finish (item, g_steal_pointer (&item->start_error));
}

/* The container the item created goes, and the item fails with error. */
static void
remove_after_failure (Item *item, GError *error)
{
  Job *job = g_task_get_task_data (item->task);
  HatakeContainerOpArgs args = { .timeout = -1, .force = TRUE };

  item->start_error = error;
  hatake_engine_container_op_async (job->engine, item->a->name, HATAKE_CONTAINER_OP_REMOVE, &args,
                                    g_task_get_cancellable (item->task), on_removed_after_failure, item);
}

static void
on_files_put (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Item *item = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) none G_GNUC_UNUSED = hatake_engine_container_archive_finish (HATAKE_ENGINE (source), result, NULL, &error);

  if (error != NULL)
    return remove_after_failure (item, g_error_new (error->domain, error->code,
                                                    "service \"%s\": writing its secrets and configs into %s: %s",
                                                    item->a->service, item->a->name, error->message));
  item_finish (item, NULL);
}

/* The secrets and configs given by environment or content, written into the new container
 * before it starts (those given by a file are bind mounts already). */
static void
put_files (Item *item, HatakeContainer *c)
{
  Job *job = g_task_get_task_data (item->task);
  HatakeComposeService *s = hatake_compose_project_get_service (job->project, item->a->service);
  GError *error = NULL;
  g_autoptr(GBytes) tar = s != NULL ? _hatake_compose_file_contents_tar (job->project, s, &error) : NULL;
  g_autoptr(GInputStream) stream = NULL;

  if (error != NULL)
    return remove_after_failure (item, error);
  if (tar == NULL)
    return item_finish (item, NULL);
  stream = g_memory_input_stream_new_from_bytes (tar);
  hatake_engine_container_archive_async (job->engine, hatake_container_get_id (c), HATAKE_ARCHIVE_PUT, "/", stream,
                                         HATAKE_ARCHIVE_KEEP_OWNERS, g_task_get_cancellable (item->task),
                                         on_files_put, item);
}

static void
on_container_op (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Item *item = user_data;
  Job *job = g_task_get_task_data (item->task);
  Action *a = item->a;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node G_GNUC_UNUSED = hatake_engine_container_op_finish (HATAKE_ENGINE (source), result, &error);

  if (error != NULL && a->kind == ACTION_REMOVE && g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND))
    g_clear_error (&error);
  if (error != NULL && a->kind == ACTION_START && g_hash_table_contains (job->created, a->name))
    return remove_after_failure (item, g_error_new (error->domain, error->code, "service \"%s\": starting %s: %s",
                                                    a->service, a->name, error->message));
  if (error != NULL)
    return item_finish (item, g_error_new (error->domain, error->code, "service \"%s\": %s: %s",
                                           a->service ? a->service : "?", a->name, error->message));
  if (a->kind == ACTION_START)
    g_hash_table_remove (job->created, a->name);
  item_finish (item, NULL);
}

/* The exit a later service may wait for, registered before the start so that none is missed. */
static void
on_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = g_steal_pointer (&((gpointer *) user_data)[0]);
  g_autofree char *name = ((gpointer *) user_data)[1];
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_engine_container_op_finish (HATAKE_ENGINE (source), result, &error);

  g_free (user_data);
  g_hash_table_remove (job->watched, name);
  if (node != NULL)
    g_hash_table_insert (job->exits, g_strdup (name),
                         GINT_TO_POINTER (json_object_get_int_member (json_node_get_object (node), "StatusCode") + 1));
  else
    g_hash_table_insert (job->exit_errors, g_strdup (name), g_steal_pointer (&error));
  if (!job->done && g_strcmp0 (job->awaiting, name) == 0)
    {
      g_clear_pointer (&job->awaiting, g_free);
      job_next (task);
    }
}

static void
watch_exit (GTask *task, const char *name)
{
  Job *job = g_task_get_task_data (task);
  gpointer *data = g_new0 (gpointer, 2);

  g_hash_table_remove (job->exits, name);
  g_hash_table_remove (job->exit_errors, name);
  g_hash_table_add (job->watched, g_strdup (name));
  data[0] = g_object_ref (task);
  data[1] = g_strdup (name);
  hatake_engine_container_op_async (job->engine, name, HATAKE_CONTAINER_OP_WAIT, NULL, NULL, on_exited, data);
}

/* How a replica gets to where up wants it: its steps added to PHASES (stop, remove, create,
 * start), each phase a batch run at once for the replicas of one dependency level. */
enum { PHASE_STOP, PHASE_REMOVE, PHASE_CREATE, PHASE_START, N_PHASES };

static void
converge (GTask *task, Action *a, GPtrArray **phases)
{
  Job *job = g_task_get_task_data (task);
  HatakeComposeService *s = hatake_compose_project_get_service (job->project, a->service);
  g_autoptr(HatakeContainer) c = find_container (job, a->name);
  g_autofree char *hash = hatake_compose_config_hash (job->project, s);
  gboolean running = c != NULL && (hatake_container_get_state (c) == HATAKE_CONTAINER_RUNNING ||
                                   hatake_container_get_state (c) == HATAKE_CONTAINER_RESTARTING);
  gboolean recreate = c != NULL && g_strcmp0 (hatake_container_get_label (c, HATAKE_COMPOSE_CONFIG_HASH_LABEL), hash) != 0;
  Action *step;

  if (c != NULL && !recreate && running)
    {
      job_event (job, "Container", a->name, "Running");
      return;
    }
  if (recreate)
    {
      g_ptr_array_add (phases[PHASE_STOP], action_new (ACTION_STOP, a->name, a->service));
      g_ptr_array_add (phases[PHASE_REMOVE], action_new (ACTION_REMOVE, a->name, a->service));
    }
  if (c == NULL || recreate)
    {
      g_autoptr(GStrvBuilder) labels = g_strv_builder_new ();
      g_autofree char *label = g_strconcat (HATAKE_COMPOSE_CONFIG_HASH_LABEL "=", hash, NULL);

      step = action_new (ACTION_CREATE, a->name, a->service);
      step->config = hatake_compose_project_container_config (job->project, s, a->number);
      g_strv_builder_addv (labels, (const char **) step->config->labels);
      g_strv_builder_add (labels, label);
      g_strfreev (step->config->labels);
      step->config->labels = g_strv_builder_end (labels);
      step->done = recreate ? "Recreated" : "Created";
      g_ptr_array_add (phases[PHASE_CREATE], step);
    }
  if (!job->options.no_start)
    {
      step = action_new (ACTION_START, a->name, a->service);
      step->done = "Started";
      g_ptr_array_add (phases[PHASE_START], step);
    }
}

/* The replicas of a dependency level: their phases queued at the head, in order. */
static void
converge_level (GTask *task, Action *a)
{
  Job *job = g_task_get_task_data (task);
  GPtrArray *phases[N_PHASES];

  for (guint k = 0; k < N_PHASES; k++)
    phases[k] = g_ptr_array_new_with_free_func ((GDestroyNotify) action_free);
  for (guint i = 0; i < a->batch->len; i++)
    converge (task, g_ptr_array_index (a->batch, i), phases);
  for (guint k = N_PHASES; k > 0; k--)
    {
      Action *batch;

      if (phases[k - 1]->len == 0)
        {
          g_ptr_array_unref (phases[k - 1]);
          continue;
        }
      batch = action_new (ACTION_BATCH, NULL, NULL);
      batch->batch = phases[k - 1];
      g_queue_push_head (&job->actions, batch);
    }
}

/* A container action, on its own or in a batch: item_finish counts it done. */
static void
run_item (GTask *task, Action *a)
{
  Job *job = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  HatakeContainerOpArgs args = { .timeout = job->options.timeout, .force = TRUE, .volumes = job->options.volumes };
  HatakeContainerOp op;
  Item *item = g_new0 (Item, 1);

  item->task = g_object_ref (task);
  item->a = a;
  if (a->kind == ACTION_CREATE)
    {
      hatake_engine_create_container_async (job->engine, a->config, cancellable, on_created, item);
      return;
    }
  op = a->kind == ACTION_START ? HATAKE_CONTAINER_OP_START
       : a->kind == ACTION_STOP ? HATAKE_CONTAINER_OP_STOP
       : a->kind == ACTION_RESTART ? HATAKE_CONTAINER_OP_RESTART
       : HATAKE_CONTAINER_OP_REMOVE;
  if (a->kind == ACTION_START && g_hash_table_contains (job->exit_wanted, a->service))
    watch_exit (task, a->name);
  hatake_engine_container_op_async (job->engine, a->name, op, &args, cancellable, on_container_op, item);
}

static gboolean
check_exit (GTask *task, const char *name)
{
  Job *job = g_task_get_task_data (task);
  Action *a = job->current;
  GError *error = g_hash_table_lookup (job->exit_errors, name);
  int code;

  if (error != NULL)
    {
      job_fail (task, g_error_new (error->domain, error->code, "service \"%s\": waiting for %s: %s",
                                   a->service, name, error->message));
      return FALSE;
    }
  code = GPOINTER_TO_INT (g_hash_table_lookup (job->exits, name)) - 1;
  if (code != 0)
    {
      job_fail (task, g_error_new (HATAKE_ERROR, HATAKE_ERROR_FAILED,
                                   "service \"%s\" didn't complete successfully: exit %d", a->service, code));
      return FALSE;
    }
  job_event (job, "Container", name, "Exited");
  return TRUE;
}

static gboolean
health_tick (gpointer user_data)
{
  GTask *task = user_data;
  Job *job = g_task_get_task_data (task);

  job->health_timer = 0;
  /* the action runs again: it reads the health once more */
  g_queue_push_head (&job->actions, g_steal_pointer (&job->current));
  job_next (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* service_healthy (a->name: the dependent service): each replica healthy; UNHEALTHY fails;
 * NONE (no healthcheck on the container) counts as started, said once. up --wait (a->name
 * NULL): each replica running, and healthy when it has a healthcheck; one that exited fails. */
static gboolean
wait_healthy (GTask *task, Action *a)
{
  Job *job = g_task_get_task_data (task);
  g_autoptr(GPtrArray) containers = hatake_compose_get_containers (job->engine, hatake_compose_project_get_name (job->project),
                                                                   a->service, FALSE);

  for (guint i = 0; i < containers->len; i++)
    {
      HatakeContainer *c = g_ptr_array_index (containers, i);
      HatakeContainerState state = hatake_container_get_state (c);

      if (a->name == NULL && (state == HATAKE_CONTAINER_EXITED || state == HATAKE_CONTAINER_DEAD))
        {
          job_fail (task, g_error_new (HATAKE_ERROR, HATAKE_ERROR_FAILED, "container %s exited (%d)",
                                       hatake_container_get_name (c), hatake_container_get_exit_code (c)));
          return FALSE;
        }
      if (a->name == NULL && state != HATAKE_CONTAINER_RUNNING)
        {
          job->health_timer = g_timeout_add (500, health_tick, g_object_ref (task));
          return FALSE;
        }
      switch (hatake_compose_container_health (job->engine, c))
        {
        case HATAKE_COMPOSE_HEALTH_NONE:
          if (a->name != NULL && !job->warned_health)
            {
              g_autofree char *message = g_strdup_printf ("service \"%s\" depends on \"%s\" being healthy, but it has "
                                                          "no healthcheck: it is only waited for to start",
                                                          a->name, a->service);
              job_event (job, "Warning", message, NULL);
              job->warned_health = TRUE;
            }
          break;
        case HATAKE_COMPOSE_HEALTH_HEALTHY:
          /* as docker compose prints it, once a container (the action runs again per tick) */
          if (g_hash_table_add (job->said_healthy, g_strdup (hatake_container_get_name (c))))
            job_event (job, "Container", hatake_container_get_name (c), "Healthy");
          break;
        case HATAKE_COMPOSE_HEALTH_UNHEALTHY:
          job_fail (task, g_error_new (HATAKE_ERROR, HATAKE_ERROR_FAILED, "%scontainer %s is unhealthy",
                                       a->name != NULL ? "dependency failed to start: " : "",
                                       hatake_container_get_name (c)));
          return FALSE;
        case HATAKE_COMPOSE_HEALTH_STARTING:
          job->health_timer = g_timeout_add (500, health_tick, g_object_ref (task));
          return FALSE;
        default:
          g_assert_not_reached ();
        }
    }
  return TRUE;
}

static void
job_next (GTask *task)
{
  Job *job = g_task_get_task_data (task);
  Action *a;
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  g_clear_pointer (&job->current, action_free);
  if (g_task_return_error_if_cancelled (task))
    {
      job->done = TRUE;
      return;
    }
  a = job->current = g_queue_pop_head (&job->actions);
  if (a == NULL)
    {
      job->done = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }
  switch (a->kind)
    {
    case ACTION_NETWORK_CREATE:
    case ACTION_NETWORK_REMOVE:
      {
        HatakeNetworkOpArgs args = { .name = a->name, .subnet = a->subnet, .gateway = a->gateway,
                                     .ip_range = a->ip_range, .internal = a->internal,
                                     .labels = (const char * const *) a->labels };

        hatake_engine_network_op_async (job->engine, a->kind == ACTION_NETWORK_CREATE ? HATAKE_NETWORK_OP_CREATE
                                                                                       : HATAKE_NETWORK_OP_REMOVE,
                                        &args, cancellable, on_network_op, g_object_ref (task));
      }
      return;
    case ACTION_VOLUME_CREATE:
    case ACTION_VOLUME_REMOVE:
      {
        HatakeVolumeOpArgs args = { .name = a->name, .labels = (const char * const *) a->labels, .driver = a->driver,
                                    .options = (const char * const *) a->options };

        hatake_engine_volume_op_async (job->engine, a->kind == ACTION_VOLUME_CREATE ? HATAKE_VOLUME_OP_CREATE
                                                                                     : HATAKE_VOLUME_OP_REMOVE,
                                       &args, cancellable, on_volume_op, g_object_ref (task));
      }
      return;
    case ACTION_PULL:
      {
        g_autoptr(HatakeImage) image = hatake_engine_lookup_image (job->engine, a->name);
        g_autoptr(HatakePull) pull = NULL;

        if (image != NULL)
          break;
        pull = hatake_pull_new (a->name);
        job_event (job, "Image", a->service, "Pulling");
        hatake_engine_pull_async (job->engine, a->name, NULL, pull, cancellable, on_pulled, g_object_ref (task));
      }
      return;
    case ACTION_CONVERGE:
      converge_level (task, a);
      break;
    case ACTION_CREATE:
    case ACTION_START:
    case ACTION_STOP:
    case ACTION_RESTART:
    case ACTION_REMOVE:
      job->pending = 1;
      run_item (task, a);
      return;
    case ACTION_BATCH:
      if (a->batch->len == 0)
        break;
      job->pending = a->batch->len;
      for (job->next_item = 0; job->next_item < MIN (a->batch->len, MAX_PARALLEL);)
        run_item (task, g_ptr_array_index (a->batch, job->next_item++));
      return;
    case ACTION_WAIT_COMPLETED:
      {
        g_autoptr(GPtrArray) containers = hatake_compose_get_containers (job->engine,
                                                                         hatake_compose_project_get_name (job->project),
                                                                         a->service, FALSE);

        for (guint i = 0; i < containers->len; i++)
          {
            const char *name = hatake_container_get_name (g_ptr_array_index (containers, i));

            if (g_hash_table_contains (job->exits, name) || g_hash_table_contains (job->exit_errors, name))
              {
                if (!check_exit (task, name))
                  return;
                continue;
              }
            /* not started by this job (it was running): its exit is waited for now */
            g_free (job->awaiting);
            job->awaiting = g_strdup (name);
            if (!g_hash_table_contains (job->watched, name))
              watch_exit (task, name);
            job_event (job, "Container", name, "Waiting");
            /* on_exited runs this action again */
            g_queue_push_head (&job->actions, g_steal_pointer (&job->current));
            return;
          }
      }
      break;
    case ACTION_WAIT_HEALTHY:
      if (!wait_healthy (task, a))
        return;
      break;
    default:
      g_assert_not_reached ();
    }
  if (error != NULL)
    return job_fail (task, error);
  job_done (task);
}

/* ---- up ------------------------------------------------------------------------------------ */

static Job *
job_new (HatakeEngine *engine, HatakeComposeProject *project, const HatakeComposeRunOptions *options)
{
  Job *job = g_new0 (Job, 1);
  HatakeComposeRunOptions defaults = HATAKE_COMPOSE_RUN_OPTIONS_INIT;

  job->engine = g_object_ref (engine);
  job->project = g_object_ref (project);
  job->options = options ? *options : defaults;
  job->services = g_strdupv ((GStrv) job->options.services);
  job->options.services = (const char * const *) job->services;
  g_queue_init (&job->actions);
  job->exit_wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  job->exits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  job->exit_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_error_free);
  job->created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  job->watched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  job->said_healthy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return job;
}

/* The names the engine has in a list op's answer (an array, or {"Volumes": […]}); with project,
 * only those labelled as that project's (down takes away what the project made, never
 * another's of the same name). */
static GHashTable *
names_of (JsonNode   *node,
          const char *project)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *array = NULL;

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    array = json_node_get_array (node);
  else if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) && json_object_has_member (json_node_get_object (node), "Volumes") &&
           JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (node), "Volumes")))
    array = json_object_get_array_member (json_node_get_object (node), "Volumes");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      const char *owner = hatake_json_string (hatake_json_object_member (o, "Labels"), "com.docker.compose.project");

      if (o != NULL && hatake_json_string (o, "Name") != NULL && (project == NULL || g_strcmp0 (owner, project) == 0))
        g_hash_table_add (names, g_strdup (hatake_json_string (o, "Name")));
    }
  return names;
}

/* Each service's dependency level: 0 when it depends on none of the project's services, else
 * one more than the highest of those it depends on. The services of one level do not depend
 * on each other: their containers are created, started, stopped and removed at once. */
static GHashTable *
service_levels (HatakeComposeProject *project)
{
  g_autoptr(GPtrArray) order = hatake_compose_project_get_order (project);
  GHashTable *levels = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < order->len; i++)
    {
      HatakeComposeService *s = g_ptr_array_index (order, i);
      guint level = 0;

      for (guint j = 0; j < s->depends_on->len; j++)
        {
          gpointer dep;

          if (g_hash_table_lookup_extended (levels, ((HatakeComposeDependency *) g_ptr_array_index (s->depends_on, j))->service,
                                            NULL, &dep))
            level = MAX (level, GPOINTER_TO_UINT (dep) + 1);
        }
      g_hash_table_insert (levels, s->name, GUINT_TO_POINTER (level));
    }
  return levels;
}

/* A service's level; G_MAXUINT for one the files do not have (an orphan). */
static guint
level_of (GHashTable *levels, const char *service)
{
  gpointer level;

  if (service != NULL && g_hash_table_lookup_extended (levels, service, NULL, &level))
    return GPOINTER_TO_UINT (level);
  return G_MAXUINT;
}

/* The services up runs: those asked for and what they depend on, in dependency order. */
static GPtrArray *
selected_services (HatakeComposeProject *project, const char * const *wanted)
{
  g_autoptr(GPtrArray) order = hatake_compose_project_get_order (project);
  g_autoptr(GHashTable) chosen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *out;

  if (wanted == NULL)
    return g_steal_pointer (&order);
  out = g_ptr_array_new ();
  for (guint i = 0; wanted[i] != NULL; i++)
    g_hash_table_add (chosen, (gpointer) wanted[i]);
  /* in reverse order, each chosen service chooses what it depends on */
  for (guint i = order->len; i > 0; i--)
    {
      HatakeComposeService *s = g_ptr_array_index (order, i - 1);

      if (!g_hash_table_contains (chosen, s->name))
        continue;
      for (guint j = 0; j < s->depends_on->len; j++)
        g_hash_table_add (chosen, ((HatakeComposeDependency *) g_ptr_array_index (s->depends_on, j))->service);
    }
  for (guint i = 0; i < order->len; i++)
    if (g_hash_table_contains (chosen, ((HatakeComposeService *) g_ptr_array_index (order, i))->name))
      g_ptr_array_add (out, g_ptr_array_index (order, i));
  return out;
}

static GStrv
resource_labels (const char *project, const char *kind, const char *key, GStrv extra)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autofree char *p = g_strconcat ("com.docker.compose.project=", project, NULL);
  g_autofree char *k = g_strconcat ("com.docker.compose.", kind, "=", key, NULL);

  if (extra != NULL)
    g_strv_builder_addv (b, (const char **) extra);
  g_strv_builder_add_many (b, k, p, "com.docker.compose.version=" HATAKE_COMPOSE_VERSION, NULL);
  return g_strv_builder_end (b);
}

/* up and down plan from the engine's networks and volumes, listed first */
typedef void (*PlanFunc) (GTask *task, JsonNode *networks, JsonNode *volumes);

typedef struct
{
  GTask     *task;
  PlanFunc   plan;
  JsonNode  *networks;
} UpLists;

static void
plan_up (GTask *task, JsonNode *networks, JsonNode *volumes)
{
  Job *job = g_task_get_task_data (task);
  HatakeComposeProject *p = job->project;
  const char *project = hatake_compose_project_get_name (p);
  g_autoptr(GHashTable) network_names = names_of (networks, NULL);
  g_autoptr(GHashTable) volume_names = names_of (volumes, NULL);
  g_autoptr(GPtrArray) services = selected_services (p, job->options.services);
  g_autoptr(GHashTable) levels = NULL;
  guint top = 0;
  GPtrArray *list;

  list = hatake_compose_project_get_networks (p);
  for (guint i = 0; i < list->len; i++)
    {
      HatakeComposeNetwork *n = g_ptr_array_index (list, i);
      Action *a;

      if (g_hash_table_contains (network_names, n->name))
        continue;
      if (n->external)
        return job_fail (task, g_error_new (HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                                            "network %s declared as external, but could not be found", n->name));
      a = action_new (ACTION_NETWORK_CREATE, n->name, NULL);
      a->labels = resource_labels (project, "network", n->key, n->labels);
      a->internal = n->internal;
      if (n->ipam != NULL && n->ipam->len > 0)
        {
          HatakeComposeIpam *ipam = g_ptr_array_index (n->ipam, 0);

          a->subnet = g_strdup (ipam->subnet);
          a->gateway = g_strdup (ipam->gateway);
          a->ip_range = g_strdup (ipam->ip_range);
        }
      a->done = "Created";
      g_queue_push_tail (&job->actions, a);
    }
  list = hatake_compose_project_get_volumes (p);
  for (guint i = 0; i < list->len; i++)
    {
      HatakeComposeVolume *v = g_ptr_array_index (list, i);
      Action *a;

      if (g_hash_table_contains (volume_names, v->name))
        continue;
      if (v->external)
        return job_fail (task, g_error_new (HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                                            "external volume \"%s\" not found", v->name));
      a = action_new (ACTION_VOLUME_CREATE, v->name, NULL);
      a->labels = resource_labels (project, "volume", v->key, v->labels);
      a->driver = g_strdup (v->driver);
      a->options = g_strdupv (v->driver_opts);
      a->done = "Created";
      g_queue_push_tail (&job->actions, a);
    }
  for (guint i = 0; i < services->len; i++)
    {
      HatakeComposeService *s = g_ptr_array_index (services, i);
      g_autofree char *image = hatake_compose_project_image_name (p, s);
      g_autoptr(HatakeImage) present = hatake_engine_lookup_image (job->engine, image);
      Action *a;

      if (present != NULL)
        continue;
      if (s->image == NULL)
        return job_fail (task, g_error_new (HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                                            "service \"%s\" has to be built: building images is not supported yet",
                                            s->name));
      if (g_strcmp0 (s->pull_policy, "never") == 0)
        return job_fail (task, g_error_new (HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND,
                                            "service \"%s\": no such image: %s (pull_policy: never)", s->name, image));
      a = action_new (ACTION_PULL, image, s->name);
      a->done = "Pulled";
      g_queue_push_tail (&job->actions, a);
    }
  for (guint i = 0; i < services->len; i++)
    {
      HatakeComposeService *s = g_ptr_array_index (services, i);

      for (guint j = 0; j < s->depends_on->len; j++)
        {
          HatakeComposeDependency *d = g_ptr_array_index (s->depends_on, j);

          if (hatake_compose_project_get_service (p, d->service) == NULL)
            continue;
          if (d->condition == HATAKE_COMPOSE_CONDITION_COMPLETED_SUCCESSFULLY)
            g_hash_table_add (job->exit_wanted, g_strdup (d->service));
        }
    }
  levels = service_levels (p);
  for (guint i = 0; i < services->len; i++)
    top = MAX (top, level_of (levels, ((HatakeComposeService *) g_ptr_array_index (services, i))->name));
  /* level by level: the conditions the level waits for, its replicas at once, then the replicas
   * beyond a service's count (scaled down) */
  for (guint level = 0; level <= top; level++)
    {
      Action *converge = action_new (ACTION_CONVERGE, NULL, NULL);

      converge->batch = g_ptr_array_new_with_free_func ((GDestroyNotify) action_free);
      for (guint i = 0; i < services->len; i++)
        {
          HatakeComposeService *s = g_ptr_array_index (services, i);

          if (level_of (levels, s->name) != level)
            continue;
          for (guint j = 0; j < s->depends_on->len; j++)
            {
              HatakeComposeDependency *d = g_ptr_array_index (s->depends_on, j);
              Action *a;

              if (hatake_compose_project_get_service (p, d->service) == NULL ||
                  d->condition == HATAKE_COMPOSE_CONDITION_STARTED || job->options.no_start)
                continue;
              a = action_new (d->condition == HATAKE_COMPOSE_CONDITION_HEALTHY ? ACTION_WAIT_HEALTHY
                                                                               : ACTION_WAIT_COMPLETED,
                              s->name, d->service);
              g_queue_push_tail (&job->actions, a);
            }
          for (int n = 1; n <= s->replicas; n++)
            {
              g_autofree char *name = hatake_compose_project_container_name (p, s, (guint) n);
              Action *a = action_new (ACTION_CONVERGE, name, s->name);

              a->number = (guint) n;
              g_ptr_array_add (converge->batch, a);
            }
        }
      g_queue_push_tail (&job->actions, converge);
      for (guint i = 0; i < services->len; i++)
        {
          HatakeComposeService *s = g_ptr_array_index (services, i);
          g_autoptr(GPtrArray) existing = NULL;

          if (level_of (levels, s->name) != level)
            continue;
          existing = hatake_compose_get_containers (job->engine, project, s->name, FALSE);
          for (guint k = 0; k < existing->len; k++)
            {
              HatakeContainer *c = g_ptr_array_index (existing, k);
              Action *a;

              if (container_number (c) <= (guint) MAX (s->replicas, 0))
                continue;
              g_queue_push_tail (&job->actions, action_new (ACTION_STOP, hatake_container_get_name (c), s->name));
              a = action_new (ACTION_REMOVE, hatake_container_get_name (c), s->name);
              a->done = "Removed";
              g_queue_push_tail (&job->actions, a);
            }
        }
    }
  /* up --wait: every service's containers running (healthy with a healthcheck) */
  for (guint i = 0; job->options.wait && !job->options.no_start && i < services->len; i++)
    g_queue_push_tail (&job->actions,
                       action_new (ACTION_WAIT_HEALTHY, NULL, ((HatakeComposeService *) g_ptr_array_index (services, i))->name));
  job_next (task);
}

static void
on_volumes_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  UpLists *lists = user_data;
  g_autoptr(GTask) task = lists->task;
  g_autoptr(JsonNode) networks = lists->networks;
  PlanFunc plan = lists->plan;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) volumes = hatake_engine_volume_op_finish (HATAKE_ENGINE (source), result, &error);

  g_free (lists);
  if (volumes == NULL)
    return job_fail (task, g_steal_pointer (&error));
  plan (task, networks, volumes);
}

static void
on_networks_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  UpLists *lists = user_data;
  g_autoptr(GError) error = NULL;
  HatakeVolumeOpArgs args = { 0 };

  lists->networks = hatake_engine_network_op_finish (HATAKE_ENGINE (source), result, &error);
  if (lists->networks == NULL)
    {
      GTask *task = lists->task;

      g_free (lists);
      job_fail (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  hatake_engine_volume_op_async (HATAKE_ENGINE (source), HATAKE_VOLUME_OP_LIST, &args,
                                 g_task_get_cancellable (lists->task), on_volumes_listed, lists);
}

/* The engine's networks and volumes listed, then PLAN (TASK is taken) */
static void
list_then_plan (HatakeEngine *engine, GTask *task, PlanFunc plan)
{
  UpLists *lists = g_new0 (UpLists, 1);
  HatakeNetworkOpArgs args = { 0 };

  lists->task = task;
  lists->plan = plan;
  hatake_engine_network_op_async (engine, HATAKE_NETWORK_OP_LIST, &args, g_task_get_cancellable (task),
                                  on_networks_listed, lists);
}

void
hatake_compose_up_async (HatakeEngine                  *engine,
                         HatakeComposeProject          *project,
                         const HatakeComposeRunOptions *options,
                         GCancellable                  *cancellable,
                         GAsyncReadyCallback            callback,
                         gpointer                       user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HATAKE_IS_ENGINE (engine));
  g_return_if_fail (HATAKE_IS_COMPOSE_PROJECT (project));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_compose_up_async);
  g_task_set_task_data (task, job_new (engine, project, options), (GDestroyNotify) job_free);
  for (guint i = 0; options != NULL && options->services != NULL && options->services[i] != NULL; i++)
    if (hatake_compose_project_get_service (project, options->services[i]) == NULL)
      {
        g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, "no such service: %s", options->services[i]);
        return;
      }
  list_then_plan (engine, g_steal_pointer (&task), plan_up);
}

gboolean
hatake_compose_up_finish (HatakeEngine  *engine,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- start, stop, restart, down ------------------------------------------------------------ */

/* The project's containers in the order OP takes them: by the services' dependency order
 * (reverse for stop and down), orphans (services not in the files) first when stopping. */
static GPtrArray *
ordered_containers (Job *job, HatakeComposeOp op, gboolean *orphans_found)
{
  const char *project = hatake_compose_project_get_name (job->project);
  g_autoptr(GPtrArray) order = hatake_compose_project_get_order (job->project);
  g_autoptr(GPtrArray) all = hatake_compose_get_containers (job->engine, project, NULL, op == HATAKE_COMPOSE_OP_DOWN);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean reverse = op == HATAKE_COMPOSE_OP_STOP || op == HATAKE_COMPOSE_OP_DOWN;

  *orphans_found = FALSE;
  if (reverse)
    for (guint i = 0; i < all->len; i++)
      {
        HatakeContainer *c = g_ptr_array_index (all, i);
        const char *service = hatake_container_get_label (c, HATAKE_COMPOSE_SERVICE_LABEL);

        if (service != NULL && hatake_compose_project_get_service (job->project, service) != NULL)
          continue;
        *orphans_found = TRUE;
        if (job->options.remove_orphans)
          g_ptr_array_add (out, g_object_ref (c));
      }
  for (guint k = 0; k < order->len; k++)
    {
      HatakeComposeService *s = g_ptr_array_index (order, reverse ? order->len - 1 - k : k);

      if (job->services != NULL && !g_strv_contains ((const char * const *) job->services, s->name))
        continue;
      for (guint i = 0; i < all->len; i++)
        if (g_strcmp0 (hatake_container_get_label (g_ptr_array_index (all, i), HATAKE_COMPOSE_SERVICE_LABEL), s->name) == 0)
          g_ptr_array_add (out, g_object_ref (g_ptr_array_index (all, i)));
    }
  return out;
}

typedef struct
{
  GHashTable *levels;
  gboolean    reverse;
} LevelOrder;

static int
compare_levels (gconstpointer a, gconstpointer b, gpointer user_data)
{
  LevelOrder *o = user_data;
  guint la = level_of (o->levels, hatake_container_get_label (*(HatakeContainer **) a, HATAKE_COMPOSE_SERVICE_LABEL));
  guint lb = level_of (o->levels, hatake_container_get_label (*(HatakeContainer **) b, HATAKE_COMPOSE_SERVICE_LABEL));

  if (la == lb)
    return 0;
  return (la < lb) != o->reverse ? -1 : 1;
}

static Action *
batch_new (void)
{
  Action *batch = action_new (ACTION_BATCH, NULL, NULL);

  batch->batch = g_ptr_array_new_with_free_func ((GDestroyNotify) action_free);
  return batch;
}

/* CONTAINERS (in ordered_containers' order) cut into dependency levels, the last to start first
 * when REVERSE (orphans before all): returns where the level starting at START ends. The sort
 * is stable, so a level keeps the services' order. */
static guint
level_end (GPtrArray *containers, GHashTable *levels, guint start)
{
  HatakeContainer *first = g_ptr_array_index (containers, start);
  guint level = level_of (levels, hatake_container_get_label (first, HATAKE_COMPOSE_SERVICE_LABEL));
  guint end = start + 1;

  while (end < containers->len &&
         level_of (levels, hatake_container_get_label (g_ptr_array_index (containers, end),
                                                       HATAKE_COMPOSE_SERVICE_LABEL)) == level)
    end++;
  return end;
}

static GPtrArray *
containers_by_level (Job *job, HatakeComposeOp op, gboolean *orphans_found, GHashTable **levels)
{
  GPtrArray *containers = ordered_containers (job, op, orphans_found);
  LevelOrder order = { NULL, op == HATAKE_COMPOSE_OP_STOP || op == HATAKE_COMPOSE_OP_DOWN };

  order.levels = *levels = service_levels (job->project);
  g_ptr_array_sort_with_data (containers, compare_levels, &order);
  return containers;
}

static void
plan_down (GTask *task, JsonNode *networks, JsonNode *volumes)
{
  Job *job = g_task_get_task_data (task);
  HatakeComposeProject *p = job->project;
  g_autoptr(GHashTable) network_names = names_of (networks, hatake_compose_project_get_name (p));
  g_autoptr(GHashTable) volume_names = names_of (volumes, hatake_compose_project_get_name (p));
  gboolean orphans = FALSE;
  g_autoptr(GHashTable) levels = NULL;
  g_autoptr(GPtrArray) containers = containers_by_level (job, HATAKE_COMPOSE_OP_DOWN, &orphans, &levels);
  GPtrArray *list;

  if (orphans && !job->options.remove_orphans)
    {
      g_autofree char *message = g_strdup_printf ("Found orphan containers for this project. If you removed or renamed "
                                                  "this service in your compose file, you can run this command with "
                                                  "the --remove-orphans flag to clean it up.");
      job_event (job, "Warning", message, NULL);
    }
  /* a level at a time: its running containers stopped at once, then all of it removed */
  for (guint i = 0, end; i < containers->len; i = end)
    {
      Action *stops = batch_new (), *removes = batch_new ();

      end = level_end (containers, levels, i);
      for (guint k = i; k < end; k++)
        {
          HatakeContainer *c = g_ptr_array_index (containers, k);
          const char *service = hatake_container_get_label (c, HATAKE_COMPOSE_SERVICE_LABEL);
          HatakeContainerState state = hatake_container_get_state (c);
          Action *a;

          if (state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_PAUSED ||
              state == HATAKE_CONTAINER_RESTARTING)
            {
              a = action_new (ACTION_STOP, hatake_container_get_name (c), service);
              a->done = "Stopped";
              g_ptr_array_add (stops->batch, a);
            }
          a = action_new (ACTION_REMOVE, hatake_container_get_name (c), service);
          a->done = "Removed";
          g_ptr_array_add (removes->batch, a);
        }
      g_queue_push_tail (&job->actions, stops);
      g_queue_push_tail (&job->actions, removes);
    }
  /* what the files declare, when it is the project's (its label says so), or else its name does */
  list = hatake_compose_project_get_networks (p);
  for (guint i = 0; i < list->len; i++)
    {
      HatakeComposeNetwork *n = g_ptr_array_index (list, i);
      Action *a;

      if (n->external || !g_hash_table_contains (network_names, n->name))
        continue;
      a = action_new (ACTION_NETWORK_REMOVE, n->name, NULL);
      a->done = "Removed";
      g_queue_push_tail (&job->actions, a);
    }
  list = hatake_compose_project_get_volumes (p);
  for (guint i = 0; job->options.volumes && i < list->len; i++)
    {
      HatakeComposeVolume *v = g_ptr_array_index (list, i);
      Action *a;

      if (v->external || !g_hash_table_contains (volume_names, v->name))
        continue;
      a = action_new (ACTION_VOLUME_REMOVE, v->name, NULL);
      a->done = "Removed";
      g_queue_push_tail (&job->actions, a);
    }
  job_next (task);
}

void
hatake_compose_op_async (HatakeEngine                  *engine,
                         HatakeComposeProject          *project,
                         HatakeComposeOp                op,
                         const HatakeComposeRunOptions *options,
                         GCancellable                  *cancellable,
                         GAsyncReadyCallback            callback,
                         gpointer                       user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) containers = NULL;
  g_autoptr(GHashTable) levels = NULL;
  gboolean orphans = FALSE;
  Job *job;

  g_return_if_fail (HATAKE_IS_ENGINE (engine));
  g_return_if_fail (HATAKE_IS_COMPOSE_PROJECT (project));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, hatake_compose_op_async);
  job = job_new (engine, project, options);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  if (op == HATAKE_COMPOSE_OP_DOWN)
    {
      list_then_plan (engine, g_steal_pointer (&task), plan_down);
      return;
    }
  containers = containers_by_level (job, op, &orphans, &levels);
  for (guint i = 0, end; i < containers->len; i = end)
    {
      Action *batch = batch_new ();

      end = level_end (containers, levels, i);
      for (guint k = i; k < end; k++)
        {
          HatakeContainer *c = g_ptr_array_index (containers, k);
          HatakeContainerState state = hatake_container_get_state (c);
          gboolean running = state == HATAKE_CONTAINER_RUNNING || state == HATAKE_CONTAINER_RESTARTING ||
                             state == HATAKE_CONTAINER_PAUSED;
          Action *a;

          if ((op == HATAKE_COMPOSE_OP_START && running) || (op == HATAKE_COMPOSE_OP_STOP && !running))
            continue;
          a = action_new (op == HATAKE_COMPOSE_OP_START ? ACTION_START : op == HATAKE_COMPOSE_OP_STOP ? ACTION_STOP
                                                                                                      : ACTION_RESTART,
                          hatake_container_get_name (c), hatake_container_get_label (c, HATAKE_COMPOSE_SERVICE_LABEL));
          a->done = op == HATAKE_COMPOSE_OP_START ? "Started" : op == HATAKE_COMPOSE_OP_STOP ? "Stopped" : "Restarted";
          g_ptr_array_add (batch->batch, a);
        }
      g_queue_push_tail (&job->actions, batch);
    }
  job_next (task);
}

gboolean
hatake_compose_op_finish (HatakeEngine  *engine,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
