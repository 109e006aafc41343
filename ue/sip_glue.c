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
#include <sofia-sip/tport_tag.h>

#include "ue/loop.h"
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
};

struct sip_out {
	struct sip_glue *g;
	struct sip_out *next;
	nta_outgoing_t *orq;
	sip_glue_resp_cb cb;
	void *arg;
	bool in_cb, dead;
};

static void glue_log(struct sip_glue *g, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

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
				 NTATAG_SIP_T1X64(tf), NTATAG_UA(1), TAG_END());
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
	if (nta_agent_add_tport(g->agent, (url_string_t const *)url, TPTAG_IDENT(g->ident),
				TAG_END()) < 0) {
		snprintf(err, errlen, "cannot bind SIP transports on %s: %s", url, strerror(errno));
		goto fail;
	}
	v = nta_agent_via(g->agent);
	if (!v || !v->v_port) {
		snprintf(err, errlen, "SIP transport on %s has no address", url);
		goto fail;
	}
	snprintf(g->host, sizeof(g->host), "%s", v->v_host);
	g->port = (uint16_t)strtoul(v->v_port, NULL, 10);
	for (; v; v = v->v_next)
		glue_log(g, 2, "listening on %s %s:%s", v->v_protocol, v->v_host,
			 v->v_port ? v->v_port : "");
	*out = g;
	return 0;
fail:
	if (g->agent)
		nta_agent_destroy(g->agent);
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
	nta_agent_destroy(g->agent);
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
	o->orq = nta_outgoing_mcreate(g->agent, glue_response, (nta_outgoing_magic_t *)o,
				      (url_string_t const *)next_hop, msg, TAG_END());
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
