/* hatake-file-browser.h: a container's files, read-only
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hatake-engine.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_FILE_ENTRY (hatake_file_entry_get_type ())
G_DECLARE_FINAL_TYPE (HatakeFileEntry, hatake_file_entry, HATAKE, FILE_ENTRY, GObject)

const char *hatake_file_entry_get_name   (HatakeFileEntry *self);
gint64      hatake_file_entry_get_size   (HatakeFileEntry *self);
gboolean    hatake_file_entry_is_dir     (HatakeFileEntry *self);

#define HATAKE_TYPE_FILE_BROWSER (hatake_file_browser_get_type ())
G_DECLARE_FINAL_TYPE (HatakeFileBrowser, hatake_file_browser, HATAKE, FILE_BROWSER, GtkWidget)

GtkWidget  *hatake_file_browser_new        (void);
/* Browses CONTAINER (a name or an id) on ENGINE from ROOT (a directory in the container, which
 * the browser never leaves), listing ROOT now. NULL ENGINE or CONTAINER: nothing. */
void        hatake_file_browser_set_target (HatakeFileBrowser *self,
                                            HatakeEngine      *engine,
                                            const char        *container,
                                            const char        *root);
/* The directory listed, inside the container */
const char *hatake_file_browser_get_path   (HatakeFileBrowser *self);
/* Lists PATH (inside root); relative: under the directory listed. */
void        hatake_file_browser_open       (HatakeFileBrowser *self,
                                            const char        *path);
/* Reads the directory listed again. */
void        hatake_file_browser_reload     (HatakeFileBrowser *self);
/* (transfer none): the HatakeFileEntry of the directory listed, directories first */
GListModel *hatake_file_browser_get_model  (HatakeFileBrowser *self);
/* TRUE while a listing is under way */
gboolean    hatake_file_browser_get_loading (HatakeFileBrowser *self);

G_END_DECLS
