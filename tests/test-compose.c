/* test-compose.c: compose files read into a project (errors and hostile ones: test-compose-errors.c)
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

/* ---- scalars ------------------------------------------------------------------------------- */

static void
test_durations (void)
{
  static const struct { const char *text; gint64 usec; } good[] = {
    { "10s", 10 * G_USEC_PER_SEC }, { "1m30s", 90 * G_USEC_PER_SEC }, { "1h", G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC },
    { "500ms", 500000 }, { "2us", 2 }, { "0", 0 }, { "1.5s", 1500000 }, { "1h2m3s4ms", 3723004000 },
    { "3000ns", 3 }, { "2\302\265s", 2 }, { "+5s", 5 * G_USEC_PER_SEC },
  };
  static const char * const bad[] = { "", "10", "s", "10x", "1m30", "-5s", "1.s5", "abc", ".s", "5 s" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      gint64 usec = -1;

      g_assert_true (_hatake_compose_parse_duration (good[i].text, &usec));
      g_assert_cmpint (usec, ==, good[i].usec);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gint64 usec = -1;

      g_assert_false (_hatake_compose_parse_duration (bad[i], &usec));
    }
}

static void
test_sizes (void)
{
  static const struct { const char *text; gint64 bytes; } good[] = {
    { "512m", 512 * 1024 * 1024 }, { "1g", G_GINT64_CONSTANT (1) << 30 }, { "1024k", 1 << 20 },
    { "100", 100 }, { "100b", 100 }, { "1gb", G_GINT64_CONSTANT (1) << 30 }, { "1.5g", G_GINT64_CONSTANT (3) << 29 },
    { "64M", 64 << 20 }, { "2KiB", 2048 }, { "0", 0 },
  };
  static const char * const bad[] = { "", "m", "12x", "1.g", "-1m", "1 g b", "10mm" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      gint64 bytes = -1;

      g_assert_true (_hatake_compose_parse_size (good[i].text, &bytes));
      g_assert_cmpint (bytes, ==, good[i].bytes);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gint64 bytes = -1;

      g_assert_false (_hatake_compose_parse_size (bad[i], &bytes));
    }
}

/* ---- service fields ------------------------------------------------------------------------ */

static void
test_service_fields (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(HatakeComposeProject) p = load_ok (f->dir,
    "services:\n"
    "  web:\n"
    "    image: nginx:1.25\n"
    "    container_name: my-web\n"
    "    hostname: web.local\n"
    "    domainname: example.org\n"
    "    user: \"1000:1000\"\n"
    "    working_dir: /srv\n"
    "    cap_add: [NET_ADMIN, SYS_TIME]\n"
    "    cap_drop: [ALL]\n"
    "    init: true\n"
    "    privileged: yes\n"
    "    read_only: \"true\"\n"
    "    tty: True\n"
    "    stdin_open: false\n"
    "    stop_signal: SIGQUIT\n"
    "    stop_grace_period: 1m30s\n"
    "    pull_policy: always\n"
    "    platform: linux/amd64\n"
    "    restart: on-failure:3\n"
    "    labels: [\"a=1\", \"b=two=2\", c]\n"
    "    sysctls: {net.core.somaxconn: 1024, net.ipv4.tcp_syncookies: 0}\n"
    "    extra_hosts: [\"db:10.0.0.2\", \"cache=10.0.0.3\"]\n"
    "    dns: 8.8.8.8\n"
    "    expose: [\"3000\", \"4000-4001/udp\"]\n"
    "    shm_size: 64m\n"
    "    pid: host\n"
    "    ipc: host\n"
    "    x-custom: {anything: [goes]}\n"
    "  other:\n"
    "    image: busybox\n"
    "    ipc: shareable\n"
    "    uts: host\n"
    "    labels: {x: \"1\", y: null}\n"
    "    sysctls: [\"kernel.shm_rmid_forced=1\"]\n"
    "    extra_hosts: {host.docker.internal: host-gateway}\n"
    "    dns: [1.1.1.1, 9.9.9.9]\n"
    "    restart: \"no\"\n", NULL);
  HatakeComposeService *s = service (p, "web");
  HatakeComposeService *o = service (p, "other");

  g_assert_cmpstr (s->image, ==, "nginx:1.25");
  g_assert_null (s->build);
  g_assert_cmpstr (s->container_name, ==, "my-web");
  g_assert_cmpstr (s->hostname, ==, "web.local");
  g_assert_cmpstr (s->domainname, ==, "example.org");
  g_assert_cmpstr (s->user, ==, "1000:1000");
  g_assert_cmpstr (s->working_dir, ==, "/srv");
  assert_strv (s->cap_add, "NET_ADMIN", "SYS_TIME", NULL);
  assert_strv (s->cap_drop, "ALL", NULL);
  g_assert_true (s->init);
  g_assert_true (s->privileged);
  g_assert_true (s->read_only);
  g_assert_true (s->tty);
  g_assert_false (s->stdin_open);
  g_assert_cmpstr (s->stop_signal, ==, "SIGQUIT");
  g_assert_cmpint (s->stop_grace_period, ==, 90 * G_USEC_PER_SEC);
  g_assert_cmpstr (s->pull_policy, ==, "always");
  g_assert_cmpstr (s->platform, ==, "linux/amd64");
  g_assert_cmpint (s->restart, ==, HATAKE_RESTART_ON_FAILURE);
  g_assert_cmpuint (s->restart_max, ==, 3);
  assert_strv (s->labels, "a=1", "b=two=2", "c=", NULL);
  assert_strv (s->sysctls, "net.core.somaxconn=1024", "net.ipv4.tcp_syncookies=0", NULL);
  assert_strv (s->extra_hosts, "db:10.0.0.2", "cache:10.0.0.3", NULL);
  assert_strv (s->dns, "8.8.8.8", NULL);
  assert_strv (s->expose, "3000", "4000-4001/udp", NULL);
  g_assert_cmpint (s->shm_size, ==, 64 << 20);
  g_assert_cmpint (s->replicas, ==, 1);
  g_assert_null (s->healthcheck);
  g_assert_null (s->command);
  g_assert_null (s->entrypoint);
  g_assert_cmpstr (s->pid, ==, "host");
  g_assert_cmpstr (s->ipc, ==, "host");
  g_assert_null (s->uts);

  g_assert_null (o->pid);
  g_assert_null (o->ipc);
  g_assert_cmpstr (o->uts, ==, "host");
  assert_strv (o->labels, "x=1", "y=", NULL);
  assert_strv (o->sysctls, "kernel.shm_rmid_forced=1", NULL);
  assert_strv (o->extra_hosts, "host.docker.internal:host-gateway", NULL);
  assert_strv (o->dns, "1.1.1.1", "9.9.9.9", NULL);
  g_assert_cmpint (o->restart, ==, HATAKE_RESTART_NO);
  g_assert_cmpint (o->stop_grace_period, ==, -1);
  g_assert_false (o->init);
  g_assert_null (hatake_compose_project_get_warnings (p)[0]);
}

static void
test_command (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(HatakeComposeProject) p = load_ok (f->dir,
    "services:\n"
    "  a:\n"
    "    image: x\n"
    "    command: sh -c 'echo \"hello world\" && sleep 1'\n"
    "    entrypoint: [\"/bin/tini\", \"--\"]\n"
    "  b:\n"
    "    image: x\n"
    "    command: [\"echo\", \"a b\", \"$$HOME\"]\n"
    "    entrypoint: \"\"\n"
    "  c:\n"
    "    image: x\n"
    "    command: []\n"
    "    entrypoint: /docker-entrypoint.sh --verbose\n", NULL);

  assert_strv (service (p, "a")->command, "sh", "-c", "echo \"hello world\" && sleep 1", NULL);
  assert_strv (service (p, "a")->entrypoint, "/bin/tini", "--", NULL);
  assert_strv (service (p, "b")->command, "echo", "a b", "$HOME", NULL);
  assert_strv_empty (service (p, "b")->entrypoint);
  assert_strv_empty (service (p, "c")->command);
  assert_strv (service (p, "c")->entrypoint, "/docker-entrypoint.sh", "--verbose", NULL);

  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    command: echo 'unterminated\n", NULL,
                     "compose.yaml:4:14: services.a.command: expected a command line, got “echo 'unterminated”: "
                     "Text ended before matching quote was found for '. (The text was “echo 'unterminated”)");
}

