/* REGISTER building and 200 (OK) reading (TS 24.229 5.1.1), pure text. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "ue/msg.h"

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Appending writer: remembers overflow instead of failing at each call. */
struct wbuf {
	char *p;
	size_t len, cap;
	bool over;
};

static void wb_add(struct wbuf *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void wb_add(struct wbuf *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->p + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->cap - w->len) {
		w->over = true;
		return;
	}
	w->len += (size_t)n;
}

/* A configured IMPU may be written with or without "sip:". */
static const char *uri_or_sip(const char *impu, char *buf, size_t buflen)
{
	if (!strncasecmp(impu, "sip:", 4) || !strncasecmp(impu, "sips:", 5) ||
	    !strncasecmp(impu, "tel:", 4))
		return impu;
	snprintf(buf, buflen, "sip:%s", impu);
	return buf;
}

int ue_msg_register_build(const struct ue_msg_register *r, char *out, size_t outlen)
{
	struct wbuf w = {.p = out, .cap = outlen};
	char ibuf[UE_MSG_URI_LEN + 8];
	const char *impu;

	if (!out || !outlen)
		return -1;
	out[0] = '\0';
	if (!r->home_domain || !*r->home_domain || !r->impu || !*r->impu || !r->from_tag ||
	    !r->call_id || (!r->contact_star && !r->no_contact && !r->contact_host))
		return -1;
	impu = uri_or_sip(r->impu, ibuf, sizeof(ibuf));
	wb_add(&w, "REGISTER sip:%s SIP/2.0\r\n", r->home_domain);
	wb_add(&w, "Max-Forwards: 70\r\n");
	wb_add(&w, "From: <%s>;tag=%s\r\n", impu, r->from_tag);
	wb_add(&w, "To: <%s>\r\n", impu);
	wb_add(&w, "Call-ID: %s\r\n", r->call_id);
	wb_add(&w, "CSeq: %u REGISTER\r\n", r->cseq);
	if (r->contact_star) {
		wb_add(&w, "Contact: *\r\n");
	} else if (!r->no_contact) {
		bool v6 = strchr(r->contact_host, ':') != NULL;

		wb_add(&w, "Contact: <sip:");
		if (r->contact_user && *r->contact_user)
			wb_add(&w, "%s@", r->contact_user);
		wb_add(&w, v6 ? "[%s]" : "%s", r->contact_host);
		if (r->contact_port)
			wb_add(&w, ":%u", r->contact_port);
		if (r->transport && *r->transport && strcasecmp(r->transport, "udp"))
			wb_add(&w, ";transport=%s", r->transport);
		wb_add(&w, ">");
		if (r->instance && *r->instance)
			wb_add(&w, ";+sip.instance=\"<%s>\"", r->instance);
		if (r->feature_tags && *r->feature_tags)
			wb_add(&w, ";%s", r->feature_tags);
		wb_add(&w, "\r\n");
	}
	if (!r->no_contact)
		wb_add(&w, "Expires: %lu\r\n", r->expires);
	wb_add(&w, "Supported: path, gruu\r\n");
	if (r->authorization)
		wb_add(&w, "Authorization: %s\r\n", r->authorization);
	if (r->security_client) {
		wb_add(&w, "Security-Client: %s\r\n", r->security_client);
		if (r->security_verify)
			wb_add(&w, "Security-Verify: %s\r\n", r->security_verify);
		wb_add(&w, "Require: sec-agree\r\n");
		wb_add(&w, "Proxy-Require: sec-agree\r\n");
	}
	if (r->pani && *r->pani)
		wb_add(&w, "P-Access-Network-Info: %s\r\n", r->pani);
	if (r->user_agent && *r->user_agent)
		wb_add(&w, "User-Agent: %s\r\n", r->user_agent);
	if (w.over) {
		out[0] = '\0';
		return -1;
	}
	return (int)w.len;
}

const char *ue_msg_header(const struct sip_hdr *h, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (h[i].name && h[i].value && !strcasecmp(h[i].name, name))
			return h[i].value;
	return NULL;
}

int ue_msg_delta_seconds(const char *v, size_t len, unsigned long *out, char *err, size_t errlen)
{
	size_t i = 0;
	unsigned long x = 0;

	while (i < len && (v[i] == ' ' || v[i] == '\t'))
		i++;
	if (i == len || !isdigit((unsigned char)v[i])) {
		seterr(err, errlen, "delta-seconds: no number");
		return -1;
	}
	for (; i < len && isdigit((unsigned char)v[i]); i++) {
		if (x > (0xffffffffUL - 9) / 10) {
			seterr(err, errlen, "delta-seconds: number too large");
			return -1;
		}
		x = x * 10 + (unsigned long)(v[i] - '0');
	}
	while (i < len && (v[i] == ' ' || v[i] == '\t'))
		i++;
	if (i < len && v[i] != ';' && v[i] != '(') {
		seterr(err, errlen, "delta-seconds: junk after the number");
		return -1;
	}
	*out = x;
	return 0;
}

