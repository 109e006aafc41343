/* GSMA RCC.14 autoconfiguration client: the HTTP(S) flows of 2.2 (cellular),
 * 2.3 (non-cellular, OTP), 2.5 (additional device), 2.6 (dedicated
 * identity), the Table 8 responses (decided by provisioning/acdecide.h),
 * the section 3 SMS trigger, and the configuration storage of 4.2.1 with
 * SIM-change backup (use case 5 of 2.2.4).
 *
 * libcurl multi, no threads, no event loop of its own: the caller's loop
 * watches the file descriptors and the one timer the client asks for
 * (struct prov_ac_io) and calls prov_ac_client_on_fd / _on_timer. Results
 * come back as events (struct prov_ac_event). TLS is always verified; there
 * is no option to turn it off.
 *
 * Error convention: 0 on success, -1 with a one-line reason in err (which may
 * be NULL). Secrets (token, OTP, cookie, UserPwd) never appear in events,
 * reasons or log lines.
 */
#ifndef IMSUE_PROVISIONING_ACCLIENT_H
#define IMSUE_PROVISIONING_ACCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "provisioning/acdecide.h"
#include "provisioning/store.h"

struct ims_profile;
struct prov_ac_client;

enum { PROV_AC_FD_IN = 1, PROV_AC_FD_OUT = 2 };

/* The caller's event loop. */
struct prov_ac_io {
	/* Watch fd for PROV_AC_FD_IN / PROV_AC_FD_OUT; events 0: stop watching
	 * it. Called again for the same fd when the events change. */
	void (*watch)(void *arg, int fd, unsigned events);
	/* Call prov_ac_client_on_timer once after ms milliseconds (0: as soon
	 * as possible); -1 cancels. A new call replaces the previous timer. */
	void (*timer)(void *arg, long ms);
	void *arg;
};

enum prov_ac_event_type {
	PROV_AC_EV_CONFIG_UPDATED, /* profile (and diff against the previous one) in use */
	PROV_AC_EV_CONFIG_RENEWED, /* same version, validity renewed */
	PROV_AC_EV_CONFIG_REMOVED, /* version 0, -1, -2, 403, reject, or retry cap */
	PROV_AC_EV_MESSAGE,        /* MSG characteristic: answer with prov_ac_client_msg_answer */
	PROV_AC_EV_OTP_NEEDED,     /* otp_from_user: ask the user; else waiting for the SMS */
	PROV_AC_EV_MSISDN_NEEDED,  /* ask the user: prov_ac_client_msisdn */
	PROV_AC_EV_FRIENDLY_NAME_NEEDED, /* 409: prov_ac_client_friendly_name */
	PROV_AC_EV_ERROR,                /* a failed attempt (reason, status, failures) */
	PROV_AC_EV_IDLE,                 /* nothing in flight; next_s until the next query or -1 */
	PROV_AC_EV_LOG,                  /* a debug line (reason) */
};

/* "config-updated", "config-renewed", ... */
const char *prov_ac_event_name(enum prov_ac_event_type t);

struct prov_ac_event {
	enum prov_ac_event_type type;
	const char *reason;
	long status;                       /* HTTP status, 0 when none */
	int32_t version;                   /* configuration version after the event */
	int32_t validity;                  /* seconds */
	const struct ims_profile *profile; /* CONFIG_UPDATED */
	unsigned diff;     /* CONFIG_UPDATED: PROV_PROFILE_DIFF_* against the previous profile */
	bool restored;     /* CONFIG_UPDATED from the store (start-up or SIM-change backup) */
	const char *title; /* MESSAGE */
	const char *message;
	bool accept_btn, reject_btn;
	bool otp_from_user; /* OTP_NEEDED */
	unsigned failures;  /* consecutive failed attempts */
	long next_s;        /* IDLE */
};

