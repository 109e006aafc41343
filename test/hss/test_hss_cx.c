/* Unit tests of the test HSS's subscriber file and Cx answers (TS 29.228/29.229).
 *
 * AKA vectors are checked against TS 35.208 test set 1; the UE side needed for AUTS (f1*, f5*)
 * and for checking AUTN comes from a small Milenage (TS 35.206) written here on OpenSSL AES,
 * itself checked against the same test set. */
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test/hss/hss.h"

#define V3     DIAM_VENDOR_3GPP
#define M      DIAM_AVP_MANDATORY
#define DOMAIN "ims.mnc001.mcc001.3gppnetwork.org"

static char err[256];

/* TS 35.208 test set 1 */
static const char *K1 = "465b5ce8b199b49faa5f0a2ee238a6bc";
static const char *OPC1 = "cd63cb71954a9f4e48a5994e37a02baf";
static const char *RAND1 = "23553cbe9637a89d218ae64dae47bf35";

static void hex(const char *s, uint8_t *out, size_t n)
{
	assert_int_equal(hss_hex_decode(s, out, n), 0);
}

/* --- a minimal Milenage (TS 35.206 4.1) for the UE side of the checks */
static void aes(const uint8_t k[16], const uint8_t in[16], uint8_t out[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0;

	assert_non_null(c);
	assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, k, NULL), 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	assert_int_equal(EVP_EncryptUpdate(c, out, &n, in, 16), 1);
	assert_int_equal(n, 16);
	EVP_CIPHER_CTX_free(c);
}

/* OUT = E_K(rot(TEMP ^ OPc, r) ^ c) ^ OPc, with c = 0...0 cbyte and r in bytes */
static void out_n(const uint8_t k[16], const uint8_t opc[16], const uint8_t in[16], int rbytes,
		  uint8_t cbyte, uint8_t out[16])
{
	uint8_t t[16], r[16];
	int i;

	for (i = 0; i < 16; i++)
		t[i] = in[i] ^ opc[i];
	for (i = 0; i < 16; i++)
		r[(i + 16 - rbytes) % 16] = t[i];
	r[15] ^= cbyte;
	aes(k, r, out);
	for (i = 0; i < 16; i++)
		out[i] ^= opc[i];
}

static void temp_of(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		    uint8_t temp[16])
{
	uint8_t x[16];
	int i;

	for (i = 0; i < 16; i++)
		x[i] = rand[i] ^ opc[i];
	aes(k, x, temp);
}

/* f1 (star = 0) or f1* (star = 1) */
static void f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
	       const uint8_t sqn[6], const uint8_t amf[2], int star, uint8_t mac[8])
{
	uint8_t temp[16], in1[16], x[16], out[16];
	int i;

	temp_of(k, opc, rand, temp);
	memcpy(in1, sqn, 6);
	memcpy(in1 + 6, amf, 2);
	memcpy(in1 + 8, in1, 8);
	/* OUT1 = E_K(TEMP ^ rot(IN1 ^ OPc, r1 = 64) ^ c1) ^ OPc, c1 = 0 */
	for (i = 0; i < 16; i++)
		x[i] = in1[(i + 8) % 16] ^ opc[(i + 8) % 16] ^ temp[i];
	aes(k, x, out);
	for (i = 0; i < 8; i++)
		mac[i] = out[i + (star ? 8 : 0)] ^ opc[i + (star ? 8 : 0)];
}

/* f2 (RES), f3 (CK), f4 (IK), f5 (AK) and f5* (AK*) */
static void f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		  uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t ak[6], uint8_t aks[6])
{
	uint8_t temp[16], out[16];

	temp_of(k, opc, rand, temp);
	out_n(k, opc, temp, 0, 1, out); /* OUT2: r2 = 0, c2 = 1 */
	memcpy(res, out + 8, 8);
	memcpy(ak, out, 6);
	out_n(k, opc, temp, 4, 2, ck);   /* OUT3: r3 = 32 bits, c3 = 2 */
	out_n(k, opc, temp, 8, 4, ik);   /* OUT4: r4 = 64 bits, c4 = 4 */
	out_n(k, opc, temp, 12, 8, out); /* OUT5: r5 = 96 bits, c5 = 8 */
	memcpy(aks, out, 6);
}

