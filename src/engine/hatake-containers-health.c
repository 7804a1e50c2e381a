/* hatake-containers-health.c: healthchecks, probed as docker's daemon probes them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A running container with a healthcheck has one timer: when it fires, its test runs as an exec
 * in the container (CMD: its argv; CMD-SHELL: /bin/sh -c LINE) with a timeout of its own; the
 * result goes into the container's health log and status (docker's handleProbeResult), and the
 * timer is set again from the probe's end. No timer for the others, and nothing ever blocks: the
 * exec and its output are async. Health is kept in memory only: an engine that starts again finds
 * its running containers starting, and probes them.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <string.h>

#include "hatake-containers-private.h"
#include "hatake-json.h"

struct _HealthProbe
{
  HatakeContainers *self;
  HatakeContainer  *container;
  GCancellable     *cancellable;
  GString          *output;      /* stdout and stderr as they come, HATAKE_HEALTH_MAX_OUTPUT kept */
  GInputStream     *pipes[2];
  char              buffer[2][1024];
  gint64            start;
  gint64            timeout;     /* µs */
  guint             timer;       /* the timeout */
  guint             pending;     /* the exec and each pipe until its end */
  int               exit_code;
  char             *failure;     /* the exec could not run: why */
  gboolean          reported;    /* timed out or abandoned: what still comes is dropped */
};

static void
probe_free (HealthProbe *probe)
{
  g_clear_handle_id (&probe->timer, g_source_remove);
  g_clear_object (&probe->self);
  g_clear_object (&probe->container);
  g_clear_object (&probe->cancellable);
  g_clear_object (&probe->pipes[0]);
  g_clear_object (&probe->pipes[1]);
  g_string_free (probe->output, TRUE);
  g_free (probe->failure);
  g_free (probe);
}

static const HatakeHealthConfig *
entry_health (Entry *entry)
{
  return hatake_health_config_is_enabled (entry->config->healthcheck) ? entry->config->healthcheck : NULL;
}

static gint64
or_default (gint64 value,
            gint64 fallback)
{
  return value > 0 ? value : fallback;
}

