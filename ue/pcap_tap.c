/* The I/O half of the signalling trace (ue/pcap.h): Sofia-SIP writes its
 * transport dump into a memfd (through /proc/self/fd/N, opened for
 * appending); an inotify watch on the loop tells us when it grew, and each
 * complete record becomes one or more packets in the pcap file. The memfd is
 * emptied whenever every record in it has been converted, so it stays small. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ue/pcap.h"

#define MAX_FD_SCAN 4096

/* A TCP connection seen in the dump: its local end and the sequence
 * numbers made up for each direction. */
struct tap_flow {
	struct tap_flow *next;
	int family;
	uint8_t raddr[16], laddr[16];
	uint16_t rport, lport;
	int fd; /* the socket found for it, -1 if none */
	uint32_t seq_out, seq_in;
};

struct ue_pcap_tap {
	struct ue_loop *loop;
	char path[4096];
	char dump_path[64];
	int pcap_fd, dump_fd, ino_fd;
	struct ue_watch *watch;
	uint8_t *buf; /* dump bytes being converted */
	size_t cap;
	uint8_t *rec; /* one pcap record */
	off_t off; /* first unconverted byte of the dump */
	int lfamily;
	uint8_t laddr[16];
	uint16_t lport;
	struct tap_flow *flows;
	ue_pcap_log_cb log;
	void *arg;
	bool write_failed;
	unsigned skipped;
};

__attribute__((format(printf, 3, 4))) static void tap_log(struct ue_pcap_tap *t, int level,
							  const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!t->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	t->log(t->arg, level, line);
}

static int sa_split(const struct sockaddr_storage *ss, int *family, uint8_t addr[16],
		    uint16_t *port)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		memcpy(addr, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		memcpy(addr, &s6->sin6_addr, 16);
		*port = ntohs(s6->sin6_port);
	} else {
		return -1;
	}
	*family = ss->ss_family;
	return 0;
}

/* Is fd a TCP socket connected to the record's peer? Its local end if so. */
static bool fd_matches(int fd, const struct ue_pcap_dump_rec *r, uint8_t laddr[16],
		       uint16_t *lport)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int type = 0, fam;
	socklen_t tl = sizeof(type);
	uint8_t a[16];
	uint16_t port;
	size_t alen = r->family == AF_INET ? 4 : 16;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_STREAM)
		return false;
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0 || sa_split(&ss, &fam, a, &port) ||
	    fam != r->family || port != r->port || memcmp(a, r->addr, alen))
		return false;
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 || sa_split(&ss, &fam, a, &port) ||
	    fam != r->family)
		return false;
	memcpy(laddr, a, alen);
	*lport = port;
	return true;
}

/* The flow of a TCP record. Its local port is that of the process's socket
 * connected to the peer; a new local port means a new connection. */
static struct tap_flow *tap_flow_for(struct ue_pcap_tap *t, const struct ue_pcap_dump_rec *r)
{
	size_t alen = r->family == AF_INET ? 4 : 16;
	struct tap_flow *f, *known = NULL;
	uint8_t laddr[16] = {0};
	uint16_t lport = 0;
	int found = -1;

	/* The most recent connection to that peer is first in the list. */
	for (f = t->flows; f && !known; f = f->next)
		if (f->family == r->family && f->rport == r->port && !memcmp(f->raddr, r->addr, alen))
			known = f;
	if (known && known->fd >= 0 && fd_matches(known->fd, r, laddr, &lport) &&
	    lport == known->lport)
		return known;
	{
		struct rlimit rl;
		int max = MAX_FD_SCAN;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)max)
			max = (int)rl.rlim_cur;
		for (int fd = 0; fd < max && found < 0; fd++)
			if (fd != t->pcap_fd && fd != t->dump_fd && fd != t->ino_fd &&
			    fd_matches(fd, r, laddr, &lport))
				found = fd;
	}
	if (known && (found < 0 || lport == known->lport)) {
		known->fd = found;
		return known;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->family = r->family;
	memcpy(f->raddr, r->addr, alen);
	f->rport = r->port;
	f->fd = found;
	if (found >= 0) {
		memcpy(f->laddr, laddr, alen);
		f->lport = lport;
	} else {
		if (t->lfamily == r->family)
			memcpy(f->laddr, t->laddr, alen);
		f->lport = t->lport;
	}
	f->seq_out = f->seq_in = 1;
	f->next = t->flows;
	t->flows = f;
	return f;
}

