/* GSMA RCC.14 autoconfiguration client over libcurl multi (see acclient.h). */
#include "config.h"

#include "provisioning/acclient.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "provisioning/identity.h"
#include "provisioning/profile.h"
#include "provisioning/provdoc.h"
#include "provisioning/sms.h"
#include "sec/tls.h"

#define DEFAULT_SMS_PORT 37273

enum ac_state {
	ST_IDLE,
	ST_HTTP,  /* 2.2 initial HTTP request in flight */
	ST_HTTPS, /* HTTPS request with identification in flight */
	ST_OTP,   /* HTTPS request with the OTP in flight */
	ST_WAIT_OTP,
	ST_WAIT_MSISDN,
	ST_WAIT_NAME,
	ST_WAIT_MSG,
};

struct prov_ac_client {
	struct prov_ac_params p; /* every string below is our own copy */
	char *server, *https_url, *ca_file, *store_root, *imsi, *imei, *msisdn, *sip_uri;
	char *vendor, *model, *swver, *fname, *device_type, *lang, *otp;
	CURLM *multi;
	CURL *easy;
	struct curl_slist *headers;
	struct prov_store *store;
	char id[65];
	enum ac_state st;
	enum prov_ac_flow flow; /* of the current session (cellular may turn non-cellular) */
	struct prov_record rec;
	struct ims_profile profile;
	bool have_profile;
	struct ims_profile pending; /* waiting for the MSG answer (Reject_btn 1) */
	bool have_pending;
	struct prov_ac_ctx ctx;
	bool otp_from_user;
	uint8_t *body;
	size_t body_len;
	bool body_overflow;
	unsigned failures;
	bool capped;       /* PROV_AC_MAX_FAILURES reached: no query until a trigger */
	int64_t curl_due;  /* monotonic ms, -1: none */
	int64_t sched_due; /* monotonic ms, -1: none */
	unsigned requests;
	bool user_query; /* the next session was asked for by prov_ac_client_query */
	char curl_err[CURL_ERROR_SIZE];
	struct sec_tls_policy tls; /* the one TLS client policy (sec/tls.h, doc/tls.md) */
};

const char *prov_ac_event_name(enum prov_ac_event_type t)
{
	switch (t) {
	case PROV_AC_EV_CONFIG_UPDATED:
		return "config-updated";
	case PROV_AC_EV_CONFIG_RENEWED:
		return "config-renewed";
	case PROV_AC_EV_CONFIG_REMOVED:
		return "config-removed";
	case PROV_AC_EV_MESSAGE:
		return "config-message";
	case PROV_AC_EV_OTP_NEEDED:
		return "otp-needed";
	case PROV_AC_EV_MSISDN_NEEDED:
		return "msisdn-needed";
	case PROV_AC_EV_FRIENDLY_NAME_NEEDED:
		return "friendly-name-needed";
	case PROV_AC_EV_ERROR:
		return "error";
	case PROV_AC_EV_IDLE:
		return "idle";
	case PROV_AC_EV_LOG:
		return "log";
	}
	return "?";
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall(struct prov_ac_client *c)
{
	return c->p.now ? c->p.now(c->p.now_arg) : (int64_t)time(NULL);
}

static void secret_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

static int dup_opt(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -1;
}

/* Copy at most max bytes of s without cutting a UTF-8 sequence (Table 1
 * length limits). */
static char *dup_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	return strndup(s, n);
}

static void emit(struct prov_ac_client *c, struct prov_ac_event *ev)
{
	ev->failures = c->failures;
	ev->version = c->rec.version;
	ev->validity = c->rec.validity;
	if (c->p.event)
		c->p.event(c->p.event_arg, ev);
}

static void emit_simple(struct prov_ac_client *c, enum prov_ac_event_type t, const char *reason,
			long status)
{
	struct prov_ac_event ev = {.type = t, .reason = reason, .status = status};

	emit(c, &ev);
}

static void logf_(struct prov_ac_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void logf_(struct prov_ac_client *c, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit_simple(c, PROV_AC_EV_LOG, line, 0);
}

/* ---- timer ---- */

static void rearm(struct prov_ac_client *c)
{
	int64_t due = -1;

	if (c->curl_due >= 0)
		due = c->curl_due;
	if (c->sched_due >= 0 && (due < 0 || c->sched_due < due))
		due = c->sched_due;
	if (!c->p.io.timer)
		return;
	if (due < 0) {
		c->p.io.timer(c->p.io.arg, -1);
		return;
	}
	int64_t now = mono_ms();
	c->p.io.timer(c->p.io.arg, due > now ? (long)(due - now) : 0);
}

static void schedule_in(struct prov_ac_client *c, int64_t ms)
{
	c->sched_due = ms < 0 ? -1 : mono_ms() + ms;
	rearm(c);
}

static void go_idle(struct prov_ac_client *c)
{
	struct prov_ac_event ev = {.type = PROV_AC_EV_IDLE, .next_s = -1};

	c->st = ST_IDLE;
	if (c->sched_due >= 0) {
		int64_t left = c->sched_due - mono_ms();
		ev.next_s = left > 0 ? (long)((left + 999) / 1000) : 0;
	}
	rearm(c);
	emit(c, &ev);
}

/* ---- curl callbacks ---- */

static int sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *sockp)
{
	struct prov_ac_client *c = userp;
	unsigned ev = 0;

	(void)e;
	(void)sockp;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= PROV_AC_FD_IN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= PROV_AC_FD_OUT;
	if (c->p.io.watch)
		c->p.io.watch(c->p.io.arg, (int)s, what == CURL_POLL_REMOVE ? 0 : ev);
	return 0;
}

