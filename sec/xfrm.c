/* ESP transport-mode SAs and policies for IMS over XFRM netlink (libmnl):
 * the four SAs of TS 33.203 7.1 between UE and P-CSCF, all or nothing,
 * tagged by reqid so a restart cleans up only what imsue left behind.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/xfrm.h>
#include <openssl/crypto.h>

#include "sec/secagree.h"
#include "sec/xfrm.h"
#include "sec/xfrm_priv.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

struct sec_xfrm {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	sec_xfrm_xfer_fn xfer;
	void *xfer_arg;
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	for (char *p = err; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

/* ---- transport: one request, read until its ack (or the dump's end) ---- */

static int nl_xfer(void *arg, const struct nlmsghdr *req, sec_xfrm_msg_cb cb, void *data,
		   char *kerr, size_t kerrlen)
{
	struct sec_xfrm *x = arg;
	size_t bufsz = 32768;
	char *buf;
	int ret = 0;
	bool done = false;

	if (kerrlen)
		kerr[0] = '\0';
	if (mnl_socket_sendto(x->nl, req, req->nlmsg_len) < 0)
		return -errno;
	buf = malloc(bufsz);
	if (!buf)
		return -ENOMEM;
	while (!done) {
		ssize_t n = mnl_socket_recvfrom(x->nl, buf, bufsz);
		int len;
		const struct nlmsghdr *nlh;

		if (n < 0) {
			ret = -errno;
			break;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
				const struct nlattr *a;
				size_t off;

				done = true;
				if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
					ret = -EBADMSG;
					break;
				}
				ret = e->error;
				if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
					break;
				off = sizeof(*e);
				if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
				mnl_attr_for_each(a, nlh, off)
				{
					if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
					    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 &&
					    kerrlen) {
						snprintf(kerr, kerrlen, "%s", mnl_attr_get_str(a));
						/* the kernel ends some texts with a newline */
						kerr[strcspn(kerr, "\r\n")] = '\0';
					}
				}
				break;
			}
			if (cb && nlh->nlmsg_type >= NLMSG_MIN_TYPE)
				cb(nlh, data);
		}
	}
	free(buf);
	return ret;
}

struct sec_xfrm *sec_xfrm_open(char *err, size_t errlen)
{
	struct sec_xfrm *x = calloc(1, sizeof(*x));
	int one = 1;

