/* The reg event subscription (TS 24.229 5.1.1.3) and the actions on its
 * NOTIFYs (5.1.1.5A network-initiated re-authentication, 5.1.1.7
 * network-initiated deregistration), as one state machine (the full
 * table is in doc/reg-event.md):
 *
 *   idle          --registered-->          subscribing (new dialog)
 *   subscribing   --2xx-->                 active
 *   active        --refresh timer-->       refreshing --2xx--> active
 *   refreshing    --481/408/timeout-->     subscribing (new dialog, at once)
 *   any request   --503 + Retry-After-->   waiting (exactly that long)
 *   any request   --other failure-->       waiting (30 s doubling to 1800 s)
 *   waiting       --retry timer-->         subscribing (new dialog)
 *   active        --user deregistration--> unsubscribing --any answer--> idle
 *   any           --NOTIFY terminated-->   idle, then per reason
 *   any           --registration gone-->   idle (nothing sent)
 *
 * Timers: refresh (600 s before expiry when granted > 1200 s, else half;
 * the registration rule of 5.1.1.4.1 applied to the subscription), retry
 * (Retry-After of a 503, TS 34.229-1 10.1, else 30 s doubling up to
 * 1800 s), act (0 ms: NOTIFY actions run after the 200 has been sent),
 * rereg (probation: re-register no earlier than retry-after).
 * Every new subscription has a new Call-ID and tag; versions restart.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ue/msg.h"
#include "ue/reginfo.h"
#include "ue/reg_ipsec.h"
#include "ue/regevent.h"
#include "ue/substate.h"

#define RE_EXPIRES        600000UL /* 5.1.1.3 */
#define RE_BACKOFF_BASE_S 30
#define RE_BACKOFF_MAX_S  1800
#define RE_PROBATION_S    30 /* resubscribe after probation/giveup without retry-after */
#define RE_MAX_ROUTES     UE_MSG_MAX_LIST
#define RE_MAX_AORS       16

enum re_state {
	RE_IDLE = 0,
	RE_SUBSCRIBING, /* initial SUBSCRIBE sent, no 2xx yet */
	RE_ACTIVE,
	RE_REFRESHING,    /* in-dialog SUBSCRIBE sent */
	RE_UNSUBSCRIBING, /* SUBSCRIBE with Expires 0 sent */
	RE_WAITING,       /* retry timer: a new subscription when it fires */
	RE_N_STATES
};

static const char *const re_state_names[RE_N_STATES] = {
	[RE_IDLE] = "idle",
	[RE_SUBSCRIBING] = "subscribing",
	[RE_ACTIVE] = "active",
	[RE_REFRESHING] = "refreshing",
	[RE_UNSUBSCRIBING] = "unsubscribing",
	[RE_WAITING] = "waiting",
};

enum re_event {
	RE_EV_REGISTERED = 0, /* the registration machine reached registered */
	RE_EV_OK,             /* 2xx to our SUBSCRIBE */
	RE_EV_GONE,           /* 481, 408, timer F or transport error */
	RE_EV_UNAVAILABLE,    /* 503 */
	RE_EV_FAILED,         /* any other final failure */
	RE_EV_REFRESH,        /* refresh timer, or a NOTIFY asking for full state */
	RE_EV_RETRY,          /* retry timer */
	RE_EV_RESUBSCRIBE,    /* a NOTIFY ended the subscription, a new one is allowed */
	RE_EV_UNSUBSCRIBE,    /* user-initiated deregistration */
	RE_EV_TERMINATED,     /* NOTIFY with Subscription-State terminated */
	RE_EV_LOST,           /* the registration is gone */
	RE_N_EVENTS
};

static const char *const re_event_names[RE_N_EVENTS] = {
	[RE_EV_REGISTERED] = "registered",   [RE_EV_OK] = "2xx",
	[RE_EV_GONE] = "481/408/timeout",    [RE_EV_UNAVAILABLE] = "503",
	[RE_EV_FAILED] = "failure",          [RE_EV_REFRESH] = "refresh",
	[RE_EV_RETRY] = "retry-timer",       [RE_EV_RESUBSCRIBE] = "resubscribe",
	[RE_EV_UNSUBSCRIBE] = "unsubscribe", [RE_EV_TERMINATED] = "NOTIFY-terminated",
	[RE_EV_LOST] = "registration-lost",
};

struct re_aor {
	char aor[UE_MSG_URI_LEN];
	char state[16];
};

struct ue_regevent {
	struct ims_ue *ue;
	enum re_state state;

	/* The dialog (RFC 6665 4.1.2, RFC 3261 12.1.2). */
	bool dialog; /* remote tag, target and route set known */
	char call_id[64];
	char local_tag[32];
	char remote_tag[128];
	uint32_t cseq;
	char target[UE_MSG_URI_LEN];
	char route[RE_MAX_ROUTES][UE_MSG_URI_LEN]; /* "<uri>" in sending order */
	int n_route;
	char impu[UE_MSG_URI_LEN]; /* the subscribed (default) IMPU */
	char contact[UE_MSG_URI_LEN];
	/* The previous dialog: its final NOTIFYs are still answered 200. */
	char old_call_id[64];
	char old_tag[32];