static int timer_cb(CURLM *m, long ms, void *userp)
{
	struct prov_ac_client *c = userp;

	(void)m;
	c->curl_due = ms < 0 ? -1 : mono_ms() + ms;
	rearm(c);
	return 0;
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
	struct prov_ac_client *c = userp;
	size_t n = size * nmemb;

	if (c->body_len + n > PROV_DOC_MAX_SIZE) {
		c->body_overflow = true;
		return 0;
	}
	uint8_t *b = realloc(c->body, c->body_len + n + 1);
	if (!b)
		return 0;
	c->body = b;
	memcpy(b + c->body_len, ptr, n);
	c->body_len += n;
	return n;
}

static void body_clear(struct prov_ac_client *c)
{
	if (c->body) {
		OPENSSL_cleanse(c->body, c->body_len);
		free(c->body);
	}
	c->body = NULL;
	c->body_len = 0;
	c->body_overflow = false;
}

/* ---- requests ---- */

static int add_param(CURLU *u, const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *kv = malloc(n);
	int rc;

	if (!kv)
		return -1;
	snprintf(kv, n, "%s=%s", name, value);
	/* CURLU_URLENCODE keeps the first '=' and percent-encodes the value
	 * (a '+' of an MSISDN becomes %2B, RFC 3986 2.1). */
	rc = curl_url_set(u, CURLUPART_QUERY, kv, CURLU_APPENDQUERY | CURLU_URLENCODE) ? -1 : 0;
	OPENSSL_cleanse(kv, n);
	free(kv);
	return rc;
}

static int add_int(CURLU *u, const char *name, long v)
{
	char b[24];

	snprintf(b, sizeof(b), "%ld", v);
	return add_param(u, name, b);
}

static const char *msisdn_of(struct prov_ac_client *c)
{
	if (c->msisdn)
		return c->msisdn;
	if (c->rec.msisdn)
		return c->rec.msisdn;
	if (c->have_profile && c->profile.msisdn)
		return c->profile.msisdn;
	return NULL;
}

/* The HTTPS query string of Tables 1, 9, 12, 14 (plus the OTP of Tables 10
 * and 13 when otp is set). */
static int build_query(struct prov_ac_client *c, CURLU *u, const char *otp)
{
	const char *token = c->rec.has_token && c->rec.token ? c->rec.token : "";
	const char *msisdn = msisdn_of(c);
	int rc = 0;

	c->ctx.sent_token = token[0] != 0;
	c->ctx.sent_msisdn = false;
	c->ctx.sent_imsi = false;
	c->ctx.sms_port_zero = false;
	rc |= add_int(u, "vers", c->ctx.vers);
	switch (c->flow) {
	case PROV_AC_FLOW_CELLULAR:
	case PROV_AC_FLOW_NONCELLULAR:
		if (c->imsi) {
			rc |= add_param(u, "IMSI", c->imsi);
			c->ctx.sent_imsi = true;
		}
		if (c->imei)
			rc |= add_param(u, "IMEI", c->imei);
		rc |= add_param(u, "terminal_vendor", c->vendor);
		rc |= add_param(u, "terminal_model", c->model);
		rc |= add_param(u, "terminal_sw_version", c->swver);
		rc |= add_param(u, "provisioning_version", "2.0");
		if (c->flow == PROV_AC_FLOW_NONCELLULAR) {
			if (msisdn) {
				rc |= add_param(u, "msisdn", msisdn);
				c->ctx.sent_msisdn = true;
			}
			if (c->p.sms_port_set) {
				rc |= add_int(u, "SMS_port", c->p.sms_port);
				c->ctx.sms_port_zero = c->p.sms_port == 0;
			}
			rc |= add_param(u, "token", token);
		}
		break;
	case PROV_AC_FLOW_ADDITIONAL:
	case PROV_AC_FLOW_DEDICATED:
		/* Tables 12, 14: the identity the user gave. */
		if (c->sip_uri && !c->msisdn) {
			rc |= add_param(u, "sip_uri", c->sip_uri);
			c->ctx.sent_msisdn = true;
		} else if (msisdn) {
			rc |= add_param(u, "msisdn", msisdn);
			c->ctx.sent_msisdn = true;
		}
		rc |= add_param(u, "provisioning_version", "2.0");
		rc |= add_param(u, "token", token);
		rc |= add_param(u, "device_type", c->device_type);
		if (c->flow == PROV_AC_FLOW_DEDICATED)
			/* Table 14: empty when a token is sent. */
			rc |= add_param(u, "OTP", token[0] || !c->otp ? "" : c->otp);
		break;
	}
	if (c->fname)
		rc |= add_param(u, "friendly_device_name", c->fname);
	if (otp)
		rc |= add_param(u, "OTP", otp);
	return rc ? -1 : 0;
}

static void fail_now(struct prov_ac_client *c, const char *reason);

