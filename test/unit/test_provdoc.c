/* Unit tests: RCC.14 configuration document parser (provisioning/provdoc.c).
 * The example documents of RCC.14 v3 Tables 2-7 and 11 are in test/data. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/globals.h>

#include "provisioning/profile.h"
#include "provisioning/provdoc.h"

static uint8_t *load_data(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[1024];
	snprintf(path, sizeof(path), "%s/test/data/%s", top ? top : ".", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (is top_srcdir set?)", path);
	uint8_t *buf = malloc(PROV_DOC_MAX_SIZE + 1);
	assert_non_null(buf);
	*len = fread(buf, 1, PROV_DOC_MAX_SIZE + 1, f);
	fclose(f);
	/* Exact-size copy: the parser must not need a NUL after the data. */
	uint8_t *exact = malloc(*len);
	assert_non_null(exact);
	memcpy(exact, buf, *len);
	free(buf);
	return exact;
}

static struct prov_doc *parse_file_ok(const char *name)
{
	size_t len;
	uint8_t *data = load_data(name, &len);
	struct prov_doc *doc = NULL;
	char err[256] = "";
	int rc = prov_doc_parse(data, len, &doc, err, sizeof(err));
	free(data);
	if (rc != 0)
		fail_msg("%s: %s", name, err);
	assert_non_null(doc);
	return doc;
}

/* Parse text that must fail; the reason must contain want, be one line
 * and start with "line " unless it is a size error. */
static void expect_error(const char *text, size_t len, const char *want)
{
	struct prov_doc *doc = (struct prov_doc *)1;
	char err[256] = "";
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	assert_int_equal(prov_doc_parse(copy, len, &doc, err, sizeof(err)), -1);
	free(copy);
	assert_null(doc);
	if (!strstr(err, want))
		fail_msg("error '%s' does not contain '%s'", err, want);
	assert_null(strchr(err, '\n'));
}

static void expect_error_str(const char *text, const char *want)
{
	expect_error(text, strlen(text), want);
}

static void expect_file_error(const char *name, const char *want)
{
	size_t len;
	uint8_t *data = load_data(name, &len);
	expect_error((const char *)data, len, want);
	free(data);
}

#define HEAD "<?xml version=\"1.0\"?>\n<wap-provisioningdoc version=\"1.1\">\n"
#define TAIL "</wap-provisioningdoc>\n"
#define VERS(v, t)                                                                   \
	"<characteristic type=\"VERS\"><parm name=\"version\" value=\"" v "\"/>"     \
	"<parm name=\"validity\" value=\"" t "\"/></characteristic>\n"

static struct prov_doc *parse_str_ok(const char *text)
{
	struct prov_doc *doc = NULL;
	char err[256] = "";
	if (prov_doc_parse((const uint8_t *)text, strlen(text), &doc, err, sizeof(err)) != 0)
		fail_msg("unexpected error: %s", err);
	return doc;
}

/* ---- RCC.14 example documents ---- */