static void
test_environment (Fixture       *f,
                  gconstpointer  data)
{
  static const char * const env[] = { "HOME=/home/tester", "FROM_SHELL=shell", "EMPTY=", NULL };
  g_autoptr(HatakeComposeProject) p = NULL;

  write_file (f->dir, "common.env", "# shared\nA=from-file\nB=file-b\n\nexport C=\"quoted value\"\n");
  write_file (f->dir, "more.env", "B=more-b\nD=${FROM_SHELL}-d\n");
  p = load_ok (f->dir,
    "services:\n"
    "  list:\n"
    "    image: x\n"
    "    environment:\n"
    "      - PLAIN=1\n"
    "      - WITH_EQ=a=b\n"
    "      - FROM_SHELL\n"
    "      - NOT_SET\n"
    "      - EMPTY\n"
    "  map:\n"
    "    image: x\n"
    "    env_file: common.env\n"
    "    environment:\n"
    "      B: from-environment\n"
    "      NUM: 3\n"
    "      FROM_SHELL:\n"
    "      NOT_SET: null\n"
    "      BOOL: false\n"
    "  files:\n"
    "    image: x\n"
    "    env_file:\n"
    "      - common.env\n"
    "      - path: more.env\n"
    "        required: true\n"
    "      - path: missing.env\n"
    "        required: false\n", env);

  assert_strv (service (p, "list")->environment, "PLAIN=1", "WITH_EQ=a=b", "FROM_SHELL=shell", "EMPTY=", NULL);
  assert_strv (service (p, "map")->environment, "A=from-file", "B=from-environment", "C=quoted value", "NUM=3",
               "FROM_SHELL=shell", "BOOL=false", NULL);
  assert_strv (service (p, "files")->environment, "A=from-file", "B=more-b", "C=quoted value", "D=shell-d", NULL);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(HatakeComposeProject) missing = load_data (f->dir, "services:\n  a:\n    image: x\n"
                                                        "    env_file: nowhere.env\n", env, &error);

    g_assert_null (missing);
    g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
    g_assert_true (g_str_has_prefix (error->message, "compose.yaml:4:15: services.a.env_file: cannot read the env file "));
    g_assert_nonnull (strstr (error->message, "/proj/nowhere.env"));
  }
}

static HatakeComposePort *
port (HatakeComposeService *s,
      guint                 i)
{
  g_assert_cmpuint (i, <, s->ports->len);
  return g_ptr_array_index (s->ports, i);
}

static void
assert_port (HatakeComposePort *p,
             const char        *host_ip,
             guint              published,
             guint              published_end,
             guint              target,
             guint              target_end,
             const char        *protocol)
{
  g_assert_cmpstr (p->host_ip, ==, host_ip);
  g_assert_cmpuint (p->published, ==, published);
  g_assert_cmpuint (p->published_end, ==, published_end);
  g_assert_cmpuint (p->target, ==, target);
  g_assert_cmpuint (p->target_end, ==, target_end);
  g_assert_cmpstr (p->protocol, ==, protocol);
}

static void
test_ports (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(HatakeComposeProject) p = load_ok (f->dir,
    "services:\n"
    "  web:\n"
    "    image: x\n"
    "    ports:\n"
    "      - 80\n"
    "      - \"8080:80\"\n"
    "      - \"127.0.0.1:8081:81\"\n"
    "      - \"127.0.0.1::82\"\n"
    "      - \"9090-9091:8080-8081\"\n"
    "      - \"3000-3005\"\n"
    "      - \"6060:6060/udp\"\n"
    "      - \"[::1]:7070:70/tcp\"\n"
    "      - \"8000-8010:90\"\n"
    "      - target: 443\n"
    "        published: \"8443\"\n"
    "        host_ip: 0.0.0.0\n"
    "        protocol: tcp\n"
    "        mode: host\n"
    "        name: https\n"
    "      - target: 53\n"
    "        published: 5300-5301\n"
    "        protocol: udp\n"
    "      - {target: 22}\n", NULL);
  HatakeComposeService *s = service (p, "web");

  g_assert_cmpuint (s->ports->len, ==, 12);
  assert_port (port (s, 0), NULL, 0, 0, 80, 80, "tcp");
  assert_port (port (s, 1), NULL, 8080, 8080, 80, 80, "tcp");
  assert_port (port (s, 2), "127.0.0.1", 8081, 8081, 81, 81, "tcp");
  assert_port (port (s, 3), "127.0.0.1", 0, 0, 82, 82, "tcp");
  assert_port (port (s, 4), NULL, 9090, 9091, 8080, 8081, "tcp");
  assert_port (port (s, 5), NULL, 0, 0, 3000, 3005, "tcp");
  assert_port (port (s, 6), NULL, 6060, 6060, 6060, 6060, "udp");
  assert_port (port (s, 7), "::1", 7070, 7070, 70, 70, "tcp");
  assert_port (port (s, 8), NULL, 8000, 8010, 90, 90, "tcp");
  assert_port (port (s, 9), "0.0.0.0", 8443, 8443, 443, 443, "tcp");
  g_assert_cmpstr (port (s, 9)->mode, ==, "host");
  g_assert_cmpstr (port (s, 9)->name, ==, "https");
  g_assert_cmpstr (port (s, 1)->mode, ==, "ingress");
  assert_port (port (s, 10), NULL, 5300, 5301, 53, 53, "udp");
  assert_port (port (s, 11), NULL, 0, 0, 22, 22, "tcp");

  static const char * const bad[] = { "80:abc", "0", "65536", "8080:80/icmp", "1-2:3-5", "a:b:c:d", ":80",
                                      "5-3", "[::1:80:80", "" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *yaml = g_strdup_printf ("services:\n  web:\n    image: x\n    ports:\n      - \"%s\"\n", bad[i]);
      g_autofree char *message = g_strdup_printf ("compose.yaml:5:9: services.web.ports[0]: expected "
                                                  "[ip:][host:]container[/tcp|udp], got “%s”", bad[i]);
      assert_load_error (f->dir, yaml, NULL, message);
    }
  assert_load_error (f->dir, "services:\n  web:\n    image: x\n    ports:\n      - target: 80\n        mode: swarm\n",
                     NULL, "compose.yaml:6:15: services.web.ports[0].mode: expected ingress or host, got “swarm”");
  assert_load_error (f->dir, "services:\n  web:\n    image: x\n    ports:\n      - published: 80\n", NULL,
                     "compose.yaml:5:9: services.web.ports[0]: a port needs a target");
  assert_load_error (f->dir, "services:\n  web:\n    image: x\n    ports:\n      - target: 99999\n", NULL,
                     "compose.yaml:5:17: services.web.ports[0].target: expected an integer from 1 to 65535, got “99999”");
}

static HatakeComposeMount *
mount (HatakeComposeService *s,
       guint                 i)
{
  g_assert_cmpuint (i, <, s->volumes->len);
  return g_ptr_array_index (s->volumes, i);
}

