/* Registration of additional public user identities (TS 24.229 5.1.1.4.1)
 * and their user-initiated deregistration (5.1.1.6.1); see ue/reg_extra.h.
 *
 * Each additional IMPU has its own small state (enum reg_extra_state) and
 * refresh timer; the REGISTER requests share the Call-ID and CSeq counter
 * of the UE (RFC 3261 10.2: one Call-ID per registrar) and go out one at a
 * time, never while another additional IMPU's request is outstanding.
 * Authorization is that of a reregistration (5.1.1.4.2: last nonce and
 * response for AKA; 5.1.1.4.3: stored nonce, nc + 1 for digest); a 401 is
 * answered like one to the first IMPU (5.1.1.5), the new nonce then being
 * the one of the whole registration. Every transition is logged at level 3
 * as "extra IMPU: from --event--> to".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "sec/aka.h"
#include "sec/digest.h"
#include "ue/reg.h"
#include "ue/reg_extra.h"
#include "ue/reg_ipsec.h"

struct reg_extra {
	struct ims_ue *ue;
	char impu[256];
	enum reg_extra_state st;
	bool dereg_all;  /* Contact: * on its de-REGISTER */
	bool user_dereg; /* deregistered by the user: not re-registered automatically */
	bool is_fetch;   /* ue->fetch: a REGISTER without Contact (fetching bindings) */
	unsigned long expires_req;
	unsigned long granted;
	int challenges; /* consecutive 401s to this IMPU's requests */
	struct timespec registered_at, refresh_at;
	struct ue_timer *t_refresh;
	struct sip_out *pending;
	struct ue_msg_reg_ok ok;
	char last_error[160];
};

#define EXTRA_MAX_CHALLENGES 3

static const char *const extra_state_names[] = {
	[EXTRA_IDLE] = "deregistered",
	[EXTRA_IMPLICIT] = "implicit",
	[EXTRA_WAITING] = "registering",
	[EXTRA_REGISTERING] = "registering",
	[EXTRA_REGISTERED] = "registered",
	[EXTRA_DEREG_WAITING] = "deregistering",
	[EXTRA_DEREGISTERING] = "deregistering",
	[EXTRA_DEREGISTERED] = "deregistered",
	[EXTRA_FAILED] = "failed",
};

const char *reg_extra_state_name(enum reg_extra_state s)
{
	return s <= EXTRA_FAILED ? extra_state_names[s] : "?";
}

static bool uri_equal(const char *a, const char *b)
{
	if (!strncasecmp(a, "sip:", 4))
		a += 4;
	if (!strncasecmp(b, "sip:", 4))
		b += 4;
	return !strcasecmp(a, b);
}

static void extra_set(struct reg_extra *x, enum reg_extra_state st, const char *why)
{
	reg_log(x->ue, 3, "%s %s: %s --%s--> %s", x->is_fetch ? "fetch bindings" : "extra IMPU",
		x->impu, reg_extra_state_name(x->st), why, reg_extra_state_name(st));
	x->st = st;
}

static void extra_emit(struct reg_extra *x, const char *name, const char *reason)
{
	reg_emit_for(x->ue, name, x->impu, reg_extra_state_name(x->st),
		     x->st == EXTRA_REGISTERED ? &x->granted : NULL, reason, NULL);
}