static void test_table2_full(void **state)
{
	struct prov_doc *doc = parse_file_ok("rcc14-table2-full.xml");
	const struct prov_ims *ims = &doc->ims;

	assert_int_equal(doc->kind, PROV_DOC_FULL);
	assert_string_equal(prov_doc_kind_name(doc->kind), "full");
	assert_true(doc->has_vers);
	assert_int_equal(doc->version, 3);
	assert_int_equal(doc->validity, 86400);
	assert_true(doc->has_token);
	assert_string_equal(doc->token, "tok-A-0123456789abcdef");
	assert_false(doc->has_token_validity);
	assert_false(doc->has_msg);
	assert_false(doc->has_policy);

	assert_true(ims->present);
	assert_string_equal(ims->impi, "214011001388741@ims.mnc001.mcc214.3gppnetwork.org");
	assert_int_equal(ims->n_impu, 3);
	assert_string_equal(ims->impu[0], "sip:+34600000001@ims.mnc001.mcc214.3gppnetwork.org");
	assert_string_equal(ims->impu[1], "tel:+34600000001");
	assert_string_equal(ims->impu[2], "sip:214011001388741@ims.mnc001.mcc214.3gppnetwork.org");
	assert_string_equal(ims->home_domain, "ims.mnc001.mcc214.3gppnetwork.org");
	assert_int_equal(ims->n_pcscf, 3);
	assert_string_equal(ims->pcscf[0].address, "pcscf1.ims.mnc001.mcc214.3gppnetwork.org");
	assert_int_equal(ims->pcscf[0].type, PROV_PCSCF_FQDN);
	assert_string_equal(ims->pcscf[1].address, "192.0.2.10");
	assert_int_equal(ims->pcscf[1].type, PROV_PCSCF_IPV4);
	assert_string_equal(ims->pcscf[2].address, "2001:db8::10");
	assert_int_equal(ims->pcscf[2].type, PROV_PCSCF_IPV6);
	assert_true(ims->timer_t1.present);
	assert_int_equal(ims->timer_t1.value, 2000);
	assert_int_equal(ims->timer_t2.value, 16000);
	assert_int_equal(ims->timer_t4.value, 17000);
	assert_int_equal(ims->reg_retry_base_time.value, 30);
	assert_int_equal(ims->reg_retry_max_time.value, 1800);
	assert_true(ims->has_appauth);
	assert_int_equal(ims->auth_type, PROV_AUTH_AKA);
	assert_string_equal(ims->realm, "ims.mnc001.mcc214.3gppnetwork.org");
	assert_null(ims->username);
	assert_null(ims->userpwd);
	assert_string_equal(ims->problem, "");
	assert_int_equal(prov_doc_ims_validate(doc, NULL, 0), 0);

	/* Uninterpreted parms are kept with their path. */
	bool name = false, ext = false, rcs = false;
	for (size_t i = 0; i < doc->n_other; i++) {
		const struct prov_parm *p = &doc->other[i];
		if (!strcmp(p->path, "APPLICATION[ap2001]") && !strcmp(p->name, "Name"))
			name = !strcmp(p->value, "IMS Settings");
		if (!strcmp(p->path, "APPLICATION[ap2001]/Ext") && !strcmp(p->name, "NatUrlFmt"))
			ext = !strcmp(p->value, "0");
		if (!strcmp(p->path, "APPLICATION[ap2002]/SERVICES") &&
		    !strcmp(p->name, "ChatAuth"))
			rcs = !strcmp(p->value, "1");
		if (!strcmp(p->path, "APPLICATION[ap2001]"))
			assert_string_not_equal(p->name, "AppID");
	}
	assert_true(name);
	assert_true(ext);
	assert_true(rcs);

	char msisdn[20];
	assert_int_equal(prov_ims_msisdn(ims, msisdn, sizeof(msisdn)), 0);
	assert_string_equal(msisdn, "+34600000001");
	prov_doc_free(doc);
}

static void test_table3_version_only(void **state)
{
	struct prov_doc *doc = parse_file_ok("rcc14-table3-version-only.xml");
	assert_int_equal(doc->kind, PROV_DOC_VERSION_ONLY);
	assert_int_equal(doc->version, 3);
	assert_int_equal(doc->validity, 172800);
	assert_true(doc->has_token);
	assert_string_equal(doc->token, "tok-Z-fedcba9876543210");
	assert_false(doc->ims.present);
	prov_doc_free(doc);
}

