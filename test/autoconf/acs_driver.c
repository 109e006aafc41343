/* Runs the RCC.14 autoconfiguration client (provisioning/acclient.h) on a
 * poll loop against a configuration server (test/autoconf/acs.py) and
 * prints every event as one line of key=value pairs. Answers to the
 * client's questions (OTP, MSISDN, friendly name, message) come from the
 * command line and are given after the callback returns, as a daemon would.
 *
 *   acs_driver --store DIR --server URL [--https-url URL] [--ca FILE] [options]
 *   acs_driver --store DIR --show ID     print the stored record of ID
 */
#include "config.h"

#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "provisioning/acclient.h"
#include "provisioning/profile.h"
#include "provisioning/provdoc.h"
#include "provisioning/sms.h"
#include "provisioning/store.h"

#define MAX_FDS 16

struct drv {
	struct pollfd fds[MAX_FDS];
	int nfds;
	long timer_ms; /* -1 none */
	struct timespec timer_set;
	struct prov_ac_client *c;
	/* answers */
	const char *otp, *otp_sms_hex, *msisdn, *new_fname, *msg_answer, *sms_hex;
	bool sms_sent;
	/* what is pending */
	enum { P_NONE, P_OTP, P_OTP_SMS, P_MSISDN, P_NAME, P_MSG } pending;
	bool idle;
	long next_s;
	int kill_write, writes;
	enum prov_store_step kill_step;
};

static void watch(void *arg, int fd, unsigned ev)
{
	struct drv *d = arg;
	int i;

	for (i = 0; i < d->nfds && d->fds[i].fd != fd; i++)
		;
	if (!ev) {
		if (i < d->nfds)
			d->fds[i] = d->fds[--d->nfds];
		return;
	}
	if (i == d->nfds) {
		if (d->nfds == MAX_FDS)
			abort();
		d->nfds++;
	}
	d->fds[i].fd = fd;
	d->fds[i].events = (short)(((ev & PROV_AC_FD_IN) ? POLLIN : 0) |
				   ((ev & PROV_AC_FD_OUT) ? POLLOUT : 0));
}

static void timer(void *arg, long ms)
{
	struct drv *d = arg;

	d->timer_ms = ms;
	clock_gettime(CLOCK_MONOTONIC, &d->timer_set);
}

static void print_str(const char *k, const char *v)
{
	printf(" %s=", k);
	for (; v && *v; v++)
		putchar(*v == ' ' ? '_' : *v == '\n' ? '|' : *v);
}

static void event(void *arg, const struct prov_ac_event *ev)
{
	struct drv *d = arg;

	printf("event=%s", prov_ac_event_name(ev->type));
	if (ev->status)
		printf(" status=%ld", ev->status);
	printf(" version=%d failures=%u", (int)ev->version, ev->failures);
	switch (ev->type) {
	case PROV_AC_EV_CONFIG_UPDATED: {
		const struct ims_profile *p = ev->profile;
		printf(" validity=%d restored=%d diff=%u", (int)ev->validity, ev->restored,
		       ev->diff);
		print_str("impi", p->impi);
		for (size_t i = 0; i < p->n_impu; i++)
			print_str("impu", p->impu[i]);
		print_str("home_domain", p->home_domain);
		for (size_t i = 0; i < p->n_pcscf; i++)
			print_str("pcscf", p->pcscf[i].address);
		break;
	}
	case PROV_AC_EV_MESSAGE:
		print_str("title", ev->title);
		print_str("message", ev->message);
		printf(" accept_btn=%d reject_btn=%d", ev->accept_btn, ev->reject_btn);
		if (ev->reject_btn && d->msg_answer)
			d->pending = P_MSG;
		break;
	case PROV_AC_EV_OTP_NEEDED:
		printf(" from_user=%d", ev->otp_from_user);
		if (ev->otp_from_user && d->otp)
			d->pending = P_OTP;
		else if (!ev->otp_from_user && d->otp_sms_hex)
			d->pending = P_OTP_SMS;
		break;
	case PROV_AC_EV_MSISDN_NEEDED:
		if (d->msisdn)
			d->pending = P_MSISDN;
		break;
	case PROV_AC_EV_FRIENDLY_NAME_NEEDED:
		if (d->new_fname)
			d->pending = P_NAME;
		break;
	case PROV_AC_EV_IDLE:
		printf(" next=%ld", ev->next_s);
		d->idle = true;
		d->next_s = ev->next_s;
		break;
	default:
		break;
	}
	if (ev->reason && ev->type != PROV_AC_EV_MESSAGE)
		print_str("reason", ev->reason);
	printf("\n");
	fflush(stdout);
}

static int step_hook(void *arg, enum prov_store_step step)
{
	struct drv *d = arg;

	if (step == PROV_STORE_STEP_TEMP_CREATED)
		d->writes++;
	if (d->kill_write && d->writes == d->kill_write && step == d->kill_step) {
		printf("killed write=%d step=%d\n", d->writes, (int)step);
		fflush(stdout);
		raise(SIGKILL);
	}
	return 0;
}

