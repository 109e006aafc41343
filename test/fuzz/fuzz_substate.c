/* Fuzz target: Subscription-State values of reg event NOTIFYs. A parse
 * either fails with a one-line reason or gives a consistent result.
 *
 * FUZZ-SOURCES: ue/substate.c
 * FUZZ-PKGS:
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ue/substate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ue_substate st;
	char err[160];

	err[0] = '\0';
	if (ue_substate_parse((const char *)data, size, &st, err, sizeof(err)) != 0) {
		if (!err[0] || strchr(err, '\n'))
			abort();
		return 0;
	}
	if (!st.token[0] || strlen(st.token) >= sizeof(st.token) ||
	    strlen(st.reason) >= sizeof(st.reason) || st.expires < -1 || st.retry_after < -1 ||
	    st.expires > 0x7fffffffL || st.retry_after > 0x7fffffffL)
		abort();
	if ((st.value == UE_SUBSTATE_ACTIVE) != !strcmp(st.token, "active") ||
	    (st.value == UE_SUBSTATE_TERMINATED) != !strcmp(st.token, "terminated"))
		abort();
	return 0;
}