static void test_milenage_oracle(void **state)
{
	uint8_t k[16], opc[16], rand[16], sqn[6], amf[2], mac[8], res[8], ck[16], ik[16], ak[6],
		aks[6], want[16];

	(void)state;
	hex(K1, k, 16);
	hex(OPC1, opc, 16);
	hex(RAND1, rand, 16);
	hex("ff9bb4d0b607", sqn, 6);
	hex("b9b9", amf, 2);
	f1(k, opc, rand, sqn, amf, 0, mac);
	hex("4a9ffac354dfafb3", want, 8);
	assert_memory_equal(mac, want, 8);
	f1(k, opc, rand, sqn, amf, 1, mac);
	hex("01cfaf9ec4e871e9", want, 8);
	assert_memory_equal(mac, want, 8);
	f2345(k, opc, rand, res, ck, ik, ak, aks);
	hex("a54211d5e3ba50bf", want, 8);
	assert_memory_equal(res, want, 8);
	hex("b40ba9a3c58b2a05bbf0d987b21bf8cb", want, 16);
	assert_memory_equal(ck, want, 16);
	hex("f769bcd751044604127672711c6d3441", want, 16);
	assert_memory_equal(ik, want, 16);
	hex("aa689c648370", want, 6);
	assert_memory_equal(ak, want, 6);
	hex("451e8beca43b", want, 6);
	assert_memory_equal(aks, want, 6);
}

/* --- fixtures */
struct fx {
	struct hss_db db;
	struct hss_peer peer;
	char path[64];
	uint8_t rand[16];
	/* when n_seq > 0, RANDs are taken from seq[] in turn first */
	uint8_t seq[2][16];
	int n_seq;
	uint8_t out[DIAM_MSG_MAX];
	const uint8_t *body;
	size_t body_len;
	struct diam_hdr hdr;
};

static int fixed_rand(void *ctx, uint8_t *buf, size_t len)
{
	struct fx *f = ctx;

	assert_int_equal(len, 16);
	if (f->n_seq > 0) {
		memcpy(buf, f->seq[2 - f->n_seq], 16);
		f->n_seq--;
		return 0;
	}
	memcpy(buf, f->rand, 16);
	return 0;
}

static const char *SUBS = "; test subscribers\n"
			  "[aka]\n"
			  "impi = aka@" DOMAIN "\n"
			  "impu = sip:aka@" DOMAIN "\n"
			  "impu = sip:+15550000001@" DOMAIN "\n"
			  "impu = tel:+15550000001\n"
			  "k = 465b5ce8b199b49faa5f0a2ee238a6bc\n"
			  "opc = cd63cb71954a9f4e48a5994e37a02baf\n"
			  "amf = b9b9\n"
			  "sqn = ff9bb4d0b606\n"
			  "\n"
			  "[digest]\n"
			  "impi = digest@" DOMAIN "\n"
			  "impu = sip:digest@" DOMAIN "\n"
			  "impu = sip:a<b&c@" DOMAIN "\n"
			  "password = secret\n"
			  "\n"
			  "[sipp]\n"
			  "impi = sipp@" DOMAIN "\n"
			  "impu = sip:sipp@" DOMAIN "\n"
			  "k = 696d7375652d736970702d6b2d303031\n"
			  "op = 696d7375652d736970702d6f702d3031\n"
			  "amf = 414d\n"
			  "nonzero_res = yes\n";

