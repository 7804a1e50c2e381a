/* hatake-cli-containers.c: create, run, start, stop, restart, kill, pause, unpause, rm, wait,
 * rename, inspect, the exit command `system recover` and `system reset` (ps: hatake-cli-ps.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hatake-cli-private.h"
#include "hatake-json.h"
#include "hatake-client-engine.h"
#include "hatake-local-engine.h"

/* ---- create options -------------------------------------------------------------------------- */

typedef struct
{
  gboolean detach, rm, interactive, tty, read_only, privileged, init, quiet, publish_all;
  char *name, *workdir, *user, *entrypoint, *hostname, *restart, *memory, *cpus, *stop_signal;
  char *runtime, *platform, *pull, *ip, *shm_size, *memory_swap, *pid, *ipc, *uts, *cpuset_cpus, *cpuset_mems;
  gint64 cpu_shares, oom_score_adj;
  GStrv add_hosts, dns, dns_search, dns_options, security_opt, ulimits, devices, group_add;
  char *health_cmd, *health_interval, *health_timeout, *health_start_period, *health_start_interval;
  gboolean no_healthcheck, help;
  int pids_limit, stop_timeout, health_retries;
  GStrv networks;
  GStrv env, env_files, volumes, mounts, tmpfs, labels, cap_add, cap_drop, publish, aliases, expose, sysctls;
} CreateOptions;

static void
create_options_clear (CreateOptions *o)
{
  g_free (o->name); g_free (o->workdir); g_free (o->user); g_free (o->entrypoint); g_free (o->hostname);
  g_free (o->restart); g_free (o->memory); g_free (o->memory_swap); g_free (o->cpus); g_free (o->stop_signal); g_free (o->runtime);
  g_strfreev (o->networks); g_free (o->platform); g_free (o->pull); g_free (o->ip); g_free (o->shm_size);
  g_free (o->pid); g_free (o->ipc); g_free (o->uts); g_free (o->cpuset_cpus); g_free (o->cpuset_mems);
  g_strfreev (o->add_hosts); g_strfreev (o->dns); g_strfreev (o->dns_search); g_strfreev (o->dns_options);
  g_strfreev (o->security_opt); g_strfreev (o->ulimits); g_strfreev (o->devices); g_strfreev (o->group_add);
  g_free (o->health_cmd); g_free (o->health_interval); g_free (o->health_timeout);
  g_free (o->health_start_period); g_free (o->health_start_interval);
  g_strfreev (o->publish); g_strfreev (o->aliases); g_strfreev (o->expose);
  g_strfreev (o->env); g_strfreev (o->env_files); g_strfreev (o->volumes); g_strfreev (o->mounts);
  g_strfreev (o->tmpfs); g_strfreev (o->labels); g_strfreev (o->cap_add); g_strfreev (o->cap_drop); g_strfreev (o->sysctls);
}

/* --network NAME, or docker's long form "name=NAME,alias=A,alias=B,ip=ADDRESS". */
static HatakeNetworkEndpoint *
parse_network (const char  *spec,
               GError     **error)
{
  g_autoptr(HatakeNetworkEndpoint) e = NULL;
  g_autoptr(GStrvBuilder) aliases = NULL;
  g_auto(GStrv) fields = NULL;

  if (strstr (spec, "name=") == NULL)
    return hatake_network_endpoint_new (spec, NULL, NULL);
  e = hatake_network_endpoint_new (NULL, NULL, NULL);
  aliases = g_strv_builder_new ();
  fields = g_strsplit (spec, ",", -1);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      const char *value = strchr (fields[i], '=');
      g_autofree char *key = value ? g_strndup (fields[i], value - fields[i]) : NULL;

      if (key != NULL && g_str_equal (key, "name"))
        g_free (e->network), e->network = g_strdup (value + 1);
      else if (key != NULL && g_str_equal (key, "alias"))
        g_strv_builder_add (aliases, value + 1);
      else if (key != NULL && g_str_equal (key, "ip"))
        g_free (e->ip), e->ip = g_strdup (value + 1);
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("invalid field '%s' in --network %s"),
                       fields[i], spec);
          return NULL;
        }
    }
  if (e->network == NULL || *e->network == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("--network %s names no network"), spec);
      return NULL;
    }
  e->aliases = g_strv_builder_end (aliases);
  if (e->aliases[0] == NULL)
    g_clear_pointer (&e->aliases, g_strfreev);
  return g_steal_pointer (&e);
}

static gboolean
add_env_file (GStrvBuilder *env, const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);
      if (*line == '\0' || *line == '#')
        continue;
      /* a bare name takes the value from our environment, as docker does */
      if (strchr (line, '=') == NULL)
        {
          const char *value = g_getenv (line);
          if (value != NULL)
            {
              g_autofree char *pair = g_strconcat (line, "=", value, NULL);
              g_strv_builder_add (env, pair);
            }
          continue;
        }
      g_strv_builder_add (env, line);
    }
  return TRUE;
}

/* -v SRC:DST[:ro|rw], -v DST (anonymous volume); SRC absolute is a bind mount, else a volume name. */
static gboolean
add_volume (HatakeContainerConfig *c, const char *spec, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, ":", -1);
  guint n = g_strv_length (parts);
  gboolean ro = FALSE;

  if (n == 3)
    {
      if (g_str_equal (parts[2], "ro"))
        ro = TRUE;
      else if (!g_str_equal (parts[2], "rw") && !g_str_equal (parts[2], "z") && !g_str_equal (parts[2], "Z"))
        goto bad;
    }
  if (n == 1 && g_path_is_absolute (parts[0]))
    {
      hatake_container_config_add_mount (c, HATAKE_CONTAINER_MOUNT_VOLUME, NULL, parts[0], FALSE);
      return TRUE;
    }
  if ((n == 2 || n == 3) && g_path_is_absolute (parts[1]) && *parts[0] != '\0')
    {
      if (g_path_is_absolute (parts[0]))
        {
          g_autofree char *canonical = g_canonicalize_filename (parts[0], NULL);
          /* (docker's -v makes a missing source; --mount refuses it) */
          hatake_container_config_add_mount (c, HATAKE_CONTAINER_MOUNT_BIND, canonical, parts[1], ro)->create_source = TRUE;
        }
      else
        hatake_container_config_add_mount (c, HATAKE_CONTAINER_MOUNT_VOLUME, parts[0], parts[1], ro);
      return TRUE;
    }
bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("invalid volume specification: '%s'"), spec);
  return FALSE;
}

