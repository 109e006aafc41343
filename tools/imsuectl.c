/* imsuectl: a client of imsued's control socket (imsuectl(1),
 * doc/control-protocol.md). One command per run, printing the daemon's
 * JSON reply, or an interactive shell on libedit. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <histedit.h>
#include <jansson.h>

#define DEFAULT_SOCKET "/run/imsue/imsue.sock"
#define MAX_LINE       (1 << 20)

/* Commands the daemon knows, and the key a bare argument fills. */
static const struct {
	const char *name;
	const char *positional;
	const char *help;
} commands[] = {
	{"status", NULL, "status                 registration state of the UE"},
	{"register", NULL, "register               start registering (again)"},
	{"deregister", "impu", "deregister IMPU|all    deregister one IMPU or all of them"},
	{"bindings", NULL, "bindings               fetch the registration's bindings (event)"},
	{"reconfigure", NULL, "reconfigure            re-read the configuration file"},
	{"sms", "hex", "sms HEX                hand over an SMS (TPDU in hex)"},
	{"otp", "otp", "otp CODE               the one-time password the user entered"},
	{"msisdn", "msisdn", "msisdn NUMBER          the MSISDN the user entered"},
	{"events", NULL, "events                 stream events"},
	{"quit", NULL, "quit                   stop the daemon"},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Words the interactive shell completes: the commands plus its own. */
static const char *const shell_words[] = {"status", "register", "deregister", "bindings",
					  "reconfigure", "sms", "otp", "msisdn",
					  "events", "quit", "help", "exit"};

struct conn {
	int fd;
	char *buf;
	size_t len;
	bool eof;
};

struct shell {
	EditLine *el;
	History *hist;
	struct conn *c;
	int sigfd;
	bool tty;
	mbstate_t mbs;
	char hist_path[4096];
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: imsuectl [-s SOCKET] [-t SECONDS] [COMMAND [ARGS]]\n"
		"       imsuectl -h | --help | -V | --version\n"
		"  -s, --socket PATH   control socket (default: $IMSUE_CTL or " DEFAULT_SOCKET ")\n"
		"  -t, --timeout SEC   wait this long for a reply (default 10; 0 = forever)\n"
		"Without a command: an interactive shell. Commands (ARGS also as key=value):\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].help);
}

static int conn_open(struct conn *c, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memset(c, 0, sizeof(*c));
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	c->buf = malloc(MAX_LINE);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!c->buf || c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (c->fd >= 0)
			close(c->fd);
		free(c->buf);
		c->buf = NULL;
		c->fd = -1;
		return -1;
	}
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

static int conn_send(struct conn *c, json_t *req)
{
	char *s = json_dumps(req, JSON_COMPACT);
	size_t len, off = 0;
	int rc = 0;

	if (!s)
		return -1;
	len = strlen(s);
	s[len++] = '\n'; /* json_dumps leaves room: the NUL becomes the newline */
	while (off < len) {
		ssize_t n = send(c->fd, s + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		off += (size_t)n;
	}
	free(s);
	return rc;
}

/* A whole line already buffered: copy it out (NUL-terminated, no newline). */
static char *conn_take_line(struct conn *c)
{
	char *nl = memchr(c->buf, '\n', c->len), *line;
	size_t n;

	if (!nl)
		return NULL;
	n = (size_t)(nl - c->buf);
	line = malloc(n + 1);
	if (!line)
		return NULL;
	memcpy(line, c->buf, n);
	line[n] = '\0';
	memmove(c->buf, nl + 1, c->len - n - 1);
	c->len -= n + 1;
	return line;
}

/* Read what is there (one recv); -1 on EOF or error. */
static int conn_fill(struct conn *c)
{
	ssize_t n;

	if (c->len == MAX_LINE)
		return -1;
	n = recv(c->fd, c->buf + c->len, MAX_LINE - c->len, 0);
	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0) {
		c->eof = true;
		return -1;
	}
	c->len += (size_t)n;
	return 0;
}

/* The next line, waiting at most timeout_ms (< 0: forever) and returning
 * early (NULL, *interrupted) when sigfd fires. */
static char *conn_read_line(struct conn *c, long timeout_ms, int sigfd, bool *interrupted)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p[2] = {{.fd = c->fd, .events = POLLIN},
				      {.fd = sigfd, .events = POLLIN}};
		char *line = conn_take_line(c);
		long wait = -1;
		int rc;

		if (line)
			return line;
		if (c->eof)
			return NULL;
		if (timeout_ms >= 0) {
			struct timespec t;
			long spent;

			clock_gettime(CLOCK_MONOTONIC, &t);
			spent = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
			if (spent >= timeout_ms)
				return NULL;
			wait = timeout_ms - spent;
		}
		rc = poll(p, sigfd >= 0 ? 2 : 1, (int)wait);
		if (rc < 0 && errno != EINTR)
			return NULL;
		if (rc > 0 && p[1].revents) {
			if (interrupted)
				*interrupted = true;
			return NULL;
		}
		if (rc > 0 && p[0].revents && conn_fill(c) != 0 && !memchr(c->buf, '\n', c->len))
			return NULL;
	}
}

