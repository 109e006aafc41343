/* Unit tests: reg event bodies (ue/reginfo.c): the RFC 3680 parser and its
 * error paths, contact matching, version ordering and partial state, and
 * each TS 24.229 5.1.1.5A / 5.1.1.7 decision. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ue/reginfo.h"

#define OURS     "sip:001010000000001@192.0.2.10:5062"
#define OTHER    "sip:001010000000001@198.51.100.7:5070"
#define INST     "<urn:gsma:imei:49015420-323751-0>"
#define INST_Q   "\"&lt;urn:gsma:imei:49015420-323751-0&gt;\""
#define INST_OTH "\"&lt;urn:gsma:imei:35209900-176148-0&gt;\""
#define IMPU     "sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org"
#define TEL      "tel:+15550100001"

#define HEAD(v, st)                                                                                \
	"<?xml version=\"1.0\"?>\n<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"" v  \
	"\" state=\"" st "\">\n"
#define TAIL             "</reginfo>\n"
#define REG(aor, id, st) "<registration aor=\"" aor "\" id=\"" id "\" state=\"" st "\">\n"
#define REG_E            "</registration>\n"
#define CON(id, st, ev, extra, uri, more)                                                          \
	"<contact id=\"" id "\" state=\"" st "\" event=\"" ev "\" " extra "><uri>" uri             \
	"</uri>" more "</contact>\n"
#define INSTP(v) "<unknown-param name=\"+sip.instance\">" v "</unknown-param>"

/* ---- helpers ---- */

/* Parse exactly len bytes from an exact-size heap copy (no NUL after it). */
static int parse_len(const char *text, size_t len, struct ue_reginfo **doc, char *err,
		     size_t errlen)
{
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	int rc = ue_reginfo_parse(copy, len, doc, err, errlen);
	free(copy);
	return rc;
}

static struct ue_reginfo *parse_ok(const char *text)
{
	struct ue_reginfo *doc = NULL;
	char err[256] = "";
	if (parse_len(text, strlen(text), &doc, err, sizeof(err)) != 0)
		fail_msg("unexpected parse error: %s\n%s", err, text);
	assert_non_null(doc);
	return doc;
}