int ue_msg_list_next(const char *v, size_t len, size_t *pos, const char **item, size_t *itemlen)
{
	size_t i = *pos, start, end;
	bool q = false, a = false;

	for (;;) {
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n'))
			i++;
		if (i >= len) {
			*pos = len;
			return 0;
		}
		if (v[i] != ',')
			break;
		i++; /* empty element */
	}
	start = i;
	for (; i < len; i++) {
		char c = v[i];

		if (q) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '"')
				q = false;
		} else if (a) {
			if (c == '>')
				a = false;
		} else if (c == '"') {
			q = true;
		} else if (c == '<') {
			a = true;
		} else if (c == ',') {
			break;
		}
	}
	if (q || a)
		return -1;
	end = i;
	while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
		end--;
	*item = v + start;
	*itemlen = end - start;
	*pos = i < len ? i + 1 : len;
	return 1;
}

/* Offset just past the URI part of an element, and the URI bounds. */
static int element_split(const char *e, size_t len, size_t *us, size_t *ue, size_t *rest)
{
	size_t i = 0;

	while (i < len && (e[i] == ' ' || e[i] == '\t'))
		i++;
	if (i < len && e[i] == '"') {
		for (i++; i < len && e[i] != '"'; i++)
			if (e[i] == '\\')
				i++;
		if (i >= len)
			return -1;
		i++;
	}
	/* A display name of tokens, or directly <uri>. */
	{
		size_t j = i;

		while (j < len && e[j] != '<' && e[j] != ';' && e[j] != '"')
			j++;
		if (j < len && e[j] == '<')
			i = j;
	}
	if (i < len && e[i] == '<') {
		size_t j = i + 1;

		while (j < len && e[j] != '>')
			j++;
		if (j >= len)
			return -1;
		*us = i + 1;
		*ue = j;
		*rest = j + 1;
		return 0;
	}
	while (i < len && (e[i] == ' ' || e[i] == '\t'))
		i++;
	*us = i;
	while (i < len && e[i] != ';' && e[i] != ' ' && e[i] != '\t')
		i++;
	*ue = i;
	*rest = i;
	return *ue > *us ? 0 : -1;
}

int ue_msg_element_uri(const char *e, size_t len, char *out, size_t outlen, char *err,
		       size_t errlen)
{
	size_t us, uend, rest;

	if (element_split(e, len, &us, &uend, &rest) != 0) {
		seterr(err, errlen, "malformed address: unterminated <, quote or empty URI");
		return -1;
	}
	while (us < uend && (e[us] == ' ' || e[us] == '\t'))
		us++;
	while (uend > us && (e[uend - 1] == ' ' || e[uend - 1] == '\t'))
		uend--;
	if (uend == us) {
		seterr(err, errlen, "malformed address: empty URI");
		return -1;
	}
	if (uend - us >= outlen) {
		seterr(err, errlen, "URI too long (%zu bytes)", uend - us);
		return -1;
	}
	memcpy(out, e + us, uend - us);
	out[uend - us] = '\0';
	return 0;
}

int ue_msg_element_param(const char *e, size_t len, const char *name, char *out, size_t outlen)
{
	size_t us, uend, i, nlen = strlen(name);

	if (!outlen || element_split(e, len, &us, &uend, &i) != 0)
		return -1;
	out[0] = '\0';
	while (i < len) {
		size_t ns, ne, vs = 0, ve = 0;
		bool quoted = false;

		while (i < len && e[i] != ';')
			i++;
		if (i >= len)
			return 0;
		i++;
		while (i < len && (e[i] == ' ' || e[i] == '\t'))
			i++;
		ns = i;
		while (i < len && e[i] != '=' && e[i] != ';' && e[i] != ' ' && e[i] != '\t')
			i++;
		ne = i;
		while (i < len && (e[i] == ' ' || e[i] == '\t'))
			i++;
		if (i < len && e[i] == '=') {
			i++;
			while (i < len && (e[i] == ' ' || e[i] == '\t'))
				i++;
			if (i < len && e[i] == '"') {
				quoted = true;
				vs = ++i;
				while (i < len && e[i] != '"') {
					if (e[i] == '\\')
						i++;
					i++;
				}
				if (i >= len)
					return -1;
				ve = i++;
			} else {
				vs = i;
				while (i < len && e[i] != ';' && e[i] != ' ' && e[i] != '\t')
					i++;
				ve = i;
			}
		}
		if (ne - ns == nlen && !strncasecmp(e + ns, name, nlen)) {
			size_t o = 0;

			for (size_t k = vs; k < ve; k++) {
				if (quoted && e[k] == '\\' && k + 1 < ve)
					k++;
				if (o + 1 >= outlen)
					return -1;
				out[o++] = e[k];
			}
			out[o] = '\0';
			return 1;
		}
	}
	return 0;
}