static void start_request(struct prov_ac_client *c, enum prov_ac_req req, const char *otp)
{
	CURLU *u = curl_url();
	char *url = NULL;
	int rc = -1;

	c->ctx.flow = c->flow;
	c->ctx.req = req;
	if (!u)
		goto out;
	if (req == PROV_AC_REQ_HTTP) {
		rc = curl_url_set(u, CURLUPART_URL, c->server, 0) ? -1 : 0;
	} else {
		rc = curl_url_set(u, CURLUPART_URL, c->https_url, 0) ? -1 : 0;
		if (!rc)
			rc = build_query(c, u, otp);
	}
	if (!rc)
		rc = curl_url_get(u, CURLUPART_URL, &url, 0) ? -1 : 0;
out:
	curl_url_cleanup(u);
	if (rc) {
		fail_now(c, "cannot build the request URL");
		return;
	}
	body_clear(c);
	curl_easy_setopt(c->easy, CURLOPT_URL, url);
	OPENSSL_cleanse(url, strlen(url));
	curl_free(url);
	c->st = req == PROV_AC_REQ_HTTP ? ST_HTTP : req == PROV_AC_REQ_OTP ? ST_OTP : ST_HTTPS;
	c->requests++;
	logf_(c, "%s request %u (%s, vers %d)", req == PROV_AC_REQ_HTTP ? "HTTP" : "HTTPS",
	      c->requests, prov_ac_flow_name(c->flow), (int)c->ctx.vers);
	if (curl_multi_add_handle(c->multi, c->easy) != CURLM_OK)
		fail_now(c, "curl_multi_add_handle failed");
}

/* Start a session: fresh cookies, the flow's first request. */
static void start_session(struct prov_ac_client *c)
{
	c->flow = c->p.flow;
	/* Table 1 vers: the version held, 0 without a working configuration;
	 * after -1/-2 a user-requested query tells the server that state. */
	if (c->have_profile)
		c->ctx.vers = c->rec.version;
	else if (c->rec.version < 0 && c->user_query)
		c->ctx.vers = c->rec.version;
	else
		c->ctx.vers = 0;
	c->user_query = false;
	c->ctx.repeated = false;
	c->sched_due = -1;
	curl_easy_setopt(c->easy, CURLOPT_COOKIELIST, "ALL");
	if (c->flow == PROV_AC_FLOW_NONCELLULAR && !c->imsi && !msisdn_of(c) &&
	    !(c->rec.has_token && c->rec.token && c->rec.token[0])) {
		/* 2.3.2 case 1: neither IMSI, token nor MSISDN: ask. */
		c->st = ST_WAIT_MSISDN;
		emit_simple(c, PROV_AC_EV_MSISDN_NEEDED, "no IMSI, token or MSISDN", 0);
		return;
	}
	if ((c->flow == PROV_AC_FLOW_ADDITIONAL || c->flow == PROV_AC_FLOW_DEDICATED) &&
	    !msisdn_of(c) && !c->sip_uri) {
		c->st = ST_WAIT_MSISDN;
		emit_simple(c, PROV_AC_EV_MSISDN_NEEDED, "no MSISDN or SIP URI of the identity", 0);
		return;
	}
	start_request(c, c->flow == PROV_AC_FLOW_CELLULAR ? PROV_AC_REQ_HTTP : PROV_AC_REQ_HTTPS,
		      NULL);
}

/* ---- store ---- */

static void save_record(struct prov_ac_client *c)
{
	char err[160];

	if (prov_store_save(c->store, c->id, &c->rec, err, sizeof(err)) < 0)
		emit_simple(c, PROV_AC_EV_ERROR, err, 0);
}

static void profile_drop(struct prov_ac_client *c)
{
	prov_profile_clear(&c->profile);
	c->have_profile = false;
	prov_profile_clear(&c->pending);
	c->have_pending = false;
}

/* Remove the configuration (keep token and MSISDN: they go only with a
 * reset, 2.2.2). */
static void remove_config(struct prov_ac_client *c, int32_t vers, const char *reason, long status)
{
	prov_record_set_validity(&c->rec, vers, vers, wall(c));
	prov_record_set_doc(&c->rec, NULL, 0);
	save_record(c);
	profile_drop(c);
	emit_simple(c, PROV_AC_EV_CONFIG_REMOVED, reason, status);
}

static void schedule_validity(struct prov_ac_client *c)
{
	if (c->rec.version > 0 && c->rec.expires > 0) {
		int64_t left = c->rec.expires - wall(c);
		schedule_in(c, left > 0 ? left * 1000 : 0);
	} else {
		c->sched_due = -1;
	}
}

/* After a failed attempt (already counted in c->failures): at the cap,
 * default behaviour (2.2.4); else the retry policy. */
static void after_failure(struct prov_ac_client *c, bool query_at_start)
{
	if (c->failures >= PROV_AC_MAX_FAILURES) {
		c->capped = true;
		c->sched_due = -1;
		if (c->rec.version > 0 || c->have_profile)
			remove_config(c, 0, "5 consecutive failed attempts: default behaviour", 0);
		return;
	}
	if (query_at_start && c->p.error_retry_s > 0)
		schedule_in(c, c->p.error_retry_s * 1000);
	else if (c->have_profile && prov_record_valid(&c->rec, wall(c)))
		schedule_validity(c);
	else
		/* "keep using it, even if the configuration has expired";
		 * query again at the next start. */
		c->sched_due = -1;
}

static void fail_now(struct prov_ac_client *c, const char *reason)
{
	c->failures++;
	emit_simple(c, PROV_AC_EV_ERROR, reason, 0);
	after_failure(c, true);
	go_idle(c);
}

static int profile_from_doc(const uint8_t *b, size_t n, struct ims_profile *p,
			    struct prov_doc **docp, char *err, size_t errlen)
{
	struct prov_doc *doc = NULL;

	prov_profile_init(p);
	if (prov_doc_parse(b, n, &doc, err, errlen) < 0)
		return -1;
	if (doc->kind != PROV_DOC_FULL || prov_doc_ims_validate(doc, err, errlen) < 0 ||
	    prov_doc_to_profile(doc, p, err, errlen) < 0) {
		if (doc->kind != PROV_DOC_FULL)
			snprintf(err, errlen, "stored document is %s",
				 prov_doc_kind_name(doc->kind));
		prov_doc_free(doc);
		return -1;
	}
	if (docp)
		*docp = doc;
	else
		prov_doc_free(doc);
	return 0;
}

