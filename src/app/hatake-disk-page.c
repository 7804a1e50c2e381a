/* hatake-disk-page.c: disk usage and prune
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row per kind — images, containers, volumes — with what they take and what deleting the
 * unused ones would free, computed from the engine's disk usage answer as `docker system df`
 * does, and a prune for each, after a question that says what it would free. The engine has
 * no prune of images or containers, so those are the API server's: every unused (or only
 * untagged) image removed, every stopped container removed. Asked when shown, after each
 * prune, and when images or containers come and go while shown.
 */
#define G_LOG_DOMAIN "hatake-desktop"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "hatake-disk-page.h"
#include "hatake-json.h"
#include "hatake-widget-utils.h"

static JsonObject *
array_object (JsonArray *array,
              guint      i)
{
  JsonNode *node = json_array_get_element (array, i);

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* ---- the page ------------------------------------------------------------------------------- */

struct _HatakeDiskPage
{
  GtkWidget               parent_instance;

  HatakeEngine           *engine;
  GListModel             *images;       /* the engine's: images and containers that come and go */
  GListModel             *containers;   /* change the figures */
  gulong                  images_changed_id;
  gulong                  containers_changed_id;
  GCancellable           *cancellable;
  guint                   serial;       /* answers to older requests are dropped */
  JsonNode               *disk_usage;   /* the last answer */
  HatakeDiskUsageSummary  summary;

  AdwToastOverlay        *toast_overlay;
  AdwActionRow           *images_row;
  AdwActionRow           *containers_row;
  AdwActionRow           *volumes_row;
  AdwActionRow           *total_row;
};

G_DEFINE_FINAL_TYPE (HatakeDiskPage, hatake_disk_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_row (AdwActionRow              *row,
         const char                *counts,
         const HatakeDiskUsageKind *kind)
{
  g_autofree char *size = g_format_size (kind->size);
  g_autofree char *reclaimable = g_format_size (kind->reclaimable);
  /* TRANSLATORS: "2 images, 1 in use · 12.3 MB, 4.1 MB reclaimable" */
  g_autofree char *text = g_strdup_printf (_("%s · %s, %s reclaimable"), counts, size, reclaimable);

  adw_action_row_set_subtitle (row, text);
}

static void
update_rows (HatakeDiskPage *self)
{
  const HatakeDiskUsageSummary *s = &self->summary;
  g_autofree char *images = NULL, *containers = NULL, *volumes = NULL;
  HatakeDiskUsageKind total = { 0 };

  if (self->disk_usage == NULL)
    {
      adw_action_row_set_subtitle (self->images_row, "…");
      adw_action_row_set_subtitle (self->containers_row, "…");
      adw_action_row_set_subtitle (self->volumes_row, "…");
      adw_action_row_set_subtitle (self->total_row, "…");
      return;
    }

  images = g_strdup_printf (ngettext ("%u image, %u in use", "%u images, %u in use", s->images.count),
                            s->images.count, s->images.active);
  containers = g_strdup_printf (ngettext ("%u container, %u running", "%u containers, %u running",
                                          s->containers.count),
                                s->containers.count, s->containers.active);
  volumes = g_strdup_printf (ngettext ("%u volume, %u in use", "%u volumes, %u in use", s->volumes.count),
                             s->volumes.count, s->volumes.active);
  set_row (self->images_row, images, &s->images);
  set_row (self->containers_row, containers, &s->containers);
  set_row (self->volumes_row, volumes, &s->volumes);

  total.size = s->images.size + s->containers.size + s->volumes.size;
  total.reclaimable = s->images.reclaimable + s->containers.reclaimable + s->volumes.reclaimable;
  set_row (self->total_row, _("Images, containers and volumes"), &total);

  /* nothing to prune: no question to ask */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "disk.prune-images",
                                 s->images.count > s->images.active);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "disk.prune-containers",
                                 s->containers.count > s->containers.active);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "disk.prune-volumes",
                                 s->volumes.count > s->volumes.active);
}

/* Operations hold the page weakly: a page closed meanwhile is not kept alive to hear back. */
typedef struct
{
  GWeakRef         page;
  guint            serial;
  HatakeDiskPrune  what;
  guint            pending;      /* removals not answered yet, +1 while they are being sent */
  guint            deleted;
  gint64           freed;
  char            *first_error;
} OpData;

