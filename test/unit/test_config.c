/* The UE configuration file: a full valid file, defaults, and one test per
 * kind of error with its exact one-line message. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ue/ue_config.h"

/* A minimal valid AKA file; tests append to or replace parts of it. */
#define ID                                                                                         \
	"[identity]\nimpi = alice@ims.example.net\nimpu = sip:alice@ims.example.net\n"             \
	"home_domain = ims.example.net\n"
#define CRED                                                                                       \
	"[credentials]\nk = 465b5ce8b199b49faa5f0a2ee238a6bc\n"                                    \
	"opc = cd63cb71954a9f4e48a5994e37a02baf\n"
#define NET "[network]\npcscf = udp:192.0.2.10:5060\n"
#define MIN ID CRED NET

static const char full[] = "; a complete file\n"
			   "# both comment styles\n"
			   "[identity]\n"
			   "imsi = 001010123456789\n"
			   "imei = 3569380356438091\n"
			   "msisdn = +15550100\n"
			   "impi = alice@ims.example.net\n"
			   "impu = sip:alice@ims.example.net\n"
			   "impu = tel:+15550100\n"
			   "  impu = sip:+15550100@ims.example.net;user=phone\n"
			   "home_domain = ims.example.net\n"
			   "\n"
			   "[credentials]\n"
			   "k = 465B5CE8B199B49FAA5F0A2EE238A6BC\n"
			   "op = cdc202d5123e20f62b6d676ac72cb318\n"
			   "amf = b9b9\n"
			   "sqn_file = /var/lib/imsue/alice.sqn\n"
			   "password = secret with spaces\n"
			   "\r\n"
			   "[network]\r\n"
			   "pcscf = udp:192.0.2.10:5060\r\n"
			   "pcscf = tcp:[2001:db8::1]:5070\n"
			   "pcscf = tls:pcscf.ims.example.net\n"
			   "pcscf = UDP:[::1]\n"
			   "local_ip = 192.0.2.1\n"
			   "port = 5060\n"
			   "security = ipsec-3gpp\n"
			   "auth = aka ; inline comment\n"
			   "ipsec_alg = hmac-md5-96\n"
			   "ipsec_ealg = aes-cbc\n"
			   "port_c = 5100\n"
			   "port_s = 5101\n"
			   "expires = 3600\n"
			   "reg_await_auth = 10000\n"
			   "t1 = 100\n"
			   "ca_file = /etc/ssl/certs/ca.pem\n"
			   "[autoconf]\n"
			   "enabled = yes\n"
			   "server = https://config.example.net/\n"
			   "ca_file = /etc/imsue/ac-ca.pem\n"
			   "store = /var/lib/imsue/alice.store\n"
			   "sms_port = 37273\n"
			   "terminal_vendor = ACME\n"
			   "terminal_model = Phone 1\n"
			   "terminal_sw_version = 1.0\n"
			   "accept_language = en-GB\n"
			   "[ctl]\n"
			   "socket = /tmp/alice.sock\n"
			   "[debug]\n"
			   "pcap = /tmp/alice.pcap\n"
			   "log_keys = TRUE\n";

static void parse_ok(const char *text, const char *name, struct ue_config *c)
{
	char err[512] = "";

	if (ue_config_parse(text, name, c, err, sizeof(err)) != 0) {
		print_error("unexpected error: %s\n", err);
		fail();
	}
}

/* The exact message, and the struct left alone. */
static void parse_err(const char *text, const char *want)
{
	struct ue_config c;
	char err[512] = "";

	memset(&c, 0xa5, sizeof(c));
	if (ue_config_parse(text, "t.conf", &c, err, sizeof(err)) != -1 || strcmp(err, want)) {
		print_error("got '%s', want '%s'\n", err, want);
		fail();
	}
	for (size_t i = 0; i < sizeof(c); i++)
		assert_int_equal(((unsigned char *)&c)[i], 0xa5);
}