static void
test_volumes (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(HatakeComposeProject) p = load_ok (f->dir,
    "services:\n"
    "  db:\n"
    "    image: x\n"
    "    volumes:\n"
    "      - data:/var/lib/db\n"
    "      - ./conf:/etc/db:ro\n"
    "      - ../shared/./x:/x:rw\n"
    "      - /srv/abs:/abs:ro,z\n"
    "      - ~/cache:/cache\n"
    "      - /anonymous\n"
    "      - logs:/logs:nocopy\n"
    "      - type: volume\n"
    "        source: data\n"
    "        target: /long\n"
    "        read_only: true\n"
    "        volume: {nocopy: true}\n"
    "      - type: bind\n"
    "        source: ./src\n"
    "        target: /src\n"
    "        bind: {create_host_path: true}\n"
    "      - type: tmpfs\n"
    "        target: /scratch\n"
    "        tmpfs: {size: 64m, mode: 1777}\n"
    "      - type: bind\n"
    "        source: /etc/hosts\n"
    "        target: /etc/hosts2\n"
    "    tmpfs: /run\n"
    "  cache:\n"
    "    image: x\n"
    "    tmpfs: [\"/tmp:size=1g,mode=770\", /var/tmp]\n"
    "volumes:\n"
    "  data:\n"
    "  logs: {}\n", NULL);
  HatakeComposeService *s = service (p, "db");
  HatakeComposeService *c = service (p, "cache");
  g_autofree char *conf = g_build_filename (f->dir, "conf", NULL);
  g_autofree char *parent = g_path_get_dirname (f->dir);
  g_autofree char *shared = g_build_filename (parent, "shared", "x", NULL);
  g_autofree char *src = g_build_filename (f->dir, "src", NULL);

  g_assert_cmpuint (s->volumes->len, ==, 12);
  g_assert_cmpint (mount (s, 0)->type, ==, HATAKE_COMPOSE_MOUNT_VOLUME);
  g_assert_cmpstr (mount (s, 0)->source, ==, "data");
  g_assert_cmpstr (mount (s, 0)->target, ==, "/var/lib/db");
  g_assert_false (mount (s, 0)->read_only);
  g_assert_cmpint (mount (s, 1)->type, ==, HATAKE_COMPOSE_MOUNT_BIND);
  g_assert_cmpstr (mount (s, 1)->source, ==, conf);
  g_assert_true (mount (s, 1)->read_only);
  g_assert_true (mount (s, 1)->create_host_path);
  g_assert_cmpstr (mount (s, 2)->source, ==, shared);
  g_assert_false (mount (s, 2)->read_only);
  g_assert_cmpstr (mount (s, 3)->source, ==, "/srv/abs");
  g_assert_true (mount (s, 3)->read_only);
  g_assert_cmpint (mount (s, 4)->type, ==, HATAKE_COMPOSE_MOUNT_BIND);
  g_assert_cmpstr (mount (s, 4)->source, ==, "/home/tester/cache");
  g_assert_cmpint (mount (s, 5)->type, ==, HATAKE_COMPOSE_MOUNT_VOLUME);
  g_assert_null (mount (s, 5)->source);
  g_assert_cmpstr (mount (s, 5)->target, ==, "/anonymous");
  g_assert_true (mount (s, 6)->nocopy);
  g_assert_cmpstr (mount (s, 7)->source, ==, "data");
  g_assert_cmpstr (mount (s, 7)->target, ==, "/long");
  g_assert_true (mount (s, 7)->read_only);
  g_assert_true (mount (s, 7)->nocopy);
  g_assert_cmpint (mount (s, 8)->type, ==, HATAKE_COMPOSE_MOUNT_BIND);
  g_assert_cmpstr (mount (s, 8)->source, ==, src);
  g_assert_true (mount (s, 8)->create_host_path);
  g_assert_cmpint (mount (s, 9)->type, ==, HATAKE_COMPOSE_MOUNT_TMPFS);
  g_assert_cmpstr (mount (s, 9)->target, ==, "/scratch");
  g_assert_cmpint (mount (s, 9)->tmpfs_size, ==, 64 << 20);
  g_assert_cmpuint (mount (s, 9)->tmpfs_mode, ==, 01777);
  g_assert_false (mount (s, 10)->create_host_path);   /* the long form does not imply it */
  g_assert_cmpint (mount (s, 11)->type, ==, HATAKE_COMPOSE_MOUNT_TMPFS);
  g_assert_cmpstr (mount (s, 11)->target, ==, "/run");

  g_assert_cmpuint (c->volumes->len, ==, 2);
  g_assert_cmpstr (mount (c, 0)->target, ==, "/tmp");
  g_assert_cmpint (mount (c, 0)->tmpfs_size, ==, G_GINT64_CONSTANT (1) << 30);
  g_assert_cmpuint (mount (c, 0)->tmpfs_mode, ==, 0770);
  g_assert_cmpstr (mount (c, 1)->target, ==, "/var/tmp");

  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    volumes: [\"nothere:/data\"]\n", NULL,
                     "compose.yaml:4:15: services.a.volumes[0]: service uses the undefined volume “nothere” (declare "
                     "it under the top-level volumes, or write a path: ./nothere)");
  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    volumes: [\"./x:relative\"]\n", NULL,
                     "compose.yaml:4:15: services.a.volumes[0]: expected [source:]/target[:ro|rw], got “./x:relative”");
  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    volumes: [\"./x:/y:rx\"]\n", NULL,
                     "compose.yaml:4:15: services.a.volumes[0]: unknown volume option “rx” (expected ro, rw, z, Z, "
                     "nocopy or a propagation)");
  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    volumes:\n      - type: npipe\n        target: /x\n",
                     NULL, "compose.yaml:5:15: services.a.volumes[0].type: expected volume, bind or tmpfs, got “npipe”");
  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    volumes:\n      - type: bind\n        target: /x\n",
                     NULL, "compose.yaml:5:9: services.a.volumes[0]: a bind mount needs a source");
}

static void
test_networks (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(HatakeComposeProject) p = load_ok (f->dir,
    "services:\n"
    "  proxy:\n"
    "    image: x\n"
    "    networks: [front, back]\n"
    "  app:\n"
    "    image: x\n"
    "    networks:\n"
    "      back:\n"
    "        aliases: [api, api.internal]\n"
    "        ipv4_address: 172.28.0.10\n"
    "      outside:\n"
    "  plain:\n"
    "    image: x\n"
    "  host:\n"
    "    image: x\n"
    "    network_mode: host\n"
    "networks:\n"
    "  front:\n"
    "    driver: bridge\n"
    "    labels: [tier=front]\n"
    "  back:\n"
    "    internal: true\n"
    "    name: custom-back\n"
    "    ipam:\n"
    "      config:\n"
    "        - subnet: 172.28.0.0/16\n"
    "          gateway: 172.28.0.1\n"
    "          ip_range: 172.28.5.0/24\n"
    "  outside:\n"
    "    external: true\n"
    "  unused: {}\n", NULL);
  HatakeComposeService *app = service (p, "app");
  HatakeComposeServiceNetwork *n;
  HatakeComposeNetwork *net;
  HatakeComposeIpam *ipam;
  GPtrArray *networks = hatake_compose_project_get_networks (p);

  g_assert_cmpuint (service (p, "proxy")->networks->len, ==, 2);
  g_assert_cmpuint (app->networks->len, ==, 2);
  n = g_ptr_array_index (app->networks, 0);
  g_assert_cmpstr (n->name, ==, "back");
  assert_strv (n->aliases, "api", "api.internal", NULL);
  g_assert_cmpstr (n->ipv4_address, ==, "172.28.0.10");
  n = g_ptr_array_index (app->networks, 1);
  g_assert_cmpstr (n->name, ==, "outside");
  g_assert_null (n->aliases);
  /* a service that names none is on the default network; network_mode leaves it off every one */
  g_assert_cmpuint (service (p, "plain")->networks->len, ==, 1);
  g_assert_cmpstr (((HatakeComposeServiceNetwork *) g_ptr_array_index (service (p, "plain")->networks, 0))->name, ==,
                   "default");
  g_assert_cmpuint (service (p, "host")->networks->len, ==, 0);
  g_assert_cmpstr (service (p, "host")->network_mode, ==, "host");

  /* the networks used, sorted by key: "unused" is not the project's to create */
  g_assert_cmpuint (networks->len, ==, 4);
  net = g_ptr_array_index (networks, 0);
  g_assert_cmpstr (net->key, ==, "back");
  g_assert_cmpstr (net->name, ==, "custom-back");
  g_assert_true (net->internal);
  g_assert_cmpuint (net->ipam->len, ==, 1);
  ipam = g_ptr_array_index (net->ipam, 0);
  g_assert_cmpstr (ipam->subnet, ==, "172.28.0.0/16");
  g_assert_cmpstr (ipam->gateway, ==, "172.28.0.1");
  g_assert_cmpstr (ipam->ip_range, ==, "172.28.5.0/24");
  net = g_ptr_array_index (networks, 1);
  g_assert_cmpstr (net->key, ==, "default");
  g_assert_cmpstr (net->name, ==, "proj_default");
  net = g_ptr_array_index (networks, 2);
  g_assert_cmpstr (net->name, ==, "proj_front");
  g_assert_cmpstr (net->driver, ==, "bridge");
  assert_strv (net->labels, "tier=front", NULL);
  g_assert_false (net->external);
  net = g_ptr_array_index (networks, 3);
  g_assert_cmpstr (net->name, ==, "outside");
  g_assert_true (net->external);
  g_assert_null (hatake_compose_project_get_network (p, "unused"));

  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    networks: [ghost]\n", NULL,
                     "compose.yaml:4:16: services.a.networks: service uses the undefined network “ghost” (declare it "
                     "under the top-level networks)");
  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    network_mode: host\n    networks: [default]\n", NULL,
                     "compose.yaml:4:19: services.a: network_mode and networks cannot be used together");
}

