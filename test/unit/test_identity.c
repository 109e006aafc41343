/* Identity derivation (TS 23.003 clause 13, RCC.14 2.2, RFC 7254) and the
 * struct ims_profile helpers. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "provisioning/identity.h"
#include "provisioning/profile.h"

static void from_imsi_ok(const char *imsi, int mnc_digits, struct prov_identity *id)
{
	char err[160] = "";
	if (prov_identity_from_imsi(imsi, strlen(imsi), mnc_digits, id, err, sizeof(err)) != 0) {
		print_error("IMSI %s: %s\n", imsi, err);
		fail();
	}
}

static void test_imsi_two_digit_mnc(void **state)
{
	struct prov_identity id;
	from_imsi_ok("234150999999999", 0, &id);
	assert_string_equal(id.imsi, "234150999999999");
	assert_string_equal(id.mcc, "234");
	assert_string_equal(id.mnc, "15");
	assert_int_equal(id.mnc_digits, 2);
	/* TS 23.003 13.2-13.4B, with the MNC padded to 3 digits. */
	assert_string_equal(id.impi, "234150999999999@ims.mnc015.mcc234.3gppnetwork.org");
	assert_string_equal(id.impu, "sip:234150999999999@ims.mnc015.mcc234.3gppnetwork.org");
	assert_string_equal(id.home_domain, "ims.mnc015.mcc234.3gppnetwork.org");
	assert_string_equal(id.autoconf_url, "http://config.rcs.mnc015.mcc234.pub.3gppnetwork.org");

	/* The RCC.14 example (ANNEX, IMSI 214 01 1001388741). */
	from_imsi_ok("214011001388741", 0, &id);
	assert_string_equal(id.impi, "214011001388741@ims.mnc001.mcc214.3gppnetwork.org");
}

static void test_imsi_three_digit_mnc(void **state)
{
	static const struct {
		const char *imsi;
		const char *mnc;
	} cases[] = {
		{"302720123456789", "720"}, {"310150123456789", "150"}, {"311480123456789", "480"},
		{"312530123456789", "530"}, {"313100123456789", "100"}, {"314020123456789", "020"},
		{"315010123456789", "010"}, {"316010123456789", "010"}, {"334020123456789", "020"},
		{"338050123456789", "050"}, {"342600123456789", "600"}, {"344050123456789", "050"},
		{"346140123456789", "140"}, {"348170123456789", "170"}, {"354860123456789", "860"},
		{"356050123456789", "050"}, {"358110123456789", "110"}, {"360070123456789", "070"},
		{"365010123456789", "010"}, {"376350123456789", "350"}, {"708001123456789", "001"},
		{"722070123456789", "070"}, {"732101123456789", "101"}, {"330110123456789", "110"},
		{"405854123456789", "854"}, {"405750123456789", "750"}, {"405025123456789", "025"},
		{"405047123456789", "047"},
	};
	struct prov_identity id;
	char want[80];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		from_imsi_ok(cases[i].imsi, 0, &id);
		assert_int_equal(id.mnc_digits, 3);
		assert_string_equal(id.mnc, cases[i].mnc);
		snprintf(want, sizeof(want), "ims.mnc%s.mcc%.3s.3gppnetwork.org", cases[i].mnc,
			 cases[i].imsi);
		assert_string_equal(id.home_domain, want);
	}
	/* MCC 405 outside the 3-digit ranges, and neighbours of table MCCs. */
	static const char *const two[] = {"405011234567890", "405700123456789", "405048123456789",
					  "405024123456789", "404451234567890", "301001234567890",
					  "317001234567890", "001010123456789", "262011234567890"};
	for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++) {
		from_imsi_ok(two[i], 0, &id);
		assert_int_equal(id.mnc_digits, 2);
	}
}