	struct sip_out *pending;
	unsigned long granted;
	struct timespec expires_at, refresh_at, retry_at;
	unsigned failures;
	bool no_retry;             /* the notifier refused (rejected/noresource/invalid) */
	unsigned long resub_after; /* a NOTIFY's terminated: wait this long (s) */
	struct ue_timer *t_refresh, *t_retry, *t_act, *t_rereg;

	/* What the NOTIFYs said. */
	struct ue_reginfo_sub *sub;
	bool have_version;
	uint64_t version;
	unsigned long notifies;
	char sub_state[96];
	struct re_aor aors[RE_MAX_AORS];
	size_t n_aors;
	char last_action[256];
	char reason[40]; /* of the pending/last network deregistration */

	/* The actions of the last NOTIFY, carried out from t_act. */
	struct {
		bool dereg, initial, rejected, refresh, resubscribe, shortened;
		unsigned long expires;     /* shortened */
		unsigned long retry_after; /* probation: earliest re-registration */
		char reason[40];
	} act;
};

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static void re_emit(struct ue_regevent *re, const char *name, const char *impu, const char *reason,
		    const char *action, unsigned long expires)
{
	struct ims_ue *ue = re->ue;
	json_t *d;

	snprintf(re->last_action, sizeof(re->last_action), "%s %s: %s%s%s", name, impu,
		 action ? action : "", action && reason ? ", " : "", reason ? reason : "");
	reg_log(ue, 1, "reg event: %s", re->last_action);
	if (!ue->cb)
		return;
	d = json_pack("{s:s, s:s}", "impu", impu, "state", reg_state_name(ue->state));
	if (!d)
		return;
	if (reason)
		json_object_set_new(d, "reason", json_string(reason));
	if (action)
		json_object_set_new(d, "action", json_string(action));
	if (expires)
		json_object_set_new(d, "expires", json_integer((json_int_t)expires));
	ue->cb(ue->cb_arg, ue, name, d);
	json_decref(d);
}

static bool re_registered(const struct ims_ue *ue)
{
	return ue->state == REG_REGISTERED || ue->state == REG_REREGISTERING;
}

static void re_after(struct timespec *at, unsigned long s)
{
	clock_gettime(CLOCK_MONOTONIC, at);
	at->tv_sec += (time_t)s;
}

static long re_remaining(const struct timespec *at)
{
	struct timespec now;
	long d;

	clock_gettime(CLOCK_MONOTONIC, &now);
	d = (long)(at->tv_sec - now.tv_sec);
	if (at->tv_nsec < now.tv_nsec)
		d--;
	return d < 0 ? 0 : d;
}

/* The tag parameter of a From/To value into out ("" when none). */
static void re_tag(const char *v, char *out, size_t outlen)
{
	out[0] = '\0';
	if (v && ue_msg_element_param(v, strlen(v), "tag", out, outlen) != 1)
		out[0] = '\0';
}

/* "sip:user@host:port[;transport=x]": the Contact URI this UE registered
 * (the one ue/msg.c writes into the REGISTER). */
static void re_contact_uri(const struct ims_ue *ue, char *out, size_t outlen)
{
	const char *s = ue->impu, *host = sip_glue_local_host(ue->glue);
	enum ue_transport tp = ue->cfg.pcscf[ue->pcscf].tp;
	size_t ulen;

	if (!strncasecmp(s, "sip:", 4) || !strncasecmp(s, "tel:", 4))
		s += 4;
	else if (!strncasecmp(s, "sips:", 5))
		s += 5;
	ulen = strcspn(s, "@;> ");
	snprintf(out, outlen, strchr(host, ':') ? "sip:%.*s%s[%s]:%u%s" : "sip:%.*s%s%s:%u%s",
		 (int)ulen, s, ulen ? "@" : "", host, reg_ipsec_contact_port(ue),
		 tp == UE_TP_TCP   ? ";transport=tcp"
		 : tp == UE_TP_TLS ? ";transport=tls"
				   : "");
}

static void re_stop_timers(struct ue_regevent *re)
{
	ue_timer_stop(re->t_refresh);
	ue_timer_stop(re->t_retry);
}

static void re_cancel_pending(struct ue_regevent *re)
{
	if (re->pending) {
		sip_glue_out_cancel(re->pending);
		re->pending = NULL;
	}
}

/* Forget the dialog; its NOTIFYs are still answered 200 afterwards. */
static void re_forget_dialog(struct ue_regevent *re)
{
	if (re->call_id[0]) {
		snprintf(re->old_call_id, sizeof(re->old_call_id), "%s", re->call_id);
		snprintf(re->old_tag, sizeof(re->old_tag), "%s", re->local_tag);
	}
	re->dialog = false;
	re->call_id[0] = re->local_tag[0] = re->remote_tag[0] = re->target[0] = '\0';
	re->n_route = 0;
	re->granted = 0;
}

/* ------------------------------------------------------------------ */
/* SUBSCRIBE                                                           */

static void on_sub_response(void *arg, struct sip_out *o, const struct sip_view *v);

struct re_buf {
	char *p;
	size_t len, cap;
	bool over;
};

static void rb_add(struct re_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void rb_add(struct re_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len)
		b->over = true;
	else
		b->len += (size_t)n;
}

static const char *re_sip_uri(const char *u, char *buf, size_t buflen)
{
	if (!strncasecmp(u, "sip:", 4) || !strncasecmp(u, "sips:", 5) || !strncasecmp(u, "tel:", 4))
		return u;
	snprintf(buf, buflen, "sip:%s", u);
	return buf;
}

