/* imsued: GSMA RCC.14 autoconfiguration (provisioning/acclient.h) on the
 * daemon's loop, before a UE registers. */
#ifndef IMSUE_TOOLS_IMSUED_AUTOCONF_H
#define IMSUE_TOOLS_IMSUED_AUTOCONF_H

#include <stddef.h>

struct ue_loop;
struct ue_config;

/* When cfg has [autoconf] enabled: run the client on loop (the stored
 * configuration when still valid, else a query; at most timeout_ms) and
 * put the identities (IMPI, IMPUs, home domain), the P-CSCFs and a digest
 * APPAUTH of the configuration into cfg. Returns 0 when cfg was filled or
 * autoconfiguration is off; 1 when it gave no configuration but cfg can
 * register as it is (a line in err says why); -1 when it gave none and
 * cfg has no P-CSCF (err says why). */
int imsued_autoconf_run(struct ue_loop *loop, struct ue_config *cfg, unsigned long timeout_ms,
			char *err, size_t errlen);

#endif
