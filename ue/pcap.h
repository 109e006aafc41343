/* The signalling trace of [debug] pcap: every SIP message the UE's
 * transport sends or receives, before ESP or TLS protection, as a UDP or TCP
 * packet in a pcap file (LINKTYPE_RAW: IPv4 or IPv6 packets, no link
 * header) that Wireshark and tshark decode as SIP.
 *
 * The messages come from Sofia-SIP's transport dump (TPTAG_DUMP), which
 * ue/sip_glue.c points at a file this tap reads as it grows. The first part
 * of this header is pure (bytes in, bytes out: unit-tested and fuzzed); the
 * tap at the end does the I/O on the UE's loop.
 */
#ifndef IMSUE_UE_PCAP_H
#define IMSUE_UE_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ue/loop.h"

#define UE_PCAP_LINKTYPE_RAW 101
#define UE_PCAP_SNAPLEN      65535
#define UE_PCAP_FILE_HDR     24
#define UE_PCAP_REC_HDR      16
/* Largest payload that fits one packet whatever the headers (65535 minus
 * the IPv6 and TCP headers); UDP over IPv4 takes up to 65507. */
#define UE_PCAP_MAX_PAYLOAD (65535 - 40 - 20)

enum ue_pcap_proto { UE_PCAP_UDP, UE_PCAP_TCP };

/* One packet: addresses in network byte order (4 bytes for AF_INET, 16 for
 * AF_INET6), ports in host order. */
struct ue_pcap_pkt {
	int family;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	enum ue_pcap_proto proto;
	uint32_t seq, ack; /* TCP only */
	const uint8_t *payload;
	size_t len; /* the packet (IP header included) fits 65535 bytes */
};

/* The 24-byte pcap file header (microsecond timestamps, LINKTYPE_RAW). */
void ue_pcap_file_header(uint8_t out[UE_PCAP_FILE_HDR]);

/* Check that hdr (len bytes, the start of an existing file) is a pcap file
 * header this writer can append to: little-endian microsecond pcap 2.4 with
 * LINKTYPE_RAW. 0, or -1 with a reason. */
int ue_pcap_file_check(const uint8_t *hdr, size_t len, char *err, size_t errlen);

/* One pcap record: record header, IP header, UDP or TCP header (checksums
 * computed), payload. Writes into out (outlen bytes) and returns the record
 * length, or -1 with a reason (bad family, payload too large, out too
 * small). */
ssize_t ue_pcap_record(uint8_t *out, size_t outlen, const struct ue_pcap_pkt *p, uint32_t ts_sec,
		       uint32_t ts_usec, char *err, size_t errlen);

/* One record of Sofia-SIP's transport dump:
 *   "sent N bytes to udp/[ADDR]:PORT at HH:MM:SS.UUUUUU:\n" N bytes "\v\n"
 * ("recv ... from ..." for received data; the protocol is udp, tcp, tls,
 * ws, wss or sctp; the time of day is UTC). */
struct ue_pcap_dump_rec {
	bool sent;
	char proto[8]; /* as in the dump, lower case */
	int family;    /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint16_t port;
	uint32_t day_s, usec; /* time of day: seconds since midnight, microseconds */
	const uint8_t *data;  /* inside the parsed buffer */
	size_t len;
};

enum {
	UE_PCAP_DUMP_MORE = 0,   /* the buffer ends inside a record: read more */
	UE_PCAP_DUMP_RECORD = 1, /* rec filled; *consumed bytes used */
	UE_PCAP_DUMP_SKIP = 2,   /* not a record line ("dump started ...", blank, garbage):
				  * skip *consumed bytes; err says why */
};

/* Parse the dump record at the start of buf (len bytes, not NUL-terminated).
 * Returns one of the UE_PCAP_DUMP_* values. */
int ue_pcap_dump_next(const uint8_t *buf, size_t len, struct ue_pcap_dump_rec *rec,
		      size_t *consumed, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* The tap: the dump file (a memfd) in, the pcap file out.             */

struct ue_pcap_tap;

typedef void (*ue_pcap_log_cb)(void *arg, int level, const char *line);

/* Open (or append to) the pcap file at path (created 0600) and create the
 * dump file Sofia-SIP writes to. Records are converted as they arrive (an
 * inotify watch on the loop). 0, or -1 with "PATH: reason". */
int ue_pcap_tap_new(struct ue_pcap_tap **out, struct ue_loop *loop, const char *path,
		    ue_pcap_log_cb log, void *arg, char *err, size_t errlen);
/* The file name to give Sofia-SIP (TPTAG_DUMP). */
const char *ue_pcap_tap_dump_path(const struct ue_pcap_tap *t);
/* The UE's own address and SIP port (UDP messages, and TCP when the
 * connection's socket cannot be found). host is a numeric address. */
void ue_pcap_tap_set_local(struct ue_pcap_tap *t, const char *host, uint16_t port);
/* Convert what the dump holds now. */
void ue_pcap_tap_flush(struct ue_pcap_tap *t);
/* Flush, close both files, free. NULL is fine. */
void ue_pcap_tap_free(struct ue_pcap_tap *t);

#endif