/* Send a SUBSCRIBE in the current dialog (or the initial one when no
 * dialog exists yet) with the given Expires. 0, or -1 (logged). */
static int re_send(struct ue_regevent *re, unsigned long expires)
{
	struct ims_ue *ue = re->ue;
	char text[4096], hop[320], err[200], ib[UE_MSG_URI_LEN + 8];
	struct re_buf b = {.p = text, .cap = sizeof(text)};
	const char *impu = re_sip_uri(re->impu, ib, sizeof(ib));

	re_cancel_pending(re);
	reg_next_hop(ue, hop, sizeof(hop));
	rb_add(&b, "SUBSCRIBE %s SIP/2.0\r\n", re->dialog && re->target[0] ? re->target : impu);
	rb_add(&b, "Max-Forwards: 70\r\n");
	if (re->dialog) {
		for (int i = 0; i < re->n_route; i++)
			rb_add(&b, "Route: %s\r\n", re->route[i]);
	} else {
		/* 5.1.2A.1.1: the P-CSCF, then the stored Service-Route. */
		rb_add(&b, "Route: <%s;lr>\r\n", hop);
		for (int i = 0; i < ue->ok.n_service_route; i++)
			rb_add(&b, "Route: <%s>\r\n", ue->ok.service_route[i]);
	}
	rb_add(&b, "From: <%s>;tag=%s\r\n", impu, re->local_tag);
	if (re->dialog && re->remote_tag[0])
		rb_add(&b, "To: <%s>;tag=%s\r\n", impu, re->remote_tag);
	else
		rb_add(&b, "To: <%s>\r\n", impu);
	rb_add(&b, "Call-ID: %s\r\n", re->call_id);
	rb_add(&b, "CSeq: %u SUBSCRIBE\r\n", ++re->cseq);
	rb_add(&b, "Contact: <%s>\r\n", re->contact);
	rb_add(&b, "Event: reg\r\n");
	rb_add(&b, "Accept: application/reginfo+xml\r\n");
	rb_add(&b, "Expires: %lu\r\n", expires);
	if (reg_request_protected(ue)) {
		/* Over the security association or TLS session: sec-agree
		 * (5.1.1.3, TS 34.229-1 A.1.4) and the access network. */
		if (ue->security_verify[0]) {
			rb_add(&b, "Security-Verify: %s\r\n", ue->security_verify);
			rb_add(&b, "Require: sec-agree\r\n");
			rb_add(&b, "Proxy-Require: sec-agree\r\n");
		}
		if (ue->cfg.pani[0])
			rb_add(&b, "P-Access-Network-Info: %s\r\n", ue->cfg.pani);
	}
	rb_add(&b, "User-Agent: imsue\r\n");
	if (b.over) {
		reg_log(ue, 0, "reg event: SUBSCRIBE does not fit in %zu bytes", sizeof(text));
		return -1;
	}
	reg_log(ue, 3, "reg event: sending SUBSCRIBE cseq %u expires %lu to %s", re->cseq, expires,
		hop);
	re->pending =
		sip_glue_send(ue->glue, hop, text, NULL, on_sub_response, re, err, sizeof(err));
	if (!re->pending) {
		reg_log(ue, 0, "reg event: SUBSCRIBE not sent: %s", err);
		return -1;
	}
	return 0;
}

static void re_set_expiry(struct ue_regevent *re, unsigned long granted)
{
	unsigned long refresh = ue_msg_refresh_delay(granted);

	re->granted = granted;
	re_after(&re->expires_at, granted);
	re_after(&re->refresh_at, refresh);
	ue_timer_start(re->t_refresh, refresh * 1000);
	reg_log(re->ue, 2, "reg event: subscribed for %lu s, refreshing in %lu s", granted,
		refresh);
}

/* ------------------------------------------------------------------ */
/* Actions: each returns the next state                                */

typedef enum re_state (*re_action)(struct ue_regevent *re, const struct sip_view *v);

/* Wait, then a new subscription (503 + Retry-After: exactly that, TS
 * 34.229-1 10.1; otherwise 30 s doubling up to 1800 s). */
static enum re_state re_backoff(struct ue_regevent *re, unsigned long retry_after_s,
				const char *why)
{
	unsigned long s = retry_after_s;

	if (!s) {
		unsigned f = re->failures > 6 ? 6 : re->failures;

		s = (unsigned long)RE_BACKOFF_BASE_S << f;
		if (s > RE_BACKOFF_MAX_S)
			s = RE_BACKOFF_MAX_S;
	}
	re->failures++;
	re_cancel_pending(re);
	re_stop_timers(re);
	re_forget_dialog(re);
	re_after(&re->retry_at, s);
	ue_timer_start(re->t_retry, s * 1000);
	re_emit(re, "reg-event", re->impu, why, "resubscribe", 0);
	reg_log(re->ue, 2, "reg event: new subscription in %lu s", s);
	return RE_WAITING;
}

/* A new subscription: new Call-ID and tag, CSeq from 1, versions restart. */
static enum re_state a_start(struct ue_regevent *re, const struct sip_view *v)
{
	struct ims_ue *ue = re->ue;
	char err[160];