static void test_full(void **state)
{
	struct ue_config c;
	static const uint8_t k[16] = {0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
				      0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc};

	parse_ok(full, "/etc/imsue/alice.conf", &c);
	assert_string_equal(c.path, "/etc/imsue/alice.conf");
	assert_string_equal(c.imsi, "001010123456789");
	/* IMEISV 3569380356438091 -> TAC+SNR 35693803564380 + Luhn digit 9 */
	assert_string_equal(c.imei, "356938035643809");
	assert_string_equal(c.msisdn, "+15550100");
	assert_string_equal(c.impi, "alice@ims.example.net");
	assert_int_equal(c.n_impu, 3);
	assert_string_equal(c.impu[1], "tel:+15550100");
	assert_string_equal(c.impu[2], "sip:+15550100@ims.example.net;user=phone");
	assert_string_equal(c.home_domain, "ims.example.net");
	assert_true(c.have_k && c.have_op && !c.have_opc);
	assert_memory_equal(c.k, k, 16);
	assert_int_equal(c.op[0], 0xcd);
	assert_int_equal(c.amf[0], 0xb9);
	assert_string_equal(c.sqn_file, "/var/lib/imsue/alice.sqn");
	assert_string_equal(c.password, "secret with spaces");
	assert_int_equal(c.password_len, 18);
	assert_int_equal(c.n_pcscf, 4);
	assert_int_equal(c.pcscf[0].tp, UE_TP_UDP);
	assert_string_equal(c.pcscf[0].host, "192.0.2.10");
	assert_int_equal(c.pcscf[0].port, 5060);
	assert_int_equal(c.pcscf[1].tp, UE_TP_TCP);
	assert_string_equal(c.pcscf[1].host, "2001:db8::1");
	assert_int_equal(c.pcscf[1].port, 5070);
	assert_int_equal(c.pcscf[2].tp, UE_TP_TLS);
	assert_string_equal(c.pcscf[2].host, "pcscf.ims.example.net");
	assert_int_equal(c.pcscf[2].port, 0);
	assert_string_equal(c.pcscf[3].host, "::1");
	assert_string_equal(c.local_ip, "192.0.2.1");
	assert_int_equal(c.port, 5060);
	assert_int_equal(c.security, UE_SEC_IPSEC);
	assert_int_equal(c.auth, UE_AUTH_AKA);
	assert_string_equal(c.ipsec_alg, "hmac-md5-96");
	assert_string_equal(c.ipsec_ealg, "aes-cbc");
	assert_int_equal(c.port_c, 5100);
	assert_int_equal(c.port_s, 5101);
	assert_int_equal(c.expires, 3600);
	assert_int_equal(c.reg_await_auth_ms, 10000);
	assert_int_equal(c.t1_ms, 100);
	assert_int_equal(c.timer_f_ms, 6400);
	assert_string_equal(c.ca_file, "/etc/ssl/certs/ca.pem");
	assert_true(c.autoconf_enabled);
	assert_string_equal(c.autoconf_server, "https://config.example.net/");
	assert_string_equal(c.autoconf_ca_file, "/etc/imsue/ac-ca.pem");
	assert_string_equal(c.autoconf_store, "/var/lib/imsue/alice.store");
	assert_int_equal(c.sms_port, 37273);
	assert_string_equal(c.terminal_vendor, "ACME");
	assert_string_equal(c.terminal_model, "Phone 1");
	assert_string_equal(c.terminal_sw_version, "1.0");
	assert_string_equal(c.accept_language, "en-GB");
	assert_string_equal(c.ctl_socket, "/tmp/alice.sock");
	assert_string_equal(c.pcap, "/tmp/alice.pcap");
	assert_true(c.log_keys);

	ue_config_wipe(&c);
	assert_false(c.have_k);
	for (int i = 0; i < 16; i++)
		assert_int_equal(c.k[i] | c.op[i], 0);
	assert_int_equal(c.password[0], 0);
}

