/* test-compose-plan.c: a compose project's plan — the containers, networks and order it makes
 * (split from test-compose.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "hatake-compose-private.h"
#include "hatake-error.h"
#include "hatake-test-compose.h"

/* ---- the plan ------------------------------------------------------------------------------ */

static void
test_plan (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(HatakeComposeProject) p = load_ok (f->dir,
    "services:\n"
    "  web:\n"
    "    image: nginx\n"
    "    depends_on: [api, cache]\n"
    "    ports: [\"8080:80\", \"127.0.0.1::443\", \"[::1]:53:53/udp\", \"9000-9001:9000-9001\"]\n"
    "    expose: [\"81\"]\n"
    "    labels: {role: front}\n"
    "  api:\n"
    "    build: ./api\n"
    "    depends_on: [db]\n"
    "    networks:\n"
    "      default:\n"
    "      back: {aliases: [backend], ipv4_address: 10.5.0.5}\n"
    "    volumes: [\"data:/data:ro\", \"./code:/code\", \"/anon\", {type: tmpfs, target: /t, tmpfs: {size: 1m}}]\n"
    "    stop_grace_period: 1m\n"
    "    environment: [A=1]\n"
    "    entrypoint: [\"/init\"]\n"
    "    command: serve\n"
    "    user: app\n"
    "    working_dir: /code\n"
    "    hostname: api-host\n"
    "    init: true\n"
    "    tty: true\n"
    "    stdin_open: true\n"
    "    read_only: true\n"
    "    privileged: true\n"
    "    cap_add: [NET_ADMIN]\n"
    "    cap_drop: [MKNOD]\n"
    "    stop_signal: SIGINT\n"
    "    restart: on-failure:2\n"
    "    deploy: {resources: {limits: {cpus: 2, memory: 1g, pids: 64}}}\n"
    "  db: {image: postgres}\n"
    "  cache: {image: redis, container_name: the-cache}\n"
    "  zz: {image: x}\n"
    "  worker:\n"
    "    image: x\n"
    "    depends_on: {db: {condition: service_healthy, restart: true}}\n"
    "    network_mode: service:db\n"
    "    pid: host\n"
    "    ipc: host\n"
    "    uts: host\n"
    "    cpuset: \"0\"\n"
    "    oom_score_adj: -200\n"
    "    deploy: {replicas: 2}\n"
    "networks:\n"
    "  back: {name: shared-back}\n"
    "volumes:\n"
    "  data:\n", NULL);
  g_autoptr(GPtrArray) order = hatake_compose_project_get_order (p);
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *web_name = hatake_compose_project_container_name (p, service (p, "web"), 1);
  g_autofree char *worker_name = hatake_compose_project_container_name (p, service (p, "worker"), 2);
  g_autofree char *cache_name = hatake_compose_project_container_name (p, service (p, "cache"), 1);
  g_auto(GStrv) labels = hatake_compose_project_container_labels (p, service (p, "worker"), 2);
  g_autofree char *working_dir = g_strdup_printf ("com.docker.compose.project.working_dir=%s", f->dir);
  g_autoptr(HatakeContainerConfig) api = hatake_compose_project_container_config (p, service (p, "api"), 1);
  g_autoptr(HatakeContainerConfig) web = hatake_compose_project_container_config (p, service (p, "web"), 1);
  g_autoptr(HatakeContainerConfig) worker = hatake_compose_project_container_config (p, service (p, "worker"), 2);
  g_autofree char *code = g_build_filename (f->dir, "code", NULL);
  HatakeContainerMount *m;
  HatakeNetworkEndpoint *e;

  for (guint i = 0; i < order->len; i++)
    g_string_append_printf (names, "%s%s", i ? " " : "", ((HatakeComposeService *) g_ptr_array_index (order, i))->name);
  /* each after what it depends on; among those ready, by name */
  g_assert_cmpstr (names->str, ==, "cache db api web worker zz");
  g_assert_cmpstr (web_name, ==, "proj-web-1");
  g_assert_cmpstr (worker_name, ==, "proj-worker-2");
  g_assert_cmpstr (cache_name, ==, "the-cache");

  assert_strv (labels, "com.docker.compose.container-number=2",
               "com.docker.compose.depends_on=db:service_healthy:true",
               "com.docker.compose.oneoff=False", "com.docker.compose.project=proj",
               "com.docker.compose.project.config_files=", working_dir,
               "com.docker.compose.service=worker", "com.docker.compose.version=" HATAKE_COMPOSE_VERSION, NULL);

  /* the networks the project creates: default (web, api) and back, by their engine names */
  g_assert_cmpuint (hatake_compose_project_get_networks (p)->len, ==, 2);
  g_assert_cmpstr (hatake_compose_project_get_network (p, "back")->name, ==, "shared-back");
  g_assert_cmpstr (hatake_compose_project_get_network (p, "default")->name, ==, "proj_default");

  g_assert_cmpstr (api->name, ==, "proj-api-1");
  g_assert_cmpstr (api->image, ==, "proj-api");
  assert_strv (api->entrypoint, "/init", NULL);
  assert_strv (api->cmd, "serve", NULL);
  assert_strv (api->env, "A=1", NULL);
  g_assert_cmpstr (api->user, ==, "app");
  g_assert_cmpstr (api->working_dir, ==, "/code");
  g_assert_cmpstr (api->hostname, ==, "api-host");
  g_assert_true (api->init && api->tty && api->open_stdin && api->read_only && api->privileged);
  assert_strv (api->cap_add, "NET_ADMIN", NULL);
  assert_strv (api->cap_drop, "MKNOD", NULL);
  g_assert_cmpstr (api->stop_signal, ==, "SIGINT");
  g_assert_cmpint (api->stop_timeout, ==, 60);
  g_assert_cmpint (api->restart, ==, HATAKE_RESTART_ON_FAILURE);
  g_assert_cmpuint (api->restart_max, ==, 2);
  g_assert_cmpfloat (api->cpus, ==, 2.0);
  g_assert_cmpint (api->memory, ==, G_GINT64_CONSTANT (1) << 30);
  g_assert_cmpint (api->pids_limit, ==, 64);
  g_assert_cmpuint (api->mounts->len, ==, 4);
  m = g_ptr_array_index (api->mounts, 0);
  g_assert_cmpint (m->type, ==, HATAKE_CONTAINER_MOUNT_VOLUME);
  g_assert_cmpstr (m->source, ==, "proj_data");
  g_assert_true (m->read_only);
  m = g_ptr_array_index (api->mounts, 1);
  g_assert_cmpint (m->type, ==, HATAKE_CONTAINER_MOUNT_BIND);
  g_assert_cmpstr (m->source, ==, code);
  g_assert_true (m->create_source);   /* (the short form's create_host_path) */
  m = g_ptr_array_index (api->mounts, 2);
  g_assert_cmpint (m->type, ==, HATAKE_CONTAINER_MOUNT_VOLUME);
  g_assert_null (m->source);
  m = g_ptr_array_index (api->mounts, 3);
  g_assert_cmpint (m->type, ==, HATAKE_CONTAINER_MOUNT_TMPFS);
  g_assert_cmpint (m->tmpfs_size, ==, 1 << 20);
  g_assert_cmpuint (api->networks->len, ==, 2);
  e = g_ptr_array_index (api->networks, 0);
  g_assert_cmpstr (e->network, ==, "proj_default");
  assert_strv (e->aliases, "api", NULL);
  e = g_ptr_array_index (api->networks, 1);
  g_assert_cmpstr (e->network, ==, "shared-back");
  assert_strv (e->aliases, "api", "backend", NULL);
  g_assert_cmpstr (e->ip, ==, "10.5.0.5");
  g_assert_cmpstr (api->network_mode, ==, "proj_default");

  assert_strv (web->publish, "8080:80/tcp", "127.0.0.1::443/tcp", "[::1]:53:53/udp", "9000-9001:9000-9001/tcp", NULL);
  assert_strv (web->expose, "81", NULL);
  g_assert_true (g_strv_contains ((const char * const *) web->labels, "role=front"));
  g_assert_true (g_strv_contains ((const char * const *) web->labels, "com.docker.compose.service=web"));
  g_assert_true (g_strv_contains ((const char * const *) web->labels,
                                  "com.docker.compose.depends_on=api:service_started:false,"
                                  "cache:service_started:false"));
  /* every publish spec is one the core's parser takes, but for IPv6 addresses, which it does not
   * take yet (docker's form is kept for them) */
  for (guint i = 0; web->publish[i] != NULL; i++)
    {
      if (web->publish[i][0] == '[')
        continue;
      HatakePortMapping mapping;
      g_autoptr(GError) error = NULL;

      g_assert_true (hatake_port_mapping_parse (web->publish[i], &mapping, &error));
      g_assert_no_error (error);
    }

  g_assert_cmpstr (worker->network_mode, ==, "container:proj-db-1");
  g_assert_cmpstr (worker->pid_mode, ==, "host");
  g_assert_cmpstr (worker->ipc_mode, ==, "host");
  g_assert_cmpstr (worker->uts_mode, ==, "host");
  g_assert_null (api->pid_mode);
  g_assert_null (api->ipc_mode);
  g_assert_null (api->uts_mode);
  g_assert_cmpstr (worker->cpuset_cpus, ==, "0");
  g_assert_cmpint (worker->oom_score_adj, ==, -200);
  g_assert_null (api->cpuset_cpus);
  g_assert_cmpint (api->oom_score_adj, ==, 0);
  g_assert_cmpuint (worker->networks->len, ==, 0);
  g_assert_cmpint (service (p, "worker")->replicas, ==, 2);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  ADD ("/compose/plan", test_plan);
  return g_test_run ();
}
