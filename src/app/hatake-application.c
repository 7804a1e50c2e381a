/* hatake-application.c: hatake-desktop's application object
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the engine and the settings, applies the color scheme and opens the window. As root the
 * engine runs in this process (or, when `hatake serve` owns the data root already, is reached through
 * its socket); as a normal user the app connects to the system engine (`hatake serve`) through the
 * Docker Engine API client, src/client/, and says how to start it when it is not there.
 *
 * The engine can be chosen (app.engine, the switcher in the window's header): this computer's
 * (root only), the system engine, or any context of hatake's or docker's (unix://, tcp:// with
 * TLS, ssh://). The choice is kept in the settings; switching closes the window and its engine
 * and opens a new window on the chosen one.
 *
 * Our own engine owns its data root as `hatake serve` does, with the same duties: it catches up
 * with what happened while no engine ran (recovery), then keeps the default bridge up with spare
 * namespaces on it while it runs, and lets them go when it goes.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "hatake-application.h"
#include "hatake-api-server.h"
#include "hatake-client-engine.h"
#include "hatake-context-store.h"
#include "hatake-error.h"
#include "hatake-local-engine.h"
#include "hatake-preferences-window.h"
#include "hatake-window.h"
#include "hatake-window-compose.h"

struct _HatakeApplication
{
  AdwApplication  parent_instance;

  char           *data_root;
  GSettings      *settings;     /* NULL when the schema is not installed */
  HatakeEngine   *engine;
  HatakeApiServer *api;         /* the Docker Engine API of the engine we host */
  char           *api_socket;
  guint           serve_source;  /* the API's start, once the window is up */
  GSimpleAction  *engine_action; /* app.engine: "" (automatic), "local", "system", "context:NAME" */
  char           *engine_label;  /* what the switcher says of the engine shown */
  gboolean        settings_keep_engine;  /* (an older schema has no "engine") */
  gboolean        start_hidden;  /* --hidden: the first activation makes the window, unshown */
  HatakeWindow   *opening_window; /* (weak) the window whose engine (ours) opens after its first frame */
  guint           open_source;
  GFile          *pending_compose; /* a compose file opened while that engine was opening */
  HatakeLocalEngine *owner;       /* (borrowed: self->engine) our engine, while it owns the data root */
  guint           owner_steps;     /* its recovery, settling or hold under way */
  gboolean        holds_default;   /* it keeps the default network up (as hatake serve) */
};

G_DEFINE_FINAL_TYPE (HatakeApplication, hatake_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_DATA_ROOT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

HatakeApplication *
hatake_application_new (void)
{
  return g_object_new (HATAKE_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/hatake/Desktop",
                       NULL);
}

const char *
hatake_application_get_data_root (HatakeApplication *self)
{
  g_return_val_if_fail (HATAKE_IS_APPLICATION (self), NULL);

  return self->data_root;
}

void
hatake_application_set_data_root (HatakeApplication *self,
                                  const char        *data_root)
{
  g_return_if_fail (HATAKE_IS_APPLICATION (self));

  if (g_strcmp0 (self->data_root, data_root) == 0)
    return;

  g_free (self->data_root);
  g_free (self->api_socket);
  self->data_root = g_strdup (data_root);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATA_ROOT]);
}

static void
apply_color_scheme (HatakeApplication *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  g_autofree char *scheme = NULL;

  if (self->settings != NULL)
    scheme = g_settings_get_string (self->settings, "color-scheme");

  if (g_strcmp0 (scheme, "follow") == 0)
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);
  else
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
}

static void
on_color_scheme_changed (HatakeApplication *self,
                         const char        *key,
                         GSettings         *settings)
{
  apply_color_scheme (self);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GtkWindow *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "modal", TRUE,
                        "application-name", _("Hatake Desktop"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Hatake developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Build, run and manage containers"),
                        "website", "https://github.com/hatake/hatake",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        NULL);
  gtk_window_present (about);
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  HatakeApplication *self = HATAKE_APPLICATION (user_data);
  GtkWidget *window;

  window = hatake_preferences_window_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                          self->settings, self->engine, self->engine_label,
                                          self->api_socket);
  gtk_window_present (GTK_WINDOW (window));
}