static void test_table4_5_6_resets(void **state)
{
	static const struct {
		const char *file;
		enum prov_doc_kind kind;
		int v;
		const char *name;
	} t[] = {
		{ "rcc14-table4-reset.xml", PROV_DOC_RESET, 0, "reset" },
		{ "rcc14-table5-disabled.xml", PROV_DOC_DISABLED, -1, "disabled" },
		{ "rcc14-table6-disabled-until-user.xml", PROV_DOC_DISABLED_UNTIL_USER, -2,
		  "disabled-until-user" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct prov_doc *doc = parse_file_ok(t[i].file);
		assert_int_equal(doc->kind, t[i].kind);
		assert_string_equal(prov_doc_kind_name(doc->kind), t[i].name);
		assert_int_equal(doc->version, t[i].v);
		assert_int_equal(doc->validity, t[i].v);
		assert_false(doc->has_token);
		assert_false(doc->ims.present);
		prov_doc_free(doc);
	}
}

static void test_table7_msg(void **state)
{
	struct prov_doc *doc = parse_file_ok("rcc14-table7-msg.xml");
	assert_int_equal(doc->kind, PROV_DOC_RESET);
	assert_true(doc->has_msg);
	assert_string_equal(doc->msg_title, "Example");
	assert_string_equal(doc->msg_message, "Hello world");
	assert_true(doc->msg_accept_btn);
	assert_false(doc->msg_reject_btn);
	prov_doc_free(doc);

	/* Reject_btn is optional, default 0; Accept_btn 0 and Reject_btn 1. */
	doc = parse_str_ok(HEAD VERS("2", "60") "<characteristic type=\"MSG\">"
			   "<parm name=\"title\" value=\"T\"/><parm name=\"message\" value=\"M\"/>"
			   "<parm name=\"Accept_btn\" value=\"0\"/></characteristic>" TAIL);
	assert_false(doc->msg_accept_btn);
	assert_false(doc->msg_reject_btn);
	prov_doc_free(doc);
	doc = parse_str_ok(HEAD VERS("2", "60") "<characteristic type=\"MSG\">"
			   "<parm name=\"title\" value=\"T\"/><parm name=\"message\" value=\"M\"/>"
			   "<parm name=\"Accept_btn\" value=\"0\"/>"
			   "<parm name=\"Reject_btn\" value=\"1\"/></characteristic>" TAIL);
	assert_true(doc->msg_reject_btn);
	prov_doc_free(doc);
}

static void test_table11_policy(void **state)
{
	struct prov_doc *doc = parse_file_ok("rcc14-table11-policy.xml");
	assert_int_equal(doc->kind, PROV_DOC_POLICY);
	assert_false(doc->has_vers);
	assert_true(doc->has_policy);
	assert_true(doc->has_sms_port);
	assert_int_equal(doc->sms_port, 0);
	prov_doc_free(doc);
}

static void test_token_validity(void **state)
{
	struct prov_doc *doc = parse_str_ok(
		HEAD VERS("4", "100") "<characteristic type=\"TOKEN\"><parm name=\"token\" "
				      "value=\"abc\"/><parm name=\"validity\" value=\"600\"/>"
				      "</characteristic>" TAIL);
	assert_int_equal(doc->kind, PROV_DOC_VERSION_ONLY);
	assert_true(doc->has_token_validity);
	assert_int_equal(doc->token_validity, 600);
	prov_doc_free(doc);
}

/* ---- malformed and hostile documents: one-line errors ---- */

static void test_bad_files(void **state)
{
	expect_file_error("rcc14-bad-malformed.xml", "line 9: XML: Opening and ending tag mismatch");
	expect_file_error("rcc14-bad-xxe.xml", "line 2: document type declaration (DOCTYPE) not allowed");
	expect_file_error("rcc14-bad-billion-laughs.xml", "DOCTYPE) not allowed");
	expect_file_error("rcc14-bad-deep.xml", "nested deeper than 32 levels");
	expect_file_error("rcc14-bad-no-version.xml", "line 3: VERS has no version parm");
	expect_file_error("rcc14-bad-version-nan.xml", "line 4: VERS version 'three' is not an integer");
}

static void test_hostile(void **state)
{
	/* External DTD, no internal subset: refused before anything is loaded. */
	expect_error_str("<?xml version=\"1.0\"?>\n<!DOCTYPE wap-provisioningdoc SYSTEM "
			 "\"http://127.0.0.1:1/x.dtd\">\n<wap-provisioningdoc/>",
			 "line 2: document type declaration (DOCTYPE) not allowed");
	/* Parameter entities and external parameter entity. */
	expect_error_str("<!DOCTYPE x [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]><x/>",
			 "DOCTYPE) not allowed");
	/* An entity reference without any declaration. */
	expect_error_str(HEAD VERS("1", "1") "<characteristic type=\"X\"><parm name=\"a\" "
					     "value=\"&e;\"/></characteristic>" TAIL,
			 "XML: Entity 'e' not defined");
	/* XInclude is not processed: the element is just unknown. */
	struct prov_doc *doc = parse_str_ok(
		HEAD VERS("1", "1") "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
				    "href=\"file:///etc/passwd\" parse=\"text\"/>" TAIL);
	assert_int_equal(doc->kind, PROV_DOC_VERSION_ONLY);
	assert_int_equal(doc->n_other, 0);
	prov_doc_free(doc);
}

static void test_too_big(void **state)
{
	size_t len = PROV_DOC_MAX_SIZE + 1;
	char *big = malloc(len);
	assert_non_null(big);
	memset(big, ' ', len);
	memcpy(big, HEAD, strlen(HEAD));
	expect_error(big, len, "more than the 262144 allowed");
	free(big);
	expect_error("", 0, "empty document");
}

static void test_too_deep_inline(void **state)
{
	char buf[4096];
	size_t n = 0;
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, HEAD VERS("1", "1"));
	/* root is level 1: 31 nested characteristics are fine, 32 are not. */
	for (int i = 0; i < 31; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "<characteristic type=\"L\">");
	for (int i = 0; i < 31; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "</characteristic>");
	snprintf(buf + n, sizeof(buf) - n, TAIL);
	struct prov_doc *doc = parse_str_ok(buf);
	prov_doc_free(doc);

	n = 0;
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, HEAD VERS("1", "1"));
	for (int i = 0; i < 32; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "<characteristic type=\"L\">");
	for (int i = 0; i < 32; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "</characteristic>");
	snprintf(buf + n, sizeof(buf) - n, TAIL);
	expect_error_str(buf, "elements nested deeper than 32 levels");
}

