/* One IMS UE (ue/ue.h): identity, credentials, the registration machine
 * of ue/reg.c, the status object and events. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "provisioning/identity.h"
#include "sec/usim_soft.h"
#include "ue/reg.h"
#include "ue/reg_extra.h"
#include "ue/regevent.h"
#include "ue/ue.h"

static int ue_identity_setup(struct ims_ue *ue, char *err, size_t errlen)
{
	const struct ue_config *c = &ue->cfg;
	struct prov_identity id;
	char e2[160];
	bool have_id = false;

	if (c->imsi[0] && (!c->impi[0] || !c->n_impu || !c->home_domain[0])) {
		if (prov_identity_from_imsi(c->imsi, strlen(c->imsi), 0, &id, e2, sizeof(e2)) !=
		    0) {
			snprintf(err, errlen, "identity from IMSI: %s", e2);
			return -1;
		}
		have_id = true;
	}
	snprintf(ue->impi, sizeof(ue->impi), "%s", c->impi[0] ? c->impi : have_id ? id.impi : "");
	snprintf(ue->impu, sizeof(ue->impu), "%s", c->n_impu ? c->impu[0] : have_id ? id.impu : "");
	snprintf(ue->domain, sizeof(ue->domain), "%s",
		 c->home_domain[0] ? c->home_domain
		 : have_id         ? id.home_domain
				   : "");
	if (!ue->impi[0] || !ue->impu[0] || !ue->domain[0]) {
		snprintf(err, errlen, "no identity: need impi, impu and home_domain (or imsi)");
		return -1;
	}
	if (c->imei[0] && prov_identity_instance_urn(c->imei, strlen(c->imei), ue->instance,
						     sizeof(ue->instance), e2, sizeof(e2)) != 0) {
		snprintf(err, errlen, "imei: %s", e2);
		return -1;
	}
	if (c->n_pcscf < 1) {
		snprintf(err, errlen, "no P-CSCF configured");
		return -1;
	}
	if (c->icsi[0] && ue_msg_icsi_tag(c->icsi, strlen(c->icsi), ue->feature_tags,
					  sizeof(ue->feature_tags), err, errlen) < 0)
		return -1;
	return 0;
}

static int ue_cred_setup(struct ims_ue *ue, char *err, size_t errlen)
{
	struct sec_usim_soft_params p;
	char e2[200];
	int rc;

	if (ue->cfg.auth != UE_AUTH_AKA)
		return 0;
	if (!ue->cfg.have_k || (!ue->cfg.have_op && !ue->cfg.have_opc)) {
		snprintf(err, errlen, "auth = aka needs [credentials] k and op or opc");
		return -1;
	}
	sec_usim_soft_params_init(&p);
	memcpy(p.k, ue->cfg.k, 16);
	if (ue->cfg.have_opc) {
		memcpy(p.opc, ue->cfg.opc, 16);
		p.has_opc = true;
	} else {
		memcpy(p.op, ue->cfg.op, 16);
		p.has_op = true;
	}
	memcpy(p.amf, ue->cfg.amf, 2);
	p.sqn_file = ue->cfg.sqn_file[0] ? ue->cfg.sqn_file : NULL;
	rc = sec_usim_soft_new(&ue->cred, &p, e2, sizeof(e2));
	OPENSSL_cleanse(&p, sizeof(p));
	if (rc != 0) {
		snprintf(err, errlen, "USIM: %s", e2);
		return -1;
	}
	return 0;
}

static int ue_log_level_from_env(void)
{
	const char *s = getenv("IMSUE_LOG_LEVEL");

	return s && *s ? atoi(s) : 0;
}

int ims_ue_new(struct ims_ue **out, struct ue_loop *loop, const struct ue_config *cfg,
	       ims_ue_event_cb cb, void *arg, char *err, size_t errlen)
{
	struct ims_ue *ue;
	const char *base;

	*out = NULL;
	ue = calloc(1, sizeof(*ue));
	if (!ue) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ue->loop = loop;
	ue->cfg = *cfg;
	ue->cb = cb;
	ue->cb_arg = arg;
	ue->log_level = ue_log_level_from_env();
	base = strrchr(cfg->path, '/');
	base = base ? base + 1 : cfg->path;
	snprintf(ue->name, sizeof(ue->name), "%.*s", (int)strcspn(base, "."), base);
	if (!ue->name[0])
		snprintf(ue->name, sizeof(ue->name), "ue");
	if (!ue->cfg.t1_ms)
		ue->cfg.t1_ms = 500;
	if (!ue->cfg.timer_f_ms)
		ue->cfg.timer_f_ms = 64 * ue->cfg.t1_ms;
	if (!ue->cfg.reg_await_auth_ms)
		ue->cfg.reg_await_auth_ms = 240000;
	if (!ue->cfg.expires)
		ue->cfg.expires = 600000;
	if (ue_identity_setup(ue, err, errlen) != 0 || ue_cred_setup(ue, err, errlen) != 0 ||
	    reg_init(ue, err, errlen) != 0) {
		ims_ue_free(ue);
		return -1;
	}
	reg_log(ue, 2, "UE %s: impu %s, impi %s, domain %s, SIP on %s:%u", ue->name, ue->impu,
		ue->impi, ue->domain, sip_glue_local_host(ue->glue), sip_glue_local_port(ue->glue));
	*out = ue;
	return 0;
}

int ims_ue_start(struct ims_ue *ue)
{
	if (ue->state == REG_REGISTERED) {
		/* Additional IMPUs deregistered by the user register again. */
		reg_extra_on_start(ue);
		reg_extra_on_registered(ue);
		return 0;
	}
	if (ue->state != REG_DEREGISTERED && ue->state != REG_FAILED && ue->state != REG_BACKOFF)
		return 0; /* already registering or registered */
	reg_dispatch(ue, REG_EV_START, NULL);
	return ue->state == REG_FAILED ? -1 : 0;
}