static int sms_hex(struct drv *d, const char *hex)
{
	uint8_t tpdu[200];
	size_t n;
	char err[160];
	int rc;

	if (prov_sms_from_hex(hex, strlen(hex), tpdu, sizeof(tpdu), &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "acs_driver: bad SMS hex: %s\n", err);
		return -1;
	}
	rc = prov_ac_client_sms(d->c, tpdu, n, err, sizeof(err));
	printf("sms=%s", rc == 1 ? "used" : rc == 0 ? "ignored" : "malformed");
	if (rc != 1)
		print_str("reason", err);
	printf("\n");
	return rc;
}

static void answer(struct drv *d)
{
	int rc = 0;

	switch (d->pending) {
	case P_NONE:
		return;
	case P_OTP:
		rc = prov_ac_client_otp(d->c, d->otp);
		break;
	case P_OTP_SMS:
		rc = sms_hex(d, d->otp_sms_hex);
		break;
	case P_MSISDN:
		rc = prov_ac_client_msisdn(d->c, d->msisdn);
		break;
	case P_NAME:
		rc = prov_ac_client_friendly_name(d->c, d->new_fname);
		d->new_fname = NULL;
		break;
	case P_MSG:
		rc = prov_ac_client_msg_answer(d->c, !strcmp(d->msg_answer, "accept"));
		break;
	}
	printf("answer=%d rc=%d\n", (int)d->pending, rc);
	d->pending = P_NONE;
}

static int show(const char *root, const char *id, bool show_token)
{
	struct prov_store_params sp = {.root = root};
	struct prov_store *st;
	struct prov_record r = {0};
	char err[200];
	int rc;

	if (prov_store_open(&sp, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "acs_driver: %s\n", err);
		return 2;
	}
	rc = prov_store_load(st, id, &r, err, sizeof(err));
	if (rc < 0) {
		printf("record=invalid\n");
		fprintf(stderr, "acs_driver: %s\n", err);
		prov_store_close(st);
		return 1;
	}
	if (rc == PROV_STORE_NONE) {
		printf("record=none\n");
	} else {
		struct prov_doc *doc = NULL;
		printf("record=ok\nversion=%d\nvalidity=%d\nhas_token=%d\n", (int)r.version,
		       (int)r.validity, r.has_token);
		if (show_token && r.has_token)
			printf("token=%s\n", r.token);
		if (r.msisdn)
			printf("msisdn=%s\n", r.msisdn);
		printf("doc_length=%zu\n", r.doc_len);
		if (r.doc) {
			int ok = prov_doc_parse(r.doc, r.doc_len, &doc, err, sizeof(err));
			printf("doc=%s\n", ok == 0 ? "parses" : "broken");
			if (ok == 0)
				printf("doc_version=%d\n", (int)doc->version);
			prov_doc_free(doc);
		}
	}
	char last[80];
	if (prov_store_last_identity_get(st, last, sizeof(last), err, sizeof(err)) == 0)
		printf("last_identity=%s\n", last);
	prov_record_clear(&r);
	prov_store_close(st);
	return 0;
}

