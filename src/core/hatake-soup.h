/* hatake-soup.h: libsoup, loaded at the first use of HTTP
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup and what it links (krb5, sqlite, nghttp2, brotli, psl, idn2…: 16 libraries) were
 * loaded at every start of hatake, for a registry client, the API server or a client of another
 * engine that most commands never make: ~125 page faults, 4 ms of each command's start here
 * (perf stat of `hatake --version`). They are opened with GModule instead, as libarchive is
 * (hatake-libarchive.c), by the first of those objects to be made, and stay (libsoup registers
 * types: it cannot be unloaded).
 *
 * Code that calls libsoup includes this header instead of <libsoup/soup.h>: its calls, named as
 * libsoup names them, go through the pointers below, valid once hatake_soup_ensure() returned —
 * which HatakeRegistry, HatakeClient and HatakeApiServer call as they are made, before any other
 * use. Only what hatake calls is listed: a call to another function of libsoup fails to link
 * (those of libsoup's own inline functions included: no SOUP_IS_x() or G_TYPE_CHECK casts).
 * Code that links libsoup itself (tests) defines HATAKE_SOUP_NO_REDIRECT to call it directly.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define HATAKE_SOUP_FUNCTIONS(X) \
  X (soup_auth_manager_get_type) \
  X (soup_content_decoder_get_type) \
  X (soup_date_time_new_from_http_string) \
  X (soup_header_free_param_list) \
  X (soup_header_parse_param_list) \
  X (soup_message_add_flags) \
  X (soup_message_body_append) \
  X (soup_message_body_complete) \
  X (soup_message_body_flatten) \
  X (soup_message_body_set_accumulate) \
  X (soup_message_get_reason_phrase) \
  X (soup_message_get_request_headers) \
  X (soup_message_get_response_headers) \
  X (soup_message_get_status) \
  X (soup_message_headers_get_content_length) \
  X (soup_message_headers_get_content_range) \
  X (soup_message_headers_get_content_type) \
  X (soup_message_headers_get_encoding) \
  X (soup_message_headers_get_one) \
  X (soup_message_headers_iter_init) \
  X (soup_message_headers_iter_next) \
  X (soup_message_headers_new) \
  X (soup_message_headers_replace) \
  X (soup_message_headers_set_content_type) \
  X (soup_message_headers_set_encoding) \
  X (soup_message_headers_set_range) \
  X (soup_message_headers_unref) \
  X (soup_message_new) \
  X (soup_message_new_from_uri) \
  X (soup_message_set_request_body) \
  X (soup_message_set_request_body_from_bytes) \
  X (soup_message_set_tls_client_certificate) \
  X (soup_server_add_early_handler) \
  X (soup_server_add_handler) \
  X (soup_server_disconnect) \
  X (soup_server_listen) \
  X (soup_server_listen_socket) \
  X (soup_server_message_get_method) \
  X (soup_server_message_get_request_body) \
  X (soup_server_message_get_request_headers) \
  X (soup_server_message_get_response_body) \
  X (soup_server_message_get_response_headers) \
  X (soup_server_message_get_socket) \
  X (soup_server_message_get_status) \
  X (soup_server_message_get_uri) \
  X (soup_server_message_pause) \
  X (soup_server_message_set_response) \
  X (soup_server_message_set_status) \
  X (soup_server_message_steal_connection) \
  X (soup_server_message_unpause) \
  X (soup_server_new) \
  X (soup_server_set_tls_auth_mode) \
  X (soup_server_set_tls_certificate) \
  X (soup_server_set_tls_database) \
  X (soup_session_abort) \
  X (soup_session_get_async_result_message) \
  X (soup_session_get_type) \
  X (soup_session_new_with_options) \
  X (soup_session_remove_feature_by_type) \
  X (soup_session_send_and_read_async) \
  X (soup_session_send_and_read_finish) \
  X (soup_session_send_async) \
  X (soup_session_send_finish) \
  X (soup_session_set_tls_database)

#define HATAKE_SOUP_VARIABLES(X) \
  X (_SOUP_METHOD_GET) \
  X (_SOUP_METHOD_HEAD) \
  X (_SOUP_METHOD_POST) \
  X (_SOUP_METHOD_PUT)

typedef struct
{
#define HATAKE_SOUP_POINTER(name) __typeof__ (name) *name;
  HATAKE_SOUP_FUNCTIONS (HATAKE_SOUP_POINTER)
  HATAKE_SOUP_VARIABLES (HATAKE_SOUP_POINTER)
#undef HATAKE_SOUP_POINTER
} HatakeSoup;

extern HatakeSoup hatake_soup;

/* Opens libsoup once (thread-safe; cheap after the first); FALSE with ERROR when it cannot */
gboolean hatake_soup_load   (GError **error);
/* The same, for what cannot go on without it: a missing libsoup aborts with its cause, as the
 * dynamic linker did when hatake was linked with it */
void     hatake_soup_ensure (void);

