/* Control socket server: framing, limits and the command table. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tools/ctl.h"

struct ctl_client {
	struct ctl_server *srv;
	struct ctl_client *next;
	int fd;
	struct ue_watch *watch;
	char *in;
	size_t in_len;
	char *out;
	size_t out_off, out_len, out_cap;
	struct ue_timer *turn; /* continues a backlog of buffered lines */
	bool backlog;          /* whole lines wait in the buffer */
	bool events;           /* asked for the event stream */
	bool closing;          /* read no more; close once the queue is sent */
	bool dead;             /* closed; freed when no callback is running */
};

struct ctl_server {
	struct ue_loop *loop;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd;
	dev_t dev;
	ino_t ino;
	struct ue_watch *watch;
	struct ctl_hooks hooks;
	void *arg;
	size_t max_line, max_queue, max_clients;
	struct ims_ue *ue;
	struct ctl_client *clients;
	size_t n_clients;
	int busy; /* nesting depth of our own callbacks */
};

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
						      ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Close now, free later: the client may be the one whose callback runs. */
static void client_kill(struct ctl_client *c)
{
	if (c->dead)
		return;
	c->dead = true;
	ue_watch_free(c->watch);
	c->watch = NULL;
	ue_timer_free(c->turn);
	c->turn = NULL;
	close(c->fd);
	c->fd = -1;
	c->srv->n_clients--;
}

static void client_free(struct ctl_client *c)
{
	free(c->in);
	free(c->out);
	free(c);
}

static void server_sweep(struct ctl_server *srv)
{
	struct ctl_client **pp = &srv->clients;

	while (*pp) {
		struct ctl_client *c = *pp;

		if (c->dead) {
			*pp = c->next;
			client_free(c);
		} else {
			pp = &c->next;
		}
	}
}

static void enter(struct ctl_server *srv)
{
	srv->busy++;
}

static void leave(struct ctl_server *srv)
{
	if (--srv->busy == 0)
		server_sweep(srv);
}

static void client_update_watch(struct ctl_client *c)
{
	unsigned ev = 0;

	if (c->dead)
		return;
	if (!c->closing && !c->backlog)
		ev |= UE_FD_IN;
	if (c->out_len > c->out_off)
		ev |= UE_FD_OUT;
	ue_watch_events(c->watch, ev);
}

/* Send what the kernel takes now; the rest waits for UE_FD_OUT. */
static void client_flush(struct ctl_client *c)
{
	while (!c->dead && c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			client_kill(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		if (c->closing) {
			client_kill(c);
			return;
		}
	}
	client_update_watch(c);
}

/* Queue one JSON object as a line; a client over its limit is dropped. */
static void client_send(struct ctl_client *c, json_t *obj)
{
	char *s;
	size_t len, need;

	if (c->dead)
		return;
	s = json_dumps(obj, JSON_COMPACT);
	if (!s) {
		client_kill(c);
		return;
	}
	len = strlen(s);
	need = c->out_len - c->out_off + len + 1;
	if (need > c->srv->max_queue) {
		free(s);
		client_kill(c);
		return;
	}
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (need > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *p;

		while (cap < need)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p) {
			free(s);
			client_kill(c);
			return;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
	free(s);
	client_flush(c);
}

static json_t *reply_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *reply_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b,s:s}", "ok", 0, "error", msg);
}

static json_t *reply_ok(void)
{
	return json_pack("{s:b}", "ok", 1);
}

static json_t *need_ue(struct ctl_server *srv, const char *cmd)
{
	if (!srv->ue)
		return reply_error("%s: the UE is being reconfigured, try again", cmd);
	return NULL;
}

static json_t *cmd_status(struct ctl_server *srv, struct ctl_client *c, json_t *req)
{
	json_t *list = json_array();

	if (srv->ue) {
		json_t *st = ims_ue_status(srv->ue);

		if (st)
			json_array_append_new(list, st);
	}
	return json_pack("{s:b,s:o}", "ok", 1, "ue", list);
}

