/* imsued: runs one IMS UE per configuration file on one event loop, with a
 * control socket per UE (imsued(8), doc/control-protocol.md). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <jansson.h>

#include "tools/ctl.h"
#include "tools/imsued_autoconf.h"
#include "ue/ue_config.h"
#include "ue/loop.h"
#include "ue/ue.h"

/* How long deregistration may take when the daemon stops. */
#define IMSUED_SHUTDOWN_MS 5000
#define IMSUED_MAX_UE      64

enum { L_ERR = 0, L_NOTICE = 1, L_INFO = 2, L_DEBUG = 3 };

/* Log categories, each with its own level (-d LEVEL,CATEGORY=LEVEL,...). */
enum { C_DAEMON, C_CTL, C_EVENT, C_REG, C_REGEVENT, C_SIP, N_CAT };
static const char *const cat_name[N_CAT] = {"daemon", "ctl", "event", "reg", "regevent", "sip"};

struct ued;

struct ued_ue {
	struct ued *d;
	const char *path;     /* as given with -c */
	char name[64];        /* log prefix: file name without .conf */
	struct ue_config cfg; /* what the running UE was made from */
	struct ims_ue *ue;
	struct ctl_server *ctl;
	/* Reconfiguration: the validated new settings wait here until the old
	 * UE has deregistered. */
	bool have_pending, replacing;
	bool folded; /* a further change came during the replacement */
	struct ue_config pending;
	struct ims_ue *old;
	bool shut_down;
};

struct ued {
	struct ue_loop *loop;
	struct ued_ue *ue;
	size_t n_ue;
	int level;            /* the highest of the categories' levels */
	int cat_level[N_CAT];
	bool use_syslog, json_events, log_keys;
	int sigfd;
	struct ue_watch *sigwatch;
	struct ue_timer *apply_timer; /* applies reloads outside callbacks */
	struct ue_timer *stop_timer;  /* bound on the shutdown */
	bool stopping;
	size_t n_running; /* UEs whose shutdown has not finished */
	int exit_code;
};

static void log_line(struct ued *d, int cat, int level, const char *ue, const char *msg)
{
	if (level > d->cat_level[cat])
		return;
	if (d->use_syslog) {
		static const int prio[] = {LOG_ERR, LOG_NOTICE, LOG_INFO, LOG_DEBUG};

		syslog(prio[level], "%s%s%s: %s", ue ? ue : "", ue ? " " : "", cat_name[cat], msg);
	} else {
		static const char *const tag[] = {"error", "notice", "info", "debug"};

		fprintf(stderr, "imsued[%s] %s%s%s: %s\n", tag[level], ue ? ue : "", ue ? " " : "",
			cat_name[cat], msg);
	}
}

/* One line of category cat; ue is the UE's name or NULL for the daemon. */
__attribute__((format(printf, 5, 6))) static void logc(struct ued *d, int cat, int level,
						       const char *ue, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (level > d->cat_level[cat])
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_line(d, cat, level, ue, msg);
}

#define logm(d, level, ue, ...) logc(d, C_DAEMON, level, ue, __VA_ARGS__)

/* -d: "LEVEL" or a comma-separated list of LEVEL and CATEGORY=LEVEL; a
 * bare LEVEL sets every category not named. 0, or -1 with a reason. */
