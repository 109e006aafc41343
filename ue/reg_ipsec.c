/* IPsec sec-agree in the registration: which SA set exists when is
 * ue/ipsec.c, the protected ports are ue/sip_glue.c; this file ties them to
 * the registration state machine of ue/reg.c (doc/ipsec.md). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sec/xfrm.h"
#include "ue/ipsec.h"
#include "ue/reg_ipsec.h"

struct reg_ipsec {
	struct ue_ipsec *ip;
	uint16_t port_s;
	bool port_s_bound;
	uint16_t bound_c[4]; /* port-c transports bound for live sets */
};

static void fail(struct ims_ue *ue, const char *what, const char *err)
{
	/* The whole line goes to the log; last_error keeps what fits. */
	if (snprintf(ue->last_error, sizeof(ue->last_error), "ipsec: %s: %s", what, err) >=
	    (int)sizeof(ue->last_error))
		reg_log(ue, 0, "ipsec: %s: %s", what, err);
	else
		reg_log(ue, 1, "%s", ue->last_error);
}

static bool enabled(const struct ims_ue *ue)
{
	return ue->cfg.security == UE_SEC_IPSEC && ue->ipsec;
}

int reg_ipsec_init(struct ims_ue *ue, char *err, size_t errlen)
{
	struct reg_ipsec *r;
	struct sec_xfrm *x;
	int n;

	if (ue->cfg.security != UE_SEC_IPSEC)
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->port_s = ue->cfg.port_s ? ue->cfg.port_s
				   : (uint16_t)(sip_glue_local_port(ue->glue) + 1);
	/* Leftovers of a crashed imsue (tagged reqid only, doc/ipsec.md). */
	x = sec_xfrm_open(err, errlen);
	if (!x) {
		free(r);
		return -1;
	}
	n = sec_xfrm_cleanup(x, err, errlen);
	sec_xfrm_close(x);
	if (n < 0) {
		free(r);
		return -1;
	}
	if (n > 0)
		reg_log(ue, 1, "ipsec: removed %d SAs/policies left by an earlier run", n);
	r->ip = ue_ipsec_new(sip_glue_local_host(ue->glue), r->port_s, err, errlen);
	if (!r->ip) {
		free(r);
		return -1;
	}
	ue->ipsec = r;
	return 0;
}

void reg_ipsec_fini(struct ims_ue *ue)
{
	if (!ue->ipsec)
		return;
	ue_ipsec_free(ue->ipsec->ip); /* deletes every set */
	free(ue->ipsec);
	ue->ipsec = NULL;
	ue->sa_protected = false;
}

static bool port_c_live(const struct ims_ue *ue, uint16_t port)
{
	const struct sec_xfrm_set *s[3] = {ue_ipsec_current(ue->ipsec->ip),
					   ue_ipsec_established_set(ue->ipsec->ip),
					   ue_ipsec_old_set(ue->ipsec->ip)};

	for (int i = 0; i < 3; i++)
		if (s[i] && s[i]->local.port_c == port)
			return true;
	return false;
}

/* Route requests over the current set and close the port-c transports of
 * sets that are gone. */
static void sync_glue(struct ims_ue *ue)
{
	struct reg_ipsec *r = ue->ipsec;
	const struct sec_xfrm_set *cur = ue_ipsec_current(r->ip);

	sip_glue_sa_route(ue->glue, cur ? cur->local.port_c : 0, r->port_s);
	ue->sa_protected = cur != NULL;
	for (size_t i = 0; i < sizeof(r->bound_c) / sizeof(r->bound_c[0]); i++)
		if (r->bound_c[i] && !port_c_live(ue, r->bound_c[i])) {
			sip_glue_sa_unbind(ue->glue, r->bound_c[i]);
			r->bound_c[i] = 0;
		}
	/* Route again: unbinding may have ended it. */
	sip_glue_sa_route(ue->glue, cur ? cur->local.port_c : 0, r->port_s);
}

int reg_ipsec_offer(struct ims_ue *ue, struct sec_agree_offer *o)
{
	struct ue_ipsec_offer off;
	char err[300];
	/* The configured port-c for the first set, random ones after it. */
	bool fixed = ue->cfg.port_c && !ue_ipsec_current(ue->ipsec->ip);

	if (!enabled(ue)) {
		fail(ue, "offer", "not initialised");
		return -1;
	}
	if (ue_ipsec_offer(ue->ipsec->ip, fixed ? ue->cfg.port_c : 10000,
			   fixed ? ue->cfg.port_c : 60000, &off, err, sizeof(err)) != 0) {
		fail(ue, "offer", err);
		return -1;
	}
	o->spi_c = off.spi_c;
	o->spi_s = off.spi_s;
	o->port_c = off.port_c;
	o->port_s = off.port_s;
	return 0;
}