/* --mount type=bind|volume|tmpfs,source=…,target=…,readonly */
static gboolean
add_mount (HatakeContainerConfig *c, const char *spec, GError **error)
{
  g_auto(GStrv) fields = g_strsplit (spec, ",", -1);
  g_autofree char *type = NULL, *source = NULL, *target = NULL;
  gboolean ro = FALSE;
  gint64 size = 0;

  for (guint i = 0; fields[i]; i++)
    {
      char *eq = strchr (fields[i], '=');
      const char *key = fields[i], *value = eq ? eq + 1 : "true";
      if (eq)
        *eq = '\0';
      if (g_str_equal (key, "type"))
        {
          g_free (type);
          type = g_strdup (value);
        }
      else if (g_str_equal (key, "source") || g_str_equal (key, "src"))
        {
          g_free (source);
          source = g_strdup (value);
        }
      else if (g_str_equal (key, "target") || g_str_equal (key, "destination") || g_str_equal (key, "dst"))
        {
          g_free (target);
          target = g_strdup (value);
        }
      else if (g_str_equal (key, "readonly") || g_str_equal (key, "ro"))
        ro = !g_str_equal (value, "false") && !g_str_equal (value, "0");
      else if (g_str_equal (key, "tmpfs-size"))
        {
          if (!hatake_cli_parse_bytes (value, &size))
            goto bad;
        }
      else
        goto bad;
    }
  if (target == NULL || !g_path_is_absolute (target))
    goto bad;
  if (type == NULL || g_str_equal (type, "volume"))
    hatake_container_config_add_mount (c, HATAKE_CONTAINER_MOUNT_VOLUME, source, target, ro);
  else if (g_str_equal (type, "bind") && source != NULL && g_path_is_absolute (source))
    hatake_container_config_add_mount (c, HATAKE_CONTAINER_MOUNT_BIND, source, target, ro);
  else if (g_str_equal (type, "tmpfs"))
    {
      hatake_container_config_add_mount (c, HATAKE_CONTAINER_MOUNT_TMPFS, NULL, target, ro);
      ((HatakeContainerMount *) g_ptr_array_index (c->mounts, c->mounts->len - 1))->tmpfs_size = size;
    }
  else
    goto bad;
  return TRUE;
bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("invalid argument \"%s\" for \"--mount\" flag"), spec);
  return FALSE;
}

