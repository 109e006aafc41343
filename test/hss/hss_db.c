/* Subscriber store of the test HSS: INI file loading, lookups, Cx User-Data. */
#include "test/hss/hss.h"

#include <ini.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct load_state {
	struct hss_db *db;
	char section[64];
	char err[256];
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hss_hex_decode(const char *hex, uint8_t *out, size_t len)
{
	size_t i;
	int hi, lo;

	if (strlen(hex) != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		hi = hexval((unsigned char)hex[2 * i]);
		lo = hexval((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int set_err(struct load_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int set_err(struct load_state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->err[0])
		return 0;
	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
	return 0;
}

static int copy_id(struct load_state *st, char *dst, const char *key, const char *value)
{
	size_t n = strlen(value);

	if (n == 0 || n >= HSS_ID_MAX)
		return set_err(st, "[%s] %s: empty or longer than %d characters", st->section, key,
			       HSS_ID_MAX - 1);
	memcpy(dst, value, n + 1);
	return 1;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_state *st = user;
	struct hss_db *db = st->db;
	struct hss_sub *sub, *grown;
	uint8_t sqn[6];
	size_t i;

	if (!section[0])
		return set_err(st, "key %s outside a [subscriber] section", name);
	if (strcmp(section, st->section) != 0) {
		for (i = 0; i < db->n_subs; i++)
			if (strcmp(db->subs[i].name, section) == 0)
				return set_err(st, "section [%s] appears twice", section);
		if (strlen(section) >= sizeof(st->section))
			return set_err(st, "section name [%s] is too long", section);
		grown = realloc(db->subs, (db->n_subs + 1) * sizeof(*db->subs));
		if (!grown)
			return set_err(st, "out of memory");
		db->subs = grown;
		sub = &db->subs[db->n_subs++];
		memset(sub, 0, sizeof(*sub));
		sub->amf[0] = 0x80; /* AMF 8000 unless the file says otherwise */
		snprintf(sub->name, sizeof(sub->name), "%s", section);
		snprintf(st->section, sizeof(st->section), "%s", section);
		sub->preferred = (enum hss_auth) - 1;
	}
	sub = &db->subs[db->n_subs - 1];

	if (strcmp(name, "impi") == 0)
		return copy_id(st, sub->impi, name, value);
	if (strcmp(name, "impu") == 0) {
		if (sub->n_impu == HSS_IMPU_MAX)
			return set_err(st, "[%s] more than %d impu keys", section, HSS_IMPU_MAX);
		return copy_id(st, sub->impu[sub->n_impu++], name, value);
	}
	if (strcmp(name, "k") == 0) {
		if (hss_hex_decode(value, sub->k, 16) < 0)
			return set_err(st, "[%s] k: need 32 hex digits", section);
		sub->has_aka |= 1;
		return 1;
	}
	if (strcmp(name, "op") == 0 || strcmp(name, "opc") == 0) {
		if (hss_hex_decode(value, sub->opc, 16) < 0)
			return set_err(st, "[%s] %s: need 32 hex digits", section, name);
		sub->opc_is_op = name[2] == '\0';
		sub->has_aka |= 2;
		return 1;
	}
	if (strcmp(name, "amf") == 0) {
		if (hss_hex_decode(value, sub->amf, 2) < 0)
			return set_err(st, "[%s] amf: need 4 hex digits", section);
		return 1;
	}
	if (strcmp(name, "sqn") == 0) {
		if (hss_hex_decode(value, sqn, 6) < 0)
			return set_err(st, "[%s] sqn: need 12 hex digits", section);
		sub->sqn = 0;
		for (i = 0; i < 6; i++)
			sub->sqn = sub->sqn << 8 | sqn[i];
		return 1;
	}
	if (strcmp(name, "password") == 0) {
		if (strlen(value) >= HSS_PASSWORD_MAX)
			return set_err(st, "[%s] password longer than %d characters", section,
				       HSS_PASSWORD_MAX - 1);
		snprintf(sub->password, sizeof(sub->password), "%s", value);
		sub->has_password = 1;
		return 1;
	}
	if (strcmp(name, "nonzero_res") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return set_err(st, "[%s] nonzero_res: yes or no", section);
		sub->nonzero_res = value[0] == 'y';
		return 1;
	}
	if (strcmp(name, "auth") == 0) {
		if (strcmp(value, "aka") == 0)
			sub->preferred = HSS_AUTH_AKA;
		else if (strcmp(value, "digest") == 0)
			sub->preferred = HSS_AUTH_DIGEST;
		else
			return set_err(st, "[%s] auth: '%s' is neither aka nor digest", section,
				       value);
		return 1;
	}
	return set_err(st, "[%s] unknown key '%s'", section, name);
}

static int check_sub(struct hss_sub *sub, char *err, size_t errlen)
{
	if (!sub->impi[0]) {
		snprintf(err, errlen, "[%s] has no impi", sub->name);
		return -1;
	}
	if (!sub->n_impu) {
		snprintf(err, errlen, "[%s] has no impu", sub->name);
		return -1;
	}
	if (sub->has_aka && sub->has_aka != 3) {
		snprintf(err, errlen, "[%s] needs both k and op/opc for AKA", sub->name);
		return -1;
	}
	sub->has_aka = sub->has_aka == 3;
	if (!sub->has_aka && !sub->has_password) {
		snprintf(err, errlen, "[%s] has neither k/opc nor password", sub->name);
		return -1;
	}
	if (sub->preferred == (enum hss_auth) - 1)
		sub->preferred = sub->has_aka ? HSS_AUTH_AKA : HSS_AUTH_DIGEST;
	if ((sub->preferred == HSS_AUTH_AKA && !sub->has_aka) ||
	    (sub->preferred == HSS_AUTH_DIGEST && !sub->has_password)) {
		snprintf(err, errlen, "[%s] auth names a scheme it has no credentials for",
			 sub->name);
		return -1;
	}
	return 0;
}

int hss_db_load(struct hss_db *db, const char *path, char *err, size_t errlen)
{
	struct load_state st;
	size_t i, j;
	int line;

	memset(&st, 0, sizeof(st));
	st.db = db;
	line = ini_parse(path, on_key, &st);
	if (line < 0) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	if (line > 0 || st.err[0]) {
		snprintf(err, errlen, "%s:%d: %s", path, line, st.err[0] ? st.err : "syntax error");
		return -1;
	}
	if (!db->n_subs) {
		snprintf(err, errlen, "%s: no subscribers", path);
		return -1;
	}
	for (i = 0; i < db->n_subs; i++) {
		if (check_sub(&db->subs[i], err, errlen) < 0)
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(db->subs[i].impi, db->subs[j].impi) == 0) {
				snprintf(err, errlen, "impi %s appears twice", db->subs[i].impi);
				return -1;
			}
	}
	return 0;
}

void hss_db_free(struct hss_db *db)
{
	if (db->subs) {
		OPENSSL_cleanse(db->subs, db->n_subs * sizeof(*db->subs));
		free(db->subs);
	}
	db->subs = NULL;
	db->n_subs = 0;
}

struct hss_sub *hss_db_find_impi(struct hss_db *db, const char *impi)
{
	size_t i;

	for (i = 0; i < db->n_subs; i++)
		if (strcmp(db->subs[i].impi, impi) == 0)
			return &db->subs[i];
	return NULL;
}

int hss_sub_has_impu(const struct hss_sub *sub, const char *impu)
{
	int i;

	for (i = 0; i < sub->n_impu; i++)
		if (strcmp(sub->impu[i], impu) == 0)
			return 1;
	return 0;
}

struct hss_sub *hss_db_find_impu(struct hss_db *db, const char *impu)
{
	size_t i;

	for (i = 0; i < db->n_subs; i++)
		if (hss_sub_has_impu(&db->subs[i], impu))
			return &db->subs[i];
	return NULL;
}

/* Append s to out with XML escaping; returns the new length or -1 on overflow. */
static long put_xml(char *out, size_t cap, long len, const char *s, int escape)
{
	const char *rep;
	size_t n;

	for (; *s; s++) {
		rep = NULL;
		if (escape) {
			switch (*s) {
			case '&':
				rep = "&amp;";
				break;
			case '<':
				rep = "&lt;";
				break;
			case '>':
				rep = "&gt;";
				break;
			case '"':
				rep = "&quot;";
				break;
			}
		}
		n = rep ? strlen(rep) : 1;
		if ((size_t)len + n >= cap)
			return -1;
		memcpy(out + len, rep ? rep : s, n);
		len += n;
	}
	out[len] = '\0';
	return len;
}

long hss_user_data(const struct hss_sub *sub, char *out, size_t cap)
{
	long len = 0;
	int i;

	if (!cap)
		return -1;
	len = put_xml(out, cap, len,
		      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><IMSSubscription><PrivateID>", 0);
	if (len >= 0)
		len = put_xml(out, cap, len, sub->impi, 1);
	if (len >= 0)
		len = put_xml(out, cap, len, "</PrivateID><ServiceProfile>", 0);
	for (i = 0; i < sub->n_impu && len >= 0; i++) {
		/* TS 29.228 E.6: BarringIndication precedes Identity. */
		len = put_xml(out, cap, len,
			      "<PublicIdentity><BarringIndication>0</BarringIndication><Identity>",
			      0);
		if (len >= 0)
			len = put_xml(out, cap, len, sub->impu[i], 1);
		if (len >= 0)
			len = put_xml(out, cap, len, "</Identity></PublicIdentity>", 0);
	}
	if (len >= 0)
		len = put_xml(out, cap, len, "</ServiceProfile></IMSSubscription>", 0);
	return len;
}

void hss_log(struct hss_db *db, const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (!db->log)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	fprintf(db->log, "%02d:%02d:%02d.%03ld hss: ", tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(db->log, fmt, ap);
	va_end(ap);
	fputc('\n', db->log);
	fflush(db->log);
}
