/* hatake-volume.h: named and anonymous volumes (docker's "local" driver)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define HATAKE_TYPE_VOLUMES (hatake_volumes_get_type ())
G_DECLARE_FINAL_TYPE (HatakeVolumes, hatake_volumes, HATAKE, VOLUMES, GObject)

/* All blocking (a mkdir, a small JSON file): the engine calls them from worker threads.
 * Thread-safe. The "event" signal (action, name) tells of volumes made and removed, in the
 * thread that did it. */
HatakeVolumes *hatake_volumes_new       (const char          *data_root);
char          *hatake_volumes_data_path (HatakeVolumes       *self,
                                         const char          *name);
gboolean       hatake_volumes_name_is_valid (const char      *name);
/* Creates the volume unless it exists (then as it is, whatever labels and options are given);
 * name NULL makes an anonymous one with a random name. options: KEY=VALUE, docker's local
 * driver's (type, device, o), checked here. */
char          *hatake_volumes_ensure    (HatakeVolumes       *self,
                                         const char          *name,
                                         const char * const  *labels,
                                         const char * const  *options,
                                         gboolean             anonymous,
                                         gboolean            *out_created,
                                         GError             **error);
JsonNode      *hatake_volumes_inspect   (HatakeVolumes       *self,
                                         const char          *name,
                                         GError             **error);
/* counts: volume name → containers using it (see hatake_containers_volume_counts), for each
 * volume's UsageData.RefCount; NULL leaves UsageData out. */
JsonNode      *hatake_volumes_list      (HatakeVolumes       *self,
                                         GHashTable          *counts);
/* A volume made with a device: mounts it on its folder unless it is mounted there already (a
 * container that uses it is starting). Nothing to do for the others. out_flags: the per-mount
 * flags of its options (o=…,ro,noexec: ro, noexec), for the container's bind mount of it, or NULL */
gboolean       hatake_volumes_mount     (HatakeVolumes       *self,
                                         const char          *name,
                                         GStrv               *out_flags,
                                         GError             **error);
/* Unmounts it first, when it was mounted; removes nothing through a mount */
gboolean       hatake_volumes_remove    (HatakeVolumes       *self,
                                         const char          *name,
                                         GError             **error);
gboolean       hatake_volumes_is_anonymous (HatakeVolumes    *self,
                                         const char          *name);
GStrv          hatake_volumes_names     (HatakeVolumes       *self);

/* Copies what the image has at the mount point into a new, empty volume (docker's copy-up),
 * every source path resolved inside rootfd; a symlinked source stays inside the root. */
gboolean       hatake_volumes_copy_up   (int                  rootfd,
                                         const char          *container_path,
                                         const char          *volume_dir,
                                         GError             **error);

G_END_DECLS
