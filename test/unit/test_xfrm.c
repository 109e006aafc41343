/* sec/xfrm.c against a recorded netlink sink: the exact SA and policy
 * messages of TS 33.203 7.1, rollback on a kernel error, deletion, lifetime
 * update and tag-based cleanup. No kernel involved.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/xfrm.h>

#include "sec/xfrm.h"
#include "sec/xfrm_priv.h"

#define MAXMSG 64

struct sink {
	uint8_t msg[MAXMSG][SEC_XFRM_MSG_MAX];
	size_t n;
	int fail_at; /* 1-based request number that fails, 0 = none */
	int fail_rc;
	const char *fail_text;
	int enoent_dels; /* answer every delete with -ENOENT */
	/* scripted dump answers */
	const struct nlmsghdr *sa_dump[8], *pol_dump[8];
	size_t n_sa_dump, n_pol_dump;
};

static int sink_xfer(void *arg, const struct nlmsghdr *req, sec_xfrm_msg_cb cb, void *data,
		     char *kerr, size_t kerrlen)
{
	struct sink *k = arg;

	snprintf(kerr, kerrlen, "%s", "");
	assert_true(k->n < MAXMSG);
	assert_true(req->nlmsg_len <= SEC_XFRM_MSG_MAX);
	memcpy(k->msg[k->n++], req, req->nlmsg_len);
	if (req->nlmsg_type == XFRM_MSG_GETSA || req->nlmsg_type == XFRM_MSG_GETPOLICY) {
		assert_int_equal(req->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
		if (req->nlmsg_type == XFRM_MSG_GETSA)
			for (size_t i = 0; i < k->n_sa_dump; i++)
				cb(k->sa_dump[i], data);
		else
			for (size_t i = 0; i < k->n_pol_dump; i++)
				cb(k->pol_dump[i], data);
		return 0;
	}
	if (k->fail_at && (int)k->n == k->fail_at) {
		snprintf(kerr, kerrlen, "%s", k->fail_text ? k->fail_text : "");
		return k->fail_rc;
	}
	if (k->enoent_dels &&
	    (req->nlmsg_type == XFRM_MSG_DELSA || req->nlmsg_type == XFRM_MSG_DELPOLICY))
		return req->nlmsg_type == XFRM_MSG_DELSA ? -ESRCH : -ENOENT;
	return 0;
}

static const uint8_t IK[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
			       0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
static const uint8_t CK[16] = {0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
			       0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f};

/* UE 10.0.0.1 port-c 5100 port-s 5101 spi-c 1111 spi-s 2222,
 * P-CSCF 10.0.0.2 port-c 6100 port-s 6101 spi-c 3333 spi-s 4444. */
static void ue_set(struct sec_xfrm_set *s)
{
	char err[128];

	memset(s, 0, sizeof(*s));
	assert_int_equal(sec_xfrm_set_addrs(s, "10.0.0.1", "10.0.0.2", err, sizeof(err)), 0);
	s->local.port_c = 5100;
	s->local.port_s = 5101;
	s->local.spi_c = 1111;
	s->local.spi_s = 2222;
	s->remote.port_c = 6100;
	s->remote.port_s = 6101;
	s->remote.spi_c = 3333;
	s->remote.spi_s = 4444;
	s->alg = SEC_XFRM_ALG_HMAC_SHA1_96;
	s->ealg = SEC_XFRM_EALG_NULL;
	memcpy(s->ik, IK, 16);
	memcpy(s->ck, CK, 16);
	s->lifetime_s = 240;
	s->id = 7;
}

static uint32_t v4(const char *a)
{
	struct in_addr in;

	assert_int_equal(inet_pton(AF_INET, a, &in), 1);
	return in.s_addr;
}

static const struct nlattr *find_attr(const struct nlmsghdr *nlh, size_t hdr, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, hdr)
	{
		if (mnl_attr_get_type(a) == type)
			return a;
	}
	return NULL;
}

static void check_sel(const struct xfrm_selector *sel, const char *src, unsigned sport,
		      const char *dst, unsigned dport)
{
	assert_int_equal(sel->family, AF_INET);
	assert_int_equal(sel->saddr.a4, v4(src));
	assert_int_equal(sel->daddr.a4, v4(dst));
	assert_int_equal(ntohs(sel->sport), sport);
	assert_int_equal(ntohs(sel->dport), dport);
	assert_int_equal(sel->sport_mask, 0xffff);
	assert_int_equal(sel->dport_mask, 0xffff);
	assert_int_equal(sel->prefixlen_s, 32);
	assert_int_equal(sel->prefixlen_d, 32);
	assert_int_equal(sel->proto, 0); /* UDP and TCP alike */
}

struct want {
	const char *src;
	unsigned sport;
	const char *dst;
	unsigned dport;
	uint32_t spi;
	int dir;
};

/* The four flows of TS 33.203 7.1 seen from the UE of ue_set(). */
static const struct want WANT[4] = {
	{"10.0.0.1", 5100, "10.0.0.2", 6101, 4444, XFRM_POLICY_OUT}, /* UE c -> P s */
	{"10.0.0.1", 5101, "10.0.0.2", 6100, 3333, XFRM_POLICY_OUT}, /* UE s -> P c */
	{"10.0.0.2", 6101, "10.0.0.1", 5100, 1111, XFRM_POLICY_IN},  /* P s -> UE c */
	{"10.0.0.2", 6100, "10.0.0.1", 5101, 2222, XFRM_POLICY_IN},  /* P c -> UE s */
};

static void check_sa_msg(const struct nlmsghdr *nlh, const struct want *w, bool sha1, bool aes,
			 uint32_t lifetime, uint16_t type)
{
	const struct xfrm_usersa_info *sa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	const struct xfrm_algo_auth *auth;
	const struct xfrm_algo *enc;

	assert_int_equal(nlh->nlmsg_type, type);
	assert_true(nlh->nlmsg_flags & NLM_F_REQUEST);
	assert_true(nlh->nlmsg_flags & NLM_F_ACK);
	if (type == XFRM_MSG_NEWSA)
		assert_true(nlh->nlmsg_flags & NLM_F_EXCL);
	check_sel(&sa->sel, w->src, w->sport, w->dst, w->dport);
	assert_int_equal(sa->id.daddr.a4, v4(w->dst));
	assert_int_equal(sa->saddr.a4, v4(w->src));
	assert_int_equal(ntohl(sa->id.spi), w->spi);
	assert_int_equal(sa->id.proto, IPPROTO_ESP);
	assert_int_equal(sa->mode, XFRM_MODE_TRANSPORT);
	assert_int_equal(sa->family, AF_INET);
	assert_int_equal(sa->reqid, SEC_XFRM_REQID_TAG | 7);
	assert_int_equal(sa->lft.hard_add_expires_seconds, lifetime);
	assert_true(sa->lft.hard_byte_limit == XFRM_INF);
	assert_true(sa->lft.hard_packet_limit == XFRM_INF);

	a = find_attr(nlh, sizeof(*sa), XFRMA_ALG_AUTH_TRUNC);
	assert_non_null(a);
	auth = mnl_attr_get_payload(a);
	assert_int_equal(auth->alg_trunc_len, 96);
	if (sha1) {
		static const uint8_t key[20] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
						0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
						0xee, 0xff, 0,    0,    0,    0};

		assert_string_equal(auth->alg_name, "hmac(sha1)");
		assert_int_equal(auth->alg_key_len, 160); /* IK || 32 zero bits */
		assert_int_equal(mnl_attr_get_payload_len(a), sizeof(*auth) + 20);
		assert_memory_equal(auth->alg_key, key, 20);
	} else {
		assert_string_equal(auth->alg_name, "hmac(md5)");
		assert_int_equal(auth->alg_key_len, 128);
		assert_int_equal(mnl_attr_get_payload_len(a), sizeof(*auth) + 16);
		assert_memory_equal(auth->alg_key, IK, 16);
	}
	assert_null(find_attr(nlh, sizeof(*sa), XFRMA_ALG_AUTH));

	a = find_attr(nlh, sizeof(*sa), XFRMA_ALG_CRYPT);
	assert_non_null(a);
	enc = mnl_attr_get_payload(a);
	if (aes) {
		assert_string_equal(enc->alg_name, "cbc(aes)");
		assert_int_equal(enc->alg_key_len, 128);
		assert_int_equal(mnl_attr_get_payload_len(a), sizeof(*enc) + 16);
		assert_memory_equal(enc->alg_key, CK, 16);
	} else {
		assert_string_equal(enc->alg_name, "ecb(cipher_null)");
		assert_int_equal(enc->alg_key_len, 0);
		assert_int_equal(mnl_attr_get_payload_len(a), sizeof(*enc));
	}
}