static HatakeComposeDependency *
dependency (HatakeComposeService *s,
            guint                 i)
{
  g_assert_cmpuint (i, <, s->depends_on->len);
  return g_ptr_array_index (s->depends_on, i);
}

static void
test_depends_on (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(HatakeComposeProject) p = load_ok (f->dir,
    "services:\n"
    "  web:\n"
    "    image: x\n"
    "    depends_on:\n"
    "      db:\n"
    "        condition: service_healthy\n"
    "        restart: true\n"
    "      migrate:\n"
    "        condition: service_completed_successfully\n"
    "      cache:\n"
    "      ghost:\n"
    "        condition: service_started\n"
    "        required: false\n"
    "  worker:\n"
    "    image: x\n"
    "    depends_on: [db, cache]\n"
    "    links: [\"migrate:m\"]\n"
    "  sidecar:\n"
    "    image: x\n"
    "    network_mode: service:web\n"
    "  db: {image: x}\n"
    "  cache: {image: x}\n"
    "  migrate: {image: x}\n", NULL);
  HatakeComposeService *web = service (p, "web");
  HatakeComposeService *worker = service (p, "worker");
  const char * const *warnings = hatake_compose_project_get_warnings (p);

  /* sorted by name, the optional missing one left out with a warning */
  g_assert_cmpuint (web->depends_on->len, ==, 3);
  g_assert_cmpstr (dependency (web, 0)->service, ==, "cache");
  g_assert_cmpint (dependency (web, 0)->condition, ==, HATAKE_COMPOSE_CONDITION_STARTED);
  g_assert_false (dependency (web, 0)->restart);
  g_assert_true (dependency (web, 0)->required);
  g_assert_cmpstr (dependency (web, 1)->service, ==, "db");
  g_assert_cmpint (dependency (web, 1)->condition, ==, HATAKE_COMPOSE_CONDITION_HEALTHY);
  g_assert_true (dependency (web, 1)->restart);
  g_assert_cmpstr (dependency (web, 2)->service, ==, "migrate");
  g_assert_cmpint (dependency (web, 2)->condition, ==, HATAKE_COMPOSE_CONDITION_COMPLETED_SUCCESSFULLY);
  g_assert_cmpstr (warnings[0], ==, "compose.yaml:11:7: services.web.depends_on: the optional dependency “ghost” is "
                                    "not defined, ignored");
  g_assert_null (warnings[1]);

  g_assert_cmpuint (worker->depends_on->len, ==, 3);
  g_assert_cmpstr (dependency (worker, 0)->service, ==, "cache");
  g_assert_cmpstr (dependency (worker, 1)->service, ==, "db");
  g_assert_cmpstr (dependency (worker, 2)->service, ==, "migrate");
  g_assert_cmpuint (service (p, "sidecar")->depends_on->len, ==, 1);
  g_assert_cmpstr (dependency (service (p, "sidecar"), 0)->service, ==, "web");

  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    depends_on:\n      b:\n        condition: done\n"
                     "  b: {image: x}\n", NULL,
                     "compose.yaml:6:20: services.a.depends_on.b.condition: expected service_started, service_healthy "
                     "or service_completed_successfully");
}

static void
test_healthcheck (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(HatakeComposeProject) p = load_ok (f->dir,
    "services:\n"
    "  cmd:\n"
    "    image: x\n"
    "    healthcheck:\n"
    "      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost\"]\n"
    "      interval: 1m30s\n"
    "      timeout: 10s\n"
    "      retries: 3\n"
    "      start_period: 40s\n"
    "      start_interval: 5s\n"
    "  shell:\n"
    "    image: x\n"
    "    healthcheck:\n"
    "      test: [\"CMD-SHELL\", \"pg_isready -U postgres\"]\n"
    "  string:\n"
    "    image: x\n"
    "    healthcheck:\n"
    "      test: curl -f http://localhost || exit 1\n"
    "  none:\n"
    "    image: x\n"
    "    healthcheck:\n"
    "      test: [\"NONE\"]\n"
    "  disabled:\n"
    "    image: x\n"
    "    healthcheck:\n"
    "      disable: true\n", NULL);
  HatakeComposeHealthcheck *h = service (p, "cmd")->healthcheck;

  assert_strv (h->test, "CMD", "curl", "-f", "http://localhost", NULL);
  g_assert_cmpint (h->interval, ==, 90 * G_USEC_PER_SEC);
  g_assert_cmpint (h->timeout, ==, 10 * G_USEC_PER_SEC);
  g_assert_cmpint (h->retries, ==, 3);
  g_assert_cmpint (h->start_period, ==, 40 * G_USEC_PER_SEC);
  g_assert_cmpint (h->start_interval, ==, 5 * G_USEC_PER_SEC);
  g_assert_false (h->disable);
  assert_strv (service (p, "shell")->healthcheck->test, "CMD-SHELL", "pg_isready -U postgres", NULL);
  assert_strv (service (p, "string")->healthcheck->test, "CMD-SHELL", "curl -f http://localhost || exit 1", NULL);
  assert_strv (service (p, "none")->healthcheck->test, "NONE", NULL);
  g_assert_true (service (p, "none")->healthcheck->disable);
  assert_strv (service (p, "disabled")->healthcheck->test, "NONE", NULL);
  g_assert_true (service (p, "disabled")->healthcheck->disable);

  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    healthcheck:\n      test: [\"RUN\", \"x\"]\n", NULL,
                     "compose.yaml:5:13: services.a.healthcheck.test: expected a command line, [\"CMD\", args…], "
                     "[\"CMD-SHELL\", line] or [\"NONE\"]");
}

static void
test_deploy_and_build (Fixture       *f,
                       gconstpointer  data)
{
  static const char * const env[] = { "HOME=/home/tester", "VERSION=3.2", NULL };
  g_autoptr(HatakeComposeProject) p = load_ok (f->dir,
    "services:\n"
    "  api:\n"
    "    build:\n"
    "      context: ./api\n"
    "      dockerfile: Dockerfile.prod\n"
    "      target: runtime\n"
    "      args:\n"
    "        - VERSION\n"
    "        - DEBUG=0\n"
    "        - UNSET_ARG\n"
    "      labels: {built-by: hatake}\n"
    "    deploy:\n"
    "      replicas: 3\n"
    "      resources:\n"
    "        limits: {cpus: '0.50', memory: 512M, pids: 200}\n"
    "        reservations: {cpus: 0.25, memory: 128m}\n"
    "      restart_policy: {condition: on-failure, max_attempts: 5}\n"
    "  short:\n"
    "    build: .\n"
    "    cpus: 1.5\n"
    "    mem_limit: 1g\n"
    "    pids_limit: 50\n"
    "    scale: 2\n"
    "  both:\n"
    "    image: registry.example/both\n"
    "    build: {context: https://github.com/example/repo.git#main}\n"
    "    mem_limit: 1g\n"
    "    deploy: {resources: {limits: {memory: 2g}}}\n", env);
  HatakeComposeService *api = service (p, "api");
  HatakeComposeService *s = service (p, "short");
  g_autofree char *api_dir = g_build_filename (f->dir, "api", NULL);
  g_autofree char *image = NULL;

  g_assert_nonnull (api->build);
  g_assert_cmpstr (api->build->context, ==, api_dir);
  g_assert_cmpstr (api->build->dockerfile, ==, "Dockerfile.prod");
  g_assert_cmpstr (api->build->target, ==, "runtime");
  assert_strv (api->build->args, "VERSION=3.2", "DEBUG=0", NULL);
  assert_strv (api->build->labels, "built-by=hatake", NULL);
  g_assert_null (api->image);
  g_assert_cmpint (api->replicas, ==, 3);
  g_assert_cmpfloat (api->cpus, ==, 0.5);
  g_assert_cmpint (api->memory, ==, 512 << 20);
  g_assert_cmpint (api->pids_limit, ==, 200);
  g_assert_cmpfloat (api->cpus_reservation, ==, 0.25);
  g_assert_cmpint (api->memory_reservation, ==, 128 << 20);
  g_assert_cmpint (api->restart, ==, HATAKE_RESTART_ON_FAILURE);
  g_assert_cmpuint (api->restart_max, ==, 5);
  image = hatake_compose_project_image_name (p, api);
  g_assert_cmpstr (image, ==, "proj-api");

  g_assert_cmpstr (s->build->context, ==, f->dir);
  g_assert_cmpstr (s->build->dockerfile, ==, "Dockerfile");
  g_assert_cmpfloat (s->cpus, ==, 1.5);
  g_assert_cmpint (s->memory, ==, G_GINT64_CONSTANT (1) << 30);
  g_assert_cmpint (s->pids_limit, ==, 50);
  g_assert_cmpint (s->replicas, ==, 2);

  g_assert_cmpstr (service (p, "both")->build->context, ==, "https://github.com/example/repo.git#main");
  g_assert_cmpint (service (p, "both")->memory, ==, G_GINT64_CONSTANT (2) << 30);

  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    deploy:\n      resources:\n        limits:\n"
                     "          memory: lots\n", NULL,
                     "compose.yaml:7:19: services.a.deploy.resources.limits.memory: expected a size such as 512m, 1g "
                     "or 1024k, got “lots”");
  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    cpus: half\n", NULL,
                     "compose.yaml:4:11: services.a.cpus: expected a number of CPUs such as 0.5 or 2, got “half”");
}

