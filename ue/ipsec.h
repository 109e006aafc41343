/* The UE's IPsec security association sets over their life cycle
 * (TS 24.229 5.1.1.4.2, 5.1.1.5.1, 5.1.1.5.3, 5.1.1.6.2, 5.1.1.7; TS 33.203
 * 7.1-7.4): the offer for Security-Client, the temporary set after a valid
 * challenge, the established set after 200, the old set kept until the new
 * one is used, and deletion. The kernel side is sec/xfrm.h; this file only
 * decides which set exists when. ue/reg_ipsec.c calls it (doc/ipsec.md).
 */
#ifndef IMSUE_UE_IPSEC_H
#define IMSUE_UE_IPSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sec/secagree.h"
#include "sec/xfrm.h"

struct ue_ipsec;

/* The UE's own address (the local end of every SA) and its protected server
 * port (port-s, kept for the whole registration). Opens an XFRM socket.
 * NULL with a reason. */
struct ue_ipsec *ue_ipsec_new(const char *ue_addr, uint16_t port_s, char *err, size_t errlen);
/* The same over an already opened XFRM handle, which it takes over
 * (tests pass a recording one). */
struct ue_ipsec *ue_ipsec_new_with(struct sec_xfrm *x, const char *ue_addr, uint16_t port_s,
				   char *err, size_t errlen);
/* Delete every set still installed, wipe keys, close. */
void ue_ipsec_free(struct ue_ipsec *ip);

/* What goes into Security-Client: fresh SPIs not used by any SA in the
 * kernel, and a fresh port-c in [lo, hi] different from port-s and from the
 * port-c of every live set. A new offer replaces an unanswered one (also
 * after an invalid challenge, 5.1.1.5.3). */
struct ue_ipsec_offer {
	uint32_t spi_c, spi_s;
	uint16_t port_c, port_s;
};
int ue_ipsec_offer(struct ue_ipsec *ip, uint16_t lo, uint16_t hi, struct ue_ipsec_offer *o,
		   char *err, size_t errlen);

/* A valid challenge (401 with a correct AUTN) arrived with the chosen
 * Security-Server entry: install the temporary set between the last offer
 * and that entry, keys from CK and IK, hard lifetime reg-await-auth
 * (rounded up to whole seconds). An earlier temporary set is deleted first.
 * -1 with a reason (no offer, the entry lacks SPIs/ports or names an
 * algorithm the kernel mapping does not have, or the kernel refused). */
int ue_ipsec_temporary(struct ue_ipsec *ip, const char *pcscf_addr,
		       const struct sec_agree_entry *server, const uint8_t ck[16],
		       const uint8_t ik[16], uint32_t reg_await_auth_ms, char *err, size_t errlen);

/* 200 OK to the protected REGISTER: the temporary set becomes the
 * established one with lifetime max(what is left of the previous
 * established set, expires + 30 s). The previous established set becomes
 * the old set (deleted by ue_ipsec_new_set_used or when it expires). */
int ue_ipsec_established(struct ue_ipsec *ip, uint32_t expires_s, char *err, size_t errlen);

/* The first message arrived over the new established set: delete the old
 * set (its transactions are over by then). */
int ue_ipsec_new_set_used(struct ue_ipsec *ip, char *err, size_t errlen);

/* The challenged REGISTER failed (no 200), or the challenge was invalid:
 * delete the temporary set, if any. */
int ue_ipsec_drop_temporary(struct ue_ipsec *ip, char *err, size_t errlen);

/* Deregistration, network-initiated deregistration, shutdown: delete every
 * set. */
int ue_ipsec_delete_all(struct ue_ipsec *ip, char *err, size_t errlen);

/* The set requests go out on: the temporary one while it exists, else the
 * established one; NULL without either. */
const struct sec_xfrm_set *ue_ipsec_current(const struct ue_ipsec *ip);
const struct sec_xfrm_set *ue_ipsec_established_set(const struct ue_ipsec *ip);
const struct sec_xfrm_set *ue_ipsec_old_set(const struct ue_ipsec *ip);

#endif