static void test_defaults(void **state)
{
	struct ue_config c;

	parse_ok(MIN, "/etc/imsue/bob.conf", &c);
	assert_int_equal(c.expires, 600000);
	assert_int_equal(c.t1_ms, 500);
	assert_int_equal(c.timer_f_ms, 32000);
	assert_int_equal(c.reg_await_auth_ms, 240000);
	assert_int_equal(c.security, UE_SEC_NONE);
	assert_int_equal(c.auth, UE_AUTH_AKA);
	assert_int_equal(c.port, 0);
	assert_string_equal(c.ipsec_alg, "hmac-sha-1-96");
	assert_string_equal(c.ipsec_ealg, "null");
	assert_false(c.autoconf_enabled);
	assert_false(c.log_keys);
	assert_string_equal(c.ctl_socket, "/run/imsue/bob.sock");
	assert_int_equal(c.imei[0], 0);

	/* Explicit timer F wins over 64 * T1; the socket name keeps other suffixes. */
	parse_ok(MIN "t1 = 1000\ntimer_f = 5000\n", "ue.ini", &c);
	assert_int_equal(c.timer_f_ms, 5000);
	assert_string_equal(c.ctl_socket, "/run/imsue/ue.ini.sock");
	parse_ok(MIN, NULL, &c);
	assert_string_equal(c.path, "(config)");

	ue_config_defaults(&c);
	assert_int_equal(c.expires, 600000);
	assert_int_equal(c.n_pcscf, 0);
}

static void test_alternatives(void **state)
{
	struct ue_config c;

	/* IMSI alone is enough for identities; digest needs a password only. */
	parse_ok("[identity]\nimsi = 00101012345678\n[credentials]\npassword = x\n" NET
		 "auth = digest\n",
		 "d.conf", &c);
	assert_int_equal(c.auth, UE_AUTH_DIGEST);
	assert_int_equal(c.n_impu, 0);
	/* Autoconfiguration: no P-CSCF, no identity, no digest password. */
	parse_ok("[identity]\nimsi = 001010123456789\n[network]\nauth = digest\n"
		 "[autoconf]\nenabled = 1\n",
		 "a.conf", &c);
	assert_true(c.autoconf_enabled);
	parse_ok("[autoconf]\nenabled = true\nserver = http://127.0.0.1:8080/\n[network]\n"
		 "auth = digest\n",
		 "a.conf", &c);
	parse_ok(MIN "[autoconf]\nenabled = no\n[debug]\nlog_keys = 0\n", "a.conf", &c);
	assert_false(c.autoconf_enabled);
	parse_ok(MIN "[autoconf]\nenabled = FALSE\n", "a.conf", &c);
	/* A BOM is allowed; IMEI of 15 digits is kept as is. */
	parse_ok("\xef\xbb\xbf" MIN "[identity]\nimei = 123456789012347\n", "b.conf", &c);
	assert_string_equal(c.imei, "123456789012347");
	/* Two sections of the same name merge. */
	parse_ok(ID CRED NET "[identity]\nmsisdn = 123\n", "b.conf", &c);
	assert_string_equal(c.msisdn, "123");
	/* Up to the limits of repeated keys. */
	parse_ok(MIN "pcscf = udp:a\npcscf = udp:b\npcscf = udp:c\n", "b.conf", &c);
	assert_int_equal(c.n_pcscf, 4);
}

static void test_err_unknown(void **state)
{
	parse_err(MIN "foo = 1\n", "t.conf:10: unknown key 'foo' in [network]");
	parse_err("x = 1\n" MIN, "t.conf:1: key 'x' outside any [section]");
	parse_err(MIN "[extra]\nbar = 2\n",
		  "t.conf:11: unknown key 'bar' in [extra] (no such section)");
	/* Keys are case-sensitive and belong to their section. */
	parse_err(MIN "[identity]\nK = 00\n", "t.conf:11: unknown key 'K' in [identity]");
	parse_err(MIN "[credentials]\nimsi = 001010123456789\n",
		  "t.conf:11: unknown key 'imsi' in [credentials]");
}

static void test_err_syntax(void **state)
{
	parse_err(MIN "just words\n", "t.conf:10: syntax error: expected 'key = value'");
	parse_err("[identity\n" MIN, "t.conf:1: syntax error: missing ']'");
	/* A syntax error before a bad value is the one reported. */
	parse_err(MIN "junk\nport = x\n", "t.conf:10: syntax error: expected 'key = value'");
}

static void test_err_long_line(void **state)
{
	char text[2048];

	snprintf(text, sizeof(text), MIN "sqn_file = /%0600d\n", 0);
	parse_err(text, "t.conf:10: line too long (at most 197 characters)");
}

static void test_err_duplicate(void **state)
{
	parse_err(MIN "auth = aka\nauth = digest\n",
		  "t.conf:11: key 'auth': already set on line 10");
	parse_err(MIN "[identity]\nimpu = sip:alice@ims.example.net\n",
		  "t.conf:11: key 'impu': 'sip:alice@ims.example.net' given twice");
}

