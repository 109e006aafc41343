/* ue/msg.c: REGISTER building (24.229 5.1.1.2, 5.1.1.6) and reading the
 * 200 (OK) (5.1.1.2.1), with the parsers' error paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ue/msg.h"

#define IMPU   "sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org"
#define DOMAIN "ims.mnc001.mcc001.3gppnetwork.org"
#define INST   "urn:gsma:imei:49015420-323751-0"

static struct ue_msg_register base_req(void)
{
	struct ue_msg_register r = {
		.home_domain = DOMAIN,
		.impu = IMPU,
		.from_tag = "ftag",
		.call_id = "cid1",
		.cseq = 7,
		.contact_user = "001010000000001",
		.contact_host = "192.0.2.10",
		.contact_port = 5060,
		.transport = "udp",
		.instance = INST,
		.expires = 600000,
		.authorization = "Digest username=\"u\"",
	};
	return r;
}

static void test_register_initial(void **state)
{
	struct ue_msg_register r = base_req();
	char out[2048];
	int n;

	(void)state;
	n = ue_msg_register_build(&r, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(out));
	assert_string_equal(out,
			    "REGISTER sip:" DOMAIN " SIP/2.0\r\n"
			    "Max-Forwards: 70\r\n"
			    "From: <" IMPU ">;tag=ftag\r\n"
			    "To: <" IMPU ">\r\n"
			    "Call-ID: cid1\r\n"
			    "CSeq: 7 REGISTER\r\n"
			    "Contact: <sip:001010000000001@192.0.2.10:5060>;+sip.instance=\"<" INST
			    ">\"\r\n"
			    "Expires: 600000\r\n"
			    "Supported: path, gruu\r\n"
			    "Authorization: Digest username=\"u\"\r\n");
}

static void test_register_secagree_tcp_v6(void **state)
{
	struct ue_msg_register r = base_req();
	char out[2048];

	(void)state;
	r.impu = "001010000000001@" DOMAIN; /* without sip: */
	r.contact_host = "2001:db8::1";
	r.transport = "tcp";
	r.instance = NULL;
	r.security_client = "ipsec-3gpp;alg=hmac-sha-1-96";
	r.security_verify = "ipsec-3gpp;q=0.9";
	r.pani = "3GPP-E-UTRAN-FDD";
	assert_true(ue_msg_register_build(&r, out, sizeof(out)) > 0);
	assert_non_null(strstr(out, "From: <sip:001010000000001@" DOMAIN ">;tag=ftag\r\n"));
	assert_non_null(strstr(out, "Contact: <sip:001010000000001@[2001:db8::1]:5060;"
				    "transport=tcp>\r\n"));
	assert_non_null(strstr(out, "Security-Client: ipsec-3gpp;alg=hmac-sha-1-96\r\n"
				    "Security-Verify: ipsec-3gpp;q=0.9\r\n"
				    "Require: sec-agree\r\nProxy-Require: sec-agree\r\n"));
	assert_non_null(strstr(out, "P-Access-Network-Info: 3GPP-E-UTRAN-FDD\r\n"));
}

static void test_register_dereg_star(void **state)
{
	struct ue_msg_register r = base_req();
	char out[2048];

	(void)state;
	r.contact_star = true;
	r.expires = 0;
	assert_true(ue_msg_register_build(&r, out, sizeof(out)) > 0);
	assert_non_null(strstr(out, "\r\nContact: *\r\nExpires: 0\r\n"));
	assert_null(strstr(out, "+sip.instance"));
}

/* Fetching bindings (24.229 5.1.1.4.1): no Contact and no Expires;
 * ICSI feature tag after the instance. */
static void test_register_fetch_and_tags(void **state)
{
	struct ue_msg_register r = base_req();
	char out[2048];

	(void)state;
	r.no_contact = true;
	assert_true(ue_msg_register_build(&r, out, sizeof(out)) > 0);
	assert_null(strstr(out, "Contact:"));
	assert_null(strstr(out, "Expires:"));
	assert_non_null(strstr(out, "\r\nTo: <"));
	r = base_req();
	r.feature_tags = "+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel\"";
	assert_true(ue_msg_register_build(&r, out, sizeof(out)) > 0);
	assert_non_null(strstr(out,
			       ">\";+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel\""
			       "\r\n"));
}

