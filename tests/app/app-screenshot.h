/* app-screenshot.h: what a UI test checked, saved as a PNG for a person to look at
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

/* Renders WINDOW (a shown toplevel) as it is now into NAME in the test's build folder. */
void hatake_test_save_screenshot (GtkWidget  *window,
                                  const char *name);
