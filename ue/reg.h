/* Private to ue/: struct ims_ue and the registration state machine of
 * TS 24.229 5.1.1 (ue/reg.c). ue/ue.c is the public face (ue/ue.h). */
#ifndef IMSUE_UE_REG_H
#define IMSUE_UE_REG_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sec/aka.h"
#include "sec/digest.h"
#include "ue/loop.h"
#include "ue/msg.h"
#include "ue/sip_glue.h"
#include "ue/ue.h"

enum reg_state {
	REG_DEREGISTERED = 0,
	REG_REGISTERING,    /* unauthenticated REGISTER sent (initial, MAC/SQN failure) */
	REG_AUTHENTICATING, /* REGISTER with a challenge response sent */
	REG_REGISTERED,
	REG_REREGISTERING,
	REG_DEREGISTERING,
	REG_BACKOFF, /* waiting for the RFC 5626 4.5 retry delay or Retry-After */
	REG_FAILED,  /* 403 or rejected credentials: no automatic retry */
	REG_N_STATES
};

enum reg_event {
	REG_EV_START = 0,    /* user or daemon: register */
	REG_EV_OK,           /* 2xx */
	REG_EV_UNAUTHORIZED, /* 401 / 407 */
	REG_EV_TOO_BRIEF,    /* 423 */
	REG_EV_FORBIDDEN,    /* 403 */
	REG_EV_USE_PROXY,    /* 305 */
	REG_EV_UNAVAILABLE,  /* 503 */
	REG_EV_SERVER_ERROR, /* 408, 500, 504 from the network */
	REG_EV_REJECTED,     /* any other final failure */
	REG_EV_TIMER_F,      /* no response: timer F or transport failure (local) */
	REG_EV_REFRESH,      /* reregistration timer */
	REG_EV_BACKOFF_DONE, /* backoff timer */
	REG_EV_AWAIT_AUTH,   /* reg-await-auth timer */
	REG_EV_DEREGISTER,   /* user-initiated deregistration */
	REG_EV_NETWORK_DEREG, /* reg event NOTIFY: our registration ended (5.1.1.7) */
	REG_N_EVENTS
};

typedef void (*ims_ue_log_fn)(void *arg, int level, const char *line);

struct ims_ue {
	struct ue_loop *loop;
	struct ue_config cfg;
	char name[64];
	ims_ue_event_cb cb;
	void *cb_arg;
	ims_ue_log_fn log;
	void *log_arg;
	int log_level; /* 0 errors, 1 events, 2 info, 3 debug */

	struct sip_glue *glue;
	struct sec_cred *cred; /* AKA credential source */
	struct ue_regevent *regevent; /* reg event subscription (ue/regevent.c) */

	/* Identity in use. */
	char impu[256];
	char impi[256];
	char domain[256];
	char instance[64];

	/* The registration (one Call-ID for its whole life, 5.1.1.4.1). */
	enum reg_state state;
	char call_id[64];
	char from_tag[32];
	uint32_t cseq;
	unsigned long expires_req;
	int pcscf;         /* index in cfg.pcscf */
	int pcscf_tried;   /* P-CSCFs tried without any answer in this round */
	unsigned failures; /* consecutive failed attempts (RFC 5626 4.5) */
	unsigned long retry_after_s;
	bool dereg_all;
	bool dereg_reason_shutdown;
	bool was_registered; /* the binding exists (for refresh vs initial) */
	struct sip_out *pending;

