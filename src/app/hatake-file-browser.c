/* hatake-file-browser.c: a container's files, read-only
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A directory is listed from the engine's archive of it (docker's GET /containers/{id}/archive,
 * the one way every engine offers to read a container's files, running or not): the tar is read
 * in a worker thread with libarchive, headers only, and its direct children become the list.
 * The whole subtree streams by, so a big directory takes a while; the list says it is loading
 * and a newer request cancels the older one. The volumes page browses a volume the same way,
 * through a helper container that mounts it.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/stat.h>

#include "hatake-file-browser.h"
#include "hatake-libarchive.h"

/* ---- HatakeFileEntry ------------------------------------------------------------------------ */

struct _HatakeFileEntry
{
  GObject  parent_instance;

  char    *name;
  gint64   size;
  guint    mode;        /* st_mode's type bits */
  char    *link_target;
};

G_DEFINE_FINAL_TYPE (HatakeFileEntry, hatake_file_entry, G_TYPE_OBJECT)

enum {
  ENTRY_PROP_0,
  ENTRY_PROP_NAME,
  ENTRY_PROP_SIZE_TEXT,
  ENTRY_PROP_KIND,
  ENTRY_PROP_ICON_NAME,
  N_ENTRY_PROPS
};

static GParamSpec *entry_properties[N_ENTRY_PROPS];

const char *
hatake_file_entry_get_name (HatakeFileEntry *self)
{
  g_return_val_if_fail (HATAKE_IS_FILE_ENTRY (self), NULL);
  return self->name;
}

gint64
hatake_file_entry_get_size (HatakeFileEntry *self)
{
  g_return_val_if_fail (HATAKE_IS_FILE_ENTRY (self), 0);
  return self->size;
}

gboolean
hatake_file_entry_is_dir (HatakeFileEntry *self)
{
  g_return_val_if_fail (HATAKE_IS_FILE_ENTRY (self), FALSE);
  return S_ISDIR (self->mode);
}

static char *
entry_kind (HatakeFileEntry *self)
{
  if (S_ISDIR (self->mode))
    return g_strdup (_("Folder"));
  if (S_ISLNK (self->mode))
    return g_strdup_printf (_("Link to %s"), self->link_target ? self->link_target : "?");
  if (S_ISREG (self->mode))
    return g_strdup (_("File"));
  if (S_ISFIFO (self->mode))
    return g_strdup (_("Pipe"));
  if (S_ISCHR (self->mode) || S_ISBLK (self->mode))
    return g_strdup (_("Device"));
  if (S_ISSOCK (self->mode))
    return g_strdup (_("Socket"));
  return g_strdup (_("Other"));
}

