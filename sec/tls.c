/* TLS client policy (sec/tls.h, doc/tls.md). */

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sec/tls.h"

const char *sec_tls_fail_name(enum sec_tls_fail f)
{
	static const char *const names[] = {
		[SEC_TLS_OK] = "ok",
		[SEC_TLS_UNKNOWN_CA] = "unknown-ca",
		[SEC_TLS_WRONG_NAME] = "wrong-name",
		[SEC_TLS_EXPIRED] = "expired",
		[SEC_TLS_NOT_YET_VALID] = "not-yet-valid",
		[SEC_TLS_BAD_CERT] = "bad-certificate",
		[SEC_TLS_HANDSHAKE] = "handshake",
		[SEC_TLS_CONNECT] = "connect",
		[SEC_TLS_CONFIG] = "config",
	};

	if ((unsigned)f < sizeof(names) / sizeof(names[0]) && names[f])
		return names[f];
	return "unknown";
}

const char *sec_tls_ca_bundle(const struct sec_tls_policy *p)
{
	const char *env;

	if (p && p->ca_file && *p->ca_file)
		return p->ca_file;
	env = getenv(X509_get_default_cert_file_env());
	return env && *env ? env : X509_get_default_cert_file();
}

static void last_ssl_error(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	if (e)
		ERR_error_string_n(e, buf, len);
	else
		snprintf(buf, len, "no detail");
	ERR_clear_error();
}

int sec_tls_ctx_apply(SSL_CTX *ctx, const struct sec_tls_policy *p, char *err, size_t errlen)
{
	char why[200];
	unsigned depth = p && p->verify_depth ? p->verify_depth : SEC_TLS_DEFAULT_DEPTH;

	if (!SSL_CTX_set_min_proto_version(ctx, SEC_TLS_MIN_VERSION)) {
		last_ssl_error(why, sizeof(why));
		snprintf(err, errlen, "TLS: cannot require TLS 1.2 (%s)", why);
		return -1;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_verify_depth(ctx, (int)depth);
	if (p && p->ca_file && *p->ca_file) {
		if (!SSL_CTX_load_verify_locations(ctx, p->ca_file, NULL)) {
			last_ssl_error(why, sizeof(why));
			snprintf(err, errlen, "TLS: cannot load CA certificates from %s (%s)",
				 p->ca_file, why);
			return -1;
		}
	} else if (!SSL_CTX_set_default_verify_paths(ctx)) {
		last_ssl_error(why, sizeof(why));
		snprintf(err, errlen, "TLS: cannot load the system CA store %s (%s)",
			 sec_tls_ca_bundle(p), why);
		return -1;
	}
	return 0;
}

SSL_CTX *sec_tls_client_ctx_new(const struct sec_tls_policy *p, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx) {
		snprintf(err, errlen, "TLS: out of memory");
		return NULL;
	}
	if (sec_tls_ctx_apply(ctx, p, err, errlen) != 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static bool is_ip_literal(const char *host)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

int sec_tls_set_peer_name(SSL *ssl, const char *host, char *err, size_t errlen)
{
	X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);

	if (!host || !*host) {
		snprintf(err, errlen, "TLS: no host name to verify the certificate against");
		return -1;
	}
	if (is_ip_literal(host)) {
		if (!X509_VERIFY_PARAM_set1_ip_asc(vp, host)) {
			snprintf(err, errlen, "TLS: bad IP address %s", host);
			return -1;
		}
		return 0;
	}
	/* Wildcards only as a whole left-most label; never "f*.example". */
	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (!X509_VERIFY_PARAM_set1_host(vp, host, 0) || !SSL_set_tlsext_host_name(ssl, host)) {
		snprintf(err, errlen, "TLS: bad host name %s", host);
		return -1;
	}
	return 0;
}

enum sec_tls_fail sec_tls_classify_verify(long r)
{
	switch (r) {
	case X509_V_OK:
		return SEC_TLS_OK;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_CHAIN_TOO_LONG:
		return SEC_TLS_UNKNOWN_CA;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
	case X509_V_ERR_EMAIL_MISMATCH:
		return SEC_TLS_WRONG_NAME;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return SEC_TLS_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return SEC_TLS_NOT_YET_VALID;
	default:
		return SEC_TLS_BAD_CERT;
	}
}

char *sec_tls_fail_describe(enum sec_tls_fail f, const char *host, uint16_t port,
			    const struct sec_tls_policy *p, const char *detail, char *out,
			    size_t outlen)
{
	const char *what;
	char bracket[300];
	const char *d = detail && *detail ? detail : NULL;

	if (host && strchr(host, ':'))
		snprintf(bracket, sizeof(bracket), "[%s]", host);
	else
		snprintf(bracket, sizeof(bracket), "%s", host ? host : "?");
	switch (f) {
	case SEC_TLS_OK:
		what = "session verified";
		break;
	case SEC_TLS_UNKNOWN_CA:
		snprintf(out, outlen,
			 "TLS to %s:%u (%s): certificate not issued by a trusted CA "
			 "(trusted: %s%s%s)",
			 bracket, port, sec_tls_fail_name(f), sec_tls_ca_bundle(p), d ? "; " : "",
			 d ? d : "");
		return out;
	case SEC_TLS_WRONG_NAME:
		snprintf(out, outlen, "TLS to %s:%u (%s): certificate is not for %s%s%s%s", bracket,
			 port, sec_tls_fail_name(f), host ? host : "?", d ? " (" : "", d ? d : "",
			 d ? ")" : "");
		return out;
	case SEC_TLS_EXPIRED:
		what = "certificate has expired";
		break;
	case SEC_TLS_NOT_YET_VALID:
		what = "certificate is not valid yet (check the clock)";
		break;
	case SEC_TLS_BAD_CERT:
		what = "certificate rejected";
		break;
	case SEC_TLS_HANDSHAKE:
		what = "handshake failed";
		break;
	case SEC_TLS_CONNECT:
		what = "cannot connect";
		break;
	default:
		what = "cannot set up TLS";
		break;
	}
	snprintf(out, outlen, "TLS to %s:%u (%s): %s%s%s%s", bracket, port, sec_tls_fail_name(f),
		 what, d ? " (" : "", d ? d : "", d ? ")" : "");
	return out;
}

static long ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec) / 1000000;
}