static OpData *
op_data_new (HatakeDiskPage *self)
{
  OpData *data = g_new0 (OpData, 1);

  g_weak_ref_init (&data->page, self);
  return data;
}

static void
op_data_free (OpData *data)
{
  g_weak_ref_clear (&data->page);
  g_free (data->first_error);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpData, op_data_free)

static void
disk_usage_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  g_autoptr(HatakeDiskPage) self = g_weak_ref_get (&data->page);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = hatake_engine_disk_usage_finish (HATAKE_ENGINE (source), result, &error);
  if (self == NULL || data->serial != self->serial || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the disk usage: %s"), error->message);

      hatake_toast_show (self->toast_overlay, text, TRUE);
      return;
    }

  g_clear_pointer (&self->disk_usage, json_node_unref);
  self->disk_usage = g_steal_pointer (&node);
  hatake_disk_usage_summarize (self->disk_usage, &self->summary);
  update_rows (self);
}

/**
 * hatake_disk_page_refresh:
 *
 * Asks the engine what its objects take again; the rows follow when the answer comes.
 */
void
hatake_disk_page_refresh (HatakeDiskPage *self)
{
  OpData *data;

  g_return_if_fail (HATAKE_IS_DISK_PAGE (self));

  if (self->engine == NULL || HATAKE_ENGINE_GET_IFACE (self->engine)->disk_usage_async == NULL)
    return;

  data = op_data_new (self);
  data->serial = ++self->serial;
  hatake_engine_disk_usage_async (self->engine, self->cancellable, disk_usage_done, data);
}

/**
 * hatake_disk_page_get_summary:
 *
 * Returns: (nullable): the figures shown, or %NULL before the engine's first answer
 */
const HatakeDiskUsageSummary *
hatake_disk_page_get_summary (HatakeDiskPage *self)
{
  g_return_val_if_fail (HATAKE_IS_DISK_PAGE (self), NULL);

  return self->disk_usage != NULL ? &self->summary : NULL;
}

/* ---- prune ---------------------------------------------------------------------------------- */

static void
prune_finish_one (OpData *data)
{
  g_autoptr(HatakeDiskPage) self = NULL;
  g_autofree char *size = NULL;
  g_autofree char *text = NULL;

  if (--data->pending > 0)
    return;

  self = g_weak_ref_get (&data->page);
  if (self != NULL)
    {
      size = g_format_size (data->freed);
      switch (data->what)
        {
        case HATAKE_DISK_PRUNE_IMAGES:
          text = g_strdup_printf (ngettext ("%u image deleted, %s freed", "%u images deleted, %s freed",
                                            data->deleted), data->deleted, size);
          break;
        case HATAKE_DISK_PRUNE_CONTAINERS:
          text = g_strdup_printf (ngettext ("%u container deleted, %s freed", "%u containers deleted, %s freed",
                                            data->deleted), data->deleted, size);
          break;
        case HATAKE_DISK_PRUNE_VOLUMES:
          text = g_strdup_printf (ngettext ("%u volume deleted, %s freed", "%u volumes deleted, %s freed",
                                            data->deleted), data->deleted, size);
          break;
        default:
          g_assert_not_reached ();
        }
      hatake_toast_show (self->toast_overlay, text, FALSE);
      /* what was left, and why: the first engine error says it for all */
      if (data->first_error != NULL)
        hatake_toast_show (self->toast_overlay, data->first_error, TRUE);
      hatake_disk_page_refresh (self);
    }
  op_data_free (data);
}

typedef struct
{
  OpData *prune;
  gint64  size;
} PruneItem;

static void
note_error (OpData *data,
            GError *error)
{
  if (data->first_error == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    data->first_error = g_strdup_printf (_("Some were left: %s"), error->message);
}

static void
image_removed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  PruneItem *item = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_engine_remove_image_finish (HATAKE_ENGINE (source), result, &error);

  if (error == NULL)
    {
      item->prune->deleted++;
      item->prune->freed += item->size;
    }
  else
    note_error (item->prune, error);
  prune_finish_one (item->prune);
  g_free (item);
}

static void
container_removed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PruneItem *item = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_engine_container_op_finish (HATAKE_ENGINE (source), result, &error);

  if (error == NULL)
    {
      item->prune->deleted++;
      item->prune->freed += item->size;
    }
  else
    note_error (item->prune, error);
  prune_finish_one (item->prune);
  g_free (item);
}