	(void)v;
	re_cancel_pending(re);
	re_stop_timers(re);
	re_forget_dialog(re);
	if (ue_msg_random_token(re->call_id, sizeof(re->call_id), 16) != 0 ||
	    ue_msg_random_token(re->local_tag, sizeof(re->local_tag), 8) != 0) {
		reg_log(ue, 0, "reg event: no randomness for Call-ID");
		return re_backoff(re, 0, "no randomness");
	}
	re->cseq = 0;
	snprintf(re->impu, sizeof(re->impu), "%s",
		 ue->ok.n_assoc_uri > 0 ? ue->ok.assoc_uri[0] : ue->impu);
	re_contact_uri(ue, re->contact, sizeof(re->contact));
	ue_reginfo_sub_free(re->sub);
	re->sub = NULL;
	if (ue_reginfo_sub_new(&re->sub, re->contact, ue->instance[0] ? ue->instance : NULL, err,
			       sizeof(err)) != 0) {
		reg_log(ue, 0, "reg event: %s", err);
		return re_backoff(re, 0, "out of memory");
	}
	re->have_version = false;
	re->n_aors = 0;
	re->sub_state[0] = '\0';
	if (re_send(re, RE_EXPIRES) != 0)
		return re_backoff(re, 0, "SUBSCRIBE not sent");
	return RE_SUBSCRIBING;
}

/* 2xx to the first SUBSCRIBE of a dialog or to a refresh. */
static enum re_state a_ok(struct ue_regevent *re, const struct sip_view *v)
{
	const char *e = ue_msg_header(v->hdrs, v->n_hdrs, "Expires");
	const char *c = ue_msg_header(v->hdrs, v->n_hdrs, "Contact");
	unsigned long granted = RE_EXPIRES;
	bool first = re->state == RE_SUBSCRIBING;

	if (!re->dialog) {
		int n = 0;

		re_tag(ue_msg_header(v->hdrs, v->n_hdrs, "To"), re->remote_tag,
		       sizeof(re->remote_tag));
		/* The UAC's route set: Record-Route in reverse order. */
		for (size_t i = v->n_hdrs; i-- > 0;)
			if (!strcasecmp(v->hdrs[i].name, "Record-Route") && n < RE_MAX_ROUTES)
				snprintf(re->route[n++], UE_MSG_URI_LEN, "%s", v->hdrs[i].value);
		re->n_route = n;
		re->dialog = true;
	}
	if (c && ue_msg_element_uri(c, strlen(c), re->target, sizeof(re->target), NULL, 0) != 0)
		re->target[0] = '\0';
	if (e && ue_msg_delta_seconds(e, strlen(e), &granted, NULL, 0) != 0)
		granted = RE_EXPIRES;
	re->failures = 0;
	if (!granted)
		return re_backoff(re, 0, "subscription granted for 0 s");
	re_set_expiry(re, granted);
	if (first)
		re_emit(re, "reg-event", re->impu, NULL, "subscribed", granted);
	return RE_ACTIVE;
}

static void re_why(const struct sip_view *v, char *out, size_t outlen)
{
	snprintf(out, outlen, "SUBSCRIBE: %d %s", v->status, v->phrase ? v->phrase : "");
}

/* 481, 408, timer F: the dialog is gone; after a refresh a new
 * subscription at once (once), otherwise as any failure. */
static enum re_state a_gone(struct ue_regevent *re, const struct sip_view *v)
{
	char why[96];

	re_why(v, why, sizeof(why));
	if (re->state != RE_REFRESHING || re->failures)
		return re_backoff(re, 0, why);
	re->failures++;
	re_emit(re, "reg-event", re->impu, why, "resubscribe", 0);
	return a_start(re, v);
}

static enum re_state a_unavailable(struct ue_regevent *re, const struct sip_view *v)
{
	const char *ra = ue_msg_header(v->hdrs, v->n_hdrs, "Retry-After");
	unsigned long s = 0;
	char why[96];

	re_why(v, why, sizeof(why));
	if (ra && ue_msg_delta_seconds(ra, strlen(ra), &s, NULL, 0) != 0)
		s = 0;
	return re_backoff(re, s, why);
}

static enum re_state a_failed(struct ue_regevent *re, const struct sip_view *v)
{
	char why[96];

	re_why(v, why, sizeof(why));
	return re_backoff(re, 0, why);
}

static enum re_state a_refresh(struct ue_regevent *re, const struct sip_view *v)
{
	(void)v;
	if (re_send(re, RE_EXPIRES) != 0)
		return re_backoff(re, 0, "refresh not sent");
	return RE_REFRESHING;
}

static enum re_state a_retry(struct ue_regevent *re, const struct sip_view *v)
{
	return re_registered(re->ue) ? a_start(re, v) : RE_IDLE;
}

/* The NOTIFY asked for a new subscription (terminated with a reason that
 * allows one, or expires=0), after re->resub_after seconds. */
static enum re_state a_resubscribe(struct ue_regevent *re, const struct sip_view *v)
{
	unsigned long after = re->resub_after;

	re->resub_after = 0;
	if (after)
		return re_backoff(re, after, "subscription terminated");
	return re_registered(re->ue) ? a_start(re, v) : RE_IDLE;
}

