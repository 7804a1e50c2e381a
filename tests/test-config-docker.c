/* test-config-docker.c: a container's config as docker's create body, and back
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include <locale.h>
#include <stdarg.h>
#include <string.h>

#include "hatake-container-config.h"
#include "hatake-error.h"

/* A field added to these structs changes their size: the build stops here until the field is in
 * assert_config_equal(), in both directions of hatake-container-config-docker.c and in the rich
 * configs below, and the size here is the new one. (The sizes are those of 64-bit systems.) */
G_STATIC_ASSERT (sizeof (gpointer) != 8 || sizeof (HatakeContainerConfig) == 368);
G_STATIC_ASSERT (sizeof (gpointer) != 8 || sizeof (HatakeHealthConfig) == 48);
G_STATIC_ASSERT (sizeof (gpointer) != 8 || sizeof (HatakeContainerMount) == 48);
G_STATIC_ASSERT (sizeof (gpointer) != 8 || sizeof (HatakeNetworkEndpoint) == 24);

#define MIB (G_GINT64_CONSTANT (1) << 20)

/* ---- building and comparing configs ------------------------------------------------------ */

static GStrv
strv (const char *first,
      ...) G_GNUC_NULL_TERMINATED;

static GStrv
strv (const char *first,
      ...)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  va_list args;

  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    g_strv_builder_add (b, s);
  va_end (args);
  return g_strv_builder_end (b);
}

static GStrv
strv_empty (void)
{
  return g_new0 (char *, 1);
}

static void
add_mount (HatakeContainerConfig    *c,
           HatakeContainerMountType  type,
           const char               *source,
           const char               *target,
           gboolean                  read_only,
           gint64                    tmpfs_size,
           guint                     tmpfs_mode)
{
  HatakeContainerMount *m;

  m = hatake_container_config_add_mount (c, type, source, target, read_only);
  m->tmpfs_size = tmpfs_size;
  m->tmpfs_mode = tmpfs_mode;
}

/* A bind as -v makes it: its missing source is made (docker's Binds) */
static void
add_v_bind (HatakeContainerConfig *c,
            const char            *source,
            const char            *target,
            gboolean               read_only)
{
  hatake_container_config_add_mount (c, HATAKE_CONTAINER_MOUNT_BIND, source, target, read_only)->create_source = TRUE;
}

static void
add_network (HatakeContainerConfig *c,
             const char            *network,
             GStrv                  aliases,
             const char            *ip)
{
  g_ptr_array_add (c->networks, hatake_network_endpoint_new (network, (const char * const *) aliases, ip));
  g_strfreev (aliases);
}

static void
set_strv (GStrv *field,
          GStrv  value)
{
  g_strfreev (*field);
  *field = value;
}