static void tap_write(struct ue_pcap_tap *t, const struct ue_pcap_pkt *p, uint32_t sec,
		      uint32_t usec)
{
	char err[128];
	ssize_t n;

	if (t->write_failed)
		return;
	n = ue_pcap_record(t->rec, UE_PCAP_REC_HDR + 65535, p, sec, usec, err, sizeof(err));
	if (n < 0) {
		tap_log(t, 1, "pcap: message left out: %s", err);
		return;
	}
	/* One write per record: several UEs may append to one file. */
	if (write(t->pcap_fd, t->rec, (size_t)n) != n) {
		tap_log(t, 0, "pcap: %s: %s; no more trace", t->path,
			errno ? strerror(errno) : "short write");
		t->write_failed = true;
	}
}

/* The dump has the time of day only: the date is today's, or yesterday's
 * for a record from just before midnight. */
static void tap_time(const struct ue_pcap_dump_rec *r, uint32_t *sec, uint32_t *usec)
{
	struct timespec now;
	time_t ts;

	clock_gettime(CLOCK_REALTIME, &now);
	ts = now.tv_sec - now.tv_sec % 86400 + (time_t)r->day_s;
	if (ts > now.tv_sec + 43200)
		ts -= 86400;
	*sec = (uint32_t)ts;
	*usec = r->usec;
}

static void tap_record(struct ue_pcap_tap *t, const struct ue_pcap_dump_rec *r)
{
	struct ue_pcap_pkt p = {.family = r->family};
	size_t alen = r->family == AF_INET ? 4 : 16;
	uint8_t *mine = r->sent ? p.src : p.dst, *theirs = r->sent ? p.dst : p.src;
	uint16_t *myport = r->sent ? &p.sport : &p.dport, *theirport = r->sent ? &p.dport : &p.sport;
	uint32_t sec, usec;
	struct tap_flow *f = NULL;

	tap_time(r, &sec, &usec);
	memcpy(theirs, r->addr, alen);
	*theirport = r->port;
	if (!strcmp(r->proto, "udp")) {
		p.proto = UE_PCAP_UDP;
		if (t->lfamily == r->family)
			memcpy(mine, t->laddr, alen);
		*myport = t->lport;
		p.payload = r->data;
		p.len = r->len;
		tap_write(t, &p, sec, usec);
		return;
	}
	if (strcmp(r->proto, "tcp") && strcmp(r->proto, "tls") && strcmp(r->proto, "ws") &&
	    strcmp(r->proto, "wss")) {
		tap_log(t, 2, "pcap: %s message left out (only UDP and TCP are written)", r->proto);
		return;
	}
	f = tap_flow_for(t, r);
	if (!f)
		return;
	p.proto = UE_PCAP_TCP;
	memcpy(mine, f->laddr, alen);
	*myport = f->lport;
	/* A stream chunk larger than a packet goes out as several segments. */
	for (size_t done = 0; done < r->len || (done == 0 && r->len == 0);) {
		size_t n = r->len - done;

		if (n > UE_PCAP_MAX_PAYLOAD)
			n = UE_PCAP_MAX_PAYLOAD;
		p.payload = r->data + done;
		p.len = n;
		p.seq = r->sent ? f->seq_out : f->seq_in;
		p.ack = r->sent ? f->seq_in : f->seq_out;
		tap_write(t, &p, sec, usec);
		if (r->sent)
			f->seq_out += (uint32_t)n;
		else
			f->seq_in += (uint32_t)n;
		done += n;
		if (!n)
			break;
	}
}

void ue_pcap_tap_flush(struct ue_pcap_tap *t)
{
	struct stat st;
	size_t have, pos = 0;
	ssize_t n;

	if (!t || fstat(t->dump_fd, &st) != 0 || st.st_size <= t->off)
		return;
	have = (size_t)(st.st_size - t->off);
	if (have > t->cap) {
		uint8_t *b = realloc(t->buf, have);

		if (!b)
			return;
		t->buf = b;
		t->cap = have;
	}
	n = pread(t->dump_fd, t->buf, have, t->off);
	if (n <= 0)
		return;
	have = (size_t)n;
	while (pos < have) {
		struct ue_pcap_dump_rec r;
		char err[160];
		size_t used = 0;
		int rc = ue_pcap_dump_next(t->buf + pos, have - pos, &r, &used, err, sizeof(err));

		if (rc == UE_PCAP_DUMP_MORE)
			break;
		if (rc == UE_PCAP_DUMP_RECORD)
			tap_record(t, &r);
		else if (used > 1 && memcmp(t->buf + pos, "dump started", 12) &&
			 t->skipped++ < 8)
			tap_log(t, 2, "pcap: dump line skipped: %s", err);
		pos += used;
	}
	t->off += (off_t)pos;
	if (t->off == st.st_size && ftruncate(t->dump_fd, 0) == 0)
		t->off = 0;
}