static void test_structure_errors(void **state)
{
	expect_error_str("<?xml version=\"1.0\"?>\n<foo/>", "line 2: root element is <foo>");
	expect_error_str("just text", "line 1: XML: ");
	expect_error_str(HEAD VERS("1", "1") "<characteristic><parm name=\"a\"/></characteristic>" TAIL,
			 "line 4: characteristic without a type");
	expect_error_str(HEAD VERS("1", "1") "<characteristic type=\"X\"><parm value=\"a\"/>"
					     "</characteristic>" TAIL,
			 "line 4: parm without a name");
	expect_error_str(HEAD VERS("1", "1") VERS("2", "2") TAIL,
			 "line 4: second VERS characteristic (first at line 3)");
	expect_error_str(HEAD "<characteristic type=\"TOKEN\"><parm name=\"token\" value=\"a\"/>"
			      "</characteristic>" TAIL,
			 "line 2: no VERS characteristic");
	expect_error_str(HEAD TAIL, "no VERS characteristic");
	expect_error_str(HEAD VERS("1", "1") "<characteristic type=\"APPLICATION\"><parm "
					     "name=\"AppID\" value=\"ap2001\"/></characteristic>\n"
					     "<characteristic type=\"APPLICATION\"><parm "
					     "name=\"AppID\" value=\"AP2001\"/></characteristic>" TAIL,
			 "line 5: second APPLICATION ap2001 (first at line 4)");
	/* Trailing garbage after the root element. */
	expect_error_str(HEAD VERS("1", "1") TAIL "<x/>", "XML: Extra content at the end");
}

static void test_vers_errors(void **state)
{
	expect_error_str(HEAD VERS("-3", "0") TAIL, "line 3: VERS version -3 is out of range");
	expect_error_str(HEAD VERS("2147483648", "0") TAIL, "VERS version 2147483648 is out of range");
	expect_error_str(HEAD VERS("99999999999999999999999", "0") TAIL, "is not an integer");
	expect_error_str(HEAD VERS("+1", "0") TAIL, "VERS version '+1' is not an integer");
	expect_error_str(HEAD VERS("", "0") TAIL, "VERS version '' is not an integer");
	expect_error_str(HEAD VERS("1", "x") TAIL, "VERS validity 'x' is not an integer");
	expect_error_str(HEAD VERS("1", "-1") TAIL, "VERS validity -1 is negative with version 1");
	expect_error_str(HEAD VERS("0", "-3") TAIL, "VERS validity -3 is out of range");
	expect_error_str(HEAD "<characteristic type=\"VERS\"><parm name=\"version\" value=\"1\"/>"
			      "</characteristic>" TAIL,
			 "line 3: VERS has no validity parm");
	expect_error_str(HEAD "<characteristic type=\"VERS\"><parm name=\"version\" value=\"1\"/>"
			      "<parm name=\"version\" value=\"2\"/></characteristic>" TAIL,
			 "VERS: second version parm");
	/* White space around numbers is fine, as are unknown parms. */
	struct prov_doc *doc = parse_str_ok(
		HEAD "<characteristic type=\"VERS\"><parm name=\"version\" value=\" 5 \"/>"
		     "<parm name=\"validity\" value=\"\t10\"/><parm name=\"x\" value=\"y\"/>"
		     "</characteristic>" TAIL);
	assert_int_equal(doc->version, 5);
	assert_int_equal(doc->validity, 10);
	assert_int_equal(doc->n_other, 1);
	assert_string_equal(doc->other[0].path, "VERS");
	prov_doc_free(doc);
}

static void test_token_msg_policy_errors(void **state)
{
	expect_error_str(HEAD VERS("1", "1") "<characteristic type=\"TOKEN\"/>" TAIL,
			 "line 4: TOKEN has no token parm");
	expect_error_str(HEAD VERS("1", "1") "<characteristic type=\"TOKEN\"><parm name=\"token\" "
					     "value=\"a\"/><parm name=\"validity\" value=\"-5\"/>"
					     "</characteristic>" TAIL,
			 "TOKEN validity '-5' is not a number of seconds");
	expect_error_str(HEAD VERS("1", "1") "<characteristic type=\"MSG\"><parm name=\"title\" "
					     "value=\"a\"/></characteristic>" TAIL,
			 "MSG has no message parm");
	expect_error_str(HEAD VERS("1", "1") "<characteristic type=\"MSG\"><parm name=\"title\" "
					     "value=\"a\"/><parm name=\"message\" value=\"b\"/>"
					     "<parm name=\"Accept_btn\" value=\"2\"/>"
					     "</characteristic>" TAIL,
			 "MSG Accept_btn '2' is neither 0 nor 1");
	expect_error_str(HEAD "<characteristic type=\"POLICY\"><parm name=\"SMS_port\" "
			      "value=\"70000\"/></characteristic>" TAIL,
			 "POLICY SMS_port '70000' is not a port number");
}

