/* ns/op of the digest computations and parsers: an MD5 response with
 * qop=auth (the RFC 2617 3.5 request), a SHA-256 response (RFC 7616 3.9.1),
 * an AKAv1-MD5 response with RES as the secret, the parse of an IMS-AKA
 * challenge (with its clear), and building the Authorization value. Each is
 * timed over enough iterations for about half a second. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sec/digest.h"

#define TARGET_NS 500000000.0

static const uint8_t RES[8] = {0xa5, 0x42, 0x11, 0xd5, 0xe3, 0xba, 0x50, 0xbf};

static const char CHALLENGE[] =
	"Digest realm=\"ims.mnc001.mcc001.3gppnetwork.org\", "
	"nonce=\"I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=\", algorithm=AKAv1-MD5, "
	"qop=\"auth,auth-int\"";

enum which { MD5_AUTH, SHA256_AUTH, AKAV1, CHALLENGE_PARSE, AUTHORIZATION };

struct ctx {
	struct sec_digest_input md5, sha256, aka;
	volatile char sink;
};

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Run iters operations; the elapsed time in ns, or -1 on a failure. */
static double run(enum which w, struct ctx *c, uint64_t iters)
{
	char hex[65], out[512];
	struct sec_challenge ch;
	double t0 = now_ns();

	for (uint64_t i = 0; i < iters; i++) {
		switch (w) {
		case MD5_AUTH:
			if (sec_digest_response(&c->md5, hex, sizeof(hex), NULL, 0) < 0)
				return -1;
			c->sink ^= hex[0];
			break;
		case SHA256_AUTH:
			if (sec_digest_response(&c->sha256, hex, sizeof(hex), NULL, 0) < 0)
				return -1;
			c->sink ^= hex[0];
			break;
		case AKAV1:
			if (sec_digest_response(&c->aka, hex, sizeof(hex), NULL, 0) < 0)
				return -1;
			c->sink ^= hex[0];
			break;
		case CHALLENGE_PARSE:
			if (sec_challenge_parse(CHALLENGE, sizeof(CHALLENGE) - 1, &ch, NULL, 0) < 0)
				return -1;
			c->sink ^= ch.nonce[0];
			sec_challenge_clear(&ch);
			break;
		case AUTHORIZATION:
			if (sec_authorization_format(&c->aka, "cbefdcc54c81aa658d67da2fba29638c",
						     NULL, NULL, out, sizeof(out), NULL, 0) < 0)
				return -1;
			c->sink ^= out[100];
			break;
		}
	}
	return now_ns() - t0;
}

static int bench(const char *name, enum which w, struct ctx *c)
{
	uint64_t iters = 1000;
	double t;

	/* grow until a run takes at least 50 ms, then scale to the target */
	for (;;) {
		t = run(w, c, iters);
		if (t < 0)
			goto fail;
		if (t >= 5e7)
			break;
		iters *= 4;
	}
	iters = (uint64_t)((double)iters * TARGET_NS / t);
	if (iters == 0)
		iters = 1;
	t = run(w, c, iters);
	if (t < 0)
		goto fail;
	printf("%s: %.0f ns/op (%llu)\n", name, t / (double)iters, (unsigned long long)iters);
	return 0;
fail:
	fprintf(stderr, "%s: failed\n", name);
	return 1;
}

int main(void)
{
	struct ctx c = {
		.md5 =
			{
				.alg = SEC_DIGEST_MD5,
				.username = "Mufasa",
				.realm = "testrealm@host.com",
				.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093",
				.cnonce = "0a4f113b",
				.qop = "auth",
				.nc = 1,
				.method = "GET",
				.uri = "/dir/index.html",
				.secret = (const uint8_t *)"Circle Of Life",
				.secret_len = 14,
			},
		.sha256 =
			{
				.alg = SEC_DIGEST_SHA256,
				.username = "Mufasa",
				.realm = "http-auth@example.org",
				.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
				.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
				.qop = "auth",
				.nc = 1,
				.method = "GET",
				.uri = "/dir/index.html",
				.secret = (const uint8_t *)"Circle of Life",
				.secret_len = 14,
			},
		.aka =
			{
				.alg = SEC_DIGEST_AKAV1_MD5,
				.username = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org",
				.realm = "ims.mnc001.mcc001.3gppnetwork.org",
				.nonce = "I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=",
				.cnonce = "0a4f113b",
				.qop = "auth",
				.nc = 1,
				.method = "REGISTER",
				.uri = "sip:ims.mnc001.mcc001.3gppnetwork.org",
				.secret = RES,
				.secret_len = sizeof(RES),
			},
	};

	int rc = bench("digest_md5_auth", MD5_AUTH, &c);
	rc |= bench("digest_sha256_auth", SHA256_AUTH, &c);
	rc |= bench("digest_akav1_md5", AKAV1, &c);
	rc |= bench("challenge_parse", CHALLENGE_PARSE, &c);
	rc |= bench("authorization_format", AUTHORIZATION, &c);
	return rc;
}