/* Whatever was to open for a window that is not there any more is forgotten. */
static void
forget_opening (HatakeApplication *self)
{
  g_clear_handle_id (&self->open_source, g_source_remove);
  g_clear_weak_pointer (&self->opening_window);
  g_clear_object (&self->pending_compose);
}

/* Our engine keeps the default network up, or lets it go (TASK_DATA), as hatake serve does */
static void
hold_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (hatake_local_engine_hold_default_network (source, GPOINTER_TO_INT (task_data), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* The default network let go, waited for (netavark) */
static void
release_default (HatakeLocalEngine *engine)
{
  g_autoptr(GTask) task = g_task_new (engine, NULL, NULL, NULL);

  g_task_set_source_tag (task, release_default);
  g_task_set_task_data (task, GINT_TO_POINTER (FALSE), NULL);
  g_task_run_in_thread_sync (task, hold_thread);
}

/* Our engine stops owning the data root (another engine is chosen, or the app quits): its steps
 * under way end first, so that nothing of it lives on to hold the data root (a recovery or a
 * netavark run of a few hundred milliseconds), then the default network goes. Called with no
 * window left: the waits freeze nothing. */
static void
end_owner (HatakeApplication *self)
{
  HatakeLocalEngine *owner = self->owner;

  self->owner = NULL;
  while (self->owner_steps > 0)
    g_main_context_iteration (NULL, TRUE);
  if (owner != NULL && self->holds_default)
    release_default (owner);
  self->holds_default = FALSE;
}

/* The API's streams end and its socket goes (the engine goes with the application). */
static void
stop_api (HatakeApplication *self)
{
  g_clear_handle_id (&self->serve_source, g_source_remove);
  if (self->api != NULL)
    g_object_run_dispose (G_OBJECT (self->api));
  g_clear_object (&self->api);
  g_clear_pointer (&self->api_socket, g_free);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (app);

  /* Destroying the windows lets them cancel their work before the application goes. */
  while (windows != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (windows->data));
      windows = gtk_application_get_windows (app);
    }
  forget_opening (HATAKE_APPLICATION (app));
  stop_api (HATAKE_APPLICATION (app));
  end_owner (HATAKE_APPLICATION (app));
  g_application_quit (G_APPLICATION (app));
}

/* Another engine: the window and the engine it shows go (the API with them when we hosted it),
 * and a new window opens on the chosen one */
static void
engine_change_state (GSimpleAction *action,
                     GVariant      *state,
                     gpointer       user_data)
{
  HatakeApplication *self = HATAKE_APPLICATION (user_data);
  g_autoptr(GVariant) current = g_action_get_state (G_ACTION (action));
  GList *windows;

  if (g_variant_equal (state, current) && self->engine != NULL)
    return;
  g_simple_action_set_state (action, state);
  if (self->settings_keep_engine)
    g_settings_set_string (self->settings, "engine", g_variant_get_string (state, NULL));
  g_application_hold (G_APPLICATION (self));
  while ((windows = gtk_application_get_windows (GTK_APPLICATION (self))) != NULL)
    gtk_window_destroy (GTK_WINDOW (windows->data));
  forget_opening (self);
  stop_api (self);
  end_owner (self);
  if (HATAKE_IS_CLIENT_ENGINE (self->engine))
    hatake_client_engine_disconnect (HATAKE_CLIENT_ENGINE (self->engine));
  g_clear_object (&self->engine);
  g_application_activate (G_APPLICATION (self));
  g_application_release (G_APPLICATION (self));
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = about_activated },
  { .name = "preferences", .activate = preferences_activated },
  { .name = "quit", .activate = quit_activated },
};

static void
hatake_application_startup (GApplication *application)
{
  HatakeApplication *self = HATAKE_APPLICATION (application);
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };

  G_APPLICATION_CLASS (hatake_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (self->engine_action));
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  /* (each window builds its shortcuts window on demand: hatake-window.c) */
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay", shortcuts_accels);

  /* Run uninstalled (no schema) rather than abort: the defaults are built in. */
  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL)
    {
      self->settings = g_settings_new (APP_ID);
      g_signal_connect_object (self->settings, "changed::color-scheme",
                               G_CALLBACK (on_color_scheme_changed), self,
                               G_CONNECT_SWAPPED);
    }
  else
    g_warning ("GSettings schema %s is not installed; using the defaults", APP_ID);
  self->settings_keep_engine = self->settings != NULL && g_settings_schema_has_key (schema, "engine");
  if (self->settings_keep_engine)
    {
      g_autofree char *chosen = g_settings_get_string (self->settings, "engine");

      g_simple_action_set_state (self->engine_action, g_variant_new_string (chosen));
    }

  apply_color_scheme (self);
}

