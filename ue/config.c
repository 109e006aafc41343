/* The UE configuration file: INI read by inih, every key checked against a
 * table, then cross-field rules. Errors are one line, "FILE:LINE: ..." for
 * a line's problem and "FILE: ..." for a missing or conflicting setting.
 * The caller's struct changes only on success.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>
#include <openssl/crypto.h>

#include "provisioning/identity.h"
#include "ue/ue_config.h"

#define CONFIG_MAX_FILE (1024 * 1024)

enum key_type {
	T_STR,   /* printable text, no control characters */
	T_TOKEN, /* printable text, no spaces either */
	T_PATH,
	T_HEX,    /* exactly size bytes as 2 * size hex digits */
	T_DIGITS, /* ASCII digits, length in [min, max] */
	T_MSISDN,
	T_IMEI,
	T_IMPI,
	T_IMPU,
	T_DOMAIN,
	T_IP,
	T_PCSCF,
	T_PORT,  /* 0..65535, or min..max */
	T_ULONG, /* min..max */
	T_BOOL,
	T_SECURITY,
	T_AUTH,
	T_IPSEC_ALG,
	T_IPSEC_EALG,
	T_URL,
	T_PASSWORD,
};

enum key_id {
	K_IMSI,
	K_IMEI,
	K_MSISDN,
	K_IMPI,
	K_IMPU,
	K_HOME_DOMAIN,
	K_K,
	K_OP,
	K_OPC,
	K_AMF,
	K_SQN_FILE,
	K_PASSWORD,
	K_PCSCF,
	K_LOCAL_IP,
	K_PORT,
	K_SECURITY,
	K_AUTH,
	K_IPSEC_ALG,
	K_IPSEC_EALG,
	K_PORT_C,
	K_PORT_S,
	K_EXPIRES,
	K_REG_AWAIT_AUTH,
	K_T1,
	K_TIMER_F,
	K_ICSI,
	K_PANI,
	K_CA_FILE,
	K_TLS_PORT,
	K_AC_ENABLED,
	K_AC_SERVER,
	K_AC_CA_FILE,
	K_AC_STORE,
	K_AC_SMS_PORT,
	K_AC_VENDOR,
	K_AC_MODEL,
	K_AC_SW_VERSION,
	K_AC_LANGUAGE,
	K_CTL_SOCKET,
	K_PCAP,
	K_LOG_KEYS,
	K_COUNT
};

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t off;             /* field in struct ue_config */
	size_t size;            /* its size (strings: buffer incl. NUL; hex: bytes) */
	unsigned long min, max; /* numbers; digit counts for T_DIGITS */
	bool repeatable;
};

#define F(field) offsetof(struct ue_config, field), sizeof(((struct ue_config *)0)->field)

