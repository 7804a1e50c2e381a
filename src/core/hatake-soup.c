/* hatake-soup.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-core"
#define HATAKE_SOUP_NO_REDIRECT

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gmodule.h>

#include "hatake-error.h"
#include "hatake-soup.h"

#define SOUP_LIBRARY "libsoup-3.0.so.0"

HatakeSoup hatake_soup;

static gboolean
resolve (GModule *module, GError **error)
{
  HatakeSoup symbols = { 0 };

#define HATAKE_SOUP_RESOLVE(name)                                                                 \
  if (!g_module_symbol (module, #name, (gpointer *) &symbols.name) || symbols.name == NULL)        \
    {                                                                                             \
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED,                                 \
                   _("Cannot use libsoup (%s): it has no %s"), g_module_name (module), #name);    \
      return FALSE;                                                                               \
    }
  HATAKE_SOUP_FUNCTIONS (HATAKE_SOUP_RESOLVE)
  HATAKE_SOUP_VARIABLES (HATAKE_SOUP_RESOLVE)
#undef HATAKE_SOUP_RESOLVE
  hatake_soup = symbols;
  return TRUE;
}

gboolean
hatake_soup_load (GError **error)
{
  static GMutex lock;
  static gboolean loaded;
  static GError *failure;
  gboolean ok;

  g_mutex_lock (&lock);
  if (!loaded && failure == NULL)
    {
      GModule *module = g_module_open (SOUP_LIBRARY, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);

      if (module == NULL)
        g_set_error (&failure, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED, _("Cannot load %s: %s"), SOUP_LIBRARY,
                     g_module_error ());
      else if (resolve (module, &failure))
        {
          /* (its types stay registered: never closed) */
          g_module_make_resident (module);
          loaded = TRUE;
        }
      else
        g_module_close (module);
    }
  ok = loaded;
  if (!ok)
    g_propagate_error (error, g_error_copy (failure));
  g_mutex_unlock (&lock);
  return ok;
}

void
hatake_soup_ensure (void)
{
  g_autoptr(GError) error = NULL;

  if (!hatake_soup_load (&error))
    g_error ("%s", error->message);
}