static void test_imsi_override_and_14_digits(void **state)
{
	struct prov_identity id;
	from_imsi_ok("310150123456789", 2, &id);
	assert_string_equal(id.mnc, "15");
	assert_string_equal(id.home_domain, "ims.mnc015.mcc310.3gppnetwork.org");
	from_imsi_ok("234150123456789", 3, &id);
	assert_string_equal(id.mnc, "150");
	assert_string_equal(id.impu, "sip:234150123456789@ims.mnc150.mcc234.3gppnetwork.org");

	from_imsi_ok("26201123456789", 0, &id);
	assert_string_equal(id.imsi, "26201123456789");
	assert_string_equal(id.impi, "26201123456789@ims.mnc001.mcc262.3gppnetwork.org");
	from_imsi_ok("31015012345678", 0, &id);
	assert_string_equal(id.impi, "31015012345678@ims.mnc150.mcc310.3gppnetwork.org");

	/* Length-bounded: the bytes after len are not read or copied. */
	char *buf = malloc(15);
	assert_non_null(buf);
	memcpy(buf, "001010123456789", 15);
	char err[160];
	assert_int_equal(prov_identity_from_imsi(buf, 15, 0, &id, err, sizeof(err)), 0);
	assert_string_equal(id.imsi, "001010123456789");
	assert_int_equal(prov_identity_from_imsi(buf, 14, 0, &id, err, sizeof(err)), 0);
	assert_string_equal(id.imsi, "00101012345678");
	free(buf);
}

static void imsi_err(const char *imsi, size_t len, int mnc_digits, const char *want)
{
	struct prov_identity id;
	char err[160] = "";
	memset(&id, 0x55, sizeof(id));
	int rc = prov_identity_from_imsi(imsi, len, mnc_digits, &id, err, sizeof(err));
	if (rc != -1 || !strstr(err, want) || strchr(err, '\n')) {
		print_error("IMSI '%.*s': rc %d, err '%s', want '%s'\n", (int)len, imsi ? imsi : "",
			    rc, err, want);
		fail();
	}
	assert_int_equal(id.impi[0], 0);
	assert_int_equal(id.mnc_digits, 0);
}

static void test_imsi_errors(void **state)
{
	imsi_err("", 0, 0, "IMSI is empty");
	imsi_err(NULL, 0, 0, "IMSI is empty");
	imsi_err("00101012345678x", 15, 0, "IMSI: character 15 is 'x', not a decimal digit");
	imsi_err("+01010123456789", 15, 0, "IMSI: character 1 is '+'");
	imsi_err("0010101234\n6789", 15, 0, "character 11 is 0x0a");
	imsi_err("001010123456\0"
		 "89",
		 15, 0, "character 13 is 0x00");
	imsi_err("00101\xff", 6, 0, "character 6 is 0xff");
	imsi_err("0010101234567", 13, 0, "IMSI has 13 digits; it must have 14 or 15");
	imsi_err("0010101234567890", 16, 0, "IMSI has 16 digits; it must have 14 or 15");
	imsi_err("001", 3, 0, "IMSI has 3 digits");
	imsi_err("001010123456789", 15, 1, "mnc-digits must be 2 or 3 (got 1)");
	imsi_err("001010123456789", 15, 4, "mnc-digits must be 2 or 3 (got 4)");
	imsi_err("001010123456789", 15, -2, "mnc-digits must be 2 or 3 (got -2)");

	char err[8];
	assert_int_equal(prov_identity_from_imsi("001010123456789", 15, 0, NULL, err, sizeof(err)),
			 -1);
	struct prov_identity id;
	assert_int_equal(prov_identity_from_imsi("x", 1, 0, &id, NULL, 0), -1);
	assert_int_equal(prov_identity_from_imsi("x", 1, 0, &id, err, sizeof(err)), -1);
	assert_int_equal(strlen(err), sizeof(err) - 1);
}

static void test_mnc_digits(void **state)
{
	assert_int_equal(prov_identity_mnc_digits("310", 3), 3);
	assert_int_equal(prov_identity_mnc_digits("234", 3), 2);
	assert_int_equal(prov_identity_mnc_digits("405", 3), -1);
	assert_int_equal(prov_identity_mnc_digits("40585", 5), -1);
	assert_int_equal(prov_identity_mnc_digits("405854", 6), 3);
	assert_int_equal(prov_identity_mnc_digits("405854x", 7), 3);
	assert_int_equal(prov_identity_mnc_digits("31", 2), -1);
	assert_int_equal(prov_identity_mnc_digits("3a0", 3), -1);
	assert_int_equal(prov_identity_mnc_digits("405x54", 6), -1);
	assert_int_equal(prov_identity_mnc_digits(NULL, 6), -1);
}