static const struct key keys[K_COUNT] = {
	[K_IMSI] = {"identity", "imsi", T_DIGITS, F(imsi), 14, 15},
	[K_IMEI] = {"identity", "imei", T_IMEI, F(imei)},
	[K_MSISDN] = {"identity", "msisdn", T_MSISDN, F(msisdn)},
	[K_IMPI] = {"identity", "impi", T_IMPI, F(impi)},
	[K_IMPU] = {"identity", "impu", T_IMPU, F(impu[0]), 0, 0, true},
	[K_HOME_DOMAIN] = {"identity", "home_domain", T_DOMAIN, F(home_domain)},

	[K_K] = {"credentials", "k", T_HEX, F(k)},
	[K_OP] = {"credentials", "op", T_HEX, F(op)},
	[K_OPC] = {"credentials", "opc", T_HEX, F(opc)},
	[K_AMF] = {"credentials", "amf", T_HEX, F(amf)},
	[K_SQN_FILE] = {"credentials", "sqn_file", T_PATH, F(sqn_file)},
	[K_PASSWORD] = {"credentials", "password", T_PASSWORD, F(password)},

	[K_PCSCF] = {"network", "pcscf", T_PCSCF, F(pcscf[0]), 0, 0, true},
	[K_LOCAL_IP] = {"network", "local_ip", T_IP, F(local_ip)},
	[K_PORT] = {"network", "port", T_PORT, F(port), 0, 65535},
	[K_SECURITY] = {"network", "security", T_SECURITY, F(security)},
	[K_AUTH] = {"network", "auth", T_AUTH, F(auth)},
	[K_IPSEC_ALG] = {"network", "ipsec_alg", T_IPSEC_ALG, F(ipsec_alg)},
	[K_IPSEC_EALG] = {"network", "ipsec_ealg", T_IPSEC_EALG, F(ipsec_ealg)},
	[K_PORT_C] = {"network", "port_c", T_PORT, F(port_c), 0, 65535},
	[K_PORT_S] = {"network", "port_s", T_PORT, F(port_s), 0, 65535},
	[K_EXPIRES] = {"network", "expires", T_ULONG, F(expires), 1, 4294967295UL},
	[K_REG_AWAIT_AUTH] = {"network", "reg_await_auth", T_ULONG, F(reg_await_auth_ms), 1,
			      3600000},
	[K_T1] = {"network", "t1", T_ULONG, F(t1_ms), 1, 60000},
	[K_TIMER_F] = {"network", "timer_f", T_ULONG, F(timer_f_ms), 1, 3600000},
	[K_ICSI] = {"network", "icsi", T_STR, F(icsi)},
	[K_PANI] = {"network", "pani", T_STR, F(pani)},
	[K_CA_FILE] = {"network", "ca_file", T_PATH, F(ca_file)},
	[K_TLS_PORT] = {"network", "tls_port", T_PORT, F(tls_port), 1, 65535},

	[K_AC_ENABLED] = {"autoconf", "enabled", T_BOOL, F(autoconf_enabled)},
	[K_AC_SERVER] = {"autoconf", "server", T_URL, F(autoconf_server)},
	[K_AC_CA_FILE] = {"autoconf", "ca_file", T_PATH, F(autoconf_ca_file)},
	[K_AC_STORE] = {"autoconf", "store", T_PATH, F(autoconf_store)},
	[K_AC_SMS_PORT] = {"autoconf", "sms_port", T_PORT, F(sms_port), 1, 65535},
	[K_AC_VENDOR] = {"autoconf", "terminal_vendor", T_STR, F(terminal_vendor)},
	[K_AC_MODEL] = {"autoconf", "terminal_model", T_STR, F(terminal_model)},
	[K_AC_SW_VERSION] = {"autoconf", "terminal_sw_version", T_STR, F(terminal_sw_version)},
	[K_AC_LANGUAGE] = {"autoconf", "accept_language", T_TOKEN, F(accept_language)},

	[K_CTL_SOCKET] = {"ctl", "socket", T_PATH, F(ctl_socket)},

	[K_PCAP] = {"debug", "pcap", T_PATH, F(pcap)},
	[K_LOG_KEYS] = {"debug", "log_keys", T_BOOL, F(log_keys)},
};

static const char *const sections[] = {"identity", "credentials", "network",
				       "autoconf", "ctl",         "debug"};

/* Parser state: the input, the line being parsed, the first error. */
struct parse {
	const char *name;
	const char *text;
	size_t pos;
	int lineno;
	int err_line; /* > 0: the line of err; -1: whole-file error */
	char err[512];
	struct ue_config *cfg;
	int seen_line[K_COUNT]; /* line of the last setting of each key */
};

__attribute__((format(printf, 2, 3))) static int perr(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err_line)
		return 0;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	p->err_line = p->lineno;
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
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

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!is_digit(*s))
			return false;
	return true;
}

/* Printable ASCII or UTF-8 bytes; no control characters. */
static bool is_text(const char *s, bool allow_space)
{
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		if (*u < 0x20 || *u == 0x7f)
			return false;
		if (!allow_space && *u == ' ')
			return false;
	}
	return true;
}

static bool is_hostname(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 253 || s[0] == '.' || s[0] == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || is_digit(*s) ||
		      *s == '-' || *s == '.'))
			return false;
	return true;
}

