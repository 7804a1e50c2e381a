/* test-compose-errors.c: compose files that are wrong or hostile: each error names the file, line
 * and column and what was expected; no crash and no partial project on any input
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-compose"

#include "config.h"

#include <locale.h>
#include <string.h>

#include "hatake-compose-private.h"
#include "hatake-error.h"
#include "hatake-test-compose.h"

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  static const struct { const char *yaml; const char *message; } cases[] = {
    { "services:\n  a: [\n", "compose.yaml:3:1: invalid YAML: did not find expected node content while parsing a "
                             "flow node" },
    { "services:\n  a:\n    image: x\n   bad: indent\n", "compose.yaml:4:4: invalid YAML: did not find expected "
                                                          "key while parsing a block mapping" },
    { "- a\n- b\n", "compose.yaml:1:1: expected a mapping (services:, networks:, …) at the top of the file" },
    { "services:\n  a:\n    image: [x]\n", "compose.yaml:3:12: services.a.image: expected a string, got a list" },
    { "services:\n  a:\n    image: x\n    imag: y\n", "compose.yaml:4:5: services.a: unknown field “imag”" },
    { "services:\n  a:\n    image: x\n    healthcheck: {test: x, intervall: 1s}\n",
      "compose.yaml:4:28: services.a.healthcheck: unknown field “intervall”" },
    { "services:\n  a:\n    image: x\n    stop_grace_period: 10\n",
      "compose.yaml:4:24: services.a.stop_grace_period: expected a duration such as 1m30s, 10s or 500ms, got “10”" },
    { "services:\n  a:\n    image: x\n    healthcheck:\n      interval: 5 minutes\n",
      "compose.yaml:5:17: services.a.healthcheck.interval: expected a duration such as 1m30s, 10s or 500ms, got "
      "“5 minutes”" },
    { "services:\n  a:\n    image: x\n    devices: [\"/dev/fuse:fuse\"]\n",
      "compose.yaml:4:15: services.a.devices: invalid device “/dev/fuse:fuse”: not HOST_PATH[:CONTAINER_PATH][:PERMISSIONS] "
      "with absolute paths and permissions among r, w and m" },
    { "services:\n  a:\n    image: x\n    pid: hots\n", "compose.yaml:4:10: services.a.pid: invalid PID mode: hots" },
    { "services:\n  a:\n    image: x\n    ipc: container:db\n",
      "compose.yaml:4:10: services.a.ipc: Hatake does not support --ipc container:db yet (only host, and private, the "
      "default)" },
    { "services:\n  a:\n    image: x\n    uts: service:b\n  b:\n    image: x\n",
      "compose.yaml:4:10: services.a.uts: Hatake does not support another service's namespace yet (only host, and "
      "private, the default)" },
    { "services:\n  a:\n    image: x\n    oom_score_adj: 1001\n",
      "compose.yaml:4:20: services.a.oom_score_adj: expected an integer from -1000 to 1000, got “1001”" },
    { "services:\n  a:\n    image: x\n    cpuset: [0]\n", "compose.yaml:4:13: services.a.cpuset: expected a string, got a list" },
    { "services:\n  a:\n    image: x\n    shm_size: big\n",
      "compose.yaml:4:15: services.a.shm_size: expected a size such as 512m, 1g or 1024k, got “big”" },
    { "services:\n  a:\n    image: x\n    tty: maybe\n",
      "compose.yaml:4:10: services.a.tty: expected a boolean (true or false), got “maybe”" },
    { "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [c]\n"
      "  c:\n    image: x\n    depends_on: [a]\n",
      "compose.yaml:4:17: services.a: dependency cycle: a → b → c → a" },
    { "services:\n  a:\n    image: x\n    depends_on: [a]\n", "compose.yaml:4:17: services.a: dependency cycle: a → a" },
    { "services:\n  a:\n    image: x\n    depends_on: [nobody]\n",
      "compose.yaml:4:18: services.a.depends_on: depends on the undefined service “nobody”" },
    { "services:\n  a:\n    image: x\n    links: [nobody]\n",
      "compose.yaml:4:13: services.a.links[0]: depends on the undefined service “nobody”" },
    { "services:\n  a:\n    user: root\n", "compose.yaml:3:5: services.a: a service needs an image or a build" },
    { "services:\n  a:\n", "compose.yaml:2:5: services.a: expected a mapping, got null" },
    { "services:\n  a:\n    image: x\n    image: y\n", "compose.yaml:4:5: the key “image” is already defined in this "
                                                         "mapping" },
    { "services: []\n", "compose.yaml:1:11: services: expected a mapping, got a list" },
    { "name: p\n", "compose.yaml:1:1: services: a project needs at least one service" },
    { "services:\n  \"bad name\": {image: x}\n", "compose.yaml:2:3: services: “bad name” is not a valid service "
                                                   "name: use letters, digits, ., _ and -, starting with a letter or "
                                                   "a digit" },
    { "services:\n  a: {image: x}\n---\nservices: {}\n", "compose.yaml:3:1: a compose file holds one YAML document, "
                                                         "not several" },
    { "services:\n  a: *nothing\n", "compose.yaml:2:6: unknown anchor “nothing” (an alias must follow its anchor)" },
    { "services:\n  a:\n    image: x\n    restart: sometimes\n",
      "compose.yaml:4:14: services.a.restart: expected no, always, on-failure[:N] or unless-stopped, got “sometimes”" },
    { "services:\n  a:\n    image: x\n    pull_policy: sometimes\n",
      "compose.yaml:4:18: services.a.pull_policy: expected always, never, missing, build, daily, weekly or "
      "every_DURATION, got “sometimes”" },
    { "services:\n  a:\n    image: x\n    container_name: c\n    deploy: {replicas: 2}\n",
      "compose.yaml:4:21: services.a: container_name is set, so the service cannot have 2 replicas" },
    { "services:\n  a:\n    image: x\n    environment: [\"=x\"]\n",
      "compose.yaml:4:19: services.a.environment[0]: expected KEY=VALUE, got “=x”" },
    { "services:\n  a:\n    image: x\n    environment: {A: [1]}\n",
      "compose.yaml:4:22: services.a.environment.A: expected a string, a number, a boolean or null, got a list" },
    { "services:\n  a: {image: x}\nnetworks:\n  n: {driver: bridge, mtu: 1500}\n",
      "compose.yaml:4:23: networks.n: unknown field “mtu”" },
    { "services:\n  a:\n    image: x\n    profiles: [\"-no\"]\n",
      "compose.yaml:4:16: services.a.profiles[0]: expected a profile name ([a-zA-Z0-9][a-zA-Z0-9_.-]*), got “-no”" },
    { "services:\n  a: {image: x}\nvolumes:\n  v: {external: maybe}\n",
      "compose.yaml:4:17: volumes.v.external: expected a boolean (true or false), got “maybe”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HatakeComposeProject) p = load_data (f->dir, cases[i].yaml, NULL, &error);

      g_test_message ("case %u", i);
      g_assert_null (p);
      g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_alias_bomb (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GString) yaml = g_string_new ("x-a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeComposeProject) p = NULL;

  /* ten times bigger each level: 10^9 nodes if expanded */
  for (char c = 'b'; c <= 'i'; c++)
    g_string_append_printf (yaml, "x-%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n",
                            c, c, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
  g_string_append (yaml, "services:\n  a: {image: x}\n");
  p = load_data (f->dir, yaml->str, NULL, &error);
  g_assert_null (p);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "the aliases expand to more than 1000000 nodes"));
  g_clear_error (&error);

  /* few nodes, long strings: 1 MiB ten times, ten times… (some 10 GiB copied) */
  g_string_assign (yaml, "x-s: &s \"");
  for (guint i = 0; i < 1024 * 1024; i++)
    g_string_append_c (yaml, 'a' + i % 26);
  g_string_append (yaml, "\"\nx-a: &a [*s, *s, *s, *s, *s, *s, *s, *s, *s, *s]\n");
  for (char c = 'b'; c <= 'e'; c++)
    g_string_append_printf (yaml, "x-%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n",
                            c, c, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
  g_string_append (yaml, "services:\n  a: {image: x}\n");
  g_clear_object (&p);
  p = load_data (f->dir, yaml->str, NULL, &error);
  g_assert_null (p);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "the aliases expand to more than 64 MiB of text"));
}

