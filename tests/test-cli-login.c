/* test-cli-login.c: `hatake login` and `hatake logout`, the credentials kept as docker keeps them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against the Basic and token registries of build-aux/test-services.sh, which hold
 * hatake/busybox:latest: a login is checked on the registry and written to $DOCKER_CONFIG/
 * config.json (or given to a credential helper), a pull then needs nothing else, and a logout
 * takes it back. The helper is Debian's real docker-credential-pass, with a GnuPG key and a
 * password store made for the test.
 */
#include "config.h"

#include <pty.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hatake-test-utils.h"

#define DOCKER_HUB_SERVER "https://index.docker.io/v1/"
#define HELPER_KEY        "hatake-test@example.invalid"

typedef struct
{
  char *root;     /* the data root */
  char *dir;      /* DOCKER_CONFIG, and the helper's GnuPG home and password store */
  char *config;   /* DOCKER_CONFIG/config.json */
  gboolean gpg;   /* a gpg-agent may run for the dir */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->root = hatake_test_make_data_root ();
  f->dir = g_dir_make_tmp ("hatake-login-XXXXXX", &error);
  g_assert_no_error (error);
  f->config = g_build_filename (f->dir, "config.json", NULL);
  /* every hatake, helper and gpg the test starts inherits these */
  g_setenv ("DOCKER_CONFIG", f->dir, TRUE);
  g_unsetenv ("DOCKER_AUTH_CONFIG");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->gpg)
    {
      const char *argv[] = { "gpgconf", "--kill", "gpg-agent", NULL };
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                    | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, NULL, NULL);
      g_unsetenv ("GNUPGHOME");
      g_unsetenv ("PASSWORD_STORE_DIR");
    }
  g_unsetenv ("DOCKER_CONFIG");
  hatake_test_remove_tree (f->root);
  hatake_test_remove_tree (f->dir);
  g_free (f->root);
  g_free (f->dir);
  g_free (f->config);
}

/* Runs `hatake --data-root ROOT ARGS…` with INPUT on its stdin (a pipe: no terminal). */
static int
run (Fixture *f, const char *input, char **out, char **err, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  void (*old_sigpipe) (int);
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) HATAKE_CLI);
  g_ptr_array_add (argv, (char *) "--data-root");
  g_ptr_array_add (argv, f->root);
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                               | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  /* a command that refuses its options may exit before it reads INPUT: g_subprocess_communicate
   * ignores the write's EPIPE, but SIGPIPE killed the test (/cli/login/usage, once in CI). Set
   * after the spawn (its exec is done when it returns): the command keeps the default. */
  old_sigpipe = signal (SIGPIPE, SIG_IGN);
  g_subprocess_communicate_utf8 (process, input != NULL ? input : "", NULL, &stdout_text,
                                 &stderr_text, &error);
  signal (SIGPIPE, old_sigpipe);
  g_assert_no_error (error);
  g_test_message ("stdout: %s\nstderr: %s", stdout_text, stderr_text);
  if (out)
    *out = g_steal_pointer (&stdout_text);
  if (err)
    *err = g_steal_pointer (&stderr_text);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                              : 128 + g_subprocess_get_term_sig (process);
}

/* Runs `hatake --data-root ROOT ARGS…` on a terminal of its own, answering its prompts as
 * someone at the keyboard would (each answer after its prompt shows); returns what the
 * terminal showed. */
