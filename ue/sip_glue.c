/* The one file that talks to Sofia-SIP: the event loop of ue/loop.h on
 * su_root, and the SIP transport of ue/sip_glue.h on nta. Nothing Sofia
 * leaves this file; everything above it sees plain C types. */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NTA_AGENT_MAGIC_T    void
#define NTA_OUTGOING_MAGIC_T void
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/sresolv.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_strlst.h>

#include "sec/tls.h"
#include "ue/loop.h"
#include "ue/pcap.h"
#include "ue/sip_glue.h"

/* ------------------------------------------------------------------ */
/* Event loop                                                          */

struct ue_loop {
	su_root_t *root;
};

/* Objects freed from inside their own callback are released once the
 * callback has returned (the contract of ue/loop.h). */
struct ue_timer {
	struct ue_loop *loop;
	su_timer_t *t;
	ue_timer_cb cb;
	void *arg;
	bool active, in_cb, dead;
};

struct ue_watch {
	struct ue_loop *loop;
	su_wait_t wait;
	int index;
	int fd;
	unsigned events;
	ue_fd_cb cb;
	void *arg;
	bool in_cb, dead;
};

static int loop_su_events(unsigned events)
{
	int ev = 0;

	if (events & UE_FD_IN)
		ev |= SU_WAIT_IN;
	if (events & UE_FD_OUT)
		ev |= SU_WAIT_OUT;
	if (events & UE_FD_ERR)
		ev |= SU_WAIT_ERR | SU_WAIT_HUP;
	return ev;
}

struct ue_loop *ue_loop_new(void)
{
	struct ue_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	if (su_init() != 0) {
		free(loop);
		return NULL;
	}
	loop->root = su_root_create(loop);
	if (!loop->root) {
		su_deinit();
		free(loop);
		return NULL;
	}
	return loop;
}

void ue_loop_free(struct ue_loop *loop)
{
	if (!loop)
		return;
	su_root_destroy(loop->root);
	su_deinit();
	free(loop);
}

int ue_loop_run(struct ue_loop *loop)
{
	su_root_run(loop->root);
	return 0;
}

void ue_loop_quit(struct ue_loop *loop)
{
	su_root_break(loop->root);
}

void ue_loop_step(struct ue_loop *loop, long timeout_ms)
{
	if (timeout_ms < 0)
		timeout_ms = 0;
	if (timeout_ms > INT_MAX / 2)
		timeout_ms = INT_MAX / 2;
	su_root_step(loop->root, (su_duration_t)timeout_ms);
}

static void loop_timer_fire(su_root_magic_t *magic, su_timer_t *st, su_timer_arg_t *arg)
{
	struct ue_timer *t = arg;

	(void)magic;
	(void)st;
	t->active = false;
	t->in_cb = true;
	t->cb(t->arg);
	t->in_cb = false;
	if (t->dead) {
		su_timer_destroy(t->t);
		free(t);
	}
}

struct ue_timer *ue_timer_new(struct ue_loop *loop, ue_timer_cb cb, void *arg)
{
	struct ue_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->loop = loop;
	t->cb = cb;
	t->arg = arg;
	t->t = su_timer_create(su_root_task(loop->root), 0);
	if (!t->t) {
		free(t);
		return NULL;
	}
	return t;
}

void ue_timer_start(struct ue_timer *t, unsigned long ms)
{
	/* su_duration_t is a signed 32-bit count of milliseconds. */
	if (ms > INT_MAX / 2)
		ms = INT_MAX / 2;
	su_timer_reset(t->t);
	t->active = su_timer_set_interval(t->t, loop_timer_fire, t, (su_duration_t)ms) == 0;
}

void ue_timer_stop(struct ue_timer *t)
{
	if (!t)
		return;
	su_timer_reset(t->t);
	t->active = false;
}

int ue_timer_active(const struct ue_timer *t)
{
	return t && t->active;
}

void ue_timer_free(struct ue_timer *t)
{
	if (!t)
		return;
	su_timer_reset(t->t);
	t->active = false;
	if (t->in_cb) {
		t->dead = true;
		return;
	}
	su_timer_destroy(t->t);
	free(t);
}

static int loop_watch_fire(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct ue_watch *wa = arg;
	int rev = su_wait_events(w, wa->fd);
	unsigned ev = 0;

	(void)magic;
	if (rev & SU_WAIT_IN)
		ev |= UE_FD_IN;
	if (rev & SU_WAIT_OUT)
		ev |= UE_FD_OUT;
	if (rev & (SU_WAIT_ERR | SU_WAIT_HUP))
		ev |= UE_FD_ERR;
	if (!ev || wa->dead)
		return 0;
	wa->in_cb = true;
	wa->cb(wa->arg, wa->fd, ev);
	wa->in_cb = false;
	if (wa->dead)
		free(wa);
	return 0;
}