static char *load_data(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[1024];
	snprintf(path, sizeof(path), "%s/test/data/%s", top ? top : ".", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (is top_srcdir set?)", path);
	char *buf = malloc(UE_REGINFO_MAX_SIZE + 2);
	assert_non_null(buf);
	*len = fread(buf, 1, UE_REGINFO_MAX_SIZE + 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static struct ue_reginfo *parse_file(const char *name)
{
	size_t len;
	char *text = load_data(name, &len);
	struct ue_reginfo *doc = NULL;
	char err[256] = "";
	if (parse_len(text, len, &doc, err, sizeof(err)) != 0)
		fail_msg("%s: %s", name, err);
	free(text);
	return doc;
}

/* A growing string for generated documents. */
struct buf {
	char *s;
	size_t n, cap;
};

static void bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	assert_true(need >= 0);
	if (b->n + (size_t)need + 1 > b->cap) {
		b->cap = (b->n + (size_t)need + 1) * 2;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)need;
}

/* ---- parser: documents ---- */

static void test_parse_full_registered(void **state)
{
	struct ue_reginfo *doc = parse_file("reginfo-full-registered.xml");

	assert_int_equal(doc->version, 0);
	assert_int_equal(doc->state, UE_REGINFO_FULL);
	assert_int_equal(doc->n_regs, 2);
	const struct ue_reginfo_registration *r = &doc->regs[0];
	assert_string_equal(r->aor, IMPU);
	assert_string_equal(r->id, "reg1");
	assert_int_equal(r->state, UE_REGINFO_REG_ACTIVE);
	assert_int_equal(r->n_contacts, 1);
	const struct ue_reginfo_contact *c = &r->contacts[0];
	assert_string_equal(c->id, "c1");
	assert_int_equal(c->state, UE_REGINFO_CONTACT_ACTIVE);
	assert_int_equal(c->event, UE_REGINFO_EV_REGISTERED);
	assert_true(c->expires.present);
	assert_int_equal(c->expires.value, 600000);
	assert_false(c->retry_after.present);
	assert_true(c->cseq.present);
	assert_int_equal(c->cseq.value, 2);
	assert_true(c->duration_registered.present);
	assert_int_equal(c->duration_registered.value, 0);
	assert_string_equal(c->callid, "a84b4c76e66710@192.0.2.10");
	assert_null(c->q);
	assert_int_equal(c->q1000, -1);
	assert_string_equal(c->uri, OURS);
	assert_null(c->display_name);
	assert_int_equal(c->n_params, 2);
	assert_string_equal(c->params[0].name, "+sip.instance");
	assert_string_equal(ue_reginfo_contact_param(c, "+SIP.Instance"),
			    "\"<urn:gsma:imei:49015420-323751-0>\"");
	assert_string_equal(ue_reginfo_contact_param(c, "+g.3gpp.icsi-ref"),
			    "\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel\"");
	assert_null(ue_reginfo_contact_param(c, "reg-id"));
	assert_string_equal(c->pub_gruu, IMPU ";gr=urn:gsma:imei:49015420-323751-0");
	assert_string_equal(c->temp_gruu, "sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@"
					  "ims.mnc001.mcc001.3gppnetwork.org;gr");
	assert_true(c->line > 0);
	assert_string_equal(doc->regs[1].aor, TEL);
	assert_int_equal(doc->regs[1].contacts[0].event, UE_REGINFO_EV_CREATED);
	ue_reginfo_free(doc);
}

static void test_parse_rfc3680_example(void **state)
{
	struct ue_reginfo *doc = parse_file("reginfo-rfc3680-example.xml");

	assert_int_equal(doc->n_regs, 1);
	assert_string_equal(doc->regs[0].aor, "sip:user@example.com");
	assert_string_equal(doc->regs[0].id, "as9");
	assert_int_equal(doc->regs[0].n_contacts, 2);
	const struct ue_reginfo_contact *c = doc->regs[0].contacts;
	assert_int_equal(c[0].duration_registered.value, 7322);
	assert_string_equal(c[0].q, "0.8");
	assert_int_equal(c[0].q1000, 800);
	assert_int_equal(c[1].state, UE_REGINFO_CONTACT_TERMINATED);
	assert_int_equal(c[1].event, UE_REGINFO_EV_EXPIRED);
	assert_int_equal(c[1].q1000, 500);
	assert_string_equal(c[1].uri, "sip:user@university.edu");
	ue_reginfo_free(doc);
}

static void test_parse_kamailio(void **state)
{
	struct ue_reginfo *doc = parse_file("reginfo-kamailio-terminated.xml");
	assert_int_equal(doc->version, 2);
	assert_int_equal(doc->n_regs, 2);
	assert_int_equal(doc->regs[0].state, UE_REGINFO_REG_TERMINATED);
	assert_int_equal(doc->regs[0].n_contacts, 0);
	assert_string_equal(doc->regs[1].id, "0x7f3a2c10ec58");
	ue_reginfo_free(doc);

	/* Kamailio may print garbage for q: kept as text, not a qvalue. */
	doc = parse_file("reginfo-kamailio-registered.xml");
	assert_string_equal(doc->regs[0].contacts[0].q, "-0.000");
	assert_int_equal(doc->regs[0].contacts[0].q1000, -1);
	assert_int_equal(doc->regs[0].contacts[0].expires.value, 539999);
	ue_reginfo_free(doc);
}

/* Unknown elements and attributes, other namespaces, comments, PIs, CDATA,
 * predefined entities, white space and another encoding. */
static void test_parse_tolerated(void **state)
{
	struct ue_reginfo *doc = parse_ok(
		"<?xml version='1.0' encoding='ISO-8859-1'?>\n"
		"<!-- comment --><?pi data?>\n"
		"<r:reginfo xmlns:r='urn:ietf:params:xml:ns:reginfo' xmlns:x='urn:example:x'"
		" version=' 7 ' state='partial' x:extra='1' other='2'>\n"
		"  <x:registration aor='sip:not-this@example.com' id='x' state='bogus'/>\n"
		"  <r:future-element><r:registration aor='sip:nested@example.com' id='n'"
		" state='bogus'/></r:future-element>\n"
		"  <r:registration aor='sip:a&amp;b@example.com' id='1' state='init' new='y'>\n"
		"    <r:contact id='9' state='active' event='created' expires=' 30 ' q='1.0'"
		" foo='bar'>\n"
		"      <x:uri>sip:wrong@example.com</x:uri>\n"
		"      <r:uri>\n   <![CDATA[sip:u@h.example.com]]>  \n</r:uri>\n"
		"      <r:display-name xml:lang='fr'>Fran\xe7ois</r:display-name>\n"
		"      <r:display-name>second</r:display-name>\n"
		"      <r:unknown-param name='audio'/>\n"
		"      <r:whatever><r:uri>sip:deeper@example.com</r:uri></r:whatever>\n"
		"    </r:contact>\n"
		"  </r:registration>\n"
		"</r:reginfo>");

	assert_int_equal(doc->version, 7);
	assert_int_equal(doc->state, UE_REGINFO_PARTIAL);
	assert_int_equal(doc->n_regs, 1);
	assert_string_equal(doc->regs[0].aor, "sip:a&b@example.com");
	assert_int_equal(doc->regs[0].state, UE_REGINFO_REG_INIT);
	const struct ue_reginfo_contact *c = &doc->regs[0].contacts[0];
	assert_int_equal(c->expires.value, 30);
	assert_int_equal(c->q1000, 1000);
	assert_string_equal(c->uri, "sip:u@h.example.com");
	assert_string_equal(c->display_name, "Fran\xc3\xa7ois"); /* UTF-8 */
	assert_int_equal(c->n_params, 1);
	assert_string_equal(c->params[0].name, "audio");
	assert_string_equal(c->params[0].value, "");
	ue_reginfo_free(doc);

	/* Empty reginfo, and the largest version. */
	doc = parse_ok(HEAD("18446744073709551615", "full") TAIL);
	assert_int_equal(doc->n_regs, 0);
	assert_true(doc->version == UINT64_MAX);
	ue_reginfo_free(doc);
}

static void test_parse_depth_limit(void **state)
{
	struct buf b = {0};
	struct ue_reginfo *doc = NULL;
	char err[256];

	/* reginfo at level 1 and unknown elements down to level 16: fine. */
	bprintf(&b, HEAD("0", "full"));
	for (int i = 2; i <= UE_REGINFO_MAX_DEPTH; i++)
		bprintf(&b, "<x>");
	for (int i = 2; i <= UE_REGINFO_MAX_DEPTH; i++)
		bprintf(&b, "</x>");
	bprintf(&b, TAIL);
	doc = parse_ok(b.s);
	ue_reginfo_free(doc);

	/* One more level: refused, with the line. */
	b.n = 0;
	bprintf(&b, HEAD("0", "full"));
	for (int i = 2; i <= UE_REGINFO_MAX_DEPTH + 1; i++)
		bprintf(&b, "<x>");
	for (int i = 2; i <= UE_REGINFO_MAX_DEPTH + 1; i++)
		bprintf(&b, "</x>");
	bprintf(&b, TAIL);
	assert_int_equal(parse_len(b.s, b.n, &doc, err, sizeof(err)), -1);
	assert_null(doc);
	assert_string_equal(err, "line 3: elements nested deeper than 16 levels");
	free(b.s);
}

/* ---- parser: error paths ---- */

struct bad_case {
	const char *name;
	const char *xml;
	const char *want; /* substring of the error */
};

static const struct bad_case bad_cases[] = {
	{"not XML", "hello", "line 1: XML: "},
	{"unclosed root", "<reginfo xmlns='urn:ietf:params:xml:ns:reginfo'", "line 1: XML: "},
	{"mismatched tags", HEAD("0", "full") "<registration>" TAIL, "line 3: XML: "},
	{"NUL byte", HEAD("0", "full") "\0" TAIL, "XML: "},
	{"bad UTF-8", HEAD("0", "full") "<x>\xff\xfe</x>" TAIL, "XML: "},
	{"DOCTYPE without subset", "<?xml version='1.0'?>\n<!DOCTYPE reginfo>\n<reginfo/>",
	 "line 2: document type declaration (DOCTYPE) not allowed"},
	{"external DTD", "<!DOCTYPE reginfo SYSTEM 'http://192.0.2.1/x.dtd'><reginfo/>",
	 "line 1: document type declaration (DOCTYPE) not allowed"},
	{"XXE", "<!DOCTYPE r [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><r>&e;</r>", "DOCTYPE"},
	{"parameter entity", "<!DOCTYPE r [<!ENTITY % p SYSTEM 'http://192.0.2.1/'> %p;]><r/>",
	 "DOCTYPE"},
	{"undeclared entity", HEAD("0", "full") "<x>&ent;</x>" TAIL, "line 3: XML: "},
	{"DOCTYPE after root", "<reginfo/><!DOCTYPE reginfo>", "XML: "},
	{"root name", "<regInfo xmlns='urn:ietf:params:xml:ns:reginfo' version='0' state='full'/>",
	 "line 1: root element is not <reginfo> in namespace urn:ietf:params:xml:ns:reginfo"},
	{"root without namespace", "<reginfo version='0' state='full'/>",
	 "root element is not <reginfo>"},
	{"root in another namespace", "<reginfo xmlns='urn:ietf:params:xml:ns:reginfo2'/>",
	 "root element is not <reginfo>"},
	{"no version", "<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' state='full'/>",
	 "line 1: <reginfo> has no version attribute"},
	{"version not a number", HEAD("1a", "full") TAIL,
	 "line 2: <reginfo> version=\"1a\" is not an unsigned decimal number"},
	{"negative version", HEAD("-1", "full") TAIL, "version=\"-1\" is not an unsigned"},
	{"empty version", HEAD("", "full") TAIL, "version=\"\" is not an unsigned"},
	{"version too big", HEAD("18446744073709551616", "full") TAIL,
	 "version=\"18446744073709551616\" is out of range"},
	{"no state", "<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='0'/>",
	 "<reginfo> has no state attribute"},
	{"bad state", HEAD("0", "Full") TAIL,
	 "line 2: <reginfo> state=\"Full\" is not one of full|partial"},
	{"registration without aor", HEAD("0", "full") "<registration id='1' state='active'/>" TAIL,
	 "line 3: <registration> has no aor attribute"},
	{"registration with empty aor",
	 HEAD("0", "full") "<registration aor='' id='1' state='active'/>" TAIL,
	 "line 3: <registration> has an empty aor"},
	{"registration without id",
	 HEAD("0", "full") "<registration aor='sip:a@b' state='active'/>" TAIL,
	 "<registration> has no id attribute"},
	{"registration without state",
	 HEAD("0", "full") "<registration aor='sip:a@b' id='1'/>" TAIL,
	 "<registration> has no state attribute"},
	{"registration state", HEAD("0", "full") REG("sip:a@b", "1", "gone") REG_E TAIL,
	 "line 3: <registration> state=\"gone\" is not one of init|active|terminated"},
	{"contact without id",
	 HEAD("0", "full")
		 REG("sip:a@b", "1",
		     "active") "<contact state='active' "
			       "event='registered'><uri>sip:c@d</uri></contact>" REG_E TAIL,
	 "line 4: <contact> has no id attribute"},
	{"contact without state",
	 HEAD("0", "full") REG(
		 "sip:a@b", "1",
		 "active") "<contact id='1' event='registered'><uri>sip:c@d</uri></contact>" REG_E
		 TAIL,
	 "<contact> has no state attribute"},
	{"contact state",
	 HEAD("0", "full") REG("sip:a@b", "1", "active")
		 CON("1", "pending", "registered", "", "sip:c@d", "") REG_E TAIL,
	 "<contact> state=\"pending\" is not one of active|terminated"},
	{"contact without event",
	 HEAD("0", "full") REG(
		 "sip:a@b", "1",
		 "active") "<contact id='1' state='active'><uri>sip:c@d</uri></contact>" REG_E TAIL,
	 "<contact> has no event attribute"},
	{"contact event",
	 HEAD("0", "full") REG("sip:a@b", "1", "active")
		 CON("1", "terminated", "Rejected", "", "sip:c@d", "") REG_E TAIL,
	 "<contact> event=\"Rejected\" is not one of registered|created|refreshed|shortened|"
	 "expired|deactivated|probation|unregistered|rejected"},
	{"expires not a number",
	 HEAD("0", "full") REG("sip:a@b", "1", "active")
		 CON("1", "active", "shortened", "expires='ten'", "sip:c@d", "") REG_E TAIL,
	 "line 4: <contact> expires=\"ten\" is not an unsigned decimal number"},
	{"expires too big",
	 HEAD("0", "full") REG("sip:a@b", "1", "active")
		 CON("1", "active", "shortened", "expires='4294967296'", "sip:c@d", "") REG_E TAIL,
	 "<contact> expires=\"4294967296\" is out of range"},
	{"retry-after negative",
	 HEAD("0", "full") REG("sip:a@b", "1", "active")
		 CON("1", "terminated", "probation", "retry-after='-5'", "sip:c@d", "") REG_E TAIL,
	 "<contact> retry-after=\"-5\" is not an unsigned"},
	{"cseq fraction",
	 HEAD("0", "full") REG("sip:a@b", "1", "active")
		 CON("1", "active", "registered", "cseq='1.5'", "sip:c@d", "") REG_E TAIL,
	 "<contact> cseq=\"1.5\" is not an unsigned"},
	{"duration-registered empty",
	 HEAD("0", "full") REG("sip:a@b", "1", "active") CON(
		 "1", "active", "registered", "duration-registered=''", "sip:c@d", "") REG_E TAIL,
	 "<contact> duration-registered=\"\" is not an unsigned"},
	{"long value shortened in the message",
	 HEAD("0", "full") REG("sip:a@b", "1", "active")
		 CON("1", "active", "registered",
		     "expires='0123456789012345678901234567890123456789xyz\t'", "sip:c@d", "")
			 REG_E TAIL,
	 "expires=\"0123456789012345678901234567890123456789...\" is not"},
	{"contact without uri",
	 HEAD("0", "full")
		 REG("sip:a@b", "1",
		     "active") "<contact id='1' state='active' event='registered'/>" REG_E TAIL,
	 "line 4: <contact> has no <uri>"},
	{"contact with two uris",
	 HEAD("0", "full") REG("sip:a@b", "1", "active")
		 CON("1", "active", "registered", "", "sip:c@d", "\n<uri>sip:e@f</uri>") REG_E TAIL,
	 "line 5: <contact> has more than one <uri>"},
	{"empty uri",
	 HEAD("0", "full") REG("sip:a@b", "1", "active")
		 CON("1", "active", "registered", "", " \n ", "") REG_E TAIL,
	 "line 4: <uri> is empty"},
	{"unknown-param without name",
	 HEAD("0", "full") REG("sip:a@b", "1", "active")
		 CON("1", "active", "registered", "", "sip:c@d", "<unknown-param>x</unknown-param>")
			 REG_E TAIL,
	 "<unknown-param> has no name attribute"},
	{"pub-gruu without uri",
	 HEAD("0", "full") REG("sip:a@b", "1", "active")
		 CON("1", "active", "registered", "", "sip:c@d",
		     "<g:pub-gruu xmlns:g='urn:ietf:params:xml:ns:gruuinfo'/>") REG_E TAIL,
	 "<pub-gruu> has no uri attribute"},
	{"temp-gruu without uri",
	 HEAD("0", "full") REG("sip:a@b", "1", "active")
		 CON("1", "active", "registered", "", "sip:c@d",
		     "<g:temp-gruu xmlns:g='urn:ietf:params:xml:ns:gruuinfo' first-cseq='1'/>")
			 REG_E TAIL,
	 "<temp-gruu> has no uri attribute"},
};

static void check_error(const char *name, const char *text, size_t len, const char *want)
{
	struct ue_reginfo *doc = (struct ue_reginfo *)&doc;
	char err[256] = "";

	if (parse_len(text, len, &doc, err, sizeof(err)) != -1)
		fail_msg("%s: parsed, expected an error containing '%s'", name, want);
	assert_null(doc);
	if (!strstr(err, want))
		fail_msg("%s: error '%s' does not contain '%s'", name, err, want);
	if (strchr(err, '\n') || strchr(err, '\r'))
		fail_msg("%s: error is more than one line: '%s'", name, err);
}

static void test_parse_errors(void **state)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *t = &bad_cases[i];
		size_t len = strlen(t->xml);
		if (!strcmp(t->name, "NUL byte"))
			len += 1 + strlen(TAIL); /* the literal continues past the NUL */
		check_error(t->name, t->xml, len, t->want);
		if (strncmp(t->want, "line ", 5) && strncmp(t->want, "XML", 3) &&
		    strncmp(t->want, "DOCTYPE", 7)) {
			/* Every document error names its line. */
			struct ue_reginfo *doc;
			char err[256] = "";
			parse_len(t->xml, len, &doc, err, sizeof(err));
			if (strncmp(err, "line ", 5))
				fail_msg("%s: '%s' does not start with 'line '", t->name, err);
		}
	}
}