/* Decimal without sign or spaces, at most max. */
static int parse_ulong(const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long long n = 0;

	if (!all_digits(v))
		return -1;
	for (; *v; v++) {
		n = n * 10 + (unsigned)(*v - '0');
		if (n > max)
			return -1;
	}
	if (n < min)
		return -1;
	*out = (unsigned long)n;
	return 0;
}

/* "udp|tcp|tls:HOST[:PORT]", IPv6 literals in brackets (stored without). */
static int parse_pcscf(struct parse *p, const char *kn, const char *v, struct ue_pcscf *out)
{
	static const char *const tps[] = {
		[UE_TP_UDP] = "udp", [UE_TP_TCP] = "tcp", [UE_TP_TLS] = "tls"};
	const char *host, *hend, *port = NULL;
	int tp = -1;

	for (int i = 0; i < 3; i++)
		if (!strncasecmp(v, tps[i], 3) && v[3] == ':')
			tp = i;
	if (tp < 0)
		return perr(p, "key '%s': '%s' does not start with udp:, tcp: or tls:", kn, v);
	host = v + 4;
	if (*host == '[') {
		char addr[64];
		struct in6_addr a6;

		hend = strchr(host, ']');
		if (!hend)
			return perr(p, "key '%s': missing ']' after IPv6 address", kn);
		if ((size_t)(hend - host - 1) >= sizeof(addr))
			return perr(p, "key '%s': bad IPv6 address", kn);
		memcpy(addr, host + 1, (size_t)(hend - host - 1));
		addr[hend - host - 1] = '\0';
		if (inet_pton(AF_INET6, addr, &a6) != 1)
			return perr(p, "key '%s': bad IPv6 address '%s'", kn, addr);
		snprintf(out->host, sizeof(out->host), "%s", addr);
		if (hend[1] == ':')
			port = hend + 2;
		else if (hend[1])
			return perr(p, "key '%s': unexpected text after ']'", kn);
	} else {
		const char *colon = strchr(host, ':');
		size_t hl;

		if (colon && strchr(colon + 1, ':'))
			return perr(p, "key '%s': IPv6 addresses must be in brackets", kn);
		hl = colon ? (size_t)(colon - host) : strlen(host);
		if (!hl)
			return perr(p, "key '%s': missing host", kn);
		if (hl >= sizeof(out->host))
			return perr(p, "key '%s': host name too long", kn);
		memcpy(out->host, host, hl);
		out->host[hl] = '\0';
		if (!is_hostname(out->host))
			return perr(p, "key '%s': bad host name '%s'", kn, out->host);
		if (colon)
			port = colon + 1;
	}
	out->tp = (enum ue_transport)tp;
	out->port = 0;
	if (port) {
		unsigned long n;

		if (parse_ulong(port, 1, 65535, &n) != 0)
			return perr(p, "key '%s': port '%s' is not a number in 1..65535", kn, port);
		out->port = (uint16_t)n;
	}
	return 1;
}

static int set_string(struct parse *p, const struct key *k, const char *v, char *dst)
{
	if (strlen(v) >= k->size)
		return perr(p, "key '%s': value too long (at most %zu characters)", k->name,
			    k->size - 1);
	strcpy(dst, v);
	return 1;
}

static int set_enum(struct parse *p, const struct key *k, const char *v, const char *const *names,
		    size_t n, int *out)
{
	char list[128] = "";

	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v, names[i])) {
			*out = (int)i;
			return 1;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 names[i]);
	}
	return perr(p, "key '%s': '%s' is not one of %s", k->name, v, list);
}

/* Luhn check digit of the first 14 IMEI digits (TS 23.003 Annex B). */
static char imei_check_digit(const char *d14)
{
	int sum = 0;

	for (int i = 0; i < 14; i++) {
		int x = d14[i] - '0';

		if (i % 2) {
			x *= 2;
			if (x > 9)
				x -= 9;
		}
		sum += x;
	}
	return (char)('0' + (10 - sum % 10) % 10);
}

