/* test-run.c: real busybox containers through the local engine: conmon and the OCI runtime
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The runtime is the engine's choice for this machine unless HATAKE_TEST_RUNTIME names one
 * (the harness runs this file once per runtime).
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "hatake-test-run.h"

static void
test_echo (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "echo hello; echo oops >&2; exit 3", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int code;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  code = run (f, config, &c, &out, &err);
  g_assert_cmpint (code, ==, 3);
  g_assert_cmpstr (out, ==, "hello\n");
  g_assert_cmpstr (err, ==, "oops\n");
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_EXITED);
  g_assert_cmpint (hatake_container_get_exit_code (c), ==, 3);
  g_assert_cmpint (hatake_container_get_finished_at (c), >=, hatake_container_get_started_at (c));

  /* it ran on the runtime asked for */
  if (g_getenv ("HATAKE_TEST_RUNTIME") != NULL)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(JsonNode) inspect = NULL;
      g_autoptr(GError) error = NULL;
      hatake_engine_inspect_container_async (f->engine, hatake_container_get_id (c), NULL, store_result, &result);
      hatake_test_run_until_done ((gpointer *) &result);
      inspect = hatake_engine_inspect_container_finish (f->engine, result, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                         json_node_get_object (inspect), "HostConfig"), "Runtime"), ==,
                       g_getenv ("HATAKE_TEST_RUNTIME"));
    }
}

/* docker's semantics inside: env merged over the image's, a working dir made, the user from the
 * container's own passwd, the hostname, the files under /etc provided. */
static void
test_process_settings (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c",
                        "echo $PATH; echo $FOO; pwd; id -u; id -g; hostname; cat /etc/hostname; "
                        "grep -c localhost /etc/hosts; test -s /etc/resolv.conf && echo resolv", NULL };
  const char *env[] = { "FOO=bar", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->env = g_strdupv ((char **) env);
  config->working_dir = g_strdup ("/made/for/you");
  config->user = g_strdup ("nobody");
  config->hostname = g_strdup ("hatake-box");
  g_assert_cmpint (run (f, config, NULL, &out, NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 9);
  g_assert_nonnull (strstr (lines[0], "/bin"));
  g_assert_cmpstr (lines[1], ==, "bar");
  g_assert_cmpstr (lines[2], ==, "/made/for/you");
  g_assert_cmpstr (lines[3], ==, "65534");
  g_assert_cmpstr (lines[4], ==, "65534");
  g_assert_cmpstr (lines[5], ==, "hatake-box");
  g_assert_cmpstr (lines[6], ==, "hatake-box");
  g_assert_cmpint (atoi (lines[7]), >=, 1);
  g_assert_cmpstr (lines[8], ==, "resolv");
}

/* The entrypoint/cmd rules, seen from inside. */
static void
test_entrypoint (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "one", "two", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *out = NULL;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->entrypoint = g_strsplit ("echo entry", " ", -1);
  g_assert_cmpint (run (f, config, NULL, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "entry one two\n");
}

/* busybox sleep as PID 1 ignores SIGTERM: stop waits its timeout, then SIGKILL: 137. */
static void
test_stop_kill (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sleep", "300", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HatakeContainerOpArgs args = { .timeout = 1 };
  const char *id;
  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  c = create (f, config);
  id = hatake_container_get_id (c);
  node = op (f, id, HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_RUNNING);
  g_assert_cmpint (hatake_container_get_pid (c), >, 0);
  g_assert_cmpint (kill (hatake_container_get_pid (c), 0), ==, 0);

  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_STOP, &args, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_EXITED);
  /* SIGTERM was ignored, so SIGKILL after the grace period: 128 + 9 */
  g_assert_cmpint (hatake_container_get_exit_code (c), ==, 137);

  /* start again, then kill: 137 at once */
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_KILL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_WAIT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "StatusCode"), ==, 137);

  /* kill of an exited container is refused */
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_KILL, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE);
}

/* stop sends the stop signal first: a process that handles it exits its own way. */
static void
test_stop_signal (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "trap 'exit 42' USR1; echo ready; while :; do sleep 0.1; done", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HatakeContainerOpArgs args = { .timeout = 30 };

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->stop_signal = g_strdup ("SIGUSR1");
  c = create (f, config);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  /* the trap is set once it printed */
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *out = NULL;
      logs (f, hatake_container_get_id (c), FALSE, &out, NULL);
      if (g_str_equal (out, "ready\n"))
        break;
      g_usleep (20 * 1000);
    }
  g_clear_pointer (&node, json_node_unref);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_STOP, &args, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_exit_code (c), ==, 42);
}

static void
test_pause_and_remove (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sleep", "300", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HatakeContainerOpArgs force = { .timeout = -1, .force = TRUE };
  g_autofree char *dir = NULL;
  const char *id;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  c = create (f, config);
  id = hatake_container_get_id (c);
  dir = g_build_filename (f->root, "containers", id, NULL);
  node = op (f, id, HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);

  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_UNPAUSE, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE);
  g_clear_error (&error);

  node = op (f, id, HATAKE_CONTAINER_OP_PAUSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_PAUSED);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_UNPAUSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_RUNNING);

  /* a running container is not removed without force */
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_REMOVE, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));

  node = op (f, id, HATAKE_CONTAINER_OP_REMOVE, &force, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_REMOVED);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_null (hatake_engine_lookup_container (f->engine, id));

  /* and nothing can be done with it any more */
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
}

static void
test_auto_remove (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "true", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->auto_remove = TRUE;
  g_assert_cmpint (run (f, config, &c, NULL, NULL), ==, 0);
  for (guint i = 0; i < 5000 && hatake_container_get_state (c) != HATAKE_CONTAINER_REMOVED; i++)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_REMOVED);
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_containers (f->engine)), ==, 0);
}

/* The mount options of the overlay at ROOTFS, from /proc/self/mountinfo, or NULL */
static char *
rootfs_mount_options (const char *rootfs)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);
      guint n = g_strv_length (fields);

      if (n > 4 && g_str_equal (fields[4], rootfs))
        return g_strdup (fields[n - 1]);
    }
  return NULL;
}

/* A --rm container's overlay is volatile (never synced: thrown away at its exit), another's is
 * not; a restart keeps a --rm container and its files (dockerd's restart does), mounting it
 * again over the mark the volatile mount left; its stop then removes it. */