static int
run_on_terminal (Fixture *f, const char *username, const char *password, char **screen, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GString) shown = g_string_new (NULL);
  gboolean user_sent = FALSE, password_sent = FALSE;
  const char *arg;
  va_list args;
  int master, status;
  pid_t pid;

  g_ptr_array_add (argv, (char *) HATAKE_CLI);
  g_ptr_array_add (argv, (char *) "--data-root");
  g_ptr_array_add (argv, f->root);
  va_start (args, screen);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  pid = forkpty (&master, NULL, NULL, NULL);
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      execv (HATAKE_CLI, (char **) argv->pdata);
      _exit (127);
    }
  for (;;)
    {
      struct pollfd pfd = { .fd = master, .events = POLLIN };
      char buffer[512];
      ssize_t n;

      g_assert_cmpint (poll (&pfd, 1, 60 * 1000), ==, 1);
      n = read (master, buffer, sizeof buffer);
      if (n <= 0)
        break;   /* EIO: the terminal's last process is gone */
      g_string_append_len (shown, buffer, n);
      if (!user_sent && g_str_has_suffix (shown->str, "Username: "))
        {
          g_assert_cmpint (write (master, username, strlen (username)), ==, (ssize_t) strlen (username));
          g_assert_cmpint (write (master, "\n", 1), ==, 1);
          user_sent = TRUE;
        }
      if (!password_sent && g_str_has_suffix (shown->str, "Password: "))
        {
          g_assert_cmpint (write (master, password, strlen (password)), ==, (ssize_t) strlen (password));
          g_assert_cmpint (write (master, "\n", 1), ==, 1);
          password_sent = TRUE;
        }
    }
  close (master);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_test_message ("terminal: %s", shown->str);
  *screen = g_string_free (g_steal_pointer (&shown), FALSE);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static char *
registry_image (const char *variable)
{
  return g_strconcat (g_getenv (variable), "/hatake/busybox:latest", NULL);
}

static char *
test_auth (void)
{
  g_autofree char *pair = g_strconcat (g_getenv ("HATAKE_TEST_USER"), ":",
                                       g_getenv ("HATAKE_TEST_PASSWORD"), NULL);

  return g_base64_encode ((const guchar *) pair, strlen (pair));
}

static JsonNode *
read_config (Fixture *f)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, f->config, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_ref (json_parser_get_root (parser));
}

static JsonObject *
auths_of (JsonNode *config)
{
  g_assert_true (json_object_has_member (json_node_get_object (config), "auths"));
  return json_object_get_object_member (json_node_get_object (config), "auths");
}

static void
write_config (Fixture *f, const char *json, int mode)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents_full (f->config, json, -1, G_FILE_SET_CONTENTS_CONSISTENT, mode, &error);
  g_assert_no_error (error);
  /* g_file_set_contents_full applies the umask */
  g_assert_cmpint (g_chmod (f->config, mode), ==, 0);
}

