/* The UE configuration file (INI; see doc/imsued.conf.5 and DESIGN.md).
 * Loading validates everything: unknown keys, bad values and missing
 * required ones are one-line errors naming the key and line. */
#ifndef IMSUE_UE_UE_CONFIG_H
#define IMSUE_UE_UE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UE_CFG_MAX_IMPU 8
#define UE_CFG_MAX_PCSCF 4

enum ue_transport { UE_TP_UDP = 0, UE_TP_TCP, UE_TP_TLS };
enum ue_security { UE_SEC_NONE = 0, UE_SEC_IPSEC, UE_SEC_TLS };
enum ue_auth { UE_AUTH_AKA = 0, UE_AUTH_DIGEST };

struct ue_pcscf {
	enum ue_transport tp;
	char host[256];
	uint16_t port;           /* 0: default for the transport */
};

struct ue_config {
	char path[4096];         /* the file it came from */

	/* [identity] */
	char imsi[16];
	char imei[16];
	char msisdn[32];
	char impi[256];
	char impu[UE_CFG_MAX_IMPU][256];
	int n_impu;
	char home_domain[256];

	/* [credentials] */
	bool have_k, have_op, have_opc;
	uint8_t k[16], op[16], opc[16];
	uint8_t amf[2];
	char sqn_file[4096];
	char password[256];
	size_t password_len;

	/* [network] */
	struct ue_pcscf pcscf[UE_CFG_MAX_PCSCF];
	int n_pcscf;
	char local_ip[64];
	uint16_t port;           /* unprotected port; 0 = any free */
	enum ue_security security;
	enum ue_auth auth;
	char ipsec_alg[32];      /* "hmac-sha-1-96" (default) | "hmac-md5-96" */
	char ipsec_ealg[32];     /* "null" (default) | "aes-cbc" */
	uint16_t port_c, port_s;
	unsigned long expires;   /* seconds, default 600000 */
	unsigned long reg_await_auth_ms;
	unsigned long t1_ms;     /* default 500 */
	unsigned long timer_f_ms;/* default 64 * t1 */
	char icsi[512];          /* ICSI URNs for g.3gpp.icsi-ref in Contact, comma-separated */
	char pani[256];          /* P-Access-Network-Info, sent on protected requests only */
	char ca_file[4096];
	uint16_t tls_port;       /* P-CSCF protected TLS port (security = tls); default 5061 */

	/* [autoconf] */
	bool autoconf_enabled;
	char autoconf_server[1024];
	char autoconf_ca_file[4096];
	char autoconf_store[4096];
	uint16_t sms_port;
	char terminal_vendor[64];
	char terminal_model[64];
	char terminal_sw_version[64];
	char accept_language[64];

	/* [ctl] */
	char ctl_socket[108];

	/* [debug] */
	char pcap[4096];
	bool log_keys;
};

/* Fill defaults (expires 600000, t1 500, ...). */
void ue_config_defaults(struct ue_config *cfg);
/* Parse and validate a file. 0, or -1 with "FILE:LINE: key 'x': reason". */
int ue_config_load(const char *path, struct ue_config *cfg, char *err, size_t errlen);
/* The same from a string (tests and fuzzers); name is used in messages. */
int ue_config_parse(const char *text, const char *name, struct ue_config *cfg, char *err,
		    size_t errlen);
/* Wipe secrets (K, OP, OPc, password). */
void ue_config_wipe(struct ue_config *cfg);

#endif
