/* Real ESP through sec/xfrm.c (run inside the test guest, as root): a "UE"
 * and a "P-CSCF" network namespace joined by a veth pair each install their
 * side of the four TS 33.203 7.1 SAs; UDP (and TCP) flows both ways between
 * port-c and port-s, the SA packet counters rise, plaintext to a protected
 * port is dropped, two sets coexist during re-authentication, hard
 * lifetimes expire, and deletion/cleanup leave the SAD and SPD empty.
 * Prints TAP. usage: esp_xfrm   (or a helper mode, see helper())
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sec/xfrm.h"
#include "ue/ipsec.h"

#define UE_NS   "espue"
#define PC_NS   "esppc"
#define UE_ADDR "10.99.0.1"
#define PC_ADDR "10.99.0.2"

static int n_test;
static int n_fail;

static void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++n_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		n_fail++;
}

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		diag("command failed (%d): %s", rc, cmd);
	return rc;
}

static int home_ns = -1;

static void enter_ns(const char *name)
{
	char path[128];
	int fd;

	if (!name) {
		if (setns(home_ns, CLONE_NEWNET) != 0) {
			perror("setns home");
			exit(1);
		}
		return;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static struct sec_xfrm *xfrm_in(const char *ns)
{
	char err[256];
	struct sec_xfrm *x;

	enter_ns(ns);
	x = sec_xfrm_open(err, sizeof(err));
	enter_ns(NULL);
	if (!x) {
		diag("%s", err);
		exit(1);
	}
	return x;
}

/* A socket of type in namespace ns bound to addr:port. */
static int sock_in(const char *ns, int type, const char *addr, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd, one = 1;

	enter_ns(ns);
	fd = socket(AF_INET, type, 0);
	enter_ns(NULL);
	inet_pton(AF_INET, addr, &a.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		diag("bind %s:%u in %s: %s", addr, port, ns, strerror(errno));
		exit(1);
	}
	return fd;
}

static bool wait_readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, ms) == 1;
}

/* Send msg from fd to addr:port; true if rfd receives exactly it. */
static bool udp_pass(int fd, const char *addr, uint16_t port, int rfd, const char *msg)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	char buf[256];
	ssize_t n;

	inet_pton(AF_INET, addr, &a.sin_addr);
	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&a, sizeof(a)) < 0) {
		diag("sendto %s:%u: %s", addr, port, strerror(errno));
		return false;
	}
	if (!wait_readable(rfd, 2000))
		return false;
	n = recv(rfd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return strcmp(buf, msg) == 0;
}

/* Packets the kernel counted, summed over the "lifetime current" blocks of
 * `ip -s xfrm state` in namespace ns. */
static long ip_s_packets(const char *ns)
{
	char cmd[128], line[512];
	long total = 0;
	bool cur = false;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip -n %s -s xfrm state", ns);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		long bytes, packets;

		if (strstr(line, "lifetime current:")) {
			cur = true;
			continue;
		}
		if (cur && sscanf(line, " %ld(bytes), %ld(packets)", &bytes, &packets) == 2)
			total += packets;
		cur = false;
	}
	pclose(f);
	return total;
}

static int count_out(const char *cmd)
{
	char line[512];
	int n = 0;
	FILE *f = popen(cmd, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "src ", 4) == 0)
			n++;
	pclose(f);
	return n;
}

static bool xfrm_empty(const char *ns)
{
	char c1[96], c2[96];

	snprintf(c1, sizeof(c1), "ip -n %s xfrm state", ns);
	snprintf(c2, sizeof(c2), "ip -n %s xfrm policy", ns);
	return count_out(c1) == 0 && count_out(c2) == 0;
}

struct pair {
	struct sec_xfrm_set ue, pc;
};

static void make_pair(struct pair *p, struct sec_xfrm *xu, struct sec_xfrm *xp, uint16_t id,
		      uint16_t ue_c, uint16_t ue_s, uint16_t pc_c, uint16_t pc_s,
		      enum sec_xfrm_alg alg, enum sec_xfrm_ealg ealg, uint32_t lifetime)
{
	char err[256];

