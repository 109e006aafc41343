/* The reg event package body (RFC 3680 application/reginfo+xml) and what a
 * UE does about it (TS 24.229 5.1.1.5A and 5.1.1.7). No SIP, no I/O.
 *
 * Use:
 *   1. ue_reginfo_parse() each NOTIFY body into a struct ue_reginfo;
 *   2. ue_reginfo_sub_apply() it to the subscription's state, which
 *      orders versions, merges partial state and decides, per
 *      registration in the document, what the UE does;
 *   3. act on the result (doc/reg-event.md has the table), then
 *      ue_reginfo_free() the document.
 *
 * Error convention: 0 on success, -1 on failure with a one-line reason in
 * err (which may be NULL). Parse errors about the document start with
 * "line N: ".
 */
#ifndef IMSUE_UE_REGINFO_H
#define IMSUE_UE_REGINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits: a document over any of them is refused as a whole. */
#define UE_REGINFO_MAX_SIZE     (64 * 1024) /* bytes */
#define UE_REGINFO_MAX_DEPTH    16          /* element nesting, the root is level 1 */
#define UE_REGINFO_MAX_REGS     64          /* <registration> elements */
#define UE_REGINFO_MAX_CONTACTS 64          /* <contact> elements per registration */
#define UE_REGINFO_MAX_PARAMS   32          /* <unknown-param> elements per contact */

#define UE_REGINFO_NS  "urn:ietf:params:xml:ns:reginfo"
#define UE_GRUUINFO_NS "urn:ietf:params:xml:ns:gruuinfo"

enum ue_reginfo_doc_state { UE_REGINFO_FULL, UE_REGINFO_PARTIAL };

enum ue_reginfo_reg_state {
	UE_REGINFO_REG_INIT,
	UE_REGINFO_REG_ACTIVE,
	UE_REGINFO_REG_TERMINATED,
};

enum ue_reginfo_contact_state { UE_REGINFO_CONTACT_ACTIVE, UE_REGINFO_CONTACT_TERMINATED };

/* The <contact> event attribute (RFC 3680 5.3). */
enum ue_reginfo_event {
	UE_REGINFO_EV_REGISTERED,
	UE_REGINFO_EV_CREATED,
	UE_REGINFO_EV_REFRESHED,
	UE_REGINFO_EV_SHORTENED,
	UE_REGINFO_EV_EXPIRED,
	UE_REGINFO_EV_DEACTIVATED,
	UE_REGINFO_EV_PROBATION,
	UE_REGINFO_EV_UNREGISTERED,
	UE_REGINFO_EV_REJECTED,
};

/* An optional unsigned attribute. */
struct ue_reginfo_u32 {
	bool present;
	uint32_t value;
};

/* <unknown-param name="...">value</unknown-param>: a Contact header field
 * parameter, value as received (e.g. "\"<urn:gsma:imei:...>\""). */
struct ue_reginfo_param {
	char *name;
	char *value; /* "" when the element is empty */
};

/* Strings are NUL-terminated UTF-8 owned by the document; optional ones
 * are NULL when absent. */
struct ue_reginfo_contact {
	char *id;
	enum ue_reginfo_contact_state state;
	enum ue_reginfo_event event;
	/* expires, retry-after (probation) and duration-registered in seconds */
	struct ue_reginfo_u32 expires;
	struct ue_reginfo_u32 retry_after;
	struct ue_reginfo_u32 cseq;
	struct ue_reginfo_u32 duration_registered;
	/* q as received, and q x 1000 when it is a valid qvalue, else -1 (not
	 * an error: see doc/reg-event.md) */
	char *q;
	int q1000;
	char *callid;
	char *uri; /* <uri>, surrounding white space removed; never NULL */
	char *display_name;
	struct ue_reginfo_param *params; /* <unknown-param>, in order */
	size_t n_params;
	char *pub_gruu;  /* gruuinfo <pub-gruu uri=...> */
	char *temp_gruu; /* gruuinfo <temp-gruu uri=...> (the first one) */
	int line;
};

struct ue_reginfo_registration {
	char *aor;
	char *id;
	enum ue_reginfo_reg_state state;
	struct ue_reginfo_contact *contacts;
	size_t n_contacts;
	int line;
};

struct ue_reginfo {
	uint64_t version;
	enum ue_reginfo_doc_state state;
	struct ue_reginfo_registration *regs;
	size_t n_regs;
};

/* Parse a reginfo document of len bytes (not NUL-terminated; any encoding
 * libxml2 detects from the XML declaration). Refused: more than
 * UE_REGINFO_MAX_SIZE bytes, a DOCTYPE or entity declaration, nesting
 * beyond UE_REGINFO_MAX_DEPTH, XML that is not well-formed, a root other
 * than <reginfo> in UE_REGINFO_NS, a missing required attribute (reginfo
 * version/state, registration aor/id/state, contact id/state/event, a
 * contact's <uri>, unknown-param name, gruu uri), an enumerated attribute
 * outside its values, a number that is not an unsigned 32-bit decimal
 * (version: 64-bit), more than the MAX_ counts above. Unknown elements and
 * attributes are ignored. On success *out is a new document for
 * ue_reginfo_free(); on failure *out is NULL. */
int ue_reginfo_parse(const uint8_t *data, size_t len, struct ue_reginfo **out, char *err,
		     size_t errlen);