static void test_encodings(void **state)
{
	/* UTF-16LE with a BOM, as a server might send it. */
	const char *text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
			   "<wap-provisioningdoc>" VERS("0", "0") "</wap-provisioningdoc>";
	size_t n = strlen(text);
	uint8_t *u16 = malloc(2 + 2 * n);
	assert_non_null(u16);
	u16[0] = 0xff;
	u16[1] = 0xfe;
	for (size_t i = 0; i < n; i++) {
		u16[2 + 2 * i] = (uint8_t)text[i];
		u16[3 + 2 * i] = 0;
	}
	struct prov_doc *doc = NULL;
	char err[256];
	assert_int_equal(prov_doc_parse(u16, 2 + 2 * n, &doc, err, sizeof(err)), 0);
	assert_int_equal(doc->kind, PROV_DOC_RESET);
	prov_doc_free(doc);
	free(u16);

	/* UTF-8 in a message, character references and escapes kept. */
	doc = parse_str_ok(HEAD VERS("1", "1")
			   "<characteristic type=\"MSG\"><parm name=\"title\" value=\"Caf\xc3\xa9\"/>"
			   "<parm name=\"message\" value=\"a&amp;b&#10;&lt;c&gt;\"/>"
			   "<parm name=\"Accept_btn\" value=\"1\"/></characteristic>" TAIL);
	assert_string_equal(doc->msg_title, "Caf\xc3\xa9");
	assert_string_equal(doc->msg_message, "a&b\n<c>");
	prov_doc_free(doc);

	/* A lone surrogate in UTF-16: reported as one line without the bytes
	 * (libxml2 would print them to stderr), and libxml2's error handler is
	 * put back afterwards. */
	static const uint8_t bad16[] = { 0xfe, 0xff, 0x00, '<', 0x00, 'a', 0xd8, 0x00, 0x00, '/',
					 0x00, '>' };
	xmlStructuredErrorFunc before = xmlStructuredError;
	expect_error((const char *)bad16, sizeof(bad16), "line 1: XML: invalid character encoding");
	assert_ptr_equal(xmlStructuredError, before);

	/* Invalid UTF-8 is an XML error, reported without the bytes (which
	 * could be part of a token). */
	static const char bad8[] = HEAD "<characteristic type=\"TOKEN\"><parm name=\"token\" "
				   "value=\"se\xff" "cret\"/></characteristic>" TAIL;
	expect_error_str(bad8, "line 3: XML: Input is not proper UTF-8, indicate encoding !");
	char err8[256];
	assert_int_equal(prov_doc_parse((const uint8_t *)bad8, strlen(bad8), &doc, err8,
					sizeof(err8)), -1);
	assert_null(strstr(err8, "Bytes"));
	assert_null(strstr(err8, "0xFF"));
}

/* ---- the IMS characteristic ---- */

#define IMS_OPEN                                                                     \
	"<characteristic type=\"APPLICATION\"><parm name=\"AppID\" value=\"ap2001\"/>\n"
#define IMS_IDS                                                                      \
	"<parm name=\"Private_User_Identity\" value=\"u@ims.example.net\"/>\n"       \
	"<characteristic type=\"Public_user_identity_List\">"                        \
	"<parm name=\"Public_user_identity\" value=\"sip:u@ims.example.net\"/>"      \
	"</characteristic>\n"                                                        \
	"<parm name=\"Home_network_domain_name\" value=\"ims.example.net\"/>\n"
#define IMS_CLOSE "</characteristic>\n"

