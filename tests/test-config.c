/* test-config.c: hatake.conf, its defaults and its errors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <locale.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hatake-config.h"
#include "hatake-error.h"
#include "hatake-proxy.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("hatake-config-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "hatake.conf", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_unlink (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
write_conf (Fixture    *f,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (f->path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
assert_defaults (const HatakeConfig *c)
{
  HatakeLayerLimits limits;

  hatake_layer_limits_init_default (&limits);
  g_assert_cmpuint (c->max_concurrent_downloads, ==, 3);
  g_assert_cmpuint (c->max_retries, ==, 5);
  g_assert_nonnull (c->insecure_registries);
  g_assert_cmpuint (g_strv_length (c->insecure_registries), ==, 0);
  g_assert_cmpuint (c->layer_limits.max_bytes, ==, limits.max_bytes);
  g_assert_cmpuint (c->layer_limits.max_entries, ==, limits.max_entries);
  g_assert_cmpuint (c->layer_limits.max_ratio, ==, limits.max_ratio);
  g_assert_cmpstr (c->default_runtime, ==, "crun");
  g_assert_cmpuint (c->log_size_max, ==, 100 * 1024 * 1024);
  g_assert_cmpuint (c->network_spares, ==, 2);
}

static void
test_defaults (void)
{
  g_autoptr(HatakeConfig) c = hatake_config_new_default ();

  assert_defaults (c);
  g_assert_null (c->path);
  /* the documented defaults of [limits] */
  g_assert_cmpuint (c->layer_limits.max_bytes, ==, G_GUINT64_CONSTANT (64) << 30);
  g_assert_cmpuint (c->layer_limits.max_entries, ==, 5000000);
  g_assert_cmpuint (c->layer_limits.max_ratio, ==, 0);
}

static void
test_missing_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeConfig) c = hatake_config_load (f->path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (c);
  assert_defaults (c);
}

static void
test_empty_file (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeConfig) c = NULL;

  write_conf (f, "# nothing set\n\n[registries]\n");
  c = hatake_config_load (f->path, &error);
  g_assert_no_error (error);
  assert_defaults (c);
  g_assert_cmpstr (c->path, ==, f->path);
}

static void
test_every_key (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeConfig) c = NULL;

  write_conf (f,
              "# every key\n"
              "[registries]\n"
              "insecure=registry.lan:5000; 10.0.0.5 ;;other.example\n"
              "max-concurrent-downloads=8\n"
              "max-retries=0\n"
              "\n"
              "[limits]\n"
              "max-layer-size=2G\n"
              "max-layer-entries=1K\n"
              "max-compression-ratio=250\n"
              "\n"
              "[engine]\n"
              "default-runtime= runc \n"
              "log-size-max=5M\n"
              "network-spares=0\n");
  c = hatake_config_load (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (c);
  g_assert_cmpstr (c->path, ==, f->path);
  g_assert_cmpuint (g_strv_length (c->insecure_registries), ==, 3);
  g_assert_cmpstr (c->insecure_registries[0], ==, "registry.lan:5000");
  g_assert_cmpstr (c->insecure_registries[1], ==, "10.0.0.5");
  g_assert_cmpstr (c->insecure_registries[2], ==, "other.example");
  g_assert_cmpuint (c->max_concurrent_downloads, ==, 8);
  g_assert_cmpuint (c->max_retries, ==, 0);
  g_assert_cmpuint (c->layer_limits.max_bytes, ==, G_GUINT64_CONSTANT (2) << 30);
  g_assert_cmpuint (c->layer_limits.max_entries, ==, 1024);
  g_assert_cmpuint (c->layer_limits.max_ratio, ==, 250);
  g_assert_cmpstr (c->default_runtime, ==, "runc");
  g_assert_cmpuint (c->log_size_max, ==, 5 * 1024 * 1024);
  g_assert_cmpuint (c->network_spares, ==, 0);
}

