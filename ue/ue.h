/* One IMS UE: identity, registration (TS 24.229 5.1.1), reg event.
 * No global state: a process may run many. */
#ifndef IMSUE_UE_UE_H
#define IMSUE_UE_UE_H

#include <stddef.h>
#include <jansson.h>

#include "ue/ue_config.h"
#include "ue/loop.h"

struct ims_ue;

/* Events (DESIGN.md "External interface"): name is "registered",
 * "reregistered", "deregistered", "auth-failed", "error", ...; data is a
 * JSON object with at least impu, state and, where it applies, reason.
 * The callee must not keep data past the call (json_incref to keep it). */
typedef void (*ims_ue_event_cb)(void *arg, struct ims_ue *ue, const char *name, json_t *data);

/* Create a UE from a validated configuration (copied). Does not send
 * anything until ims_ue_start(). */
int ims_ue_new(struct ims_ue **out, struct ue_loop *loop, const struct ue_config *cfg,
	       ims_ue_event_cb cb, void *arg, char *err, size_t errlen);
/* Begin initial registration (5.1.1.2). */
int ims_ue_start(struct ims_ue *ue);
/* User-initiated deregistration (5.1.1.6) of one IMPU or of "all". */
int ims_ue_deregister(struct ims_ue *ue, const char *impu, char *err, size_t errlen);
/* Fetch the bindings of the registered IMPU (5.1.1.4.1, RFC 3261 10.2.3):
 * a REGISTER without Contact; the answer comes as event "bindings" (data:
 * impu, state, total, bindings: [{uri, expires, instance}]). 0, or -1 with
 * err when not registered or a fetch is under way. */
int ims_ue_fetch_bindings(struct ims_ue *ue, char *err, size_t errlen);
/* Status object per the contract in doc/control-protocol.md. New reference. */
json_t *ims_ue_status(struct ims_ue *ue);
/* Deregister everything and call done(arg) when finished or after
 * timeout_ms, whichever comes first. */
void ims_ue_shutdown(struct ims_ue *ue, unsigned long timeout_ms, void (*done)(void *), void *arg);
void ims_ue_free(struct ims_ue *ue);
const char *ims_ue_name(const struct ims_ue *ue);
/* Where the UE logs (state transitions at level 3, SIP at 2-3, events at 1,
 * errors at 0) and up to which level. Without it lines up to the level in
 * the environment variable IMSUE_LOG_LEVEL (default 0) go to stderr. */
void ims_ue_set_log(struct ims_ue *ue, int level,
		    void (*fn)(void *arg, int level, const char *line), void *arg);

#endif
