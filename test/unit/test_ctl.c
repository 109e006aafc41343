/* The control socket server (tools/ctl.c) on a poll loop with a fake UE:
 * framing, limits, commands, events, hooks and the socket file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "test/ctl/fake_ue.h"
#include "tools/ctl.h"

struct fx {
	char dir[64];
	char path[128];
	struct ue_loop *loop;
	struct ctl_server *srv;
	struct ims_ue *ue;
	int n_quit, n_reconf;
	int reconf_rc;
	json_t *events; /* what the fake UE emitted */
};

static void on_quit(void *arg, struct ctl_server *srv)
{
	((struct fx *)arg)->n_quit++;
}

static int on_reconf(void *arg, struct ctl_server *srv, char *err, size_t errlen)
{
	struct fx *f = arg;

	f->n_reconf++;
	if (f->reconf_rc)
		snprintf(err, errlen, "t.conf:3: unknown key 'x' in [network]");
	return f->reconf_rc;
}

static const struct ctl_hooks hooks = {on_quit, on_reconf};

static void on_event(void *arg, struct ims_ue *ue, const char *name, json_t *data)
{
	struct fx *f = arg;
	json_t *ev = json_pack("{s:s,s:s}", "event", name, "ue", ims_ue_name(ue));

	json_object_update(ev, data);
	ctl_server_event(f->srv, ev);
	json_decref(ev);
}