	if (!x) {
		seterr(err, errlen, "xfrm: out of memory");
		return NULL;
	}
	x->nl = mnl_socket_open(NETLINK_XFRM);
	if (!x->nl) {
		seterr(err, errlen, "xfrm: cannot open a NETLINK_XFRM socket: %s", strerror(errno));
		free(x);
		return NULL;
	}
	if (mnl_socket_bind(x->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		seterr(err, errlen, "xfrm: cannot bind the netlink socket: %s", strerror(errno));
		mnl_socket_close(x->nl);
		free(x);
		return NULL;
	}
	/* Best effort: older kernels give no extended acks. */
	mnl_socket_setsockopt(x->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(x->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	x->portid = mnl_socket_get_portid(x->nl);
	x->seq = 1;
	x->xfer = nl_xfer;
	x->xfer_arg = x;
	return x;
}

struct sec_xfrm *sec_xfrm_open_with(sec_xfrm_xfer_fn fn, void *arg)
{
	struct sec_xfrm *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->seq = 1;
	x->xfer = fn;
	x->xfer_arg = arg;
	return x;
}

void sec_xfrm_close(struct sec_xfrm *x)
{
	if (!x)
		return;
	if (x->nl)
		mnl_socket_close(x->nl);
	free(x);
}

static int xfer(struct sec_xfrm *x, struct nlmsghdr *nlh, sec_xfrm_msg_cb cb, void *data,
		char *kerr, size_t kerrlen)
{
	nlh->nlmsg_seq = x->seq++;
	nlh->nlmsg_pid = 0;
	return x->xfer(x->xfer_arg, nlh, cb, data, kerr, kerrlen);
}

int sec_xfrm_request(struct sec_xfrm *x, struct nlmsghdr *nlh, char *kerr, size_t kerrlen)
{
	nlh->nlmsg_flags |= NLM_F_ACK;
	return xfer(x, nlh, NULL, NULL, kerr, kerrlen);
}

/* ---- sets ---- */

int sec_xfrm_set_addrs(struct sec_xfrm_set *s, const char *local, const char *remote, char *err,
		       size_t errlen)
{
	int fl = strchr(local, ':') ? AF_INET6 : AF_INET;
	int fr = strchr(remote, ':') ? AF_INET6 : AF_INET;

	if (fl != fr) {
		seterr(err, errlen, "xfrm: addresses %s and %s are of different families", local,
		       remote);
		return -1;
	}
	memset(s->local.addr, 0, sizeof(s->local.addr));
	memset(s->remote.addr, 0, sizeof(s->remote.addr));
	if (inet_pton(fl, local, s->local.addr) != 1) {
		seterr(err, errlen, "xfrm: \"%s\" is not an IP address", local);
		return -1;
	}
	if (inet_pton(fr, remote, s->remote.addr) != 1) {
		seterr(err, errlen, "xfrm: \"%s\" is not an IP address", remote);
		return -1;
	}
	s->family = fl;
	return 0;
}

int sec_xfrm_alg_from_name(const char *name, enum sec_xfrm_alg *alg)
{
	if (name && !strcasecmp(name, "hmac-sha-1-96"))
		*alg = SEC_XFRM_ALG_HMAC_SHA1_96;
	else if (name && !strcasecmp(name, "hmac-md5-96"))
		*alg = SEC_XFRM_ALG_HMAC_MD5_96;
	else
		return -1;
	return 0;
}

int sec_xfrm_ealg_from_name(const char *name, enum sec_xfrm_ealg *ealg)
{
	if (!name || !strcasecmp(name, "null"))
		*ealg = SEC_XFRM_EALG_NULL;
	else if (!strcasecmp(name, "aes-cbc"))
		*ealg = SEC_XFRM_EALG_AES_CBC;
	else
		return -1;
	return 0;
}

void sec_xfrm_set_wipe(struct sec_xfrm_set *s)
{
	OPENSSL_cleanse(s->ik, sizeof(s->ik));
	OPENSSL_cleanse(s->ck, sizeof(s->ck));
}

static size_t addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static bool set_valid(const struct sec_xfrm_set *s)
{
	if (s->family != AF_INET && s->family != AF_INET6)
		return false;
	if (!s->local.port_c || !s->local.port_s || !s->remote.port_c || !s->remote.port_s)
		return false;
	/* Our own SPIs come from sec_xfrm_fresh_spis (>= 256); the peer's are
	 * taken as given (Kamailio's ims_ipsec_pcscf numbers from 100). */
	if (!s->local.spi_c || !s->local.spi_s || !s->remote.spi_c || !s->remote.spi_s)
		return false;
	if (s->alg > SEC_XFRM_ALG_HMAC_MD5_96 || s->ealg > SEC_XFRM_EALG_AES_CBC)
		return false;
	return true;
}

struct flow {
	const uint8_t *saddr, *daddr;
	uint16_t sport, dport;
	uint32_t spi;
	uint8_t dir; /* XFRM_POLICY_IN / _OUT */
};

static struct flow flow_of(const struct sec_xfrm_set *s, enum sec_xfrm_flow f)
{
	const struct sec_xfrm_endpoint *l = &s->local, *r = &s->remote;
	struct flow w;

	switch (f) {
	case SEC_XFRM_OUT_C:
		w = (struct flow){l->addr,   r->addr,  l->port_c,
				  r->port_s, r->spi_s, XFRM_POLICY_OUT};
		break;
	case SEC_XFRM_OUT_S:
		w = (struct flow){l->addr,   r->addr,  l->port_s,
				  r->port_c, r->spi_c, XFRM_POLICY_OUT};
		break;
	case SEC_XFRM_IN_C:
		w = (struct flow){r->addr, l->addr, r->port_s, l->port_c, l->spi_c, XFRM_POLICY_IN};
		break;
	default:
		w = (struct flow){r->addr, l->addr, r->port_c, l->port_s, l->spi_s, XFRM_POLICY_IN};
		break;
	}
	return w;
}

static uint32_t reqid_of(const struct sec_xfrm_set *s)
{
	return SEC_XFRM_REQID_TAG | s->id;
}

/* Selector: exactly these two hosts and ports, any upper protocol (the
 * same SA carries UDP and TCP, TS 33.203 7.1). */
static void fill_selector(struct xfrm_selector *sel, const struct sec_xfrm_set *s,
			  const struct flow *w)
{
	memset(sel, 0, sizeof(*sel));
	memcpy(&sel->saddr, w->saddr, addr_len(s->family));
	memcpy(&sel->daddr, w->daddr, addr_len(s->family));
	sel->sport = htons(w->sport);
	sel->dport = htons(w->dport);
	sel->sport_mask = 0xffff;
	sel->dport_mask = 0xffff;
	sel->prefixlen_s = sel->prefixlen_d = (uint8_t)(addr_len(s->family) * 8);
	sel->family = (uint16_t)s->family;
	sel->proto = 0;
}

static void fill_lifetime(struct xfrm_lifetime_cfg *lft, uint32_t seconds)
{
	lft->soft_byte_limit = XFRM_INF;
	lft->hard_byte_limit = XFRM_INF;
	lft->soft_packet_limit = XFRM_INF;
	lft->hard_packet_limit = XFRM_INF;
	lft->soft_add_expires_seconds = 0;
	lft->hard_add_expires_seconds = seconds;
	lft->soft_use_expires_seconds = 0;
	lft->hard_use_expires_seconds = 0;
}

size_t sec_xfrm_build_sa(void *buf, const struct sec_xfrm_set *s, enum sec_xfrm_flow f, bool update)
{
	struct flow w;
	struct nlmsghdr *nlh;
	struct xfrm_usersa_info *sa;
	struct {
		struct xfrm_algo_auth a;
		uint8_t key[20];
	} auth;
	struct {
		struct xfrm_algo a;
		uint8_t key[16];
	} enc;
	size_t enc_len;

	if (!set_valid(s) || f >= SEC_XFRM_FLOWS)
		return 0;
	w = flow_of(s, f);
	memset(buf, 0, SEC_XFRM_MSG_MAX);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA;
	nlh->nlmsg_flags = NLM_F_REQUEST | (update ? 0 : NLM_F_CREATE | NLM_F_EXCL);
	sa = mnl_nlmsg_put_extra_header(nlh, sizeof(*sa));
	fill_selector(&sa->sel, s, &w);
	memcpy(&sa->id.daddr, w.daddr, addr_len(s->family));
	sa->id.spi = htonl(w.spi);
	sa->id.proto = IPPROTO_ESP;
	memcpy(&sa->saddr, w.saddr, addr_len(s->family));
	fill_lifetime(&sa->lft, s->lifetime_s);
	sa->reqid = reqid_of(s);
	sa->family = (uint16_t)s->family;
	sa->mode = XFRM_MODE_TRANSPORT;
	sa->replay_window = 32;

	memset(&auth, 0, sizeof(auth));
	if (s->alg == SEC_XFRM_ALG_HMAC_SHA1_96) {
		/* TS 33.203 6.3: IK_ESP = IK || 32 zero bits for HMAC-SHA-1 */
		strcpy(auth.a.alg_name, "hmac(sha1)");
		auth.a.alg_key_len = 160;
	} else {
		strcpy(auth.a.alg_name, "hmac(md5)");
		auth.a.alg_key_len = 128;
	}
	auth.a.alg_trunc_len = 96;
	memcpy(auth.key, s->ik, 16);
	mnl_attr_put(nlh, XFRMA_ALG_AUTH_TRUNC, sizeof(auth.a) + auth.a.alg_key_len / 8, &auth);
	OPENSSL_cleanse(&auth, sizeof(auth));

	memset(&enc, 0, sizeof(enc));
	if (s->ealg == SEC_XFRM_EALG_AES_CBC) {
		strcpy(enc.a.alg_name, "cbc(aes)");
		enc.a.alg_key_len = 128;
		memcpy(enc.key, s->ck, 16);
	} else {
		strcpy(enc.a.alg_name, "ecb(cipher_null)");
		enc.a.alg_key_len = 0;
	}
	enc_len = sizeof(enc.a) + enc.a.alg_key_len / 8;
	mnl_attr_put(nlh, XFRMA_ALG_CRYPT, enc_len, &enc);
	OPENSSL_cleanse(&enc, sizeof(enc));
	return nlh->nlmsg_len;
}

size_t sec_xfrm_build_policy(void *buf, const struct sec_xfrm_set *s, enum sec_xfrm_flow f,
			     bool update)
{
	struct flow w;
	struct nlmsghdr *nlh;
	struct xfrm_userpolicy_info *p;
	struct xfrm_user_tmpl t;

	if (!set_valid(s) || f >= SEC_XFRM_FLOWS)
		return 0;
	w = flow_of(s, f);
	memset(buf, 0, SEC_XFRM_MSG_MAX);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = update ? XFRM_MSG_UPDPOLICY : XFRM_MSG_NEWPOLICY;
	nlh->nlmsg_flags = NLM_F_REQUEST | (update ? 0 : NLM_F_CREATE | NLM_F_EXCL);
	p = mnl_nlmsg_put_extra_header(nlh, sizeof(*p));
	fill_selector(&p->sel, s, &w);
	fill_lifetime(&p->lft, s->lifetime_s);
	p->dir = w.dir;
	p->action = XFRM_POLICY_ALLOW;
	p->share = XFRM_SHARE_ANY;

	memset(&t, 0, sizeof(t));
	memcpy(&t.id.daddr, w.daddr, addr_len(s->family));
	t.id.spi = htonl(w.spi);
	t.id.proto = IPPROTO_ESP;
	t.family = (uint16_t)s->family;
	memcpy(&t.saddr, w.saddr, addr_len(s->family));
	t.reqid = reqid_of(s);
	t.mode = XFRM_MODE_TRANSPORT;
	t.share = XFRM_SHARE_ANY;
	t.optional = 0;
	t.aalgos = t.ealgos = t.calgos = ~0u;
	mnl_attr_put(nlh, XFRMA_TMPL, sizeof(t), &t);
	return nlh->nlmsg_len;
}

size_t sec_xfrm_build_sa_del(void *buf, const struct sec_xfrm_set *s, enum sec_xfrm_flow f)
{
	struct flow w;
	struct nlmsghdr *nlh;
	struct xfrm_usersa_id *id;

	if (!set_valid(s) || f >= SEC_XFRM_FLOWS)
		return 0;
	w = flow_of(s, f);
	memset(buf, 0, SEC_XFRM_MSG_MAX);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = XFRM_MSG_DELSA;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	id = mnl_nlmsg_put_extra_header(nlh, sizeof(*id));
	memcpy(&id->daddr, w.daddr, addr_len(s->family));
	id->spi = htonl(w.spi);
	id->family = (uint16_t)s->family;
	id->proto = IPPROTO_ESP;
	return nlh->nlmsg_len;
}

size_t sec_xfrm_build_policy_del(void *buf, const struct sec_xfrm_set *s, enum sec_xfrm_flow f)
{
	struct flow w;
	struct nlmsghdr *nlh;
	struct xfrm_userpolicy_id *id;

	if (!set_valid(s) || f >= SEC_XFRM_FLOWS)
		return 0;
	w = flow_of(s, f);
	memset(buf, 0, SEC_XFRM_MSG_MAX);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = XFRM_MSG_DELPOLICY;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	id = mnl_nlmsg_put_extra_header(nlh, sizeof(*id));
	fill_selector(&id->sel, s, &w);
	id->dir = w.dir;
	return nlh->nlmsg_len;
}

static const char *flow_name(enum sec_xfrm_flow f)
{
	static const char *const names[] = {
		"out port-c -> port-s",
		"out port-s -> port-c",
		"in port-s -> port-c",
		"in port-c -> port-s",
	};
	return names[f];
}

/* "SA in port-s -> port-c 10.0.0.2:5064 -> 10.0.0.1:5100 spi 4660" */
static void describe(char *out, size_t outlen, const char *what, const struct sec_xfrm_set *s,
		     enum sec_xfrm_flow f)
{
	struct flow w = flow_of(s, f);
	char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN];

	inet_ntop(s->family, w.saddr, sa, sizeof(sa));
	inet_ntop(s->family, w.daddr, da, sizeof(da));
	snprintf(out, outlen, "%s %s %s%s%s:%u -> %s%s%s:%u spi %u", what, flow_name(f),
		 s->family == AF_INET6 ? "[" : "", sa, s->family == AF_INET6 ? "]" : "", w.sport,
		 s->family == AF_INET6 ? "[" : "", da, s->family == AF_INET6 ? "]" : "", w.dport,
		 w.spi);
}

static void kernel_error(char *err, size_t errlen, const char *doing, const char *obj, int rc,
			 const char *kerr)
{
	const char *hint = "";

	if (rc == -EPROTONOSUPPORT)
		hint = "; this kernel has no ESP support (CONFIG_INET_ESP / module esp4 or esp6)";
	else if (rc == -EPERM)
		hint = "; CAP_NET_ADMIN is needed";
	seterr(err, errlen, "xfrm: %s %s: %s%s%s%s%s", doing, obj, strerror(-rc),
	       kerr[0] ? " (kernel: " : "", kerr, kerr[0] ? ")" : "", hint);
}

/* Remove what add installed (masks of flows), policies first; errors ignored. */
static void rollback(struct sec_xfrm *x, const struct sec_xfrm_set *s, unsigned sa_mask,
		     unsigned pol_mask)
{
	char buf[SEC_XFRM_MSG_MAX] __attribute__((aligned(8))), kerr[8];

	for (int f = SEC_XFRM_FLOWS - 1; f >= 0; f--)
		if ((pol_mask & (1u << f)) && sec_xfrm_build_policy_del(buf, s, f))
			sec_xfrm_request(x, (struct nlmsghdr *)buf, kerr, sizeof(kerr));
	for (int f = SEC_XFRM_FLOWS - 1; f >= 0; f--)
		if ((sa_mask & (1u << f)) && sec_xfrm_build_sa_del(buf, s, f))
			sec_xfrm_request(x, (struct nlmsghdr *)buf, kerr, sizeof(kerr));
}

static int install(struct sec_xfrm *x, struct sec_xfrm_set *s, bool update, char *err,
		   size_t errlen)
{
	char buf[SEC_XFRM_MSG_MAX] __attribute__((aligned(8))), kerr[256], obj[160];
	unsigned sa_mask = 0, pol_mask = 0;
	int rc;

	if (!set_valid(s)) {
		seterr(err, errlen,
		       "xfrm: invalid SA set (family, a zero port or SPI, or an unknown "
		       "algorithm)");
		return -1;
	}
	if (s->local.spi_c == s->local.spi_s || s->remote.spi_c == s->remote.spi_s) {
		seterr(err, errlen, "xfrm: spi-c and spi-s of one side must differ");
		return -1;
	}
	for (int f = 0; f < SEC_XFRM_FLOWS; f++) {
		sec_xfrm_build_sa(buf, s, f, update);
		rc = sec_xfrm_request(x, (struct nlmsghdr *)buf, kerr, sizeof(kerr));
		OPENSSL_cleanse(buf, sizeof(buf));
		if (rc) {
			describe(obj, sizeof(obj), "SA", s, f);
			kernel_error(err, errlen, update ? "updating" : "adding", obj, rc, kerr);
			if (!update)
				rollback(x, s, sa_mask, pol_mask);
			return -1;
		}
		sa_mask |= 1u << f;
	}
	for (int f = 0; f < SEC_XFRM_FLOWS; f++) {
		sec_xfrm_build_policy(buf, s, f, update);
		rc = sec_xfrm_request(x, (struct nlmsghdr *)buf, kerr, sizeof(kerr));
		if (rc) {
			describe(obj, sizeof(obj), "policy", s, f);
			kernel_error(err, errlen, update ? "updating" : "adding", obj, rc, kerr);
			if (!update)
				rollback(x, s, sa_mask, pol_mask);
			return -1;
		}
		pol_mask |= 1u << f;
	}
	return 0;
}

int sec_xfrm_set_add(struct sec_xfrm *x, struct sec_xfrm_set *s, char *err, size_t errlen)
{
	if (s->installed) {
		seterr(err, errlen, "xfrm: SA set %u is already installed", s->id);
		return -1;
	}
	if (install(x, s, false, err, errlen))
		return -1;
	s->installed = true;
	return 0;
}

int sec_xfrm_set_update_lifetime(struct sec_xfrm *x, struct sec_xfrm_set *s, uint32_t lifetime_s,
				 char *err, size_t errlen)
{
	uint32_t old = s->lifetime_s;

	if (!s->installed) {
		seterr(err, errlen, "xfrm: SA set %u is not installed", s->id);
		return -1;
	}
	s->lifetime_s = lifetime_s;
	if (install(x, s, true, err, errlen)) {
		s->lifetime_s = old;
		return -1;
	}
	return 0;
}

int sec_xfrm_set_del(struct sec_xfrm *x, struct sec_xfrm_set *s, char *err, size_t errlen)
{
	char buf[SEC_XFRM_MSG_MAX] __attribute__((aligned(8))), kerr[256], obj[160];
	int ret = 0, rc;

	if (!set_valid(s)) {
		sec_xfrm_set_wipe(s);
		s->installed = false;
		seterr(err, errlen, "xfrm: invalid SA set");
		return -1;
	}
	for (int f = SEC_XFRM_FLOWS - 1; f >= 0; f--) {
		sec_xfrm_build_policy_del(buf, s, f);
		rc = sec_xfrm_request(x, (struct nlmsghdr *)buf, kerr, sizeof(kerr));
		if (rc && rc != -ENOENT && ret == 0) {
			describe(obj, sizeof(obj), "policy", s, f);
			kernel_error(err, errlen, "deleting", obj, rc, kerr);
			ret = -1;
		}
	}
	for (int f = SEC_XFRM_FLOWS - 1; f >= 0; f--) {
		sec_xfrm_build_sa_del(buf, s, f);
		rc = sec_xfrm_request(x, (struct nlmsghdr *)buf, kerr, sizeof(kerr));
		if (rc && rc != -ESRCH && rc != -ENOENT && ret == 0) {
			describe(obj, sizeof(obj), "SA", s, f);
			kernel_error(err, errlen, "deleting", obj, rc, kerr);
			ret = -1;
		}
	}
	sec_xfrm_set_wipe(s);
	s->installed = false;
	return ret;
}

static void get_packets(const struct nlmsghdr *nlh, void *data)
{
	struct xfrm_usersa_info sa;

	/* netlink payloads are only 4-byte aligned: copy before use */
	if (nlh->nlmsg_type != XFRM_MSG_NEWSA || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(sa)))
		return;
	memcpy(&sa, mnl_nlmsg_get_payload(nlh), sizeof(sa));
	*(uint64_t *)data = sa.curlft.packets;
}

int sec_xfrm_set_packets(struct sec_xfrm *x, const struct sec_xfrm_set *s, uint64_t packets[4],
			 char *err, size_t errlen)
{
	char buf[SEC_XFRM_MSG_MAX] __attribute__((aligned(8))), kerr[256], obj[160];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	int rc;

	for (int f = 0; f < SEC_XFRM_FLOWS; f++) {
		if (!sec_xfrm_build_sa_del(buf, s, f)) {
			seterr(err, errlen, "xfrm: invalid SA set");
			return -1;
		}
		nlh->nlmsg_type = XFRM_MSG_GETSA;
		nlh->nlmsg_flags |= NLM_F_ACK;
		packets[f] = 0;
		rc = xfer(x, nlh, get_packets, &packets[f], kerr, sizeof(kerr));
		if (rc) {
			describe(obj, sizeof(obj), "SA", s, f);
			kernel_error(err, errlen, "reading", obj, rc, kerr);
			return -1;
		}
	}
	return 0;
}

/* ---- dumps: cleanup and SPI allocation ---- */

struct sa_ref {
	xfrm_address_t daddr;
	uint32_t spi; /* network order */
	uint16_t family;
	uint8_t proto;
	bool ours;
};

struct pol_ref {
	uint32_t index;
	uint8_t dir;
};

struct collect {
	struct sa_ref *sa;
	size_t n_sa, cap_sa;
	struct pol_ref *pol;
	size_t n_pol, cap_pol;
	bool nomem;
};

static bool reqid_ours(uint32_t reqid)
{
	return (reqid & SEC_XFRM_REQID_MASK) == SEC_XFRM_REQID_TAG;
}

static void collect_sa(const struct nlmsghdr *nlh, void *data)
{
	struct collect *c = data;
	struct xfrm_usersa_info sa;

	if (nlh->nlmsg_type != XFRM_MSG_NEWSA || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(sa)))
		return;
	memcpy(&sa, mnl_nlmsg_get_payload(nlh), sizeof(sa));
	if (c->n_sa == c->cap_sa) {
		size_t cap = c->cap_sa ? c->cap_sa * 2 : 16;
		struct sa_ref *n = realloc(c->sa, cap * sizeof(*n));

		if (!n) {
			c->nomem = true;
			return;
		}
		c->sa = n;
		c->cap_sa = cap;
	}
	c->sa[c->n_sa++] = (struct sa_ref){sa.id.daddr, sa.id.spi, sa.family, sa.id.proto,
					   reqid_ours(sa.reqid)};
}