static void
hatake_file_entry_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  HatakeFileEntry *self = HATAKE_FILE_ENTRY (object);

  switch (prop_id)
    {
    case ENTRY_PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case ENTRY_PROP_SIZE_TEXT:
      g_value_take_string (value, S_ISREG (self->mode) ? g_format_size (self->size) : g_strdup ("—"));
      break;

    case ENTRY_PROP_KIND:
      g_value_take_string (value, entry_kind (self));
      break;

    case ENTRY_PROP_ICON_NAME:
      g_value_set_string (value, S_ISDIR (self->mode) ? "folder-symbolic"
                                 : S_ISLNK (self->mode) ? "emblem-symbolic-link-symbolic"
                                 : "text-x-generic-symbolic");
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_file_entry_finalize (GObject *object)
{
  HatakeFileEntry *self = HATAKE_FILE_ENTRY (object);

  g_free (self->name);
  g_free (self->link_target);

  G_OBJECT_CLASS (hatake_file_entry_parent_class)->finalize (object);
}

static void
hatake_file_entry_class_init (HatakeFileEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hatake_file_entry_finalize;
  object_class->get_property = hatake_file_entry_get_property;

  entry_properties[ENTRY_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  entry_properties[ENTRY_PROP_SIZE_TEXT] =
    g_param_spec_string ("size-text", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  entry_properties[ENTRY_PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  entry_properties[ENTRY_PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_ENTRY_PROPS, entry_properties);
}

static void
hatake_file_entry_init (HatakeFileEntry *self)
{
}

/* ---- reading the tar (worker thread) -------------------------------------------------------- */

typedef struct
{
  GInputStream *stream;
  GCancellable *cancellable;
  GError       *error;       /* the stream's, which libarchive only hears of as "-1" */
  guint8        buffer[64 * 1024];
} TarReader;

static la_ssize_t
tar_read (struct archive *archive,
          void           *user_data,
          const void    **buffer)
{
  TarReader *reader = user_data;
  gssize n = g_input_stream_read (reader->stream, reader->buffer, sizeof reader->buffer,
                                  reader->cancellable, reader->error == NULL ? &reader->error : NULL);

  *buffer = reader->buffer;
  if (n < 0)
    sym_archive_set_error (archive, EIO, "%s", reader->error ? reader->error->message : "read error");
  return n;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  HatakeFileEntry *x = *(HatakeFileEntry **) a, *y = *(HatakeFileEntry **) b;

  if (S_ISDIR (x->mode) != S_ISDIR (y->mode))
    return S_ISDIR (x->mode) ? -1 : 1;
  return g_utf8_collate (x->name, y->name);
}

/* The tar's entries are "." and "./A/B…" (the directory asked for as "PATH/."): its children are
 * those with one component. */
static void
list_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_autoptr(HatakeLibarchive) libarchive = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  GError *error = NULL;
  TarReader *reader;
  struct archive *archive;
  struct archive_entry *header;
  int r;

  libarchive = hatake_libarchive_load (&error);
  if (libarchive == NULL)
    {
      g_input_stream_close (task_data, NULL, NULL);
      g_task_return_error (task, error);
      return;
    }
  archive = sym_archive_read_new ();
  reader = g_new0 (TarReader, 1);
  reader->stream = task_data;
  reader->cancellable = cancellable;
  sym_archive_read_support_format_tar (archive);
  sym_archive_read_support_format_gnutar (archive);
  r = sym_archive_read_open (archive, reader, NULL, tar_read, NULL);
  while (r == ARCHIVE_OK && (r = sym_archive_read_next_header (archive, &header)) == ARCHIVE_OK)
    {
      const char *path = sym_archive_entry_pathname (header);
      g_autofree char *name = NULL;
      HatakeFileEntry *entry;
      gsize len;

      if (path == NULL)
        continue;
      while (g_str_has_prefix (path, "./"))
        path += 2;
      name = g_strdup (path);
      len = strlen (name);
      while (len > 0 && name[len - 1] == '/')
        name[--len] = '\0';
      if (len == 0 || g_str_equal (name, ".") || strchr (name, '/') != NULL)
        continue;

      entry = g_object_new (HATAKE_TYPE_FILE_ENTRY, NULL);
      entry->name = g_steal_pointer (&name);
      entry->size = sym_archive_entry_size (header);
      entry->mode = sym_archive_entry_filetype (header);
      entry->link_target = g_strdup (sym_archive_entry_symlink (header));
      g_ptr_array_add (entries, entry);
      /* (the data is skipped: only the headers are wanted) */
    }

  if (r != ARCHIVE_EOF && reader->error != NULL)
    g_task_return_error (task, g_steal_pointer (&reader->error));
  else if (r != ARCHIVE_EOF)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s", sym_archive_error_string (archive));
  else
    {
      g_ptr_array_sort (entries, compare_entries);
      g_task_return_pointer (task, g_steal_pointer (&entries), (GDestroyNotify) g_ptr_array_unref);
    }
  sym_archive_read_free (archive);
  g_input_stream_close (reader->stream, NULL, NULL);
  g_clear_error (&reader->error);
  g_free (reader);
}

/* ---- HatakeFileBrowser ---------------------------------------------------------------------- */

struct _HatakeFileBrowser
{
  GtkWidget      parent_instance;

  HatakeEngine  *engine;
  char          *container;
  char          *root;
  char          *path;
  GCancellable  *cancellable;     /* the listing under way */

  GtkStack      *stack;
  GtkLabel      *path_label;
  GtkColumnView *column_view;
  GListStore    *store;
  AdwStatusPage *error_page;
};

G_DEFINE_FINAL_TYPE (HatakeFileBrowser, hatake_file_browser, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PATH,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_loading (HatakeFileBrowser *self,
             gboolean           loading)
{
  if (loading == hatake_file_browser_get_loading (self))
    return;
  if (!loading)
    g_clear_object (&self->cancellable);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HatakeFileBrowser) self = user_data;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  entries = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;   /* an older request */
  set_loading (self, FALSE);
  if (error != NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       entries->pdata, entries->len);
  gtk_stack_set_visible_child_name (self->stack, entries->len > 0 ? "list" : "empty");
}

static void
archive_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  stream = hatake_engine_container_archive_finish (HATAKE_ENGINE (source), result, NULL, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_set_task_data (task, g_steal_pointer (&stream), g_object_unref);
  g_task_run_in_thread (task, list_thread);
}

static void
load (HatakeFileBrowser *self)
{
  g_autofree char *dot = NULL;
  GTask *task;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_list_store_remove_all (self->store);
  gtk_label_set_label (self->path_label, self->path != NULL ? self->path : "");
  if (self->engine == NULL || self->container == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
      return;
    }

  self->cancellable = g_cancellable_new ();
  gtk_stack_set_visible_child_name (self->stack, "loading");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "files.up", g_strcmp0 (self->path, self->root) != 0);
  task = g_task_new (NULL, self->cancellable, list_done, g_object_ref (self));
  g_task_set_source_tag (task, load);
  /* "PATH/.": the directory's contents, named "./…", whatever its own name */
  dot = g_str_has_suffix (self->path, "/") ? g_strconcat (self->path, ".", NULL)
                                           : g_strconcat (self->path, "/.", NULL);
  hatake_engine_container_archive_async (self->engine, self->container, HATAKE_ARCHIVE_GET, dot, NULL,
                                         HATAKE_ARCHIVE_FLAGS_NONE, self->cancellable, archive_done, task);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
}

GtkWidget *
hatake_file_browser_new (void)
{
  return g_object_new (HATAKE_TYPE_FILE_BROWSER, NULL);
}

void
hatake_file_browser_set_target (HatakeFileBrowser *self,
                                HatakeEngine      *engine,
                                const char        *container,
                                const char        *root)
{
  g_return_if_fail (HATAKE_IS_FILE_BROWSER (self));
  g_return_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine));

  g_set_object (&self->engine, engine);
  g_free (self->container);
  self->container = g_strdup (container);
  g_free (self->root);
  self->root = g_strdup (root != NULL ? root : "/");
  g_free (self->path);
  self->path = g_strdup (self->root);
  load (self);
}

