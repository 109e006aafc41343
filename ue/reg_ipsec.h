/* IPsec sec-agree in the registration (TS 24.229 5.1.1.2.1, 5.1.1.4.2,
 * 5.1.1.5.1, 5.1.1.5.3, 5.1.1.6.2, 5.1.1.7; TS 33.203 7.1-7.4): the hooks
 * ue/reg.c calls to drive the SA sets of ue/ipsec.h and the protected
 * transports of ue/sip_glue.h. All of them do nothing unless
 * security = ipsec-3gpp (doc/ipsec.md).
 */
#ifndef IMSUE_UE_REG_IPSEC_H
#define IMSUE_UE_REG_IPSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sec/secagree.h"
#include "ue/reg.h"
#include "ue/sip_glue.h"

/* After the transport exists: remove tagged SAs and policies a crashed
 * imsue left in this namespace, open the XFRM socket. 0 or -1 with err. */
int reg_ipsec_init(struct ims_ue *ue, char *err, size_t errlen);
/* Delete every set (shutdown). */
void reg_ipsec_fini(struct ims_ue *ue);

/* Fill the SPIs and ports of an ipsec-3gpp Security-Client offer: fresh
 * SPIs not in the kernel, fresh port-c, port-s. -1 with ue->last_error. */
int reg_ipsec_offer(struct ims_ue *ue, struct sec_agree_offer *o);

/* A valid AKA challenge (5.1.1.5.1): choose the Security-Server entry,
 * install the temporary set with CK/IK, bind port-c and port-s, route the
 * next requests over it and keep the Security-Server for Security-Verify.
 * -1 with ue->last_error (the kernel's words when it refused): then nothing
 * protected is sent. */
int reg_ipsec_challenge(struct ims_ue *ue, const struct sip_view *v, const uint8_t ck[16],
			const uint8_t ik[16]);

/* 200 to the protected REGISTER: the temporary set becomes established
 * (lifetime expires + 30 s); the 200 came over it, so the old set goes. */
void reg_ipsec_ok(struct ims_ue *ue, unsigned long expires_s);

/* The registration is gone or starts again unprotected (deregistration,
 * 5.1.1.7, failure, new initial registration): delete every set, close the
 * protected ports, route requests unprotected again. */
void reg_ipsec_forget(struct ims_ue *ue);

/* The next hop while requests are protected ("sip:PCSCF:port-s"); false
 * when not protected. */
bool reg_ipsec_next_hop(const struct ims_ue *ue, char *out, size_t outlen);
/* The Contact port: port-s while protected, else the unprotected port. */
uint16_t reg_ipsec_contact_port(const struct ims_ue *ue);

#endif
