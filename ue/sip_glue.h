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

#endif
