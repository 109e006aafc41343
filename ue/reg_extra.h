/* Private to ue/: registration of additional public user identities
 * (TS 24.229 5.1.1.4.1) beside the one struct ims_ue registers first.
 *
 * Every IMPU of the configuration after the first is an "additional" one.
 * Once the first is registered, those not in its P-Associated-URI set
 * (implicitly registered) are registered one at a time with their own
 * REGISTER (same Call-ID, the CSeq counter of the UE, the Authorization of
 * a reregistration), and each is refreshed on its own timer. They are
 * deregistered with the first one, or alone (ims_ue_deregister). */
#ifndef IMSUE_UE_REG_EXTRA_H
#define IMSUE_UE_REG_EXTRA_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct ims_ue;

enum reg_extra_state {
	EXTRA_IDLE = 0,      /* not registered; waits for the first IMPU */
	EXTRA_IMPLICIT,      /* in the P-Associated-URI set of the first IMPU */
	EXTRA_WAITING,       /* queued: a REGISTER goes out when none is pending */
	EXTRA_REGISTERING,   /* REGISTER outstanding */
	EXTRA_REGISTERED,    /* bound; refresh timer runs */
	EXTRA_DEREG_WAITING, /* queued de-REGISTER */
	EXTRA_DEREGISTERING, /* de-REGISTER outstanding */
	EXTRA_DEREGISTERED,  /* deregistered by the user; stays so until register */
	EXTRA_FAILED,        /* last attempt failed (last_error); retried with the first IMPU */
};

/* Allocate the additional IMPUs of ue->cfg (0, or -1 with err). */
int reg_extra_init(struct ims_ue *ue, char *err, size_t errlen);
void reg_extra_fini(struct ims_ue *ue);

/* The first IMPU got a 2xx to a REGISTER: classify and queue the others. */
void reg_extra_on_registered(struct ims_ue *ue);
/* A new registration starts (register): additional IMPUs the user
 * deregistered are registered again with the first one. */
void reg_extra_on_start(struct ims_ue *ue);
/* The first IMPU is no longer registered (deregistering says whether the
 * user deregisters it: registered additional IMPUs are deregistered too,
 * with Contact: * when all is set). */
void reg_extra_on_lost(struct ims_ue *ue, bool deregistering, bool all);

/* Index of an additional IMPU equal to impu, or -1. */
int reg_extra_find(const struct ims_ue *ue, const char *impu);
/* User-initiated deregistration of additional IMPU i (5.1.1.6.1). */
int reg_extra_deregister(struct ims_ue *ue, int i, char *err, size_t errlen);
/* Fetch the bindings of the first IMPU (5.1.1.4.1: a reregistration
 * without Contact); the 2xx is reported as event "bindings". 0, or -1 with
 * err when not registered or a fetch is under way. */
int reg_fetch_bindings(struct ims_ue *ue, char *err, size_t errlen);
/* True while an additional IMPU has a request outstanding or queued. */
bool reg_extra_busy(const struct ims_ue *ue);
/* One status object per additional IMPU appended to arr. */
void reg_extra_status(struct ims_ue *ue, json_t *arr);
const char *reg_extra_state_name(enum reg_extra_state s);

#endif
