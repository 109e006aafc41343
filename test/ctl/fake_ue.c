/* Fake ims_ue_* (ue/ue.h): keeps a state string, answers status, emits a
 * "deregistered" event on deregistration, and finishes shutdown after a
 * few milliseconds on the loop. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test/ctl/fake_ue.h"

static void emit(struct ims_ue *ue, const char *name, const char *impu, const char *reason)
{
	json_t *d = json_pack("{s:s,s:s}", "impu", impu, "state", ue->state);

	if (reason)
		json_object_set_new(d, "reason", json_string(reason));
	if (ue->cb)
		ue->cb(ue->arg, ue, name, d);
	json_decref(d);
}

int ims_ue_new(struct ims_ue **out, struct ue_loop *loop, const struct ue_config *cfg,
	       ims_ue_event_cb cb, void *arg, char *err, size_t errlen)
{
	struct ims_ue *ue = calloc(1, sizeof(*ue));
	const char *base;
	size_t n;

	if (!ue) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ue->loop = loop;
	ue->cfg = *cfg;
	base = strrchr(cfg->path, '/');
	base = base ? base + 1 : cfg->path;
	n = strcspn(base, ".");
	snprintf(ue->name, sizeof(ue->name), "%.*s", (int)n, base);
	ue->state = "deregistered";
	ue->cb = cb;
	ue->arg = arg;
	*out = ue;
	return 0;
}

int ims_ue_start(struct ims_ue *ue)
{
	ue->n_start++;
	if (ue->start_rc == 0)
		ue->state = "registering";
	return ue->start_rc;
}

int ims_ue_deregister(struct ims_ue *ue, const char *impu, char *err, size_t errlen)
{
	ue->n_dereg++;
	snprintf(ue->last_dereg, sizeof(ue->last_dereg), "%s", impu);
	if (strcmp(impu, "all") && (!ue->cfg.n_impu || strcmp(impu, ue->cfg.impu[0]))) {
		snprintf(err, errlen, "'%s' is not registered", impu);
		return -1;
	}
	ue->state = "deregistered";
	emit(ue, "deregistered", ue->cfg.n_impu ? ue->cfg.impu[0] : "", "user");
	return 0;
}

int ims_ue_fetch_bindings(struct ims_ue *ue, char *err, size_t errlen)
{
	if (strcmp(ue->state, "registered")) {
		snprintf(err, errlen, "bindings: not registered (state %s)", ue->state);
		return -1;
	}
	return 0;
}

json_t *ims_ue_status(struct ims_ue *ue)
{
	return json_pack("{s:s,s:s,s:s,s:[],s:n}", "name", ue->name, "state", ue->state, "impu",
			 ue->cfg.n_impu ? ue->cfg.impu[0] : "", "associated_uris", "last_error");
}

static void shutdown_done(void *arg)
{
	struct ims_ue *ue = arg;

	ue->state = "deregistered";
	ue->done(ue->done_arg);
}

void ims_ue_shutdown(struct ims_ue *ue, unsigned long timeout_ms, void (*done)(void *), void *arg)
{
	ue->state = "deregistering";
	ue->done = done;
	ue->done_arg = arg;
	if (!ue->done_timer)
		ue->done_timer = ue_timer_new(ue->loop, shutdown_done, ue);
	ue_timer_start(ue->done_timer, timeout_ms < 20 ? timeout_ms : 20);
}

void ims_ue_free(struct ims_ue *ue)
{
	if (!ue)
		return;
	ue_timer_free(ue->done_timer);
	ue_config_wipe(&ue->cfg);
	free(ue);
}

const char *ims_ue_name(const struct ims_ue *ue)
{
	return ue->name;
}

void ims_ue_set_log(struct ims_ue *ue, int level,
		    void (*fn)(void *arg, int level, const char *line), void *arg)
{
	ue->log = fn;
	ue->log_arg = arg;
	if (fn && level >= 2)
		fn(arg, 2, "fake UE: no registration machine behind this");
}