static int set_value(struct parse *p, enum key_id id, const char *v)
{
	const struct key *k = &keys[id];
	struct ue_config *c = p->cfg;
	char *field = (char *)c + k->off;
	unsigned long n;
	int e = 0;

	if (!*v)
		return perr(p, "key '%s': empty value", k->name);

	switch (k->type) {
	case T_STR:
		if (!is_text(v, true))
			return perr(p, "key '%s': control characters in value", k->name);
		return set_string(p, k, v, field);
	case T_TOKEN:
	case T_PATH:
		if (!is_text(v, k->type == T_PATH))
			return perr(p, "key '%s': spaces or control characters in value", k->name);
		return set_string(p, k, v, field);
	case T_PASSWORD:
		if (!is_text(v, true))
			return perr(p, "key '%s': control characters in value", k->name);
		if (set_string(p, k, v, field) != 1)
			return 0;
		c->password_len = strlen(v);
		return 1;
	case T_HEX: {
		size_t len = strlen(v);

		if (len != 2 * k->size)
			return perr(p, "key '%s': needs %zu hex digits, got %zu", k->name,
				    2 * k->size, len);
		for (size_t i = 0; i < k->size; i++) {
			int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return perr(p, "key '%s': not a hex digit at position %zu", k->name,
					    hi < 0 ? 2 * i + 1 : 2 * i + 2);
			((uint8_t *)field)[i] = (uint8_t)(hi << 4 | lo);
		}
		if (id == K_K)
			c->have_k = true;
		else if (id == K_OP)
			c->have_op = true;
		else if (id == K_OPC)
			c->have_opc = true;
		return 1;
	}
	case T_DIGITS:
		if (!all_digits(v) || strlen(v) < k->min || strlen(v) > k->max)
			return perr(p, "key '%s': needs %lu to %lu decimal digits", k->name, k->min,
				    k->max);
		return set_string(p, k, v, field);
	case T_IMEI: {
		char urn[PROV_INSTANCE_URN_LEN], why[160];

		if (!all_digits(v) || strlen(v) < 15 || strlen(v) > 16)
			return perr(p, "key '%s': needs 15 digits (IMEI) or 16 digits (IMEISV)",
				    k->name);
		/* The same check as when the instance ID is built (Luhn digit). */
		if (prov_identity_instance_urn(v, strlen(v), urn, sizeof(urn), why, sizeof(why)) !=
		    0)
			return perr(p, "key '%s': %s", k->name, why);
		/* An IMEISV keeps TAC and SNR; the IMEI is those plus the check digit. */
		memcpy(c->imei, v, 14);
		c->imei[14] = strlen(v) == 15 ? v[14] : imei_check_digit(v);
		c->imei[15] = '\0';
		return 1;
	}
	case T_MSISDN:
		if (!all_digits(v + (*v == '+')) || strlen(v + (*v == '+')) > 15)
			return perr(p, "key '%s': needs up to 15 digits, optionally after '+'",
				    k->name);
		return set_string(p, k, v, field);
	case T_IMPI:
		if (!is_text(v, false) || strpbrk(v, "\"\\"))
			return perr(p, "key '%s': spaces, quotes or control characters in value",
				    k->name);
		return set_string(p, k, v, field);
	case T_IMPU:
		if (strncasecmp(v, "sip:", 4) && strncasecmp(v, "sips:", 5) &&
		    strncasecmp(v, "tel:", 4))
			return perr(p, "key '%s': '%s' is not a sip:, sips: or tel: URI", k->name,
				    v);
		if (!strchr(v, ':')[1] || !is_text(v, false) || strpbrk(v, "<>\""))
			return perr(p, "key '%s': '%s' is not a valid URI", k->name, v);
		if (c->n_impu == UE_CFG_MAX_IMPU)
			return perr(p, "key '%s': more than %d given", k->name, UE_CFG_MAX_IMPU);
		for (int i = 0; i < c->n_impu; i++)
			if (!strcmp(c->impu[i], v))
				return perr(p, "key '%s': '%s' given twice", k->name, v);
		if (set_string(p, k, v, c->impu[c->n_impu]) != 1)
			return 0;
		c->n_impu++;
		return 1;
	case T_DOMAIN:
		if (!is_hostname(v))
			return perr(p, "key '%s': '%s' is not a domain name", k->name, v);
		return set_string(p, k, v, field);
	case T_IP: {
		unsigned char a[16];

		if (inet_pton(AF_INET, v, a) != 1 && inet_pton(AF_INET6, v, a) != 1)
			return perr(p, "key '%s': '%s' is not an IPv4 or IPv6 address", k->name, v);
		return set_string(p, k, v, field);
	}
	case T_PCSCF:
		if (c->n_pcscf == UE_CFG_MAX_PCSCF)
			return perr(p, "key '%s': more than %d given", k->name, UE_CFG_MAX_PCSCF);
		if (parse_pcscf(p, k->name, v, &c->pcscf[c->n_pcscf]) != 1)
			return 0;
		c->n_pcscf++;
		return 1;
	case T_PORT:
		if (parse_ulong(v, k->min, k->max, &n) != 0)
			return perr(p, "key '%s': '%s' is not a port number in %lu..%lu", k->name,
				    v, k->min, k->max);
		*(uint16_t *)field = (uint16_t)n;
		return 1;
	case T_ULONG:
		if (parse_ulong(v, k->min, k->max, &n) != 0)
			return perr(p, "key '%s': '%s' is not a number in %lu..%lu", k->name, v,
				    k->min, k->max);
		*(unsigned long *)field = n;
		return 1;
	case T_BOOL:
		if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"))
			*(bool *)field = true;
		else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0"))
			*(bool *)field = false;
		else
			return perr(p, "key '%s': '%s' is not yes, no, true, false, 1 or 0",
				    k->name, v);
		return 1;
	case T_SECURITY: {
		static const char *const names[] = {[UE_SEC_NONE] = "none",
						    [UE_SEC_IPSEC] = "ipsec-3gpp",
						    [UE_SEC_TLS] = "tls"};

		if (!set_enum(p, k, v, names, 3, &e))
			return 0;
		c->security = (enum ue_security)e;
		return 1;
	}
	case T_AUTH: {
		static const char *const names[] = {
			[UE_AUTH_AKA] = "aka", [UE_AUTH_DIGEST] = "digest"};

		if (!set_enum(p, k, v, names, 2, &e))
			return 0;
		c->auth = (enum ue_auth)e;
		return 1;
	}
	case T_IPSEC_ALG: {
		static const char *const names[] = {"hmac-sha-1-96", "hmac-md5-96"};

		if (!set_enum(p, k, v, names, 2, &e))
			return 0;
		return set_string(p, k, v, field);
	}
	case T_IPSEC_EALG: {
		static const char *const names[] = {"null", "aes-cbc"};

		if (!set_enum(p, k, v, names, 2, &e))
			return 0;
		return set_string(p, k, v, field);
	}
	case T_URL:
		if (strncasecmp(v, "https://", 8) && strncasecmp(v, "http://", 7))
			return perr(p, "key '%s': '%s' is not an http:// or https:// URL", k->name,
				    v);
		if (!is_text(v, false))
			return perr(p, "key '%s': spaces or control characters in URL", k->name);
		return set_string(p, k, v, field);
	}
	return perr(p, "key '%s': internal error", k->name);
}