/* --tmpfs /path[:size=64m,mode=1777] */
static gboolean
add_tmpfs (HatakeContainerConfig *c, const char *spec, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, ":", 2);
  HatakeContainerMount *m;

  if (!g_path_is_absolute (parts[0]))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("invalid tmpfs: '%s'"), spec);
      return FALSE;
    }
  hatake_container_config_add_mount (c, HATAKE_CONTAINER_MOUNT_TMPFS, NULL, parts[0], FALSE);
  m = g_ptr_array_index (c->mounts, c->mounts->len - 1);
  if (parts[1] != NULL)
    {
      g_auto(GStrv) opts = g_strsplit (parts[1], ",", -1);
      for (guint i = 0; opts[i]; i++)
        {
          guint64 mode;
          if (g_str_has_prefix (opts[i], "size=") && hatake_cli_parse_bytes (opts[i] + 5, &m->tmpfs_size))
            continue;
          if (g_str_has_prefix (opts[i], "mode=") && g_ascii_string_to_unsigned (opts[i] + 5, 8, 0, 07777, &mode, NULL))
            {
              m->tmpfs_mode = (guint) mode;
              continue;
            }
          if (g_str_equal (opts[i], "ro"))
            {
              m->read_only = TRUE;
              continue;
            }
          if (g_str_equal (opts[i], "rw"))
            continue;
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("invalid tmpfs option: '%s'"), opts[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static GOptionContext *
create_context (CreateOptions *o, const char *summary)
{
  const GOptionEntry entries[] = {
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &o->detach, N_("Run container in background and print container ID"), NULL },
    { "rm", 0, 0, G_OPTION_ARG_NONE, &o->rm, N_("Automatically remove the container when it exits"), NULL },
    { "interactive", 'i', 0, G_OPTION_ARG_NONE, &o->interactive, N_("Keep STDIN open even if not attached"), NULL },
    { "tty", 't', 0, G_OPTION_ARG_NONE, &o->tty, N_("Allocate a pseudo-TTY"), NULL },
    { "name", 0, 0, G_OPTION_ARG_STRING, &o->name, N_("Assign a name to the container"), "NAME" },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &o->env, N_("Set environment variables"), "KEY=VALUE" },
    { "env-file", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->env_files, N_("Read in a file of environment variables"), "FILE" },
    { "workdir", 'w', 0, G_OPTION_ARG_STRING, &o->workdir, N_("Working directory inside the container"), "DIR" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &o->user, N_("Username or UID (format: <name|uid>[:<group|gid>])"), "USER" },
    { "entrypoint", 0, 0, G_OPTION_ARG_STRING, &o->entrypoint, N_("Overwrite the default ENTRYPOINT of the image"), "CMD" },
    { "volume", 'v', 0, G_OPTION_ARG_STRING_ARRAY, &o->volumes, N_("Bind mount a volume"), "SRC:DST[:ro]" },
    { "mount", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->mounts, N_("Attach a filesystem mount to the container"), "SPEC" },
    { "tmpfs", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->tmpfs, N_("Mount a tmpfs directory"), "PATH[:OPTS]" },
    { "read-only", 0, 0, G_OPTION_ARG_NONE, &o->read_only, N_("Mount the container's root filesystem as read only"), NULL },
    { "hostname", 'h', 0, G_OPTION_ARG_STRING, &o->hostname, N_("Container host name"), "NAME" },
    { "label", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &o->labels, N_("Set meta data on a container"), "KEY=VALUE" },
    { "restart", 0, 0, G_OPTION_ARG_STRING, &o->restart, N_("Restart policy to apply when a container exits"), "POLICY" },
    { "memory", 'm', 0, G_OPTION_ARG_STRING, &o->memory, N_("Memory limit"), "BYTES" },
    { "memory-swap", 0, 0, G_OPTION_ARG_STRING, &o->memory_swap,
      N_("Swap limit equal to memory plus swap: '-1' to enable unlimited swap"), "BYTES" },
    { "cpu-shares", 'c', 0, G_OPTION_ARG_INT64, &o->cpu_shares, N_("CPU shares (relative weight)"), "N" },
    { "cpus", 0, 0, G_OPTION_ARG_STRING, &o->cpus, N_("Number of CPUs"), "N" },
    { "cpuset-cpus", 0, 0, G_OPTION_ARG_STRING, &o->cpuset_cpus, N_("CPUs in which to allow execution (0-3, 0,1)"), "LIST" },
    { "cpuset-mems", 0, 0, G_OPTION_ARG_STRING, &o->cpuset_mems, N_("MEMs in which to allow execution (0-3, 0,1)"), "LIST" },
    { "oom-score-adj", 0, 0, G_OPTION_ARG_INT64, &o->oom_score_adj, N_("Tune host's OOM preferences (-1000 to 1000)"), "N" },
    { "pids-limit", 0, 0, G_OPTION_ARG_INT, &o->pids_limit, N_("Tune container pids limit"), "N" },
    { "cap-add", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->cap_add, N_("Add Linux capabilities"), "CAP" },
    { "sysctl", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->sysctls, N_("Sysctl options"), "KEY=VALUE" },
    { "add-host", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->add_hosts, N_("Add a custom host-to-IP mapping (host:ip)"), "HOST:IP" },
    { "dns", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->dns, N_("Set custom DNS servers"), "IP" },
    { "dns-search", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->dns_search, N_("Set custom DNS search domains"), "DOMAIN" },
    { "dns-option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->dns_options, N_("Set DNS options"), "OPTION" },
    { "shm-size", 0, 0, G_OPTION_ARG_STRING, &o->shm_size, N_("Size of /dev/shm"), "BYTES" },
    { "pid", 0, 0, G_OPTION_ARG_STRING, &o->pid, N_("PID namespace to use"), "host" },
    { "ipc", 0, 0, G_OPTION_ARG_STRING, &o->ipc, N_("IPC mode to use"), "host" },
    { "uts", 0, 0, G_OPTION_ARG_STRING, &o->uts, N_("UTS namespace to use"), "host" },
    { "security-opt", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->security_opt, N_("Security Options"), "OPTION" },
    { "ulimit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->ulimits, N_("Ulimit options"), "NAME=SOFT[:HARD]" },
    { "device", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->devices, N_("Add a host device to the container"),
      "HOST[:CONTAINER][:PERMISSIONS]" },
    { "group-add", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->group_add, N_("Add additional groups to join"), "GROUP" },
    { "cap-drop", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->cap_drop, N_("Drop Linux capabilities"), "CAP" },
    { "privileged", 0, 0, G_OPTION_ARG_NONE, &o->privileged, N_("Give extended privileges to this container"), NULL },
    { "init", 0, 0, G_OPTION_ARG_NONE, &o->init, N_("Run an init inside the container that forwards signals and reaps processes"), NULL },
    { "stop-signal", 0, 0, G_OPTION_ARG_STRING, &o->stop_signal, N_("Signal to stop the container"), "SIGNAL" },
    { "stop-timeout", 0, 0, G_OPTION_ARG_INT, &o->stop_timeout, N_("Timeout (in seconds) to stop a container"), "N" },
    { "runtime", 0, 0, G_OPTION_ARG_STRING, &o->runtime, N_("Runtime to use for this container"), "NAME" },
    { "network", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->networks, N_("Connect a container to a network"), "NETWORK" },
    { "publish", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &o->publish, N_("Publish a container's port(s) to the host"), "[IP:][HOST_PORT:]PORT[/PROTO]" },
    { "publish-all", 'P', 0, G_OPTION_ARG_NONE, &o->publish_all, N_("Publish all exposed ports to random ports"), NULL },
    { "expose", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->expose, N_("Expose a port or a range of ports"), "PORT[/PROTO]" },
    { "network-alias", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->aliases, N_("Add network-scoped alias for the container"), "ALIAS" },
    { "ip", 0, 0, G_OPTION_ARG_STRING, &o->ip, N_("IPv4 address (e.g., 172.30.100.104)"), "ADDRESS" },
    { "platform", 0, 0, G_OPTION_ARG_STRING, &o->platform, N_("Set platform if server is multi-platform capable"), "PLATFORM" },
    { "pull", 0, 0, G_OPTION_ARG_STRING, &o->pull, N_("Pull image before running (\"always\", \"missing\", \"never\")"), "WHEN" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet, N_("Suppress the pull output"), NULL },
    { "health-cmd", 0, 0, G_OPTION_ARG_STRING, &o->health_cmd, N_("Command to run to check health"), "CMD" },
    { "health-interval", 0, 0, G_OPTION_ARG_STRING, &o->health_interval, N_("Time between running the check (ms|s|m|h) (default 0s)"), "DURATION" },
    { "health-timeout", 0, 0, G_OPTION_ARG_STRING, &o->health_timeout, N_("Maximum time to allow one check to run (ms|s|m|h) (default 0s)"), "DURATION" },
    { "health-retries", 0, 0, G_OPTION_ARG_INT, &o->health_retries, N_("Consecutive failures needed to report unhealthy"), "N" },
    { "health-start-period", 0, 0, G_OPTION_ARG_STRING, &o->health_start_period, N_("Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)"), "DURATION" },
    { "health-start-interval", 0, 0, G_OPTION_ARG_STRING, &o->health_start_interval, N_("Time between running the check during the start period (ms|s|m|h) (default 0s)"), "DURATION" },
    { "no-healthcheck", 0, 0, G_OPTION_ARG_NONE, &o->no_healthcheck, N_("Disable any container-specified HEALTHCHECK"), NULL },
    /* (GOption's own help is off: it would take -h) */
    { "help", 0, 0, G_OPTION_ARG_NONE, &o->help, N_("Print usage"), NULL },
    { NULL }
  };
  GOptionContext *context;
  GOptionGroup *group = g_option_group_new ("create", summary, summary, NULL, NULL);

  o->stop_timeout = -1;
  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  context = g_option_context_new ("IMAGE [COMMAND] [ARG...]");
  g_option_context_set_summary (context, summary);
  g_option_context_set_main_group (context, group);
  /* docker stops at the image: what follows belongs to the container's command */
  g_option_context_set_strict_posix (context, TRUE);
  /* -h is --hostname, as in docker */
  g_option_context_set_help_enabled (context, FALSE);
  return context;
}

static void
print_create_help (GOptionContext *context)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  fputs (help, stdout);
}

/* --health-* and --no-healthcheck, as the docker CLI reads them */
static gboolean
health_from_options (CreateOptions *o, HatakeContainerConfig *c, GError **error)
{
  const struct { const char *flag; const char *text; } durations[] = {
    { "--health-interval", o->health_interval },
    { "--health-timeout", o->health_timeout },
    { "--health-start-period", o->health_start_period },
    { "--health-start-interval", o->health_start_interval },
  };
  g_autoptr(HatakeHealthConfig) h = hatake_health_config_new ();
  gint64 *fields[] = { &h->interval, &h->timeout, &h->start_period, &h->start_interval };
  gboolean any = o->health_cmd != NULL || o->health_retries != 0;

  for (guint i = 0; i < G_N_ELEMENTS (durations); i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (durations[i].text == NULL)
        continue;
      any = TRUE;
      if (!hatake_duration_parse (durations[i].text, fields[i], &local_error))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("invalid argument \"%s\" for \"%s\" flag: %s"),
                       durations[i].text, durations[i].flag, local_error->message);
          return FALSE;
        }
    }
  if (o->no_healthcheck)
    {
      if (any)
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _("--no-healthcheck conflicts with --health-* options"));
          return FALSE;
        }
      h->test = g_strsplit ("NONE", " ", -1);
    }
  else if (!any)
    return TRUE;   /* the image's */
  if (o->health_retries < 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("--health-retries cannot be negative"));
      return FALSE;
    }
  if (o->health_cmd != NULL && *o->health_cmd != '\0')
    {
      h->test = g_new0 (char *, 3);
      h->test[0] = g_strdup ("CMD-SHELL");
      h->test[1] = g_strdup (o->health_cmd);
    }
  h->retries = o->health_retries;
  c->healthcheck = g_steal_pointer (&h);
  return TRUE;
}