/* User-initiated deregistration: Expires 0 in the dialog (TS 34.229-1 C.30). */
static enum re_state a_unsubscribe(struct ue_regevent *re, const struct sip_view *v)
{
	(void)v;
	re_stop_timers(re);
	if (re->dialog && re_send(re, 0) == 0)
		return RE_UNSUBSCRIBING;
	re_cancel_pending(re);
	re_forget_dialog(re);
	return RE_IDLE;
}

static enum re_state a_unsubscribed(struct ue_regevent *re, const struct sip_view *v)
{
	(void)v;
	re_forget_dialog(re);
	return RE_IDLE;
}

/* Nothing is sent: the dialog is forgotten (its NOTIFYs still get 200). */
static enum re_state a_drop(struct ue_regevent *re, const struct sip_view *v)
{
	(void)v;
	re_cancel_pending(re);
	re_stop_timers(re);
	re_forget_dialog(re);
	return RE_IDLE;
}

/* ------------------------------------------------------------------ */
/* The table                                                           */

#define RS(x)    (1u << (x))
#define RS_SENT  (RS(RE_SUBSCRIBING) | RS(RE_REFRESHING))
#define RS_UNSUB RS(RE_UNSUBSCRIBING)
#define RS_ALIVE (RS_SENT | RS(RE_ACTIVE) | RS(RE_WAITING))

static const struct re_transition {
	unsigned states; /* bit set of enum re_state */
	enum re_event ev;
	re_action act;
} re_table[] = {
	{RS(RE_IDLE), RE_EV_REGISTERED, a_start},
	{RS_SENT, RE_EV_OK, a_ok},
	{RS_SENT, RE_EV_GONE, a_gone},
	{RS_SENT, RE_EV_UNAVAILABLE, a_unavailable},
	{RS_SENT, RE_EV_FAILED, a_failed},
	{RS_UNSUB, RE_EV_OK, a_unsubscribed},
	{RS_UNSUB, RE_EV_GONE, a_unsubscribed},
	{RS_UNSUB, RE_EV_UNAVAILABLE, a_unsubscribed},
	{RS_UNSUB, RE_EV_FAILED, a_unsubscribed},
	{RS(RE_ACTIVE), RE_EV_REFRESH, a_refresh},
	{RS(RE_WAITING), RE_EV_RETRY, a_retry},
	{RS(RE_IDLE), RE_EV_RESUBSCRIBE, a_resubscribe},
	{RS(RE_ACTIVE) | RS(RE_REFRESHING), RE_EV_UNSUBSCRIBE, a_unsubscribe},
	{RS(RE_SUBSCRIBING) | RS(RE_WAITING), RE_EV_UNSUBSCRIBE, a_drop},
	{RS_ALIVE, RE_EV_TERMINATED, a_drop},
	{RS_ALIVE, RE_EV_LOST, a_drop},
};

static void re_dispatch(struct ue_regevent *re, enum re_event ev, const struct sip_view *v)
{
	enum re_state from = re->state, to;
	const struct re_transition *t = NULL;

	for (size_t i = 0; i < sizeof(re_table) / sizeof(re_table[0]); i++)
		if ((re_table[i].states & RS(from)) && re_table[i].ev == ev) {
			t = &re_table[i];
			break;
		}
	if (!t) {
		reg_log(re->ue, 3, "reg event: subscription %s: event %s ignored",
			re_state_names[from], re_event_names[ev]);
		return;
	}
	to = t->act(re, v);
	re->state = to;
	reg_log(re->ue, 3, "reg event: subscription %s => %s (%s)", re_state_names[from],
		re_state_names[to], re_event_names[ev]);
}

static void on_sub_response(void *arg, struct sip_out *o, const struct sip_view *v)
{
	struct ue_regevent *re = arg;
	enum re_event ev;

	if (o != re->pending)
		return;
	re->pending = NULL;
	reg_log(re->ue, 2, "reg event: SUBSCRIBE answered %d %s%s", v->status,
		v->phrase ? v->phrase : "", v->local ? " (local)" : "");
	if (v->status >= 200 && v->status < 300)
		ev = RE_EV_OK;
	else if (v->local || v->status == 481 || v->status == 408)
		ev = RE_EV_GONE;
	else if (v->status == 503)
		ev = RE_EV_UNAVAILABLE;
	else
		ev = RE_EV_FAILED;
	re_dispatch(re, ev, v);
}

/* ------------------------------------------------------------------ */
/* Timers                                                              */

static void on_t_refresh(void *arg)
{
	re_dispatch(arg, RE_EV_REFRESH, NULL);
}

static void on_t_retry(void *arg)
{
	re_dispatch(arg, RE_EV_RETRY, NULL);
}

static void on_t_rereg(void *arg)
{
	struct ue_regevent *re = arg;

	if (re->ue->state == REG_DEREGISTERED)
		reg_dispatch(re->ue, REG_EV_START, NULL);
}

/* The actions of the last NOTIFY, after its 200 has been sent (5.1.1.7:
 * security associations go only after the server transaction). */
