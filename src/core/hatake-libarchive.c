/* hatake-libarchive.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gmodule.h>

#include "hatake-error.h"
#include "hatake-libarchive.h"

/* libarchive is opened with GModule when a layer, a tar or a secret needs it, and closed when the
 * last user lets it go, as systemd opens its optional libraries. Linked, it and what it links
 * (libxml2, ICU, the compressors) were loaded at every start of hatake and stayed in hatake serve:
 * 2.7 MB of its idle RSS and 6 ms of every command's start. After a pull only libstdc++ stays,
 * which ICU brought and glibc never unloads (it has unique symbols). */

#define HATAKE_LIBARCHIVE_DEFINE(name) __typeof__ (name) *sym_##name;
HATAKE_LIBARCHIVE_SYMBOLS (HATAKE_LIBARCHIVE_DEFINE)
#undef HATAKE_LIBARCHIVE_DEFINE

struct _HatakeLibarchive
{
  GModule *module;
  guint    users;
  GSource *closing;   /* the close after the last user, on the default main context */
  guint    linger_ms;
};

static GMutex lock;
static HatakeLibarchive loaded = { .linger_ms = 1000 };

static void
clear_symbols (void)
{
#define HATAKE_LIBARCHIVE_CLEAR(name) sym_##name = NULL;
  HATAKE_LIBARCHIVE_SYMBOLS (HATAKE_LIBARCHIVE_CLEAR)
#undef HATAKE_LIBARCHIVE_CLEAR
}

static gboolean
resolve_symbols (GModule *module, GError **error)
{
#define HATAKE_LIBARCHIVE_RESOLVE(name)                                                         \
  if (!g_module_symbol (module, #name, (gpointer *) &sym_##name) || sym_##name == NULL)        \
    {                                                                                           \
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,                               \
                   _("Cannot use libarchive (%s): it has no %s"), g_module_name (module), #name); \
      clear_symbols ();                                                                         \
      return FALSE;                                                                             \
    }
  HATAKE_LIBARCHIVE_SYMBOLS (HATAKE_LIBARCHIVE_RESOLVE)
#undef HATAKE_LIBARCHIVE_RESOLVE
  return TRUE;
}

HatakeLibarchive *
_hatake_libarchive_load_module (const char  *path,
                                GError     **error)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&lock);

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (loaded.module == NULL)
    {
      /* local: its symbols never bind a later library's references by accident */
      GModule *module = g_module_open (path, G_MODULE_BIND_LOCAL);

      if (module == NULL)
        {
          g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,
                       _("Cannot load libarchive: %s"), g_module_error ());
          return NULL;
        }
      if (!resolve_symbols (module, error))
        {
          g_module_close (module);
          return NULL;
        }
      loaded.module = module;
    }
  loaded.users++;
  return &loaded;
}

/* libarchive, loaded (or another user of it counted) until hatake_libarchive_unload(): the
 * sym_archive_* pointers are valid while the result is held. Thread-safe. */
HatakeLibarchive *
hatake_libarchive_load (GError **error)
{
  return _hatake_libarchive_load_module (HATAKE_LIBARCHIVE_MODULE, error);
}

/* The compressions docker takes (gzip, bzip2, xz, and zstd), all in-process, for a reader A of
 * layers or of what a client sent: not archive_read_support_filter_all, which would also run
 * external programs (lrzip, lzop, grzip) on crafted bytes. The library must be held. */
void
hatake_libarchive_read_support_compressions (struct archive *a)
{
  sym_archive_read_support_filter_gzip (a);
  sym_archive_read_support_filter_bzip2 (a);
  sym_archive_read_support_filter_xz (a);
  sym_archive_read_support_filter_zstd (a);
}

/* with the lock held */
static void
close_module (void)
{
  if (loaded.closing != NULL)
    {
      g_source_destroy (loaded.closing);
      g_clear_pointer (&loaded.closing, g_source_unref);
    }
  /* a use after the last user is a NULL call, not a call into unmapped code */
  clear_symbols ();
  g_clear_pointer (&loaded.module, g_module_close);
}

static gboolean
on_linger_done (gpointer user_data)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&lock);

  if (loaded.closing == g_main_current_source ())
    {
      g_clear_pointer (&loaded.closing, g_source_unref);
      if (loaded.users == 0)
        close_module ();
    }
  return G_SOURCE_REMOVE;
}

/* The last user gone, the module is closed a moment later, so that the layers of one pull and a
 * run of `docker cp` open it once (opening it again costs 4–5 ms here, closing it 1 ms). The
 * close is a source on the default main context, which hatake serve, the CLI and the app run; a
 * program that never runs it keeps the module, as it would have kept it linked. */
void
hatake_libarchive_unload (HatakeLibarchive *self)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&lock);

  g_return_if_fail (self == &loaded);
  g_return_if_fail (loaded.users > 0);

  if (--loaded.users > 0)
    return;
  if (loaded.linger_ms == 0)
    close_module ();
  else if (loaded.closing == NULL)
    {
      loaded.closing = g_timeout_source_new (loaded.linger_ms);
      g_source_set_static_name (loaded.closing, "[hatake] libarchive close");
      g_source_set_callback (loaded.closing, on_linger_done, NULL, NULL);
      g_source_attach (loaded.closing, NULL);
    }
}

/* whether libarchive is mapped: used, or closing soon */
gboolean
hatake_libarchive_loaded (void)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&lock);

  return loaded.module != NULL;
}

/* for tests: how long the module stays open after its last user (0: closed with it) */
void
_hatake_libarchive_set_linger (guint milliseconds)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&lock);

  loaded.linger_ms = milliseconds;
}
