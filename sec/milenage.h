/* Milenage (3GPP TS 35.206) on OpenSSL AES-128.
 *
 * All buffers are raw bytes with the sizes of TS 35.206: K, OP, OPc, RAND
 * 16 bytes; SQN and AK 6; AMF 2; MAC 8; RES 8; CK and IK 16.
 * Functions return 0 on success and -1 if the cipher could not run.
 */
#ifndef IMSUE_SEC_MILENAGE_H
#define IMSUE_SEC_MILENAGE_H

#include <stdint.h>

/* OPc = OP xor E_K(OP) */
int sec_milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16]);

/* f1 and f1*: network and resynchronisation authentication codes. Either
 * output may be NULL. */
int sec_milenage_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		    const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8]);

/* f2, f3, f4, f5 and f5*. Any output may be NULL. */
int sec_milenage_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		       uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t ak[6],
		       uint8_t akstar[6]);

#endif