static void on_t_act(void *arg)
{
	struct ue_regevent *re = arg;
	struct ims_ue *ue = re->ue;
	unsigned long retry_after = re->act.retry_after;
	bool initial = re->act.initial, rejected = re->act.rejected;
	bool resubscribe = re->act.resubscribe, refresh = re->act.refresh;

	if (re->act.dereg || re->act.initial) {
		snprintf(re->reason, sizeof(re->reason), "%s", re->act.reason);
		memset(&re->act, 0, sizeof(re->act));
		if (!re_registered(ue)) {
			reg_log(ue, 2, "reg event: deregistration (%s) while %s: nothing to do",
				re->reason, reg_state_name(ue->state));
			return;
		}
		reg_dispatch(ue, REG_EV_NETWORK_DEREG, NULL);
		if (initial && ue->state == REG_DEREGISTERED)
			reg_dispatch(ue, REG_EV_START, NULL);
		else if (retry_after && !rejected)
			ue_timer_start(re->t_rereg, retry_after * 1000);
		return;
	}
	if (re->act.shortened && ue->state == REG_REGISTERED) {
		unsigned long x = re->act.expires, refresh_s;

		/* 5.1.1.5A: the new expiry, reregistration (re-authentication)
		 * by the 5.1.1.4.1 rule; no expiry given: at once. */
		refresh_s = x ? ue_msg_refresh_delay(x) : 0;
		if (x) {
			ue->granted = x;
			clock_gettime(CLOCK_MONOTONIC, &ue->registered_at);
		}
		clock_gettime(CLOCK_MONOTONIC, &ue->refresh_at);
		ue->refresh_at.tv_sec += (time_t)refresh_s;
		ue_timer_start(ue->t_refresh, refresh_s * 1000);
		reg_log(ue, 2, "reg event: shortened to %lu s, reregistering in %lu s", x,
			refresh_s);
	}
	memset(&re->act, 0, sizeof(re->act));
	if (resubscribe)
		re_dispatch(re, RE_EV_RESUBSCRIBE, NULL);
	else if (refresh)
		re_dispatch(re, RE_EV_REFRESH, NULL);
}
/* ------------------------------------------------------------------ */
/* NOTIFY                                                              */

static bool re_is_default(const struct ue_regevent *re, const char *aor)
{
	return ue_reginfo_uri_match(aor, re->impu) || ue_reginfo_uri_match(aor, re->ue->impu);
}

static void re_note_aors(struct ue_regevent *re, const struct ue_reginfo *doc)
{
	if (doc->state == UE_REGINFO_FULL)
		re->n_aors = 0;
	for (size_t i = 0; i < doc->n_regs; i++) {
		const struct ue_reginfo_registration *r = &doc->regs[i];
		size_t j;

		for (j = 0; j < re->n_aors; j++)
			if (!strcmp(re->aors[j].aor, r->aor))
				break;
		if (j == re->n_aors) {
			if (re->n_aors == RE_MAX_AORS)
				continue;
			re->n_aors++;
		}
		snprintf(re->aors[j].aor, sizeof(re->aors[j].aor), "%s", r->aor);
		snprintf(re->aors[j].state, sizeof(re->aors[j].state), "%s",
			 ue_reginfo_reg_state_name(r->state));
	}
}

/* Apply a reginfo body and turn the decisions into pending actions. */
static void re_body(struct ue_regevent *re, const struct sip_view *v)
{
	struct ims_ue *ue = re->ue;
	struct ue_reginfo *doc = NULL;
	struct ue_reginfo_result *res;
	const char *ct = ue_msg_header(v->hdrs, v->n_hdrs, "Content-Type");
	char err[200];

	if (!v->body || !v->body_len) {
		reg_log(ue, 2, "reg event: NOTIFY without a body");
		return;
	}
	if (ct && strncasecmp(ct, "application/reginfo+xml", 23)) {
		reg_log(ue, 1, "reg event: NOTIFY body of type %s ignored", ct);
		return;
	}
	if (ue_reginfo_parse((const uint8_t *)v->body, v->body_len, &doc, err, sizeof(err)) != 0) {
		reg_log(ue, 1, "reg event: NOTIFY body ignored: %s", err);
		snprintf(re->last_action, sizeof(re->last_action), "bad NOTIFY body: %s", err);
		return;
	}
	res = calloc(1, sizeof(*res));
	if (!res) {
		ue_reginfo_free(doc);
		return;
	}
	if (ue_reginfo_sub_apply(re->sub, doc, res, err, sizeof(err)) != 0) {
		reg_log(ue, 1, "reg event: NOTIFY not applied: %s", err);
		re->act.refresh = true;
		goto out;
	}
	if (res->stale) {
		reg_log(ue, 2, "reg event: stale version %llu ignored",
			(unsigned long long)doc->version);
		goto out;
	}
	re->have_version = true;
	re->version = doc->version;
	re_note_aors(re, doc);
	if (res->need_refresh)
		re->act.refresh = true;
	for (size_t i = 0; i < res->n_actions; i++) {
		const struct ue_reginfo_action *a = &res->actions[i];
		bool dflt = re_is_default(re, a->aor);
		char reason[64];

		reg_log(ue, 2, "reg event: %s %s -> %s%s%s", a->aor,
			ue_reginfo_reg_state_name(a->state), ue_reginfo_action_name(a->action),
			a->reason ? " " : "", a->reason ? a->reason : "");
		snprintf(reason, sizeof(reason), "network: %s", a->reason ? a->reason : "");
		switch (a->action) {
		case UE_REGINFO_ACT_NONE:
			break;
		case UE_REGINFO_ACT_REREGISTER:
			/* One binding serves every IMPU: any shortening counts. */
			if (!re->act.shortened || (a->expires && a->expires < re->act.expires))
				re->act.expires = a->expires;
			re->act.shortened = true;
			re_emit(re, "reg-event", a->aor, "shortened", "reregister", a->expires);
			break;
		case UE_REGINFO_ACT_INITIAL_REGISTRATION:
		case UE_REGINFO_ACT_DEREGISTERED:
			if (!dflt) {
				re_emit(re, "deregistered", a->aor, reason,
					ue_reginfo_action_name(a->action), 0);
				break;
			}
			re->act.dereg = true;
			re->act.initial = a->action == UE_REGINFO_ACT_INITIAL_REGISTRATION;
			re->act.rejected = a->rejected;
			re->act.retry_after = a->retry_after.present ? a->retry_after.value : 0;
			snprintf(re->act.reason, sizeof(re->act.reason), "%s",
				 a->reason ? a->reason : "terminated");
			break;
		}
	}
	if (res->all_terminated && !re->act.dereg) {
		re->act.dereg = true;
		snprintf(re->act.reason, sizeof(re->act.reason), "terminated");
	}
out:
	free(res);
	ue_reginfo_free(doc);
}