static json_t *cmd_register(struct ctl_server *srv, struct ctl_client *c, json_t *req)
{
	json_t *r = need_ue(srv, "register"), *st;
	const char *state = NULL;

	if (r)
		return r;
	if (ims_ue_start(srv->ue) == 0)
		return reply_ok();
	st = ims_ue_status(srv->ue);
	if (st)
		state = json_string_value(json_object_get(st, "state"));
	r = reply_error("register: refused in state %s", state ? state : "unknown");
	json_decref(st);
	return r;
}

static json_t *cmd_deregister(struct ctl_server *srv, struct ctl_client *c, json_t *req)
{
	json_t *r = need_ue(srv, "deregister");
	const char *impu = json_string_value(json_object_get(req, "impu"));
	char err[256] = "";

	if (r)
		return r;
	if (!impu || !*impu)
		return reply_error("deregister: needs \"impu\" (an IMPU or \"all\")");
	if (ims_ue_deregister(srv->ue, impu, err, sizeof(err)) != 0)
		return reply_error("deregister: %s", err[0] ? err : "failed");
	return reply_ok();
}

/* Fetching bindings (TS 24.229 5.1.1.4.1, RFC 3261 10.2.3): a REGISTER
 * without Contact; the result arrives as event "bindings". */
static json_t *cmd_bindings(struct ctl_server *srv, struct ctl_client *c, json_t *req)
{
	json_t *r = need_ue(srv, "bindings");
	char err[256] = "";

	if (r)
		return r;
	if (ims_ue_fetch_bindings(srv->ue, err, sizeof(err)) != 0)
		return reply_error("%s", err[0] ? err : "bindings: failed");
	return reply_ok();
}

static json_t *cmd_reconfigure(struct ctl_server *srv, struct ctl_client *c, json_t *req)
{
	char err[512] = "";

	if (!srv->hooks.reconfigure)
		return reply_error("not supported yet: reconfigure");
	if (srv->hooks.reconfigure(srv->arg, srv, err, sizeof(err)) != 0)
		return reply_error("reconfigure: %s", err[0] ? err : "failed");
	return reply_ok();
}

static json_t *cmd_events(struct ctl_server *srv, struct ctl_client *c, json_t *req)
{
	c->events = true;
	return reply_ok();
}

static json_t *cmd_quit(struct ctl_server *srv, struct ctl_client *c, json_t *req)
{
	if (!srv->hooks.quit)
		return reply_error("not supported yet: quit");
	return reply_ok();
}

/* Commands whose backend (RCC.14 autoconfiguration in the daemon) does
 * not exist yet. */
static json_t *cmd_unsupported(struct ctl_server *srv, struct ctl_client *c, json_t *req)
{
	return reply_error("not supported yet: %s", json_string_value(json_object_get(req, "cmd")));
}

static const struct {
	const char *name;
	json_t *(*run)(struct ctl_server *srv, struct ctl_client *c, json_t *req);
} commands[] = {
	{"status", cmd_status},
	{"register", cmd_register},
	{"deregister", cmd_deregister},
	{"bindings", cmd_bindings},
	{"reconfigure", cmd_reconfigure},
	{"sms", cmd_unsupported},
	{"otp", cmd_unsupported},
	{"msisdn", cmd_unsupported},
	{"events", cmd_events},
	{"quit", cmd_quit},
};

static void handle_line(struct ctl_client *c, const char *line, size_t len)
{
	struct ctl_server *srv = c->srv;
	json_error_t jerr;
	json_t *req, *reply = NULL, *id = NULL;
	const char *cmd;
	bool quit = false;
	size_t i;

	/* Blank lines are ignored, so that a human can type at the socket. */
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'); i++)
		;
	if (i == len)
		return;
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req) {
		reply = reply_error("malformed JSON: %s", jerr.text);
		goto send;
	}
	id = json_incref(json_object_get(req, "id"));
	if (!json_is_object(req)) {
		reply = reply_error("a request is a JSON object");
		goto send;
	}
	cmd = json_string_value(json_object_get(req, "cmd"));
	if (!cmd) {
		reply = reply_error("missing \"cmd\" (a string)");
		goto send;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(cmd, commands[i].name)) {
			reply = commands[i].run(srv, c, req);
			quit = commands[i].run == cmd_quit &&
			       json_is_true(json_object_get(reply, "ok"));
			break;
		}
	}
	if (!reply && i == sizeof(commands) / sizeof(commands[0]))
		reply = reply_error("unknown command '%.64s'", cmd);
	if (!reply)
		reply = reply_error("%s: out of memory", cmd);
