/* imsued: GSMA RCC.14 autoconfiguration before registration. The adapter
 * from the client's abstract I/O (struct prov_ac_io) to ue/loop.h, and the
 * copy of the received profile into the UE's configuration. */
#include "config.h"

#include "tools/imsued_autoconf.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "provisioning/acclient.h"
#include "provisioning/profile.h"
#include "ue/loop.h"
#include "ue/ue_config.h"

#define AC_MAX_FDS 8

struct ac_run {
	struct ue_loop *loop;
	struct prov_ac_client *c;
	struct {
		int fd;
		struct ue_watch *w;
	} w[AC_MAX_FDS];
	struct ue_timer *timer;
	struct ue_config *cfg;
	bool done, configured;
	char reason[256];
};

static void on_fd(void *arg, int fd, unsigned events)
{
	struct ac_run *r = arg;
	unsigned ev = 0;

	if (events & (UE_FD_IN | UE_FD_ERR))
		ev |= PROV_AC_FD_IN;
	if (events & UE_FD_OUT)
		ev |= PROV_AC_FD_OUT;
	prov_ac_client_on_fd(r->c, fd, ev);
}

static void on_timer(void *arg)
{
	struct ac_run *r = arg;

	prov_ac_client_on_timer(r->c);
}

static void io_watch(void *arg, int fd, unsigned events)
{
	struct ac_run *r = arg;
	unsigned ue_ev = ((events & PROV_AC_FD_IN) ? UE_FD_IN : 0) |
			 ((events & PROV_AC_FD_OUT) ? UE_FD_OUT : 0);
	int i, free_slot = -1;

	for (i = 0; i < AC_MAX_FDS; i++) {
		if (r->w[i].w && r->w[i].fd == fd)
			break;
		if (!r->w[i].w && free_slot < 0)
			free_slot = i;
	}
	if (i < AC_MAX_FDS) {
		if (!events) {
			ue_watch_free(r->w[i].w);
			r->w[i].w = NULL;
		} else {
			ue_watch_events(r->w[i].w, ue_ev);
		}
		return;
	}
	if (!events || free_slot < 0)
		return;
	r->w[free_slot].fd = fd;
	r->w[free_slot].w = ue_watch_fd(r->loop, fd, ue_ev, on_fd, r);
}