static void
volumes_pruned (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  OpData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hatake_engine_volume_op_finish (HATAKE_ENGINE (source), result, &error);
  JsonObject *object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonArray *deleted = hatake_json_array_member (object, "VolumesDeleted");

  if (error != NULL)
    note_error (data, error);
  data->deleted = deleted != NULL ? json_array_get_length (deleted) : 0;
  data->freed = hatake_disk_usage_int (object, "SpaceReclaimed");
  prune_finish_one (data);
}

/* Sends the removals the question named; the toast says what went when all are answered. */
static void
prune (HatakeDiskPage  *self,
       HatakeDiskPrune  what,
       gboolean         all_images)
{
  JsonObject *root = JSON_NODE_HOLDS_OBJECT (self->disk_usage) ? json_node_get_object (self->disk_usage) : NULL;
  OpData *data = op_data_new (self);
  JsonArray *array;

  data->what = what;
  data->pending = 1;
  switch (what)
    {
    case HATAKE_DISK_PRUNE_IMAGES:
      array = hatake_json_array_member (root, "Images");
      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          JsonObject *image = array_object (array, i);
          const char *id = image ? json_object_get_string_member_with_default (image, "Id", NULL) : NULL;
          PruneItem *item;

          if (id == NULL || hatake_disk_usage_int (image, "Containers") > 0 || (!all_images && !hatake_disk_usage_image_is_dangling (image)))
            continue;
          item = g_new0 (PruneItem, 1);
          item->prune = data;
          item->size = MAX (hatake_disk_usage_int (image, "Size") - hatake_disk_usage_int (image, "SharedSize"), 0);
          data->pending++;
          /* (every tag goes with it: the image is unused) */
          hatake_engine_remove_image_async (self->engine, id, TRUE, self->cancellable, image_removed, item);
        }
      break;

    case HATAKE_DISK_PRUNE_CONTAINERS:
      array = hatake_json_array_member (root, "Containers");
      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          JsonObject *container = array_object (array, i);
          const char *id = container ? json_object_get_string_member_with_default (container, "Id", NULL) : NULL;
          HatakeContainerOpArgs args = { .timeout = -1 };
          PruneItem *item;

          if (id == NULL || hatake_disk_usage_container_is_active (container))
            continue;
          item = g_new0 (PruneItem, 1);
          item->prune = data;
          item->size = hatake_disk_usage_int (container, "SizeRw");
          data->pending++;
          hatake_engine_container_op_async (self->engine, id, HATAKE_CONTAINER_OP_REMOVE, &args, self->cancellable,
                                            container_removed, item);
        }
      break;

    case HATAKE_DISK_PRUNE_VOLUMES:
      {
        /* named ones too, as the figure counts them */
        HatakeVolumeOpArgs args = { .all = TRUE };

        hatake_engine_volume_op_async (self->engine, HATAKE_VOLUME_OP_PRUNE, &args, self->cancellable,
                                       volumes_pruned, data);
        return;
      }

    default:
      g_assert_not_reached ();
    }
  prune_finish_one (data);
}

static char *
prune_body (HatakeDiskPage  *self,
            HatakeDiskPrune  what,
            gboolean         all_images)
{
  const HatakeDiskUsageSummary *s = &self->summary;
  g_autofree char *size = NULL;
  guint n;

  switch (what)
    {
    case HATAKE_DISK_PRUNE_IMAGES:
      n = all_images ? s->images.count - s->images.active : s->dangling_images;
      size = g_format_size (all_images ? s->images.reclaimable : s->dangling_images_size);
      return all_images
        ? g_strdup_printf (ngettext ("%u image that no container uses will be deleted, freeing %s.",
                                     "%u images that no container uses will be deleted, freeing %s.", n), n, size)
        : g_strdup_printf (ngettext ("%u untagged image that no container uses will be deleted, freeing %s.",
                                     "%u untagged images that no container uses will be deleted, freeing %s.", n),
                           n, size);

    case HATAKE_DISK_PRUNE_CONTAINERS:
      n = s->containers.count - s->containers.active;
      size = g_format_size (s->containers.reclaimable);
      return g_strdup_printf (ngettext ("%u stopped container will be deleted, freeing %s.",
                                        "%u stopped containers will be deleted, freeing %s.", n), n, size);

    case HATAKE_DISK_PRUNE_VOLUMES:
      n = s->volumes.count - s->volumes.active;
      size = g_format_size (s->volumes.reclaimable);
      return g_strdup_printf (ngettext ("%u volume that no container uses will be deleted with its data, freeing %s.",
                                        "%u volumes that no container uses will be deleted with their data, freeing %s.",
                                        n), n, size);

    default:
      g_assert_not_reached ();
    }
}

