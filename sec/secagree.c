/* RFC 3329 Security-Client / -Server / -Verify values with the TS 33.203
 * Annex H ipsec-3gpp parameters: parse, format, compare, copy, build the
 * UE's offer, pick the server's mechanism, and draw fresh SPIs and ports.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "sec/secagree.h"
#include "sec/secagree_priv.h"

enum known_param {
	K_Q,
	K_ALG,
	K_EALG,
	K_PROT,
	K_MOD,
	K_SPI_C,
	K_SPI_S,
	K_PORT_C,
	K_PORT_S,
	K_COUNT
};

static const char *const known_names[K_COUNT] = {
	[K_Q] = "q",         [K_ALG] = "alg",       [K_EALG] = "ealg",
	[K_PROT] = "prot",   [K_MOD] = "mod",       [K_SPI_C] = "spi-c",
	[K_SPI_S] = "spi-s", [K_PORT_C] = "port-c", [K_PORT_S] = "port-s",
};

static const char *const mech_names[] = {
	[SEC_MECH_OTHER] = NULL,
	[SEC_MECH_IPSEC_3GPP] = "ipsec-3gpp",
	[SEC_MECH_TLS] = "tls",
	[SEC_MECH_DIGEST] = "digest",
};

static const char *const offer_algs[] = {"hmac-sha-1-96", "hmac-md5-96"};
static const char *const offer_ealgs[] = {"null", "aes-cbc", "des-ede3-cbc"};
#define OFFER_DEFAULT_ALGS  "hmac-sha-1-96,hmac-md5-96"
#define OFFER_DEFAULT_EALGS "null,aes-cbc"

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
						      ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* RFC 3261 25.1 token characters. */
static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("-.!%*_+`'~", c);
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static bool is_token(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!is_tchar((unsigned char)*s))
			return false;
	return true;
}

/* An IPv6 reference "[...]" as allowed for gen-value (RFC 3261 host). */
static bool is_ipv6_ref(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || s[0] != '[' || s[n - 1] != ']')
		return false;
	for (size_t i = 1; i + 1 < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!is_digit(c) && !((c | 0x20) >= 'a' && (c | 0x20) <= 'f') && c != ':' &&
		    c != '.')
			return false;
	}
	return true;
}

static bool str_eq_ci(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcasecmp(a, b);
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

/* Up to 24 bytes of s for an error message, non-printables as '?'. */
static const char *show(const char *s, size_t n, char buf[32])
{
	size_t k = 0;
	for (; k < n && k < 24; k++) {
		unsigned char c = (unsigned char)s[k];
		buf[k] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
	}
	if (k < n) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = 0;
	return buf;
}

static const char *show_char(unsigned char c, char buf[8])
{
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, 8, "'%c'", c);
	else
		snprintf(buf, 8, "0x%02x", c);
	return buf;
}

/* Parser cursor over [p, end). */
struct cur {
	const char *p, *end;
};

static void skip_lws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

static size_t take_token(struct cur *c)
{
	const char *s = c->p;
	while (c->p < c->end && is_tchar((unsigned char)*c->p))
		c->p++;
	return (size_t)(c->p - s);
}

static void entry_clear(struct sec_agree_entry *e)
{
	free(e->mech_name);
	free(e->alg);
	free(e->ealg);
	free(e->prot);
	free(e->mod);
	for (size_t i = 0; i < e->n_extra && i < SEC_AGREE_MAX_EXTRA; i++) {
		free(e->extra[i].name);
		free(e->extra[i].value);
	}
	memset(e, 0, sizeof(*e));
	e->q = -1;
}

void sec_agree_clear(struct sec_agree_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n && i < SEC_AGREE_MAX_ENTRIES; i++)
		entry_clear(&l->e[i]);
	memset(l, 0, sizeof(*l));
}

const char *sec_agree_mech_name(enum sec_mech mech)
{
	if ((unsigned)mech < sizeof(mech_names) / sizeof(mech_names[0]))
		return mech_names[mech];
	return NULL;
}