static void test_err_empty(void **state)
{
	parse_err(MIN "local_ip =\n", "t.conf:10: key 'local_ip': empty value");
}

static void test_err_hex(void **state)
{
	parse_err("[credentials]\nk = 465b5ce8b199b49faa5f0a2ee238a6b\n",
		  "t.conf:2: key 'k': needs 32 hex digits, got 31");
	parse_err("[credentials]\nop = 465b5ce8b199b49faa5f0a2ee238a6bcc0\n",
		  "t.conf:2: key 'op': needs 32 hex digits, got 34");
	parse_err("[credentials]\nopc = 465b5ce8b199b49faa5f0a2ee238a6bx\n",
		  "t.conf:2: key 'opc': not a hex digit at position 32");
	parse_err("[credentials]\namf = 80000\n", "t.conf:2: key 'amf': needs 4 hex digits, got 5");
	parse_err("[credentials]\namf = g000\n",
		  "t.conf:2: key 'amf': not a hex digit at position 1");
}

static void test_err_digits(void **state)
{
	parse_err("[identity]\nimsi = 0010101234567\n",
		  "t.conf:2: key 'imsi': needs 14 to 15 decimal digits");
	parse_err("[identity]\nimsi = 0010101234567890\n",
		  "t.conf:2: key 'imsi': needs 14 to 15 decimal digits");
	parse_err("[identity]\nimsi = 00101012345678a\n",
		  "t.conf:2: key 'imsi': needs 14 to 15 decimal digits");
	parse_err("[identity]\nimei = 12345678901234\n",
		  "t.conf:2: key 'imei': needs 15 digits (IMEI) or 16 digits (IMEISV)");
	parse_err("[identity]\nimei = 12345678901234567\n",
		  "t.conf:2: key 'imei': needs 15 digits (IMEI) or 16 digits (IMEISV)");
	parse_err("[identity]\nimei = 123456789012345\n",
		  "t.conf:2: key 'imei': IMEI check digit is 5, expected 7");
	parse_err("[identity]\nmsisdn = 1234567890123456\n",
		  "t.conf:2: key 'msisdn': needs up to 15 digits, optionally after '+'");
	parse_err("[identity]\nmsisdn = +\n",
		  "t.conf:2: key 'msisdn': needs up to 15 digits, optionally after '+'");
}

static void test_err_identity(void **state)
{
	parse_err("[identity]\nimpu = alice@ims.example.net\n",
		  "t.conf:2: key 'impu': 'alice@ims.example.net' is not a sip:, sips: or tel: URI");
	parse_err("[identity]\nimpu = sip:\n", "t.conf:2: key 'impu': 'sip:' is not a valid URI");
	parse_err("[identity]\nimpu = sip:a b\n",
		  "t.conf:2: key 'impu': 'sip:a b' is not a valid URI");
	parse_err("[identity]\nimpi = a\"b\n",
		  "t.conf:2: key 'impi': spaces, quotes or control characters in value");
	parse_err("[identity]\nhome_domain = ims example\n",
		  "t.conf:2: key 'home_domain': 'ims example' is not a domain name");
	parse_err(
		"[identity]\nimpu = sip:1\nimpu = sip:2\nimpu = sip:3\nimpu = sip:4\nimpu = sip:5\n"
		"impu = sip:6\nimpu = sip:7\nimpu = sip:8\nimpu = sip:9\n",
		"t.conf:10: key 'impu': more than 8 given");
}

