/* main.c: hatake-desktop
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "hatake-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HatakeApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* GLib's C locale made before any thread: made at a first g_ascii_strto*() in two threads at
   * once, one of them may see a good number refused (hatake-cgroups.c, warm()) */
  (void) g_ascii_strtoull ("0", NULL, 10);

  app = hatake_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
