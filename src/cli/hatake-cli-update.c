/* hatake-cli-update.c: `hatake update`, docker update's limits and restart policy
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "hatake-cli-private.h"

int
hatake_cli_update (HatakeCliGlobals *globals, int argc, char **argv)
{
  g_autofree char *memory = NULL;
  g_autofree char *memory_swap = NULL;
  gint64 cpu_shares = 0;
  g_autofree char *cpus = NULL;
  g_autofree char *restart = NULL;
  g_autofree char *cpuset_cpus = NULL;
  g_autofree char *cpuset_mems = NULL;
  /* (not given: G_MININT64; 0 or -1 lift the limit, as docker has them) */
  gint64 pids_limit = G_MININT64;
  const GOptionEntry entries[] = {
    { "memory", 'm', 0, G_OPTION_ARG_STRING, &memory, N_("Memory limit"), "BYTES" },
    { "memory-swap", 0, 0, G_OPTION_ARG_STRING, &memory_swap,
      N_("Swap limit equal to memory plus swap: '-1' to enable unlimited swap"), "BYTES" },
    { "cpus", 0, 0, G_OPTION_ARG_STRING, &cpus, N_("Number of CPUs"), "N" },
    { "cpu-shares", 'c', 0, G_OPTION_ARG_INT64, &cpu_shares, N_("CPU shares (relative weight)"), "N" },
    { "cpuset-cpus", 0, 0, G_OPTION_ARG_STRING, &cpuset_cpus, N_("CPUs in which to allow execution (0-3, 0,1)"), "LIST" },
    { "cpuset-mems", 0, 0, G_OPTION_ARG_STRING, &cpuset_mems, N_("MEMs in which to allow execution (0-3, 0,1)"), "LIST" },
    { "pids-limit", 0, 0, G_OPTION_ARG_INT64, &pids_limit, N_("Tune container pids limit (set -1 for unlimited)"), "N" },
    { "restart", 0, 0, G_OPTION_ARG_STRING, &restart, N_("Restart policy to apply when a container exits"), "POLICY" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("CONTAINER [CONTAINER...]",
                                                                  _("Update configuration of one or more containers"),
                                                                  entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_auto(HatakeContainerUpdate) update = { 0 };
  int status = 0;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc < 2)
    return hatake_cli_usage_error (context, _("requires at least 1 argument"));
  if (memory == NULL && memory_swap == NULL && cpus == NULL && cpu_shares == 0 && restart == NULL &&
      pids_limit == G_MININT64 && cpuset_cpus == NULL && cpuset_mems == NULL)
    return hatake_cli_usage_error (context, _("You must provide one or more flags when using this command."));
  if (memory != NULL && !hatake_cli_parse_bytes (memory, &update.memory))
    return hatake_cli_usage_error (context, _("invalid argument for \"-m, --memory\" flag"));
  if (cpus != NULL && !hatake_cli_parse_cpus (cpus, &update.cpus, &error))
    return hatake_cli_usage_error (context, error->message);
  if (memory_swap != NULL && !hatake_cli_parse_memory_swap (memory_swap, &update.memory_swap, &error))
    return hatake_cli_usage_error (context, error->message);
  if (cpu_shares < 0)
    return hatake_cli_usage_error (context, _("invalid argument for \"-c, --cpu-shares\" flag"));
  update.cpu_shares = cpu_shares;
  if (restart != NULL)
    {
      if (!hatake_restart_policy_parse (restart, &update.restart, &update.restart_max, &error))
        return hatake_cli_usage_error (context, error->message);
      update.set_restart = TRUE;
    }
  if (pids_limit != G_MININT64)
    update.pids_limit = pids_limit > 0 ? pids_limit : -1;
  update.cpuset_cpus = g_steal_pointer (&cpuset_cpus);
  update.cpuset_mems = g_steal_pointer (&cpuset_mems);

  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  /* as docker: each in turn, named once updated; the failures said and counted */
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;

      hatake_engine_update_container_async (engine, argv[i], &update, NULL, hatake_cli_store_result, &result);
      hatake_cli_wait ((gpointer *) &result);
      if (hatake_engine_update_container_finish (engine, result, &error))
        printf ("%s\n", argv[i]);
      else
        {
          fprintf (stderr, "Error response from daemon: %s\n", error->message);
          g_clear_error (&error);
          status = 1;
        }
    }
  return status;
}