static void
test_auto_remove_restart (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "echo run >> /runs; exec sleep 300", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainerConfig) kept_config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(HatakeContainer) kept = NULL;
  g_autoptr(HatakeContainer) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HatakeContainerOpArgs now = { .timeout = 0 };
  g_autofree char *rootfs = NULL, *kept_rootfs = NULL, *runs = NULL, *options = NULL, *kept_options = NULL;
  g_autofree char *contents = NULL;
  const char *id;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->auto_remove = TRUE;
  c = create (f, config);
  id = hatake_container_get_id (c);
  rootfs = g_build_filename (f->root, "containers", id, "rootfs", NULL);
  runs = g_build_filename (f->root, "containers", id, "upper", "runs", NULL);
  kept_config = config_for (f, cmd);
  kept = create (f, kept_config);
  kept_rootfs = g_build_filename (f->root, "containers", hatake_container_get_id (kept), "rootfs", NULL);
  node = op (f, id, HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, hatake_container_get_id (kept), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  options = rootfs_mount_options (rootfs);
  kept_options = rootfs_mount_options (kept_rootfs);
  g_assert_nonnull (options);
  g_assert_nonnull (kept_options);
  g_assert_nonnull (strstr (options, "volatile"));
  g_assert_null (strstr (kept_options, "volatile"));

  for (guint i = 0; i < 500 && !g_file_test (runs, G_FILE_TEST_EXISTS); i++)
    g_usleep (10 * 1000);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_RESTART, &now, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_RUNNING);
  found = hatake_engine_lookup_container (f->engine, id);
  g_assert_true (found == c);
  g_clear_pointer (&options, g_free);
  options = rootfs_mount_options (rootfs);
  g_assert_nonnull (options);
  g_assert_nonnull (strstr (options, "volatile"));
  for (guint i = 0; i < 500; i++)
    {
      g_clear_pointer (&contents, g_free);
      if (g_file_get_contents (runs, &contents, NULL, NULL) && g_str_equal (contents, "run\nrun\n"))
        break;
      g_usleep (10 * 1000);
    }
  g_assert_cmpstr (contents, ==, "run\nrun\n");

  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_STOP, &now, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 5000 && hatake_container_get_state (c) != HATAKE_CONTAINER_REMOVED; i++)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_REMOVED);
  g_assert_null (rootfs_mount_options (rootfs));
}

static void
append_stdout (const HatakeLogEntry *entry, gpointer user_data)
{
  gsize length;
  const char *data = g_bytes_get_data (entry->content, &length);

  if (entry->stream == HATAKE_LOG_STDOUT)
    g_string_append_len (user_data, data, length);
}

/* `run --rm` follows the output from before the start, as docker attaches first: a follower of
 * a container not started yet waits for its log, and gets every line of one that prints, exits
 * and is removed at once. */
static void
test_auto_remove_output (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "echo early; echo late", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GAsyncResult) followed = NULL;
  g_autoptr(JsonNode) started = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  HatakeLogOptions options = HATAKE_LOG_OPTIONS_INIT;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->auto_remove = TRUE;
  c = create (f, config);
  options.follow = TRUE;
  hatake_engine_container_logs_async (f->engine, hatake_container_get_id (c), &options, append_stdout, out, NULL,
                                      store_result, &followed);
  /* (a follower of a container that has no log yet used to end at once, with nothing) */
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (followed);
  started = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  hatake_test_run_until_done ((gpointer *) &followed);
  g_assert_true (hatake_engine_container_logs_finish (f->engine, followed, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out->str, ==, "early\nlate\n");
  for (guint i = 0; i < 5000 && hatake_container_get_state (c) != HATAKE_CONTAINER_REMOVED; i++)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_REMOVED);
}

/* A --rm container's config.json is not synced to disk (the create's fsyncs cost every `run --rm`
 * a few ms), unless it has volumes: after a power cut it may be empty. The next engine rolls such
 * a container back as an interrupted create. Another container whose config is unreadable (an
 * empty one was a critical, then a crash) is said to be so and left on disk with its files. */