int ue_msg_uri_hostport(const char *uri, size_t len, char *host, size_t hostlen, uint16_t *port,
			char *err, size_t errlen)
{
	size_t i, hs, he;
	unsigned long p = 0;

	if (len >= 4 && !strncasecmp(uri, "sip:", 4))
		i = 4;
	else if (len >= 5 && !strncasecmp(uri, "sips:", 5))
		i = 5;
	else {
		seterr(err, errlen, "URI: not sip: or sips:");
		return -1;
	}
	/* Skip userinfo: the last '@' before any ';', '?' or '>'. */
	for (size_t j = i; j < len && uri[j] != ';' && uri[j] != '?' && uri[j] != '>'; j++)
		if (uri[j] == '@')
			i = j + 1;
	if (i < len && uri[i] == '[') {
		hs = i + 1;
		while (i < len && uri[i] != ']')
			i++;
		if (i >= len) {
			seterr(err, errlen, "URI: unterminated IPv6 reference");
			return -1;
		}
		he = i++;
	} else {
		hs = i;
		while (i < len && uri[i] != ':' && uri[i] != ';' && uri[i] != '?' && uri[i] != '>')
			i++;
		he = i;
	}
	if (he == hs) {
		seterr(err, errlen, "URI: empty host");
		return -1;
	}
	if (he - hs >= hostlen) {
		seterr(err, errlen, "URI: host too long");
		return -1;
	}
	if (i < len && uri[i] == ':') {
		size_t ps = ++i;

		while (i < len && isdigit((unsigned char)uri[i])) {
			p = p * 10 + (unsigned long)(uri[i] - '0');
			if (p > 65535) {
				seterr(err, errlen, "URI: port out of range");
				return -1;
			}
			i++;
		}
		if (i == ps) {
			seterr(err, errlen, "URI: empty port");
			return -1;
		}
	}
	if (i < len && uri[i] != ';' && uri[i] != '?' && uri[i] != '>') {
		seterr(err, errlen, "URI: junk after the host");
		return -1;
	}
	memcpy(host, uri + hs, he - hs);
	host[he - hs] = '\0';
	*port = (uint16_t)p;
	return 0;
}

/* Append every URI of a list header (all its occurrences) to list. */
static int collect_uris(const struct sip_hdr *h, size_t n, const char *name,
			char list[][UE_MSG_URI_LEN], int *count, char *err, size_t errlen)
{
	for (size_t k = 0; k < n; k++) {
		size_t pos = 0, elen;
		const char *e;
		int r;

		if (!h[k].name || !h[k].value || strcasecmp(h[k].name, name))
			continue;
		while ((r = ue_msg_list_next(h[k].value, strlen(h[k].value), &pos, &e, &elen)) ==
		       1) {
			char e2[128];

			if (*count >= UE_MSG_MAX_LIST)
				return 0; /* keep the first ones */
			if (ue_msg_element_uri(e, elen, list[*count], UE_MSG_URI_LEN, e2,
					       sizeof(e2)) != 0) {
				seterr(err, errlen, "%s: %s", name, e2);
				return -1;
			}
			(*count)++;
		}
		if (r < 0) {
			seterr(err, errlen, "%s: unterminated quote or <", name);
			return -1;
		}
	}
	return 0;
}

static int copy_value(char *dst, size_t dstlen, const char *v, const char *name, char *err,
		      size_t errlen)
{
	size_t l = strlen(v);

	if (l >= dstlen) {
		seterr(err, errlen, "%s: too long (%zu bytes)", name, l);
		return -1;
	}
	memcpy(dst, v, l + 1);
	return 0;
}