static int
file_mode (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

/* pulls REF into the test's data root (removing it first), as a user with no credentials
 * but what login kept */
static int
pull_again (Fixture *f, const char *ref, char **err)
{
  run (f, NULL, NULL, NULL, "rmi", "-f", ref, NULL);
  return run (f, NULL, NULL, err, "pull", "-q", ref, NULL);
}

static gboolean
require_services (void)
{
  return hatake_test_require_env ("HATAKE_TEST_REGISTRY_BASIC")
         && hatake_test_require_env ("HATAKE_TEST_REGISTRY_TOKEN")
         && hatake_test_require_root ();
}

/* A wrong password is the registry's refusal, and the file is left exactly as it was. */
static void
test_login_wrong_password (Fixture *f, gconstpointer data)
{
  const char *basic, *token;
  const char *before = "{\"auths\":{\"other.example:5000\":{\"auth\":\"eDp5\"}},\"psFormat\":\"{{.ID}}\"}";
  g_autofree char *err = NULL;
  g_autofree char *after = NULL;

  if (!require_services ())
    return;
  basic = g_getenv ("HATAKE_TEST_REGISTRY_BASIC");
  token = g_getenv ("HATAKE_TEST_REGISTRY_TOKEN");

  /* no file: none is made */
  g_assert_cmpint (run (f, "wrong\n", NULL, &err, "login", "-u", g_getenv ("HATAKE_TEST_USER"),
                        "--password-stdin", basic, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "incorrect username or password"));
  g_assert_false (g_file_test (f->config, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);

  write_config (f, before, 0644);
  g_assert_cmpint (run (f, "wrong\n", NULL, &err, "login", "-u", g_getenv ("HATAKE_TEST_USER"),
                        "--password-stdin", basic, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "unauthorized"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, NULL, &err, "login", "-u", g_getenv ("HATAKE_TEST_USER"),
                        "-p", "wrong", token, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "WARNING! Using --password via the CLI is insecure"));
  g_assert_nonnull (strstr (err, "unauthorized"));
  g_assert_true (g_file_get_contents (f->config, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (file_mode (f->config), ==, 0644);
}

/* Login writes docker's entry to a new 0600 file, keeps the rest of the file, serves pulls and
 * a later login; logout takes it back and the registry refuses the pull again. */
static void
test_login_file (Fixture *f, gconstpointer data)
{
  const char *basic, *token;
  g_autofree char *auth = test_auth ();
  g_autofree char *basic_image = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(JsonNode) config = NULL;
  JsonObject *auths;

  if (!require_services ())
    return;
  basic = g_getenv ("HATAKE_TEST_REGISTRY_BASIC");
  token = g_getenv ("HATAKE_TEST_REGISTRY_TOKEN");
  basic_image = registry_image ("HATAKE_TEST_REGISTRY_BASIC");

  /* not logged in: refused */
  g_assert_cmpint (pull_again (f, basic_image, &err), ==, 1);
  g_assert_nonnull (strstr (err, "pull access denied"));
  g_clear_pointer (&err, g_free);

  /* a URL names its host, as docker keys it */
  {
    g_autofree char *url = g_strconcat ("http://", basic, "/v2/", NULL);
    g_autofree char *line = g_strdup_printf ("%s\n", g_getenv ("HATAKE_TEST_PASSWORD"));

    g_assert_cmpint (run (f, line, &out, &err, "login", "--username", g_getenv ("HATAKE_TEST_USER"),
                          "--password-stdin", url, NULL), ==, 0);
  }
  g_assert_cmpstr (out, ==, "Login Succeeded\n");
  g_assert_nonnull (strstr (err, "WARNING! Your credentials are stored unencrypted in"));
  g_assert_nonnull (strstr (err, f->config));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (file_mode (f->config), ==, 0600);
  /* docker's own layout, byte for byte */
  g_assert_true (g_file_get_contents (f->config, &text, NULL, NULL));
  expected = g_strdup_printf ("{\n\t\"auths\": {\n\t\t\"%s\": {\n\t\t\t\"auth\": \"%s\"\n\t\t}\n\t}\n}",
                              basic, auth);
  g_assert_cmpstr (text, ==, expected);

  /* the file's other keys and entries stay */
  write_config (f, "{\"psFormat\":\"table {{.ID}}\",\"credHelpers\":{\"other.example\":\"none\"},"
                   "\"auths\":{\"other.example\":{}}}", 0600);
  g_assert_cmpint (run (f, NULL, &out, NULL, "login", "-u", g_getenv ("HATAKE_TEST_USER"), "-p",
                        g_getenv ("HATAKE_TEST_PASSWORD"), basic, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  {
    g_autofree char *line = g_strdup_printf ("%s\r\n", g_getenv ("HATAKE_TEST_PASSWORD"));

    g_assert_cmpint (run (f, line, &out, NULL, "login", "-u", g_getenv ("HATAKE_TEST_USER"),
                          "--password-stdin", token, NULL), ==, 0);
  }
  g_assert_cmpstr (out, ==, "Login Succeeded\n");
  g_clear_pointer (&out, g_free);
  config = read_config (f);
  auths = auths_of (config);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (config), "psFormat"), ==,
                   "table {{.ID}}");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     json_node_get_object (config), "credHelpers"), "other.example"), ==, "none");
  g_assert_true (json_object_has_member (auths, "other.example"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (auths, basic), "auth"),
                   ==, auth);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (auths, token), "auth"),
                   ==, auth);
  g_assert_cmpint (file_mode (f->config), ==, 0600);
  g_clear_pointer (&config, json_node_unref);

  /* a pull with nothing but the file, on both kinds of registry */
  g_assert_cmpint (pull_again (f, basic_image, NULL), ==, 0);
  {
    g_autofree char *token_image = registry_image ("HATAKE_TEST_REGISTRY_TOKEN");
    g_assert_cmpint (pull_again (f, token_image, NULL), ==, 0);
  }

  /* neither user nor password: the kept ones, checked again */
  g_assert_cmpint (run (f, NULL, &out, NULL, "login", basic, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Authenticating with existing credentials... [Username: "));
  g_assert_true (g_str_has_suffix (out, "Login Succeeded\n"));
  g_clear_pointer (&out, g_free);

  /* logout: the entry goes, the others stay, and the registry refuses the pull again */
  g_assert_cmpint (run (f, NULL, &out, &err, "logout", basic, NULL), ==, 0);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("Removing login credentials for %s\n", basic);
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  config = read_config (f);
  auths = auths_of (config);
  g_assert_false (json_object_has_member (auths, basic));
  g_assert_true (json_object_has_member (auths, token));
  g_assert_true (json_object_has_member (auths, "other.example"));
  g_assert_cmpint (pull_again (f, basic_image, &err), ==, 1);
  g_assert_nonnull (strstr (err, "pull access denied"));
  g_clear_pointer (&err, g_free);

  /* logging out again, and from Docker Hub, is no error */
  g_assert_cmpint (run (f, NULL, &out, &err, "logout", basic, NULL), ==, 0);
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &out, NULL, "logout", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Removing login credentials for " DOCKER_HUB_SERVER "\n");
}

/* On a terminal, login asks for what it was not given, and the password is not shown. */
static void
test_login_prompt (Fixture *f, gconstpointer data)
{
  const char *basic;
  g_autofree char *screen = NULL;
  g_autofree char *auth = test_auth ();
  g_autoptr(JsonNode) config = NULL;

  if (!require_services ())
    return;
  basic = g_getenv ("HATAKE_TEST_REGISTRY_BASIC");

  g_assert_cmpint (run_on_terminal (f, g_getenv ("HATAKE_TEST_USER"), g_getenv ("HATAKE_TEST_PASSWORD"),
                                    &screen, "login", basic, NULL), ==, 0);
  g_assert_nonnull (strstr (screen, "Username: "));
  g_assert_nonnull (strstr (screen, "Password: "));
  g_assert_null (strstr (screen, g_getenv ("HATAKE_TEST_PASSWORD")));
  g_assert_nonnull (strstr (screen, "Login Succeeded"));
  config = read_config (f);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (auths_of (config), basic),
                                                  "auth"), ==, auth);
  g_clear_pointer (&screen, g_free);

  /* with -u, only the password; an empty one is refused */
  g_assert_cmpint (run_on_terminal (f, "", "", &screen, "login", "-u", "someone", basic, NULL), ==, 1);
  g_assert_null (strstr (screen, "Username: "));
  g_assert_nonnull (strstr (screen, "Password: "));
  g_assert_nonnull (strstr (screen, "error: password is required"));
}