static int parse_debug(struct ued *d, const char *arg, char *err, size_t errlen)
{
	int lv[N_CAT], all = -1;
	const char *p = arg;

	for (int c = 0; c < N_CAT; c++)
		lv[c] = -1;
	while (*p) {
		size_t n = strcspn(p, ","), k = strcspn(p, "=");
		int c = -1;

		if (k < n) {
			for (int i = 0; i < N_CAT; i++)
				if (strlen(cat_name[i]) == k && !strncmp(p, cat_name[i], k))
					c = i;
			if (c < 0) {
				snprintf(err, errlen,
					 "-d: unknown category '%.*s' (daemon, ctl, event, reg, "
					 "regevent, sip)",
					 (int)k, p);
				return -1;
			}
			p += k + 1;
			n -= k + 1;
		}
		if (n != 1 || *p < '0' || *p > '3') {
			snprintf(err, errlen, "-d needs a level 0..3, got '%s'", arg);
			return -1;
		}
		if (c < 0)
			all = *p - '0';
		else
			lv[c] = *p - '0';
		p += n;
		if (*p == ',' && p[1])
			p++;
		else if (*p) {
			snprintf(err, errlen, "-d needs a level 0..3, got '%s'", arg);
			return -1;
		}
	}
	if (p == arg) {
		snprintf(err, errlen, "-d needs a level 0..3, got '%s'", arg);
		return -1;
	}
	d->level = 0;
	for (int c = 0; c < N_CAT; c++) {
		d->cat_level[c] = lv[c] >= 0 ? lv[c] : all >= 0 ? all : L_NOTICE;
		if (d->cat_level[c] > d->level)
			d->level = d->cat_level[c];
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: imsued -c FILE [-c FILE...] [-f] [-d LEVEL] [-K] [--json-events]\n"
		   "       imsued -h | --help | -V | --version\n"
		   "  -c, --config FILE   UE configuration (imsued.conf(5)); repeat for more UEs\n"
		   "  -f, --foreground    stay in the foreground and log to stderr\n"
		   "  -d, --debug LEVEL   0 errors, 1 +events (default), 2 +info, 3 +debug;\n"
		   "                      or LEVEL,CATEGORY=LEVEL,... with the categories\n"
		   "                      daemon, ctl, event, reg, regevent, sip\n"
		   "  -K, --log-keys      also log keys and passwords (lab use only)\n"
		   "      --json-events   print every event as one JSON line on stdout\n");
}

/* "alice" for ".../alice.conf". */
static void ue_name_from_path(const char *path, char *out, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && !strcmp(base + n - 5, ".conf"))
		n -= 5;
	snprintf(out, size, "%.*s", (int)n, base);
}

static void human_event(char *buf, size_t size, json_t *ev)
{
	const char *key;
	json_t *v;
	size_t len;

	snprintf(buf, size, "%s", json_string_value(json_object_get(ev, "event")));
	json_object_foreach(ev, key, v)
	{
		char *s;

		if (!strcmp(key, "event") || !strcmp(key, "ue"))
			continue;
		s = json_is_string(v) ? strdup(json_string_value(v))
				      : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		len = strlen(buf);
		snprintf(buf + len, size - len, " %s=%s", key, s ? s : "?");
		free(s);
	}
}

/* One event to the log, the control socket's subscribers and --json-events. */
static void emit(struct ued_ue *u, const char *ue_name, const char *name, json_t *data)
{
	struct ued *d = u->d;
	json_t *ev = json_pack("{s:s,s:s}", "event", name, "ue", ue_name);
	const char *key;
	json_t *v;
	char line[1024];

	if (!ev)
		return;
	json_object_foreach(data, key, v)
	{
		if (strcmp(key, "event") && strcmp(key, "ue"))
			json_object_set(ev, key, v);
	}
	human_event(line, sizeof(line), ev);
	logc(d, C_EVENT, L_NOTICE, u->name, "%s", line);
	if (u->ctl)
		ctl_server_event(u->ctl, ev);
	if (d->json_events) {
		char *s = json_dumps(ev, JSON_COMPACT);

		if (s) {
			printf("%s\n", s);
			fflush(stdout);
			free(s);
		}
	}
	json_decref(ev);
}

static void on_ue_event(void *arg, struct ims_ue *ue, const char *name, json_t *data)
{
	emit(arg, ims_ue_name(ue), name, data);
}

