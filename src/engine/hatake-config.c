/* hatake-config.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hatake.conf — every key, with its default:
 *
 *   [registries]
 *   insecure=                     ; hosts[:port] reached over plain HTTP or unverified TLS,
 *                                 ; besides loopback, which always is
 *   max-concurrent-downloads=3    ; layers fetched at once by one pull (1–32)
 *   max-retries=5                 ; attempts after a dropped connection, a 5xx or a 429 (0–100)
 *
 *   [limits]                      ; against decompression bombs; sizes take K, M, G, T suffixes
 *   max-layer-size=64G            ; most uncompressed bytes in one layer
 *   max-layer-entries=5000000     ; most files, directories and links in one layer
 *   max-compression-ratio=0       ; most uncompressed bytes per compressed byte; 0 turns it off
 *
 *   [engine]
 *   default-runtime=crun          ; the OCI runtime containers run with (crun or runc)
 *   log-size-max=100M             ; a container's log file is rotated past this size
 *   network-spares=2              ; namespaces a long-running engine keeps set up on the
 *                                 ; default network ahead of need (0–16; 0: none)
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <unistd.h>
#include <gio/gio.h>

#include "hatake-config.h"
#include "hatake-error.h"

HatakeConfig *
hatake_config_new_default (void)
{
  HatakeConfig *self = g_new0 (HatakeConfig, 1);

  self->insecure_registries = g_new0 (char *, 1);
  self->max_concurrent_downloads = 3;
  self->max_retries = 5;
  hatake_layer_limits_init_default (&self->layer_limits);
  self->default_runtime = g_strdup ("crun");
  self->log_size_max = 100 * 1024 * 1024;
  self->network_spares = 2;
  return self;
}

void
hatake_config_free (HatakeConfig *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_strfreev (self->insecure_registries);
  g_free (self->default_runtime);
  g_free (self);
}

static gboolean
bad_value (GError    **error,
           const char *path,
           const char *group,
           const char *key,
           const char *value,
           const char *expected)
{
  g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG,
               _("%s: [%s] %s=%s is not valid: expected %s"), path, group, key, value, expected);
  return FALSE;
}

/* "64G", "512M", "1024": bytes with an optional binary suffix. */
static gboolean
parse_size (const char *text,
            guint64    *out)
{
  char *end = NULL;
  guint64 value, mult = 1;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  errno = 0;
  value = g_ascii_strtoull (text, &end, 10);
  if (errno != 0)
    return FALSE;
  switch (g_ascii_toupper (*end))
    {
    case '\0': break;
    case 'K': mult = 1ULL << 10; end++; break;
    case 'M': mult = 1ULL << 20; end++; break;
    case 'G': mult = 1ULL << 30; end++; break;
    case 'T': mult = 1ULL << 40; end++; break;
    default: return FALSE;
    }
  if (g_ascii_toupper (*end) == 'B' || g_ascii_toupper (*end) == 'I')
    end++;
  if (*end != '\0' || (value != 0 && mult > G_MAXUINT64 / value))
    return FALSE;
  *out = value * mult;
  return TRUE;
}

typedef enum { KEY_SIZE, KEY_UINT, KEY_STRING, KEY_LIST } KeyKind;

typedef struct
{
  const char *group;
  const char *key;
  KeyKind     kind;
  guint64     min, max;
  gsize       offset;
  gsize       width;
} KeySpec;

#define FIELD(f) G_STRUCT_OFFSET (HatakeConfig, f), sizeof (((HatakeConfig *) 0)->f)

static const KeySpec keys[] = {
  { "registries", "insecure", KEY_LIST, 0, 0, FIELD (insecure_registries) },
  { "registries", "max-concurrent-downloads", KEY_UINT, 1, 32, FIELD (max_concurrent_downloads) },
  { "registries", "max-retries", KEY_UINT, 0, 100, FIELD (max_retries) },
  { "limits", "max-layer-size", KEY_SIZE, 1, G_MAXUINT64, FIELD (layer_limits.max_bytes) },
  { "limits", "max-layer-entries", KEY_SIZE, 1, G_MAXUINT64, FIELD (layer_limits.max_entries) },
  { "limits", "max-compression-ratio", KEY_UINT, 0, 1000000, FIELD (layer_limits.max_ratio) },
  { "engine", "default-runtime", KEY_STRING, 0, 0, FIELD (default_runtime) },
  { "engine", "log-size-max", KEY_SIZE, 4096, G_MAXUINT64, FIELD (log_size_max) },
  { "engine", "network-spares", KEY_UINT, 0, 16, FIELD (network_spares) },
};