struct ue_watch *ue_watch_fd(struct ue_loop *loop, int fd, unsigned events, ue_fd_cb cb, void *arg)
{
	struct ue_watch *wa = calloc(1, sizeof(*wa));

	if (!wa)
		return NULL;
	wa->loop = loop;
	wa->fd = fd;
	wa->events = events;
	wa->cb = cb;
	wa->arg = arg;
	if (su_wait_create(&wa->wait, fd, loop_su_events(events)) != 0) {
		free(wa);
		return NULL;
	}
	wa->index = su_root_register(loop->root, &wa->wait, loop_watch_fire, wa, 0);
	if (wa->index <= 0) {
		su_wait_destroy(&wa->wait);
		free(wa);
		return NULL;
	}
	return wa;
}

void ue_watch_events(struct ue_watch *w, unsigned events)
{
	if (!w || w->dead)
		return;
	w->events = events;
	su_root_eventmask(w->loop->root, w->index, w->fd, loop_su_events(events));
}

void ue_watch_free(struct ue_watch *w)
{
	if (!w || w->dead)
		return;
	su_root_deregister(w->loop->root, w->index);
	/* su_root_deregister() already destroyed the wait object. */
	w->dead = true;
	if (!w->in_cb)
		free(w);
}

/* ------------------------------------------------------------------ */
/* SIP transport on nta                                                */

struct sip_glue {
	struct ue_loop *loop;
	nta_agent_t *agent;
	su_home_t home[1];
	char ident[64];
	char host[64];
	uint16_t port;
	sip_glue_req_cb on_request;
	sip_glue_log_cb log;
	void *arg;
	struct sip_out *outs; /* pending client transactions */
	struct ue_pcap_tap *pcap; /* [debug] pcap: converts Sofia's transport dump */
	struct glue_tls *tls; /* TLS towards the P-CSCF (doc/tls.md), NULL without */
	/* IPsec (doc/ipsec.md): UDP transports on protected ports, and the
	 * route requests take while a set is in use (port_c 0: none). */
	struct {
		uint16_t port;
		tport_t *tp;
	} sa_tp[16];
	uint16_t sa_port_c, sa_port_s;
};

struct sip_out {
	struct sip_glue *g;
	struct sip_out *next;
	nta_outgoing_t *orq;
	sip_glue_resp_cb cb;
	void *arg;
	bool in_cb, dead;
	tport_t *tls_tp; /* the TLS session this request is pinned to */
	bool tls;        /* next hop is TLS */
};

/* TLS towards the P-CSCF; defined at the end of this file. */
struct glue_tls;
static int glue_tls_new(struct sip_glue *g, const char *ip, const char *ca_file,
			bool verify_names, char *err, size_t errlen);
static void glue_tls_release(struct sip_glue *g);
static void glue_tls_close_all(struct sip_glue *g);
static void glue_tls_free(struct sip_glue *g);
static int glue_tls_prepare(struct sip_glue *g, struct sip_out *o, const char *next_hop,
			    char *err, size_t errlen);
static void glue_tls_response(struct sip_out *o, nta_outgoing_t *orq, msg_t *msg,
			      struct sip_view *v);

static void glue_log(struct sip_glue *g, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static tport_t *glue_sa_prepare(struct sip_glue *g, msg_t *msg, const char *next_hop, char *err,
				size_t errlen);

static void glue_log(struct sip_glue *g, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!g->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	g->log(g->arg, level, line);
}

/* A received message as (name, value) pairs: the one place where Sofia's
 * parsed headers (known ones and the sip_unknown ones alike) are turned
 * into text for the layers above. */
struct glue_view {
	struct sip_view v;
	struct sip_hdr *h;
	size_t cap;
	char *strs; /* all strings, one allocation per header, freed below */
};

static char *glue_header_value(const msg_header_t *h)
{
	char small[1024];
	issize_t n = msg_header_field_e(small, sizeof(small), h, 0);
	char *s;

	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof(small))
		return strdup(small);
	s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	if (msg_header_field_e(s, n + 1, h, 0) != n) {
		free(s);
		return NULL;
	}
	return s;
}

static void glue_view_clear(struct glue_view *gv)
{
	for (size_t i = 0; i < gv->v.n_hdrs; i++) {
		free((char *)gv->h[i].name);
		free((char *)gv->h[i].value);
	}
	free(gv->h);
	free((char *)gv->v.phrase);
	free((char *)gv->v.method);
	free((char *)gv->v.ruri);
	memset(gv, 0, sizeof(*gv));
}