static int start_server(struct fx *f, size_t max_line, size_t max_queue, size_t max_clients)
{
	struct ctl_params p = {.loop = f->loop,
			       .path = f->path,
			       .hooks = &hooks,
			       .arg = f,
			       .max_line = max_line,
			       .max_queue = max_queue,
			       .max_clients = max_clients};
	char err[256];

	if (ctl_server_new(&f->srv, &p, err, sizeof(err)) != 0) {
		print_error("%s\n", err);
		return -1;
	}
	ctl_server_set_ue(f->srv, f->ue);
	return 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ue_config cfg;
	char err[256];

	strcpy(f->dir, "/tmp/test_ctl_XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/sub/ue.sock", f->dir);
	f->loop = ue_loop_new();
	ue_config_defaults(&cfg);
	strcpy(cfg.path, "/etc/imsue/alice.conf");
	strcpy(cfg.impu[0], "sip:alice@ims.example.net");
	cfg.n_impu = 1;
	if (ims_ue_new(&f->ue, f->loop, &cfg, on_event, f, err, sizeof(err)) != 0)
		return -1;
	if (start_server(f, 0, 0, 0) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char sub[160];

	ctl_server_free(f->srv);
	ims_ue_free(f->ue);
	ue_loop_free(f->loop);
	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	rmdir(sub);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int client(struct fx *f)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, f->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* Let the server accept it. */
	ue_loop_step(f->loop, 10);
	return fd;
}

static void send_str(int fd, const char *s)
{
	size_t len = strlen(s);

	assert_int_equal(send(fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Run the loop until fd has a whole line (or EOF); return it without the
 * newline, "" on EOF, NULL when nothing came within ~2 s. */
static char *read_line(struct fx *f, int fd, char *buf, size_t size)
{
	size_t n = 0;

	for (int round = 0; round < 400; round++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		ue_loop_step(f->loop, 5);
		while (poll(&p, 1, 0) == 1) {
			ssize_t r = recv(fd, buf + n, 1, 0);

			if (r <= 0) {
				buf[n] = '\0';
				return n ? NULL : buf;
			}
			if (buf[n] == '\n') {
				buf[n] = '\0';
				return buf;
			}
			if (++n == size - 1)
				return NULL;
		}
	}
	return NULL;
}

static void expect(struct fx *f, int fd, const char *want)
{
	char buf[4096];
	char *line = read_line(f, fd, buf, sizeof(buf));

	if (!line || strcmp(line, want)) {
		print_error("got '%s', want '%s'\n", line ? line : "(nothing)", want);
		fail();
	}
}

static void roundtrip(struct fx *f, int fd, const char *req, const char *want)
{
	send_str(fd, req);
	expect(f, fd, want);
}

#define STATUS                                                                                     \
	"{\"name\":\"alice\",\"state\":\"deregistered\",\"impu\":\"sip:alice@ims.example.net\","   \
	"\"associated_uris\":[],\"last_error\":null}"

static void test_status(void **state)
{
	struct fx *f = *state;
	int fd = client(f);

	roundtrip(f, fd, "{\"cmd\":\"status\"}\n", "{\"ok\":true,\"ue\":[" STATUS "]}");
	/* "id" is echoed; blank lines and CR LF are fine; two requests in one write. */
	roundtrip(f, fd,
		  "\n  \r\n{\"cmd\":\"status\",\"id\":7}\r\n{\"id\":\"x\",\"cmd\":\"events\"}\n",
		  "{\"ok\":true,\"ue\":[" STATUS "],\"id\":7}");
	expect(f, fd, "{\"ok\":true,\"id\":\"x\"}");
	ctl_server_set_ue(f->srv, NULL);
	roundtrip(f, fd, "{\"cmd\":\"status\"}\n", "{\"ok\":true,\"ue\":[]}");
	roundtrip(f, fd, "{\"cmd\":\"register\"}\n",
		  "{\"ok\":false,\"error\":\"register: the UE is being reconfigured, try again\"}");
	close(fd);
}

static void test_errors(void **state)
{
	struct fx *f = *state;
	int fd = client(f);

	roundtrip(f, fd, "{\"cmd\":\"status\"\n",
		  "{\"ok\":false,\"error\":\"malformed JSON: '}' expected near end of file\"}");
	roundtrip(f, fd, "hello\n",
		  "{\"ok\":false,\"error\":\"malformed JSON: '[' or '{' expected near 'hello'\"}");
	roundtrip(f, fd, "{\"cmd\":\"status\",\"cmd\":\"quit\"}\n",
		  "{\"ok\":false,\"error\":\"malformed JSON: duplicate object key near "
		  "'\\\"cmd\\\"'\"}");
	roundtrip(f, fd, "[1,2]\n", "{\"ok\":false,\"error\":\"a request is a JSON object\"}");
	roundtrip(f, fd, "{\"command\":\"status\"}\n",
		  "{\"ok\":false,\"error\":\"missing \\\"cmd\\\" (a string)\"}");
	roundtrip(f, fd, "{\"cmd\":42,\"id\":1}\n",
		  "{\"ok\":false,\"error\":\"missing \\\"cmd\\\" (a string)\",\"id\":1}");
	roundtrip(f, fd, "{\"cmd\":\"frobnicate\"}\n",
		  "{\"ok\":false,\"error\":\"unknown command 'frobnicate'\"}");
	roundtrip(f, fd, "{\"cmd\":\"sms\",\"hex\":\"00\"}\n",
		  "{\"ok\":false,\"error\":\"not supported yet: sms\"}");
	roundtrip(f, fd, "{\"cmd\":\"otp\",\"otp\":\"1234\"}\n",
		  "{\"ok\":false,\"error\":\"not supported yet: otp\"}");
	roundtrip(f, fd, "{\"cmd\":\"msisdn\",\"msisdn\":\"+1555\"}\n",
		  "{\"ok\":false,\"error\":\"not supported yet: msisdn\"}");
	/* A NUL inside a line is malformed JSON, and the connection lives on. */
	assert_int_equal(send(fd, "{\"cmd\":\0}\n", 10, 0), 10);
	{
		char buf[512];
		char *l = read_line(f, fd, buf, sizeof(buf));

		assert_non_null(l);
		assert_non_null(strstr(l, "{\"ok\":false,\"error\":\"malformed JSON: "));
	}
	roundtrip(f, fd, "{\"cmd\":\"status\"}\n", "{\"ok\":true,\"ue\":[" STATUS "]}");
	close(fd);
}

static void test_commands(void **state)
{
	struct fx *f = *state;
	int fd = client(f), ev = client(f);

	roundtrip(f, ev, "{\"cmd\":\"events\"}\n", "{\"ok\":true}");
	roundtrip(f, fd, "{\"cmd\":\"register\"}\n", "{\"ok\":true}");
	assert_int_equal(f->ue->n_start, 1);
	f->ue->start_rc = -1;
	roundtrip(f, fd, "{\"cmd\":\"register\"}\n",
		  "{\"ok\":false,\"error\":\"register: refused in state registering\"}");
	roundtrip(f, fd, "{\"cmd\":\"deregister\"}\n",
		  "{\"ok\":false,\"error\":\"deregister: needs \\\"impu\\\" (an IMPU or "
		  "\\\"all\\\")\"}");
	roundtrip(f, fd, "{\"cmd\":\"deregister\",\"impu\":\"sip:bob@x\"}\n",
		  "{\"ok\":false,\"error\":\"deregister: 'sip:bob@x' is not registered\"}");
	/* The event goes to the subscriber only; the reply to the caller. */
	roundtrip(f, fd, "{\"cmd\":\"deregister\",\"impu\":\"all\"}\n", "{\"ok\":true}");
	assert_string_equal(f->ue->last_dereg, "all");
	expect(f, ev,
	       "{\"event\":\"deregistered\",\"ue\":\"alice\",\"impu\":\"sip:alice@ims.example."
	       "net\","
	       "\"state\":\"deregistered\",\"reason\":\"user\"}");
	roundtrip(f, fd, "{\"cmd\":\"reconfigure\"}\n", "{\"ok\":true}");
	f->reconf_rc = -1;
	roundtrip(
		f, fd, "{\"cmd\":\"reconfigure\"}\n",
		"{\"ok\":false,\"error\":\"reconfigure: t.conf:3: unknown key 'x' in [network]\"}");
	assert_int_equal(f->n_reconf, 2);
	assert_int_equal(f->n_quit, 0);
	roundtrip(f, fd, "{\"cmd\":\"quit\"}\n", "{\"ok\":true}");
	assert_int_equal(f->n_quit, 1);
	/* Nothing else was sent to the event client. */
	{
		struct pollfd p = {.fd = fd, .events = POLLIN};

		ue_loop_step(f->loop, 10);
		assert_int_equal(poll(&p, 1, 0), 0);
		p.fd = ev;
		assert_int_equal(poll(&p, 1, 0), 0);
	}
	close(fd);
	close(ev);
}

static void test_long_line(void **state)
{
	struct fx *f = *state;
	char big[70000], buf[256];
	int fd, other;

	ctl_server_free(f->srv);
	assert_int_equal(start_server(f, 64, 0, 0), 0);
	fd = client(f);
	other = client(f);
	/* 63 characters and the newline fit exactly. */
	snprintf(big, sizeof(big), "{\"cmd\":\"status\",\"pad\":\"%038d\"}\n", 0);
	assert_int_equal(strlen(big), 64);
	roundtrip(f, fd, big, "{\"ok\":true,\"ue\":[" STATUS "]}");
	snprintf(big, sizeof(big), "{\"cmd\":\"status\",\"pad\":\"%039d\"}\n", 0);
	roundtrip(f, fd, big, "{\"ok\":false,\"error\":\"line too long\"}");
	assert_string_equal(read_line(f, fd, buf, sizeof(buf)), "");
	close(fd);

	/* The default limit of 64 KiB, with a client that keeps sending. */
	ctl_server_free(f->srv);
	assert_int_equal(start_server(f, 0, 0, 0), 0);
	fd = client(f);
	memset(big, 'x', sizeof(big));
	assert_int_equal(send(fd, big, sizeof(big), MSG_NOSIGNAL | MSG_DONTWAIT) > 0, 1);
	expect(f, fd, "{\"ok\":false,\"error\":\"line too long\"}");
	assert_string_equal(read_line(f, fd, buf, sizeof(buf)), "");
	close(fd);
	assert_int_equal(ctl_server_clients(f->srv), 0);
	close(other);
}

static void test_many_clients(void **state)
{
	struct fx *f = *state;
	int fds[40], extra;
	char buf[256];

	for (int i = 0; i < 40; i++)
		fds[i] = client(f);
	assert_int_equal(ctl_server_clients(f->srv), 40);
	for (int i = 0; i < 40; i++) {
		snprintf(buf, sizeof(buf), "{\"cmd\":\"events\",\"id\":%d}\n", i);
		send_str(fds[i], buf);
	}
	for (int i = 39; i >= 0; i--) {
		snprintf(buf, sizeof(buf), "{\"ok\":true,\"id\":%d}", i);
		expect(f, fds[i], buf);
	}
	/* Half of them leave, one in the middle of a line. */
	send_str(fds[0], "{\"cmd\":\"sta");
	for (int i = 0; i < 40; i += 2)
		close(fds[i]);
	for (int i = 0; i < 10; i++)
		ue_loop_step(f->loop, 5);
	assert_int_equal(ctl_server_clients(f->srv), 20);
	for (int i = 1; i < 40; i += 2) {
		roundtrip(f, fds[i], "{\"cmd\":\"status\"}\n", "{\"ok\":true,\"ue\":[" STATUS "]}");
		close(fds[i]);
	}

	/* Over the client limit: one error line and the door closes. */
	ctl_server_free(f->srv);
	assert_int_equal(start_server(f, 0, 0, 2), 0);
	fds[0] = client(f);
	fds[1] = client(f);
	extra = client(f);
	expect(f, extra, "{\"ok\":false,\"error\":\"too many clients\"}");
	assert_string_equal(read_line(f, extra, buf, sizeof(buf)), "");
	roundtrip(f, fds[1], "{\"cmd\":\"events\"}\n", "{\"ok\":true}");
	close(extra);
	close(fds[0]);
	close(fds[1]);
}

static void test_slow_reader(void **state)
{
	struct fx *f = *state;
	int slow, ok, sndbuf = 4096;
	char req[64 * 18 + 1] = "";

	ctl_server_free(f->srv);
	assert_int_equal(start_server(f, 0, 4096, 0), 0);
	slow = client(f);
	ok = client(f);
	/* Small kernel buffers, so that the server's queue fills quickly. */
	setsockopt(slow, SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof(sndbuf));
	for (int i = 0; i < 64; i++)
		strcat(req, "{\"cmd\":\"status\"}\n");
	/* The slow client sends and never reads; the loop never blocks. */
	for (int i = 0; i < 400 && ctl_server_clients(f->srv) == 2; i++) {
		if (send(slow, req, strlen(req), MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
		    errno != EAGAIN)
			break;
		ue_loop_step(f->loop, 1);
	}
	assert_int_equal(ctl_server_clients(f->srv), 1);
	roundtrip(f, ok, "{\"cmd\":\"status\"}\n", "{\"ok\":true,\"ue\":[" STATUS "]}");
	close(slow);
	close(ok);
}

/* A client that asked for events and never reads: events keep coming, the
 * server never blocks on it, another client is answered all along, and
 * once its queue is over the limit it is dropped while a reading
 * subscriber still gets every event. */
static void test_event_subscriber_never_reads(void **state)
{
	struct fx *f = *state;
	int deaf, ok, reader, rcvbuf = 4096, got = 0, sent = 0, answered = 0;
	char pad[300], buf[65536];
	ssize_t n;

	ctl_server_free(f->srv);
	assert_int_equal(start_server(f, 0, 8192, 0), 0);
	deaf = client(f);
	ok = client(f);
	reader = client(f);
	setsockopt(deaf, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	roundtrip(f, deaf, "{\"cmd\":\"events\"}\n", "{\"ok\":true}");
	roundtrip(f, reader, "{\"cmd\":\"events\"}\n", "{\"ok\":true}");
	memset(pad, 'p', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (int i = 0; i < 2000 && ctl_server_clients(f->srv) == 3; i++) {
		json_t *ev = json_pack("{s:s,s:s,s:i}", "event", "error", "pad", pad, "n", i);

		ctl_server_event(f->srv, ev);
		sent++;
		json_decref(ev);
		while ((n = recv(reader, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			for (ssize_t j = 0; j < n; j++)
				got += buf[j] == '\n';
		if (i % 50 == 0) {
			roundtrip(f, ok, "{\"cmd\":\"status\"}\n",
				  "{\"ok\":true,\"ue\":[" STATUS "]}");
			answered++;
		}
		ue_loop_step(f->loop, 0);
	}
	assert_int_equal(ctl_server_clients(f->srv), 2);
	assert_true(answered >= 1);
	for (int round = 0; round < 50; round++) {
		ue_loop_step(f->loop, 2);
		while ((n = recv(reader, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			for (ssize_t j = 0; j < n; j++)
				got += buf[j] == '\n';
	}
	/* The reader got every event, the deaf client's fate notwithstanding. */
	assert_int_equal(got, sent);
	roundtrip(f, ok, "{\"cmd\":\"status\"}\n", "{\"ok\":true,\"ue\":[" STATUS "]}");
	assert_int_equal(recv(deaf, buf, sizeof(buf), MSG_DONTWAIT) > 0, 1);
	close(deaf);
	close(ok);
	close(reader);
}

/* A client with many requests queued does not hold the loop: another
 * client's request is answered before the first one's are all done. */
static void test_fairness(void **state)
{
	struct fx *f = *state;
	int a = client(f), b = client(f), replies = 0;
	char req[200 * 18 + 1] = "", buf[65536];
	ssize_t n;

	for (int i = 0; i < 200; i++)
		strcat(req, "{\"cmd\":\"status\"}\n");
	send_str(a, req);
	send_str(b, "{\"cmd\":\"events\"}\n");
	expect(f, b, "{\"ok\":true}");
	while ((n = recv(a, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		for (ssize_t i = 0; i < n; i++)
			replies += buf[i] == '\n';
	assert_true(replies >= CTL_TURN_LINES && replies < 200);
	/* The rest follows, in order, without A sending anything more. */
	for (int round = 0; round < 400 && replies < 200; round++) {
		ue_loop_step(f->loop, 5);
		while ((n = recv(a, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			for (ssize_t i = 0; i < n; i++)
				replies += buf[i] == '\n';
	}
	assert_int_equal(replies, 200);
	close(a);
	close(b);
}

static void test_socket_file(void **state)
{
	struct fx *f = *state;
	struct ctl_params p = {.loop = f->loop, .path = f->path, .hooks = &hooks, .arg = f};
	struct ctl_server *second;
	struct stat st;
	char err[256], path[200];
	int fd;

	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	/* A live socket is not taken over. */
	assert_int_equal(ctl_server_new(&second, &p, err, sizeof(err)), -1);
	snprintf(path, sizeof(path), "%s: in use by another process", f->path);
	assert_string_equal(err, path);
	/* A stale one (nobody listening) is. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	{
		struct sockaddr_un sa = {.sun_family = AF_UNIX};

		snprintf(path, sizeof(path), "%s/stale.sock", f->dir);
		strcpy(sa.sun_path, path);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		close(fd);
	}
	p.path = path;
	assert_int_equal(ctl_server_new(&second, &p, err, sizeof(err)), 0);
	ctl_server_free(second);
	assert_int_equal(stat(path, &st), -1);
	/* Not a socket: refused, left alone. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(ctl_server_new(&second, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "stale.sock: exists and is not a socket"));
	unlink(path);
	p.path = "/nonexistent-dir/a/b.sock";
	assert_int_equal(ctl_server_new(&second, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent-dir/a/b.sock: cannot create /nonexistent-dir/a: "
				 "No such file or directory");
	/* Freed: the file goes. */
	ctl_server_free(f->srv);
	f->srv = NULL;
	assert_int_equal(stat(f->path, &st), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_subscriber_never_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fairness, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
