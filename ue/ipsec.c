/* The UE's IPsec SA sets over their life cycle (TS 24.229 5.1.1.4.2,
 * 5.1.1.5.1, 5.1.1.5.3, 5.1.1.6.2, 5.1.1.7; TS 33.203 7.1-7.4). At most
 * three sets live at once: the temporary one (after a valid 401, until the
 * 200), the established one, and the old established one that is kept until
 * the new one has been used.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "ue/ipsec.h"

struct ue_ipsec {
	struct sec_xfrm *x;
	char ue_addr[64];
	uint16_t port_s;
	bool have_offer;
	struct ue_ipsec_offer offer;
	struct sec_xfrm_set temp, est, old;
	bool has_temp, has_est, has_old;
	uint64_t est_until; /* monotonic seconds when the established set's lifetime ends */
	uint16_t next_id;
};

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

static uint64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

struct ue_ipsec *ue_ipsec_new_with(struct sec_xfrm *x, const char *ue_addr, uint16_t port_s,
				   char *err, size_t errlen)
{
	struct ue_ipsec *ip;

	if (!x)
		return NULL;
	if (!ue_addr || strlen(ue_addr) >= sizeof(ip->ue_addr) || port_s == 0) {
		seterr(err, errlen, "ipsec: a UE address and a non-zero port-s are needed");
		sec_xfrm_close(x);
		return NULL;
	}
	ip = calloc(1, sizeof(*ip));
	if (!ip) {
		seterr(err, errlen, "ipsec: out of memory");
		sec_xfrm_close(x);
		return NULL;
	}
	ip->x = x;
	snprintf(ip->ue_addr, sizeof(ip->ue_addr), "%s", ue_addr);
	ip->port_s = port_s;
	ip->next_id = 1;
	return ip;
}

struct ue_ipsec *ue_ipsec_new(const char *ue_addr, uint16_t port_s, char *err, size_t errlen)
{
	struct sec_xfrm *x = sec_xfrm_open(err, errlen);

	return x ? ue_ipsec_new_with(x, ue_addr, port_s, err, errlen) : NULL;
}

void ue_ipsec_free(struct ue_ipsec *ip)
{
	char err[8];

	if (!ip)
		return;
	ue_ipsec_delete_all(ip, err, sizeof(err));
	sec_xfrm_close(ip->x);
	OPENSSL_cleanse(ip, sizeof(*ip));
	free(ip);
}

static bool id_in_use(const struct ue_ipsec *ip, uint16_t id)
{
	return (ip->has_temp && ip->temp.id == id) || (ip->has_est && ip->est.id == id) ||
	       (ip->has_old && ip->old.id == id);
}

static uint16_t take_id(struct ue_ipsec *ip)
{
	uint16_t id;

	do {
		id = ip->next_id++;
		if (ip->next_id == 0)
			ip->next_id = 1;
	} while (id == 0 || id_in_use(ip, id));
	return id;
}

int ue_ipsec_offer(struct ue_ipsec *ip, uint16_t lo, uint16_t hi, struct ue_ipsec_offer *o,
		   char *err, size_t errlen)
{
	uint16_t avoid[4];
	size_t n = 0;

	avoid[n++] = ip->port_s;
	if (ip->has_temp)
		avoid[n++] = ip->temp.local.port_c;
	if (ip->has_est)
		avoid[n++] = ip->est.local.port_c;
	if (ip->has_old)
		avoid[n++] = ip->old.local.port_c;
	memset(o, 0, sizeof(*o));
	if (sec_xfrm_fresh_spis(ip->x, &o->spi_c, &o->spi_s, err, errlen) != 0)
		return -1;
	if (sec_agree_fresh_port(&o->port_c, lo, hi, avoid, n) != 0) {
		seterr(err, errlen, "ipsec: no free port-c in %u..%u", lo, hi);
		return -1;
	}
	o->port_s = ip->port_s;
	ip->offer = *o;
	ip->have_offer = true;
	return 0;
}

static int del_set(struct ue_ipsec *ip, struct sec_xfrm_set *s, bool *has, char *err, size_t errlen)
{
	int rc = 0;

	if (*has)
		rc = sec_xfrm_set_del(ip->x, s, err, errlen);
	sec_xfrm_set_wipe(s);
	memset(s, 0, sizeof(*s));
	*has = false;
	return rc;
}