static void
test_auto_remove_power_cut (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "true", NULL };
  g_autoptr(HatakeContainerConfig) kept_config = NULL, lost_config = NULL, bad_config = NULL, volume_config = NULL;
  g_autoptr(HatakeContainer) kept = NULL, lost = NULL, bad = NULL, volume = NULL;
  g_autofree char *lost_dir = NULL, *lost_json = NULL, *kept_json = NULL, *bad_dir = NULL, *bad_json = NULL;
  g_autofree char *lost_mark = NULL, *kept_mark = NULL, *volume_mark = NULL;
  GListModel *containers;

  SKIP_WITHOUT_ENGINE (f);
  kept_config = config_for (f, cmd);
  kept = create (f, kept_config);
  lost_config = config_for (f, cmd);
  lost_config->auto_remove = TRUE;
  lost = create (f, lost_config);
  volume_config = config_for (f, cmd);
  volume_config->auto_remove = TRUE;
  hatake_container_config_add_mount (volume_config, HATAKE_CONTAINER_MOUNT_VOLUME, NULL, "/data", FALSE);
  volume = create (f, volume_config);
  bad_config = config_for (f, cmd);
  bad = create (f, bad_config);
  lost_dir = g_build_filename (f->root, "containers", hatake_container_get_id (lost), NULL);
  lost_json = g_build_filename (lost_dir, "config.json", NULL);
  lost_mark = g_build_filename (lost_dir, "auto-remove", NULL);
  kept_json = g_build_filename (f->root, "containers", hatake_container_get_id (kept), "config.json", NULL);
  kept_mark = g_build_filename (f->root, "containers", hatake_container_get_id (kept), "auto-remove", NULL);
  volume_mark = g_build_filename (f->root, "containers", hatake_container_get_id (volume), "auto-remove", NULL);
  bad_dir = g_build_filename (f->root, "containers", hatake_container_get_id (bad), NULL);
  bad_json = g_build_filename (bad_dir, "config.json", NULL);
  /* only the --rm container without volumes goes unsynced, and is marked so */
  g_assert_true (g_file_test (lost_mark, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (kept_mark, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (volume_mark, G_FILE_TEST_EXISTS));

  hatake_test_drop_engine (&f->engine, f->root);
  /* what a power cut may leave of a file renamed into place without an fsync */
  g_assert_cmpint (truncate (lost_json, 0), ==, 0);
  g_assert_cmpint (truncate (bad_json, 0), ==, 0);
  g_test_expect_message ("hatake-engine", G_LOG_LEVEL_WARNING, "Container * is unreadable and left out*no JSON object*");
  f->engine = hatake_test_engine_new (f->root, NULL);
  g_test_assert_expected_messages ();
  containers = hatake_engine_get_containers (f->engine);
  g_assert_cmpuint (g_list_model_get_n_items (containers), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (containers, i);
      g_assert_true (g_str_equal (hatake_container_get_id (c), hatake_container_get_id (kept)) ||
                     g_str_equal (hatake_container_get_id (c), hatake_container_get_id (volume)));
    }
  g_assert_false (g_file_test (lost_dir, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (kept_json, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (bad_json, G_FILE_TEST_IS_REGULAR));
  hatake_rm_rf (bad_dir, NULL);
}

/* Names of the files that inotify saw created or renamed into DIR since WATCH began */
static GPtrArray *
written_names (int watch)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  char buffer[8192] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
  ssize_t n;

  while ((n = read (watch, buffer, sizeof buffer)) > 0)
    for (char *p = buffer; p < buffer + n; p += sizeof (struct inotify_event) + ((struct inotify_event *) p)->len)
      {
        const struct inotify_event *event = (const struct inotify_event *) p;
        if (event->len > 0 && (event->mask & (IN_CREATE | IN_MOVED_TO)))
          g_ptr_array_add (names, g_strdup (event->name));
      }
  return names;
}

/* A container removed at its exit (--rm) saves neither its exit nor its removal (state.json
 * written twice over on the main loop for a folder about to go); another saves its exit. */
static void
test_auto_remove_unsaved (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sleep", "0.3", NULL };

  SKIP_WITHOUT_ENGINE (f);
  for (guint auto_remove = 0; auto_remove < 2; auto_remove++)
    {
      g_autoptr(HatakeContainerConfig) config = config_for (f, cmd);
      g_autoptr(HatakeContainer) c = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) names = NULL;
      g_autofree char *dir = NULL;
      gboolean saved = FALSE;
      int watch;

      config->auto_remove = auto_remove;
      c = create (f, config);
      node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_RUNNING);
      dir = g_build_filename (f->root, "containers", hatake_container_get_id (c), NULL);
      watch = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
      g_assert_cmpint (inotify_add_watch (watch, dir, IN_CREATE | IN_MOVED_TO), >=, 0);
      for (guint i = 0; i < 5000 && hatake_container_get_state (c) != HATAKE_CONTAINER_EXITED &&
                        hatake_container_get_state (c) != HATAKE_CONTAINER_REMOVED; i++)
        g_main_context_iteration (NULL, TRUE);
      if (auto_remove)
        for (guint i = 0; i < 5000 && hatake_container_get_state (c) != HATAKE_CONTAINER_REMOVED; i++)
          g_main_context_iteration (NULL, TRUE);
      g_assert_cmpint (hatake_container_get_state (c), ==,
                       auto_remove ? HATAKE_CONTAINER_REMOVED : HATAKE_CONTAINER_EXITED);
      names = written_names (watch);
      close (watch);
      for (guint i = 0; i < names->len; i++)
        if (g_str_has_prefix (g_ptr_array_index (names, i), "state.json"))
          saved = TRUE;
      g_assert_cmpint (saved, ==, !auto_remove);
      if (!auto_remove)
        {
          HatakeContainerOpArgs remove = { .timeout = -1 };
          g_clear_pointer (&node, json_node_unref);
          node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_REMOVE, &remove, &error);
          g_assert_no_error (error);
        }
    }
}

static void
on_attach_output (HatakeAttach *attach, int stream, GBytes *bytes, gpointer user_data)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  g_string_append_len (user_data, data, length);
}

static void
on_attach_closed (HatakeAttach *attach, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* run -i, docker run -i: attached before the start, the stdio of a container that prints and
 * exits (and is removed) at once comes through whole; a failed start fails such an attach. */
static void
test_attach_before_start (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "echo before; read line; echo \"got $line\"", NULL };
  const char *missing[] = { "/no/such/command", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainerConfig) broken = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(HatakeContainer) b = NULL;
  g_autoptr(GAsyncResult) attached = NULL;
  g_autoptr(HatakeAttach) attach = NULL;
  g_autoptr(JsonNode) started = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GBytes) line = g_bytes_new_static ("input\n", 6);
  gboolean closed = FALSE;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->open_stdin = TRUE;
  config->auto_remove = TRUE;
  c = create (f, config);
  hatake_engine_attach_async (f->engine, hatake_container_get_id (c), NULL, store_result, &attached);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (attached);   /* it waits for the start */
  started = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  hatake_test_run_until_done ((gpointer *) &attached);
  attach = hatake_engine_attach_finish (f->engine, attached, &error);
  g_assert_no_error (error);
  g_signal_connect (attach, "output", G_CALLBACK (on_attach_output), out);
  g_signal_connect (attach, "closed", G_CALLBACK (on_attach_closed), &closed);
  hatake_attach_start (attach);
  hatake_attach_write (attach, line);
  while (!closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (out->str, ==, "before\ngot input\n");
  hatake_attach_close (attach);

  /* a start that fails: the attach that waited says so */
  g_clear_object (&attached);
  broken = config_for (f, missing);
  broken->open_stdin = TRUE;
  b = create (f, broken);
  hatake_engine_attach_async (f->engine, hatake_container_get_id (b), NULL, store_result, &attached);
  g_clear_pointer (&started, json_node_unref);
  started = op (f, hatake_container_get_id (b), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_nonnull (error);
  g_clear_error (&error);
  hatake_test_run_until_done ((gpointer *) &attached);
  g_clear_object (&attach);
  attach = hatake_engine_attach_finish (f->engine, attached, &error);
  g_assert_null (attach);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_INVALID_STATE);
}

static void
test_restart_on_failure (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "echo run; exit 2", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *out = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->restart = HATAKE_RESTART_ON_FAILURE;
  config->restart_max = 2;
  c = create (f, config);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  /* two restarts, then it stays exited */
  while (!(hatake_container_get_restart_count (c) == 2 &&
           hatake_container_get_state (c) == HATAKE_CONTAINER_EXITED) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (hatake_container_get_restart_count (c), ==, 2);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_EXITED);
  g_assert_cmpint (hatake_container_get_exit_code (c), ==, 2);
  logs (f, hatake_container_get_id (c), FALSE, &out, NULL);
  g_assert_cmpstr (out, ==, "run\nrun\nrun\n");
}