#ifndef HATAKE_SOUP_NO_REDIRECT
#define soup_auth_manager_get_type (*hatake_soup.soup_auth_manager_get_type)
#define soup_content_decoder_get_type (*hatake_soup.soup_content_decoder_get_type)
#define soup_date_time_new_from_http_string (*hatake_soup.soup_date_time_new_from_http_string)
#define soup_header_free_param_list (*hatake_soup.soup_header_free_param_list)
#define soup_header_parse_param_list (*hatake_soup.soup_header_parse_param_list)
#define soup_message_add_flags (*hatake_soup.soup_message_add_flags)
#define soup_message_body_append (*hatake_soup.soup_message_body_append)
#define soup_message_body_complete (*hatake_soup.soup_message_body_complete)
#define soup_message_body_flatten (*hatake_soup.soup_message_body_flatten)
#define soup_message_body_set_accumulate (*hatake_soup.soup_message_body_set_accumulate)
#define soup_message_get_reason_phrase (*hatake_soup.soup_message_get_reason_phrase)
#define soup_message_get_request_headers (*hatake_soup.soup_message_get_request_headers)
#define soup_message_get_response_headers (*hatake_soup.soup_message_get_response_headers)
#define soup_message_get_status (*hatake_soup.soup_message_get_status)
#define soup_message_headers_get_content_length (*hatake_soup.soup_message_headers_get_content_length)
#define soup_message_headers_get_content_range (*hatake_soup.soup_message_headers_get_content_range)
#define soup_message_headers_get_content_type (*hatake_soup.soup_message_headers_get_content_type)
#define soup_message_headers_get_encoding (*hatake_soup.soup_message_headers_get_encoding)
#define soup_message_headers_get_one (*hatake_soup.soup_message_headers_get_one)
#define soup_message_headers_iter_init (*hatake_soup.soup_message_headers_iter_init)
#define soup_message_headers_iter_next (*hatake_soup.soup_message_headers_iter_next)
#define soup_message_headers_new (*hatake_soup.soup_message_headers_new)
#define soup_message_headers_replace (*hatake_soup.soup_message_headers_replace)
#define soup_message_headers_set_content_type (*hatake_soup.soup_message_headers_set_content_type)
#define soup_message_headers_set_encoding (*hatake_soup.soup_message_headers_set_encoding)
#define soup_message_headers_set_range (*hatake_soup.soup_message_headers_set_range)
#define soup_message_headers_unref (*hatake_soup.soup_message_headers_unref)
#define soup_message_new (*hatake_soup.soup_message_new)
#define soup_message_new_from_uri (*hatake_soup.soup_message_new_from_uri)
#define soup_message_set_request_body (*hatake_soup.soup_message_set_request_body)
#define soup_message_set_request_body_from_bytes (*hatake_soup.soup_message_set_request_body_from_bytes)
#define soup_message_set_tls_client_certificate (*hatake_soup.soup_message_set_tls_client_certificate)
#define soup_server_add_early_handler (*hatake_soup.soup_server_add_early_handler)
#define soup_server_add_handler (*hatake_soup.soup_server_add_handler)
#define soup_server_disconnect (*hatake_soup.soup_server_disconnect)
#define soup_server_listen (*hatake_soup.soup_server_listen)
#define soup_server_listen_socket (*hatake_soup.soup_server_listen_socket)
#define soup_server_message_get_method (*hatake_soup.soup_server_message_get_method)
#define soup_server_message_get_request_body (*hatake_soup.soup_server_message_get_request_body)
#define soup_server_message_get_request_headers (*hatake_soup.soup_server_message_get_request_headers)
#define soup_server_message_get_response_body (*hatake_soup.soup_server_message_get_response_body)
#define soup_server_message_get_response_headers (*hatake_soup.soup_server_message_get_response_headers)
#define soup_server_message_get_socket (*hatake_soup.soup_server_message_get_socket)
#define soup_server_message_get_status (*hatake_soup.soup_server_message_get_status)
#define soup_server_message_get_uri (*hatake_soup.soup_server_message_get_uri)
#define soup_server_message_pause (*hatake_soup.soup_server_message_pause)
#define soup_server_message_set_response (*hatake_soup.soup_server_message_set_response)
#define soup_server_message_set_status (*hatake_soup.soup_server_message_set_status)
#define soup_server_message_steal_connection (*hatake_soup.soup_server_message_steal_connection)
#define soup_server_message_unpause (*hatake_soup.soup_server_message_unpause)
#define soup_server_new (*hatake_soup.soup_server_new)
#define soup_server_set_tls_auth_mode (*hatake_soup.soup_server_set_tls_auth_mode)
#define soup_server_set_tls_certificate (*hatake_soup.soup_server_set_tls_certificate)
#define soup_server_set_tls_database (*hatake_soup.soup_server_set_tls_database)
#define soup_session_abort (*hatake_soup.soup_session_abort)
#define soup_session_get_async_result_message (*hatake_soup.soup_session_get_async_result_message)
#define soup_session_get_type (*hatake_soup.soup_session_get_type)
#define soup_session_new_with_options (*hatake_soup.soup_session_new_with_options)
#define soup_session_remove_feature_by_type (*hatake_soup.soup_session_remove_feature_by_type)
#define soup_session_send_and_read_async (*hatake_soup.soup_session_send_and_read_async)
#define soup_session_send_and_read_finish (*hatake_soup.soup_session_send_and_read_finish)
#define soup_session_send_async (*hatake_soup.soup_session_send_async)
#define soup_session_send_finish (*hatake_soup.soup_session_send_finish)
#define soup_session_set_tls_database (*hatake_soup.soup_session_set_tls_database)
#define _SOUP_METHOD_GET (*hatake_soup._SOUP_METHOD_GET)
#define _SOUP_METHOD_HEAD (*hatake_soup._SOUP_METHOD_HEAD)
#define _SOUP_METHOD_POST (*hatake_soup._SOUP_METHOD_POST)
#define _SOUP_METHOD_PUT (*hatake_soup._SOUP_METHOD_PUT)
#endif

G_END_DECLS