int ue_ipsec_temporary(struct ue_ipsec *ip, const char *pcscf_addr,
		       const struct sec_agree_entry *server, const uint8_t ck[16],
		       const uint8_t ik[16], uint32_t reg_await_auth_ms, char *err, size_t errlen)
{
	struct sec_xfrm_set s;

	if (!ip->have_offer) {
		seterr(err, errlen, "ipsec: a challenge without an offer (Security-Client)");
		return -1;
	}
	if (server->mech != SEC_MECH_IPSEC_3GPP || !server->has_spi_c || !server->has_spi_s ||
	    !server->has_port_c || !server->has_port_s) {
		seterr(err, errlen,
		       "ipsec: the Security-Server entry lacks ipsec-3gpp spi-c, spi-s, port-c or "
		       "port-s");
		return -1;
	}
	memset(&s, 0, sizeof(s));
	if (sec_xfrm_alg_from_name(server->alg, &s.alg) != 0 ||
	    sec_xfrm_ealg_from_name(server->ealg, &s.ealg) != 0) {
		seterr(err, errlen, "ipsec: unsupported algorithm alg=%s ealg=%s",
		       server->alg ? server->alg : "(none)", server->ealg ? server->ealg : "null");
		return -1;
	}
	if (sec_xfrm_set_addrs(&s, ip->ue_addr, pcscf_addr, err, errlen) != 0)
		return -1;
	if (del_set(ip, &ip->temp, &ip->has_temp, err, errlen) != 0)
		return -1;
	s.local.port_c = ip->offer.port_c;
	s.local.port_s = ip->offer.port_s;
	s.local.spi_c = ip->offer.spi_c;
	s.local.spi_s = ip->offer.spi_s;
	s.remote.port_c = server->port_c;
	s.remote.port_s = server->port_s;
	s.remote.spi_c = server->spi_c;
	s.remote.spi_s = server->spi_s;
	memcpy(s.ck, ck, 16);
	memcpy(s.ik, ik, 16);
	s.lifetime_s = reg_await_auth_ms / 1000 + (reg_await_auth_ms % 1000 ? 1 : 0);
	if (s.lifetime_s == 0)
		s.lifetime_s = 1;
	s.id = take_id(ip);
	if (sec_xfrm_set_add(ip->x, &s, err, errlen) != 0) {
		sec_xfrm_set_wipe(&s);
		return -1;
	}
	ip->temp = s;
	ip->has_temp = true;
	ip->have_offer = false;
	OPENSSL_cleanse(&s, sizeof(s));
	return 0;
}

int ue_ipsec_established(struct ue_ipsec *ip, uint32_t expires_s, char *err, size_t errlen)
{
	uint64_t now = now_s(), left = 0, life;

	if (!ip->has_temp) {
		seterr(err, errlen, "ipsec: no temporary set to establish");
		return -1;
	}
	if (ip->has_est && ip->est_until > now)
		left = ip->est_until - now;
	/* TS 33.203 7.4: max(old lifetime, registration expiry + 30 s) */
	life = (uint64_t)expires_s + 30;
	if (left > life)
		life = left;
	if (life > UINT32_MAX)
		life = UINT32_MAX;
	if (sec_xfrm_set_update_lifetime(ip->x, &ip->temp, (uint32_t)life, err, errlen) != 0)
		return -1;
	if (ip->has_est) {
		/* an old set not yet retired gives way to the one just replaced */
		char e2[8];

		del_set(ip, &ip->old, &ip->has_old, e2, sizeof(e2));
		ip->old = ip->est;
		ip->has_old = true;
	}
	ip->est = ip->temp;
	ip->has_est = true;
	ip->est_until = now + life;
	memset(&ip->temp, 0, sizeof(ip->temp));
	ip->has_temp = false;
	return 0;
}

int ue_ipsec_new_set_used(struct ue_ipsec *ip, char *err, size_t errlen)
{
	return del_set(ip, &ip->old, &ip->has_old, err, errlen);
}

int ue_ipsec_drop_temporary(struct ue_ipsec *ip, char *err, size_t errlen)
{
	return del_set(ip, &ip->temp, &ip->has_temp, err, errlen);
}

int ue_ipsec_delete_all(struct ue_ipsec *ip, char *err, size_t errlen)
{
	int rc = 0;

	rc |= del_set(ip, &ip->temp, &ip->has_temp, err, errlen);
	rc |= del_set(ip, &ip->old, &ip->has_old, rc ? NULL : err, errlen);
	rc |= del_set(ip, &ip->est, &ip->has_est, rc ? NULL : err, errlen);
	ip->have_offer = false;
	return rc ? -1 : 0;
}

const struct sec_xfrm_set *ue_ipsec_current(const struct ue_ipsec *ip)
{
	if (ip->has_temp)
		return &ip->temp;
	return ip->has_est ? &ip->est : NULL;
}

const struct sec_xfrm_set *ue_ipsec_established_set(const struct ue_ipsec *ip)
{
	return ip->has_est ? &ip->est : NULL;
}

const struct sec_xfrm_set *ue_ipsec_old_set(const struct ue_ipsec *ip)
{
	return ip->has_old ? &ip->old : NULL;
}
