/* hatake-test-compose.h: what the compose parser's tests share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-compose.h"

G_BEGIN_DECLS

/* A folder of its own per test (its name is the project's by default), removed at the end. */
typedef struct
{
  char *dir;
} Fixture;

/* the environment of a test that gives none: HOME alone */
extern const char * const no_env[];

void                  fixture_set_up    (Fixture              *f,
                                         gconstpointer         data);
void                  fixture_tear_down (Fixture              *f,
                                         gconstpointer         data);
void                  write_file        (const char           *dir,
                                         const char           *name,
                                         const char           *contents);
/* yaml as the project's compose.yaml; env NULL: nothing but HOME */
HatakeComposeProject *load_data         (const char           *dir,
                                         const char           *yaml,
                                         const char * const   *env,
                                         GError              **error);
HatakeComposeProject *load_ok           (const char           *dir,
                                         const char           *yaml,
                                         const char * const   *env);
void                  assert_load_error (const char           *dir,
                                         const char           *yaml,
                                         const char * const   *env,
                                         const char           *message);
HatakeComposeService *service           (HatakeComposeProject *project,
                                         const char           *name);
/* value holds exactly the strings given (NULL value: give none and expect NULL) */
void                  assert_strv       (GStrv                 value,
                                         const char           *first,
                                         ...) G_GNUC_NULL_TERMINATED;
void                  assert_strv_empty (GStrv                 value);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)

G_END_DECLS