/* While the app hosts the engine it serves the Docker Engine API too, as `hatake serve` does:
 * the docker CLI and compose reach the same engine the window shows. The default data root's
 * socket is the usual /run/hatake/hatake.sock; another data root's is in its run folder. */
static void
serve_api (HatakeApplication *self,
           HatakeLocalEngine *engine)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *default_root = hatake_default_data_root ();

  if (self->data_root == NULL || g_strcmp0 (hatake_local_engine_get_data_root (engine), default_root) == 0)
    self->api_socket = g_strdup ("/run/hatake/hatake.sock");
  else
    self->api_socket = g_build_filename (hatake_local_engine_get_run_dir (engine), "hatake.sock", NULL);
  self->api = hatake_api_server_new (HATAKE_ENGINE (engine));
  if (!hatake_api_server_listen_unix (self->api, self->api_socket, &error) ||
      !hatake_api_server_publish (self->api, hatake_local_engine_get_data_root (engine), &error))
    {
      g_message ("The Docker Engine API is not served: %s", error->message);
      g_clear_object (&self->api);
      g_clear_pointer (&self->api_socket, g_free);
    }
}

/* The socket waits for the window: the first frame does not wait for NSS (the hatake group) and
 * the socket's files. Hidden (--hidden), the window is never up: it comes at once then. */
static gboolean
serve_api_idle (gpointer user_data)
{
  HatakeApplication *self = user_data;

  self->serve_source = 0;
  if (HATAKE_IS_LOCAL_ENGINE (self->engine) && self->api == NULL)
    serve_api (self, HATAKE_LOCAL_ENGINE (self->engine));
  return G_SOURCE_REMOVE;
}

const char *
hatake_application_get_api_socket (HatakeApplication *self)
{
  g_return_val_if_fail (HATAKE_IS_APPLICATION (self), NULL);
  return self->api_socket;
}

#define SYSTEM_SOCKET "/run/hatake/hatake.sock"

static void
on_remote_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(HatakeWindow) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!hatake_client_engine_connect_finish (HATAKE_CLIENT_ENGINE (source), result, &error))
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      hatake_window_show_message (window, "network-offline-symbolic", _("The Engine Cannot Be Reached"), escaped);
    }
}

/* The engine at HOST (unix:///PATH, tcp://, ssh://): its models fill as the connection reads
 * them, and follow its events from then on. */
static HatakeEngine *
open_remote (const char *host, GError **error)
{
  g_autoptr(HatakeEndpoint) endpoint = hatake_endpoint_new (host);

  return HATAKE_ENGINE (hatake_client_engine_new (endpoint, error));
}

#define LOCAL_CHOICE   "local"
#define SYSTEM_CHOICE  "system"
#define CONTEXT_PREFIX "context:"

/* ---- our engine's duties as the data root's owner, as hatake serve's ----------------------- */

static void
on_default_held (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(HatakeApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean held = g_task_propagate_boolean (G_TASK (result), &error);

  self->owner_steps--;
  if (!held)
    g_message ("The default network is not kept up: %s", error->message);
  else if (self->owner == HATAKE_LOCAL_ENGINE (source))
    self->holds_default = TRUE;
  else
    release_default (HATAKE_LOCAL_ENGINE (source));   /* (it stopped owning meanwhile) */
}

static void
on_local_settled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(HatakeApplication) self = user_data;
  g_autoptr(GTask) task = NULL;

  self->owner_steps--;
  hatake_local_engine_settle_finish (HATAKE_LOCAL_ENGINE (source), result, NULL);
  if (self->owner != HATAKE_LOCAL_ENGINE (source))
    return;
  self->owner_steps++;
  task = g_task_new (source, NULL, on_default_held, g_object_ref (self));
  g_task_set_source_tag (task, on_local_settled);
  g_task_set_task_data (task, GINT_TO_POINTER (TRUE), NULL);
  g_task_run_in_thread (task, hold_thread);
}