/* NULL, or ["a", "b"]: a NULL vector and an empty one differ, and so do ["a b"] and ["a", "b"] */
static char *
strv_text (GStrv v)
{
  GString *s;

  if (v == NULL)
    return g_strdup ("NULL");
  s = g_string_new ("[");
  for (guint i = 0; v[i] != NULL; i++)
    {
      g_autofree char *escaped = g_strescape (v[i], NULL);

      g_string_append_printf (s, "%s\"%s\"", i > 0 ? ", " : "", escaped);
    }
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static void
assert_strv_field (const char *field,
                   GStrv       got,
                   GStrv       expected)
{
  g_autofree char *got_text = strv_text (got);
  g_autofree char *expected_text = strv_text (expected);
  g_autofree char *a = g_strdup_printf ("%s: %s", field, got_text);
  g_autofree char *b = g_strdup_printf ("%s: %s", field, expected_text);

  g_assert_cmpstr (a, ==, b);
}

static char *
mount_text (const HatakeContainerMount *m)
{
  return g_strdup_printf ("type %d, source %s, target %s, read_only %d, create_source %d, tmpfs_size %"
                          G_GINT64_FORMAT ", tmpfs_mode %o", m->type, m->source ? m->source : "NULL",
                          m->target ? m->target : "NULL", m->read_only, m->create_source, m->tmpfs_size,
                          m->tmpfs_mode);
}

static char *
endpoint_text (const HatakeNetworkEndpoint *e)
{
  g_autofree char *aliases = strv_text (e->aliases);

  return g_strdup_printf ("network %s, aliases %s, ip %s", e->network, aliases, e->ip ? e->ip : "NULL");
}

/* Every field of HatakeContainerConfig, named in the message when it differs. */
static void
assert_config_equal (const HatakeContainerConfig *got,
                     const HatakeContainerConfig *expected)
{
#define STR(field) g_assert_cmpstr (got->field, ==, expected->field)
#define INT(field) g_assert_cmpint (got->field, ==, expected->field)
#define STRV(field) assert_strv_field (#field, got->field, expected->field)
  STR (name);
  STR (image);
  STRV (entrypoint);
  STRV (cmd);
  STRV (env);
  STR (working_dir);
  STR (user);
  STR (hostname);
  STRV (labels);
  INT (tty);
  INT (open_stdin);
  INT (auto_remove);
  INT (read_only);
  INT (privileged);
  INT (init);
  STRV (cap_add);
  STRV (cap_drop);
  STRV (sysctls);
  STRV (extra_hosts);
  STRV (dns);
  STRV (dns_search);
  STRV (dns_options);
  INT (shm_size);
  STRV (security_opt);
  STRV (ulimits);
  STRV (devices);
  STRV (group_add);
  INT (memory);
  INT (memory_swap);
  INT (cpu_shares);
  g_assert_cmpfloat (got->cpus, ==, expected->cpus);
  STR (cpuset_cpus);
  STR (cpuset_mems);
  INT (oom_score_adj);
  INT (pids_limit);
  INT (restart);
  INT (restart_max);
  STR (stop_signal);
  INT (stop_timeout);
  STR (runtime);
  STR (network_mode);
  STR (pid_mode);
  STR (ipc_mode);
  STR (uts_mode);
  STRV (publish);
  INT (publish_all);
  STRV (expose);
  g_assert_cmpint (got->healthcheck != NULL, ==, expected->healthcheck != NULL);
  if (got->healthcheck != NULL)
    {
      assert_strv_field ("healthcheck.test", got->healthcheck->test, expected->healthcheck->test);
      INT (healthcheck->interval);
      INT (healthcheck->timeout);
      INT (healthcheck->start_period);
      INT (healthcheck->start_interval);
      INT (healthcheck->retries);
    }
#undef STR
#undef INT
#undef STRV
  g_assert_cmpuint (got->mounts->len, ==, expected->mounts->len);
  for (guint i = 0; i < got->mounts->len; i++)
    {
      g_autofree char *a = mount_text (g_ptr_array_index (got->mounts, i));
      g_autofree char *b = mount_text (g_ptr_array_index (expected->mounts, i));

      g_assert_cmpstr (a, ==, b);
    }
  g_assert_cmpuint (got->networks->len, ==, expected->networks->len);
  for (guint i = 0; i < got->networks->len; i++)
    {
      g_autofree char *a = endpoint_text (g_ptr_array_index (got->networks, i));
      g_autofree char *b = endpoint_text (g_ptr_array_index (expected->networks, i));

      g_assert_cmpstr (a, ==, b);
    }
}

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

/* config → body, through its text as on the wire → config, which must be expected (config itself
 * when NULL) */
static void
assert_round_trip (const HatakeContainerConfig *config,
                   const HatakeContainerConfig *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = hatake_container_config_to_docker (config);
  g_autofree char *text = json_to_string (body, FALSE);
  g_autoptr(JsonNode) sent = parse (text);
  g_autoptr(HatakeContainerConfig) back = NULL;

  g_test_message ("body: %s", text);
  back = hatake_container_config_from_docker (json_node_get_object (sent), config->name, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  assert_config_equal (back, expected != NULL ? expected : config);
}

/* ---- round trips ---------------------------------------------------------------------------- */

/* Every field set away from its default, mounts in -v's form as long as they can be (Binds), the
 * rest in --mount's (Mounts). Written in the shape from_docker() makes: publish one port each as
 * [IP:]HOST_PORT:PORT/PROTO, grouped by port, each published port in expose too, labels KEY=VALUE. */
static HatakeContainerConfig *
rich_config (void)
{
  HatakeContainerConfig *c = hatake_container_config_new ();

  c->name = g_strdup ("web");
  c->image = g_strdup ("registry.example:5000/team/app:1.2");
  c->entrypoint = strv ("/bin/sh", "-c", NULL);
  c->cmd = strv ("echo \"$A\"", "x y", NULL);
  c->env = strv ("A=1", "B=two words", "C=", NULL);
  c->working_dir = g_strdup ("/srv/app");
  c->user = g_strdup ("1000:1000");
  c->hostname = g_strdup ("web-1");
  c->labels = strv ("com.example.role=front", "empty=", "eq=a=b", NULL);
  c->tty = TRUE;
  c->open_stdin = TRUE;
  c->auto_remove = TRUE;
  c->read_only = TRUE;
  c->privileged = TRUE;
  c->init = TRUE;
  c->cap_add = strv ("NET_ADMIN", "SYS_TIME", NULL);
  c->cap_drop = strv ("MKNOD", NULL);
  c->sysctls = strv ("net.core.somaxconn=1024", "kernel.shmmax=65536", NULL);
  c->extra_hosts = strv ("db:10.0.0.5", "host.docker.internal:host-gateway", NULL);
  c->dns = strv ("9.9.9.9", NULL);
  c->dns_search = strv ("example.com", NULL);
  c->dns_options = strv ("ndots:2", NULL);
  c->shm_size = 128 * MIB;
  c->security_opt = strv ("no-new-privileges", "seccomp=unconfined", NULL);
  c->ulimits = strv ("nofile=512:1024", "core=0:0", NULL);
  c->devices = strv ("/dev/fuse:/dev/fuse:rwm", "/dev/net/tun:/dev/tun0:rw", NULL);
  c->group_add = strv ("audio", "1234", NULL);
  c->memory = 64 * MIB;
  c->memory_swap = 96 * MIB;
  c->cpu_shares = 512;
  c->cpus = 1.5;
  c->cpuset_cpus = g_strdup ("0-3,5");
  c->cpuset_mems = g_strdup ("0");
  c->oom_score_adj = -250;
  c->pids_limit = 100;
  c->restart = HATAKE_RESTART_ON_FAILURE;
  c->restart_max = 3;
  c->stop_signal = g_strdup ("SIGINT");
  c->stop_timeout = 5;
  add_v_bind (c, "/srv/data", "/data", TRUE);
  add_mount (c, HATAKE_CONTAINER_MOUNT_VOLUME, "cache", "/var/cache/app", FALSE, 0, 0);
  add_mount (c, HATAKE_CONTAINER_MOUNT_VOLUME, NULL, "/anonymous", FALSE, 0, 0);
  add_mount (c, HATAKE_CONTAINER_MOUNT_TMPFS, NULL, "/run", TRUE, 64 * MIB, 01770);
  add_mount (c, HATAKE_CONTAINER_MOUNT_BIND, "/etc/hosts", "/etc/extra-hosts", FALSE, 0, 0);
  add_mount (c, HATAKE_CONTAINER_MOUNT_VOLUME, "logs", "/var/log/app", TRUE, 0, 0);
  c->runtime = g_strdup ("crun");
  c->pid_mode = g_strdup ("host");
  c->ipc_mode = g_strdup ("host");
  g_free (c->network_mode);
  c->network_mode = g_strdup ("front");
  c->publish = strv ("8080:80/tcp", "8081:80/tcp", "127.0.0.1:5353:53/udp", "127.0.0.1::9000/tcp", ":9001/tcp",
                     "8000-8010:9002/tcp", NULL);
  c->publish_all = TRUE;
  c->expose = strv ("3000/tcp", "80/tcp", "53/udp", "9000/tcp", "9001/tcp", "9002/tcp", NULL);
  add_network (c, "front", strv ("web", "www", NULL), "10.5.0.7");
  add_network (c, "back", NULL, NULL);
  add_network (c, "side", strv_empty (), "10.6.0.2");
  c->healthcheck = hatake_health_config_new ();
  c->healthcheck->test = strv ("CMD", "/bin/check", "--deep", "a b", NULL);
  c->healthcheck->interval = 200 * 1000;
  c->healthcheck->timeout = 1500 * 1000;
  c->healthcheck->start_period = 3 * G_USEC_PER_SEC;
  c->healthcheck->start_interval = 1001;
  c->healthcheck->retries = 7;
  return c;
}

static void
test_round_trip_rich (void)
{
  g_autoptr(HatakeContainerConfig) c = rich_config ();

  assert_round_trip (c, NULL);
}

/* The values rich_config() leaves at their defaults, and the other ways of the rest: no name,
 * a cleared entrypoint, empty vectors, a tmpfs first (so that every mount is in Mounts), a bind of
 * a relative path and mounts with ':' (which Binds cannot carry), the host's network. */
static void
test_round_trip_other (void)
{
  g_autoptr(HatakeContainerConfig) c = hatake_container_config_new ();

  c->image = g_strdup ("busybox");
  c->entrypoint = strv_empty ();
  c->env = strv_empty ();
  c->labels = strv_empty ();
  c->user = g_strdup ("nobody");
  c->cap_add = strv_empty ();
  c->memory = 1;
  c->cpus = 0.25;
  c->pids_limit = 1;
  c->restart = HATAKE_RESTART_ALWAYS;
  c->stop_signal = g_strdup ("9");
  c->stop_timeout = 0;
  add_mount (c, HATAKE_CONTAINER_MOUNT_TMPFS, NULL, "/tmp", FALSE, 0, 0);
  add_mount (c, HATAKE_CONTAINER_MOUNT_BIND, "/srv", "/srv", FALSE, 0, 0);
  add_mount (c, HATAKE_CONTAINER_MOUNT_BIND, "relative/dir", "/rel", TRUE, 0, 0);
  add_mount (c, HATAKE_CONTAINER_MOUNT_VOLUME, "vol", "/with:colon", FALSE, 0, 0);
  add_mount (c, HATAKE_CONTAINER_MOUNT_BIND, "/a:b", "/c", FALSE, 0, 0);
  add_mount (c, HATAKE_CONTAINER_MOUNT_TMPFS, NULL, "/big", FALSE, G_GINT64_CONSTANT (3) << 40, 0);
  g_free (c->network_mode);
  c->network_mode = g_strdup ("host");
  /* (the host's UTS namespace goes without a hostname: rich_config() has one) */
  c->uts_mode = g_strdup ("host");
  c->publish = strv_empty ();
  c->expose = strv_empty ();
  assert_round_trip (c, NULL);

  c->restart = HATAKE_RESTART_UNLESS_STOPPED;
  g_free (c->network_mode);
  c->network_mode = g_strdup ("none");
  assert_round_trip (c, NULL);
}

/* docker's default network, with an alias there and a second network */
static void
test_round_trip_bridge (void)
{
  g_autoptr(HatakeContainerConfig) c = hatake_container_config_new ();

  c->image = g_strdup ("postgres:16");
  c->name = g_strdup ("db");
  add_network (c, "bridge", strv ("database", NULL), NULL);
  add_network (c, "backend", NULL, "172.30.0.4");
  c->publish = strv_empty ();
  c->expose = strv_empty ();
  assert_round_trip (c, NULL);
}

/* hatake_container_config_new() and an image: what from_docker() gives for no ports is empty
 * vectors, not NULL */
static void
test_round_trip_minimal (void)
{
  g_autoptr(HatakeContainerConfig) c = hatake_container_config_new ();
  g_autoptr(HatakeContainerConfig) expected = NULL;
  static const char * const unset[] = { "Entrypoint", "Cmd", "Env", "Labels", "WorkingDir", "User", "Hostname",
                                         "StopSignal", "StopTimeout", "ExposedPorts" };
  static const char * const host_unset[] = { "Binds", "Mounts", "CapAdd", "CapDrop", "Init", "Runtime" };
  g_autoptr(JsonNode) body = NULL;
  JsonObject *host;

  c->image = g_strdup ("busybox");
  expected = hatake_container_config_copy (c);
  expected->publish = strv_empty ();
  expected->expose = strv_empty ();
  assert_round_trip (c, expected);

  /* nothing it does not ask for is sent: the image's and the daemon's defaults stay */
  body = hatake_container_config_to_docker (c);
  host = json_object_get_object_member (json_node_get_object (body), "HostConfig");
  for (gsize i = 0; i < G_N_ELEMENTS (unset); i++)
    g_assert_cmpstr (json_object_has_member (json_node_get_object (body), unset[i]) ? unset[i] : NULL, ==, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (host_unset); i++)
    g_assert_cmpstr (json_object_has_member (host, host_unset[i]) ? host_unset[i] : NULL, ==, NULL);
}

/* What the CLI and the app write that from_docker() spells otherwise comes back in its shape,
 * meaning the same: the same body. */
static void
test_round_trip_shape (void)
{
  g_autoptr(HatakeContainerConfig) c = hatake_container_config_new ();
  g_autoptr(HatakeContainerConfig) expected = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) expected_body = NULL;

  c->image = g_strdup ("nginx");
  c->publish = strv ("8080:80", "9000-9001:90-91", "7000", "127.0.0.1:6000-6001:60-61/udp", NULL);
  c->expose = strv ("3000-3001", "53/udp", "80", NULL);
  c->labels = strv ("solo", "k=v", NULL);
  expected = hatake_container_config_copy (c);
  set_strv (&expected->publish, strv ("8080:80/tcp", "9000:90/tcp", "9001:91/tcp", ":7000/tcp", "127.0.0.1:6000:60/udp",
                                      "127.0.0.1:6001:61/udp", NULL));
  set_strv (&expected->expose, strv ("3000/tcp", "3001/tcp", "53/udp", "80/tcp", "90/tcp", "91/tcp", "7000/tcp",
                                     "60/udp", "61/udp", NULL));
  set_strv (&expected->labels, strv ("solo=", "k=v", NULL));
  assert_round_trip (c, expected);
  body = hatake_container_config_to_docker (c);
  expected_body = hatake_container_config_to_docker (expected);
  g_assert_true (json_node_equal (body, expected_body));

  /* a network mode without its endpoint among the networks gets one, first */
  g_free (c->network_mode);
  c->network_mode = g_strdup ("front");
  add_network (c, "back", NULL, NULL);
  g_free (expected->network_mode);
  expected->network_mode = g_strdup ("front");
  add_network (expected, "front", NULL, NULL);
  add_network (expected, "back", NULL, NULL);
  assert_round_trip (c, expected);
}

/* The members, as docker's swagger names them, for a config: what the docker CLI 28 sends for
 * docker create --name web -it -e A=1 -w /w -u 1000 -h hh -l a=b --entrypoint /init --rm --init
 *   --privileged --read-only --cap-add NET_ADMIN --cap-drop MKNOD -m 64m --cpus 0.5 --pids-limit 50
 *   --runtime crun --stop-signal SIGINT --stop-timeout 3 --expose 3000 -p 127.0.0.1:8080:80 -P
 *   -v /srv:/srv:ro --mount type=tmpfs,target=/run,tmpfs-size=1m,tmpfs-mode=1770 --network n1
 *   --network-alias a --ip 10.1.0.5 busybox sh
 * less what is empty or the daemon's default there; the capabilities stay as the config spells them
 * (the docker CLI writes CAP_NET_ADMIN; docker's daemon takes both). */
static void
test_to_docker_members (void)
{
  g_autoptr(HatakeContainerConfig) c = hatake_container_config_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) expected = parse (
    "{\"Image\": \"busybox\", \"Entrypoint\": [\"/init\"], \"Cmd\": [\"sh\"], \"Env\": [\"A=1\"],"
    " \"WorkingDir\": \"/w\", \"User\": \"1000\", \"Hostname\": \"hh\", \"Labels\": {\"a\": \"b\"},"
    " \"Tty\": true, \"OpenStdin\": true, \"AttachStdin\": true, \"StdinOnce\": true, \"AttachStdout\": true,"
    " \"AttachStderr\": true, \"StopSignal\": \"SIGINT\", \"StopTimeout\": 3,"
    " \"ExposedPorts\": {\"3000/tcp\": {}, \"80/tcp\": {}},"
    " \"HostConfig\": {\"Binds\": [\"/srv:/srv:ro\"],"
    "   \"Mounts\": [{\"Type\": \"tmpfs\", \"Target\": \"/run\","
    "     \"TmpfsOptions\": {\"SizeBytes\": 1048576, \"Mode\": 1016}}],"
    "   \"PortBindings\": {\"80/tcp\": [{\"HostIp\": \"127.0.0.1\", \"HostPort\": \"8080\"}]},"
    "   \"PublishAllPorts\": true, \"RestartPolicy\": {\"Name\": \"no\", \"MaximumRetryCount\": 0},"
    "   \"AutoRemove\": true, \"NetworkMode\": \"n1\", \"Memory\": 67108864, \"NanoCpus\": 500000000,"
    "   \"PidsLimit\": 50, \"CapAdd\": [\"NET_ADMIN\"], \"CapDrop\": [\"MKNOD\"], \"Privileged\": true, \"Init\": true,"
    "   \"ExtraHosts\": [\"a:1.2.3.4\"], \"Dns\": [\"1.1.1.1\", \"8.8.8.8\"], \"DnsSearch\": [\"a.test\"],"
    "   \"DnsOptions\": [\"rotate\"], \"ShmSize\": 268435456, \"SecurityOpt\": [\"no-new-privileges:true\"],"
    "   \"Ulimits\": [{\"Name\": \"nproc\", \"Hard\": 20, \"Soft\": 10}], \"GroupAdd\": [\"kvm\"],"
    "   \"Devices\": [{\"PathOnHost\": \"/dev/kvm\", \"PathInContainer\": \"/dev/kvm\", \"CgroupPermissions\": \"rw\"}],"
    "   \"Sysctls\": {\"net.ipv4.ip_unprivileged_port_start\": \"0\"},"
    "   \"ReadonlyRootfs\": true, \"Runtime\": \"crun\"},"
    " \"NetworkingConfig\": {\"EndpointsConfig\": {\"n1\": {\"Aliases\": [\"a\"],"
    "   \"IPAMConfig\": {\"IPv4Address\": \"10.1.0.5\"}}}}}");
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;

  c->name = g_strdup ("web");
  c->image = g_strdup ("busybox");
  c->entrypoint = strv ("/init", NULL);
  c->cmd = strv ("sh", NULL);
  c->env = strv ("A=1", NULL);
  c->working_dir = g_strdup ("/w");
  c->user = g_strdup ("1000");
  c->hostname = g_strdup ("hh");
  c->labels = strv ("a=b", NULL);
  c->tty = c->open_stdin = c->auto_remove = c->init = c->privileged = c->read_only = c->publish_all = TRUE;
  c->cap_add = strv ("NET_ADMIN", NULL);
  c->cap_drop = strv ("MKNOD", NULL);
  c->sysctls = strv ("net.ipv4.ip_unprivileged_port_start=0", NULL);
  c->extra_hosts = strv ("a:1.2.3.4", NULL);
  c->dns = strv ("1.1.1.1", "8.8.8.8", NULL);
  c->dns_search = strv ("a.test", NULL);
  c->dns_options = strv ("rotate", NULL);
  c->shm_size = 256 * MIB;
  c->security_opt = strv ("no-new-privileges:true", NULL);
  c->ulimits = strv ("nproc=10:20", NULL);
  c->devices = strv ("/dev/kvm:/dev/kvm:rw", NULL);
  c->group_add = strv ("kvm", NULL);
  c->memory = 64 * MIB;
  c->cpus = 0.5;
  c->pids_limit = 50;
  c->runtime = g_strdup ("crun");
  c->stop_signal = g_strdup ("SIGINT");
  c->stop_timeout = 3;
  c->expose = strv ("3000", NULL);
  c->publish = strv ("127.0.0.1:8080:80", NULL);
  add_v_bind (c, "/srv", "/srv", TRUE);
  add_mount (c, HATAKE_CONTAINER_MOUNT_TMPFS, NULL, "/run", FALSE, MIB, 01770);
  g_free (c->network_mode);
  c->network_mode = g_strdup ("n1");
  add_network (c, "n1", strv ("a", NULL), "10.1.0.5");

  body = hatake_container_config_to_docker (c);
  got = json_to_string (body, TRUE);
  want = json_to_string (expected, TRUE);
  if (!json_node_equal (body, expected))
    g_assert_cmpstr (got, ==, want);
}

