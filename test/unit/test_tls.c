/* TLS client policy (sec/tls.h): failure names and classification, the
 * context policy (TLS 1.2 minimum, peer verification, CA loading errors),
 * peer names, certificate name lists, messages, and sec_tls_probe against
 * a forked OpenSSL server with a certificate made here (good, unknown CA,
 * wrong name, wrong IP, expired, nothing listening). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cmocka.h>

#include "sec/tls.h"

static void test_fail_names(void **state)
{
	(void)state;
	assert_string_equal(sec_tls_fail_name(SEC_TLS_OK), "ok");
	assert_string_equal(sec_tls_fail_name(SEC_TLS_UNKNOWN_CA), "unknown-ca");
	assert_string_equal(sec_tls_fail_name(SEC_TLS_WRONG_NAME), "wrong-name");
	assert_string_equal(sec_tls_fail_name(SEC_TLS_EXPIRED), "expired");
	assert_string_equal(sec_tls_fail_name(SEC_TLS_NOT_YET_VALID), "not-yet-valid");
	assert_string_equal(sec_tls_fail_name(SEC_TLS_BAD_CERT), "bad-certificate");
	assert_string_equal(sec_tls_fail_name(SEC_TLS_HANDSHAKE), "handshake");
	assert_string_equal(sec_tls_fail_name(SEC_TLS_CONNECT), "connect");
	assert_string_equal(sec_tls_fail_name(SEC_TLS_CONFIG), "config");
	assert_string_equal(sec_tls_fail_name((enum sec_tls_fail)99), "unknown");
}

static void test_classify(void **state)
{
	(void)state;
	assert_int_equal(sec_tls_classify_verify(X509_V_OK), SEC_TLS_OK);
	assert_int_equal(sec_tls_classify_verify(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY),
			 SEC_TLS_UNKNOWN_CA);
	assert_int_equal(sec_tls_classify_verify(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT),
			 SEC_TLS_UNKNOWN_CA);
	assert_int_equal(sec_tls_classify_verify(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN),
			 SEC_TLS_UNKNOWN_CA);
	assert_int_equal(sec_tls_classify_verify(X509_V_ERR_HOSTNAME_MISMATCH),
			 SEC_TLS_WRONG_NAME);
	assert_int_equal(sec_tls_classify_verify(X509_V_ERR_IP_ADDRESS_MISMATCH),
			 SEC_TLS_WRONG_NAME);
	assert_int_equal(sec_tls_classify_verify(X509_V_ERR_CERT_HAS_EXPIRED), SEC_TLS_EXPIRED);
	assert_int_equal(sec_tls_classify_verify(X509_V_ERR_CERT_NOT_YET_VALID),
			 SEC_TLS_NOT_YET_VALID);
	assert_int_equal(sec_tls_classify_verify(X509_V_ERR_CERT_REVOKED), SEC_TLS_BAD_CERT);
	assert_int_equal(sec_tls_classify_verify(X509_V_ERR_CERT_SIGNATURE_FAILURE),
			 SEC_TLS_BAD_CERT);
}

static void test_ca_bundle(void **state)
{
	struct sec_tls_policy p = {.ca_file = "/etc/x/ca.pem"};
	struct sec_tls_policy none = {0};

	(void)state;
	assert_string_equal(sec_tls_ca_bundle(&p), "/etc/x/ca.pem");
	assert_non_null(sec_tls_ca_bundle(&none));
	assert_true(strlen(sec_tls_ca_bundle(&none)) > 0);
	assert_non_null(sec_tls_ca_bundle(NULL));
}

static void test_ctx_policy(void **state)
{
	struct sec_tls_policy p = {0};
	char err[300] = "";
	SSL_CTX *ctx;

	(void)state;
	ctx = sec_tls_client_ctx_new(&p, err, sizeof(err));
	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
	assert_int_equal(SSL_CTX_get_verify_mode(ctx) & SSL_VERIFY_PEER, SSL_VERIFY_PEER);
	assert_int_equal(SSL_CTX_get_verify_depth(ctx), SEC_TLS_DEFAULT_DEPTH);
	SSL_CTX_free(ctx);

	p.ca_file = "/nonexistent/imsue-ca.pem";
	p.verify_depth = 3;
	ctx = sec_tls_client_ctx_new(&p, err, sizeof(err));
	assert_null(ctx);
	assert_non_null(strstr(err, "/nonexistent/imsue-ca.pem"));
	assert_null(strchr(err, '\n'));

	/* The same policy applied to a context made elsewhere (libcurl). */
	ctx = SSL_CTX_new(TLS_client_method());
	p.ca_file = NULL;
	assert_int_equal(sec_tls_ctx_apply(ctx, &p, err, sizeof(err)), 0);
	assert_int_equal(SSL_CTX_get_verify_depth(ctx), 3);
	assert_int_equal(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
	SSL_CTX_free(ctx);
}