static bool is_event(json_t *j)
{
	return json_is_object(j) && json_object_get(j, "event");
}

/* COMMAND [ARG|key=value ...] -> {"cmd":COMMAND,...}. */
static json_t *build_request(int argc, char **argv, char *err, size_t errlen)
{
	const char *positional = NULL;
	json_t *req;
	bool known = false;

	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (!strcmp(argv[0], commands[i].name)) {
			positional = commands[i].positional;
			known = true;
		}
	}
	req = json_pack("{s:s}", "cmd", argv[0]);
	for (int i = 1; req && i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (eq && eq != argv[i]) {
			char key[128];

			snprintf(key, sizeof(key), "%.*s", (int)(eq - argv[i]), argv[i]);
			if (!strcmp(key, "cmd")) {
				snprintf(err, errlen, "'cmd' cannot be given as an argument");
				json_decref(req);
				return NULL;
			}
			json_object_set_new(req, key, json_string(eq + 1));
		} else if (positional && !json_object_get(req, positional)) {
			json_object_set_new(req, positional, json_string(argv[i]));
		} else {
			snprintf(err, errlen, "%s: unexpected argument '%s'%s", argv[0], argv[i],
				 known ? "" : " (unknown command: use key=value)");
			json_decref(req);
			return NULL;
		}
	}
	if (!req)
		snprintf(err, errlen, "out of memory");
	return req;
}

/* --- human-readable output for the shell ---------------------------------- */

static void put_value(FILE *f, json_t *v)
{
	if (json_is_string(v)) {
		fputs(json_string_value(v), f);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e)
		{
			if (i)
				fputs(", ", f);
			put_value(f, e);
		}
		if (!json_array_size(v))
			fputs("(none)", f);
	} else {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		fputs(s ? s : "?", f);
		free(s);
	}
}

/* "expires_in_s" -> "expires in", with " s" after the value (and after
 * that of "expires", also seconds). */
static void put_key_value(FILE *f, const char *key, json_t *v)
{
	size_t n = strlen(key);
	bool secs = n > 2 && !strcmp(key + n - 2, "_s") && json_is_number(v);
	bool expires = !strcmp(key, "expires") && json_is_number(v);

	for (size_t i = 0; i < (secs ? n - 2 : n); i++)
		fputc(key[i] == '_' ? ' ' : key[i], f);
	fputc(' ', f);
	put_value(f, v);
	if (secs || expires)
		fputs(" s", f);
}

/* [alice] registered sip:alice@ims.example (expires in 600 s, ...) */
static void print_event(FILE *f, json_t *ev)
{
	const char *ue = json_string_value(json_object_get(ev, "ue"));
	const char *impu = json_string_value(json_object_get(ev, "impu"));
	const char *key;
	json_t *v;
	bool first = true;

	if (ue)
		fprintf(f, "[%s] ", ue);
	fputs(json_string_value(json_object_get(ev, "event")) ?: "event", f);
	if (impu && *impu)
		fprintf(f, " %s", impu);
	json_object_foreach(ev, key, v)
	{
		if (!strcmp(key, "event") || !strcmp(key, "ue") || !strcmp(key, "impu") ||
		    json_is_null(v))
			continue;
		fputs(first ? " (" : ", ", f);
		first = false;
		put_key_value(f, key, v);
	}
	if (!first)
		fputc(')', f);
	fputc('\n', f);
}

