/* imsue-test-hss: a small Diameter Cx HSS for the bundled Kamailio IMS test network.
 *
 *   imsue-test-hss -s SUBSCRIBERS.ini [-l ADDR:PORT] [-H ORIGIN-HOST] [-R ORIGIN-REALM]
 *                  [-n SCSCF-NAME] [-c CTL-SOCKET] [-i IND-BITLEN] [-x DUMP-DIR]
 *   imsue-test-hss -c CTL-SOCKET COMMAND [ARGS...]      (control client)
 *
 * One thread, one poll loop: Diameter peers over TCP, control clients over a UNIX socket
 * (one command per line; replies end with a line starting "ok" or "error"). See
 * doc/ims-net.md for the commands.
 */
#include "test/hss/hss.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_PEERS      8
#define MAX_CTL        8
#define CTL_LINE_MAX   1024
#define RTR_TIMEOUT_MS 5000

struct peer_conn {
	int fd;
	struct hss_peer info;
	uint8_t in[DIAM_MSG_MAX];
	size_t in_len;
};

struct ctl_conn {
	int fd;
	char in[CTL_LINE_MAX];
	size_t in_len;
};

struct pending_rtr {
	int active;
	uint32_t hop_by_hop;
	int ctl; /* index into ctl[], or -1 when the client went away */
	long long deadline_ms;
	char impi[HSS_ID_MAX];
};

