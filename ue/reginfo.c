/* RFC 3680 reginfo parser, subscription state and the TS 24.229 5.1.1.5A /
 * 5.1.1.7 decisions (see reginfo.h and doc/reg-event.md). */
#include <arpa/inet.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "ue/reginfo.h"

/* ---- names ---- */

static const char *const doc_states[] = {"full", "partial"};
static const char *const reg_states[] = {"init", "active", "terminated"};
static const char *const contact_states[] = {"active", "terminated"};
static const char *const events[] = {"registered", "created",      "refreshed",
				     "shortened",  "expired",      "deactivated",
				     "probation",  "unregistered", "rejected"};
static const char *const actions[] = {"none", "reregister", "initial-registration", "deregistered"};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n ? names[v] : "?";
}

const char *ue_reginfo_doc_state_name(enum ue_reginfo_doc_state s)
{
	return name_of(doc_states, N_ELEMS(doc_states), s);
}

const char *ue_reginfo_reg_state_name(enum ue_reginfo_reg_state s)
{
	return name_of(reg_states, N_ELEMS(reg_states), s);
}

const char *ue_reginfo_contact_state_name(enum ue_reginfo_contact_state s)
{
	return name_of(contact_states, N_ELEMS(contact_states), s);
}

const char *ue_reginfo_event_name(enum ue_reginfo_event ev)
{
	return name_of(events, N_ELEMS(events), ev);
}

const char *ue_reginfo_action_name(enum ue_reginfo_action_kind a)
{
	return name_of(actions, N_ELEMS(actions), a);
}

/* ---- errors ---- */

struct pstate {
	char *err;
	size_t errlen;
	bool failed;
	int depth;
	startElementNsSAX2Func start;
	endElementNsSAX2Func end;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	for (char *p = err; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

static void st_fail(struct pstate *st, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void st_fail(struct pstate *st, long line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (st->failed)
		return;
	st->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	set_err(st->err, st->errlen, "line %ld: %s", line, msg);
}

static int st_oom(struct pstate *st)
{
	if (!st->failed) {
		st->failed = true;
		set_err(st->err, st->errlen, "out of memory");
	}
	return -1;
}

/* A document value fit for an error message: at most 40 printable ASCII
 * characters, anything else shown as '?'. */
static const char *shown(const char *v, char *buf, size_t size)
{
	size_t i = 0;

	for (; v[i] && i + 4 < size && i < 40; i++)
		buf[i] = v[i] >= 0x20 && v[i] < 0x7f ? v[i] : '?';
	if (v[i] && i + 4 <= size) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* ---- document ---- */

static void contact_clear(struct ue_reginfo_contact *c)
{
	free(c->id);
	free(c->q);
	free(c->callid);
	free(c->uri);
	free(c->display_name);
	for (size_t i = 0; i < c->n_params; i++) {
		free(c->params[i].name);
		free(c->params[i].value);
	}
	free(c->params);
	free(c->pub_gruu);
	free(c->temp_gruu);
}

void ue_reginfo_free(struct ue_reginfo *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->n_regs; i++) {
		struct ue_reginfo_registration *r = &doc->regs[i];
		free(r->aor);
		free(r->id);
		for (size_t j = 0; j < r->n_contacts; j++)
			contact_clear(&r->contacts[j]);
		free(r->contacts);
	}
	free(doc->regs);
	free(doc);
}

/* ---- libxml2 hooks ---- */

static struct pstate *ctxt_state(void *ctx)
{
	xmlParserCtxtPtr ctxt = ctx;
	return ctxt ? ctxt->_private : NULL;
}

static long ctxt_line(void *ctx)
{
	xmlParserCtxtPtr ctxt = ctx;
	return ctxt && ctxt->input ? ctxt->input->line : 0;
}

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
	struct pstate *st = ctxt_state(ctx);
	char msg[160];

	if (!st || !e || e->level < XML_ERR_ERROR)
		return;
	snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "error");
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	st_fail(st, e->line, "XML: %s", msg);
}

/* A DOCTYPE is refused as soon as it is seen, before an internal subset
 * (where entities would be declared) is read: no XXE, no entity expansion. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext_id, const xmlChar *sys_id)
{
	st_fail(ctxt_state(ctx), ctxt_line(ctx), "document type declaration (DOCTYPE) not allowed");
	xmlStopParser(ctx);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
			   const xmlChar *system_id, xmlChar *content)
{
	st_fail(ctxt_state(ctx), ctxt_line(ctx), "entity declaration not allowed");
	xmlStopParser(ctx);
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
		     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
		     int nb_defaulted, const xmlChar **attributes)
{
	struct pstate *st = ctxt_state(ctx);

	if (++st->depth > UE_REGINFO_MAX_DEPTH) {
		st_fail(st, ctxt_line(ctx), "elements nested deeper than %d levels",
			UE_REGINFO_MAX_DEPTH);
		xmlStopParser(ctx);
		return;
	}
	st->start(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
		  nb_defaulted, attributes);
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	struct pstate *st = ctxt_state(ctx);

	st->depth--;
	st->end(ctx, localname, prefix, uri);
}

/* ---- tree helpers ---- */

static long node_line(const xmlNode *n)
{
	long l = xmlGetLineNo(n);
	return l > 0 ? l : 0;
}

static bool is_el(const xmlNode *n, const char *ns, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       !strcmp((const char *)n->ns->href, ns) && !strcmp((const char *)n->name, name);
}

static size_t count_el(const xmlNode *parent, const char *ns, const char *name)
{
	size_t n = 0;
	for (const xmlNode *c = parent->children; c; c = c->next)
		if (is_el(c, ns, name))
			n++;
	return n;
}

static bool xml_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Copy s without the XML white space around it. */
static char *dup_trimmed(const char *s)
{
	size_t n;

	while (xml_ws(*s))
		s++;
	n = strlen(s);
	while (n && xml_ws(s[n - 1]))
		n--;
	return strndup(s, n);
}

/* String attribute name of element n (called elem in messages), copied to
 * *out; NULL when absent and not required. */
static int attr_str(struct pstate *st, xmlNode *n, const char *elem, const char *name,
		    bool required, char **out)
{
	xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);