	/* Authentication (5.1.1.5). */
	bool have_challenge;
	char realm[256];
	char nonce[512];
	char opaque[256];
	enum sec_digest_alg alg;
	bool qop_auth;
	uint32_t nc;
	char cnonce[40];
	char authorization[1536]; /* last one sent with a response (AKA rereg reuses it) */
	bool sent_response;       /* the outstanding REGISTER carried a response */
	int invalid_challenges;   /* consecutive, 5.1.1.5.12 */
	int answered_challenges;  /* in this attempt (loop guard) */
	int stale_challenges;     /* stale=true answered since the last 200 (OK) */
	char security_client[512];
	/* SIP digest with TLS (5.1.1.4.4, 5.1.1.5.6, doc/tls.md). */
	char security_verify[512]; /* the 401's Security-Server, mirrored */
	bool tls_protected;        /* requests go over the TLS session to the protected port */
	int tls_abandons;          /* consecutive 401s without "tls" in Security-Server */

	/* What the 200 (OK) gave. */
	struct ue_msg_reg_ok ok;
	unsigned long granted;
	struct timespec registered_at;
	struct timespec refresh_at;

	char last_error[256];

	struct ue_timer *t_refresh;
	struct ue_timer *t_backoff;
	struct ue_timer *t_await_auth;
	struct ue_timer *t_shutdown;
	struct ue_timer *t_defer;
	void (*shutdown_done)(void *);
	void *shutdown_arg;
	bool shutting_down;

	/* Additional IMPUs (cfg.impu[1..], ue/reg_extra.c). */
	struct reg_extra *extra;
	int n_extra;
	struct reg_extra *fetch; /* fetching bindings (REGISTER without Contact) */
	char feature_tags[640];  /* g.3gpp.icsi-ref from cfg.icsi, "" if none */
	/* Set by the IPsec code while REGISTERs go over established security
	 * associations (tls_protected is the TLS counterpart). */
	bool sa_protected;
	struct reg_ipsec *ipsec; /* IPsec sec-agree state (ue/reg_ipsec.c), NULL without */
};

/* Create the transport and timers; 0 or -1 with err. */
int reg_init(struct ims_ue *ue, char *err, size_t errlen);
void reg_fini(struct ims_ue *ue);
/* Feed an event to the machine (the only way its state changes). */
void reg_dispatch(struct ims_ue *ue, enum reg_event ev, const struct sip_view *v);
const char *reg_state_name(enum reg_state s);
const char *reg_event_name(enum reg_event e);
/* Formatted log through the UE's one log function. */
void reg_log(struct ims_ue *ue, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Emit an event to the UE's callback (name, reason may be NULL). */
void reg_emit(struct ims_ue *ue, const char *name, const char *reason);
/* The same for any IMPU of the UE (additional IMPUs): expires and
 * last_error are left out when NULL. */
void reg_emit_for(struct ims_ue *ue, const char *name, const char *impu, const char *state,
		  const unsigned long *expires, const char *reason, const char *last_error);
/* Finish a pending shutdown once nothing is registered or outstanding. */
void reg_check_shutdown(struct ims_ue *ue);

/* For ue/reg_extra.c: the Contact user part and first hop of the
 * registration, its transport name, and the Authorization (into
 * ue->authorization) of a follow-up request (5.1.1.4.2/5.1.1.4.3), of the
 * answer to the challenge stored in ue (secret: password or RES), or of an
 * invalid AKA challenge (auts_b64 NULL: MAC failure). 0 or -1. */
void reg_contact_user(const struct ims_ue *ue, char *out, size_t outlen);
void reg_next_hop(const struct ims_ue *ue, char *out, size_t outlen);
const char *reg_transport_name(const struct ims_ue *ue);
/* True when the next REGISTER goes over IPsec SAs or a TLS session. */
bool reg_request_protected(const struct ims_ue *ue);
/* Fields common to every REGISTER of the UE that depend on its
 * configuration and protection: ICSI feature tags, P-Access-Network-Info. */
void reg_register_extras(const struct ims_ue *ue, struct ue_msg_register *r);
int reg_auth_follow_up(struct ims_ue *ue);
int reg_auth_response(struct ims_ue *ue, const uint8_t *secret, size_t secret_len);
int reg_auth_invalid(struct ims_ue *ue, const char *auts_b64);

#endif