static void extra_fail(struct reg_extra *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void extra_fail(struct reg_extra *x, const char *fmt, ...)
{
	va_list ap;
	bool was = x->st == EXTRA_REGISTERED || x->st == EXTRA_REGISTERING;

	va_start(ap, fmt);
	vsnprintf(x->last_error, sizeof(x->last_error), fmt, ap);
	va_end(ap);
	ue_timer_stop(x->t_refresh);
	extra_set(x, EXTRA_FAILED, "failure");
	reg_log(x->ue, 2, "extra IMPU %s: %s", x->impu, x->last_error);
	if (was && x->granted)
		extra_emit(x, "deregistered", "registration failed");
	x->granted = 0;
	extra_emit(x, "error", x->last_error);
}

static void extra_on_response(void *arg, struct sip_out *o, const struct sip_view *v);
static void extra_kick(struct ims_ue *ue);

static int extra_send(struct reg_extra *x, bool dereg)
{
	struct ims_ue *ue = x->ue;
	struct ue_msg_register r = {0};
	char text[4096], hop[320], user[128], err[200];

	reg_contact_user(ue, user, sizeof(user));
	r.home_domain = ue->domain;
	r.impu = x->impu;
	r.from_tag = ue->from_tag;
	r.call_id = ue->call_id;
	r.cseq = ++ue->cseq;
	r.contact_user = user;
	r.contact_host = sip_glue_local_host(ue->glue);
	r.contact_port = reg_ipsec_contact_port(ue); /* port-s while protected */
	r.transport = reg_transport_name(ue);
	r.instance = ue->instance[0] && !(dereg && x->dereg_all) ? ue->instance : NULL;
	r.expires = dereg ? 0 : x->expires_req;
	r.contact_star = dereg && x->dereg_all;
	r.no_contact = x->is_fetch;
	r.authorization = ue->authorization[0] ? ue->authorization : NULL;
	r.security_client = ue->security_client[0] ? ue->security_client : NULL;
	r.security_verify =
		ue->tls_protected && ue->security_verify[0] ? ue->security_verify : NULL;
	r.user_agent = "imsue";
	reg_register_extras(ue, &r);
	if (ue_msg_register_build(&r, text, sizeof(text)) < 0) {
		extra_fail(x, "REGISTER does not fit in %zu bytes", sizeof(text));
		return -1;
	}
	reg_next_hop(ue, hop, sizeof(hop));
	reg_log(ue, 3, "sending REGISTER cseq %u for %s %s (%s) to %s", r.cseq,
		x->is_fetch ? "fetching the bindings of" : "additional IMPU", x->impu,
		dereg         ? "expires 0"
		: x->is_fetch ? "no Contact"
			      : "register",
		hop);
	x->pending =
		sip_glue_send(ue->glue, hop, text, NULL, extra_on_response, x, err, sizeof(err));
	if (!x->pending) {
		extra_fail(x, "%s", err);
		return -1;
	}
	extra_set(x, dereg ? EXTRA_DEREGISTERING : EXTRA_REGISTERING,
		  dereg ? "send-dereg" : "send");
	return 0;
}

/* The additional IMPUs, then the fetching of bindings (i == n_extra). */
static struct reg_extra *extra_at(struct ims_ue *ue, int i)
{
	return i < ue->n_extra ? &ue->extra[i] : ue->fetch;
}

/* Send the next queued request when nothing of ours is outstanding. */
static void extra_kick(struct ims_ue *ue)
{
	if (ue->state != REG_REGISTERED && ue->state != REG_DEREGISTERING &&
	    ue->state != REG_DEREGISTERED)
		return;
	for (int i = 0; i <= ue->n_extra; i++)
		if (extra_at(ue, i) && extra_at(ue, i)->pending)
			return;
	for (int i = 0; i <= ue->n_extra; i++) {
		struct reg_extra *x = extra_at(ue, i);
		bool dereg;

		if (!x)
			continue;
		dereg = x->st == EXTRA_DEREG_WAITING;
		if (x->st != EXTRA_WAITING && !dereg)
			continue;
		if (!dereg && ue->state != REG_REGISTERED)
			continue;
		if (reg_auth_follow_up(ue) != 0) {
			extra_fail(x, "cannot build the Authorization");
			continue;
		}
		x->challenges = 0;
		if (extra_send(x, dereg) == 0)
			return;
	}
}

static void extra_on_refresh(void *arg)
{
	struct reg_extra *x = arg;

	if (x->st != EXTRA_REGISTERED)
		return;
	x->expires_req = x->ue->cfg.expires;
	extra_set(x, EXTRA_WAITING, "reregistration-timer");
	extra_kick(x->ue);
}

#define EXTRA_MAX_BINDINGS 16

/* 2xx to a REGISTER without Contact: the bindings, as event "bindings". */
static void extra_bindings(struct reg_extra *x, const struct sip_view *v)
{
	struct ims_ue *ue = x->ue;
	struct ue_msg_binding *b = calloc(EXTRA_MAX_BINDINGS, sizeof(*b));
	int cnt = 0, total = 0;
	char err[200];
	json_t *d, *arr;

	if (!b) {
		extra_fail(x, "out of memory");
		return;
	}
	if (ue_msg_bindings_parse(v->hdrs, v->n_hdrs, b, EXTRA_MAX_BINDINGS, &cnt, &total, err,
				  sizeof(err)) != 0) {
		free(b);
		extra_fail(x, "bindings: %s", err);
		return;
	}
	extra_set(x, EXTRA_IDLE, "2xx");
	reg_log(ue, 2, "fetched %d binding(s) of %s", total, x->impu);
	d = json_pack("{s:s, s:s, s:i}", "impu", x->impu, "state", reg_state_name(ue->state),
		      "total", total);
	arr = json_array();
	for (int i = 0; d && arr && i < cnt; i++) {
		json_t *o = json_pack("{s:s}", "uri", b[i].uri);

		if (!o)
			break;
		json_object_set_new(o, "expires",
				    b[i].expires >= 0 ? json_integer((json_int_t)b[i].expires)
						      : json_null());
		json_object_set_new(o, "instance",
				    b[i].instance[0] ? json_string(b[i].instance) : json_null());
		json_array_append_new(arr, o);
	}
	free(b);
	if (d && arr) {
		json_object_set_new(d, "bindings", arr);
		if (ue->cb)
			ue->cb(ue->cb_arg, ue, "bindings", d);
	} else {
		json_decref(arr);
	}
	json_decref(d);
}

static void extra_ok(struct reg_extra *x, const struct sip_view *v)
{
	struct ims_ue *ue = x->ue;
	char err[200];
	unsigned long refresh;
	bool rereg = x->granted != 0;

	if (x->is_fetch) {
		extra_bindings(x, v);
		return;
	}
	if (x->st == EXTRA_DEREGISTERING) {
		x->granted = 0;
		memset(&x->ok, 0, sizeof(x->ok));
		extra_set(x, x->user_dereg ? EXTRA_DEREGISTERED : EXTRA_IDLE, "2xx");
		extra_emit(x, "deregistered", ue->shutting_down ? "shutdown" : "user");
		return;
	}
	if (ue_msg_reg_ok_parse(v->hdrs, v->n_hdrs, sip_glue_local_host(ue->glue),
				reg_ipsec_contact_port(ue),
				ue->instance[0] ? ue->instance : NULL, &x->ok, err,
				sizeof(err)) != 0) {
		extra_fail(x, "200 OK: %s", err);
		return;
	}
	if (x->ok.expires < 0 && !x->ok.contact_found) {
		const char *e = ue_msg_header(v->hdrs, v->n_hdrs, "Expires");
		unsigned long s;

		if (e && ue_msg_delta_seconds(e, strlen(e), &s, NULL, 0) == 0)
			x->ok.expires = (long)s;
	}
	if (x->ok.expires <= 0) {
		extra_fail(x, "200 OK without an expiry for our contact");
		return;
	}
	/* A nextnonce serves the whole registration (5.1.1.4.1 item 6). */
	if (x->ok.auth_info[0] && ue->have_challenge) {
		struct sec_auth_info ai = {0};

		if (sec_auth_info_parse(x->ok.auth_info, strlen(x->ok.auth_info), &ai, NULL, 0) ==
			    0 &&
		    ai.nextnonce && strlen(ai.nextnonce) < sizeof(ue->nonce)) {
			snprintf(ue->nonce, sizeof(ue->nonce), "%s", ai.nextnonce);
			ue->nc = 0;
		}
		sec_auth_info_clear(&ai);
	}
	x->granted = (unsigned long)x->ok.expires;
	x->last_error[0] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &x->registered_at);
	refresh = ue_msg_refresh_delay(x->granted);
	x->refresh_at = x->registered_at;
	x->refresh_at.tv_sec += (time_t)refresh;
	ue_timer_start(x->t_refresh, refresh * 1000);
	extra_set(x, EXTRA_REGISTERED, "2xx");
	reg_log(ue, 2, "additional IMPU %s registered for %lu s, reregistering in %lu s", x->impu,
		x->granted, refresh);
	extra_emit(x, rereg ? "reregistered" : "registered", NULL);
}