static void test_register_errors(void **state)
{
	struct ue_msg_register r = base_req();
	char out[64];

	(void)state;
	assert_int_equal(ue_msg_register_build(&r, out, sizeof(out)), -1);
	assert_string_equal(out, "");
	r.home_domain = "";
	assert_int_equal(ue_msg_register_build(&r, out, sizeof(out)), -1);
	r = base_req();
	r.contact_host = NULL;
	assert_int_equal(ue_msg_register_build(&r, out, sizeof(out)), -1);
	assert_int_equal(ue_msg_register_build(&r, out, 0), -1);
}

static void test_list_next(void **state)
{
	const char *v = " <sip:a,b@x>;p=\"q,r\" , ,sip:c;lr,\"N, M\" <sip:d>";
	const char *e;
	size_t pos = 0, len;

	(void)state;
	assert_int_equal(ue_msg_list_next(v, strlen(v), &pos, &e, &len), 1);
	assert_int_equal(len, strlen("<sip:a,b@x>;p=\"q,r\""));
	assert_int_equal(ue_msg_list_next(v, strlen(v), &pos, &e, &len), 1);
	assert_memory_equal(e, "sip:c;lr", len);
	assert_int_equal(ue_msg_list_next(v, strlen(v), &pos, &e, &len), 1);
	assert_memory_equal(e, "\"N, M\" <sip:d>", len);
	assert_int_equal(ue_msg_list_next(v, strlen(v), &pos, &e, &len), 0);
	pos = 0;
	assert_int_equal(ue_msg_list_next("<sip:a", 6, &pos, &e, &len), -1);
	pos = 0;
	assert_int_equal(ue_msg_list_next("\"abc", 4, &pos, &e, &len), -1);
}

