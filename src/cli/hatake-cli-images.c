/* hatake-cli-images.c: pull, images, image inspect, tag, rmi, system df
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake"

#include "config.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hatake-cli-private.h"
#include "hatake-disk-usage.h"

/* ---- pull ------------------------------------------------------------------------------------ */

typedef struct
{
  HatakePull *pull;
  gboolean    tty;
  gboolean    quiet;
  guint       lines_drawn;
  guint       timer;
  GHashTable *last_state;  /* digest → state printed, when not on a terminal */
} PullView;

static char *
layer_line (HatakePullLayer *layer, gboolean bar)
{
  g_autofree char *short_id = g_strndup (hatake_pull_layer_get_digest (layer) + 7, 12);
  HatakeLayerState state = hatake_pull_layer_get_state (layer);
  const char *word = hatake_layer_state_to_string (state);

  if (bar && (state == HATAKE_LAYER_DOWNLOADING || state == HATAKE_LAYER_EXTRACTING) &&
      hatake_pull_layer_get_total (layer) > 0)
    {
      g_autofree char *done = hatake_cli_format_size (hatake_pull_layer_get_current (layer));
      g_autofree char *total = hatake_cli_format_size (hatake_pull_layer_get_total (layer));
      int width = 50, filled = (int) (hatake_pull_layer_get_fraction (layer) * width);
      g_autoptr(GString) b = g_string_new ("[");
      for (int i = 0; i < width; i++)
        g_string_append_c (b, i < filled ? '=' : i == filled ? '>' : ' ');
      g_string_append_c (b, ']');
      return g_strdup_printf ("%s: %-12s %s %8s/%s", short_id, word, b->str, done, total);
    }
  return g_strdup_printf ("%s: %s", short_id, word);
}

static void
pull_view_draw (PullView *view)
{
  GListModel *layers = hatake_pull_get_layers (view->pull);
  guint n = g_list_model_get_n_items (layers);

  if (view->quiet)
    return;
  if (view->tty)
    {
      if (view->lines_drawn > 0)
        printf ("\033[%uA", view->lines_drawn);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(HatakePullLayer) layer = g_list_model_get_item (layers, i);
          g_autofree char *line = layer_line (layer, TRUE);
          printf ("\033[2K%s\n", line);
        }
      view->lines_drawn = n;
    }
  else
    {
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(HatakePullLayer) layer = g_list_model_get_item (layers, i);
          const char *digest = hatake_pull_layer_get_digest (layer);
          guint state = hatake_pull_layer_get_state (layer) + 1;
          if (GPOINTER_TO_UINT (g_hash_table_lookup (view->last_state, digest)) != state)
            {
              g_autofree char *line = layer_line (layer, FALSE);
              g_hash_table_insert (view->last_state, g_strdup (digest), GUINT_TO_POINTER (state));
              printf ("%s\n", line);
            }
        }
    }
  fflush (stdout);
}

static gboolean
pull_view_tick (gpointer data)
{
  pull_view_draw (data);
  return G_SOURCE_CONTINUE;
}