static void on_inotify(void *arg, int fd, unsigned events)
{
	struct ue_pcap_tap *t = arg;
	char ev[1024];

	(void)events;
	while (read(fd, ev, sizeof(ev)) > 0)
		;
	ue_pcap_tap_flush(t);
}

__attribute__((format(printf, 3, 4))) static int tap_fail(char *err, size_t errlen,
							  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int tap_open_pcap(struct ue_pcap_tap *t, char *err, size_t errlen)
{
	uint8_t hdr[UE_PCAP_FILE_HDR];
	struct stat st;
	char why[160];

	t->pcap_fd = open(t->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
	if (t->pcap_fd < 0 || fstat(t->pcap_fd, &st) != 0)
		return tap_fail(err, errlen, "%s: %s", t->path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return tap_fail(err, errlen, "%s: not a regular file", t->path);
	if (st.st_size == 0) {
		ue_pcap_file_header(hdr);
		if (write(t->pcap_fd, hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr))
			return tap_fail(err, errlen, "%s: %s", t->path, strerror(errno));
		return 0;
	}
	/* Appending: a reload re-creates the UE, and several UEs may share one file. */
	if (pread(t->pcap_fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
	    ue_pcap_file_check(hdr, sizeof(hdr), why, sizeof(why)) != 0)
		return tap_fail(err, errlen, "%s: %s", t->path,
				st.st_size < UE_PCAP_FILE_HDR ? "not a pcap file" : why);
	return 0;
}

int ue_pcap_tap_new(struct ue_pcap_tap **out, struct ue_loop *loop, const char *path,
		    ue_pcap_log_cb log, void *arg, char *err, size_t errlen)
{
	struct ue_pcap_tap *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t)
		return tap_fail(err, errlen, "%s: out of memory", path);
	t->loop = loop;
	t->log = log;
	t->arg = arg;
	t->pcap_fd = t->dump_fd = t->ino_fd = -1;
	if (strlen(path) >= sizeof(t->path)) {
		free(t);
		return tap_fail(err, errlen, "pcap file name too long");
	}
	strcpy(t->path, path);
	t->rec = malloc(UE_PCAP_REC_HDR + 65535);
	if (!t->rec) {
		tap_fail(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	if (tap_open_pcap(t, err, errlen) != 0)
		goto fail;
	t->dump_fd = memfd_create("imsue-sip-dump", MFD_CLOEXEC);
	if (t->dump_fd < 0) {
		tap_fail(err, errlen, "%s: memfd_create: %s", path, strerror(errno));
		goto fail;
	}
	snprintf(t->dump_path, sizeof(t->dump_path), "/proc/self/fd/%d", t->dump_fd);
	t->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (t->ino_fd < 0 || inotify_add_watch(t->ino_fd, t->dump_path, IN_MODIFY) < 0) {
		tap_fail(err, errlen, "%s: inotify: %s", path, strerror(errno));
		goto fail;
	}
	t->watch = ue_watch_fd(loop, t->ino_fd, UE_FD_IN, on_inotify, t);
	if (!t->watch) {
		tap_fail(err, errlen, "%s: cannot watch the dump", path);
		goto fail;
	}
	*out = t;
	return 0;
fail:
	ue_pcap_tap_free(t);
	return -1;
}

const char *ue_pcap_tap_dump_path(const struct ue_pcap_tap *t)
{
	return t->dump_path;
}

void ue_pcap_tap_set_local(struct ue_pcap_tap *t, const char *host, uint16_t port)
{
	char h[64];
	size_t n = host ? strlen(host) : 0;

	if (!t)
		return;
	t->lport = port;
	t->lfamily = 0;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (!n || n >= sizeof(h))
		return;
	memcpy(h, host, n);
	h[n] = '\0';
	if (inet_pton(AF_INET, h, t->laddr) == 1)
		t->lfamily = AF_INET;
	else if (inet_pton(AF_INET6, h, t->laddr) == 1)
		t->lfamily = AF_INET6;
}

void ue_pcap_tap_free(struct ue_pcap_tap *t)
{
	if (!t)
		return;
	if (t->dump_fd >= 0 && t->pcap_fd >= 0)
		ue_pcap_tap_flush(t);
	ue_watch_free(t->watch);
	if (t->ino_fd >= 0)
		close(t->ino_fd);
	if (t->dump_fd >= 0)
		close(t->dump_fd);
	if (t->pcap_fd >= 0)
		close(t->pcap_fd);
	while (t->flows) {
		struct tap_flow *f = t->flows;

		t->flows = f->next;
		free(f);
	}
	free(t->buf);
	free(t->rec);
	free(t);
}