static void collect_pol(const struct nlmsghdr *nlh, void *data)
{
	struct collect *c = data;
	struct xfrm_userpolicy_info p;
	const struct nlattr *a;
	bool ours = false;

	if (nlh->nlmsg_type != XFRM_MSG_NEWPOLICY || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(p)))
		return;
	memcpy(&p, mnl_nlmsg_get_payload(nlh), sizeof(p));
	mnl_attr_for_each(a, nlh, sizeof(p))
	{
		if (mnl_attr_get_type(a) == XFRMA_TMPL &&
		    mnl_attr_get_payload_len(a) >= sizeof(struct xfrm_user_tmpl)) {
			struct xfrm_user_tmpl t;

			memcpy(&t, mnl_attr_get_payload(a), sizeof(t));
			ours = reqid_ours(t.reqid);
		}
	}
	if (!ours)
		return;
	if (c->n_pol == c->cap_pol) {
		size_t cap = c->cap_pol ? c->cap_pol * 2 : 16;
		struct pol_ref *n = realloc(c->pol, cap * sizeof(*n));

		if (!n) {
			c->nomem = true;
			return;
		}
		c->pol = n;
		c->cap_pol = cap;
	}
	c->pol[c->n_pol++] = (struct pol_ref){p.index, p.dir};
}