/* The daemon's own event: the configuration file was applied again. */
static void emit_config_updated(struct ued_ue *u, bool reregister)
{
	json_t *data = json_pack("{s:s,s:b}", "source", "file", "reregister", reregister);

	emit(u,
	     u->ue    ? ims_ue_name(u->ue)
	     : u->old ? ims_ue_name(u->old)
		      : u->name,
	     "config-updated", data);
	json_decref(data);
}

static void shutdown_done(void *arg);

static void stop_now(void *arg)
{
	struct ued *d = arg;

	if (d->n_running)
		logm(d, L_ERR, NULL, "deregistration did not finish in time; exiting anyway");
	ue_loop_quit(d->loop);
}

/* SIGTERM, SIGINT, "quit": deregister everything, bounded in time. */
static void daemon_stop(struct ued *d)
{
	if (d->stopping)
		return;
	d->stopping = true;
	logm(d, L_NOTICE, NULL, "stopping: deregistering (at most %d ms)", IMSUED_SHUTDOWN_MS);
	ue_timer_start(d->stop_timer, IMSUED_SHUTDOWN_MS + 500);
	d->n_running = 0;
	for (size_t i = 0; i < d->n_ue; i++)
		if (d->ue[i].ue || d->ue[i].old)
			d->n_running++;
	if (!d->n_running) {
		ue_loop_quit(d->loop);
		return;
	}
	for (size_t i = 0; i < d->n_ue; i++) {
		struct ued_ue *u = &d->ue[i];

		/* A UE already deregistering for a reload finishes that instead. */
		if (u->ue)
			ims_ue_shutdown(u->ue, IMSUED_SHUTDOWN_MS, shutdown_done, u);
		else if (u->old)
			u->have_pending = false;
	}
}

static void shutdown_done(void *arg)
{
	struct ued_ue *u = arg;
	struct ued *d = u->d;

	if (u->shut_down)
		return;
	u->shut_down = true;
	logm(d, L_INFO, u->name, "deregistered, shut down");
	if (d->n_running && --d->n_running == 0)
		ue_loop_quit(d->loop);
}

/* The registration layer's log lines, with this UE's prefix. */
static void on_ue_log(void *arg, int level, const char *line)
{
	struct ued_ue *u = arg;
	int cat = C_REG;

	/* The registration layer names its parts in a prefix. */
	if (!strncmp(line, "sip: ", 5)) {
		cat = C_SIP;
		line += 5;
	} else if (!strncmp(line, "reg event: ", 11)) {
		cat = C_REGEVENT;
		line += 11;
	}
	logc(u->d, cat, level < L_ERR ? L_ERR : level > L_DEBUG ? L_DEBUG : level, u->name, "%s",
	     line);
}

static int ue_create(struct ued_ue *u, const struct ue_config *cfg)
{
	char err[512] = "";

	if (ims_ue_new(&u->ue, u->d->loop, cfg, on_ue_event, u, err, sizeof(err)) != 0) {
		logm(u->d, L_ERR, u->name, "cannot create the UE: %s", err);
		u->ue = NULL;
		return -1;
	}
	ims_ue_set_log(u->ue, u->d->level, on_ue_log, u);
	if (u->ctl)
		ctl_server_set_ue(u->ctl, u->ue);
	if (ims_ue_start(u->ue) != 0) {
		logm(u->d, L_ERR, u->name, "cannot start registration");
		return -1;
	}
	return 0;
}

/* The control socket moves when [ctl] socket changes. */
static int ctl_open(struct ued_ue *u, const char *path);

/* Only the control socket path differs: no need to re-register. */
static bool same_but_socket(const struct ue_config *a, const struct ue_config *b)
{
	struct ue_config *x = malloc(sizeof(*x)), *y = malloc(sizeof(*y));
	bool same;

	if (!x || !y) {
		free(x);
		free(y);
		return false;
	}
	*x = *a;
	*y = *b;
	memset(x->ctl_socket, 0, sizeof(x->ctl_socket));
	memset(y->ctl_socket, 0, sizeof(y->ctl_socket));
	same = !memcmp(x, y, sizeof(*x));
	ue_config_wipe(x);
	ue_config_wipe(y);
	free(x);
	free(y);
	return same;
}