static bool known_section(const char *s)
{
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (!strcmp(s, sections[i]))
			return true;
	return false;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;

	if (p->err_line)
		return 0;
	if (!*section)
		return perr(p, "key '%s' outside any [section]", name);
	if (!known_section(section))
		return perr(p, "unknown key '%s' in [%s] (no such section)", name, section);
	for (int id = 0; id < K_COUNT; id++) {
		if (strcmp(keys[id].section, section) || strcmp(keys[id].name, name))
			continue;
		if (p->seen_line[id] && !keys[id].repeatable)
			return perr(p, "key '%s': already set on line %d", name, p->seen_line[id]);
		p->seen_line[id] = p->lineno;
		return set_value(p, (enum key_id)id, value);
	}
	return perr(p, "unknown key '%s' in [%s]", name, section);
}

/* inih reads through this, one line per call, so that p->lineno is the line
 * the handler is looking at. Leading blanks are dropped: an indented line is
 * a line of its own, not inih's continuation of the previous value. */
static char *read_line(char *str, int num, void *stream)
{
	struct parse *p = stream;
	const char *s, *nl;
	size_t len, skip, content;

	if (p->err_line || !p->text[p->pos])
		return NULL;
	s = p->text + p->pos;
	nl = strchr(s, '\n');
	len = nl ? (size_t)(nl - s) + 1 : strlen(s);
	p->pos += len;
	p->lineno++;
	skip = strspn(s, " \t");
	if (skip > len)
		skip = len;
	content = len - skip;
	while (content && (s[skip + content - 1] == '\n' || s[skip + content - 1] == '\r'))
		content--;
	/* inih's buffer needs room for the text, "\r\n" and the NUL. */
	if (num < 4 || content > (size_t)num - 3) {
		perr(p, "line too long (at most %d characters)", num < 4 ? 0 : num - 3);
		return NULL;
	}
	if (len - skip > content + 2)
		len = skip + content + 2;
	memcpy(str, s + skip, len - skip);
	str[len - skip] = '\0';
	return str;
}