/* Pulls with docker's progress display; returns the image or NULL with error set. */
HatakeImage *
hatake_cli_pull_image (HatakeEngine  *engine,
                       const char    *reference,
                       const char    *platform,
                       gboolean       quiet,
                       GError       **error)
{
  g_autoptr(HatakePull) pull = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(HatakeImage) before = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autofree char *full = NULL;
  HatakeImage *image;
  PullView view = { 0 };
  gboolean up_to_date = TRUE;

  ref = hatake_reference_parse (reference, error);
  if (ref == NULL)
    return NULL;
  before = hatake_engine_lookup_image (engine, reference);
  full = hatake_reference_to_string (ref);
  pull = hatake_pull_new (full);
  view.pull = pull;
  view.quiet = quiet;
  view.tty = isatty (STDOUT_FILENO);
  view.last_state = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!quiet)
    {
      printf ("%s: Pulling from %s\n", ref->tag ? ref->tag : ref->digest, ref->path);
      view.timer = g_timeout_add (view.tty ? 100 : 200, pull_view_tick, &view);
    }

  hatake_engine_pull_async (engine, reference, platform, pull, NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  g_clear_handle_id (&view.timer, g_source_remove);
  image = hatake_engine_pull_finish (engine, result, error);
  pull_view_draw (&view);
  g_hash_table_unref (view.last_state);
  if (image == NULL)
    return NULL;

  for (guint i = 0; i < g_list_model_get_n_items (hatake_pull_get_layers (pull)); i++)
    {
      g_autoptr(HatakePullLayer) layer = g_list_model_get_item (hatake_pull_get_layers (pull), i);
      up_to_date &= hatake_pull_layer_get_state (layer) == HATAKE_LAYER_EXISTS;
    }
  up_to_date &= before != NULL && g_str_equal (hatake_image_get_id (before), hatake_image_get_id (image));
  if (!quiet)
    {
      g_autofree char *name = ref->tag ? hatake_reference_with_tag (ref) : hatake_reference_to_string (ref);
      printf ("Digest: %s\n", hatake_pull_get_digest (pull));
      printf ("Status: %s %s\n", up_to_date ? "Image is up to date for" : "Downloaded newer image for", name);
    }
  return image;
}