/* Nesting past what the code follows is an error or a plain result, never a crash: ${…:-${…}}
 * past 64 deep (50,000 deep overflowed the stack), and mappings that aliases nest past the
 * merge's depth (extends). */
static void
test_deep_nesting (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GString) yaml = g_string_new ("services:\n  a:\n    image: \"");
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeComposeProject) p = NULL;

  for (guint i = 0; i < 1000; i++)
    g_string_append (yaml, "${UNSET:-");
  g_string_append (yaml, "x");
  for (guint i = 0; i < 1000; i++)
    g_string_append_c (yaml, '}');
  g_string_append (yaml, "\"\n");
  p = load_data (f->dir, yaml->str, NULL, &error);
  g_assert_null (p);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "interpolation nests ${…} deeper than 64 levels"));
  g_clear_error (&error);

  g_string_assign (yaml, "x-d: &d ");
  for (guint i = 0; i < 195; i++)
    g_string_append (yaml, "{a: ");
  g_string_append (yaml, "1");
  for (guint i = 0; i < 195; i++)
    g_string_append (yaml, "}");
  g_string_append (yaml, "\nx-e: &e ");
  for (guint i = 0; i < 20; i++)
    g_string_append (yaml, "{a: ");
  g_string_append (yaml, "*d");
  for (guint i = 0; i < 20; i++)
    g_string_append (yaml, "}");
  g_string_append (yaml, "\nservices:\n  base: {image: x, x-deep: *e}\n  web: {extends: base, x-deep: *e}\n");
  p = load_data (f->dir, yaml->str, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hatake_compose_project_get_service (p, "web"));
}