	*out = NULL;
	if (!v) {
		if (required)
			st_fail(st, node_line(n), "<%s> has no %s attribute", elem, name);
		return required ? -1 : 0;
	}
	*out = strdup((const char *)v);
	xmlFree(v);
	return *out ? 0 : st_oom(st);
}

/* Enumerated attribute: its index in names[]. */
static int attr_enum(struct pstate *st, xmlNode *n, const char *elem, const char *name,
		     const char *const *names, size_t count, unsigned *out)
{
	char *v, one_of[160] = "", buf[48];

	if (attr_str(st, n, elem, name, true, &v) < 0)
		return -1;
	for (unsigned i = 0; i < count; i++) {
		if (!strcmp(v, names[i])) {
			*out = i;
			free(v);
			return 0;
		}
	}
	for (size_t i = 0; i < count; i++) {
		size_t l = strlen(one_of);
		snprintf(one_of + l, sizeof(one_of) - l, "%s%s", i ? "|" : "", names[i]);
	}
	st_fail(st, node_line(n), "<%s> %s=\"%s\" is not one of %s", elem, name,
		shown(v, buf, sizeof(buf)), one_of);
	free(v);
	return -1;
}

/* A decimal number in [0, max] with optional XML white space around it:
 * 0, -1 (not a number) or -2 (too big). */
static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	const char *p;
	uint64_t v = 0;

	while (xml_ws(*s))
		s++;
	for (p = s; *p >= '0' && *p <= '9'; p++)
		;
	if (p == s)
		return -1;
	for (const char *t = p; *t; t++)
		if (!xml_ws(*t))
			return -1;
	for (; s < p; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (max - d) / 10)
			return -2;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int attr_uint(struct pstate *st, xmlNode *n, const char *elem, const char *name,
		     bool required, uint64_t max, bool *present, uint64_t *out)
{
	char *v, buf[48];
	int rc;

	*present = false;
	if (attr_str(st, n, elem, name, required, &v) < 0)
		return -1;
	if (!v)
		return 0;
	rc = parse_uint(v, max, out);
	if (rc < 0)
		st_fail(st, node_line(n), "<%s> %s=\"%s\" is %s", elem, name,
			shown(v, buf, sizeof(buf)),
			rc == -1 ? "not an unsigned decimal number" : "out of range");
	free(v);
	*present = rc == 0;
	return rc < 0 ? -1 : 0;
}

static int attr_u32(struct pstate *st, xmlNode *n, const char *elem, const char *name,
		    struct ue_reginfo_u32 *out)
{
	uint64_t v;

	if (attr_uint(st, n, elem, name, false, UINT32_MAX, &out->present, &v) < 0)
		return -1;
	out->value = out->present ? (uint32_t)v : 0;
	return 0;
}

/* RFC 3261 qvalue: "0" ["." 0*3DIGIT] / "1" ["." 0*3"0"]. Returns q x 1000
 * or -1. */
static int parse_qvalue(const char *s)
{
	int q, scale = 100;

	while (xml_ws(*s))
		s++;
	if (*s != '0' && *s != '1')
		return -1;
	q = (*s++ - '0') * 1000;
	if (*s == '.') {
		s++;
		for (int i = 0; i < 3 && *s >= '0' && *s <= '9'; i++, s++, scale /= 10)
			q += (*s - '0') * scale;
	}
	while (xml_ws(*s))
		s++;
	return *s || q > 1000 ? -1 : q;
}

/* Text content of an element, copied and trimmed. */
static int text_of(struct pstate *st, xmlNode *n, char **out)
{
	xmlChar *t = xmlNodeGetContent(n);

	*out = dup_trimmed(t ? (const char *)t : "");
	xmlFree(t);
	return *out ? 0 : st_oom(st);
}

