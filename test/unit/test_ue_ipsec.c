/* ue/ipsec.c over a recording XFRM sink: which SA sets exist when, with
 * which SPIs, ports, keys and lifetimes, through initial registration,
 * re-authentication, failures and deregistration (TS 24.229 5.1.1.4.2,
 * 5.1.1.5.1, 5.1.1.5.3, 5.1.1.6.2; TS 33.203 7.1-7.4).
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

#include "sec/secagree.h"
#include "sec/xfrm.h"
#include "sec/xfrm_priv.h"
#include "ue/ipsec.h"

#define MAXMSG 64

struct sink {
	uint8_t msg[MAXMSG][SEC_XFRM_MSG_MAX];
	size_t n;
	int fail_type; /* fail every request of this type, 0 = none */
	int fail_rc;
	const char *fail_text;
};

static int sink_xfer(void *arg, const struct nlmsghdr *req, sec_xfrm_msg_cb cb, void *data,
		     char *kerr, size_t kerrlen)
{
	struct sink *k = arg;

	(void)cb;
	(void)data;
	snprintf(kerr, kerrlen, "%s", "");
	if (req->nlmsg_type == XFRM_MSG_GETSA && (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
		return 0; /* an empty SAD */
	assert_true(k->n < MAXMSG);
	memcpy(k->msg[k->n++], req, req->nlmsg_len);
	if (k->fail_type && req->nlmsg_type == k->fail_type) {
		snprintf(kerr, kerrlen, "%s", k->fail_text ? k->fail_text : "");
		return k->fail_rc;
	}
	return 0;
}

static size_t count_type(const struct sink *k, uint16_t type)
{
	size_t n = 0;

	for (size_t i = 0; i < k->n; i++)
		if (((const struct nlmsghdr *)k->msg[i])->nlmsg_type == type)
			n++;
	return n;
}

static const uint8_t CK[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t IK[16] = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
			       0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0};

static struct sec_agree_entry server_entry(uint32_t spi_c, uint32_t spi_s, uint16_t port_c,
					   uint16_t port_s)
{
	static char alg[] = "hmac-sha-1-96", ealg[] = "aes-cbc";
	struct sec_agree_entry e;

	memset(&e, 0, sizeof(e));
	e.mech = SEC_MECH_IPSEC_3GPP;
	e.alg = alg;
	e.ealg = ealg;
	e.spi_c = spi_c;
	e.spi_s = spi_s;
	e.port_c = port_c;
	e.port_s = port_s;
	e.has_spi_c = e.has_spi_s = e.has_port_c = e.has_port_s = true;
	return e;
}

static uint32_t lifetime_of(const struct sink *k, size_t i)
{
	const struct nlmsghdr *n = (const struct nlmsghdr *)k->msg[i];
	struct xfrm_usersa_info sa;

	assert_true(n->nlmsg_type == XFRM_MSG_NEWSA || n->nlmsg_type == XFRM_MSG_UPDSA);
	memcpy(&sa, mnl_nlmsg_get_payload(n), sizeof(sa));
	return sa.lft.hard_add_expires_seconds;
}

static uint32_t del_spi(const struct sink *k, size_t i)
{
	const struct nlmsghdr *n = (const struct nlmsghdr *)k->msg[i];
	struct xfrm_usersa_id id;

	assert_int_equal(n->nlmsg_type, XFRM_MSG_DELSA);
	memcpy(&id, mnl_nlmsg_get_payload(n), sizeof(id));
	return ntohl(id.spi);
}

/* Initial registration, re-authentication, first use, deregistration. */
static void test_life_cycle(void **state)
{
	struct sink k = {0};
	struct ue_ipsec *ip;
	struct ue_ipsec_offer o1, o2;
	struct sec_agree_entry srv;
	const struct sec_xfrm_set *s;
	uint32_t old_spi_c, old_spi_s;
	char err[256];

	(void)state;
	ip = ue_ipsec_new_with(sec_xfrm_open_with(sink_xfer, &k), "10.0.0.1", 5064, err,
			       sizeof(err));
	assert_non_null(ip);
	assert_null(ue_ipsec_current(ip));

	/* initial REGISTER: the offer */
	assert_int_equal(ue_ipsec_offer(ip, 10000, 60000, &o1, err, sizeof(err)), 0);
	assert_true(o1.spi_c >= 256 && o1.spi_s >= 256 && o1.spi_c != o1.spi_s);
	assert_true(o1.port_c >= 10000 && o1.port_c <= 60000 && o1.port_c != 5064);
	assert_int_equal(o1.port_s, 5064);
	assert_int_equal(k.n, 0);

	/* valid 401: temporary set, lifetime reg-await-auth rounded up */
	srv = server_entry(3333, 4444, 6100, 6101);
	assert_int_equal(ue_ipsec_temporary(ip, "10.0.0.2", &srv, CK, IK, 16500, err, sizeof(err)),
			 0);
	assert_int_equal(count_type(&k, XFRM_MSG_NEWSA), 4);
	assert_int_equal(count_type(&k, XFRM_MSG_NEWPOLICY), 4);
	assert_int_equal(lifetime_of(&k, 0), 17);
	s = ue_ipsec_current(ip);
	assert_non_null(s);
	assert_int_equal(s->local.port_c, o1.port_c);
	assert_int_equal(s->local.port_s, 5064);
	assert_int_equal(s->local.spi_c, o1.spi_c);
	assert_int_equal(s->local.spi_s, o1.spi_s);
	assert_int_equal(s->remote.port_c, 6100);
	assert_int_equal(s->remote.port_s, 6101);
	assert_int_equal(s->remote.spi_c, 3333);
	assert_int_equal(s->remote.spi_s, 4444);
	assert_int_equal(s->alg, SEC_XFRM_ALG_HMAC_SHA1_96);
	assert_int_equal(s->ealg, SEC_XFRM_EALG_AES_CBC);
	assert_memory_equal(s->ck, CK, 16);
	assert_memory_equal(s->ik, IK, 16);
	assert_null(ue_ipsec_established_set(ip));
	/* the offer is used up: a second challenge needs a new one */
	assert_int_equal(ue_ipsec_temporary(ip, "10.0.0.2", &srv, CK, IK, 16500, err, sizeof(err)),
			 -1);

	/* 200: established, lifetime expires + 30 s (5.1.1.5.1 / 33.203 7.4) */
	k.n = 0;
	assert_int_equal(ue_ipsec_established(ip, 600000, err, sizeof(err)), 0);
	assert_int_equal(count_type(&k, XFRM_MSG_UPDSA), 4);
	assert_int_equal(count_type(&k, XFRM_MSG_UPDPOLICY), 4);
	assert_int_equal(lifetime_of(&k, 0), 600030);
	assert_ptr_equal(ue_ipsec_current(ip), ue_ipsec_established_set(ip));
	assert_null(ue_ipsec_old_set(ip));
	old_spi_c = ue_ipsec_established_set(ip)->local.spi_c;
	old_spi_s = ue_ipsec_established_set(ip)->local.spi_s;

	/* re-authentication: new SPIs and port-c, same port-s */
	assert_int_equal(ue_ipsec_offer(ip, 10000, 60000, &o2, err, sizeof(err)), 0);
	assert_true(o2.port_c != o1.port_c);
	assert_int_equal(o2.port_s, 5064);
	srv = server_entry(7777, 8888, 6200, 6101);
	k.n = 0;
	assert_int_equal(ue_ipsec_temporary(ip, "10.0.0.2", &srv, CK, IK, 16000, err, sizeof(err)),
			 0);
	assert_int_equal(lifetime_of(&k, 0), 16);
	assert_int_equal(ue_ipsec_current(ip)->local.port_c, o2.port_c);
	assert_int_equal(ue_ipsec_established_set(ip)->local.port_c, o1.port_c);
	assert_int_not_equal(ue_ipsec_current(ip)->id, ue_ipsec_established_set(ip)->id);

	/* 200 with a shorter expiry: the old set's remaining lifetime wins */
	k.n = 0;
	assert_int_equal(ue_ipsec_established(ip, 100, err, sizeof(err)), 0);
	assert_true(lifetime_of(&k, 0) >= 600028 && lifetime_of(&k, 0) <= 600030);
	assert_int_equal(ue_ipsec_established_set(ip)->local.port_c, o2.port_c);
	assert_non_null(ue_ipsec_old_set(ip));
	assert_int_equal(ue_ipsec_old_set(ip)->local.port_c, o1.port_c);

	/* the first message over the new set retires the old one */
	k.n = 0;
	assert_int_equal(ue_ipsec_new_set_used(ip, err, sizeof(err)), 0);
	assert_int_equal(count_type(&k, XFRM_MSG_DELPOLICY), 4);
	assert_int_equal(count_type(&k, XFRM_MSG_DELSA), 4);
	{
		/* the UE's inbound SAs of the old set carried its old SPIs */
		bool c = false, sp = false;

		for (size_t i = 4; i < 8; i++) {
			c |= del_spi(&k, i) == old_spi_c;
			sp |= del_spi(&k, i) == old_spi_s;
		}
		assert_true(c && sp);
	}
	assert_null(ue_ipsec_old_set(ip));

	/* deregistration: everything goes, keys wiped */
	k.n = 0;
	assert_int_equal(ue_ipsec_delete_all(ip, err, sizeof(err)), 0);
	assert_int_equal(count_type(&k, XFRM_MSG_DELSA), 4);
	assert_null(ue_ipsec_current(ip));
	assert_null(ue_ipsec_established_set(ip));
	k.n = 0;
	ue_ipsec_free(ip);
	assert_int_equal(k.n, 0);
}

/* An invalid challenge or a failed challenged REGISTER: no set remains. */
static void test_failures(void **state)
{
	struct sink k = {0};
	struct ue_ipsec *ip;
	struct ue_ipsec_offer o;
	struct sec_agree_entry srv;
	char err[512];

	(void)state;
	ip = ue_ipsec_new_with(sec_xfrm_open_with(sink_xfer, &k), "10.0.0.1", 5064, err,
			       sizeof(err));
	assert_non_null(ip);
	srv = server_entry(3333, 4444, 6100, 6101);
	/* no offer yet */
	assert_int_equal(ue_ipsec_temporary(ip, "10.0.0.2", &srv, CK, IK, 16000, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "ipsec: a challenge without an offer (Security-Client)");
	assert_int_equal(ue_ipsec_offer(ip, 10000, 60000, &o, err, sizeof(err)), 0);

	/* entry without port-s, unknown algorithm, wrong family: nothing sent */
	srv.has_port_s = false;
	assert_int_equal(ue_ipsec_temporary(ip, "10.0.0.2", &srv, CK, IK, 16000, err, sizeof(err)),
			 -1);
	srv = server_entry(3333, 4444, 6100, 6101);
	srv.alg = (char *)"hmac-sha-256";
	assert_int_equal(ue_ipsec_temporary(ip, "10.0.0.2", &srv, CK, IK, 16000, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "ipsec: unsupported algorithm alg=hmac-sha-256 ealg=aes-cbc");
	srv = server_entry(3333, 4444, 6100, 6101);
	assert_int_equal(ue_ipsec_temporary(ip, "fd00::2", &srv, CK, IK, 16000, err, sizeof(err)),
			 -1);
	assert_int_equal(k.n, 0);
	/* 200 without a temporary set */
	assert_int_equal(ue_ipsec_established(ip, 600, err, sizeof(err)), -1);

	/* the challenged REGISTER failed: the temporary set goes */
	assert_int_equal(ue_ipsec_temporary(ip, "10.0.0.2", &srv, CK, IK, 16000, err, sizeof(err)),
			 0);
	k.n = 0;
	assert_int_equal(ue_ipsec_drop_temporary(ip, err, sizeof(err)), 0);
	assert_int_equal(count_type(&k, XFRM_MSG_DELSA), 4);
	assert_null(ue_ipsec_current(ip));

	/* a kernel without ESP: the error comes through, no set is kept */
	assert_int_equal(ue_ipsec_offer(ip, 10000, 60000, &o, err, sizeof(err)), 0);
	k.n = 0;
	k.fail_type = XFRM_MSG_NEWSA;
	k.fail_rc = -EPROTONOSUPPORT;
	k.fail_text = "Requested type not found";
	assert_int_equal(ue_ipsec_temporary(ip, "10.0.0.2", &srv, CK, IK, 16000, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "this kernel has no ESP support"));
	assert_int_equal(count_type(&k, XFRM_MSG_NEWPOLICY), 0);
	assert_null(ue_ipsec_current(ip));
	ue_ipsec_free(ip);

	assert_null(ue_ipsec_new_with(sec_xfrm_open_with(sink_xfer, &k), "10.0.0.1", 0, err,
				      sizeof(err)));
	assert_string_equal(err, "ipsec: a UE address and a non-zero port-s are needed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_life_cycle),
		cmocka_unit_test(test_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
