/* The registration state machine of TS 24.229 5.1.1 (initial registration
 * 5.1.1.2, reregistration 5.1.1.4, authentication 5.1.1.5, user-initiated
 * deregistration 5.1.1.6), written as one state x event table.
 *
 * Timers, named after the spec:
 *   reregistration  5.1.1.4.1: 600 s before expiry if granted > 1200 s, else half
 *   reg-await-auth  5.1.1.5.1: bound on the 200 (OK) after a challenge response
 *   timer F         RFC 3261 17.1.2.2, 64 * T1: run by the transport, seen as
 *                   REG_EV_TIMER_F (next P-CSCF, then backoff, 5.1.1.4.1)
 *   backoff         RFC 5626 4.5: min(max-time, base-time * 2^failures) *
 *                   random(50..100 %), base-time 30 s (all flows failed), max
 *                   1800 s; a Retry-After governs when present
 * Every transition is logged at debug level (3) through reg_log().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <arpa/inet.h>

#include <openssl/crypto.h>

#include "sec/aka.h"
#include "sec/digest.h"
#include "sec/secagree.h"
#include "sec/usim_soft.h"
#include "ue/reg.h"
#include "ue/reg_extra.h"
#include "ue/reg_ipsec.h"
#include "ue/regevent.h"

#define REG_BACKOFF_BASE_ALL_FAILED_S 30
#define REG_BACKOFF_BASE_S            90
#define REG_BACKOFF_MAX_S             1800
#define REG_MAX_INVALID_CHALLENGES    2 /* 5.1.1.5.12 */
#define REG_MAX_ANSWERED_CHALLENGES   3
#define REG_MAX_STALE_CHALLENGES      4

enum reg_kind { REG_KIND_REGISTER, REG_KIND_DEREGISTER };

/* How the Authorization of the next REGISTER is filled (5.1.1.2, 5.1.1.5). */
enum reg_auth_mode {
	AUTH_EMPTY,     /* username/realm/uri, nonce="" response="" */
	AUTH_RESPONSE,  /* a fresh response to the stored challenge */
	AUTH_LAST,      /* AKA reregistration: last nonce and last response */
	AUTH_MAC_FAIL,  /* challenge deemed invalid: empty response, no auts */
	AUTH_SYNC_FAIL, /* SQN out of range: auts */
};

static const char *const state_names[REG_N_STATES] = {
	[REG_DEREGISTERED] = "deregistered",
	[REG_REGISTERING] = "registering",
	[REG_AUTHENTICATING] = "authenticating",
	[REG_REGISTERED] = "registered",
	[REG_REREGISTERING] = "reregistering",
	[REG_DEREGISTERING] = "deregistering",
	[REG_BACKOFF] = "backoff",
	[REG_FAILED] = "failed",
};

static const char *const event_names[REG_N_EVENTS] = {
	[REG_EV_START] = "start",
	[REG_EV_OK] = "2xx",
	[REG_EV_UNAUTHORIZED] = "401",
	[REG_EV_TOO_BRIEF] = "423",
	[REG_EV_FORBIDDEN] = "403",
	[REG_EV_USE_PROXY] = "305",
	[REG_EV_UNAVAILABLE] = "503",
	[REG_EV_SERVER_ERROR] = "408/500/504",
	[REG_EV_REJECTED] = "rejected",
	[REG_EV_TIMER_F] = "timer-F",
	[REG_EV_REFRESH] = "reregistration-timer",
	[REG_EV_BACKOFF_DONE] = "backoff-timer",
	[REG_EV_AWAIT_AUTH] = "reg-await-auth-timer",
	[REG_EV_DEREGISTER] = "deregister",
	[REG_EV_NETWORK_DEREG] = "network-deregistration",
};

const char *reg_state_name(enum reg_state s)
{
	return s < REG_N_STATES ? state_names[s] : "?";
}

const char *reg_event_name(enum reg_event e)
{
	return e < REG_N_EVENTS ? event_names[e] : "?";
}

