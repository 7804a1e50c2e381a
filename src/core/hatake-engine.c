/* hatake-engine.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hatake-core"

#include "config.h"

#include <string.h>

#include "hatake-engine.h"
#include "hatake-reference.h"

G_DEFINE_INTERFACE (HatakeEngine, hatake_engine, G_TYPE_OBJECT)

static void
hatake_engine_default_init (HatakeEngineInterface *iface)
{
  /**
   * HatakeEngine::object-event:
   * @type: "volume", "network" or "container"
   * @action: docker's: "create", "destroy"; for networks also "connect", "disconnect"; for
   *   containers what their state does not tell: "kill", "stop", "restart", "attach",
   *   "exec_create: CMD", "exec_start: CMD", "exec_die"
   * @id: the volume's name, the network's or container's ID
   * @attributes: a JSON object, docker's event attributes ("driver"; "name", "type", "container";
   *   "signal", "execID", "exitCode")
   *
   * What changed among the objects that have no model of their own, on the engine's main context,
   * whoever made the change (a run that made a named volume, compose, another client of a
   * remote engine).
   */
  g_signal_new ("object-event", HATAKE_TYPE_ENGINE, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, JSON_TYPE_NODE);
}

GListModel *
hatake_engine_get_images (HatakeEngine *self)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->get_images (self);
}

static GQuark
projects_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("hatake-engine-projects");
  return quark;
}

HatakeProjects *
hatake_engine_get_projects (HatakeEngine *self)
{
  HatakeProjects *projects;

  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);

  projects = g_object_get_qdata (G_OBJECT (self), projects_quark ());
  if (projects == NULL)
    {
      projects = hatake_projects_new (hatake_engine_get_containers (self));
      g_object_set_qdata_full (G_OBJECT (self), projects_quark (), projects, g_object_unref);
    }
  return projects;
}

const char *
hatake_engine_get_description (HatakeEngine *self)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->get_description (self);
}

/* Finds an image in the engine's model by name[:tag], full name, ID, short ID or repo digest,
 * as docker resolves the argument of `image inspect` and `rmi`. Returns a new reference or NULL. */
HatakeImage *
hatake_engine_lookup_image (HatakeEngine *self,
                            const char   *reference)
{
  GListModel *images;
  g_autoptr(HatakeReference) ref = NULL;
  g_autofree char *full_tag = NULL;
  g_autofree char *by_digest = NULL;
  guint n;

  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  g_return_val_if_fail (reference != NULL, NULL);

  images = hatake_engine_get_images (self);
  n = g_list_model_get_n_items (images);

  ref = hatake_reference_parse (reference, NULL);
  if (ref != NULL)
    {
      g_autofree char *name = hatake_reference_familiar_name (ref);
      full_tag = hatake_reference_with_tag (ref);
      by_digest = ref->digest ? g_strconcat (name, "@", ref->digest, NULL) : NULL;
    }

  /* A tag wins over an ID prefix, as in docker. */
  for (guint i = 0; i < n && ref != NULL; i++)
    {
      g_autoptr(HatakeImage) image = g_list_model_get_item (images, i);
      if ((by_digest && g_strv_contains (hatake_image_get_repo_digests (image), by_digest)) ||
          (!by_digest && full_tag && hatake_image_has_tag (image, full_tag)))
        return g_steal_pointer (&image);
    }

  if (hatake_string_is_image_id (reference))
    {
      const char *hex = g_str_has_prefix (reference, "sha256:") ? reference + 7 : reference;
      HatakeImage *found = NULL;

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(HatakeImage) image = g_list_model_get_item (images, i);
          if (g_str_has_prefix (hatake_image_get_id (image) + 7, hex))
            {
              if (found != NULL)
                {
                  g_object_unref (found);
                  return NULL; /* ambiguous */
                }
              found = g_steal_pointer (&image);
            }
        }
      return found;
    }
  return NULL;
}