/* What happened while no engine ran is caught up with (exits, --rm, restart policies, stale
 * network setups); then the default bridge stays up, with namespaces set up on it ahead of need,
 * once the recovery's teardowns are done */
static void
on_local_recovered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(HatakeApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  self->owner_steps--;
  if (!hatake_local_engine_recover_finish (HATAKE_LOCAL_ENGINE (source), result, &error))
    g_message ("Recovery: %s", error->message);
  if (self->owner != HATAKE_LOCAL_ENGINE (source))
    return;
  self->owner_steps++;
  hatake_local_engine_settle_async (HATAKE_LOCAL_ENGINE (source), NULL, on_local_settled, g_object_ref (self));
}

/* The engine in this process (root only), or the one that owns the data root already (hatake
 * serve) through its socket */
static HatakeEngine *
open_local (HatakeApplication *self, GError **error)
{
  g_autoptr(HatakeLocalEngine) local = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(HatakeConfig) config = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;

  /* The preferences' log size cap over hatake.conf's (a broken file: the engine says so) */
  if (self->settings != NULL)
    g_object_get (self->settings, "settings-schema", &schema, NULL);
  if (schema != NULL && g_settings_schema_has_key (schema, "log-max-size") &&
      g_settings_get_uint (self->settings, "log-max-size") > 0 &&
      (config = hatake_config_load_default (NULL)) != NULL)
    config->log_size_max = (guint64) g_settings_get_uint (self->settings, "log-max-size") * 1024 * 1024;

  local = hatake_local_engine_new (self->data_root, config, &local_error);
  if (local != NULL)
    {
      self->owner = local;
      self->owner_steps++;
      hatake_local_engine_recover_async (local, NULL, on_local_recovered, g_object_ref (self));
      if (self->serve_source == 0)
        self->serve_source = g_idle_add_full (G_PRIORITY_LOW, serve_api_idle, self, NULL);
      return HATAKE_ENGINE (g_steal_pointer (&local));
    }
  if (g_error_matches (local_error, HATAKE_ERROR, HATAKE_ERROR_STORE_LOCKED))
    {
      g_autofree char *root = self->data_root ? g_strdup (self->data_root) : hatake_default_data_root ();
      g_autofree char *owner = hatake_client_owner_host (root);

      if (owner != NULL)
        return open_remote (owner, error);
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/* NAME in hatake's store, else docker's */
static HatakeContext *
load_context (const char *name, GError **error)
{
  g_autofree char *hatake_dir = hatake_context_hatake_store ();
  g_autofree char *docker_dir = hatake_context_docker_store ();
  g_autoptr(GError) local_error = NULL;
  HatakeContext *context = hatake_context_load (HATAKE_CONTEXT_STORE_HATAKE, hatake_dir, name, &local_error);

  if (context == NULL && g_error_matches (local_error, HATAKE_ERROR, HATAKE_ERROR_NOT_FOUND))
    context = hatake_context_load (HATAKE_CONTEXT_STORE_DOCKER, docker_dir, name, error);
  else if (context == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return context;
}

/* The engine a context names, with its TLS material */
static HatakeEngine *
open_context (const char *name, GError **error)
{
  g_autoptr(HatakeContext) context = load_context (name, error);
  g_autoptr(HatakeEndpoint) endpoint = NULL;

  if (context == NULL)
    return NULL;
  /* as docker: an endpoint without a host is docker's default socket */
  endpoint = hatake_endpoint_new (hatake_context_host (context) ? hatake_context_host (context)
                                                                : "unix:///var/run/docker.sock");
  hatake_context_apply_tls (context, endpoint);
  return HATAKE_ENGINE (hatake_client_engine_new (endpoint, error));
}

/* Which engine the app shows (DESIGN.md): the one chosen in the switcher; else HATAKE_HOST's
 * when set; as root the engine in this process, or the one that owns the data root already
 * (hatake serve) through its socket; as a normal user the system engine through its socket.
 * NULL with ERROR when none is there, or NULL with LOCAL_LATER set when the engine is ours: the
 * caller opens it with open_local(), once the window is up. */
static HatakeEngine *
open_engine (HatakeApplication *self, gboolean *local_later, GError **error)
{
  const char *host = g_getenv ("HATAKE_HOST");
  g_autoptr(GVariant) state = g_action_get_state (G_ACTION (self->engine_action));
  const char *choice = g_variant_get_string (state, NULL);

  g_clear_pointer (&self->engine_label, g_free);
  if (g_str_has_prefix (choice, CONTEXT_PREFIX))
    {
      self->engine_label = g_strdup (choice + strlen (CONTEXT_PREFIX));
      return open_context (choice + strlen (CONTEXT_PREFIX), error);
    }
  if (g_str_equal (choice, SYSTEM_CHOICE))
    {
      self->engine_label = g_strdup (_("System Engine"));
      return open_remote ("unix://" SYSTEM_SOCKET, error);
    }
  if (g_str_equal (choice, LOCAL_CHOICE) && geteuid () != 0)
    {
      g_set_error (error, HATAKE_ERROR, HATAKE_ERROR_UNSUPPORTED, "%s",
                   _("This computer's engine runs in the app only as root: choose the system engine"));
      return NULL;
    }
  if (g_str_equal (choice, LOCAL_CHOICE))
    {
      self->engine_label = g_strdup (_("This Computer"));
      *local_later = TRUE;
      return NULL;
    }
  if (host != NULL && *host != '\0')
    {
      self->engine_label = g_strdup (host);
      return open_remote (host, error);
    }
  if (geteuid () != 0)
    {
      self->engine_label = g_strdup (_("System Engine"));
      if (hatake_client_socket_answers (SYSTEM_SOCKET))
        return open_remote ("unix://" SYSTEM_SOCKET, error);
      return NULL;   /* (no error: the window says what to do) */
    }
  self->engine_label = g_strdup (_("This Computer"));
  *local_later = TRUE;
  return NULL;
}

static void
add_engine_item (GMenu *section, const char *label, const char *choice)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target (item, "app.engine", "s", choice);
  g_menu_append_item (section, item);
}

static void
add_contexts (GMenu *section, GHashTable *names, HatakeContextStore store, const char *dir)
{
  g_autoptr(GPtrArray) contexts = g_ptr_array_new_with_free_func ((GDestroyNotify) hatake_context_free);

  hatake_context_list_store (contexts, names, store, dir);
  for (guint i = 0; i < contexts->len; i++)
    {
      HatakeContext *context = g_ptr_array_index (contexts, i);
      const char *host = hatake_context_host (context);
      g_autofree char *label = g_strdup_printf ("%s (%s)", hatake_context_name (context),
                                                host ? host : "unix:///var/run/docker.sock");
      g_autofree char *choice = g_strconcat (CONTEXT_PREFIX, hatake_context_name (context), NULL);

      add_engine_item (section, label, choice);
    }
}

/**
 * hatake_application_get_engine_menu:
 *
 * The engines to choose from, as items of app.engine: automatic, this computer's (as root), the
 * system engine, then hatake's contexts and docker's (read now).
 *
 * Returns: (transfer full): a new menu
 */
GMenuModel *
hatake_application_get_engine_menu (HatakeApplication *self)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) builtin = g_menu_new ();
  g_autoptr(GMenu) contexts = g_menu_new ();
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *hatake_dir = hatake_context_hatake_store ();
  g_autofree char *docker_dir = hatake_context_docker_store ();

  add_engine_item (builtin, _("Automatic"), "");
  if (geteuid () == 0)
    add_engine_item (builtin, _("This Computer"), LOCAL_CHOICE);
  add_engine_item (builtin, _("System Engine (unix://" SYSTEM_SOCKET ")"), SYSTEM_CHOICE);
  g_hash_table_add (names, g_strdup ("default"));
  add_contexts (contexts, names, HATAKE_CONTEXT_STORE_HATAKE, hatake_dir);
  add_contexts (contexts, names, HATAKE_CONTEXT_STORE_DOCKER, docker_dir);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (builtin));
  if (g_menu_model_get_n_items (G_MENU_MODEL (contexts)) > 0)
    g_menu_append_section (menu, _("Contexts"), G_MENU_MODEL (contexts));
  return G_MENU_MODEL (menu);
}

