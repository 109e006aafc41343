/* ue/pcap.c: pcap records with IPv4/IPv6 and UDP/TCP headers (checksums
 * checked independently here), and the parser of Sofia-SIP's transport dump
 * with its error paths. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ue/pcap.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* One's-complement sum over data and pseudo-header: 0xffff when valid. */
static unsigned sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static void test_file_header(void **state)
{
	uint8_t h[UE_PCAP_FILE_HDR];
	char err[128];

	(void)state;
	ue_pcap_file_header(h);
	assert_int_equal(le32(h), 0xa1b2c3d4);
	assert_int_equal(h[4] | h[5] << 8, 2);
	assert_int_equal(h[6] | h[7] << 8, 4);
	assert_int_equal(le32(h + 16), 65535);
	assert_int_equal(le32(h + 20), 101);
	assert_int_equal(ue_pcap_file_check(h, sizeof(h), err, sizeof(err)), 0);
	assert_int_equal(ue_pcap_file_check(h, 10, err, sizeof(err)), -1);
	assert_string_equal(err, "not a pcap file (10 bytes, shorter than its header)");
	h[20] = 1; /* Ethernet */
	assert_int_equal(ue_pcap_file_check(h, sizeof(h), err, sizeof(err)), -1);
	assert_string_equal(err, "pcap link type 1, not 101 (raw IP): cannot append");
	h[0] = 0x4d;
	assert_int_equal(ue_pcap_file_check(h, sizeof(h), err, sizeof(err)), -1);
	assert_string_equal(err, "not a little-endian microsecond pcap file");
}

static void test_udp4(void **state)
{
	static const char msg[] = "REGISTER sip:ims.example.net SIP/2.0\r\n\r\n!"; /* odd length */
	struct ue_pcap_pkt p = {.family = AF_INET, .proto = UE_PCAP_UDP, .sport = 5060,
				.dport = 40000, .payload = (const uint8_t *)msg,
				.len = sizeof(msg) - 1};
	uint8_t out[256], *ip = out + 16, *udp = ip + 20;
	char err[128];
	uint32_t pseudo;
	ssize_t n;

	(void)state;
	inet_pton(AF_INET, "192.0.2.1", p.src);
	inet_pton(AF_INET, "198.51.100.7", p.dst);
	n = ue_pcap_record(out, sizeof(out), &p, 1700000000, 123456, err, sizeof(err));
	assert_int_equal(n, 16 + 20 + 8 + p.len);
	assert_int_equal(le32(out), 1700000000);
	assert_int_equal(le32(out + 4), 123456);
	assert_int_equal(le32(out + 8), 20 + 8 + p.len);
	assert_int_equal(le32(out + 12), 20 + 8 + p.len);
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(be16(ip + 2), 20 + 8 + p.len);
	assert_int_equal(ip[9], IPPROTO_UDP);
	assert_memory_equal(ip + 12, p.src, 4);
	assert_memory_equal(ip + 16, p.dst, 4);
	assert_int_equal(sum16(ip, 20, 0), 0xffff);
	assert_int_equal(be16(udp), 5060);
	assert_int_equal(be16(udp + 2), 40000);
	assert_int_equal(be16(udp + 4), 8 + p.len);
	assert_memory_equal(udp + 8, msg, p.len);
	pseudo = sum16(p.src, 4, 0) + sum16(p.dst, 4, 0) + IPPROTO_UDP + 8 + (uint32_t)p.len;
	assert_int_equal(sum16(udp, 8 + p.len, pseudo), 0xffff);
	assert_int_not_equal(be16(udp + 6), 0);
}

