/* libFuzzer target: SMS-DELIVER decoding, the RCC.14 trigger match and the
 * hex reader.
 * FUZZ-SOURCES: provisioning/sms.c
 * FUZZ-PKGS:
 */
#include "config.h"

#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "provisioning/sms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prov_sms sms;
	char err[160];

	if (prov_sms_decode(data, size, &sms, err, sizeof(err)) == 0) {
		if (sms.text_len != strlen(sms.text) || sms.data_len > sizeof(sms.data))
			__builtin_trap();
		static const struct prov_sms_match m[] = {
			{ 0, "214011001388741", "214011001388741@ims.mnc001.mcc214.3gppnetwork.org" },
			{ 37273, NULL, "u@x" },
			{ 16500, "1", NULL },
		};
		char reason[160];
		for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
			prov_sms_trigger_match(&sms, &m[i], reason, sizeof(reason));
		/* The decoded text as an identity of its own. */
		struct prov_sms_match self = { .imsi = sms.text, .impi = sms.text };
		prov_sms_trigger_match(&sms, &self, reason, sizeof(reason));
	} else if (!err[0]) {
		__builtin_trap();
	}
	uint8_t bytes[PROV_SMS_TPDU_MAX];
	size_t n;
	prov_sms_from_hex((const char *)data, size, bytes, sizeof(bytes), &n, err, sizeof(err));
	return 0;
}