/* A missing command fails the start with docker's code and leaves the container exited. */
static void
test_start_failure (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "/no/such/program", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  c = create (f, config);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_EXITED);
  g_assert_cmpint (hatake_container_get_exit_code (c), ==, 127);
  g_assert_nonnull (hatake_container_get_error (c));
}

typedef gboolean (*CmdlineMatch) (const char *cmdline, gsize length, gconstpointer data);

/* Whether a process's command line (its arguments, each ending in a NUL) matches */
static gboolean
any_process (CmdlineMatch match, gconstpointer data)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *file = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *text = NULL;
      gsize n = 0;

      if (g_ascii_isdigit (name[0]) && g_file_get_contents (file, &text, &n, NULL) && n > 0 &&
          match (text, n, data))
        return TRUE;
    }
  return FALSE;
}

/* conmon with ID among its arguments (its -c ID, or any other argument) */
static gboolean
is_conmon_for (const char *cmdline, gsize length, gconstpointer id)
{
  g_autofree char *program = g_path_get_basename (cmdline);

  if (!g_str_equal (program, "conmon"))
    return FALSE;
  for (gsize i = 0; i < length; i += strlen (cmdline + i) + 1)
    if (g_str_equal (cmdline + i, id))
      return TRUE;
  return FALSE;
}

static gboolean
conmon_for (const char *id)
{
  return any_process (is_conmon_for, id);
}

/* The pid of C's conmon, from the file conmon writes */
static GPid
conmon_pid (Fixture *f, HatakeContainer *c)
{
  g_autofree char *path = g_build_filename (f->root, "containers", hatake_container_get_id (c), "conmon.pid", NULL);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return (GPid) atoi (text);
}

/* conmon syncs a container's log to disk once the container exited, before it reports the exit;
 * not the log of a container removed at its exit (--rm), that goes with it: every `run --rm`
 * waited for that sync (up to 14 ms here) */
static void
test_log_sync (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sleep", "300", NULL };
  HatakeContainerOpArgs remove = { .timeout = -1, .force = TRUE };

  SKIP_WITHOUT_ENGINE (f);
  for (guint auto_remove = 0; auto_remove < 2; auto_remove++)
    {
      g_autoptr(HatakeContainerConfig) config = config_for (f, cmd);
      g_autoptr(HatakeContainer) c = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *cmdline_path = NULL, *cmdline = NULL;
      gsize length = 0;

      config->auto_remove = auto_remove;
      c = create (f, config);
      node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
      g_assert_no_error (error);
      cmdline_path = g_strdup_printf ("/proc/%d/cmdline", conmon_pid (f, c));
      g_assert_true (g_file_get_contents (cmdline_path, &cmdline, &length, NULL));
      g_assert_true (is_conmon_for (cmdline, length, hatake_container_get_id (c)));
      g_assert_cmpint (is_conmon_for (cmdline, length, "--no-sync-log"), ==, auto_remove);

      g_clear_pointer (&node, json_node_unref);
      node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_REMOVE, &remove, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_containers (f->engine)), ==, 0);
    }
}

/* A start whose preparing fails (a user the image does not have): conmon, started ahead of the
 * bundle and waiting for it, is killed before it ran the runtime. The start fails with the
 * preparing's error, not conmon's; nothing of the container runs, and it can be removed. */
static void
prepare_failure_once (Fixture *f)
{
  const char *cmd[] = { "true", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *state = NULL, *pid_file = NULL;
  HatakeContainerOpArgs remove = { .timeout = -1 };
  const char *id;

  config = config_for (f, cmd);
  config->user = g_strdup ("no-such-user");
  c = create (f, config);
  id = hatake_container_get_id (c);
  node = op (f, id, HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no-such-user"));
  g_clear_error (&error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_EXITED);
  g_assert_nonnull (strstr (hatake_container_get_error (c), "no-such-user"));
  g_assert_false (conmon_for (id));
  /* conmon was killed at its start pipe: it never forked (its parent writes conmon.pid then),
   * as it would have on a byte or on an end of file */
  pid_file = g_build_filename (f->root, "containers", id, "conmon.pid", NULL);
  g_assert_false (g_file_test (pid_file, G_FILE_TEST_EXISTS));
  /* the runtime never created it */
  state = g_build_filename (hatake_local_engine_get_run_dir (HATAKE_LOCAL_ENGINE (f->engine)), "runtime", id, NULL);
  g_assert_false (g_file_test (state, G_FILE_TEST_EXISTS));
  g_clear_pointer (&node, json_node_unref);
  node = op (f, id, HATAKE_CONTAINER_OP_REMOVE, &remove, &error);
  g_assert_no_error (error);
}

static void
test_prepare_failure (Fixture *f, gconstpointer data)
{
  SKIP_WITHOUT_ENGINE (f);
  /* (the kill of conmon and the end of its start pipe once raced: a few rounds, to catch it) */
  for (guint i = 0; i < 10; i++)
    prepare_failure_once (f);
}

typedef struct
{
  const char *cmdline;
  gsize       length;
} Cmdline;

static gboolean
is_cmdline (const char *cmdline, gsize length, gconstpointer data)
{
  const Cmdline *want = data;

  return length == want->length && memcmp (cmdline, want->cmdline, length) == 0;
}

static gboolean
process_running (const char *cmdline,
                 gsize       length)
{
  Cmdline want = { cmdline, length };

  return any_process (is_cmdline, &want);
}

/* A netavark that never ends is killed after its timeout: the start fails saying so, nothing of
 * it is left running, and once netavark works the same container starts (the networks' lock and
 * the machine's netavark lock were let go). */
static void
test_netavark_hang (Fixture *f, gconstpointer data)
{
  static const char hung[] = "sleep\0" "599\0";
  const char *cmd[] = { "true", NULL };
  g_autofree char *bin = hatake_test_make_data_root ();
  g_autofree char *fake = g_build_filename (bin, "netavark", NULL);
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_autofree char *path = g_strconcat (bin, ":", old_path, NULL);
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  SKIP_WITHOUT_ENGINE (f);
  g_assert_true (g_file_set_contents (fake, "#!/bin/sh\nexec sleep 599\n", -1, NULL));
  g_assert_cmpint (g_chmod (fake, 0755), ==, 0);
  config = config_for (f, cmd);
  g_free (config->network_mode);
  config->network_mode = g_strdup ("bridge");
  c = create (f, config);

  g_setenv ("HATAKE_NETAVARK_TIMEOUT", "1", TRUE);
  g_setenv ("PATH", path, TRUE);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  /* the cleanup's teardown (queued after the failed start) runs the hanging netavark too, with
   * the same bound: done before the real one and the default bound (60 s) are back, or its
   * "sleep 599" outlives the test and fails the next run's check below */
  hatake_test_settle_engine (f->engine);
  g_setenv ("PATH", old_path, TRUE);
  g_unsetenv ("HATAKE_NETAVARK_TIMEOUT");
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "netavark setup did not finish within 1 seconds"));
  g_assert_cmpint (hatake_container_get_state (c), !=, HATAKE_CONTAINER_RUNNING);
  /* nothing of the hanging netavark is left */
  for (guint i = 0; i < 150 && process_running (hung, sizeof hung - 1); i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (G_USEC_PER_SEC / 10);
    }
  g_assert_false (process_running (hung, sizeof hung - 1));

  g_clear_error (&error);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_WAIT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_exit_code (c), ==, 0);
}