send:
	if (reply && id)
		json_object_set(reply, "id", id);
	if (reply)
		client_send(c, reply);
	json_decref(reply);
	json_decref(id);
	json_decref(req);
	if (quit)
		srv->hooks.quit(srv->arg, srv);
}

/* Answer at most CTL_TURN_LINES buffered lines, then let the others have
 * the loop: the rest waits for a zero timer, and reading stops meanwhile. */
static void client_process(struct ctl_client *c)
{
	struct ctl_server *srv = c->srv;
	size_t start = 0;
	int done = 0;
	char *nl;

	while (!c->dead && !c->closing && done < CTL_TURN_LINES &&
	       (nl = memchr(c->in + start, '\n', c->in_len - start))) {
		handle_line(c, c->in + start, (size_t)(nl - c->in) - start);
		start = (size_t)(nl - c->in) + 1;
		done++;
	}
	if (c->dead)
		return;
	if (c->closing) {
		c->in_len = 0;
		c->backlog = false;
		return;
	}
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	c->backlog = memchr(c->in, '\n', c->in_len) != NULL;
	if (c->backlog) {
		ue_timer_start(c->turn, 0);
	} else if (c->in_len == srv->max_line) {
		json_t *r = reply_error("line too long");

		c->in_len = 0;
		c->closing = true;
		client_send(c, r);
		json_decref(r);
		client_flush(c);
		return;
	}
	client_update_watch(c);
}

static void client_read(struct ctl_client *c)
{
	struct ctl_server *srv = c->srv;
	ssize_t n;

	n = recv(c->fd, c->in + c->in_len, srv->max_line - c->in_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		/* End of input: a partial line is dropped; queued output still goes. */
		c->in_len = 0;
		c->closing = true;
		client_flush(c);
		return;
	}
	c->in_len += (size_t)n;
	client_process(c);
}

static void on_turn(void *arg)
{
	struct ctl_client *c = arg;
	struct ctl_server *srv = c->srv;

	enter(srv);
	if (!c->dead)
		client_process(c);
	leave(srv);
}

static void on_client(void *arg, int fd, unsigned events)
{
	struct ctl_client *c = arg;
	struct ctl_server *srv = c->srv;

	enter(srv);
	if (events & UE_FD_OUT)
		client_flush(c);
	if (!c->dead && (events & UE_FD_IN) && !c->closing && !c->backlog)
		client_read(c);
	if (!c->dead && (events & UE_FD_ERR) && !(events & UE_FD_IN))
		client_kill(c);
	leave(srv);
}