static void use_profile(struct prov_ac_client *c, struct ims_profile *np, bool restored)
{
	struct prov_ac_event ev = {.type = PROV_AC_EV_CONFIG_UPDATED, .restored = restored};

	ev.diff = c->have_profile ? prov_profile_diff(&c->profile, np) : ~0u;
	prov_profile_clear(&c->profile);
	c->profile = *np; /* moved */
	prov_profile_init(np);
	c->have_profile = true;
	ev.profile = &c->profile;
	ev.reason = restored ? "stored configuration" : "new configuration";
	emit(c, &ev);
}

/* ---- acting on a decision ---- */

static void show_msg(struct prov_ac_client *c, const struct prov_doc *doc)
{
	struct prov_ac_event ev = {.type = PROV_AC_EV_MESSAGE};

	ev.title = doc->msg_title;
	ev.message = doc->msg_message;
	ev.accept_btn = doc->msg_accept_btn;
	ev.reject_btn = doc->msg_reject_btn;
	emit(c, &ev);
}

static void apply(struct prov_ac_client *c, const struct prov_doc *doc)
{
	struct ims_profile np;
	char err[200];
	bool had_working = c->have_profile;

	prov_profile_init(&np);
	if (prov_doc_to_profile(doc, &np, err, sizeof(err)) < 0) {
		c->failures++;
		emit_simple(c, PROV_AC_EV_ERROR, err, 200);
		after_failure(c, true);
		go_idle(c);
		return;
	}
	int64_t now = wall(c);
	prov_record_set_validity(&c->rec, doc->version, doc->validity, now);
	if (doc->has_token)
		prov_record_set_token(&c->rec, doc->token,
				      doc->has_token_validity ? doc->token_validity : -1, now);
	if (np.msisdn && np.msisdn[0] == '+') {
		free(c->rec.msisdn);
		c->rec.msisdn = strdup(np.msisdn);
	} else if (c->msisdn && !c->rec.msisdn) {
		c->rec.msisdn = strdup(c->msisdn);
	}
	prov_record_set_doc(&c->rec, c->body, c->body_len);
	save_record(c);
	/* OMA LWM2M bootstrap purge: the OTP and cookie go once configured. */
	prov_store_bootstrap_purge(c->store, c->id, NULL, 0);
	secret_free(c->otp);
	c->otp = NULL;
	c->failures = 0;
	c->capped = false;
	schedule_validity(c);
	/* 2.2.3: show the message after a full configuration only when no
	 * working configuration was available. */
	if (doc->has_msg && !had_working) {
		if (doc->msg_reject_btn) {
			/* The configuration is enabled once accepted. */
			prov_profile_clear(&c->pending);
			c->pending = np;
			c->have_pending = true;
			c->st = ST_WAIT_MSG;
			rearm(c);
			show_msg(c, doc);
			return;
		}
		show_msg(c, doc);
	}
	use_profile(c, &np, false);
	go_idle(c);
}

/* libcurl hands us its OpenSSL context before each handshake. */
static CURLcode tls_ctx_cb(CURL *e, void *ssl_ctx, void *arg)
{
	struct prov_ac_client *c = arg;
	char err[200];

	(void)e;
	if (sec_tls_ctx_apply(ssl_ctx, &c->tls, err, sizeof(err)) != 0) {
		snprintf(c->curl_err, sizeof(c->curl_err), "%s", err);
		return CURLE_SSL_CERTPROBLEM;
	}
	return CURLE_OK;
}