static bool impu_equal(const char *a, const char *b)
{
	if (!strncasecmp(a, "sip:", 4))
		a += 4;
	if (!strncasecmp(b, "sip:", 4))
		b += 4;
	return !strcasecmp(a, b);
}

int ims_ue_deregister(struct ims_ue *ue, const char *impu, char *err, size_t errlen)
{
	if (!impu || !*impu) {
		snprintf(err, errlen, "deregister: which impu (or \"all\")?");
		return -1;
	}
	if (strcmp(impu, "all") && !impu_equal(impu, ue->impu)) {
		int x = reg_extra_find(ue, impu);

		if (x >= 0)
			return reg_extra_deregister(ue, x, err, errlen);
		snprintf(err, errlen, "deregister: %s is not registered by this UE", impu);
		return -1;
	}
	if (ue->state == REG_DEREGISTERED || ue->state == REG_DEREGISTERING) {
		snprintf(err, errlen, "deregister: not registered (state %s)",
			 reg_state_name(ue->state));
		return -1;
	}
	ue->dereg_all = !strcmp(impu, "all");
	reg_dispatch(ue, REG_EV_DEREGISTER, NULL);
	return 0;
}

int ims_ue_fetch_bindings(struct ims_ue *ue, char *err, size_t errlen)
{
	return reg_fetch_bindings(ue, err, errlen);
}

static long remaining_s(const struct timespec *at)
{
	struct timespec now;
	long d;

	clock_gettime(CLOCK_MONOTONIC, &now);
	d = (long)(at->tv_sec - now.tv_sec);
	if (at->tv_nsec < now.tv_nsec)
		d--;
	return d < 0 ? 0 : d;
}