int ue_msg_reg_ok_parse(const struct sip_hdr *h, size_t n, const char *host, uint16_t port,
			const char *instance, struct ue_msg_reg_ok *ok, char *err, size_t errlen)
{
	const char *v;
	unsigned long hdr_expires = 0;
	bool have_hdr_expires = false;

	memset(ok, 0, sizeof(*ok));
	ok->expires = -1;
	v = ue_msg_header(h, n, "Expires");
	if (v) {
		char e2[96];

		if (ue_msg_delta_seconds(v, strlen(v), &hdr_expires, e2, sizeof(e2)) != 0) {
			seterr(err, errlen, "Expires: %s", e2);
			return -1;
		}
		have_hdr_expires = true;
	}
	for (size_t k = 0; k < n; k++) {
		size_t pos = 0, elen;
		const char *e;
		int r;

		if (!h[k].name || !h[k].value || strcasecmp(h[k].name, "Contact"))
			continue;
		while ((r = ue_msg_list_next(h[k].value, strlen(h[k].value), &pos, &e, &elen)) ==
		       1) {
			char uri[UE_MSG_URI_LEN], chost[UE_MSG_URI_LEN], pv[UE_MSG_URI_LEN], e2[96];
			uint16_t cport;
			bool mine = false;

			if (ue_msg_element_uri(e, elen, uri, sizeof(uri), e2, sizeof(e2)) != 0) {
				seterr(err, errlen, "Contact: %s", e2);
				return -1;
			}
			ok->n_contacts++;
			if (instance && *instance &&
			    ue_msg_element_param(e, elen, "+sip.instance", pv, sizeof(pv)) == 1) {
				size_t pl = strlen(pv);

				if (pl >= 2 && pv[0] == '<' && pv[pl - 1] == '>') {
					pv[pl - 1] = '\0';
					mine = !strcmp(pv + 1, instance);
				}
			} else if (host &&
				   ue_msg_uri_hostport(uri, strlen(uri), chost, sizeof(chost),
						       &cport, NULL, 0) == 0) {
				mine = !strcasecmp(chost, host) && (cport ? cport : 5060) == port;
			}
			if (!mine || ok->contact_found)
				continue;
			ok->contact_found = true;
			r = ue_msg_element_param(e, elen, "expires", pv, sizeof(pv));
			if (r == 1) {
				unsigned long x;

				if (ue_msg_delta_seconds(pv, strlen(pv), &x, e2, sizeof(e2)) != 0) {
					seterr(err, errlen, "Contact expires: %s", e2);
					return -1;
				}
				ok->expires = (long)x;
			} else if (r < 0) {
				seterr(err, errlen, "Contact: malformed parameter");
				return -1;
			}
			if (ue_msg_element_param(e, elen, "pub-gruu", ok->pub_gruu,
						 sizeof(ok->pub_gruu)) < 0 ||
			    ue_msg_element_param(e, elen, "temp-gruu", ok->temp_gruu,
						 sizeof(ok->temp_gruu)) < 0) {
				seterr(err, errlen, "Contact: malformed gruu parameter");
				return -1;
			}
		}
		if (r < 0) {
			seterr(err, errlen, "Contact: unterminated quote or <");
			return -1;
		}
	}
	if (ok->contact_found && ok->expires < 0 && have_hdr_expires)
		ok->expires = (long)hdr_expires;
	if (collect_uris(h, n, "Service-Route", ok->service_route, &ok->n_service_route, err,
			 errlen) != 0 ||
	    collect_uris(h, n, "P-Associated-URI", ok->assoc_uri, &ok->n_assoc_uri, err, errlen) !=
		    0 ||
	    collect_uris(h, n, "Path", ok->path, &ok->n_path, err, errlen) != 0)
		return -1;
	v = ue_msg_header(h, n, "Authentication-Info");
	if (v && copy_value(ok->auth_info, sizeof(ok->auth_info), v, "Authentication-Info", err,
			    errlen) != 0)
		return -1;
	v = ue_msg_header(h, n, "Feature-Caps");
	if (v && copy_value(ok->feature_caps, sizeof(ok->feature_caps), v, "Feature-Caps", err,
			    errlen) != 0)
		return -1;
	return 0;
}