static const KeySpec *
find_key (const char *group,
          const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_str_equal (keys[i].group, group) && g_str_equal (keys[i].key, key))
      return &keys[i];
  return NULL;
}

static gboolean
apply_key (HatakeConfig   *self,
           GKeyFile       *file,
           const KeySpec  *spec,
           GError        **error)
{
  g_autofree char *value = g_key_file_get_value (file, spec->group, spec->key, NULL);
  gpointer field = G_STRUCT_MEMBER_P (self, spec->offset);
  g_autofree char *range = NULL;
  guint64 n;

  switch (spec->kind)
    {
    case KEY_LIST:
      {
        g_auto(GStrv) list = g_key_file_get_string_list (file, spec->group, spec->key, NULL, NULL);
        g_autoptr(GStrvBuilder) clean = g_strv_builder_new ();
        for (guint i = 0; list && list[i]; i++)
          {
            g_strstrip (list[i]);
            if (*list[i] != '\0')
              g_strv_builder_add (clean, list[i]);
          }
        g_strfreev (*(GStrv *) field);
        *(GStrv *) field = g_strv_builder_end (clean);
        return TRUE;
      }
    case KEY_STRING:
      g_strstrip (value);
      if (*value == '\0')
        return bad_value (error, self->path, spec->group, spec->key, value, "a name");
      g_free (*(char **) field);
      *(char **) field = g_steal_pointer (&value);
      return TRUE;
    case KEY_UINT:
    case KEY_SIZE:
      g_strstrip (value);
      range = g_strdup_printf ("%s from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
                               spec->kind == KEY_SIZE ? "a size in bytes (with K, M, G or T)" : "a whole number",
                               spec->min, spec->max);
      if (spec->kind == KEY_SIZE ? !parse_size (value, &n)
                                 : !g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &n, NULL))
        return bad_value (error, self->path, spec->group, spec->key, value, range);
      if (n < spec->min || n > spec->max)
        return bad_value (error, self->path, spec->group, spec->key, value, range);
      if (spec->width == sizeof (guint64))
        *(guint64 *) field = n;
      else
        *(guint *) field = (guint) n;
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* Loads path over the defaults; a missing file gives the defaults, a bad one an error naming
 * the file, the key and the value. */
HatakeConfig *
hatake_config_load (const char  *path,
                    GError     **error)
{
  g_autoptr(HatakeConfig) self = hatake_config_new_default ();
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) groups = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&self);
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG, _("%s: %s"), path, local_error->message);
      return NULL;
    }
  self->path = g_strdup (path);

  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i]; i++)
    {
      g_auto(GStrv) names = g_key_file_get_keys (file, groups[i], NULL, NULL);
      for (guint j = 0; names && names[j]; j++)
        {
          const KeySpec *spec = find_key (groups[i], names[j]);
          if (spec == NULL)
            {
              g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_CONFIG,
                           _("%s: unknown key “%s” in [%s]"), path, names[j], groups[i]);
              return NULL;
            }
          if (!apply_key (self, file, spec, error))
            return NULL;
        }
    }
  return g_steal_pointer (&self);
}

/* $HATAKE_CONFIG, else /etc/hatake/hatake.conf as root, else $XDG_CONFIG_HOME/hatake/hatake.conf. */
char *
hatake_config_default_path (void)
{
  const char *env = g_getenv ("HATAKE_CONFIG");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  if (geteuid () == 0)
    return g_build_filename (SYSCONFDIR, "hatake", "hatake.conf", NULL);
  return g_build_filename (g_get_user_config_dir (), "hatake", "hatake.conf", NULL);
}

HatakeConfig *
hatake_config_load_default (GError **error)
{
  g_autofree char *path = hatake_config_default_path ();

  return hatake_config_load (path, error);
}