json_t *ims_ue_status(struct ims_ue *ue)
{
	static const char *const sec_names[] = {"none", "ipsec-3gpp", "tls"};
	const struct ue_pcscf *p = &ue->cfg.pcscf[ue->pcscf];
	json_t *o = json_object(), *au = json_array(), *sr = json_array();
	char pc[300];
	bool reg = ue->state == REG_REGISTERED || ue->state == REG_REREGISTERING;

	if (!o || !au || !sr) {
		json_decref(o);
		json_decref(au);
		json_decref(sr);
		return NULL;
	}
	snprintf(pc, sizeof(pc), strchr(p->host, ':') ? "%s:[%s]:%u" : "%s:%s:%u",
		 p->tp == UE_TP_TCP   ? "tcp"
		 : p->tp == UE_TP_TLS ? "tls"
				      : "udp",
		 p->host,
		 p->port              ? p->port
		 : p->tp == UE_TP_TLS ? 5061
				      : 5060);
	for (int i = 0; reg && i < ue->ok.n_assoc_uri; i++)
		json_array_append_new(au, json_string(ue->ok.assoc_uri[i]));
	for (int i = 0; reg && i < ue->ok.n_service_route; i++)
		json_array_append_new(sr, json_string(ue->ok.service_route[i]));
	json_object_set_new(o, "name", json_string(ue->name));
	json_object_set_new(o, "state", json_string(reg_state_name(ue->state)));
	json_object_set_new(o, "impu", json_string(ue->impu));
	json_object_set_new(o, "associated_uris", au);
	json_object_set_new(o, "service_route", sr);
	{
		/* The rest of what the 200 (OK) gave (5.1.1.2.1): Path, GRUUs,
		 * Feature-Caps. */
		json_t *pa = json_array();

		for (int i = 0; pa && reg && i < ue->ok.n_path; i++)
			json_array_append_new(pa, json_string(ue->ok.path[i]));
		json_object_set_new(o, "path", pa ? pa : json_null());
		json_object_set_new(o, "pub_gruu",
				    reg && ue->ok.pub_gruu[0] ? json_string(ue->ok.pub_gruu)
							      : json_null());
		json_object_set_new(o, "temp_gruu",
				    reg && ue->ok.temp_gruu[0] ? json_string(ue->ok.temp_gruu)
							       : json_null());
		json_object_set_new(o, "feature_caps",
				    reg && ue->ok.feature_caps[0] ? json_string(ue->ok.feature_caps)
								  : json_null());
	}
	json_object_set_new(o, "pcscf", json_string(pc));
	json_object_set_new(
		o, "security",
		json_string(sec_names[ue->cfg.security <= UE_SEC_TLS ? ue->cfg.security : 0]));
	json_object_set_new(o, "auth",
			    json_string(ue->cfg.auth == UE_AUTH_DIGEST ? "digest" : "aka"));
	if (reg) {
		struct timespec exp = ue->registered_at;

		exp.tv_sec += (time_t)ue->granted;
		json_object_set_new(o, "expires_in_s", json_integer(remaining_s(&exp)));
		json_object_set_new(o, "refresh_in_s",
				    ue->state == REG_REGISTERED
					    ? json_integer(remaining_s(&ue->refresh_at))
					    : json_integer(0));
	} else {
		json_object_set_new(o, "expires_in_s", json_null());
		json_object_set_new(o, "refresh_in_s", json_null());
	}
	json_object_set_new(o, "call_id", ue->call_id[0] ? json_string(ue->call_id) : json_null());
	json_object_set_new(o, "reg_event", ue_regevent_status(ue));
	{
		/* Every configured IMPU: the first (as above), then the additional ones. */
		json_t *im = json_array(), *first = json_object();

		if (im && first) {
			json_object_set_new(first, "impu", json_string(ue->impu));
			json_object_set_new(first, "state", json_string(reg_state_name(ue->state)));
			json_object_set(first, "associated_uris", au);
			json_object_set(first, "expires_in_s", json_object_get(o, "expires_in_s"));
			json_object_set(first, "refresh_in_s", json_object_get(o, "refresh_in_s"));
			json_object_set_new(first, "last_error",
					    ue->last_error[0] ? json_string(ue->last_error)
							      : json_null());
			json_array_append_new(im, first);
			reg_extra_status(ue, im);
			json_object_set_new(o, "impus", im);
		} else {
			json_decref(im);
			json_decref(first);
		}
	}
	json_object_set_new(o, "last_error",
			    ue->last_error[0] ? json_string(ue->last_error) : json_null());
	return o;
}

static void on_t_shutdown(void *arg)
{
	struct ims_ue *ue = arg;
	void (*done)(void *) = ue->shutdown_done;

	if (ue->state == REG_DEREGISTERING)
		reg_log(ue, 1, "deregistration did not finish in time");
	ue->shutdown_done = NULL;
	if (done)
		done(ue->shutdown_arg);
}

void ims_ue_shutdown(struct ims_ue *ue, unsigned long timeout_ms, void (*done)(void *), void *arg)
{
	ue->shutting_down = true;
	ue->shutdown_done = done;
	ue->shutdown_arg = arg;
	if (!ue->t_shutdown)
		ue->t_shutdown = ue_timer_new(ue->loop, on_t_shutdown, ue);
	if (ue->state == REG_REGISTERED || ue->state == REG_REREGISTERING) {
		ue->dereg_all = false;
		if (ue->t_shutdown)
			ue_timer_start(ue->t_shutdown, timeout_ms);
		reg_dispatch(ue, REG_EV_DEREGISTER, NULL);
		return;
	}
	if (ue->state == REG_DEREGISTERING) {
		if (ue->t_shutdown)
			ue_timer_start(ue->t_shutdown, timeout_ms);
		return;
	}
	if (ue->state != REG_DEREGISTERED)
		reg_dispatch(ue, REG_EV_DEREGISTER, NULL); /* a_abort finishes */
	if (ue->shutdown_done && ue->t_shutdown)
		ue_timer_start(ue->t_shutdown, 0); /* done() from the loop, not from here */
}

void ims_ue_free(struct ims_ue *ue)
{
	if (!ue)
		return;
	ue_timer_free(ue->t_shutdown);
	reg_fini(ue);
	sec_cred_free(ue->cred);
	ue_config_wipe(&ue->cfg);
	OPENSSL_cleanse(ue, sizeof(*ue));
	free(ue);
}

const char *ims_ue_name(const struct ims_ue *ue)
{
	return ue->name;
}

void ims_ue_set_log(struct ims_ue *ue, int level,
		    void (*fn)(void *arg, int level, const char *line), void *arg)
{
	ue->log_level = level;
	ue->log = fn;
	ue->log_arg = arg;
}