static void test_err_pcscf(void **state)
{
	parse_err("[network]\npcscf = 192.0.2.1\n",
		  "t.conf:2: key 'pcscf': '192.0.2.1' does not start with udp:, tcp: or tls:");
	parse_err("[network]\npcscf = sctp:192.0.2.1\n",
		  "t.conf:2: key 'pcscf': 'sctp:192.0.2.1' does not start with udp:, tcp: or tls:");
	parse_err("[network]\npcscf = udp:\n", "t.conf:2: key 'pcscf': missing host");
	parse_err("[network]\npcscf = udp:2001:db8::1\n",
		  "t.conf:2: key 'pcscf': IPv6 addresses must be in brackets");
	parse_err("[network]\npcscf = udp:[2001:db8::1\n",
		  "t.conf:2: key 'pcscf': missing ']' after IPv6 address");
	parse_err("[network]\npcscf = udp:[2001:zz8::1]\n",
		  "t.conf:2: key 'pcscf': bad IPv6 address '2001:zz8::1'");
	parse_err("[network]\npcscf = udp:[::1]x\n",
		  "t.conf:2: key 'pcscf': unexpected text after ']'");
	parse_err("[network]\npcscf = udp:host_name\n",
		  "t.conf:2: key 'pcscf': bad host name 'host_name'");
	parse_err("[network]\npcscf = udp:host:0\n",
		  "t.conf:2: key 'pcscf': port '0' is not a number in 1..65535");
	parse_err("[network]\npcscf = udp:host:65536\n",
		  "t.conf:2: key 'pcscf': port '65536' is not a number in 1..65535");
	parse_err("[network]\npcscf = udp:[::1]:\n",
		  "t.conf:2: key 'pcscf': port '' is not a number in 1..65535");
	parse_err("[network]\npcscf = udp:a\npcscf = udp:b\npcscf = udp:c\npcscf = udp:d\n"
		  "pcscf = udp:e\n",
		  "t.conf:6: key 'pcscf': more than 4 given");
}

static void test_err_numbers(void **state)
{
	parse_err("[network]\nport = 65536\n",
		  "t.conf:2: key 'port': '65536' is not a port number in 0..65535");
	parse_err("[network]\nport_c = -1\n",
		  "t.conf:2: key 'port_c': '-1' is not a port number in 0..65535");
	parse_err("[autoconf]\nsms_port = 0\n",
		  "t.conf:2: key 'sms_port': '0' is not a port number in 1..65535");
	parse_err("[network]\nexpires = 0\n",
		  "t.conf:2: key 'expires': '0' is not a number in 1..4294967295");
	parse_err("[network]\nexpires = 4294967296\n",
		  "t.conf:2: key 'expires': '4294967296' is not a number in 1..4294967295");
	parse_err("[network]\nt1 = 1.5\n", "t.conf:2: key 't1': '1.5' is not a number in 1..60000");
	parse_err(
		"[network]\ntimer_f = 99999999999999999999999\n",
		"t.conf:2: key 'timer_f': '99999999999999999999999' is not a number in 1..3600000");
	parse_err("[network]\nreg_await_auth = +5\n",
		  "t.conf:2: key 'reg_await_auth': '+5' is not a number in 1..3600000");
}

static void test_err_enums(void **state)
{
	parse_err("[network]\nsecurity = ipsec\n",
		  "t.conf:2: key 'security': 'ipsec' is not one of none, ipsec-3gpp, tls");
	parse_err("[network]\nauth = AKA\n",
		  "t.conf:2: key 'auth': 'AKA' is not one of aka, digest");
	parse_err("[network]\nipsec_alg = hmac-sha-256\n",
		  "t.conf:2: key 'ipsec_alg': 'hmac-sha-256' is not one of hmac-sha-1-96, "
		  "hmac-md5-96");
	parse_err("[network]\nipsec_ealg = des-ede3-cbc\n",
		  "t.conf:2: key 'ipsec_ealg': 'des-ede3-cbc' is not one of null, aes-cbc");
	parse_err("[autoconf]\nenabled = maybe\n",
		  "t.conf:2: key 'enabled': 'maybe' is not yes, no, true, false, 1 or 0");
	parse_err("[debug]\nlog_keys = on\n",
		  "t.conf:2: key 'log_keys': 'on' is not yes, no, true, false, 1 or 0");
}