static gboolean
require_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  if (path != NULL)
    return TRUE;
  if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
    g_error ("%s is missing: build-aux/install-deps.sh test installs it", name);
  g_test_skip_printf ("%s is missing: run build-aux/install-deps.sh test", name);
  return FALSE;
}

/* A password store of the test's own for docker-credential-pass: a GnuPG key without a
 * passphrase, so that nothing asks for one. */
static void
set_up_pass (Fixture *f)
{
  g_autofree char *gnupg = g_build_filename (f->dir, "gnupg", NULL);
  g_autofree char *store = g_build_filename (f->dir, "password-store", NULL);
  const char *keygen[] = { "gpg", "--batch", "--passphrase", "", "--quick-gen-key", HELPER_KEY,
                           "default", "default", "never", NULL };
  const char *init[] = { "pass", "init", HELPER_KEY, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_cmpint (g_mkdir (gnupg, 0700), ==, 0);
  g_setenv ("GNUPGHOME", gnupg, TRUE);
  g_setenv ("PASSWORD_STORE_DIR", store, TRUE);
  f->gpg = TRUE;
  g_spawn_sync (NULL, (char **) keygen, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_spawn_sync (NULL, (char **) init, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* What the helper holds for SERVER: its user name, or NULL. */
static char *
helper_username (const char *server)
{
  const char *argv[] = { "docker-credential-pass", "get", NULL };
  g_autoptr(GSubprocess) helper = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *username;

  helper = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                              | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (helper, server, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  /* pass 0.6 answers a server it has nothing for with empty strings, newer helpers fail */
  if (!g_subprocess_get_successful (helper))
    return NULL;
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  username = json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                            "Username");
  return *username != '\0' ? g_strdup (username) : NULL;
}

/* The same through a credential helper, named for one registry (credHelpers) and for all
 * (credsStore): the helper keeps the credentials, the file an empty entry, as docker does. */
static void
test_login_helper (Fixture *f, gconstpointer data)
{
  const char *basic, *token;
  g_autofree char *basic_image = NULL;
  g_autofree char *token_image = NULL;
  g_autofree char *json = NULL;
  g_autofree char *line = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *username = NULL;
  g_autofree char *auth = test_auth ();
  g_autoptr(JsonNode) config = NULL;
  JsonObject *entry;

  if (!require_services () || !require_program ("docker-credential-pass")
      || !require_program ("pass") || !require_program ("gpg"))
    return;
  basic = g_getenv ("HATAKE_TEST_REGISTRY_BASIC");
  token = g_getenv ("HATAKE_TEST_REGISTRY_TOKEN");
  basic_image = registry_image ("HATAKE_TEST_REGISTRY_BASIC");
  token_image = registry_image ("HATAKE_TEST_REGISTRY_TOKEN");
  line = g_strdup_printf ("%s\n", g_getenv ("HATAKE_TEST_PASSWORD"));
  set_up_pass (f);

  /* credHelpers: pass for the Basic registry, which then answers for it alone: the right
   * password in the file's entry for it is not used */
  json = g_strdup_printf ("{\"credHelpers\":{\"%s\":\"pass\"},\"auths\":{\"%s\":{\"auth\":\"%s\"}}}",
                          basic, basic, auth);
  write_config (f, json, 0600);
  g_assert_cmpint (pull_again (f, basic_image, &err), ==, 1);
  g_assert_nonnull (strstr (err, "pull access denied"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, line, &out, &err, "login", "-u", g_getenv ("HATAKE_TEST_USER"),
                        "--password-stdin", basic, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Login Succeeded\n");
  g_assert_null (strstr (err, "unencrypted"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  username = helper_username (basic);
  g_assert_cmpstr (username, ==, g_getenv ("HATAKE_TEST_USER"));
  g_clear_pointer (&username, g_free);
  config = read_config (f);
  entry = json_object_get_object_member (auths_of (config), basic);
  g_assert_nonnull (entry);
  g_assert_cmpuint (json_object_get_size (entry), ==, 0);
  g_clear_pointer (&config, json_node_unref);
  g_assert_cmpint (pull_again (f, basic_image, NULL), ==, 0);

  g_assert_cmpint (run (f, NULL, &out, NULL, "logout", basic, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_null (helper_username (basic));
  config = read_config (f);
  g_assert_false (json_object_has_member (auths_of (config), basic));
  g_clear_pointer (&config, json_node_unref);
  g_assert_cmpint (pull_again (f, basic_image, &err), ==, 1);
  g_assert_nonnull (strstr (err, "pull access denied"));
  g_clear_pointer (&err, g_free);

  /* credsStore: pass for every registry, here the token one */
  write_config (f, "{\"credsStore\":\"pass\"}", 0600);
  g_assert_cmpint (run (f, line, &out, NULL, "login", "-u", g_getenv ("HATAKE_TEST_USER"),
                        "--password-stdin", token, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Login Succeeded\n");
  g_clear_pointer (&out, g_free);
  username = helper_username (token);
  g_assert_cmpstr (username, ==, g_getenv ("HATAKE_TEST_USER"));
  g_clear_pointer (&username, g_free);
  g_assert_cmpint (pull_again (f, token_image, NULL), ==, 0);
  /* the kept credentials come from the helper too */
  g_assert_cmpint (run (f, NULL, &out, NULL, "login", token, NULL), ==, 0);
  g_assert_true (g_str_has_suffix (out, "Login Succeeded\n"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, NULL, &out, NULL, "logout", token, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_null (helper_username (token));
  g_assert_cmpint (pull_again (f, token_image, &err), ==, 1);
  g_assert_nonnull (strstr (err, "pull access denied"));
}

/* A helper that cannot run: login stores nothing, a pull fails saying so (as docker's do). */
static void
test_login_helper_missing (Fixture *f, gconstpointer data)
{
  const char *basic;
  const char *before = "{\"credsStore\":\"hatake-test-missing\"}";
  g_autofree char *basic_image = NULL;
  g_autofree char *err = NULL;
  g_autofree char *after = NULL;

  if (!require_services ())
    return;
  basic = g_getenv ("HATAKE_TEST_REGISTRY_BASIC");
  basic_image = registry_image ("HATAKE_TEST_REGISTRY_BASIC");
  write_config (f, before, 0600);

  g_assert_cmpint (run (f, g_getenv ("HATAKE_TEST_PASSWORD"), NULL, &err, "login", "-u",
                        g_getenv ("HATAKE_TEST_USER"), "--password-stdin", basic, NULL), ==, 1);
  g_assert_true (g_str_has_prefix (err, "Error saving credentials: error storing credentials - err: "));
  g_assert_true (g_file_get_contents (f->config, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (pull_again (f, basic_image, &err), ==, 1);
  g_assert_nonnull (strstr (err, "error getting credentials"));
}

/* docker's refusals of its flags, before anything is asked of a registry. */
static void
test_login_usage (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *broken = "{\"auths\": {";
  g_autofree char *after = NULL;

  g_assert_cmpint (run (f, NULL, NULL, &err, "login", "-u", "me", "-p", "x", "--password-stdin", NULL),
                   ==, 1);
  g_assert_cmpstr (err, ==, "conflicting options: cannot specify both --password and --password-stdin\n");
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, "x\n", NULL, &err, "login", "--password-stdin", NULL), ==, 1);
  g_assert_cmpstr (err, ==, "the --password-stdin option requires --username to be set\n");
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, NULL, &err, "login", "-u", "me", "-p", "", NULL), ==, 1);
  g_assert_cmpstr (err, ==, "password is empty\n");
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, NULL, &err, "login", "-u", "", NULL), ==, 1);
  g_assert_cmpstr (err, ==, "username is empty\n");
  g_clear_pointer (&err, g_free);
  /* no terminal: nothing to prompt on (an empty --password-stdin is no password) */
  g_assert_cmpint (run (f, NULL, NULL, &err, "login", "-u", "me", "127.0.0.1:1", NULL), ==, 1);
  g_assert_cmpstr (err, ==, "Error: Cannot perform an interactive login from a non TTY device\n");
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, "\n", NULL, &err, "login", "-u", "me", "--password-stdin", NULL), ==, 1);
  g_assert_cmpstr (err, ==, "Error: Cannot perform an interactive login from a non TTY device\n");
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, NULL, &err, "login", "a", "b", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "requires at most 1 argument"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, NULL, &err, "logout", "a", "b", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "requires at most 1 argument"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, NULL, &err, "login", "--no-such-flag", NULL), ==, 125);
  g_clear_pointer (&err, g_free);
  g_assert_false (g_file_test (f->config, G_FILE_TEST_EXISTS));

  /* a file that does not parse is not overwritten */
  write_config (f, broken, 0600);
  g_assert_cmpint (run (f, NULL, &out, &err, "logout", "example.com", NULL), ==, 1);
  g_assert_nonnull (strstr (err, f->config));
  g_assert_true (g_file_get_contents (f->config, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, broken);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add ("/cli/login/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("wrong-password", test_login_wrong_password);
  ADD ("file", test_login_file);
  ADD ("prompt", test_login_prompt);
  ADD ("helper", test_login_helper);
  ADD ("helper-missing", test_login_helper_missing);
  ADD ("usage", test_login_usage);
#undef ADD
  return g_test_run ();
}