/* ---- elements ---- */

static int parse_param(struct pstate *st, xmlNode *n, struct ue_reginfo_param *p)
{
	if (attr_str(st, n, "unknown-param", "name", true, &p->name) < 0 ||
	    text_of(st, n, &p->value) < 0)
		return -1;
	return 0;
}

static int parse_gruu(struct pstate *st, xmlNode *n, const char *elem, char **out)
{
	char *v;

	if (attr_str(st, n, elem, "uri", true, &v) < 0)
		return -1;
	if (*out)
		free(v); /* only the first one is kept */
	else
		*out = v;
	return 0;
}

static int parse_contact(struct pstate *st, xmlNode *n, struct ue_reginfo_contact *c)
{
	unsigned v;
	size_t n_params = count_el(n, UE_REGINFO_NS, "unknown-param");

	c->line = (int)(node_line(n) < INT_MAX ? node_line(n) : INT_MAX);
	c->q1000 = -1;
	if (attr_str(st, n, "contact", "id", true, &c->id) < 0)
		return -1;
	if (attr_enum(st, n, "contact", "state", contact_states, N_ELEMS(contact_states), &v) < 0)
		return -1;
	c->state = v;
	if (attr_enum(st, n, "contact", "event", events, N_ELEMS(events), &v) < 0)
		return -1;
	c->event = v;
	if (attr_u32(st, n, "contact", "expires", &c->expires) < 0 ||
	    attr_u32(st, n, "contact", "retry-after", &c->retry_after) < 0 ||
	    attr_u32(st, n, "contact", "cseq", &c->cseq) < 0 ||
	    attr_u32(st, n, "contact", "duration-registered", &c->duration_registered) < 0 ||
	    attr_str(st, n, "contact", "callid", false, &c->callid) < 0 ||
	    attr_str(st, n, "contact", "q", false, &c->q) < 0)
		return -1;
	/* q is a string in the RFC 3680 schema; Kamailio's S-CSCF sometimes
	 * prints an uninitialised float there, so a bad q is not an error. */
	if (c->q)
		c->q1000 = parse_qvalue(c->q);

	if (n_params > UE_REGINFO_MAX_PARAMS) {
		st_fail(st, node_line(n),
			"<contact> has %zu <unknown-param> elements, more than %d", n_params,
			UE_REGINFO_MAX_PARAMS);
		return -1;
	}
	if (n_params && !(c->params = calloc(n_params, sizeof(*c->params))))
		return st_oom(st);

	for (xmlNode *k = n->children; k; k = k->next) {
		if (is_el(k, UE_REGINFO_NS, "uri")) {
			if (c->uri) {
				st_fail(st, node_line(k), "<contact> has more than one <uri>");
				return -1;
			}
			if (text_of(st, k, &c->uri) < 0)
				return -1;
			if (!c->uri[0]) {
				st_fail(st, node_line(k), "<uri> is empty");
				return -1;
			}
		} else if (is_el(k, UE_REGINFO_NS, "display-name")) {
			if (!c->display_name && text_of(st, k, &c->display_name) < 0)
				return -1;
		} else if (is_el(k, UE_REGINFO_NS, "unknown-param")) {
			if (parse_param(st, k, &c->params[c->n_params++]) < 0)
				return -1;
		} else if (is_el(k, UE_GRUUINFO_NS, "pub-gruu")) {
			if (parse_gruu(st, k, "pub-gruu", &c->pub_gruu) < 0)
				return -1;
		} else if (is_el(k, UE_GRUUINFO_NS, "temp-gruu")) {
			if (parse_gruu(st, k, "temp-gruu", &c->temp_gruu) < 0)
				return -1;
		}
	}
	if (!c->uri) {
		st_fail(st, node_line(n), "<contact> has no <uri>");
		return -1;
	}
	return 0;
}

static int parse_registration(struct pstate *st, xmlNode *n, struct ue_reginfo_registration *r)
{
	unsigned v;
	size_t n_contacts = count_el(n, UE_REGINFO_NS, "contact");

	r->line = (int)(node_line(n) < INT_MAX ? node_line(n) : INT_MAX);
	if (attr_str(st, n, "registration", "aor", true, &r->aor) < 0 ||
	    attr_str(st, n, "registration", "id", true, &r->id) < 0)
		return -1;
	if (!r->aor[0]) {
		st_fail(st, node_line(n), "<registration> has an empty aor");
		return -1;
	}
	if (attr_enum(st, n, "registration", "state", reg_states, N_ELEMS(reg_states), &v) < 0)
		return -1;
	r->state = v;
	if (n_contacts > UE_REGINFO_MAX_CONTACTS) {
		st_fail(st, node_line(n), "<registration> has %zu <contact> elements, more than %d",
			n_contacts, UE_REGINFO_MAX_CONTACTS);
		return -1;
	}
	if (n_contacts && !(r->contacts = calloc(n_contacts, sizeof(*r->contacts))))
		return st_oom(st);
	for (xmlNode *k = n->children; k; k = k->next)
		if (is_el(k, UE_REGINFO_NS, "contact") &&
		    parse_contact(st, k, &r->contacts[r->n_contacts++]) < 0)
			return -1;
	return 0;
}