/* ---- bodies as the docker CLI 28 sends them --------------------------------------------------- */

/* docker create --name x -e A=1 -p 8080:80 -v vol:/data --restart on-failure:3 --memory 64m busybox sh */
static const char cli_simple[] =
  "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":true,"
  "\"AttachStderr\":true,\"ExposedPorts\":{\"80/tcp\":{}},\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,"
  "\"Env\":[\"A=1\"],\"Cmd\":[\"sh\"],\"Image\":\"busybox\",\"Volumes\":{},\"WorkingDir\":\"\","
  "\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{},\"HostConfig\":{\"Binds\":[\"vol:/data\"],"
  "\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"\",\"Config\":{}},\"NetworkMode\":\"default\","
  "\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]},\"RestartPolicy\":{\"Name\":\"on-failure\","
  "\"MaximumRetryCount\":3},\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"ConsoleSize\":"
  "[0,0],\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":"
  "[],\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":"
  "0,\"PidMode\":\"\",\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":"
  "null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":67108864,"
  "\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":["
  "],\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,"
  "\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\","
  "\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,\"MemorySwap\":"
  "0,\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":0,\"Ulimits\":[],\"CpuCount\":0,"
  "\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,\"ReadonlyPaths\":null},"
  "\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":null,"
  "\"MacAddress\":\"\",\"DriverOpts\":null,\"GwPriority\":0,\"NetworkID\":\"\",\"EndpointID\":\"\","
  "\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\","
  "\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null}}}}";

/* docker create -it --entrypoint "" -v /etc:/hostetc:ro
 *   --mount type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770 --mount type=bind,source=/srv,target=/srv,readonly
 *   --mount type=volume,target=/anon --network net1 --network-alias web --ip 10.1.0.5 --cpus 1.5 --pids-limit 100
 *   --cap-add NET_ADMIN --cap-drop MKNOD --privileged --init --read-only --runtime crun -l a=b -l c
 *   --expose 3000-3001 -p 127.0.0.1::53/udp -p 8000-8001:80-81 -p 8000-8010:90 -P -w /w -u 1000 -h hh
 *   --stop-signal SIGINT --stop-timeout 5 --restart unless-stopped busybox echo hi */
static const char cli_rich[] =
  "{\"Hostname\":\"hh\",\"Domainname\":\"\",\"User\":\"1000\",\"AttachStdin\":true,\"AttachStdout\":true,"
  "\"AttachStderr\":true,\"ExposedPorts\":{\"3000/tcp\":{},\"3001/tcp\":{},\"53/udp\":{},\"80/tcp\":{},"
  "\"81/tcp\":{},\"90/tcp\":{}},\"Tty\":true,\"OpenStdin\":true,\"StdinOnce\":true,\"Env\":null,"
  "\"Cmd\":[\"echo\",\"hi\"],\"Image\":\"busybox\",\"Volumes\":{},\"WorkingDir\":\"/w\",\"Entrypoint\":[\"\"],"
  "\"OnBuild\":null,\"Labels\":{\"a\":\"b\",\"c\":\"\"},\"StopSignal\":\"SIGINT\",\"StopTimeout\":5,"
  "\"HostConfig\":{\"Binds\":[\"/etc:/hostetc:ro\"],\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"\","
  "\"Config\":{}},\"NetworkMode\":\"net1\",\"PortBindings\":{\"53/udp\":[{\"HostIp\":\"127.0.0.1\","
  "\"HostPort\":\"\"}],\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8000\"}],\"81/tcp\":[{\"HostIp\":\"\","
  "\"HostPort\":\"8001\"}],\"90/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8000-8010\"}]},\"RestartPolicy\":{\"Name\":"
  "\"unless-stopped\",\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,"
  "\"ConsoleSize\":[0,0],\"CapAdd\":[\"CAP_NET_ADMIN\"],\"CapDrop\":[\"CAP_MKNOD\"],\"CgroupnsMode\":\"\","
  "\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\","
  "\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":true,\"PublishAllPorts\":"
  "true,\"ReadonlyRootfs\":true,\"SecurityOpt\":null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":0,"
  "\"Runtime\":\"crun\",\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":1500000000,"
  "\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":"
  "[],\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":"
  "0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":"
  "null,\"DeviceRequests\":null,\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":-1,"
  "\"OomKillDisable\":false,\"PidsLimit\":100,\"Ulimits\":[],\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":"
  "0,\"IOMaximumBandwidth\":0,\"Mounts\":[{\"Type\":\"tmpfs\",\"Target\":\"/t\",\"TmpfsOptions\":{\"SizeBytes\":"
  "1048576,\"Mode\":1016}},{\"Type\":\"bind\",\"Source\":\"/srv\",\"Target\":\"/srv\",\"ReadOnly\":true},"
  "{\"Type\":\"volume\",\"Target\":\"/anon\"}],\"MaskedPaths\":null,\"ReadonlyPaths\":null,\"Init\":true},"
  "\"NetworkingConfig\":{\"EndpointsConfig\":{\"net1\":{\"IPAMConfig\":{\"IPv4Address\":\"10.1.0.5\"},"
  "\"Links\":null,\"Aliases\":[\"web\"],\"MacAddress\":\"\",\"DriverOpts\":null,\"GwPriority\":0,"
  "\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,"
  "\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null}}}}";

/* docker create --tmpfs /run:size=64m,mode=1777 --tmpfs /scratch:ro,noexec --network none busybox */
static const char cli_tmpfs[] =
  "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":true,"
  "\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,"
  "\"Image\":\"busybox\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,"
  "\"Labels\":{},\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"\","
  "\"Config\":{}},\"NetworkMode\":\"none\",\"PortBindings\":{},\"RestartPolicy\":{\"Name\":\"no\","
  "\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"ConsoleSize\":"
  "[0,0],\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":"
  "[],\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":"
  "0,\"PidMode\":\"\",\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":"
  "null,\"Tmpfs\":{\"/run\":\"size=64m,mode=1777\",\"/scratch\":\"ro,noexec\"},\"UTSMode\":\"\","
  "\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":0,"
  "\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":"
  "[],\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":"
  "0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":"
  "null,\"DeviceRequests\":null,\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":-1,"
  "\"OomKillDisable\":false,\"PidsLimit\":0,\"Ulimits\":[],\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":"
  "0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,\"ReadonlyPaths\":null},\"NetworkingConfig\":{\"EndpointsConfig\":"
  "{}}}";

/* docker create --network n2 --network name=n1,alias=a,ip=10.1.0.9 busybox */
static const char cli_networks[] =
  "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":true,"
  "\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,"
  "\"Image\":\"busybox\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,"
  "\"Labels\":{},\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"\","
  "\"Config\":{}},\"NetworkMode\":\"n2\",\"PortBindings\":{},\"RestartPolicy\":{\"Name\":\"no\","
  "\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"ConsoleSize\":"
  "[0,0],\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":"
  "[],\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":"
  "0,\"PidMode\":\"\",\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":"
  "null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,"
  "\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":["
  "],\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,"
  "\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\","
  "\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,\"MemorySwap\":"
  "0,\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":0,\"Ulimits\":[],\"CpuCount\":0,"
  "\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,\"ReadonlyPaths\":null},"
  "\"NetworkingConfig\":{\"EndpointsConfig\":{\"n1\":{\"IPAMConfig\":{\"IPv4Address\":\"10.1.0.9\"},"
  "\"Links\":null,\"Aliases\":[\"a\"],\"MacAddress\":\"\",\"DriverOpts\":null,\"GwPriority\":0,"
  "\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,"
  "\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null},"
  "\"n2\":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":null,\"MacAddress\":\"\",\"DriverOpts\":null,"
  "\"GwPriority\":0,\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\","
  "\"IPPrefixLen\":0,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,"
  "\"DNSNames\":null}}}}";

/* Each member ours has, theirs has with the same value (theirs has many more): to_docker() uses
 * docker's names and values. */
static void
assert_within (JsonNode   *ours,
               JsonNode   *theirs,
               const char *path)
{
  if (JSON_NODE_HOLDS_OBJECT (ours) && JSON_NODE_HOLDS_OBJECT (theirs))
    {
      JsonObject *a = json_node_get_object (ours), *b = json_node_get_object (theirs);
      g_autoptr(GList) members = json_object_get_members (a);

      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *child = g_strconcat (path, "/", l->data, NULL);

          if (!json_object_has_member (b, l->data))
            g_assert_cmpstr (child, ==, "(a member the docker CLI sends)");
          assert_within (json_object_get_member (a, l->data), json_object_get_member (b, l->data), child);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (ours) && JSON_NODE_HOLDS_ARRAY (theirs) &&
           json_array_get_length (json_node_get_array (ours)) == json_array_get_length (json_node_get_array (theirs)))
    {
      for (guint i = 0; i < json_array_get_length (json_node_get_array (ours)); i++)
        {
          g_autofree char *child = g_strdup_printf ("%s/%u", path, i);

          assert_within (json_array_get_element (json_node_get_array (ours), i),
                         json_array_get_element (json_node_get_array (theirs), i), child);
        }
    }
  else if (!json_node_equal (ours, theirs))
    {
      g_autofree char *ours_text = json_to_string (ours, FALSE);
      g_autofree char *theirs_text = json_to_string (theirs, FALSE);
      g_autofree char *a = g_strdup_printf ("%s: %s", path, ours_text);
      g_autofree char *b = g_strdup_printf ("%s: %s", path, theirs_text);

      g_assert_cmpstr (a, ==, b);
    }
}

static HatakeContainerConfig *
from_cli (JsonNode   *body,
          const char *name)
{
  g_autoptr(GError) error = NULL;
  HatakeContainerConfig *c = hatake_container_config_from_docker (json_node_get_object (body), name, &error);

  g_assert_no_error (error);
  g_assert_nonnull (c);
  return c;
}

static void
test_cli_simple (void)
{
  g_autoptr(JsonNode) body = parse (cli_simple);
  g_autoptr(HatakeContainerConfig) c = from_cli (body, "x");
  g_autoptr(HatakeContainerConfig) expected = hatake_container_config_new ();
  g_autoptr(JsonNode) ours = NULL;

  expected->name = g_strdup ("x");
  expected->image = g_strdup ("busybox");
  expected->env = strv ("A=1", NULL);
  expected->cmd = strv ("sh", NULL);
  expected->labels = strv_empty ();
  expected->expose = strv ("80/tcp", NULL);
  expected->publish = strv ("8080:80/tcp", NULL);
  add_mount (expected, HATAKE_CONTAINER_MOUNT_VOLUME, "vol", "/data", FALSE, 0, 0);
  expected->restart = HATAKE_RESTART_ON_FAILURE;
  expected->restart_max = 3;
  expected->memory = 64 * MIB;
  assert_config_equal (c, expected);

  ours = hatake_container_config_to_docker (c);
  /* (docker's "default" network is its bridge, which ours names) */
  json_object_set_string_member (json_object_get_object_member (json_node_get_object (body), "HostConfig"),
                                 "NetworkMode", "bridge");
  assert_within (ours, body, "");
}

/* What the docker CLI sends for flags Hatake does not do is said in the create's warnings; its
 * bodies without such flags (every default it writes) say nothing. */
static void
test_cli_unsupported (void)
{
  const char *bodies[] = { cli_simple, cli_rich, cli_tmpfs, cli_networks };
  g_autoptr(JsonNode) asked = parse (cli_simple);
  JsonObject *host = json_object_get_object_member (json_node_get_object (asked), "HostConfig");
  g_auto(GStrv) warnings = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(JsonNode) body = parse (bodies[i]);
      g_auto(GStrv) none = hatake_container_config_docker_unsupported (json_node_get_object (body));

      g_assert_null (none);
    }
  json_object_set_array_member (host, "BlkioWeightDevice", json_array_new ());
  json_array_add_string_element (json_object_get_array_member (host, "BlkioWeightDevice"), "/dev/sda:200");
  /* (one Hatake does: no warning) */
  json_object_set_string_member (host, "PidMode", "host");
  json_object_set_string_member (host, "CgroupnsMode", "host");
  json_object_set_int_member (host, "OomScoreAdj", 500);
  json_object_set_string_member (host, "CpusetCpus", "0");
  json_object_set_string_member (host, "CpusetMems", "0");
  json_object_set_int_member (host, "CpuPeriod", 5000);
  json_object_set_string_member (json_object_get_object_member (host, "LogConfig"), "Type", "syslog");
  json_object_set_string_member (json_node_get_object (asked), "Domainname", "example.com");
  warnings = hatake_container_config_docker_unsupported (json_node_get_object (asked));
  g_assert_nonnull (warnings);
  g_assert_cmpuint (g_strv_length (warnings), ==, 5);
  g_assert_cmpstr (warnings[0], ==, "Hatake does not support --blkio-weight-device (HostConfig.BlkioWeightDevice) yet: it is ignored");
  g_assert_cmpstr (warnings[1], ==, "Hatake does not support --cgroupns (HostConfig.CgroupnsMode) yet: it is ignored");
  g_assert_cmpstr (warnings[2], ==, "Hatake does not support --cpu-period (HostConfig.CpuPeriod) yet: it is ignored");
  g_assert_cmpstr (warnings[3], ==, "Hatake does not support --domainname (Domainname) yet: it is ignored");
  g_assert_nonnull (strstr (warnings[4], "log driver syslog"));
}

/* --security-opt as docker reads it: no-new-privileges with Go's booleans, seccomp=unconfined,
 * apparmor= and label= as no-ops; the rest refused, naming it */
static void
test_security_opt (void)
{
  static const struct { const char *opt; gboolean ok, nnp, unconfined; } cases[] = {
    { "no-new-privileges", TRUE, TRUE, FALSE }, { "no-new-privileges:true", TRUE, TRUE, FALSE },
    { "no-new-privileges=1", TRUE, TRUE, FALSE }, { "no-new-privileges=False", TRUE, FALSE, FALSE },
    { "seccomp=unconfined", TRUE, FALSE, TRUE }, { "seccomp:unconfined", TRUE, FALSE, TRUE },
    { "label=disable", TRUE, FALSE, FALSE }, { "apparmor=unconfined", TRUE, FALSE, FALSE },
    { "no-new-privileges=maybe", FALSE }, { "seccomp={\"defaultAction\": \"SCMP_ACT_ALLOW\"}", FALSE },
    { "systempaths=unconfined", FALSE }, { "label", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HatakeContainerConfig) c = hatake_container_config_new ();
      g_autoptr(GError) error = NULL;
      gboolean nnp = -1, unconfined = -1, ok;

      c->security_opt = strv (cases[i].opt, NULL);
      ok = hatake_container_config_security (c, &nnp, &unconfined, &error);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        {
          g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
          g_assert_nonnull (strstr (error->message, g_str_has_prefix (cases[i].opt, "seccomp=") ? "custom seccomp" : cases[i].opt));
          continue;
        }
      g_assert_cmpint (nnp, ==, cases[i].nnp);
      g_assert_cmpint (unconfined, ==, cases[i].unconfined);
    }
}

static void
test_cli_rich (void)
{
  g_autoptr(JsonNode) body = parse (cli_rich);
  g_autoptr(HatakeContainerConfig) c = from_cli (body, NULL);
  g_autoptr(HatakeContainerConfig) expected = hatake_container_config_new ();
  g_autoptr(JsonNode) ours = NULL;

  expected->image = g_strdup ("busybox");
  expected->hostname = g_strdup ("hh");
  expected->user = g_strdup ("1000");
  expected->working_dir = g_strdup ("/w");
  expected->tty = expected->open_stdin = TRUE;
  /* (--entrypoint "": a cleared entrypoint, as the engine reads it) */
  expected->entrypoint = strv ("", NULL);
  expected->cmd = strv ("echo", "hi", NULL);
  expected->labels = strv ("a=b", "c=", NULL);
  expected->stop_signal = g_strdup ("SIGINT");
  expected->stop_timeout = 5;
  expected->expose = strv ("3000/tcp", "3001/tcp", "53/udp", "80/tcp", "81/tcp", "90/tcp", NULL);
  expected->publish = strv ("127.0.0.1::53/udp", "8000:80/tcp", "8001:81/tcp", "8000-8010:90/tcp", NULL);
  add_v_bind (expected, "/etc", "/hostetc", TRUE);
  add_mount (expected, HATAKE_CONTAINER_MOUNT_TMPFS, NULL, "/t", FALSE, MIB, 01770);
  add_mount (expected, HATAKE_CONTAINER_MOUNT_BIND, "/srv", "/srv", TRUE, 0, 0);
  add_mount (expected, HATAKE_CONTAINER_MOUNT_VOLUME, NULL, "/anon", FALSE, 0, 0);
  expected->restart = HATAKE_RESTART_UNLESS_STOPPED;
  expected->cap_add = strv ("CAP_NET_ADMIN", NULL);
  expected->cap_drop = strv ("CAP_MKNOD", NULL);
  expected->privileged = expected->publish_all = expected->read_only = expected->init = TRUE;
  expected->runtime = g_strdup ("crun");
  expected->cpus = 1.5;
  expected->pids_limit = 100;
  g_free (expected->network_mode);
  expected->network_mode = g_strdup ("net1");
  add_network (expected, "net1", strv ("web", NULL), "10.1.0.5");
  assert_config_equal (c, expected);

  ours = hatake_container_config_to_docker (c);
  assert_within (ours, body, "");
}

/* (to_docker() sends these tmpfs in --mount's form, HostConfig.Mounts: it has no other place for a
 * tmpfs's read-only) */
static void
test_cli_tmpfs (void)
{
  g_autoptr(JsonNode) body = parse (cli_tmpfs);
  g_autoptr(HatakeContainerConfig) c = from_cli (body, NULL);
  g_autoptr(HatakeContainerConfig) expected = hatake_container_config_new ();

  expected->image = g_strdup ("busybox");
  expected->labels = strv_empty ();
  expected->expose = strv_empty ();
  expected->publish = strv_empty ();
  add_mount (expected, HATAKE_CONTAINER_MOUNT_TMPFS, NULL, "/run", FALSE, 64 * MIB, 01777);
  add_mount (expected, HATAKE_CONTAINER_MOUNT_TMPFS, NULL, "/scratch", TRUE, 0, 0);
  g_free (expected->network_mode);
  expected->network_mode = g_strdup ("none");
  assert_config_equal (c, expected);
  assert_round_trip (c, NULL);
}

/* the network mode's endpoint first, whatever the order of EndpointsConfig */
static void
test_cli_networks (void)
{
  g_autoptr(JsonNode) body = parse (cli_networks);
  g_autoptr(HatakeContainerConfig) c = from_cli (body, NULL);
  g_autoptr(HatakeContainerConfig) expected = hatake_container_config_new ();
  g_autoptr(JsonNode) ours = NULL;

  expected->image = g_strdup ("busybox");
  expected->labels = strv_empty ();
  expected->expose = strv_empty ();
  expected->publish = strv_empty ();
  g_free (expected->network_mode);
  expected->network_mode = g_strdup ("n2");
  add_network (expected, "n2", NULL, NULL);
  add_network (expected, "n1", strv ("a", NULL), "10.1.0.9");
  assert_config_equal (c, expected);

  ours = hatake_container_config_to_docker (c);
  assert_within (ours, body, "");
}

/* ---- refusals --------------------------------------------------------------------------------- */

#define WITH_HOST(members) "{\"Image\": \"busybox\", \"HostConfig\": {" members "}}"

static void
test_refused (void)
{
  static const struct
  {
    const char *body;
    gboolean    restart;  /* hatake_restart_policy_parse()'s HATAKE_ERROR, else G_IO_ERROR_INVALID_ARGUMENT */
    const char *message;  /* in the error's message */
  } cases[] = {
    /* docker's messages, which do not name the image */
    { "{}", FALSE, "config cannot be empty in order to create a container" },
    { "{\"Image\": \"\"}", FALSE, "config cannot be empty in order to create a container" },
    { "{\"Image\": 5}", FALSE, "config cannot be empty in order to create a container" },
    { WITH_HOST ("\"Binds\": [\"data\"]"), FALSE, "invalid volume specification: 'data'" },
    { WITH_HOST ("\"Binds\": [\"vol:relative\"]"), FALSE, "invalid volume specification: 'vol:relative'" },
    { WITH_HOST ("\"Binds\": [\":/data\"]"), FALSE, "invalid volume specification: ':/data'" },
    { WITH_HOST ("\"Mounts\": [{\"Type\": \"bind\", \"Source\": \"/x\", \"Target\": \"rel\"}]"), FALSE,
      "invalid mount config: Target must be an absolute path" },
    { WITH_HOST ("\"Mounts\": [{\"Type\": \"volume\"}]"), FALSE, "Target must be an absolute path" },
    { WITH_HOST ("\"RestartPolicy\": {\"Name\": \"sometimes\"}"), TRUE, "invalid restart policy “sometimes”" },
    { WITH_HOST ("\"RestartPolicy\": {\"Name\": \"always:3\"}"), TRUE, "only on-failure takes a maximum retry count" },
    { WITH_HOST ("\"PortBindings\": {\"80/tcp\": [{\"HostIp\": \"\", \"HostPort\": \"99999\"}]}"), FALSE,
      "Invalid port “99999:80/tcp”" },
    { WITH_HOST ("\"PortBindings\": {\"http/tcp\": []}"), FALSE, "Invalid port “http/tcp”" },
    { WITH_HOST ("\"PortBindings\": {\"80/sctp\": null}"), FALSE, "Invalid port “80/sctp”" },
    { WITH_HOST ("\"PortBindings\": {\"80/tcp\": [{\"HostIp\": \"::1\", \"HostPort\": \"80\"}]}"), FALSE,
      "Invalid port “::1:80:80/tcp”" },
    { WITH_HOST ("\"Tmpfs\": {\"/run\": \"size=lots\"}"), FALSE, "invalid tmpfs option \"size=lots\" for /run" },
    { WITH_HOST ("\"Tmpfs\": {\"/run\": \"size=50%\"}"), FALSE, "invalid tmpfs option \"size=50%\" for /run" },
    { WITH_HOST ("\"Tmpfs\": {\"/run\": \"size=99999999999t\"}"), FALSE, "\"size=99999999999t\" for /run" },
    { WITH_HOST ("\"Tmpfs\": {\"/run\": \"noexec,mode=999\"}"), FALSE, "invalid tmpfs option \"mode=999\" for /run" },
    /* docker's daemon's validateHealthCheck */
    { "{\"Image\": \"b\", \"Healthcheck\": {\"Test\": [\"CMD-SHELL\", \"true\"], \"Interval\": 999999}}", FALSE,
      "Interval in Healthcheck cannot be less than 1ms" },
    { "{\"Image\": \"b\", \"Healthcheck\": {\"Timeout\": 5}}", FALSE, "Timeout in Healthcheck cannot be less than 1ms" },
    { "{\"Image\": \"b\", \"Healthcheck\": {\"StartPeriod\": 5}}", FALSE, "StartPeriod in Healthcheck cannot be less than 1ms" },
    { "{\"Image\": \"b\", \"Healthcheck\": {\"StartInterval\": 5}}", FALSE, "StartInterval in Healthcheck cannot be less than 1ms" },
    { "{\"Image\": \"b\", \"Healthcheck\": {\"Retries\": -1}}", FALSE, "Retries in Healthcheck cannot be negative" },
    { "{\"Image\": \"b\", \"Healthcheck\": {\"Test\": [\"SHELL\", \"true\"]}}", FALSE, "Unknown type SHELL in Healthcheck Test" },
    { "{\"Image\": \"b\", \"Healthcheck\": {\"Test\": [\"CMD\"]}}", FALSE, "Healthcheck CMD has no command" },
    { "{\"Image\": \"b\", \"Healthcheck\": {\"Test\": [\"CMD\", 5]}}", FALSE, "Healthcheck Test must be a list of strings" },
    /* Go's json.Unmarshal into []string */
    { "{\"Image\": \"b\", \"Cmd\": [[\"sh\"]]}", FALSE, "Cmd: not a list of strings" },
    { "{\"Image\": \"b\", \"Env\": \"A=1\"}", FALSE, "Env: not a list of strings" },
    { WITH_HOST ("\"CapAdd\": 5"), FALSE, "CapAdd: not a list of strings" },
    { WITH_HOST ("\"Binds\": [{}]"), FALSE, "Binds: not a list of strings" },
    /* namespace modes: docker's daemon's messages; what docker does and Hatake not yet, said */
    { WITH_HOST ("\"PidMode\": \"hots\""), FALSE, "invalid PID mode: hots" },
    { WITH_HOST ("\"IpcMode\": \"container:\""), FALSE, "invalid IPC mode: container:" },
    { WITH_HOST ("\"UTSMode\": \"shareable\""), FALSE, "invalid UTS mode: shareable" },
    { WITH_HOST ("\"PidMode\": \"container:web\""), FALSE, "Hatake does not support --pid container:web yet" },
    { WITH_HOST ("\"IpcMode\": \"none\""), FALSE, "Hatake does not support --ipc none yet" },
    { WITH_HOST ("\"UTSMode\": \"container:web\""), FALSE, "Hatake does not support --uts container:web yet" },
    { "{\"Image\": \"b\", \"Hostname\": \"x\", \"HostConfig\": {\"UTSMode\": \"host\"}}", FALSE,
      "conflicting options: hostname and the UTS mode" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) body = parse (cases[i].body);
      g_autoptr(GError) error = NULL;
      g_autoptr(HatakeContainerConfig) c = NULL;

      g_test_message ("%s", cases[i].body);
      c = hatake_container_config_from_docker (json_node_get_object (body), "x", &error);
      g_assert_null (c);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      if (strstr (error->message, cases[i].message) == NULL)
        g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* --cpuset-cpus, --cpuset-mems, --oom-score-adj as the docker CLI sends them: read as they are
 * (the engine checks them, as docker's daemon does, not the body's decoding), "" for none, and
 * written back only when set */
static void
test_resources (void)
{
  g_autoptr(JsonNode) body = parse (WITH_HOST ("\"CpusetCpus\": \"0-1,3\", \"CpusetMems\": \"0\", "
                                               "\"OomScoreAdj\": -1001"));
  g_autoptr(JsonNode) none = parse (WITH_HOST ("\"CpusetCpus\": \"\", \"CpusetMems\": \"\", \"OomScoreAdj\": 0"));
  g_autoptr(HatakeContainerConfig) c = NULL;
  g_autoptr(HatakeContainerConfig) d = NULL;
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *host;

  c = hatake_container_config_from_docker (json_node_get_object (body), "x", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->cpuset_cpus, ==, "0-1,3");
  g_assert_cmpstr (c->cpuset_mems, ==, "0");
  g_assert_cmpint (c->oom_score_adj, ==, -1001);
  back = hatake_container_config_to_docker (c);
  host = json_object_get_object_member (json_node_get_object (back), "HostConfig");
  g_assert_cmpstr (json_object_get_string_member (host, "CpusetCpus"), ==, "0-1,3");
  g_assert_cmpstr (json_object_get_string_member (host, "CpusetMems"), ==, "0");
  g_assert_cmpint (json_object_get_int_member (host, "OomScoreAdj"), ==, -1001);
  g_clear_pointer (&back, json_node_unref);

  d = hatake_container_config_from_docker (json_node_get_object (none), "x", &error);
  g_assert_no_error (error);
  g_assert_null (d->cpuset_cpus);
  g_assert_null (d->cpuset_mems);
  g_assert_cmpint (d->oom_score_adj, ==, 0);
  back = hatake_container_config_to_docker (d);
  host = json_object_get_object_member (json_node_get_object (back), "HostConfig");
  g_assert_false (json_object_has_member (host, "CpusetCpus"));
  g_assert_false (json_object_has_member (host, "CpusetMems"));
  g_assert_false (json_object_has_member (host, "OomScoreAdj"));
}

/* --pid, --ipc, --uts: "host", or NULL for docker's spellings of a namespace of its own; the
 * hostname that the host's UTS namespace leaves no room for, from any caller (the CLI, compose) */
static void
test_namespaces (void)
{
  static const struct { const char *kind, *text, *mode; } ok[] = {
    { "pid", NULL, NULL }, { "pid", "", NULL }, { "pid", "private", NULL }, { "pid", "host", "host" },
    { "ipc", "shareable", NULL }, { "ipc", "private", NULL }, { "ipc", "host", "host" },
    { "uts", "", NULL }, { "uts", "host", "host" },
  };
  g_autoptr(HatakeContainerConfig) c = hatake_container_config_new ();
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autofree char *mode = NULL;

      g_assert_true (hatake_namespace_mode_parse (ok[i].kind, ok[i].text, &mode, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (mode, ==, ok[i].mode);
    }
  {
    g_autofree char *mode = NULL;

    g_assert_false (hatake_namespace_mode_parse ("pid", "shareable", &mode, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_cmpstr (error->message, ==, "invalid PID mode: shareable");
    g_assert_null (mode);
    g_clear_error (&error);
  }

  c->uts_mode = g_strdup ("host");
  g_assert_true (hatake_container_config_check_namespaces (c, &error));
  c->hostname = g_strdup ("");
  g_assert_true (hatake_container_config_check_namespaces (c, &error));
  g_free (c->hostname);
  c->hostname = g_strdup ("web");
  g_assert_false (hatake_container_config_check_namespaces (c, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "conflicting options: hostname and the UTS mode");
  g_clear_error (&error);
  /* (--privileged asks for no namespace of the host's, as docker's does not) */
  g_clear_pointer (&c->uts_mode, g_free);
  c->privileged = TRUE;
  g_assert_true (hatake_container_config_check_namespaces (c, &error));

  /* what the docker CLI sends for --pid host --ipc host --uts host */
  {
    g_autoptr(JsonNode) body = parse ("{\"Image\": \"b\", \"Hostname\": \"\", \"HostConfig\": {\"PidMode\": \"host\","
                                      " \"IpcMode\": \"host\", \"UTSMode\": \"host\", \"Privileged\": true}}");
    g_autoptr(HatakeContainerConfig) got = hatake_container_config_from_docker (json_node_get_object (body), NULL,
                                                                                &error);
    g_autoptr(JsonNode) back = NULL;
    JsonObject *host;

    g_assert_no_error (error);
    g_assert_cmpstr (got->pid_mode, ==, "host");
    g_assert_cmpstr (got->ipc_mode, ==, "host");
    g_assert_cmpstr (got->uts_mode, ==, "host");
    back = hatake_container_config_to_docker (got);
    host = json_object_get_object_member (json_node_get_object (back), "HostConfig");
    g_assert_cmpstr (json_object_get_string_member (host, "PidMode"), ==, "host");
    g_assert_cmpstr (json_object_get_string_member (host, "IpcMode"), ==, "host");
    g_assert_cmpstr (json_object_get_string_member (host, "UTSMode"), ==, "host");
  }
  /* …and without: a namespace of its own each, nothing sent for them */
  {
    g_autoptr(JsonNode) body = parse ("{\"Image\": \"b\", \"HostConfig\": {\"PidMode\": \"\", \"IpcMode\": \"private\","
                                      " \"UTSMode\": \"\", \"Privileged\": true}}");
    g_autoptr(HatakeContainerConfig) got = hatake_container_config_from_docker (json_node_get_object (body), NULL,
                                                                                &error);
    g_autoptr(JsonNode) back = NULL;
    JsonObject *host;

    g_assert_no_error (error);
    g_assert_null (got->pid_mode);
    g_assert_null (got->ipc_mode);
    g_assert_null (got->uts_mode);
    back = hatake_container_config_to_docker (got);
    host = json_object_get_object_member (json_node_get_object (back), "HostConfig");
    g_assert_false (json_object_has_member (host, "PidMode"));
    g_assert_false (json_object_has_member (host, "IpcMode"));
    g_assert_false (json_object_has_member (host, "UTSMode"));
  }
}

/* ---- healthchecks ----------------------------------------------------------------------------- */

/* What docker run --health-cmd 'wget -q -O- localhost' --health-interval 200ms --health-timeout 1s
 * --health-retries 2 --health-start-period 3s --health-start-interval 100ms sends (the docker CLI
 * leaves zeros out), and --no-healthcheck's */
static const char cli_health[] =
  "{\"Image\":\"busybox\",\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"wget -q -O- localhost\"],"
  "\"Interval\":200000000,\"Timeout\":1000000000,\"StartPeriod\":3000000000,\"StartInterval\":100000000,"
  "\"Retries\":2},\"HostConfig\":{\"NetworkMode\":\"bridge\"}}";
static const char cli_no_healthcheck[] =
  "{\"Image\":\"busybox\",\"Healthcheck\":{\"Test\":[\"NONE\"]},\"HostConfig\":{\"NetworkMode\":\"bridge\"}}";

static void
test_health_cli (void)
{
  g_autoptr(JsonNode) body = parse (cli_health);
  g_autoptr(JsonNode) none_body = parse (cli_no_healthcheck);
  g_autoptr(HatakeContainerConfig) c = from_cli (body, NULL);
  g_autoptr(HatakeContainerConfig) none = from_cli (none_body, NULL);
  g_autoptr(JsonNode) ours = NULL;
  g_autoptr(JsonNode) ours_none = NULL;

  g_assert_nonnull (c->healthcheck);
  assert_strv_field ("test", c->healthcheck->test, (GStrv) (const char *[]) { "CMD-SHELL", "wget -q -O- localhost", NULL });
  g_assert_cmpint (c->healthcheck->interval, ==, 200 * 1000);
  g_assert_cmpint (c->healthcheck->timeout, ==, G_USEC_PER_SEC);
  g_assert_cmpint (c->healthcheck->start_period, ==, 3 * G_USEC_PER_SEC);
  g_assert_cmpint (c->healthcheck->start_interval, ==, 100 * 1000);
  g_assert_cmpint (c->healthcheck->retries, ==, 2);
  g_assert_true (hatake_health_config_is_enabled (c->healthcheck));
  ours = hatake_container_config_to_docker (c);
  /* what it sends is exactly the CLI's */
  g_assert_true (json_node_equal (json_object_get_member (json_node_get_object (ours), "Healthcheck"),
                                  json_object_get_member (json_node_get_object (body), "Healthcheck")));

  g_assert_nonnull (none->healthcheck);
  assert_strv_field ("test", none->healthcheck->test, (GStrv) (const char *[]) { "NONE", NULL });
  g_assert_false (hatake_health_config_is_enabled (none->healthcheck));
  ours_none = hatake_container_config_to_docker (none);
  g_assert_true (json_node_equal (json_object_get_member (json_node_get_object (ours_none), "Healthcheck"),
                                  json_object_get_member (json_node_get_object (none_body), "Healthcheck")));
  assert_round_trip (none, NULL);

  /* no Healthcheck: NULL (the image's), and none is sent */
  {
    g_autoptr(JsonNode) plain = parse ("{\"Image\": \"busybox\"}");
    g_autoptr(HatakeContainerConfig) p = from_cli (plain, NULL);
    g_autoptr(JsonNode) sent = NULL;

    g_assert_null (p->healthcheck);
    sent = hatake_container_config_to_docker (p);
    g_assert_false (json_object_has_member (json_node_get_object (sent), "Healthcheck"));
  }
}

/* our own config.json keeps it (docker's shape, in nanoseconds) */
static void
test_health_persisted (void)
{
  g_autoptr(HatakeContainerConfig) c = rich_config ();
  g_autoptr(JsonNode) saved = hatake_container_config_to_json (c);
  g_autofree char *text = json_to_string (saved, FALSE);
  g_autoptr(JsonNode) loaded = parse (text);
  g_autoptr(HatakeContainerConfig) back = NULL;
  g_autoptr(HatakeContainerConfig) copy = hatake_container_config_copy (c);
  g_autoptr(GError) error = NULL;
  JsonObject *health;

  health = json_object_get_object_member (json_node_get_object (saved), "Healthcheck");
  g_assert_nonnull (health);
  g_assert_cmpint (json_object_get_int_member (health, "Interval"), ==, 200000000);
  g_assert_cmpint (json_object_get_int_member (health, "StartInterval"), ==, 1001000);
  back = hatake_container_config_from_json (loaded, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back->healthcheck);
  g_assert_cmpint (back->healthcheck->retries, ==, 7);
  g_assert_cmpint (back->healthcheck->timeout, ==, 1500 * 1000);
  assert_strv_field ("test", back->healthcheck->test, c->healthcheck->test);
  g_assert_true (copy->healthcheck != c->healthcheck);
  assert_config_equal (copy, c);
}

/* docker's merge of a container's healthcheck over its image's */
static void
test_health_merge (void)
{
  g_autoptr(HatakeHealthConfig) image = hatake_health_config_new ();
  g_autoptr(HatakeHealthConfig) mine = hatake_health_config_new ();
  g_autoptr(HatakeHealthConfig) merged = NULL;
  g_autoptr(HatakeHealthConfig) only_image = NULL;
  g_autoptr(HatakeHealthConfig) none = NULL;

  image->test = strv ("CMD", "/healthy", NULL);
  image->interval = 10 * G_USEC_PER_SEC;
  image->timeout = 2 * G_USEC_PER_SEC;
  image->retries = 5;
  mine->interval = 1000;
  mine->start_period = 4000;
  merged = hatake_health_config_merge (mine, image);
  assert_strv_field ("test", merged->test, image->test);
  g_assert_cmpint (merged->interval, ==, 1000);
  g_assert_cmpint (merged->timeout, ==, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (merged->start_period, ==, 4000);
  g_assert_cmpint (merged->retries, ==, 5);
  only_image = hatake_health_config_merge (NULL, image);
  assert_strv_field ("test", only_image->test, image->test);
  g_assert_cmpint (only_image->interval, ==, image->interval);
  g_assert_null (hatake_health_config_merge (NULL, NULL));
  /* NONE is a test of its own: it is not replaced by the image's */
  g_strfreev (mine->test);
  mine->test = strv ("NONE", NULL);
  none = hatake_health_config_merge (mine, image);
  g_assert_false (hatake_health_config_is_enabled (none));
}

static void
test_health_durations (void)
{
  static const struct { const char *text; gint64 usec; } good[] = {
    { "0", 0 }, { "200ms", 200000 }, { "30s", 30000000 }, { "1m30s", 90000000 }, { "1.5s", 1500000 },
    { "1h", 3600 * G_GINT64_CONSTANT (1000000) }, { "100us", 100 }, { "100µs", 100 }, { "5000ns", 5 },
    { "+2s", 2000000 }, { ".5s", 500000 },
  };
  static const char * const bad[] = { "", "5", "-1s", "s", "1x", "1s5", "ms", ".s", "1..s" };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 usec = -1;

      g_test_message ("%s", good[i].text);
      g_assert_true (hatake_duration_parse (good[i].text, &usec, &error));
      g_assert_no_error (error);
      g_assert_cmpint (usec, ==, good[i].usec);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 usec = -1;

      g_test_message ("%s", bad[i]);
      g_assert_false (hatake_duration_parse (bad[i], &usec, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_cmpint (usec, ==, -1);
    }
}

/* docker update's body: what the docker CLI 28 sends (every Resources field, zeros for the unset
 * ones), both ways; PidsLimit absent leaves the limit, 0 and -1 lift it; the rest warned about */
static void
test_update (void)
{
  const char *sent = "{\"CpuShares\":0,\"Memory\":134217728,\"CgroupParent\":\"\",\"BlkioWeight\":0,"
                     "\"CpuPeriod\":0,\"CpuQuota\":0,\"CpusetCpus\":\"\",\"MemorySwap\":0,"
                     "\"NanoCpus\":500000000,\"PidsLimit\":77,"
                     "\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}}";
  g_autoptr(JsonNode) body = parse (sent);
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(JsonNode) other = NULL;
  g_autoptr(HatakeContainerConfig) config = hatake_container_config_new ();
  g_auto(GStrv) warnings = NULL;
  g_autoptr(GError) error = NULL;
  HatakeContainerUpdate u, again;

  g_assert_true (hatake_container_update_from_docker (json_node_get_object (body), &u, &warnings, &error));
  g_assert_no_error (error);
  g_assert_null (warnings);
  g_assert_cmpint (u.memory, ==, 134217728);
  g_assert_cmpfloat (u.cpus, ==, 0.5);
  g_assert_cmpint (u.pids_limit, ==, 77);
  g_assert_true (u.set_restart);
  g_assert_cmpint (u.restart, ==, HATAKE_RESTART_ON_FAILURE);
  g_assert_cmpuint (u.restart_max, ==, 3);
  back = hatake_container_update_to_docker (&u);
  g_assert_true (hatake_container_update_from_docker (json_node_get_object (back), &again, &warnings, &error));
  g_assert_cmpint (again.memory, ==, u.memory);
  g_assert_cmpfloat (again.cpus, ==, u.cpus);
  g_assert_cmpint (again.pids_limit, ==, u.pids_limit);
  g_assert_true (again.set_restart);
  g_assert_cmpint (again.restart, ==, u.restart);
  g_assert_cmpuint (again.restart_max, ==, u.restart_max);

  /* nothing but the PIDs limit, lifted with 0 or -1; a null one is no change */
  for (guint i = 0; i < 3; i++)
    {
      const char *texts[] = { "{\"PidsLimit\":0}", "{\"PidsLimit\":-1}", "{\"PidsLimit\":null}" };
      g_autoptr(JsonNode) one = parse (texts[i]);

      g_assert_true (hatake_container_update_from_docker (json_node_get_object (one), &u, &warnings, &error));
      g_assert_cmpint (u.pids_limit, ==, i < 2 ? -1 : 0);
      g_assert_cmpint (u.memory, ==, 0);
      g_assert_false (u.set_restart);
    }
  config->pids_limit = 50;
  config->memory = 64 << 20;
  g_assert_true (hatake_container_config_update (config, &u, &error));
  g_assert_cmpint (config->pids_limit, ==, 50);
  u.pids_limit = -1;
  g_assert_true (hatake_container_config_update (config, &u, &error));
  g_assert_cmpint (config->pids_limit, ==, 0);
  g_assert_cmpint (config->memory, ==, 64 << 20);

  /* what Hatake does not do: warned, by its flag */
  other = parse ("{\"CpuShares\":512,\"MemorySwap\":-1,\"CpuPeriod\":5000,\"BlkioWeight\":300}");
  g_assert_true (hatake_container_update_from_docker (json_node_get_object (other), &u, &warnings, &error));
  g_assert_cmpint (u.cpu_shares, ==, 512);
  g_assert_cmpint (u.memory_swap, ==, -1);
  g_assert_nonnull (warnings);
  g_assert_cmpuint (g_strv_length (warnings), ==, 2);
  g_assert_nonnull (strstr (warnings[0], "--cpu-period"));
  g_assert_nonnull (strstr (warnings[1], "--blkio-weight"));
  g_clear_pointer (&warnings, g_strfreev);
  g_clear_pointer (&other, json_node_unref);
  /* the CPU sets: taken, both ways, and applied; "" (what the docker CLI sends for a set it was
   * not given) leaves a set as it is */
  other = parse ("{\"CpusetCpus\":\"0-1\",\"CpusetMems\":\"0\",\"BlkioWeight\":300}");
  g_assert_true (hatake_container_update_from_docker (json_node_get_object (other), &u, &warnings, &error));
  g_assert_cmpstr (u.cpuset_cpus, ==, "0-1");
  g_assert_cmpstr (u.cpuset_mems, ==, "0");
  g_assert_nonnull (warnings);
  g_assert_cmpuint (g_strv_length (warnings), ==, 1);
  g_assert_nonnull (strstr (warnings[0], "--blkio-weight"));
  g_clear_pointer (&warnings, g_strfreev);
  g_clear_pointer (&other, json_node_unref);
  g_clear_pointer (&back, json_node_unref);
  back = hatake_container_update_to_docker (&u);
  g_assert_true (hatake_container_update_from_docker (json_node_get_object (back), &again, &warnings, &error));
  g_assert_cmpstr (again.cpuset_cpus, ==, "0-1");
  g_assert_cmpstr (again.cpuset_mems, ==, "0");
  hatake_container_update_clear (&again);
  g_assert_true (hatake_container_config_update (config, &u, &error));
  g_assert_cmpstr (config->cpuset_cpus, ==, "0-1");
  g_assert_cmpstr (config->cpuset_mems, ==, "0");
  hatake_container_update_clear (&u);
  other = parse ("{\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Memory\":1048576}");
  g_assert_true (hatake_container_update_from_docker (json_node_get_object (other), &u, &warnings, &error));
  g_assert_null (u.cpuset_cpus);
  g_assert_null (u.cpuset_mems);
  g_assert_true (hatake_container_config_update (config, &u, &error));
  g_assert_cmpstr (config->cpuset_cpus, ==, "0-1");
  g_assert_cmpstr (config->cpuset_mems, ==, "0");
  g_clear_pointer (&other, json_node_unref);

  /* refused: a negative memory, an unknown policy; a policy for a --rm container */
  other = parse ("{\"Memory\":-5}");
  g_assert_false (hatake_container_update_from_docker (json_node_get_object (other), &u, &warnings, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_pointer (&other, json_node_unref);
  for (guint i = 0; i < 3; i++)
    {
      const char *texts[] = { "{\"RestartPolicy\":{\"Name\":\"sometimes\"}}",
                              "{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":-1}}",
                              "{\"RestartPolicy\":{\"Name\":\"always\",\"MaximumRetryCount\":2}}" };
      g_autoptr(JsonNode) bad = parse (texts[i]);

      g_assert_false (hatake_container_update_from_docker (json_node_get_object (bad), &u, &warnings, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  config->auto_remove = TRUE;
  u = (HatakeContainerUpdate) { .set_restart = TRUE, .restart = HATAKE_RESTART_ALWAYS };
  g_assert_false (hatake_container_config_update (config, &u, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (config->restart, ==, HATAKE_RESTART_NO);
}

/* --device as docker reads it: CONTAINER defaults to HOST, permissions to rwm; a second field that
 * is permissions is taken as such; relative paths and other letters refused */
static void
test_device_parse (void)
{
  static const struct { const char *text, *host, *container, *permissions; } cases[] = {
    { "/dev/fuse", "/dev/fuse", "/dev/fuse", "rwm" },
    { "/dev/a:/dev/b", "/dev/a", "/dev/b", "rwm" },
    { "/dev/a:r", "/dev/a", "/dev/a", "r" },
    { "/dev/a:/dev/b:mw", "/dev/a", "/dev/b", "mw" },
    { "dev/a" }, { "/dev/a:b" }, { "/dev/a:/dev/b:x" }, { "/dev/a:/dev/b:rr" }, { "/a:/b:r:x" }, { "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *host = NULL, *container = NULL, *permissions = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok = hatake_device_parse (cases[i].text, &host, &container, &permissions, &error);

      g_assert_cmpint (ok, ==, cases[i].host != NULL);
      if (!ok)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
          continue;
        }
      g_assert_cmpstr (host, ==, cases[i].host);
      g_assert_cmpstr (container, ==, cases[i].container);
      g_assert_cmpstr (permissions, ==, cases[i].permissions);
    }
}

/* A bind that must not make its source (--mount's) goes as a Mount, which docker's engine refuses
 * when the source is missing, and reads back the same; -v's goes as a Bind */
static void
test_to_docker_bind_source (void)
{
  g_autoptr(HatakeContainerConfig) c = hatake_container_config_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(HatakeContainerConfig) back = NULL;
  JsonObject *host;
  JsonObject *mount;

  c->image = g_strdup ("busybox");
  add_mount (c, HATAKE_CONTAINER_MOUNT_BIND, "/srv", "/srv", FALSE, 0, 0);
  body = hatake_container_config_to_docker (c);
  host = json_object_get_object_member (json_node_get_object (body), "HostConfig");
  g_assert_false (json_object_has_member (host, "Binds"));
  mount = json_array_get_object_element (json_object_get_array_member (host, "Mounts"), 0);
  g_assert_cmpstr (json_object_get_string_member (mount, "Type"), ==, "bind");
  back = from_cli (body, NULL);
  g_assert_false (((HatakeContainerMount *) g_ptr_array_index (back->mounts, 0))->create_source);

  g_clear_pointer (&body, json_node_unref);
  g_clear_pointer (&back, hatake_container_config_free);
  ((HatakeContainerMount *) g_ptr_array_index (c->mounts, 0))->create_source = TRUE;
  body = hatake_container_config_to_docker (c);
  host = json_object_get_object_member (json_node_get_object (body), "HostConfig");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (host, "Binds"), 0), ==, "/srv:/srv");
  back = from_cli (body, NULL);
  g_assert_true (((HatakeContainerMount *) g_ptr_array_index (back->mounts, 0))->create_source);
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/config-docker/round-trip/rich", test_round_trip_rich);
  g_test_add_func ("/config-docker/round-trip/other", test_round_trip_other);
  g_test_add_func ("/config-docker/round-trip/bridge", test_round_trip_bridge);
  g_test_add_func ("/config-docker/round-trip/minimal", test_round_trip_minimal);
  g_test_add_func ("/config-docker/round-trip/shape", test_round_trip_shape);
  g_test_add_func ("/config-docker/to-docker/members", test_to_docker_members);
  g_test_add_func ("/config-docker/to-docker/bind-source", test_to_docker_bind_source);
  g_test_add_func ("/config-docker/docker-cli/simple", test_cli_simple);
  g_test_add_func ("/config-docker/docker-cli/rich", test_cli_rich);
  g_test_add_func ("/config-docker/docker-cli/unsupported", test_cli_unsupported);
  g_test_add_func ("/config-docker/security-opt", test_security_opt);
  g_test_add_func ("/config-docker/docker-cli/tmpfs", test_cli_tmpfs);
  g_test_add_func ("/config-docker/docker-cli/networks", test_cli_networks);
  g_test_add_func ("/config-docker/refused", test_refused);
  g_test_add_func ("/config-docker/namespaces", test_namespaces);
  g_test_add_func ("/config-docker/resources", test_resources);
  g_test_add_func ("/config-docker/health/docker-cli", test_health_cli);
  g_test_add_func ("/config-docker/health/persisted", test_health_persisted);
  g_test_add_func ("/config-docker/health/merge", test_health_merge);
  g_test_add_func ("/config-docker/health/durations", test_health_durations);
  g_test_add_func ("/config-docker/update", test_update);
  g_test_add_func ("/config-docker/device-parse", test_device_parse);

  return g_test_run ();
}