static void
test_top_level (Fixture       *f,
                gconstpointer  data)
{
  static const char * const env[] = { "HOME=/home/tester", "API_TOKEN=t0k", NULL };
  g_autoptr(HatakeComposeProject) p = load_ok (f->dir,
    "x-defaults: &defaults\n"
    "  image: busybox\n"
    "services:\n"
    "  app:\n"
    "    <<: *defaults\n"
    "    volumes: [data:/data, old:/old, shared:/shared]\n"
    "    secrets: [db_password, {source: token, target: /run/token, mode: 0440}]\n"
    "    configs: [app_conf]\n"
    "volumes:\n"
    "  data:\n"
    "    driver: local\n"
    "    driver_opts: {type: none, o: bind}\n"
    "    labels: {backup: daily}\n"
    "  old:\n"
    "    external: true\n"
    "  shared:\n"
    "    name: team-shared\n"
    "  x-not-a-volume: {}\n"
    "secrets:\n"
    "  db_password:\n"
    "    file: ./secrets/db.txt\n"
    "  token:\n"
    "    environment: API_TOKEN\n"
    "configs:\n"
    "  app_conf:\n"
    "    content: |\n"
    "      debug=1\n", env);
  HatakeComposeService *app = service (p, "app");
  GPtrArray *volumes = hatake_compose_project_get_volumes (p);
  GPtrArray *secrets = hatake_compose_project_get_secrets (p);
  GPtrArray *configs = hatake_compose_project_get_configs (p);
  HatakeComposeVolume *v;
  HatakeComposeResource *r;
  HatakeComposeFileRef *ref;
  g_autofree char *secret_file = g_build_filename (f->dir, "secrets", "db.txt", NULL);

  g_assert_cmpstr (app->image, ==, "busybox");
  g_assert_cmpuint (volumes->len, ==, 3);
  v = g_ptr_array_index (volumes, 0);
  g_assert_cmpstr (v->key, ==, "data");
  g_assert_cmpstr (v->name, ==, "proj_data");
  g_assert_cmpstr (v->driver, ==, "local");
  assert_strv (v->driver_opts, "type=none", "o=bind", NULL);
  assert_strv (v->labels, "backup=daily", NULL);
  v = g_ptr_array_index (volumes, 1);
  g_assert_cmpstr (v->name, ==, "old");
  g_assert_true (v->external);
  v = g_ptr_array_index (volumes, 2);
  g_assert_cmpstr (v->name, ==, "team-shared");
  g_assert_false (v->external);

  g_assert_cmpuint (secrets->len, ==, 2);
  r = g_ptr_array_index (secrets, 0);
  g_assert_cmpstr (r->key, ==, "db_password");
  g_assert_cmpstr (r->file, ==, secret_file);
  r = g_ptr_array_index (secrets, 1);
  g_assert_cmpstr (r->environment, ==, "API_TOKEN");
  g_assert_cmpuint (configs->len, ==, 1);
  r = g_ptr_array_index (configs, 0);
  g_assert_cmpstr (r->content, ==, "debug=1\n");
  g_assert_cmpstr (r->name, ==, "proj_app_conf");

  g_assert_cmpuint (app->secrets->len, ==, 2);
  ref = g_ptr_array_index (app->secrets, 0);
  g_assert_cmpstr (ref->source, ==, "db_password");
  g_assert_null (ref->target);
  g_assert_cmpint (ref->mode, ==, -1);
  ref = g_ptr_array_index (app->secrets, 1);
  g_assert_cmpstr (ref->source, ==, "token");
  g_assert_cmpstr (ref->target, ==, "/run/token");
  g_assert_cmpint (ref->mode, ==, 0440);
  g_assert_cmpuint (app->configs->len, ==, 1);

  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    secrets: [nope]\n", NULL,
                     "compose.yaml:4:15: services.a.secrets[0]: service uses the undefined secret “nope”");
  assert_load_error (f->dir, "services:\n  a: {image: x}\nsecrets:\n  s:\n    file: a\n    content: b\n", NULL,
                     "compose.yaml:5:5: secrets.s: expected exactly one of file, environment, content and external");
  /* Found by fuzz-compose: a source given as null was counted, then looked up as a NULL name. */
  assert_load_error (f->dir, "services:\n  a: {image: x}\nsecrets:\n  s:\n    environment:\n", NULL,
                     "compose.yaml:5:17: secrets.s.environment: expected a string, got null");
  assert_load_error (f->dir, "services:\n  a: {image: x}\nconfigs:\n  c:\n    content: ~\n", NULL,
                     "compose.yaml:5:14: configs.c.content: expected a string, got null");
  assert_load_error (f->dir, "services:\n  a: {image: x}\nextras: {}\n", NULL,
                     "compose.yaml:3:1: unknown field “extras”");
  assert_load_error (f->dir, "include:\n  - other.yaml\nservices:\n  a: {image: x}\n", NULL,
                     "compose.yaml:1:1: include is not supported yet: merge the files with -f instead");
}

/* ---- interpolation ------------------------------------------------------------------------- */

static void
test_interpolation (Fixture       *f,
                    gconstpointer  data)
{
  static const char * const env[] = { "HOME=/home/tester", "SET=value", "EMPTY=", "TAG=1.2", "B=bee", NULL };
  static const struct { const char *text; const char *expected; } cases[] = {
    { "$SET", "value" }, { "${SET}", "value" }, { "x${SET}y", "xvaluey" }, { "$SET-suffix", "value-suffix" },
    { "${UNSET:-default}", "default" }, { "${EMPTY:-default}", "default" }, { "${SET:-default}", "value" },
    { "${UNSET-default}", "default" }, { "${EMPTY-default}", "" }, { "${SET-default}", "value" },
    { "${SET:?must be set}", "value" }, { "${EMPTY?may be empty}", "" },
    { "${SET:+alt}", "alt" }, { "${EMPTY:+alt}", "" }, { "${EMPTY+alt}", "alt" }, { "${UNSET+alt}", "" },
    { "${A:-${B:-c}}", "bee" }, { "${A:-${C:-c}}", "c" }, { "${UNSET:-$SET}", "value" },
    { "${UNSET:-a ${TAG} b}", "a 1.2 b" }, { "$$SET", "$SET" }, { "$${SET}", "${SET}" }, { "cost: 5$", "cost: 5$" },
    { "$1 and $-", "$1 and $-" }, { "${SET:+${TAG}}", "1.2" }, { "${UNSET:-}", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *yaml = g_strdup_printf ("services:\n  a:\n    image: x\n    labels:\n      v: '%s'\n",
                                               cases[i].text);
      g_autoptr(HatakeComposeProject) p = load_ok (f->dir, yaml, env);
      g_autofree char *expected = g_strdup_printf ("v=%s", cases[i].expected);

      g_test_message ("%s", cases[i].text);
      assert_strv (service (p, "a")->labels, expected, NULL);
      g_assert_null (hatake_compose_project_get_warnings (p)[0]);
    }

  /* an unset variable without a default is blank, and said once */
  {
    g_autoptr(HatakeComposeProject) p = load_ok (f->dir, "services:\n  a:\n    image: \"x:${NOPE}\"\n"
                                                 "    labels: [\"l=$NOPE\"]\n", env);
    const char * const *warnings = hatake_compose_project_get_warnings (p);

    g_assert_cmpstr (service (p, "a")->image, ==, "x:");
    assert_strv (service (p, "a")->labels, "l=", NULL);
    g_assert_cmpstr (warnings[0], ==, "compose.yaml:3:12: the “NOPE” variable is not set, defaulting to a blank string");
    g_assert_null (warnings[1]);
  }
  /* keys are not interpolated; values of every type are */
  {
    g_autoptr(HatakeComposeProject) p = load_ok (f->dir, "services:\n  a:\n    image: x\n    tty: ${T:-true}\n"
                                                 "    environment: {$SET: $SET}\n", env);
    g_assert_true (service (p, "a")->tty);
    assert_strv (service (p, "a")->environment, "$SET=value", NULL);
  }

  assert_load_error (f->dir, "services:\n  a:\n    image: \"db:${DB_TAG:?set DB_TAG to the version}\"\n", env,
                     "compose.yaml:3:12: services.a.image: required variable DB_TAG is missing a value: set DB_TAG to "
                     "the version");
  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    user: ${EMPTY:?}\n", env,
                     "compose.yaml:4:11: services.a.user: required variable EMPTY is missing a value: ");
  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    user: ${UNSET?is $SET}\n", env,
                     "compose.yaml:4:11: services.a.user: required variable UNSET is missing a value: is value");
  assert_load_error (f->dir, "services:\n  a:\n    image: \"${SET\"\n", env,
                     "compose.yaml:3:12: services.a.image: invalid interpolation format in “${SET” (write $$ for a $ "
                     "that is not a variable)");
  assert_load_error (f->dir, "services:\n  a:\n    image: \"${1X}\"\n", env,
                     "compose.yaml:3:12: services.a.image: invalid interpolation format in “${1X}” (write $$ for a $ "
                     "that is not a variable)");
  assert_load_error (f->dir, "services:\n  a:\n    image: \"${SET/a/b}\"\n", env,
                     "compose.yaml:3:12: services.a.image: invalid interpolation format in “${SET/a/b}” (write $$ for "
                     "a $ that is not a variable)");
}

