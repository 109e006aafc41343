/* The SIP transport of the UE: client transactions and incoming requests
 * over Sofia-SIP nta, seen through plain C types. ue/sip_glue.c is the only
 * file that includes Sofia-SIP; everything above it builds requests as text
 * (ue/msg.h) and reads messages as (name, value) header lists.
 */
#ifndef IMSUE_UE_SIP_GLUE_H
#define IMSUE_UE_SIP_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ue/loop.h"

struct sip_glue;
struct sip_out;

/* One header field of a received message. Multi-valued headers that the
 * stack knows (Contact, Via, Route, ...) come one value per entry; headers
 * it does not know (P-Associated-URI, Security-Server, ...) come one entry
 * per header line, values as received. */
struct sip_hdr {
	const char *name;  /* full name ("Contact", never "m") */
	const char *value; /* the field value, without the name and CRLF */
};

/* A received message, valid only during the callback that passes it. */
struct sip_view {
	int status;         /* responses: the status code; requests: 0 */
	const char *phrase; /* responses */
	const char *method; /* requests */
	const char *ruri;   /* requests */
	bool local;         /* made by the stack itself: timer F, transport error */
	const struct sip_hdr *hdrs;
	size_t n_hdrs;
	const char *body;
	size_t body_len;
};

/* Called for the final response of a client transaction (provisional ones
 * are not reported). The transaction is finished when this returns: o must
 * not be used afterwards. */
typedef void (*sip_glue_resp_cb)(void *arg, struct sip_out *o, const struct sip_view *v);

/* An incoming request outside any transaction we own. Return the status
 * code to answer it with (e.g. 200, 481, 501). */
typedef int (*sip_glue_req_cb)(void *arg, const struct sip_view *v);

/* One log line (no CRLF), e.g. a sent request for the debug trace. */
typedef void (*sip_glue_log_cb)(void *arg, int level, const char *line);

struct sip_glue_params {
	struct ue_loop *loop;
	const char *ident;        /* transport ident (TPTAG_IDENT), e.g. the UE name */
	const char *local_ip;     /* address to bind; NULL or "" = 127.0.0.1 */
	uint16_t port;            /* UDP and TCP port; 0 = any free */
	unsigned long t1_ms;      /* SIP T1; 0 = 500 */
	unsigned long timer_f_ms; /* non-INVITE transaction timeout; 0 = 64 * T1 */
	sip_glue_req_cb on_request;
	sip_glue_log_cb log;
	void *arg;
	bool tls;                 /* also a TLS transport (doc/tls.md) */
	const char *tls_ca_file;  /* trusted CAs; NULL or "" = the system store */
	bool tls_names_by_stack;  /* every TLS peer is a DNS name: Sofia checks it too */
	const char *pcap;         /* signalling trace file (ue/pcap.h); NULL or "" = none */
};

/* Create the transport: bind UDP and TCP on local_ip:port. 0, or -1 with
 * a one-line reason in err. */
int sip_glue_new(struct sip_glue **out, const struct sip_glue_params *p, char *err, size_t errlen);
/* Stop every transaction (no more callbacks) and close the sockets. */
void sip_glue_free(struct sip_glue *g);

/* The address and port actually bound (the port is shared by UDP and TCP). */
const char *sip_glue_local_host(const struct sip_glue *g);
uint16_t sip_glue_local_port(const struct sip_glue *g);

/* Send a request as a client transaction. text holds the request line and
 * header fields, CRLF separated, without Via (the transport adds it, with
 * rport) and without Content-Length; body may be NULL. next_hop is the URL
 * of the first hop, e.g. "sip:192.0.2.1:5060;transport=tcp". The response
 * callback runs once, for the final response (or a local 408/503 when timer
 * F fires or the transport fails). Returns NULL with err on failure. */
struct sip_out *sip_glue_send(struct sip_glue *g, const char *next_hop, const char *text,
			      const char *body, sip_glue_resp_cb cb, void *arg, char *err,
			      size_t errlen);

/* Forget a pending transaction: its callback will not run. */
void sip_glue_out_cancel(struct sip_out *o);

/* IPsec (doc/ipsec.md): a UDP transport bound on local_ip:port, for the
 * UE's protected client port (port-c) or server port (port-s) of a
 * security-association set. Binding a port already bound is a no-op.
 * 0, or -1 with a reason (e.g. the port is in use). */
int sip_glue_sa_bind(struct sip_glue *g, uint16_t port, char *err, size_t errlen);
/* The set is gone: stop sending over port. Sofia cannot remove a bound
 * transport, so it stays bound (and counts against the 16 protected ports
 * a glue can have) until sip_glue_free; binding the port again reuses it.
 * Ends the route below if it used that port. */
void sip_glue_sa_unbind(struct sip_glue *g, uint16_t port);
/* Route later requests over the set: sent from port_c (bound above) to the
 * next hop given to sip_glue_send (the P-CSCF's port-s), with port_s as
 * the Via sent-by port (TS 24.229 5.1.1.2.1, TS 33.203 7.1). port_c 0
 * returns to the unprotected transport. UDP only: Sofia binds outgoing TCP
 * to port 0, so a TCP next hop is refused while a route is set. */
void sip_glue_sa_route(struct sip_glue *g, uint16_t port_c, uint16_t port_s);

/* TLS towards the P-CSCF (doc/tls.md). A request whose next hop is
 * "sip:HOST:PORT;transport=tls" (or sips:) goes over the one pinned TLS
 * session to HOST:PORT. Without one, a new session is set up and the
 * certificate verified (sec/tls.h policy: CA file, HOST as DNS name or IP
 * address, TLS 1.2 minimum) before anything is sent; on failure
 * sip_glue_send() returns NULL with the one-line sec_tls_fail_describe()
 * reason and sip_glue_tls_last_fail() tells the kind. A session that has
 * gone away is never silently replaced: the next send fails once with
 * "(session-lost)" and only the send after it sets up a new session.
 * Returns 1 while the pinned session is up, 0 without one, -1 if it was
 * lost (and is now forgotten). */
int sip_glue_tls_state(struct sip_glue *g);
/* Close the pinned TLS session (deregistration, shutdown). */
void sip_glue_tls_close(struct sip_glue *g);
/* Our TLS listening port (Via/Contact of requests over TLS), 0 without TLS. */
uint16_t sip_glue_tls_port(const struct sip_glue *g);
/* enum sec_tls_fail of the last TLS session set-up (SEC_TLS_OK = 0). */
int sip_glue_tls_last_fail(const struct sip_glue *g);

#endif