static int write_file(char *path, size_t cap, const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, cap, "/tmp/imsue-hss-test.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	return 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || write_file(f->path, sizeof(f->path), SUBS) < 0)
		return -1;
	snprintf(f->db.origin_host, sizeof(f->db.origin_host), "hss." DOMAIN);
	snprintf(f->db.origin_realm, sizeof(f->db.origin_realm), DOMAIN);
	snprintf(f->db.scscf_name, sizeof(f->db.scscf_name), "sip:scscf." DOMAIN);
	f->db.ip4 = 0x0100007f;
	f->db.rand_bytes = fixed_rand;
	f->db.rand_ctx = f;
	if (hss_db_load(&f->db, f->path, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	hss_hex_decode(RAND1, f->rand, 16);
	snprintf(f->peer.origin_host, sizeof(f->peer.origin_host), "scscf." DOMAIN);
	snprintf(f->peer.origin_realm, sizeof(f->peer.origin_realm), DOMAIN);
	f->peer.open = 1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	unlink(f->path);
	hss_db_free(&f->db);
	free(f);
	return 0;
}

/* A Cx request; item_scheme/authorization describe an optional SIP-Auth-Data-Item. */
struct req_spec {
	uint32_t code;
	uint32_t app;
	const char *impi, *impu, *server;
	int sat; /* -1: none */
	const char *scheme;
	const uint8_t *authz;
	size_t authz_len;
	int no_session;
};

static long make_req(const struct req_spec *s, uint8_t *buf, size_t cap)
{
	struct diam_buf b;
	size_t g;

	diam_buf_init(&b, buf, cap);
	diam_msg_begin(&b, DIAM_FLAG_REQUEST | DIAM_FLAG_PROXIABLE, s->code,
		       s->app ? s->app : DIAM_APP_CX, 7, 9);
	if (!s->no_session)
		diam_put_str(&b, DIAM_AVP_SESSION_ID, M, 0, "scscf;42;1");
	diam_put_str(&b, DIAM_AVP_ORIGIN_HOST, M, 0, "scscf." DOMAIN);
	diam_put_str(&b, DIAM_AVP_ORIGIN_REALM, M, 0, DOMAIN);
	if (s->impi)
		diam_put_str(&b, DIAM_AVP_USER_NAME, M, 0, s->impi);
	if (s->impu)
		diam_put_str(&b, CX_AVP_PUBLIC_IDENTITY, M, V3, s->impu);
	if (s->server)
		diam_put_str(&b, CX_AVP_SERVER_NAME, M, V3, s->server);
	if (s->sat >= 0)
		diam_put_u32(&b, CX_AVP_SERVER_ASSIGNMENT_TYPE, M, V3, (uint32_t)s->sat);
	if (s->scheme || s->authz) {
		diam_put_u32(&b, CX_AVP_SIP_NUMBER_AUTH_ITEMS, M, V3, 1);
		g = diam_group_begin(&b, CX_AVP_SIP_AUTH_DATA_ITEM, M, V3);
		if (s->scheme)
			diam_put_str(&b, CX_AVP_SIP_AUTHENTICATION_SCHEME, M, V3, s->scheme);
		if (s->authz)
			diam_put_avp(&b, CX_AVP_SIP_AUTHORIZATION, M, V3, s->authz, s->authz_len);
		diam_group_end(&b, g);
	}
	return diam_msg_end(&b, err, sizeof(err));
}

/* Run one request through hss_cx_answer() and decode the answer into f. */
static void ask(struct fx *f, const struct req_spec *s)
{
	uint8_t req[4096];
	const uint8_t *body;
	struct diam_hdr h;
	size_t blen;
	long len, alen;

	len = make_req(s, req, sizeof(req));
	assert_true(len > 0);
	assert_int_equal(diam_msg_decode(req, (size_t)len, &h, &body, &blen, err, sizeof(err)), 0);
	alen = hss_cx_answer(&f->db, &f->peer, &h, body, blen, f->out, sizeof(f->out), err,
			     sizeof(err));
	if (alen < 0)
		fail_msg("no answer: %s", err);
	assert_int_equal(diam_msg_decode(f->out, (size_t)alen, &f->hdr, &f->body, &f->body_len, err,
					 sizeof(err)),
			 0);
	assert_int_equal(f->hdr.code, s->code);
	assert_false(f->hdr.flags & DIAM_FLAG_REQUEST);
	assert_int_equal(f->hdr.hop_by_hop, 7);
	assert_int_equal(f->hdr.end_to_end, 9);
}

static int find(struct fx *f, uint32_t code, uint32_t vendor, struct diam_avp *a)
{
	return diam_avp_find(f->body, f->body_len, code, vendor, a, err, sizeof(err));
}

static uint32_t result(struct fx *f)
{
	uint32_t v = 0;

	assert_int_equal(
		diam_find_u32(f->body, f->body_len, DIAM_AVP_RESULT_CODE, 0, &v, err, sizeof(err)),
		1);
	return v;
}

static uint32_t experimental(struct fx *f)
{
	struct diam_avp a;
	uint32_t v = 0, vendor = 0;

	assert_int_equal(find(f, DIAM_AVP_EXPERIMENTAL_RESULT, 0, &a), 1);
	assert_int_equal(
		diam_find_u32(a.data, a.len, DIAM_AVP_VENDOR_ID, 0, &vendor, err, sizeof(err)), 1);
	assert_int_equal(vendor, V3);
	assert_int_equal(diam_find_u32(a.data, a.len, DIAM_AVP_EXPERIMENTAL_RESULT_CODE, 0, &v, err,
				       sizeof(err)),
			 1);
	return v;
}

static void item_avp(struct fx *f, uint32_t code, struct diam_avp *a)
{
	struct diam_avp item;

	assert_int_equal(find(f, CX_AVP_SIP_AUTH_DATA_ITEM, V3, &item), 1);
	assert_int_equal(diam_avp_find(item.data, item.len, code, V3, a, err, sizeof(err)), 1);
}

/* --- subscriber file */
static void test_db_load(void **state)
{
	struct fx *f = *state;
	struct hss_sub *s;

	assert_int_equal(f->db.n_subs, 3);
	s = hss_db_find_impi(&f->db, "aka@" DOMAIN);
	assert_non_null(s);
	assert_int_equal(s->n_impu, 3);
	assert_true(s->has_aka);
	assert_false(s->has_password);
	assert_int_equal(s->preferred, HSS_AUTH_AKA);
	assert_int_equal(s->sqn, 0xff9bb4d0b606ULL);
	assert_ptr_equal(hss_db_find_impu(&f->db, "tel:+15550000001"), s);
	s = hss_db_find_impi(&f->db, "digest@" DOMAIN);
	assert_non_null(s);
	assert_int_equal(s->preferred, HSS_AUTH_DIGEST);
	assert_null(hss_db_find_impi(&f->db, "nobody"));
}

static void expect_load_error(const char *text, const char *what)
{
	struct hss_db db;
	char path[64];

	memset(&db, 0, sizeof(db));
	assert_int_equal(write_file(path, sizeof(path), text), 0);
	err[0] = '\0';
	assert_int_equal(hss_db_load(&db, path, err, sizeof(err)), -1);
	unlink(path);
	hss_db_free(&db);
	if (!strstr(err, what))
		fail_msg("error '%s' does not mention '%s'", err, what);
}

static void test_db_errors(void **state)
{
	struct hss_db db;

	(void)state;
	expect_load_error("[a]\nimpi = x\nimpu = sip:x\npassword = p\nfoo = 1\n",
			  ":5: [a] unknown key 'foo'");
	expect_load_error("[a]\nimpi = x\nimpu = sip:x\nk = 12\nopc = 12\n", "k: need 32 hex");
	expect_load_error("[a]\nimpu = sip:x\npassword = p\n", "[a] has no impi");
	expect_load_error("[a]\nimpi = x\npassword = p\n", "[a] has no impu");
	expect_load_error("[a]\nimpi = x\nimpu = sip:x\nk = 465b5ce8b199b49faa5f0a2ee238a6bc\n",
			  "needs both k and op/opc");
	expect_load_error("[a]\nimpi = x\nimpu = sip:x\npassword = p\nauth = aka\n",
			  "no credentials");
	expect_load_error("[a]\nimpi = x\nimpu = sip:x\npassword = p\nauth = gba\n",
			  "neither aka nor digest");
	expect_load_error("[a]\nimpi = x\nimpu = sip:x\n", "neither k/opc nor password");
	expect_load_error("[a]\nimpi = x\nimpu = sip:x\npassword = p\n"
			  "[b]\nimpi = x\nimpu = sip:y\npassword = p\n",
			  "appears twice");
	expect_load_error("impi = x\n", "outside a [subscriber] section");
	expect_load_error("[a]\nimpi = x\nimpu = sip:x\nsqn = 1\npassword = p\n", "sqn");
	expect_load_error("; nothing\n", "no subscribers");
	expect_load_error("[a]\nimpi = x\nimpu = sip:x\npassword = p\nnonzero_res = 1\n",
			  "nonzero_res: yes or no");
	expect_load_error("[a\n", "syntax error");
	memset(&db, 0, sizeof(db));
	assert_int_equal(hss_db_load(&db, "/nonexistent/subs.ini", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));
}

static void test_user_data(void **state)
{
	struct fx *f = *state;
	char xml[1024];
	long n;

	n = hss_user_data(hss_db_find_impi(&f->db, "digest@" DOMAIN), xml, sizeof(xml));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(xml));
	assert_non_null(strstr(xml, "<PrivateID>digest@" DOMAIN "</PrivateID>"));
	assert_non_null(strstr(xml, "<Identity>sip:digest@" DOMAIN "</Identity>"));
	assert_non_null(strstr(xml, "<Identity>sip:a&lt;b&amp;c@" DOMAIN "</Identity>"));
	assert_non_null(strstr(xml, "<BarringIndication>0</BarringIndication><Identity>"));
	assert_int_equal(hss_user_data(hss_db_find_impi(&f->db, "digest@" DOMAIN), xml, 64), -1);
}

/* --- base protocol */
static void test_cer(void **state)
{
	struct fx *f = *state;
	struct req_spec s = {.code = DIAM_CMD_CE, .app = DIAM_APP_COMMON, .sat = -1};
	struct diam_avp a;
	uint32_t v;

	memset(&f->peer, 0, sizeof(f->peer));
	ask(f, &s);
	assert_int_equal(result(f), DIAM_SUCCESS);
	assert_true(f->peer.open);
	assert_string_equal(f->peer.origin_host, "scscf." DOMAIN);
	assert_int_equal(find(f, DIAM_AVP_ORIGIN_HOST, 0, &a), 1);
	assert_int_equal(a.len, strlen("hss." DOMAIN));
	assert_int_equal(find(f, DIAM_AVP_HOST_IP_ADDRESS, 0, &a), 1);
	assert_memory_equal(a.data, "\x00\x01\x7f\x00\x00\x01", 6);
	assert_int_equal(diam_find_u32(f->body, f->body_len, DIAM_AVP_SUPPORTED_VENDOR_ID, 0, &v,
				       err, sizeof(err)),
			 1);
	assert_int_equal(v, V3);
	assert_int_equal(find(f, DIAM_AVP_VENDOR_SPECIFIC_APPLICATION_ID, 0, &a), 1);
	assert_int_equal(diam_find_u32(a.data, a.len, DIAM_AVP_VENDOR_ID, 0, &v, err, sizeof(err)),
			 1);
	assert_int_equal(v, V3);
	assert_int_equal(
		diam_find_u32(a.data, a.len, DIAM_AVP_AUTH_APPLICATION_ID, 0, &v, err, sizeof(err)),
		1);
	assert_int_equal(v, DIAM_APP_CX);
	assert_int_equal(find(f, DIAM_AVP_PRODUCT_NAME, 0, &a), 1);
}

static void test_base_errors(void **state)
{
	struct fx *f = *state;
	struct req_spec s = {.code = DIAM_CMD_DW, .app = DIAM_APP_COMMON, .sat = -1};

	ask(f, &s);
	assert_int_equal(result(f), DIAM_SUCCESS);
	s.code = 999;
	s.app = DIAM_APP_CX;
	ask(f, &s);
	assert_int_equal(result(f), DIAM_COMMAND_UNSUPPORTED);
	assert_true(f->hdr.flags & DIAM_FLAG_ERROR);
	s.code = DIAM_CMD_MA;
	s.app = 4;
	ask(f, &s);
	assert_int_equal(result(f), DIAM_APPLICATION_UNSUPPORTED);
	s.app = DIAM_APP_CX;
	s.no_session = 1;
	s.impi = "aka@" DOMAIN;
	s.impu = "sip:aka@" DOMAIN;
	ask(f, &s);
	assert_int_equal(result(f), DIAM_MISSING_AVP);
	s.no_session = 0;
	s.impu = NULL;
	ask(f, &s);
	assert_int_equal(result(f), DIAM_MISSING_AVP);
	f->peer.open = 0;
	s.impu = "sip:aka@" DOMAIN;
	ask(f, &s);
	assert_int_equal(result(f), DIAM_UNABLE_TO_DELIVER);
	assert_true(f->hdr.flags & DIAM_FLAG_ERROR);
}

/* --- MAR/MAA */
static void test_mar_aka(void **state)
{
	struct fx *f = *state;
	struct req_spec s = {.code = DIAM_CMD_MA,
			     .impi = "aka@" DOMAIN,
			     .impu = "sip:+15550000001@" DOMAIN,
			     .sat = -1,
			     .scheme = "Digest-AKAv1-MD5"};
	uint8_t want[32];
	struct diam_avp a;
	uint32_t v;

	f->db.ind_bitlen = 0;
	ask(f, &s);
	assert_int_equal(result(f), DIAM_SUCCESS);
	assert_int_equal(find(f, DIAM_AVP_USER_NAME, 0, &a), 1);
	assert_int_equal(find(f, CX_AVP_PUBLIC_IDENTITY, V3, &a), 1);
	assert_int_equal(diam_find_u32(f->body, f->body_len, CX_AVP_SIP_NUMBER_AUTH_ITEMS, V3, &v,
				       err, sizeof(err)),
			 1);
	assert_int_equal(v, 1);
	item_avp(f, CX_AVP_SIP_AUTHENTICATION_SCHEME, &a);
	assert_int_equal(a.len, 16);
	assert_memory_equal(a.data, "Digest-AKAv1-MD5", 16);
	/* RAND || AUTN, AUTN = SQN ^ AK || AMF || MAC-A with SQN = ff9bb4d0b607 */
	item_avp(f, CX_AVP_SIP_AUTHENTICATE, &a);
	assert_int_equal(a.len, 32);
	hex("23553cbe9637a89d218ae64dae47bf3555f328b43577b9b94a9ffac354dfafb3", want, 32);
	assert_memory_equal(a.data, want, 32);
	item_avp(f, CX_AVP_SIP_AUTHORIZATION, &a);
	hex("a54211d5e3ba50bf", want, 8);
	assert_int_equal(a.len, 8);
	assert_memory_equal(a.data, want, 8);
	item_avp(f, CX_AVP_CONFIDENTIALITY_KEY, &a);
	hex("b40ba9a3c58b2a05bbf0d987b21bf8cb", want, 16);
	assert_memory_equal(a.data, want, 16);
	item_avp(f, CX_AVP_INTEGRITY_KEY, &a);
	hex("f769bcd751044604127672711c6d3441", want, 16);
	assert_memory_equal(a.data, want, 16);
	assert_int_equal(hss_db_find_impi(&f->db, "aka@" DOMAIN)->sqn, 0xff9bb4d0b607ULL);

	/* an HSS-selected scheme: "Unknown" gets the subscriber's own */
	s.scheme = "Unknown";
	ask(f, &s);
	item_avp(f, CX_AVP_SIP_AUTHENTICATION_SCHEME, &a);
	assert_memory_equal(a.data, "Digest-AKAv1-MD5", 16);
	s.scheme = "Digest-AKAv2-MD5";
	ask(f, &s);
	item_avp(f, CX_AVP_SIP_AUTHENTICATION_SCHEME, &a);
	assert_memory_equal(a.data, "Digest-AKAv2-MD5", 16);
}

/* The UE's AUTS for SQN_MS after the challenge with rand (TS 33.102 6.3.3). */
static void make_auts(const uint8_t rand[16], uint64_t sqn_ms, uint8_t auts[14])
{
	uint8_t k[16], opc[16], sqn[6], res[8], ck[16], ik[16], ak[6], aks[6];
	static const uint8_t amf0[2] = {0, 0};
	int i;

	hex(K1, k, 16);
	hex(OPC1, opc, 16);
	for (i = 0; i < 6; i++)
		sqn[i] = (uint8_t)(sqn_ms >> (8 * (5 - i)));
	f2345(k, opc, rand, res, ck, ik, ak, aks);
	for (i = 0; i < 6; i++)
		auts[i] = sqn[i] ^ aks[i];
	f1(k, opc, rand, sqn, amf0, 1, auts + 6);
}

static void test_mar_resync(void **state)
{
	struct fx *f = *state;
	struct hss_sub *sub = hss_db_find_impi(&f->db, "aka@" DOMAIN);
	uint8_t authz[30], k[16], opc[16], res[8], ck[16], ik[16], ak[6], aks[6], sqn[6], mac[8];
	struct req_spec s = {.code = DIAM_CMD_MA,
			     .impi = "aka@" DOMAIN,
			     .impu = "sip:aka@" DOMAIN,
			     .sat = -1,
			     .scheme = "Digest-AKAv1-MD5",
			     .authz = authz,
			     .authz_len = sizeof(authz)};
	struct diam_avp a;
	uint64_t got = 0;
	int i;

	f->db.ind_bitlen = 5;
	sub->sqn = 0x20;
	/* the UE saw RAND1 earlier and is at SQN 0x1000 */
	hex(RAND1, authz, 16);
	make_auts(authz, 0x1000, authz + 16);
	hex("0102030405060708090a0b0c0d0e0f10", f->rand, 16);
	ask(f, &s);
	assert_int_equal(result(f), DIAM_SUCCESS);
	/* next SQN after 0x1000 with 5 IND bits (TS 33.102 C.3.2) */
	assert_int_equal(sub->sqn, 0x1020);
	assert_int_equal(sub->n_resync, 1);
	/* the fresh AUTN carries that SQN under a valid MAC-A */
	item_avp(f, CX_AVP_SIP_AUTHENTICATE, &a);
	assert_memory_equal(a.data, f->rand, 16);
	hex(K1, k, 16);
	hex(OPC1, opc, 16);
	f2345(k, opc, f->rand, res, ck, ik, ak, aks);
	for (i = 0; i < 6; i++) {
		sqn[i] = a.data[16 + i] ^ ak[i];
		got = got << 8 | sqn[i];
	}
	assert_int_equal(got, 0x1020);
	f1(k, opc, f->rand, sqn, a.data + 22, 0, mac);
	assert_memory_equal(mac, a.data + 24, 8);

	/* a corrupted MAC-S: no vector, SQN unchanged */
	authz[29] ^= 1;
	ask(f, &s);
	assert_int_equal(result(f), DIAM_AUTHORIZATION_REJECTED);
	assert_int_equal(find(f, CX_AVP_SIP_AUTH_DATA_ITEM, V3, &a), 0);
	assert_int_equal(sub->sqn, 0x1020);
}

/* SIPp workaround: a RAND whose RES has a zero byte is drawn again. */
static void test_mar_nonzero_res(void **state)
{
	struct fx *f = *state;
	struct req_spec s = {.code = DIAM_CMD_MA,
			     .impi = "sipp@" DOMAIN,
			     .impu = "sip:sipp@" DOMAIN,
			     .sat = -1,
			     .scheme = "Digest-AKAv1-MD5"};
	struct diam_avp a;

	/* with K/OP below, this RAND gives RES 42551ea683070004 (TS 35.206 f2) */
	f->db.ind_bitlen = 5;
	hex("29b53b258d1363e0eba7c859d1cb542c", f->seq[0], 16);
	hex(RAND1, f->seq[1], 16);
	f->n_seq = 2;
	ask(f, &s);
	assert_int_equal(result(f), DIAM_SUCCESS);
	item_avp(f, CX_AVP_SIP_AUTHENTICATE, &a);
	assert_memory_equal(a.data, f->seq[1], 16);
	item_avp(f, CX_AVP_SIP_AUTHORIZATION, &a);
	assert_int_equal(a.len, 8);
	assert_null(memchr(a.data, 0, a.len));
	assert_int_equal(f->n_seq, 0);
	/* one SQN step only, whatever the number of draws */
	assert_int_equal(hss_db_find_impi(&f->db, "sipp@" DOMAIN)->sqn, 32);
}

static void test_mar_digest(void **state)
{
	struct fx *f = *state;
	struct req_spec s = {.code = DIAM_CMD_MA,
			     .impi = "digest@" DOMAIN,
			     .impu = "sip:digest@" DOMAIN,
			     .sat = -1,
			     .scheme = "Digest-AKAv1-MD5"};
	static const char *const ha1_in = "digest@" DOMAIN ":" DOMAIN ":secret";
	unsigned char md[16];
	char want[33];
	struct diam_avp a, d;
	unsigned int n = 0, i;

	/* the S-CSCF asks for AKA; this subscriber only has a password */
	ask(f, &s);
	assert_int_equal(result(f), DIAM_SUCCESS);
	item_avp(f, CX_AVP_SIP_AUTHENTICATION_SCHEME, &a);
	assert_int_equal(a.len, 10);
	assert_memory_equal(a.data, "SIP Digest", 10);
	item_avp(f, CX_AVP_SIP_DIGEST_AUTHENTICATE, &a);
	assert_int_equal(
		diam_avp_find(a.data, a.len, DIAM_AVP_DIGEST_REALM, 0, &d, err, sizeof(err)), 1);
	assert_int_equal(d.len, strlen(DOMAIN));
	assert_memory_equal(d.data, DOMAIN, d.len);
	assert_int_equal(
		diam_avp_find(a.data, a.len, DIAM_AVP_DIGEST_ALGORITHM, 0, &d, err, sizeof(err)),
		1);
	assert_memory_equal(d.data, "MD5", 3);
	assert_int_equal(diam_avp_find(a.data, a.len, DIAM_AVP_DIGEST_QOP, 0, &d, err, sizeof(err)),
			 1);
	assert_memory_equal(d.data, "auth", 4);
	assert_int_equal(diam_avp_find(a.data, a.len, DIAM_AVP_DIGEST_HA1, 0, &d, err, sizeof(err)),
			 1);
	assert_int_equal(EVP_Digest(ha1_in, strlen(ha1_in), md, &n, EVP_md5(), NULL), 1);
	for (i = 0; i < 16; i++)
		snprintf(want + 2 * i, 3, "%02x", md[i]);
	assert_int_equal(d.len, 32);
	assert_memory_equal(d.data, want, 32);
	/* no AKA material in a digest item */
	assert_int_equal(
		diam_avp_find(a.data, a.len, CX_AVP_SIP_AUTHENTICATE, V3, &d, err, sizeof(err)), 0);
}

static void test_mar_errors(void **state)
{
	struct fx *f = *state;
	struct req_spec s = {.code = DIAM_CMD_MA,
			     .impi = "nobody@" DOMAIN,
			     .impu = "sip:nobody@" DOMAIN,
			     .sat = -1};
	struct diam_avp a;

	ask(f, &s);
	assert_int_equal(experimental(f), CX_ERROR_USER_UNKNOWN);
	assert_int_equal(find(f, DIAM_AVP_USER_NAME, 0, &a), 1);
	assert_int_equal(find(f, CX_AVP_PUBLIC_IDENTITY, V3, &a), 1);
	s.impi = "aka@" DOMAIN;
	s.impu = "sip:digest@" DOMAIN;
	ask(f, &s);
	assert_int_equal(experimental(f), CX_ERROR_IDENTITIES_DONT_MATCH);
	s.impu = "sip:aka@" DOMAIN;
	hss_db_find_impi(&f->db, "aka@" DOMAIN)->reject_code = CX_ERROR_USER_UNKNOWN;
	ask(f, &s);
	assert_int_equal(experimental(f), CX_ERROR_USER_UNKNOWN);
	hss_db_find_impi(&f->db, "aka@" DOMAIN)->reject_code = DIAM_UNABLE_TO_COMPLY;
	ask(f, &s);
	assert_int_equal(result(f), DIAM_UNABLE_TO_COMPLY);
	assert_int_equal(find(f, CX_AVP_SIP_AUTH_DATA_ITEM, V3, &a), 0);
}

/* --- SAR, UAR, LIR, RTR */
static void test_sar(void **state)
{
	struct fx *f = *state;
	struct hss_sub *sub = hss_db_find_impi(&f->db, "aka@" DOMAIN);
	struct req_spec s = {.code = DIAM_CMD_SA,
			     .impi = "aka@" DOMAIN,
			     .impu = "sip:aka@" DOMAIN,
			     .server = "sip:127.0.0.1:6060",
			     .sat = 1};
	struct diam_avp a;
	char xml[2048];

	ask(f, &s);
	assert_int_equal(result(f), DIAM_SUCCESS);
	assert_int_equal(find(f, CX_AVP_USER_DATA, V3, &a), 1);
	assert_true(a.len < sizeof(xml));
	memcpy(xml, a.data, a.len);
	xml[a.len] = '\0';
	assert_non_null(strstr(xml, "<IMSSubscription><PrivateID>aka@" DOMAIN "</PrivateID>"));
	assert_non_null(strstr(xml, "<Identity>tel:+15550000001</Identity>"));
	assert_true(sub->registered);
	assert_string_equal(sub->scscf_name, "sip:127.0.0.1:6060");
	assert_string_equal(sub->scscf_host, "scscf." DOMAIN);

	s.sat = 5; /* USER_DEREGISTRATION */
	ask(f, &s);
	assert_int_equal(result(f), DIAM_SUCCESS);
	assert_int_equal(find(f, CX_AVP_USER_DATA, V3, &a), 0);
	assert_false(sub->registered);
	assert_string_equal(sub->scscf_name, "");

	s.sat = 99;
	ask(f, &s);
	assert_int_equal(result(f), DIAM_UNABLE_TO_COMPLY);
	s.sat = 1;
	s.impi = "nobody";
	ask(f, &s);
	assert_int_equal(experimental(f), CX_ERROR_USER_UNKNOWN);
	s.impi = "aka@" DOMAIN;
	s.impu = "sip:digest@" DOMAIN;
	ask(f, &s);
	assert_int_equal(experimental(f), CX_ERROR_IDENTITIES_DONT_MATCH);
	s.sat = -1;
	ask(f, &s);
	assert_int_equal(result(f), DIAM_MISSING_AVP);
}

static void test_uar_lir(void **state)
{
	struct fx *f = *state;
	struct req_spec s = {
		.code = DIAM_CMD_UA, .impi = "aka@" DOMAIN, .impu = "sip:aka@" DOMAIN, .sat = -1};
	struct diam_avp a;

	ask(f, &s);
	assert_int_equal(experimental(f), CX_FIRST_REGISTRATION);
	assert_int_equal(find(f, CX_AVP_SERVER_NAME, V3, &a), 1);
	assert_memory_equal(a.data, "sip:scscf." DOMAIN, a.len);
	s.impu = "sip:nobody@" DOMAIN;
	s.impi = NULL;
	ask(f, &s);
	assert_int_equal(experimental(f), CX_ERROR_USER_UNKNOWN);

	s.code = DIAM_CMD_LI;
	s.impu = "sip:aka@" DOMAIN;
	ask(f, &s);
	assert_int_equal(experimental(f), CX_ERROR_IDENTITY_NOT_REGISTERED);
	snprintf(hss_db_find_impi(&f->db, "aka@" DOMAIN)->scscf_name, HSS_ID_MAX, "sip:s");
	ask(f, &s);
	assert_int_equal(result(f), DIAM_SUCCESS);
	assert_int_equal(find(f, CX_AVP_SERVER_NAME, V3, &a), 1);
	assert_memory_equal(a.data, "sip:s", 5);
	s.impu = "tel:+1999";
	ask(f, &s);
	assert_int_equal(experimental(f), CX_ERROR_USER_UNKNOWN);
}

static void test_rtr(void **state)
{
	struct fx *f = *state;
	const struct hss_sub *sub = hss_db_find_impi(&f->db, "aka@" DOMAIN);
	uint8_t buf[4096];
	const uint8_t *body;
	struct diam_hdr h;
	struct diam_avp a;
	size_t blen, off = 0;
	uint32_t v;
	long len;
	int n = 0;

	len = hss_cx_rtr(&f->db, sub, "scscf." DOMAIN, DOMAIN, 5, 6, buf, sizeof(buf), err,
			 sizeof(err));
	assert_true(len > 0);
	assert_int_equal(diam_msg_decode(buf, (size_t)len, &h, &body, &blen, err, sizeof(err)), 0);
	assert_true(h.flags & DIAM_FLAG_REQUEST);
	assert_int_equal(h.code, DIAM_CMD_RT);
	assert_int_equal(h.app_id, DIAM_APP_CX);
	assert_int_equal(h.hop_by_hop, 5);
	/* Session-Id first (RFC 6733 8.8) */
	assert_int_equal(diam_avp_next(body, blen, &off, &a, err, sizeof(err)), 1);
	assert_int_equal(a.code, DIAM_AVP_SESSION_ID);
	assert_int_equal(
		diam_avp_find(body, blen, DIAM_AVP_DESTINATION_HOST, 0, &a, err, sizeof(err)), 1);
	assert_memory_equal(a.data, "scscf." DOMAIN, a.len);
	assert_int_equal(diam_avp_find(body, blen, DIAM_AVP_USER_NAME, 0, &a, err, sizeof(err)), 1);
	assert_int_equal(
		diam_avp_find(body, blen, CX_AVP_DEREGISTRATION_REASON, V3, &a, err, sizeof(err)),
		1);
	assert_int_equal(diam_find_u32(a.data, a.len, CX_AVP_REASON_CODE, V3, &v, err, sizeof(err)),
			 1);
	assert_int_equal(v, 0);
	off = 0;
	while (diam_avp_next(body, blen, &off, &a, err, sizeof(err)) > 0)
		if (a.code == CX_AVP_PUBLIC_IDENTITY && a.vendor == V3)
			n++;
	assert_int_equal(n, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_milenage_oracle),
		cmocka_unit_test_setup_teardown(test_db_load, setup, teardown),
		cmocka_unit_test(test_db_errors),
		cmocka_unit_test_setup_teardown(test_user_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mar_aka, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mar_resync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mar_nonzero_res, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mar_digest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mar_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uar_lir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtr, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