static void test_peer_name(void **state)
{
	struct sec_tls_policy p = {0};
	char err[200] = "";
	SSL_CTX *ctx = sec_tls_client_ctx_new(&p, err, sizeof(err));
	SSL *ssl;

	(void)state;
	assert_non_null(ctx);
	ssl = SSL_new(ctx);
	assert_int_equal(sec_tls_set_peer_name(ssl, "pcscf.example.net", err, sizeof(err)), 0);
	assert_string_equal(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name),
			    "pcscf.example.net");
	SSL_free(ssl);
	ssl = SSL_new(ctx);
	assert_int_equal(sec_tls_set_peer_name(ssl, "192.0.2.1", err, sizeof(err)), 0);
	assert_null(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)); /* no SNI for IPs */
	assert_int_equal(sec_tls_set_peer_name(ssl, "2001:db8::1", err, sizeof(err)), 0);
	assert_int_equal(sec_tls_set_peer_name(ssl, "", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no host name"));
	assert_int_equal(sec_tls_set_peer_name(ssl, NULL, err, sizeof(err)), -1);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
}

static void test_names_join(void **state)
{
	const char *in[] = {"B.example", "a.example", "b.example", "sip:x@y"};
	char out[64];

	(void)state;
	assert_int_equal(sec_tls_names_join(in, 4, out, sizeof(out)), 0);
	assert_string_equal(out, "a.example,b.example,sip:x@y");
	assert_int_equal(sec_tls_names_join(in, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(sec_tls_names_join(in, 4, out, 10), -1);
	assert_string_equal(out, "");
}

static void test_describe(void **state)
{
	struct sec_tls_policy p = {.ca_file = "/etc/imsue/ca.pem"};
	char out[400];

	(void)state;
	sec_tls_fail_describe(SEC_TLS_UNKNOWN_CA, "pcscf.example", 5061, &p, "why", out,
			      sizeof(out));
	assert_string_equal(out, "TLS to pcscf.example:5061 (unknown-ca): certificate not issued "
				 "by a trusted CA (trusted: /etc/imsue/ca.pem; why)");
	sec_tls_fail_describe(SEC_TLS_WRONG_NAME, "2001:db8::1", 5061, &p, NULL, out, sizeof(out));
	assert_string_equal(out, "TLS to [2001:db8::1]:5061 (wrong-name): certificate is not for "
				 "2001:db8::1");
	sec_tls_fail_describe(SEC_TLS_EXPIRED, "h", 1, &p, "x", out, sizeof(out));
	assert_string_equal(out, "TLS to h:1 (expired): certificate has expired (x)");
	sec_tls_fail_describe(SEC_TLS_CONNECT, "h", 1, &p, "", out, sizeof(out));
	assert_string_equal(out, "TLS to h:1 (connect): cannot connect");
	sec_tls_fail_describe(SEC_TLS_HANDSHAKE, "h", 1, &p, "y", out, 20);
	assert_int_equal(strlen(out), 19);
}

/* ------------------------------------------------------------------ */
/* Probe against a forked server                                       */

struct cert {
	EVP_PKEY *key;
	X509 *x;
};

/* A self-signed certificate (its own trust anchor) with the given SAN,
 * valid from now + from_s to now + to_s. */
static struct cert make_cert(const char *cn, const char *san, long from_s, long to_s)
{
	struct cert c;
	X509_NAME *name;
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	c.key = EVP_EC_gen("P-256");
	assert_non_null(c.key);
	c.x = X509_new();
	X509_set_version(c.x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c.x), 1234);
	X509_gmtime_adj(X509_getm_notBefore(c.x), from_s);
	X509_gmtime_adj(X509_getm_notAfter(c.x), to_s);
	X509_set_pubkey(c.x, c.key);
	name = X509_get_subject_name(c.x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(c.x, name);
	X509V3_set_ctx(&v3, c.x, c.x, NULL, NULL, 0);
	if (san) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
		assert_non_null(ext);
		X509_add_ext(c.x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
	X509_add_ext(c.x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(c.x, c.key, EVP_sha256()) > 0);
	return c;
}

static void cert_free(struct cert *c)
{
	X509_free(c->x);
	EVP_PKEY_free(c->key);
}

static void write_pem(const char *path, X509 *x)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	PEM_write_X509(f, x);
	fclose(f);
}

/* Fork a server on 127.0.0.1 answering one TLS handshake with c. */
static pid_t serve_once(struct cert *c, uint16_t *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 4), 0);
	getsockname(l, (struct sockaddr *)&sa, &sl);
	*port = ntohs(sa.sin_port);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
		int fd = accept(l, NULL, NULL);
		SSL *ssl;

		SSL_CTX_use_certificate(ctx, c->x);
		SSL_CTX_use_PrivateKey(ctx, c->key);
		ssl = SSL_new(ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) == 1)
			SSL_shutdown(ssl);
		_exit(0);
	}
	close(l);
	return pid;
}

static enum sec_tls_fail probe(struct cert *c, const char *trust_pem, const char *host,
			       char *names, size_t nlen, char *err, size_t errlen)
{
	struct sec_tls_policy p = {.ca_file = trust_pem};
	uint16_t port;
	pid_t pid = serve_once(c, &port);
	enum sec_tls_fail f =
		sec_tls_probe_names(&p, host, "127.0.0.1", port, 3000, names, nlen, err, errlen);

	waitpid(pid, NULL, 0);
	return f;
}

