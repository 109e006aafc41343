/* imsue provdoc FILE [--all] [--show-secrets]: print an RCC.14 configuration
 * document as key=value lines (the key list is in doc/autoconf.md). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "provisioning/provdoc.h"
#include "tools/imsue_cmds.h"

/* Values are printed on one line: backslash, control characters and DEL
 * are escaped (\\, \n, \r, \t, \xNN); UTF-8 passes through. */
static void put_value(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		switch (*p) {
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				printf("\\x%02x", *p);
			else
				putchar(*p);
		}
	}
}

static void kv(const char *key, const char *value)
{
	fputs(key, stdout);
	putchar('=');
	put_value(value ? value : "");
	putchar('\n');
}

static void kv_num(const char *key, const struct prov_num *n)
{
	if (n->present)
		printf("%s=%u\n", key, n->value);
}

/* Read at most PROV_DOC_MAX_SIZE + 1 bytes, so that a bigger file is
 * reported by the parser as too big without reading all of it. */
static int read_file(const char *path, uint8_t **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t cap = PROV_DOC_MAX_SIZE + 1, n = 0;
	uint8_t *buf = malloc(cap);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return -1;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = n;
	return 0;
}

static void print_doc(const struct prov_doc *doc, bool all, bool secrets)
{
	const struct prov_ims *ims = &doc->ims;

	kv("kind", prov_doc_kind_name(doc->kind));
	if (doc->has_vers) {
		printf("vers.version=%d\n", (int)doc->version);
		printf("vers.validity=%d\n", (int)doc->validity);
	}
	if (doc->has_token) {
		kv("token", doc->token);
		if (doc->has_token_validity)
			printf("token.validity=%d\n", (int)doc->token_validity);
	}
	if (doc->has_msg) {
		kv("msg.title", doc->msg_title);
		kv("msg.message", doc->msg_message);
		printf("msg.accept_btn=%d\n", doc->msg_accept_btn);
		printf("msg.reject_btn=%d\n", doc->msg_reject_btn);
	}
	if (doc->has_sms_port)
		printf("policy.sms_port=%u\n", doc->sms_port);
	if (ims->present) {
		if (ims->impi)
			kv("ims.impi", ims->impi);
		for (size_t i = 0; i < ims->n_impu; i++)
			kv("ims.impu", ims->impu[i]);
		if (ims->home_domain)
			kv("ims.home_domain", ims->home_domain);
		for (size_t i = 0; i < ims->n_pcscf; i++) {
			fputs("ims.pcscf=", stdout);
			put_value(ims->pcscf[i].address);
			putchar(' ');
			if (ims->pcscf[i].type == PROV_PCSCF_UNKNOWN)
				put_value(ims->pcscf[i].type_str);
			else
				fputs(prov_pcscf_type_name(ims->pcscf[i].type), stdout);
			putchar('\n');
		}
		kv_num("ims.timer_t1", &ims->timer_t1);
		kv_num("ims.timer_t2", &ims->timer_t2);
		kv_num("ims.timer_t4", &ims->timer_t4);
		kv_num("ims.reg_retry_base_time", &ims->reg_retry_base_time);
		kv_num("ims.reg_retry_max_time", &ims->reg_retry_max_time);
		if (ims->auth_type_str)
			kv("ims.appauth.auth_type", ims->auth_type_str);
		if (ims->realm)
			kv("ims.appauth.realm", ims->realm);
		if (ims->username)
			kv("ims.appauth.username", ims->username);
		if (ims->userpwd)
			kv("ims.appauth.userpwd", secrets ? ims->userpwd : "<redacted>");
		char msisdn[32];
		if (prov_ims_msisdn(ims, msisdn, sizeof(msisdn)) == 0)
			kv("ims.msisdn", msisdn);
	}
	if (all) {
		for (size_t i = 0; i < doc->n_other; i++) {
			const struct prov_parm *p = &doc->other[i];
			fputs("parm.", stdout);
			put_value(p->path);
			if (p->path[0])
				putchar('/');
			put_value(p->name);
			putchar('=');
			put_value(p->value);
			putchar('\n');
		}
	}
}

int imsue_cmd_provdoc(int argc, char **argv)
{
	const char *file = NULL;
	bool all = false, secrets = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all")) {
			all = true;
		} else if (!strcmp(argv[i], "--show-secrets")) {
			secrets = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "imsue: provdoc: unknown option '%s'\n", argv[i]);
			return 2;
		} else if (file) {
			fprintf(stderr, "imsue: provdoc: more than one FILE\n");
			return 2;
		} else {
			file = argv[i];
		}
	}
	if (!file) {
		fprintf(stderr, "imsue: provdoc: missing FILE (usage: imsue provdoc FILE [--all] "
				"[--show-secrets])\n");
		return 2;
	}
	uint8_t *data;
	size_t len;
	if (read_file(strcmp(file, "-") ? file : "/dev/stdin", &data, &len) < 0) {
		fprintf(stderr, "imsue: provdoc: %s: %s\n", file, strerror(errno));
		return 2;
	}
	struct prov_doc *doc;
	char err[256];
	int rc = prov_doc_parse(data, len, &doc, err, sizeof(err));
	OPENSSL_cleanse(data, len);
	free(data);
	if (rc < 0) {
		fprintf(stderr, "imsue: provdoc: %s: %s\n", file, err);
		return 2;
	}
	print_doc(doc, all, secrets);
	rc = 0;
	if (doc->kind == PROV_DOC_FULL && prov_doc_ims_validate(doc, err, sizeof(err)) < 0) {
		fprintf(stderr, "imsue: provdoc: %s: not usable for IMS: %s\n", file, err);
		rc = 1;
	}
	prov_doc_free(doc);
	fflush(stdout);
	return rc;
}