/* Sysctls of the container's own namespaces are set in it (the network's, IPC's) and leave the
 * host's alone; one of the host's (vm.*) or a net.* on the host's network is refused at create,
 * naming it, before anything exists. */
static void
test_sysctls (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/shmmni", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeContainer) refused = NULL;
  g_autofree char *out = NULL, *host_before = NULL, *host_after = NULL;
  guint n_before;

  SKIP_WITHOUT_ENGINE (f);
  g_assert_true (g_file_get_contents ("/proc/sys/net/ipv4/ip_unprivileged_port_start", &host_before, NULL, NULL));
  config = config_for (f, cmd);
  config->sysctls = g_strsplit ("net.ipv4.ip_unprivileged_port_start=99|kernel.shmmni=1234", "|", -1);
  g_assert_cmpint (run (f, config, NULL, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "99\n1234\n");
  g_assert_true (g_file_get_contents ("/proc/sys/net/ipv4/ip_unprivileged_port_start", &host_after, NULL, NULL));
  g_assert_cmpstr (host_after, ==, host_before);

  n_before = g_list_model_get_n_items (hatake_engine_get_containers (f->engine));
  g_strfreev (config->sysctls);
  config->sysctls = g_strsplit ("vm.swappiness=10", "|", -1);
  hatake_engine_create_container_async (f->engine, config, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  refused = hatake_engine_create_container_finish (f->engine, result, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "'vm.swappiness' is not allowed"));
  g_assert_null (refused);
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_containers (f->engine)), ==, n_before);

  g_clear_error (&error);
  g_clear_object (&result);
  g_strfreev (config->sysctls);
  config->sysctls = g_strsplit ("net.ipv4.ip_forward=0", "|", -1);
  g_free (config->network_mode);
  config->network_mode = g_strdup ("host");
  hatake_engine_create_container_async (f->engine, config, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  refused = hatake_engine_create_container_finish (f->engine, result, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "host's network"));
}

/* The root can be read-only; a bind mount can be read-only; a tmpfs is writable. */
static void
test_filesystems (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c",
                        "touch /x 2>/dev/null && echo root-rw || echo root-ro; "
                        "cat /data/file; touch /data/new 2>/dev/null && echo bind-rw || echo bind-ro; "
                        "touch /scratch/y && echo tmpfs-rw", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *out = NULL;
  g_autofree char *host = hatake_test_make_data_root ();
  g_autofree char *file = g_build_filename (host, "file", NULL);
  g_autofree char *created = g_build_filename (host, "new", NULL);

  SKIP_WITHOUT_ENGINE (f);
  g_assert_true (g_file_set_contents (file, "from the host\n", -1, NULL));
  config = config_for (f, cmd);
  config->read_only = TRUE;
  hatake_container_config_add_mount (config, HATAKE_CONTAINER_MOUNT_BIND, host, "/data", TRUE);
  hatake_container_config_add_mount (config, HATAKE_CONTAINER_MOUNT_TMPFS, NULL, "/scratch", FALSE);
  g_assert_cmpint (run (f, config, NULL, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "root-ro\nfrom the host\nbind-ro\ntmpfs-rw\n");
  g_assert_false (g_file_test (created, G_FILE_TEST_EXISTS));
  hatake_test_remove_tree (host);
}

/* The engine leaks no descriptor into the container: only stdio is open in it. */
static void
test_no_fd_leak (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "ls /proc/self/fd | sort -n | tr '\\n' ' '", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *out = NULL;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  g_assert_cmpint (run (f, config, NULL, &out, NULL), ==, 0);
  /* 0 1 2, and ls's own directory descriptor */
  g_assert_cmpstr (out, ==, "0 1 2 3 ");
}

/* A pipe open without close-on-exec before any engine: as the descriptors a shell or a service
 * manager hands its programs */
static int inherited[2] = { -1, -1 };

/* "pipe:[N]" and "socket:[N]" of PID's descriptors, and paths under ROOT */
static GHashTable *
descriptor_targets (GPid pid, const char *root)
{
  g_autofree char *fd_dir = g_strdup_printf ("/proc/%d/fd", (int) pid);
  g_autoptr(GDir) dir = g_dir_open (fd_dir, 0, NULL);
  GHashTable *targets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fd_dir, name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (target != NULL && (g_str_has_prefix (target, "pipe:") || g_str_has_prefix (target, "socket:") ||
                             g_str_has_prefix (target, root)))
        g_hash_table_add (targets, g_steal_pointer (&target));
    }
  return targets;
}

/* conmon, spawned without fork(), gets only what the runtime hands it: nothing the engine holds
 * (its store lock, its sockets, its pipes), nor what the engine's own process was started with.
 * Then a kill and a forced removal at once. */
static void
test_conmon_descriptors (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sleep", "300", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GHashTable) ours = NULL, conmons = NULL;
  g_autofree char *probe = NULL, *probe_target = NULL;
  HatakeContainerOpArgs remove = { .timeout = -1, .force = TRUE };
  GHashTableIter iter;
  const char *target;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  c = create (f, config);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);

  probe = g_strdup_printf ("/proc/self/fd/%d", inherited[1]);
  probe_target = g_file_read_link (probe, NULL);
  g_assert_nonnull (probe_target);
  ours = descriptor_targets (getpid (), f->root);
  g_assert_true (g_hash_table_contains (ours, probe_target));
  conmons = descriptor_targets (conmon_pid (f, c), f->root);
  g_assert_cmpuint (g_hash_table_size (conmons), >, 0);
  g_hash_table_iter_init (&iter, conmons);
  while (g_hash_table_iter_next (&iter, (gpointer *) &target, NULL))
    if (g_hash_table_contains (ours, target))
      g_error ("conmon holds %s, which the engine's process holds too", target);

  /* a forced removal right after a kill: the runtime's own kill finds the process gone, its exit
   * not yet seen ("open pidfd: No such process"); the removal waits for that exit, once */
  g_clear_pointer (&node, json_node_unref);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_KILL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_REMOVE, &remove, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_containers (f->engine)), ==, 0);
}