static void check_pol_msg(const struct nlmsghdr *nlh, const struct want *w, uint32_t lifetime,
			  uint16_t type)
{
	const struct xfrm_userpolicy_info *p = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	const struct xfrm_user_tmpl *t;

	assert_int_equal(nlh->nlmsg_type, type);
	assert_true(nlh->nlmsg_flags & NLM_F_ACK);
	check_sel(&p->sel, w->src, w->sport, w->dst, w->dport);
	assert_int_equal(p->dir, w->dir);
	assert_int_equal(p->action, XFRM_POLICY_ALLOW);
	assert_int_equal(p->lft.hard_add_expires_seconds, lifetime);
	a = find_attr(nlh, sizeof(*p), XFRMA_TMPL);
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), sizeof(*t));
	t = mnl_attr_get_payload(a);
	assert_int_equal(t->id.proto, IPPROTO_ESP);
	assert_int_equal(ntohl(t->id.spi), w->spi);
	assert_int_equal(t->id.daddr.a4, v4(w->dst));
	assert_int_equal(t->saddr.a4, v4(w->src));
	assert_int_equal(t->reqid, SEC_XFRM_REQID_TAG | 7);
	assert_int_equal(t->mode, XFRM_MODE_TRANSPORT);
	assert_int_equal(t->optional, 0);
}

