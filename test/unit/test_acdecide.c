/* The RCC.14 decision core (provisioning/acdecide.h): one row per Table 8
 * response and per error case of 2.2.4, 2.3.2, 2.3.4, 2.5.2, 2.5.4, 2.6.2,
 * for each flow and request where the meaning differs. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "provisioning/acdecide.h"
#include "provisioning/provdoc.h"

enum {
	CELL = PROV_AC_FLOW_CELLULAR,
	NONC = PROV_AC_FLOW_NONCELLULAR,
	ADDL = PROV_AC_FLOW_ADDITIONAL,
	DEDI = PROV_AC_FLOW_DEDICATED
};
enum { HTTP = PROV_AC_REQ_HTTP, HTTPS = PROV_AC_REQ_HTTPS, OTP = PROV_AC_REQ_OTP };

/* Document in the response: none, or a kind (+ validity for IMS). */
enum {
	D_NONE,
	D_BODY_BAD,
	D_FULL,
	D_FULL_INVALID,
	D_VONLY,
	D_V0,
	D_VM1,
	D_VM2,
	D_POLICY0,
	D_POLICY5
};

/* ctx flags */
#define TOK  1  /* sent a token */
#define MSI  2  /* sent an MSISDN */
#define IMS  4  /* sent an IMSI */
#define UOTP 8  /* the OTP was typed by the user */
#define P0   16 /* SMS_port=0 sent */
#define REP  32 /* a repeated request */

/* expectation flags */
#define F  1  /* counts as a failure */
#define RM 2  /* removes the configuration */
#define DT 4  /* drops the token */
#define OU 8  /* OTP from the user */
#define QS 16 /* query at the next start */

struct row {
	const char *name;
	int flow, req, ctx, vers;
	long status, retry_after;
	int gba, doc;
	enum prov_ac_action action;
	int flags;
	int new_vers;
	long delay;
};

/* clang-format off */
#define T(...) { __VA_ARGS__ }
/* clang-format on */

