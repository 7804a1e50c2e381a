/* hatake-ssh-tunnel.h: an engine on another machine, reached through the system's ssh
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HATAKE_TYPE_SSH_TUNNEL (hatake_ssh_tunnel_get_type ())
G_DECLARE_FINAL_TYPE (HatakeSshTunnel, hatake_ssh_tunnel, HATAKE, SSH_TUNNEL, GObject)

/* A private Unix socket (in a folder only this user reaches) whose every connection is carried
 * by an `ssh [-l USER] [-p PORT] HOST` running `hatake system dial-stdio` there (else `docker
 * system dial-stdio`), as docker's ssh:// connections are. The ssh program is HATAKE_SSH when
 * set (a command line, e.g. "ssh -F FILE"), else ssh. */
HatakeSshTunnel *hatake_ssh_tunnel_new             (const char       *user,
                                                    const char       *host,
                                                    guint16           port,
                                                    GError          **error);
const char      *hatake_ssh_tunnel_get_socket_path (HatakeSshTunnel  *self);
/* What the last ssh that failed said on its standard error (NULL when none failed) */
const char      *hatake_ssh_tunnel_get_last_error  (HatakeSshTunnel  *self);

G_END_DECLS
