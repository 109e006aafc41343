/* The pure half of the signalling trace (ue/pcap.h): pcap records with
 * IPv4/IPv6 and UDP/TCP headers, and the parser of Sofia-SIP's transport
 * dump records. No I/O here. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ue/pcap.h"

#define IP4_HDR  20
#define IP6_HDR  40
#define UDP_HDR  8
#define TCP_HDR  20
#define MAX_DUMP (16u << 20) /* larger "N bytes" claims are garbage */

static void put16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* RFC 1071 one's-complement sum, continued from sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (n)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

__attribute__((format(printf, 3, 4))) static void say(char *err, size_t errlen, const char *fmt,
						      ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void ue_pcap_file_header(uint8_t out[UE_PCAP_FILE_HDR])
{
	put32le(out, 0xa1b2c3d4);
	out[4] = 2; /* version 2.4, little-endian 16-bit fields */
	out[5] = 0;
	out[6] = 4;
	out[7] = 0;
	put32le(out + 8, 0);  /* thiszone */
	put32le(out + 12, 0); /* sigfigs */
	put32le(out + 16, UE_PCAP_SNAPLEN);
	put32le(out + 20, UE_PCAP_LINKTYPE_RAW);
}

int ue_pcap_file_check(const uint8_t *hdr, size_t len, char *err, size_t errlen)
{
	if (len < UE_PCAP_FILE_HDR) {
		say(err, errlen, "not a pcap file (%zu bytes, shorter than its header)", len);
		return -1;
	}
	if (get32le(hdr) != 0xa1b2c3d4) {
		say(err, errlen, "not a little-endian microsecond pcap file");
		return -1;
	}
	if (get32le(hdr + 20) != UE_PCAP_LINKTYPE_RAW) {
		say(err, errlen, "pcap link type %u, not %u (raw IP): cannot append",
		    (unsigned)get32le(hdr + 20), UE_PCAP_LINKTYPE_RAW);
		return -1;
	}
	return 0;
}

ssize_t ue_pcap_record(uint8_t *out, size_t outlen, const struct ue_pcap_pkt *p, uint32_t ts_sec,
		       uint32_t ts_usec, char *err, size_t errlen)
{
	size_t iph, l4h = p->proto == UE_PCAP_TCP ? TCP_HDR : UDP_HDR, alen, total;
	uint8_t *ip, *l4;
	uint32_t sum;
	uint8_t pseudo[4];

	if (p->family == AF_INET) {
		iph = IP4_HDR;
		alen = 4;
	} else if (p->family == AF_INET6) {
		iph = IP6_HDR;
		alen = 16;
	} else {
		say(err, errlen, "address family %d is neither IPv4 nor IPv6", p->family);
		return -1;
	}
	if (p->len && !p->payload) {
		say(err, errlen, "no payload");
		return -1;
	}
	total = iph + l4h + p->len;
	if (total > 65535) {
		say(err, errlen, "payload of %zu bytes does not fit one packet", p->len);
		return -1;
	}
	if (outlen < UE_PCAP_REC_HDR + total) {
		say(err, errlen, "record of %zu bytes does not fit %zu", UE_PCAP_REC_HDR + total,
		    outlen);
		return -1;
	}
	put32le(out, ts_sec);
	put32le(out + 4, ts_usec);
	put32le(out + 8, (uint32_t)total);
	put32le(out + 12, (uint32_t)total);
	ip = out + UE_PCAP_REC_HDR;
	l4 = ip + iph;
	memset(ip, 0, iph + l4h);
	if (p->family == AF_INET) {
		ip[0] = 0x45;
		put16be(ip + 2, (uint16_t)total);
		put16be(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = p->proto == UE_PCAP_TCP ? IPPROTO_TCP : IPPROTO_UDP;
		memcpy(ip + 12, p->src, 4);
		memcpy(ip + 16, p->dst, 4);
		put16be(ip + 10, csum_fold(csum_add(0, ip, IP4_HDR)));
	} else {
		ip[0] = 0x60;
		put16be(ip + 4, (uint16_t)(l4h + p->len));
		ip[6] = p->proto == UE_PCAP_TCP ? IPPROTO_TCP : IPPROTO_UDP;
		ip[7] = 64;
		memcpy(ip + 8, p->src, 16);
		memcpy(ip + 24, p->dst, 16);
	}
	put16be(l4, p->sport);
	put16be(l4 + 2, p->dport);
	if (p->proto == UE_PCAP_TCP) {
		put32be(l4 + 4, p->seq);
		put32be(l4 + 8, p->ack);
		l4[12] = 5 << 4;
		l4[13] = 0x18; /* PSH, ACK */
		put16be(l4 + 14, 65535);
	} else {
		put16be(l4 + 4, (uint16_t)(UDP_HDR + p->len));
	}
	if (p->len)
		memcpy(l4 + l4h, p->payload, p->len);
	/* Checksum over the pseudo-header (RFC 768, RFC 793, RFC 8200 8.1). */
	sum = csum_add(0, p->src, alen);
	sum = csum_add(sum, p->dst, alen);
	put32be(pseudo, (uint32_t)(l4h + p->len));
	sum = csum_add(sum, pseudo, 4);
	sum += p->proto == UE_PCAP_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	sum = csum_add(sum, l4, l4h + p->len);
	{
		uint16_t c = csum_fold(sum);

		if (p->proto == UE_PCAP_UDP && c == 0)
			c = 0xffff;
		put16be(l4 + (p->proto == UE_PCAP_TCP ? 16 : 6), c);
	}
	return (ssize_t)(UE_PCAP_REC_HDR + total);
}

/* Reads an unsigned decimal number of at most max_digits at *pos. */
static int take_num(const uint8_t *s, size_t n, size_t *pos, size_t max_digits, uint32_t *out)
{
	uint32_t v = 0;
	size_t i = *pos;

	while (i < n && i - *pos < max_digits && s[i] >= '0' && s[i] <= '9')
		v = v * 10 + (uint32_t)(s[i++] - '0');
	if (i == *pos || (i < n && s[i] >= '0' && s[i] <= '9'))
		return -1;
	*pos = i;
	*out = v;
	return 0;
}

static int take_lit(const uint8_t *s, size_t n, size_t *pos, const char *lit)
{
	size_t l = strlen(lit);

	if (n - *pos < l || memcmp(s + *pos, lit, l))
		return -1;
	*pos += l;
	return 0;
}

/* "sent 187 bytes to udp/[127.0.0.1]:5060 at 22:07:38.269503:" */
static int parse_stamp(const uint8_t *s, size_t n, struct ue_pcap_dump_rec *rec, uint32_t *count,
		       char *err, size_t errlen)
{
	size_t pos = 0, start;
	uint32_t port, h, m, sec, us;
	char addr[64];

	memset(rec, 0, sizeof(*rec));
	if (!take_lit(s, n, &pos, "sent "))
		rec->sent = true;
	else if (take_lit(s, n, &pos, "recv ")) {
		say(err, errlen, "not a dump record line");
		return -1;
	}
	if (take_num(s, n, &pos, 9, count) || take_lit(s, n, &pos, " bytes ") ||
	    take_lit(s, n, &pos, rec->sent ? "to " : "from ")) {
		say(err, errlen, "bad byte count or direction in a dump record");
		return -1;
	}
	for (start = pos; pos < n && pos - start < sizeof(rec->proto) - 1 && s[pos] >= 'a' &&
			  s[pos] <= 'z';
	     pos++)
		rec->proto[pos - start] = (char)s[pos];
	if (pos == start || take_lit(s, n, &pos, "/[")) {
		say(err, errlen, "bad transport name in a dump record");
		return -1;
	}
	for (start = pos; pos < n && s[pos] != ']'; pos++)
		if (pos - start >= sizeof(addr) - 1)
			break;
	if (pos >= n || s[pos] != ']') {
		say(err, errlen, "bad address in a dump record");
		return -1;
	}
	memcpy(addr, s + start, pos - start);
	addr[pos - start] = '\0';
	pos++;
	if (inet_pton(AF_INET, addr, rec->addr) == 1) {
		rec->family = AF_INET;
	} else if (inet_pton(AF_INET6, addr, rec->addr) == 1) {
		rec->family = AF_INET6;
	} else {
		say(err, errlen, "'%s' is not an IP address", addr);
		return -1;
	}
	if (take_lit(s, n, &pos, ":") || take_num(s, n, &pos, 5, &port) || port > 65535) {
		say(err, errlen, "bad port in a dump record");
		return -1;
	}
	rec->port = (uint16_t)port;
	/* An IPv6 flow label ("/N") or ";comp=sigcomp" may come before " at ". */
	while (pos < n && s[pos] != ' ')
		pos++;
	if (take_lit(s, n, &pos, " at ") || take_num(s, n, &pos, 2, &h) || take_lit(s, n, &pos, ":") ||
	    take_num(s, n, &pos, 2, &m) || take_lit(s, n, &pos, ":") ||
	    take_num(s, n, &pos, 2, &sec) || take_lit(s, n, &pos, ".") ||
	    take_num(s, n, &pos, 6, &us) || take_lit(s, n, &pos, ":") || pos != n || h > 23 ||
	    m > 59 || sec > 60) {
		say(err, errlen, "bad time in a dump record");
		return -1;
	}
	rec->day_s = h * 3600 + m * 60 + sec;
	rec->usec = us;
	return 0;
}

int ue_pcap_dump_next(const uint8_t *buf, size_t len, struct ue_pcap_dump_rec *rec,
		      size_t *consumed, char *err, size_t errlen)
{
	const uint8_t *nl = memchr(buf, '\n', len);
	size_t line, need;
	uint32_t count;

	*consumed = 0;
	if (!nl) {
		/* A stamp line is short: a long run without a newline is garbage. */
		if (len < 256)
			return UE_PCAP_DUMP_MORE;
		*consumed = len;
		say(err, errlen, "%zu bytes without a line end", len);
		return UE_PCAP_DUMP_SKIP;
	}
	line = (size_t)(nl - buf);
	if (parse_stamp(buf, line, rec, &count, err, errlen) != 0) {
		*consumed = line + 1;
		return UE_PCAP_DUMP_SKIP;
	}
	if (count > MAX_DUMP) {
		*consumed = line + 1;
		say(err, errlen, "dump record of %u bytes is too large", (unsigned)count);
		return UE_PCAP_DUMP_SKIP;
	}
	need = line + 1 + count + 2;
	if (len < need)
		return UE_PCAP_DUMP_MORE;
	if (buf[need - 2] != '\v' || buf[need - 1] != '\n') {
		*consumed = line + 1;
		say(err, errlen, "dump record of %u bytes does not end with VT LF", (unsigned)count);
		return UE_PCAP_DUMP_SKIP;
	}
	rec->data = buf + line + 1;
	rec->len = count;
	*consumed = need;
	return UE_PCAP_DUMP_RECORD;
}