	memset(p, 0, sizeof(*p));
	sec_xfrm_set_addrs(&p->ue, UE_ADDR, PC_ADDR, err, sizeof(err));
	p->ue.local.port_c = ue_c;
	p->ue.local.port_s = ue_s;
	p->ue.remote.port_c = pc_c;
	p->ue.remote.port_s = pc_s;
	if (sec_xfrm_fresh_spis(xu, &p->ue.local.spi_c, &p->ue.local.spi_s, err, sizeof(err)) ||
	    sec_xfrm_fresh_spis(xp, &p->ue.remote.spi_c, &p->ue.remote.spi_s, err, sizeof(err))) {
		diag("%s", err);
		exit(1);
	}
	p->ue.alg = alg;
	p->ue.ealg = ealg;
	for (int i = 0; i < 16; i++) {
		p->ue.ik[i] = (uint8_t)(0x10 + i + id);
		p->ue.ck[i] = (uint8_t)(0xa0 + i + id);
	}
	p->ue.lifetime_s = lifetime;
	p->ue.id = id;
	p->pc = p->ue;
	p->pc.local = p->ue.remote;
	p->pc.remote = p->ue.local;
	sec_xfrm_set_addrs(&p->pc, PC_ADDR, UE_ADDR, err, sizeof(err));
}

static bool add_pair(struct pair *p, struct sec_xfrm *xu, struct sec_xfrm *xp)
{
	char err[512];

	if (sec_xfrm_set_add(xu, &p->ue, err, sizeof(err))) {
		diag("UE: %s", err);
		return false;
	}
	if (sec_xfrm_set_add(xp, &p->pc, err, sizeof(err))) {
		diag("P-CSCF: %s", err);
		return false;
	}
	return true;
}

static bool del_pair(struct pair *p, struct sec_xfrm *xu, struct sec_xfrm *xp)
{
	char err[512];
	bool r = true;

	if (sec_xfrm_set_del(xu, &p->ue, err, sizeof(err))) {
		diag("UE: %s", err);
		r = false;
	}
	if (sec_xfrm_set_del(xp, &p->pc, err, sizeof(err))) {
		diag("P-CSCF: %s", err);
		r = false;
	}
	return r;
}

/* UDP both ways on all four flows of a pair. */
static bool udp_all(const struct pair *p, const char *tag)
{
	const struct sec_xfrm_endpoint *u = &p->ue.local, *c = &p->ue.remote;
	int uc = sock_in(UE_NS, SOCK_DGRAM, UE_ADDR, u->port_c);
	int us = sock_in(UE_NS, SOCK_DGRAM, UE_ADDR, u->port_s);
	int pc = sock_in(PC_NS, SOCK_DGRAM, PC_ADDR, c->port_c);
	int ps = sock_in(PC_NS, SOCK_DGRAM, PC_ADDR, c->port_s);
	bool r = true;

	/* UE port-c -> P-CSCF port-s (REGISTER) and the response back */
	r &= udp_pass(uc, PC_ADDR, c->port_s, ps, "REGISTER sip:ims");
	r &= udp_pass(ps, UE_ADDR, u->port_c, uc, "SIP/2.0 200 OK");
	/* P-CSCF port-c -> UE port-s (NOTIFY) and the response back */
	r &= udp_pass(pc, UE_ADDR, u->port_s, us, "NOTIFY sip:ue");
	r &= udp_pass(us, PC_ADDR, c->port_c, pc, "SIP/2.0 200 OK");
	if (!r)
		diag("%s: a UDP datagram did not arrive", tag);
	close(uc);
	close(us);
	close(pc);
	close(ps);
	return r;
}