static void test_probe(void **state)
{
	char dir[] = "/tmp/imsue-test-tls-XXXXXX", good_pem[64], other_pem[64], err[400],
	     names[256];
	struct cert good = make_cert("pcscf.example", "DNS:pcscf.example,IP:127.0.0.1", 0, 3600);
	struct cert other = make_cert("pcscf.example", "DNS:pcscf.example,IP:127.0.0.1", 0, 3600);
	struct cert old = make_cert("pcscf.example", "DNS:pcscf.example,IP:127.0.0.1", -7200,
				    -3600);
	struct cert cn_only = make_cert("127.0.0.1", NULL, 0, 3600);
	struct cert wild = make_cert("x", "DNS:*.ims.example,DNS:p*.ims.example", 0, 3600);
	struct cert pwild = make_cert("x", "DNS:p*.ims.example", 0, 3600);

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(good_pem, sizeof(good_pem), "%s/good.pem", dir);
	snprintf(other_pem, sizeof(other_pem), "%s/other.pem", dir);
	write_pem(good_pem, good.x);
	write_pem(other_pem, other.x);

	assert_int_equal(probe(&good, good_pem, "127.0.0.1", names, sizeof(names), err,
			       sizeof(err)),
			 SEC_TLS_OK);
	assert_string_equal(names, "pcscf.example");
	assert_non_null(strstr(err, "(ok)"));
	assert_int_equal(probe(&good, good_pem, "pcscf.example", NULL, 0, err, sizeof(err)),
			 SEC_TLS_OK);
	assert_int_equal(probe(&good, good_pem, "PCSCF.Example", NULL, 0, err, sizeof(err)),
			 SEC_TLS_OK);
	assert_int_equal(probe(&good, other_pem, "127.0.0.1", names, sizeof(names), err,
			       sizeof(err)),
			 SEC_TLS_UNKNOWN_CA);
	assert_string_equal(names, "");
	assert_non_null(strstr(err, other_pem));
	assert_int_equal(probe(&good, good_pem, "other.example", NULL, 0, err, sizeof(err)),
			 SEC_TLS_WRONG_NAME);
	assert_non_null(strstr(err, "certificate is not for other.example"));
	assert_int_equal(probe(&good, good_pem, "::1", NULL, 0, err, sizeof(err)),
			 SEC_TLS_WRONG_NAME);

	write_pem(good_pem, old.x);
	assert_int_equal(probe(&old, good_pem, "127.0.0.1", NULL, 0, err, sizeof(err)),
			 SEC_TLS_EXPIRED);
	/* An IP address in the CN only does not name the host (RFC 6125). */
	write_pem(good_pem, cn_only.x);
	assert_int_equal(probe(&cn_only, good_pem, "127.0.0.1", NULL, 0, err, sizeof(err)),
			 SEC_TLS_WRONG_NAME);
	/* Wildcards: a whole left-most label only. */
	write_pem(good_pem, wild.x);
	assert_int_equal(probe(&wild, good_pem, "a.ims.example", names, sizeof(names), err,
			       sizeof(err)),
			 SEC_TLS_OK);
	assert_string_equal(names, "*.ims.example,p*.ims.example,x");
	assert_int_equal(probe(&wild, good_pem, "a.b.ims.example", NULL, 0, err, sizeof(err)),
			 SEC_TLS_WRONG_NAME);
	/* No partial wildcards: p*.ims.example does not name pq.ims.example... */
	write_pem(good_pem, pwild.x);
	assert_int_equal(probe(&pwild, good_pem, "pq.ims.example", NULL, 0, err, sizeof(err)),
			 SEC_TLS_WRONG_NAME);

	unlink(good_pem);
	unlink(other_pem);
	rmdir(dir);
	cert_free(&good);
	cert_free(&other);
	cert_free(&old);
	cert_free(&cn_only);
	cert_free(&wild);
	cert_free(&pwild);
}

static void test_probe_connect(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sec_tls_policy p = {0};
	char err[300];

	(void)state;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(s, (struct sockaddr *)&sa, &sl);
	close(s); /* nothing listens there now */
	assert_int_equal(sec_tls_probe(&p, "127.0.0.1", NULL, ntohs(sa.sin_port), 1000, err,
				       sizeof(err)),
			 SEC_TLS_CONNECT);
	assert_non_null(strstr(err, "(connect)"));
	p.ca_file = "/nonexistent/ca.pem";
	assert_int_equal(sec_tls_probe(&p, "127.0.0.1", NULL, 1, 1000, err, sizeof(err)),
			 SEC_TLS_CONFIG);
	assert_non_null(strstr(err, "/nonexistent/ca.pem"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_names), cmocka_unit_test(test_classify),
		cmocka_unit_test(test_ca_bundle),  cmocka_unit_test(test_ctx_policy),
		cmocka_unit_test(test_peer_name),  cmocka_unit_test(test_names_join),
		cmocka_unit_test(test_describe),   cmocka_unit_test(test_probe),
		cmocka_unit_test(test_probe_connect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
