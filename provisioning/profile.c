/* struct ims_profile helpers: init, clear, copy, compare, append. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "provisioning/profile.h"

void prov_profile_init(struct ims_profile *p)
{
	if (!p)
		return;
	memset(p, 0, sizeof(*p));
	p->t1_ms = IMS_PROFILE_DEFAULT_T1_MS;
	p->t2_ms = IMS_PROFILE_DEFAULT_T2_MS;
	p->t4_ms = IMS_PROFILE_DEFAULT_T4_MS;
	p->reg_retry_base_time_s = IMS_PROFILE_DEFAULT_REG_RETRY_BASE_S;
	p->reg_retry_max_time_s = IMS_PROFILE_DEFAULT_REG_RETRY_MAX_S;
	p->appauth.auth_type = IMS_AUTH_AKA;
	p->source = IMS_PROFILE_SRC_CONFIG;
}

static void free_secret(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void prov_profile_clear(struct ims_profile *p)
{
	if (!p)
		return;
	free(p->impi);
	for (size_t i = 0; i < p->n_impu && i < IMS_PROFILE_MAX_IMPU; i++)
		free(p->impu[i]);
	free(p->home_domain);
	for (size_t i = 0; i < p->n_pcscf && i < IMS_PROFILE_MAX_PCSCF; i++)
		free(p->pcscf[i].address);
	free(p->appauth.realm);
	free(p->appauth.username);
	free_secret(p->appauth.password);
	free(p->msisdn);
	prov_profile_init(p);
}

int prov_profile_set_str(char **dst, const char *src)
{
	char *d = NULL;
	if (!dst)
		return -1;
	if (src && !(d = strdup(src)))
		return -1;
	free(*dst);
	*dst = d;
	return 0;
}

static int set_secret(char **dst, const char *src)
{
	char *d = NULL;
	if (src && !(d = strdup(src)))
		return -1;
	free_secret(*dst);
	*dst = d;
	return 0;
}

int prov_profile_copy(struct ims_profile *dst, const struct ims_profile *src)
{
	if (!dst || !src || src->n_impu > IMS_PROFILE_MAX_IMPU ||
	    src->n_pcscf > IMS_PROFILE_MAX_PCSCF) {
		prov_profile_clear(dst);
		return -1;
	}
	if (dst == src)
		return 0;
	prov_profile_clear(dst);
	dst->t1_ms = src->t1_ms;
	dst->t2_ms = src->t2_ms;
	dst->t4_ms = src->t4_ms;
	dst->reg_retry_base_time_s = src->reg_retry_base_time_s;
	dst->reg_retry_max_time_s = src->reg_retry_max_time_s;
	dst->appauth.auth_type = src->appauth.auth_type;
	dst->source = src->source;
	if (prov_profile_set_str(&dst->impi, src->impi) < 0 ||
	    prov_profile_set_str(&dst->home_domain, src->home_domain) < 0 ||
	    prov_profile_set_str(&dst->msisdn, src->msisdn) < 0 ||
	    prov_profile_set_str(&dst->appauth.realm, src->appauth.realm) < 0 ||
	    prov_profile_set_str(&dst->appauth.username, src->appauth.username) < 0 ||
	    set_secret(&dst->appauth.password, src->appauth.password) < 0)
		goto fail;
	for (size_t i = 0; i < src->n_impu; i++) {
		dst->n_impu++;
		if (prov_profile_set_str(&dst->impu[i], src->impu[i]) < 0)
			goto fail;
	}
	for (size_t i = 0; i < src->n_pcscf; i++) {
		dst->n_pcscf++;
		dst->pcscf[i].type = src->pcscf[i].type;
		if (prov_profile_set_str(&dst->pcscf[i].address, src->pcscf[i].address) < 0)
			goto fail;
	}
	return 0;
fail:
	prov_profile_clear(dst);
	return -1;
}

static bool eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static bool eq_ci(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcasecmp(a, b);
}

unsigned prov_profile_diff(const struct ims_profile *a, const struct ims_profile *b)
{
	unsigned d = 0;
	if (!a || !b)
		return a == b ? 0
			      : PROV_PROFILE_DIFF_IDENTITY | PROV_PROFILE_DIFF_PCSCF |
					PROV_PROFILE_DIFF_TIMERS | PROV_PROFILE_DIFF_AUTH |
					PROV_PROFILE_DIFF_SOURCE;

	if (!eq(a->impi, b->impi) || !eq_ci(a->home_domain, b->home_domain) ||
	    !eq(a->msisdn, b->msisdn) || a->n_impu != b->n_impu)
		d |= PROV_PROFILE_DIFF_IDENTITY;
	for (size_t i = 0; !(d & PROV_PROFILE_DIFF_IDENTITY) && i < a->n_impu; i++)
		if (i >= IMS_PROFILE_MAX_IMPU || !eq(a->impu[i], b->impu[i]))
			d |= PROV_PROFILE_DIFF_IDENTITY;

	if (a->n_pcscf != b->n_pcscf)
		d |= PROV_PROFILE_DIFF_PCSCF;
	for (size_t i = 0; !(d & PROV_PROFILE_DIFF_PCSCF) && i < a->n_pcscf; i++)
		if (i >= IMS_PROFILE_MAX_PCSCF || a->pcscf[i].type != b->pcscf[i].type ||
		    !eq_ci(a->pcscf[i].address, b->pcscf[i].address))
			d |= PROV_PROFILE_DIFF_PCSCF;

	if (a->t1_ms != b->t1_ms || a->t2_ms != b->t2_ms || a->t4_ms != b->t4_ms ||
	    a->reg_retry_base_time_s != b->reg_retry_base_time_s ||
	    a->reg_retry_max_time_s != b->reg_retry_max_time_s)
		d |= PROV_PROFILE_DIFF_TIMERS;

	if (a->appauth.auth_type != b->appauth.auth_type ||
	    !eq(a->appauth.realm, b->appauth.realm) ||
	    !eq(a->appauth.username, b->appauth.username) ||
	    !eq(a->appauth.password, b->appauth.password))
		d |= PROV_PROFILE_DIFF_AUTH;

	if (a->source != b->source)
		d |= PROV_PROFILE_DIFF_SOURCE;
	return d;
}

bool prov_profile_equal(const struct ims_profile *a, const struct ims_profile *b)
{
	return prov_profile_diff(a, b) == 0;
}

int prov_profile_add_impu(struct ims_profile *p, const char *impu)
{
	if (!p || !impu || !*impu || p->n_impu >= IMS_PROFILE_MAX_IMPU)
		return -1;
	for (size_t i = 0; i < p->n_impu; i++)
		if (eq(p->impu[i], impu))
			return -1;
	char *d = strdup(impu);
	if (!d)
		return -1;
	p->impu[p->n_impu++] = d;
	return 0;
}

int prov_profile_add_pcscf(struct ims_profile *p, const char *address, enum ims_addr_type type)
{
	if (!p || !address || !*address || p->n_pcscf >= IMS_PROFILE_MAX_PCSCF)
		return -1;
	size_t n = strlen(address);
	if (type == IMS_ADDR_IPV6 && n > 2 && address[0] == '[' && address[n - 1] == ']') {
		address++;
		n -= 2;
	}
	char *d = strndup(address, n);
	if (!d)
		return -1;
	p->pcscf[p->n_pcscf].address = d;
	p->pcscf[p->n_pcscf].type = type;
	p->n_pcscf++;
	return 0;
}

enum ims_addr_type prov_addr_type_guess(const char *address)
{
	unsigned char buf[16];
	char tmp[64];
	if (!address)
		return IMS_ADDR_FQDN;
	if (inet_pton(AF_INET, address, buf) == 1)
		return IMS_ADDR_IPV4;
	size_t n = strlen(address);
	if (n > 2 && n < sizeof(tmp) + 2 && address[0] == '[' && address[n - 1] == ']') {
		memcpy(tmp, address + 1, n - 2);
		tmp[n - 2] = 0;
		address = tmp;
	}
	if (inet_pton(AF_INET6, address, buf) == 1)
		return IMS_ADDR_IPV6;
	return IMS_ADDR_FQDN;
}

const char *prov_addr_type_name(enum ims_addr_type t)
{
	switch (t) {
	case IMS_ADDR_IPV4:
		return "IPv4";
	case IMS_ADDR_IPV6:
		return "IPv6";
	default:
		return "FQDN";
	}
}

const char *prov_profile_source_name(enum ims_profile_source s)
{
	switch (s) {
	case IMS_PROFILE_SRC_IMSI:
		return "imsi";
	case IMS_PROFILE_SRC_AUTOCONF:
		return "autoconf";
	default:
		return "config";
	}
}

const char *prov_auth_type_name(enum ims_auth_type t)
{
	return t == IMS_AUTH_DIGEST ? "digest" : "AKA";
}