static void handle_response(struct prov_ac_client *c, CURLcode res)
{
	struct prov_ac_resp r = {.retry_after = -1};
	struct prov_ac_decision d;
	struct prov_doc *doc = NULL;
	char err[200] = "";
	long status = 0;

	if (res != CURLE_OK) {
		r.transport_error = true;
		long vr = 0;

		if (res == CURLE_PEER_FAILED_VERIFICATION &&
		    curl_easy_getinfo(c->easy, CURLINFO_SSL_VERIFYRESULT, &vr) == CURLE_OK && vr)
			/* the failure kind named as for SIP over TLS (unknown-ca, expired...) */
			snprintf(err, sizeof(err), "TLS (%s): %.150s",
				 sec_tls_fail_name(sec_tls_classify_verify(vr)),
				 c->curl_err[0] ? c->curl_err : curl_easy_strerror(res));
		else
			snprintf(err, sizeof(err), "%.150s",
				 c->body_overflow ? "response body too large"
				 : c->curl_err[0] ? c->curl_err
						  : curl_easy_strerror(res));
	} else {
		curl_off_t ra = -1;
		struct curl_header *h = NULL;

		curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
		r.status = status;
		if (curl_easy_getinfo(c->easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra >= 0 &&
		    curl_easy_header(c->easy, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK)
			r.retry_after = (long)ra;
		for (size_t i = 0; status == 401 && !r.gba_realm; i++) {
			if (curl_easy_header(c->easy, "WWW-Authenticate", i, CURLH_HEADER, -1,
					     &h) != CURLHE_OK)
				break;
			r.gba_realm = strstr(h->value, "3GPP-bootstrapping") != NULL;
		}
		r.has_body = c->body_len > 0;
		if (r.has_body && status == 200 && c->ctx.req != PROV_AC_REQ_HTTP) {
			if (prov_doc_parse(c->body, c->body_len, &doc, err, sizeof(err)) < 0) {
				doc = NULL;
			} else if (doc->kind == PROV_DOC_FULL) {
				r.ims_valid = prov_doc_ims_validate(doc, err, sizeof(err)) == 0;
			}
		}
		r.doc = doc;
	}
	prov_ac_decide(&c->ctx, &r, &d);
	logf_(c, "response %ld: %s (%s)", status, prov_ac_action_name(d.action), d.reason);
	if (d.failure)
		c->failures++;
	if (d.drop_token && c->rec.has_token) {
		prov_record_set_token(&c->rec, NULL, -1, 0);
		save_record(c);
	}
	switch (d.action) {
	case PROV_AC_SEND_HTTPS:
		c->ctx.repeated = c->ctx.req == PROV_AC_REQ_HTTPS;
		start_request(c, PROV_AC_REQ_HTTPS, NULL);
		break;
	case PROV_AC_APPLY:
		apply(c, doc);
		break;
	case PROV_AC_RENEW: {
		int64_t now = wall(c);
		prov_record_set_validity(&c->rec, doc->version, doc->validity, now);
		if (doc->has_token)
			prov_record_set_token(&c->rec, doc->token,
					      doc->has_token_validity ? doc->token_validity : -1,
					      now);
		save_record(c);
		prov_store_bootstrap_purge(c->store, c->id, NULL, 0);
		c->failures = 0;
		c->capped = false;
		schedule_validity(c);
		emit_simple(c, PROV_AC_EV_CONFIG_RENEWED, d.reason, status);
		go_idle(c);
		break;
	}
	case PROV_AC_REMOVE:
		if (doc && doc->has_msg)
			show_msg(c, doc);
		c->sched_due = -1;
		remove_config(c, d.new_vers, d.reason, status);
		if (d.failure)
			after_failure(c, d.query_at_start);
		else
			c->failures = 0;
		go_idle(c);
		break;
	case PROV_AC_RETRY_AFTER:
		emit_simple(c, PROV_AC_EV_ERROR, d.reason, status);
		after_failure(c, false);
		if (!c->capped)
			schedule_in(c, d.delay_s * 1000);
		go_idle(c);
		break;
	case PROV_AC_NONCELLULAR:
		/* 2.2.5 / Table 8: Table 9 parameters, the cookie kept. */
		c->flow = PROV_AC_FLOW_NONCELLULAR;
		start_request(c, PROV_AC_REQ_HTTPS, NULL);
		break;
	case PROV_AC_AWAIT_OTP: {
		struct prov_ac_event ev = {.type = PROV_AC_EV_OTP_NEEDED, .reason = d.reason};
		struct curl_slist *cl = NULL;

		c->otp_from_user = d.otp_from_user;
		c->st = ST_WAIT_OTP;
		/* Keep the session cookie as a bootstrap credential while the
		 * OTP is awaited (purged on success). */
		if (curl_easy_getinfo(c->easy, CURLINFO_COOKIELIST, &cl) == CURLE_OK && cl) {
			struct prov_bootstrap b = {.cookie = cl->data};
			prov_store_bootstrap_save(c->store, c->id, &b, NULL, 0);
			curl_slist_free_all(cl);
		}
		ev.otp_from_user = d.otp_from_user;
		rearm(c);
		emit(c, &ev);
		break;
	}
	case PROV_AC_OTP_RETRY:
		emit_simple(c, PROV_AC_EV_ERROR, d.reason, status);
		after_failure(c, false);
		if (c->capped) {
			go_idle(c);
			break;
		}
		c->otp_from_user = true;
		c->st = ST_WAIT_OTP;
		{
			struct prov_ac_event ev = {.type = PROV_AC_EV_OTP_NEEDED,
						   .reason = d.reason,
						   .otp_from_user = true};
			emit(c, &ev);
		}
		break;
	case PROV_AC_MSISDN_NEEDED:
		emit_simple(c, PROV_AC_EV_ERROR, d.reason, status);
		if (d.failure)
			after_failure(c, false);
		if (c->capped) {
			go_idle(c);
			break;
		}
		c->st = ST_WAIT_MSISDN;
		emit_simple(c, PROV_AC_EV_MSISDN_NEEDED, d.reason, status);
		break;
	case PROV_AC_RESTART:
		emit_simple(c, PROV_AC_EV_ERROR, d.reason, status);
		after_failure(c, false);
		if (c->capped) {
			go_idle(c);
			break;
		}
		c->st = ST_IDLE;
		schedule_in(c, 0);
		break;
	case PROV_AC_FRIENDLY_NAME:
		emit_simple(c, PROV_AC_EV_ERROR, d.reason, status);
		after_failure(c, false);
		if (c->capped) {
			go_idle(c);
			break;
		}
		c->st = ST_WAIT_NAME;
		emit_simple(c, PROV_AC_EV_FRIENDLY_NAME_NEEDED, d.reason, status);
		break;
	case PROV_AC_GBA_UNSUPPORTED:
	case PROV_AC_ERROR: {
		char reason[300];

		if (err[0])
			snprintf(reason, sizeof(reason), "%s: %s", d.reason, err);
		else
			snprintf(reason, sizeof(reason), "%s", d.reason);
		emit_simple(c, PROV_AC_EV_ERROR, reason, status);
		after_failure(c, d.query_at_start);
		go_idle(c);
		break;
	}
	}
	prov_doc_free(doc);
	body_clear(c);
}

static void check_done(struct prov_ac_client *c)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(c->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		CURLcode res = m->data.result;
		curl_multi_remove_handle(c->multi, m->easy_handle);
		handle_response(c, res);
		c->curl_err[0] = 0;
	}
}

void prov_ac_client_on_fd(struct prov_ac_client *c, int fd, unsigned events)
{
	int running, mask = 0;

	if (events & PROV_AC_FD_IN)
		mask |= CURL_CSELECT_IN;
	if (events & PROV_AC_FD_OUT)
		mask |= CURL_CSELECT_OUT;
	curl_multi_socket_action(c->multi, fd, mask, &running);
	check_done(c);
}

void prov_ac_client_on_timer(struct prov_ac_client *c)
{
	int64_t now = mono_ms();
	int running;

	if (c->curl_due >= 0 && c->curl_due <= now) {
		c->curl_due = -1;
		curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
		check_done(c);
	}
	if (c->sched_due >= 0 && c->sched_due <= now && c->st == ST_IDLE) {
		c->sched_due = -1;
		logf_(c, "scheduled query");
		start_session(c);
	}
	rearm(c);
}

/* ---- setup ---- */

static int set_https_url(struct prov_ac_client *c, char *err, size_t errlen)
{
	CURLU *u;
	char *url = NULL;

	if (c->p.https_url)
		return dup_opt(&c->https_url, c->p.https_url);
	u = curl_url();
	if (!u || curl_url_set(u, CURLUPART_URL, c->server, 0)) {
		curl_url_cleanup(u);
		snprintf(err, errlen, "server URL '%s' is not a valid URL", c->server);
		return -1;
	}
	/* "The same URL ... using the HTTPS protocol": the default port, or
	 * an explicit port other than 80 kept (test and private servers that
	 * answer both on one port). */
	char *port = NULL;
	bool keep_port = !curl_url_get(u, CURLUPART_PORT, &port, 0) && port && strcmp(port, "80");
	curl_free(port);
	if (curl_url_set(u, CURLUPART_SCHEME, "https", 0) ||
	    (!keep_port && curl_url_set(u, CURLUPART_PORT, NULL, 0)) ||
	    curl_url_get(u, CURLUPART_URL, &url, 0)) {
		curl_url_cleanup(u);
		snprintf(err, errlen, "server URL '%s' is not a valid URL", c->server);
		return -1;
	}
	curl_url_cleanup(u);
	c->https_url = strdup(url);
	curl_free(url);
	return c->https_url ? 0 : -1;
}

static const char *default_lang(void)
{
	const char *v = getenv("LC_ALL");

	if (!v || !*v)
		v = getenv("LC_MESSAGES");
	if (!v || !*v)
		v = getenv("LANG");
	if (!v || !*v || !strcmp(v, "C") || !strcmp(v, "POSIX") || !strncmp(v, "C.", 2))
		return "en";
	return v;
}

/* "de_DE.UTF-8" -> "de-DE" (RFC 9110 language tag). */
static char *lang_tag(const char *v)
{
	char *t = strdup(v);

	if (!t)
		return NULL;
	t[strcspn(t, ".@")] = 0;
	for (char *p = t; *p; p++)
		if (*p == '_')
			*p = '-';
	/* Only what a language-range list may hold (RFC 9110 12.5.4): no
	 * header injection from the environment. */
	if (!*t ||
	    strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-,;=.* ") !=
		    strlen(t) ||
	    strlen(t) > 60) {
		free(t);
		t = strdup("en");
	}
	return t;
}

static int identity_key(struct prov_ac_client *c, char *err, size_t errlen)
{
	const char *id = NULL;

	if (c->imsi &&
	    (c->p.flow == PROV_AC_FLOW_CELLULAR || c->p.flow == PROV_AC_FLOW_NONCELLULAR))
		id = c->imsi;
	else if (c->msisdn)
		id = c->msisdn;
	else if (c->sip_uri)
		id = !strncasecmp(c->sip_uri, "sips:", 5)  ? c->sip_uri + 5
		     : !strncasecmp(c->sip_uri, "sip:", 4) ? c->sip_uri + 4
							   : c->sip_uri;
	if (!id) {
		snprintf(err, errlen, "%s flow needs %s", prov_ac_flow_name(c->p.flow),
			 c->p.flow == PROV_AC_FLOW_CELLULAR ? "an IMSI"
							    : "an IMSI, MSISDN or SIP URI");
		return -1;
	}
	if (!prov_store_identity_ok(id)) {
		snprintf(err, errlen, "identity cannot be used as a store key");
		return -1;
	}
	snprintf(c->id, sizeof(c->id), "%s", id);
	return 0;
}

int prov_ac_client_new(const struct prov_ac_params *p, struct prov_ac_client **out, char *err,
		       size_t errlen)
{
	struct prov_ac_client *c = calloc(1, sizeof(*c));
	char e2[160];

	*out = NULL;
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->p = *p;
	c->curl_due = c->sched_due = -1;
	prov_profile_init(&c->profile);
	prov_profile_init(&c->pending);
	if (dup_opt(&c->ca_file, p->ca_file) || dup_opt(&c->store_root, p->store) ||
	    dup_opt(&c->imsi, p->imsi) || dup_opt(&c->imei, p->imei) ||
	    dup_opt(&c->msisdn, p->msisdn) || dup_opt(&c->sip_uri, p->sip_uri) ||
	    dup_opt(&c->otp, p->otp) ||
	    dup_opt(&c->device_type, p->device_type ? p->device_type : "Other"))
		goto oom;
	c->vendor = dup_cut(p->terminal_vendor ? p->terminal_vendor : "imsu", 4);
	c->model = dup_cut(p->terminal_model ? p->terminal_model : "softphone", 10);
	c->swver = dup_cut(p->terminal_sw_version ? p->terminal_sw_version : PACKAGE_VERSION, 10);
	c->lang = lang_tag(p->accept_language ? p->accept_language : default_lang());
	if (!c->vendor || !c->model || !c->swver || !c->lang)
		goto oom;
	if (p->friendly_device_name && !(c->fname = dup_cut(p->friendly_device_name, 30)))
		goto oom;
	if (!p->store) {
		snprintf(err, errlen, "no store directory");
		goto fail;
	}
	if (p->server) {
		if (dup_opt(&c->server, p->server))
			goto oom;
	} else if (c->imsi) {
		struct prov_identity id;
		if (prov_identity_from_imsi(c->imsi, strlen(c->imsi), p->mnc_digits, &id, e2,
					    sizeof(e2)) < 0) {
			snprintf(err, errlen, "IMSI: %s", e2);
			goto fail;
		}
		if (dup_opt(&c->server, id.autoconf_url))
			goto oom;
	} else {
		snprintf(err, errlen, "no server URL and no IMSI to derive it from");
		goto fail;
	}
	if (set_https_url(c, err, errlen) < 0 || identity_key(c, err, errlen) < 0)
		goto fail;
	struct prov_store_params sp = {.root = c->store_root,
				       .step_hook = p->store_step_hook,
				       .hook_arg = p->store_hook_arg};
	if (prov_store_open(&sp, &c->store, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "store: %s", e2);
		goto fail;
	}
	c->multi = curl_multi_init();
	c->easy = curl_easy_init();
	if (!c->multi || !c->easy)
		goto oom;
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);

	char hdr[128];
	snprintf(hdr, sizeof(hdr), "Accept-Language: %s", c->lang);
	c->headers = curl_slist_append(NULL, hdr);
	if (!c->headers)
		goto oom;
	CURL *e = c->easy;
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(e, CURLOPT_COOKIEFILE, ""); /* cookie engine, in memory */
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->curl_err);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE, (long)PROV_DOC_MAX_SIZE);
	/* HTTPS with the same policy as SIP over TLS (sec/tls.h): CA bundle,
	 * TLS 1.2 minimum, verification always on, libcurl's host name check. */
	c->tls.ca_file = c->ca_file;
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(e, CURLOPT_CAINFO, sec_tls_ca_bundle(&c->tls));
	curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, tls_ctx_cb);
	curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, c);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, p->timeout_ms > 0 ? p->timeout_ms : 30000L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, p->timeout_ms > 0 ? p->timeout_ms : 30000L);
	snprintf(hdr, sizeof(hdr), "imsue/%s", PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_USERAGENT, hdr);
	*out = c;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	prov_ac_client_free(c);
	return -1;
}