static int parse_root(struct pstate *st, xmlNode *root, struct ue_reginfo *doc)
{
	bool present;
	unsigned v;
	size_t n_regs;

	if (!is_el(root, UE_REGINFO_NS, "reginfo")) {
		st_fail(st, node_line(root), "root element is not <reginfo> in namespace %s",
			UE_REGINFO_NS);
		return -1;
	}
	if (attr_uint(st, root, "reginfo", "version", true, UINT64_MAX, &present, &doc->version) <
	    0)
		return -1;
	if (attr_enum(st, root, "reginfo", "state", doc_states, N_ELEMS(doc_states), &v) < 0)
		return -1;
	doc->state = v;
	n_regs = count_el(root, UE_REGINFO_NS, "registration");
	if (n_regs > UE_REGINFO_MAX_REGS) {
		st_fail(st, node_line(root),
			"<reginfo> has %zu <registration> elements, more than %d", n_regs,
			UE_REGINFO_MAX_REGS);
		return -1;
	}
	if (n_regs && !(doc->regs = calloc(n_regs, sizeof(*doc->regs))))
		return st_oom(st);
	for (xmlNode *k = root->children; k; k = k->next)
		if (is_el(k, UE_REGINFO_NS, "registration") &&
		    parse_registration(st, k, &doc->regs[doc->n_regs++]) < 0)
			return -1;
	return 0;
}

/* Entity references can only come from declarations, which are refused
 * during parsing; this is the second line of defence. */
static int check_tree(struct pstate *st, const xmlNode *n)
{
	for (; n; n = n->next) {
		if (n->type == XML_ENTITY_REF_NODE || n->type == XML_ENTITY_NODE ||
		    n->type == XML_ENTITY_DECL || n->type == XML_DTD_NODE) {
			st_fail(st, node_line(n), "entity reference not allowed");
			return -1;
		}
		if (n->type == XML_ELEMENT_NODE && check_tree(st, n->children) < 0)
			return -1;
	}
	return 0;
}

int ue_reginfo_parse(const uint8_t *data, size_t len, struct ue_reginfo **out, char *err,
		     size_t errlen)
{
	struct pstate st = {.err = err, .errlen = errlen};
	xmlParserCtxtPtr ctxt;
	xmlDocPtr xdoc = NULL;
	struct ue_reginfo *doc = NULL;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!data || !len) {
		set_err(err, errlen, "empty document");
		return -1;
	}
	if (len > UE_REGINFO_MAX_SIZE) {
		set_err(err, errlen, "document is %zu bytes, more than the %d allowed", len,
			UE_REGINFO_MAX_SIZE);
		return -1;
	}
	xmlInitParser();
	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	ctxt->_private = &st;
	ctxt->sax->serror = on_xml_error;
	ctxt->sax->internalSubset = on_doctype;
	ctxt->sax->entityDecl = on_entity_decl;
	st.start = ctxt->sax->startElementNs;
	st.end = ctxt->sax->endElementNs;
	ctxt->sax->startElementNs = on_start;
	ctxt->sax->endElementNs = on_end;
	/* Never NOENT, DTDLOAD, DTDATTR, XINCLUDE or HUGE. */
	xdoc = xmlCtxtReadMemory(ctxt, (const char *)data, (int)len, NULL, NULL,
				 XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
					 XML_PARSE_NOWARNING);
	if (st.failed)
		goto fail;
	if (!xdoc || !ctxt->wellFormed) {
		st_fail(&st, ctxt_line(ctxt), "XML: not well-formed");
		goto fail;
	}
	if (xdoc->intSubset || xdoc->extSubset) {
		st_fail(&st, 1, "document type declaration (DOCTYPE) not allowed");
		goto fail;
	}
	xmlNode *root = xmlDocGetRootElement(xdoc);
	if (!root) {
		st_fail(&st, 1, "no root element");
		goto fail;
	}
	if (check_tree(&st, xdoc->children) < 0)
		goto fail;
	if (!(doc = calloc(1, sizeof(*doc)))) {
		st_oom(&st);
		goto fail;
	}
	if (parse_root(&st, root, doc) < 0)
		goto fail;
	xmlFreeDoc(xdoc);
	xmlFreeParserCtxt(ctxt);
	*out = doc;
	return 0;
fail:
	ue_reginfo_free(doc);
	xmlFreeDoc(xdoc);
	xmlFreeParserCtxt(ctxt);
	if (err && errlen && !err[0])
		set_err(err, errlen, "invalid document");
	return -1;
}