static void test_instance_urn(void **state)
{
	char out[PROV_INSTANCE_URN_LEN], err[160];
	assert_int_equal(prov_identity_instance_urn("490154203237518", 15, out, sizeof(out), err,
						    sizeof(err)),
			 0);
	assert_string_equal(out, "urn:gsma:imei:49015420-323751-0");
	assert_int_equal(strlen(out), PROV_INSTANCE_URN_LEN - 1);
	/* Check digit 0 (sum a multiple of 10). */
	assert_int_equal(prov_identity_instance_urn("350000000000006", 15, out, sizeof(out), err,
						    sizeof(err)),
			 0);
	assert_int_equal(prov_identity_instance_urn("000000000000000", 15, out, sizeof(out), err,
						    sizeof(err)),
			 0);
	assert_string_equal(out, "urn:gsma:imei:00000000-000000-0");
	/* IMEISV: the SVN is dropped, no check digit. */
	assert_int_equal(prov_identity_instance_urn("3520990017614823", 16, out, sizeof(out), err,
						    sizeof(err)),
			 0);
	assert_string_equal(out, "urn:gsma:imei:35209900-176148-0");
	/* Length-bounded input. */
	char *buf = malloc(15);
	assert_non_null(buf);
	memcpy(buf, "490154203237518", 15);
	assert_int_equal(prov_identity_instance_urn(buf, 15, out, sizeof(out), err, sizeof(err)),
			 0);
	free(buf);
}

static void urn_err(const char *imei, size_t len, size_t outlen, const char *want)
{
	char out[64], err[160] = "";
	memset(out, 'X', sizeof(out));
	int rc = prov_identity_instance_urn(imei, len, out, outlen, err, sizeof(err));
	if (rc != -1 || !strstr(err, want) || strchr(err, '\n')) {
		print_error("IMEI '%.*s': rc %d, err '%s', want '%s'\n", (int)len, imei ? imei : "",
			    rc, err, want);
		fail();
	}
	if (outlen)
		assert_int_equal(out[0], 0);
}

static void test_instance_urn_errors(void **state)
{
	urn_err("", 0, 32, "IMEI is empty");
	urn_err(NULL, 0, 32, "IMEI is empty");
	urn_err("490154203237517", 15, 32, "IMEI check digit is 7, expected 8");
	urn_err("490154203237519", 15, 32, "IMEI check digit is 9, expected 8");
	urn_err("350000000000001", 15, 32, "expected 6");
	urn_err("49015420-323751", 15, 32, "IMEI: character 9 is '-', not a decimal digit");
	urn_err("49015420323751a", 15, 32, "character 15 is 'a'");
	urn_err("4901542032375\0"
		"8",
		15, 32, "character 14 is 0x00");
	urn_err("49015420323751", 14, 32,
		"IMEI has 14 digits; it must have 15 (IMEI) or 16 (IMEISV)");
	urn_err("49015420323751800", 17, 32, "IMEI has 17 digits");
	urn_err("490154203237518", 15, 31, "output buffer too small");
	urn_err("490154203237518", 15, 0, "output buffer too small");
	char err[160];
	assert_int_equal(
		prov_identity_instance_urn("490154203237518", 15, NULL, 32, err, sizeof(err)), -1);
	assert_int_equal(prov_identity_instance_urn("1", 1, NULL, 0, NULL, 0), -1);
}

static void test_identity_to_profile(void **state)
{
	struct prov_identity id;
	struct ims_profile p;
	prov_profile_init(&p);
	assert_int_equal(prov_profile_add_impu(&p, "sip:old@example.net"), 0);
	assert_int_equal(prov_profile_add_impu(&p, "tel:+15550100"), 0);
	assert_int_equal(prov_profile_set_str(&p.impi, "old@example.net"), 0);
	assert_int_equal(prov_profile_add_pcscf(&p, "pcscf.example.net", IMS_ADDR_FQDN), 0);
	from_imsi_ok("001010123456789", 0, &id);
	assert_int_equal(prov_identity_to_profile(&id, &p), 0);
	assert_string_equal(p.impi, "001010123456789@ims.mnc001.mcc001.3gppnetwork.org");
	assert_int_equal(p.n_impu, 1);
	assert_string_equal(p.impu[0], "sip:001010123456789@ims.mnc001.mcc001.3gppnetwork.org");
	assert_null(p.impu[1]);
	assert_string_equal(p.home_domain, "ims.mnc001.mcc001.3gppnetwork.org");
	assert_int_equal(p.source, IMS_PROFILE_SRC_IMSI);
	assert_int_equal(p.n_pcscf, 1); /* kept */
	prov_profile_clear(&p);

	memset(&id, 0, sizeof(id));
	assert_int_equal(prov_identity_to_profile(&id, &p), -1);
	assert_int_equal(prov_identity_to_profile(NULL, &p), -1);
	assert_int_equal(prov_identity_to_profile(&id, NULL), -1);
}

