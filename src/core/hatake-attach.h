/* hatake-attach.h: a live connection to a container's stdio (attach, run -it)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hatake-flow.h"

#include "hatake-log-entry.h"

G_BEGIN_DECLS

#define HATAKE_TYPE_ATTACH (hatake_attach_get_type ())
G_DECLARE_FINAL_TYPE (HatakeAttach, hatake_attach, HATAKE, ATTACH, GObject)

typedef void (*HatakeAttachResizeFunc) (guint    width,
                                        guint    height,
                                        gpointer user_data);

/* A stream that wraps a connection (a hijacked HTTP connection read through a buffer) names it
 * (its GSocketConnection, or its GTlsConnection) in its object data under this key, so that the
 * input's end is the connection's half close (TLS: its close_notify) */
#define HATAKE_ATTACH_CONNECTION_KEY "hatake-socket-connection"

/* stream carries the container's output and takes its input. Engines frame output differently:
 * with conmon_framing, each packet read starts with one byte naming the stream (2 stdout,
 * 3 stderr), as conmon's attach socket sends it. */
HatakeAttach *hatake_attach_new    (GIOStream              *stream,
                                    gboolean                conmon_framing,
                                    HatakeAttachResizeFunc  resize,
                                    gpointer                resize_data,
                                    GDestroyNotify          resize_data_free);
/* The output is docker's multiplexed stream (8-byte frame headers naming stdout or stderr), as
 * the Docker Engine API sends a container without a terminal: before hatake_attach_start(). */
void          hatake_attach_set_docker_framing (HatakeAttach  *self);
/* What "output" goes to may say it has too much: no more is read while flow is held (the
 * peer then waits, as docker's attached clients make a container wait). Before the start. */
void          hatake_attach_set_flow (HatakeAttach         *self,
                                      HatakeFlow           *flow);
/* Starts reading: "output" (HatakeLogStream, GBytes *) for each chunk, then "closed" once. */
void          hatake_attach_start  (HatakeAttach           *self);
void          hatake_attach_write  (HatakeAttach           *self,
                                    GBytes                 *bytes);
/* No more input: once what was written is out, the container's stdin sees its end. */
void          hatake_attach_end_input (HatakeAttach        *self);
void          hatake_attach_resize (HatakeAttach           *self,
                                    guint                   width,
                                    guint                   height);
void          hatake_attach_close  (HatakeAttach           *self);

G_END_DECLS