static void io_timer(void *arg, long ms)
{
	struct ac_run *r = arg;

	if (!r->timer)
		return;
	if (ms < 0)
		ue_timer_stop(r->timer);
	else
		ue_timer_start(r->timer, (unsigned long)ms);
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static void fill_config(struct ue_config *cfg, const struct ims_profile *p)
{
	enum ue_transport tp = cfg->n_pcscf ? cfg->pcscf[0].tp : UE_TP_UDP;

	copy_str(cfg->impi, sizeof(cfg->impi), p->impi);
	cfg->n_impu = 0;
	for (size_t i = 0; i < p->n_impu && i < UE_CFG_MAX_IMPU; i++)
		copy_str(cfg->impu[cfg->n_impu++], sizeof(cfg->impu[0]), p->impu[i]);
	copy_str(cfg->home_domain, sizeof(cfg->home_domain), p->home_domain);
	cfg->n_pcscf = 0;
	for (size_t i = 0; i < p->n_pcscf && i < UE_CFG_MAX_PCSCF; i++) {
		struct ue_pcscf *pc = &cfg->pcscf[cfg->n_pcscf++];
		memset(pc, 0, sizeof(*pc));
		pc->tp = tp;
		copy_str(pc->host, sizeof(pc->host), p->pcscf[i].address);
	}
	if (p->appauth.auth_type == IMS_AUTH_DIGEST && p->appauth.password) {
		cfg->auth = UE_AUTH_DIGEST;
		copy_str(cfg->password, sizeof(cfg->password), p->appauth.password);
		cfg->password_len = strlen(cfg->password);
	}
	if (p->msisdn)
		copy_str(cfg->msisdn, sizeof(cfg->msisdn), p->msisdn);
}

static void on_event(void *arg, const struct prov_ac_event *ev)
{
	struct ac_run *r = arg;

	switch (ev->type) {
	case PROV_AC_EV_CONFIG_UPDATED:
		fill_config(r->cfg, ev->profile);
		r->configured = true;
		break;
	case PROV_AC_EV_CONFIG_REMOVED:
	case PROV_AC_EV_ERROR:
		snprintf(r->reason, sizeof(r->reason), "%s", ev->reason ? ev->reason : "error");
		break;
	case PROV_AC_EV_OTP_NEEDED:
	case PROV_AC_EV_MSISDN_NEEDED:
	case PROV_AC_EV_FRIENDLY_NAME_NEEDED:
		/* No user to ask at start-up (the control commands are not
		 * wired to the client yet). */
		snprintf(r->reason, sizeof(r->reason), "%s: needs user input",
			 prov_ac_event_name(ev->type));
		r->done = true;
		break;
	case PROV_AC_EV_MESSAGE:
		break;
	case PROV_AC_EV_IDLE:
		r->done = true;
		break;
	case PROV_AC_EV_CONFIG_RENEWED:
	case PROV_AC_EV_LOG:
		break;
	}
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int imsued_autoconf_run(struct ue_loop *loop, struct ue_config *cfg, unsigned long timeout_ms,
			char *err, size_t errlen)
{
	struct ac_run r = {.loop = loop, .cfg = cfg};
	struct prov_ac_params p = {
		.flow = PROV_AC_FLOW_CELLULAR,
		.server = cfg->autoconf_server[0] ? cfg->autoconf_server : NULL,
		.ca_file = cfg->autoconf_ca_file[0] ? cfg->autoconf_ca_file : NULL,
		.store = cfg->autoconf_store,
		.imsi = cfg->imsi[0] ? cfg->imsi : NULL,
		.imei = cfg->imei[0] ? cfg->imei : NULL,
		.msisdn = cfg->msisdn[0] ? cfg->msisdn : NULL,
		.terminal_vendor = cfg->terminal_vendor[0] ? cfg->terminal_vendor : NULL,
		.terminal_model = cfg->terminal_model[0] ? cfg->terminal_model : NULL,
		.terminal_sw_version =
			cfg->terminal_sw_version[0] ? cfg->terminal_sw_version : NULL,
		.accept_language = cfg->accept_language[0] ? cfg->accept_language : NULL,
		.sms_port_set = cfg->sms_port != 0,
		.sms_port = cfg->sms_port,
		.io = {.watch = io_watch, .timer = io_timer, .arg = &r},
		.event = on_event,
		.event_arg = &r,
	};
	char e2[300];
	struct timespec t0;
	int rc;

	if (!cfg->autoconf_enabled)
		return 0;
	if (!cfg->autoconf_store[0]) {
		snprintf(err, errlen, "[autoconf] store is not set");
		return -1;
	}
	r.timer = ue_timer_new(loop, on_timer, &r);
	if (!r.timer || prov_ac_client_new(&p, &r.c, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "%s", r.timer ? e2 : "out of memory");
		ue_timer_free(r.timer);
		return -1;
	}
	if (prov_ac_client_start(r.c, e2, sizeof(e2)) < 0) {
		snprintf(r.reason, sizeof(r.reason), "%.200s", e2);
		r.done = true;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!r.done && elapsed_ms(&t0) < (long)timeout_ms)
		ue_loop_step(loop, 100);
	if (!r.done && !r.reason[0])
		snprintf(r.reason, sizeof(r.reason), "no answer within %lu ms", timeout_ms);
	/* One shot for now: validity re-query, SMS triggers and OTP/MSISDN
	 * prompts need the client kept for the UE's life (doc/autoconf.md). */
	prov_ac_client_free(r.c);
	for (int i = 0; i < AC_MAX_FDS; i++)
		ue_watch_free(r.w[i].w);
	ue_timer_free(r.timer);
	if (r.configured)
		return 0;
	rc = cfg->n_pcscf > 0 ? 1 : -1;
	snprintf(err, errlen, "no configuration from the server: %s", r.reason);
	return rc;
}