int reg_ipsec_challenge(struct ims_ue *ue, const struct sip_view *v, const uint8_t ck[16],
			const uint8_t ik[16])
{
	struct reg_ipsec *r = ue->ipsec;
	struct sec_agree_list client = {0}, server = {0};
	char joined[sizeof(ue->security_verify)], err[400] = "";
	const struct sec_xfrm_set *cur;
	size_t n = 0;
	int i, rc = -1;

	if (!enabled(ue)) {
		fail(ue, "challenge", "not initialised");
		return -1;
	}
	joined[0] = '\0';
	for (size_t h = 0; h < v->n_hdrs; h++) {
		const char *val = v->hdrs[h].value;

		if (strcasecmp(v->hdrs[h].name, "Security-Server"))
			continue;
		if (sec_agree_parse(val, strlen(val), &server, err, sizeof(err)) != 0) {
			fail(ue, "Security-Server of the 401 unreadable", err);
			goto out;
		}
		n += (size_t)snprintf(joined + n, n < sizeof(joined) ? sizeof(joined) - n : 0,
				      "%s%s", n ? ", " : "", val);
	}
	/* A challenge to a request already sent over the established set with
	 * no new Security-Server (Kamailio's P-CSCF challenges a protected
	 * de-REGISTER so): the answer goes over the same set. */
	if (!n && ue->sa_protected && ue_ipsec_established_set(r->ip)) {
		reg_log(ue, 2, "ipsec: 401 without Security-Server: answering over the "
			       "established set");
		rc = 0;
		goto out;
	}
	if (n >= sizeof(joined)) {
		fail(ue, "Security-Server of the 401", "too long");
		goto out;
	}
	if (sec_agree_parse(ue->security_client, strlen(ue->security_client), &client, err,
			    sizeof(err)) != 0) {
		fail(ue, "own Security-Client", err);
		goto out;
	}
	i = sec_agree_select(&client, &server);
	if (i < 0) {
		fail(ue, "sec-agree", joined[0] ? "no acceptable ipsec-3gpp entry in Security-Server"
						: "the 401 has no Security-Server");
		goto out;
	}
	/* The set needs the P-CSCF's address (an IP literal). */
	if (ue_ipsec_temporary(r->ip, ue->cfg.pcscf[ue->pcscf].host, &server.e[i], ck, ik,
			       (uint32_t)ue->cfg.reg_await_auth_ms, err, sizeof(err)) != 0) {
		fail(ue, "temporary SA set", err);
		goto out;
	}
	cur = ue_ipsec_current(r->ip);
	if (!r->port_s_bound) {
		if (sip_glue_sa_bind(ue->glue, r->port_s, err, sizeof(err)) != 0)
			goto unbound;
		r->port_s_bound = true;
	}
	if (sip_glue_sa_bind(ue->glue, cur->local.port_c, err, sizeof(err)) != 0)
		goto unbound;
	for (size_t k = 0; k < sizeof(r->bound_c) / sizeof(r->bound_c[0]); k++)
		if (!r->bound_c[k] || r->bound_c[k] == cur->local.port_c) {
			r->bound_c[k] = cur->local.port_c;
			break;
		}
	snprintf(ue->security_verify, sizeof(ue->security_verify), "%s", joined);
	sync_glue(ue);
	reg_log(ue, 2, "ipsec: temporary SA set port-c %u port-s %u -> %s:%u/%u", cur->local.port_c,
		cur->local.port_s, ue->cfg.pcscf[ue->pcscf].host, cur->remote.port_c,
		cur->remote.port_s);
	rc = 0;
	goto out;
unbound:
	fail(ue, "protected port", err);
	ue_ipsec_drop_temporary(r->ip, err, sizeof(err));
	sync_glue(ue);
out:
	sec_agree_clear(&client);
	sec_agree_clear(&server);
	return rc;
}

void reg_ipsec_ok(struct ims_ue *ue, unsigned long expires_s)
{
	const struct sec_xfrm_set *cur, *est;
	char err[300];

	if (!enabled(ue))
		return;
	cur = ue_ipsec_current(ue->ipsec->ip);
	est = ue_ipsec_established_set(ue->ipsec->ip);
	if (cur && cur != est) {
		if (ue_ipsec_established(ue->ipsec->ip,
					 expires_s > UINT32_MAX - 60 ? UINT32_MAX - 60
								   : (uint32_t)expires_s,
					 err, sizeof(err)) != 0)
			fail(ue, "establishing the SA set", err);
		/* The 200 arrived over the new set (TS 33.203 7.4). */
		else if (ue_ipsec_new_set_used(ue->ipsec->ip, err, sizeof(err)) != 0)
			fail(ue, "deleting the old SA set", err);
	}
	sync_glue(ue);
}

void reg_ipsec_forget(struct ims_ue *ue)
{
	char err[300];

	if (!enabled(ue))
		return;
	if (ue_ipsec_delete_all(ue->ipsec->ip, err, sizeof(err)) != 0)
		fail(ue, "deleting SA sets", err);
	ue->security_verify[0] = '\0';
	sync_glue(ue);
}

bool reg_ipsec_next_hop(const struct ims_ue *ue, char *out, size_t outlen)
{
	const struct sec_xfrm_set *cur;
	const char *host;

	if (!enabled(ue) || !ue->sa_protected)
		return false;
	cur = ue_ipsec_current(ue->ipsec->ip);
	if (!cur)
		return false;
	host = ue->cfg.pcscf[ue->pcscf].host;
	snprintf(out, outlen, strchr(host, ':') ? "sip:[%s]:%u;transport=udp"
						: "sip:%s:%u;transport=udp",
		 host, cur->remote.port_s);
	return true;
}

uint16_t reg_ipsec_contact_port(const struct ims_ue *ue)
{
	if (enabled(ue) && ue->sa_protected)
		return ue->ipsec->port_s;
	return sip_glue_local_port(ue->glue);
}
