/* sec/xfrm.c internals shared with its unit tests: the message builders and
 * a replaceable transport, so tests record every request in a sink.
 */
#ifndef IMSUE_SEC_XFRM_PRIV_H
#define IMSUE_SEC_XFRM_PRIV_H

#include <linux/netlink.h>

#include "sec/xfrm.h"

/* Called for each data message of a reply (dump entries). */
typedef void (*sec_xfrm_msg_cb)(const struct nlmsghdr *nlh, void *data);

/* Send req (seq and port already set) and read the reply to its end.
 * Returns 0, or -errno from the kernel's NLMSG_ERROR (or from the socket)
 * with the kernel's extended-ack text in kerr ("" when it gave none). */
typedef int (*sec_xfrm_xfer_fn)(void *arg, const struct nlmsghdr *req, sec_xfrm_msg_cb cb,
				void *data, char *kerr, size_t kerrlen);

struct sec_xfrm *sec_xfrm_open_with(sec_xfrm_xfer_fn fn, void *arg);

/* The four flows of a set, from the installing side (TS 33.203 7.1). */
enum sec_xfrm_flow {
	SEC_XFRM_OUT_C = 0, /* local port-c -> remote port-s, SPI remote spi-s */
	SEC_XFRM_OUT_S,     /* local port-s -> remote port-c, SPI remote spi-c */
	SEC_XFRM_IN_C,      /* remote port-s -> local port-c, SPI local spi-c */
	SEC_XFRM_IN_S,      /* remote port-c -> local port-s, SPI local spi-s */
	SEC_XFRM_FLOWS
};

/* Build into buf (at least SEC_XFRM_MSG_MAX bytes) a request for one flow;
 * returns the message length, 0 on a bad set. update: XFRM_MSG_UPDSA /
 * XFRM_MSG_UPDPOLICY instead of NEW. */
#define SEC_XFRM_MSG_MAX 1024
size_t sec_xfrm_build_sa(void *buf, const struct sec_xfrm_set *s, enum sec_xfrm_flow f,
			 bool update);
size_t sec_xfrm_build_policy(void *buf, const struct sec_xfrm_set *s, enum sec_xfrm_flow f,
			     bool update);
size_t sec_xfrm_build_sa_del(void *buf, const struct sec_xfrm_set *s, enum sec_xfrm_flow f);
size_t sec_xfrm_build_policy_del(void *buf, const struct sec_xfrm_set *s, enum sec_xfrm_flow f);

/* Send one built request through x's transport (sets seq, NLM_F_ACK). */
int sec_xfrm_request(struct sec_xfrm *x, struct nlmsghdr *nlh, char *kerr, size_t kerrlen);

#endif