/* 401 to an additional IMPU's request: re-authentication (5.1.1.5). */
static void extra_challenge(struct reg_extra *x, const struct sip_view *v)
{
	struct ims_ue *ue = x->ue;
	struct sec_challenge ch = {0};
	const char *www = ue_msg_header(
		v->hdrs, v->n_hdrs, v->status == 407 ? "Proxy-Authenticate" : "WWW-Authenticate");
	char err[200];
	bool dereg = x->st == EXTRA_DEREGISTERING;
	int rc;

	if (++x->challenges > EXTRA_MAX_CHALLENGES) {
		extra_fail(x, "auth-failed: %d challenges in a row", x->challenges - 1);
		return;
	}
	if (!www || sec_challenge_parse(www, strlen(www), &ch, err, sizeof(err)) != 0 ||
	    !ch.nonce || strlen(ch.nonce) >= sizeof(ue->nonce)) {
		sec_challenge_clear(&ch);
		extra_fail(x, "%d without a usable Digest challenge", v->status);
		return;
	}
	snprintf(ue->realm, sizeof(ue->realm), "%s", ch.realm ? ch.realm : ue->domain);
	snprintf(ue->opaque, sizeof(ue->opaque), "%s", ch.opaque ? ch.opaque : "");
	snprintf(ue->nonce, sizeof(ue->nonce), "%s", ch.nonce);
	ue->alg = ch.alg;
	ue->qop_auth = ch.qop_auth;
	ue->have_challenge = true;
	ue->nc = 1;
	sec_challenge_clear(&ch);
	if (ue_msg_random_token(ue->cnonce, sizeof(ue->cnonce), 8) != 0) {
		extra_fail(x, "no randomness for cnonce");
		return;
	}
	if (ue->alg == SEC_DIGEST_AKAV1_MD5) {
		uint8_t rand[16], autn[16];
		struct sec_aka_result res;
		enum sec_aka_status st;
		char auts[40] = "";

		if (!ue->cred ||
		    sec_aka_nonce_decode(ue->nonce, rand, autn, err, sizeof(err)) != 0) {
			extra_fail(x, "AKA challenge: %s", ue->cred ? err : "no USIM credentials");
			return;
		}
		st = sec_cred_check(ue->cred, rand, autn, &res, err, sizeof(err));
		reg_log(ue, 2, "AKA challenge for additional IMPU %s: %s", x->impu,
			sec_aka_status_name(st));
		if (st == SEC_AKA_OK) {
			rc = reg_auth_response(ue, res.res, res.res_len);
		} else if (st == SEC_AKA_MAC_FAILURE || st == SEC_AKA_SYNC_FAILURE) {
			if (st == SEC_AKA_SYNC_FAILURE &&
			    sec_base64_encode(res.auts, sizeof(res.auts), auts, sizeof(auts)) < 0)
				auts[0] = '\0';
			rc = reg_auth_invalid(ue, st == SEC_AKA_SYNC_FAILURE ? auts : NULL);
		} else {
			rc = -1;
		}
		sec_aka_result_wipe(&res);
	} else if (ue->alg != SEC_DIGEST_AKAV2_MD5 && ue->cfg.auth == UE_AUTH_DIGEST &&
		   ue->cfg.password_len) {
		rc = reg_auth_response(ue, (const uint8_t *)ue->cfg.password, ue->cfg.password_len);
	} else {
		rc = -1;
	}
	if (rc != 0) {
		extra_fail(x, "auth-failed: cannot answer the challenge");
		return;
	}
	extra_send(x, dereg);
}

