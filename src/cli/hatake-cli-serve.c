/* hatake-cli-serve.c: `hatake serve`, the engine without a window
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake"

#include "config.h"

#include <stdio.h>
#include <glib-unix.h>

#include "hatake-cli-private.h"
#include "hatake-local-engine.h"

static gboolean
on_signal (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

/* Holds the data root (its lock makes this process the owner) and runs the engine's main loop
 * until SIGINT or SIGTERM. The Docker Engine API socket joins it with the API issue. */
int
hatake_cli_serve (HatakeCliGlobals *globals,
                  int               argc,
                  char            **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("", _("Run the engine without a window"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));

  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_message (_("Serving the %s, %u images"), hatake_engine_get_description (engine),
             g_list_model_get_n_items (hatake_engine_get_images (engine)));
  if (HATAKE_IS_LOCAL_ENGINE (engine) && hatake_local_engine_get_runtime_note (HATAKE_LOCAL_ENGINE (engine)))
    g_message ("%s", hatake_local_engine_get_runtime_note (HATAKE_LOCAL_ENGINE (engine)));
  g_main_loop_run (loop);
  g_message (_("Stopping"));
  return 0;
}