void ue_config_defaults(struct ue_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->security = UE_SEC_NONE;
	cfg->auth = UE_AUTH_AKA;
	cfg->port = 0;
	snprintf(cfg->ipsec_alg, sizeof(cfg->ipsec_alg), "hmac-sha-1-96");
	snprintf(cfg->ipsec_ealg, sizeof(cfg->ipsec_ealg), "null");
	cfg->expires = 600000;
	cfg->reg_await_auth_ms = 240000;
	cfg->t1_ms = 500;
	cfg->timer_f_ms = 64 * 500;
}

/* Settings that depend on each other; "FILE: reason" errors. */
static int cross_check(struct parse *p)
{
	struct ue_config *c = p->cfg;
	const char *base, *dot;
	size_t blen;

	p->lineno = -1;
	if (c->have_op && c->have_opc)
		return perr(p, "give op or opc in [credentials], not both");
	if (c->auth == UE_AUTH_AKA && !c->have_k)
		return perr(p, "auth = aka needs k in [credentials]");
	if (c->auth == UE_AUTH_AKA && !c->have_op && !c->have_opc)
		return perr(p, "auth = aka needs op or opc in [credentials]");
	if (c->auth == UE_AUTH_DIGEST && !c->password_len && !c->autoconf_enabled)
		return perr(p, "auth = digest needs password in [credentials]");
	if (c->security == UE_SEC_IPSEC && c->auth != UE_AUTH_AKA)
		return perr(p, "security = ipsec-3gpp needs auth = aka");
	if (!c->n_pcscf && !c->autoconf_enabled)
		return perr(p, "no pcscf in [network] (and [autoconf] is not enabled)");
	if (!c->imsi[0] && !c->autoconf_enabled) {
		if (!c->impi[0])
			return perr(p, "[identity] needs impi (or imsi, or [autoconf] enabled)");
		if (!c->n_impu)
			return perr(p, "[identity] needs impu (or imsi, or [autoconf] enabled)");
		if (!c->home_domain[0])
			return perr(
				p, "[identity] needs home_domain (or imsi, or [autoconf] enabled)");
	}
	if (c->autoconf_enabled && !c->imsi[0] && !c->autoconf_server[0])
		return perr(p, "[autoconf] enabled needs imsi in [identity] or server");
	if (c->port_c && c->port_c == c->port_s)
		return perr(p, "port_c and port_s must differ");
	if (c->port && (c->port == c->port_c || c->port == c->port_s))
		return perr(p, "port must differ from port_c and port_s");
	if (!p->seen_line[K_TIMER_F])
		c->timer_f_ms = 64 * c->t1_ms;

	if (!c->ctl_socket[0]) {
		/* /run/imsue/<file name without .conf>.sock */
		base = strrchr(p->name, '/');
		base = base ? base + 1 : p->name;
		dot = strrchr(base, '.');
		blen = dot && !strcmp(dot, ".conf") ? (size_t)(dot - base) : strlen(base);
		if (!blen)
			return perr(p, "cannot derive a control socket name: set socket in [ctl]");
		if (snprintf(c->ctl_socket, sizeof(c->ctl_socket), "/run/imsue/%.*s.sock",
			     (int)blen, base) >= (int)sizeof(c->ctl_socket))
			return perr(p, "default control socket path too long: set socket in [ctl]");
	}
	return 1;
}