static void old_done(void *arg)
{
	struct ued_ue *u = arg;

	u->replacing = false;
	/* Freed and replaced from the apply timer, outside the UE's callback. */
	ue_timer_start(u->d->apply_timer, 0);
}

/* The control socket follows [ctl] socket; if it cannot move, it stays. */
static bool move_socket(struct ued_ue *u)
{
	if (!strcmp(u->pending.ctl_socket, u->cfg.ctl_socket))
		return false;
	if (ctl_open(u, u->pending.ctl_socket) == 0) {
		memcpy(u->cfg.ctl_socket, u->pending.ctl_socket, sizeof(u->cfg.ctl_socket));
		return true;
	}
	memcpy(u->pending.ctl_socket, u->cfg.ctl_socket, sizeof(u->cfg.ctl_socket));
	return false;
}

static void take_pending(struct ued_ue *u)
{
	u->have_pending = false;
	ue_config_wipe(&u->cfg);
	u->cfg = u->pending;
	ue_config_wipe(&u->pending);
}

/* Apply validated new settings: move the socket, or re-create the UE (the
 * old one deregisters first). Runs from the apply timer only, never from
 * inside a UE or control socket callback. */
static void apply_one(struct ued_ue *u)
{
	struct ued *d = u->d;
	bool moved;

	if (u->old) {
		if (u->replacing)
			return;
		if (u->ctl)
			ctl_server_set_ue(u->ctl, NULL);
		ims_ue_free(u->old);
		u->old = NULL;
		if (d->stopping) {
			shutdown_done(u);
			return;
		}
		if (!u->have_pending)
			return;
		move_socket(u);
		take_pending(u);
		if (ue_create(u, &u->cfg) == 0)
			logm(d, L_NOTICE, u->name, "reconfigured: registering again");
		if (u->folded) {
			u->folded = false;
			emit_config_updated(u, true);
		}
		return;
	}
	if (!u->have_pending || d->stopping)
		return;
	moved = move_socket(u);
	if (!u->ue) {
		/* Creating it failed last time: try again with these settings. */
		take_pending(u);
		if (ue_create(u, &u->cfg) == 0)
			logm(d, L_NOTICE, u->name, "reconfigured: registering again");
		emit_config_updated(u, true);
		return;
	}
	if (same_but_socket(&u->pending, &u->cfg)) {
		u->have_pending = false;
		ue_config_wipe(&u->pending);
		logm(d, L_INFO, u->name, "no change that needs a new registration");
		if (moved)
			emit_config_updated(u, false);
		return;
	}
	logm(d, L_NOTICE, u->name, "configuration changed: deregistering, then registering again");
	emit_config_updated(u, true);
	u->old = u->ue;
	u->ue = NULL;
	u->replacing = true;
	/* Commands wait for the new UE rather than reach the leaving one. */
	if (u->ctl)
		ctl_server_set_ue(u->ctl, NULL);
	ims_ue_shutdown(u->old, IMSUED_SHUTDOWN_MS, old_done, u);
}

static void apply_all(void *arg)
{
	struct ued *d = arg;

	for (size_t i = 0; i < d->n_ue; i++)
		apply_one(&d->ue[i]);
}

/* Read and validate the file again; the change itself is applied from the
 * loop. A bad file changes nothing. */