static enum sec_mech mech_from(const char *s, size_t n)
{
	for (size_t m = 1; m < sizeof(mech_names) / sizeof(mech_names[0]); m++)
		if (strlen(mech_names[m]) == n && !strncasecmp(s, mech_names[m], n))
			return (enum sec_mech)m;
	return SEC_MECH_OTHER;
}

static int known_from(const char *s, size_t n)
{
	for (int k = 0; k < K_COUNT; k++)
		if (strlen(known_names[k]) == n && !strncasecmp(s, known_names[k], n))
			return k;
	return -1;
}

/* RFC 3329 2.2: qvalue = ("0" ["." 0*3DIGIT]) / ("1" ["." 0*3("0")]), in
 * thousandths. */
static int parse_q(const char *v)
{
	if (v[0] != '0' && v[0] != '1')
		return -1;
	int whole = v[0] - '0', frac = 0, digits = 0;
	const char *p = v + 1;
	if (*p == '.')
		for (p++; digits < 3 && is_digit((unsigned char)*p); p++, digits++)
			frac = frac * 10 + (*p - '0');
	if (*p)
		return -1;
	for (; digits < 3; digits++)
		frac *= 10;
	if (whole == 1 && frac)
		return -1;
	return whole * 1000 + frac;
}

static int parse_u32(const char *v, uint32_t *out)
{
	uint32_t x = 0;
	if (!*v)
		return -1;
	for (; *v; v++) {
		if (!is_digit((unsigned char)*v))
			return -1;
		unsigned d = (unsigned)(*v - '0');
		if (x > (UINT32_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}

/* One parameter value: a token, a quoted-string (unescaped) or an IPv6
 * reference; *out is a new NUL-terminated string. */
static int read_value(struct cur *c, char **out, bool *quoted, const char *where, const char *pname,
		      char *err, size_t errlen)
{
	char cb[8];
	*quoted = false;
	if (c->p == c->end || *c->p == ',' || *c->p == ';')
		return fail(err, errlen, "%s: parameter \"%s\": missing value after '='", where,
			    pname);
	if (*c->p == '"') {
		const char *q = c->p + 1;
		size_t n = 0;
		for (;; q++, n++) {
			if (q == c->end)
				return fail(err, errlen,
					    "%s: parameter \"%s\": unterminated quoted-string",
					    where, pname);
			if (*q == '"')
				break;
			if (*q == '\\' && ++q == c->end)
				return fail(err, errlen,
					    "%s: parameter \"%s\": unterminated quoted-string",
					    where, pname);
			if (is_ctl((unsigned char)*q))
				return fail(err, errlen,
					    "%s: parameter \"%s\": control character %s in "
					    "quoted-string",
					    where, pname, show_char((unsigned char)*q, cb));
		}
		char *v = malloc(n + 1);
		if (!v)
			return fail(err, errlen, "sec-agree: out of memory");
		size_t k = 0;
		for (const char *s = c->p + 1; s < q; s++) {
			if (*s == '\\')
				s++;
			v[k++] = *s;
		}
		v[k] = 0;
		c->p = q + 1;
		*out = v;
		*quoted = true;
		return 0;
	}
	const char *s = c->p;
	if (*c->p == '[') {
		const char *q = c->p + 1;
		while (q < c->end && *q != ']' &&
		       (is_digit((unsigned char)*q) || *q == ':' || *q == '.' ||
			((*q | 0x20) >= 'a' && (*q | 0x20) <= 'f')))
			q++;
		if (q == c->end || *q != ']' || q == c->p + 1)
			return fail(err, errlen, "%s: parameter \"%s\": malformed IPv6 reference",
				    where, pname);
		c->p = q + 1;
	} else if (!take_token(c)) {
		return fail(err, errlen, "%s: parameter \"%s\": bad value starting %s", where,
			    pname, show_char((unsigned char)*c->p, cb));
	}
	*out = dupn(s, (size_t)(c->p - s));
	if (!*out)
		return fail(err, errlen, "sec-agree: out of memory");
	return 0;
}

/* Store a known parameter; takes ownership of val. */
static int set_known(struct sec_agree_entry *e, int k, char *val, const char *where, char *err,
		     size_t errlen)
{
	const char *pname = known_names[k];
	char vb[32];
	uint32_t x;

	if (!val)
		return fail(err, errlen, "%s: parameter \"%s\" needs a value", where, pname);
	switch (k) {
	case K_Q:
		e->q = parse_q(val);
		if (e->q < 0) {
			fail(err, errlen,
			     "%s: parameter \"q\": \"%s\" is not a qvalue (0..1, up to 3 decimals)",
			     where, show(val, strlen(val), vb));
			free(val);
			return -1;
		}
		free(val);
		return 0;
	case K_ALG:
	case K_EALG:
	case K_PROT:
	case K_MOD:
		if (!*val) {
			free(val);
			return fail(err, errlen, "%s: parameter \"%s\": empty value", where, pname);
		}
		*(k == K_ALG    ? &e->alg
		  : k == K_EALG ? &e->ealg
		  : k == K_PROT ? &e->prot
				: &e->mod) = val;
		return 0;
	case K_SPI_C:
	case K_SPI_S:
		if (parse_u32(val, &x) < 0) {
			fail(err, errlen,
			     "%s: parameter \"%s\": \"%s\" is not a 32-bit unsigned decimal", where,
			     pname, show(val, strlen(val), vb));
			free(val);
			return -1;
		}
		free(val);
		if (k == K_SPI_C) {
			e->spi_c = x;
			e->has_spi_c = true;
		} else {
			e->spi_s = x;
			e->has_spi_s = true;
		}
		return 0;
	default: /* K_PORT_C, K_PORT_S */
		if (parse_u32(val, &x) < 0 || x < 1 || x > 65535) {
			fail(err, errlen, "%s: parameter \"%s\": \"%s\" is not a port (1..65535)",
			     where, pname, show(val, strlen(val), vb));
			free(val);
			return -1;
		}
		free(val);
		if (k == K_PORT_C) {
			e->port_c = (uint16_t)x;
			e->has_port_c = true;
		} else {
			e->port_s = (uint16_t)x;
			e->has_port_s = true;
		}
		return 0;
	}
}

/* sec-mechanism = mechanism-name *(SEMI mech-parameters); stops before the
 * separating comma or at the end. */
static int parse_entry(struct cur *c, struct sec_agree_entry *e, size_t idx, char *err,
		       size_t errlen)
{
	char cb[8], nb[32], mb[32], where[80];
	unsigned seen = 0;

	skip_lws(c);
	const char *s = c->p;
	size_t n = take_token(c);
	if (!n) {
		if (c->p == c->end || *c->p == ',')
			return fail(err, errlen, "sec-agree entry %zu: empty (no mechanism name)",
				    idx);
		return fail(err, errlen, "sec-agree entry %zu: mechanism name expected, found %s",
			    idx, show_char((unsigned char)*c->p, cb));
	}
	e->mech_name = dupn(s, n);
	if (!e->mech_name)
		return fail(err, errlen, "sec-agree: out of memory");
	e->mech = mech_from(s, n);
	snprintf(where, sizeof(where), "sec-agree entry %zu (%s)", idx, show(s, n, mb));

	for (;;) {
		skip_lws(c);
		if (c->p == c->end || *c->p == ',')
			return 0;
		if (*c->p != ';')
			return fail(err, errlen, "%s: unexpected %s, expected ';' or ','", where,
				    show_char((unsigned char)*c->p, cb));
		c->p++;
		skip_lws(c);
		s = c->p;
		n = take_token(c);
		if (!n)
			return fail(err, errlen, "%s: parameter name expected after ';', found %s",
				    where,
				    c->p == c->end ? "end" : show_char((unsigned char)*c->p, cb));
		show(s, n, nb);
		char *val = NULL;
		bool quoted = false;
		skip_lws(c);
		if (c->p < c->end && *c->p == '=') {
			c->p++;
			skip_lws(c);
			if (read_value(c, &val, &quoted, where, nb, err, errlen) < 0)
				return -1;
		}
		int k = known_from(s, n);
		if (k >= 0) {
			if (seen & (1u << k)) {
				free(val);
				return fail(err, errlen, "%s: duplicate parameter \"%s\"", where,
					    known_names[k]);
			}
			seen |= 1u << k;
			if (set_known(e, k, val, where, err, errlen) < 0)
				return -1;
			continue;
		}
		if (e->n_extra >= SEC_AGREE_MAX_EXTRA) {
			free(val);
			return fail(err, errlen,
				    "%s: parameter \"%s\": more than %d unknown parameters", where,
				    nb, SEC_AGREE_MAX_EXTRA);
		}
		struct sec_agree_param *p = &e->extra[e->n_extra];
		p->name = dupn(s, n);
		if (!p->name) {
			free(val);
			return fail(err, errlen, "sec-agree: out of memory");
		}
		p->value = val;
		p->quoted = quoted;
		e->n_extra++;
	}
}

int sec_agree_parse(const char *value, size_t len, struct sec_agree_list *l, char *err,
		    size_t errlen)
{
	if (!l || l->n > SEC_AGREE_MAX_ENTRIES)
		return fail(err, errlen, "sec-agree: no list");
	if (!value || !len)
		return fail(err, errlen, "sec-agree: empty header value");

	size_t n0 = l->n, idx = 0;
	struct cur c = {value, value + len};
	for (;;) {
		idx++;
		if (l->n >= SEC_AGREE_MAX_ENTRIES) {
			fail(err, errlen, "sec-agree entry %zu: more than %d mechanisms", idx,
			     SEC_AGREE_MAX_ENTRIES);
			goto bad;
		}
		struct sec_agree_entry *e = &l->e[l->n++];
		memset(e, 0, sizeof(*e));
		e->q = -1;
		if (parse_entry(&c, e, idx, err, errlen) < 0)
			goto bad;
		if (c.p == c.end)
			return 0;
		c.p++; /* the ',' */
	}
bad:
	while (l->n > n0)
		entry_clear(&l->e[--l->n]);
	return -1;
}

/* Output buffer that remembers overflow. */
struct wbuf {
	char *p;
	size_t cap, len;
	bool bad;
};

static void put(struct wbuf *w, const char *s, size_t n)
{
	if (w->bad || n >= w->cap - w->len) {
		w->bad = true;
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
	w->p[w->len] = 0;
}

static void puts_(struct wbuf *w, const char *s)
{
	put(w, s, strlen(s));
}

static void put_value(struct wbuf *w, const char *v, bool quoted)
{
	if (!quoted && (is_token(v) || is_ipv6_ref(v))) {
		puts_(w, v);
		return;
	}
	put(w, "\"", 1);
	for (const char *s = v; *s; s++) {
		if (is_ctl((unsigned char)*s)) {
			w->bad = true;
			return;
		}
		if (*s == '"' || *s == '\\')
			put(w, "\\", 1);
		put(w, s, 1);
	}
	put(w, "\"", 1);
}

static void put_param(struct wbuf *w, const char *name, const char *v)
{
	if (!v)
		return;
	put(w, ";", 1);
	puts_(w, name);
	put(w, "=", 1);
	put_value(w, v, false);
}

static void put_num(struct wbuf *w, const char *name, bool has, uint32_t v)
{
	char b[16];
	if (!has)
		return;
	put(w, ";", 1);
	puts_(w, name);
	snprintf(b, sizeof(b), "=%u", v);
	puts_(w, b);
}

static void put_entry(struct wbuf *w, const struct sec_agree_entry *e)
{
	const char *mech = e->mech_name ? e->mech_name : sec_agree_mech_name(e->mech);
	if (!is_token(mech) || e->n_extra > SEC_AGREE_MAX_EXTRA || e->q > 1000 || e->q < -1 ||
	    (e->has_port_c && !e->port_c) || (e->has_port_s && !e->port_s)) {
		w->bad = true;
		return;
	}
	puts_(w, mech);
	put_param(w, "alg", e->alg);
	put_param(w, "ealg", e->ealg);
	put_param(w, "prot", e->prot);
	put_param(w, "mod", e->mod);
	put_num(w, "spi-c", e->has_spi_c, e->spi_c);
	put_num(w, "spi-s", e->has_spi_s, e->spi_s);
	put_num(w, "port-c", e->has_port_c, e->port_c);
	put_num(w, "port-s", e->has_port_s, e->port_s);
	if (e->q >= 0) {
		char b[16];
		if (e->q == 1000) {
			snprintf(b, sizeof(b), ";q=1");
		} else {
			int f = e->q, d = 3;
			while (f && f % 10 == 0) {
				f /= 10;
				d--;
			}
			if (f)
				snprintf(b, sizeof(b), ";q=0.%0*d", d, f);
			else
				snprintf(b, sizeof(b), ";q=0");
		}
		puts_(w, b);
	}
	for (size_t i = 0; i < e->n_extra; i++) {
		const struct sec_agree_param *p = &e->extra[i];
		if (!is_token(p->name)) {
			w->bad = true;
			return;
		}
		put(w, ";", 1);
		puts_(w, p->name);
		if (p->value) {
			put(w, "=", 1);
			put_value(w, p->value, p->quoted);
		}
	}
}

int sec_agree_format(const struct sec_agree_list *l, char *out, size_t outlen)
{
	if (!l || !out || !outlen || l->n > SEC_AGREE_MAX_ENTRIES)
		return -1;
	struct wbuf w = {out, outlen, 0, false};
	out[0] = 0;
	for (size_t i = 0; i < l->n && !w.bad; i++) {
		if (i)
			put(&w, ", ", 2);
		put_entry(&w, &l->e[i]);
	}
	if (w.bad || w.len > INT32_MAX) {
		out[0] = 0;
		return -1;
	}
	return (int)w.len;
}

bool sec_agree_entry_equal(const struct sec_agree_entry *a, const struct sec_agree_entry *b)
{
	if (!a || !b)
		return a == b;
	const char *ma = a->mech_name ? a->mech_name : sec_agree_mech_name(a->mech);
	const char *mb = b->mech_name ? b->mech_name : sec_agree_mech_name(b->mech);
	if (a->mech != b->mech || !str_eq_ci(ma, mb) || a->q != b->q)
		return false;
	if (!str_eq_ci(a->alg, b->alg) || !str_eq_ci(a->ealg, b->ealg) ||
	    !str_eq_ci(a->prot, b->prot) || !str_eq_ci(a->mod, b->mod))
		return false;
	if (a->has_spi_c != b->has_spi_c || a->has_spi_s != b->has_spi_s ||
	    a->has_port_c != b->has_port_c || a->has_port_s != b->has_port_s)
		return false;
	if ((a->has_spi_c && a->spi_c != b->spi_c) || (a->has_spi_s && a->spi_s != b->spi_s) ||
	    (a->has_port_c && a->port_c != b->port_c) || (a->has_port_s && a->port_s != b->port_s))
		return false;
	if (a->n_extra != b->n_extra || a->n_extra > SEC_AGREE_MAX_EXTRA)
		return false;
	for (size_t i = 0; i < a->n_extra; i++)
		if (!str_eq_ci(a->extra[i].name, b->extra[i].name) ||
		    !str_eq(a->extra[i].value, b->extra[i].value))
			return false;
	return true;
}

bool sec_agree_list_equal(const struct sec_agree_list *a, const struct sec_agree_list *b)
{
	if (!a || !b)
		return a == b;
	if (a->n != b->n || a->n > SEC_AGREE_MAX_ENTRIES)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!sec_agree_entry_equal(&a->e[i], &b->e[i]))
			return false;
	return true;
}

static bool dup_into(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return true;
	*dst = strdup(src);
	return *dst != NULL;
}

static int entry_copy(struct sec_agree_entry *d, const struct sec_agree_entry *s)
{
	*d = *s;
	d->mech_name = d->alg = d->ealg = d->prot = d->mod = NULL;
	d->n_extra = 0;
	if (s->n_extra > SEC_AGREE_MAX_EXTRA)
		return -1;
	memset(d->extra, 0, sizeof(d->extra));
	if (!dup_into(&d->mech_name, s->mech_name) || !dup_into(&d->alg, s->alg) ||
	    !dup_into(&d->ealg, s->ealg) || !dup_into(&d->prot, s->prot) ||
	    !dup_into(&d->mod, s->mod))
		return -1;
	for (size_t i = 0; i < s->n_extra; i++) {
		d->n_extra++;
		d->extra[i].quoted = s->extra[i].quoted;
		if (!dup_into(&d->extra[i].name, s->extra[i].name) ||
		    !dup_into(&d->extra[i].value, s->extra[i].value))
			return -1;
	}
	return 0;
}

int sec_agree_list_copy(struct sec_agree_list *dst, const struct sec_agree_list *src)
{
	if (!dst)
		return -1;
	if (dst == src)
		return 0;
	sec_agree_clear(dst);
	if (!src || src->n > SEC_AGREE_MAX_ENTRIES)
		return -1;
	for (size_t i = 0; i < src->n; i++) {
		dst->n++;
		if (entry_copy(&dst->e[i], &src->e[i]) < 0) {
			sec_agree_clear(dst);
			return -1;
		}
	}
	return 0;
}

/* Split a comma-separated algorithm list into canonical names from known. */
static int split_algs(const char *list, const char *what, const char *const *known, size_t n_known,
		      const char **out, size_t *n_out, char *err, size_t errlen)
{
	char nb[32];
	const char *p = list;
	*n_out = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *s = p;
		while (*p && *p != ',')
			p++;
		const char *e = p;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		size_t n = (size_t)(e - s);
		if (!n)
			return fail(err, errlen, "sec-agree offer: empty name in the %s list",
				    what);
		size_t k = 0;
		while (k < n_known && !(strlen(known[k]) == n && !strncasecmp(s, known[k], n)))
			k++;
		if (k == n_known)
			return fail(err, errlen, "sec-agree offer: unsupported %s \"%s\"", what,
				    show(s, n, nb));
		for (size_t i = 0; i < *n_out; i++)
			if (out[i] == known[k])
				return fail(err, errlen, "sec-agree offer: %s \"%s\" listed twice",
					    what, known[k]);
		out[(*n_out)++] = known[k];
		if (!*p)
			return 0;
		p++;
	}
}

static int new_entry(struct sec_agree_list *l, enum sec_mech mech, struct sec_agree_entry **out)
{
	struct sec_agree_entry *e = &l->e[l->n++];
	memset(e, 0, sizeof(*e));
	e->q = -1;
	e->mech = mech;
	*out = e;
	return dup_into(&e->mech_name, sec_agree_mech_name(mech)) ? 0 : -1;
}

int sec_agree_offer_build(const struct sec_agree_offer *o, struct sec_agree_list *l, char *err,
			  size_t errlen)
{
	const char *algs[sizeof(offer_algs) / sizeof(offer_algs[0])];
	const char *ealgs[sizeof(offer_ealgs) / sizeof(offer_ealgs[0])];
	size_t na, ne, n0;
	struct sec_agree_entry *e;

	if (!o || !l || l->n > SEC_AGREE_MAX_ENTRIES)
		return fail(err, errlen, "sec-agree offer: no offer or list");
	n0 = l->n;
	if (o->mech == SEC_MECH_TLS) {
		if (l->n >= SEC_AGREE_MAX_ENTRIES)
			return fail(err, errlen, "sec-agree offer: more than %d mechanisms",
				    SEC_AGREE_MAX_ENTRIES);
		if (new_entry(l, SEC_MECH_TLS, &e) < 0)
			goto oom;
		return 0;
	}
	if (o->mech != SEC_MECH_IPSEC_3GPP)
		return fail(err, errlen, "sec-agree offer: only ipsec-3gpp and tls can be offered");
	if (split_algs(o->algs && *o->algs ? o->algs : OFFER_DEFAULT_ALGS, "integrity algorithm",
		       offer_algs, sizeof(algs) / sizeof(algs[0]), algs, &na, err, errlen) < 0 ||
	    split_algs(o->ealgs && *o->ealgs ? o->ealgs : OFFER_DEFAULT_EALGS,
		       "encryption algorithm", offer_ealgs, sizeof(ealgs) / sizeof(ealgs[0]), ealgs,
		       &ne, err, errlen) < 0)
		return -1;
	if (o->spi_c < 256 || o->spi_s < 256 || o->spi_c == o->spi_s)
		return fail(err, errlen,
			    "sec-agree offer: spi-c %u / spi-s %u must differ and be >= 256",
			    o->spi_c, o->spi_s);
	if (!o->port_c || !o->port_s || o->port_c == o->port_s)
		return fail(err, errlen,
			    "sec-agree offer: port-c %u / port-s %u must differ and be non-zero",
			    o->port_c, o->port_s);
	if (na * ne > SEC_AGREE_MAX_ENTRIES - l->n)
		return fail(err, errlen, "sec-agree offer: more than %d mechanisms",
			    SEC_AGREE_MAX_ENTRIES);
	for (size_t i = 0; i < na; i++) {
		for (size_t j = 0; j < ne; j++) {
			if (new_entry(l, SEC_MECH_IPSEC_3GPP, &e) < 0 ||
			    !dup_into(&e->alg, algs[i]) || !dup_into(&e->ealg, ealgs[j]) ||
			    !dup_into(&e->prot, "esp") || !dup_into(&e->mod, "trans"))
				goto oom;
			e->spi_c = o->spi_c;
			e->spi_s = o->spi_s;
			e->port_c = o->port_c;
			e->port_s = o->port_s;
			e->has_spi_c = e->has_spi_s = e->has_port_c = e->has_port_s = true;
		}
	}
	return 0;
oom:
	while (l->n > n0)
		entry_clear(&l->e[--l->n]);
	return fail(err, errlen, "sec-agree: out of memory");
}

/* Did the client offer what server entry s asks for? For ipsec-3gpp the
 * same client entry must carry the alg, the ealg (absent = "null") and the
 * prot/mod (absent = esp/trans, TS 33.203 Annex H). */
static bool client_offers(const struct sec_agree_list *client, const struct sec_agree_entry *s)
{
	for (size_t i = 0; i < client->n && i < SEC_AGREE_MAX_ENTRIES; i++) {
		const struct sec_agree_entry *c = &client->e[i];
		if (c->mech != s->mech)
			continue;
		if (s->mech == SEC_MECH_OTHER && !str_eq_ci(c->mech_name, s->mech_name))
			continue;
		if (s->mech != SEC_MECH_IPSEC_3GPP)
			return true;
		if (!s->alg || !c->alg || strcasecmp(s->alg, c->alg))
			continue;
		if (strcasecmp(s->ealg ? s->ealg : "null", c->ealg ? c->ealg : "null") ||
		    strcasecmp(s->prot ? s->prot : "esp", c->prot ? c->prot : "esp") ||
		    strcasecmp(s->mod ? s->mod : "trans", c->mod ? c->mod : "trans"))
			continue;
		return true;
	}
	return false;
}

int sec_agree_select(const struct sec_agree_list *client, const struct sec_agree_list *server)
{
	int best = -1, best_q = -2;
	if (!client || !server)
		return -1;
	/* RFC 3329 2.3.1 step 4: highest q first; '>' keeps the server's
	 * order among equal q, and an absent q (-1) ranks below q=0. */
	for (size_t i = 0; i < server->n && i < SEC_AGREE_MAX_ENTRIES; i++) {
		const struct sec_agree_entry *s = &server->e[i];
		if (s->mech == SEC_MECH_IPSEC_3GPP &&
		    !(s->has_spi_c && s->has_spi_s && s->has_port_c && s->has_port_s))
			continue;
		if (!client_offers(client, s))
			continue;
		if (s->q > best_q) {
			best = (int)i;
			best_q = s->q;
		}
	}
	return best;
}

static int openssl_rand(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

static int rand_u32(sec_agree_rand_fn rnd, void *ctx, uint32_t *out)
{
	uint8_t b[4];
	if (rnd(ctx, b, sizeof(b)) < 0)
		return -1;
	*out = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return 0;
}

static bool in_u32(const uint32_t *a, size_t n, uint32_t v)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

static bool in_u16(const uint16_t *a, size_t n, uint16_t v)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

/* SPIs 1..255 are reserved by IANA (RFC 4303 2.1), 0 never appears. */
static int draw_spi(uint32_t *out, const uint32_t *other, const uint32_t *avoid, size_t n_avoid,
		    sec_agree_rand_fn rnd, void *ctx)
{
	for (int t = 0; t < SEC_AGREE_SPI_TRIES; t++) {
		uint32_t v;
		if (rand_u32(rnd, ctx, &v) < 0)
			return -1;
		if (v < 256 || (other && v == *other) || in_u32(avoid, n_avoid, v))
			continue;
		*out = v;
		return 0;
	}
	return -1;
}

int sec_agree_fresh_spis_rng(uint32_t *spi_c, uint32_t *spi_s, const uint32_t *avoid,
			     size_t n_avoid, sec_agree_rand_fn rnd, void *ctx)
{
	uint32_t c, s;
	if (!spi_c || !spi_s || !rnd || (!avoid && n_avoid))
		return -1;
	if (draw_spi(&c, NULL, avoid, n_avoid, rnd, ctx) < 0 ||
	    draw_spi(&s, &c, avoid, n_avoid, rnd, ctx) < 0)
		return -1;
	*spi_c = c;
	*spi_s = s;
	return 0;
}

int sec_agree_fresh_spis(uint32_t *spi_c, uint32_t *spi_s, const uint32_t *avoid, size_t n_avoid)
{
	return sec_agree_fresh_spis_rng(spi_c, spi_s, avoid, n_avoid, openssl_rand, NULL);
}

int sec_agree_fresh_port_rng(uint16_t *port, uint16_t lo, uint16_t hi, const uint16_t *avoid,
			     size_t n_avoid, sec_agree_rand_fn rnd, void *ctx)
{
	if (!port || !rnd || !lo || lo > hi || (!avoid && n_avoid))
		return -1;
	uint32_t span = (uint32_t)(hi - lo) + 1, v;
	/* Largest multiple of span below 2^32: draws above it would bias. */
	uint32_t limit = (uint32_t)(0x100000000ull - 0x100000000ull % span);
	for (int t = 0; t < SEC_AGREE_SPI_TRIES; t++) {
		if (rand_u32(rnd, ctx, &v) < 0)
			return -1;
		if (limit && v >= limit)
			continue;
		uint16_t p = (uint16_t)(lo + v % span);
		if (!in_u16(avoid, n_avoid, p)) {
			*port = p;
			return 0;
		}
	}
	/* The random draws kept hitting the avoid list: walk the range from a
	 * random start, so a free port is found if there is one. */
	if (rand_u32(rnd, ctx, &v) < 0)
		return -1;
	for (uint32_t k = 0; k < span; k++) {
		uint16_t p = (uint16_t)(lo + (v + k) % span);
		if (!in_u16(avoid, n_avoid, p)) {
			*port = p;
			return 0;
		}
	}
	return -1;
}

int sec_agree_fresh_port(uint16_t *port, uint16_t lo, uint16_t hi, const uint16_t *avoid,
			 size_t n_avoid)
{
	return sec_agree_fresh_port_rng(port, lo, hi, avoid, n_avoid, openssl_rand, NULL);
}