static HatakeContainerConfig *
config_from_options (CreateOptions *o, int argc, char **argv, GError **error)
{
  g_autoptr(HatakeContainerConfig) c = hatake_container_config_new ();
  g_autoptr(GStrvBuilder) env = g_strv_builder_new ();

  c->image = g_strdup (argv[1]);
  c->name = g_strdup (o->name);
  if (argc > 2)
    c->cmd = g_strdupv (argv + 2);
  if (o->entrypoint != NULL)
    {
      const char *ep[] = { o->entrypoint, NULL };
      c->entrypoint = *o->entrypoint ? g_strdupv ((char **) ep) : g_new0 (char *, 1);
    }
  for (guint i = 0; o->env_files && o->env_files[i]; i++)
    if (!add_env_file (env, o->env_files[i], error))
      return NULL;
  for (guint i = 0; o->env && o->env[i]; i++)
    {
      if (strchr (o->env[i], '=') == NULL)
        {
          const char *value = g_getenv (o->env[i]);
          if (value != NULL)
            {
              g_autofree char *pair = g_strconcat (o->env[i], "=", value, NULL);
              g_strv_builder_add (env, pair);
            }
          continue;
        }
      g_strv_builder_add (env, o->env[i]);
    }
  c->env = g_strv_builder_end (env);
  c->working_dir = g_strdup (o->workdir);
  c->user = g_strdup (o->user);
  c->hostname = g_strdup (o->hostname);
  c->labels = g_strdupv (o->labels);
  c->tty = o->tty;
  c->open_stdin = o->interactive;
  c->auto_remove = o->rm;
  c->read_only = o->read_only;
  c->privileged = o->privileged;
  c->init = o->init;
  c->cap_add = g_strdupv (o->cap_add);
  c->sysctls = g_strdupv (o->sysctls);
  /* NAME=IP and [IPv6] as the docker CLI takes them, sent as NAME:IP, which every daemon reads */
  if (o->add_hosts != NULL)
    {
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

      for (guint i = 0; o->add_hosts[i] != NULL; i++)
        {
          const char *host = o->add_hosts[i];
          gsize n = strcspn (host, ":=");
          const char *ip = host[n] != '\0' ? host + n + 1 : "";
          gsize len = strlen (ip);
          g_autofree char *pair = ip[0] == '[' && len > 1 && ip[len - 1] == ']'
                                  ? g_strdup_printf ("%.*s:%.*s", (int) n, host, (int) len - 2, ip + 1)
                                  : host[n] != '\0' ? g_strdup_printf ("%.*s:%s", (int) n, host, ip) : g_strdup (host);

          g_strv_builder_add (b, pair);
        }
      c->extra_hosts = g_strv_builder_end (b);
    }
  c->dns = g_strdupv (o->dns);
  c->dns_search = g_strdupv (o->dns_search);
  c->dns_options = g_strdupv (o->dns_options);
  c->security_opt = g_strdupv (o->security_opt);
  c->ulimits = g_strdupv (o->ulimits);
  c->group_add = g_strdupv (o->group_add);
  /* (as the engine keeps them: HOST:CONTAINER:PERMISSIONS) */
  for (guint i = 0; o->devices != NULL && o->devices[i] != NULL; i++)
    {
      g_autofree char *on_host = NULL, *in = NULL, *perms = NULL;

      if (!hatake_device_parse (o->devices[i], &on_host, &in, &perms, error))
        return NULL;
      g_free (o->devices[i]);
      o->devices[i] = g_strdup_printf ("%s:%s:%s", on_host, in, perms);
    }
  c->devices = g_strdupv (o->devices);
  c->cap_drop = g_strdupv (o->cap_drop);
  c->pids_limit = o->pids_limit;
  c->stop_signal = g_strdup (o->stop_signal);
  c->stop_timeout = o->stop_timeout;
  c->runtime = g_strdup (o->runtime);
  if (o->shm_size && (!hatake_cli_parse_bytes (o->shm_size, &c->shm_size) || c->shm_size <= 0))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("invalid argument \"%s\" for \"--shm-size\" flag"),
                   o->shm_size);
      return NULL;
    }
  if (o->memory && !hatake_cli_parse_bytes (o->memory, &c->memory))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("invalid argument \"%s\" for \"-m, --memory\" flag"), o->memory);
      return NULL;
    }
  if (o->cpus && !hatake_cli_parse_cpus (o->cpus, &c->cpus, error))
    return NULL;
  if (o->memory_swap && !hatake_cli_parse_memory_swap (o->memory_swap, &c->memory_swap, error))
    return NULL;
  if (o->cpu_shares < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("invalid argument \"%" G_GINT64_FORMAT "\" for \"-c, --cpu-shares\" flag"),
                   o->cpu_shares);
      return NULL;
    }
  c->cpu_shares = o->cpu_shares;
  /* (checked by the engine, as docker's daemon checks them) */
  c->oom_score_adj = o->oom_score_adj;
  c->cpuset_cpus = o->cpuset_cpus && *o->cpuset_cpus ? g_strdup (o->cpuset_cpus) : NULL;
  c->cpuset_mems = o->cpuset_mems && *o->cpuset_mems ? g_strdup (o->cpuset_mems) : NULL;
  if (!hatake_namespace_mode_parse ("pid", o->pid, &c->pid_mode, error) ||
      !hatake_namespace_mode_parse ("ipc", o->ipc, &c->ipc_mode, error) ||
      !hatake_namespace_mode_parse ("uts", o->uts, &c->uts_mode, error))
    return NULL;
  if (o->restart && !hatake_restart_policy_parse (o->restart, &c->restart, &c->restart_max, error))
    return NULL;
  if (!health_from_options (o, c, error))
    return NULL;
  if (o->rm && c->restart != HATAKE_RESTART_NO)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Conflicting options: --restart and --rm"));
      return NULL;
    }
  /* docker's default: the bridge network; --alias and --ip are the first network's */
  for (guint i = 0; o->networks != NULL && o->networks[i] != NULL; i++)
    {
      HatakeNetworkEndpoint *e = parse_network (o->networks[i], error);

      if (e == NULL)
        return NULL;
      if (i == 0 && e->aliases == NULL)
        e->aliases = g_strdupv (o->aliases);
      if (i == 0 && e->ip == NULL)
        e->ip = g_strdup (o->ip);
      if (i == 0)
        {
          g_free (c->network_mode);
          c->network_mode = g_strdup (e->network);
        }
      if (g_str_equal (e->network, "none") || g_str_equal (e->network, "host") ||
          g_str_has_prefix (e->network, "container:"))
        {
          hatake_network_endpoint_free (e);
          if (o->networks[1] != NULL)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("conflicting options: cannot attach both user-defined and non-user-defined network-modes"));
              return NULL;
            }
          continue;
        }
      g_ptr_array_add (c->networks, e);
    }
  if (o->networks == NULL && (o->aliases != NULL || o->ip != NULL))
    g_ptr_array_add (c->networks, hatake_network_endpoint_new ("bridge", (const char * const *) o->aliases, o->ip));
  c->publish = g_strdupv (o->publish);
  c->publish_all = o->publish_all;
  for (guint i = 0; o->expose != NULL && o->expose[i] != NULL; i++)
    {
      HatakePortMapping check;

      if (strchr (o->expose[i], ':') != NULL || !hatake_port_mapping_parse (o->expose[i], &check, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("invalid range format for --expose: %s"),
                       o->expose[i]);
          return NULL;
        }
    }
  c->expose = g_strdupv (o->expose);
  for (guint i = 0; o->volumes && o->volumes[i]; i++)
    if (!add_volume (c, o->volumes[i], error))
      return NULL;
  for (guint i = 0; o->mounts && o->mounts[i]; i++)
    if (!add_mount (c, o->mounts[i], error))
      return NULL;
  for (guint i = 0; o->tmpfs && o->tmpfs[i]; i++)
    if (!add_tmpfs (c, o->tmpfs[i], error))
      return NULL;
  return g_steal_pointer (&c);
}