static int ue_reload(struct ued_ue *u, char *err, size_t errlen)
{
	struct ued *d = u->d;
	struct ue_config *c = malloc(sizeof(*c));

	if (!c)
		return snprintf(err, errlen, "out of memory"), -1;
	if (ue_config_load(u->path, c, err, errlen) != 0) {
		free(c);
		return -1;
	}
	if (d->log_keys)
		c->log_keys = true;
	for (size_t i = 0; i < d->n_ue; i++) {
		if (&d->ue[i] != u && !strcmp(d->ue[i].cfg.ctl_socket, c->ctl_socket)) {
			snprintf(err, errlen, "%s: control socket %s is also used by %s", u->path,
				 c->ctl_socket, d->ue[i].path);
			ue_config_wipe(c);
			free(c);
			return -1;
		}
	}
	/* A change that arrives while the UE is being replaced is folded into
	 * the replacement; it is reported when that completes. */
	if (u->old && u->have_pending && !same_but_socket(c, &u->pending))
		u->folded = true;
	if (u->have_pending)
		ue_config_wipe(&u->pending);
	u->pending = *c;
	u->have_pending = true;
	ue_config_wipe(c);
	free(c);
	ue_timer_start(d->apply_timer, 0);
	return 0;
}

static void daemon_reload(struct ued *d)
{
	char err[1024];

	logm(d, L_NOTICE, NULL, "reloading the configuration");
	for (size_t i = 0; i < d->n_ue; i++)
		if (ue_reload(&d->ue[i], err, sizeof(err)) != 0)
			logm(d, L_ERR, d->ue[i].name,
			     "reload refused, keeping the old settings: %s", err);
}

static void hook_quit(void *arg, struct ctl_server *srv)
{
	struct ued_ue *u = arg;

	logc(u->d, C_CTL, L_INFO, u->name, "quit requested on the control socket");
	daemon_stop(u->d);
}

static int hook_reconfigure(void *arg, struct ctl_server *srv, char *err, size_t errlen)
{
	struct ued_ue *u = arg;

	if (u->d->stopping)
		return snprintf(err, errlen, "the daemon is stopping"), -1;
	logc(u->d, C_CTL, L_INFO, u->name, "reconfigure requested on the control socket");
	return ue_reload(u, err, errlen);
}

static const struct ctl_hooks ctl_hooks = {hook_quit, hook_reconfigure};

static int ctl_open(struct ued_ue *u, const char *path)
{
	struct ctl_params p = {.loop = u->d->loop, .path = path, .hooks = &ctl_hooks, .arg = u};
	struct ctl_server *srv;
	char err[512];

	if (ctl_server_new(&srv, &p, err, sizeof(err)) != 0) {
		logc(u->d, C_CTL, L_ERR, u->name, "%s", err);
		return -1;
	}
	ctl_server_free(u->ctl);
	u->ctl = srv;
	ctl_server_set_ue(srv, u->ue);
	logc(u->d, C_CTL, L_INFO, u->name, "control socket %s", path);
	return 0;
}

static void on_signal(void *arg, int fd, unsigned events)
{
	struct ued *d = arg;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			if (d->stopping) {
				logm(d, L_NOTICE, NULL, "second signal: exiting now");
				ue_loop_quit(d->loop);
			}
			daemon_stop(d);
			break;
		case SIGHUP:
			if (!d->stopping)
				daemon_reload(d);
			break;
		}
	}
}

/* Fork into the background. The parent waits until the child reports that
 * everything is up (or why not) and exits with the matching status. */
static int daemonize(int *report_fd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		char msg[1024];
		ssize_t n;
		size_t len = 0;

		close(p[1]);
		while (len < sizeof(msg) - 1 &&
		       (n = read(p[0], msg + len, sizeof(msg) - 1 - len)) > 0)
			len += (size_t)n;
		msg[len] = '\0';
		waitpid(pid, NULL, 0);
		if (!strcmp(msg, "ok"))
			_exit(0);
		fprintf(stderr, "imsued: %s\n", len ? msg : "failed to start");
		_exit(1);
	}
	close(p[0]);
	if (setsid() < 0)
		_exit(1);
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		_exit(1);
	*report_fd = p[1];
	return 0;
}

