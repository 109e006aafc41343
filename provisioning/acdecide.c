/* GSMA RCC.14 autoconfiguration: response -> action (Table 8 and the error
 * handling of 2.2.4, 2.3.2, 2.3.4, 2.5.2, 2.5.4, 2.6.2). */
#include "provisioning/acdecide.h"

#include <string.h>

#include "provisioning/provdoc.h"

const char *prov_ac_action_name(enum prov_ac_action a)
{
	switch (a) {
	case PROV_AC_SEND_HTTPS:
		return "send-https";
	case PROV_AC_APPLY:
		return "apply";
	case PROV_AC_RENEW:
		return "renew";
	case PROV_AC_REMOVE:
		return "remove";
	case PROV_AC_RETRY_AFTER:
		return "retry-after";
	case PROV_AC_NONCELLULAR:
		return "noncellular";
	case PROV_AC_AWAIT_OTP:
		return "await-otp";
	case PROV_AC_MSISDN_NEEDED:
		return "msisdn-needed";
	case PROV_AC_RESTART:
		return "restart";
	case PROV_AC_OTP_RETRY:
		return "otp-retry";
	case PROV_AC_FRIENDLY_NAME:
		return "friendly-name";
	case PROV_AC_GBA_UNSUPPORTED:
		return "gba-unsupported";
	case PROV_AC_ERROR:
		return "error";
	}
	return "?";
}

static const char *const flow_names[] = {"cellular", "noncellular", "additional", "dedicated"};

const char *prov_ac_flow_name(enum prov_ac_flow f)
{
	if ((unsigned)f < sizeof(flow_names) / sizeof(flow_names[0]))
		return flow_names[f];
	return "?";
}

int prov_ac_flow_parse(const char *s, enum prov_ac_flow *f)
{
	for (unsigned i = 0; i < sizeof(flow_names) / sizeof(flow_names[0]); i++)
		if (!strcmp(s, flow_names[i])) {
			*f = (enum prov_ac_flow)i;
			return 0;
		}
	return -1;
}

static void set(struct prov_ac_decision *d, enum prov_ac_action a, bool failure, const char *reason)
{
	d->action = a;
	d->failure = failure;
	d->reason = reason;
}

static void error(struct prov_ac_decision *d, const char *reason)
{
	/* Table 8 "500 ... (or any other HTTP error except 403)", "server
	 * unreachable": keep a valid configuration (2.2.4, even expired), retry
	 * at the next start. */
	set(d, PROV_AC_ERROR, true, reason);
	d->query_at_start = true;
}

static void remove_config(struct prov_ac_decision *d, int32_t vers, bool failure,
			  const char *reason)
{
	set(d, PROV_AC_REMOVE, failure, reason);
	d->remove_config = true;
	d->new_vers = vers;
	/* Table 4 / Table 8 row 0: query at the next start; -1 (Table 5) and -2
	 * (Table 6) stop the start-up query. */
	d->query_at_start = vers == 0;
}

static void retry_after(const struct prov_ac_resp *r, struct prov_ac_decision *d)
{
	if (r->retry_after < 0) {
		error(d, "503 without Retry-After");
		return;
	}
	set(d, PROV_AC_RETRY_AFTER, true, "503 with Retry-After");
	d->delay_s = r->retry_after > PROV_AC_RETRY_AFTER_MAX_S ? PROV_AC_RETRY_AFTER_MAX_S
								: r->retry_after;
}

static void answer_200(const struct prov_ac_ctx *c, const struct prov_ac_resp *r,
		       struct prov_ac_decision *d)
{
	const struct prov_doc *doc = r->doc;

	if (!doc) {
		if (r->has_body) {
			error(d, "200 with a document that is not a valid configuration document");
			return;
		}
		if (c->req == PROV_AC_REQ_OTP || c->flow == PROV_AC_FLOW_CELLULAR) {
			error(d, "200 without a configuration document");
			return;
		}
		if (c->flow == PROV_AC_FLOW_DEDICATED) {
			/* 2.6 step 4: 200 + cookie, then the procedure of 2.2.2 with
			 * the same parameters; once only. */
			if (c->repeated) {
				error(d, "200 without a configuration document");
				return;
			}
			set(d, PROV_AC_SEND_HTTPS, false, "200 with a cookie: repeat with it");
			return;
		}
		/* 2.3.2 case 1 (empty token) or case 3 (token valid but not
		 * privileged: delete it), 2.5.1 step 4. */
		set(d, PROV_AC_AWAIT_OTP, false, "200 without VERS: OTP sent by SMS");
		d->drop_token = c->sent_token;
		d->otp_from_user = c->flow == PROV_AC_FLOW_ADDITIONAL || c->sms_port_zero;
		return;
	}
	switch (doc->kind) {
	case PROV_DOC_POLICY:
		if (c->flow == PROV_AC_FLOW_NONCELLULAR && c->req == PROV_AC_REQ_HTTPS) {
			set(d, PROV_AC_AWAIT_OTP, false, "200 with POLICY: OTP sent by SMS");
			d->drop_token = c->sent_token;
			/* 2.3.3: only SMS_port 0 means something ("a different
			 * value ... shall be ignored"). */
			d->otp_from_user =
				c->sms_port_zero || (doc->has_sms_port && doc->sms_port == 0);
			return;
		}
		error(d, "POLICY document outside the non-cellular OTP exchange");
		return;
	case PROV_DOC_FULL:
		if (!r->ims_valid) {
			error(d, "full configuration document not usable for IMS");
			return;
		}
		set(d, PROV_AC_APPLY, false, "full configuration");
		return;
	case PROV_DOC_VERSION_ONLY:
		if (c->vers <= 0 || doc->version != c->vers) {
			error(d, "version-only document for a version we do not hold");
			return;
		}
		set(d, PROV_AC_RENEW, false, "version unchanged: validity renewed");
		return;
	case PROV_DOC_RESET:
		remove_config(d, 0, false, "version 0: configuration removed");
		return;
	case PROV_DOC_DISABLED:
		remove_config(d, -1, false,
			      "version -1: configuration removed, no query until SIM change");
		return;
	case PROV_DOC_DISABLED_UNTIL_USER:
		remove_config(d, -2, false,
			      "version -2: configuration removed, no query until user action");
		return;
	}
	error(d, "unknown document kind");
}