static const struct nlmsghdr *M(struct sink *k, size_t i)
{
	return (const struct nlmsghdr *)k->msg[i];
}

static void run_add(bool sha1, bool aes)
{
	struct sink k = {0};
	struct sec_xfrm *x = sec_xfrm_open_with(sink_xfer, &k);
	struct sec_xfrm_set s;
	char err[256];

	ue_set(&s);
	s.alg = sha1 ? SEC_XFRM_ALG_HMAC_SHA1_96 : SEC_XFRM_ALG_HMAC_MD5_96;
	s.ealg = aes ? SEC_XFRM_EALG_AES_CBC : SEC_XFRM_EALG_NULL;
	assert_int_equal(sec_xfrm_set_add(x, &s, err, sizeof(err)), 0);
	assert_true(s.installed);
	assert_int_equal(k.n, 8);
	for (int i = 0; i < 4; i++)
		check_sa_msg(M(&k, i), &WANT[i], sha1, aes, 240, XFRM_MSG_NEWSA);
	for (int i = 0; i < 4; i++)
		check_pol_msg(M(&k, 4 + i), &WANT[i], 240, XFRM_MSG_NEWPOLICY);
	for (size_t i = 1; i < k.n; i++)
		assert_int_equal(M(&k, i)->nlmsg_seq, M(&k, i - 1)->nlmsg_seq + 1);
	/* a second add of the same set is refused without touching the kernel */
	assert_int_equal(sec_xfrm_set_add(x, &s, err, sizeof(err)), -1);
	assert_int_equal(k.n, 8);
	sec_xfrm_close(x);
}

static void test_add_sha1_null(void **state)
{
	(void)state;
	run_add(true, false);
}

static void test_add_sha1_aes(void **state)
{
	(void)state;
	run_add(true, true);
}

static void test_add_md5_null(void **state)
{
	(void)state;
	run_add(false, false);
}

static void test_add_md5_aes(void **state)
{
	(void)state;
	run_add(false, true);
}

/* The P-CSCF side of the same association installs mirror-image SAs: the
 * UE's outbound SA is exactly the P-CSCF's inbound one. */