const char *
hatake_application_get_engine_label (HatakeApplication *self)
{
  g_return_val_if_fail (HATAKE_IS_APPLICATION (self), NULL);
  return self->engine_label;
}

/* WINDOW shows the engine the application has now, or says why there is none (ERROR, or no
 * error as a normal user without the system engine). */
static void
show_engine (HatakeApplication *self,
             HatakeWindow      *window,
             const GError      *error)
{
  g_autoptr(GMenuModel) engines = hatake_application_get_engine_menu (self);

  hatake_window_set_engine_switcher (window, engines, self->engine_label,
                                     self->engine ? hatake_engine_get_description (self->engine) : NULL);
  if (self->engine != NULL)
    hatake_window_set_engine (window, self->engine);

  /* The engine lives in this process: closing the window only hides it, so the engine (and
   * whatever it is doing: a pull, a log stream) goes on until Quit; activating the application
   * again shows the same window in the same state. */
  if (HATAKE_IS_LOCAL_ENGINE (self->engine))
    gtk_window_set_hide_on_close (GTK_WINDOW (window), TRUE);
  if (HATAKE_IS_CLIENT_ENGINE (self->engine))
    hatake_client_engine_connect_async (HATAKE_CLIENT_ENGINE (self->engine), NULL, on_remote_connected,
                                        g_object_ref (window));

  if (self->engine == NULL && error == NULL)
    hatake_window_show_message (window, "computer-fail-symbolic", _("The System Engine Is Needed"),
                                _("Hatake Desktop runs the engine itself only as root. Start the system engine "
                                  "with <tt>sudo systemctl start hatake</tt> (or <tt>sudo hatake serve</tt>) and, "
                                  "as a member of the <tt>hatake</tt> group, open the app again: it connects to "
                                  "it."));
  else if (self->engine == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      hatake_window_show_message (window, "dialog-warning-symbolic", _("The Engine Could Not Start"), escaped);
    }
}