void
hatake_engine_pull_async (HatakeEngine        *self,
                          const char          *reference,
                          const char          *platform,
                          HatakePull          *progress,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (reference != NULL);
  g_return_if_fail (progress == NULL || HATAKE_IS_PULL (progress));
  HATAKE_ENGINE_GET_IFACE (self)->pull_async (self, reference, platform, progress, cancellable,
                                              callback, user_data);
}

HatakeImage *
hatake_engine_pull_finish (HatakeEngine  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->pull_finish (self, result, error);
}

void
hatake_engine_tag_image_async (HatakeEngine        *self,
                               const char          *source,
                               const char          *target,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (source != NULL && target != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->tag_image_async (self, source, target, cancellable, callback, user_data);
}

gboolean
hatake_engine_tag_image_finish (HatakeEngine  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), FALSE);
  return HATAKE_ENGINE_GET_IFACE (self)->tag_image_finish (self, result, error);
}

void
hatake_engine_remove_image_async (HatakeEngine        *self,
                                  const char          *reference,
                                  gboolean             force,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (reference != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->remove_image_async (self, reference, force, cancellable, callback, user_data);
}

JsonNode *
hatake_engine_remove_image_finish (HatakeEngine  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->remove_image_finish (self, result, error);
}

void
hatake_engine_inspect_image_async (HatakeEngine        *self,
                                   const char          *reference,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (reference != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->inspect_image_async (self, reference, cancellable, callback, user_data);
}

JsonNode *
hatake_engine_inspect_image_finish (HatakeEngine  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->inspect_image_finish (self, result, error);
}

void
hatake_engine_push_async (HatakeEngine        *self,
                          const char          *reference,
                          HatakePull          *progress,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (reference != NULL);
  g_return_if_fail (HATAKE_IS_PULL (progress));
  HATAKE_ENGINE_GET_IFACE (self)->push_async (self, reference, progress, cancellable, callback, user_data);
}

JsonNode *
hatake_engine_push_finish (HatakeEngine  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->push_finish (self, result, error);
}

void
hatake_engine_login_async (HatakeEngine        *self,
                           const char          *registry,
                           const char          *username,
                           const char          *password,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  HATAKE_ENGINE_GET_IFACE (self)->login_async (self, registry, username, password, cancellable, callback, user_data);
}

gboolean
hatake_engine_login_finish (HatakeEngine  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), FALSE);
  return HATAKE_ENGINE_GET_IFACE (self)->login_finish (self, result, error);
}

void
hatake_engine_save_images_async (HatakeEngine        *self,
                                 const char * const  *references,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  HATAKE_ENGINE_GET_IFACE (self)->save_images_async (self, references, cancellable, callback, user_data);
}

GInputStream *
hatake_engine_save_images_finish (HatakeEngine  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->save_images_finish (self, result, error);
}

void
hatake_engine_load_images_async (HatakeEngine        *self,
                                 GInputStream        *tar,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (G_IS_INPUT_STREAM (tar));
  HATAKE_ENGINE_GET_IFACE (self)->load_images_async (self, tar, cancellable, callback, user_data);
}

JsonNode *
hatake_engine_load_images_finish (HatakeEngine  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->load_images_finish (self, result, error);
}

void
hatake_engine_image_history_async (HatakeEngine        *self,
                                   const char          *reference,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (reference != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->image_history_async (self, reference, cancellable, callback, user_data);
}

JsonNode *
hatake_engine_image_history_finish (HatakeEngine  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->image_history_finish (self, result, error);
}

void
hatake_engine_container_archive_async (HatakeEngine        *self,
                                       const char          *id,
                                       HatakeArchiveOp      op,
                                       const char          *path,
                                       GInputStream        *tar,
                                       HatakeArchiveFlags   flags,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail (op == HATAKE_ARCHIVE_EXPORT || path != NULL);
  g_return_if_fail (op != HATAKE_ARCHIVE_PUT || G_IS_INPUT_STREAM (tar));
  HATAKE_ENGINE_GET_IFACE (self)->container_archive_async (self, id, op, path, tar, flags, cancellable, callback,
                                                           user_data);
}

GInputStream *
hatake_engine_container_archive_finish (HatakeEngine  *self,
                                        GAsyncResult  *result,
                                        JsonNode     **out_stat,
                                        GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->container_archive_finish (self, result, out_stat, error);
}

void
hatake_engine_disk_usage_async (HatakeEngine        *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  HATAKE_ENGINE_GET_IFACE (self)->disk_usage_async (self, cancellable, callback, user_data);
}

JsonNode *
hatake_engine_disk_usage_finish (HatakeEngine  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->disk_usage_finish (self, result, error);
}

GListModel *
hatake_engine_get_containers (HatakeEngine *self)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->get_containers (self);
}

