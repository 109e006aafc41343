/* RCC.14 / OMA CP configuration document parser (see provdoc.h). */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>

#include "provisioning/profile.h"
#include "provisioning/provdoc.h"

/* Parser state shared with the libxml2 callbacks through ctxt->_private. */
struct pstate {
	char *err;
	size_t errlen;
	bool failed;
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
	/* One line, whatever libxml2 or the document put into it. */
	for (char *p = err; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

static void st_fail(struct pstate *st, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void st_fail(struct pstate *st, int line, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (st->failed)
		return;
	st->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	set_err(st->err, st->errlen, "line %d: %s", line, msg);
}

const char *prov_doc_kind_name(enum prov_doc_kind kind)
{
	switch (kind) {
	case PROV_DOC_FULL:
		return "full";
	case PROV_DOC_VERSION_ONLY:
		return "version-only";
	case PROV_DOC_RESET:
		return "reset";
	case PROV_DOC_DISABLED:
		return "disabled";
	case PROV_DOC_DISABLED_UNTIL_USER:
		return "disabled-until-user";
	case PROV_DOC_POLICY:
		return "policy";
	}
	return "?";
}

const char *prov_pcscf_type_name(enum prov_pcscf_type type)
{
	switch (type) {
	case PROV_PCSCF_FQDN:
		return "fqdn";
	case PROV_PCSCF_IPV4:
		return "ipv4";
	case PROV_PCSCF_IPV6:
		return "ipv6";
	case PROV_PCSCF_UNKNOWN:
		break;
	}
	return "unknown";
}

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void prov_doc_free(struct prov_doc *doc)
{
	if (!doc)
		return;
	wipe_free(doc->token);
	free(doc->msg_title);
	free(doc->msg_message);
	free(doc->ims.impi);
	for (size_t i = 0; i < doc->ims.n_impu; i++)
		free(doc->ims.impu[i]);
	free(doc->ims.impu);
	free(doc->ims.home_domain);
	for (size_t i = 0; i < doc->ims.n_pcscf; i++) {
		free(doc->ims.pcscf[i].address);
		free(doc->ims.pcscf[i].type_str);
	}
	free(doc->ims.pcscf);
	free(doc->ims.auth_type_str);
	free(doc->ims.realm);
	free(doc->ims.username);
	wipe_free(doc->ims.userpwd);
	for (size_t i = 0; i < doc->n_other; i++) {
		free(doc->other[i].path);
		free(doc->other[i].name);
		wipe_free(doc->other[i].value);
	}
	free(doc->other);
	free(doc);
}

/* ---- libxml2 plumbing ---- */

static void on_xml_error(void *data, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = data;
	struct pstate *st = ctxt ? ctxt->_private : NULL;

	if (!st || !e || e->level < XML_ERR_ERROR)
		return;
	char msg[160];
	/* The first line only: libxml2 adds the offending document bytes on
	 * a second line ("Bytes: 0x.."), and those may be part of a secret. */
	const char *m = e->message ? e->message : "error";
	snprintf(msg, sizeof(msg), "%.*s", (int)strcspn(m, "\n"), m);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	st_fail(st, e->line, "XML: %s", msg);
}

/* Errors libxml2 raises outside the parser context (character encoding
 * conversion, I/O) would otherwise go to stderr, with document bytes in
 * them; during a parse they come here instead. */
static void on_global_error(void *data, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = data;
	struct pstate *st = ctxt ? ctxt->_private : NULL;

	if (!st || !e || e->level < XML_ERR_ERROR)
		return;
	/* Only the domain: the message quotes document bytes. */
	st_fail(st, ctxt->input ? ctxt->input->line : 0, "XML: %s",
		e->domain == XML_FROM_I18N ? "invalid character encoding" : "input error");
}

/* A DOCTYPE is refused before its internal subset (where entities would
 * be declared) is read: this is what keeps XXE and entity expansion out. */
static void on_doctype(void *data, const xmlChar *name, const xmlChar *ext_id,
		       const xmlChar *sys_id)
{
	xmlParserCtxtPtr ctxt = data;
	struct pstate *st = ctxt->_private;

	st_fail(st, ctxt->input ? ctxt->input->line : 0,
		"document type declaration (DOCTYPE) not allowed");
	xmlStopParser(ctxt);
}

static void on_entity_decl(void *data, const xmlChar *name, int type, const xmlChar *public_id,
			   const xmlChar *system_id, xmlChar *content)
{
	xmlParserCtxtPtr ctxt = data;
	struct pstate *st = ctxt->_private;

	st_fail(st, ctxt->input ? ctxt->input->line : 0, "entity declaration not allowed");
	xmlStopParser(ctxt);
}

static int node_line(const xmlNode *n)
{
	long l = xmlGetLineNo(n);
	return l > 0 && l < INT_MAX ? (int)l : 0;
}

static bool is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST name);
}

static bool name_is(const char *a, const char *b)
{
	return a && !strcasecmp(a, b);
}

/* Attribute value as a malloc'd C string (NULL when absent). */
static char *attr_dup(xmlNode *n, const char *name, bool *oom)
{
	xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
	if (!v)
		return NULL;
	char *s = strdup((const char *)v);
	OPENSSL_cleanse(v, strlen((const char *)v));
	xmlFree(v);
	if (!s)
		*oom = true;
	return s;
}

/* Best effort: wipe a secret attribute value inside the libxml2 tree before
 * the tree is freed (dictionary-owned strings are shared and left alone). */
static void attr_wipe(xmlNode *n, const char *name)
{
	xmlAttr *a = xmlHasNsProp(n, BAD_CAST name, NULL);
	if (!a)
		return;
	for (xmlNode *t = a->children; t; t = t->next)
		if (t->content &&
		    !(n->doc && n->doc->dict && xmlDictOwns(n->doc->dict, t->content)))
			OPENSSL_cleanse(t->content, strlen((const char *)t->content));
}

static int check_tree(struct pstate *st, xmlNode *n, int depth)
{
	for (; n; n = n->next) {
		if (n->type == XML_ENTITY_REF_NODE || n->type == XML_ENTITY_NODE ||
		    n->type == XML_ENTITY_DECL || n->type == XML_DTD_NODE) {
			st_fail(st, node_line(n), "entity reference not allowed");
			return -1;
		}
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (depth > PROV_DOC_MAX_DEPTH) {
			st_fail(st, node_line(n), "elements nested deeper than %d levels",
				PROV_DOC_MAX_DEPTH);
			return -1;
		}
		if (check_tree(st, n->children, depth + 1) < 0)
			return -1;
	}
	return 0;
}

/* ---- values ---- */

static bool xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A decimal integer in [min, max], XML white space around it allowed. */
static int parse_int(const char *s, long long min, long long max, long long *out)
{
	if (!s)
		return -1;
	while (xml_space(*s))
		s++;
	bool neg = *s == '-';
	if (neg)
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	long long v = 0;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (LLONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	while (xml_space(*s))
		s++;
	if (*s)
		return -1;
	if (neg)
		v = -v;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A value quoted for an error message: short, control characters as '?'. */
static const char *quote(const char *s, char *buf, size_t len)
{
	size_t j = 0, i = 0;

	if (!s)
		s = "";
	for (; s[i] && j + 4 < len; i++)
		buf[j++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (s[i] && len > 4) {
		memcpy(buf + j, "...", 3);
		j += 3;
	}
	buf[j] = '\0';
	return buf;
}

/* ---- generic parms ---- */

struct walker {
	struct pstate *st;
	struct prov_doc *doc;
	bool oom;
};

static int keep_parm(struct walker *w, const char *path, char *name, char *value, int line)
{
	struct prov_parm *p = realloc(w->doc->other, (w->doc->n_other + 1) * sizeof(*p));
	if (!p) {
		free(name);
		wipe_free(value);
		w->oom = true;
		return -1;
	}
	w->doc->other = p;
	p = &w->doc->other[w->doc->n_other];
	p->path = strdup(path);
	p->name = name;
	p->value = value ? value : strdup("");
	p->line = line;
	w->doc->n_other++;
	if (!p->path || !p->value) {
		w->oom = true;
		return -1;
	}
	return 0;
}

/* The name and value of a parm element (value "" when absent); a parm
 * without a name is a structural error. */
static int parm_read(struct walker *w, xmlNode *n, char **name, char **value)
{
	*name = attr_dup(n, "name", &w->oom);
	*value = NULL;
	if (!*name) {
		if (!w->oom)
			st_fail(w->st, node_line(n), "parm without a name");
		return -1;
	}
	*value = attr_dup(n, "value", &w->oom);
	if (!*value && !w->oom)
		*value = strdup("");
	if (!*value) {
		free(*name);
		w->oom = true;
		return -1;
	}
	return 0;
}

static char *char_type(struct walker *w, xmlNode *n)
{
	char *t = attr_dup(n, "type", &w->oom);
	if (!t && !w->oom)
		st_fail(w->st, node_line(n), "characteristic without a type");
	return t;
}

/* The AppID parm among the direct children of an APPLICATION. */
static char *app_id(struct walker *w, xmlNode *app)
{
	for (xmlNode *c = app->children; c; c = c->next) {
		if (!is_elem(c, "parm"))
			continue;
		char *name = attr_dup(c, "name", &w->oom);
		bool match = name_is(name, "AppID");
		free(name);
		if (match)
			return attr_dup(c, "value", &w->oom);
	}
	return NULL;
}

static char *child_path(struct walker *w, const char *parent, xmlNode *c, const char *type)
{
	char *appid = NULL, *path = NULL;
	int r;

	if (name_is(type, "APPLICATION"))
		appid = app_id(w, c);
	if (parent[0])
		r = appid ? asprintf(&path, "%s/%s[%s]", parent, type, appid)
			  : asprintf(&path, "%s/%s", parent, type);
	else
		r = appid ? asprintf(&path, "%s[%s]", type, appid) : asprintf(&path, "%s", type);
	free(appid);
	if (r < 0) {
		w->oom = true;
		return NULL;
	}
	return path;
}

static int keep_child(struct walker *w, xmlNode *c, const char *path);

/* Keep every parm below n (a characteristic whose parms are not interpreted). */
static int keep_all(struct walker *w, xmlNode *n, const char *path)
{
	for (xmlNode *c = n->children; c; c = c->next) {
		if (is_elem(c, "parm")) {
			char *name, *value;
			if (parm_read(w, c, &name, &value) < 0 ||
			    keep_parm(w, path, name, value, node_line(c)) < 0)
				return -1;
		} else if (is_elem(c, "characteristic")) {
			if (keep_child(w, c, path) < 0)
				return -1;
		}
	}
	return 0;
}

/* Keep every parm of the characteristic c, found below path. */
static int keep_child(struct walker *w, xmlNode *c, const char *path)
{
	char *type = char_type(w, c);
	char *sub = type ? child_path(w, path, c, type) : NULL;
	int r = sub ? keep_all(w, c, sub) : -1;

	free(type);
	free(sub);
	return r;
}

/* Store value into *slot unless a parm of that name was seen already. */
static int take_once(struct walker *w, const char *where, const char *name, char **slot,
		     char *value, int line)
{
	if (*slot) {
		free(value);
		st_fail(w->st, line, "%s: second %s parm", where, name);
		return -1;
	}
	*slot = value;
	return 0;
}

/* ---- VERS, TOKEN, MSG, POLICY (RCC.14 4.2) ---- */

static int parse_vers(struct walker *w, xmlNode *n)
{
	struct prov_doc *doc = w->doc;
	char *version = NULL, *validity = NULL;
	int vline = 0, rc = -1;
	char q[40];

	for (xmlNode *c = n->children; c; c = c->next) {
		char *name, *value;
		if (is_elem(c, "characteristic")) {
			char *type = char_type(w, c);
			if (!type)
				goto out;
			char *path = child_path(w, "VERS", c, type);
			free(type);
			int r = path ? keep_all(w, c, path) : -1;
			free(path);
			if (r < 0)
				goto out;
			continue;
		}
		if (!is_elem(c, "parm"))
			continue;
		if (parm_read(w, c, &name, &value) < 0)
			goto out;
		if (name_is(name, "version")) {
			vline = node_line(c);
			free(name);
			if (take_once(w, "VERS", "version", &version, value, vline) < 0)
				goto out;
		} else if (name_is(name, "validity")) {
			free(name);
			if (take_once(w, "VERS", "validity", &validity, value, node_line(c)) < 0)
				goto out;
		} else if (keep_parm(w, "VERS", name, value, node_line(c)) < 0) {
			goto out;
		}
	}
	long long v, t;
	if (!version) {
		st_fail(w->st, node_line(n), "VERS has no version parm");
		goto out;
	}
	if (parse_int(version, LLONG_MIN / 10, LLONG_MAX / 10, &v) < 0) {
		st_fail(w->st, vline, "VERS version '%s' is not an integer",
			quote(version, q, sizeof(q)));
		goto out;
	}
	if (v < -2 || v > INT32_MAX) {
		st_fail(w->st, vline, "VERS version %lld is out of range (-2, -1, 0 or 1..%d)", v,
			INT32_MAX);
		goto out;
	}
	if (!validity) {
		st_fail(w->st, node_line(n), "VERS has no validity parm");
		goto out;
	}
	if (parse_int(validity, LLONG_MIN / 10, LLONG_MAX / 10, &t) < 0) {
		st_fail(w->st, node_line(n), "VERS validity '%s' is not an integer",
			quote(validity, q, sizeof(q)));
		goto out;
	}
	if (t < -2 || t > INT32_MAX) {
		st_fail(w->st, node_line(n), "VERS validity %lld is out of range (-2..%d)", t,
			INT32_MAX);
		goto out;
	}
	if (v > 0 && t < 0) {
		st_fail(w->st, node_line(n), "VERS validity %lld is negative with version %lld", t,
			v);
		goto out;
	}
	doc->has_vers = true;
	doc->version = (int32_t)v;
	doc->validity = (int32_t)t;
	rc = 0;
out:
	free(version);
	free(validity);
	return rc;
}

static int parse_token(struct walker *w, xmlNode *n)
{
	struct prov_doc *doc = w->doc;
	char *validity = NULL;
	int rc = -1;
	char q[40];

	for (xmlNode *c = n->children; c; c = c->next) {
		char *name, *value;
		if (!is_elem(c, "parm"))
			continue;
		if (parm_read(w, c, &name, &value) < 0)
			goto out;
		if (name_is(name, "token")) {
			free(name);
			attr_wipe(c, "value");
			if (doc->token) {
				wipe_free(value);
				st_fail(w->st, node_line(c), "TOKEN: second token parm");
				goto out;
			}
			doc->token = value;
		} else if (name_is(name, "validity")) {
			free(name);
			if (take_once(w, "TOKEN", "validity", &validity, value, node_line(c)) < 0)
				goto out;
		} else if (keep_parm(w, "TOKEN", name, value, node_line(c)) < 0) {
			goto out;
		}
	}
	if (!doc->token) {
		st_fail(w->st, node_line(n), "TOKEN has no token parm");
		goto out;
	}
	if (validity) {
		long long t;
		if (parse_int(validity, 0, INT32_MAX, &t) < 0) {
			st_fail(w->st, node_line(n),
				"TOKEN validity '%s' is not a number of seconds",
				quote(validity, q, sizeof(q)));
			goto out;
		}
		doc->has_token_validity = true;
		doc->token_validity = (int32_t)t;
	}
	doc->has_token = true;
	rc = 0;
out:
	free(validity);
	return rc;
}

static int parse_button(struct walker *w, const char *name, const char *v, int line, bool *out)
{
	long long b;
	char q[40];

	if (parse_int(v, 0, 1, &b) < 0) {
		st_fail(w->st, line, "MSG %s '%s' is neither 0 nor 1", name,
			quote(v, q, sizeof(q)));
		return -1;
	}
	*out = b == 1;
	return 0;
}

static int parse_msg(struct walker *w, xmlNode *n)
{
	struct prov_doc *doc = w->doc;
	char *accept = NULL, *reject = NULL;
	int aline = 0, rline = 0, rc = -1;

	for (xmlNode *c = n->children; c; c = c->next) {
		char *name, *value;
		if (!is_elem(c, "parm"))
			continue;
		if (parm_read(w, c, &name, &value) < 0)
			goto out;
		int line = node_line(c);
		int r;
		if (name_is(name, "title"))
			r = take_once(w, "MSG", "title", &doc->msg_title, value, line);
		else if (name_is(name, "message"))
			r = take_once(w, "MSG", "message", &doc->msg_message, value, line);
		else if (name_is(name, "Accept_btn"))
			r = take_once(w, "MSG", "Accept_btn", &accept, value, aline = line);
		else if (name_is(name, "Reject_btn"))
			r = take_once(w, "MSG", "Reject_btn", &reject, value, rline = line);
		else {
			r = keep_parm(w, "MSG", name, value, line);
			name = NULL;
		}
		free(name);
		if (r < 0)
			goto out;
	}
	if (!doc->msg_title || !doc->msg_message || !accept) {
		st_fail(w->st, node_line(n), "MSG has no %s parm",
			!doc->msg_title     ? "title"
			: !doc->msg_message ? "message"
					    : "Accept_btn");
		goto out;
	}
	if (parse_button(w, "Accept_btn", accept, aline, &doc->msg_accept_btn) < 0)
		goto out;
	if (reject && parse_button(w, "Reject_btn", reject, rline, &doc->msg_reject_btn) < 0)
		goto out;
	doc->has_msg = true;
	rc = 0;
out:
	free(accept);
	free(reject);
	return rc;
}

static int parse_policy(struct walker *w, xmlNode *n)
{
	struct prov_doc *doc = w->doc;
	char *port = NULL;
	int pline = 0, rc = -1;
	char q[40];

	for (xmlNode *c = n->children; c; c = c->next) {
		char *name, *value;
		if (!is_elem(c, "parm"))
			continue;
		if (parm_read(w, c, &name, &value) < 0)
			goto out;
		if (name_is(name, "SMS_port")) {
			free(name);
			pline = node_line(c);
			if (take_once(w, "POLICY", "SMS_port", &port, value, pline) < 0)
				goto out;
		} else if (keep_parm(w, "POLICY", name, value, node_line(c)) < 0) {
			goto out;
		}
	}
	if (port) {
		long long p;
		if (parse_int(port, 0, 65535, &p) < 0) {
			st_fail(w->st, pline, "POLICY SMS_port '%s' is not a port number (0-65535)",
				quote(port, q, sizeof(q)));
			goto out;
		}
		doc->has_sms_port = true;
		doc->sms_port = (uint16_t)p;
	}
	doc->has_policy = true;
	rc = 0;
out:
	free(port);
	return rc;
}

/* ---- the RCC.15 IMS characteristic ---- */

/* Record the first value problem of the IMS characteristic: the document
 * still parses (it may configure other services), but is not usable for IMS. */
static void ims_problem(struct prov_ims *ims, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ims_problem(struct prov_ims *ims, int line, const char *fmt, ...)
{
	char msg[sizeof(ims->problem)];
	va_list ap;

	if (ims->problem[0])
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	set_err(ims->problem, sizeof(ims->problem), "line %d: %s", line, msg);
}

static void ims_once(struct prov_ims *ims, const char *name, char **slot, char *value, int line)
{
	if (*slot) {
		ims_problem(ims, line, "second %s in APPLICATION %s", name, PROV_IMS_APPID);
		free(value);
		return;
	}
	*slot = value;
}

/* Takes value. */
static void ims_num(struct prov_ims *ims, const char *name, const char *unit, struct prov_num *num,
		    char *value, int line)
{
	long long v;
	char q[40];

	if (num->present)
		ims_problem(ims, line, "second %s in APPLICATION %s", name, PROV_IMS_APPID);
	else if (parse_int(value, 1, UINT32_MAX, &v) < 0)
		ims_problem(ims, line, "%s '%s' is not a positive number of %s", name,
			    quote(value, q, sizeof(q)), unit);
	else
		*num = (struct prov_num){.present = true, .value = (uint32_t)v};
	free(value);
}

static int push_str(char ***arr, size_t *n, char *s)
{
	char **p = realloc(*arr, (*n + 1) * sizeof(*p));
	if (!p)
		return -1;
	*arr = p;
	p[(*n)++] = s;
	return 0;
}

static enum prov_pcscf_type pcscf_type_parse(const char *s)
{
	if (name_is(s, "FQDN"))
		return PROV_PCSCF_FQDN;
	if (name_is(s, "IPv4"))
		return PROV_PCSCF_IPV4;
	if (name_is(s, "IPv6"))
		return PROV_PCSCF_IPV6;
	return PROV_PCSCF_UNKNOWN;
}

static enum prov_pcscf_type pcscf_type_infer(const char *a)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, a, buf) == 1)
		return PROV_PCSCF_IPV4;
	if (inet_pton(AF_INET6, a, buf) == 1)
		return PROV_PCSCF_IPV6;
	return PROV_PCSCF_FQDN;
}

static int parse_pcscf(struct walker *w, xmlNode *n, const char *path)
{
	struct prov_ims *ims = &w->doc->ims;
	char *address = NULL, *type = NULL;

	for (xmlNode *c = n->children; c; c = c->next) {
		char *name, *value;
		if (is_elem(c, "characteristic")) {
			if (keep_child(w, c, path) < 0)
				goto fail;
			continue;
		}
		if (!is_elem(c, "parm"))
			continue;
		if (parm_read(w, c, &name, &value) < 0)
			goto fail;
		if (name_is(name, "Address")) {
			free(name);
			ims_once(ims, "LBO_P-CSCF_Address/Address", &address, value, node_line(c));
		} else if (name_is(name, "AddressType")) {
			free(name);
			ims_once(ims, "LBO_P-CSCF_Address/AddressType", &type, value, node_line(c));
		} else if (keep_parm(w, path, name, value, node_line(c)) < 0) {
			goto fail;
		}
	}
	if (!address) {
		ims_problem(ims, node_line(n), "LBO_P-CSCF_Address has no Address");
		free(type);
		return 0;
	}
	/* An IPv6 literal may come bracketed as in a URI. */
	size_t al = strlen(address);
	if (al > 2 && address[0] == '[' && address[al - 1] == ']') {
		memmove(address, address + 1, al - 2);
		address[al - 2] = '\0';
	}
	struct prov_pcscf *p = realloc(ims->pcscf, (ims->n_pcscf + 1) * sizeof(*p));
	if (!p) {
		w->oom = true;
		goto fail;
	}
	ims->pcscf = p;
	p = &ims->pcscf[ims->n_pcscf++];
	p->address = address;
	p->type_str = type;
	p->type = type ? pcscf_type_parse(type) : pcscf_type_infer(address);
	p->line = node_line(n);
	return 0;
fail:
	free(address);
	free(type);
	return -1;
}

static enum prov_auth_type auth_type_parse(const char *s)
{
	if (name_is(s, "AKA"))
		return PROV_AUTH_AKA;
	if (name_is(s, "Digest") || name_is(s, "SIPDigest") || name_is(s, "SIP Digest"))
		return PROV_AUTH_DIGEST;
	if (name_is(s, "EarlyIMS"))
		return PROV_AUTH_EARLY_IMS;
	return PROV_AUTH_OTHER;
}

static int parse_appauth(struct walker *w, xmlNode *n, const char *path)
{
	struct prov_ims *ims = &w->doc->ims;

	if (ims->has_appauth)
		ims_problem(ims, node_line(n), "second APPAUTH in APPLICATION %s", PROV_IMS_APPID);
	ims->has_appauth = true;
	for (xmlNode *c = n->children; c; c = c->next) {
		char *name, *value;
		if (is_elem(c, "characteristic")) {
			if (keep_child(w, c, path) < 0)
				return -1;
			continue;
		}
		if (!is_elem(c, "parm"))
			continue;
		if (parm_read(w, c, &name, &value) < 0)
			return -1;
		int line = node_line(c);
		if (name_is(name, "AuthType")) {
			ims_once(ims, "APPAUTH/AuthType", &ims->auth_type_str, value, line);
		} else if (name_is(name, "Realm")) {
			ims_once(ims, "APPAUTH/Realm", &ims->realm, value, line);
		} else if (name_is(name, "UserName")) {
			ims_once(ims, "APPAUTH/UserName", &ims->username, value, line);
		} else if (name_is(name, "UserPwd")) {
			attr_wipe(c, "value");
			if (ims->userpwd) {
				ims_problem(ims, line, "second APPAUTH/UserPwd in APPLICATION %s",
					    PROV_IMS_APPID);
				wipe_free(value);
			} else {
				ims->userpwd = value;
			}
		} else {
			if (keep_parm(w, path, name, value, line) < 0)
				return -1;
			continue;
		}
		free(name);
	}
	ims->auth_type = ims->auth_type_str ? auth_type_parse(ims->auth_type_str) : PROV_AUTH_NONE;
	return 0;
}

static int parse_impu_list(struct walker *w, xmlNode *n, const char *path)
{
	struct prov_ims *ims = &w->doc->ims;

	for (xmlNode *c = n->children; c; c = c->next) {
		char *name, *value;
		if (is_elem(c, "characteristic")) {
			if (keep_child(w, c, path) < 0)
				return -1;
			continue;
		}
		if (!is_elem(c, "parm"))
			continue;
		if (parm_read(w, c, &name, &value) < 0)
			return -1;
		if (name_is(name, "Public_user_identity")) {
			free(name);
			if (push_str(&ims->impu, &ims->n_impu, value) < 0) {
				free(value);
				w->oom = true;
				return -1;
			}
		} else if (keep_parm(w, path, name, value, node_line(c)) < 0) {
			return -1;
		}
	}
	return 0;
}

static int parse_ims(struct walker *w, xmlNode *n, const char *path)
{
	struct prov_ims *ims = &w->doc->ims;

	ims->present = true;
	ims->line = node_line(n);
	for (xmlNode *c = n->children; c; c = c->next) {
		if (is_elem(c, "characteristic")) {
			char *type = char_type(w, c);
			if (!type)
				return -1;
			char *sub = child_path(w, path, c, type);
			int r = -1;
			if (sub) {
				if (name_is(type, "Public_user_identity_List"))
					r = parse_impu_list(w, c, sub);
				else if (name_is(type, "LBO_P-CSCF_Address"))
					r = parse_pcscf(w, c, sub);
				else if (name_is(type, "APPAUTH"))
					r = parse_appauth(w, c, sub);
				else
					r = keep_all(w, c, sub);
			}
			free(type);
			free(sub);
			if (r < 0)
				return -1;
			continue;
		}
		if (!is_elem(c, "parm"))
			continue;
		char *name, *value;
		if (parm_read(w, c, &name, &value) < 0)
			return -1;
		int line = node_line(c);
		if (name_is(name, "AppID"))
			free(value);
		else if (name_is(name, "Private_User_Identity"))
			ims_once(ims, "Private_User_Identity", &ims->impi, value, line);
		else if (name_is(name, "Home_network_domain_name"))
			ims_once(ims, "Home_network_domain_name", &ims->home_domain, value, line);
		else if (name_is(name, "Timer_T1"))
			ims_num(ims, "Timer_T1", "ms", &ims->timer_t1, value, line);
		else if (name_is(name, "Timer_T2"))
			ims_num(ims, "Timer_T2", "ms", &ims->timer_t2, value, line);
		else if (name_is(name, "Timer_T4"))
			ims_num(ims, "Timer_T4", "ms", &ims->timer_t4, value, line);
		else if (name_is(name, "Reg_Retry_BaseTime"))
			ims_num(ims, "Reg_Retry_BaseTime", "seconds", &ims->reg_retry_base_time,
				value, line);
		else if (name_is(name, "Reg_Retry_MaxTime"))
			ims_num(ims, "Reg_Retry_MaxTime", "seconds", &ims->reg_retry_max_time,
				value, line);
		else {
			if (keep_parm(w, path, name, value, line) < 0)
				return -1;
			continue; /* name and value kept */
		}
		free(name);
	}
	return 0;
}

/* ---- top level ---- */

static int parse_top(struct walker *w, xmlNode *root)
{
	struct prov_doc *doc = w->doc;
	int vers_line = 0, token_line = 0, msg_line = 0, policy_line = 0;
	bool config = false;

	for (xmlNode *c = root->children; c; c = c->next) {
		if (is_elem(c, "parm")) {
			char *name, *value;
			if (parm_read(w, c, &name, &value) < 0 ||
			    keep_parm(w, "", name, value, node_line(c)) < 0)
				return -1;
			continue;
		}
		if (!is_elem(c, "characteristic"))
			continue;
		char *type = char_type(w, c);
		if (!type)
			return -1;
		int line = node_line(c), r, *seen = NULL;
		if (name_is(type, "VERS"))
			seen = &vers_line;
		else if (name_is(type, "TOKEN"))
			seen = &token_line;
		else if (name_is(type, "MSG"))
			seen = &msg_line;
		else if (name_is(type, "POLICY"))
			seen = &policy_line;
		if (seen && *seen) {
			st_fail(w->st, line, "second %s characteristic (first at line %d)", type,
				*seen);
			free(type);
			return -1;
		}
		if (seen)
			*seen = line;
		if (name_is(type, "VERS")) {
			r = parse_vers(w, c);
		} else if (name_is(type, "TOKEN")) {
			r = parse_token(w, c);
		} else if (name_is(type, "MSG")) {
			r = parse_msg(w, c);
		} else if (name_is(type, "POLICY")) {
			r = parse_policy(w, c);
		} else {
			config = true;
			char *path = child_path(w, "", c, type);
			char *appid = name_is(type, "APPLICATION") ? app_id(w, c) : NULL;
			if (!path) {
				r = -1;
			} else if (appid && name_is(appid, PROV_IMS_APPID)) {
				if (doc->ims.present) {
					st_fail(w->st, line,
						"second APPLICATION %s (first at line %d)",
						PROV_IMS_APPID, doc->ims.line);
					r = -1;
				} else {
					r = parse_ims(w, c, path);
				}
			} else {
				r = keep_all(w, c, path);
			}
			free(appid);
			free(path);
		}
		free(type);
		if (r < 0)
			return -1;
	}
	if (!doc->has_vers) {
		if (!doc->has_policy) {
			st_fail(w->st, node_line(root), "no VERS characteristic");
			return -1;
		}
		doc->kind = PROV_DOC_POLICY;
	} else if (doc->version > 0) {
		doc->kind = config ? PROV_DOC_FULL : PROV_DOC_VERSION_ONLY;
	} else {
		doc->kind = doc->version == 0    ? PROV_DOC_RESET
			    : doc->version == -1 ? PROV_DOC_DISABLED
						 : PROV_DOC_DISABLED_UNTIL_USER;
	}
	return 0;
}

int prov_doc_parse(const uint8_t *data, size_t len, struct prov_doc **out, char *err, size_t errlen)
{
	struct pstate st = {.err = err, .errlen = errlen};
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr xdoc = NULL;
	struct prov_doc *doc = NULL;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!data || !len) {
		set_err(err, errlen, "empty document");
		return -1;
	}
	if (len > PROV_DOC_MAX_SIZE) {
		set_err(err, errlen, "document is %zu bytes, more than the %d allowed", len,
			PROV_DOC_MAX_SIZE);
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
	/* The structured error handler is libxml2 per-thread state: set for
	 * the duration of the parse only, then put back. */
	xmlStructuredErrorFunc saved_handler = xmlStructuredError;
	void *saved_context = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(ctxt, on_global_error);
	/* NONET; never NOENT, DTDLOAD, DTDATTR, XINCLUDE or HUGE. */
	xdoc = xmlCtxtReadMemory(ctxt, (const char *)data, (int)len, NULL, NULL,
				 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlSetStructuredErrorFunc(saved_context, saved_handler);
	if (st.failed)
		goto fail;
	if (!xdoc || !ctxt->wellFormed) {
		st_fail(&st, ctxt->input ? ctxt->input->line : 0, "XML: not well-formed");
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
	if (check_tree(&st, xdoc->children, 1) < 0)
		goto fail;
	if (!is_elem(root, "wap-provisioningdoc")) {
		st_fail(&st, node_line(root), "root element is <%.40s>, not <wap-provisioningdoc>",
			(const char *)root->name);
		goto fail;
	}
	doc = calloc(1, sizeof(*doc));
	if (!doc) {
		set_err(err, errlen, "out of memory");
		goto fail;
	}
	struct walker w = {.st = &st, .doc = doc};
	if (parse_top(&w, root) < 0 || w.oom) {
		if (w.oom && !st.failed)
			set_err(err, errlen, "out of memory");
		goto fail;
	}
	xmlFreeDoc(xdoc);
	xmlFreeParserCtxt(ctxt);
	*out = doc;
	return 0;
fail:
	prov_doc_free(doc);
	if (xdoc)
		xmlFreeDoc(xdoc);
	xmlFreeParserCtxt(ctxt);
	if (err && errlen && !err[0])
		set_err(err, errlen, "invalid document");
	return -1;
}

/* ---- IMS validation ---- */

static bool has_space_or_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return true;
	return false;
}

static bool hostname_ok(const char *s)
{
	size_t n = strlen(s), label = 0;

	if (!n || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (!label || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-')
			return false;
		if (c == '-' && !label)
			return false;
		if (++label > 63)
			return false;
	}
	return s[n - 1] != '-';
}

static bool uri_scheme_ok(const char *s)
{
	return !strncasecmp(s, "sip:", 4) || !strncasecmp(s, "sips:", 5) ||
	       !strncasecmp(s, "tel:", 4);
}

int prov_doc_ims_validate(const struct prov_doc *doc, char *err, size_t errlen)
{
	const struct prov_ims *ims = &doc->ims;
	char q[64];

	if (!ims->present) {
		set_err(err, errlen, "no IMS APPLICATION characteristic (AppID %s)",
			PROV_IMS_APPID);
		return -1;
	}
	if (ims->problem[0]) {
		set_err(err, errlen, "%s", ims->problem);
		return -1;
	}
	if (!ims->impi || !ims->impi[0]) {
		set_err(err, errlen, "line %d: APPLICATION %s has no Private_User_Identity",
			ims->line, PROV_IMS_APPID);
		return -1;
	}
	if (has_space_or_ctl(ims->impi)) {
		set_err(err, errlen, "line %d: Private_User_Identity '%s' contains white space",
			ims->line, quote(ims->impi, q, sizeof(q)));
		return -1;
	}
	if (!ims->n_impu) {
		set_err(err, errlen, "line %d: APPLICATION %s has no Public_user_identity",
			ims->line, PROV_IMS_APPID);
		return -1;
	}
	for (size_t i = 0; i < ims->n_impu; i++) {
		if (!uri_scheme_ok(ims->impu[i]) || has_space_or_ctl(ims->impu[i]) ||
		    strlen(ims->impu[i]) < 5) {
			set_err(err, errlen,
				"line %d: Public_user_identity '%s' is not a sip:, sips: or tel: "
				"URI",
				ims->line, quote(ims->impu[i], q, sizeof(q)));
			return -1;
		}
	}
	if (!ims->home_domain || !ims->home_domain[0]) {
		set_err(err, errlen, "line %d: APPLICATION %s has no Home_network_domain_name",
			ims->line, PROV_IMS_APPID);
		return -1;
	}
	if (!hostname_ok(ims->home_domain)) {
		set_err(err, errlen, "line %d: Home_network_domain_name '%s' is not a domain name",
			ims->line, quote(ims->home_domain, q, sizeof(q)));
		return -1;
	}
	for (size_t i = 0; i < ims->n_pcscf; i++) {
		const struct prov_pcscf *p = &ims->pcscf[i];
		unsigned char buf[16];
		bool ok;
		switch (p->type) {
		case PROV_PCSCF_IPV4:
			ok = inet_pton(AF_INET, p->address, buf) == 1;
			break;
		case PROV_PCSCF_IPV6:
			ok = inet_pton(AF_INET6, p->address, buf) == 1;
			break;
		case PROV_PCSCF_FQDN:
			ok = hostname_ok(p->address) && inet_pton(AF_INET, p->address, buf) != 1;
			break;
		default:
			set_err(err, errlen,
				"line %d: LBO_P-CSCF_Address AddressType '%s' is not FQDN, IPv4 or "
				"IPv6",
				p->line, quote(p->type_str, q, sizeof(q)));
			return -1;
		}
		if (!ok) {
			set_err(err, errlen, "line %d: LBO_P-CSCF_Address '%s' is not a valid %s",
				p->line, quote(p->address, q, sizeof(q)),
				p->type == PROV_PCSCF_FQDN   ? "FQDN"
				: p->type == PROV_PCSCF_IPV4 ? "IPv4 address"
							     : "IPv6 address");
			return -1;
		}
	}
	if (ims->reg_retry_base_time.present && ims->reg_retry_max_time.present &&
	    ims->reg_retry_base_time.value > ims->reg_retry_max_time.value) {
		set_err(err, errlen,
			"line %d: Reg_Retry_BaseTime %u is greater than Reg_Retry_MaxTime %u",
			ims->line, ims->reg_retry_base_time.value, ims->reg_retry_max_time.value);
		return -1;
	}
	if (ims->has_appauth) {
		if (ims->auth_type == PROV_AUTH_OTHER) {
			set_err(err, errlen,
				"line %d: APPAUTH AuthType '%s' is not AKA, Digest or EarlyIMS",
				ims->line, quote(ims->auth_type_str, q, sizeof(q)));
			return -1;
		}
		if (ims->auth_type == PROV_AUTH_DIGEST &&
		    (!ims->username || !ims->username[0] || !ims->userpwd)) {
			set_err(err, errlen, "line %d: APPAUTH Digest without %s", ims->line,
				!ims->username || !ims->username[0] ? "UserName" : "UserPwd");
			return -1;
		}
	}
	return 0;
}

int prov_ims_msisdn(const struct prov_ims *ims, char *out, size_t outlen)
{
	if (outlen < 3)
		return -1;
	for (size_t i = 0; i < ims->n_impu; i++) {
		const char *u = ims->impu[i], *p;
		bool tel = !strncasecmp(u, "tel:", 4), sip = !strncasecmp(u, "sip:", 4);
		if (!tel && !sip)
			continue;
		p = u + 4;
		if (*p != '+')
			continue;
		if (sip) {
			/* sip:+CC...@host;user=phone: a global number in the user part. */
			const char *at = strchr(p, '@');
			if (!at || !strcasestr(at, ";user=phone"))
				continue;
		}
		size_t j = 0;
		out[j++] = '+';
		for (p++; *p && *p != ';' && *p != '@'; p++) {
			if (*p == '-' || *p == '.' || *p == '(' || *p == ')')
				continue; /* RFC 3966 visual separators */
			if (!isdigit((unsigned char)*p)) {
				j = 0;
				break;
			}
			if (j + 1 >= outlen)
				return -1;
			out[j++] = *p;
		}
		if (j < 2 || j > 16)
			continue;
		out[j] = '\0';
		return 0;
	}
	return -1;
}

int prov_doc_to_profile(const struct prov_doc *doc, struct ims_profile *out, char *err,
			size_t errlen)
{
	const struct prov_ims *ims = &doc->ims;
	struct ims_profile p;
	char msisdn[20];

	if (doc->kind != PROV_DOC_FULL) {
		set_err(err, errlen, "a %s document carries no configuration",
			prov_doc_kind_name(doc->kind));
		return -1;
	}
	if (prov_doc_ims_validate(doc, err, errlen) < 0)
		return -1;
	if (ims->has_appauth && ims->auth_type == PROV_AUTH_EARLY_IMS) {
		set_err(err, errlen, "line %d: APPAUTH AuthType EarlyIMS is not supported",
			ims->line);
		return -1;
	}
	prov_profile_init(&p);
	p.source = IMS_PROFILE_SRC_AUTOCONF;
	if (prov_profile_set_str(&p.impi, ims->impi) < 0 ||
	    prov_profile_set_str(&p.home_domain, ims->home_domain) < 0)
		goto oom;
	for (size_t i = 0; i < ims->n_impu && p.n_impu < IMS_PROFILE_MAX_IMPU; i++) {
		bool dup = false;
		for (size_t j = 0; j < p.n_impu; j++)
			dup = dup || !strcmp(p.impu[j], ims->impu[i]);
		if (!dup && prov_profile_add_impu(&p, ims->impu[i]) < 0)
			goto oom;
	}
	for (size_t i = 0; i < ims->n_pcscf && p.n_pcscf < IMS_PROFILE_MAX_PCSCF; i++) {
		enum ims_addr_type t = ims->pcscf[i].type == PROV_PCSCF_IPV4   ? IMS_ADDR_IPV4
				       : ims->pcscf[i].type == PROV_PCSCF_IPV6 ? IMS_ADDR_IPV6
									       : IMS_ADDR_FQDN;
		if (prov_profile_add_pcscf(&p, ims->pcscf[i].address, t) < 0)
			goto oom;
	}
	if (ims->timer_t1.present)
		p.t1_ms = ims->timer_t1.value;
	if (ims->timer_t2.present)
		p.t2_ms = ims->timer_t2.value;
	if (ims->timer_t4.present)
		p.t4_ms = ims->timer_t4.value;
	if (ims->reg_retry_base_time.present)
		p.reg_retry_base_time_s = ims->reg_retry_base_time.value;
	if (ims->reg_retry_max_time.present)
		p.reg_retry_max_time_s = ims->reg_retry_max_time.value;
	p.appauth.auth_type = ims->auth_type == PROV_AUTH_DIGEST ? IMS_AUTH_DIGEST : IMS_AUTH_AKA;
	if (prov_profile_set_str(&p.appauth.realm, ims->realm) < 0 ||
	    prov_profile_set_str(&p.appauth.username, ims->username) < 0)
		goto oom;
	if (ims->userpwd && !(p.appauth.password = strdup(ims->userpwd)))
		goto oom;
	if (prov_ims_msisdn(ims, msisdn, sizeof(msisdn)) == 0 &&
	    prov_profile_set_str(&p.msisdn, msisdn) < 0)
		goto oom;
	prov_profile_clear(out);
	*out = p;
	return 0;
oom:
	prov_profile_clear(&p);
	set_err(err, errlen, "out of memory");
	return -1;
}