static void re_notify(struct ue_regevent *re, const struct sip_view *v)
{
	struct ims_ue *ue = re->ue;
	const char *ss = ue_msg_header(v->hdrs, v->n_hdrs, "Subscription-State");
	struct ue_substate st;
	char err[160];

	re->notifies++;
	snprintf(re->sub_state, sizeof(re->sub_state), "%s", ss ? ss : "");
	if (ue_substate_parse(ss, ss ? strlen(ss) : 0, &st, err, sizeof(err)) != 0) {
		/* Still 200 and the body counts; the subscription state stays. */
		reg_log(ue, 1, "reg event: %s", err);
		st.value = UE_SUBSTATE_OTHER;
	}
	re_body(re, v);
	if (st.value == UE_SUBSTATE_TERMINATED) {
		const char *reason = st.reason;

		/* RFC 6665 4.1.3: per reason. */
		reg_log(ue, 2, "reg event: subscription terminated (reason %s)",
			reason[0] ? reason : "none");
		re_dispatch(re, RE_EV_TERMINATED, NULL);
		if (!strcmp(reason, "rejected") || !strcmp(reason, "noresource") ||
		    !strcmp(reason, "invalid")) {
			re->no_retry = true;
			re_emit(re, "reg-event", re->impu, reason, "unsubscribed", 0);
		} else if (!re->act.dereg) {
			re->act.resubscribe = true;
			if (!strcmp(reason, "probation") || !strcmp(reason, "giveup"))
				re->resub_after = st.retry_after > 0 ? (unsigned long)st.retry_after
								     : RE_PROBATION_S;
		}
	} else if (st.value != UE_SUBSTATE_OTHER && st.expires >= 0 &&
		   (re->state == RE_ACTIVE || re->state == RE_SUBSCRIBING)) {
		if (st.expires == 0) {
			re_dispatch(re, RE_EV_TERMINATED, NULL);
			re->act.resubscribe = true;
		} else if (re->state == RE_ACTIVE &&
			   (!re->granted || (unsigned long)st.expires < re->granted))
			re_set_expiry(re, (unsigned long)st.expires);
	}
	if (re->act.dereg || re->act.initial || re->act.shortened || re->act.resubscribe ||
	    re->act.refresh)
		ue_timer_start(re->t_act, 0);
}

int ue_regevent_request(struct ims_ue *ue, const struct sip_view *v)
{
	struct ue_regevent *re = ue->regevent;
	const char *cid, *ev;
	char to_tag[128], from_tag[128];

	if (!re || !v->method || strcmp(v->method, "NOTIFY"))
		return 0;
	cid = ue_msg_header(v->hdrs, v->n_hdrs, "Call-ID");
	if (!cid)
		return 0;
	re_tag(ue_msg_header(v->hdrs, v->n_hdrs, "To"), to_tag, sizeof(to_tag));
	re_tag(ue_msg_header(v->hdrs, v->n_hdrs, "From"), from_tag, sizeof(from_tag));
	if (re->old_call_id[0] && !strcmp(cid, re->old_call_id) && !strcmp(to_tag, re->old_tag) &&
	    strcmp(cid, re->call_id)) {
		reg_log(ue, 2, "reg event: NOTIFY of the previous subscription answered");
		return 200;
	}
	if (!re->call_id[0] || strcmp(cid, re->call_id) || strcmp(to_tag, re->local_tag) ||
	    re->state == RE_IDLE || re->state == RE_WAITING)
		return 0;
	if (re->dialog && re->remote_tag[0] && strcmp(from_tag, re->remote_tag))
		return 0;
	ev = ue_msg_header(v->hdrs, v->n_hdrs, "Event");
	if (!ev || strncasecmp(ev, "reg", 3) || (ev[3] && ev[3] != ';' && ev[3] != ' '))
		return 489; /* Bad Event */
	if (re->state == RE_UNSUBSCRIBING) {
		reg_log(ue, 2, "reg event: NOTIFY while unsubscribing answered");
		return 200;
	}
	if (!re->dialog) {
		/* The NOTIFY came before the 2xx: it creates the dialog
		 * (RFC 6665 4.1.2.4); its Record-Route is the route set as is. */
		const char *c = ue_msg_header(v->hdrs, v->n_hdrs, "Contact");
		int n = 0;

		snprintf(re->remote_tag, sizeof(re->remote_tag), "%s", from_tag);
		for (size_t i = 0; i < v->n_hdrs; i++)
			if (!strcasecmp(v->hdrs[i].name, "Record-Route") && n < RE_MAX_ROUTES)
				snprintf(re->route[n++], UE_MSG_URI_LEN, "%s", v->hdrs[i].value);
		re->n_route = n;
		if (!c || ue_msg_element_uri(c, strlen(c), re->target, sizeof(re->target), NULL, 0))
			re->target[0] = '\0';
		re->dialog = true;
	}
	re_notify(re, v);
	return 200;
}