static void print_reply(FILE *f, json_t *r)
{
	const char *key;
	json_t *v;

	if (!json_is_true(json_object_get(r, "ok"))) {
		fprintf(f, "error: %s\n",
			json_string_value(json_object_get(r, "error")) ?: "(no reason given)");
		return;
	}
	if (json_is_array(json_object_get(r, "ue"))) {
		size_t i;
		json_t *st;

		if (!json_array_size(json_object_get(r, "ue")))
			fprintf(f, "no UE\n");
		json_array_foreach(json_object_get(r, "ue"), i, st)
		{
			const char *name = json_string_value(json_object_get(st, "name"));
			const char *impu = json_string_value(json_object_get(st, "impu"));
			const char *state = json_string_value(json_object_get(st, "state"));

			fprintf(f, "%s: %s\n",
				name   ? name
				: impu ? impu
				       : "UE",
				state ? state : "?");
			json_object_foreach(st, key, v)
			{
				if (!strcmp(key, "state") || !strcmp(key, "name") ||
				    json_is_null(v))
					continue;
				fputs("  ", f);
				put_key_value(f, key, v);
				fputc('\n', f);
			}
		}
		return;
	}
	fputs("ok", f);
	json_object_foreach(r, key, v)
	{
		if (strcmp(key, "ok")) {
			fputs(", ", f);
			put_key_value(f, key, v);
		}
	}
	fputc('\n', f);
}

/* --- one-shot --------------------------------------------------------------- */

