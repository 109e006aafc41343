/* The Subscription-State header field value of a NOTIFY (RFC 6665 8.2.3,
 * RFC 3265 7.2.4), as ue/regevent.c needs it. Pure function, no I/O.
 *
 *   Subscription-State = substate-value *( SEMI subexp-params )
 *   subexp-params      = ("reason" EQUAL event-reason-value)
 *                      / ("expires" EQUAL delta-seconds)
 *                      / ("retry-after" EQUAL delta-seconds)
 *                      / generic-param
 */
#ifndef IMSUE_UE_SUBSTATE_H
#define IMSUE_UE_SUBSTATE_H

#include <stddef.h>

#define UE_SUBSTATE_TOKEN_LEN 32

enum ue_substate_value {
	UE_SUBSTATE_ACTIVE,
	UE_SUBSTATE_PENDING,
	UE_SUBSTATE_TERMINATED,
	UE_SUBSTATE_OTHER, /* an extension token (RFC 6665: treat as unknown) */
};

struct ue_substate {
	enum ue_substate_value value;
	char token[UE_SUBSTATE_TOKEN_LEN];  /* the value as received, lower-cased */
	char reason[UE_SUBSTATE_TOKEN_LEN]; /* lower-cased; "" when absent */
	long expires;                       /* -1 when absent */
	long retry_after;                   /* -1 when absent */
};

/* Parse len bytes of a Subscription-State value (no NUL needed; leading and
 * trailing white space allowed). Names and the value are compared without
 * regard to case; unknown parameters (with a token or quoted-string value,
 * or none) are skipped. Refused with -1 and a one-line reason in err: an
 * empty value, a value, parameter name or reason that is not an RFC 3261
 * token or longer than UE_SUBSTATE_TOKEN_LEN - 1, a parameter without a
 * name, expires/retry-after/reason without a value, expires or retry-after
 * that is not a decimal number up to 2^31 - 1, a parameter given twice, an
 * unterminated quoted string, anything else after the value. */
int ue_substate_parse(const char *v, size_t len, struct ue_substate *out, char *err, size_t errlen);

#endif