static int glue_view_add(struct glue_view *gv, const char *name, char *value)
{
	if (gv->v.n_hdrs == gv->cap) {
		size_t cap = gv->cap ? gv->cap * 2 : 32;
		struct sip_hdr *h = realloc(gv->h, cap * sizeof(*h));

		if (!h)
			return -1;
		gv->h = h;
		gv->cap = cap;
	}
	gv->h[gv->v.n_hdrs].name = strdup(name);
	gv->h[gv->v.n_hdrs].value = value;
	if (!gv->h[gv->v.n_hdrs].name)
		return -1;
	gv->v.n_hdrs++;
	gv->v.hdrs = gv->h;
	return 0;
}

static int glue_view_fill(struct glue_view *gv, msg_t *msg)
{
	sip_t const *sip = sip_object(msg);
	msg_header_t *h;

	memset(gv, 0, sizeof(*gv));
	if (!sip)
		return -1;
	if (sip->sip_status) {
		gv->v.status = sip->sip_status->st_status;
		gv->v.phrase = strdup(sip->sip_status->st_phrase ? sip->sip_status->st_phrase : "");
	} else if (sip->sip_request) {
		char *u = url_as_string(NULL, sip->sip_request->rq_url);

		gv->v.method = strdup(sip->sip_request->rq_method_name);
		gv->v.ruri = u ? strdup(u) : strdup("");
		su_free(NULL, u);
	}
	gv->v.local = nta_msg_is_internal(msg) != 0;
	h = msg_chain_head(msg) ? *msg_chain_head(msg) : NULL;
	for (; h; h = h->sh_succ) {
		msg_hclass_t const *hc = h->sh_class;
		const char *name;
		char *value;

		if (!hc || hc == sip_request_class || hc == sip_status_class ||
		    hc == sip_separator_class || hc == sip_payload_class || hc == sip_error_class)
			continue;
		if (hc == sip_unknown_class)
			name = ((sip_unknown_t *)h)->un_name;
		else
			name = hc->hc_name;
		if (!name)
			continue;
		if (hc == sip_unknown_class)
			value = strdup(((sip_unknown_t *)h)->un_value
					       ? ((sip_unknown_t *)h)->un_value
					       : "");
		else
			value = glue_header_value(h);
		if (!value || glue_view_add(gv, name, value) != 0) {
			free(value);
			glue_view_clear(gv);
			return -1;
		}
	}
	if (sip->sip_payload) {
		gv->v.body = sip->sip_payload->pl_data;
		gv->v.body_len = sip->sip_payload->pl_len;
	}
	return 0;
}

static void glue_out_unlink(struct sip_out *o)
{
	struct sip_out **pp;

	for (pp = &o->g->outs; *pp; pp = &(*pp)->next)
		if (*pp == o) {
			*pp = o->next;
			break;
		}
}

static int glue_response(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, sip_t const *sip)
{
	struct sip_out *o = (struct sip_out *)magic;
	struct glue_view gv;
	msg_t *msg;
	int status = sip && sip->sip_status ? sip->sip_status->st_status : 0;

	if (status < 200)
		return 0;
	msg = nta_outgoing_getresponse(orq);
	if (!msg || glue_view_fill(&gv, msg) != 0) {
		memset(&gv, 0, sizeof(gv));
		gv.v.status = status ? status : 500;
		gv.v.phrase = strdup("Unreadable response");
		gv.v.local = true;
	}
	glue_log(o->g, 2, "received %d %s", gv.v.status, gv.v.phrase ? gv.v.phrase : "");
	glue_tls_response(o, orq, msg, &gv.v);
	glue_out_unlink(o);
	o->in_cb = true;
	if (!o->dead)
		o->cb(o->arg, o, &gv.v);
	glue_view_clear(&gv);
	if (msg)
		msg_destroy(msg);
	nta_outgoing_destroy(orq);
	free(o);
	return 0;
}

static int glue_agent_cb(nta_agent_magic_t *magic, nta_agent_t *agent, msg_t *msg, sip_t *sip)
{
	struct sip_glue *g = (struct sip_glue *)magic;
	struct glue_view gv;
	int status = 501;

	if (!sip || !sip->sip_request) {
		/* A stray response (no transaction of ours): drop it. */
		nta_msg_discard(agent, msg);
		return 0;
	}
	if (sip->sip_request->rq_method == sip_method_ack) {
		nta_msg_discard(agent, msg);
		return 0;
	}
	if (glue_view_fill(&gv, msg) == 0) {
		glue_log(g, 2, "received request %s", gv.v.method);
		if (g->on_request)
			status = g->on_request(g->arg, &gv.v);
		glue_view_clear(&gv);
	}
	if (status < 200 || status > 699)
		status = 500;
	nta_msg_treply(agent, msg, status, NULL, TAG_END());
	return 0;
}