static void fill(struct ims_profile *p)
{
	prov_profile_init(p);
	assert_int_equal(prov_profile_set_str(&p->impi, "user@ims.example.net"), 0);
	assert_int_equal(prov_profile_add_impu(p, "sip:user@ims.example.net"), 0);
	assert_int_equal(prov_profile_add_impu(p, "tel:+15550100"), 0);
	assert_int_equal(prov_profile_set_str(&p->home_domain, "ims.example.net"), 0);
	assert_int_equal(prov_profile_add_pcscf(p, "pcscf.ims.example.net", IMS_ADDR_FQDN), 0);
	assert_int_equal(prov_profile_add_pcscf(p, "192.0.2.10", IMS_ADDR_IPV4), 0);
	assert_int_equal(prov_profile_add_pcscf(p, "[2001:db8::10]", IMS_ADDR_IPV6), 0);
	assert_int_equal(prov_profile_set_str(&p->appauth.realm, "ims.example.net"), 0);
	assert_int_equal(prov_profile_set_str(&p->appauth.username, "user"), 0);
	assert_int_equal(prov_profile_set_str(&p->appauth.password, "secret"), 0);
	assert_int_equal(prov_profile_set_str(&p->msisdn, "+15550100"), 0);
	p->appauth.auth_type = IMS_AUTH_DIGEST;
	p->source = IMS_PROFILE_SRC_AUTOCONF;
	p->t1_ms = 1000;
}

static void test_profile_init_clear(void **state)
{
	struct ims_profile p;
	prov_profile_init(&p);
	assert_null(p.impi);
	assert_int_equal(p.n_impu, 0);
	assert_int_equal(p.n_pcscf, 0);
	assert_int_equal(p.t1_ms, 500);
	assert_int_equal(p.t2_ms, 4000);
	assert_int_equal(p.t4_ms, 5000);
	assert_int_equal(p.reg_retry_base_time_s, 30);
	assert_int_equal(p.reg_retry_max_time_s, 1800);
	assert_int_equal(p.appauth.auth_type, IMS_AUTH_AKA);
	assert_int_equal(p.source, IMS_PROFILE_SRC_CONFIG);

	fill(&p);
	assert_string_equal(p.pcscf[2].address, "2001:db8::10"); /* brackets dropped */
	prov_profile_clear(&p);
	assert_null(p.impi);
	assert_null(p.appauth.password);
	assert_int_equal(p.n_impu, 0);
	assert_int_equal(p.t1_ms, 500);
	prov_profile_clear(&p);
	prov_profile_clear(NULL);
	prov_profile_init(NULL);
}

static void test_profile_add(void **state)
{
	struct ims_profile p;
	char s[32];
	prov_profile_init(&p);
	for (int i = 0; i < IMS_PROFILE_MAX_IMPU; i++) {
		snprintf(s, sizeof(s), "sip:u%d@example.net", i);
		assert_int_equal(prov_profile_add_impu(&p, s), 0);
	}
	assert_int_equal(prov_profile_add_impu(&p, "sip:more@example.net"), -1);
	assert_int_equal(p.n_impu, IMS_PROFILE_MAX_IMPU);
	prov_profile_clear(&p);
	assert_int_equal(prov_profile_add_impu(&p, "sip:a@example.net"), 0);
	assert_int_equal(prov_profile_add_impu(&p, "sip:a@example.net"), -1); /* duplicate */
	assert_int_equal(prov_profile_add_impu(&p, ""), -1);
	assert_int_equal(prov_profile_add_impu(&p, NULL), -1);
	assert_int_equal(prov_profile_add_impu(NULL, "sip:b@example.net"), -1);
	assert_int_equal(p.n_impu, 1);

	for (int i = 0; i < IMS_PROFILE_MAX_PCSCF; i++) {
		snprintf(s, sizeof(s), "192.0.2.%d", i + 1);
		assert_int_equal(prov_profile_add_pcscf(&p, s, IMS_ADDR_IPV4), 0);
	}
	assert_int_equal(prov_profile_add_pcscf(&p, "192.0.2.99", IMS_ADDR_IPV4), -1);
	assert_int_equal(p.n_pcscf, IMS_PROFILE_MAX_PCSCF);
	prov_profile_clear(&p);
	assert_int_equal(prov_profile_add_pcscf(&p, "", IMS_ADDR_FQDN), -1);
	assert_int_equal(prov_profile_add_pcscf(&p, NULL, IMS_ADDR_FQDN), -1);
	assert_int_equal(prov_profile_add_pcscf(NULL, "x", IMS_ADDR_FQDN), -1);
	assert_int_equal(prov_profile_add_pcscf(&p, "[::1]", IMS_ADDR_FQDN), 0);
	assert_string_equal(p.pcscf[0].address, "[::1]"); /* only IPv6 is unbracketed */

	assert_int_equal(prov_profile_set_str(&p.msisdn, "123"), 0);
	assert_int_equal(prov_profile_set_str(&p.msisdn, NULL), 0);
	assert_null(p.msisdn);
	assert_int_equal(prov_profile_set_str(NULL, "x"), -1);
	prov_profile_clear(&p);
}