static long elapsed_ms(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"store", 1, 0, 's'},
		{"server", 1, 0, 'S'},
		{"https-url", 1, 0, 'H'},
		{"ca", 1, 0, 'C'},
		{"flow", 1, 0, 'f'},
		{"imsi", 1, 0, 'i'},
		{"imei", 1, 0, 'e'},
		{"msisdn", 1, 0, 'm'},
		{"sip-uri", 1, 0, 'u'},
		{"vendor", 1, 0, 'V'},
		{"model", 1, 0, 'M'},
		{"swver", 1, 0, 'W'},
		{"fname", 1, 0, 'F'},
		{"new-fname", 1, 0, 'N'},
		{"lang", 1, 0, 'L'},
		{"sms-port", 1, 0, 'p'},
		{"otp", 1, 0, 'o'},
		{"otp-sms", 1, 0, 'O'},
		{"dedicated-otp", 1, 0, 'D'},
		{"answer-msisdn", 1, 0, 'a'},
		{"msg", 1, 0, 'g'},
		{"sms", 1, 0, 'x'},
		{"error-retry", 1, 0, 'r'},
		{"max-requests", 1, 0, 'R'},
		{"max-time", 1, 0, 'T'},
		{"stay", 1, 0, 'y'},
		{"kill-write", 1, 0, 'k'},
		{"kill-step", 1, 0, 'K'},
		{"show", 1, 0, 'Z'},
		{"show-token", 0, 0, 'z'},
		{"device-type", 1, 0, 'd'},
		{"timeout", 1, 0, 't'},
		{0, 0, 0, 0},
	};
	struct prov_ac_params p = {0};
	struct drv d = {.timer_ms = -1, .next_s = -1};
	const char *show_id = NULL;
	bool show_token = false;
	long max_requests = 0, max_time = 60, stay = 10;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			p.store = optarg;
			break;
		case 'S':
			p.server = optarg;
			break;
		case 'H':
			p.https_url = optarg;
			break;
		case 'C':
			p.ca_file = optarg;
			break;
		case 'f':
			if (prov_ac_flow_parse(optarg, &p.flow) < 0) {
				fprintf(stderr, "acs_driver: unknown flow '%s'\n", optarg);
				return 2;
			}
			break;
		case 'i':
			p.imsi = optarg;
			break;
		case 'e':
			p.imei = optarg;
			break;
		case 'm':
			p.msisdn = optarg;
			break;
		case 'u':
			p.sip_uri = optarg;
			break;
		case 'V':
			p.terminal_vendor = optarg;
			break;
		case 'M':
			p.terminal_model = optarg;
			break;
		case 'W':
			p.terminal_sw_version = optarg;
			break;
		case 'F':
			p.friendly_device_name = optarg;
			break;
		case 'N':
			d.new_fname = optarg;
			break;
		case 'L':
			p.accept_language = optarg;
			break;
		case 'p':
			p.sms_port_set = true;
			p.sms_port = (uint16_t)atoi(optarg);
			break;
		case 'o':
			d.otp = optarg;
			break;
		case 'O':
			d.otp_sms_hex = optarg;
			break;
		case 'D':
			p.otp = optarg;
			break;
		case 'a':
			d.msisdn = optarg;
			break;
		case 'g':
			d.msg_answer = optarg;
			break;
		case 'x':
			d.sms_hex = optarg;
			break;
		case 'r':
			p.error_retry_s = atol(optarg);
			break;
		case 'R':
			max_requests = atol(optarg);
			break;
		case 'T':
			max_time = atol(optarg);
			break;
		case 'y':
			stay = atol(optarg);
			break;
		case 'k':
			d.kill_write = atoi(optarg);
			break;
		case 'K':
			d.kill_step = (enum prov_store_step)atoi(optarg);
			break;
		case 'Z':
			show_id = optarg;
			break;
		case 'z':
			show_token = true;
			break;
		case 'd':
			p.device_type = optarg;
			break;
		case 't':
			p.timeout_ms = atol(optarg);
			break;
		default:
			return 2;
		}
	}
	if (!p.store) {
		fprintf(stderr, "acs_driver: --store is required\n");
		return 2;
	}
	if (show_id)
		return show(p.store, show_id, show_token);
	p.io = (struct prov_ac_io){.watch = watch, .timer = timer, .arg = &d};
	p.event = event;
	p.event_arg = &d;
	if (d.kill_write) {
		p.store_step_hook = step_hook;
		p.store_hook_arg = &d;
	}
	char err[300];
	if (prov_ac_client_new(&p, &d.c, err, sizeof(err)) < 0) {
		fprintf(stderr, "acs_driver: %s\n", err);
		return 2;
	}
	if (prov_ac_client_start(d.c, err, sizeof(err)) < 0) {
		fprintf(stderr, "acs_driver: %s\n", err);
		prov_ac_client_free(d.c);
		return 2;
	}
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = 0;
	for (;;) {
		answer(&d);
		if (d.idle && !prov_ac_client_busy(d.c)) {
			d.idle = false;
			if (d.sms_hex && !d.sms_sent) {
				d.sms_sent = true;
				/* Ignored: still idle, decide below; used: a query
				 * is starting. */
				if (sms_hex(&d, d.sms_hex) == 1)
					continue;
			}
			if (d.next_s < 0 || stay == 0 || d.next_s > stay ||
			    (max_requests &&
			     prov_ac_client_requests(d.c) >= (unsigned)max_requests))
				break;
		}
		if (elapsed_ms(&t0) > max_time * 1000) {
			printf("timeout\n");
			rc = 1;
			break;
		}
		long wait = 200;
		if (d.timer_ms >= 0) {
			long left = d.timer_ms - elapsed_ms(&d.timer_set);
			if (left < wait)
				wait = left < 0 ? 0 : left;
		}
		int n = poll(d.fds, (nfds_t)d.nfds, (int)wait);
		if (n > 0) {
			struct pollfd ready[MAX_FDS];
			int nr = d.nfds;
			memcpy(ready, d.fds, sizeof(ready));
			for (int i = 0; i < nr; i++) {
				unsigned ev = 0;
				if (ready[i].revents & (POLLIN | POLLHUP | POLLERR))
					ev |= PROV_AC_FD_IN;
				if (ready[i].revents & POLLOUT)
					ev |= PROV_AC_FD_OUT;
				if (ev)
					prov_ac_client_on_fd(d.c, ready[i].fd, ev);
			}
		}
		if (d.timer_ms >= 0 && elapsed_ms(&d.timer_set) >= d.timer_ms) {
			d.timer_ms = -1;
			prov_ac_client_on_timer(d.c);
		}
	}
	const struct ims_profile *prof = prov_ac_client_profile(d.c);
	printf("requests=%u\nconfigured=%s\n", prov_ac_client_requests(d.c), prof ? "yes" : "no");
	prov_ac_client_free(d.c);
	return rc;
}