static void test_tcp6(void **state)
{
	static const char msg[] = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
	struct ue_pcap_pkt p = {.family = AF_INET6, .proto = UE_PCAP_TCP, .sport = 5061,
				.dport = 33333, .seq = 1000, .ack = 77,
				.payload = (const uint8_t *)msg, .len = sizeof(msg) - 1};
	uint8_t out[256], *ip = out + 16, *tcp = ip + 40;
	char err[128];
	uint32_t pseudo;
	ssize_t n;

	(void)state;
	inet_pton(AF_INET6, "2001:db8::1", p.src);
	inet_pton(AF_INET6, "2001:db8::2", p.dst);
	n = ue_pcap_record(out, sizeof(out), &p, 1, 2, err, sizeof(err));
	assert_int_equal(n, 16 + 40 + 20 + p.len);
	assert_int_equal(ip[0] >> 4, 6);
	assert_int_equal(be16(ip + 4), 20 + p.len);
	assert_int_equal(ip[6], IPPROTO_TCP);
	assert_memory_equal(ip + 8, p.src, 16);
	assert_memory_equal(ip + 24, p.dst, 16);
	assert_int_equal(be16(tcp), 5061);
	assert_int_equal(be16(tcp + 2), 33333);
	assert_int_equal(be16(tcp + 4) << 16 | be16(tcp + 6), 1000);
	assert_int_equal(be16(tcp + 8) << 16 | be16(tcp + 10), 77);
	assert_int_equal(tcp[12], 0x50);
	assert_int_equal(tcp[13], 0x18);
	assert_memory_equal(tcp + 20, msg, p.len);
	pseudo = sum16(p.src, 16, 0) + sum16(p.dst, 16, 0) + IPPROTO_TCP + 20 + (uint32_t)p.len;
	assert_int_equal(sum16(tcp, 20 + p.len, pseudo), 0xffff);
}