/* An exit leaves nothing of the container in the runtime: its state and its cgroup go (crun's
 * delete without --force: the container's other processes died with its init) */
static void
test_exit_deletes_runtime_state (Fixture *f, gconstpointer data)
{
  /* it exits when told: an exit right after its start could be seen and its delete begun while
   * the test still looks for what the start made (under AddressSanitizer, crun's delete had taken
   * the cgroup and not yet the state) */
  const char *cmd[] = { "sh", "-c", "trap 'exit 3' USR1; touch /trapped; sleep 30 & sleep 30 & wait", NULL };
  HatakeContainerOpArgs usr1 = { .timeout = -1, .signal = (char *) "USR1" };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *state = NULL, *cgroup_v1 = NULL, *cgroup_v2 = NULL;
  gint64 deadline;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  c = create (f, config);
  state = g_build_filename (hatake_local_engine_get_run_dir (HATAKE_LOCAL_ENGINE (f->engine)), "runtime",
                            hatake_container_get_id (c), NULL);
  cgroup_v1 = g_build_filename ("/sys/fs/cgroup/pids/hatake", hatake_container_get_id (c), NULL);
  cgroup_v2 = g_build_filename ("/sys/fs/cgroup/hatake", hatake_container_get_id (c), NULL);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (state, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (cgroup_v1, G_FILE_TEST_IS_DIR) || g_file_test (cgroup_v2, G_FILE_TEST_IS_DIR));
  g_clear_pointer (&node, json_node_unref);
  /* (PID 1 ignores a signal it has no handler for yet: the trap is set once /trapped is there) */
  {
    g_autofree char *trapped = g_build_filename (f->root, "containers", hatake_container_get_id (c), "upper", "trapped",
                                                 NULL);

    deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (!g_file_test (trapped, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
      g_usleep (10 * 1000);
    g_assert_true (g_file_test (trapped, G_FILE_TEST_EXISTS));
  }
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_KILL, &usr1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_WAIT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "StatusCode"), ==, 3);

  /* (the delete runs after the exit is reported) */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while ((g_file_test (state, G_FILE_TEST_EXISTS) || g_file_test (cgroup_v1, G_FILE_TEST_EXISTS) ||
          g_file_test (cgroup_v2, G_FILE_TEST_EXISTS)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (10 * 1000), TRUE);
  g_assert_false (g_file_test (state, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (cgroup_v1, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (cgroup_v2, G_FILE_TEST_EXISTS));
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_EXITED);
}

static void
test_names (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "true", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainerConfig) again = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeContainer) none = NULL;
  g_autoptr(HatakeContainer) found = NULL;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->name = g_strdup ("web");
  c = create (f, config);
  g_assert_cmpstr (hatake_container_get_name (c), ==, "web");
  found = hatake_engine_lookup_container (f->engine, "/web");
  g_assert_true (found == c);

  again = config_for (f, cmd);
  again->name = g_strdup ("web");
  hatake_engine_create_container_async (f->engine, again, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  none = hatake_engine_create_container_finish (f->engine, result, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFLICT);
  g_assert_null (none);
}

/* exec runs inside with the container's settings, its exit code and exec's overrides; top sees
 * the container's processes. Output goes to this process's stdout: check it through a file in a
 * bind mount instead. */
static void
test_exec_top (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sleep", "300", NULL };
  const char *exec_cmd[] = { "sh", "-c", "echo $A $(id -u) $(pwd) > /out/result; exit 7", NULL };
  const char *env[] = { "A=from-exec", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) top_result = NULL;
  g_autoptr(JsonNode) top = NULL;
  g_autofree char *host = hatake_test_make_data_root ();
  g_autofree char *file = g_build_filename (host, "result", NULL);
  g_autofree char *contents = NULL;
  HatakeExecOptions options = { 0 };
  JsonArray *processes;
  int code;

  SKIP_WITHOUT_ENGINE (f);
  g_assert_cmpint (g_chmod (host, 0777), ==, 0);  /* exec runs as nobody */
  config = config_for (f, cmd);
  hatake_container_config_add_mount (config, HATAKE_CONTAINER_MOUNT_BIND, host, "/out", FALSE);
  c = create (f, config);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);

  options.argv = (GStrv) exec_cmd;
  options.env = (GStrv) env;
  options.user = (char *) "nobody";
  options.working_dir = (char *) "/tmp";
  hatake_engine_exec_async (f->engine, hatake_container_get_id (c), &options, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  code = hatake_engine_exec_finish (f->engine, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (code, ==, 7);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "from-exec 65534 /tmp\n");

  hatake_engine_top_async (f->engine, hatake_container_get_id (c), NULL, NULL, store_result, &top_result);
  hatake_test_run_until_done ((gpointer *) &top_result);
  top = hatake_engine_top_finish (f->engine, top_result, &error);
  g_assert_no_error (error);
  processes = json_object_get_array_member (json_node_get_object (top), "Processes");
  g_assert_cmpuint (json_array_get_length (processes), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (processes, 0), 7), ==, "sleep 300");
  hatake_test_remove_tree (host);
}