int sip_glue_new(struct sip_glue **out, const struct sip_glue_params *p, char *err, size_t errlen)
{
	struct sip_glue *g;
	char url[128];
	sip_via_t const *v;
	unsigned t1 = p->t1_ms ? (unsigned)p->t1_ms : NTA_SIP_T1;
	unsigned tf = p->timer_f_ms ? (unsigned)p->timer_f_ms : 64 * t1;
	const char *ip = p->local_ip && *p->local_ip ? p->local_ip : "127.0.0.1";

	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	su_home_init(g->home);
	g->loop = p->loop;
	g->on_request = p->on_request;
	g->log = p->log;
	g->arg = p->arg;
	snprintf(g->ident, sizeof(g->ident), "%s", p->ident && *p->ident ? p->ident : "ue");
	g->agent =
		nta_agent_create(p->loop->root, (url_string_t const *)(intptr_t)-1, glue_agent_cb,
				 (nta_agent_magic_t *)g, NTATAG_CLIENT_RPORT(1), NTATAG_SIP_T1(t1),
				 NTATAG_SIP_T1X64(tf), NTATAG_UA(1),
				 /* RFC 3263 lookups of FQDN P-CSCFs use nta's resolver;
				  * IMSUE_RESOLV_CONF names another resolv.conf (tests,
				  * labs; Sofia's "port N" directive is understood). */
				 TAG_IF(getenv("IMSUE_RESOLV_CONF") && *getenv("IMSUE_RESOLV_CONF"),
					SRESTAG_RESOLV_CONF(getenv("IMSUE_RESOLV_CONF"))),
				 TAG_END());
	if (!g->agent) {
		snprintf(err, errlen, "cannot create the SIP agent: %s", strerror(errno));
		goto fail;
	}
	if (strchr(ip, ':'))
		snprintf(url, sizeof(url), "sip:[%s]:%s", ip, "*");
	else
		snprintf(url, sizeof(url), "sip:%s:%s", ip, "*");
	if (p->port) {
		char *star = strrchr(url, '*');

		snprintf(star, sizeof(url) - (size_t)(star - url), "%u", p->port);
	}
	if (p->pcap && *p->pcap &&
	    ue_pcap_tap_new(&g->pcap, p->loop, p->pcap, g->log, g->arg, err, errlen) != 0)
		goto fail;
	if (nta_agent_add_tport(g->agent, (url_string_t const *)url, TPTAG_IDENT(g->ident),
				TAG_IF(g->pcap, TPTAG_DUMP(g->pcap ? ue_pcap_tap_dump_path(g->pcap)
								   : NULL)),
				TAG_END()) < 0) {
		snprintf(err, errlen, "cannot bind SIP transports on %s: %s", url, strerror(errno));
		goto fail;
	}
	if (p->tls && glue_tls_new(g, ip, p->tls_ca_file, p->tls_names_by_stack, err, errlen) != 0)
		goto fail;
	v = nta_agent_via(g->agent);
	if (!v || !v->v_port) {
		snprintf(err, errlen, "SIP transport on %s has no address", url);
		goto fail;
	}
	snprintf(g->host, sizeof(g->host), "%s", v->v_host);
	g->port = (uint16_t)strtoul(v->v_port, NULL, 10);
	ue_pcap_tap_set_local(g->pcap, g->host, g->port);
	for (; v; v = v->v_next)
		glue_log(g, 2, "listening on %s %s:%s", v->v_protocol, v->v_host,
			 v->v_port ? v->v_port : "");
	*out = g;
	return 0;
fail:
	if (g->agent)
		nta_agent_destroy(g->agent);
	glue_tls_free(g);
	ue_pcap_tap_free(g->pcap);
	su_home_deinit(g->home);
	free(g);
	return -1;
}

void sip_glue_free(struct sip_glue *g)
{
	if (!g)
		return;
	while (g->outs) {
		struct sip_out *o = g->outs;

		g->outs = o->next;
		nta_outgoing_destroy(o->orq);
		free(o);
	}
	glue_tls_close_all(g);
	nta_agent_destroy(g->agent);
	glue_tls_free(g);
	ue_pcap_tap_free(g->pcap); /* after the agent: its last messages too */
	su_home_deinit(g->home);
	free(g);
}

const char *sip_glue_local_host(const struct sip_glue *g)
{
	return g->host;
}

uint16_t sip_glue_local_port(const struct sip_glue *g)
{
	return g->port;
}