static void on_listen(void *arg, int fd, unsigned events)
{
	struct ctl_server *srv = arg;

	enter(srv);
	for (;;) {
		struct ctl_client *c;
		int cfd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0)
			break;
		if (srv->n_clients >= srv->max_clients) {
			static const char msg[] = "{\"ok\":false,\"error\":\"too many clients\"}\n";

			(void)!send(cfd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(cfd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c)
			c->in = malloc(srv->max_line);
		if (!c || !c->in) {
			if (c)
				free(c);
			close(cfd);
			continue;
		}
		c->srv = srv;
		c->fd = cfd;
		c->turn = ue_timer_new(srv->loop, on_turn, c);
		c->watch = c->turn ? ue_watch_fd(srv->loop, cfd, UE_FD_IN, on_client, c) : NULL;
		if (!c->watch) {
			ue_timer_free(c->turn);
			client_free(c);
			close(cfd);
			continue;
		}
		c->next = srv->clients;
		srv->clients = c;
		srv->n_clients++;
	}
	leave(srv);
}

/* A socket file nobody answers on is left over from a dead daemon. */
static int remove_stale(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : fail(err, errlen, "%s: %s", path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return fail(err, errlen, "%s: exists and is not a socket", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(err, errlen, "%s: socket: %s", path, strerror(errno));
	memcpy(sa.sun_path, path, strlen(path));
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc == 0)
		return fail(err, errlen, "%s: in use by another process", path);
	if (unlink(path) != 0 && errno != ENOENT)
		return fail(err, errlen, "%s: cannot remove stale socket: %s", path,
			    strerror(errno));
	return 0;
}

int ctl_server_new(struct ctl_server **out, const struct ctl_params *p, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctl_server *srv;
	struct stat st;
	char dir[sizeof(sa.sun_path)];
	char *slash;
	mode_t old;
	int rc;

	if (!p->path || !*p->path || strlen(p->path) >= sizeof(sa.sun_path))
		return fail(err, errlen, "%s: bad control socket path", p->path ? p->path : "");
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return fail(err, errlen, "%s: out of memory", p->path);
	srv->fd = -1;
	srv->loop = p->loop;
	strcpy(srv->path, p->path);
	if (p->hooks)
		srv->hooks = *p->hooks;
	srv->arg = p->arg;
	srv->max_line = p->max_line ? p->max_line : CTL_MAX_LINE;
	srv->max_queue = p->max_queue ? p->max_queue : CTL_MAX_QUEUE;
	srv->max_clients = p->max_clients ? p->max_clients : CTL_MAX_CLIENTS;

	/* The parent directory (e.g. /run/imsue), if it is all that is missing. */
	strcpy(dir, p->path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (stat(dir, &st) != 0 && errno == ENOENT && mkdir(dir, 0755) != 0) {
			fail(err, errlen, "%s: cannot create %s: %s", p->path, dir,
			     strerror(errno));
			goto error;
		}
	}
	if (remove_stale(p->path, err, errlen) != 0)
		goto error;
	srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->fd < 0) {
		fail(err, errlen, "%s: socket: %s", p->path, strerror(errno));
		goto error;
	}
	memcpy(sa.sun_path, p->path, strlen(p->path));
	/* Owner-only from the first moment: no window with a wider mode. */
	old = umask(0177);
	rc = bind(srv->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0) {
		fail(err, errlen, "%s: bind: %s", p->path, strerror(errno));
		goto error;
	}
	if (chmod(p->path, 0600) != 0 || stat(p->path, &st) != 0) {
		fail(err, errlen, "%s: %s", p->path, strerror(errno));
		unlink(p->path);
		goto error;
	}
	srv->dev = st.st_dev;
	srv->ino = st.st_ino;
	if (listen(srv->fd, 16) != 0) {
		fail(err, errlen, "%s: listen: %s", p->path, strerror(errno));
		unlink(p->path);
		goto error;
	}
	srv->watch = ue_watch_fd(srv->loop, srv->fd, UE_FD_IN, on_listen, srv);
	if (!srv->watch) {
		fail(err, errlen, "%s: cannot watch the socket", p->path);
		unlink(p->path);
		goto error;
	}
	*out = srv;
	return 0;
error:
	if (srv->fd >= 0)
		close(srv->fd);
	free(srv);
	return -1;
}

void ctl_server_set_ue(struct ctl_server *srv, struct ims_ue *ue)
{
	srv->ue = ue;
}

void ctl_server_event(struct ctl_server *srv, json_t *event)
{
	enter(srv);
	for (struct ctl_client *c = srv->clients; c; c = c->next)
		if (c->events && !c->dead)
			client_send(c, event);
	leave(srv);
}

size_t ctl_server_clients(const struct ctl_server *srv)
{
	return srv->n_clients;
}

const char *ctl_server_path(const struct ctl_server *srv)
{
	return srv->path;
}

void ctl_server_free(struct ctl_server *srv)
{
	struct stat st;

	if (!srv)
		return;
	for (struct ctl_client *c = srv->clients; c; c = c->next) {
		if (!c->dead) {
			/* Last chance for a queued reply (e.g. to "quit"). */
			client_flush(c);
			client_kill(c);
		}
	}
	srv->busy = 0;
	server_sweep(srv);
	ue_watch_free(srv->watch);
	close(srv->fd);
	/* Remove the file only if it is still ours. */
	if (stat(srv->path, &st) == 0 && st.st_dev == srv->dev && st.st_ino == srv->ino)
		unlink(srv->path);
	free(srv);
}