static int wait_fd(int fd, short events, const struct timespec *end)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	long left = ms_left(end);
	int n;

	if (left <= 0)
		return 0;
	do
		n = poll(&pfd, 1, (int)left);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Non-blocking TCP connect to addr:port; -1 with detail on failure. */
static int tcp_connect(const char *addr, uint16_t port, const struct timespec *end, char *detail,
		       size_t dlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	char sport[8];
	int fd, rc, soerr = 0;
	socklen_t sl = sizeof(soerr);

	snprintf(sport, sizeof(sport), "%u", port);
	rc = getaddrinfo(addr, sport, &hints, &ai);
	if (rc != 0 || !ai) {
		snprintf(detail, dlen, "cannot resolve %s: %s", addr, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(detail, dlen, "socket: %s", strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (rc != 0 && errno != EINPROGRESS) {
		snprintf(detail, dlen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (rc != 0) {
		if (wait_fd(fd, POLLOUT, end) <= 0) {
			snprintf(detail, dlen, "timed out");
			close(fd);
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr) {
			snprintf(detail, dlen, "%s", strerror(soerr ? soerr : errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

#define SEC_TLS_MAX_NAMES 64

int sec_tls_names_join(const char *const *names, size_t n, char *out, size_t outlen)
{
	char *low[SEC_TLS_MAX_NAMES];
	size_t k = 0, used = 0;
	int rc = 0;

	if (!outlen)
		return -1;
	out[0] = '\0';
	for (size_t i = 0; i < n && k < SEC_TLS_MAX_NAMES; i++) {
		char *s = strdup(names[i] ? names[i] : "");

		if (!s) {
			rc = -1;
			goto out;
		}
		for (char *c = s; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		low[k++] = s;
	}
	if (n > SEC_TLS_MAX_NAMES)
		rc = -1;
	qsort(low, k, sizeof(low[0]), cmp_str);
	for (size_t i = 0; i < k; i++) {
		int w;

		if (i && !strcmp(low[i], low[i - 1]))
			continue;
		w = snprintf(out + used, outlen - used, "%s%s", used ? "," : "", low[i]);
		if (w < 0 || (size_t)w >= outlen - used) {
			rc = -1;
			break;
		}
		used += (size_t)w;
	}
out:
	for (size_t i = 0; i < k; i++)
		free(low[i]);
	if (rc != 0)
		out[0] = '\0';
	return rc;
}

int sec_tls_cert_names(X509 *cert, char *out, size_t outlen)
{
	const char *names[SEC_TLS_MAX_NAMES];
	char *owned[SEC_TLS_MAX_NAMES];
	size_t n = 0, n_owned = 0;
	GENERAL_NAMES *gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	char cn[256];
	int rc;

	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens) && n < SEC_TLS_MAX_NAMES - 1; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING *s;
		char *v;

		if (g->type == GEN_DNS)
			s = g->d.dNSName;
		else if (g->type == GEN_URI)
			s = g->d.uniformResourceIdentifier;
		else
			continue;
		v = strndup((const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
		if (!v)
			continue;
		owned[n_owned++] = v;
		names[n++] = v;
	}
	GENERAL_NAMES_free(gens);
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn,
				      sizeof(cn)) > 0)
		names[n++] = cn;
	rc = sec_tls_names_join(names, n, out, outlen);
	for (size_t i = 0; i < n_owned; i++)
		free(owned[i]);
	return rc;
}

enum sec_tls_fail sec_tls_probe(const struct sec_tls_policy *p, const char *host,
				const char *addr, uint16_t port, unsigned timeout_ms, char *err,
				size_t errlen)
{
	return sec_tls_probe_names(p, host, addr, port, timeout_ms, NULL, 0, err, errlen);
}

enum sec_tls_fail sec_tls_probe_names(const struct sec_tls_policy *p, const char *host,
				      const char *addr, uint16_t port, unsigned timeout_ms,
				      char *names, size_t nameslen, char *err, size_t errlen)
{
	struct timespec end;
	char detail[256] = "";
	enum sec_tls_fail f = SEC_TLS_OK;
	SSL_CTX *ctx;
	SSL *ssl = NULL;
	int fd = -1;

	if (names && nameslen)
		names[0] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	ctx = sec_tls_client_ctx_new(p, err, errlen);
	if (!ctx)
		return SEC_TLS_CONFIG;
	fd = tcp_connect(addr && *addr ? addr : host, port, &end, detail, sizeof(detail));
	if (fd < 0) {
		f = SEC_TLS_CONNECT;
		goto out;
	}
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, fd) ||
	    sec_tls_set_peer_name(ssl, host, detail, sizeof(detail)) != 0) {
		f = SEC_TLS_CONFIG;
		goto out;
	}
	for (;;) {
		int rc = SSL_connect(ssl), e;

		if (rc == 1)
			break;
		e = SSL_get_error(ssl, rc);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if (wait_fd(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, &end) <= 0) {
				snprintf(detail, sizeof(detail), "no handshake within %u ms",
					 timeout_ms);
				f = SEC_TLS_HANDSHAKE;
				goto out;
			}
			continue;
		}
		if (SSL_get_verify_result(ssl) != X509_V_OK) {
			long vr = SSL_get_verify_result(ssl);

			f = sec_tls_classify_verify(vr);
			snprintf(detail, sizeof(detail), "%s", X509_verify_cert_error_string(vr));
		} else {
			f = SEC_TLS_HANDSHAKE;
			if (e == SSL_ERROR_SYSCALL && !ERR_peek_error())
				snprintf(detail, sizeof(detail), "connection closed by the peer");
			else
				last_ssl_error(detail, sizeof(detail));
		}
		goto out;
	}
	/* Belt and braces: SSL_VERIFY_PEER already failed the handshake otherwise. */
	if (SSL_get_verify_result(ssl) != X509_V_OK || !SSL_get0_peer_certificate(ssl)) {
		f = SEC_TLS_BAD_CERT;
		snprintf(detail, sizeof(detail), "no verified certificate");
		goto out;
	}
	if (names && nameslen &&
	    sec_tls_cert_names(SSL_get0_peer_certificate(ssl), names, nameslen) != 0) {
		f = SEC_TLS_BAD_CERT;
		snprintf(detail, sizeof(detail), "too many names in the certificate");
		goto out;
	}
	snprintf(detail, sizeof(detail), "%s, %s", SSL_get_version(ssl),
		 SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)));
	SSL_shutdown(ssl);
out:
	sec_tls_fail_describe(f, host, port, p, detail, err, errlen);
	ERR_clear_error();
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	return f;
}