struct sip_out *sip_glue_send(struct sip_glue *g, const char *next_hop, const char *text,
			      const char *body, sip_glue_resp_cb cb, void *arg, char *err,
			      size_t errlen)
{
	struct sip_out *o;
	msg_t *msg;
	sip_t *sip;
	sip_request_t *rq;
	const char *eol = strstr(text, "\r\n");
	char *line, *hdrs;
	tport_t *sa_tp;

	if (!eol) {
		snprintf(err, errlen, "request has no header fields");
		return NULL;
	}
	msg = nta_msg_create(g->agent, 0);
	if (!msg) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sip = sip_object(msg);
	line = su_strndup(msg_home(msg), text, (isize_t)(eol - text));
	hdrs = su_strdup(msg_home(msg), eol + 2);
	rq = line ? sip_request_make(msg_home(msg), line) : NULL;
	if (!rq || !hdrs || msg_header_insert(msg, (msg_pub_t *)sip, (msg_header_t *)rq) < 0) {
		snprintf(err, errlen, "bad request line");
		msg_destroy(msg);
		return NULL;
	}
	if (msg_header_parse_str(msg, (msg_pub_t *)sip, hdrs) < 0) {
		snprintf(err, errlen, "bad header fields in request");
		msg_destroy(msg);
		return NULL;
	}
	if (body && *body) {
		sip_payload_t *pl = sip_payload_make(msg_home(msg), body);

		if (!pl || msg_header_insert(msg, (msg_pub_t *)sip, (msg_header_t *)pl) < 0) {
			snprintf(err, errlen, "bad body");
			msg_destroy(msg);
			return NULL;
		}
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		snprintf(err, errlen, "out of memory");
		msg_destroy(msg);
		return NULL;
	}
	o->g = g;
	o->cb = cb;
	o->arg = arg;
	if (glue_tls_prepare(g, o, next_hop, err, errlen) != 0) {
		msg_destroy(msg);
		free(o);
		return NULL;
	}
	sa_tp = o->tls ? NULL : glue_sa_prepare(g, msg, next_hop, err, errlen);
	if (!o->tls && g->sa_port_c && !sa_tp) {
		msg_destroy(msg);
		free(o);
		return NULL;
	}
	o->orq = nta_outgoing_mcreate(g->agent, glue_response, (nta_outgoing_magic_t *)o,
				      (url_string_t const *)next_hop, msg,
				      TAG_IF(o->tls_tp != NULL, NTATAG_TPORT(o->tls_tp)),
				      TAG_IF(sa_tp != NULL, NTATAG_TPORT(sa_tp)),
				      TAG_IF(sa_tp != NULL, NTATAG_USER_VIA(1)), TAG_END());
	if (!o->orq) {
		snprintf(err, errlen, "cannot send %s via %s", rq->rq_method_name, next_hop);
		msg_destroy(msg);
		free(o);
		return NULL;
	}
	o->next = g->outs;
	g->outs = o;
	glue_log(g, 2, "sent %s via %s", rq->rq_method_name, next_hop);
	return o;
}

void sip_glue_out_cancel(struct sip_out *o)
{
	if (!o || o->dead)
		return;
	o->dead = true;
	if (o->in_cb)
		return; /* freed by glue_response once the callback returns */
	glue_out_unlink(o);
	nta_outgoing_destroy(o->orq);
	free(o);
}

/* ------------------------------------------------------------------ */
/* TLS towards the P-CSCF (doc/tls.md)                                 */

/* Sofia verifies the chain, the dates and (TPTLS_VERIFY_SUBJECTS_OUT) that
 * the host we dialled is among the certificate's subjectAltNames or its
 * CN, but it reports none of this to us and it accepts a CN even next to
 * dNSNames. So every new session is first probed with sec/tls.h, which
 * applies the strict policy and names the failure; Sofia's own check then
 * guards the session that carries the requests. A session, once up, is
 * pinned (NTATAG_TPORT): if it goes away it is reported as lost, never
 * silently replaced by a new connection (TS 24.229 5.1.1.5.7). */
struct glue_tls {
	struct sec_tls_policy pol;
	char ca_file[4096];
	unsigned timeout_ms;
	uint16_t port;       /* our TLS listening port */
	tport_t *tp;         /* the pinned session (referenced) */
	char peer_host[256];
	uint16_t peer_port;
	char probe_names[1024]; /* sec_tls_cert_names() of the verified certificate */
	enum sec_tls_fail last_fail;
	char last_err[300];
};

/* Exported by libsofia-sip-ua, not declared in its public headers. */
extern su_log_t tport_log[];

/* Sofia's tport log (its TLS set-up complains about the client certificate
 * we do not have): only with IMSUE_SOFIA_DEBUG set. */
static void glue_tport_logger(void *stream, char const *fmt, va_list ap)
{
	(void)stream;
	if (getenv("IMSUE_SOFIA_DEBUG"))
		vfprintf(stderr, fmt, ap);
}