static void
test_sizes (Fixture       *f,
            gconstpointer  data)
{
  static const struct { const char *text; guint64 bytes; } cases[] = {
    { "4096", 4096 },
    { "8K", 8 * 1024 },
    { "8k", 8 * 1024 },
    { "3M", 3 * 1024 * 1024 },
    { "3MB", 3 * 1024 * 1024 },
    { "3Mi", 3 * 1024 * 1024 },
    { "1G", G_GUINT64_CONSTANT (1) << 30 },
    { "7g", G_GUINT64_CONSTANT (7) << 30 },
    { "2T", G_GUINT64_CONSTANT (2) << 40 },
    { " 16M ", 16 * 1024 * 1024 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("[engine]\nlog-size-max=%s\n", cases[i].text);
      g_autoptr(GError) error = NULL;
      g_autoptr(HatakeConfig) c = NULL;

      g_test_message ("size “%s”", cases[i].text);
      write_conf (f, text);
      c = hatake_config_load (f->path, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (c->log_size_max, ==, cases[i].bytes);
    }
}

static GError *
load_fails (Fixture    *f,
            const char *contents)
{
  g_autoptr(HatakeConfig) c = NULL;
  GError *error = NULL;

  g_test_message ("expecting an error for: %s", contents);
  write_conf (f, contents);
  c = hatake_config_load (f->path, &error);
  g_assert_null (c);
  g_assert_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG);
  /* every message says which file is wrong */
  g_assert_nonnull (strstr (error->message, f->path));
  return error;
}

static void
test_unknown_key (Fixture       *f,
                  gconstpointer  data)
{
  GError *error;

  error = load_fails (f, "[registries]\nmax-concurent-downloads=4\n");
  g_assert_nonnull (strstr (error->message, "max-concurent-downloads"));
  g_assert_nonnull (strstr (error->message, "registries"));
  g_clear_error (&error);

  /* a known key in the wrong group is unknown there */
  error = load_fails (f, "[engine]\nmax-retries=4\n");
  g_assert_nonnull (strstr (error->message, "max-retries"));
  g_assert_nonnull (strstr (error->message, "engine"));
  g_clear_error (&error);

  error = load_fails (f, "[registry]\ninsecure=a.example\n");
  g_assert_nonnull (strstr (error->message, "insecure"));
  g_assert_nonnull (strstr (error->message, "registry"));
  g_clear_error (&error);
}

static void
test_bad_values (Fixture       *f,
                 gconstpointer  data)
{
  static const struct { const char *group, *key, *value; } cases[] = {
    { "registries", "max-concurrent-downloads", "many" },
    { "registries", "max-concurrent-downloads", "0" },
    { "registries", "max-concurrent-downloads", "33" },
    { "registries", "max-concurrent-downloads", "-1" },
    { "registries", "max-concurrent-downloads", "12X" },
    { "registries", "max-concurrent-downloads", "4.5" },
    { "registries", "max-retries", "101" },
    { "registries", "max-retries", "0x10" },
    { "limits", "max-layer-size", "12X" },
    { "limits", "max-layer-size", "0" },
    { "limits", "max-layer-size", "lots" },
    { "limits", "max-layer-size", "-5G" },
    { "limits", "max-layer-size", "99999999999999999999" },
    { "limits", "max-layer-size", "20000000T" },
    { "limits", "max-layer-size", "1GX" },
    { "limits", "max-layer-entries", "0" },
    { "limits", "max-compression-ratio", "1000001" },
    { "engine", "log-size-max", "4095" },
    { "engine", "log-size-max", "1K" },
    { "engine", "network-spares", "17" },
    { "engine", "network-spares", "-1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("[%s]\n%s=%s\n", cases[i].group, cases[i].key, cases[i].value);
      g_autoptr(GError) error = load_fails (f, text);

      g_assert_nonnull (strstr (error->message, cases[i].key));
      g_assert_nonnull (strstr (error->message, cases[i].value));
      g_assert_nonnull (strstr (error->message, cases[i].group));
    }
}

static void
test_bounds_accepted (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeConfig) low = NULL;
  g_autoptr(HatakeConfig) high = NULL;

  write_conf (f, "[registries]\nmax-concurrent-downloads=1\nmax-retries=100\n[engine]\nlog-size-max=4096\n");
  low = hatake_config_load (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (low->max_concurrent_downloads, ==, 1);
  g_assert_cmpuint (low->max_retries, ==, 100);
  g_assert_cmpuint (low->log_size_max, ==, 4096);

  write_conf (f, "[registries]\nmax-concurrent-downloads=32\n[limits]\nmax-compression-ratio=1000000\n");
  high = hatake_config_load (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (high->max_concurrent_downloads, ==, 32);
  g_assert_cmpuint (high->layer_limits.max_ratio, ==, 1000000);
}

static void
test_empty_runtime (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = load_fails (f, "[engine]\ndefault-runtime=  \n");

  g_assert_nonnull (strstr (error->message, "default-runtime"));
}

static void
test_not_a_key_file (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = load_fails (f, "this is not [a key file\n");

  g_assert_nonnull (error->message);
}

static void
test_default_path (void)
{
  g_autofree char *saved = g_strdup (g_getenv ("HATAKE_CONFIG"));
  g_autofree char *from_env = NULL;
  g_autofree char *fallback = NULL;
  g_autofree char *expected = NULL;

  g_setenv ("HATAKE_CONFIG", "/somewhere/else/my.conf", TRUE);
  from_env = hatake_config_default_path ();
  g_assert_cmpstr (from_env, ==, "/somewhere/else/my.conf");

  /* an empty variable counts as unset */
  g_setenv ("HATAKE_CONFIG", "", TRUE);
  fallback = hatake_config_default_path ();
  g_assert_cmpstr (fallback, !=, "");
  if (geteuid () == 0)
    expected = g_build_filename (SYSCONFDIR, "hatake", "hatake.conf", NULL);
  else
    expected = g_build_filename (g_get_user_config_dir (), "hatake", "hatake.conf", NULL);
  g_assert_cmpstr (fallback, ==, expected);

  g_unsetenv ("HATAKE_CONFIG");
  g_clear_pointer (&fallback, g_free);
  fallback = hatake_config_default_path ();
  g_assert_cmpstr (fallback, ==, expected);

  if (saved != NULL)
    g_setenv ("HATAKE_CONFIG", saved, TRUE);
}

static void
test_load_default_uses_env (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *saved = g_strdup (g_getenv ("HATAKE_CONFIG"));
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeConfig) c = NULL;

  write_conf (f, "[registries]\nmax-retries=9\n");
  g_setenv ("HATAKE_CONFIG", f->path, TRUE);
  c = hatake_config_load_default (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (c->max_retries, ==, 9);
  g_assert_cmpstr (c->path, ==, f->path);

  if (saved != NULL)
    g_setenv ("HATAKE_CONFIG", saved, TRUE);
  else
    g_unsetenv ("HATAKE_CONFIG");
}

static char *
proxy_for (GProxyResolver *resolver, const char *uri)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) proxies = g_proxy_resolver_lookup (resolver, uri, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (proxies);
  return g_strdup (proxies[0]);
}

static void
unset_proxies (void)
{
  const char * const names[] = { "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_unsetenv (names[i]);
}

/* Registry and remote-engine connections take their proxies as docker does: from the environment */
static void
test_proxy_from_env (void)
{
  g_autoptr(GProxyResolver) none = NULL, both = NULL, lower = NULL, all_excluded = NULL;
  g_autofree char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL, *p5 = NULL, *p6 = NULL, *p7 = NULL;
  g_autofree char *p8 = NULL;

  unset_proxies ();
  /* none set: none at all, not GIO's default (the desktop's settings through libproxy) */
  none = hatake_proxy_resolver_new_from_env ();
  g_assert_null (none);

  g_setenv ("HTTP_PROXY", "http://proxy.example:3128", TRUE);
  g_setenv ("HTTPS_PROXY", "http://secure-proxy.example:3129", TRUE);
  g_setenv ("NO_PROXY", " internal.example , .corp.example,10.0.0.0/8", TRUE);
  both = hatake_proxy_resolver_new_from_env ();
  g_assert_nonnull (both);
  p1 = proxy_for (both, "http://registry.example/v2/");
  g_assert_cmpstr (p1, ==, "http://proxy.example:3128");
  p2 = proxy_for (both, "https://registry.example/v2/");
  g_assert_cmpstr (p2, ==, "http://secure-proxy.example:3129");
  /* NO_PROXY: names with their subdomains, ranges; the machine itself never goes through one */
  p3 = proxy_for (both, "https://registry.internal.example/v2/");
  g_assert_cmpstr (p3, ==, "direct://");
  p4 = proxy_for (both, "https://a.corp.example:5000/v2/");
  g_assert_cmpstr (p4, ==, "direct://");
  p5 = proxy_for (both, "http://10.1.2.3:5000/v2/");
  g_assert_cmpstr (p5, ==, "direct://");
  p6 = proxy_for (both, "http://127.0.0.1:5000/v2/");
  g_assert_cmpstr (p6, ==, "direct://");
  p7 = proxy_for (both, "http://localhost:5000/v2/");
  g_assert_cmpstr (p7, ==, "direct://");

  /* the lower-case forms, an HTTPS proxy alone */
  unset_proxies ();
  g_setenv ("https_proxy", "http://lower.example:8080", TRUE);
  lower = hatake_proxy_resolver_new_from_env ();
  g_assert_nonnull (lower);
  p8 = proxy_for (lower, "https://registry.example/v2/");
  g_assert_cmpstr (p8, ==, "http://lower.example:8080");
  g_clear_pointer (&p8, g_free);
  p8 = proxy_for (lower, "http://registry.example/v2/");
  g_assert_cmpstr (p8, ==, "direct://");

  /* NO_PROXY=* : none */
  g_setenv ("NO_PROXY", "*", TRUE);
  all_excluded = hatake_proxy_resolver_new_from_env ();
  g_assert_null (all_excluded);
  unset_proxies ();
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/config/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  g_test_add_func ("/config/defaults", test_defaults);
  ADD ("missing-file", test_missing_file);
  ADD ("empty-file", test_empty_file);
  ADD ("every-key", test_every_key);
  ADD ("sizes", test_sizes);
  ADD ("unknown-key", test_unknown_key);
  ADD ("bad-values", test_bad_values);
  ADD ("bounds-accepted", test_bounds_accepted);
  ADD ("empty-runtime", test_empty_runtime);
  ADD ("not-a-key-file", test_not_a_key_file);
  g_test_add_func ("/config/default-path", test_default_path);
  ADD ("load-default-uses-env", test_load_default_uses_env);
  g_test_add_func ("/config/proxy-from-env", test_proxy_from_env);
#undef ADD

  return g_test_run ();
}