/* ---- robustness ---------------------------------------------------------------------------- */

static const char *fuzz_yaml =
  "name: fuzz\n"
  "x-common: &common\n"
  "  restart: unless-stopped\n"
  "  labels: {tier: \"${TIER:-back}\"}\n"
  "services:\n"
  "  web:\n"
  "    <<: *common\n"
  "    image: \"nginx:${TAG:-latest}\"\n"
  "    command: [\"nginx\", \"-g\", \"daemon off;\"]\n"
  "    ports: [\"8080:80\", \"127.0.0.1:9000-9001:9000-9001/udp\", {target: 443, published: \"8443\"}]\n"
  "    volumes:\n"
  "      - ./html:/usr/share/nginx/html:ro\n"
  "      - data:/data\n"
  "      - {type: tmpfs, target: /tmp, tmpfs: {size: 64m}}\n"
  "    depends_on:\n"
  "      api: {condition: service_healthy, restart: true}\n"
  "    environment:\n"
  "      A: 1\n"
  "      B: $$literal\n"
  "    networks: {front: {aliases: [www]}, back: }\n"
  "    healthcheck: {test: curl -f http://localhost, interval: 1m30s, retries: 3}\n"
  "    deploy: {replicas: 2, resources: {limits: {cpus: '0.5', memory: 512m}}}\n"
  "  api:\n"
  "    build: {context: ./api, args: [V=1]}\n"
  "    networks: [back]\n"
  "    env_file: [{path: api.env, required: false}]\n"
  "    stop_grace_period: 10s\n"
  "    profiles: [\"app\"]\n"
  "    extends: {service: base}\n"
  "  base:\n"
  "    image: base\n"
  "    tmpfs: /run\n"
  "networks:\n"
  "  front: {driver: bridge}\n"
  "  back: {internal: true, ipam: {config: [{subnet: 10.0.0.0/24}]}}\n"
  "volumes:\n"
  "  data: {labels: [a=b]}\n"
  "secrets:\n"
  "  s: {content: hello}\n";