static int glue_tls_new(struct sip_glue *g, const char *ip, const char *ca_file,
			bool verify_names, char *err, size_t errlen)
{
	struct glue_tls *t = calloc(1, sizeof(*t));
	char dir[] = "/tmp/imsue-tls-XXXXXX", link[64], url[128];
	tport_t *tp;
	int rc;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	g->tls = t;
	snprintf(t->ca_file, sizeof(t->ca_file), "%s", ca_file ? ca_file : "");
	t->pol.ca_file = t->ca_file;
	t->timeout_ms = 4000;
	su_log_redirect(tport_log, glue_tport_logger, NULL);
	if (access(sec_tls_ca_bundle(&t->pol), R_OK) != 0) {
		snprintf(err, errlen, "TLS: cannot read the CA file %s: %s",
			 sec_tls_ca_bundle(&t->pol), strerror(errno));
		return -1;
	}
	/* Sofia reads its CAs from <dir>/cafile.pem once, when the transport
	 * is created: give it a private directory with a link to our bundle
	 * and remove it right after. */
	if (!mkdtemp(dir)) {
		snprintf(err, errlen, "TLS: cannot create a directory in /tmp: %s",
			 strerror(errno));
		return -1;
	}
	snprintf(link, sizeof(link), "%s/cafile.pem", dir);
	if (symlink(sec_tls_ca_bundle(&t->pol), link) != 0) {
		snprintf(err, errlen, "TLS: cannot link the CA file: %s", strerror(errno));
		rmdir(dir);
		return -1;
	}
	if (strchr(ip, ':'))
		snprintf(url, sizeof(url), "sips:[%s]:*", ip);
	else
		snprintf(url, sizeof(url), "sips:%s:*", ip);
	/* TPTAG_TLS_VERSION(0): SSLv23_method, i.e. what OpenSSL allows (TLS 1.2
	 * and up at OpenSSL 3's default security level); 1 would mean TLS 1.0 only. */
	rc = nta_agent_add_tport(g->agent, (url_string_t const *)url, TPTAG_IDENT(g->ident),
				 TPTAG_CERTIFICATE(dir), TPTAG_TLS_VERSION(0),
				 TPTAG_TLS_VERIFY_POLICY(verify_names ? TPTLS_VERIFY_SUBJECTS_OUT
								      : TPTLS_VERIFY_OUT),
				 TPTAG_TLS_VERIFY_DEPTH(SEC_TLS_DEFAULT_DEPTH),
				 TPTAG_TLS_VERIFY_DATE(1), TAG_END());
	unlink(link);
	rmdir(dir);
	if (rc < 0) {
		snprintf(err, errlen, "cannot create the TLS transport on %s: %s", url,
			 strerror(errno));
		return -1;
	}
	tp = tport_by_protocol(nta_agent_tports(g->agent), "tls");
	if (!tp || !tport_name(tp) || !tport_name(tp)->tpn_port) {
		snprintf(err, errlen, "TLS transport on %s has no port", url);
		return -1;
	}
	t->port = (uint16_t)strtoul(tport_name(tp)->tpn_port, NULL, 10);
	return 0;
}

static void glue_tls_release(struct sip_glue *g)
{
	if (!g->tls || !g->tls->tp)
		return;
	tport_shutdown(g->tls->tp, 2);
	tport_unref(g->tls->tp);
	g->tls->tp = NULL;
}

/* Before the agent goes: nta_agent_destroy() frees open TLS connections
 * without their OpenSSL state, so shut every one down first. */
static void glue_tls_close_all(struct sip_glue *g)
{
	tport_t *pri, *tp, *next;

	if (!g->tls || !g->agent)
		return;
	glue_tls_release(g);
	pri = tport_by_protocol(nta_agent_tports(g->agent), "tls");
	for (tp = pri ? tport_secondary(pri) : NULL; tp; tp = next) {
		next = tport_next(tp);
		tport_shutdown(tp, 2);
	}
}

static void glue_tls_free(struct sip_glue *g)
{
	free(g->tls);
	g->tls = NULL;
}

/* "sip:HOST:PORT;transport=tls" or "sips:HOST[:PORT]": host and port. */
static bool glue_tls_hop(const char *hop, char *host, size_t hostlen, uint16_t *port)
{
	const char *h, *e;
	bool sips = !strncasecmp(hop, "sips:", 5);

	if (!sips && !strcasestr(hop, ";transport=tls"))
		return false;
	h = hop + (sips ? 5 : 4);
	if (*h == '[') {
		e = strchr(h, ']');
		if (!e)
			return false;
		snprintf(host, hostlen, "%.*s", (int)(e - h - 1), h + 1);
		e++;
	} else {
		e = h + strcspn(h, ":;>");
		snprintf(host, hostlen, "%.*s", (int)(e - h), h);
	}
	*port = *e == ':' ? (uint16_t)strtoul(e + 1, NULL, 10) : 5061;
	return true;
}