static void extra_on_response(void *arg, struct sip_out *o, const struct sip_view *v)
{
	struct reg_extra *x = arg;
	struct ims_ue *ue = x->ue;

	if (o != x->pending)
		return;
	x->pending = NULL;
	reg_log(ue, 2, "additional IMPU %s: response %d %s%s", x->impu, v->status,
		v->phrase ? v->phrase : "", v->local ? " (local)" : "");
	if (!v->local && (v->status == 401 || v->status == 407)) {
		extra_challenge(x, v);
	} else if (v->status >= 200 && v->status < 300 && !v->local) {
		extra_ok(x, v);
	} else if (v->status == 423 && x->st == EXTRA_REGISTERING) {
		const char *me = ue_msg_header(v->hdrs, v->n_hdrs, "Min-Expires");
		unsigned long min;

		if (!me || ue_msg_delta_seconds(me, strlen(me), &min, NULL, 0) != 0 || !min) {
			extra_fail(x, "423 without a usable Min-Expires");
		} else {
			if (x->expires_req < min)
				x->expires_req = min;
			if (reg_auth_follow_up(ue) == 0)
				extra_send(x, false);
			else
				extra_fail(x, "cannot build the Authorization");
		}
	} else if (x->st == EXTRA_DEREGISTERING) {
		x->granted = 0;
		extra_set(x, x->user_dereg ? EXTRA_DEREGISTERED : EXTRA_IDLE, "failure");
		snprintf(x->last_error, sizeof(x->last_error), "deregistration failed: %d %s",
			 v->status, v->phrase ? v->phrase : "");
		extra_emit(x, "deregistered", x->last_error);
	} else {
		extra_fail(x, "%d %s", v->status, v->phrase ? v->phrase : "");
	}
	extra_kick(ue);
	reg_check_shutdown(ue);
}