static HatakeContainer *
create_once (HatakeEngine *engine, HatakeContainerConfig *config, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_engine_create_container_async (engine, config, NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  return hatake_engine_create_container_finish (engine, result, error);
}

/* Whether the engine says it has no image REFERENCE (and not that it failed to say) */
static gboolean
image_missing (HatakeEngine *engine, const char *reference)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  hatake_engine_inspect_image_async (engine, reference, NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  node = hatake_engine_inspect_image_finish (engine, result, &error);
  return g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
}

/* Creates, pulling the image first when it is missing (docker's --pull missing). As docker's
 * client does, the create is tried first and the image looked up only when it fails for want of
 * something: a one-off engine behind the API has no image list to look in, and needs none. */
static HatakeContainer *
create_container (HatakeEngine *engine, CreateOptions *o, HatakeContainerConfig *config, GError **error)
{
  g_autoptr(HatakeImage) image = NULL;
  gboolean always = o->pull && g_str_equal (o->pull, "always");

  if (!always)
    {
      g_autoptr(GError) local_error = NULL;
      HatakeContainer *container = create_once (engine, config, &local_error);

      if (container != NULL || !g_error_matches (local_error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND) ||
          (o->pull && g_str_equal (o->pull, "never")) || !image_missing (engine, config->image))
        {
          if (local_error != NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          return container;
        }
      fprintf (stderr, _("Unable to find image '%s' locally\n"), config->image);
    }
  {
    int saved = dup (STDOUT_FILENO);
    /* docker prints the pull's progress on stderr for run/create */
    dup2 (STDERR_FILENO, STDOUT_FILENO);
    image = hatake_cli_pull_image (engine, config->image, o->platform, o->quiet, error);
    fflush (stdout);
    dup2 (saved, STDOUT_FILENO);
    close (saved);
  }
  if (image == NULL)
    return NULL;
  return create_once (engine, config, error);
}

int
hatake_cli_create (HatakeCliGlobals *globals,
                   int               argc,
                   char            **argv)
{
  CreateOptions o = { 0 };
  g_autoptr(GOptionContext) context = create_context (&o, _("Create a new container"));
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) container = NULL;
  int status = 0;

  /* (nothing but the container it creates: of an engine behind the API, no list and no event) */
  globals->one_off = TRUE;
  if (!g_option_context_parse (context, &argc, &argv, &error))
    status = hatake_cli_usage_error (context, error->message);
  else if (o.help)
    print_create_help (context);
  else if (argc < 2)
    status = hatake_cli_usage_error (context, _("requires at least 1 argument"));
  else if ((config = config_from_options (&o, argc, argv, &error)) == NULL)
    status = hatake_cli_usage_error (context, error->message);
  else if ((engine = hatake_cli_open_engine (globals, &error)) == NULL ||
           (container = create_container (engine, &o, config, &error)) == NULL)
    {
      /* docker's CLI: 125 when the engine refused (the container's own codes are 126, 127, its) */
      hatake_cli_fail (g_steal_pointer (&error));
      status = 125;
    }
  else
    printf ("%s\n", hatake_container_get_id (container));
  create_options_clear (&o);
  return status;
}

/* ---- operations on existing containers --------------------------------------------------- */

static JsonNode *
run_op (HatakeEngine *engine, const char *id, HatakeContainerOp op, const HatakeContainerOpArgs *args, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_engine_container_op_async (engine, id, op, args, NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  return hatake_engine_container_op_finish (engine, result, error);
}

/* Runs op on each named container, printing its name as docker does; 1 if any failed. */
static int
each_container (HatakeCliGlobals *globals, GOptionContext *context, int argc, char **argv,
                HatakeContainerOp op, const HatakeContainerOpArgs *args, gboolean print_exit_code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  int status = 0;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc < 2)
    return hatake_cli_usage_error (context, _("requires at least 1 argument"));
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(JsonNode) node = run_op (engine, argv[i], op, args, &error);
      if (error != NULL)
        {
          fprintf (stderr, "Error response from daemon: %s\n", error->message);
          g_clear_error (&error);
          status = 1;
          continue;
        }
      if (print_exit_code && node != NULL)
        printf ("%" G_GINT64_FORMAT "\n", json_object_get_int_member (json_node_get_object (node), "StatusCode"));
      else
        printf ("%s\n", argv[i]);
    }
  return status;
}