const char *ue_reginfo_contact_param(const struct ue_reginfo_contact *c, const char *name)
{
	for (size_t i = 0; i < c->n_params; i++)
		if (!strcasecmp(c->params[i].name, name))
			return c->params[i].value;
	return NULL;
}

/* ---- matching ---- */

static bool uri_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char **s, size_t *n)
{
	while (*n && uri_ws(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && uri_ws((*s)[*n - 1]))
		(*n)--;
}

/* Remove surrounding white space, then one pair of open/close around the
 * rest, then white space again. */
static void strip(const char **s, size_t *n, char open, char close)
{
	trim(s, n);
	if (*n >= 2 && (*s)[0] == open && (*s)[*n - 1] == close) {
		(*s)++;
		*n -= 2;
		trim(s, n);
	}
}

struct uri_parts {
	bool sips;
	const char *user; /* userinfo (user[:password]), NULL when absent */
	size_t user_n;
	const char *host; /* without the brackets of an IPv6 reference */
	size_t host_n;
	bool ipv6;
	unsigned port;
	const char *transport;
	size_t transport_n;
};

static bool has_prefix_ci(const char *s, size_t n, const char *p)
{
	size_t l = strlen(p);
	return n >= l && !strncasecmp(s, p, l);
}

static bool is_sip(const char *s, size_t n)
{
	return has_prefix_ci(s, n, "sip:") || has_prefix_ci(s, n, "sips:");
}

/* Split a sip: or sips: URI; false when it is not one or is malformed. */
static bool uri_split(const char *s, size_t n, struct uri_parts *u)
{
	const char *end = s + n, *p, *at;

	memset(u, 0, sizeof(*u));
	if (has_prefix_ci(s, n, "sip:")) {
		p = s + 4;
	} else if (has_prefix_ci(s, n, "sips:")) {
		u->sips = true;
		p = s + 5;
	} else {
		return false;
	}
	/* '@' cannot appear unescaped after the userinfo. */
	at = memchr(p, '@', (size_t)(end - p));
	if (at) {
		u->user = p;
		u->user_n = (size_t)(at - p);
		p = at + 1;
	}
	if (p < end && *p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (!close)
			return false;
		u->ipv6 = true;
		u->host = p + 1;
		u->host_n = (size_t)(close - p - 1);
		p = close + 1;
	} else {
		u->host = p;
		while (p < end && *p != ':' && *p != ';' && *p != '?')
			p++;
		u->host_n = (size_t)(p - u->host);
	}
	if (!u->host_n)
		return false;
	u->port = u->sips ? 5061 : 5060;
	if (p < end && *p == ':') {
		unsigned port = 0, digits = 0;
		for (p++; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
			port = port * 10 + (unsigned)(*p - '0');
			if (port > 65535)
				return false;
		}
		if (!digits)
			return false;
		u->port = port;
	}
	if (p < end && *p != ';' && *p != '?')
		return false;
	while (p < end && *p == ';') {
		const char *name = ++p, *eq = NULL;
		while (p < end && *p != ';' && *p != '?') {
			if (*p == '=' && !eq)
				eq = p;
			p++;
		}
		size_t name_n = (size_t)((eq ? eq : p) - name);
		if (name_n == 9 && !strncasecmp(name, "transport", 9) && eq) {
			u->transport = eq + 1;
			u->transport_n = (size_t)(p - eq - 1);
		}
	}
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The next character of s after %-decoding. */
static int next_decoded(const char *s, size_t n, size_t *i)
{
	if (s[*i] == '%' && *i + 2 < n) {
		int hi = hexval(s[*i + 1]), lo = hexval(s[*i + 2]);
		if (hi >= 0 && lo >= 0) {
			*i += 3;
			return hi << 4 | lo;
		}
	}
	return (unsigned char)s[(*i)++];
}

static bool decoded_equal(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;

	while (i < an && j < bn)
		if (next_decoded(a, an, &i) != next_decoded(b, bn, &j))
			return false;
	return i == an && j == bn;
}

static bool ci_equal(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && !strncasecmp(a, b, an);
}

static bool ipv6_equal(const char *a, size_t an, const char *b, size_t bn)
{
	char sa[INET6_ADDRSTRLEN + 1], sb[INET6_ADDRSTRLEN + 1];
	struct in6_addr xa, xb;

	if (an >= sizeof(sa) || bn >= sizeof(sb))
		return ci_equal(a, an, b, bn);
	memcpy(sa, a, an);
	sa[an] = '\0';
	memcpy(sb, b, bn);
	sb[bn] = '\0';
	if (inet_pton(AF_INET6, sa, &xa) != 1 || inet_pton(AF_INET6, sb, &xb) != 1)
		return ci_equal(a, an, b, bn);
	return !memcmp(&xa, &xb, sizeof(xa));
}

bool ue_reginfo_uri_match(const char *a, const char *b)
{
	size_t an, bn;
	struct uri_parts ua, ub;

	if (!a || !b)
		return false;
	an = strlen(a);
	bn = strlen(b);
	strip(&a, &an, '<', '>');
	strip(&b, &bn, '<', '>');
	bool sa = is_sip(a, an), sb = is_sip(b, bn);
	if (!sa || !sb) {
		/* Other schemes: only the same text is the same URI. */
		return !sa && !sb && an && an == bn && !memcmp(a, b, an);
	}
	if (!uri_split(a, an, &ua) || !uri_split(b, bn, &ub))
		return false;
	if (ua.sips != ub.sips || !ua.user != !ub.user || ua.ipv6 != ub.ipv6 || ua.port != ub.port)
		return false;
	if (ua.user && !decoded_equal(ua.user, ua.user_n, ub.user, ub.user_n))
		return false;
	if (ua.ipv6 ? !ipv6_equal(ua.host, ua.host_n, ub.host, ub.host_n)
		    : !ci_equal(ua.host, ua.host_n, ub.host, ub.host_n))
		return false;
	if (ua.transport && ub.transport &&
	    !ci_equal(ua.transport, ua.transport_n, ub.transport, ub.transport_n))
		return false;
	return true;
}

static void instance_norm(const char **s, size_t *n)
{
	*n = strlen(*s);
	strip(s, n, '"', '"');
	strip(s, n, '<', '>');
}

bool ue_reginfo_instance_match(const char *a, const char *b)
{
	size_t an, bn;

	if (!a || !b)
		return false;
	instance_norm(&a, &an);
	instance_norm(&b, &bn);
	return an && ci_equal(a, an, b, bn);
}

static bool instance_given(const char *s)
{
	size_t n;

	if (!s)
		return false;
	instance_norm(&s, &n);
	return n > 0;
}

bool ue_reginfo_contact_is_ours(const struct ue_reginfo_contact *c, const char *contact_uri,
				const char *instance)
{
	if (instance_given(instance)) {
		const char *ci = ue_reginfo_contact_param(c, "+sip.instance");
		if (instance_given(ci))
			return ue_reginfo_instance_match(ci, instance);
	}
	return contact_uri && c->uri && ue_reginfo_uri_match(c->uri, contact_uri);
}

/* ---- subscription state ----
 *
 * The merged view keeps, per registration, its state and the contacts that
 * matter: active ones (anybody's) and terminated ones of ours, the latter
 * only while no contact of ours is active there (they are the evidence for
 * "all terminated"). */

struct vcontact {
	char *id;
	char *uri;
	bool ours;
	bool active;
};

struct vreg {
	char *id;
	char *aor;
	enum ue_reginfo_reg_state state;
	struct vcontact *c;
	size_t n;
};

struct view {
	struct vreg *r;
	size_t n;
};

struct ue_reginfo_sub {
	char *contact;
	char *instance;
	bool have_version;
	uint64_t version;
	struct view view;
};

static void vreg_clear(struct vreg *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->c[i].id);
		free(r->c[i].uri);
	}
	free(r->c);
	free(r->id);
	free(r->aor);
}

