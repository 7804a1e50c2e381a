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

  app = hatake_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
