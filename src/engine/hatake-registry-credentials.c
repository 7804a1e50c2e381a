/* hatake-registry-credentials.c: the credentials a registry's challenge is answered with
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * They are kept as the docker CLI keeps them, in its config.json ($DOCKER_CONFIG/config.json,
 * else ~/.docker/config.json, or the file hatake_registry_set_auth_file names), read once:
 * "auths" holds base64 "user:pass" per registry; "credHelpers" names a credential helper for a
 * registry and "credsStore" one for every other registry. A registry with a helper is asked
 * through `docker-credential-NAME get` (docker-credential-helpers' protocol: the server URL on
 * stdin, {"Username","Secret"} on stdout), in a subprocess the main loop never waits for, and
 * its answer is kept like the file's.
 */
#define G_LOG_DOMAIN "hatake-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include <json-glib/json-glib.h>

#include "hatake-error.h"
#include "hatake-registry-private.h"

/* The key docker keeps Docker Hub's credentials under, and its helpers are asked for. */
#define DOCKER_HUB_SERVER     "https://index.docker.io/v1/"
/* What every helper prints, with a failing exit, for a registry it holds nothing for. */
#define HELPER_NOT_FOUND      "credentials not found in native keychain"
/* The user name a helper answers with when its secret is an identity token. */
#define HELPER_TOKEN_USERNAME "<token>"

static char *
default_auth_file (void)
{
  const char *dir = g_getenv ("DOCKER_CONFIG");

  if (dir != NULL && *dir != '\0')
    return g_build_filename (dir, "config.json", NULL);
  return g_build_filename (g_get_home_dir (), ".docker", "config.json", NULL);
}

/* The file is the user's, not ours: a member of the wrong type is ignored, never warned about. */
static const char *
json_string_member (JsonObject *object,
                    const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
json_object_member (JsonObject *object,
                    const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static char *
encode_pair (const char *username,
             const char *password)
{
  g_autofree char *pair = g_strconcat (username, ":", password, NULL);

  return g_base64_encode ((const guchar *) pair, strlen (pair));
}

/* The helper that keeps a normalized registry's credentials, or NULL for the file. As docker
 * does, a registry's own entry in credHelpers wins, even an empty one (the file, then). */
static const char *
helper_for (HatakeRegistry *self,
            const char     *key)
{
  const char *name = NULL;

  if (!g_hash_table_lookup_extended (self->cred_helpers, key, NULL, (gpointer *) &name))
    name = self->creds_store;
  return name != NULL && *name != '\0' ? name : NULL;
}

/* A docker config.json: its helpers, and the credentials of "auths" for the registries that
 * have no helper (docker leaves an empty entry there for those that have one). */
static void
parse_auth_file (HatakeRegistry *self,
                 const char     *data,
                 gsize           length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *helpers, *auths;
  const char *store;

  if (!json_parser_load_from_data (parser, data, length, NULL))
    return;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;

  store = json_string_member (json_node_get_object (root), "credsStore");
  g_free (self->creds_store);
  self->creds_store = g_strdup (store);
  helpers = json_object_member (json_node_get_object (root), "credHelpers");
  if (helpers != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (helpers);

      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *name = json_string_member (helpers, l->data);

          if (name != NULL)
            g_hash_table_replace (self->cred_helpers, _hatake_registry_normalize (l->data),
                                  g_strdup (name));
        }
    }

  auths = json_object_member (json_node_get_object (root), "auths");
  if (auths != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (auths);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonObject *entry = json_object_member (auths, l->data);
          g_autofree char *key = _hatake_registry_normalize (l->data);
          const char *auth, *username, *password;
          g_autofree char *value = NULL;

          if (entry == NULL || helper_for (self, key) != NULL)
            continue;
          auth = json_string_member (entry, "auth");
          username = json_string_member (entry, "username");
          password = json_string_member (entry, "password");
          if (auth != NULL && *auth != '\0')
            {
              gsize decoded_length = 0;
              g_autofree guchar *decoded = g_base64_decode (auth, &decoded_length);

              if (decoded != NULL && memchr (decoded, ':', decoded_length) != NULL)
                value = g_strdup (auth);
            }
          else if (username != NULL && password != NULL)
            value = encode_pair (username, password);
          if (value != NULL)
            g_hash_table_insert (self->file_credentials, g_steal_pointer (&key),
                                 g_steal_pointer (&value));
        }
    }
}

typedef struct
{
  char        *key;     /* the normalized registry */
  GSubprocess *helper;
} Lookup;

static void
lookup_free (gpointer data)
{
  Lookup *lookup = data;

  g_free (lookup->key);
  g_clear_object (&lookup->helper);
  g_free (lookup);
}