static void view_clear(struct view *v)
{
	for (size_t i = 0; i < v->n; i++)
		vreg_clear(&v->r[i]);
	free(v->r);
	v->r = NULL;
	v->n = 0;
}

static int view_copy(struct view *dst, const struct view *src)
{
	dst->n = 0;
	dst->r = src->n ? calloc(src->n, sizeof(*dst->r)) : NULL;
	if (src->n && !dst->r)
		return -1;
	for (size_t i = 0; i < src->n; i++) {
		const struct vreg *s = &src->r[i];
		struct vreg *d = &dst->r[dst->n++];
		d->state = s->state;
		d->id = strdup(s->id);
		d->aor = strdup(s->aor);
		d->c = s->n ? calloc(s->n, sizeof(*d->c)) : NULL;
		if (!d->id || !d->aor || (s->n && !d->c))
			return -1;
		for (size_t j = 0; j < s->n; j++) {
			struct vcontact *dc = &d->c[d->n++];
			dc->ours = s->c[j].ours;
			dc->active = s->c[j].active;
			dc->id = strdup(s->c[j].id);
			dc->uri = strdup(s->c[j].uri);
			if (!dc->id || !dc->uri)
				return -1;
		}
	}
	return 0;
}

static struct vreg *view_find(const struct view *v, const char *id, const char *aor)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->r[i].id, id))
			return &v->r[i];
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->r[i].aor, aor))
			return &v->r[i];
	return NULL;
}

static bool vreg_active_ours(const struct vreg *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->c[i].ours && r->c[i].active)
			return true;
	return false;
}

static bool vreg_any_ours(const struct vreg *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->c[i].ours)
			return true;
	return false;
}