static void detach_stdio(bool keep_stdout)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return;
	dup2(fd, 0);
	if (!keep_stdout)
		dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"foreground", no_argument, NULL, 'f'},
		{"debug", required_argument, NULL, 'd'},  {"log-keys", no_argument, NULL, 'K'},
		{"json-events", no_argument, NULL, 'j'},  {"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
	};
	struct ued *d;
	const char **paths;
	size_t n_paths = 0;
	bool foreground = false;
	int report_fd = -1, o;
	char err[1024];
	sigset_t mask;

	d = calloc(1, sizeof(*d));
	paths = calloc((size_t)argc, sizeof(*paths));
	if (!d || !paths) {
		fprintf(stderr, "imsued: out of memory\n");
		free(d);
		free(paths);
		return 1;
	}
	d->level = L_NOTICE;
	for (int c = 0; c < N_CAT; c++)
		d->cat_level[c] = L_NOTICE;
	d->sigfd = -1;
	while ((o = getopt_long(argc, argv, "c:fd:KhV", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			if (n_paths == IMSUED_MAX_UE) {
				fprintf(stderr, "imsued: at most %d configuration files\n",
					IMSUED_MAX_UE);
				d->exit_code = 2;
				goto out;
			}
			paths[n_paths++] = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'd':
			if (parse_debug(d, optarg, err, sizeof(err)) != 0) {
				fprintf(stderr, "imsued: %s\n", err);
				d->exit_code = 2;
				goto out;
			}
			break;
		case 'K':
			d->log_keys = true;
			break;
		case 'j':
			d->json_events = true;
			break;
		case 'h':
			usage(stdout);
			d->exit_code = 0;
			goto out;
		case 'V':
			printf("imsued %s\n", PACKAGE_VERSION);
			d->exit_code = 0;
			goto out;
		default:
			fprintf(stderr, "imsued: bad usage (try --help)\n");
			d->exit_code = 2;
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "imsued: unexpected argument '%s' (try --help)\n", argv[optind]);
		d->exit_code = 2;
		goto out;
	}
	if (!n_paths) {
		fprintf(stderr, "imsued: no configuration file (-c FILE; try --help)\n");
		d->exit_code = 2;
		goto out;
	}

	d->ue = calloc(n_paths, sizeof(*d->ue));
	if (!d->ue) {
		fprintf(stderr, "imsued: out of memory\n");
		d->exit_code = 1;
		goto out;
	}
	/* Every file is read and checked before anything starts. */
	for (size_t i = 0; i < n_paths; i++) {
		struct ued_ue *u = &d->ue[i];

		u->d = d;
		u->path = paths[i];
		ue_name_from_path(paths[i], u->name, sizeof(u->name));
		if (ue_config_load(paths[i], &u->cfg, err, sizeof(err)) != 0) {
			fprintf(stderr, "imsued: %s\n", err);
			d->exit_code = 2;
			goto out;
		}
		d->n_ue++;
		if (d->log_keys)
			u->cfg.log_keys = true;
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(d->ue[j].cfg.ctl_socket, u->cfg.ctl_socket)) {
				fprintf(stderr,
					"imsued: %s: control socket %s is also used by %s\n",
					paths[i], u->cfg.ctl_socket, paths[j]);
				d->exit_code = 2;
				goto out;
			}
		}
	}

	if (!foreground) {
		if (daemonize(&report_fd) != 0) {
			fprintf(stderr, "imsued: cannot fork: %s\n", strerror(errno));
			d->exit_code = 1;
			goto out;
		}
		openlog("imsued", LOG_PID, LOG_DAEMON);
		d->use_syslog = true;
		detach_stdio(d->json_events);
	}

	/* Sofia-SIP's own messages go to stderr unformatted: off unless the
	 * environment asks for them (SOFIA_DEBUG, NTA_DEBUG, TPORT_DEBUG). */
	setenv("SOFIA_DEBUG", "0", 0);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	d->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d->loop = ue_loop_new();
	if (d->sigfd < 0 || !d->loop) {
		snprintf(err, sizeof(err), "cannot set up the event loop or signals");
		goto fail;
	}
	d->sigwatch = ue_watch_fd(d->loop, d->sigfd, UE_FD_IN, on_signal, d);
	d->apply_timer = ue_timer_new(d->loop, apply_all, d);
	d->stop_timer = ue_timer_new(d->loop, stop_now, d);
	if (!d->sigwatch || !d->apply_timer || !d->stop_timer) {
		snprintf(err, sizeof(err), "cannot set up the event loop");
		goto fail;
	}

	for (size_t i = 0; i < d->n_ue; i++) {
		struct ued_ue *u = &d->ue[i];
		struct ctl_params p = {
			.loop = d->loop, .path = u->cfg.ctl_socket, .hooks = &ctl_hooks, .arg = u};
		char e2[512];

		if (ctl_server_new(&u->ctl, &p, e2, sizeof(e2)) != 0) {
			snprintf(err, sizeof(err), "%s: control socket: %s", u->name, e2);
			goto fail;
		}
		/* RCC.14 autoconfiguration before registering (doc/autoconf.md). */
		int ac = imsued_autoconf_run(d->loop, &u->cfg, 60000, e2, sizeof(e2));
		if (ac < 0) {
			snprintf(err, sizeof(err), "%s: autoconfiguration: %s", u->name, e2);
			goto fail;
		}
		if (ac > 0)
			logm(d, L_ERR, u->name, "autoconfiguration: %s", e2);
		if (ims_ue_new(&u->ue, d->loop, &u->cfg, on_ue_event, u, e2, sizeof(e2)) != 0) {
			u->ue = NULL;
			snprintf(err, sizeof(err), "%s: %s", u->name, e2);
			goto fail;
		}
		ims_ue_set_log(u->ue, d->level, on_ue_log, u);
		ctl_server_set_ue(u->ctl, u->ue);
		if (u->cfg.pcap[0])
			logm(d, L_INFO, u->name, "signalling trace in %s", u->cfg.pcap);
		logm(d, L_INFO, u->name, "configuration %s", u->path);
		logc(d, C_CTL, L_INFO, u->name, "control socket %s", u->cfg.ctl_socket);
	}
	if (report_fd >= 0) {
		(void)!write(report_fd, "ok", 2);
		close(report_fd);
		report_fd = -1;
	}
	logm(d, L_NOTICE, NULL, "imsued %s running %zu UE%s", PACKAGE_VERSION, d->n_ue,
	     d->n_ue == 1 ? "" : "s");
	for (size_t i = 0; i < d->n_ue; i++)
		if (ims_ue_start(d->ue[i].ue) != 0)
			logm(d, L_ERR, d->ue[i].name, "cannot start registration");

	ue_loop_run(d->loop);
	logm(d, L_NOTICE, NULL, "stopped");
	goto out;

fail:
	d->exit_code = 1;
	if (report_fd >= 0) {
		(void)!write(report_fd, err, strlen(err));
		close(report_fd);
		logm(d, L_ERR, NULL, "%s", err);
	} else {
		fprintf(stderr, "imsued: %s\n", err);
	}
out:
	for (size_t i = 0; i < d->n_ue; i++) {
		struct ued_ue *u = &d->ue[i];

		ctl_server_free(u->ctl);
		ims_ue_free(u->ue);
		ims_ue_free(u->old);
		ue_config_wipe(&u->cfg);
		ue_config_wipe(&u->pending);
	}
	ue_watch_free(d->sigwatch);
	ue_timer_free(d->apply_timer);
	ue_timer_free(d->stop_timer);
	ue_loop_free(d->loop);
	if (d->sigfd >= 0)
		close(d->sigfd);
	o = d->exit_code;
	free(d->ue);
	free(d);
	free(paths);
	return o;
}
