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
	char security_client[512];

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

#endif