const char *
hatake_file_browser_get_path (HatakeFileBrowser *self)
{
  g_return_val_if_fail (HATAKE_IS_FILE_BROWSER (self), NULL);
  return self->path;
}

void
hatake_file_browser_open (HatakeFileBrowser *self,
                          const char        *path)
{
  g_autofree char *joined = NULL;
  g_autofree char *canonical = NULL;

  g_return_if_fail (HATAKE_IS_FILE_BROWSER (self));
  g_return_if_fail (path != NULL);

  if (self->root == NULL)
    return;
  joined = g_path_is_absolute (path) ? g_strdup (path) : g_build_filename (self->path, path, NULL);
  canonical = g_canonicalize_filename (joined, "/");
  /* Never above the root: a volume's browser shows the volume only. */
  if (!g_str_equal (canonical, self->root) &&
      !(g_str_has_prefix (canonical, self->root) &&
        (g_str_has_suffix (self->root, "/") || canonical[strlen (self->root)] == '/')))
    return;
  g_free (self->path);
  self->path = g_steal_pointer (&canonical);
  load (self);
}

void
hatake_file_browser_reload (HatakeFileBrowser *self)
{
  g_return_if_fail (HATAKE_IS_FILE_BROWSER (self));
  load (self);
}

GListModel *
hatake_file_browser_get_model (HatakeFileBrowser *self)
{
  g_return_val_if_fail (HATAKE_IS_FILE_BROWSER (self), NULL);
  return G_LIST_MODEL (self->store);
}

gboolean
hatake_file_browser_get_loading (HatakeFileBrowser *self)
{
  g_return_val_if_fail (HATAKE_IS_FILE_BROWSER (self), FALSE);
  return self->cancellable != NULL;
}

static void
on_activate (HatakeFileBrowser *self,
             guint              position)
{
  g_autoptr(HatakeFileEntry) entry = g_list_model_get_item (G_LIST_MODEL (self->store), position);

  if (entry != NULL && S_ISDIR (entry->mode))
    hatake_file_browser_open (self, entry->name);
}

static void
up_activated (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  hatake_file_browser_open (HATAKE_FILE_BROWSER (widget), "..");
}

static void
reload_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  hatake_file_browser_reload (HATAKE_FILE_BROWSER (widget));
}

static void
hatake_file_browser_dispose (GObject *object)
{
  HatakeFileBrowser *self = HATAKE_FILE_BROWSER (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);

  gtk_widget_dispose_template (GTK_WIDGET (self), HATAKE_TYPE_FILE_BROWSER);
  /* (the template's box has no name of its own, so disposing the template leaves it) */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (hatake_file_browser_parent_class)->dispose (object);
}

static void
hatake_file_browser_finalize (GObject *object)
{
  HatakeFileBrowser *self = HATAKE_FILE_BROWSER (object);

  g_free (self->container);
  g_free (self->root);
  g_free (self->path);

  G_OBJECT_CLASS (hatake_file_browser_parent_class)->finalize (object);
}

static void
hatake_file_browser_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  HatakeFileBrowser *self = HATAKE_FILE_BROWSER (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, hatake_file_browser_get_loading (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_file_browser_class_init (HatakeFileBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hatake_file_browser_dispose;
  object_class->finalize = hatake_file_browser_finalize;
  object_class->get_property = hatake_file_browser_get_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HATAKE_TYPE_FILE_ENTRY);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hatake/Desktop/hatake-file-browser.ui");
  gtk_widget_class_bind_template_child (widget_class, HatakeFileBrowser, stack);
  gtk_widget_class_bind_template_child (widget_class, HatakeFileBrowser, path_label);
  gtk_widget_class_bind_template_child (widget_class, HatakeFileBrowser, column_view);
  gtk_widget_class_bind_template_child (widget_class, HatakeFileBrowser, store);
  gtk_widget_class_bind_template_child (widget_class, HatakeFileBrowser, error_page);
  gtk_widget_class_bind_template_callback (widget_class, on_activate);

  gtk_widget_class_install_action (widget_class, "files.up", NULL, up_activated);
  gtk_widget_class_install_action (widget_class, "files.reload", NULL, reload_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "files.up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_BackSpace, 0, "files.up", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "filebrowser");
}

static void
hatake_file_browser_init (HatakeFileBrowser *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "files.up", FALSE);
}