static void answer_403(const struct prov_ac_ctx *c, struct prov_ac_decision *d)
{
	switch (c->flow) {
	case PROV_AC_FLOW_CELLULAR:
		/* Table 8: removed, version 0, retry at the next start. */
		remove_config(d, 0, true, "403 Forbidden: configuration removed");
		return;
	case PROV_AC_FLOW_NONCELLULAR:
		if (c->sent_imsi && !c->sent_msisdn) {
			/* 2.3.4: the network cannot identify by IMSI; keep the
			 * configuration and ask for the MSISDN. */
			set(d, PROV_AC_MSISDN_NEEDED, false,
			    "403 to an IMSI-only request: MSISDN needed");
			return;
		}
		set(d, PROV_AC_MSISDN_NEEDED, true,
		    "403 Forbidden: MSISDN not valid or not authorised");
		return;
	case PROV_AC_FLOW_ADDITIONAL:
	case PROV_AC_FLOW_DEDICATED:
		/* 2.5.2/2.5.4/2.6.2 case 1. */
		set(d, PROV_AC_MSISDN_NEEDED, true,
		    "403 Forbidden: identity not valid or not authorised");
		return;
	}
}

static void answer_511(const struct prov_ac_ctx *c, struct prov_ac_decision *d)
{
	if (c->flow == PROV_AC_FLOW_CELLULAR) {
		/* Table 8, 2.2.5, 2.3.1.1. */
		set(d, PROV_AC_NONCELLULAR, false, "511: non-cellular configuration");
		return;
	}
	if (c->req == PROV_AC_REQ_OTP) {
		if (c->flow == PROV_AC_FLOW_ADDITIONAL) {
			/* 2.5.2 case 2: retrying starts from the beginning. */
			set(d, PROV_AC_RESTART, true, "511: OTP not valid");
			return;
		}
		if (c->otp_by_user) {
			/* 2.3.4: offer the user to enter the OTP again. */
			set(d, PROV_AC_OTP_RETRY, true, "511: OTP not valid");
			return;
		}
		/* 2.3.4: "In all other cases the client shall remove an existing
		 * client configuration immediately after receiving the first
		 * HTTP 511". */
		remove_config(d, 0, true, "511: OTP from SMS not valid: configuration removed");
		return;
	}
	if (c->sent_token) {
		/* 2.3.4 last bullet, 2.5.4/2.6.2 case 2. */
		set(d, PROV_AC_RESTART, true, "511: token not valid");
		d->drop_token = true;
		return;
	}
	if (c->flow == PROV_AC_FLOW_DEDICATED) {
		/* Table 14: the OTP is in the first request. */
		set(d, PROV_AC_OTP_RETRY, true, "511: OTP not valid");
		return;
	}
	error(d, "511 to a request without token or OTP");
}

void prov_ac_decide(const struct prov_ac_ctx *c, const struct prov_ac_resp *r,
		    struct prov_ac_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->new_vers = c->vers;
	if (r->transport_error) {
		error(d, "configuration server unreachable");
		return;
	}
	if (c->req == PROV_AC_REQ_HTTP) {
		switch (r->status) {
		case 200:
			set(d, PROV_AC_SEND_HTTPS, false, "200 to HTTP: HTTPS with the cookie");
			return;
		case 511:
			set(d, PROV_AC_NONCELLULAR, false, "511: non-cellular configuration");
			return;
		case 503:
			retry_after(r, d);
			return;
		case 403:
			remove_config(d, 0, true, "403 Forbidden: configuration removed");
			return;
		default:
			error(d, "HTTP error");
			return;
		}
	}
	switch (r->status) {
	case 200:
		answer_200(c, r, d);
		return;
	case 503:
		retry_after(r, d);
		return;
	case 403:
		answer_403(c, d);
		return;
	case 511:
		answer_511(c, d);
		return;
	case 409:
		set(d, PROV_AC_FRIENDLY_NAME, true, "409 Conflict: friendly_device_name in use");
		return;
	case 401:
		if (r->gba_realm) {
			/* Table 8 rows 8-9 need GBA (2.4), which is not implemented:
			 * handled as "any other HTTP error". */
			set(d, PROV_AC_GBA_UNSUPPORTED, true,
			    "401 with 3GPP-bootstrapping: GBA not supported");
			d->query_at_start = true;
			return;
		}
		error(d, "401 Unauthorized");
		return;
	default:
		error(d, "HTTP error");
		return;
	}
}