static void test_err_strings(void **state)
{
	char text[256];

	parse_err("[network]\nlocal_ip = 192.0.2\n",
		  "t.conf:2: key 'local_ip': '192.0.2' is not an IPv4 or IPv6 address");
	parse_err("[autoconf]\nserver = ftp://x/\n",
		  "t.conf:2: key 'server': 'ftp://x/' is not an http:// or https:// URL");
	parse_err("[autoconf]\naccept_language = en GB\n",
		  "t.conf:2: key 'accept_language': spaces or control characters in value");
	parse_err("[autoconf]\nterminal_model = a\tb\n",
		  "t.conf:2: key 'terminal_model': control characters in value");
	parse_err("[credentials]\npassword = a\x01\n",
		  "t.conf:2: key 'password': control characters in value");
	snprintf(text, sizeof(text), "[ctl]\nsocket = /%0120d\n", 0);
	parse_err(text, "t.conf:2: key 'socket': value too long (at most 107 characters)");
	snprintf(text, sizeof(text), "[autoconf]\nterminal_vendor = %070d\n", 0);
	parse_err(text, "t.conf:2: key 'terminal_vendor': value too long (at most 63 characters)");
}

static void test_err_cross(void **state)
{
	parse_err(ID NET, "t.conf: auth = aka needs k in [credentials]");
	parse_err(ID NET "[credentials]\nk = 465b5ce8b199b49faa5f0a2ee238a6bc\n",
		  "t.conf: auth = aka needs op or opc in [credentials]");
	parse_err(MIN "[credentials]\nop = 465b5ce8b199b49faa5f0a2ee238a6bc\n",
		  "t.conf: give op or opc in [credentials], not both");
	parse_err(ID NET "auth = digest\n",
		  "t.conf: auth = digest needs password in [credentials]");
	parse_err(ID NET "auth = digest\nsecurity = ipsec-3gpp\n[credentials]\npassword = p\n",
		  "t.conf: security = ipsec-3gpp needs auth = aka");
	parse_err(ID CRED, "t.conf: no pcscf in [network] (and [autoconf] is not enabled)");
	parse_err(CRED NET, "t.conf: [identity] needs impi (or imsi, or [autoconf] enabled)");
	parse_err(CRED NET "[identity]\nimpi = a@b\n",
		  "t.conf: [identity] needs impu (or imsi, or [autoconf] enabled)");
	parse_err(CRED NET "[identity]\nimpi = a@b\nimpu = sip:a@b\n",
		  "t.conf: [identity] needs home_domain (or imsi, or [autoconf] enabled)");
	parse_err(CRED "[autoconf]\nenabled = yes\n",
		  "t.conf: [autoconf] enabled needs imsi in [identity] or server");
	parse_err(MIN "port_c = 5000\nport_s = 5000\n", "t.conf: port_c and port_s must differ");
	parse_err(MIN "port = 5000\nport_s = 5000\n",
		  "t.conf: port must differ from port_c and port_s");
}

static void test_default_socket_errors(void **state)
{
	struct ue_config c;
	char err[512], name[200];

	assert_int_equal(ue_config_parse(MIN, "/etc/.conf", &c, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "/etc/.conf: cannot derive a control socket name: set socket in [ctl]");
	snprintf(name, sizeof(name), "/etc/%0100d.conf", 0);
	assert_int_equal(ue_config_parse(MIN, name, &c, err, sizeof(err)), -1);
	assert_non_null(
		strstr(err, ".conf: default control socket path too long: set socket in [ctl]"));
}

static void test_load(void **state)
{
	struct ue_config c;
	char err[512], path[] = "/tmp/test_config_XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(MIN, f);
	fclose(f);
	assert_int_equal(ue_config_load(path, &c, err, sizeof(err)), 0);
	assert_string_equal(c.path, path);
	assert_true(c.have_k);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs(MIN "x", f);
	fputc('\0', f);
	fputs("y = 1\n", f);
	fclose(f);
	assert_int_equal(ue_config_load(path, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":10: NUL byte in file"));
	unlink(path);

	assert_int_equal(ue_config_load(path, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ": No such file or directory"));
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_alternatives),
		cmocka_unit_test(test_err_unknown),
		cmocka_unit_test(test_err_syntax),
		cmocka_unit_test(test_err_long_line),
		cmocka_unit_test(test_err_duplicate),
		cmocka_unit_test(test_err_empty),
		cmocka_unit_test(test_err_hex),
		cmocka_unit_test(test_err_digits),
		cmocka_unit_test(test_err_identity),
		cmocka_unit_test(test_err_pcscf),
		cmocka_unit_test(test_err_numbers),
		cmocka_unit_test(test_err_enums),
		cmocka_unit_test(test_err_strings),
		cmocka_unit_test(test_err_cross),
		cmocka_unit_test(test_default_socket_errors),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