static void test_record_errors(void **state)
{
	static uint8_t big[65536];
	struct ue_pcap_pkt p = {.family = AF_UNIX, .payload = big, .len = 10};
	uint8_t out[128];
	char err[128];

	(void)state;
	assert_int_equal(ue_pcap_record(out, sizeof(out), &p, 0, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "address family 1 is neither IPv4 nor IPv6");
	p.family = AF_INET;
	assert_int_equal(ue_pcap_record(out, 40, &p, 0, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "record of 54 bytes does not fit 40");
	p.len = 65535 - 28 + 1;
	assert_int_equal(ue_pcap_record(out, sizeof(out), &p, 0, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "payload of 65508 bytes does not fit one packet");
	p.payload = NULL;
	p.len = 1;
	assert_int_equal(ue_pcap_record(out, sizeof(out), &p, 0, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "no payload");
}

#define REC4 "sent 5 bytes to udp/[192.0.2.1]:5060 at 22:07:38.269503:\nhello\v\n"

static void test_dump_record(void **state)
{
	static const char in[] = "dump started at Sun Nov 22 22:07:26 2026\n\n" REC4;
	const uint8_t *b = (const uint8_t *)in;
	size_t len = sizeof(in) - 1, used;
	struct ue_pcap_dump_rec r;
	char err[128];

	(void)state;
	assert_int_equal(ue_pcap_dump_next(b, len, &r, &used, err, sizeof(err)), UE_PCAP_DUMP_SKIP);
	assert_int_equal(used, strlen("dump started at Sun Nov 22 22:07:26 2026\n"));
	b += used;
	len -= used;
	assert_int_equal(ue_pcap_dump_next(b, len, &r, &used, err, sizeof(err)), UE_PCAP_DUMP_SKIP);
	assert_int_equal(used, 1);
	b += used;
	len -= used;
	assert_int_equal(ue_pcap_dump_next(b, len, &r, &used, err, sizeof(err)),
			 UE_PCAP_DUMP_RECORD);
	assert_int_equal(used, len);
	assert_true(r.sent);
	assert_string_equal(r.proto, "udp");
	assert_int_equal(r.family, AF_INET);
	assert_memory_equal(r.addr, "\xc0\x00\x02\x01", 4);
	assert_int_equal(r.port, 5060);
	assert_int_equal(r.day_s, 22 * 3600 + 7 * 60 + 38);
	assert_int_equal(r.usec, 269503);
	assert_int_equal(r.len, 5);
	assert_memory_equal(r.data, "hello", 5);
	/* Every shorter prefix asks for more. */
	for (size_t i = 0; i < len; i++)
		assert_int_equal(ue_pcap_dump_next(b, i, &r, &used, err, sizeof(err)),
				 UE_PCAP_DUMP_MORE);
}

static void test_dump_v6(void **state)
{
	static const char in[] =
		"recv 2 bytes from tcp/[2001:db8::5]:5061/77;comp=sigcomp at 00:00:00.000001:\nab\v\n";
	struct ue_pcap_dump_rec r;
	size_t used;
	char err[128];

	(void)state;
	assert_int_equal(ue_pcap_dump_next((const uint8_t *)in, sizeof(in) - 1, &r, &used, err,
					   sizeof(err)),
			 UE_PCAP_DUMP_RECORD);
	assert_false(r.sent);
	assert_string_equal(r.proto, "tcp");
	assert_int_equal(r.family, AF_INET6);
	assert_int_equal(r.addr[0], 0x20);
	assert_int_equal(r.addr[15], 5);
	assert_int_equal(r.port, 5061);
	assert_int_equal(r.day_s, 0);
	assert_int_equal(r.usec, 1);
	assert_int_equal(r.len, 2);
}

/* A line that is not a record: skipped up to its end. */
static void dump_skip(const char *in, const char *want_err)
{
	struct ue_pcap_dump_rec r;
	const char *nl = strchr(in, '\n');
	size_t used = 0, want_used = nl ? (size_t)(nl - in) + 1 : strlen(in);
	char err[128] = "";

	assert_int_equal(ue_pcap_dump_next((const uint8_t *)in, strlen(in), &r, &used, err,
					   sizeof(err)),
			 UE_PCAP_DUMP_SKIP);
	assert_string_equal(err, want_err);
	assert_int_equal(used, want_used);
}

static void test_dump_errors(void **state)
{
	char garbage[300];

	(void)state;
	dump_skip("hello\n", "not a dump record line");
	dump_skip("sent x bytes to udp/[1.2.3.4]:5 at 00:00:00.000000:\n",
	     "bad byte count or direction in a dump record");
	dump_skip("sent 1 bytes from udp/[1.2.3.4]:5 at 00:00:00.000000:\n",
	     "bad byte count or direction in a dump record");
	dump_skip("sent 1 bytes to UDP/[1.2.3.4]:5 at 00:00:00.000000:\n",
	     "bad transport name in a dump record");
	dump_skip("sent 1 bytes to udp/[1.2.3.4:5 at 00:00:00.000000:\n", "bad address in a dump record");
	dump_skip("sent 1 bytes to udp/[host]:5 at 00:00:00.000000:\n", "'host' is not an IP address");
	dump_skip("sent 1 bytes to udp/[1.2.3.4]:99999 at 00:00:00.000000:\n",
	     "bad port in a dump record");
	dump_skip("sent 1 bytes to udp/[1.2.3.4]:5 at 24:00:00.000000:\n", "bad time in a dump record");
	dump_skip("sent 1 bytes to udp/[1.2.3.4]:5 at 00:00:00.000000\n", "bad time in a dump record");
	dump_skip("sent 1 bytes to udp/[1.2.3.4]:5 at 00:00:00.000000:x\n",
	     "bad time in a dump record");
	dump_skip("sent 99999999 bytes to udp/[1.2.3.4]:5 at 00:00:00.000000:\n",
	     "dump record of 99999999 bytes is too large");
	dump_skip("sent 1 bytes to udp/[1.2.3.4]:5 at 00:00:00.000000:\nxyz\n",
	     "dump record of 1 bytes does not end with VT LF");
	memset(garbage, 'g', sizeof(garbage) - 1);
	garbage[sizeof(garbage) - 1] = '\0';
	dump_skip(garbage, "299 bytes without a line end");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_header),   cmocka_unit_test(test_udp4),
		cmocka_unit_test(test_tcp6),          cmocka_unit_test(test_record_errors),
		cmocka_unit_test(test_dump_record),   cmocka_unit_test(test_dump_v6),
		cmocka_unit_test(test_dump_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
