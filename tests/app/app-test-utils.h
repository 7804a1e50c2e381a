/* app-test-utils.h: what the UI tests share — waiting on the main loop, the checks that a closed
 * window and an engine are finalized, and the screenshot of what a test checked
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

typedef gboolean (*HatakeTestCondition) (gpointer data);

/* Spins the default main context until CONDITION holds; FALSE after TIMEOUT_S seconds. */
gboolean hatake_test_wait_until      (HatakeTestCondition  condition,
                                      gpointer             data,
                                      guint                timeout_s);
/* Conditions: one that never holds (to let the main loop run for a while), and "*DATA is NULL"
 * (a weak pointer's object is gone). */
gboolean hatake_test_never           (gpointer             data);
gboolean hatake_test_pointer_is_null (gpointer             data);
/* The engine of WINDOW (a HatakeWindow), once it has one: the application's own engine opens
 * after the window's first frame. Asserts that it comes within TIMEOUT_S seconds. */
gpointer hatake_test_wait_for_engine (gpointer             window,
                                      guint                timeout_s);
/* Destroys WINDOW and asserts that it is finalized within TIMEOUT_S seconds, and WIDGET (one
 * of its descendants, or NULL) with it. */
void     hatake_test_destroy_window  (gpointer             window,
                                      gpointer             widget,
                                      guint                timeout_s);
/* Drops the reference in *OBJECT_PTR, which must be the last one left, and asserts that the
 * object is finalized within TIMEOUT_S seconds (an engine may finish closing its store from
 * the main loop). */
void     hatake_test_clear_finalized (gpointer             object_ptr,
                                      guint                timeout_s);
/* A GAsyncReadyCallback that keeps a reference on the result in *(GAsyncResult **) USER_DATA. */
void     hatake_test_store_result    (GObject             *source,
                                      GAsyncResult        *result,
                                      gpointer             user_data);

/* Renders WINDOW (a shown toplevel) as it is now into NAME in the test's build folder. */
void     hatake_test_save_screenshot (GtkWidget           *window,
                                      const char          *name);