static int glue_tls_prepare(struct sip_glue *g, struct sip_out *o, const char *next_hop,
			    char *err, size_t errlen)
{
	struct glue_tls *t = g->tls;
	char host[256];
	uint16_t port;
	enum sec_tls_fail f;

	if (!glue_tls_hop(next_hop, host, sizeof(host), &port))
		return 0;
	o->tls = true;
	if (!t) {
		snprintf(err, errlen, "TLS is not enabled on this SIP transport");
		return -1;
	}
	if (t->tp && !strcmp(host, t->peer_host) && port == t->peer_port) {
		if (tport_is_closed(t->tp) || tport_is_shutdown(t->tp)) {
			glue_tls_release(g);
			t->last_fail = SEC_TLS_HANDSHAKE;
			snprintf(err, errlen,
				 "TLS to %s:%u (session-lost): the TLS session is gone", host,
				 port);
			return -1;
		}
		o->tls_tp = t->tp;
		return 0;
	}
	glue_tls_release(g);
	f = sec_tls_probe_names(&t->pol, host, host, port, t->timeout_ms, t->probe_names,
				sizeof(t->probe_names), t->last_err, sizeof(t->last_err));
	t->last_fail = f;
	glue_log(g, 2, "%s", t->last_err);
	if (f != SEC_TLS_OK) {
		snprintf(err, errlen, "%s", t->last_err);
		return -1;
	}
	snprintf(t->peer_host, sizeof(t->peer_host), "%s", host);
	t->peer_port = port;
	return 0;
}

/* A response (or a local error) to a request sent over TLS: pin the new
 * session, or say why there is none. */
/* The certificate of the session Sofia set up must be the one the probe
 * verified (same names): Sofia does not see iPAddress subjectAltNames at
 * all, and takes a CN even next to dNSNames (doc/tls.md). */
static bool glue_tls_same_cert(struct glue_tls *t, tport_t *tp, msg_t *msg, char *names,
			       size_t len)
{
	su_strlst_t const *subj = msg ? tport_delivered_from_subjects(tp, msg) : NULL;
	const char *list[64];
	usize_t n = subj ? su_strlst_len(subj) : 0;

	names[0] = '\0';
	if (!subj || n > 64)
		return false;
	for (usize_t i = 0; i < n; i++)
		list[i] = su_strlst_item(subj, i);
	if (sec_tls_names_join(list, n, names, len) != 0)
		return false;
	return !strcmp(names, t->probe_names);
}

static void glue_tls_response(struct sip_out *o, nta_outgoing_t *orq, msg_t *msg,
			      struct sip_view *v)
{
	struct glue_tls *t = o->g->tls;
	tport_t *tp;
	char why[2600], names[1024];

	if (!o->tls || !t)
		return;
	tp = nta_outgoing_transport(orq);
	if (v->local) {
		if (!o->tls_tp) {
			snprintf(why, sizeof(why),
				 "TLS to %s:%u (handshake): no session (verification by the SIP "
				 "stack failed or the connection was closed; %d %s)",
				 t->peer_host, t->peer_port, v->status, v->phrase ? v->phrase : "");
			t->last_fail = SEC_TLS_HANDSHAKE;
			free((char *)v->phrase);
			v->phrase = strdup(why);
		}
	} else if (tp && tport_has_tls(tp) && !tport_is_verified(tp)) {
		/* Cannot happen with the verify policy set; never accept it. */
		tport_shutdown(tp, 2);
		t->last_fail = SEC_TLS_BAD_CERT;
		v->local = true;
		v->status = 503;
		free((char *)v->phrase);
		v->phrase = strdup("TLS session not verified");
	} else if (tp && tport_has_tls(tp) && tp != t->tp &&
		   !glue_tls_same_cert(t, tp, msg, names, sizeof(names))) {
		tport_shutdown(tp, 2);
		t->last_fail = SEC_TLS_WRONG_NAME;
		snprintf(why, sizeof(why),
			 "TLS to %s:%u (wrong-name): the session presented a certificate for "
			 "\"%s\", not the verified one for \"%s\"",
			 t->peer_host, t->peer_port, names, t->probe_names);
		v->local = true;
		v->status = 503;
		free((char *)v->phrase);
		v->phrase = strdup(why);
	} else if (tp && tport_has_tls(tp) && tp != t->tp) {
		glue_tls_release(o->g);
		t->tp = tport_ref(tp);
		glue_log(o->g, 2, "TLS session to %s:%u established", t->peer_host, t->peer_port);
	}
	if (tp)
		tport_unref(tp);
}

int sip_glue_tls_state(struct sip_glue *g)
{
	if (!g->tls || !g->tls->tp)
		return 0;
	if (tport_is_closed(g->tls->tp) || tport_is_shutdown(g->tls->tp)) {
		glue_tls_release(g);
		return -1;
	}
	return 1;
}

void sip_glue_tls_close(struct sip_glue *g)
{
	glue_tls_release(g);
}