static const struct row rows[] = {
	/* Table 8 row 1: 200 to the initial HTTP request. */
	T("HTTP 200 -> HTTPS", CELL, HTTP, 0, 0, 200, -1, 0, D_NONE, PROV_AC_SEND_HTTPS, 0, 0, 0),
	/* Table 8 row 2. */
	T("HTTP 503+RA", CELL, HTTP, 0, 0, 503, 30, 0, D_NONE, PROV_AC_RETRY_AFTER, F, 0, 30),
	T("HTTPS 503+RA", CELL, HTTPS, IMS, 3, 503, 5, 0, D_NONE, PROV_AC_RETRY_AFTER, F, 3, 5),
	T("503+RA capped", CELL, HTTPS, IMS, 3, 503, 999999, 0, D_NONE, PROV_AC_RETRY_AFTER, F, 3,
	  PROV_AC_RETRY_AFTER_MAX_S),
	T("503 without RA", CELL, HTTPS, IMS, 3, 503, -1, 0, D_NONE, PROV_AC_ERROR, F | QS, 3, 0),
	T("OTP 503+RA", NONC, OTP, IMS, 0, 503, 2, 0, D_NONE, PROV_AC_RETRY_AFTER, F, 0, 2),
	/* Table 8 row 3. */
	T("full", CELL, HTTPS, IMS, 0, 200, -1, 0, D_FULL, PROV_AC_APPLY, 0, 0, 0),
	T("full, not usable for IMS", CELL, HTTPS, IMS, 0, 200, -1, 0, D_FULL_INVALID,
	  PROV_AC_ERROR, F | QS, 0, 0),
	T("body not a document", CELL, HTTPS, IMS, 3, 200, -1, 0, D_BODY_BAD, PROV_AC_ERROR, F | QS,
	  3, 0),
	T("200 empty (cellular)", CELL, HTTPS, IMS, 3, 200, -1, 0, D_NONE, PROV_AC_ERROR, F | QS, 3,
	  0),
	/* Table 8 row 4. */
	T("version-only", CELL, HTTPS, IMS, 3, 200, -1, 0, D_VONLY, PROV_AC_RENEW, 0, 3, 0),
	T("version-only, other version", CELL, HTTPS, IMS, 2, 200, -1, 0, D_VONLY, PROV_AC_ERROR,
	  F | QS, 2, 0),
	T("version-only to vers 0", CELL, HTTPS, IMS, 0, 200, -1, 0, D_VONLY, PROV_AC_ERROR, F | QS,
	  0, 0),
	/* Table 8 rows 5-7. */
	T("version 0", CELL, HTTPS, IMS, 3, 200, -1, 0, D_V0, PROV_AC_REMOVE, RM | QS, 0, 0),
	T("version -1", CELL, HTTPS, IMS, 3, 200, -1, 0, D_VM1, PROV_AC_REMOVE, RM, -1, 0),
	T("version -2", CELL, HTTPS, IMS, 3, 200, -1, 0, D_VM2, PROV_AC_REMOVE, RM, -2, 0),
	T("version 0 (non-cellular)", NONC, OTP, IMS, 3, 200, -1, 0, D_V0, PROV_AC_REMOVE, RM | QS,
	  0, 0),
	/* Table 8 row 8 and the unreachable row. */
	T("500", CELL, HTTPS, IMS, 3, 500, -1, 0, D_NONE, PROV_AC_ERROR, F | QS, 3, 0),
	T("HTTP 500", CELL, HTTP, 0, 3, 500, -1, 0, D_NONE, PROV_AC_ERROR, F | QS, 3, 0),
	T("404", CELL, HTTPS, IMS, 3, 404, -1, 0, D_NONE, PROV_AC_ERROR, F | QS, 3, 0),
	T("unreachable", CELL, HTTP, 0, 3, -1, -1, 0, D_NONE, PROV_AC_ERROR, F | QS, 3, 0),
	/* Table 8 rows 9-10. */
	T("401 3GPP-bootstrapping", CELL, HTTPS, IMS, 3, 401, -1, 1, D_NONE,
	  PROV_AC_GBA_UNSUPPORTED, F | QS, 3, 0),
	T("401 other realm", CELL, HTTPS, IMS, 3, 401, -1, 0, D_NONE, PROV_AC_ERROR, F | QS, 3, 0),
	/* Table 8 row 11. */
	T("403 cellular", CELL, HTTPS, IMS, 3, 403, -1, 0, D_NONE, PROV_AC_REMOVE, F | RM | QS, 0,
	  0),
	T("HTTP 403", CELL, HTTP, 0, 3, 403, -1, 0, D_NONE, PROV_AC_REMOVE, F | RM | QS, 0, 0),
	/* 2.3.4: 403 to an IMSI-only request, to a request with MSISDN. */
	T("403 IMSI only", NONC, HTTPS, IMS, 3, 403, -1, 0, D_NONE, PROV_AC_MSISDN_NEEDED, 0, 3, 0),
	T("403 with MSISDN", NONC, HTTPS, IMS | MSI, 3, 403, -1, 0, D_NONE, PROV_AC_MSISDN_NEEDED,
	  F, 3, 0),
	T("403 additional", ADDL, HTTPS, MSI, 0, 403, -1, 0, D_NONE, PROV_AC_MSISDN_NEEDED, F, 0,
	  0),
	T("403 dedicated", DEDI, HTTPS, MSI, 0, 403, -1, 0, D_NONE, PROV_AC_MSISDN_NEEDED, F, 0, 0),
	/* Table 8 row 12. */
	T("409", CELL, HTTPS, IMS, 0, 409, -1, 0, D_NONE, PROV_AC_FRIENDLY_NAME, F, 0, 0),
	/* Table 8 row 13, 2.2.5, 2.3.1.1. */
	T("HTTP 511", CELL, HTTP, 0, 0, 511, -1, 0, D_NONE, PROV_AC_NONCELLULAR, 0, 0, 0),
	T("HTTPS 511 cellular", CELL, HTTPS, IMS, 0, 511, -1, 0, D_NONE, PROV_AC_NONCELLULAR, 0, 0,
	  0),
	/* 2.3.2 case 1, 2.3.3. */
	T("200 empty, SMS OTP", NONC, HTTPS, IMS, 0, 200, -1, 0, D_NONE, PROV_AC_AWAIT_OTP, 0, 0,
	  0),
	T("200 empty, SMS_port 0", NONC, HTTPS, IMS | P0, 0, 200, -1, 0, D_NONE, PROV_AC_AWAIT_OTP,
	  OU, 0, 0),
	T("POLICY SMS_port 0", NONC, HTTPS, IMS, 0, 200, -1, 0, D_POLICY0, PROV_AC_AWAIT_OTP, OU, 0,
	  0),
	T("POLICY SMS_port 5 ignored", NONC, HTTPS, IMS, 0, 200, -1, 0, D_POLICY5,
	  PROV_AC_AWAIT_OTP, 0, 0, 0),
	T("POLICY in cellular", CELL, HTTPS, IMS, 0, 200, -1, 0, D_POLICY0, PROV_AC_ERROR, F | QS,
	  0, 0),
	T("POLICY to the OTP request", NONC, OTP, IMS, 0, 200, -1, 0, D_POLICY0, PROV_AC_ERROR,
	  F | QS, 0, 0),
	/* 2.3.2 case 2 and 3. */
	T("token valid", NONC, HTTPS, IMS | TOK, 3, 200, -1, 0, D_VONLY, PROV_AC_RENEW, 0, 3, 0),
	T("token not privileged", NONC, HTTPS, IMS | TOK, 3, 200, -1, 0, D_NONE, PROV_AC_AWAIT_OTP,
	  DT, 3, 0),
	/* 2.3.4: 511 to the token, to an OTP from SMS, to an OTP from the user. */
	T("511 token", NONC, HTTPS, IMS | TOK, 3, 511, -1, 0, D_NONE, PROV_AC_RESTART, F | DT, 3,
	  0),
	T("511 SMS OTP", NONC, OTP, IMS, 3, 511, -1, 0, D_NONE, PROV_AC_REMOVE, F | RM | QS, 0, 0),
	T("511 user OTP", NONC, OTP, IMS | UOTP, 3, 511, -1, 0, D_NONE, PROV_AC_OTP_RETRY, F, 3, 0),
	T("511 without token", NONC, HTTPS, IMS, 0, 511, -1, 0, D_NONE, PROV_AC_ERROR, F | QS, 0,
	  0),
	T("OTP 200 empty", NONC, OTP, IMS, 0, 200, -1, 0, D_NONE, PROV_AC_ERROR, F | QS, 0, 0),
	T("OTP full", NONC, OTP, IMS, 0, 200, -1, 0, D_FULL, PROV_AC_APPLY, 0, 0, 0),
	/* 2.5.1, 2.5.2, 2.5.4. */
	T("additional 200 empty", ADDL, HTTPS, MSI, 0, 200, -1, 0, D_NONE, PROV_AC_AWAIT_OTP, OU, 0,
	  0),
	T("additional 511 OTP", ADDL, OTP, MSI | UOTP, 0, 511, -1, 0, D_NONE, PROV_AC_RESTART, F, 0,
	  0),
	T("additional 511 token", ADDL, HTTPS, MSI | TOK, 3, 511, -1, 0, D_NONE, PROV_AC_RESTART,
	  F | DT, 3, 0),
	T("additional 500", ADDL, HTTPS, MSI, 0, 500, -1, 0, D_NONE, PROV_AC_ERROR, F | QS, 0, 0),
	/* 2.6, 2.6.2. */
	T("dedicated 200 empty", DEDI, HTTPS, MSI, 0, 200, -1, 0, D_NONE, PROV_AC_SEND_HTTPS, 0, 0,
	  0),
	T("dedicated 200 empty twice", DEDI, HTTPS, MSI | REP, 0, 200, -1, 0, D_NONE, PROV_AC_ERROR,
	  F | QS, 0, 0),
	T("dedicated 511 OTP", DEDI, HTTPS, MSI, 0, 511, -1, 0, D_NONE, PROV_AC_OTP_RETRY, F, 0, 0),
	T("dedicated 511 token", DEDI, HTTPS, MSI | TOK, 3, 511, -1, 0, D_NONE, PROV_AC_RESTART,
	  F | DT, 3, 0),
	T("dedicated full", DEDI, HTTPS, MSI | REP, 0, 200, -1, 0, D_FULL, PROV_AC_APPLY, 0, 0, 0),
};