int reg_extra_init(struct ims_ue *ue, char *err, size_t errlen)
{
	int n = ue->cfg.n_impu > 1 ? ue->cfg.n_impu - 1 : 0;

	ue->n_extra = 0;
	ue->fetch = calloc(1, sizeof(*ue->fetch));
	if (!ue->fetch) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ue->fetch->ue = ue;
	ue->fetch->is_fetch = true;
	snprintf(ue->fetch->impu, sizeof(ue->fetch->impu), "%s", ue->impu);
	if (!n)
		return 0;
	ue->extra = calloc((size_t)n, sizeof(*ue->extra));
	if (!ue->extra) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct reg_extra *x = &ue->extra[i];

		x->ue = ue;
		snprintf(x->impu, sizeof(x->impu), "%s", ue->cfg.impu[i + 1]);
		x->t_refresh = ue_timer_new(ue->loop, extra_on_refresh, x);
		ue->n_extra++;
		if (!x->t_refresh) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

void reg_extra_fini(struct ims_ue *ue)
{
	for (int i = 0; i < ue->n_extra; i++) {
		sip_glue_out_cancel(ue->extra[i].pending);
		ue->extra[i].pending = NULL;
		ue_timer_free(ue->extra[i].t_refresh);
	}
	free(ue->extra);
	ue->extra = NULL;
	ue->n_extra = 0;
	if (ue->fetch)
		sip_glue_out_cancel(ue->fetch->pending);
	free(ue->fetch);
	ue->fetch = NULL;
}

int reg_fetch_bindings(struct ims_ue *ue, char *err, size_t errlen)
{
	struct reg_extra *x = ue->fetch;

	if (ue->state != REG_REGISTERED && ue->state != REG_REREGISTERING) {
		snprintf(err, errlen, "bindings: not registered (state %s)",
			 reg_state_name(ue->state));
		return -1;
	}
	if (x->pending || x->st == EXTRA_WAITING) {
		snprintf(err, errlen, "bindings: a fetch is already under way");
		return -1;
	}
	x->challenges = 0;
	extra_set(x, EXTRA_WAITING, "fetch");
	extra_kick(ue);
	return 0;
}

void reg_extra_on_registered(struct ims_ue *ue)
{
	for (int i = 0; i < ue->n_extra; i++) {
		struct reg_extra *x = &ue->extra[i];
		bool implicit = false;

		if (x->st != EXTRA_IDLE && x->st != EXTRA_FAILED && x->st != EXTRA_IMPLICIT)
			continue;
		for (int k = 0; k < ue->ok.n_assoc_uri; k++)
			if (uri_equal(ue->ok.assoc_uri[k], x->impu))
				implicit = true;
		if (implicit) {
			if (x->st != EXTRA_IMPLICIT)
				extra_set(x, EXTRA_IMPLICIT, "implicitly-registered");
			continue;
		}
		x->expires_req = ue->cfg.expires;
		x->last_error[0] = '\0';
		extra_set(x, EXTRA_WAITING, "first-registered");
	}
	extra_kick(ue);
}

void reg_extra_on_start(struct ims_ue *ue)
{
	for (int i = 0; i < ue->n_extra; i++)
		if (ue->extra[i].st == EXTRA_DEREGISTERED) {
			ue->extra[i].user_dereg = false;
			extra_set(&ue->extra[i], EXTRA_IDLE, "start");
		}
}

void reg_extra_on_lost(struct ims_ue *ue, bool deregistering, bool all)
{
	if (ue->fetch && (ue->fetch->pending || ue->fetch->st == EXTRA_WAITING)) {
		sip_glue_out_cancel(ue->fetch->pending);
		ue->fetch->pending = NULL;
		extra_set(ue->fetch, EXTRA_IDLE, "first-lost");
	}
	for (int i = 0; i < ue->n_extra; i++) {
		struct reg_extra *x = &ue->extra[i];

		if (x->st == EXTRA_DEREGISTERING)
			continue;
		if (x->st == EXTRA_DEREG_WAITING) {
			/* Not sent yet, and the first IMPU's registration is gone
			 * (backoff, failed): nothing left to send it over. */
			if (ue->state == REG_DEREGISTERED || ue->state == REG_DEREGISTERING)
				continue;
			x->granted = 0;
			extra_set(x, x->user_dereg ? EXTRA_DEREGISTERED : EXTRA_IDLE, "first-lost");
			extra_emit(x, "deregistered", "local");
			continue;
		}
		ue_timer_stop(x->t_refresh);
		/* A registered one (also with its refresh queued or outstanding),
		 * or one whose REGISTER is outstanding. */
		if (deregistering && (x->granted || x->st == EXTRA_REGISTERING)) {
			sip_glue_out_cancel(x->pending);
			x->pending = NULL;
			x->dereg_all = all;
			x->user_dereg = false;
			extra_set(x, EXTRA_DEREG_WAITING, "first-deregistering");
			continue;
		}
		sip_glue_out_cancel(x->pending);
		x->pending = NULL;
		if (x->granted)
			extra_emit(x, "deregistered", "registration failed");
		x->granted = 0;
		if (x->st != EXTRA_DEREGISTERED && x->st != EXTRA_IDLE)
			extra_set(x, EXTRA_IDLE, "first-lost");
	}
	extra_kick(ue);
}

int reg_extra_find(const struct ims_ue *ue, const char *impu)
{
	for (int i = 0; i < ue->n_extra; i++)
		if (uri_equal(ue->extra[i].impu, impu))
			return i;
	return -1;
}

int reg_extra_deregister(struct ims_ue *ue, int i, char *err, size_t errlen)
{
	struct reg_extra *x = &ue->extra[i];

	if (x->st == EXTRA_IMPLICIT) {
		snprintf(err, errlen,
			 "deregister: %s is implicitly registered; deregister %s instead", x->impu,
			 ue->impu);
		return -1;
	}
	if (x->st == EXTRA_FAILED || (x->st == EXTRA_WAITING && !x->granted)) {
		/* Never bound: nothing to remove in the network. */
		extra_set(x, EXTRA_DEREGISTERED, "deregister");
		extra_emit(x, "deregistered", "user");
		return 0;
	}
	if (x->st != EXTRA_REGISTERED && x->st != EXTRA_REGISTERING && x->st != EXTRA_WAITING) {
		snprintf(err, errlen, "deregister: %s is not registered (state %s)", x->impu,
			 reg_extra_state_name(x->st));
		return -1;
	}
	ue_timer_stop(x->t_refresh);
	sip_glue_out_cancel(x->pending);
	x->pending = NULL;
	x->dereg_all = false;
	x->user_dereg = true;
	extra_set(x, EXTRA_DEREG_WAITING, "deregister");
	extra_kick(ue);
	return 0;
}

bool reg_extra_busy(const struct ims_ue *ue)
{
	if (ue->fetch && ue->fetch->pending)
		return true;
	for (int i = 0; i < ue->n_extra; i++)
		if (ue->extra[i].pending || ue->extra[i].st == EXTRA_DEREG_WAITING)
			return true;
	return false;
}

static long extra_remaining_s(const struct timespec *at)
{
	struct timespec now;
	long d;

	clock_gettime(CLOCK_MONOTONIC, &now);
	d = (long)(at->tv_sec - now.tv_sec);
	if (at->tv_nsec < now.tv_nsec)
		d--;
	return d < 0 ? 0 : d;
}

void reg_extra_status(struct ims_ue *ue, json_t *arr)
{
	for (int i = 0; i < ue->n_extra; i++) {
		struct reg_extra *x = &ue->extra[i];
		json_t *o = json_object(), *au = json_array();

		if (!o || !au) {
			json_decref(o);
			json_decref(au);
			return;
		}
		json_object_set_new(o, "impu", json_string(x->impu));
		json_object_set_new(o, "state", json_string(reg_extra_state_name(x->st)));
		for (int k = 0; x->st == EXTRA_REGISTERED && k < x->ok.n_assoc_uri; k++)
			json_array_append_new(au, json_string(x->ok.assoc_uri[k]));
		json_object_set_new(o, "associated_uris", au);
		if (x->st == EXTRA_REGISTERED) {
			struct timespec exp = x->registered_at;

			exp.tv_sec += (time_t)x->granted;
			json_object_set_new(o, "expires_in_s",
					    json_integer(extra_remaining_s(&exp)));
			json_object_set_new(o, "refresh_in_s",
					    json_integer(extra_remaining_s(&x->refresh_at)));
		} else {
			json_object_set_new(o, "expires_in_s", json_null());
			json_object_set_new(o, "refresh_in_s", json_null());
		}
		json_object_set_new(o, "last_error",
				    x->last_error[0] ? json_string(x->last_error) : json_null());
		json_array_append_new(arr, o);
	}
}