uint16_t sip_glue_tls_port(const struct sip_glue *g)
{
	return g->tls ? g->tls->port : 0;
}

int sip_glue_tls_last_fail(const struct sip_glue *g)
{
	return g->tls ? (int)g->tls->last_fail : 0;
}

/* ------------------------------------------------------------------ */
/* IPsec: transports on the protected ports (doc/ipsec.md)            */

static tport_t *glue_sa_find(struct sip_glue *g, uint16_t port)
{
	for (size_t i = 0; i < sizeof(g->sa_tp) / sizeof(g->sa_tp[0]); i++)
		if (g->sa_tp[i].tp && g->sa_tp[i].port == port)
			return g->sa_tp[i].tp;
	return NULL;
}

int sip_glue_sa_bind(struct sip_glue *g, uint16_t port, char *err, size_t errlen)
{
	char url[128], ident[96];
	size_t i, free_i = SIZE_MAX;
	tport_t *tp;

	if (!port) {
		snprintf(err, errlen, "IPsec: protected port 0");
		return -1;
	}
	if (glue_sa_find(g, port))
		return 0;
	for (i = 0; i < sizeof(g->sa_tp) / sizeof(g->sa_tp[0]); i++)
		if (!g->sa_tp[i].tp && free_i == SIZE_MAX)
			free_i = i;
	if (free_i == SIZE_MAX) {
		snprintf(err, errlen, "IPsec: too many protected ports");
		return -1;
	}
	snprintf(url, sizeof(url), strchr(g->host, ':') ? "sip:[%s]:%u;transport=udp"
							 : "sip:%s:%u;transport=udp",
		 g->host, port);
	/* Every tport needs its own ident (lookups by ident, DESIGN.md). */
	snprintf(ident, sizeof(ident), "%s-sa%u", g->ident, port);
	if (nta_agent_add_tport(g->agent, (url_string_t const *)url, TPTAG_IDENT(ident),
				TAG_END()) < 0) {
		snprintf(err, errlen, "IPsec: cannot bind UDP on %s: %s", url, strerror(errno));
		return -1;
	}
	for (tp = tport_primaries(nta_agent_tports(g->agent)); tp; tp = tport_next(tp)) {
		tp_name_t const *n = tport_name(tp);

		if (tport_is_udp(tp) && n && n->tpn_port &&
		    strtoul(n->tpn_port, NULL, 10) == port && n->tpn_ident &&
		    !strcmp(n->tpn_ident, ident))
			break;
	}
	if (!tp) {
		snprintf(err, errlen, "IPsec: UDP transport on %s not found after binding", url);
		return -1;
	}
	g->sa_tp[free_i].port = port;
	g->sa_tp[free_i].tp = tp;
	glue_log(g, 2, "listening on UDP %s:%u (protected)", g->host, port);
	return 0;
}

void sip_glue_sa_unbind(struct sip_glue *g, uint16_t port)
{
	/* Sofia cannot remove a primary transport, and tport_shutdown() on a
	 * bound UDP one leaves a socket that polls as readable forever (a busy
	 * loop): the transport stays bound and in the table (a later set may
	 * bind the same port again); only the route ends. */
	if (g->sa_port_c == port || g->sa_port_s == port)
		g->sa_port_c = g->sa_port_s = 0;
}

void sip_glue_sa_route(struct sip_glue *g, uint16_t port_c, uint16_t port_s)
{
	g->sa_port_c = port_c;
	g->sa_port_s = port_c ? port_s : 0;
}

/* A request while a route is set: from port-c, Via sent-by port-s. */
static tport_t *glue_sa_prepare(struct sip_glue *g, msg_t *msg, const char *next_hop, char *err,
				size_t errlen)
{
	char via[160];
	sip_via_t *v;
	tport_t *tp;

	if (!g->sa_port_c)
		return NULL;
	if (strcasestr(next_hop, ";transport=tcp")) {
		snprintf(err, errlen, "IPsec: TCP from the protected port-c is not supported yet");
		return NULL;
	}
	tp = glue_sa_find(g, g->sa_port_c);
	if (!tp) {
		snprintf(err, errlen, "IPsec: port-c %u is not bound", g->sa_port_c);
		return NULL;
	}
	snprintf(via, sizeof(via),
		 strchr(g->host, ':') ? "SIP/2.0/UDP [%s]:%u;rport" : "SIP/2.0/UDP %s:%u;rport",
		 g->host, g->sa_port_s);
	v = sip_via_make(msg_home(msg), via);
	if (!v || msg_header_insert(msg, (msg_pub_t *)sip_object(msg), (msg_header_t *)v) < 0) {
		snprintf(err, errlen, "IPsec: cannot add Via");
		return NULL;
	}
	return tp;
}