/* What the helper said, kept as the file's credentials are ("" for none), and returned. */
static void
lookup_return_helper_answer (GTask      *task,
                             const char *username,
                             const char *secret)
{
  HatakeRegistry *self = g_task_get_source_object (task);
  Lookup *lookup = g_task_get_task_data (task);
  g_autofree char *value = NULL;

  if (g_strcmp0 (username, HELPER_TOKEN_USERNAME) == 0)
    /* An identity token is for an OAuth token service, which registries here do not use. */
    g_debug ("The credential helper of %s holds an identity token: not used", lookup->key);
  else if (username != NULL && secret != NULL && (*username != '\0' || *secret != '\0'))
    value = encode_pair (username, secret);
  g_hash_table_replace (self->file_credentials, g_strdup (lookup->key),
                        g_strdup (value != NULL ? value : ""));
  g_task_return_pointer (task, g_steal_pointer (&value), g_free);
}

static void
helper_get_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GSubprocess *helper = G_SUBPROCESS (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!g_subprocess_communicate_utf8_finish (helper, result, &out, &err, &error))
    {
      /* Cancelled, or it wrote what is not text: it is not left running. */
      g_subprocess_force_exit (helper);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_strstrip (out);
  if (!g_subprocess_get_successful (helper))
    {
      if (g_str_equal (out, HELPER_NOT_FOUND))
        {
          lookup_return_helper_answer (task, NULL, NULL);
          return;
        }
      /* docker's words, with the helper's own (which most print on stdout) */
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED,
                               _("error getting credentials - err: exit status %d, out: `%s`"),
                               g_subprocess_get_if_exited (helper)
                                 ? g_subprocess_get_exit_status (helper) : -1,
                               *out != '\0' ? out : g_strstrip (err));
      return;
    }
  if (!json_parser_load_from_data (parser, out, -1, NULL)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED,
                               _("error getting credentials - the credential helper answered "
                                 "what is not JSON: `%s`"), out);
      return;
    }
  lookup_return_helper_answer (task, json_string_member (json_node_get_object (root), "Username"),
                               json_string_member (json_node_get_object (root), "Secret"));
}

static void
helper_get (GTask      *owned,
            const char *name)
{
  g_autoptr(GTask) task = owned;
  Lookup *lookup = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autofree char *program = g_strconcat ("docker-credential-", name, NULL);
  const char *server = g_str_equal (lookup->key, "docker.io") ? DOCKER_HUB_SERVER : lookup->key;
  g_autoptr(GError) error = NULL;

  lookup->helper = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                     | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                     | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                     &error, program, "get", NULL);
  if (lookup->helper == NULL)
    {
      g_task_return_new_error (task, HATAKE_ERROR, HATAKE_ERROR_FAILED,
                               _("error getting credentials - err: %s, out: ``"), error->message);
      return;
    }
  g_subprocess_communicate_utf8_async (lookup->helper, server, cancellable, helper_get_cb,
                                       g_steal_pointer (&task));
}

/* Once the file is read: the explicit credentials, the file's, else the helper's. */
static void
lookup_answer (GTask *owned)
{
  g_autoptr(GTask) task = owned;
  HatakeRegistry *self = g_task_get_source_object (task);
  Lookup *lookup = g_task_get_task_data (task);
  const char *value = g_hash_table_lookup (self->credentials, lookup->key);
  const char *helper;

  if (value == NULL)
    value = g_hash_table_lookup (self->file_credentials, lookup->key);
  helper = helper_for (self, lookup->key);
  if (value != NULL || helper == NULL)
    {
      g_task_return_pointer (task, value != NULL && *value != '\0' ? g_strdup (value) : NULL,
                             g_free);
      return;
    }
  helper_get (g_steal_pointer (&task), helper);
}

static void
auth_file_loaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HatakeRegistry *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (g_file_load_contents_finish (G_FILE (object), result, &contents, &length, NULL, &error))
    parse_auth_file (self, contents, length);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_debug ("Cannot read %s: %s", g_file_peek_path (G_FILE (object)), error->message);
  self->file_loaded = TRUE;
  lookup_answer (g_steal_pointer (&task));
}

void
_hatake_registry_credentials_lookup_async (HatakeRegistry      *self,
                                           const char          *domain,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Lookup *lookup = g_new0 (Lookup, 1);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;

  g_task_set_source_tag (task, _hatake_registry_credentials_lookup_async);
  lookup->key = _hatake_registry_normalize (domain);
  g_task_set_task_data (task, lookup, lookup_free);

  if (self->file_loaded || g_hash_table_contains (self->credentials, lookup->key))
    {
      lookup_answer (g_steal_pointer (&task));
      return;
    }
  path = self->auth_file ? g_strdup (self->auth_file) : default_auth_file ();
  file = g_file_new_for_path (path);
  g_file_load_contents_async (file, cancellable, auth_file_loaded_cb, g_steal_pointer (&task));
}

char *
_hatake_registry_credentials_lookup_finish (GAsyncResult  *result,
                                            GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