static void make_doc(struct prov_doc *d, int kind, int32_t vers)
{
	memset(d, 0, sizeof(*d));
	d->has_vers = true;
	switch (kind) {
	case D_FULL:
	case D_FULL_INVALID:
		d->kind = PROV_DOC_FULL;
		d->version = 4;
		d->validity = 86400;
		break;
	case D_VONLY:
		d->kind = PROV_DOC_VERSION_ONLY;
		d->version = 3;
		d->validity = 86400;
		break;
	case D_V0:
	case D_VM1:
	case D_VM2:
		d->kind = kind == D_V0    ? PROV_DOC_RESET
			  : kind == D_VM1 ? PROV_DOC_DISABLED
					  : PROV_DOC_DISABLED_UNTIL_USER;
		d->version = d->validity = kind == D_V0 ? 0 : kind == D_VM1 ? -1 : -2;
		break;
	case D_POLICY0:
	case D_POLICY5:
		d->kind = PROV_DOC_POLICY;
		d->has_vers = false;
		d->has_policy = d->has_sms_port = true;
		d->sms_port = kind == D_POLICY0 ? 0 : 5;
		break;
	}
	(void)vers;
}

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *t = &rows[i];
		struct prov_ac_ctx c = {
			.flow = t->flow,
			.req = t->req,
			.sent_token = t->ctx & TOK,
			.sent_msisdn = t->ctx & MSI,
			.sent_imsi = t->ctx & IMS,
			.otp_by_user = t->ctx & UOTP,
			.sms_port_zero = t->ctx & P0,
			.repeated = t->ctx & REP,
			.vers = t->vers,
		};
		struct prov_doc doc;
		struct prov_ac_resp r = {
			.status = t->status, .retry_after = t->retry_after, .gba_realm = t->gba};
		struct prov_ac_decision d;

		if (t->status < 0)
			r.transport_error = true;
		if (t->doc == D_BODY_BAD)
			r.has_body = true;
		else if (t->doc != D_NONE) {
			make_doc(&doc, t->doc, t->vers);
			r.doc = &doc;
			r.has_body = true;
			r.ims_valid = t->doc == D_FULL;
		}
		prov_ac_decide(&c, &r, &d);
		printf("# %s: %s (%s)\n", t->name, prov_ac_action_name(d.action), d.reason);
		if (d.action != t->action) {
			fail_msg("%s: action %s, expected %s", t->name,
				 prov_ac_action_name(d.action), prov_ac_action_name(t->action));
		}
		if (d.failure != !!(t->flags & F))
			fail_msg("%s: failure %d", t->name, d.failure);
		if (d.remove_config != !!(t->flags & RM))
			fail_msg("%s: remove_config %d", t->name, d.remove_config);
		if (d.drop_token != !!(t->flags & DT))
			fail_msg("%s: drop_token %d", t->name, d.drop_token);
		if (d.action == PROV_AC_AWAIT_OTP && d.otp_from_user != !!(t->flags & OU))
			fail_msg("%s: otp_from_user %d", t->name, d.otp_from_user);
		if (d.query_at_start != !!(t->flags & QS))
			fail_msg("%s: query_at_start %d", t->name, d.query_at_start);
		if (d.new_vers != t->new_vers)
			fail_msg("%s: new_vers %d, expected %d", t->name, d.new_vers, t->new_vers);
		if (d.action == PROV_AC_RETRY_AFTER && d.delay_s != t->delay)
			fail_msg("%s: delay %ld", t->name, d.delay_s);
		assert_non_null(d.reason);
	}
}

static void test_names(void **state)
{
	enum prov_ac_flow f;

	(void)state;
	for (int a = PROV_AC_SEND_HTTPS; a <= PROV_AC_ERROR; a++)
		assert_string_not_equal(prov_ac_action_name((enum prov_ac_action)a), "?");
	assert_int_equal(prov_ac_flow_parse("dedicated", &f), 0);
	assert_int_equal(f, PROV_AC_FLOW_DEDICATED);
	assert_string_equal(prov_ac_flow_name(f), "dedicated");
	assert_int_equal(prov_ac_flow_parse("wifi", &f), -1);
	assert_string_equal(prov_ac_flow_name((enum prov_ac_flow)9), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