struct prov_ac_params {
	enum prov_ac_flow flow;
	/* The HTTP URL of 2.2 (NULL: derived from the IMSI). */
	const char *server;
	/* The HTTPS URL (NULL: the server URL with scheme https and the
	 * default port: "the same URL using the HTTPS protocol"). */
	const char *https_url;
	const char *ca_file; /* NULL: the system CAs */
	const char *store;   /* store root (provisioning/store.h) */
	int (*store_step_hook)(void *arg, enum prov_store_step step); /* tests only */
	void *store_hook_arg;
	/* Identification. */
	const char *imsi; /* 2.2, 2.3 (NULL when the client cannot read it) */
	int mnc_digits;   /* 0: from the table */
	const char *imei;
	const char *msisdn;               /* 2.3 (user input), 2.5, 2.6 */
	const char *sip_uri;              /* 2.5, 2.6 instead of msisdn */
	const char *terminal_vendor;      /* cut to 4 */
	const char *terminal_model;       /* cut to 10 */
	const char *terminal_sw_version;  /* cut to 10 */
	const char *friendly_device_name; /* cut to 30; NULL: not sent */
	const char *device_type;          /* 2.5, 2.6: "Tablet", "PC", "Other" (default) */
	const char *accept_language;      /* NULL: from LC_MESSAGES/LANG, else "en" */
	/* 2.3: SMS_port announced (Table 9). sms_port_set false: not sent
	 * (the server uses 37273). 0: OTP typed by the user. */
	bool sms_port_set;
	uint16_t sms_port;
	const char *otp; /* 2.6: the OTP the user obtained beforehand */
	long timeout_ms; /* per request; 0: 30000 */
	/* A failed attempt is retried at the next start (Table 8); a daemon
	 * that runs for days may retry after this many seconds instead (0:
	 * never in this process). */
	long error_retry_s;
	int64_t (*now)(void *arg); /* wall clock (validity); NULL: time() */
	void *now_arg;
	struct prov_ac_io io;
	void (*event)(void *arg, const struct prov_ac_event *ev);
	void *event_arg;
};

int prov_ac_client_new(const struct prov_ac_params *p, struct prov_ac_client **out, char *err,
		       size_t errlen);
/* Abort any request and free everything (secrets wiped). NULL is fine. */
void prov_ac_client_free(struct prov_ac_client *c);

/* At start-up (or after a SIM change without restart): detect a SIM change
 * (back up the previous identity's configuration, use a still-valid backup
 * for the new one), use a valid stored configuration (CONFIG_UPDATED with
 * restored set) and schedule its re-query at expiry, or query now. */
int prov_ac_client_start(struct prov_ac_client *c, char *err, size_t errlen);

/* Query now (user action, a configured service cannot be enabled, ...).
 * Also lifts the retry cap and the -2 state. -1 while a request is in
 * flight. */
int prov_ac_client_query(struct prov_ac_client *c, const char *why);

/* The caller's loop reports readiness (PROV_AC_FD_*) or the timer. */
void prov_ac_client_on_fd(struct prov_ac_client *c, int fd, unsigned events);
void prov_ac_client_on_timer(struct prov_ac_client *c);

/* An SMS-DELIVER TPDU from the platform: the OTP of 2.3.3 while one is
 * awaited on our port, or a section 3 trigger. 1 when used, 0 when ignored
 * (reason in err), -1 when malformed. */
int prov_ac_client_sms(struct prov_ac_client *c, const uint8_t *tpdu, size_t len, char *err,
		       size_t errlen);
/* Answers to OTP_NEEDED, MSISDN_NEEDED, FRIENDLY_NAME_NEEDED, MESSAGE. -1
 * when nothing of the kind is awaited or the value is malformed. */
int prov_ac_client_otp(struct prov_ac_client *c, const char *otp);
int prov_ac_client_msisdn(struct prov_ac_client *c, const char *msisdn);
int prov_ac_client_friendly_name(struct prov_ac_client *c, const char *name);
int prov_ac_client_msg_answer(struct prov_ac_client *c, bool accept);

/* The configuration in use, NULL when none (default behaviour). */
const struct ims_profile *prov_ac_client_profile(const struct prov_ac_client *c);
/* A request is in flight or an answer from the user is awaited. */
bool prov_ac_client_busy(const struct prov_ac_client *c);
/* Number of HTTP(S) requests sent so far. */
unsigned prov_ac_client_requests(const struct prov_ac_client *c);

#endif