/* Go's time.Duration.String() for what docker's timeout message prints: "30s", "1.5s", "300ms" */
static char *
go_duration (gint64 usec)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gint64 hours = usec / (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  gint64 minutes = usec / (60 * G_USEC_PER_SEC) % 60;
  gint64 rest = usec % (60 * G_USEC_PER_SEC);

  if (usec < 1000)
    return g_strdup_printf ("%" G_GINT64_FORMAT "µs", usec);
  if (usec < G_USEC_PER_SEC)
    {
      g_string_printf (text, "%.3f", usec / 1000.0);
      while (text->str[text->len - 1] == '0')
        g_string_truncate (text, text->len - 1);
      if (text->str[text->len - 1] == '.')
        g_string_truncate (text, text->len - 1);
      g_string_append (text, "ms");
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  if (hours > 0)
    g_string_append_printf (text, "%" G_GINT64_FORMAT "h", hours);
  if (hours > 0 || minutes > 0)
    g_string_append_printf (text, "%" G_GINT64_FORMAT "m", minutes);
  g_string_append_printf (text, "%" G_GINT64_FORMAT, rest / G_USEC_PER_SEC);
  if (rest % G_USEC_PER_SEC != 0)
    {
      g_autofree char *fraction = g_strdup_printf ("%06" G_GINT64_FORMAT, rest % G_USEC_PER_SEC);
      gsize n = strlen (fraction);

      while (n > 0 && fraction[n - 1] == '0')
        fraction[--n] = '\0';
      g_string_append_printf (text, ".%s", fraction);
    }
  g_string_append_c (text, 's');
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean on_health_timer (gpointer user_data);

/* The next probe, an interval from now: the start interval while starting within the start
 * period (docker's getInterval), else the interval. */
static void
schedule (HatakeContainers *self,
          Entry            *entry)
{
  const HatakeHealthConfig *h = entry_health (entry);
  HatakeContainer *c = entry->container;
  gint64 delay;

  g_assert (h != NULL);
  g_clear_handle_id (&entry->health_timer, g_source_remove);
  delay = or_default (h->interval, HATAKE_HEALTH_DEFAULT_INTERVAL);
  if (g_get_real_time () - hatake_container_get_started_at (c) < h->start_period &&
      hatake_container_get_health_status (c) == HATAKE_HEALTH_STARTING)
    delay = or_default (h->start_interval, HATAKE_HEALTH_DEFAULT_START_INTERVAL);
  entry->health_owner = self;
  entry->health_timer = g_timeout_add (MAX (delay / 1000, 1), on_health_timer, entry);
}

/* docker's handleProbeResult */
static void
probe_report (HealthProbe *probe,
              int          exit_code,
              const char  *output)
{
  HatakeContainers *self = probe->self;
  HatakeContainer *c = probe->container;
  Entry *entry = _hatake_containers_entry_for (self, c);
  g_autoptr(HatakeHealthResult) result = NULL;
  const HatakeHealthConfig *h;
  HatakeHealthStatus status;
  guint streak;

  g_assert (!probe->reported);
  probe->reported = TRUE;
  g_clear_handle_id (&probe->timer, g_source_remove);
  if (entry == NULL || entry->health_probe != probe)
    return;
  entry->health_probe = NULL;
  h = entry_health (entry);
  if (h == NULL || hatake_container_get_state (c) != HATAKE_CONTAINER_RUNNING)
    return;

  result = hatake_health_result_new (probe->start, g_get_real_time (), exit_code, output);
  hatake_container_add_health_result (c, result);
  status = hatake_container_get_health_status (c);
  streak = hatake_container_get_health_failing_streak (c);
  if (exit_code == 0)
    {
      status = HATAKE_HEALTH_HEALTHY;
      streak = 0;
    }
  /* a failure while starting, within the start period, does not count */
  else if (status != HATAKE_HEALTH_STARTING ||
           probe->start - hatake_container_get_started_at (c) >= h->start_period)
    {
      streak++;
      if (streak >= (guint) or_default (h->retries, HATAKE_HEALTH_DEFAULT_RETRIES))
        status = HATAKE_HEALTH_UNHEALTHY;
    }
  g_debug ("%s: probe exited %d: %s (failing streak %u)", hatake_container_get_id (c), exit_code,
           hatake_health_status_to_string (status), streak);
  hatake_container_set_health (c, status, streak);
  schedule (self, entry);
}

/* The exec and both pipes are done: the result, unless it was reported already. Frees the probe. */
static void
probe_settle (HealthProbe *probe)
{
  g_assert (probe->pending > 0);
  if (--probe->pending > 0)
    return;
  if (!probe->reported)
    probe_report (probe, probe->failure ? -1 : probe->exit_code,
                  probe->failure ? probe->failure : probe->output->str);
  probe_free (probe);
}

static gboolean
on_probe_timeout (gpointer user_data)
{
  HealthProbe *probe = user_data;
  g_autofree char *timeout = go_duration (probe->timeout);
  g_autofree char *message = g_strdup_printf ("Health check exceeded timeout (%s)", timeout);

  probe->timer = 0;
  probe_report (probe, -1, message);
  /* the probe's process is killed (in the container, not only crun exec), as docker does */
  g_cancellable_cancel (probe->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_probe_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  HealthProbe *probe = user_data;
  guint which = G_INPUT_STREAM (source) == probe->pipes[0] ? 0 : 1;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0)
    {
      probe_settle (probe);
      return;
    }
  if (probe->output->len < HATAKE_HEALTH_MAX_OUTPUT)
    g_string_append_len (probe->output, probe->buffer[which],
                         MIN ((gsize) n, HATAKE_HEALTH_MAX_OUTPUT - probe->output->len));
  g_input_stream_read_async (G_INPUT_STREAM (source), probe->buffer[which], sizeof probe->buffer[which],
                             G_PRIORITY_DEFAULT, probe->cancellable, on_probe_read, probe);
}

static void
on_probe_pipes (GOutputStream *stdin_pipe,
                GInputStream  *stdout_pipe,
                GInputStream  *stderr_pipe,
                gpointer       user_data)
{
  HealthProbe *probe = user_data;

  /* a probe reads no input: its end at once */
  g_output_stream_close (stdin_pipe, NULL, NULL);
  probe->pipes[0] = g_object_ref (stdout_pipe);
  probe->pipes[1] = g_object_ref (stderr_pipe);
  for (guint i = 0; i < 2; i++)
    {
      probe->pending++;
      g_input_stream_read_async (probe->pipes[i], probe->buffer[i], sizeof probe->buffer[i], G_PRIORITY_DEFAULT,
                                 probe->cancellable, on_probe_read, probe);
    }
}

static void
on_probe_exec_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  HealthProbe *probe = user_data;
  g_autoptr(GError) error = NULL;

  probe->exit_code = hatake_containers_exec_finish (HATAKE_CONTAINERS (source), result, &error);
  if (error != NULL)
    probe->failure = g_strdup (error->message);
  probe_settle (probe);
}

static gboolean
on_health_timer (gpointer user_data)
{
  Entry *entry = user_data;
  HatakeContainers *self = entry->health_owner;
  const HatakeHealthConfig *h = entry_health (entry);
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  HatakeExecOptions options = { 0 };
  HealthProbe *probe;

  entry->health_timer = 0;
  if (h == NULL || hatake_container_get_state (entry->container) != HATAKE_CONTAINER_RUNNING ||
      entry->health_probe != NULL)
    return G_SOURCE_REMOVE;
  if (g_str_equal (h->test[0], "CMD-SHELL"))
    {
      g_strv_builder_add_many (argv, "/bin/sh", "-c", NULL);
      g_strv_builder_add (argv, h->test[1] ? h->test[1] : "");
    }
  else
    g_strv_builder_addv (argv, (const char **) h->test + 1);
  args = g_strv_builder_end (argv);

  probe = g_new0 (HealthProbe, 1);
  probe->self = g_object_ref (self);
  probe->container = g_object_ref (entry->container);
  probe->cancellable = g_cancellable_new ();
  probe->output = g_string_new (NULL);
  probe->start = g_get_real_time ();
  probe->timeout = or_default (h->timeout, HATAKE_HEALTH_DEFAULT_TIMEOUT);
  probe->pending = 1;
  entry->health_probe = probe;
  probe->timer = g_timeout_add (MAX (probe->timeout / 1000, 1), on_probe_timeout, probe);
  options.argv = args;
  options.pipes_ready = on_probe_pipes;
  options.kill_on_cancel = TRUE;
  options.attach_data = probe;
  hatake_containers_exec_async (self, entry->container, &options, probe->cancellable, on_probe_exec_done, probe);
  return G_SOURCE_REMOVE;
}

/* The image's healthcheck under the container's, as docker merges them at create */
void
_hatake_containers_health_merge_image (HatakeContainerConfig *config,
                                       JsonObject            *image_config)
{
  g_autoptr(HatakeHealthConfig) image_health =
    hatake_health_config_from_docker (hatake_json_object_member (image_config, "Healthcheck"), NULL);
  HatakeHealthConfig *merged = hatake_health_config_merge (config->healthcheck, image_health);

  hatake_health_config_free (config->healthcheck);
  config->healthcheck = merged;
}

void
_hatake_containers_health_stop (Entry *entry)
{
  HealthProbe *probe = g_steal_pointer (&entry->health_probe);

  g_clear_handle_id (&entry->health_timer, g_source_remove);
  if (probe != NULL && !probe->reported)
    {
      /* abandoned: it frees itself once the exec and its pipes are done */
      probe->reported = TRUE;
      g_clear_handle_id (&probe->timer, g_source_remove);
      g_cancellable_cancel (probe->cancellable);
    }
}

/* A state change: a start (not an unpause) begins starting again, as docker's initHealthMonitor
 * does (the log stays); running probes; every other state stops probing (the status stays what
 * it was, as docker's inspect shows it). */
void
_hatake_containers_health_follow (HatakeContainers     *self,
                                  Entry                *entry,
                                  HatakeContainerState  from)
{
  HatakeContainerState state = hatake_container_get_state (entry->container);

  if (state != HATAKE_CONTAINER_RUNNING)
    {
      _hatake_containers_health_stop (entry);
      return;
    }
  if (!self->healthchecks || entry_health (entry) == NULL)
    return;
  if (from != HATAKE_CONTAINER_PAUSED || hatake_container_get_health_status (entry->container) == HATAKE_HEALTH_NONE)
    {
      _hatake_containers_health_stop (entry);
      hatake_container_set_health (entry->container, HATAKE_HEALTH_STARTING, 0);
    }
  if (entry->health_timer == 0 && entry->health_probe == NULL)
    schedule (self, entry);
}

void
hatake_containers_set_healthchecks (HatakeContainers *self,
                                    gboolean          enabled)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (HATAKE_IS_CONTAINERS (self));

  self->healthchecks = enabled;
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Entry *entry = value;

      if (!enabled)
        _hatake_containers_health_stop (entry);
      else if (entry->health_timer == 0 && entry->health_probe == NULL)
        _hatake_containers_health_follow (self, entry, HATAKE_CONTAINER_CREATED);
    }
}

gboolean
hatake_containers_get_healthchecks (HatakeContainers *self)
{
  g_return_val_if_fail (HATAKE_IS_CONTAINERS (self), FALSE);
  return self->healthchecks;
}