int
hatake_cli_pull (HatakeCliGlobals *globals,
                 int               argc,
                 char            **argv)
{
  g_autofree char *platform = NULL;
  gboolean quiet = FALSE, all_tags = FALSE, no_trust = FALSE;
  const GOptionEntry entries[] = {
    { "all-tags", 'a', 0, G_OPTION_ARG_NONE, &all_tags, N_("Download all tagged images in the repository"), NULL },
    { "platform", 0, 0, G_OPTION_ARG_STRING, &platform, N_("Set platform if server is multi-platform capable"), "OS/ARCH[/VARIANT]" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Suppress verbose output"), NULL },
    { "disable-content-trust", 0, 0, G_OPTION_ARG_NONE, &no_trust, N_("Skip image verification (ignored)"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("NAME[:TAG|@DIGEST]",
                                                                  _("Download an image from a registry"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(HatakeImage) image = NULL;
  g_autoptr(HatakeReference) ref = NULL;
  g_autofree char *full = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc != 2)
    return hatake_cli_usage_error (context, _("requires exactly 1 argument"));
  if (all_tags)
    return hatake_cli_usage_error (context, _("--all-tags is not supported yet"));
  ref = hatake_reference_parse (argv[1], &error);
  if (ref == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  image = hatake_cli_pull_image (engine, argv[1], platform, quiet, &error);
  if (image == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  full = hatake_reference_to_string (ref);
  printf ("%s\n", full);
  return 0;
}

/* ---- images -------------------------------------------------------------------------------- */

typedef struct
{
  gboolean     dangling_set;
  gboolean     dangling;
  GPtrArray   *references;  /* glob patterns */
} ImageFilter;

static gboolean
parse_filters (char **filters, ImageFilter *filter, GError **error)
{
  filter->references = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; filters && filters[i]; i++)
    {
      const char *eq = strchr (filters[i], '=');
      g_autofree char *key = eq ? g_strndup (filters[i], eq - filters[i]) : g_strdup (filters[i]);
      const char *value = eq ? eq + 1 : "";

      if (g_str_equal (key, "dangling"))
        {
          if (!g_str_equal (value, "true") && !g_str_equal (value, "false") &&
              !g_str_equal (value, "1") && !g_str_equal (value, "0"))
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "invalid filter 'dangling=%s': expected true or false", value);
              return FALSE;
            }
          filter->dangling_set = TRUE;
          filter->dangling = g_str_equal (value, "true") || g_str_equal (value, "1");
        }
      else if (g_str_equal (key, "reference"))
        g_ptr_array_add (filter->references, g_strdup (value));
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "invalid filter '%s'", key);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
reference_matches (GPtrArray *patterns, const char *repo_tag)
{
  g_autofree char *repo = g_strndup (repo_tag, strrchr (repo_tag, ':') - repo_tag);

  if (patterns->len == 0)
    return TRUE;
  for (guint i = 0; i < patterns->len; i++)
    {
      const char *p = g_ptr_array_index (patterns, i);
      if (fnmatch (p, repo_tag, FNM_PATHNAME) == 0 || fnmatch (p, repo, FNM_PATHNAME) == 0)
        return TRUE;
    }
  return FALSE;
}

static JsonNode *
image_row (HatakeImage *image, const char *repo, const char *tag, const char *digest, gboolean no_trunc)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autofree char *id = no_trunc ? g_strdup (hatake_image_get_id (image)) : hatake_image_dup_short_id (image);
  g_autofree char *size = hatake_cli_format_size (hatake_image_get_size (image));
  g_autofree char *since = hatake_cli_format_since (hatake_image_get_created (image));
  g_autoptr(GDateTime) created = g_date_time_new_from_unix_local (hatake_image_get_created (image));
  g_autofree char *created_at = created ? g_date_time_format (created, "%Y-%m-%d %H:%M:%S %z %Z") : g_strdup ("");
  const char *fields[][2] = {
    { "Containers", "N/A" }, { "CreatedAt", created_at }, { "CreatedSince", since },
    { "Digest", digest }, { "ID", id }, { "Repository", repo }, { "SharedSize", "N/A" },
    { "Size", size }, { "Tag", tag }, { "UniqueSize", "N/A" }, { "VirtualSize", size },
  };

  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      json_builder_set_member_name (b, fields[i][0]);
      json_builder_add_string_value (b, fields[i][1]);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static int
compare_created_desc (gconstpointer a, gconstpointer b)
{
  gint64 ca = hatake_image_get_created (*(HatakeImage **) a);
  gint64 cb = hatake_image_get_created (*(HatakeImage **) b);

  return ca < cb ? 1 : ca > cb ? -1 : 0;
}

int
hatake_cli_images (HatakeCliGlobals *globals,
                   int               argc,
                   char            **argv)
{
  gboolean all = FALSE, digests = FALSE, no_trunc = FALSE, quiet = FALSE;
  g_autofree char *format = NULL;
  g_auto(GStrv) filters = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, N_("Show all images (default hides intermediate images)"), NULL },
    { "digests", 0, 0, G_OPTION_ARG_NONE, &digests, N_("Show digests"), NULL },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters, N_("Filter output based on conditions provided"), "FILTER" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("Format output: table, json, or a template"), "FORMAT" },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc, N_("Don't truncate output"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Only show image IDs"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("[REPOSITORY[:TAG]]", _("List images"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GPtrArray) sorted = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  ImageFilter filter = { 0 };
  GListModel *images;
  gboolean json = FALSE, table = TRUE;
  const char *template = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc > 2)
    return hatake_cli_usage_error (context, _("requires at most 1 argument"));
  if (!parse_filters (filters, &filter, &error))
    {
      g_ptr_array_unref (filter.references);
      return hatake_cli_fail (g_steal_pointer (&error));
    }
  if (argc == 2)
    g_ptr_array_add (filter.references, g_strdup (argv[1]));
  if (format != NULL && g_str_equal (format, "json"))
    json = TRUE, table = FALSE;
  else if (format != NULL && !g_str_equal (format, "table"))
    {
      table = g_str_has_prefix (format, "table ");
      template = table ? format + 6 : format;
    }

  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    {
      g_ptr_array_unref (filter.references);
      return hatake_cli_fail (g_steal_pointer (&error));
    }
  images = hatake_engine_get_images (engine);
  for (guint i = 0; i < g_list_model_get_n_items (images); i++)
    g_ptr_array_add (sorted, g_list_model_get_item (images, i));
  g_ptr_array_sort (sorted, compare_created_desc);

  if (table && template == NULL && !quiet)
    printf (digests ? "%-40s %-10s %-71s %-12s %-16s %s\n" : "%-40s %-10s %-12s %-16s %s\n",
            "REPOSITORY", "TAG", digests ? "DIGEST" : "IMAGE ID", digests ? "IMAGE ID" : "CREATED",
            digests ? "CREATED" : "SIZE", digests ? "SIZE" : "");
  for (guint i = 0; i < sorted->len; i++)
    {
      HatakeImage *image = g_ptr_array_index (sorted, i);
      const char * const *tags = hatake_image_get_repo_tags (image);
      const char * const *repo_digests = hatake_image_get_repo_digests (image);
      const char *none[] = { "<none>:<none>", NULL };
      gboolean dangling = tags[0] == NULL;

      if (filter.dangling_set && filter.dangling != dangling)
        continue;
      if (dangling)
        tags = none;
      for (guint t = 0; tags[t]; t++)
        {
          g_autofree char *repo = g_strndup (tags[t], strrchr (tags[t], ':') - tags[t]);
          const char *tag = strrchr (tags[t], ':') + 1;
          g_autofree char *digest = NULL;
          g_autoptr(JsonNode) row = NULL;
          g_autofree char *prefix = g_strconcat (repo, "@", NULL);

          if (!dangling && !reference_matches (filter.references, tags[t]))
            continue;
          for (guint d = 0; repo_digests[d] && digest == NULL; d++)
            if (g_str_has_prefix (repo_digests[d], prefix) || dangling)
              digest = g_strdup (strchr (repo_digests[d], '@') + 1);
          if (digest == NULL)
            digest = g_strdup ("<none>");
          if (dangling && repo_digests[0] != NULL)
            {
              g_free (repo);
              repo = g_strndup (repo_digests[0], strchr (repo_digests[0], '@') - repo_digests[0]);
            }

          if (quiet)
            {
              g_autofree char *id = no_trunc ? g_strdup (hatake_image_get_id (image)) : hatake_image_dup_short_id (image);
              if (!g_hash_table_contains (seen, hatake_image_get_id (image)))
                printf ("%s\n", id);
              g_hash_table_add (seen, (gpointer) hatake_image_get_id (image));
              continue;
            }
          row = image_row (image, repo, tag, digest, no_trunc);
          if (json)
            hatake_cli_print_json (row, FALSE);
          else if (template != NULL)
            {
              g_autofree char *line = hatake_cli_format_template (row, template, &error);
              if (line == NULL)
                {
                  g_ptr_array_unref (filter.references);
                  return hatake_cli_fail (g_steal_pointer (&error));
                }
              printf ("%s\n", line);
            }
          else
            {
              JsonObject *o = json_node_get_object (row);
              if (digests)
                printf ("%-40s %-10s %-71s %-12s %-16s %s\n", repo, tag, digest,
                        json_object_get_string_member (o, "ID"), json_object_get_string_member (o, "CreatedSince"),
                        json_object_get_string_member (o, "Size"));
              else
                printf ("%-40s %-10s %-12s %-16s %s\n", repo, tag, json_object_get_string_member (o, "ID"),
                        json_object_get_string_member (o, "CreatedSince"), json_object_get_string_member (o, "Size"));
            }
        }
    }
  g_ptr_array_unref (filter.references);
  return 0;
}

/* ---- image inspect ------------------------------------------------------------------------- */

int
hatake_cli_image_inspect (HatakeCliGlobals *globals,
                          int               argc,
                          char            **argv)
{
  g_autofree char *format = NULL;
  g_autofree char *platform = NULL;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("Format output: json, or a template"), "FORMAT" },
    { "platform", 0, 0, G_OPTION_ARG_STRING, &platform, N_("Inspect a specific platform (ignored)"), "PLATFORM" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("IMAGE [IMAGE...]",
                                                                  _("Display detailed information on one or more images"),
                                                                  entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(JsonArray) all = json_array_new ();
  int status = 0;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc < 2)
    return hatake_cli_usage_error (context, _("requires at least 1 argument"));
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      JsonNode *node;

      hatake_engine_inspect_image_async (engine, argv[i], NULL, hatake_cli_store_result, &result);
      hatake_cli_wait ((gpointer *) &result);
      node = hatake_engine_inspect_image_finish (engine, result, &error);
      if (node == NULL)
        {
          fprintf (stderr, "Error: %s\n", error->message);
          g_clear_error (&error);
          status = 1;
          continue;
        }
      if (format != NULL && !g_str_equal (format, "json"))
        {
          g_autofree char *line = hatake_cli_format_template (node, format, &error);
          json_node_unref (node);
          if (line == NULL)
            return hatake_cli_fail (g_steal_pointer (&error));
          printf ("%s\n", line);
          continue;
        }
      json_array_add_element (all, node);
    }
  if (format == NULL || g_str_equal (format, "json"))
    {
      g_autoptr(JsonNode) root = json_node_init_array (json_node_alloc (), all);
      hatake_cli_print_json (root, TRUE);
    }
  return status;
}

/* ---- tag ----------------------------------------------------------------------------------- */

int
hatake_cli_tag (HatakeCliGlobals *globals,
                int               argc,
                char            **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                                                                  _("Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"),
                                                                  entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc != 3)
    return hatake_cli_usage_error (context, _("requires exactly 2 arguments"));
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  hatake_engine_tag_image_async (engine, argv[1], argv[2], NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  if (!hatake_engine_tag_image_finish (engine, result, &error))
    return hatake_cli_fail (g_steal_pointer (&error));
  return 0;
}

/* ---- rmi ----------------------------------------------------------------------------------- */

int
hatake_cli_rmi (HatakeCliGlobals *globals,
                int               argc,
                char            **argv)
{
  gboolean force = FALSE, no_prune = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Force removal of the image"), NULL },
    { "no-prune", 0, 0, G_OPTION_ARG_NONE, &no_prune, N_("Do not delete untagged parents"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("IMAGE [IMAGE...]",
                                                                  _("Remove one or more images"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  int status = 0;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc < 2)
    return hatake_cli_usage_error (context, _("requires at least 1 argument"));
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(JsonNode) report = NULL;
      JsonArray *items;

      hatake_engine_remove_image_async (engine, argv[i], force, NULL, hatake_cli_store_result, &result);
      hatake_cli_wait ((gpointer *) &result);
      report = hatake_engine_remove_image_finish (engine, result, &error);
      if (report == NULL)
        {
          fprintf (stderr, "Error: %s\n", error->message);
          g_clear_error (&error);
          status = 1;
          continue;
        }
      items = json_node_get_array (report);
      for (guint k = 0; k < json_array_get_length (items); k++)
        {
          JsonObject *o = json_array_get_object_element (items, k);
          if (json_object_has_member (o, "Untagged"))
            printf ("Untagged: %s\n", json_object_get_string_member (o, "Untagged"));
          else
            printf ("Deleted: %s\n", json_object_get_string_member (o, "Deleted"));
        }
    }
  return status;
}

/* ---- system df ----------------------------------------------------------------------------- */

int
hatake_cli_system_df (HatakeCliGlobals *globals,
                      int               argc,
                      char            **argv)
{
  gboolean verbose = FALSE;
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Show detailed information on space usage"), NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("Format output: table, json, or a template"), "FORMAT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = hatake_cli_option_context ("", _("Show disk usage"), entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(HatakeEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) df = NULL;
  JsonObject *o;
  JsonArray *images;
  HatakeDiskUsageSummary summary;
  const HatakeDiskUsageKind none = { 0 };

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hatake_cli_usage_error (context, error->message);
  if (argc != 1)
    return hatake_cli_usage_error (context, _("accepts no arguments"));
  engine = hatake_cli_open_engine (globals, &error);
  if (engine == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));
  hatake_engine_disk_usage_async (engine, NULL, hatake_cli_store_result, &result);
  hatake_cli_wait ((gpointer *) &result);
  df = hatake_engine_disk_usage_finish (engine, result, &error);
  if (df == NULL)
    return hatake_cli_fail (g_steal_pointer (&error));

  o = json_node_get_object (df);
  images = json_object_get_array_member (o, "Images");
  hatake_disk_usage_summarize (df, &summary);
  {
    const HatakeDiskUsageKind *kinds[] = { &summary.images, &summary.containers, &summary.volumes, &none };
    const char *types[] = { "Images", "Containers", "Local Volumes", "Build Cache" };

    if (format == NULL || g_str_equal (format, "table"))
      printf ("%-15s %-9s %-9s %-10s %s\n", "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
    for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
      {
        g_autofree char *count = g_strdup_printf ("%u", kinds[i]->count);
        g_autofree char *active = g_strdup_printf ("%u", kinds[i]->active);
        g_autofree char *size = hatake_cli_format_size (kinds[i]->size);
        g_autofree char *reclaimable = hatake_cli_format_size (kinds[i]->reclaimable);
        g_autofree char *reclaim = NULL;

        /* docker: the share of the size, but for containers and volumes with nothing in them */
        if (kinds[i]->size > 0)
          reclaim = g_strdup_printf ("%s (%d%%)", reclaimable, (int) (kinds[i]->reclaimable * 100 / kinds[i]->size));
        else
          reclaim = g_strdup (reclaimable);
        if (format == NULL || g_str_equal (format, "table"))
          {
            printf ("%-15s %-9s %-9s %-10s %s\n", types[i], count, active, size, reclaim);
            continue;
          }
        {
          g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
          g_autoptr(JsonNode) row = NULL;

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "Active");
          json_builder_add_string_value (b, active);
          json_builder_set_member_name (b, "Reclaimable");
          json_builder_add_string_value (b, reclaim);
          json_builder_set_member_name (b, "Size");
          json_builder_add_string_value (b, size);
          json_builder_set_member_name (b, "TotalCount");
          json_builder_add_string_value (b, count);
          json_builder_set_member_name (b, "Type");
          json_builder_add_string_value (b, types[i]);
          json_builder_end_object (b);
          row = json_builder_get_root (b);
          if (g_str_equal (format, "json"))
            hatake_cli_print_json (row, FALSE);
          else
            {
              g_autofree char *line = hatake_cli_format_template (row, format, &error);

              if (line == NULL)
                return hatake_cli_fail (g_steal_pointer (&error));
              printf ("%s\n", line);
            }
        }
      }
    if (format != NULL && !g_str_equal (format, "table"))
      return 0;
  }
  if (verbose)
    {
      printf ("\nImages space usage:\n\n");
      printf ("%-40s %-10s %-12s %-16s %-10s %-12s %-12s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED",
              "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS");
      for (guint i = 0; i < json_array_get_length (images); i++)
        {
          JsonObject *img = json_array_get_object_element (images, i);
          JsonArray *tags = json_object_get_array_member (img, "RepoTags");
          const char *tag0 = json_array_get_length (tags) ? json_array_get_string_element (tags, 0) : "<none>:<none>";
          g_autofree char *repo = g_strndup (tag0, strrchr (tag0, ':') - tag0);
          g_autofree char *short_id = g_strndup (json_object_get_string_member (img, "Id") + 7, 12);
          g_autofree char *since = hatake_cli_format_since (json_object_get_int_member (img, "Created"));
          gint64 sz = json_object_get_int_member (img, "Size"), shared = json_object_get_int_member (img, "SharedSize");
          g_autofree char *s1 = hatake_cli_format_size (sz);
          g_autofree char *s2 = hatake_cli_format_size (shared);
          g_autofree char *s3 = hatake_cli_format_size (sz - shared);
          printf ("%-40s %-10s %-12s %-16s %-10s %-12s %-12s %" G_GINT64_FORMAT "\n", repo, strrchr (tag0, ':') + 1,
                  short_id, since, s1, s2, s3, hatake_disk_usage_int (img, "Containers"));
        }
    }
  return 0;
}