static void test_profile_copy_diff(void **state)
{
	struct ims_profile a, b;
	fill(&a);
	prov_profile_init(&b);
	assert_int_equal(prov_profile_add_impu(&b, "sip:stale@example.net"), 0);
	assert_int_equal(prov_profile_copy(&b, &a), 0);
	assert_true(prov_profile_equal(&a, &b));
	assert_int_equal(prov_profile_diff(&a, &b), 0);
	assert_ptr_not_equal(a.impi, b.impi);
	assert_ptr_not_equal(a.appauth.password, b.appauth.password);
	assert_string_equal(b.impu[1], "tel:+15550100");
	assert_string_equal(b.pcscf[2].address, "2001:db8::10");
	assert_int_equal(b.pcscf[1].type, IMS_ADDR_IPV4);
	assert_int_equal(b.t1_ms, 1000);
	assert_int_equal(prov_profile_copy(&b, &b), 0);
	assert_true(prov_profile_equal(&a, &b));

	/* Case-insensitive where DNS is. */
	assert_int_equal(prov_profile_set_str(&b.home_domain, "IMS.Example.NET"), 0);
	assert_int_equal(prov_profile_set_str(&b.pcscf[0].address, "PCSCF.ims.example.net"), 0);
	assert_int_equal(prov_profile_diff(&a, &b), 0);

	struct ims_profile c;
	prov_profile_init(&c);
#define DIFF_AFTER(change, want)                                                                   \
	do {                                                                                       \
		assert_int_equal(prov_profile_copy(&c, &a), 0);                                    \
		change;                                                                            \
		assert_int_equal(prov_profile_diff(&a, &c), (want));                               \
		assert_int_equal(prov_profile_diff(&c, &a), (want));                               \
		assert_false(prov_profile_equal(&a, &c));                                          \
	} while (0)
	DIFF_AFTER(prov_profile_set_str(&c.impi, "other@ims.example.net"),
		   PROV_PROFILE_DIFF_IDENTITY);
	DIFF_AFTER(prov_profile_set_str(&c.impi, NULL), PROV_PROFILE_DIFF_IDENTITY);
	DIFF_AFTER(prov_profile_set_str(&c.impu[1], "tel:+15550101"), PROV_PROFILE_DIFF_IDENTITY);
	DIFF_AFTER(prov_profile_add_impu(&c, "sip:third@ims.example.net"),
		   PROV_PROFILE_DIFF_IDENTITY);
	DIFF_AFTER(
		{
			char *t = c.impu[0];
			c.impu[0] = c.impu[1];
			c.impu[1] = t;
		},
		PROV_PROFILE_DIFF_IDENTITY);
	DIFF_AFTER(prov_profile_set_str(&c.home_domain, "ims.example.org"),
		   PROV_PROFILE_DIFF_IDENTITY);
	DIFF_AFTER(prov_profile_set_str(&c.msisdn, "+15550199"), PROV_PROFILE_DIFF_IDENTITY);
	DIFF_AFTER(prov_profile_set_str(&c.pcscf[1].address, "192.0.2.11"),
		   PROV_PROFILE_DIFF_PCSCF);
	DIFF_AFTER(c.pcscf[0].type = IMS_ADDR_IPV4, PROV_PROFILE_DIFF_PCSCF);
	DIFF_AFTER(prov_profile_add_pcscf(&c, "pcscf2.ims.example.net", IMS_ADDR_FQDN),
		   PROV_PROFILE_DIFF_PCSCF);
	DIFF_AFTER(c.t4_ms = 1, PROV_PROFILE_DIFF_TIMERS);
	DIFF_AFTER(c.reg_retry_max_time_s = 60, PROV_PROFILE_DIFF_TIMERS);
	DIFF_AFTER(c.appauth.auth_type = IMS_AUTH_AKA, PROV_PROFILE_DIFF_AUTH);
	DIFF_AFTER(prov_profile_set_str(&c.appauth.password, "other"), PROV_PROFILE_DIFF_AUTH);
	DIFF_AFTER(prov_profile_set_str(&c.appauth.realm, NULL), PROV_PROFILE_DIFF_AUTH);
	DIFF_AFTER(c.source = IMS_PROFILE_SRC_CONFIG, PROV_PROFILE_DIFF_SOURCE);
	DIFF_AFTER(
		{
			prov_profile_set_str(&c.impi, "x@y");
			c.n_pcscf--;
			free(c.pcscf[c.n_pcscf].address);
			c.pcscf[c.n_pcscf].address = NULL;
		},
		PROV_PROFILE_DIFF_IDENTITY | PROV_PROFILE_DIFF_PCSCF);
#undef DIFF_AFTER
	assert_int_equal(prov_profile_diff(NULL, NULL), 0);
	assert_int_equal(prov_profile_diff(&a, NULL), 0x1f);

	/* A bad source leaves dst cleared. */
	assert_int_equal(prov_profile_copy(&c, NULL), -1);
	assert_null(c.impi);
	assert_int_equal(prov_profile_copy(NULL, &a), -1);

	prov_profile_clear(&a);
	prov_profile_clear(&b);
	prov_profile_clear(&c);
}