static void test_element_uri_param(void **state)
{
	const char *e = "\"Bob\" <sip:bob@h:5062;transport=tcp>;expires=3600;"
			"+sip.instance=\"<urn:x\\\"y>\";pub-gruu=\"sip:g@h;gr=1\";flag";
	char out[128], err[128];

	(void)state;
	assert_int_equal(ue_msg_element_uri(e, strlen(e), out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "sip:bob@h:5062;transport=tcp");
	assert_int_equal(ue_msg_element_param(e, strlen(e), "expires", out, sizeof(out)), 1);
	assert_string_equal(out, "3600");
	assert_int_equal(ue_msg_element_param(e, strlen(e), "+SIP.instance", out, sizeof(out)), 1);
	assert_string_equal(out, "<urn:x\"y>");
	assert_int_equal(ue_msg_element_param(e, strlen(e), "pub-gruu", out, sizeof(out)), 1);
	assert_string_equal(out, "sip:g@h;gr=1");
	assert_int_equal(ue_msg_element_param(e, strlen(e), "flag", out, sizeof(out)), 1);
	assert_string_equal(out, "");
	assert_int_equal(ue_msg_element_param(e, strlen(e), "transport", out, sizeof(out)), 0);
	assert_int_equal(ue_msg_element_param(e, strlen(e), "expires", out, 3), -1);
	/* addr-spec without <> */
	assert_int_equal(ue_msg_element_uri("sip:a@b;lr", 10, out, sizeof(out), err, sizeof(err)),
			 0);
	assert_string_equal(out, "sip:a@b");
	assert_int_equal(ue_msg_element_param("sip:a@b;lr", 10, "lr", out, sizeof(out)), 1);
	/* errors */
	assert_int_equal(ue_msg_element_uri("<sip:a", 6, out, sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unterminated"));
	assert_int_equal(ue_msg_element_uri("<>", 2, out, sizeof(out), err, sizeof(err)), -1);
	assert_int_equal(ue_msg_element_uri("<sip:abcdef>", 12, out, 4, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(ue_msg_element_param("<sip:a>;x=\"abc", 14, "x", out, sizeof(out)), -1);
}

static void test_uri_hostport(void **state)
{
	char host[64], err[128];
	uint16_t port;

	(void)state;
	assert_int_equal(ue_msg_uri_hostport("sip:u@Host.example:5070;lr", 26, host, sizeof(host),
					     &port, err, sizeof(err)),
			 0);
	assert_string_equal(host, "Host.example");
	assert_int_equal(port, 5070);
	assert_int_equal(ue_msg_uri_hostport("sips:[2001:db8::1]", 18, host, sizeof(host), &port,
					     err, sizeof(err)),
			 0);
	assert_string_equal(host, "2001:db8::1");
	assert_int_equal(port, 0);
	assert_int_equal(
		ue_msg_uri_hostport("tel:+1", 6, host, sizeof(host), &port, err, sizeof(err)), -1);
	assert_int_equal(
		ue_msg_uri_hostport("sip:h:99999", 11, host, sizeof(host), &port, err, sizeof(err)),
		-1);
	assert_non_null(strstr(err, "port"));
	assert_int_equal(
		ue_msg_uri_hostport("sip:h:", 6, host, sizeof(host), &port, err, sizeof(err)), -1);
	assert_int_equal(
		ue_msg_uri_hostport("sip:[::1", 8, host, sizeof(host), &port, err, sizeof(err)),
		-1);
	assert_int_equal(
		ue_msg_uri_hostport("sip:", 4, host, sizeof(host), &port, err, sizeof(err)), -1);
	assert_int_equal(ue_msg_uri_hostport("sip:hostname", 12, host, 4, &port, err, sizeof(err)),
			 -1);
	assert_int_equal(
		ue_msg_uri_hostport("sip:h:5x", 8, host, sizeof(host), &port, err, sizeof(err)),
		-1);
}

static void test_delta_seconds(void **state)
{
	unsigned long x;
	char err[96];

	(void)state;
	assert_int_equal(ue_msg_delta_seconds(" 120 ;duration=3", 16, &x, err, sizeof(err)), 0);
	assert_int_equal(x, 120);
	assert_int_equal(ue_msg_delta_seconds("18 (retry)", 10, &x, err, sizeof(err)), 0);
	assert_int_equal(x, 18);
	assert_int_equal(ue_msg_delta_seconds("", 0, &x, err, sizeof(err)), -1);
	assert_int_equal(ue_msg_delta_seconds("x", 1, &x, err, sizeof(err)), -1);
	assert_int_equal(ue_msg_delta_seconds("12a", 3, &x, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "junk"));
	assert_int_equal(ue_msg_delta_seconds("99999999999", 11, &x, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too large"));
	/* length bounds the read: "12" of "123" */
	assert_int_equal(ue_msg_delta_seconds("123", 2, &x, err, sizeof(err)), 0);
	assert_int_equal(x, 12);
}

static void test_reg_ok_parse(void **state)
{
	const struct sip_hdr h[] = {
		{"Via", "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1"},
		{"Contact", "<sip:other@198.51.100.1:5060>;expires=100"},
		{"Contact", "<sip:001010000000001@192.0.2.10:5060>;expires=1200;"
			    "+sip.instance=\"<" INST ">\";pub-gruu=\"sip:p@x;gr=1\";"
			    "temp-gruu=\"sip:t@x;gr\""},
		{"Expires", "600000"},
		{"Service-Route", "<sip:orig@scscf.x;lr>, <sip:two@y;lr>"},
		{"P-Associated-URI", "<" IMPU ">, <tel:+15551234567>"},
		{"P-Associated-URI", "<sip:third@x>"},
		{"Path", "<sip:term@pcscf.x;lr>"},
		{"Authentication-Info", "nextnonce=\"abc\""},
		{"Feature-Caps", "*;+g.3gpp.icsi-ref"},
	};
	struct ue_msg_reg_ok ok;
	char err[128];

	(void)state;
	assert_int_equal(ue_msg_reg_ok_parse(h, sizeof(h) / sizeof(h[0]), "192.0.2.10", 5060, INST,
					     &ok, err, sizeof(err)),
			 0);
	assert_true(ok.contact_found);
	assert_int_equal(ok.expires, 1200);
	assert_int_equal(ok.n_contacts, 2);
	assert_int_equal(ok.n_service_route, 2);
	assert_string_equal(ok.service_route[0], "sip:orig@scscf.x;lr");
	assert_int_equal(ok.n_assoc_uri, 3);
	assert_string_equal(ok.assoc_uri[0], IMPU);
	assert_string_equal(ok.assoc_uri[1], "tel:+15551234567");
	assert_string_equal(ok.assoc_uri[2], "sip:third@x");
	assert_int_equal(ok.n_path, 1);
	assert_string_equal(ok.pub_gruu, "sip:p@x;gr=1");
	assert_string_equal(ok.temp_gruu, "sip:t@x;gr");
	assert_string_equal(ok.auth_info, "nextnonce=\"abc\"");
	assert_string_equal(ok.feature_caps, "*;+g.3gpp.icsi-ref");

	/* Without the instance: matched by host and port; Expires header used. */
	{
		const struct sip_hdr h2[] = {
			{"Contact", "<sip:u@192.0.2.10>"},
			{"Expires", "300"},
		};

		assert_int_equal(
			ue_msg_reg_ok_parse(h2, 2, "192.0.2.10", 5060, NULL, &ok, err, sizeof(err)),
			0);
		assert_true(ok.contact_found);
		assert_int_equal(ok.expires, 300);
		assert_int_equal(
			ue_msg_reg_ok_parse(h2, 2, "192.0.2.10", 5070, NULL, &ok, err, sizeof(err)),
			0);
		assert_false(ok.contact_found);
		assert_int_equal(ok.expires, -1);
	}
}

static void test_reg_ok_errors(void **state)
{
	struct ue_msg_reg_ok ok;
	char err[128];
	const struct sip_hdr bad_exp[] = {{"Expires", "soon"}};
	const struct sip_hdr bad_contact[] = {{"Contact", "<sip:a@b"}};
	const struct sip_hdr bad_cexp[] = {{"Contact", "<sip:a@h:5060>;expires=x"}};
	const struct sip_hdr bad_sr[] = {{"Service-Route", "<sip:a"}};
	const struct sip_hdr bad_pau[] = {{"P-Associated-URI", "<>"}};

	(void)state;
	assert_int_equal(ue_msg_reg_ok_parse(bad_exp, 1, "h", 5060, NULL, &ok, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "Expires"));
	assert_int_equal(
		ue_msg_reg_ok_parse(bad_contact, 1, "h", 5060, NULL, &ok, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Contact"));
	assert_int_equal(ue_msg_reg_ok_parse(bad_cexp, 1, "h", 5060, NULL, &ok, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "expires"));
	assert_int_equal(ue_msg_reg_ok_parse(bad_sr, 1, "h", 5060, NULL, &ok, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "Service-Route"));
	assert_int_equal(ue_msg_reg_ok_parse(bad_pau, 1, "h", 5060, NULL, &ok, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "P-Associated-URI"));
}

static void test_bindings_parse(void **state)
{
	const struct sip_hdr h[] = {
		{"Contact", "<sip:a@192.0.2.10:5060>;expires=300;+sip.instance=\"<" INST ">\", "
			    "\"B\" <sip:b@192.0.2.11>"},
		{"Via", "SIP/2.0/UDP 192.0.2.10"},
		{"Contact", "sip:c@[2001:db8::1]:5070;transport=tcp;expires=7"},
		{"Expires", "600"},
	};
	struct ue_msg_binding b[2];
	int cnt, total;
	char err[128];

	(void)state;
	assert_int_equal(ue_msg_bindings_parse(h, 4, b, 2, &cnt, &total, err, sizeof(err)), 0);
	assert_int_equal(cnt, 2);
	assert_int_equal(total, 3);
	assert_string_equal(b[0].uri, "sip:a@192.0.2.10:5060");
	assert_int_equal(b[0].expires, 300);
	assert_string_equal(b[0].instance, INST);
	assert_string_equal(b[1].uri, "sip:b@192.0.2.11");
	assert_int_equal(b[1].expires, 600); /* from the Expires header */
	assert_string_equal(b[1].instance, "");
	/* No Contact at all: no bindings; without Expires the expiry is -1. */
	assert_int_equal(ue_msg_bindings_parse(h + 1, 1, b, 2, &cnt, &total, err, sizeof(err)), 0);
	assert_int_equal(cnt + total, 0);
	assert_int_equal(ue_msg_bindings_parse(h, 1, b, 2, &cnt, &total, err, sizeof(err)), 0);
	assert_int_equal(b[1].expires, -1);
}

static void test_bindings_errors(void **state)
{
	const struct sip_hdr star[] = {{"Contact", "*"}};
	const struct sip_hdr bad_exp[] = {{"Expires", "x"}};
	const struct sip_hdr bad_uri[] = {{"Contact", "<sip:a@b"}};
	const struct sip_hdr bad_cexp[] = {{"Contact", "<sip:a@b>;expires=-1"}};
	const struct sip_hdr bad_inst[] = {{"Contact", "<sip:a@b>;+sip.instance=\"<urn:x"}};
	const struct sip_hdr bad_quote[] = {{"Contact", "\"unterminated <sip:a@b>"}};
	struct ue_msg_binding b[1];
	int cnt, total;
	char err[128];

	(void)state;
	assert_int_equal(ue_msg_bindings_parse(star, 1, b, 1, &cnt, &total, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Contact: *"));
	assert_int_equal(ue_msg_bindings_parse(bad_exp, 1, b, 1, &cnt, &total, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "Expires"));
	assert_int_equal(ue_msg_bindings_parse(bad_uri, 1, b, 1, &cnt, &total, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "Contact"));
	assert_int_equal(ue_msg_bindings_parse(bad_cexp, 1, b, 1, &cnt, &total, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "expires"));
	assert_int_equal(ue_msg_bindings_parse(bad_inst, 1, b, 1, &cnt, &total, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "Contact"));
	assert_int_equal(ue_msg_bindings_parse(bad_quote, 1, b, 1, &cnt, &total, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "Contact"));
}

static void test_icsi_tag(void **state)
{
	char out[256], err[128];

	(void)state;
	assert_int_equal(ue_msg_icsi_tag("urn:urn-7:3gpp-service.ims.icsi.mmtel", 37, out,
					 sizeof(out), err, sizeof(err)),
			 60);
	assert_string_equal(out, "+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel\"");
	assert_true(ue_msg_icsi_tag(" urn:a:b, urn:c ,", 17, out, sizeof(out), err, sizeof(err)) >
		    0);
	assert_string_equal(out, "+g.3gpp.icsi-ref=\"urn%3Aa%3Ab,urn%3Ac\"");
	/* length bounds the read: only "urn:ab" of "urn:abc" */
	assert_true(ue_msg_icsi_tag("urn:abc", 6, out, sizeof(out), err, sizeof(err)) > 0);
	assert_string_equal(out, "+g.3gpp.icsi-ref=\"urn%3Aab\"");
	assert_int_equal(ue_msg_icsi_tag(" , ", 3, out, sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(ue_msg_icsi_tag("urn:a,mmtel", 11, out, sizeof(out), err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "value 2"));
	assert_string_equal(out, "");
	assert_int_equal(ue_msg_icsi_tag("urn:a\"b", 7, out, sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "0x22"));
	assert_int_equal(ue_msg_icsi_tag("urn:a\x01", 6, out, sizeof(out), err, sizeof(err)), -1);
	assert_int_equal(ue_msg_icsi_tag("urn:abcdef", 10, out, 20, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not fit"));
	assert_int_equal(ue_msg_icsi_tag("urn:a", 5, out, 0, err, sizeof(err)), -1);
}

static void test_refresh_and_header(void **state)
{
	const struct sip_hdr h[] = {{"min-expires", "60"}};
	char tok[40];

	(void)state;
	assert_int_equal(ue_msg_refresh_delay(600000), 599400);
	assert_int_equal(ue_msg_refresh_delay(1201), 601);
	assert_int_equal(ue_msg_refresh_delay(1200), 600);
	assert_int_equal(ue_msg_refresh_delay(120), 60);
	assert_int_equal(ue_msg_refresh_delay(1), 0);
	assert_string_equal(ue_msg_header(h, 1, "Min-Expires"), "60");
	assert_null(ue_msg_header(h, 1, "Expires"));
	assert_int_equal(ue_msg_random_token(tok, sizeof(tok), 16), 0);
	assert_int_equal(strlen(tok), 32);
	assert_int_equal(ue_msg_random_token(tok, 10, 16), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_initial),
		cmocka_unit_test(test_register_secagree_tcp_v6),
		cmocka_unit_test(test_register_dereg_star),
		cmocka_unit_test(test_register_fetch_and_tags),
		cmocka_unit_test(test_register_errors),
		cmocka_unit_test(test_list_next),
		cmocka_unit_test(test_element_uri_param),
		cmocka_unit_test(test_uri_hostport),
		cmocka_unit_test(test_delta_seconds),
		cmocka_unit_test(test_reg_ok_parse),
		cmocka_unit_test(test_reg_ok_errors),
		cmocka_unit_test(test_bindings_parse),
		cmocka_unit_test(test_bindings_errors),
		cmocka_unit_test(test_icsi_tag),
		cmocka_unit_test(test_refresh_and_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
