/* hatake-test-run.c: the fixture of the container tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "hatake-test-run.h"

void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static HatakeConfig *
test_config (void)
{
  HatakeConfig *config = hatake_config_new_default ();
  const char *runtime = g_getenv ("HATAKE_TEST_RUNTIME");

  if (runtime != NULL && *runtime != '\0')
    {
      g_free (config->default_runtime);
      config->default_runtime = g_strdup (runtime);
    }
  return config;
}

JsonNode *
op (Fixture *f, const char *id, HatakeContainerOp what, const HatakeContainerOpArgs *args, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_engine_container_op_async (f->engine, id, what, args, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  return hatake_engine_container_op_finish (f->engine, result, error);
}

HatakeContainerConfig *
config_for (Fixture *f, const char *const *cmd)
{
  HatakeContainerConfig *c = hatake_container_config_new ();

  c->image = g_strdup (f->image);
  c->cmd = g_strdupv ((char **) cmd);
  return c;
}

HatakeContainer *
create (Fixture *f, HatakeContainerConfig *config)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HatakeContainer *c;

  hatake_engine_create_container_async (f->engine, config, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  c = hatake_engine_create_container_finish (f->engine, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hatake_container_get_state (c), ==, HATAKE_CONTAINER_CREATED);
  return c;
}

typedef struct
{
  GString *out;
  GString *err;
} Collected;

static void
collect (const HatakeLogEntry *entry, gpointer user_data)
{
  Collected *c = user_data;
  gsize length;
  const char *data = g_bytes_get_data (entry->content, &length);

  g_string_append_len (entry->stream == HATAKE_LOG_STDERR ? c->err : c->out, data, length);
}

void
logs (Fixture *f, const char *id, gboolean follow, char **out, char **err)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HatakeLogOptions options = HATAKE_LOG_OPTIONS_INIT;
  Collected c = { g_string_new (NULL), g_string_new (NULL) };

  options.follow = follow;
  hatake_engine_container_logs_async (f->engine, id, &options, collect, &c, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  g_assert_true (hatake_engine_container_logs_finish (f->engine, result, &error));
  g_assert_no_error (error);
  *out = g_string_free (c.out, FALSE);
  if (err)
    *err = g_string_free (c.err, FALSE);
  else
    g_string_free (c.err, TRUE);
}

/* create + start + follow the logs + wait: the exit code */
int
run (Fixture *f, HatakeContainerConfig *config, HatakeContainer **out_container, char **out, char **err)
{
  g_autoptr(HatakeContainer) c = create (f, config);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) started = NULL;
  g_autoptr(JsonNode) waited = NULL;
  g_autoptr(GAsyncResult) wait_result = NULL;
  const char *id = hatake_container_get_id (c);

  started = op (f, id, HATAKE_CONTAINER_OP_START, NULL, &error);
  g_assert_no_error (error);
  /* waiting from before the exit, as docker's run does: an --rm container may be gone after */
  hatake_engine_container_op_async (f->engine, id, HATAKE_CONTAINER_OP_WAIT, NULL, NULL, store_result, &wait_result);
  if (out != NULL)
    logs (f, id, TRUE, out, err);
  hatake_test_run_until_done ((gpointer *) &wait_result);
  waited = hatake_engine_container_op_finish (f->engine, wait_result, &error);
  g_assert_no_error (error);
  if (out_container)
    *out_container = g_object_ref (c);
  return (int) json_object_get_int_member (json_node_get_object (waited), "StatusCode");
}

void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeConfig) config = NULL;

  if (!hatake_test_require_env ("HATAKE_TEST_REGISTRY") || !hatake_test_require_root ())
    return;
  f->root = hatake_test_make_data_root ();
  config = test_config ();
  f->engine = hatake_test_engine_new (f->root, config);
  /* the runtime asked for is the one that runs, or the test says why not */
  if (g_getenv ("HATAKE_TEST_RUNTIME") != NULL &&
      hatake_local_engine_get_runtime_note (HATAKE_LOCAL_ENGINE (f->engine)) != NULL)
    {
      const char *note = hatake_local_engine_get_runtime_note (HATAKE_LOCAL_ENGINE (f->engine));
      if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
        g_error ("%s is not usable here: %s", g_getenv ("HATAKE_TEST_RUNTIME"), note);
      g_test_skip_printf ("%s", note);
      g_clear_object (&f->engine);
      return;
    }
  f->image = hatake_test_registry_ref ("hatake/busybox:latest");
  image = hatake_test_pull (f->engine, f->image, NULL, NULL, &error);
  g_assert_no_error (error);
}

void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->engine != NULL)
    {
      GListModel *containers = hatake_engine_get_containers (f->engine);
      HatakeContainerOpArgs args = { .timeout = -1, .force = TRUE };

      /* nothing may outlive the test */
      while (g_list_model_get_n_items (containers) > 0)
        {
          g_autoptr(HatakeContainer) c = g_list_model_get_item (containers, 0);
          g_autoptr(GError) error = NULL;
          g_autoptr(JsonNode) node = NULL;

          if (hatake_container_get_state (c) == HATAKE_CONTAINER_REMOVING)
            {
              /* a removal the engine began (of a --rm container whose start failed): waited for */
              g_main_context_iteration (NULL, TRUE);
              continue;
            }
          node = op (f, hatake_container_get_id (c), HATAKE_CONTAINER_OP_REMOVE, &args, &error);
          g_assert_no_error (error);
        }
      /* their networks' teardowns too, as a one-shot command waits for them: the test's process
       * may end next, and a teardown cut short leaves the namespace mounted in the run dir, its
       * veth and its rules (one per test binary, and they added up across CI's builds) */
      hatake_test_settle_engine (f->engine);
      g_clear_object (&f->engine);
    }
  if (f->root != NULL)
    hatake_test_remove_tree (f->root);
  g_free (f->root);
  g_free (f->image);
}


JsonNode *
network_op (Fixture *f, HatakeNetworkOp what, const HatakeNetworkOpArgs *args, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  hatake_engine_network_op_async (f->engine, what, args, NULL, store_result, &result);
  hatake_test_run_until_done ((gpointer *) &result);
  return hatake_engine_network_op_finish (f->engine, result, error);
}

guint16
free_tcp_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) any = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (any, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

gboolean
tcp_port_free (guint16 port)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (any, port);

  return g_socket_bind (socket, address, FALSE, NULL);
}