static void test_addr_type(void **state)
{
	assert_int_equal(prov_addr_type_guess("192.0.2.1"), IMS_ADDR_IPV4);
	assert_int_equal(prov_addr_type_guess("2001:db8::1"), IMS_ADDR_IPV6);
	assert_int_equal(prov_addr_type_guess("[2001:db8::1]"), IMS_ADDR_IPV6);
	assert_int_equal(prov_addr_type_guess("::ffff:192.0.2.1"), IMS_ADDR_IPV6);
	assert_int_equal(prov_addr_type_guess("pcscf.ims.example.net"), IMS_ADDR_FQDN);
	assert_int_equal(prov_addr_type_guess("192.0.2"), IMS_ADDR_FQDN);
	assert_int_equal(prov_addr_type_guess("[192.0.2.1]"), IMS_ADDR_FQDN);
	assert_int_equal(prov_addr_type_guess("[]"), IMS_ADDR_FQDN);
	assert_int_equal(prov_addr_type_guess(NULL), IMS_ADDR_FQDN);
	assert_string_equal(prov_addr_type_name(IMS_ADDR_FQDN), "FQDN");
	assert_string_equal(prov_addr_type_name(IMS_ADDR_IPV4), "IPv4");
	assert_string_equal(prov_addr_type_name(IMS_ADDR_IPV6), "IPv6");
	assert_string_equal(prov_profile_source_name(IMS_PROFILE_SRC_CONFIG), "config");
	assert_string_equal(prov_profile_source_name(IMS_PROFILE_SRC_IMSI), "imsi");
	assert_string_equal(prov_profile_source_name(IMS_PROFILE_SRC_AUTOCONF), "autoconf");
	assert_string_equal(prov_auth_type_name(IMS_AUTH_AKA), "AKA");
	assert_string_equal(prov_auth_type_name(IMS_AUTH_DIGEST), "digest");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imsi_two_digit_mnc),
		cmocka_unit_test(test_imsi_three_digit_mnc),
		cmocka_unit_test(test_imsi_override_and_14_digits),
		cmocka_unit_test(test_imsi_errors),
		cmocka_unit_test(test_mnc_digits),
		cmocka_unit_test(test_instance_urn),
		cmocka_unit_test(test_instance_urn_errors),
		cmocka_unit_test(test_identity_to_profile),
		cmocka_unit_test(test_profile_init_clear),
		cmocka_unit_test(test_profile_add),
		cmocka_unit_test(test_profile_copy_diff),
		cmocka_unit_test(test_addr_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
