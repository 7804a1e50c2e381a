/* udp-echo.c: a UDP server to run inside a container (busybox has none): answers each datagram
 * on PORT with "echo:" and the datagram. Linked statically, so it runs in any image.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int
main (int argc, char **argv)
{
  struct sockaddr_in address = { .sin_family = AF_INET };
  int fd;

  if (argc != 2)
    {
      fprintf (stderr, "usage: udp-echo PORT\n");
      return 2;
    }
  address.sin_port = htons (atoi (argv[1]));
  fd = socket (AF_INET, SOCK_DGRAM, 0);
  if (fd < 0 || bind (fd, (struct sockaddr *) &address, sizeof address) < 0)
    {
      perror ("udp-echo");
      return 1;
    }
  for (;;)
    {
      char in[1024], out[1100];
      struct sockaddr_in peer;
      socklen_t peer_len = sizeof peer;
      ssize_t n = recvfrom (fd, in, sizeof in - 1, 0, (struct sockaddr *) &peer, &peer_len);

      if (n < 0)
        continue;
      in[n] = '\0';
      n = snprintf (out, sizeof out, "echo:%s", in);
      sendto (fd, out, n, 0, (struct sockaddr *) &peer, peer_len);
    }
}