static void expect_ims_invalid(const char *text, const char *want)
{
	struct prov_doc *doc = parse_str_ok(text);
	char err[256] = "";
	assert_int_equal(doc->kind, PROV_DOC_FULL);
	assert_int_equal(prov_doc_ims_validate(doc, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("error '%s' does not contain '%s'", err, want);
	assert_null(strchr(err, '\n'));
	prov_doc_free(doc);
}

static void test_ims_valid_variants(void **state)
{
	/* Minimal IMS: defaults absent, AddressType inferred, IPv6 brackets
	 * dropped, several Public_user_identity_List characteristics. */
	struct prov_doc *doc = parse_str_ok(
		HEAD VERS("9", "60") IMS_OPEN IMS_IDS
		"<characteristic type=\"Public_user_identity_List\">"
		"<parm name=\"Public_user_identity\" value=\"tel:+1-555-0100\"/></characteristic>"
		"<characteristic type=\"LBO_P-CSCF_Address\"><parm name=\"Address\" "
		"value=\"[2001:db8::1]\"/></characteristic>"
		"<characteristic type=\"LBO_P-CSCF_Address\"><parm name=\"Address\" "
		"value=\"198.51.100.7\"/></characteristic>"
		"<characteristic type=\"LBO_P-CSCF_Address\"><parm name=\"Address\" "
		"value=\"p.example.net\"/><parm name=\"AddressType\" value=\"fqdn\"/>"
		"</characteristic>"
		"<characteristic type=\"APPAUTH\"><parm name=\"AuthType\" value=\"SIP Digest\"/>"
		"<parm name=\"UserName\" value=\"u\"/><parm name=\"UserPwd\" value=\"pw\"/>"
		"<parm name=\"Realm\" value=\"r\"/></characteristic>" IMS_CLOSE TAIL);
	const struct prov_ims *ims = &doc->ims;
	assert_int_equal(prov_doc_ims_validate(doc, NULL, 0), 0);
	assert_int_equal(ims->n_impu, 2);
	assert_int_equal(ims->n_pcscf, 3);
	assert_string_equal(ims->pcscf[0].address, "2001:db8::1");
	assert_int_equal(ims->pcscf[0].type, PROV_PCSCF_IPV6);
	assert_null(ims->pcscf[0].type_str);
	assert_int_equal(ims->pcscf[1].type, PROV_PCSCF_IPV4);
	assert_int_equal(ims->pcscf[2].type, PROV_PCSCF_FQDN);
	assert_string_equal(prov_pcscf_type_name(ims->pcscf[2].type), "fqdn");
	assert_false(ims->timer_t1.present);
	assert_int_equal(ims->auth_type, PROV_AUTH_DIGEST);
	assert_string_equal(ims->userpwd, "pw");
	char msisdn[20];
	assert_int_equal(prov_ims_msisdn(ims, msisdn, sizeof(msisdn)), 0);
	assert_string_equal(msisdn, "+15550100");
	assert_int_equal(prov_ims_msisdn(ims, msisdn, 5), -1);
	prov_doc_free(doc);

	/* sip: with user=phone gives an MSISDN; a sip: without it does not. */
	doc = parse_str_ok(HEAD VERS("9", "60") IMS_OPEN
			   "<characteristic type=\"Public_user_identity_List\">"
			   "<parm name=\"Public_user_identity\" value=\"sip:+4479@x.org\"/>"
			   "<parm name=\"Public_user_identity\" "
			   "value=\"sip:+4470000001@x.org;user=phone\"/>"
			   "</characteristic>" IMS_CLOSE TAIL);
	assert_int_equal(prov_ims_msisdn(&doc->ims, msisdn, sizeof(msisdn)), 0);
	assert_string_equal(msisdn, "+4470000001");
	prov_doc_free(doc);
	doc = parse_str_ok(HEAD VERS("9", "60") IMS_OPEN IMS_IDS IMS_CLOSE TAIL);
	assert_int_equal(prov_ims_msisdn(&doc->ims, msisdn, sizeof(msisdn)), -1);
	prov_doc_free(doc);

	/* A version 0 document with configuration is still a reset. */
	doc = parse_str_ok(HEAD VERS("0", "0") IMS_OPEN IMS_IDS IMS_CLOSE TAIL);
	assert_int_equal(doc->kind, PROV_DOC_RESET);
	prov_doc_free(doc);
}

static void test_ims_invalid(void **state)
{
	expect_ims_invalid(HEAD VERS("1", "1") "<characteristic type=\"APPLICATION\"><parm "
					       "name=\"AppID\" value=\"ap2002\"/></characteristic>" TAIL,
			   "no IMS APPLICATION characteristic (AppID ap2001)");
	expect_ims_invalid(HEAD VERS("1", "1") IMS_OPEN IMS_CLOSE TAIL,
			   "line 4: APPLICATION ap2001 has no Private_User_Identity");
	expect_ims_invalid(HEAD VERS("1", "1") IMS_OPEN
			   "<parm name=\"Private_User_Identity\" value=\"u@x\"/>" IMS_CLOSE TAIL,
			   "has no Public_user_identity");
	expect_ims_invalid(HEAD VERS("1", "1") IMS_OPEN
			   "<parm name=\"Private_User_Identity\" value=\"u@x\"/>"
			   "<characteristic type=\"Public_user_identity_List\">"
			   "<parm name=\"Public_user_identity\" value=\"http://x\"/>"
			   "</characteristic>" IMS_CLOSE TAIL,
			   "Public_user_identity 'http://x' is not a sip:, sips: or tel: URI");
	expect_ims_invalid(HEAD VERS("1", "1") IMS_OPEN
			   "<parm name=\"Private_User_Identity\" value=\"u@x\"/>"
			   "<characteristic type=\"Public_user_identity_List\">"
			   "<parm name=\"Public_user_identity\" value=\"sip:u@x\"/>"
			   "</characteristic>" IMS_CLOSE TAIL,
			   "has no Home_network_domain_name");
	expect_ims_invalid(HEAD VERS("1", "1") IMS_OPEN IMS_IDS
			   "<parm name=\"Private_User_Identity\" value=\"v@x\"/>" IMS_CLOSE TAIL,
			   "second Private_User_Identity in APPLICATION ap2001");
	expect_ims_invalid(HEAD VERS("1", "1") IMS_OPEN IMS_IDS
			   "<parm name=\"Timer_T1\" value=\"fast\"/>" IMS_CLOSE TAIL,
			   "Timer_T1 'fast' is not a positive number of ms");
	expect_ims_invalid(HEAD VERS("1", "1") IMS_OPEN IMS_IDS
			   "<parm name=\"Timer_T2\" value=\"0\"/>" IMS_CLOSE TAIL,
			   "Timer_T2 '0' is not a positive number of ms");
	expect_ims_invalid(HEAD VERS("1", "1") IMS_OPEN IMS_IDS
			   "<parm name=\"Reg_Retry_BaseTime\" value=\"100\"/>"
			   "<parm name=\"Reg_Retry_MaxTime\" value=\"50\"/>" IMS_CLOSE TAIL,
			   "Reg_Retry_BaseTime 100 is greater than Reg_Retry_MaxTime 50");
	expect_ims_invalid(HEAD VERS("1", "1") IMS_OPEN IMS_IDS
			   "<characteristic type=\"LBO_P-CSCF_Address\"><parm name=\"Address\" "
			   "value=\"p.example.net\"/><parm name=\"AddressType\" value=\"IPv4\"/>"
			   "</characteristic>" IMS_CLOSE TAIL,
			   "LBO_P-CSCF_Address 'p.example.net' is not a valid IPv4 address");
	expect_ims_invalid(HEAD VERS("1", "1") IMS_OPEN IMS_IDS
			   "<characteristic type=\"LBO_P-CSCF_Address\"><parm name=\"Address\" "
			   "value=\"p\"/><parm name=\"AddressType\" value=\"IPX\"/>"
			   "</characteristic>" IMS_CLOSE TAIL,
			   "AddressType 'IPX' is not FQDN, IPv4 or IPv6");
	expect_ims_invalid(HEAD VERS("1", "1") IMS_OPEN IMS_IDS
			   "<characteristic type=\"LBO_P-CSCF_Address\"><parm name=\"AddressType\" "
			   "value=\"FQDN\"/></characteristic>" IMS_CLOSE TAIL,
			   "LBO_P-CSCF_Address has no Address");
	expect_ims_invalid(HEAD VERS("1", "1") IMS_OPEN IMS_IDS
			   "<characteristic type=\"LBO_P-CSCF_Address\"><parm name=\"Address\" "
			   "value=\"bad_host!\"/></characteristic>" IMS_CLOSE TAIL,
			   "'bad_host!' is not a valid FQDN");
	expect_ims_invalid(HEAD VERS("1", "1") IMS_OPEN IMS_IDS
			   "<characteristic type=\"APPAUTH\"><parm name=\"AuthType\" value=\"Digest\"/>"
			   "</characteristic>" IMS_CLOSE TAIL,
			   "APPAUTH Digest without UserName");
	expect_ims_invalid(HEAD VERS("1", "1") IMS_OPEN IMS_IDS
			   "<characteristic type=\"APPAUTH\"><parm name=\"AuthType\" value=\"Magic\"/>"
			   "</characteristic>" IMS_CLOSE TAIL,
			   "APPAUTH AuthType 'Magic' is not AKA, Digest or EarlyIMS");
	expect_ims_invalid(HEAD VERS("1", "1") IMS_OPEN
			   "<parm name=\"Private_User_Identity\" value=\"u x\"/>" IMS_CLOSE TAIL,
			   "Private_User_Identity 'u x' contains white space");
}

static void test_to_profile(void **state)
{
	struct prov_doc *doc = parse_file_ok("rcc14-table2-full.xml");
	struct ims_profile p;
	char err[256];

	prov_profile_init(&p);
	assert_int_equal(prov_doc_to_profile(doc, &p, err, sizeof(err)), 0);
	assert_string_equal(p.impi, "214011001388741@ims.mnc001.mcc214.3gppnetwork.org");
	assert_int_equal(p.n_impu, 3);
	assert_string_equal(p.impu[0], "sip:+34600000001@ims.mnc001.mcc214.3gppnetwork.org");
	assert_string_equal(p.impu[2], "sip:214011001388741@ims.mnc001.mcc214.3gppnetwork.org");
	assert_string_equal(p.home_domain, "ims.mnc001.mcc214.3gppnetwork.org");
	assert_int_equal(p.n_pcscf, 3);
	assert_string_equal(p.pcscf[0].address, "pcscf1.ims.mnc001.mcc214.3gppnetwork.org");
	assert_int_equal(p.pcscf[0].type, IMS_ADDR_FQDN);
	assert_int_equal(p.pcscf[1].type, IMS_ADDR_IPV4);
	assert_string_equal(p.pcscf[2].address, "2001:db8::10");
	assert_int_equal(p.pcscf[2].type, IMS_ADDR_IPV6);
	assert_int_equal(p.t1_ms, 2000);
	assert_int_equal(p.t2_ms, 16000);
	assert_int_equal(p.t4_ms, 17000);
	assert_int_equal(p.reg_retry_base_time_s, 30);
	assert_int_equal(p.reg_retry_max_time_s, 1800);
	assert_int_equal(p.appauth.auth_type, IMS_AUTH_AKA);
	assert_string_equal(p.appauth.realm, "ims.mnc001.mcc214.3gppnetwork.org");
	assert_null(p.appauth.password);
	assert_int_equal(p.source, IMS_PROFILE_SRC_AUTOCONF);
	assert_string_equal(p.msisdn, "+34600000001");
	prov_doc_free(doc);

	/* Defaults where the document is silent; digest credentials; repeated
	 * IMPUs once; more IMPUs and P-CSCFs than the profile holds. */
	char buf[8192];
	size_t n = (size_t)snprintf(buf, sizeof(buf), HEAD VERS("2", "60") IMS_OPEN IMS_IDS
				    "<characteristic type=\"Public_user_identity_List\">");
	for (int i = 0; i < IMS_PROFILE_MAX_IMPU + 3; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "<parm name=\"Public_user_identity\" value=\"sip:u%d@x\"/>"
				      "<parm name=\"Public_user_identity\" value=\"sip:u%d@x\"/>",
				      i, i);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "</characteristic>");
	for (int i = 0; i < IMS_PROFILE_MAX_PCSCF + 2; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "<characteristic type=\"LBO_P-CSCF_Address\"><parm "
				      "name=\"Address\" value=\"p%d.example.net\"/></characteristic>",
				      i);
	snprintf(buf + n, sizeof(buf) - n,
		 "<characteristic type=\"APPAUTH\"><parm name=\"AuthType\" value=\"Digest\"/>"
		 "<parm name=\"UserName\" value=\"alice\"/><parm name=\"UserPwd\" value=\"s3cret\"/>"
		 "</characteristic>" IMS_CLOSE TAIL);
	doc = parse_str_ok(buf);
	assert_int_equal(prov_doc_to_profile(doc, &p, err, sizeof(err)), 0);
	assert_int_equal(p.n_impu, IMS_PROFILE_MAX_IMPU);
	assert_string_equal(p.impu[0], "sip:u@ims.example.net");
	assert_string_equal(p.impu[1], "sip:u0@x");
	assert_string_equal(p.impu[2], "sip:u1@x");
	assert_int_equal(p.n_pcscf, IMS_PROFILE_MAX_PCSCF);
	assert_string_equal(p.pcscf[0].address, "p0.example.net");
	assert_int_equal(p.t1_ms, IMS_PROFILE_DEFAULT_T1_MS);
	assert_int_equal(p.reg_retry_max_time_s, IMS_PROFILE_DEFAULT_REG_RETRY_MAX_S);
	assert_int_equal(p.appauth.auth_type, IMS_AUTH_DIGEST);
	assert_string_equal(p.appauth.username, "alice");
	assert_string_equal(p.appauth.password, "s3cret");
	assert_null(p.appauth.realm);
	assert_null(p.msisdn);
	prov_doc_free(doc);

	/* Failures leave the profile as it was. */
	doc = parse_file_ok("rcc14-table3-version-only.xml");
	assert_int_equal(prov_doc_to_profile(doc, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "a version-only document carries no configuration");
	prov_doc_free(doc);
	doc = parse_file_ok("rcc14-invalid-no-impi.xml");
	assert_int_equal(prov_doc_to_profile(doc, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "has no Private_User_Identity"));
	prov_doc_free(doc);
	doc = parse_str_ok(HEAD VERS("2", "60") IMS_OPEN IMS_IDS
			   "<characteristic type=\"APPAUTH\"><parm name=\"AuthType\" "
			   "value=\"EarlyIMS\"/></characteristic>" IMS_CLOSE TAIL);
	assert_int_equal(prov_doc_ims_validate(doc, NULL, 0), 0);
	assert_int_equal(prov_doc_to_profile(doc, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "line 4: APPAUTH AuthType EarlyIMS is not supported");
	prov_doc_free(doc);
	assert_string_equal(p.appauth.username, "alice");
	prov_profile_clear(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table2_full),
		cmocka_unit_test(test_table3_version_only),
		cmocka_unit_test(test_table4_5_6_resets),
		cmocka_unit_test(test_table7_msg),
		cmocka_unit_test(test_table11_policy),
		cmocka_unit_test(test_token_validity),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_too_deep_inline),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_vers_errors),
		cmocka_unit_test(test_token_msg_policy_errors),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_ims_valid_variants),
		cmocka_unit_test(test_ims_invalid),
		cmocka_unit_test(test_to_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