/* By full ID, name (with or without docker's '/') or unique ID prefix; NULL if none or several. */
HatakeContainer *
hatake_engine_lookup_container (HatakeEngine *self,
                                const char   *id_or_name)
{
  GListModel *containers;
  const char *name;
  HatakeContainer *found = NULL;
  guint n, matches = 0;

  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  g_return_val_if_fail (id_or_name != NULL, NULL);

  containers = hatake_engine_get_containers (self);
  n = g_list_model_get_n_items (containers);
  name = id_or_name[0] == '/' ? id_or_name + 1 : id_or_name;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (containers, i);
      if (g_str_equal (hatake_container_get_id (c), id_or_name) || g_str_equal (hatake_container_get_name (c), name))
        return g_steal_pointer (&c);
    }
  for (guint i = 0; i < n && *id_or_name; i++)
    {
      g_autoptr(HatakeContainer) c = g_list_model_get_item (containers, i);
      if (g_str_has_prefix (hatake_container_get_id (c), id_or_name))
        {
          matches++;
          g_clear_object (&found);
          found = g_steal_pointer (&c);
        }
    }
  if (matches == 1)
    return found;
  g_clear_object (&found);
  return NULL;
}

void
hatake_engine_create_container_async (HatakeEngine                *self,
                                      const HatakeContainerConfig *config,
                                      GCancellable                *cancellable,
                                      GAsyncReadyCallback          callback,
                                      gpointer                     user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (config != NULL && config->image != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->create_container_async (self, config, cancellable, callback, user_data);
}

HatakeContainer *
hatake_engine_create_container_finish (HatakeEngine  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->create_container_finish (self, result, error);
}

void
hatake_engine_container_op_async (HatakeEngine                *self,
                                  const char                  *container,
                                  HatakeContainerOp            op,
                                  const HatakeContainerOpArgs *args,
                                  GCancellable                *cancellable,
                                  GAsyncReadyCallback          callback,
                                  gpointer                     user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (container != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->container_op_async (self, container, op, args, cancellable, callback, user_data);
}

JsonNode *
hatake_engine_container_op_finish (HatakeEngine  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->container_op_finish (self, result, error);
}

void
hatake_engine_inspect_container_async (HatakeEngine        *self,
                                       const char          *container,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (container != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->inspect_container_async (self, container, cancellable, callback, user_data);
}

JsonNode *
hatake_engine_inspect_container_finish (HatakeEngine  *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->inspect_container_finish (self, result, error);
}

void
hatake_engine_rename_container_async (HatakeEngine        *self,
                                      const char          *container,
                                      const char          *name,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (container != NULL && name != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->rename_container_async (self, container, name, cancellable, callback, user_data);
}

gboolean
hatake_engine_rename_container_finish (HatakeEngine  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), FALSE);
  return HATAKE_ENGINE_GET_IFACE (self)->rename_container_finish (self, result, error);
}

void
hatake_engine_update_container_async (HatakeEngine                *self,
                                      const char                  *container,
                                      const HatakeContainerUpdate *update,
                                      GCancellable                *cancellable,
                                      GAsyncReadyCallback          callback,
                                      gpointer                     user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (container != NULL && update != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->update_container_async (self, container, update, cancellable, callback, user_data);
}

gboolean
hatake_engine_update_container_finish (HatakeEngine  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), FALSE);
  return HATAKE_ENGINE_GET_IFACE (self)->update_container_finish (self, result, error);
}

void
hatake_engine_container_logs_async (HatakeEngine           *self,
                                    const char             *container,
                                    const HatakeLogOptions *options,
                                    HatakeLogFunc           func,
                                    gpointer                func_data,
                                    GCancellable           *cancellable,
                                    GAsyncReadyCallback     callback,
                                    gpointer                user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (container != NULL && options != NULL && func != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->container_logs_async (self, container, options, func, func_data,
                                                        cancellable, callback, user_data);
}

gboolean
hatake_engine_container_logs_finish (HatakeEngine  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), FALSE);
  return HATAKE_ENGINE_GET_IFACE (self)->container_logs_finish (self, result, error);
}