void prov_ac_client_free(struct prov_ac_client *c)
{
	if (!c)
		return;
	if (c->multi && c->easy)
		curl_multi_remove_handle(c->multi, c->easy);
	if (c->easy)
		curl_easy_cleanup(c->easy);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	curl_slist_free_all(c->headers);
	if (c->p.io.timer)
		c->p.io.timer(c->p.io.arg, -1);
	prov_store_close(c->store);
	prov_record_clear(&c->rec);
	profile_drop(c);
	body_clear(c);
	secret_free(c->otp);
	free(c->server);
	free(c->https_url);
	free(c->ca_file);
	free(c->store_root);
	free(c->imsi);
	free(c->imei);
	free(c->msisdn);
	free(c->sip_uri);
	free(c->vendor);
	free(c->model);
	free(c->swver);
	free(c->fname);
	free(c->device_type);
	free(c->lang);
	free(c);
}

/* ---- public operations ---- */

int prov_ac_client_start(struct prov_ac_client *c, char *err, size_t errlen)
{
	char last[80], e2[160];
	int rc;

	c->ctx.vers = 0;
	rc = prov_store_last_identity_get(c->store, last, sizeof(last), e2, sizeof(e2));
	if (rc == 0 && strcmp(last, c->id)) {
		/* Use case 5: SIM change (or operational-profile switch). */
		logf_(c, "identity changed: backing up the previous configuration");
		if (prov_store_backup(c->store, last, e2, sizeof(e2)) < 0)
			emit_simple(c, PROV_AC_EV_ERROR, e2, 0);
		rc = prov_store_restore(c->store, c->id, wall(c), &c->rec, e2, sizeof(e2));
		if (rc < 0) {
			snprintf(err, errlen, "store: %s", e2);
			return -1;
		}
		if (rc != 0) {
			/* Behave as if no configuration were available; a token
			 * issued for this identity stays usable. */
			struct prov_record old = {0};
			if (prov_store_load(c->store, c->id, &old, NULL, 0) == 0 && old.has_token)
				prov_record_set_token(
					&c->rec, old.token,
					old.has_token_validity ? old.token_validity : -1, wall(c));
			prov_record_clear(&old);
			prov_record_set_validity(&c->rec, 0, 0, wall(c));
		}
	} else {
		rc = prov_store_load(c->store, c->id, &c->rec, e2, sizeof(e2));
		if (rc < 0) {
			/* A damaged record: configure from scratch (vers 0). */
			emit_simple(c, PROV_AC_EV_ERROR, e2, 0);
			prov_record_clear(&c->rec);
		}
	}
	if (prov_store_last_identity_set(c->store, c->id, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "store: %s", e2);
		return -1;
	}
	if (c->rec.version > 0 && c->rec.doc) {
		struct ims_profile np;
		if (profile_from_doc(c->rec.doc, c->rec.doc_len, &np, NULL, e2, sizeof(e2)) == 0) {
			use_profile(c, &np, true);
		} else {
			emit_simple(c, PROV_AC_EV_ERROR, e2, 0);
			prov_record_set_validity(&c->rec, 0, 0, wall(c));
		}
	}
	if (c->rec.version < 0) {
		/* Tables 5 and 6: no query at start-up. */
		logf_(c, "configuration disabled (version %d): no query at start",
		      (int)c->rec.version);
		go_idle(c);
		return 0;
	}
	if (c->have_profile && prov_record_valid(&c->rec, wall(c))) {
		schedule_validity(c);
		go_idle(c);
		return 0;
	}
	start_session(c);
	return 0;
}