static void
on_all_images_toggled (GtkCheckButton   *check,
                       AdwMessageDialog *dialog)
{
  g_autoptr(HatakeDiskPage) self = g_weak_ref_get (g_object_get_data (G_OBJECT (dialog), "hatake-page"));
  g_autofree char *body = NULL;

  if (self == NULL)
    return;
  body = prune_body (self, HATAKE_DISK_PRUNE_IMAGES, gtk_check_button_get_active (check));
  adw_message_dialog_set_body (dialog, body);
}

static void
on_prune_response (AdwMessageDialog *dialog,
                   const char       *response,
                   gpointer          user_data)
{
  g_autoptr(HatakeDiskPage) self = g_weak_ref_get (user_data);
  HatakeDiskPrune what = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "hatake-prune"));
  GtkWidget *check = adw_message_dialog_get_extra_child (dialog);

  if (self == NULL || g_strcmp0 (response, "prune") != 0 || self->engine == NULL || self->disk_usage == NULL)
    return;

  prune (self, what, check != NULL && gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
}

static void
weak_ref_clear_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

static void
weak_ref_free (gpointer  data,
               GClosure *closure)
{
  weak_ref_clear_free (data);
}

/**
 * hatake_disk_page_confirm_prune:
 *
 * Asks whether to delete the unused objects of one kind, saying what it would free, and does
 * when the answer is yes. For images, untagged ones only unless the user asks for all unused.
 *
 * Returns: (transfer none) (nullable): the question, shown; %NULL before the engine answered
 */
GtkWidget *
hatake_disk_page_confirm_prune (HatakeDiskPage  *self,
                                HatakeDiskPrune  what)
{
  static const char *headings[] = {
    [HATAKE_DISK_PRUNE_IMAGES] = N_("Delete Unused Images?"),
    [HATAKE_DISK_PRUNE_CONTAINERS] = N_("Delete Stopped Containers?"),
    [HATAKE_DISK_PRUNE_VOLUMES] = N_("Delete Unused Volumes?"),
  };
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  GWeakRef *ref;

  g_return_val_if_fail (HATAKE_IS_DISK_PAGE (self), NULL);
  g_return_val_if_fail (what <= HATAKE_DISK_PRUNE_VOLUMES, NULL);

  if (self->disk_usage == NULL)
    return NULL;

  body = prune_body (self, what, FALSE);
  dialog = adw_message_dialog_new (hatake_widget_get_window (GTK_WIDGET (self)), _(headings[what]), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "prune", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "prune", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "hatake-prune", GUINT_TO_POINTER (what));

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  if (what == HATAKE_DISK_PRUNE_IMAGES)
    {
      GtkWidget *check = gtk_check_button_new_with_mnemonic (_("Also delete _tagged images no container uses"));

      GWeakRef *page_ref = g_new0 (GWeakRef, 1);

      g_weak_ref_init (page_ref, self);
      g_object_set_data_full (G_OBJECT (dialog), "hatake-page", page_ref, (GDestroyNotify) weak_ref_clear_free);
      g_signal_connect_object (check, "toggled", G_CALLBACK (on_all_images_toggled), dialog, 0);
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), check);
    }
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_prune_response), ref, weak_ref_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
prune_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  HatakeDiskPrune what = HATAKE_DISK_PRUNE_VOLUMES;

  if (g_str_equal (action_name, "disk.prune-images"))
    what = HATAKE_DISK_PRUNE_IMAGES;
  else if (g_str_equal (action_name, "disk.prune-containers"))
    what = HATAKE_DISK_PRUNE_CONTAINERS;
  hatake_disk_page_confirm_prune (HATAKE_DISK_PAGE (widget), what);
}

static void
refresh_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  hatake_disk_page_refresh (HATAKE_DISK_PAGE (widget));
}

/* ---- the page ------------------------------------------------------------------------------ */

GtkWidget *
hatake_disk_page_new (HatakeEngine *engine)
{
  g_return_val_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine), NULL);

  return g_object_new (HATAKE_TYPE_DISK_PAGE, "engine", engine, NULL);
}

