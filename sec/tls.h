/* TLS client policy of imsue (doc/tls.md): one place that says which CAs are
 * trusted, which protocol versions are acceptable and how the peer's name is
 * checked. The SIP transport (ue/sip_glue.c, TLS towards the P-CSCF,
 * TS 24.229 5.1.1.4.4 / TS 33.203 Annex H) and the autoconfiguration HTTPS
 * client (provisioning/, libcurl with the OpenSSL backend) both use it.
 * OpenSSL and libc only.
 */
#ifndef IMSUE_SEC_TLS_H
#define IMSUE_SEC_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

/* The policy. Certificate verification is always on; there is no switch
 * to turn it off. */
struct sec_tls_policy {
	const char *ca_file;   /* PEM bundle; NULL or "" = the system store */
	unsigned verify_depth; /* 0 = SEC_TLS_DEFAULT_DEPTH */
};

#define SEC_TLS_DEFAULT_DEPTH 8
#define SEC_TLS_MIN_VERSION   TLS1_2_VERSION

/* Why a TLS session could not be set up, as a user can act on it. */
enum sec_tls_fail {
	SEC_TLS_OK = 0,
	SEC_TLS_UNKNOWN_CA,   /* chain does not end in a trusted CA (or self-signed) */
	SEC_TLS_WRONG_NAME,   /* certificate does not name the host we dialled */
	SEC_TLS_EXPIRED,      /* a certificate of the chain has expired */
	SEC_TLS_NOT_YET_VALID,/* a certificate of the chain is not valid yet */
	SEC_TLS_BAD_CERT,     /* any other verification failure (revoked, bad signature...) */
	SEC_TLS_HANDSHAKE,    /* protocol failure: version, cipher, alert, closed */
	SEC_TLS_CONNECT,      /* TCP connection refused, unreachable, timeout */
	SEC_TLS_CONFIG,       /* the CA file cannot be read, out of memory */
};

/* Short stable name of a failure kind: "ok", "unknown-ca", "wrong-name",
 * "expired", "not-yet-valid", "bad-certificate", "handshake", "connect",
 * "config" (event reasons and tests rely on these). */
const char *sec_tls_fail_name(enum sec_tls_fail f);

/* The CA bundle the policy stands for: ca_file, or OpenSSL's default
 * certificate file (X509_get_default_cert_file(), honouring SSL_CERT_FILE),
 * e.g. /usr/lib/ssl/cert.pem. For libcurl: CURLOPT_CAINFO. */
const char *sec_tls_ca_bundle(const struct sec_tls_policy *p);

/* Apply the policy to an existing client context: TLS 1.2 minimum,
 * SSL_VERIFY_PEER, verify depth, the trusted CAs (the configured file, or
 * the system store), X509_V_FLAG_X509_STRICT off, partial chains refused.
 * This is also the CURLOPT_SSL_CTX_FUNCTION body for libcurl. 0, or -1 with
 * a one-line reason naming the file. */
int sec_tls_ctx_apply(SSL_CTX *ctx, const struct sec_tls_policy *p, char *err, size_t errlen);

/* A new client context with the policy applied; NULL with a reason. */
SSL_CTX *sec_tls_client_ctx_new(const struct sec_tls_policy *p, char *err, size_t errlen);

/* Bind a connection to the name it must present (RFC 6125 / RFC 5922
 * 7.2): host is a DNS name (subjectAltName dNSName, wildcard only as the
 * whole left-most label, no partial wildcards; CN only when there is no
 * dNSName) or an IPv4/IPv6 literal (subjectAltName iPAddress only). DNS
 * names are also sent as SNI. 0, or -1 with a reason. */
int sec_tls_set_peer_name(SSL *ssl, const char *host, char *err, size_t errlen);

/* Classify an X509_V_ERR_* verification result. */
enum sec_tls_fail sec_tls_classify_verify(long verify_result);

/* One-line, user-actionable description of a failure towards host:port,
 * e.g. "TLS to pcscf.example.net:5061: certificate not issued by a trusted
 * CA (trusted: /etc/imsue/ca.pem; unable to get local issuer certificate)".
 * detail may be NULL. Returns out. */
char *sec_tls_fail_describe(enum sec_tls_fail f, const char *host, uint16_t port,
			    const struct sec_tls_policy *p, const char *detail, char *out,
			    size_t outlen);

/* The names a certificate carries as the SIP stack (Sofia-SIP tport) lists
 * them: subjectAltName dNSName and URI entries and the subject CN (no
 * iPAddress entries), lower-cased, sorted, duplicates removed, joined with
 * ",". Used to check that the session the SIP stack set up presents the
 * certificate the probe verified. 0, or -1 if out is too small. */
int sec_tls_cert_names(X509 *cert, char *out, size_t outlen);

/* The same normal form for a list of n names (any case, any order). */
int sec_tls_names_join(const char *const *names, size_t n, char *out, size_t outlen);

/* Set up a TLS session to addr:port (a numeric IPv4/IPv6 address, or a
 * name to resolve) verifying that it presents a certificate for host under
 * the policy, then close it. Blocking, at most timeout_ms for connect and
 * handshake together. Returns the failure kind; err gets the
 * sec_tls_fail_describe() line (also for SEC_TLS_OK: the protocol version
 * and cipher). */
enum sec_tls_fail sec_tls_probe(const struct sec_tls_policy *p, const char *host,
				const char *addr, uint16_t port, unsigned timeout_ms, char *err,
				size_t errlen);
/* The same, also giving the verified certificate's sec_tls_cert_names()
 * (names may be NULL). */
enum sec_tls_fail sec_tls_probe_names(const struct sec_tls_policy *p, const char *host,
				      const char *addr, uint16_t port, unsigned timeout_ms,
				      char *names, size_t nameslen, char *err, size_t errlen);

#endif