static JsonNode *
volume_op (Fixture *f, HatakeVolumeOp what, const HatakeVolumeOpArgs *args, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_engine_volume_op_async (f->engine, what, args, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  return hatake_engine_volume_op_finish (f->engine, result, error);
}

/* A named volume outlives its containers; a new one is filled from the image (copy-up); one in
 * use cannot be removed; rm -v drops anonymous volumes. */
static void
test_volumes (Fixture *f, gconstpointer data)
{
  const char *write_cmd[] = { "sh", "-c", "echo kept > /data/file; ls /etc/passwd", NULL };
  const char *read_cmd[] = { "cat", "/data/file", NULL };
  const char *copy_cmd[] = { "sh", "-c", "grep -c root /etc/passwd", NULL };
  g_autoptr(HatakeContainerConfig) writer = NULL;
  g_autoptr(HatakeContainerConfig) reader = NULL;
  g_autoptr(HatakeContainerConfig) copier = NULL;
  g_autoptr(HatakeContainer) copy_container = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autofree char *out = NULL;
  g_autofree char *copied = NULL;
  HatakeVolumeOpArgs named = { .name = "store" };
  HatakeVolumeOpArgs none = { 0 };
  HatakeContainerOpArgs remove_volumes = { .timeout = -1, .volumes = TRUE };
  const char *volume_dir;

  SKIP_WITHOUT_ENGINE (f);
  writer = config_for (f, write_cmd);
  hatake_container_config_add_mount (writer, HATAKE_CONTAINER_MOUNT_VOLUME, "store", "/data", FALSE);
  writer->auto_remove = TRUE;
  g_assert_cmpint (run (f, writer, NULL, &out, NULL), ==, 0);
  g_clear_pointer (&out, g_free);

  reader = config_for (f, read_cmd);
  hatake_container_config_add_mount (reader, HATAKE_CONTAINER_MOUNT_VOLUME, "store", "/data", TRUE);
  reader->name = g_strdup ("reader");
  g_assert_cmpint (run (f, reader, NULL, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "kept\n");

  /* in use by "reader": refused, and still there */
  node = volume_op (f, HATAKE_VOLUME_OP_REMOVE, &named, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "reader"));
  g_clear_error (&error);
  node = volume_op (f, HATAKE_VOLUME_OP_INSPECT, &named, &error);
  g_assert_no_error (error);
  volume_dir = json_object_get_string_member (json_node_get_object (node), "Mountpoint");
  g_assert_true (g_str_has_prefix (volume_dir, f->root));
  g_clear_pointer (&node, json_node_unref);

  /* copy-up: an anonymous volume over /etc starts with the image's /etc */
  copier = config_for (f, copy_cmd);
  hatake_container_config_add_mount (copier, HATAKE_CONTAINER_MOUNT_VOLUME, NULL, "/etc", FALSE);
  g_assert_cmpint (run (f, copier, &copy_container, &copied, NULL), ==, 0);
  g_assert_cmpint (atoi (copied), >=, 1);
  list = volume_op (f, HATAKE_VOLUME_OP_LIST, &none, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (list), "Volumes")), ==, 2);
  g_clear_pointer (&list, json_node_unref);

  /* rm -v takes the anonymous volume with it, not the named one */
  node = op (f, hatake_container_get_id (copy_container), HATAKE_CONTAINER_OP_REMOVE, &remove_volumes, &error);
  g_assert_no_error (error);
  list = volume_op (f, HATAKE_VOLUME_OP_LIST, &none, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (list), "Volumes")), ==, 1);
}

/* Security: an image whose /etc/passwd, working directory and declared volume are symlinks to
 * host paths reads and writes only inside its root; a volume declared outside the root is
 * refused before anything exists. Each check fails if our openat2 resolution is removed. */
static void
test_hostile_paths (Fixture *f, gconstpointer data)
{
  const char *dirs[] = { "/tmp/hatake-escape-workdir", "/tmp/hatake-escape-vol" };
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeImage) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeContainerConfig) as_nobody = NULL;
  g_autoptr(HatakeContainerConfig) as_root = NULL;
  g_autoptr(HatakeContainerConfig) volume_outside = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autoptr(HatakeContainer) none = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *bad_ref = NULL;
  g_autofree char *out = NULL;
  JsonArray *escapes;

  SKIP_WITHOUT_ENGINE (f);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      hatake_test_remove_tree (dirs[i]);
      g_assert_cmpint (g_mkdir_with_parents (dirs[i], 0755), ==, 0);
    }
  ref = hatake_test_registry_ref ("hatake/evil-paths:latest");
  image = hatake_test_pull (f->engine, ref, NULL, NULL, &error);
  g_assert_no_error (error);

  /* "nobody" is looked up in the container's /etc/shadow (where its passwd link points, inside
   * the root), which has no such user: never in the host's /etc/shadow or passwd */
  as_nobody = hatake_container_config_new ();
  as_nobody->image = g_strdup (ref);
  as_nobody->user = g_strdup ("nobody");
  c = create (f, as_nobody);
  node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "nobody"));
  g_clear_error (&error);

  /* as root: the working dir and the volume land inside the root */
  as_root = hatake_container_config_new ();
  as_root->image = g_strdup (ref);
  g_assert_cmpint (run (f, as_root, NULL, &out, NULL), ==, 0);
  /* inside, the link's target (a path of the container's own) is where it works */
  g_assert_cmpstr (out, ==, "/tmp/hatake-escape-workdir/sub\n");
  escapes = json_object_get_array_member (hatake_test_fixture ("hatake/evil-paths:latest"), "escape_paths");
  for (guint i = 0; i < json_array_get_length (escapes); i++)
    g_assert_false (g_file_test (json_array_get_string_element (escapes, i), G_FILE_TEST_EXISTS));

  /* a declared volume outside the root: refused at create, nothing made */
  bad_ref = hatake_test_registry_ref ("hatake/evil-volume:latest");
  bad = hatake_test_pull (f->engine, bad_ref, NULL, NULL, &error);
  g_assert_no_error (error);
  volume_outside = hatake_container_config_new ();
  volume_outside->image = g_strdup (bad_ref);
  hatake_engine_create_container_async (f->engine, volume_outside, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  none = hatake_engine_create_container_finish (f->engine, result, &error);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSAFE_LAYER);
  g_assert_null (none);
  g_assert_cmpuint (g_list_model_get_n_items (hatake_engine_get_containers (f->engine)), ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    hatake_test_remove_tree (dirs[i]);
}