static void
test_dotenv (Fixture       *f,
             gconstpointer  data)
{
  static const char * const env[] = { "HOME=/home/tester", "OVERRIDDEN=from-shell", "SHELL_ONLY=sh", NULL };
  g_autoptr(HatakeComposeProject) p = NULL;
  HatakeComposeService *s;

  write_file (f->dir, ".env",
              "# a comment\n"
              "\n"
              "PLAIN=plain value  \n"
              "export EXPORTED=yes\n"
              "SINGLE='single $PLAIN \\n'\n"
              "DOUBLE=\"line1\\nline2 \\\"q\\\" ${PLAIN}\"\n"
              "  SPACED = spaced\n"
              "COMMENTED=value # a comment\n"
              "HASH=a#b\n"
              "OVERRIDDEN=from-file\n"
              "EXPANDED=${SHELL_ONLY}-${PLAIN}\n"
              "MULTI=\"one\n"
              "two\"\n"
              "EMPTY=\n"
              "DOLLAR=\"\\$HOME\"\n");
  p = load_ok (f->dir,
    "services:\n"
    "  a:\n"
    "    image: x\n"
    "    environment:\n"
    "      - PLAIN=$PLAIN\n"
    "      - EXPORTED=$EXPORTED\n"
    "      - SINGLE=$SINGLE\n"
    "      - DOUBLE=$DOUBLE\n"
    "      - SPACED=$SPACED\n"
    "      - COMMENTED=$COMMENTED\n"
    "      - HASH=$HASH\n"
    "      - OVERRIDDEN=$OVERRIDDEN\n"
    "      - EXPANDED=$EXPANDED\n"
    "      - MULTI=$MULTI\n"
    "      - EMPTY=${EMPTY-unset}\n"
    "      - DOLLAR=$DOLLAR\n"
    "      - PLAIN\n", env);
  s = service (p, "a");
  assert_strv (s->environment, "PLAIN=plain value", "EXPORTED=yes", "SINGLE=single $PLAIN \\n",
               "DOUBLE=line1\nline2 \"q\" plain value", "SPACED=spaced", "COMMENTED=value", "HASH=a#b",
               "OVERRIDDEN=from-shell", "EXPANDED=sh-plain value", "MULTI=one\ntwo", "EMPTY=", "DOLLAR=$HOME",
               NULL);
  g_assert_null (hatake_compose_project_get_warnings (p)[0]);

  write_file (f->dir, ".env", "GOOD=1\nthis line is wrong\n");
  assert_load_error (f->dir, "services:\n  a: {image: x}\n", env,
                     ".env:2:1: expected KEY=VALUE, a comment or an empty line");
  write_file (f->dir, ".env", "A=1\nB=\"never closed\n");
  assert_load_error (f->dir, "services:\n  a: {image: x}\n", env, ".env:2:1: B: the value's closing \" is missing");
  write_file (f->dir, ".env", "A=${B:?B is needed}\n");
  assert_load_error (f->dir, "services:\n  a: {image: x}\n", env,
                     ".env:1:1: required variable B is missing a value: B is needed");
}

/* ---- several files ------------------------------------------------------------------------- */

static HatakeComposeProject *
load_files (const char          *dir,
            const char * const  *files,
            const char * const  *env,
            const char          *name,
            GError             **error)
{
  HatakeComposeOptions options = { .project_dir = dir, .files = files, .environ = env ? env : no_env,
                                   .project_name = name };

  return hatake_compose_project_load (&options, error);
}