/* The line text of a 1-based line number, for syntax errors. */
static bool line_is_section(const char *text, int lineno)
{
	const char *s = text;

	for (int i = 1; i < lineno && s; i++) {
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	if (!s)
		return false;
	s += strspn(s, " \t");
	return *s == '[';
}

int ue_config_parse(const char *text, const char *name, struct ue_config *cfg, char *err,
		    size_t errlen)
{
	struct parse *p;
	int ret, rc = -1;

	if (!name)
		name = "(config)";
	p = calloc(1, sizeof(*p));
	if (p)
		p->cfg = malloc(sizeof(*p->cfg));
	if (!p || !p->cfg) {
		free(p);
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	p->name = name;
	p->text = text;
	ue_config_defaults(p->cfg);
	if (strlen(name) >= sizeof(p->cfg->path)) {
		snprintf(err, errlen, "%.64s...: file name too long", name);
		goto out;
	}
	strcpy(p->cfg->path, name);

	ret = ini_parse_stream(read_line, p, on_key, p);
	if (ret > 0 && (!p->err_line || ret < p->err_line)) {
		p->err_line = ret;
		snprintf(p->err, sizeof(p->err), "%s",
			 line_is_section(text, ret) ? "syntax error: missing ']'"
						    : "syntax error: expected 'key = value'");
	} else if (ret < 0 && !p->err_line) {
		p->lineno = -1;
		perr(p, "cannot parse (inih error %d)", ret);
	}
	if (!p->err_line)
		cross_check(p);
	if (p->err_line > 0) {
		snprintf(err, errlen, "%s:%d: %s", name, p->err_line, p->err);
	} else if (p->err_line < 0) {
		snprintf(err, errlen, "%s: %s", name, p->err);
	} else {
		memcpy(cfg, p->cfg, sizeof(*cfg));
		rc = 0;
	}
out:
	ue_config_wipe(p->cfg);
	free(p->cfg);
	free(p);
	return rc;
}

int ue_config_load(const char *path, struct ue_config *cfg, char *err, size_t errlen)
{
	FILE *f;
	char *buf;
	size_t n;
	int rc;

	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(CONFIG_MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	n = fread(buf, 1, CONFIG_MAX_FILE + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
		rc = -1;
	} else if (n > CONFIG_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, CONFIG_MAX_FILE);
		rc = -1;
	} else if (memchr(buf, '\0', n)) {
		const char *z = memchr(buf, '\0', n);
		int line = 1;

		for (const char *s = buf; s < z; s++)
			line += *s == '\n';
		snprintf(err, errlen, "%s:%d: NUL byte in file", path, line);
		rc = -1;
	} else {
		buf[n] = '\0';
		rc = ue_config_parse(buf, path, cfg, err, errlen);
	}
	fclose(f);
	OPENSSL_cleanse(buf, n < CONFIG_MAX_FILE + 1 ? n : CONFIG_MAX_FILE + 1);
	free(buf);
	return rc;
}

void ue_config_wipe(struct ue_config *cfg)
{
	OPENSSL_cleanse(cfg->k, sizeof(cfg->k));
	OPENSSL_cleanse(cfg->op, sizeof(cfg->op));
	OPENSSL_cleanse(cfg->opc, sizeof(cfg->opc));
	OPENSSL_cleanse(cfg->amf, sizeof(cfg->amf));
	OPENSSL_cleanse(cfg->password, sizeof(cfg->password));
	cfg->password_len = 0;
	cfg->have_k = cfg->have_op = cfg->have_opc = false;
}
