/* Milenage (3GPP TS 35.206 clause 4) on OpenSSL's AES-128 (EVP, ECB, one
 * context per call). Intermediate values that depend on K are wiped before
 * returning. */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "sec/milenage.h"

/* An AES-128 context keyed with K, for encrypting single blocks. */
static EVP_CIPHER_CTX *aes_new(const uint8_t k[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (!ctx)
		return NULL;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, k, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int aes_block(EVP_CIPHER_CTX *ctx, const uint8_t in[16], uint8_t out[16])
{
	int n = 0;

	if (EVP_EncryptUpdate(ctx, out, &n, in, 16) != 1 || n != 16)
		return -1;
	return 0;
}

/* out = rot(in, r bytes) xor c, with rot the cyclic left shift of TS 35.206
 * 4.1 and c the constant whose last byte is c_last. */
static void rot_xor_c(const uint8_t in[16], unsigned int r, uint8_t c_last, uint8_t out[16])
{
	for (unsigned int i = 0; i < 16; i++)
		out[i] = in[(i + r) % 16];
	out[15] ^= c_last;
}

int sec_milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16])
{
	EVP_CIPHER_CTX *ctx = aes_new(k);
	uint8_t e[16];
	int rc = -1;

	if (!ctx)
		return -1;
	if (aes_block(ctx, op, e) == 0) {
		/* OPc = OP xor E_K(OP) */
		for (int i = 0; i < 16; i++)
			opc[i] = op[i] ^ e[i];
		rc = 0;
	}
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(e, sizeof(e));
	return rc;
}

int sec_milenage_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		    const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8])
{
	EVP_CIPHER_CTX *ctx = aes_new(k);
	uint8_t temp[16], in1[16], blk[16], out1[16];
	int rc = -1;

	if (!ctx)
		return -1;
	/* TEMP = E_K(RAND xor OPc) */
	for (int i = 0; i < 16; i++)
		blk[i] = rand[i] ^ opc[i];
	if (aes_block(ctx, blk, temp) < 0)
		goto out;
	/* IN1 = SQN || AMF || SQN || AMF */
	memcpy(in1, sqn, 6);
	memcpy(in1 + 6, amf, 2);
	memcpy(in1 + 8, in1, 8);
	/* OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1 = 64) xor c1 = 0) xor OPc */
	for (int i = 0; i < 16; i++)
		in1[i] ^= opc[i];
	rot_xor_c(in1, 8, 0x00, blk);
	for (int i = 0; i < 16; i++)
		blk[i] ^= temp[i];
	if (aes_block(ctx, blk, out1) < 0)
		goto out;
	for (int i = 0; i < 16; i++)
		out1[i] ^= opc[i];
	/* f1 = OUT1[0..63], f1* = OUT1[64..127] */
	if (mac_a)
		memcpy(mac_a, out1, 8);
	if (mac_s)
		memcpy(mac_s, out1 + 8, 8);
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(temp, sizeof(temp));
	OPENSSL_cleanse(in1, sizeof(in1));
	OPENSSL_cleanse(blk, sizeof(blk));
	OPENSSL_cleanse(out1, sizeof(out1));
	return rc;
}

int sec_milenage_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		       uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t ak[6],
		       uint8_t akstar[6])
{
	EVP_CIPHER_CTX *ctx = aes_new(k);
	uint8_t temp[16], blk[16], out[16];
	int rc = -1;

	if (!ctx)
		return -1;
	/* TEMP = E_K(RAND xor OPc); below, TEMP holds TEMP xor OPc */
	for (int i = 0; i < 16; i++)
		blk[i] = rand[i] ^ opc[i];
	if (aes_block(ctx, blk, temp) < 0)
		goto out;
	for (int i = 0; i < 16; i++)
		temp[i] ^= opc[i];

	/* OUT2 = E_K(rot(TEMP xor OPc, r2 = 0) xor c2) xor OPc:
	 * f5 = OUT2[0..47], f2 = OUT2[64..127] */
	if (res || ak) {
		rot_xor_c(temp, 0, 0x01, blk);
		if (aes_block(ctx, blk, out) < 0)
			goto out;
		for (int i = 0; i < 16; i++)
			out[i] ^= opc[i];
		if (ak)
			memcpy(ak, out, 6);
		if (res)
			memcpy(res, out + 8, 8);
	}
	/* OUT3 = E_K(rot(TEMP xor OPc, r3 = 32) xor c3) xor OPc = f3 (CK) */
	if (ck) {
		rot_xor_c(temp, 4, 0x02, blk);
		if (aes_block(ctx, blk, out) < 0)
			goto out;
		for (int i = 0; i < 16; i++)
			ck[i] = out[i] ^ opc[i];
	}
	/* OUT4 = E_K(rot(TEMP xor OPc, r4 = 64) xor c4) xor OPc = f4 (IK) */
	if (ik) {
		rot_xor_c(temp, 8, 0x04, blk);
		if (aes_block(ctx, blk, out) < 0)
			goto out;
		for (int i = 0; i < 16; i++)
			ik[i] = out[i] ^ opc[i];
	}
	/* OUT5 = E_K(rot(TEMP xor OPc, r5 = 96) xor c5) xor OPc: f5* = OUT5[0..47] */
	if (akstar) {
		rot_xor_c(temp, 12, 0x08, blk);
		if (aes_block(ctx, blk, out) < 0)
			goto out;
		for (int i = 0; i < 6; i++)
			akstar[i] = out[i] ^ opc[i];
	}
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(temp, sizeof(temp));
	OPENSSL_cleanse(blk, sizeof(blk));
	OPENSSL_cleanse(out, sizeof(out));
	return rc;
}