struct hss {
	struct hss_db db;
	int listen_fd, ctl_fd, sig_fd;
	struct peer_conn *peers[MAX_PEERS];
	struct ctl_conn ctl[MAX_CTL];
	struct pending_rtr rtr;
	uint32_t next_hbh, next_e2e;
	int stop;
	const char *dump_dir; /* -x: every received message is written there */
	unsigned dump_n;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int os_rand(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	return getrandom(buf, len, 0) == (ssize_t)len ? 0 : -1;
}

static int send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void ctl_printf(struct hss *h, int i, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ctl_printf(struct hss *h, int i, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	if (i < 0 || h->ctl[i].fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	send_all(h->ctl[i].fd, line, (size_t)n);
}

static void peer_close(struct hss *h, int i, const char *why)
{
	struct peer_conn *p = h->peers[i];

	hss_log(&h->db, "peer %s: connection closed (%s)",
		p->info.origin_host[0] ? p->info.origin_host : "?", why);
	close(p->fd);
	free(p);
	h->peers[i] = NULL;
}

static struct peer_conn *rtr_peer(struct hss *h, const struct hss_sub *sub)
{
	struct peer_conn *first = NULL;
	int i;

	for (i = 0; i < MAX_PEERS; i++) {
		if (!h->peers[i] || !h->peers[i]->info.open)
			continue;
		if (!first)
			first = h->peers[i];
		if (sub->scscf_host[0] &&
		    strcmp(h->peers[i]->info.origin_host, sub->scscf_host) == 0)
			return h->peers[i];
	}
	return first;
}

static void cmd_list(struct hss *h, int c)
{
	char impus[HSS_IMPU_MAX * HSS_ID_MAX + HSS_IMPU_MAX];
	size_t i, n;
	int j;

	for (i = 0; i < h->db.n_subs; i++) {
		struct hss_sub *s = &h->db.subs[i];

		impus[0] = '\0';
		for (j = 0, n = 0; j < s->n_impu; j++)
			n += (size_t)snprintf(impus + n, sizeof(impus) - n, "%s%s", j ? "," : "",
					      s->impu[j]);
		ctl_printf(
			h, c,
			"name=%s impi=%s auth=%s%s%s preferred=%s sqn=%012llx registered=%s "
			"scscf=%s mar=%u sar=%u resync=%u reject=%u impus=%s",
			s->name, s->impi, s->has_aka ? "aka" : "",
			s->has_aka && s->has_password ? "+" : "", s->has_password ? "digest" : "",
			s->preferred == HSS_AUTH_AKA ? "aka" : "digest", (unsigned long long)s->sqn,
			s->registered ? "yes" : "no", s->scscf_name[0] ? s->scscf_name : "-",
			s->n_mar, s->n_sar, s->n_resync, s->reject_code, impus);
	}
	ctl_printf(h, c, "ok %zu subscribers", h->db.n_subs);
}

static struct hss_sub *find_user(struct hss *h, const char *id)
{
	struct hss_sub *s = hss_db_find_impi(&h->db, id);
	size_t i;

	if (!s)
		s = hss_db_find_impu(&h->db, id);
	for (i = 0; !s && i < h->db.n_subs; i++)
		if (strcmp(h->db.subs[i].name, id) == 0)
			s = &h->db.subs[i];
	return s;
}

static void cmd_rtr(struct hss *h, int c, const char *id)
{
	uint8_t out[4096];
	struct peer_conn *p;
	struct hss_sub *s;
	char err[256];
	long len;

	s = find_user(h, id);
	if (!s) {
		ctl_printf(h, c, "error unknown user %s", id);
		return;
	}
	if (h->rtr.active) {
		ctl_printf(h, c, "error an RTR is already waiting for its answer");
		return;
	}
	p = rtr_peer(h, s);
	if (!p) {
		ctl_printf(h, c, "error no S-CSCF is connected");
		return;
	}
	len = hss_cx_rtr(&h->db, s, p->info.origin_host, p->info.origin_realm, h->next_hbh,
			 h->next_e2e, out, sizeof(out), err, sizeof(err));
	if (len < 0 || send_all(p->fd, out, (size_t)len) < 0) {
		ctl_printf(h, c, "error cannot send the RTR: %s", len < 0 ? err : strerror(errno));
		return;
	}
	hss_log(&h->db, "RTR %s (%d IMPUs) sent to %s", s->impi, s->n_impu, p->info.origin_host);
	h->rtr.active = 1;
	h->rtr.hop_by_hop = h->next_hbh;
	h->rtr.ctl = c;
	h->rtr.deadline_ms = now_ms() + RTR_TIMEOUT_MS;
	snprintf(h->rtr.impi, sizeof(h->rtr.impi), "%s", s->impi);
	h->next_hbh++;
	h->next_e2e++;
}

static void cmd_sqn(struct hss *h, int c, const char *id, const char *hex)
{
	struct hss_sub *s = find_user(h, id);
	uint8_t b[6];
	int i;

	if (!s || !s->has_aka) {
		ctl_printf(h, c, "error %s is not an AKA subscriber", id);
		return;
	}
	if (!hex || hss_hex_decode(hex, b, 6) < 0) {
		ctl_printf(h, c, "error sqn needs 12 hex digits");
		return;
	}
	s->sqn = 0;
	for (i = 0; i < 6; i++)
		s->sqn = s->sqn << 8 | b[i];
	hss_log(&h->db, "SQN of %s set to %012llx by command", s->impi, (unsigned long long)s->sqn);
	ctl_printf(h, c, "ok sqn=%012llx", (unsigned long long)s->sqn);
}

static void cmd_reject(struct hss *h, int c, const char *id, const char *code)
{
	struct hss_sub *s = find_user(h, id);
	char *end;
	unsigned long v;

	if (!s || !code) {
		ctl_printf(h, c, "error usage: reject USER CODE|off");
		return;
	}
	if (strcmp(code, "off") == 0) {
		v = 0;
	} else {
		v = strtoul(code, &end, 10);
		if (*end || v < 3000 || v > 5999) {
			ctl_printf(h, c, "error CODE must be a Diameter result code 3000-5999");
			return;
		}
	}
	s->reject_code = (uint32_t)v;
	hss_log(&h->db, "MAR of %s: %s", s->impi, v ? "rejected from now on" : "accepted again");
	ctl_printf(h, c, "ok reject=%lu", v);
}

static void cmd_peers(struct hss *h, int c)
{
	int i, n = 0;

	for (i = 0; i < MAX_PEERS; i++) {
		if (!h->peers[i])
			continue;
		n++;
		ctl_printf(h, c, "peer host=%s realm=%s open=%d",
			   h->peers[i]->info.origin_host[0] ? h->peers[i]->info.origin_host : "-",
			   h->peers[i]->info.origin_realm[0] ? h->peers[i]->info.origin_realm : "-",
			   h->peers[i]->info.open);
	}
	ctl_printf(h, c, "ok %d peers", n);
}

static void ctl_command(struct hss *h, int c, char *line)
{
	char *argv[4] = {0};
	char *save = NULL, *tok;
	int argc = 0;

	for (tok = strtok_r(line, " \t\r", &save); tok && argc < 4;
	     tok = strtok_r(NULL, " \t\r", &save))
		argv[argc++] = tok;
	if (!argc)
		return;
	if (strcmp(argv[0], "list") == 0)
		cmd_list(h, c);
	else if (strcmp(argv[0], "peers") == 0)
		cmd_peers(h, c);
	else if (strcmp(argv[0], "rtr") == 0 && argc == 2)
		cmd_rtr(h, c, argv[1]);
	else if (strcmp(argv[0], "sqn") == 0 && argc == 3)
		cmd_sqn(h, c, argv[1], argv[2]);
	else if (strcmp(argv[0], "reject") == 0 && argc == 3)
		cmd_reject(h, c, argv[1], argv[2]);
	else if (strcmp(argv[0], "ping") == 0)
		ctl_printf(h, c, "ok pong");
	else
		ctl_printf(h, c,
			   "error commands: list | peers | rtr USER | sqn USER HEX12 | "
			   "reject USER CODE|off | ping");
}

static void ctl_read(struct hss *h, int c)
{
	struct ctl_conn *cc = &h->ctl[c];
	ssize_t n;
	char *nl;

	n = read(cc->fd, cc->in + cc->in_len, sizeof(cc->in) - 1 - cc->in_len);
	if (n <= 0) {
		close(cc->fd);
		cc->fd = -1;
		if (h->rtr.active && h->rtr.ctl == c)
			h->rtr.ctl = -1;
		return;
	}
	cc->in_len += (size_t)n;
	cc->in[cc->in_len] = '\0';
	while ((nl = strchr(cc->in, '\n')) != NULL) {
		*nl = '\0';
		ctl_command(h, c, cc->in);
		if (cc->fd < 0)
			return;
		cc->in_len -= (size_t)(nl + 1 - cc->in);
		memmove(cc->in, nl + 1, cc->in_len + 1);
	}
	if (cc->in_len == sizeof(cc->in) - 1) {
		ctl_printf(h, c, "error line too long");
		cc->in_len = 0;
	}
}

static void handle_answer(struct hss *h, struct peer_conn *p, const struct diam_hdr *hdr,
			  const uint8_t *body, size_t len)
{
	uint32_t rc = 0;
	char err[256];

	if (hdr->code != DIAM_CMD_RT || !h->rtr.active || hdr->hop_by_hop != h->rtr.hop_by_hop) {
		hss_log(&h->db, "%s from %s ignored", diam_cmd_name(hdr->code, 0),
			p->info.origin_host);
		return;
	}
	if (diam_find_u32(body, len, DIAM_AVP_RESULT_CODE, 0, &rc, err, sizeof(err)) <= 0)
		rc = 0;
	hss_log(&h->db, "RTA for %s from %s: Result-Code %u", h->rtr.impi, p->info.origin_host, rc);
	if (rc == DIAM_SUCCESS) {
		struct hss_sub *s = hss_db_find_impi(&h->db, h->rtr.impi);

		if (s)
			s->registered = 0;
		ctl_printf(h, h->rtr.ctl, "ok rta result=%u", rc);
	} else {
		ctl_printf(h, h->rtr.ctl, "error rta result=%u", rc);
	}
	h->rtr.active = 0;
}

/* Keep a received message as a file (fuzzing seeds, interop debugging). */
static void dump_message(struct hss *h, const uint8_t *msg, size_t len)
{
	char path[4096];
	FILE *f;

	if (!h->dump_dir || len < DIAM_HDR_LEN)
		return;
	snprintf(path, sizeof(path), "%s/%03u-%s.bin", h->dump_dir, h->dump_n++,
		 diam_cmd_name((uint32_t)msg[5] << 16 | (uint32_t)msg[6] << 8 | msg[7],
			       msg[4] & DIAM_FLAG_REQUEST));
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(msg, 1, len, f);
	fclose(f);
}

/* Process every complete message in the peer's buffer. Returns -1 when the peer must go. */
static int peer_process(struct hss *h, int i)
{
	struct peer_conn *p = h->peers[i];
	uint8_t out[DIAM_MSG_MAX];
	const uint8_t *body;
	struct diam_hdr hdr;
	size_t body_len;
	char err[256];
	long mlen, alen;

	for (;;) {
		mlen = diam_msg_length(p->in, p->in_len, err, sizeof(err));
		if (mlen < 0) {
			hss_log(&h->db, "peer %s: %s", p->info.origin_host, err);
			return -1;
		}
		if (mlen == 0 || (size_t)mlen > p->in_len)
			return 0;
		dump_message(h, p->in, (size_t)mlen);
		if (diam_msg_decode(p->in, (size_t)mlen, &hdr, &body, &body_len, err, sizeof(err)) <
		    0) {
			hss_log(&h->db, "peer %s: malformed message: %s", p->info.origin_host, err);
			return -1;
		}
		if (hdr.flags & DIAM_FLAG_REQUEST) {
			alen = hss_cx_answer(&h->db, &p->info, &hdr, body, body_len, out,
					     sizeof(out), err, sizeof(err));
			if (alen < 0) {
				hss_log(&h->db, "%s from %s: no answer: %s",
					diam_cmd_name(hdr.code, 1), p->info.origin_host, err);
				return -1;
			}
			if (send_all(p->fd, out, (size_t)alen) < 0)
				return -1;
			if (hdr.code == DIAM_CMD_DP)
				return -1;
		} else {
			handle_answer(h, p, &hdr, body, body_len);
		}
		p->in_len -= (size_t)mlen;
		memmove(p->in, p->in + mlen, p->in_len);
	}
}

static void peer_read(struct hss *h, int i)
{
	struct peer_conn *p = h->peers[i];
	ssize_t n;

	n = read(p->fd, p->in + p->in_len, sizeof(p->in) - p->in_len);
	if (n <= 0) {
		peer_close(h, i, n == 0 ? "closed by peer" : strerror(errno));
		return;
	}
	p->in_len += (size_t)n;
	if (peer_process(h, i) < 0)
		peer_close(h, i, "protocol");
}

static void accept_peer(struct hss *h)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd, i, one = 1;

	fd = accept4(h->listen_fd, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < MAX_PEERS && h->peers[i]; i++)
		;
	if (i == MAX_PEERS || !(h->peers[i] = calloc(1, sizeof(struct peer_conn)))) {
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	h->peers[i]->fd = fd;
	hss_log(&h->db, "Diameter connection from %s:%u", inet_ntoa(sa.sin_addr),
		ntohs(sa.sin_port));
}

static void accept_ctl(struct hss *h)
{
	int fd, i;

	fd = accept4(h->ctl_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < MAX_CTL && h->ctl[i].fd >= 0; i++)
		;
	if (i == MAX_CTL) {
		close(fd);
		return;
	}
	h->ctl[i].fd = fd;
	h->ctl[i].in_len = 0;
}

static int run(struct hss *h)
{
	struct pollfd pfd[3 + MAX_PEERS + MAX_CTL];
	int who[3 + MAX_PEERS + MAX_CTL];
	int n, i, timeout;

	while (!h->stop) {
		n = 0;
		pfd[n] = (struct pollfd){.fd = h->sig_fd, .events = POLLIN};
		who[n++] = -1;
		pfd[n] = (struct pollfd){.fd = h->listen_fd, .events = POLLIN};
		who[n++] = -2;
		if (h->ctl_fd >= 0) {
			pfd[n] = (struct pollfd){.fd = h->ctl_fd, .events = POLLIN};
			who[n++] = -3;
		}
		for (i = 0; i < MAX_PEERS; i++)
			if (h->peers[i]) {
				pfd[n] = (struct pollfd){.fd = h->peers[i]->fd, .events = POLLIN};
				who[n++] = i;
			}
		for (i = 0; i < MAX_CTL; i++)
			if (h->ctl[i].fd >= 0) {
				pfd[n] = (struct pollfd){.fd = h->ctl[i].fd, .events = POLLIN};
				who[n++] = 1000 + i;
			}
		timeout = -1;
		if (h->rtr.active) {
			long long left = h->rtr.deadline_ms - now_ms();

			timeout = left > 0 ? (int)left : 0;
		}
		if (poll(pfd, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			hss_log(&h->db, "poll: %s", strerror(errno));
			return -1;
		}
		if (h->rtr.active && now_ms() >= h->rtr.deadline_ms) {
			hss_log(&h->db, "RTR for %s: no answer", h->rtr.impi);
			ctl_printf(h, h->rtr.ctl, "error no RTA within %d ms", RTR_TIMEOUT_MS);
			h->rtr.active = 0;
		}
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (who[i] == -1) {
				struct signalfd_siginfo si;

				if (read(h->sig_fd, &si, sizeof(si)) == sizeof(si))
					hss_log(&h->db, "signal %u: stopping", si.ssi_signo);
				h->stop = 1;
			} else if (who[i] == -2) {
				accept_peer(h);
			} else if (who[i] == -3) {
				accept_ctl(h);
			} else if (who[i] >= 1000) {
				if (h->ctl[who[i] - 1000].fd >= 0)
					ctl_read(h, who[i] - 1000);
			} else if (h->peers[who[i]]) {
				peer_read(h, who[i]);
			}
		}
	}
	return 0;
}

static int listen_tcp(const char *spec, uint32_t *ip4)
{
	char host[64];
	const char *colon = strrchr(spec, ':');
	struct sockaddr_in sa;
	int fd, one = 1;
	long port;
	char *end;

	if (!colon || (size_t)(colon - spec) >= sizeof(host))
		return -1;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || port <= 0 || port > 65535)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -1;
	*ip4 = sa.sin_addr.s_addr ? sa.sin_addr.s_addr : htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int unix_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -1;
	strcpy(sa->sun_path, path);
	return 0;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa;
	mode_t old;
	int fd;

	if (unix_addr(path, &sa) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	return fd;
}

/* Control client: send one command line, print the reply up to its final ok/error line. */
static int client(const char *path, int argc, char **argv)
{
	char line[CTL_LINE_MAX], buf[4096];
	struct sockaddr_un sa;
	size_t n = 0, len = 0;
	int fd, i, status = 2;
	ssize_t r;

	for (i = 0; i < argc; i++) {
		int w = snprintf(line + n, sizeof(line) - n, "%s%s", i ? " " : "", argv[i]);

		if (w < 0 || (size_t)w >= sizeof(line) - n - 1) {
			fprintf(stderr, "imsue-test-hss: command too long\n");
			return 2;
		}
		n += (size_t)w;
	}
	line[n++] = '\n';
	if (unix_addr(path, &sa) < 0 || (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 2;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "imsue-test-hss: %s: %s\n", path, strerror(errno));
		close(fd);
		return 2;
	}
	if (send_all(fd, line, n) < 0) {
		close(fd);
		return 2;
	}
	while ((r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
		char *start = buf, *nl;

		len += (size_t)r;
		buf[len] = '\0';
		while ((nl = strchr(start, '\n')) != NULL) {
			*nl = '\0';
			puts(start);
			if (strncmp(start, "ok", 2) == 0)
				status = 0;
			else if (strncmp(start, "error", 5) == 0)
				status = 1;
			start = nl + 1;
			if (status != 2)
				break;
		}
		if (status != 2)
			break;
		len -= (size_t)(start - buf);
		memmove(buf, start, len);
		if (len == sizeof(buf) - 1)
			len = 0;
	}
	close(fd);
	return status;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: imsue-test-hss -s SUBSCRIBERS.ini [-l ADDR:PORT] [-H ORIGIN-HOST]\n"
		   "                      [-R ORIGIN-REALM] [-n SCSCF-NAME] [-c CTL-SOCKET] [-i "
		   "IND-BITS]\n"
		   "                      [-x DUMP-DIR]\n"
		   "       imsue-test-hss -c CTL-SOCKET COMMAND [ARGS...]\n"
		   "commands: list | peers | rtr USER | sqn USER HEX12 | reject USER CODE|off | "
		   "ping\n");
}

int main(int argc, char **argv)
{
	const char *subs = NULL, *listen_spec = "127.0.0.1:3868", *ctl = NULL;
	struct hss *h;
	char err[512];
	sigset_t mask;
	int opt, i, rc;

	while ((opt = getopt(argc, argv, "+s:l:H:R:n:c:i:x:h")) != -1) {
		switch (opt) {
		case 's':
			subs = optarg;
			break;
		case 'l':
			listen_spec = optarg;
			break;
		case 'c':
			ctl = optarg;
			break;
		case 'H':
		case 'R':
		case 'n':
		case 'i':
		case 'x':
			break; /* applied below, once the state exists */
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!subs && ctl && optind < argc)
		return client(ctl, argc - optind, argv + optind);
	if (!subs || optind != argc) {
		usage(stderr);
		return 2;
	}

	h = calloc(1, sizeof(*h));
	if (!h)
		return 1;
	snprintf(h->db.origin_host, sizeof(h->db.origin_host), "hss.ims.test");
	snprintf(h->db.origin_realm, sizeof(h->db.origin_realm), "ims.test");
	snprintf(h->db.scscf_name, sizeof(h->db.scscf_name), "sip:scscf.ims.test");
	h->db.ind_bitlen = 5;
	h->db.log = stderr;
	h->db.rand_bytes = os_rand;
	optind = 1;
	while ((opt = getopt(argc, argv, "+s:l:H:R:n:c:i:x:h")) != -1) {
		switch (opt) {
		case 'H':
			snprintf(h->db.origin_host, sizeof(h->db.origin_host), "%s", optarg);
			break;
		case 'R':
			snprintf(h->db.origin_realm, sizeof(h->db.origin_realm), "%s", optarg);
			break;
		case 'n':
			snprintf(h->db.scscf_name, sizeof(h->db.scscf_name), "%s", optarg);
			break;
		case 'x':
			h->dump_dir = optarg;
			break;
		case 'i':
			h->db.ind_bitlen = (unsigned)atoi(optarg);
			if (h->db.ind_bitlen > 28) {
				fprintf(stderr, "imsue-test-hss: -i must be 0..28\n");
				return 2;
			}
			break;
		}
	}
	if (hss_db_load(&h->db, subs, err, sizeof(err)) < 0) {
		fprintf(stderr, "imsue-test-hss: %s\n", err);
		return 1;
	}
	h->ctl_fd = -1;
	for (i = 0; i < MAX_CTL; i++)
		h->ctl[i].fd = -1;
	h->next_hbh = (uint32_t)time(NULL) << 8;
	h->next_e2e = (uint32_t)time(NULL) << 20;

	h->listen_fd = listen_tcp(listen_spec, &h->db.ip4);
	if (h->listen_fd < 0) {
		fprintf(stderr, "imsue-test-hss: cannot listen on %s: %s\n", listen_spec,
			strerror(errno));
		return 1;
	}
	if (ctl && (h->ctl_fd = listen_unix(ctl)) < 0) {
		fprintf(stderr, "imsue-test-hss: cannot listen on %s: %s\n", ctl, strerror(errno));
		return 1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	h->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);
	hss_log(&h->db, "ready: %zu subscribers, Diameter on %s as %s (realm %s)%s%s", h->db.n_subs,
		listen_spec, h->db.origin_host, h->db.origin_realm, ctl ? ", control on " : "",
		ctl ? ctl : "");

	rc = run(h);

	for (i = 0; i < MAX_PEERS; i++)
		if (h->peers[i])
			peer_close(h, i, "stopping");
	for (i = 0; i < MAX_CTL; i++)
		if (h->ctl[i].fd >= 0)
			close(h->ctl[i].fd);
	close(h->listen_fd);
	if (h->ctl_fd >= 0) {
		close(h->ctl_fd);
		unlink(ctl);
	}
	close(h->sig_fd);
	hss_db_free(&h->db);
	free(h);
	return rc < 0 ? 1 : 0;
}