static void test_mirror(void **state)
{
	struct sec_xfrm_set ue, pc;
	uint8_t a[SEC_XFRM_MSG_MAX] __attribute__((aligned(8)));
	uint8_t b[SEC_XFRM_MSG_MAX] __attribute__((aligned(8)));
	size_t la, lb;
	char err[64];

	(void)state;
	ue_set(&ue);
	pc = ue;
	pc.local = ue.remote;
	pc.remote = ue.local;
	assert_int_equal(sec_xfrm_set_addrs(&pc, "10.0.0.2", "10.0.0.1", err, sizeof(err)), 0);
	la = sec_xfrm_build_sa(a, &ue, SEC_XFRM_OUT_C, false);
	lb = sec_xfrm_build_sa(b, &pc, SEC_XFRM_IN_S, false);
	assert_true(la > 0);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	la = sec_xfrm_build_sa(a, &ue, SEC_XFRM_OUT_S, false);
	lb = sec_xfrm_build_sa(b, &pc, SEC_XFRM_IN_C, false);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
}

static void test_ipv6(void **state)
{
	struct sec_xfrm_set s;
	uint8_t buf[SEC_XFRM_MSG_MAX] __attribute__((aligned(8)));
	const struct xfrm_usersa_info *sa;
	struct in6_addr ue, pc;
	char err[64];

	(void)state;
	ue_set(&s);
	assert_int_equal(sec_xfrm_set_addrs(&s, "fd00::1", "fd00::2", err, sizeof(err)), 0);
	assert_int_equal(s.family, AF_INET6);
	assert_true(sec_xfrm_build_sa(buf, &s, SEC_XFRM_IN_S, false) > 0);
	sa = mnl_nlmsg_get_payload((struct nlmsghdr *)buf);
	inet_pton(AF_INET6, "fd00::1", &ue);
	inet_pton(AF_INET6, "fd00::2", &pc);
	assert_int_equal(sa->family, AF_INET6);
	assert_int_equal(sa->sel.prefixlen_d, 128);
	assert_memory_equal(&sa->id.daddr, &ue, 16);
	assert_memory_equal(&sa->saddr, &pc, 16);
	assert_int_equal(ntohs(sa->sel.sport), 6100);
	assert_int_equal(ntohs(sa->sel.dport), 5101);
}

/* A kernel without ESP: the first SA fails, the error says so in one line,
 * and nothing else (no policy) is sent. */
static void test_no_esp(void **state)
{
	struct sink k = {
		.fail_at = 1, .fail_rc = -EPROTONOSUPPORT, .fail_text = "Requested type not found"};
	struct sec_xfrm *x = sec_xfrm_open_with(sink_xfer, &k);
	struct sec_xfrm_set s;
	char err[512];

	(void)state;
	ue_set(&s);
	assert_int_equal(sec_xfrm_set_add(x, &s, err, sizeof(err)), -1);
	assert_false(s.installed);
	assert_int_equal(k.n, 1);
	assert_string_equal(err, "xfrm: adding SA out port-c -> port-s 10.0.0.1:5100 -> "
				 "10.0.0.2:6101 spi 4444: Protocol not supported (kernel: "
				 "Requested type not found); this kernel has no ESP support "
				 "(CONFIG_INET_ESP / module esp4 or esp6)");
	sec_xfrm_close(x);
}

/* A failure on the third policy removes the two policies and four SAs
 * already added, in reverse order. */