/* mask: which of the four SAs must have counted (bit = flow). */
static bool counters_rose_mask(struct sec_xfrm *x, const struct sec_xfrm_set *s, const char *who,
			       unsigned mask)
{
	uint64_t pk[4];
	char err[512];

	if (sec_xfrm_set_packets(x, s, pk, err, sizeof(err))) {
		diag("%s: %s", who, err);
		return false;
	}
	diag("%s SA packets: out-c %llu out-s %llu in-c %llu in-s %llu", who,
	     (unsigned long long)pk[0], (unsigned long long)pk[1], (unsigned long long)pk[2],
	     (unsigned long long)pk[3]);
	for (int f = 0; f < 4; f++)
		if ((mask & (1u << f)) && pk[f] == 0)
			return false;
	return true;
}

static bool counters_rose(struct sec_xfrm *x, const struct sec_xfrm_set *s, const char *who)
{
	return counters_rose_mask(x, s, who, 0xf);
}

/* A datagram from P-CSCF port-c to UE port-s that bypasses the P-CSCF's
 * policy (socket policy without templates) arrives in plaintext and must
 * be dropped by the UE's inbound policy. */
/* 1 arrived, 0 not, -1 the bypass socket could not be made */
static int plaintext_arrives(const struct pair *p)
{
	const struct sec_xfrm_endpoint *u = &p->ue.local, *c = &p->ue.remote;
	int us = sock_in(UE_NS, SOCK_DGRAM, UE_ADDR, u->port_s);
	int pc = sock_in(PC_NS, SOCK_DGRAM, PC_ADDR, c->port_c);
	struct xfrm_userpolicy_info bypass;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(u->port_s)};
	bool arrived;

	memset(&bypass, 0, sizeof(bypass));
	bypass.action = XFRM_POLICY_ALLOW;
	bypass.dir = XFRM_POLICY_OUT;
	bypass.sel.family = AF_INET;
	bypass.lft.soft_byte_limit = bypass.lft.hard_byte_limit = XFRM_INF;
	bypass.lft.soft_packet_limit = bypass.lft.hard_packet_limit = XFRM_INF;
	if (setsockopt(pc, IPPROTO_IP, IP_XFRM_POLICY, &bypass, sizeof(bypass)) != 0) {
		diag("IP_XFRM_POLICY: %s", strerror(errno));
		close(us);
		close(pc);
		return -1;
	}
	inet_pton(AF_INET, UE_ADDR, &a.sin_addr);
	sendto(pc, "INVITE plaintext", 16, 0, (struct sockaddr *)&a, sizeof(a));
	arrived = wait_readable(us, 500);
	close(us);
	close(pc);
	return arrived ? 1 : 0;
}

/* TCP from UE port-c to P-CSCF port-s, both directions of the stream. */
static bool tcp_flow(const struct pair *p)
{
	const struct sec_xfrm_endpoint *u = &p->ue.local, *c = &p->ue.remote;
	int ls = sock_in(PC_NS, SOCK_STREAM, PC_ADDR, c->port_s);
	int cs = sock_in(UE_NS, SOCK_STREAM, UE_ADDR, u->port_c);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(c->port_s)};
	char buf[64];
	int as = -1;
	bool r = false;

	inet_pton(AF_INET, PC_ADDR, &a.sin_addr);
	if (listen(ls, 1) != 0 || connect(cs, (struct sockaddr *)&a, sizeof(a)) != 0) {
		diag("tcp connect: %s", strerror(errno));
		goto out;
	}
	as = accept(ls, NULL, NULL);
	if (as < 0 || write(cs, "REGISTER", 8) != 8 || !wait_readable(as, 2000) ||
	    read(as, buf, sizeof(buf)) != 8 || write(as, "200 OK", 6) != 6 ||
	    !wait_readable(cs, 2000) || read(cs, buf, sizeof(buf)) != 6) {
		diag("tcp exchange failed");
		goto out;
	}
	r = true;
out:
	if (as >= 0)
		close(as);
	close(cs);
	close(ls);
	return r;
}