/* Our own engine opens once the window's first frame is drawn: the window comes at once, and
 * fills in when the engine has read its containers (about half a millisecond each). */
static gboolean
open_local_idle (gpointer user_data)
{
  HatakeApplication *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) compose = g_steal_pointer (&self->pending_compose);
  HatakeWindow *window = self->opening_window;

  self->open_source = 0;
  g_clear_weak_pointer (&self->opening_window);
  if (window == NULL || self->engine != NULL)
    return G_SOURCE_REMOVE;
  self->engine = open_local (self, &error);
  show_engine (self, window, error);
  /* (for bench/app: how long the window waited for its engine; see on_first_after_paint) */
  if (g_getenv ("HATAKE_REPORT_FIRST_FRAME") != NULL)
    g_printerr ("hatake-engine-shown %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  if (compose != NULL && self->engine != NULL)
    hatake_window_open_compose_file (window, compose);
  return G_SOURCE_REMOVE;
}

static void
on_opening_painted (GdkFrameClock     *clock,
                    HatakeApplication *self)
{
  g_signal_handlers_disconnect_by_func (clock, on_opening_painted, self);
  if (self->open_source == 0 && self->opening_window != NULL)
    self->open_source = g_idle_add (open_local_idle, self);
}

static void
on_opening_realize (GtkWidget         *window,
                    HatakeApplication *self)
{
  g_signal_handlers_disconnect_by_func (window, on_opening_realize, self);
  g_signal_connect_object (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_opening_painted),
                           self, 0);
}

static GtkWindow *
create_window (HatakeApplication *self)
{
  g_autoptr(GError) error = NULL;
  gboolean local_later = FALSE;
  HatakeWindow *window;

  if (self->engine == NULL)
    self->engine = open_engine (self, &local_later, &error);
  window = hatake_window_new (GTK_APPLICATION (self), NULL);
  if (!local_later)
    {
      show_engine (self, window, error);
      return GTK_WINDOW (window);
    }

  {
    g_autoptr(GMenuModel) engines = hatake_application_get_engine_menu (self);

    hatake_window_set_engine_switcher (window, engines, self->engine_label, NULL);
  }
  hatake_window_show_loading (window);
  forget_opening (self);
  g_set_weak_pointer (&self->opening_window, window);
  /* Hidden (--hidden), the window is never drawn: the engine opens at once. */
  if (self->start_hidden)
    self->open_source = g_idle_add (open_local_idle, self);
  else
    g_signal_connect_object (window, "realize", G_CALLBACK (on_opening_realize), self, 0);
  return GTK_WINDOW (window);
}