int ue_msg_bindings_parse(const struct sip_hdr *h, size_t n, struct ue_msg_binding *out, int max,
			  int *count, int *total, char *err, size_t errlen)
{
	const char *v = ue_msg_header(h, n, "Expires");
	unsigned long hdr_expires = 0;
	bool have_hdr = false;
	char e2[96];

	*count = 0;
	*total = 0;
	if (v) {
		if (ue_msg_delta_seconds(v, strlen(v), &hdr_expires, e2, sizeof(e2)) != 0) {
			seterr(err, errlen, "Expires: %s", e2);
			return -1;
		}
		have_hdr = true;
	}
	for (size_t k = 0; k < n; k++) {
		size_t pos = 0, elen;
		const char *e;
		int r;

		if (!h[k].name || !h[k].value || strcasecmp(h[k].name, "Contact"))
			continue;
		while ((r = ue_msg_list_next(h[k].value, strlen(h[k].value), &pos, &e, &elen)) ==
		       1) {
			struct ue_msg_binding b;
			char pv[UE_MSG_URI_LEN];
			int pr;

			if (elen == 1 && e[0] == '*') {
				seterr(err, errlen, "Contact: * in a response");
				return -1;
			}
			memset(&b, 0, sizeof(b));
			b.expires = have_hdr ? (long)hdr_expires : -1;
			if (ue_msg_element_uri(e, elen, b.uri, sizeof(b.uri), e2, sizeof(e2)) !=
			    0) {
				seterr(err, errlen, "Contact: %s", e2);
				return -1;
			}
			pr = ue_msg_element_param(e, elen, "expires", pv, sizeof(pv));
			if (pr == 1) {
				unsigned long x;

				if (ue_msg_delta_seconds(pv, strlen(pv), &x, e2, sizeof(e2)) != 0) {
					seterr(err, errlen, "Contact expires: %s", e2);
					return -1;
				}
				b.expires = (long)x;
			}
			if (pr >= 0)
				pr = ue_msg_element_param(e, elen, "+sip.instance", pv, sizeof(pv));
			if (pr < 0) {
				seterr(err, errlen, "Contact: malformed parameter");
				return -1;
			}
			if (pr == 1) {
				size_t pl = strlen(pv);

				if (pl >= 2 && pv[0] == '<' && pv[pl - 1] == '>') {
					memcpy(b.instance, pv + 1, pl - 2);
					b.instance[pl - 2] = '\0';
				} else {
					memcpy(b.instance, pv, pl + 1);
				}
			}
			if (*count < max)
				out[(*count)++] = b;
			(*total)++;
		}
		if (r < 0) {
			seterr(err, errlen, "Contact: unterminated quote or <");
			return -1;
		}
	}
	return 0;
}

int ue_msg_icsi_tag(const char *list, size_t len, char *out, size_t outlen, char *err,
		    size_t errlen)
{
	static const char hex[] = "0123456789ABCDEF";
	struct wbuf w = {.p = out, .cap = outlen};
	size_t i = 0;
	int n = 0;

	if (!out || !outlen) {
		seterr(err, errlen, "icsi: no room");
		return -1;
	}
	out[0] = '\0';
	wb_add(&w, "+g.3gpp.icsi-ref=\"");
	for (;;) {
		size_t s;

		while (i < len && (list[i] == ',' || list[i] == ' ' || list[i] == '\t'))
			i++;
		if (i >= len)
			break;
		s = i;
		while (i < len && list[i] != ',' && list[i] != ' ' && list[i] != '\t')
			i++;
		if (i - s < 5 || strncasecmp(list + s, "urn:", 4)) {
			seterr(err, errlen, "icsi: value %d does not start with urn:", n + 1);
			out[0] = '\0';
			return -1;
		}
		if (n++)
			wb_add(&w, ",");
		for (size_t k = s; k < i; k++) {
			unsigned char c = (unsigned char)list[k];

			if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
				seterr(err, errlen, "icsi: value %d: character 0x%02x not allowed",
				       n, c);
				out[0] = '\0';
				return -1;
			}
			if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
				wb_add(&w, "%c", c);
			else
				wb_add(&w, "%%%c%c", hex[c >> 4], hex[c & 15]);
		}
	}
	wb_add(&w, "\"");
	if (!n) {
		seterr(err, errlen, "icsi: empty list");
		out[0] = '\0';
		return -1;
	}
	if (w.over) {
		seterr(err, errlen, "icsi: the feature tag does not fit in %zu bytes", outlen);
		out[0] = '\0';
		return -1;
	}
	return (int)w.len;
}

unsigned long ue_msg_refresh_delay(unsigned long expires)
{
	if (expires > 1200)
		return expires - 600;
	return expires / 2;
}

int ue_msg_random_token(char *out, size_t outlen, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[32];

	if (nbytes > sizeof(b) || outlen < 2 * nbytes + 1)
		return -1;
	if (getrandom(b, nbytes, 0) != (ssize_t)nbytes)
		return -1;
	for (size_t i = 0; i < nbytes; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * nbytes] = '\0';
	return 0;
}