static int query(struct prov_ac_client *c, const char *why, bool user)
{
	if (c->st == ST_HTTP || c->st == ST_HTTPS || c->st == ST_OTP)
		return -1;
	c->capped = false;
	c->failures = 0;
	c->user_query = user;
	logf_(c, "query: %s", why);
	c->st = ST_IDLE;
	schedule_in(c, 0);
	return 0;
}

int prov_ac_client_query(struct prov_ac_client *c, const char *why)
{
	return query(c, why ? why : "requested", true);
}

static void send_otp(struct prov_ac_client *c)
{
	struct prov_bootstrap b = {.otp = c->otp};

	prov_store_bootstrap_save(c->store, c->id, &b, NULL, 0);
	c->ctx.otp_by_user = c->otp_from_user;
	start_request(c, PROV_AC_REQ_OTP, c->otp);
}

int prov_ac_client_otp(struct prov_ac_client *c, const char *otp)
{
	if (c->st != ST_WAIT_OTP || !otp || !*otp || strlen(otp) > 64)
		return -1;
	secret_free(c->otp);
	c->otp = strdup(otp);
	if (!c->otp)
		return -1;
	if (c->flow == PROV_AC_FLOW_DEDICATED) {
		/* Table 14: the OTP goes in the first request. */
		c->st = ST_IDLE;
		schedule_in(c, 0);
		return 0;
	}
	c->otp_from_user = true;
	send_otp(c);
	return 0;
}

