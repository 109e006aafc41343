/* Test driver for the scripted-peer tests: one struct ims_ue from a config
 * file on the real su_root loop. Prints one JSON object per line on stdout:
 *   {"event": NAME, "data": {...}}   for every UE event
 *   {"status": {...}}                 after a "status" command
 *   {"reply": "ok"|"error", ...}      after other commands
 * Commands, one per line on stdin: status | register | deregister IMPU|all |
 * bindings | shutdown [MS] | quit, optionally prefixed with "N:" to address the N-th
 * UE (0-based; default 0). EOF on stdin quits. Events carry "ue": N.
 * Usage: ue_driver CONFIG [CONFIG...]   (one struct ims_ue per file, one loop)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ue/ue_config.h"
#include "ue/loop.h"
#include "ue/ue.h"

#define DRV_MAX_UE 8

struct drv;

struct drv_ue {
	struct drv *d;
	struct ims_ue *ue;
	int idx;
	bool stopped;
};

struct drv {
	struct ue_loop *loop;
	struct drv_ue u[DRV_MAX_UE];
	int n;
	struct ue_watch *w;
	char buf[1024];
	size_t len;
	bool stopping;
};

static void print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

	if (s) {
		printf("%s\n", s);
		fflush(stdout);
		free(s);
	}
	json_decref(o);
}

static void on_event(void *arg, struct ims_ue *ue, const char *name, json_t *data)
{
	struct drv_ue *u = arg;

	(void)ue;
	print_json(json_pack("{s:s, s:O, s:i}", "event", name, "data", data, "ue", u->idx));
}

static void reply(const char *r, const char *err)
{
	json_t *o = json_pack("{s:s}", "reply", r);

	if (err)
		json_object_set_new(o, "error", json_string(err));
	print_json(o);
}

static void shutdown_done(void *arg)
{
	struct drv_ue *u = arg;
	struct drv *d = u->d;
	bool all = true;

	u->stopped = true;
	reply("shutdown-done", NULL);
	for (int i = 0; i < d->n; i++)
		all = all && d->u[i].stopped;
	if (all)
		ue_loop_quit(d->loop);
}

static void command(struct drv *d, char *line)
{
	char err[256];
	struct drv_ue *u = &d->u[0];
	bool prefixed = false;

	if (line[0] >= '0' && line[0] <= '9' && line[1] == ':') {
		prefixed = true;
		if (line[0] - '0' >= d->n) {
			reply("error", "no such UE");
			return;
		}
		u = &d->u[line[0] - '0'];
		line += 2;
	}

	if (!strcmp(line, "status")) {
		json_t *st = ims_ue_status(u->ue);

		print_json(json_pack("{s:o}", "status", st ? st : json_null()));
	} else if (!strcmp(line, "register")) {
		reply(ims_ue_start(u->ue) == 0 ? "ok" : "error", NULL);
	} else if (!strncmp(line, "deregister ", 11)) {
		if (ims_ue_deregister(u->ue, line + 11, err, sizeof(err)) == 0)
			reply("ok", NULL);
		else
			reply("error", err);
	} else if (!strcmp(line, "bindings")) {
		if (ims_ue_fetch_bindings(u->ue, err, sizeof(err)) == 0)
			reply("ok", NULL);
		else
			reply("error", err);
	} else if (!strncmp(line, "shutdown", 8)) {
		unsigned long ms = line[8] ? strtoul(line + 9, NULL, 10) : 5000;

		d->stopping = true;
		/* "shutdown" without a prefix stops every UE; the driver exits
		 * once every UE has stopped. */
		for (int i = 0; i < d->n; i++)
			if (!prefixed || &d->u[i] == u)
				ims_ue_shutdown(d->u[i].ue, ms, shutdown_done, &d->u[i]);
	} else if (!strcmp(line, "quit")) {
		ue_loop_quit(d->loop);
	} else {
		reply("error", "unknown command");
	}
}

static void on_stdin(void *arg, int fd, unsigned events)
{
	struct drv *d = arg;
	ssize_t n;
	char *nl;

	(void)events;
	n = read(fd, d->buf + d->len, sizeof(d->buf) - 1 - d->len);
	if (n <= 0) {
		ue_watch_free(d->w);
		d->w = NULL;
		if (!d->stopping)
			ue_loop_quit(d->loop);
		return;
	}
	d->len += (size_t)n;
	d->buf[d->len] = '\0';
	while ((nl = strchr(d->buf, '\n'))) {
		*nl = '\0';
		if (nl > d->buf && nl[-1] == '\r')
			nl[-1] = '\0';
		command(d, d->buf);
		d->len -= (size_t)(nl + 1 - d->buf);
		memmove(d->buf, nl + 1, d->len + 1);
	}
	if (d->len == sizeof(d->buf) - 1)
		d->len = 0; /* overlong line: drop */
}

int main(int argc, char **argv)
{
	struct ue_config cfg;
	struct drv d = {0};
	char err[512];
	int rc = 0;

	if (argc < 2 || argc - 1 > DRV_MAX_UE) {
		fprintf(stderr, "usage: ue_driver CONFIG [CONFIG...]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	d.loop = ue_loop_new();
	if (!d.loop) {
		fprintf(stderr, "ue_driver: no event loop\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		struct drv_ue *u = &d.u[d.n];

		ue_config_defaults(&cfg);
		if (ue_config_load(argv[i], &cfg, err, sizeof(err)) != 0) {
			fprintf(stderr, "ue_driver: %s\n", err);
			rc = 2;
			break;
		}
		u->d = &d;
		u->idx = d.n;
		if (ims_ue_new(&u->ue, d.loop, &cfg, on_event, u, err, sizeof(err)) != 0) {
			fprintf(stderr, "ue_driver: %s\n", err);
			ue_config_wipe(&cfg);
			rc = 1;
			break;
		}
		ue_config_wipe(&cfg);
		d.n++;
	}
	if (rc == 0) {
		d.w = ue_watch_fd(d.loop, 0, UE_FD_IN, on_stdin, &d);
		reply("ready", NULL);
		/* A failure to start is reported as an event and in the status. */
		for (int i = 0; i < d.n; i++)
			(void)ims_ue_start(d.u[i].ue);
		ue_loop_run(d.loop);
		ue_watch_free(d.w);
	}
	for (int i = 0; i < d.n; i++)
		ims_ue_free(d.u[i].ue);
	ue_loop_free(d.loop);
	return rc;
}