HatakeEngine *
hatake_disk_page_get_engine (HatakeDiskPage *self)
{
  g_return_val_if_fail (HATAKE_IS_DISK_PAGE (self), NULL);

  return self->engine;
}

static void
on_objects_changed (HatakeDiskPage *self,
                    guint           position,
                    guint           removed,
                    guint           added,
                    GListModel     *model)
{
  /* only what is on screen is kept up to date: showing the page asks anyway */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    hatake_disk_page_refresh (self);
}

static void
watch_model (HatakeDiskPage  *self,
             GListModel      *model,
             GListModel     **slot,
             gulong          *handler)
{
  g_clear_signal_handler (handler, *slot);
  g_clear_object (slot);
  if (model == NULL)
    return;
  *slot = g_object_ref (model);
  *handler = g_signal_connect_object (model, "items-changed", G_CALLBACK (on_objects_changed), self,
                                      G_CONNECT_SWAPPED);
}

void
hatake_disk_page_set_engine (HatakeDiskPage *self,
                             HatakeEngine   *engine)
{
  HatakeEngineInterface *iface = engine != NULL ? HATAKE_ENGINE_GET_IFACE (engine) : NULL;

  g_return_if_fail (HATAKE_IS_DISK_PAGE (self));
  g_return_if_fail (engine == NULL || HATAKE_IS_ENGINE (engine));

  if (!g_set_object (&self->engine, engine))
    return;

  /* (test engines may have no containers) */
  watch_model (self, iface && iface->get_images ? hatake_engine_get_images (engine) : NULL,
               &self->images, &self->images_changed_id);
  watch_model (self, iface && iface->get_containers ? hatake_engine_get_containers (engine) : NULL,
               &self->containers, &self->containers_changed_id);

  /* What another engine said is no longer true. */
  self->serial++;
  g_clear_pointer (&self->disk_usage, json_node_unref);
  hatake_disk_usage_summarize (NULL, &self->summary);
  update_rows (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    hatake_disk_page_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

static void
hatake_disk_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (hatake_disk_page_parent_class)->map (widget);

  /* The stack maps only the page on show: choosing the section is what refreshes. */
  hatake_disk_page_refresh (HATAKE_DISK_PAGE (widget));
}

static void
hatake_disk_page_dispose (GObject *object)
{
  HatakeDiskPage *self = HATAKE_DISK_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  watch_model (self, NULL, &self->images, &self->images_changed_id);
  watch_model (self, NULL, &self->containers, &self->containers_changed_id);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->disk_usage, json_node_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), HATAKE_TYPE_DISK_PAGE);

  G_OBJECT_CLASS (hatake_disk_page_parent_class)->dispose (object);
}

static void
hatake_disk_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  HatakeDiskPage *self = HATAKE_DISK_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_disk_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  HatakeDiskPage *self = HATAKE_DISK_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      hatake_disk_page_set_engine (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hatake_disk_page_class_init (HatakeDiskPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hatake_disk_page_dispose;
  object_class->get_property = hatake_disk_page_get_property;
  object_class->set_property = hatake_disk_page_set_property;

  widget_class->map = hatake_disk_page_map;

  /**
   * HatakeDiskPage:engine:
   *
   * The engine whose disk usage the page shows.
   */
  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, HATAKE_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hatake/Desktop/hatake-disk-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HatakeDiskPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HatakeDiskPage, images_row);
  gtk_widget_class_bind_template_child (widget_class, HatakeDiskPage, containers_row);
  gtk_widget_class_bind_template_child (widget_class, HatakeDiskPage, volumes_row);
  gtk_widget_class_bind_template_child (widget_class, HatakeDiskPage, total_row);

  gtk_widget_class_install_action (widget_class, "disk.prune-images", NULL, prune_activated);
  gtk_widget_class_install_action (widget_class, "disk.prune-containers", NULL, prune_activated);
  gtk_widget_class_install_action (widget_class, "disk.prune-volumes", NULL, prune_activated);
  gtk_widget_class_install_action (widget_class, "disk.refresh", NULL, refresh_activated);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "diskpage");
}

static void
hatake_disk_page_init (HatakeDiskPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  update_rows (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "disk.prune-images", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "disk.prune-containers", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "disk.prune-volumes", FALSE);
}