static void test_rollback(void **state)
{
	struct sink k = {.fail_at = 7, .fail_rc = -EEXIST, .fail_text = ""};
	struct sec_xfrm *x = sec_xfrm_open_with(sink_xfer, &k);
	struct sec_xfrm_set s;
	char err[512];
	static const int pol_del[] = {1, 0}, sa_del[] = {3, 2, 1, 0};

	(void)state;
	ue_set(&s);
	assert_int_equal(sec_xfrm_set_add(x, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "xfrm: adding policy in port-s -> port-c 10.0.0.2:6101 -> "
				 "10.0.0.1:5100 spi 1111: File exists");
	assert_int_equal(k.n, 7 + 2 + 4);
	for (int i = 0; i < 2; i++) {
		const struct nlmsghdr *n = M(&k, 7 + i);
		const struct xfrm_userpolicy_id *id = mnl_nlmsg_get_payload(n);
		const struct want *w = &WANT[pol_del[i]];

		assert_int_equal(n->nlmsg_type, XFRM_MSG_DELPOLICY);
		check_sel(&id->sel, w->src, w->sport, w->dst, w->dport);
		assert_int_equal(id->dir, w->dir);
	}
	for (int i = 0; i < 4; i++) {
		const struct nlmsghdr *n = M(&k, 9 + i);
		const struct xfrm_usersa_id *id = mnl_nlmsg_get_payload(n);
		const struct want *w = &WANT[sa_del[i]];

		assert_int_equal(n->nlmsg_type, XFRM_MSG_DELSA);
		assert_int_equal(ntohl(id->spi), w->spi);
		assert_int_equal(id->daddr.a4, v4(w->dst));
		assert_int_equal(id->proto, IPPROTO_ESP);
	}
	sec_xfrm_close(x);
}

static void test_del(void **state)
{
	struct sink k = {0};
	struct sec_xfrm *x = sec_xfrm_open_with(sink_xfer, &k);
	struct sec_xfrm_set s;
	static const uint8_t zero[16];
	char err[256];

	(void)state;
	ue_set(&s);
	assert_int_equal(sec_xfrm_set_add(x, &s, err, sizeof(err)), 0);
	k.n = 0;
	k.enoent_dels = 1; /* already expired: not an error */
	assert_int_equal(sec_xfrm_set_del(x, &s, err, sizeof(err)), 0);
	assert_false(s.installed);
	assert_memory_equal(s.ik, zero, 16);
	assert_memory_equal(s.ck, zero, 16);
	assert_int_equal(k.n, 8);
	for (int i = 0; i < 4; i++)
		assert_int_equal(M(&k, i)->nlmsg_type, XFRM_MSG_DELPOLICY);
	for (int i = 4; i < 8; i++)
		assert_int_equal(M(&k, i)->nlmsg_type, XFRM_MSG_DELSA);

	/* a real error is reported, yet every object is still tried */
	ue_set(&s);
	k.n = 0;
	k.enoent_dels = 0;
	k.fail_at = 2;
	k.fail_rc = -EPERM;
	k.fail_text = NULL;
	assert_int_equal(sec_xfrm_set_del(x, &s, err, sizeof(err)), -1);
	assert_int_equal(k.n, 8);
	assert_string_equal(err, "xfrm: deleting policy in port-s -> port-c 10.0.0.2:6101 -> "
				 "10.0.0.1:5100 spi 1111: Operation not permitted; "
				 "CAP_NET_ADMIN is needed");
	sec_xfrm_close(x);
}

static void test_update_lifetime(void **state)
{
	struct sink k = {0};
	struct sec_xfrm *x = sec_xfrm_open_with(sink_xfer, &k);
	struct sec_xfrm_set s;
	char err[256];

	(void)state;
	ue_set(&s);
	assert_int_equal(sec_xfrm_set_update_lifetime(x, &s, 100, err, sizeof(err)), -1);
	assert_int_equal(sec_xfrm_set_add(x, &s, err, sizeof(err)), 0);
	k.n = 0;
	assert_int_equal(sec_xfrm_set_update_lifetime(x, &s, 600030, err, sizeof(err)), 0);
	assert_int_equal(k.n, 8);
	for (int i = 0; i < 4; i++)
		check_sa_msg(M(&k, i), &WANT[i], true, false, 600030, XFRM_MSG_UPDSA);
	for (int i = 0; i < 4; i++)
		check_pol_msg(M(&k, 4 + i), &WANT[i], 600030, XFRM_MSG_UPDPOLICY);
	assert_int_equal(s.lifetime_s, 600030);
	/* a failed update keeps the old lifetime and removes nothing */
	k.n = 0;
	k.fail_at = 3;
	k.fail_rc = -ESRCH;
	assert_int_equal(sec_xfrm_set_update_lifetime(x, &s, 5, err, sizeof(err)), -1);
	assert_int_equal(s.lifetime_s, 600030);
	assert_int_equal(k.n, 3);
	assert_true(s.installed);
	sec_xfrm_close(x);
}

static void test_invalid(void **state)
{
	struct sink k = {0};
	struct sec_xfrm *x = sec_xfrm_open_with(sink_xfer, &k);
	struct sec_xfrm_set s;
	char err[256];
	uint8_t buf[SEC_XFRM_MSG_MAX] __attribute__((aligned(8)));

	(void)state;
	ue_set(&s);
	s.remote.port_s = 0;
	assert_int_equal(sec_xfrm_set_add(x, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a zero port or SPI"));
	assert_int_equal(sec_xfrm_build_sa(buf, &s, SEC_XFRM_OUT_C, false), 0);
	ue_set(&s);
	s.remote.spi_s = 0;
	assert_int_equal(sec_xfrm_set_add(x, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "xfrm: invalid SA set (family, a zero port or SPI, or an unknown "
				 "algorithm)");
	ue_set(&s);
	s.local.spi_s = s.local.spi_c;
	assert_int_equal(sec_xfrm_set_add(x, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "xfrm: spi-c and spi-s of one side must differ");
	ue_set(&s);
	s.family = 0;
	assert_int_equal(sec_xfrm_set_add(x, &s, err, sizeof(err)), -1);
	assert_int_equal(k.n, 0);

	assert_int_equal(sec_xfrm_set_addrs(&s, "10.0.0.1", "fd00::1", err, sizeof(err)), -1);
	assert_string_equal(err, "xfrm: addresses 10.0.0.1 and fd00::1 are of different families");
	assert_int_equal(sec_xfrm_set_addrs(&s, "10.0.0.300", "10.0.0.1", err, sizeof(err)), -1);
	assert_string_equal(err, "xfrm: \"10.0.0.300\" is not an IP address");
	sec_xfrm_close(x);
}

static void test_alg_names(void **state)
{
	enum sec_xfrm_alg a;
	enum sec_xfrm_ealg e;

	(void)state;
	assert_int_equal(sec_xfrm_alg_from_name("hmac-sha-1-96", &a), 0);
	assert_int_equal(a, SEC_XFRM_ALG_HMAC_SHA1_96);
	assert_int_equal(sec_xfrm_alg_from_name("HMAC-MD5-96", &a), 0);
	assert_int_equal(a, SEC_XFRM_ALG_HMAC_MD5_96);
	assert_int_equal(sec_xfrm_alg_from_name("hmac-sha-256", &a), -1);
	assert_int_equal(sec_xfrm_alg_from_name(NULL, &a), -1);
	assert_int_equal(sec_xfrm_ealg_from_name(NULL, &e), 0);
	assert_int_equal(e, SEC_XFRM_EALG_NULL);
	assert_int_equal(sec_xfrm_ealg_from_name("null", &e), 0);
	assert_int_equal(sec_xfrm_ealg_from_name("aes-cbc", &e), 0);
	assert_int_equal(e, SEC_XFRM_EALG_AES_CBC);
	assert_int_equal(sec_xfrm_ealg_from_name("des-ede3-cbc", &e), -1);
}

/* Dump answers built by hand: two SAs and two policies, one of each ours. */
static void test_cleanup(void **state)
{
	struct sink k = {0};
	struct sec_xfrm *x;
	uint8_t sa_ours[512] __attribute__((aligned(8))), sa_other[512] __attribute__((aligned(8)));
	uint8_t pol_ours[512] __attribute__((aligned(8))),
		pol_other[512] __attribute__((aligned(8)));
	char err[256];

	(void)state;
	memset(sa_ours, 0, sizeof(sa_ours));
	memset(sa_other, 0, sizeof(sa_other));
	memset(pol_ours, 0, sizeof(pol_ours));
	memset(pol_other, 0, sizeof(pol_other));
	for (int i = 0; i < 2; i++) {
		struct nlmsghdr *n = mnl_nlmsg_put_header(i ? sa_other : sa_ours);
		struct xfrm_usersa_info *sa;

		n->nlmsg_type = XFRM_MSG_NEWSA;
		n->nlmsg_flags = NLM_F_MULTI;
		sa = mnl_nlmsg_put_extra_header(n, sizeof(*sa));
		sa->id.daddr.a4 = v4(i ? "10.9.9.9" : "10.0.0.1");
		sa->id.spi = htonl(i ? 9999 : 1234);
		sa->id.proto = IPPROTO_ESP;
		sa->family = AF_INET;
		sa->reqid = i ? 0x1d5f0001 : (SEC_XFRM_REQID_TAG | 3);
	}
	for (int i = 0; i < 2; i++) {
		struct nlmsghdr *n = mnl_nlmsg_put_header(i ? pol_other : pol_ours);
		struct xfrm_userpolicy_info *p;
		struct xfrm_user_tmpl t;

		n->nlmsg_type = XFRM_MSG_NEWPOLICY;
		n->nlmsg_flags = NLM_F_MULTI;
		p = mnl_nlmsg_put_extra_header(n, sizeof(*p));
		p->index = i ? 77 : 42;
		p->dir = XFRM_POLICY_IN;
		memset(&t, 0, sizeof(t));
		t.reqid = i ? 5 : (SEC_XFRM_REQID_TAG | 3);
		mnl_attr_put(n, XFRMA_TMPL, sizeof(t), &t);
	}
	k.sa_dump[0] = (struct nlmsghdr *)sa_other;
	k.sa_dump[1] = (struct nlmsghdr *)sa_ours;
	k.n_sa_dump = 2;
	k.pol_dump[0] = (struct nlmsghdr *)pol_ours;
	k.pol_dump[1] = (struct nlmsghdr *)pol_other;
	k.n_pol_dump = 2;
	x = sec_xfrm_open_with(sink_xfer, &k);
	assert_int_equal(sec_xfrm_cleanup(x, err, sizeof(err)), 2);
	assert_int_equal(k.n, 4); /* two dumps, one policy and one SA deleted */
	assert_int_equal(M(&k, 0)->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
	assert_int_equal(M(&k, 0)->nlmsg_type, XFRM_MSG_GETPOLICY);
	assert_int_equal(M(&k, 1)->nlmsg_type, XFRM_MSG_GETSA);
	{
		const struct xfrm_userpolicy_id *id = mnl_nlmsg_get_payload(M(&k, 2));
		const struct xfrm_usersa_id *sid = mnl_nlmsg_get_payload(M(&k, 3));

		assert_int_equal(M(&k, 2)->nlmsg_type, XFRM_MSG_DELPOLICY);
		assert_int_equal(id->index, 42);
		assert_int_equal(id->dir, XFRM_POLICY_IN);
		assert_int_equal(M(&k, 3)->nlmsg_type, XFRM_MSG_DELSA);
		assert_int_equal(ntohl(sid->spi), 1234);
		assert_int_equal(sid->daddr.a4, v4("10.0.0.1"));
	}

	/* fresh SPIs avoid the SPIs in the kernel and are >= 256 and distinct */
	for (int i = 0; i < 200; i++) {
		uint32_t c, s;

		k.n = 0;
		assert_int_equal(sec_xfrm_fresh_spis(x, &c, &s, err, sizeof(err)), 0);
		assert_true(c >= 256 && s >= 256 && c != s);
		assert_true(c != 1234 && c != 9999 && s != 1234 && s != 9999);
	}
	sec_xfrm_close(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_sha1_null), cmocka_unit_test(test_add_sha1_aes),
		cmocka_unit_test(test_add_md5_null),  cmocka_unit_test(test_add_md5_aes),
		cmocka_unit_test(test_mirror),        cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_no_esp),        cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_del),           cmocka_unit_test(test_update_lifetime),
		cmocka_unit_test(test_invalid),       cmocka_unit_test(test_alg_names),
		cmocka_unit_test(test_cleanup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
