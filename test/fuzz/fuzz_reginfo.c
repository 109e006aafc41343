/* Fuzz target: reg event bodies. Parsing either fails with a one-line
 * reason and no document, or gives a consistent document; applying it to
 * a fresh subscription and to one that already holds state gives one
 * consistent action per registration, and applying it twice is stale.
 *
 * FUZZ-SOURCES: ue/reginfo.c
 * FUZZ-PKGS: libxml-2.0
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ue/reginfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OURS "sip:001010000000001@192.0.2.10:5062"
#define INST "<urn:gsma:imei:49015420-323751-0>"

/* Version 0, so that most inputs are newer. */
static const char seed[] =
	"<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='0' state='full'>"
	"<registration aor='sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org' id='reg1'"
	" state='active'><contact id='c1' state='active' event='registered'>"
	"<uri>" OURS "</uri></contact></registration>"
	"<registration aor='tel:+15550100001' id='reg2' state='active'>"
	"<contact id='c2' state='active' event='registered'><uri>sip:x@198.51.100.7</uri>"
	"<unknown-param name='+sip.instance'>\"&lt;urn:gsma:imei:49015420-323751-0&gt;\""
	"</unknown-param></contact></registration></reginfo>";

static void check_doc(const struct ue_reginfo *doc)
{
	if (doc->n_regs > UE_REGINFO_MAX_REGS || doc->state > UE_REGINFO_PARTIAL)
		abort();
	for (size_t i = 0; i < doc->n_regs; i++) {
		const struct ue_reginfo_registration *r = &doc->regs[i];
		if (!r->aor || !r->aor[0] || !r->id || r->state > UE_REGINFO_REG_TERMINATED ||
		    r->n_contacts > UE_REGINFO_MAX_CONTACTS)
			abort();
		for (size_t j = 0; j < r->n_contacts; j++) {
			const struct ue_reginfo_contact *c = &r->contacts[j];
			if (!c->id || !c->uri || !c->uri[0] ||
			    c->state > UE_REGINFO_CONTACT_TERMINATED ||
			    c->event > UE_REGINFO_EV_REJECTED ||
			    c->n_params > UE_REGINFO_MAX_PARAMS || c->q1000 < -1 ||
			    c->q1000 > 1000 || (c->q1000 >= 0 && !c->q))
				abort();
			for (size_t k = 0; k < c->n_params; k++)
				if (!c->params[k].name || !c->params[k].value)
					abort();
			/* Matching is symmetric. */
			const char *other = r->contacts[(j + 1) % r->n_contacts].uri;
			if (ue_reginfo_uri_match(c->uri, other) !=
				    ue_reginfo_uri_match(other, c->uri) ||
			    ue_reginfo_uri_match(c->uri, OURS) !=
				    ue_reginfo_uri_match(OURS, c->uri))
				abort();
			const char *inst = ue_reginfo_contact_param(c, "+sip.instance");
			if (inst && ue_reginfo_instance_match(inst, INST) !=
					    ue_reginfo_instance_match(INST, inst))
				abort();
		}
	}
}

static void check_result(const struct ue_reginfo *doc, const struct ue_reginfo_result *res)
{
	if (res->stale)
		abort();
	if (res->n_actions != doc->n_regs)
		abort();
	for (size_t i = 0; i < res->n_actions; i++) {
		const struct ue_reginfo_action *a = &res->actions[i];
		if (a->aor != doc->regs[i].aor || a->state != doc->regs[i].state ||
		    a->action > UE_REGINFO_ACT_DEREGISTERED ||
		    (a->action == UE_REGINFO_ACT_NONE) != (a->reason == NULL) ||
		    (a->rejected && a->action != UE_REGINFO_ACT_DEREGISTERED) ||
		    (a->expires && a->action != UE_REGINFO_ACT_REREGISTER) ||
		    (a->retry_after.present && a->action != UE_REGINFO_ACT_DEREGISTERED))
			abort();
	}
}

static void apply_checked(struct ue_reginfo_sub *sub, const struct ue_reginfo *doc)
{
	struct ue_reginfo_result *res = malloc(sizeof(*res));
	char err[256] = "";
	uint64_t v;

	if (!res)
		abort();
	if (ue_reginfo_sub_apply(sub, doc, res, err, sizeof(err)) == 0) {
		if (!res->stale) {
			check_result(doc, res);
			if (!ue_reginfo_sub_version(sub, &v) || v != doc->version)
				abort();
			/* The same version again is old news. */
			if (ue_reginfo_sub_apply(sub, doc, res, err, sizeof(err)) != 0 ||
			    !res->stale || res->n_actions)
				abort();
		}
	} else if (!err[0] || strchr(err, '\n') || !res->need_refresh || res->n_actions) {
		abort();
	}
	free(res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ue_reginfo *doc = (struct ue_reginfo *)1, *pre = NULL;
	struct ue_reginfo_sub *sub = NULL;
	char err[256] = "";

	if (ue_reginfo_parse(data, size, &doc, err, sizeof(err)) != 0) {
		if (doc || !err[0] || strchr(err, '\n') || strchr(err, '\r'))
			abort();
		return 0;
	}
	check_doc(doc);

	/* A fresh subscription. */
	if (ue_reginfo_sub_new(&sub, OURS, INST, err, sizeof(err)) != 0)
		abort();
	apply_checked(sub, doc);

	/* One that already holds state (partial input merges into it). */
	ue_reginfo_sub_reset(sub);
	if (ue_reginfo_parse((const uint8_t *)seed, sizeof(seed) - 1, &pre, err, sizeof(err)) != 0)
		abort();
	struct ue_reginfo_result *res = malloc(sizeof(*res));
	if (!res || ue_reginfo_sub_apply(sub, pre, res, err, sizeof(err)) != 0)
		abort();
	free(res);
	apply_checked(sub, doc);

	ue_reginfo_sub_free(sub);
	ue_reginfo_free(pre);
	ue_reginfo_free(doc);
	return 0;
}
