/* Private to ue/: the reg event subscription of TS 24.229 5.1.1.3 (the
 * SUBSCRIBE dialog to the default IMPU, its refresh, retry and
 * unsubscription) and the actions on its NOTIFYs (5.1.1.5A, 5.1.1.7),
 * decided by ue/reginfo.h and carried out through the registration
 * machine of ue/reg.c. doc/reg-event.md describes the machine.
 *
 * ue/reg.c calls: ue_regevent_new/free with the UE; ue_regevent_on_state
 * after every registration transition (it starts the subscription on
 * registration and drops the dialog when the registration is gone);
 * ue_regevent_unsubscribe before a user-initiated deregistration; and
 * ue_regevent_request for incoming requests (NOTIFYs of the dialog).
 * ue/ue.c puts ue_regevent_status into the status object.
 */
#ifndef IMSUE_UE_REGEVENT_H
#define IMSUE_UE_REGEVENT_H

#include <stddef.h>

#include <jansson.h>

#include "ue/reg.h"

struct ue_regevent;

/* Create the subscription state (idle) and its timers for ue; 0, or -1
 * with a reason in err. */
int ue_regevent_new(struct ims_ue *ue, char *err, size_t errlen);

/* Cancel everything (no message is sent) and free. NULL-safe on ue->regevent. */
void ue_regevent_free(struct ims_ue *ue);

/* The registration machine went from -> to (called by reg_dispatch). */
void ue_regevent_on_state(struct ims_ue *ue, enum reg_state from, enum reg_state to);

/* User-initiated deregistration is about to start: unsubscribe (Expires 0
 * in the dialog) so that it precedes the de-REGISTER (TS 34.229-1 C.30). */
void ue_regevent_unsubscribe(struct ims_ue *ue);

/* An incoming request: when it is a NOTIFY of our reg event dialog, handle
 * it and return the status to answer with (always 200); 0 when it is not
 * ours (the caller answers it). */
int ue_regevent_request(struct ims_ue *ue, const struct sip_view *v);

/* Why the network deregistered us (the reason of the last NOTIFY action,
 * e.g. "rejected", "terminated"): for the deregistered event. */
const char *ue_regevent_reason(const struct ims_ue *ue);

/* The "reg_event" object of the status (doc/control-protocol.md). New
 * reference, or NULL when out of memory. */
json_t *ue_regevent_status(const struct ims_ue *ue);

#endif