/* Free a parsed document. NULL is fine. */
void ue_reginfo_free(struct ue_reginfo *doc);

/* Names as they appear in the XML ("full", "active", "shortened", ...). */
const char *ue_reginfo_doc_state_name(enum ue_reginfo_doc_state s);
const char *ue_reginfo_reg_state_name(enum ue_reginfo_reg_state s);
const char *ue_reginfo_contact_state_name(enum ue_reginfo_contact_state s);
const char *ue_reginfo_event_name(enum ue_reginfo_event ev);

/* The value of the contact's unknown-param named name (compared without
 * regard to case), or NULL. */
const char *ue_reginfo_contact_param(const struct ue_reginfo_contact *c, const char *name);

/* Whether two contact URIs name the same contact: for sip: and sips:,
 * scheme and host compared without regard to case (IPv6 references by
 * address), user and password exactly after %-decoding, port with the
 * scheme's default (5060, sips: 5061), the transport parameter only when
 * both carry one; other parameters and headers are ignored. Other schemes:
 * exact string equality. Surrounding white space and <> are ignored. */
bool ue_reginfo_uri_match(const char *a, const char *b);

/* Whether two +sip.instance values are the same instance: surrounding
 * white space, double quotes and <> removed, then compared without regard
 * to case. */
bool ue_reginfo_instance_match(const char *a, const char *b);

/* Whether a contact belongs to this UE: when instance is given and the
 * contact carries a +sip.instance unknown-param, they decide; otherwise
 * ue_reginfo_uri_match(contact->uri, contact_uri). Either of contact_uri
 * and instance may be NULL. */
bool ue_reginfo_contact_is_ours(const struct ue_reginfo_contact *c, const char *contact_uri,
				const char *instance);

/* ---- subscription state and decisions ---- */

/* What the UE does for one registration (IMPU) of a document. */
enum ue_reginfo_action_kind {
	UE_REGINFO_ACT_NONE,
	UE_REGINFO_ACT_REREGISTER,           /* our contact shortened (5.1.1.5A) */
	UE_REGINFO_ACT_INITIAL_REGISTRATION, /* our binding deactivated (5.1.1.7) */
	UE_REGINFO_ACT_DEREGISTERED,         /* the IMPU is no longer registered (5.1.1.7) */
};

/* "none", "reregister", "initial-registration", "deregistered". */
const char *ue_reginfo_action_name(enum ue_reginfo_action_kind a);

struct ue_reginfo_action {
	const char *aor; /* points into the applied document */
	enum ue_reginfo_reg_state state;
	enum ue_reginfo_action_kind action;
	/* Static string: the event that decided ("shortened", "deactivated",
	 * "rejected", "unregistered", "expired", "probation"), or "terminated"
	 * when the registration or our contact ended without one of those
	 * events; NULL with UE_REGINFO_ACT_NONE. */
	const char *reason;
	uint32_t expires; /* REREGISTER: the new expiry in seconds (0: none given) */
	bool rejected;    /* do not re-register automatically; release the IMPU's dialogs */
	struct ue_reginfo_u32 retry_after; /* probation: earliest re-registration */
};

struct ue_reginfo_result {
	/* The version was not newer than the last one: nothing was applied and
	 * nothing else in the result is set. */
	bool stale;
	/* State may be incomplete (a partial document first, or after a version
	 * gap): refresh the subscription to get full state. The document was
	 * applied nevertheless and the actions hold. */
	bool need_refresh;
	/* Every registration of this UE is terminated or has no active contact
	 * of ours (5.1.1.7, second bullet): delete the security associations or
	 * TLS session once the NOTIFY's server transaction has ended. */
	bool all_terminated;
	size_t n_actions; /* one per registration of the document, in order */
	struct ue_reginfo_action actions[UE_REGINFO_MAX_REGS];
};

/* The state of one reg event subscription: the last version and the merged
 * registration state. */
struct ue_reginfo_sub;

/* Create the state for a new subscription dialog. contact_uri is the
 * Contact URI this UE registered, instance its +sip.instance (either may be
 * NULL, not both); both are copied. Returns 0, or -1 (out of memory, or
 * neither given) with a reason in err. */
int ue_reginfo_sub_new(struct ue_reginfo_sub **out, const char *contact_uri, const char *instance,
		       char *err, size_t errlen);

/* Forget versions and state (a new dialog: versions restart). */
void ue_reginfo_sub_reset(struct ue_reginfo_sub *sub);

void ue_reginfo_sub_free(struct ue_reginfo_sub *sub);

/* The version of the last applied document; false when none was applied. */
bool ue_reginfo_sub_version(const struct ue_reginfo_sub *sub, uint64_t *version);

/* Apply a parsed document (RFC 3680 version rules: a version not above the
 * last is stale; full state replaces; partial state updates registrations
 * and contacts by id) and fill res with the decisions. The document must
 * outlive res (res->actions[].aor points into it). Returns 0, or -1 (out of
 * memory, or the merged state would exceed the limits) with the state
 * unchanged, need_refresh set and a reason in err. */
int ue_reginfo_sub_apply(struct ue_reginfo_sub *sub, const struct ue_reginfo *doc,
			 struct ue_reginfo_result *res, char *err, size_t errlen);

#endif