static int replace_str(char **dst, const char *src)
{
	char *s = strdup(src);
	if (!s)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

static void vreg_prune(struct vreg *r)
{
	bool keep_ours = !vreg_active_ours(r);
	size_t k = 0;

	for (size_t i = 0; i < r->n; i++) {
		struct vcontact *c = &r->c[i];
		if (c->active || (c->ours && keep_ours)) {
			r->c[k++] = *c;
		} else {
			free(c->id);
			free(c->uri);
		}
	}
	r->n = k;
}

static int merge_reg(const struct ue_reginfo_sub *sub, struct view *v,
		     const struct ue_reginfo_registration *d, char *err, size_t errlen)
{
	struct vreg *r = view_find(v, d->id, d->aor);

	if (!r) {
		if (v->n >= UE_REGINFO_MAX_REGS) {
			set_err(err, errlen, "more than %d registrations in the subscription state",
				UE_REGINFO_MAX_REGS);
			return -1;
		}
		struct vreg *nr = realloc(v->r, (v->n + 1) * sizeof(*nr));
		if (!nr)
			goto oom;
		v->r = nr;
		r = &v->r[v->n++];
		memset(r, 0, sizeof(*r));
	}
	if (replace_str(&r->id, d->id) < 0 || replace_str(&r->aor, d->aor) < 0)
		goto oom;
	r->state = d->state;
	for (size_t i = 0; i < d->n_contacts; i++) {
		const struct ue_reginfo_contact *dc = &d->contacts[i];
		struct vcontact *c = NULL;
		for (size_t j = 0; j < r->n && !c; j++)
			if (!strcmp(r->c[j].id, dc->id))
				c = &r->c[j];
		for (size_t j = 0; j < r->n && !c; j++)
			if (!strcmp(r->c[j].uri, dc->uri))
				c = &r->c[j];
		if (!c) {
			struct vcontact *nc = realloc(r->c, (r->n + 1) * sizeof(*nc));
			if (!nc)
				goto oom;
			r->c = nc;
			c = &r->c[r->n++];
			memset(c, 0, sizeof(*c));
		}
		if (replace_str(&c->id, dc->id) < 0 || replace_str(&c->uri, dc->uri) < 0)
			goto oom;
		c->ours = ue_reginfo_contact_is_ours(dc, sub->contact, sub->instance);
		c->active = dc->state == UE_REGINFO_CONTACT_ACTIVE;
	}
	/* No contact is bound to a terminated registration, whatever the
	 * contact elements say. */
	if (r->state == UE_REGINFO_REG_TERMINATED)
		for (size_t j = 0; j < r->n; j++)
			r->c[j].active = false;
	vreg_prune(r);
	if (r->n > UE_REGINFO_MAX_CONTACTS) {
		set_err(err, errlen,
			"more than %d contacts of one registration in the subscription state",
			UE_REGINFO_MAX_CONTACTS);
		return -1;
	}
	return 0;
oom:
	set_err(err, errlen, "out of memory");
	return -1;
}

/* How strongly a terminating event ends a binding, to pick one when
 * several contacts of ours end at once. */
static int end_rank(enum ue_reginfo_event ev)
{
	switch (ev) {
	case UE_REGINFO_EV_REJECTED:
		return 5;
	case UE_REGINFO_EV_DEACTIVATED:
		return 4;
	case UE_REGINFO_EV_PROBATION:
		return 3;
	case UE_REGINFO_EV_UNREGISTERED:
		return 2;
	case UE_REGINFO_EV_EXPIRED:
		return 1;
	default:
		return 0;
	}
}

/* Our binding ended with contact c's event (5.1.1.7). */
static void ended_by(struct ue_reginfo_action *a, const struct ue_reginfo_contact *c)
{
	a->action = UE_REGINFO_ACT_DEREGISTERED;
	switch (c->event) {
	case UE_REGINFO_EV_DEACTIVATED:
		a->action = UE_REGINFO_ACT_INITIAL_REGISTRATION;
		a->reason = "deactivated";
		break;
	case UE_REGINFO_EV_REJECTED:
		a->rejected = true;
		a->reason = "rejected";
		break;
	case UE_REGINFO_EV_PROBATION:
		a->retry_after = c->retry_after;
		a->reason = "probation";
		break;
	case UE_REGINFO_EV_UNREGISTERED:
		a->reason = "unregistered";
		break;
	case UE_REGINFO_EV_EXPIRED:
		a->reason = "expired";
		break;
	default:
		a->reason = "terminated";
		break;
	}
}

static void decide(const struct ue_reginfo_sub *sub, const struct ue_reginfo_registration *d,
		   const struct vreg *before, const struct vreg *after, struct ue_reginfo_action *a)
{
	const struct ue_reginfo_contact *ended = NULL, *shortened = NULL;
	bool terminated = d->state == UE_REGINFO_REG_TERMINATED;

	memset(a, 0, sizeof(*a));
	a->aor = d->aor;
	a->state = d->state;
	for (size_t i = 0; i < d->n_contacts; i++) {
		const struct ue_reginfo_contact *c = &d->contacts[i];
		if (!ue_reginfo_contact_is_ours(c, sub->contact, sub->instance))
			continue;
		if (terminated || c->state == UE_REGINFO_CONTACT_TERMINATED) {
			if (!ended || end_rank(c->event) > end_rank(ended->event))
				ended = c;
		} else if (c->event == UE_REGINFO_EV_SHORTENED) {
			/* Several shortened contacts of ours: the earliest expiry. */
			if (!shortened ||
			    (c->expires.present && (!shortened->expires.present ||
						    c->expires.value < shortened->expires.value)))
				shortened = c;
		}
	}
	if (terminated) {
		if (ended) {
			ended_by(a, ended); /* 5.1.1.7 item 1 */
		} else if (!d->n_contacts || (before && vreg_active_ours(before))) {
			/* Kamailio's form after RTR or dereg_impu: no contacts. */
			a->action = UE_REGINFO_ACT_DEREGISTERED;
			a->reason = "terminated";
		}
		return;
	}
	if (ended && !(after && vreg_active_ours(after))) {
		ended_by(a, ended); /* 5.1.1.7 item 2: our last binding removed */
		return;
	}
	if (shortened && d->state == UE_REGINFO_REG_ACTIVE) {
		a->action = UE_REGINFO_ACT_REREGISTER; /* 5.1.1.5A */
		a->reason = "shortened";
		a->expires = shortened->expires.present ? shortened->expires.value : 0;
	}
}

/* 5.1.1.7, second bullet: each registration of this UE is terminated or
 * has no active contact of ours; and there is at least one. */
static bool all_terminated(const struct view *v)
{
	bool any = false;

	for (size_t i = 0; i < v->n; i++) {
		const struct vreg *r = &v->r[i];
		if (r->state != UE_REGINFO_REG_TERMINATED && !vreg_any_ours(r))
			continue; /* not registered by this UE */
		any = true;
		if (r->state != UE_REGINFO_REG_TERMINATED && vreg_active_ours(r))
			return false;
	}
	return any;
}

int ue_reginfo_sub_new(struct ue_reginfo_sub **out, const char *contact_uri, const char *instance,
		       char *err, size_t errlen)
{
	struct ue_reginfo_sub *sub;

	*out = NULL;
	if (!(contact_uri && *contact_uri) && !instance_given(instance)) {
		set_err(err, errlen, "neither a contact URI nor an instance ID to recognise ours");
		return -1;
	}
	sub = calloc(1, sizeof(*sub));
	if (!sub || (contact_uri && !(sub->contact = strdup(contact_uri))) ||
	    (instance && !(sub->instance = strdup(instance)))) {
		ue_reginfo_sub_free(sub);
		set_err(err, errlen, "out of memory");
		return -1;
	}
	*out = sub;
	return 0;
}

void ue_reginfo_sub_reset(struct ue_reginfo_sub *sub)
{
	view_clear(&sub->view);
	sub->have_version = false;
	sub->version = 0;
}

void ue_reginfo_sub_free(struct ue_reginfo_sub *sub)
{
	if (!sub)
		return;
	view_clear(&sub->view);
	free(sub->contact);
	free(sub->instance);
	free(sub);
}

bool ue_reginfo_sub_version(const struct ue_reginfo_sub *sub, uint64_t *version)
{
	if (sub->have_version && version)
		*version = sub->version;
	return sub->have_version;
}

int ue_reginfo_sub_apply(struct ue_reginfo_sub *sub, const struct ue_reginfo *doc,
			 struct ue_reginfo_result *res, char *err, size_t errlen)
{
	struct view next = {0};
	bool partial = doc->state == UE_REGINFO_PARTIAL;

	memset(res, 0, sizeof(*res));
	if (err && errlen)
		err[0] = '\0';
	/* RFC 3680: a version not above the local one is old news. */
	if (sub->have_version && doc->version <= sub->version) {
		res->stale = true;
		return 0;
	}
	if (partial && view_copy(&next, &sub->view) < 0) {
		set_err(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < doc->n_regs; i++)
		if (merge_reg(sub, &next, &doc->regs[i], err, errlen) < 0)
			goto fail;
	for (size_t i = 0; i < doc->n_regs && i < UE_REGINFO_MAX_REGS; i++) {
		const struct ue_reginfo_registration *d = &doc->regs[i];
		decide(sub, d, view_find(&sub->view, d->id, d->aor),
		       view_find(&next, d->id, d->aor), &res->actions[res->n_actions++]);
	}
	res->all_terminated = all_terminated(&next);
	/* Partial state is complete only on top of everything before it: a
	 * partial first document, or a skipped version, needs full state. */
	res->need_refresh = partial && (!sub->have_version || doc->version - sub->version > 1);
	view_clear(&sub->view);
	sub->view = next;
	sub->have_version = true;
	sub->version = doc->version;
	return 0;
fail:
	view_clear(&next);
	memset(res, 0, sizeof(*res));
	res->need_refresh = true;
	return -1;
}