/* Capabilities, rlimits, masked and read-only /proc paths, seccomp: exactly what was asked. */
static void
test_confinement (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c",
                        "grep CapEff /proc/self/status | cut -f2; ulimit -n; "
                        "grep Seccomp: /proc/self/status | cut -f2; "
                        "cat /proc/timer_list 2>/dev/null | wc -c; "
                        "(echo x > /proc/sys/kernel/domainname) 2>/dev/null && echo sys-rw || echo sys-ro", NULL };
  const char *drop_all[] = { "ALL", NULL };
  const char *add_net[] = { "NET_ADMIN", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) container = NULL;
  g_autoptr(HatakeContainerConfig) dropped = NULL;
  g_autoptr(HatakeContainerConfig) added = NULL;
  g_autofree char *out = NULL, *out_dropped = NULL, *out_added = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *nofile = NULL;
  struct rlimit limit;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  g_assert_cmpint (run (f, config, &container, &out, NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  /* docker's 14 default capabilities */
  g_assert_cmpstr (lines[0], ==, "00000000a80425fb");
  /* never more open files than the engine itself may have */
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  nofile = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) MIN (limit.rlim_max, 1048576));
  g_assert_cmpstr (lines[1], ==, nofile);
  g_assert_cmpstr (lines[2], ==, "2");
  g_assert_cmpstr (lines[3], ==, "0");
  g_assert_cmpstr (lines[4], ==, "sys-ro");
  if (g_strcmp0 (g_getenv ("HATAKE_TEST_RUNTIME"), "crun") == 0)
    {
      /* crun gets the program compiled once (test-seccomp checks it is the one crun would
       * compile), kept in the data root for the next container with this profile */
      g_autofree char *spec_path = g_build_filename (f->root, "containers", hatake_container_get_id (container),
                                                     "bundle", "config.json", NULL);
      g_autofree char *cache = g_build_filename (f->root, "cache", "seccomp", NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree guchar *program = NULL;
      g_autofree char *cached = NULL;
      const char *encoded, *name;
      gsize len, cached_len;

      json_parser_load_from_file (parser, spec_path, &error);
      g_assert_no_error (error);
      encoded = json_object_get_string_member (json_object_get_object_member (
                  json_node_get_object (json_parser_get_root (parser)), "annotations"), "run.oci.seccomp_bpf_data");
      g_assert_nonnull (encoded);
      program = g_base64_decode (encoded, &len);
      dir = g_dir_open (cache, 0, &error);
      g_assert_no_error (error);
      name = g_dir_read_name (dir);
      g_assert_nonnull (name);
      g_assert_null (g_dir_read_name (dir));
      {
        g_autofree char *path = g_build_filename (cache, name, NULL);

        g_assert_true (g_file_get_contents (path, &cached, &cached_len, &error));
      }
      g_assert_cmpmem (program, len, cached, cached_len);
    }

  dropped = config_for (f, cmd);
  dropped->cap_drop = g_strdupv ((char **) drop_all);
  g_assert_cmpint (run (f, dropped, NULL, &out_dropped, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out_dropped, "0000000000000000\n"));

  added = config_for (f, cmd);
  added->cap_add = g_strdupv ((char **) add_net);
  g_assert_cmpint (run (f, added, NULL, &out_added, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out_added, "00000000a80435fb\n"));
}

/* --privileged: every capability the engine has, no more (root here lacks CAP_SYS_RESOURCE in
 * its bounding set; asking crun for all 41 failed with "capset: Operation not permitted"). */
static void
test_privileged (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "grep CapEff /proc/self/status | cut -f2", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *out = NULL;
  g_autofree char *status = NULL;
  g_autofree char *want = NULL;
  const char *bnd;
  guint64 engine_caps;

  SKIP_WITHOUT_ENGINE (f);
  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  bnd = strstr (status, "CapBnd:");
  g_assert_nonnull (bnd);
  engine_caps = g_ascii_strtoull (bnd + strlen ("CapBnd:"), NULL, 16) & ((G_GUINT64_CONSTANT (1) << 41) - 1);
  want = g_strdup_printf ("%016" G_GINT64_MODIFIER "x\n", engine_caps);
  config = config_for (f, cmd);
  config->privileged = TRUE;
  g_assert_cmpint (run (f, config, NULL, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, want);
}

/* --init runs tini as PID 1; the command is its child. */
static void
test_init (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autofree char *out = NULL;

  SKIP_WITHOUT_ENGINE (f);
  if (!g_file_test ("/usr/bin/tini-static", G_FILE_TEST_EXISTS))
    {
      if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
        g_error ("tini-static is missing: build-aux/install-deps.sh installs it");
      g_test_skip ("tini-static is not installed");
      return;
    }
  config = config_for (f, cmd);
  config->init = TRUE;
  g_assert_cmpint (run (f, config, NULL, &out, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "/sbin/docker-init -- sh -c"));
}

/* A memory limit holds: a process over it is killed (137) and reported as OOM-killed. */
static void
test_oom (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived", NULL };
  g_autoptr(HatakeContainerConfig) config = NULL;
  g_autoptr(HatakeContainer) c = NULL;
  g_autofree char *out = NULL;

  SKIP_WITHOUT_ENGINE (f);
  config = config_for (f, cmd);
  config->memory = 16 * 1024 * 1024;
  g_assert_cmpint (run (f, config, &c, &out, NULL), ==, 137);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (hatake_container_get_oom_killed (c));
}


int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (pipe (inherited), ==, 0);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/run/echo", test_echo);
  ADD ("/run/process-settings", test_process_settings);
  ADD ("/run/entrypoint", test_entrypoint);
  ADD ("/run/stop-kill", test_stop_kill);
  ADD ("/run/stop-signal", test_stop_signal);
  ADD ("/run/pause-remove", test_pause_and_remove);
  ADD ("/run/auto-remove", test_auto_remove);
  ADD ("/run/auto-remove-output", test_auto_remove_output);
  ADD ("/run/auto-remove-restart", test_auto_remove_restart);
  ADD ("/run/log-sync", test_log_sync);
  ADD ("/run/auto-remove-power-cut", test_auto_remove_power_cut);
  ADD ("/run/auto-remove-unsaved", test_auto_remove_unsaved);
  ADD ("/run/attach-before-start", test_attach_before_start);
  ADD ("/run/restart-on-failure", test_restart_on_failure);
  ADD ("/run/start-failure", test_start_failure);
  ADD ("/run/prepare-failure", test_prepare_failure);
  ADD ("/run/netavark-hang", test_netavark_hang);
  ADD ("/run/sysctls", test_sysctls);
  ADD ("/run/filesystems", test_filesystems);
  ADD ("/run/no-fd-leak", test_no_fd_leak);
  ADD ("/run/conmon-descriptors", test_conmon_descriptors);
  ADD ("/run/exit-deletes-runtime-state", test_exit_deletes_runtime_state);
  ADD ("/run/names", test_names);
  ADD ("/run/exec-top", test_exec_top);
  ADD ("/run/volumes", test_volumes);
  ADD ("/run/hostile-paths", test_hostile_paths);
  ADD ("/run/confinement", test_confinement);
  ADD ("/run/privileged", test_privileged);
  ADD ("/run/init", test_init);
  ADD ("/run/oom", test_oom);
#undef ADD
  return g_test_run ();
}