static int run_once(const char *path, long timeout_ms, int argc, char **argv)
{
	struct conn c;
	json_t *req, *reply;
	char err[512], *line;
	bool streaming = !strcmp(argv[0], "events"), interrupted = false;
	int rc, sigfd;
	sigset_t mask;

	req = build_request(argc, argv, err, sizeof(err));
	if (!req) {
		fprintf(stderr, "imsuectl: %s\n", err);
		return 2;
	}
	if (conn_open(&c, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "imsuectl: %s\n", err);
		json_decref(req);
		return 2;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	rc = conn_send(&c, req);
	json_decref(req);
	if (rc != 0) {
		fprintf(stderr, "imsuectl: %s: cannot send: %s\n", path, strerror(errno));
		conn_close(&c);
		return 2;
	}
	/* The reply is the first line that is not an event. */
	for (;;) {
		line = conn_read_line(&c, timeout_ms, sigfd, &interrupted);
		if (!line) {
			if (interrupted)
				fprintf(stderr, "imsuectl: interrupted\n");
			else
				fprintf(stderr, "imsuectl: %s: %s\n", path,
					c.eof ? "connection closed before the reply"
					      : "no reply in time");
			conn_close(&c);
			return 2;
		}
		reply = json_loads(line, 0, NULL);
		if (!is_event(reply))
			break;
		json_decref(reply);
		free(line);
	}
	if (!json_is_object(reply)) {
		fprintf(stderr, "imsuectl: %s: reply is not a JSON object: %.200s\n", path, line);
		json_decref(reply);
		free(line);
		conn_close(&c);
		return 2;
	}
	printf("%s\n", line);
	fflush(stdout);
	free(line);
	rc = json_is_true(json_object_get(reply, "ok")) ? 0 : 1;
	json_decref(reply);
	/* events: every further line as it comes, until EOF or a signal. */
	while (streaming && rc == 0) {
		line = conn_read_line(&c, -1, sigfd, &interrupted);
		if (!line)
			break;
		printf("%s\n", line);
		fflush(stdout);
		free(line);
	}
	conn_close(&c);
	if (sigfd >= 0)
		close(sigfd);
	return rc;
}

/* --- interactive shell ------------------------------------------------------ */

static const char *prompt(EditLine *el)
{
	return "imsue> ";
}

/* Print above the line being edited, then redraw it. */
static void shell_print_async(struct shell *sh, json_t *ev)
{
	if (sh->tty)
		fputs("\r\033[K", stdout);
	print_event(stdout, ev);
	fflush(stdout);
	if (sh->tty)
		el_set(sh->el, EL_REFRESH);
}

/* Handle what the daemon sent while nobody waited for a reply. */
static void shell_drain(struct shell *sh)
{
	char *line;

	while ((line = conn_take_line(sh->c))) {
		json_t *j = json_loads(line, 0, NULL);

		if (is_event(j))
			shell_print_async(sh, j);
		json_decref(j);
		free(line);
	}
}

/* libedit's character source: stdin, while events keep arriving. */
static int shell_getc(EditLine *el, wchar_t *wc)
{
	struct shell *sh;

	el_get(el, EL_CLIENTDATA, &sh);
	for (;;) {
		struct pollfd p[3] = {{.fd = 0, .events = POLLIN},
				      {.fd = sh->c->fd, .events = POLLIN},
				      {.fd = sh->sigfd, .events = POLLIN}};
		unsigned char ch;
		ssize_t n;
		size_t r;
		char b;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[2].revents) {
			struct signalfd_siginfo si;

			(void)!read(sh->sigfd, &si, sizeof(si));
			return 0;
		}
		if (p[1].revents) {
			if (conn_fill(sh->c) != 0) {
				if (sh->tty)
					fputs("\r\033[K", stdout);
				printf("connection closed by imsued\n");
				return 0;
			}
			shell_drain(sh);
			continue;
		}
		if (!p[0].revents)
			continue;
		n = read(0, &ch, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		b = (char)ch;
		r = mbrtowc(wc, &b, 1, &sh->mbs);
		if (r == (size_t)-2)
			continue;
		if (r == (size_t)-1) {
			memset(&sh->mbs, 0, sizeof(sh->mbs));
			continue;
		}
		return 1;
	}
}

/* Tab: complete the command word. */
static unsigned char shell_complete(EditLine *el, int ch)
{
	const LineInfo *li = el_line(el);
	const char *start = li->buffer, *match = NULL;
	size_t len, n_match = 0, common = 0;

	while (start < li->cursor && (*start == ' ' || *start == '\t'))
		start++;
	for (const char *p = start; p < li->cursor; p++)
		if (*p == ' ' || *p == '\t')
			return CC_ERROR;
	len = (size_t)(li->cursor - start);
	for (size_t i = 0; i < sizeof(shell_words) / sizeof(shell_words[0]); i++) {
		const char *w = shell_words[i];

		if (strncmp(w, start, len))
			continue;
		if (!match) {
			match = w;
			common = strlen(w);
		} else {
			size_t k = len;

			while (k < common && match[k] == w[k])
				k++;
			common = k;
		}
		n_match++;
	}
	if (!n_match)
		return CC_ERROR;
	if (n_match == 1) {
		char rest[64];

		snprintf(rest, sizeof(rest), "%s ", match + len);
		el_insertstr(el, rest);
		return CC_REFRESH;
	}
	if (common > len) {
		char rest[64];

		snprintf(rest, sizeof(rest), "%.*s", (int)(common - len), match + len);
		el_insertstr(el, rest);
		return CC_REFRESH;
	}
	fputc('\n', stdout);
	for (size_t i = 0; i < sizeof(shell_words) / sizeof(shell_words[0]); i++)
		if (!strncmp(shell_words[i], start, len))
			printf("%s  ", shell_words[i]);
	fputc('\n', stdout);
	return CC_REDISPLAY;
}

static void shell_help(void)
{
	printf("commands (arguments also as key=value; a line starting with '{' is sent as is):\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		printf("  %s\n", commands[i].help);
	printf("  help                   this list\n"
	       "  exit                   leave the shell (so does Ctrl-D); 'quit' stops imsued\n"
	       "Events are shown as they arrive.\n");
}

/* Split on blanks (no quoting: values never contain blanks). */
static int split(char *line, char **argv, int max)
{
	int n = 0;

	for (char *tok = strtok(line, " \t\r\n"); tok && n < max; tok = strtok(NULL, " \t\r\n"))
		argv[n++] = tok;
	return n;
}

/* Send one request and print the reply; events that come first too. */
static int shell_request(struct shell *sh, json_t *req)
{
	char *line;

	if (conn_send(sh->c, req) != 0) {
		printf("error: cannot send: %s\n", strerror(errno));
		return -1;
	}
	for (;;) {
		json_t *j;

		line = conn_read_line(sh->c, 10000, -1, NULL);
		if (!line) {
			printf("error: %s\n",
			       sh->c->eof ? "connection closed" : "no reply in 10 s");
			return sh->c->eof ? -1 : 0;
		}
		j = json_loads(line, 0, NULL);
		free(line);
		if (is_event(j)) {
			print_event(stdout, j);
			json_decref(j);
			continue;
		}
		if (json_is_object(j))
			print_reply(stdout, j);
		else
			printf("error: reply is not a JSON object\n");
		json_decref(j);
		return 0;
	}
}

static int run_shell(const char *path)
{
	struct shell sh = {0};
	struct conn c;
	HistEvent hev;
	char err[512];
	const char *home = getenv("HOME");
	json_t *req;
	sigset_t mask;
	int count;

	if (conn_open(&c, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "imsuectl: %s\n", err);
		return 2;
	}
	sh.c = &c;
	sh.tty = isatty(0) && isatty(1);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sh.sigfd = signalfd(-1, &mask, SFD_CLOEXEC);

	/* Events arrive from the start; the reply to this comes first. */
	req = json_pack("{s:s}", "cmd", "events");
	if (conn_send(&c, req) != 0) {
		fprintf(stderr, "imsuectl: %s: cannot send\n", path);
		json_decref(req);
		conn_close(&c);
		return 2;
	}
	json_decref(req);
	{
		char *line = conn_read_line(&c, 10000, -1, NULL);

		if (!line) {
			fprintf(stderr, "imsuectl: %s: no reply\n", path);
			conn_close(&c);
			return 2;
		}
		free(line);
	}

	sh.hist = history_init();
	history(sh.hist, &hev, H_SETSIZE, 1000);
	history(sh.hist, &hev, H_SETUNIQUE, 1);
	if (home && snprintf(sh.hist_path, sizeof(sh.hist_path), "%s/.imsuectl_history", home) <
			    (int)sizeof(sh.hist_path))
		history(sh.hist, &hev, H_LOAD, sh.hist_path);
	else
		sh.hist_path[0] = '\0';

	sh.el = el_init("imsuectl", stdin, stdout, stderr);
	el_set(sh.el, EL_CLIENTDATA, &sh);
	el_set(sh.el, EL_PROMPT, prompt);
	el_set(sh.el, EL_EDITOR, "emacs");
	el_set(sh.el, EL_HIST, history, sh.hist);
	el_set(sh.el, EL_GETCFN, shell_getc);
	/* el_wset: the narrow el_set copies these names and never frees them. */
	el_wset(sh.el, EL_ADDFN, L"imsue-complete", L"complete a command", shell_complete);
	el_set(sh.el, EL_BIND, "^I", "imsue-complete", NULL);
	el_source(sh.el, NULL);

	printf("imsuectl %s on %s: 'help' lists the commands, Ctrl-D leaves\n", PACKAGE_VERSION,
	       path);
	shell_drain(&sh);
	for (;;) {
		const char *in = el_gets(sh.el, &count);
		char *line, *argv[32];
		int argc;

		if (!in || count <= 0) {
			if (sh.tty)
				putchar('\n');
			break;
		}
		line = strdup(in);
		if (!line)
			break;
		line[strcspn(line, "\r\n")] = '\0';
		for (size_t n = strlen(line); n && (line[n - 1] == ' ' || line[n - 1] == '\t'); n--)
			line[n - 1] = '\0';
		if (line[strspn(line, " \t")] && strncmp(line + strspn(line, " \t"), "otp", 3))
			history(sh.hist, &hev, H_ENTER, line); /* OTPs stay out of the history */
		if (line[strspn(line, " \t")] == '{') {
			json_error_t je;
			json_t *raw = json_loads(line, 0, &je);

			if (!raw)
				printf("error: malformed JSON: %s\n", je.text);
			else if (shell_request(&sh, raw) != 0) {
				json_decref(raw);
				free(line);
				break;
			}
			json_decref(raw);
			free(line);
			continue;
		}
		argc = split(line, argv, 32);
		if (!argc) {
			free(line);
			continue;
		}
		if (!strcmp(argv[0], "exit")) {
			free(line);
			break;
		}
		if (!strcmp(argv[0], "help") || !strcmp(argv[0], "?")) {
			shell_help();
			free(line);
			continue;
		}
		req = build_request(argc, argv, err, sizeof(err));
		if (!req) {
			printf("error: %s\n", err);
		} else if (shell_request(&sh, req) != 0) {
			json_decref(req);
			free(line);
			break;
		}
		json_decref(req);
		free(line);
	}
	if (sh.hist_path[0])
		history(sh.hist, &hev, H_SAVE, sh.hist_path);
	el_end(sh.el);
	history_end(sh.hist);
	conn_close(&c);
	if (sh.sigfd >= 0)
		close(sh.sigfd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *path = getenv("IMSUE_CTL");
	long timeout_ms = 10000;
	int o;

	setlocale(LC_CTYPE, "");
	signal(SIGPIPE, SIG_IGN);
	if (!path || !*path)
		path = DEFAULT_SOCKET;
	/* "+": stop at the command, so that its arguments are its own. */
	while ((o = getopt_long(argc, argv, "+s:t:hV", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			path = optarg;
			break;
		case 't': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || end == optarg || v < 0 || v > 86400) {
				fprintf(stderr, "imsuectl: -t needs seconds 0..86400, got '%s'\n",
					optarg);
				return 2;
			}
			timeout_ms = v ? v * 1000 : -1;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("imsuectl %s\n", PACKAGE_VERSION);
			return 0;
		default:
			fprintf(stderr, "imsuectl: bad usage (try --help)\n");
			return 2;
		}
	}
	if (optind == argc)
		return run_shell(path);
	return run_once(path, timeout_ms, argc - optind, argv + optind);
}