static int
stop_or_restart (HatakeCliGlobals *globals, int argc, char **argv, HatakeContainerOp op, const char *summary)
{
  int timeout = -1;
  g_autofree char *signal_name = NULL;
  const GOptionEntry entries[] = {
    { "time", 't', 0, G_OPTION_ARG_INT, &timeout, N_("Seconds to wait before killing the container"), "N" },
    { "timeout", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &timeout, NULL, "N" },
    { "signal", 's', 0, G_OPTION_ARG_STRING, &signal_name, N_("Signal to send to the container"), "SIGNAL" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTAINER [CONTAINER...]", summary, entries);
  HatakeContainerOpArgs args = { .timeout = -1 };
  g_autoptr(GError) error = NULL;

  /* parse first so the timeout is known (each_container's own parse then finds nothing more) */
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  args.timeout = timeout;
  return each_container (globals, context, argc, argv, op, &args, FALSE);
}

int
hatake_cli_stop (HatakeCliGlobals *globals, int argc, char **argv)
{
  return stop_or_restart (globals, argc, argv, HATAKE_CONTAINER_OP_STOP, _("Stop one or more running containers"));
}

int
hatake_cli_restart (HatakeCliGlobals *globals, int argc, char **argv)
{
  return stop_or_restart (globals, argc, argv, HATAKE_CONTAINER_OP_RESTART, _("Restart one or more containers"));
}

int
hatake_cli_kill (HatakeCliGlobals *globals, int argc, char **argv)
{
  g_autofree char *signal_name = NULL;
  const GOptionEntry entries[] = {
    { "signal", 's', 0, G_OPTION_ARG_STRING, &signal_name, N_("Signal to send to the container"), "SIGNAL" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTAINER [CONTAINER...]",
                                                                  _("Kill one or more running containers"), entries);
  HatakeContainerOpArgs args = { .timeout = -1 };
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  args.signal = signal_name;
  return each_container (globals, context, argc, argv, HATAKE_CONTAINER_OP_KILL, &args, FALSE);
}

int
hatake_cli_pause (HatakeCliGlobals *globals, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTAINER [CONTAINER...]",
                                                                  _("Pause all processes within one or more containers"), entries);
  return each_container (globals, context, argc, argv, HATAKE_CONTAINER_OP_PAUSE, NULL, FALSE);
}

int
hatake_cli_unpause (HatakeCliGlobals *globals, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTAINER [CONTAINER...]",
                                                                  _("Unpause all processes within one or more containers"), entries);
  return each_container (globals, context, argc, argv, HATAKE_CONTAINER_OP_UNPAUSE, NULL, FALSE);
}

int
hatake_cli_rm (HatakeCliGlobals *globals, int argc, char **argv)
{
  gboolean force = FALSE, volumes = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Force the removal of a running container (uses SIGKILL)"), NULL },
    { "volumes", 'v', 0, G_OPTION_ARG_NONE, &volumes, N_("Remove anonymous volumes associated with the container"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTAINER [CONTAINER...]",
                                                                  _("Remove one or more containers"), entries);
  HatakeContainerOpArgs args = { .timeout = -1 };
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  args.force = force;
  args.volumes = volumes;
  return each_container (globals, context, argc, argv, HATAKE_CONTAINER_OP_REMOVE, &args, FALSE);
}

int
hatake_cli_wait_cmd (HatakeCliGlobals *globals, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTAINER [CONTAINER...]",
                                                                  _("Block until one or more containers stop, then print their exit codes"),
                                                                  entries);
  return each_container (globals, context, argc, argv, HATAKE_CONTAINER_OP_WAIT, NULL, TRUE);
}

int
hatake_cli_rename (HatakeCliGlobals *globals, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTAINER NEW_NAME", _("Rename a container"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc != 3)
    return hatake_cli_usage_error (context, _("requires exactly 2 arguments"));
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  hatake_engine_rename_container_async (engine, argv[1], argv[2], NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  if (!hatake_engine_rename_container_finish (engine, result, &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  return 0;
}

/* ---- inspect ------------------------------------------------------------------------------- */

static int
inspect_objects (HatakeCliGlobals *globals, int argc, char **argv, gboolean containers, gboolean images)
{
  g_autofree char *format = NULL;
  g_autofree char *type = NULL;
  gboolean size = FALSE;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("Format output: json, or a template"), "FORMAT" },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, N_("Return JSON for specified type"), "TYPE" },
    { "size", 's', 0, G_OPTION_ARG_NONE, &size, N_("Display total file sizes if the type is container"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("NAME|ID [NAME|ID...]",
                                                                  _("Return low-level information on objects"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(JsonArray) all = json_array_new ();
  int status = 0;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc < 2)
    return hatake_cli_usage_error (context, _("requires at least 1 argument"));
  if (type != NULL)
    {
      containers = g_str_equal (type, "container");
      images = g_str_equal (type, "image");
    }
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(HatakeContainer) container = containers ? hatake_engine_lookup_container (engine, argv[i]) : NULL;
      JsonNode *node = NULL;

      if (container != NULL)
        {
          hatake_engine_inspect_container_async (engine, argv[i], NULL, hatake_cli_store_result, &result);
          hatake_cli_wait ((gpointer *) &result);
          node = hatake_engine_inspect_container_finish (engine, result, &error);
        }
      else if (images)
        {
          hatake_engine_inspect_image_async (engine, argv[i], NULL, hatake_cli_store_result, &result);
          hatake_cli_wait ((gpointer *) &result);
          node = hatake_engine_inspect_image_finish (engine, result, &error);
          if (node == NULL && containers)
            {
              g_clear_error (&error);
              error = g_error_new (HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, "No such object: %s", argv[i]);
            }
        }
      else
        error = g_error_new (HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND, "No such container: %s", argv[i]);
      if (node == NULL)
        {
          fprintf (stderr, "Error: %s\n", error->message);
          g_clear_error (&error);
          status = 1;
          continue;
        }
      if (format != NULL && !g_str_equal (format, "json"))
        {
          g_autofree char *line = hatake_cli_format_template (node, format, &error);
          json_node_unref (node);
          if (line == NULL)
            return hatake_cli_fail (g_steal_pointer (&error));
          printf ("%s\n", line);
          continue;
        }
      json_array_add_element (all, node);
    }
  if (format == NULL || g_str_equal (format, "json"))
    {
      g_autoptr(JsonNode) root = json_node_init_array (json_node_alloc (), all);
      hatake_cli_print_json (root, TRUE);
    }
  return status;
}

int
hatake_cli_inspect (HatakeCliGlobals *globals, int argc, char **argv)
{
  return inspect_objects (globals, argc, argv, TRUE, TRUE);
}

int
hatake_cli_container_inspect (HatakeCliGlobals *globals, int argc, char **argv)
{
  return inspect_objects (globals, argc, argv, TRUE, FALSE);
}

/* ---- system recover: conmon's exit command ------------------------------------------------- */

static gboolean
containers_settled (HatakeEngine *engine)
{
  GListModel *containers = hatake_engine_get_containers (engine);

  for (guint i = 0; i < g_list_model_get_n_items (containers); i++)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (containers, i);
      HatakeContainerState s = hatake_container_get_state (c);
      if (s == HATAKE_CONTAINER_RESTARTING || s == HATAKE_CONTAINER_REMOVING)
        return FALSE;
    }
  return TRUE;
}

/* Run by conmon when a container exits. If an engine owns the data root it has seen the exit
 * already; if a one-shot command holds it, wait for it to finish, then apply --rm and restart
 * policies ourselves (recovery does exactly that). */
int
hatake_cli_system_recover (HatakeCliGlobals *globals, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  /* waits out one-shot holders; a long-running engine (hatake serve, the app) has seen the
   * exit itself and keeps the lock; after `system reset` there is no store: nothing to do, and
   * nothing to recreate */
  globals->existing_only = TRUE;
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_STORE_LOCKED) ||
           g_error_matches (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND) ? 0 : hatake_cli_fail (g_steal_pointer (&error));
  while (!containers_settled (engine) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}

/* ---- run ----------------------------------------------------------------------------------- */

/* docker's CLI (runStartContainerErr): a start that failed for want of the command is 127, one
 * whose command cannot be run 126, by the words of the engine's message, case for case */
static int
start_error_status (const char *message)
{
  if (strstr (message, "executable file not found") || strstr (message, "no such file or directory"))
    return 127;
  if (strstr (message, "permission denied") || strstr (message, "is a directory"))
    return 126;
  return 125;
}

/* docker start -a [-i]: attached before the start, as docker's CLI does (nothing it prints is
 * missed), the container's output and then its exit code as ours */
static int
start_attached (HatakeCliGlobals *globals, const char *name, gboolean interactive)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GAsyncResult) inspect_result = NULL;
  g_autoptr(GAsyncResult) wait_result = NULL;
  g_autoptr(GAsyncResult) attach_result = NULL;
  g_autoptr(JsonNode) inspect = NULL;
  g_autoptr(JsonNode) started = NULL;
  g_autoptr(JsonNode) waited = NULL;
  JsonObject *config;
  const char *id;
  gboolean tty;

  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  hatake_engine_inspect_container_async (engine, name, NULL, hatake_cli_store_result, &inspect_result);
  hatake_cli_wait ((gpointer *) &inspect_result);
  inspect = hatake_engine_inspect_container_finish (engine, inspect_result, &error);
  if (inspect == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  id = json_object_get_string_member (json_node_get_object (inspect), "Id");
  config = json_object_get_object_member (json_node_get_object (inspect), "Config");
  tty = config != NULL && json_object_get_boolean_member_with_default (config, "Tty", FALSE);
  /* (stdin only when the container keeps it open, as docker's CLI) */
  interactive = interactive && config != NULL && json_object_get_boolean_member_with_default (config, "OpenStdin", FALSE);

  hatake_engine_container_op_async (engine, id, HATAKE_CONTAINER_OP_WAIT, NULL, NULL, hatake_cli_store_result,
                                    &wait_result);
  hatake_cli_begin_attach (engine, id, &attach_result);
  /* (a remote attach is there once its connection is taken over; a local one once started) */
  if (!HATAKE_IS_LOCAL_ENGINE (engine))
    hatake_cli_wait ((gpointer *) &attach_result);
  started = run_op (engine, id, HATAKE_CONTAINER_OP_START, NULL, &error);
  if (error != NULL)
    {
      fprintf (stderr, "Error response from daemon: %s\n", error->message);
      /* (a failed start fails the attach that waited for it) */
      hatake_cli_wait ((gpointer *) &attach_result);
      return start_error_status (error->message);
    }
  if (!hatake_cli_run_terminal (engine, id, &attach_result, FALSE, interactive, tty, &error))
    {
      fprintf (stderr, "Error: %s\n", error->message);
      g_clear_error (&error);
    }
  hatake_cli_wait ((gpointer *) &wait_result);
  waited = hatake_engine_container_op_finish (engine, wait_result, &error);
  if (waited == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  return (int) json_object_get_int_member (json_node_get_object (waited), "StatusCode");
}

int
hatake_cli_start (HatakeCliGlobals *globals, int argc, char **argv)
{
  gboolean attach = FALSE, interactive = FALSE;
  const GOptionEntry entries[] = {
    { "attach", 'a', 0, G_OPTION_ARG_NONE, &attach, N_("Attach STDOUT/STDERR and forward signals"), NULL },
    { "interactive", 'i', 0, G_OPTION_ARG_NONE, &interactive, N_("Attach container's STDIN"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTAINER [CONTAINER...]",
                                                                  _("Start one or more stopped containers"), entries);
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (!attach && !interactive)
    return each_container (globals, context, argc, argv, HATAKE_CONTAINER_OP_START, NULL, FALSE);
  if (argc < 2)
    return hatake_cli_usage_error (context, _("requires at least 1 argument"));
  if (argc > 2)
    {
      fprintf (stderr, "%s\n", _("Error: you cannot start and attach multiple containers at once"));
      return 1;
    }
  return start_attached (globals, argv[1], interactive);
}

int
hatake_cli_run (HatakeCliGlobals *globals,
                int               argc,
                char            **argv)
{
  CreateOptions o = { 0 };
  g_autoptr(GOptionContext) context = create_context (&o, _("Create and run a new container from an image"));
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) container = NULL;
  g_autoptr(JsonNode) started = NULL;
  int status = 0;

  /* (nothing but the container it creates: of an engine behind the API, no list and no event) */
  globals->one_off = TRUE;
  if (!g_option_context_parse (context, &argc, &argv, &error))
    status = hatake_cli_usage_error (context, error->message);
  else if (o.help)
    print_create_help (context);
  else if (argc < 2)
    status = hatake_cli_usage_error (context, _("requires at least 1 argument"));
  else if ((config = config_from_options (&o, argc, argv, &error)) == NULL)
    status = hatake_cli_usage_error (context, error->message);
  else if ((engine = hatake_cli_open_engine (globals, &error)) == NULL ||
           (container = create_container (engine, &o, config, &error)) == NULL)
    {
      /* docker's CLI: 125 when the engine refused (the container's own codes are 126, 127, its) */
      hatake_cli_fail (g_steal_pointer (&error));
      status = 125;
    }
  else
    {
      const char *id = hatake_container_get_id (container);
      g_autoptr(GAsyncResult) wait_result = NULL;
      g_autoptr(GAsyncResult) logs_result = NULL;
      g_autoptr(GAsyncResult) attach_result = NULL;
      g_autoptr(GCancellable) logs_cancellable = g_cancellable_new ();
      HatakeLogOptions log_options = HATAKE_LOG_OPTIONS_INIT;
      gboolean local = HATAKE_IS_LOCAL_ENGINE (engine);
      /* its output followed from before it starts, as docker attaches first: one that prints,
       * exits and is removed (--rm) while the start is being answered would leave nothing to
       * read. Here, from its log; behind an API, through an attach (as docker's CLI does) */
      gboolean logs_early = !o.detach && !o.tty && !o.interactive && local;
      gboolean attach_early = !o.detach && (o.tty || o.interactive || !local);
      /* behind an API, with --rm, the wait lasts until the engine has removed it */
      HatakeContainerOpArgs wait_args = { .timeout = -1, .removed = o.rm && !local };

      /* wait before it starts: with --rm the container may be gone by the time we would ask */
      if (!o.detach)
        hatake_engine_container_op_async (engine, id, HATAKE_CONTAINER_OP_WAIT, &wait_args, NULL,
                                          hatake_cli_store_result, &wait_result);
      log_options.follow = TRUE;
      if (logs_early)
        hatake_cli_begin_logs (engine, id, &log_options, logs_cancellable, &logs_result);
      if (attach_early)
        hatake_cli_begin_attach (engine, id, &attach_result);
      /* (a remote attach is there once its connection is taken over; it reads nothing before
       * the terminal starts it) */
      if (attach_early && !local)
        hatake_cli_wait ((gpointer *) &attach_result);
      started = run_op (engine, id, HATAKE_CONTAINER_OP_START, NULL, &error);
      if (error != NULL)
        {
          /* docker: 125 for the engine's errors, 126/127 for a command that cannot run (behind
           * an API the container's exit code is not here yet: its message tells) */
          int code = hatake_container_get_exit_code (container);
          fprintf (stderr, "Error response from daemon: %s\n", error->message);
          status = code == 126 || code == 127 ? code : start_error_status (error->message);
          if (logs_early)
            {
              g_cancellable_cancel (logs_cancellable);
              hatake_cli_wait ((gpointer *) &logs_result);
            }
          /* (a failed start fails the attach that waited for it) */
          if (attach_early)
            hatake_cli_wait ((gpointer *) &attach_result);
          if (o.rm)
            {
              HatakeContainerOpArgs args = { .timeout = -1, .force = TRUE };
              g_autoptr(JsonNode) removed G_GNUC_UNUSED = run_op (engine, id, HATAKE_CONTAINER_OP_REMOVE, &args, NULL);
            }
        }
      else if (o.detach)
        printf ("%s\n", id);
      else if (attach_early || o.tty || o.interactive)
        {
          g_autoptr(JsonNode) waited = NULL;

          gboolean attached = attach_early ? hatake_cli_run_terminal (engine, id, &attach_result, FALSE, o.interactive,
                                                                      o.tty, &error)
                                           : hatake_cli_attach_terminal (engine, id, o.interactive, o.tty, &error);

          if (!attached)
            {
              fprintf (stderr, "Error: %s\n", error->message);
              g_clear_error (&error);
            }
          hatake_cli_wait ((gpointer *) &wait_result);
          waited = hatake_engine_container_op_finish (engine, wait_result, &error);
          if (waited == NULL)
            status = hatake_cli_fail (g_steal_pointer (&error));
          else
            status = (int) json_object_get_int_member (json_node_get_object (waited), "StatusCode");
          for (;;)
            {
              g_autoptr(HatakeContainer) still = o.rm && local ? hatake_engine_lookup_container (engine, id) : NULL;
              if (still == NULL || hatake_container_get_state (still) == HATAKE_CONTAINER_DEAD)
                break;
              g_main_context_iteration (NULL, TRUE);
            }
        }
      else
        {
          /* the container's output, live, then its exit code as ours */
          g_autoptr(JsonNode) waited = NULL;
          gboolean logged;

          if (logs_early)
            {
              hatake_cli_wait ((gpointer *) &logs_result);
              logged = hatake_engine_container_logs_finish (engine, logs_result, &error);
            }
          else
            logged = hatake_cli_stream_logs (engine, id, &log_options, FALSE, &error);
          if (!logged)
            {
              fprintf (stderr, "Error: %s\n", error->message);
              g_clear_error (&error);
            }
          hatake_cli_wait ((gpointer *) &wait_result);
          waited = hatake_engine_container_op_finish (engine, wait_result, &error);
          if (waited == NULL)
            status = hatake_cli_fail (g_steal_pointer (&error));
          else
            status = (int) json_object_get_int_member (json_node_get_object (waited), "StatusCode");
          /* --rm: the engine removes it once it exited; let that finish before we go */
          for (;;)
            {
              g_autoptr(HatakeContainer) still = o.rm && local ? hatake_engine_lookup_container (engine, id) : NULL;
              if (still == NULL || hatake_container_get_state (still) == HATAKE_CONTAINER_DEAD)
                break;
              g_main_context_iteration (NULL, TRUE);
            }
        }
    }
  create_options_clear (&o);
  return status;
}

/* ---- system reset -------------------------------------------------------------------------- */

/* Stops and removes every container, then removes the data root and the engine's run folder,
 * saying what it did. */
int
hatake_cli_system_reset (HatakeCliGlobals *globals, int argc, char **argv)
{
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Do not prompt for confirmation"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("", _("Remove all containers, images and volumes"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autofree char *root = NULL;
  g_autofree char *run_dir = NULL;
  GListModel *containers;
  guint removed = 0;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  globals->local_only = TRUE;
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  root = g_strdup (hatake_local_engine_get_data_root (HATAKE_LOCAL_ENGINE (engine)));
  run_dir = g_strdup (hatake_local_engine_get_run_dir (HATAKE_LOCAL_ENGINE (engine)));
  if (!force)
    {
      char answer[16] = { 0 };
      printf (_("WARNING! This will stop and remove every container and remove %s with every image and volume in it.\n"), root);
      printf ("%s", _("Are you sure you want to continue? [y/N] "));
      fflush (stdout);
      if (fgets (answer, sizeof answer, stdin) == NULL || (answer[0] != 'y' && answer[0] != 'Y'))
        return 0;
    }
  containers = hatake_engine_get_containers (engine);
  while (g_list_model_get_n_items (containers) > 0)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (containers, 0);
      g_autofree char *name = g_strdup (hatake_container_get_name (c));
      HatakeContainerOpArgs args = { .timeout = -1, .force = TRUE, .volumes = TRUE };
      g_autoptr(JsonNode) node G_GNUC_UNUSED = run_op (engine, hatake_container_get_id (c), HATAKE_CONTAINER_OP_REMOVE, &args, &error);
      if (error != NULL)
        return hatake_cli_fail (g_steal_pointer (&error));
      printf (_("Removed container %s\n"), name);
      removed++;
    }
  /* the volumes, unmounted by their removal (a device's, a host folder bound: never removed
   * through the mount) */
  {
    HatakeVolumeOpArgs args = { .all = TRUE };
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(JsonNode) pruned = NULL;

    hatake_engine_volume_op_async (engine, HATAKE_VOLUME_OP_PRUNE, &args, NULL, hatake_cli_store_result, &result);
    hatake_cli_wait ((gpointer *) &result);
    pruned = hatake_engine_volume_op_finish (engine, result, &error);
    if (pruned == NULL)
      return hatake_cli_fail (g_steal_pointer (&error));
  }
  /* their networks' teardowns run on behind the removals: over before the run folder goes */
  hatake_cli_settle (globals);
  /* Moved aside while we still hold the lock: an exit command waiting for it then finds no
   * store and leaves, instead of making one again while we remove this one. */
  {
    g_autofree char *aside = g_strdup_printf ("%s.removing-%08x", root, g_random_int ());
    g_autofree char *run_aside = g_strdup_printf ("%s.removing-%08x", run_dir, g_random_int ());
    gboolean moved = rename (root, aside) == 0;
    gboolean run_moved = rename (run_dir, run_aside) == 0;

    g_clear_object (&engine);
    if (!hatake_rm_rf (moved ? aside : root, &error) || !hatake_rm_rf (run_moved ? run_aside : run_dir, &error))
      return hatake_cli_fail (g_steal_pointer (&error));
  }
  printf (_("Removed %u containers, the data root %s and %s\n"), removed, root, run_dir);
  return 0;
}
