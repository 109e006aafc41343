/* The control socket of imsued (doc/control-protocol.md): a UNIX stream
 * socket, owner-only, one JSON object per line both ways. One server per
 * UE; it answers commands with the UE's functions from ue/ue.h, asks the
 * daemon through hooks for what is the daemon's (quit, reconfigure), and
 * streams events to the clients that asked for them. All I/O is
 * non-blocking on the daemon's loop; a slow or broken client is dropped,
 * never waited for.
 */
#ifndef IMSUE_TOOLS_CTL_H
#define IMSUE_TOOLS_CTL_H

#include <stddef.h>
#include <jansson.h>

#include "ue/loop.h"
#include "ue/ue.h"

#define CTL_MAX_LINE    65536     /* request line, newline included */
#define CTL_MAX_QUEUE   (1 << 20) /* unsent reply and event bytes per client */
#define CTL_MAX_CLIENTS 128
#define CTL_TURN_LINES  32 /* requests answered per client before the others' turn */

struct ctl_server;

struct ctl_hooks {
	/* "quit": stop the daemon. Called after the reply has been queued;
	 * must not free the server from inside the call. */
	void (*quit)(void *arg, struct ctl_server *srv);
	/* "reconfigure": reload this UE's configuration. 0, or -1 with a
	 * reason; must not free the server from inside the call. */
	int (*reconfigure)(void *arg, struct ctl_server *srv, char *err, size_t errlen);
};

struct ctl_params {
	struct ue_loop *loop;
	const char *path; /* socket path; created 0600, parent dir if missing */
	const struct ctl_hooks *hooks;
	void *arg;          /* passed to the hooks */
	size_t max_line;    /* 0: CTL_MAX_LINE */
	size_t max_queue;   /* 0: CTL_MAX_QUEUE */
	size_t max_clients; /* 0: CTL_MAX_CLIENTS */
};

/* Bind and listen. A stale socket file left by a dead daemon is replaced;
 * one that a live process answers on is an error. 0, or -1 with
 * "PATH: reason". */
int ctl_server_new(struct ctl_server **out, const struct ctl_params *p, char *err, size_t errlen);
/* The UE whose commands this socket serves (NULL while it is recreated). */
void ctl_server_set_ue(struct ctl_server *srv, struct ims_ue *ue);
/* Send one event object ({"event":NAME,...}) to every client that sent
 * "events". The caller keeps its reference. */
void ctl_server_event(struct ctl_server *srv, json_t *event);
/* Number of connected clients. */
size_t ctl_server_clients(const struct ctl_server *srv);
const char *ctl_server_path(const struct ctl_server *srv);
/* Close every client, remove the socket file, free. NULL is fine. */
void ctl_server_free(struct ctl_server *srv);

#endif