static int dump(struct sec_xfrm *x, uint16_t type, sec_xfrm_msg_cb cb, struct collect *c, char *err,
		size_t errlen)
{
	char buf[MNL_NLMSG_HDRLEN] __attribute__((aligned(8))), kerr[256];
	struct nlmsghdr *nlh;
	int rc;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rc = xfer(x, nlh, cb, c, kerr, sizeof(kerr));
	if (rc) {
		kernel_error(err, errlen, "listing", type == XFRM_MSG_GETSA ? "SAs" : "policies",
			     rc, kerr);
		return -1;
	}
	if (c->nomem) {
		seterr(err, errlen, "xfrm: out of memory");
		return -1;
	}
	return 0;
}

int sec_xfrm_cleanup(struct sec_xfrm *x, char *err, size_t errlen)
{
	struct collect c = {0};
	char buf[SEC_XFRM_MSG_MAX] __attribute__((aligned(8))), kerr[256], obj[64];
	int removed = 0, ret = 0, rc;

	if (dump(x, XFRM_MSG_GETPOLICY, collect_pol, &c, err, errlen) ||
	    dump(x, XFRM_MSG_GETSA, collect_sa, &c, err, errlen)) {
		free(c.sa);
		free(c.pol);
		return -1;
	}
	for (size_t i = 0; i < c.n_pol; i++) {
		struct nlmsghdr *nlh;
		struct xfrm_userpolicy_id *id;

		memset(buf, 0, sizeof(buf));
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = XFRM_MSG_DELPOLICY;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		id = mnl_nlmsg_put_extra_header(nlh, sizeof(*id));
		id->index = c.pol[i].index;
		id->dir = c.pol[i].dir;
		rc = sec_xfrm_request(x, nlh, kerr, sizeof(kerr));
		if (rc == 0) {
			removed++;
		} else if (rc != -ENOENT && ret == 0) {
			snprintf(obj, sizeof(obj), "policy index %u", c.pol[i].index);
			kernel_error(err, errlen, "deleting", obj, rc, kerr);
			ret = -1;
		}
	}
	for (size_t i = 0; i < c.n_sa; i++) {
		struct nlmsghdr *nlh;
		struct xfrm_usersa_id *id;

		if (!c.sa[i].ours)
			continue;
		memset(buf, 0, sizeof(buf));
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = XFRM_MSG_DELSA;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		id = mnl_nlmsg_put_extra_header(nlh, sizeof(*id));
		id->daddr = c.sa[i].daddr;
		id->spi = c.sa[i].spi;
		id->family = c.sa[i].family;
		id->proto = c.sa[i].proto;
		rc = sec_xfrm_request(x, nlh, kerr, sizeof(kerr));
		if (rc == 0) {
			removed++;
		} else if (rc != -ESRCH && rc != -ENOENT && ret == 0) {
			snprintf(obj, sizeof(obj), "SA spi %u", ntohl(c.sa[i].spi));
			kernel_error(err, errlen, "deleting", obj, rc, kerr);
			ret = -1;
		}
	}
	free(c.sa);
	free(c.pol);
	return ret ? -1 : removed;
}

int sec_xfrm_fresh_spis(struct sec_xfrm *x, uint32_t *spi_c, uint32_t *spi_s, char *err,
			size_t errlen)
{
	struct collect c = {0};
	uint32_t *avoid;
	int rc;

	if (dump(x, XFRM_MSG_GETSA, collect_sa, &c, err, errlen)) {
		free(c.sa);
		return -1;
	}
	avoid = calloc(c.n_sa + 1, sizeof(*avoid));
	if (!avoid) {
		free(c.sa);
		seterr(err, errlen, "xfrm: out of memory");
		return -1;
	}
	for (size_t i = 0; i < c.n_sa; i++)
		avoid[i] = ntohl(c.sa[i].spi);
	rc = sec_agree_fresh_spis(spi_c, spi_s, avoid, c.n_sa);
	free(avoid);
	free(c.sa);
	if (rc)
		seterr(err, errlen, "xfrm: no randomness for SPIs");
	return rc;
}