/* ------------------------------------------------------------------ */
/* Hooks                                                               */

void ue_regevent_unsubscribe(struct ims_ue *ue)
{
	struct ue_regevent *re = ue->regevent;

	if (!re)
		return;
	ue_timer_stop(re->t_act);
	memset(&re->act, 0, sizeof(re->act));
	re_dispatch(re, RE_EV_UNSUBSCRIBE, NULL);
}

void ue_regevent_on_state(struct ims_ue *ue, enum reg_state from, enum reg_state to)
{
	struct ue_regevent *re = ue->regevent;

	if (!re || from == to)
		return;
	if (to == REG_DEREGISTERING) {
		ue_regevent_unsubscribe(ue);
		return;
	}
	if (to == REG_REGISTERED || to == REG_REREGISTERING) {
		if (to == REG_REGISTERED && !re->no_retry)
			re_dispatch(re, RE_EV_REGISTERED, NULL);
		return;
	}
	/* A challenged reregistration keeps its binding (and the dialog). */
	if ((to == REG_REGISTERING || to == REG_AUTHENTICATING) && ue->was_registered)
		return;
	/* The registration is gone: so is the subscription (5.1.1.7: it is
	 * considered cancelled); a running unsubscription ends by itself. */
	ue_timer_stop(re->t_rereg);
	re->no_retry = false;
	re_dispatch(re, RE_EV_LOST, NULL);
}

const char *ue_regevent_reason(const struct ims_ue *ue)
{
	return ue->regevent && ue->regevent->reason[0] ? ue->regevent->reason : "terminated";
}

json_t *ue_regevent_status(const struct ims_ue *ue)
{
	const struct ue_regevent *re = ue->regevent;
	json_t *o, *regs;
	bool live = re && (re->state == RE_ACTIVE || re->state == RE_REFRESHING);

	if (!re)
		return json_null();
	o = json_object();
	regs = json_array();
	if (!o || !regs) {
		json_decref(o);
		json_decref(regs);
		return NULL;
	}
	for (size_t i = 0; i < re->n_aors; i++)
		json_array_append_new(regs, json_pack("{s:s, s:s}", "aor", re->aors[i].aor, "state",
						      re->aors[i].state));
	json_object_set_new(o, "state", json_string(re_state_names[re->state]));
	json_object_set_new(o, "impu",
			    re->impu[0] && re->state != RE_IDLE ? json_string(re->impu)
								: json_null());
	json_object_set_new(o, "call_id", re->call_id[0] ? json_string(re->call_id) : json_null());
	json_object_set_new(o, "expires_in_s",
			    live ? json_integer(re_remaining(&re->expires_at)) : json_null());
	json_object_set_new(o, "refresh_in_s",
			    re->state == RE_ACTIVE ? json_integer(re_remaining(&re->refresh_at))
						   : json_null());
	json_object_set_new(o, "retry_in_s",
			    re->state == RE_WAITING ? json_integer(re_remaining(&re->retry_at))
						    : json_null());
	json_object_set_new(o, "version",
			    re->have_version ? json_integer((json_int_t)re->version) : json_null());
	json_object_set_new(o, "notifies", json_integer((json_int_t)re->notifies));
	json_object_set_new(o, "subscription_state",
			    re->sub_state[0] ? json_string(re->sub_state) : json_null());
	json_object_set_new(o, "registrations", regs);
	json_object_set_new(o, "last_action",
			    re->last_action[0] ? json_string(re->last_action) : json_null());
	return o;
}

int ue_regevent_new(struct ims_ue *ue, char *err, size_t errlen)
{
	struct ue_regevent *re = calloc(1, sizeof(*re));

	if (!re) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	re->ue = ue;
	ue->regevent = re;
	re->t_refresh = ue_timer_new(ue->loop, on_t_refresh, re);
	re->t_retry = ue_timer_new(ue->loop, on_t_retry, re);
	re->t_act = ue_timer_new(ue->loop, on_t_act, re);
	re->t_rereg = ue_timer_new(ue->loop, on_t_rereg, re);
	if (!re->t_refresh || !re->t_retry || !re->t_act || !re->t_rereg) {
		snprintf(err, errlen, "out of memory");
		return -1; /* reg_fini -> ue_regevent_free releases what exists */
	}
	return 0;
}

void ue_regevent_free(struct ims_ue *ue)
{
	struct ue_regevent *re = ue->regevent;

	if (!re)
		return;
	re_cancel_pending(re);
	ue_timer_free(re->t_refresh);
	ue_timer_free(re->t_retry);
	ue_timer_free(re->t_act);
	ue_timer_free(re->t_rereg);
	ue_reginfo_sub_free(re->sub);
	free(re);
	ue->regevent = NULL;
}
