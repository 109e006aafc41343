/* GSMA RCC.14 autoconfiguration: the decision core. A pure function from one
 * configuration server response (HTTP status, Retry-After, the 3GPP
 * bootstrapping realm of a 401, the parsed document) and the state of the
 * request it answers to what the client does next (Table 8, 2.2.4, 2.3.2,
 * 2.3.4, 2.5.2, 2.5.4, 2.6.2). No I/O: provisioning/acclient.c performs the
 * action.
 */
#ifndef IMSUE_PROVISIONING_ACDECIDE_H
#define IMSUE_PROVISIONING_ACDECIDE_H

#include <stdbool.h>
#include <stdint.h>

struct prov_doc;

/* RCC.14 2.2.4: "the maximum number of unsuccessful consecutive
 * configuration retries ... shall be set to 5". */
#define PROV_AC_MAX_FAILURES 5

/* Which procedure the client runs. */
enum prov_ac_flow {
	PROV_AC_FLOW_CELLULAR,    /* 2.2: HTTP, then HTTPS with Table 1 */
	PROV_AC_FLOW_NONCELLULAR, /* 2.3: HTTPS with Table 9, OTP (Table 10) */
	PROV_AC_FLOW_ADDITIONAL,  /* 2.5: additional device, Table 12, OTP (Table 13) */
	PROV_AC_FLOW_DEDICATED,   /* 2.6: dedicated identity, Table 14 (OTP up front) */
};

/* Which request the response answers. */
enum prov_ac_req {
	PROV_AC_REQ_HTTP,  /* 2.2 initial HTTP GET without parameters */
	PROV_AC_REQ_HTTPS, /* the HTTPS GET with the identification parameters */
	PROV_AC_REQ_OTP,   /* the second HTTPS GET carrying the OTP */
};

/* What the request carried that changes the meaning of a response. */
struct prov_ac_ctx {
	enum prov_ac_flow flow;
	enum prov_ac_req req;
	bool sent_token;    /* a non-empty token parameter */
	bool sent_msisdn;   /* an msisdn (or sip_uri) parameter */
	bool sent_imsi;     /* an IMSI parameter */
	bool otp_by_user;   /* the OTP sent was typed by the user (SMS_port 0 / policy) */
	bool sms_port_zero; /* SMS_port=0 was sent: the OTP comes as a visible SMS (2.3.2) */
	bool repeated;      /* this HTTPS request repeats one answered by 200 + cookie (2.6) */
	int32_t vers;       /* the vers parameter sent */
};

/* One response. */
struct prov_ac_resp {
	bool transport_error; /* no HTTP response: DNS, connect, TLS, timeout */
	long status;          /* HTTP status when !transport_error */
	long retry_after;     /* seconds from Retry-After, -1 when absent */
	bool gba_realm;       /* 401 with a WWW-Authenticate realm naming 3GPP-bootstrapping */
	bool has_body;        /* a non-empty body */
	const struct prov_doc *doc; /* the parsed body, NULL when absent or refused */
	bool ims_valid;             /* doc is FULL and passes prov_doc_ims_validate */
};

enum prov_ac_action {
	PROV_AC_SEND_HTTPS,      /* 200 to the HTTP request: HTTPS with the cookie */
	PROV_AC_APPLY,           /* full document: store, apply, schedule at validity */
	PROV_AC_RENEW,           /* version-only: renew validity, keep config */
	PROV_AC_REMOVE,          /* 0, -1, -2 (see .new_vers) or 403: remove configuration */
	PROV_AC_RETRY_AFTER,     /* 503 with Retry-After: query again after .delay_s */
	PROV_AC_NONCELLULAR,     /* 511 to cellular: start 2.3 keeping the cookie */
	PROV_AC_AWAIT_OTP,       /* 200 without VERS: wait for the OTP (SMS or user) */
	PROV_AC_MSISDN_NEEDED,   /* ask the user for an MSISDN, then query again */
	PROV_AC_RESTART,         /* drop the token and start the flow again (511 on a token) */
	PROV_AC_OTP_RETRY,       /* 511 to a user-typed OTP: ask the user again */
	PROV_AC_FRIENDLY_NAME,   /* 409: ask for another friendly_device_name */
	PROV_AC_GBA_UNSUPPORTED, /* 401 3GPP-bootstrapping: GBA (2.4) is not implemented */
	PROV_AC_ERROR,           /* other error: keep a valid configuration, retry at next start */
};

struct prov_ac_decision {
	enum prov_ac_action action;
	bool failure;        /* counts toward PROV_AC_MAX_FAILURES */
	bool remove_config;  /* remove the stored configuration (keep the token) */
	bool drop_token;     /* forget the stored token */
	bool otp_from_user;  /* AWAIT_OTP: prompt the user (SMS_port 0 or the zero policy) */
	int32_t new_vers;    /* REMOVE: the version to store (0, -1, -2) */
	bool query_at_start; /* REMOVE/ERROR: query again at the next start */
	long delay_s;        /* RETRY_AFTER */
	const char *reason;  /* static text naming the case, for logs and events */
};

/* Decide what to do with resp, an answer to the request described by ctx. */
void prov_ac_decide(const struct prov_ac_ctx *ctx, const struct prov_ac_resp *resp,
		    struct prov_ac_decision *d);

/* "send-https", "apply", "renew", ... */
const char *prov_ac_action_name(enum prov_ac_action a);

/* "cellular", "noncellular", "additional", "dedicated"; -1 when unknown. */
const char *prov_ac_flow_name(enum prov_ac_flow f);
int prov_ac_flow_parse(const char *s, enum prov_ac_flow *f);

/* Retry-After bounds: a larger value is capped (a hostile or broken server
 * must not park the client forever). */
#define PROV_AC_RETRY_AFTER_MAX_S 86400

#endif