void
hatake_engine_exec_async (HatakeEngine            *self,
                          const char              *container,
                          const HatakeExecOptions *options,
                          GCancellable            *cancellable,
                          GAsyncReadyCallback      callback,
                          gpointer                 user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (container != NULL && options != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->exec_async (self, container, options, cancellable, callback, user_data);
}

int
hatake_engine_exec_finish (HatakeEngine  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), -1);
  return HATAKE_ENGINE_GET_IFACE (self)->exec_finish (self, result, error);
}

void
hatake_engine_changes_async (HatakeEngine        *self,
                             const char          *container,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (container != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->changes_async (self, container, cancellable, callback, user_data);
}

JsonNode *
hatake_engine_changes_finish (HatakeEngine  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->changes_finish (self, result, error);
}

void
hatake_engine_top_async (HatakeEngine        *self,
                         const char          *container,
                         const char          *ps_args,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (container != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->top_async (self, container, ps_args, cancellable, callback, user_data);
}

JsonNode *
hatake_engine_top_finish (HatakeEngine  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->top_finish (self, result, error);
}

void
hatake_engine_volume_op_async (HatakeEngine             *self,
                               HatakeVolumeOp            op,
                               const HatakeVolumeOpArgs *args,
                               GCancellable             *cancellable,
                               GAsyncReadyCallback       callback,
                               gpointer                  user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (args != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->volume_op_async (self, op, args, cancellable, callback, user_data);
}

JsonNode *
hatake_engine_volume_op_finish (HatakeEngine  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->volume_op_finish (self, result, error);
}

void
hatake_engine_network_op_async (HatakeEngine              *self,
                                HatakeNetworkOp            op,
                                const HatakeNetworkOpArgs *args,
                                GCancellable              *cancellable,
                                GAsyncReadyCallback        callback,
                                gpointer                   user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (args != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->network_op_async (self, op, args, cancellable, callback, user_data);
}

JsonNode *
hatake_engine_network_op_finish (HatakeEngine  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->network_op_finish (self, result, error);
}

void
hatake_engine_stats_async (HatakeEngine        *self,
                           const char          *container,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (container != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->stats_async (self, container, cancellable, callback, user_data);
}

JsonNode *
hatake_engine_stats_finish (HatakeEngine  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->stats_finish (self, result, error);
}

void
hatake_engine_attach_async (HatakeEngine        *self,
                            const char          *container,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (container != NULL);
  HATAKE_ENGINE_GET_IFACE (self)->attach_async (self, container, cancellable, callback, user_data);
}

HatakeAttach *
hatake_engine_attach_finish (HatakeEngine  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (HATAKE_IS_ENGINE (self), NULL);
  return HATAKE_ENGINE_GET_IFACE (self)->attach_finish (self, result, error);
}

void
hatake_engine_watch_stats (HatakeEngine    *self,
                           HatakeContainer *container)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (HATAKE_IS_CONTAINER (container));
  HATAKE_ENGINE_GET_IFACE (self)->watch_stats (self, container);
}

void
hatake_engine_unwatch_stats (HatakeEngine    *self,
                             HatakeContainer *container)
{
  g_return_if_fail (HATAKE_IS_ENGINE (self));
  g_return_if_fail (HATAKE_IS_CONTAINER (container));
  HATAKE_ENGINE_GET_IFACE (self)->unwatch_stats (self, container);
}