static void test_parse_error_files(void **state)
{
	static const struct {
		const char *file, *want;
	} files[] = {
		{"reginfo-bad-malformed.xml", "line 7: XML: "},
		{"reginfo-bad-xxe.xml", "line 2: document type declaration (DOCTYPE) not allowed"},
		{"reginfo-bad-billion-laughs.xml", "line 2: document type declaration"},
		{"reginfo-bad-event.xml", "line 5: <contact> event=\"kicked\""},
		{"reginfo-bad-no-version.xml", "line 2: <reginfo> has no version attribute"},
		{"reginfo-bad-expires.xml", "line 5: <contact> expires=\"5 minutes\""},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len;
		char *text = load_data(files[i].file, &len);
		check_error(files[i].file, text, len, files[i].want);
		free(text);
	}
}

static void test_parse_limits(void **state)
{
	struct ue_reginfo *doc = (struct ue_reginfo *)&doc;
	char err[128] = "x";
	struct buf b = {0};

	assert_int_equal(ue_reginfo_parse(NULL, 0, &doc, err, sizeof(err)), -1);
	assert_null(doc);
	assert_string_equal(err, "empty document");
	check_error("empty", "", 0, "empty document");
	/* err may be NULL. */
	assert_int_equal(ue_reginfo_parse((const uint8_t *)"<x/>", 4, &doc, NULL, 0), -1);

	/* Size: exactly the limit is parsed, one byte more is not. */
	bprintf(&b, HEAD("0", "full") "<!--");
	while (b.n < UE_REGINFO_MAX_SIZE - strlen("-->" TAIL))
		bprintf(&b, "x");
	bprintf(&b, "-->" TAIL);
	assert_int_equal(b.n, UE_REGINFO_MAX_SIZE);
	doc = parse_ok(b.s);
	ue_reginfo_free(doc);
	b.n -= strlen("-->" TAIL);
	bprintf(&b, "x-->" TAIL);
	check_error("size", b.s, b.n, "document is 65537 bytes, more than the 65536 allowed");

	/* Counts. */
	b.n = 0;
	bprintf(&b, HEAD("0", "full"));
	for (int i = 0; i <= UE_REGINFO_MAX_REGS; i++)
		bprintf(&b, "<registration aor='sip:%d@h' id='%d' state='terminated'/>", i, i);
	bprintf(&b, TAIL);
	check_error("registrations", b.s, b.n,
		    "line 2: <reginfo> has 65 <registration> elements, more than 64");

	b.n = 0;
	bprintf(&b, HEAD("0", "full") REG("sip:a@b", "1", "active"));
	for (int i = 0; i <= UE_REGINFO_MAX_CONTACTS; i++)
		bprintf(&b, CON("%d", "active", "registered", "", "sip:%d@h", ""), i, i);
	bprintf(&b, REG_E TAIL);
	check_error("contacts", b.s, b.n,
		    "line 3: <registration> has 65 <contact> elements, more than 64");

	b.n = 0;
	bprintf(&b, HEAD("0", "full") REG("sip:a@b", "1", "active"));
	bprintf(&b, "<contact id='1' state='active' event='registered'><uri>sip:c@d</uri>");
	for (int i = 0; i <= UE_REGINFO_MAX_PARAMS; i++)
		bprintf(&b, "<unknown-param name='p%d'/>", i);
	bprintf(&b, "</contact>" REG_E TAIL);
	check_error("params", b.s, b.n,
		    "line 4: <contact> has 33 <unknown-param> elements, more than 32");
	free(b.s);
}