/* HATAKE_REPORT_FIRST_FRAME set: the monotonic time (µs, CLOCK_MONOTONIC) of the window's first
 * painted frame goes to stderr, for bench/app, which compares it with its launch time. */
static void
on_first_after_paint (GdkFrameClock *clock,
                      gpointer       user_data)
{
  g_printerr ("hatake-first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  g_signal_handlers_disconnect_by_func (clock, on_first_after_paint, user_data);
}

static void
on_window_realize (GtkWidget *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_first_after_paint), NULL);
}

static void
hatake_application_activate (GApplication *application)
{
  HatakeApplication *self = HATAKE_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      window = create_window (self);
      if (g_getenv ("HATAKE_REPORT_FIRST_FRAME") != NULL)
        g_signal_connect (window, "realize", G_CALLBACK (on_window_realize), NULL);
    }

  /* Started at login: the engine runs, the window waits (it holds the application) until the
   * app is opened again, which activates it. */
  if (self->start_hidden)
    {
      self->start_hidden = FALSE;
      return;
    }
  gtk_window_present (window);
}

/* `hatake-desktop compose.yaml` (or a folder): the window, and the project's preview on it. */
static void
hatake_application_open (GApplication  *application,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  HatakeApplication *self = HATAKE_APPLICATION (application);
  GtkWindow *window;

  g_application_activate (application);
  window = gtk_application_get_active_window (GTK_APPLICATION (application));
  if (n_files == 0 || !HATAKE_IS_WINDOW (window))
    return;
  if (window == GTK_WINDOW (self->opening_window))
    g_set_object (&self->pending_compose, files[0]);   /* once the engine is open */
  else
    hatake_window_open_compose_file (HATAKE_WINDOW (window), files[0]);
}

static int
hatake_application_handle_local_options (GApplication *application,
                                         GVariantDict *options)
{
  HatakeApplication *self = HATAKE_APPLICATION (application);
  g_autofree char *data_root = NULL;

  if (g_variant_dict_lookup (options, "data-root", "^ay", &data_root))
    hatake_application_set_data_root (self, data_root);
  if (g_variant_dict_contains (options, "hidden"))
    self->start_hidden = TRUE;

  return -1;
}

static void
hatake_application_dispose (GObject *object)
{
  HatakeApplication *self = HATAKE_APPLICATION (object);

  g_clear_object (&self->settings);
  forget_opening (self);
  stop_api (self);
  /* (not waiting here: a step under way holds the application) */
  if (self->owner != NULL && self->holds_default)
    release_default (self->owner);
  self->owner = NULL;
  g_clear_object (&self->engine);
  g_clear_object (&self->engine_action);

  G_OBJECT_CLASS (hatake_application_parent_class)->dispose (object);
}

static void
hatake_application_finalize (GObject *object)
{
  HatakeApplication *self = HATAKE_APPLICATION (object);

  g_free (self->data_root);
  g_free (self->engine_label);

  G_OBJECT_CLASS (hatake_application_parent_class)->finalize (object);
}

static void
hatake_application_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  HatakeApplication *self = HATAKE_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATA_ROOT:
      g_value_set_string (value, self->data_root);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_application_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  HatakeApplication *self = HATAKE_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATA_ROOT:
      hatake_application_set_data_root (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_application_class_init (HatakeApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = hatake_application_dispose;
  object_class->finalize = hatake_application_finalize;
  object_class->get_property = hatake_application_get_property;
  object_class->set_property = hatake_application_set_property;

  app_class->startup = hatake_application_startup;
  app_class->activate = hatake_application_activate;
  app_class->open = hatake_application_open;
  app_class->handle_local_options = hatake_application_handle_local_options;

  /**
   * HatakeApplication:data-root:
   *
   * The local engine's data root, or %NULL for the default one. Read when the first window opens.
   */
  properties[PROP_DATA_ROOT] =
    g_param_spec_string ("data-root", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hatake_application_init (HatakeApplication *self)
{
  const GOptionEntry entries[] = {
    { "data-root", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Use the engine data in DIR instead of the default"), N_("DIR") },
    { "hidden", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Start without showing the window (at login)"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  self->engine_action = g_simple_action_new_stateful ("engine", G_VARIANT_TYPE_STRING, g_variant_new_string (""));
  g_signal_connect (self->engine_action, "change-state", G_CALLBACK (engine_change_state), self);
}