int prov_ac_client_msisdn(struct prov_ac_client *c, const char *msisdn)
{
	size_t n = msisdn ? strlen(msisdn) : 0;

	if (c->st != ST_WAIT_MSISDN || n < 2 || n > 16 || msisdn[0] != '+' ||
	    strspn(msisdn + 1, "0123456789") != n - 1)
		return -1;
	free(c->msisdn);
	c->msisdn = strdup(msisdn);
	if (!c->msisdn)
		return -1;
	c->st = ST_IDLE;
	/* Same session: the cookie may still matter (2.3.2). */
	c->sched_due = -1;
	start_request(c, PROV_AC_REQ_HTTPS, NULL);
	return 0;
}

int prov_ac_client_friendly_name(struct prov_ac_client *c, const char *name)
{
	if (c->st != ST_WAIT_NAME || !name || !*name)
		return -1;
	free(c->fname);
	c->fname = dup_cut(name, 30);
	if (!c->fname)
		return -1;
	c->st = ST_IDLE;
	schedule_in(c, 0);
	return 0;
}

int prov_ac_client_msg_answer(struct prov_ac_client *c, bool accept)
{
	if (c->st != ST_WAIT_MSG || !c->have_pending)
		return -1;
	c->have_pending = false;
	if (accept) {
		use_profile(c, &c->pending, false);
	} else {
		/* 2.2.3: Reject reverts the services to default behaviour. */
		prov_profile_clear(&c->pending);
		c->sched_due = -1;
		remove_config(c, 0, "configuration message rejected by the user", 0);
	}
	go_idle(c);
	return 0;
}

int prov_ac_client_sms(struct prov_ac_client *c, const uint8_t *tpdu, size_t len, char *err,
		       size_t errlen)
{
	struct prov_sms sms;
	char e2[160];
	uint16_t port = c->p.sms_port_set && c->p.sms_port ? c->p.sms_port : DEFAULT_SMS_PORT;

	if (prov_sms_decode(tpdu, len, &sms, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "malformed TPDU: %s", e2);
		return -1;
	}
	if (c->st == ST_WAIT_OTP && !c->otp_from_user && sms.has_port && sms.dst_port == port &&
	    sms.has_text && sms.text_len > 0 && sms.text_len <= 64) {
		/* 2.3.3 step 1: the message content is the OTP. */
		secret_free(c->otp);
		c->otp = strndup(sms.text, sms.text_len);
		if (!c->otp)
			return -1;
		send_otp(c);
		return 1;
	}
	struct prov_sms_match m = {
		.port = port,
		.imsi = c->imsi,
		.impi = c->have_profile ? c->profile.impi : NULL,
	};
	enum prov_sms_trigger t = prov_sms_trigger_match(&sms, &m, e2, sizeof(e2));
	if (t == PROV_SMS_NO_TRIGGER) {
		snprintf(err, errlen, "%s", e2);
		return 0;
	}
	/* Section 3: also re-enables a client disabled by -1 or -2. */
	if (query(c, "SMS trigger (RCC.14 section 3)", false) < 0) {
		snprintf(err, errlen, "a configuration request is already in flight");
		return 0;
	}
	return 1;
}

const struct ims_profile *prov_ac_client_profile(const struct prov_ac_client *c)
{
	return c->have_profile ? &c->profile : NULL;
}

bool prov_ac_client_busy(const struct prov_ac_client *c)
{
	return c->st != ST_IDLE;
}

unsigned prov_ac_client_requests(const struct prov_ac_client *c)
{
	return c->requests;
}