static void
load_either (const char *dir,
             const char *text,
             gsize       length)
{
  g_autoptr(GError) error = NULL;
  HatakeComposeOptions options = { .project_dir = dir, .environ = no_env };
  g_autoptr(HatakeComposeProject) p = hatake_compose_project_load_from_data (&options, text, (gssize) length,
                                                                             "compose.yaml", &error);

  /* a project or an error, never both, never neither */
  g_assert_true ((p == NULL) != (error == NULL));
  if (error != NULL)
    g_assert_true (error->domain == HATAKE_ERROR || error->domain == G_FILE_ERROR || error->domain == G_IO_ERROR);
  if (p != NULL)
    {
      g_autoptr(GPtrArray) order = hatake_compose_project_get_order (p);

      g_assert_cmpuint (order->len, ==, hatake_compose_project_get_services (p)->len);
      for (guint i = 0; i < order->len; i++)
        {
          g_autoptr(HatakeContainerConfig) c = hatake_compose_project_container_config (p, g_ptr_array_index (order, i), 1);
          g_assert_nonnull (c->name);
        }
    }
}

static void
test_truncated (Fixture       *f,
                gconstpointer  data)
{
  gsize length = strlen (fuzz_yaml);

  {
    g_autoptr(HatakeComposeProject) whole = load_ok (f->dir, fuzz_yaml, NULL);
    /* api has a profile that is off, but web needs it */
    g_assert_cmpuint (hatake_compose_project_get_services (whole)->len, ==, 3);
    g_assert_null (hatake_compose_project_get_disabled (whole)[0]);
  }
  for (gsize n = 0; n <= length; n++)
    {
      /* a copy of exactly n bytes, so that ASan sees a read past them */
      g_autofree char *prefix = g_malloc (MAX (n, 1));

      memcpy (prefix, fuzz_yaml, n);
      load_either (f->dir, prefix, n);
    }
}

/* GLib 2.74 has no g_byte_array_insert */
static void
insert_bytes (GByteArray   *bytes,
              guint         at,
              const guint8 *data,
              guint         n)
{
  guint tail = bytes->len - at;

  g_byte_array_set_size (bytes, bytes->len + n);
  memmove (bytes->data + at + n, bytes->data + at, tail);
  if (n > 0)
    memcpy (bytes->data + at, data, n);
}

static void
test_mutated (Fixture       *f,
              gconstpointer  data)
{
  static const char interesting[] = ":-{}[],&*!|>'\"#$%@`\n \t\\0123456789abcxyz?";
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240521);
  gsize length = strlen (fuzz_yaml);

  for (guint round = 0; round < 400; round++)
    {
      g_autoptr(GByteArray) bytes = g_byte_array_new ();
      guint edits = (guint) g_rand_int_range (rand, 1, 6);

      g_byte_array_append (bytes, (const guint8 *) fuzz_yaml, (guint) length);
      for (guint e = 0; e < edits && bytes->len > 0; e++)
        {
          guint at = (guint) g_rand_int_range (rand, 0, (gint32) bytes->len);
          guint8 c = g_rand_boolean (rand) ? (guint8) interesting[g_rand_int_range (rand, 0, sizeof interesting - 1)]
                                           : (guint8) g_rand_int_range (rand, 0, 256);

          switch (g_rand_int_range (rand, 0, 4))
            {
            case 0:
              bytes->data[at] = c;
              break;
            case 1:
              insert_bytes (bytes, at, &c, 1);
              break;
            case 2:
              g_byte_array_remove_index (bytes, at);
              break;
            default:
              {
                /* a line copied elsewhere: structure, not only characters, changes */
                guint other = (guint) g_rand_int_range (rand, 0, (gint32) bytes->len);
                guint end = other;
                g_autoptr(GByteArray) line = g_byte_array_new ();

                while (end < bytes->len && bytes->data[end] != '\n')
                  end++;
                g_byte_array_append (line, bytes->data + other, end - other);
                insert_bytes (bytes, at, line->data, line->len);
              }
              break;
            }
        }
      load_either (f->dir, (const char *) bytes->data, bytes->len);
    }
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  ADD ("/compose/errors", test_errors);
  ADD ("/compose/alias-bomb", test_alias_bomb);
  ADD ("/compose/deep-nesting", test_deep_nesting);
  ADD ("/compose/robustness/truncated", test_truncated);
  ADD ("/compose/robustness/mutated", test_mutated);
  return g_test_run ();
}