static int hexkey(const char *h, uint8_t out[16])
{
	if (strlen(h) != 32)
		return -1;
	for (int i = 0; i < 16; i++) {
		unsigned v;

		if (sscanf(h + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* Helper mode for scripted UEs (test/esp-vm/ipsec_probe.py), in the
 * current namespace:
 *   esp_xfrm add LOCAL REMOTE L_PORT_C L_PORT_S L_SPI_C L_SPI_S
 *                R_PORT_C R_PORT_S R_SPI_C R_SPI_S ALG EALG CK IK LIFETIME
 *   esp_xfrm cleanup
 */
static int helper(int argc, char **argv)
{
	struct sec_xfrm *x;
	struct sec_xfrm_set s;
	char err[512];
	int rc = 0;

	x = sec_xfrm_open(err, sizeof(err));
	if (!x) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (!strcmp(argv[1], "cleanup")) {
		rc = sec_xfrm_cleanup(x, err, sizeof(err));
		if (rc < 0)
			fprintf(stderr, "%s\n", err);
		else
			printf("removed=%d\n", rc);
		sec_xfrm_close(x);
		return rc < 0;
	}
	memset(&s, 0, sizeof(s));
	if (argc != 17 || sec_xfrm_set_addrs(&s, argv[2], argv[3], err, sizeof(err)) ||
	    sec_xfrm_alg_from_name(argv[12], &s.alg) ||
	    sec_xfrm_ealg_from_name(argv[13], &s.ealg) || hexkey(argv[14], s.ck) ||
	    hexkey(argv[15], s.ik)) {
		fprintf(stderr, "esp_xfrm add: bad arguments\n");
		sec_xfrm_close(x);
		return 2;
	}
	s.local.port_c = (uint16_t)strtoul(argv[4], NULL, 10);
	s.local.port_s = (uint16_t)strtoul(argv[5], NULL, 10);
	s.local.spi_c = (uint32_t)strtoul(argv[6], NULL, 10);
	s.local.spi_s = (uint32_t)strtoul(argv[7], NULL, 10);
	s.remote.port_c = (uint16_t)strtoul(argv[8], NULL, 10);
	s.remote.port_s = (uint16_t)strtoul(argv[9], NULL, 10);
	s.remote.spi_c = (uint32_t)strtoul(argv[10], NULL, 10);
	s.remote.spi_s = (uint32_t)strtoul(argv[11], NULL, 10);
	s.lifetime_s = (uint32_t)strtoul(argv[16], NULL, 10);
	s.id = 100;
	if (sec_xfrm_set_add(x, &s, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		rc = 1;
	}
	sec_xfrm_set_wipe(&s);
	sec_xfrm_close(x);
	return rc;
}

/* The P-CSCF's mirror of the UE's current set. */
static struct sec_xfrm_set mirror_of(const struct sec_xfrm_set *ue)
{
	struct sec_xfrm_set m = *ue;
	char err[128];

	m.local = ue->remote;
	m.remote = ue->local;
	m.installed = false;
	sec_xfrm_set_addrs(&m, PC_ADDR, UE_ADDR, err, sizeof(err));
	return m;
}

static int count_hard(const char *ns, const char *life)
{
	char cmd[128], line[512];
	int n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip -n %s -s xfrm state", ns);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, life))
			n++;
	pclose(f);
	return n;
}

/* ue/ipsec.c against the real kernel: offer, temporary set after the 401,
 * established after the 200 (expires + 30 s), re-authentication with the
 * old set retired after the new one is used, deletion. The P-CSCF side is
 * the mirror image installed directly. */
static void ue_life_cycle(struct sec_xfrm *xp)
{
	struct ue_ipsec *ip;
	struct ue_ipsec_offer o;
	struct sec_agree_entry e;
	struct sec_xfrm_set m1, m2;
	struct pair pr;
	char err[512], alg[] = "hmac-sha-1-96", ealg[] = "aes-cbc";
	uint8_t ck[16], ik[16];
	bool r;

	memset(&m1, 0, sizeof(m1));
	memset(&m2, 0, sizeof(m2));
	memset(ck, 0x3c, sizeof(ck));
	memset(ik, 0x5a, sizeof(ik));
	ip = ue_ipsec_new_with(xfrm_in(UE_NS), UE_ADDR, 5501, err, sizeof(err));
	if (!ip) {
		diag("%s", err);
		exit(1);
	}
	memset(&e, 0, sizeof(e));
	e.mech = SEC_MECH_IPSEC_3GPP;
	e.alg = alg;
	e.ealg = ealg;
	e.has_spi_c = e.has_spi_s = e.has_port_c = e.has_port_s = true;
	e.port_c = 6500;
	e.port_s = 6501;
	r = ue_ipsec_offer(ip, 20000, 30000, &o, err, sizeof(err)) == 0 &&
	    sec_xfrm_fresh_spis(xp, &e.spi_c, &e.spi_s, err, sizeof(err)) == 0 &&
	    ue_ipsec_temporary(ip, PC_ADDR, &e, ck, ik, 16000, err, sizeof(err)) == 0;
	if (r) {
		m1 = mirror_of(ue_ipsec_current(ip));
		r = sec_xfrm_set_add(xp, &m1, err, sizeof(err)) == 0;
	}
	if (!r) {
		diag("%s", err);
		for (int i = 0; i < 5; i++)
			ok(false, "ue/ipsec: life cycle (the temporary set failed)");
		ue_ipsec_free(ip);
		return;
	}
	pr.ue = *ue_ipsec_current(ip);
	pr.pc = m1;
	ok(r && count_hard(UE_NS, "hard 16(sec)") == 4 && udp_all(&pr, "temporary"),
	   "ue/ipsec: temporary set (reg-await-auth 16 s) after the 401 carries traffic");
	ok(ue_ipsec_established(ip, 600, err, sizeof(err)) == 0 &&
		   count_hard(UE_NS, "hard 630(sec)") == 4,
	   "ue/ipsec: established after the 200 with lifetime expires + 30 s in the kernel");

	/* re-authentication */
	e.port_c = 6510;
	r = ue_ipsec_offer(ip, 20000, 30000, &o, err, sizeof(err)) == 0 &&
	    sec_xfrm_fresh_spis(xp, &e.spi_c, &e.spi_s, err, sizeof(err)) == 0 &&
	    ue_ipsec_temporary(ip, PC_ADDR, &e, ck, ik, 16000, err, sizeof(err)) == 0;
	if (r) {
		m2 = mirror_of(ue_ipsec_current(ip));
		r = sec_xfrm_set_add(xp, &m2, err, sizeof(err)) == 0 &&
		    ue_ipsec_established(ip, 300, err, sizeof(err)) == 0;
	}
	if (!r) {
		diag("%s", err);
		for (int i = 0; i < 3; i++)
			ok(false, "ue/ipsec: re-authentication failed");
		ue_ipsec_free(ip);
		return;
	}
	pr.ue = *ue_ipsec_established_set(ip);
	pr.pc = m2;
	ok(r && ue_ipsec_old_set(ip) != NULL && count_out("ip -n " UE_NS " xfrm state") == 8 &&
		   udp_all(&pr, "re-authenticated"),
	   "ue/ipsec: re-authentication: new set established next to the old one, traffic flows");
	ok(ue_ipsec_new_set_used(ip, err, sizeof(err)) == 0 &&
		   sec_xfrm_set_del(xp, &m1, err, sizeof(err)) == 0 &&
		   count_out("ip -n " UE_NS " xfrm state") == 4 && udp_all(&pr, "after retiring"),
	   "ue/ipsec: first use of the new set retires the old one");
	ok(ue_ipsec_delete_all(ip, err, sizeof(err)) == 0 &&
		   sec_xfrm_set_del(xp, &m2, err, sizeof(err)) == 0 && xfrm_empty(UE_NS) &&
		   xfrm_empty(PC_NS),
	   "ue/ipsec: deregistration deletes every set; SAD and SPD empty");
	ue_ipsec_free(ip);
}

int main(int argc, char **argv)
{
	static const struct {
		enum sec_xfrm_alg alg;
		enum sec_xfrm_ealg ealg;
		const char *name;
	} combos[] = {
		{SEC_XFRM_ALG_HMAC_SHA1_96, SEC_XFRM_EALG_NULL, "hmac-sha-1-96/null"},
		{SEC_XFRM_ALG_HMAC_SHA1_96, SEC_XFRM_EALG_AES_CBC, "hmac-sha-1-96/aes-cbc"},
		{SEC_XFRM_ALG_HMAC_MD5_96, SEC_XFRM_EALG_NULL, "hmac-md5-96/null"},
		{SEC_XFRM_ALG_HMAC_MD5_96, SEC_XFRM_EALG_AES_CBC, "hmac-md5-96/aes-cbc"},
	};
	struct sec_xfrm *xu, *xp;
	struct pair p, q;
	char err[512];
	long before, after;

	if (argc >= 2 && (!strcmp(argv[1], "add") || !strcmp(argv[1], "cleanup")))
		return helper(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("1..%d\n", 4 * 5 + 10 + 5);
	home_ns = open("/proc/self/ns/net", O_RDONLY);
	sh("ip netns del " UE_NS " 2>/dev/null; ip netns del " PC_NS " 2>/dev/null; true");
	if (sh("ip netns add " UE_NS " && ip netns add " PC_NS " && "
	       "ip link add ue0 netns " UE_NS " type veth peer name pc0 netns " PC_NS " && "
	       "ip -n " UE_NS " addr add " UE_ADDR "/24 dev ue0 && "
	       "ip -n " PC_NS " addr add " PC_ADDR "/24 dev pc0 && "
	       "ip -n " UE_NS " link set ue0 up && ip -n " PC_NS " link set pc0 up && "
	       "ip -n " UE_NS " link set lo up && ip -n " PC_NS " link set lo up")) {
		printf("Bail out! cannot create the namespaces and veth pair\n");
		return 1;
	}
	xu = xfrm_in(UE_NS);
	xp = xfrm_in(PC_NS);

	for (size_t i = 0; i < 4; i++) {
		uint16_t base = (uint16_t)(5100 + 10 * i);

		make_pair(&p, xu, xp, (uint16_t)(i + 1), base, base + 1, base + 5, base + 6,
			  combos[i].alg, combos[i].ealg, 120);
		ok(add_pair(&p, xu, xp), "%s: both sides install their four SAs and policies",
		   combos[i].name);
		before = ip_s_packets(UE_NS);
		ok(udp_all(&p, combos[i].name), "%s: UDP port-c <-> port-s both ways, 4 flows",
		   combos[i].name);
		after = ip_s_packets(UE_NS);
		ok(counters_rose(xu, &p.ue, "UE") && counters_rose(xp, &p.pc, "P-CSCF") &&
			   after >= before + 4,
		   "%s: every SA counted packets (ip -s xfrm state: %ld -> %ld)", combos[i].name,
		   before, after);
		ok(plaintext_arrives(&p) == 0, "%s: plaintext to UE port-s is dropped",
		   combos[i].name);
		ok(del_pair(&p, xu, xp) && xfrm_empty(UE_NS) && xfrm_empty(PC_NS),
		   "%s: deleted; ip xfrm state/policy empty on both sides", combos[i].name);
		if (i == 0)
			ok(plaintext_arrives(&p) == 1,
			   "control: without the set the same plaintext datagram arrives");
	}

	/* TCP over the SAs */
	make_pair(&p, xu, xp, 10, 5200, 5201, 5205, 5206, SEC_XFRM_ALG_HMAC_SHA1_96,
		  SEC_XFRM_EALG_AES_CBC, 120);
	/* the stream runs on the out port-c and in port-c SAs only */
	ok(add_pair(&p, xu, xp) && tcp_flow(&p) && counters_rose_mask(xu, &p.ue, "UE (tcp)", 0x5),
	   "TCP from UE port-c to P-CSCF port-s over ESP");

	/* Re-authentication: a new set (new port-c and SPIs, same port-s) next
	 * to the old one; deleting the old one leaves the new one working. */
	make_pair(&q, xu, xp, 11, 5210, 5201, 5215, 5206, SEC_XFRM_ALG_HMAC_SHA1_96,
		  SEC_XFRM_EALG_AES_CBC, 120);
	ok(q.ue.local.spi_c != p.ue.local.spi_c && q.ue.local.spi_s != p.ue.local.spi_s &&
		   add_pair(&q, xu, xp),
	   "re-authentication: a second set with new SPIs and port-c coexists");
	ok(del_pair(&p, xu, xp) && udp_all(&q, "new set") && counters_rose(xu, &q.ue, "UE new"),
	   "old set deleted, the new set carries all four flows");
	ok(sec_xfrm_set_update_lifetime(xu, &q.ue, 600030, err, sizeof(err)) == 0 &&
		   udp_all(&q, "after update"),
	   "lifetime raised in place (established set), traffic still flows");
	ok(del_pair(&q, xu, xp) && xfrm_empty(UE_NS) && xfrm_empty(PC_NS),
	   "both sets gone; SAD and SPD empty");

	/* Hard lifetime: the kernel removes SAs and policies on its own. */
	make_pair(&p, xu, xp, 12, 5300, 5301, 5305, 5306, SEC_XFRM_ALG_HMAC_MD5_96,
		  SEC_XFRM_EALG_NULL, 2);
	ok(add_pair(&p, xu, xp), "set with a 2 s hard lifetime installed");
	sleep(3);
	ok(xfrm_empty(UE_NS) && xfrm_empty(PC_NS), "after 3 s the kernel expired SAs and policies");
	p.ue.installed = p.pc.installed = false;

	/* Start-up cleanup: ours go, a foreign SA and policy stay. */
	make_pair(&p, xu, xp, 13, 5400, 5401, 5405, 5406, SEC_XFRM_ALG_HMAC_SHA1_96,
		  SEC_XFRM_EALG_NULL, 120);
	add_pair(&p, xu, xp);
	sh("ip -n " UE_NS " xfrm state add src 10.99.0.7 dst 10.99.0.8 proto esp spi 0x7777 "
	   "reqid 9 mode transport auth-trunc 'hmac(sha1)' "
	   "0x0102030405060708090a0b0c0d0e0f1011121314 96 enc cipher_null ''");
	sh("ip -n " UE_NS " xfrm policy add src 10.99.0.7 dst 10.99.0.8 dir out "
	   "tmpl proto esp reqid 9 mode transport");
	{
		int n = sec_xfrm_cleanup(xu, err, sizeof(err));

		if (n < 0)
			diag("cleanup: %s", err);
		ok(n == 8 && count_out("ip -n " UE_NS " xfrm state") == 1 &&
			   count_out("ip -n " UE_NS " xfrm policy") == 1,
		   "start-up cleanup removed our 8 objects (%d) and left the foreign ones", n);
	}
	sec_xfrm_cleanup(xp, err, sizeof(err));
	sh("ip -n " UE_NS " xfrm state flush; ip -n " UE_NS " xfrm policy flush");
	ok(xfrm_empty(UE_NS) && xfrm_empty(PC_NS), "finally empty");

	ue_life_cycle(xp);

	sec_xfrm_close(xu);
	sec_xfrm_close(xp);
	sh("ip netns del " UE_NS "; ip netns del " PC_NS);
	return n_fail ? 1 : 0;
}