void reg_log(struct ims_ue *ue, int level, const char *fmt, ...)
{
	char line[768];
	va_list ap;

	if (level > ue->log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (ue->log)
		ue->log(ue->log_arg, level, line);
	else
		fprintf(stderr, "imsue %s: %s\n", ue->name, line);
}

void reg_emit_for(struct ims_ue *ue, const char *name, const char *impu, const char *state,
		  const unsigned long *expires, const char *reason, const char *last_error)
{
	json_t *d;

	if (!ue->cb)
		return;
	d = json_pack("{s:s, s:s}", "impu", impu, "state", state);
	if (!d)
		return;
	if (reason)
		json_object_set_new(d, "reason", json_string(reason));
	if (expires)
		json_object_set_new(d, "expires", json_integer((json_int_t)*expires));
	if (last_error)
		json_object_set_new(d, "last_error", json_string(last_error));
	ue->cb(ue->cb_arg, ue, name, d);
	json_decref(d);
}

void reg_emit(struct ims_ue *ue, const char *name, const char *reason)
{
	bool with_error = ue->last_error[0] && strcmp(name, "registered") &&
			  strcmp(name, "reregistered");

	reg_emit_for(ue, name, ue->impu, reg_state_name(ue->state),
		     ue->state == REG_REGISTERED ? &ue->granted : NULL, reason,
		     with_error ? ue->last_error : NULL);
}

static void set_error(struct ims_ue *ue, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_error(struct ims_ue *ue, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ue->last_error, sizeof(ue->last_error), fmt, ap);
	va_end(ap);
	reg_log(ue, 2, "last_error: %s", ue->last_error);
}

/* ------------------------------------------------------------------ */
/* Request construction                                                */

static const char *tp_name(enum ue_transport tp)
{
	return tp == UE_TP_TCP ? "tcp" : tp == UE_TP_TLS ? "tls" : "udp";
}

static void next_hop(const struct ims_ue *ue, char *out, size_t outlen)
{
	const struct ue_pcscf *p = &ue->cfg.pcscf[ue->pcscf];
	bool v6 = strchr(p->host, ':') != NULL;
	unsigned port = p->port ? p->port : p->tp == UE_TP_TLS ? 5061 : 5060;

	/* IPsec: the P-CSCF's protected server port (5.1.1.5.1; doc/ipsec.md). */
	if (reg_ipsec_next_hop(ue, out, outlen))
		return;
	/* SIP digest with TLS: after a valid 401, the P-CSCF's protected
	 * TLS port (5.1.1.5.6; doc/tls.md). */
	if (ue->tls_protected && p->tp != UE_TP_TLS) {
		snprintf(out, outlen, v6 ? "sip:[%s]:%u;transport=tls" : "sip:%s:%u;transport=tls",
			 p->host, ue->cfg.tls_port ? ue->cfg.tls_port : 5061);
		return;
	}

	/* RFC 3263 4.2: an FQDN without a port is looked up with SRV for the
	 * configured transport (by nta), so the port is left out. */
	if (!p->port && !v6 && strspn(p->host, "0123456789.") != strlen(p->host)) {
		snprintf(out, outlen, "sip:%s;transport=%s", p->host, tp_name(p->tp));
		return;
	}
	snprintf(out, outlen, v6 ? "sip:[%s]:%u;transport=%s" : "sip:%s:%u;transport=%s", p->host,
		 port, tp_name(p->tp));
}

static void contact_user(const struct ims_ue *ue, char *out, size_t outlen)
{
	const char *s = ue->impu, *at;

	if (!strncasecmp(s, "sip:", 4))
		s += 4;
	else if (!strncasecmp(s, "sips:", 5))
		s += 5;
	else if (!strncasecmp(s, "tel:", 4))
		s += 4;
	at = strchr(s, '@');
	snprintf(out, outlen, "%.*s", (int)(at ? at - s : (long)strlen(s)), s);
	for (char *c = out; *c; c++)
		if (*c == ';' || *c == '>' || *c == ' ')
			*c = '\0';
}

/* Security-Client for sec-agree (5.1.1.2.1; new SPIs and port-c each time
 * an invalid challenge is answered, 5.1.1.5.3). */
static int build_security_client(struct ims_ue *ue)
{
	struct sec_agree_list l = {0};
	struct sec_agree_offer o = {0};
	char err[160];

	ue->security_client[0] = '\0';
	if (ue->cfg.security == UE_SEC_NONE)
		return 0;
	if (ue->cfg.security == UE_SEC_TLS) {
		o.mech = SEC_MECH_TLS;
	} else {
		o.mech = SEC_MECH_IPSEC_3GPP;
		o.algs = ue->cfg.ipsec_alg;
		o.ealgs = ue->cfg.ipsec_ealg;
		o.port_s = ue->cfg.port_s ? ue->cfg.port_s
					  : (uint16_t)(sip_glue_local_port(ue->glue) + 1);
		/* SPIs not used in the kernel, a port-c no live set has. */
		if (reg_ipsec_offer(ue, &o) != 0)
			return -1;
	}
	if (sec_agree_offer_build(&o, &l, err, sizeof(err)) != 0 ||
	    sec_agree_format(&l, ue->security_client, sizeof(ue->security_client)) < 0) {
		set_error(ue, "sec-agree: %s", err);
		sec_agree_clear(&l);
		return -1;
	}
	sec_agree_clear(&l);
	return 0;
}

static void home_uri(const struct ims_ue *ue, char *out, size_t outlen)
{
	snprintf(out, outlen, "sip:%s", ue->domain);
}

/* Compute the Authorization value for mode into ue->authorization.
 * secret/secret_len: the password or RES for AUTH_RESPONSE. */
static int build_authorization(struct ims_ue *ue, enum reg_auth_mode mode, const uint8_t *secret,
			       size_t secret_len, const char *auts_b64)
{
	struct sec_digest_input in = {0};
	char uri[300], resp[80], err[160];
	const char *response = "";

	if (mode == AUTH_LAST)
		return ue->authorization[0] ? 0 : -1;
	home_uri(ue, uri, sizeof(uri));
	in.username = ue->impi;
	in.uri = uri;
	in.method = "REGISTER";
	if (mode == AUTH_EMPTY || !ue->have_challenge) {
		in.alg = ue->cfg.auth == UE_AUTH_AKA ? SEC_DIGEST_AKAV1_MD5 : SEC_DIGEST_MD5;
		in.realm = ue->domain;
		in.nonce = "";
	} else {
		in.alg = ue->alg;
		in.realm = ue->realm;
		in.nonce = ue->nonce;
		if (ue->qop_auth && (mode == AUTH_RESPONSE || mode == AUTH_SYNC_FAIL)) {
			in.qop = "auth";
			in.cnonce = ue->cnonce;
			in.nc = ue->nc;
		}
	}
	if ((mode == AUTH_RESPONSE || mode == AUTH_SYNC_FAIL) && ue->have_challenge) {
		/* RFC 3310 3.4: with auts the credentials are computed with an
		 * empty password. */
		in.secret = mode == AUTH_SYNC_FAIL ? (const uint8_t *)"" : secret;
		in.secret_len = mode == AUTH_SYNC_FAIL ? 0 : secret_len;
		if (sec_digest_response(&in, resp, sizeof(resp), err, sizeof(err)) != 0) {
			set_error(ue, "digest: %s", err);
			return -1;
		}
		response = resp;
	}
	if (sec_authorization_format(
		    &in, response,
		    mode != AUTH_EMPTY && ue->have_challenge && ue->opaque[0] ? ue->opaque : NULL,
		    mode == AUTH_SYNC_FAIL ? auts_b64 : NULL, ue->authorization,
		    sizeof(ue->authorization), err, sizeof(err)) != 0) {
		set_error(ue, "Authorization: %s", err);
		OPENSSL_cleanse(resp, sizeof(resp));
		return -1;
	}
	OPENSSL_cleanse(resp, sizeof(resp));
	return 0;
}

static void on_response(void *arg, struct sip_out *o, const struct sip_view *v);

/* Send the REGISTER for kind with the Authorization already in
 * ue->authorization (or none when auth_none). */
bool reg_request_protected(const struct ims_ue *ue)
{
	return ue->tls_protected || ue->sa_protected;
}

void reg_register_extras(const struct ims_ue *ue, struct ue_msg_register *r)
{
	/* ICSI feature tags in every Contact (5.1.1.2.1, 7.9.2); never with
	 * Contact: * (5.1.1.6.1). */
	r->feature_tags = ue->feature_tags[0] && !r->contact_star ? ue->feature_tags : NULL;
	/* P-Access-Network-Info only on protected requests (5.1.1.2.1 item 8,
	 * 7.2A.4). */
	r->pani = reg_request_protected(ue) && ue->cfg.pani[0] ? ue->cfg.pani : NULL;
}

static int send_register(struct ims_ue *ue, enum reg_kind kind)
{
	struct ue_msg_register r = {0};
	char text[4096], hop[320], user[128], err[200];
	const char *tp = tp_name(ue->cfg.pcscf[ue->pcscf].tp);

	if (ue->pending) {
		sip_glue_out_cancel(ue->pending);
		ue->pending = NULL;
	}
	contact_user(ue, user, sizeof(user));
	r.home_domain = ue->domain;
	r.impu = ue->impu;
	r.from_tag = ue->from_tag;
	r.call_id = ue->call_id;
	r.cseq = ++ue->cseq;
	r.contact_user = user;
	r.contact_host = sip_glue_local_host(ue->glue);
	r.contact_port = reg_ipsec_contact_port(ue); /* port-s while protected */
	r.transport = tp;
	r.instance = ue->instance[0] ? ue->instance : NULL;
	r.expires = kind == REG_KIND_DEREGISTER ? 0 : ue->expires_req;
	r.contact_star = kind == REG_KIND_DEREGISTER && ue->dereg_all;
	r.authorization = ue->authorization[0] ? ue->authorization : NULL;
	r.security_client = ue->security_client[0] ? ue->security_client : NULL;
	r.security_verify =
		reg_request_protected(ue) && ue->security_verify[0] ? ue->security_verify : NULL;
	r.user_agent = "imsue";
	reg_register_extras(ue, &r);
	if (ue_msg_register_build(&r, text, sizeof(text)) < 0) {
		set_error(ue, "REGISTER does not fit in %zu bytes", sizeof(text));
		return -1;
	}
	next_hop(ue, hop, sizeof(hop));
	reg_log(ue, 3, "sending REGISTER cseq %u (%s%s) to %s", r.cseq,
		kind == REG_KIND_DEREGISTER ? "expires 0" : "register",
		r.contact_star ? ", Contact *" : "", hop);
	ue->pending = sip_glue_send(ue->glue, hop, text, NULL, on_response, ue, err, sizeof(err));
	if (!ue->pending) {
		set_error(ue, "%s", err);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Timers                                                              */

static void stop_timers(struct ims_ue *ue)
{
	ue_timer_stop(ue->t_refresh);
	ue_timer_stop(ue->t_backoff);
	ue_timer_stop(ue->t_await_auth);
}

static void on_t_refresh(void *arg)
{
	reg_dispatch(arg, REG_EV_REFRESH, NULL);
}

static void on_t_backoff(void *arg)
{
	reg_dispatch(arg, REG_EV_BACKOFF_DONE, NULL);
}

static void on_t_await_auth(void *arg)
{
	reg_dispatch(arg, REG_EV_AWAIT_AUTH, NULL);
}

static unsigned long backoff_delay_ms(struct ims_ue *ue)
{
	unsigned long w, base = REG_BACKOFF_BASE_ALL_FAILED_S;
	uint32_t r = 0;
	unsigned f = ue->failures > 10 ? 10 : ue->failures;

	if (ue->retry_after_s)
		return ue->retry_after_s * 1000;
	/* One flow only: it failed, so all flows failed (base-time 30 s). */
	(void)REG_BACKOFF_BASE_S;
	w = base << f;
	if (w > REG_BACKOFF_MAX_S)
		w = REG_BACKOFF_MAX_S;
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = 0;
	/* times a random factor in [50 %, 100 %] */
	return w * 500 + (w * 500 * (r % 1001)) / 1000;
}

/* ------------------------------------------------------------------ */
/* Actions: each returns the next state                                */

typedef enum reg_state (*reg_action)(struct ims_ue *ue, const struct sip_view *v);

static void reset_auth(struct ims_ue *ue)
{
	ue->have_challenge = false;
	ue->realm[0] = ue->nonce[0] = ue->opaque[0] = '\0';
	ue->nc = 0;
	ue->qop_auth = false;
	OPENSSL_cleanse(ue->authorization, sizeof(ue->authorization));
	ue->authorization[0] = '\0';
	ue->invalid_challenges = 0;
	ue->answered_challenges = 0;
	ue->stale_challenges = 0;
	ue->sent_response = false;
}

/* A new registration starts without the TLS session of the last one
 * (5.1.1.2; doc/tls.md). */
static void tls_forget(struct ims_ue *ue)
{
	ue->tls_protected = false;
	ue->security_verify[0] = '\0';
	if (ue->glue)
		sip_glue_tls_close(ue->glue);
	reg_ipsec_forget(ue); /* the SA sets too (5.1.1.6.1, 5.1.1.7) */
}

/* A new registration: new Call-ID and tag, CSeq from 1 (5.1.1.2). */
static enum reg_state begin_initial(struct ims_ue *ue)
{
	stop_timers(ue);
	if (ue_msg_random_token(ue->call_id, sizeof(ue->call_id), 16) != 0 ||
	    ue_msg_random_token(ue->from_tag, sizeof(ue->from_tag), 8) != 0) {
		set_error(ue, "no randomness for Call-ID");
		return REG_FAILED;
	}
	ue->cseq = 0;
	ue->was_registered = false;
	ue->expires_req = ue->cfg.expires;
	ue->retry_after_s = 0;
	reset_auth(ue);
	memset(&ue->ok, 0, sizeof(ue->ok));
	ue->granted = 0;
	tls_forget(ue);
	if (build_security_client(ue) != 0 ||
	    build_authorization(ue, AUTH_EMPTY, NULL, 0, NULL) != 0)
		return REG_FAILED;
	if (send_register(ue, REG_KIND_REGISTER) != 0) {
		ue->failures++;
		ue_timer_start(ue->t_backoff, backoff_delay_ms(ue));
		/* e.g. the P-CSCF's TLS certificate was rejected (doc/tls.md) */
		reg_emit(ue, "error", ue->last_error[0] ? ue->last_error : "cannot send REGISTER");
		return REG_BACKOFF;
	}
	return REG_REGISTERING;
}

static enum reg_state a_start(struct ims_ue *ue, const struct sip_view *v)
{
	(void)v;
	ue->failures = 0;
	ue->pcscf_tried = 0;
	ue->last_error[0] = '\0';
	ue->tls_abandons = 0;
	return begin_initial(ue);
}

static enum reg_state a_retry(struct ims_ue *ue, const struct sip_view *v)
{
	(void)v;
	return begin_initial(ue);
}

static enum reg_state go_backoff(struct ims_ue *ue)
{
	unsigned long ms;

	if (ue->pending) {
		sip_glue_out_cancel(ue->pending);
		ue->pending = NULL;
	}
	stop_timers(ue);
	ue->failures++;
	ms = backoff_delay_ms(ue);
	ue->retry_after_s = 0;
	reg_log(ue, 2, "retrying in %lu ms (failure %u)", ms, ue->failures);
	ue_timer_start(ue->t_backoff, ms);
	if (ue->was_registered) {
		ue->was_registered = false;
		reg_emit(ue, "deregistered", "registration failed");
	}
	reg_emit(ue, "error", ue->last_error[0] ? ue->last_error : "registration failed");
	return REG_BACKOFF;
}

static enum reg_kind current_kind(const struct ims_ue *ue)
{
	return ue->state == REG_DEREGISTERING ? REG_KIND_DEREGISTER : REG_KIND_REGISTER;
}

static enum reg_state a_dereg_done(struct ims_ue *ue, const struct sip_view *v);

/* SIP digest with TLS, 5.1.1.5.6: the 401's Security-Server must list
 * "tls", else the authentication is abandoned and a new REGISTER sent
 * (once; a second such 401 in a row is a failure with backoff, so a
 * P-CSCF without tls cannot make us loop). A valid one is kept for
 * Security-Verify and moves the registration onto the TLS session.
 * Returns 0 to go on answering the challenge, else 1 with *next. */
static int tls_challenge(struct ims_ue *ue, const struct sip_view *v, enum reg_kind kind,
			 enum reg_state *next)
{
	struct sec_agree_list l = {0};
	char joined[sizeof(ue->security_verify)], err[160] = "";
	size_t n = 0;
	bool tls = false, bad = false;

	joined[0] = '\0';
	for (size_t i = 0; i < v->n_hdrs; i++) {
		const char *val = v->hdrs[i].value;

		if (strcasecmp(v->hdrs[i].name, "Security-Server"))
			continue;
		if (sec_agree_parse(val, strlen(val), &l, err, sizeof(err)) != 0) {
			bad = true;
			break;
		}
		n += (size_t)snprintf(joined + n, n < sizeof(joined) ? sizeof(joined) - n : 0,
				      "%s%s", n ? ", " : "", val);
	}
	for (size_t i = 0; !bad && i < l.n; i++)
		if (l.e[i].mech == SEC_MECH_TLS)
			tls = true;
	sec_agree_clear(&l);
	if (tls && n < sizeof(joined)) {
		ue->tls_abandons = 0;
		snprintf(ue->security_verify, sizeof(ue->security_verify), "%s", joined);
		ue->tls_protected = true;
		return 0;
	}
	if (bad)
		set_error(ue, "sec-agree: Security-Server of the 401 unreadable (%s)", err);
	else if (tls)
		set_error(ue, "sec-agree: Security-Server of the 401 too long");
	else
		set_error(ue, "sec-agree: the 401 has %s: authentication abandoned (5.1.1.5.6)",
			  joined[0] ? "no \"tls\" in Security-Server" : "no Security-Server");
	if (kind == REG_KIND_DEREGISTER) {
		*next = a_dereg_done(ue, v);
		return 1;
	}
	if (++ue->tls_abandons > 1) {
		*next = go_backoff(ue); /* emits the error */
		return 1;
	}
	reg_emit(ue, "error", ue->last_error);
	*next = begin_initial(ue);
	return 1;
}

/* 401: 5.1.1.5.1 (AKA), 5.1.1.5.3 (invalid AKA challenges), 5.1.1.5.4
 * (digest), 5.1.1.5.12 (at most two consecutive invalid challenges). */
static enum reg_state a_challenge(struct ims_ue *ue, const struct sip_view *v)
{
	struct sec_challenge ch = {0};
	const char *www = NULL;
	char err[200];
	enum reg_kind kind = current_kind(ue);
	enum reg_state after_response =
		kind == REG_KIND_DEREGISTER ? REG_DEREGISTERING : REG_AUTHENTICATING;
	enum reg_state after_invalid =
		kind == REG_KIND_DEREGISTER ? REG_DEREGISTERING : REG_REGISTERING;

	ue->pending = NULL;
	for (size_t i = 0; i < v->n_hdrs; i++)
		if (!strcasecmp(v->hdrs[i].name,
				v->status == 407 ? "Proxy-Authenticate" : "WWW-Authenticate") &&
		    !strncasecmp(v->hdrs[i].value, "Digest", 6)) {
			www = v->hdrs[i].value;
			break;
		}
	if (!www) {
		set_error(ue, "%d without a Digest challenge", v->status);
		return go_backoff(ue);
	}
	if (ue->cfg.security == UE_SEC_TLS) {
		enum reg_state next;

		if (tls_challenge(ue, v, kind, &next) != 0)
			return next;
	}
	if (++ue->answered_challenges > REG_MAX_ANSWERED_CHALLENGES) {
		set_error(ue, "auth-failed: %d challenges in a row", ue->answered_challenges);
		reg_emit(ue, "auth-failed", ue->last_error);
		return go_backoff(ue);
	}
	if (sec_challenge_parse(www, strlen(www), &ch, err, sizeof(err)) != 0) {
		set_error(ue, "WWW-Authenticate: %s", err);
		return go_backoff(ue);
	}
	/* RFC 7616 3.3 / RFC 2617 3.2.1: stale=true only says our nonce expired
	 * (the credentials were right): answer it without counting it, a few
	 * times at most. */
	if (ch.stale && ue->sent_response && ue->stale_challenges < REG_MAX_STALE_CHALLENGES) {
		ue->stale_challenges++;
		ue->answered_challenges--;
		reg_log(ue, 2, "stale nonce: answering the new one");
	}
	snprintf(ue->realm, sizeof(ue->realm), "%s", ch.realm ? ch.realm : ue->domain);
	snprintf(ue->opaque, sizeof(ue->opaque), "%s", ch.opaque ? ch.opaque : "");
	if (!ch.nonce || strlen(ch.nonce) >= sizeof(ue->nonce)) {
		set_error(ue, "challenge without a usable nonce");
		sec_challenge_clear(&ch);
		return go_backoff(ue);
	}
	snprintf(ue->nonce, sizeof(ue->nonce), "%s", ch.nonce);
	ue->alg = ch.alg;
	ue->qop_auth = ch.qop_auth;
	ue->have_challenge = true;
	ue->nc = 1;
	sec_challenge_clear(&ch);
	if (ue_msg_random_token(ue->cnonce, sizeof(ue->cnonce), 8) != 0) {
		set_error(ue, "no randomness for cnonce");
		return go_backoff(ue);
	}

	if (ue->alg == SEC_DIGEST_AKAV1_MD5 || ue->alg == SEC_DIGEST_AKAV2_MD5) {
		uint8_t rand[16], autn[16];
		struct sec_aka_result res;
		enum sec_aka_status st;
		char auts[40];
		int rc;

		if (ue->cfg.auth != UE_AUTH_AKA || !ue->cred) {
			set_error(ue, "auth-failed: AKA challenge but no USIM credentials");
			reg_emit(ue, "auth-failed", ue->last_error);
			return REG_FAILED;
		}
		if (ue->alg == SEC_DIGEST_AKAV2_MD5) {
			set_error(ue, "AKAv2-MD5 not supported yet");
			return go_backoff(ue);
		}
		if (sec_aka_nonce_decode(ue->nonce, rand, autn, err, sizeof(err)) != 0) {
			set_error(ue, "AKA nonce: %s", err);
			return go_backoff(ue);
		}
		st = sec_cred_check(ue->cred, rand, autn, &res, err, sizeof(err));
		reg_log(ue, 2, "AKA challenge: %s", sec_aka_status_name(st));
		if (st == SEC_AKA_OK && ue->cfg.log_keys) {
			/* Only with imsued -K or [debug] log_keys (lab use: decrypting ESP). */
			char hx[3][33] = {{0}};
			const uint8_t *kv[3] = {res.res, res.ck, res.ik};
			size_t kl[3] = {res.res_len, 16, 16};

			for (int i = 0; i < 3; i++)
				for (size_t j = 0; j < kl[i] && j < 16; j++)
					snprintf(hx[i] + 2 * j, 3, "%02x", kv[i][j]);
			reg_log(ue, 1, "log_keys: res=%s ck=%s ik=%s", hx[0], hx[1], hx[2]);
			OPENSSL_cleanse(hx, sizeof(hx));
		}
		switch (st) {
		case SEC_AKA_OK:
			ue->invalid_challenges = 0;
			if (ue->cfg.security == UE_SEC_TLS) {
				sec_aka_result_wipe(&res);
				set_error(ue, "tls not yet supported");
				reg_emit(ue, "error", ue->last_error);
				return REG_FAILED;
			}
			/* The temporary SA set; the response goes over it (5.1.1.5.1). */
			if (ue->cfg.security == UE_SEC_IPSEC &&
			    reg_ipsec_challenge(ue, v, res.ck, res.ik) != 0) {
				sec_aka_result_wipe(&res);
				reg_ipsec_forget(ue); /* no set outlives the failure */
				reg_emit(ue, "error", ue->last_error);
				return REG_FAILED;
			}
			rc = build_authorization(ue, AUTH_RESPONSE, res.res, res.res_len, NULL);
			sec_aka_result_wipe(&res);
			if (rc != 0)
				return go_backoff(ue);
			ue->sent_response = true;
			if (send_register(ue, kind) != 0)
				return go_backoff(ue);
			if (kind == REG_KIND_REGISTER)
				ue_timer_start(ue->t_await_auth, ue->cfg.reg_await_auth_ms);
			return after_response;
		case SEC_AKA_MAC_FAILURE:
		case SEC_AKA_SYNC_FAILURE:
			if (++ue->invalid_challenges > REG_MAX_INVALID_CHALLENGES) {
				sec_aka_result_wipe(&res);
				set_error(
					ue,
					"auth-failed: more than %d consecutive invalid challenges",
					REG_MAX_INVALID_CHALLENGES);
				reg_emit(ue, "auth-failed", ue->last_error);
				return go_backoff(ue);
			}
			set_error(ue, "AKA challenge invalid: %s", sec_aka_status_name(st));
			auts[0] = '\0';
			if (st == SEC_AKA_SYNC_FAILURE &&
			    sec_base64_encode(res.auts, sizeof(res.auts), auts, sizeof(auts)) < 0) {
				sec_aka_result_wipe(&res);
				set_error(ue, "cannot encode auts");
				return go_backoff(ue);
			}
			sec_aka_result_wipe(&res);
			/* A new Security-Client with fresh SPIs and port-c (5.1.1.5.3). */
			if (build_security_client(ue) != 0 ||
			    build_authorization(
				    ue, st == SEC_AKA_SYNC_FAILURE ? AUTH_SYNC_FAIL : AUTH_MAC_FAIL,
				    NULL, 0, auts) != 0)
				return go_backoff(ue);
			ue->sent_response = false;
			/* The answered invalid challenge does not count as answered. */
			ue->answered_challenges--;
			if (send_register(ue, kind) != 0)
				return go_backoff(ue);
			return after_invalid;
		default:
			sec_aka_result_wipe(&res);
			set_error(ue, "USIM: %s", err);
			return go_backoff(ue);
		}
	}

	/* SIP digest (5.1.1.5.4). */
	if (ue->cfg.auth != UE_AUTH_DIGEST || !ue->cfg.password_len) {
		set_error(ue, "auth-failed: digest challenge but no password configured");
		reg_emit(ue, "auth-failed", ue->last_error);
		return REG_FAILED;
	}
	if (build_authorization(ue, AUTH_RESPONSE, (const uint8_t *)ue->cfg.password,
				ue->cfg.password_len, NULL) != 0)
		return go_backoff(ue);
	ue->sent_response = true;
	if (send_register(ue, kind) != 0)
		return go_backoff(ue);
	return after_response;
}

/* The Authorization for a request that follows a successful one:
 * AKA reuses the last nonce and response (5.1.1.4.2, 5.1.1.6.2); digest
 * counts nc up with the stored nonce (5.1.1.4.3). */
static int auth_for_follow_up(struct ims_ue *ue)
{
	if (!ue->have_challenge)
		return build_authorization(ue, AUTH_EMPTY, NULL, 0, NULL);
	if (ue->cfg.auth == UE_AUTH_AKA)
		return build_authorization(ue, AUTH_LAST, NULL, 0, NULL);
	ue->nc++;
	return build_authorization(ue, AUTH_RESPONSE, (const uint8_t *)ue->cfg.password,
				   ue->cfg.password_len, NULL);
}

static enum reg_state a_ok(struct ims_ue *ue, const struct sip_view *v)
{
	char err[200];
	bool rereg = ue->was_registered;
	unsigned long refresh;

	ue->pending = NULL;
	ue_timer_stop(ue->t_await_auth);
	if (ue_msg_reg_ok_parse(v->hdrs, v->n_hdrs, sip_glue_local_host(ue->glue),
				reg_ipsec_contact_port(ue),
				ue->instance[0] ? ue->instance : NULL, &ue->ok, err,
				sizeof(err)) != 0) {
		set_error(ue, "200 OK: %s", err);
		return go_backoff(ue);
	}
	if (ue->ok.expires < 0) {
		const char *e = ue_msg_header(v->hdrs, v->n_hdrs, "Expires");
		unsigned long x;

		if (!ue->ok.contact_found && e &&
		    ue_msg_delta_seconds(e, strlen(e), &x, NULL, 0) == 0)
			ue->ok.expires = (long)x;
	}
	if (ue->ok.expires <= 0) {
		set_error(ue, "200 OK without an expiry for our contact");
		return go_backoff(ue);
	}
	/* Digest: authenticate the server with rspauth, adopt nextnonce (5.1.1.5.4). */
	if (ue->ok.auth_info[0] && ue->have_challenge) {
		struct sec_auth_info ai = {0};

		if (sec_auth_info_parse(ue->ok.auth_info, strlen(ue->ok.auth_info), &ai, err,
					sizeof(err)) != 0) {
			set_error(ue, "Authentication-Info: %s", err);
			return go_backoff(ue);
		}
		/* RFC 2617 3.2.3: cnonce and nc echo those of our request. */
		if (ue->sent_response && ue->qop_auth &&
		    ((ai.cnonce && strcmp(ai.cnonce, ue->cnonce)) ||
		     (ai.has_nc && ai.nc != ue->nc))) {
			sec_auth_info_clear(&ai);
			set_error(ue,
				  "auth-failed: Authentication-Info cnonce/nc do not match ours");
			reg_emit(ue, "auth-failed", ue->last_error);
			return REG_FAILED;
		}
		if (ai.rspauth && ue->cfg.auth == UE_AUTH_DIGEST && ue->sent_response) {
			struct sec_digest_input in = {0};
			char uri[300];

			home_uri(ue, uri, sizeof(uri));
			in.alg = ue->alg;
			in.username = ue->impi;
			in.realm = ue->realm;
			in.nonce = ue->nonce;
			in.uri = uri;
			in.method = "";
			in.secret = (const uint8_t *)ue->cfg.password;
			in.secret_len = ue->cfg.password_len;
			if (ue->qop_auth) {
				in.qop = "auth";
				in.cnonce = ue->cnonce;
				in.nc = ue->nc;
			}
			if (sec_digest_rspauth_check(&in, ai.rspauth, err, sizeof(err)) != 0) {
				sec_auth_info_clear(&ai);
				set_error(ue, "auth-failed: rspauth does not match (%s)", err);
				reg_emit(ue, "auth-failed", ue->last_error);
				return REG_FAILED;
			}
			reg_log(ue, 2, "rspauth verified");
		}
		if (ai.nextnonce && strlen(ai.nextnonce) < sizeof(ue->nonce)) {
			snprintf(ue->nonce, sizeof(ue->nonce), "%s", ai.nextnonce);
			ue->nc = 0;
		}
		sec_auth_info_clear(&ai);
	}
	ue->granted = (unsigned long)ue->ok.expires;
	reg_ipsec_ok(ue, ue->granted); /* temporary -> established (5.1.1.5.1) */
	ue->failures = 0;
	ue->pcscf_tried = 0;
	ue->answered_challenges = 0;
	ue->invalid_challenges = 0;
	ue->stale_challenges = 0;
	ue->was_registered = true;
	ue->last_error[0] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &ue->registered_at);
	refresh = ue_msg_refresh_delay(ue->granted);
	ue->refresh_at = ue->registered_at;
	ue->refresh_at.tv_sec += (time_t)refresh;
	ue_timer_start(ue->t_refresh, refresh * 1000);
	reg_log(ue, 2, "registered for %lu s, reregistering in %lu s", ue->granted, refresh);
	ue->state = REG_REGISTERED; /* so that the event reports it */
	reg_emit(ue, rereg ? "reregistered" : "registered", NULL);
	return REG_REGISTERED;
}

static enum reg_state a_too_brief(struct ims_ue *ue, const struct sip_view *v)
{
	const char *me = ue_msg_header(v->hdrs, v->n_hdrs, "Min-Expires");
	unsigned long min;
	char err[120];

	ue->pending = NULL;
	if (!me || ue_msg_delta_seconds(me, strlen(me), &min, err, sizeof(err)) != 0 || !min) {
		set_error(ue, "423 without a usable Min-Expires");
		return go_backoff(ue);
	}
	/* RFC 3261 10.2.8 / 5.1.1.2.1: at least Min-Expires. */
	if (ue->expires_req < min)
		ue->expires_req = min;
	reg_log(ue, 2, "423: expires raised to %lu", ue->expires_req);
	if (ue->sent_response && auth_for_follow_up(ue) != 0)
		return go_backoff(ue);
	if (send_register(ue, current_kind(ue)) != 0)
		return go_backoff(ue);
	return ue->state;
}

static enum reg_state a_forbidden(struct ims_ue *ue, const struct sip_view *v)
{
	ue->pending = NULL;
	stop_timers(ue);
	set_error(ue, "auth-failed: %d %s", v->status, v->phrase ? v->phrase : "");
	reg_emit(ue, "auth-failed", ue->last_error);
	return REG_FAILED;
}

/* 408/500/504/403 (and other failures) to a reregistration: initial
 * registration (5.1.1.4.1). */
static enum reg_state a_reinitial(struct ims_ue *ue, const struct sip_view *v)
{
	ue->pending = NULL;
	set_error(ue, "reregistration failed: %d %s", v->status, v->phrase ? v->phrase : "");
	reg_emit(ue, "error", ue->last_error);
	return begin_initial(ue);
}

static enum reg_state a_use_proxy(struct ims_ue *ue, const struct sip_view *v)
{
	ue->pending = NULL;
	set_error(ue, "305 Use Proxy from P-CSCF %d", ue->pcscf + 1);
	(void)v;
	if (ue->cfg.n_pcscf < 2)
		return go_backoff(ue);
	ue->pcscf = (ue->pcscf + 1) % ue->cfg.n_pcscf;
	reg_log(ue, 2, "305: using P-CSCF %d", ue->pcscf + 1);
	return begin_initial(ue);
}

static enum reg_state a_unavailable(struct ims_ue *ue, const struct sip_view *v)
{
	const char *ra = ue_msg_header(v->hdrs, v->n_hdrs, "Retry-After");
	unsigned long s = 0;

	ue->pending = NULL;
	set_error(ue, "%d %s", v->status, v->phrase ? v->phrase : "");
	if (ra && ue_msg_delta_seconds(ra, strlen(ra), &s, NULL, 0) == 0 && s)
		ue->retry_after_s = s;
	return go_backoff(ue);
}

static enum reg_state a_rejected(struct ims_ue *ue, const struct sip_view *v)
{
	ue->pending = NULL;
	set_error(ue, "%d %s", v->status, v->phrase ? v->phrase : "");
	return go_backoff(ue);
}

/* No answer (timer F) or transport failure: next P-CSCF, then backoff
 * once every P-CSCF failed (5.1.1.4.1, RFC 5626 4.5). */
static enum reg_state a_timer_f(struct ims_ue *ue, const struct sip_view *v)
{
	char hop[320];

	ue->pending = NULL;
	next_hop(ue, hop, sizeof(hop));
	if (v && v->local && v->phrase && !strncmp(v->phrase, "TLS to ", 7))
		set_error(ue, "%s", v->phrase); /* the TLS session failed (doc/tls.md) */
	else
		set_error(ue, "no response from P-CSCF %s (%d %s)", hop, v ? v->status : 408,
			  v && v->phrase ? v->phrase : "timer F");
	if (++ue->pcscf_tried < ue->cfg.n_pcscf) {
		ue->pcscf = (ue->pcscf + 1) % ue->cfg.n_pcscf;
		reg_log(ue, 2, "trying P-CSCF %d", ue->pcscf + 1);
		reg_emit(ue, "error", ue->last_error);
		return begin_initial(ue);
	}
	ue->pcscf_tried = 0;
	ue->pcscf = (ue->pcscf + 1) % ue->cfg.n_pcscf;
	return go_backoff(ue);
}

static enum reg_state a_await_auth(struct ims_ue *ue, const struct sip_view *v)
{
	(void)v;
	set_error(ue, "no 200 (OK) within reg-await-auth");
	return go_backoff(ue);
}

static enum reg_state a_refresh(struct ims_ue *ue, const struct sip_view *v)
{
	(void)v;
	/* 5.1.1.5.7: the TLS session is gone, so is the registration's
	 * protection at the P-CSCF: a new initial registration. */
	if ((ue->tls_protected || ue->cfg.pcscf[ue->pcscf].tp == UE_TP_TLS) &&
	    sip_glue_tls_state(ue->glue) != 1) {
		set_error(ue, "TLS session to the P-CSCF lost: new initial registration");
		reg_emit(ue, "error", ue->last_error);
		return begin_initial(ue);
	}
	ue->expires_req = ue->cfg.expires;
	ue->answered_challenges = 0;
	if (build_security_client(ue) != 0 || auth_for_follow_up(ue) != 0 ||
	    send_register(ue, REG_KIND_REGISTER) != 0)
		return go_backoff(ue);
	return REG_REREGISTERING;
}

static enum reg_state a_deregister(struct ims_ue *ue, const struct sip_view *v)
{
	(void)v;
	stop_timers(ue);
	ue->answered_challenges = 0;
	ue->state = REG_DEREGISTERING; /* current_kind() of later 401s */
	if (auth_for_follow_up(ue) != 0 || send_register(ue, REG_KIND_DEREGISTER) != 0) {
		ue->was_registered = false;
		reg_emit(ue, "deregistered", "local");
		return REG_DEREGISTERED;
	}
	return REG_DEREGISTERING;
}

/* Deregistration requested before anything was registered. */
static enum reg_state a_abort(struct ims_ue *ue, const struct sip_view *v)
{
	(void)v;
	if (ue->pending) {
		sip_glue_out_cancel(ue->pending);
		ue->pending = NULL;
	}
	stop_timers(ue);
	ue->state = REG_DEREGISTERED;
	reg_emit(ue, "deregistered", ue->shutting_down ? "shutdown" : "user");
	return REG_DEREGISTERED;
}

static enum reg_state a_dereg_done(struct ims_ue *ue, const struct sip_view *v)
{
	char reason[160];

	ue->pending = NULL;
	stop_timers(ue);
	if (v && v->status >= 200 && v->status < 300)
		snprintf(reason, sizeof(reason), "%s", ue->shutting_down ? "shutdown" : "user");
	else
		snprintf(reason, sizeof(reason), "deregistration failed: %d %s", v ? v->status : 0,
			 v && v->phrase ? v->phrase : "");
	ue->was_registered = false;
	ue->granted = 0;
	memset(&ue->ok, 0, sizeof(ue->ok));
	ue->state = REG_DEREGISTERED;
	/* 5.1.1.6.1: nothing registered over it any more. */
	tls_forget(ue);
	reg_emit(ue, "deregistered", reason);
	return REG_DEREGISTERED;
}

/* The reg event said our registration ended (5.1.1.7, ue/regevent.c):
 * the binding is gone at the registrar, so nothing is sent. */
static enum reg_state a_net_dereg(struct ims_ue *ue, const struct sip_view *v)
{
	char reason[96];

	(void)v;
	if (ue->pending) {
		sip_glue_out_cancel(ue->pending);
		ue->pending = NULL;
	}
	stop_timers(ue);
	snprintf(reason, sizeof(reason), "network: %s", ue_regevent_reason(ue));
	ue->was_registered = false;
	ue->granted = 0;
	memset(&ue->ok, 0, sizeof(ue->ok));
	ue->state = REG_DEREGISTERED;
	/* 5.1.1.7: the TLS session goes (this runs after the NOTIFY's 200). */
	tls_forget(ue);
	reg_emit(ue, "deregistered", reason);
	return REG_DEREGISTERED;
}

/* ------------------------------------------------------------------ */
/* The table                                                           */

#define S(x)     (1u << (x))
#define S_TRYING (S(REG_REGISTERING) | S(REG_AUTHENTICATING))

static const struct reg_transition {
	unsigned states; /* bit set of enum reg_state */
	enum reg_event ev;
	reg_action act;
} reg_table[] = {
	{S(REG_DEREGISTERED) | S(REG_FAILED) | S(REG_BACKOFF), REG_EV_START, a_start},
	{S(REG_BACKOFF), REG_EV_BACKOFF_DONE, a_retry},
	{S(REG_BACKOFF) | S_TRYING | S(REG_FAILED), REG_EV_DEREGISTER, a_abort},

	{S_TRYING | S(REG_REREGISTERING), REG_EV_OK, a_ok},
	{S_TRYING | S(REG_REREGISTERING) | S(REG_DEREGISTERING), REG_EV_UNAUTHORIZED, a_challenge},
	{S_TRYING | S(REG_REREGISTERING), REG_EV_TOO_BRIEF, a_too_brief},
	{S_TRYING, REG_EV_FORBIDDEN, a_forbidden},
	{S_TRYING | S(REG_REREGISTERING), REG_EV_USE_PROXY, a_use_proxy},
	{S_TRYING | S(REG_REREGISTERING), REG_EV_UNAVAILABLE, a_unavailable},
	{S_TRYING, REG_EV_SERVER_ERROR, a_rejected},
	{S_TRYING, REG_EV_REJECTED, a_rejected},
	{S_TRYING | S(REG_REREGISTERING), REG_EV_TIMER_F, a_timer_f},
	{S(REG_AUTHENTICATING), REG_EV_AWAIT_AUTH, a_await_auth},

	{S(REG_REGISTERED), REG_EV_REFRESH, a_refresh},
	{S(REG_REREGISTERING), REG_EV_FORBIDDEN, a_reinitial},
	{S(REG_REREGISTERING), REG_EV_SERVER_ERROR, a_reinitial},
	{S(REG_REREGISTERING), REG_EV_REJECTED, a_reinitial},
	{S(REG_REGISTERED) | S(REG_REREGISTERING), REG_EV_DEREGISTER, a_deregister},
	{S(REG_REGISTERED) | S(REG_REREGISTERING), REG_EV_NETWORK_DEREG, a_net_dereg},

	{S(REG_DEREGISTERING), REG_EV_OK, a_dereg_done},
	{S(REG_DEREGISTERING), REG_EV_TOO_BRIEF, a_dereg_done},
	{S(REG_DEREGISTERING), REG_EV_FORBIDDEN, a_dereg_done},
	{S(REG_DEREGISTERING), REG_EV_USE_PROXY, a_dereg_done},
	{S(REG_DEREGISTERING), REG_EV_UNAVAILABLE, a_dereg_done},
	{S(REG_DEREGISTERING), REG_EV_SERVER_ERROR, a_dereg_done},
	{S(REG_DEREGISTERING), REG_EV_REJECTED, a_dereg_done},
	{S(REG_DEREGISTERING), REG_EV_TIMER_F, a_dereg_done},
};

static void shutdown_finish(struct ims_ue *ue)
{
	void (*done)(void *) = ue->shutdown_done;

	ue->shutdown_done = NULL;
	ue_timer_stop(ue->t_shutdown);
	if (done)
		done(ue->shutdown_arg);
}

void reg_dispatch(struct ims_ue *ue, enum reg_event ev, const struct sip_view *v)
{
	enum reg_state from = ue->state, to;
	const struct reg_transition *t = NULL;

	for (size_t i = 0; i < sizeof(reg_table) / sizeof(reg_table[0]); i++)
		if ((reg_table[i].states & S(from)) && reg_table[i].ev == ev) {
			t = &reg_table[i];
			break;
		}
	if (!t) {
		reg_log(ue, 3, "%s: event %s ignored", reg_state_name(from), reg_event_name(ev));
		return;
	}
	if (ev == REG_EV_DEREGISTER)
		ue_regevent_unsubscribe(ue); /* before the de-REGISTER */
	to = t->act(ue, v);
	ue->state = to;
	reg_log(ue, 3, "%s --%s--> %s", reg_state_name(from), reg_event_name(ev),
		reg_state_name(to));
	ue_regevent_on_state(ue, from, to);
	/* Additional IMPUs follow the first one (ue/reg_extra.c). */
	if (ev == REG_EV_START)
		reg_extra_on_start(ue);
	if (to == REG_REGISTERED)
		reg_extra_on_registered(ue);
	else if (to == REG_DEREGISTERING && from != REG_DEREGISTERING)
		reg_extra_on_lost(ue, true, ue->dereg_all);
	else if (to == REG_FAILED || to == REG_BACKOFF || to == REG_DEREGISTERED ||
		 (!ue->was_registered && to != REG_DEREGISTERING))
		reg_extra_on_lost(ue, false, false); /* a re-authentication keeps them */
	reg_check_shutdown(ue);
}

void reg_check_shutdown(struct ims_ue *ue)
{
	if (ue->shutting_down && ue->shutdown_done &&
	    (ue->state == REG_DEREGISTERED || ue->state == REG_FAILED ||
	     ue->state == REG_BACKOFF) &&
	    !reg_extra_busy(ue)) {
		stop_timers(ue);
		shutdown_finish(ue);
	}
}

/* Helpers shared with ue/reg_extra.c (additional IMPUs). */
void reg_contact_user(const struct ims_ue *ue, char *out, size_t outlen)
{
	contact_user(ue, out, outlen);
}

void reg_next_hop(const struct ims_ue *ue, char *out, size_t outlen)
{
	next_hop(ue, out, outlen);
}

const char *reg_transport_name(const struct ims_ue *ue)
{
	return tp_name(ue->cfg.pcscf[ue->pcscf].tp);
}

int reg_auth_follow_up(struct ims_ue *ue)
{
	return auth_for_follow_up(ue);
}

int reg_auth_response(struct ims_ue *ue, const uint8_t *secret, size_t secret_len)
{
	return build_authorization(ue, AUTH_RESPONSE, secret, secret_len, NULL);
}

int reg_auth_invalid(struct ims_ue *ue, const char *auts_b64)
{
	return build_authorization(ue, auts_b64 && *auts_b64 ? AUTH_SYNC_FAIL : AUTH_MAC_FAIL, NULL,
				   0, auts_b64);
}

static void on_response(void *arg, struct sip_out *o, const struct sip_view *v)
{
	struct ims_ue *ue = arg;
	enum reg_event ev;

	if (o != ue->pending)
		return; /* an old transaction */
	ue->pending = NULL;
	reg_log(ue, 2, "response %d %s%s", v->status, v->phrase ? v->phrase : "",
		v->local ? " (local)" : "");
	for (size_t i = 0; i < v->n_hdrs; i++)
		reg_log(ue, 4, "  %s: %s", v->hdrs[i].name, v->hdrs[i].value);
	if (v->local && (v->status == 408 || v->status == 503 || v->status >= 500))
		ev = REG_EV_TIMER_F;
	else if (v->status >= 200 && v->status < 300)
		ev = REG_EV_OK;
	else if (v->status == 401 || v->status == 407)
		ev = REG_EV_UNAUTHORIZED;
	else if (v->status == 423)
		ev = REG_EV_TOO_BRIEF;
	else if (v->status == 403)
		ev = REG_EV_FORBIDDEN;
	else if (v->status == 305)
		ev = REG_EV_USE_PROXY;
	else if (v->status == 503)
		ev = REG_EV_UNAVAILABLE;
	else if (v->status == 408 || v->status == 500 || v->status == 504)
		ev = REG_EV_SERVER_ERROR;
	else
		ev = REG_EV_REJECTED;
	reg_dispatch(ue, ev, v);
}

/* Requests outside our transactions: NOTIFYs of the reg event dialog go to
 * ue/regevent.c; other dialog requests get 481 (we have no other dialogs). */
static int on_request(void *arg, const struct sip_view *v)
{
	struct ims_ue *ue = arg;
	static const char *const dialog_methods[] = {"NOTIFY", "BYE",   "CANCEL", "INFO",
						     "UPDATE", "PRACK", "REFER"};

	reg_log(ue, 2, "incoming %s", v->method ? v->method : "?");
	{
		int st = ue_regevent_request(ue, v); /* NOTIFYs of the reg event dialog */

		if (st)
			return st;
	}
	if (v->method && !strcmp(v->method, "OPTIONS"))
		return 200;
	for (size_t i = 0; i < sizeof(dialog_methods) / sizeof(dialog_methods[0]); i++)
		if (v->method && !strcmp(v->method, dialog_methods[i]))
			return 481;
	return 501;
}

static void glue_log(void *arg, int level, const char *line)
{
	reg_log(arg, level + 1, "sip: %s", line);
}

int reg_init(struct ims_ue *ue, char *err, size_t errlen)
{
	struct sip_glue_params gp = {0};

	gp.loop = ue->loop;
	gp.ident = ue->name;
	gp.local_ip = ue->cfg.local_ip;
	gp.port = ue->cfg.port;
	gp.t1_ms = ue->cfg.t1_ms;
	gp.timer_f_ms = ue->cfg.timer_f_ms;
	gp.tls = ue->cfg.security == UE_SEC_TLS;
	for (int i = 0; i < ue->cfg.n_pcscf; i++)
		gp.tls = gp.tls || ue->cfg.pcscf[i].tp == UE_TP_TLS;
	gp.tls_ca_file = ue->cfg.ca_file;
	/* Sofia's own name check cannot match IP addresses (doc/tls.md). */
	gp.tls_names_by_stack = true;
	for (int i = 0; i < ue->cfg.n_pcscf; i++) {
		unsigned char a[16];

		if (inet_pton(AF_INET, ue->cfg.pcscf[i].host, a) == 1 ||
		    inet_pton(AF_INET6, ue->cfg.pcscf[i].host, a) == 1)
			gp.tls_names_by_stack = false;
	}
	gp.on_request = on_request;
	gp.log = glue_log;
	gp.arg = ue;
	gp.pcap = ue->cfg.pcap;
	if (sip_glue_new(&ue->glue, &gp, err, errlen) != 0)
		return -1;
	if (reg_ipsec_init(ue, err, errlen) != 0)
		return -1;
	ue->t_refresh = ue_timer_new(ue->loop, on_t_refresh, ue);
	ue->t_backoff = ue_timer_new(ue->loop, on_t_backoff, ue);
	ue->t_await_auth = ue_timer_new(ue->loop, on_t_await_auth, ue);
	if (!ue->t_refresh || !ue->t_backoff || !ue->t_await_auth) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ue->state = REG_DEREGISTERED;
	if (ue_regevent_new(ue, err, errlen) != 0)
		return -1;
	return reg_extra_init(ue, err, errlen);
}

void reg_fini(struct ims_ue *ue)
{
	reg_extra_fini(ue);
	ue_regevent_free(ue);
	if (ue->pending) {
		sip_glue_out_cancel(ue->pending);
		ue->pending = NULL;
	}
	ue_timer_free(ue->t_refresh);
	ue_timer_free(ue->t_backoff);
	ue_timer_free(ue->t_await_auth);
	ue->t_refresh = ue->t_backoff = ue->t_await_auth = NULL;
	reg_ipsec_fini(ue); /* every SA set deleted at shutdown */
	sip_glue_free(ue->glue);
	ue->glue = NULL;
	OPENSSL_cleanse(ue->authorization, sizeof(ue->authorization));
}