static void
test_merge (Fixture       *f,
            gconstpointer  data)
{
  static const char * const files[] = { "a.yaml", "b.yaml", NULL };
  g_autoptr(HatakeComposeProject) p = NULL;
  g_autoptr(GError) error = NULL;
  HatakeComposeService *web, *db;
  g_autofree char *a = g_build_filename (f->dir, "a", NULL);
  g_autofree char *b = g_build_filename (f->dir, "b", NULL);
  g_autofree char *dbdir = g_build_filename (f->dir, "db", NULL);
  g_autofree char *a_yaml = g_build_filename (f->dir, "a.yaml", NULL);
  g_autofree char *b_yaml = g_build_filename (f->dir, "b.yaml", NULL);

  write_file (f->dir, "a.yaml",
              "services:\n"
              "  web:\n"
              "    image: web:1\n"
              "    command: [\"run\", \"a\"]\n"
              "    entrypoint: /a\n"
              "    cap_add: [A]\n"
              "    ports: [\"8080:80\", \"9090:90\"]\n"
              "    volumes: [\"./a:/data\", \"/cache\"]\n"
              "    environment: [X=1, Y=1]\n"
              "    labels: {a: \"1\"}\n"
              "    healthcheck: {test: [\"CMD\", \"a\"], interval: 10s}\n"
              "    dns: [1.1.1.1]\n"
              "    build: ./a\n"
              "  db:\n"
              "    image: db\n"
              "    ports: [\"5432:5432\"]\n"
              "    volumes: [\"dbdata:/var/lib\"]\n"
              "    restart: always\n"
              "volumes:\n"
              "  dbdata:\n");
  write_file (f->dir, "b.yaml",
              "services:\n"
              "  web:\n"
              "    image: web:2\n"
              "    command: [\"run\", \"b\"]\n"
              "    cap_add: [B]\n"
              "    ports: [\"8080:80\", \"127.0.0.1:9091:91\"]\n"
              "    volumes: [\"./b:/data\"]\n"
              "    environment: {Y: \"2\", Z: \"3\"}\n"
              "    labels: [b=2]\n"
              "    healthcheck: {test: [\"CMD\", \"b\"]}\n"
              "    dns: 8.8.8.8\n"
              "    build: {dockerfile: Other}\n"
              "  db:\n"
              "    ports: !reset []\n"
              "    volumes: !override [\"./db:/var/lib\"]\n"
              "    restart: !reset\n"
              "  new:\n"
              "    image: new\n");
  p = load_files (f->dir, files, NULL, NULL, &error);
  g_assert_no_error (error);
  web = service (p, "web");
  db = service (p, "db");

  g_assert_cmpstr (web->image, ==, "web:2");
  assert_strv (web->command, "run", "b", NULL);
  assert_strv (web->entrypoint, "/a", NULL);
  assert_strv (web->cap_add, "A", "B", NULL);
  g_assert_cmpuint (web->ports->len, ==, 3);
  assert_port (port (web, 0), NULL, 8080, 8080, 80, 80, "tcp");
  assert_port (port (web, 1), NULL, 9090, 9090, 90, 90, "tcp");
  assert_port (port (web, 2), "127.0.0.1", 9091, 9091, 91, 91, "tcp");
  g_assert_cmpuint (web->volumes->len, ==, 2);
  g_assert_cmpstr (mount (web, 0)->source, ==, b);
  g_assert_cmpstr (mount (web, 0)->target, ==, "/data");
  g_assert_cmpstr (mount (web, 1)->target, ==, "/cache");
  assert_strv (web->environment, "X=1", "Y=2", "Z=3", NULL);
  assert_strv (web->labels, "a=1", "b=2", NULL);
  assert_strv (web->healthcheck->test, "CMD", "b", NULL);
  g_assert_cmpint (web->healthcheck->interval, ==, 10 * G_USEC_PER_SEC);
  assert_strv (web->dns, "1.1.1.1", "8.8.8.8", NULL);
  g_assert_cmpstr (web->build->context, ==, a);
  g_assert_cmpstr (web->build->dockerfile, ==, "Other");

  g_assert_cmpuint (db->ports->len, ==, 0);
  g_assert_cmpuint (db->volumes->len, ==, 1);
  g_assert_cmpint (mount (db, 0)->type, ==, HATAKE_COMPOSE_MOUNT_BIND);
  g_assert_cmpstr (mount (db, 0)->source, ==, dbdir);
  g_assert_cmpint (db->restart, ==, HATAKE_RESTART_NO);
  g_assert_nonnull (hatake_compose_project_get_service (p, "new"));
  assert_strv ((GStrv) hatake_compose_project_get_files (p), a_yaml, b_yaml, NULL);
  /* the volume only the first file's db used is no longer the project's */
  g_assert_cmpuint (hatake_compose_project_get_volumes (p)->len, ==, 0);

  /* an error after the merge points at the file that wrote the value */
  {
    static const char * const bad[] = { "a.yaml", "c.yaml", NULL };
    g_autoptr(GError) merge_error = NULL;
    g_autoptr(HatakeComposeProject) none = NULL;

    write_file (f->dir, "c.yaml", "services:\n  web:\n    ports:\n      - \"80:http\"\n");
    none = load_files (f->dir, bad, NULL, NULL, &merge_error);
    g_assert_null (none);
    g_assert_error (merge_error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
    g_assert_cmpstr (merge_error->message, ==, "c.yaml:4:9: services.web.ports[2]: expected "
                                               "[ip:][host:]container[/tcp|udp], got “80:http”");
  }
  /* an empty value in a later file keeps the earlier one (compose-go's mergeYaml) */
  {
    static const char * const empty[] = { "a.yaml", "d.yaml", NULL };
    g_autoptr(GError) merge_error = NULL;
    g_autoptr(HatakeComposeProject) q = NULL;

    write_file (f->dir, "d.yaml", "services:\n  web:\n    environment:\n    # X: 9\n  db:\n");
    q = load_files (f->dir, empty, NULL, NULL, &merge_error);
    g_assert_no_error (merge_error);
    assert_strv (service (q, "web")->environment, "X=1", "Y=1", NULL);
    g_assert_nonnull (service (q, "db")->image);
  }
  /* !reset in the first file removes the value too */
  {
    g_autoptr(HatakeComposeProject) q = load_ok (f->dir, "services:\n  a:\n    image: x\n    user: !reset root\n", NULL);
    g_assert_null (service (q, "a")->user);
  }
}

static void
test_default_files (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeComposeProject) none = load_files (f->dir, NULL, NULL, NULL, &error);
  g_autofree char *compose = g_build_filename (f->dir, "compose.yaml", NULL);
  g_autofree char *override = g_build_filename (f->dir, "compose.override.yaml", NULL);
  g_autofree char *legacy = g_build_filename (f->dir, "docker-compose.yml", NULL);

  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  write_file (f->dir, "docker-compose.yml", "services:\n  legacy: {image: old}\n");
  {
    g_autoptr(HatakeComposeProject) p = load_files (f->dir, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    assert_strv ((GStrv) hatake_compose_project_get_files (p), legacy, NULL);
  }
  write_file (f->dir, "compose.yaml", "services:\n  web:\n    image: web\n    environment: [A=1]\n");
  write_file (f->dir, "compose.override.yaml", "services:\n  web:\n    environment: [B=2]\n  extra: {image: e}\n");
  {
    g_autoptr(HatakeComposeProject) p = load_files (f->dir, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    assert_strv ((GStrv) hatake_compose_project_get_files (p), compose, override, NULL);
    assert_strv (service (p, "web")->environment, "A=1", "B=2", NULL);
    g_assert_nonnull (hatake_compose_project_get_service (p, "extra"));
    g_assert_null (hatake_compose_project_get_service (p, "legacy"));
  }
  /* COMPOSE_FILE, ':'-separated, over the lookup */
  {
    static const char * const env[] = { "HOME=/home/tester", "COMPOSE_FILE=docker-compose.yml:more.yaml", NULL };
    g_autoptr(HatakeComposeProject) p = NULL;

    write_file (f->dir, "more.yaml", "services:\n  legacy: {user: nobody}\n");
    p = load_files (f->dir, NULL, env, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (service (p, "legacy")->user, ==, "nobody");
    g_assert_null (hatake_compose_project_get_service (p, "web"));
  }
}

static void
test_project_name (Fixture       *f,
                   gconstpointer  data)
{
  static const char * const env_name[] = { "HOME=/h", "COMPOSE_PROJECT_NAME=from-env", NULL };
  static const char * const env_bad[] = { "HOME=/h", "COMPOSE_PROJECT_NAME=Bad.Name", NULL };
  const char *yaml = "name: from-file\nservices:\n  a: {image: x}\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *odd = g_build_filename (f->dir, "-My App.V2", NULL);

  {
    g_autoptr(HatakeComposeProject) p = load_ok (f->dir, "services:\n  a: {image: x}\n", NULL);
    g_assert_cmpstr (hatake_compose_project_get_name (p), ==, "proj");
  }
  {
    g_autoptr(HatakeComposeProject) p = load_ok (f->dir, yaml, NULL);
    g_assert_cmpstr (hatake_compose_project_get_name (p), ==, "from-file");
  }
  {
    g_autoptr(HatakeComposeProject) p = load_ok (f->dir, yaml, env_name);
    g_assert_cmpstr (hatake_compose_project_get_name (p), ==, "from-env");
  }
  {
    HatakeComposeOptions options = { .project_dir = f->dir, .environ = env_name, .project_name = "explicit_1" };
    g_autoptr(HatakeComposeProject) p = hatake_compose_project_load_from_data (&options, yaml, -1, "compose.yaml", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (hatake_compose_project_get_name (p), ==, "explicit_1");
  }
  {
    HatakeComposeOptions options = { .project_dir = f->dir, .environ = no_env, .project_name = "Explicit" };
    g_autoptr(HatakeComposeProject) p = hatake_compose_project_load_from_data (&options, yaml, -1, "compose.yaml", &error);
    g_assert_null (p);
    g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
    g_assert_cmpstr (error->message, ==, "“Explicit” is not a valid project name: it must hold only lowercase letters, "
                                         "digits, _ and -, and start with a letter or a digit");
    g_clear_error (&error);
  }
  /* .env may name it too */
  write_file (f->dir, ".env", "COMPOSE_PROJECT_NAME=dotenv-name\n");
  {
    g_autoptr(HatakeComposeProject) p = load_ok (f->dir, yaml, NULL);
    g_assert_cmpstr (hatake_compose_project_get_name (p), ==, "dotenv-name");
  }
  assert_load_error (f->dir, yaml, env_bad, "“Bad.Name” is not a valid project name: it must hold only lowercase "
                     "letters, digits, _ and -, and start with a letter or a digit");
  {
    g_autofree char *dotenv = g_build_filename (f->dir, ".env", NULL);
    g_remove (dotenv);
  }
  assert_load_error (f->dir, "name: _under\nservices:\n  a: {image: x}\n", NULL,
                     "compose.yaml:1:7: name: “_under” is not a valid project name: it must hold only lowercase "
                     "letters, digits, _ and -, and start with a letter or a digit");
  /* a folder's name is made one */
  g_mkdir (odd, 0700);
  {
    g_autoptr(HatakeComposeProject) p = load_ok (odd, "services:\n  a: {image: x}\n", NULL);
    g_assert_cmpstr (hatake_compose_project_get_name (p), ==, "myappv2");
  }
  g_assert_true (hatake_compose_project_name_is_valid ("a-b_c9"));
  g_assert_true (hatake_compose_project_name_is_valid ("9lives"));
  g_assert_false (hatake_compose_project_name_is_valid ("-a"));
  g_assert_false (hatake_compose_project_name_is_valid (""));
  g_assert_false (hatake_compose_project_name_is_valid ("a b"));
}

/* ---- profiles and extends ------------------------------------------------------------------ */

static const char *profiles_yaml =
  "services:\n"
  "  web: {image: x, depends_on: [db]}\n"
  "  db: {image: x}\n"
  "  debug: {image: x, profiles: [debug], depends_on: [tools]}\n"
  "  tools: {image: x, profiles: [tools]}\n"
  "  admin: {image: x, profiles: [admin, ops], volumes: [\"adminvol:/a\"]}\n"
  "volumes: {adminvol: }\n";

static char *
active_names (HatakeComposeProject *p)
{
  GPtrArray *services = hatake_compose_project_get_services (p);
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < services->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "", ((HatakeComposeService *) g_ptr_array_index (services, i))->name);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static HatakeComposeProject *
load_profiles (const char         *dir,
               const char * const *profiles,
               const char * const *services,
               const char * const *env,
               GError            **error)
{
  HatakeComposeOptions options = { .project_dir = dir, .environ = env ? env : no_env, .profiles = profiles,
                                   .services = services };

  return hatake_compose_project_load_from_data (&options, profiles_yaml, -1, "compose.yaml", error);
}

static void
test_profiles (Fixture       *f,
               gconstpointer  data)
{
  static const char * const debug[] = { "debug", NULL };
  static const char * const all[] = { "*", NULL };
  static const char * const tools[] = { "tools", NULL };
  static const char * const ghost[] = { "ghost", NULL };
  static const char * const env[] = { "HOME=/h", "COMPOSE_PROFILES=other, ops", NULL };
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(HatakeComposeProject) p = load_profiles (f->dir, NULL, NULL, NULL, &error);
    g_autofree char *names = active_names (p);

    g_assert_no_error (error);
    g_assert_cmpstr (names, ==, "db web");
    assert_strv ((GStrv) hatake_compose_project_get_disabled (p), "admin", "debug", "tools", NULL);
    g_assert_cmpuint (hatake_compose_project_get_volumes (p)->len, ==, 0);
  }
  {
    g_autoptr(HatakeComposeProject) p = load_profiles (f->dir, debug, NULL, NULL, &error);
    g_autofree char *names = active_names (p);

    /* debug's dependency comes with it, whatever its own profile */
    g_assert_cmpstr (names, ==, "db debug tools web");
  }
  {
    g_autoptr(HatakeComposeProject) p = load_profiles (f->dir, NULL, NULL, env, &error);
    g_autofree char *names = active_names (p);

    g_assert_cmpstr (names, ==, "admin db web");
    g_assert_cmpuint (hatake_compose_project_get_volumes (p)->len, ==, 1);
    g_assert_cmpstr (((HatakeComposeVolume *) g_ptr_array_index (hatake_compose_project_get_volumes (p), 0))->name, ==,
                     "proj_adminvol");
  }
  {
    /* --profile wins over COMPOSE_PROFILES; a service named by the caller is active */
    g_autoptr(HatakeComposeProject) p = load_profiles (f->dir, debug, tools, env, &error);
    g_autofree char *names = active_names (p);

    g_assert_cmpstr (names, ==, "db debug tools web");
  }
  {
    g_autoptr(HatakeComposeProject) p = load_profiles (f->dir, all, NULL, NULL, &error);
    g_autofree char *names = active_names (p);

    g_assert_cmpstr (names, ==, "admin db debug tools web");
    g_assert_null (hatake_compose_project_get_disabled (p)[0]);
  }
  {
    g_autoptr(HatakeComposeProject) p = load_profiles (f->dir, NULL, ghost, NULL, &error);

    g_assert_null (p);
    g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
    g_assert_cmpstr (error->message, ==, "no such service: ghost");
  }
}

static void
test_extends (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(HatakeComposeProject) p = NULL;
  g_autofree char *sub_data = g_build_filename (f->dir, "sub", "data", NULL);

  write_file (f->dir, "sub/common.yaml",
              "services:\n"
              "  common:\n"
              "    image: common\n"
              "    volumes: [\"./data:/data\"]\n"
              "    env_file: common.env\n"
              "  chained:\n"
              "    extends: common\n"
              "    user: chained\n");
  write_file (f->dir, "sub/common.env", "FROM_COMMON=1\n");
  p = load_ok (f->dir,
    "services:\n"
    "  base:\n"
    "    image: base\n"
    "    environment: [A=1, B=1]\n"
    "    ports: [\"80:80\"]\n"
    "    command: base\n"
    "  web:\n"
    "    extends: base\n"
    "    environment: [B=2]\n"
    "    command: web\n"
    "  deep:\n"
    "    extends: {service: web}\n"
    "    ports: [\"81:81\"]\n"
    "  app:\n"
    "    extends: {file: sub/common.yaml, service: chained}\n"
    "    environment: {LOCAL: yes}\n", NULL);

  g_assert_cmpstr (service (p, "web")->image, ==, "base");
  assert_strv (service (p, "web")->environment, "A=1", "B=2", NULL);
  assert_strv (service (p, "web")->command, "web", NULL);
  g_assert_cmpuint (service (p, "web")->ports->len, ==, 1);
  g_assert_cmpuint (service (p, "deep")->ports->len, ==, 2);
  assert_strv (service (p, "deep")->environment, "A=1", "B=2", NULL);
  assert_strv (service (p, "deep")->command, "web", NULL);
  /* the other file's paths start at its own folder */
  g_assert_cmpstr (service (p, "app")->image, ==, "common");
  g_assert_cmpstr (service (p, "app")->user, ==, "chained");
  g_assert_cmpuint (service (p, "app")->volumes->len, ==, 1);
  g_assert_cmpstr (mount (service (p, "app"), 0)->source, ==, sub_data);
  assert_strv (service (p, "app")->environment, "FROM_COMMON=1", "LOCAL=yes", NULL);

  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    extends: b\n  b:\n    extends: {service: a}\n", NULL,
                     "compose.yaml:4:14: services.a.extends: extends loop: a → b → a");
  assert_load_error (f->dir, "services:\n  a:\n    extends: a\n", NULL,
                     "compose.yaml:3:14: services.a.extends: extends loop: a → a");
  assert_load_error (f->dir, "services:\n  a:\n    image: x\n    extends: nope\n", NULL,
                     "compose.yaml:4:14: services.a.extends: extends the undefined service “nope”");
  write_file (f->dir, "loop.yaml", "services:\n  l:\n    extends: {file: compose2.yaml, service: m}\n");
  write_file (f->dir, "compose2.yaml", "services:\n  m:\n    extends: {file: loop.yaml, service: l}\n");
  assert_load_error (f->dir, "services:\n  a:\n    extends: {file: loop.yaml, service: l}\n", NULL,
                     "loop.yaml:3:14: services.l.extends: extends loop: a → l → m → l");
}

/* ---- errors -------------------------------------------------------------------------------- */

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/compose/values/durations", test_durations);
  g_test_add_func ("/compose/values/sizes", test_sizes);
  ADD ("/compose/service/fields", test_service_fields);
  ADD ("/compose/service/command", test_command);
  ADD ("/compose/service/environment", test_environment);
  ADD ("/compose/service/ports", test_ports);
  ADD ("/compose/service/volumes", test_volumes);
  ADD ("/compose/service/networks", test_networks);
  ADD ("/compose/service/depends-on", test_depends_on);
  ADD ("/compose/service/healthcheck", test_healthcheck);
  ADD ("/compose/service/deploy-and-build", test_deploy_and_build);
  ADD ("/compose/top-level", test_top_level);
  ADD ("/compose/interpolation", test_interpolation);
  ADD ("/compose/dotenv", test_dotenv);
  ADD ("/compose/merge", test_merge);
  ADD ("/compose/default-files", test_default_files);
  ADD ("/compose/project-name", test_project_name);
  ADD ("/compose/profiles", test_profiles);
  ADD ("/compose/extends", test_extends);
  return g_test_run ();
}