/* The parser's error must not depend on a NUL after the data: a document
 * cut anywhere fails cleanly (ASan checks the reads). */
static void test_parse_truncated(void **state)
{
	size_t len;
	char *text = load_data("reginfo-full-registered.xml", &len);

	for (size_t cut = 0; cut < len - 1; cut += 7) {
		struct ue_reginfo *doc = NULL;
		char err[256] = "";
		if (parse_len(text, cut, &doc, err, sizeof(err)) == 0)
			fail_msg("parsed a document cut at %zu", cut);
		assert_null(doc);
		assert_true(err[0] != '\0');
	}
	free(text);
}

static void test_qvalue(void **state)
{
	static const struct {
		const char *q;
		int want;
	} cases[] = {
		{"1", 1000},  {"1.", 1000}, {"1.000", 1000}, {"1.001", -1},
		{"0", 0},     {"0.5", 500}, {"0.123", 123},  {"0.1234", -1},
		{"0.", 0},    {".5", -1},   {"2", -1},       {" 0.25 ", 250},
		{"0.5x", -1}, {"", -1},     {"-0.000", -1},  {"1e0", -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char xml[512];
		snprintf(xml, sizeof(xml),
			 HEAD("0", "full") REG("sip:a@b", "1", "active")
				 CON("1", "active", "registered", "q='%s'", "sip:c@d", "")
					 REG_E TAIL,
			 cases[i].q);
		struct ue_reginfo *doc = parse_ok(xml);
		if (doc->regs[0].contacts[0].q1000 != cases[i].want)
			fail_msg("q='%s': %d, want %d", cases[i].q, doc->regs[0].contacts[0].q1000,
				 cases[i].want);
		assert_string_equal(doc->regs[0].contacts[0].q, cases[i].q);
		ue_reginfo_free(doc);
	}
}

static void test_names(void **state)
{
	assert_string_equal(ue_reginfo_doc_state_name(UE_REGINFO_PARTIAL), "partial");
	assert_string_equal(ue_reginfo_reg_state_name(UE_REGINFO_REG_INIT), "init");
	assert_string_equal(ue_reginfo_reg_state_name(UE_REGINFO_REG_TERMINATED), "terminated");
	assert_string_equal(ue_reginfo_contact_state_name(UE_REGINFO_CONTACT_TERMINATED),
			    "terminated");
	assert_string_equal(ue_reginfo_event_name(UE_REGINFO_EV_REGISTERED), "registered");
	assert_string_equal(ue_reginfo_event_name(UE_REGINFO_EV_REJECTED), "rejected");
	assert_string_equal(ue_reginfo_action_name(UE_REGINFO_ACT_INITIAL_REGISTRATION),
			    "initial-registration");
	assert_string_equal(ue_reginfo_action_name(UE_REGINFO_ACT_DEREGISTERED), "deregistered");
	assert_string_equal(ue_reginfo_action_name((enum ue_reginfo_action_kind)42), "?");
}

/* ---- matching ---- */

static void test_uri_match(void **state)
{
	static const struct {
		const char *a, *b;
		bool want;
	} cases[] = {
		{OURS, OURS, true},
		{"SIP:001010000000001@192.0.2.10:5062", OURS, true},
		{"sip:alice@EXAMPLE.com", "sip:alice@example.COM", true},
		{"sip:Alice@example.com", "sip:alice@example.com", false},
		{"sip:alice@example.com", "sip:alice@example.com:5060", true},
		{"sip:alice@example.com", "sip:alice@example.com:5061", false},
		{"sips:alice@example.com", "sips:alice@example.com:5061", true},
		{"sips:alice@example.com", "sip:alice@example.com", false},
		{OURS, "sip:001010000000001@192.0.2.10:5063", false},
		{OURS, "sip:001010000000001@192.0.2.11:5062", false},
		{OURS, "sip:001010000000002@192.0.2.10:5062", false},
		{"sip:%61lice@h", "sip:alice@h", true},
		{"sip:%4Blice@h", "sip:%4blice@h", true},
		{"sip:a%2@h", "sip:a%2@h", true},
		{"sip:alice:secret@h", "sip:alice:secret@h", true},
		{"sip:alice:secret@h", "sip:alice:other@h", false},
		{"sip:alice@h", "sip:h", false},
		{"sip:h", "sip:h:5060", true},
		{"sip:+15550100001;npdi@h", "sip:+15550100001;npdi@h", true},
		{OURS ";transport=udp", OURS ";transport=UDP", true},
		{OURS ";transport=udp", OURS ";transport=tcp", false},
		{OURS ";transport=tcp", OURS, true},
		{OURS ";lr;ob", OURS ";ob", true},
		{OURS "?subject=x", OURS, true},
		{" <" OURS "> ", OURS, true},
		{"<" OURS, OURS, false},
		{"sip:u@[2001:db8::1]:5060", "sip:u@[2001:DB8:0:0:0:0:0:1]", true},
		{"sip:u@[2001:db8::1]", "sip:u@[2001:db8::2]", false},
		{"sip:u@[::ffff:192.0.2.1]", "sip:u@192.0.2.1", false},
		{"sip:u@[2001:db8::1", "sip:u@[2001:db8::1", false},
		{"sip:u@[zz]", "sip:u@[ZZ]", true},
		{"sip:u@h:", "sip:u@h:", false},
		{"sip:u@h:65536", "sip:u@h:65536", false},
		{"sip:u@h:50x", "sip:u@h:50x", false},
		{"sip:", "sip:", false},
		{"sip:u@", "sip:u@", false},
		{"tel:+15550100001", "tel:+15550100001", true},
		{"tel:+15550100001", "TEL:+15550100001", false},
		{"tel:+15550100001", "sip:+15550100001@h", false},
		{"", "", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool ab = ue_reginfo_uri_match(cases[i].a, cases[i].b);
		bool ba = ue_reginfo_uri_match(cases[i].b, cases[i].a);
		if (ab != cases[i].want || ba != cases[i].want)
			fail_msg("'%s' vs '%s': %d/%d, want %d", cases[i].a, cases[i].b, ab, ba,
				 cases[i].want);
	}
	assert_false(ue_reginfo_uri_match(NULL, OURS));
	assert_false(ue_reginfo_uri_match(OURS, NULL));
}

static void test_instance_match(void **state)
{
	assert_true(ue_reginfo_instance_match("\"<urn:gsma:imei:49015420-323751-0>\"",
					      "urn:gsma:imei:49015420-323751-0"));
	assert_true(ue_reginfo_instance_match(" \" <URN:GSMA:IMEI:49015420-323751-0> \" ", INST));
	assert_true(ue_reginfo_instance_match("<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>",
					      "urn:uuid:F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6"));
	assert_false(ue_reginfo_instance_match(INST, "urn:gsma:imei:35209900-176148-0"));
	assert_false(ue_reginfo_instance_match(INST, "urn:gsma:imei:49015420-323751"));
	assert_false(ue_reginfo_instance_match("\"\"", "<>"));
	assert_false(ue_reginfo_instance_match(NULL, INST));
}

static const struct ue_reginfo_contact *first_contact(const struct ue_reginfo *doc)
{
	return &doc->regs[0].contacts[0];
}

static void test_contact_is_ours(void **state)
{
	struct ue_reginfo *doc;

	/* A contact with our instance is ours whatever its URI. */
	doc = parse_ok(HEAD("0", "full") REG(IMPU, "1", "active") CON(
		"1", "active", "registered", "", OTHER, INSTP(INST_Q)) REG_E TAIL);
	assert_true(ue_reginfo_contact_is_ours(first_contact(doc), OURS, INST));
	assert_true(ue_reginfo_contact_is_ours(first_contact(doc), NULL, INST));
	/* Without our instance, the URI decides. */
	assert_false(ue_reginfo_contact_is_ours(first_contact(doc), OURS, NULL));
	assert_true(ue_reginfo_contact_is_ours(first_contact(doc), OTHER, NULL));
	assert_true(ue_reginfo_contact_is_ours(first_contact(doc), OTHER, "  "));
	ue_reginfo_free(doc);

	/* Another instance on our URI: not ours when we know our instance. */
	doc = parse_ok(HEAD("0", "full") REG(IMPU, "1", "active") CON(
		"1", "active", "registered", "", OURS, INSTP(INST_OTH)) REG_E TAIL);
	assert_false(ue_reginfo_contact_is_ours(first_contact(doc), OURS, INST));
	assert_true(ue_reginfo_contact_is_ours(first_contact(doc), OURS, NULL));
	ue_reginfo_free(doc);

	/* No +sip.instance, or an empty one: the URI decides. */
	doc = parse_ok(HEAD("0", "full") REG(IMPU, "1", "active") CON(
		"1", "active", "registered", "", OURS,
		"<unknown-param name='+sip.instance'></unknown-param>") REG_E TAIL);
	assert_true(ue_reginfo_contact_is_ours(first_contact(doc), OURS, INST));
	assert_false(ue_reginfo_contact_is_ours(first_contact(doc), OTHER, INST));
	assert_false(ue_reginfo_contact_is_ours(first_contact(doc), NULL, INST));
	assert_false(ue_reginfo_contact_is_ours(first_contact(doc), NULL, NULL));
	ue_reginfo_free(doc);
}

/* ---- subscription: versions ---- */

static struct ue_reginfo_sub *new_sub(const char *contact, const char *instance)
{
	struct ue_reginfo_sub *sub = NULL;
	char err[128];
	if (ue_reginfo_sub_new(&sub, contact, instance, err, sizeof(err)) != 0)
		fail_msg("ue_reginfo_sub_new: %s", err);
	return sub;
}

/* Apply a document given as text; the document stays alive in *keep (the
 * result points into it) until the next call or keep_free. */
struct keep {
	struct ue_reginfo *doc;
	struct ue_reginfo_result res;
};

static struct ue_reginfo_result *apply_text(struct ue_reginfo_sub *sub, struct keep *k,
					    const char *xml)
{
	char err[128] = "";
	ue_reginfo_free(k->doc);
	k->doc = parse_ok(xml);
	if (ue_reginfo_sub_apply(sub, k->doc, &k->res, err, sizeof(err)) != 0)
		fail_msg("apply: %s", err);
	return &k->res;
}

static void keep_free(struct keep *k)
{
	ue_reginfo_free(k->doc);
	k->doc = NULL;
}

#define ACTIVE_OURS(v, st)                                                                         \
	HEAD(v, st)                                                                                \
	REG(IMPU, "r1", "active")                                                                  \
	CON("c1", "active", "registered", "expires='600'", OURS, "") REG_E TAIL

static void test_versions(void **state)
{
	struct ue_reginfo_sub *sub = new_sub(OURS, NULL);
	struct keep k = {0};
	struct ue_reginfo_result *res;
	uint64_t v = 99;

	assert_false(ue_reginfo_sub_version(sub, &v));
	assert_int_equal(v, 99);

	res = apply_text(sub, &k, ACTIVE_OURS("0", "full"));
	assert_false(res->stale);
	assert_false(res->need_refresh);
	assert_int_equal(res->n_actions, 1);
	assert_true(ue_reginfo_sub_version(sub, &v));
	assert_int_equal(v, 0);

	/* The same version again, and an older one: stale, nothing set. */
	res = apply_text(sub, &k, HEAD("0", "full") REG(IMPU, "r1", "terminated") REG_E TAIL);
	assert_true(res->stale);
	assert_int_equal(res->n_actions, 0);
	assert_false(res->all_terminated);
	assert_false(res->need_refresh);

	/* Next partial: fine. */
	res = apply_text(sub, &k, ACTIVE_OURS("1", "partial"));
	assert_false(res->stale);
	assert_false(res->need_refresh);

	/* A gap in partial state: applied, but full state is needed. */
	res = apply_text(sub, &k,
			 HEAD("3", "partial") REG(IMPU, "r1", "active")
				 CON("c1", "active", "shortened", "expires='100'", OURS, "")
					 REG_E TAIL);
	assert_false(res->stale);
	assert_true(res->need_refresh);
	assert_int_equal(res->actions[0].action, UE_REGINFO_ACT_REREGISTER);
	assert_true(ue_reginfo_sub_version(sub, &v));
	assert_int_equal(v, 3);

	res = apply_text(sub, &k, ACTIVE_OURS("2", "full"));
	assert_true(res->stale);

	/* A gap in full state does not matter: full state replaces. */
	res = apply_text(sub, &k, ACTIVE_OURS("10", "full"));
	assert_false(res->stale);
	assert_false(res->need_refresh);

	/* A new dialog: versions restart. */
	ue_reginfo_sub_reset(sub);
	assert_false(ue_reginfo_sub_version(sub, NULL));
	res = apply_text(sub, &k, ACTIVE_OURS("0", "full"));
	assert_false(res->stale);

	keep_free(&k);
	ue_reginfo_sub_free(sub);
}

static void test_first_partial(void **state)
{
	struct ue_reginfo_sub *sub = new_sub(OURS, INST);
	struct keep k = {0};
	struct ue_reginfo_result *res;

	/* A partial first NOTIFY asks for full state, even with version 0. */
	res = apply_text(sub, &k, ACTIVE_OURS("0", "partial"));
	assert_true(res->need_refresh);
	assert_false(res->stale);
	assert_int_equal(res->n_actions, 1);
	res = apply_text(sub, &k, ACTIVE_OURS("1", "full"));
	assert_false(res->need_refresh);

	/* Versions near the top of the range. */
	ue_reginfo_sub_reset(sub);
	res = apply_text(sub, &k, ACTIVE_OURS("18446744073709551614", "full"));
	assert_false(res->stale);
	res = apply_text(sub, &k, ACTIVE_OURS("18446744073709551615", "partial"));
	assert_false(res->stale);
	assert_false(res->need_refresh);
	res = apply_text(sub, &k, ACTIVE_OURS("18446744073709551615", "full"));
	assert_true(res->stale);
	keep_free(&k);
	ue_reginfo_sub_free(sub);
}

static void test_sub_new_errors(void **state)
{
	struct ue_reginfo_sub *sub = (struct ue_reginfo_sub *)&sub;
	char err[128] = "";

	assert_int_equal(ue_reginfo_sub_new(&sub, NULL, NULL, err, sizeof(err)), -1);
	assert_null(sub);
	assert_non_null(strstr(err, "neither a contact URI nor an instance ID"));
	assert_int_equal(ue_reginfo_sub_new(&sub, "", "\"<>\"", err, sizeof(err)), -1);
	assert_int_equal(ue_reginfo_sub_new(&sub, NULL, INST, err, sizeof(err)), 0);
	ue_reginfo_sub_free(sub);
	ue_reginfo_sub_free(NULL);
	ue_reginfo_free(NULL);
}

/* The merged state never grows past the limits: the apply fails, asks for
 * full state and leaves the state as it was. */
static void test_apply_limit(void **state)
{
	struct ue_reginfo_sub *sub = new_sub(OURS, NULL);
	struct keep k = {0};
	struct buf b = {0};
	char err[128] = "";
	uint64_t v;

	apply_text(sub, &k, HEAD("0", "full") TAIL);
	bprintf(&b, HEAD("1", "partial"));
	for (int i = 0; i < UE_REGINFO_MAX_REGS; i++)
		bprintf(&b, "<registration aor='sip:%d@h' id='%d' state='active'/>", i, i);
	bprintf(&b, TAIL);
	apply_text(sub, &k, b.s);

	b.n = 0;
	bprintf(&b, HEAD("2", "partial") REG("sip:new@h", "new", "active") REG_E TAIL);
	ue_reginfo_free(k.doc);
	k.doc = parse_ok(b.s);
	assert_int_equal(ue_reginfo_sub_apply(sub, k.doc, &k.res, err, sizeof(err)), -1);
	assert_string_equal(err, "more than 64 registrations in the subscription state");
	assert_true(k.res.need_refresh);
	assert_int_equal(k.res.n_actions, 0);
	assert_true(ue_reginfo_sub_version(sub, &v));
	assert_int_equal(v, 1);

	/* Full state replaces everything and is accepted. */
	apply_text(sub, &k, ACTIVE_OURS("3", "full"));
	assert_int_equal(k.res.n_actions, 1);
	free(b.s);
	keep_free(&k);
	ue_reginfo_sub_free(sub);
}

/* ---- decisions ---- */

struct want {
	enum ue_reginfo_action_kind action;
	const char *reason; /* NULL: none */
	uint32_t expires;
	bool rejected;
	bool has_retry_after;
	uint32_t retry_after;
};

static void check_action(const struct ue_reginfo_action *a, const struct want *w, const char *what)
{
	if (a->action != w->action)
		fail_msg("%s: action %s, want %s", what, ue_reginfo_action_name(a->action),
			 ue_reginfo_action_name(w->action));
	if ((a->reason == NULL) != (w->reason == NULL) ||
	    (a->reason && strcmp(a->reason, w->reason)))
		fail_msg("%s: reason %s, want %s", what, a->reason ? a->reason : "(none)",
			 w->reason ? w->reason : "(none)");
	if (a->expires != w->expires || a->rejected != w->rejected ||
	    a->retry_after.present != w->has_retry_after ||
	    (w->has_retry_after && a->retry_after.value != w->retry_after))
		fail_msg("%s: expires %u rejected %d retry-after %d/%u", what, (unsigned)a->expires,
			 a->rejected, a->retry_after.present, (unsigned)a->retry_after.value);
}

/* One document on a fresh subscription: its single registration's action
 * and the all-terminated flag. */
struct one_case {
	const char *name;
	const char *xml;
	struct want want;
	bool all_terminated;
};

#define NONE                                                                                       \
	{                                                                                          \
		UE_REGINFO_ACT_NONE, NULL, 0, false, false, 0                                      \
	}
#define DEREG(r)                                                                                   \
	{                                                                                          \
		UE_REGINFO_ACT_DEREGISTERED, r, 0, false, false, 0                                 \
	}

static const struct one_case one_cases[] = {
	{"registered", ACTIVE_OURS("0", "full"), NONE, false},
	{"refreshed and created",
	 HEAD("0", "full") REG(IMPU, "r1", "active")
		 CON("c1", "active", "refreshed", "expires='600'", OURS, "")
			 CON("c2", "active", "created", "", OURS ";ob", "") REG_E TAIL,
	 NONE, false},
	{"shortened (5.1.1.5A)",
	 HEAD("0", "full") REG(IMPU, "r1", "active")
		 CON("c1", "active", "shortened", "expires='300'", OURS, "") REG_E TAIL,
	 {UE_REGINFO_ACT_REREGISTER, "shortened", 300, false, false, 0},
	 false},
	{"shortened without expires",
	 HEAD("0", "full") REG(IMPU, "r1", "active") CON("c1", "active", "shortened", "", OURS, "")
		 REG_E TAIL,
	 {UE_REGINFO_ACT_REREGISTER, "shortened", 0, false, false, 0},
	 false},
	{"two of ours shortened: the earlier expiry",
	 HEAD("0", "full") REG(IMPU, "r1", "active") CON("c1", "active", "shortened", "",
							 OURS ";transport=udp", "")
		 CON("c2", "active", "shortened", "expires='500'", OURS, INSTP(INST_Q)) CON(
			 "c3", "active", "shortened", "expires='200'", OTHER, INSTP(INST_Q))
			 CON("c4", "active", "shortened", "expires='100'", OTHER, "") REG_E TAIL,
	 {UE_REGINFO_ACT_REREGISTER, "shortened", 200, false, false, 0},
	 false},
	{"shortened while the registration is init",
	 HEAD("0", "full") REG(IMPU, "r1", "init")
		 CON("c1", "active", "shortened", "expires='300'", OURS, "") REG_E TAIL,
	 NONE, false},
	{"another UE shortened",
	 HEAD("0", "full") REG(IMPU, "r1", "active") CON("c1", "active", "registered", "", OURS, "")
		 CON("c9", "active", "shortened", "expires='10'", OTHER, "") REG_E TAIL,
	 NONE, false},
	{"deactivated, registration terminated (5.1.1.7 item 1)",
	 HEAD("0", "full") REG(IMPU, "r1", "terminated")
		 CON("c1", "terminated", "deactivated", "", OURS, "") REG_E TAIL,
	 {UE_REGINFO_ACT_INITIAL_REGISTRATION, "deactivated", 0, false, false, 0},
	 true},
	{"deactivated, registration active (5.1.1.7 item 2)",
	 HEAD("0", "full") REG(IMPU, "r1", "active")
		 CON("c1", "terminated", "deactivated", "", OURS, "")
			 CON("c9", "active", "registered", "", OTHER, "") REG_E TAIL,
	 {UE_REGINFO_ACT_INITIAL_REGISTRATION, "deactivated", 0, false, false, 0},
	 true},
	{"rejected",
	 HEAD("0", "full") REG(IMPU, "r1", "terminated")
		 CON("c1", "terminated", "rejected", "", OURS, "") REG_E TAIL,
	 {UE_REGINFO_ACT_DEREGISTERED, "rejected", 0, true, false, 0},
	 true},
	{"unregistered",
	 HEAD("0", "full") REG(IMPU, "r1", "terminated")
		 CON("c1", "terminated", "unregistered", "", OURS, "") REG_E TAIL,
	 DEREG("unregistered"), true},
	{"expired (Kamailio's report of a de-REGISTER)",
	 HEAD("0", "partial") REG(IMPU, "r1", "terminated")
		 CON("c1", "terminated", "expired", "expires='0'", OURS, "") REG_E TAIL,
	 DEREG("expired"), true},
	{"probation with retry-after",
	 HEAD("0", "full") REG(IMPU, "r1", "active")
		 CON("c1", "terminated", "probation", "retry-after='45'", OURS, "") REG_E TAIL,
	 {UE_REGINFO_ACT_DEREGISTERED, "probation", 0, false, true, 45},
	 true},
	{"probation without retry-after",
	 HEAD("0", "full") REG(IMPU, "r1", "terminated")
		 CON("c1", "terminated", "probation", "", OURS, "") REG_E TAIL,
	 DEREG("probation"), true},
	{"terminated registration, our contact says active",
	 HEAD("0", "full") REG(IMPU, "r1", "terminated")
		 CON("c1", "active", "registered", "", OURS, "") REG_E TAIL,
	 DEREG("terminated"), true},
	{"our contact terminated with a non-terminating event",
	 HEAD("0", "full") REG(IMPU, "r1", "active")
		 CON("c1", "terminated", "refreshed", "", OURS, "") REG_E TAIL,
	 DEREG("terminated"), true},
	{"terminated without contacts (Kamailio after RTR)",
	 HEAD("0", "full") REG(IMPU, "r1", "terminated") REG_E TAIL, DEREG("terminated"), true},
	{"rejected outranks expired",
	 HEAD("0", "full") REG(IMPU, "r1", "terminated") CON("c1", "terminated", "expired", "",
							     OURS, "")
		 CON("c2", "terminated", "rejected", "", OURS ";transport=tcp", "")
			 CON("c3", "terminated", "unregistered", "", OURS ";ob", "") REG_E TAIL,
	 {UE_REGINFO_ACT_DEREGISTERED, "rejected", 0, true, false, 0},
	 true},
	{"deactivated outranks probation",
	 HEAD("0", "full") REG(IMPU, "r1", "terminated")
		 CON("c1", "terminated", "probation", "retry-after='5'", OURS, "")
			 CON("c2", "terminated", "deactivated", "", OURS ";ob", "") REG_E TAIL,
	 {UE_REGINFO_ACT_INITIAL_REGISTRATION, "deactivated", 0, false, false, 0},
	 true},
	{"one binding of ours removed, another remains",
	 HEAD("0", "full") REG(IMPU, "r1", "active")
		 CON("c1", "terminated", "unregistered", "", OURS, "")
			 CON("c2", "active", "registered", "", OTHER, INSTP(INST_Q)) REG_E TAIL,
	 NONE, false},
	{"another UE rejected and unregistered",
	 HEAD("0", "full") REG(IMPU, "r1", "active") CON("c8", "terminated", "rejected", "", OTHER,
							 INSTP(INST_OTH))
		 CON("c9", "terminated", "unregistered", "", "sip:001010000000001@198.51.100.8", "")
			 REG_E TAIL,
	 NONE, false},
	{"terminated registration with another UE's contact only",
	 HEAD("0", "full") REG(IMPU, "r1", "terminated")
		 CON("c8", "terminated", "rejected", "", OTHER, "") REG_E TAIL,
	 NONE, true},
	{"our URI but another instance",
	 HEAD("0", "full") REG(IMPU, "r1", "terminated")
		 CON("c1", "terminated", "rejected", "", OURS, INSTP(INST_OTH)) REG_E TAIL,
	 NONE, true},
};

static void test_actions_one(void **state)
{
	for (size_t i = 0; i < sizeof(one_cases) / sizeof(one_cases[0]); i++) {
		const struct one_case *t = &one_cases[i];
		struct ue_reginfo_sub *sub = new_sub(OURS, INST);
		struct keep k = {0};
		struct ue_reginfo_result *res = apply_text(sub, &k, t->xml);
		assert_int_equal(res->n_actions, 1);
		assert_ptr_equal(res->actions[0].aor, k.doc->regs[0].aor);
		assert_int_equal(res->actions[0].state, k.doc->regs[0].state);
		check_action(&res->actions[0], &t->want, t->name);
		if (res->all_terminated != t->all_terminated)
			fail_msg("%s: all_terminated %d, want %d", t->name, res->all_terminated,
				 t->all_terminated);
		keep_free(&k);
		ue_reginfo_sub_free(sub);
	}
}

/* The documents of test/data, as the CLI test sees them, with the flags. */
static void test_actions_files(void **state)
{
	static const struct {
		const char *file;
		enum ue_reginfo_action_kind a0;
		bool all_terminated, need_refresh;
	} files[] = {
		{"reginfo-full-registered.xml", UE_REGINFO_ACT_NONE, false, false},
		{"reginfo-shortened.xml", UE_REGINFO_ACT_REREGISTER, false, false},
		{"reginfo-deactivated.xml", UE_REGINFO_ACT_INITIAL_REGISTRATION, true, false},
		{"reginfo-rejected.xml", UE_REGINFO_ACT_DEREGISTERED, true, false},
		{"reginfo-unregistered.xml", UE_REGINFO_ACT_DEREGISTERED, true, false},
		{"reginfo-probation.xml", UE_REGINFO_ACT_DEREGISTERED, true, false},
		{"reginfo-kamailio-terminated.xml", UE_REGINFO_ACT_DEREGISTERED, true, false},
		{"reginfo-kamailio-registered.xml", UE_REGINFO_ACT_NONE, false, false},
		{"reginfo-other-ue.xml", UE_REGINFO_ACT_NONE, false, false},
		{"reginfo-partial.xml", UE_REGINFO_ACT_REREGISTER, false, true},
		{"reginfo-instance-only.xml", UE_REGINFO_ACT_DEREGISTERED, true, false},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct ue_reginfo_sub *sub = new_sub(OURS, INST);
		struct ue_reginfo *doc = parse_file(files[i].file);
		struct ue_reginfo_result res;
		char err[128];
		assert_int_equal(ue_reginfo_sub_apply(sub, doc, &res, err, sizeof(err)), 0);
		assert_int_equal(res.n_actions, doc->n_regs);
		if (res.actions[0].action != files[i].a0 ||
		    res.all_terminated != files[i].all_terminated ||
		    res.need_refresh != files[i].need_refresh)
			fail_msg("%s: action %s all_terminated %d need_refresh %d", files[i].file,
				 ue_reginfo_action_name(res.actions[0].action), res.all_terminated,
				 res.need_refresh);
		ue_reginfo_free(doc);
		ue_reginfo_sub_free(sub);
	}
}

/* Partial state merged over several NOTIFYs: bindings and registrations
 * ending one at a time. */
static void test_partial_sequence(void **state)
{
	struct ue_reginfo_sub *sub = new_sub(OURS, INST);
	struct keep k = {0};
	struct ue_reginfo_result *res;
	const struct want none = NONE, unreg = DEREG("unregistered"), term = DEREG("terminated");

	res = apply_text(sub, &k,
			 HEAD("0", "full") REG(IMPU, "r1", "active")
				 CON("c1", "active", "registered", "", OURS, INSTP(INST_Q))
					 REG_E REG(TEL, "r2", "active")
						 CON("c1b", "active", "registered", "", OURS, "")
							 REG_E TAIL);
	assert_int_equal(res->n_actions, 2);
	check_action(&res->actions[0], &none, "v0 r1");
	check_action(&res->actions[1], &none, "v0 r2");
	assert_false(res->all_terminated);

	/* A second binding of ours appears on r1 (partial, by id c5). */
	res = apply_text(sub, &k,
			 HEAD("1", "partial") REG(IMPU, "r1", "active")
				 CON("c5", "active", "created", "", OTHER, INSTP(INST_Q))
					 REG_E TAIL);
	check_action(&res->actions[0], &none, "v1");

	/* The first binding ends: another of ours remains, still registered. */
	res = apply_text(sub, &k,
			 HEAD("2", "partial") REG(IMPU, "r1", "active")
				 CON("c1", "terminated", "unregistered", "", OURS, "") REG_E TAIL);
	check_action(&res->actions[0], &none, "v2");
	assert_false(res->all_terminated);

	/* The second one ends too (same id, the URI not repeated exactly). */
	res = apply_text(sub, &k,
			 HEAD("3", "partial") REG(IMPU, "r1", "active")
				 CON("c5", "terminated", "unregistered", "", OTHER, INSTP(INST_Q))
					 CON("c7", "active", "registered", "",
					     "sip:someone@198.51.100.9", "") REG_E TAIL);
	check_action(&res->actions[0], &unreg, "v3");
	assert_false(res->all_terminated); /* r2 still has our active binding */

	/* r2 terminated with another UE's contact only: ours was active there
	 * before, so r2 is deregistered; now everything is. */
	res = apply_text(sub, &k,
			 HEAD("4", "partial") REG(TEL, "r2", "terminated")
				 CON("c9", "terminated", "expired", "", "sip:x@198.51.100.10", "")
					 REG_E TAIL);
	check_action(&res->actions[0], &term, "v4");
	assert_true(res->all_terminated);
	assert_false(res->need_refresh);

	/* Registered again on r1 (registration id changed, same aor). */
	res = apply_text(sub, &k,
			 HEAD("5", "partial") REG(IMPU, "r1-new", "active")
				 CON("c11", "active", "registered", "", OURS, "") REG_E TAIL);
	check_action(&res->actions[0], &none, "v5");
	assert_false(res->all_terminated);

	/* Full state replaces: r1 gone from the document, r2 terminated
	 * without contacts. */
	res = apply_text(sub, &k, HEAD("6", "full") REG(TEL, "r2", "terminated") REG_E TAIL);
	check_action(&res->actions[0], &term, "v6");
	assert_true(res->all_terminated);

	keep_free(&k);
	ue_reginfo_sub_free(sub);
}

/* A registration known only with another UE's binding ends: nothing for
 * us, since we had no binding there. */
static void test_other_registration_ends(void **state)
{
	struct ue_reginfo_sub *sub = new_sub(OURS, INST);
	struct keep k = {0};
	struct ue_reginfo_result *res;
	const struct want none = NONE;

	res = apply_text(sub, &k,
			 HEAD("0", "full") REG(IMPU, "r1", "active")
				 CON("c9", "active", "registered", "", OTHER, "") REG_E TAIL);
	check_action(&res->actions[0], &none, "v0");
	assert_false(res->all_terminated);
	res = apply_text(sub, &k,
			 HEAD("1", "partial") REG(IMPU, "r1", "terminated")
				 CON("c9", "terminated", "expired", "", OTHER, "") REG_E TAIL);
	check_action(&res->actions[0], &none, "v1");
	keep_free(&k);
	ue_reginfo_sub_free(sub);
}

/* Kamailio's sequence: registered, then the NOTIFY after RTR. */
static void test_kamailio_sequence(void **state)
{
	struct ue_reginfo_sub *sub = new_sub(OURS, INST);
	struct ue_reginfo *d0 = parse_file("reginfo-kamailio-registered.xml");
	struct ue_reginfo *d2 = parse_file("reginfo-kamailio-terminated.xml");
	struct ue_reginfo_result res;
	char err[128];

	assert_int_equal(ue_reginfo_sub_apply(sub, d0, &res, err, sizeof(err)), 0);
	assert_int_equal(res.actions[0].action, UE_REGINFO_ACT_NONE);
	assert_false(res.all_terminated);
	assert_int_equal(ue_reginfo_sub_apply(sub, d2, &res, err, sizeof(err)), 0);
	assert_int_equal(res.n_actions, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(res.actions[i].action, UE_REGINFO_ACT_DEREGISTERED);
		assert_string_equal(res.actions[i].reason, "terminated");
		assert_false(res.actions[i].rejected);
	}
	assert_true(res.all_terminated);
	assert_false(res.need_refresh);
	/* Repeated: stale. */
	assert_int_equal(ue_reginfo_sub_apply(sub, d2, &res, err, sizeof(err)), 0);
	assert_true(res.stale);
	ue_reginfo_free(d0);
	ue_reginfo_free(d2);
	ue_reginfo_sub_free(sub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full_registered),
		cmocka_unit_test(test_parse_rfc3680_example),
		cmocka_unit_test(test_parse_kamailio),
		cmocka_unit_test(test_parse_tolerated),
		cmocka_unit_test(test_parse_depth_limit),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_error_files),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_qvalue),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_uri_match),
		cmocka_unit_test(test_instance_match),
		cmocka_unit_test(test_contact_is_ours),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_first_partial),
		cmocka_unit_test(test_sub_new_errors),
		cmocka_unit_test(test_apply_limit),
		cmocka_unit_test(test_actions_one),
		cmocka_unit_test(test_actions_files),
		cmocka_unit_test(test_partial_sequence),
		cmocka_unit_test(test_other_registration_ends),
		cmocka_unit_test(test_kamailio_sequence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
