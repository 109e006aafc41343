/* libFuzzer target: the RCC.14 configuration document parser, the IMS
 * validation and the conversion to an IMS profile.
 * FUZZ-SOURCES: provisioning/provdoc.c provisioning/profile.c
 * FUZZ-PKGS: libxml-2.0 libcrypto
 */
#include "config.h"

#include <stdint.h>
#include <stddef.h>

#include "provisioning/profile.h"
#include "provisioning/provdoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prov_doc *doc = NULL;
	char err[256];

	if (prov_doc_parse(data, size, &doc, err, sizeof(err)) < 0) {
		if (doc || !err[0])
			__builtin_trap(); /* failure must leave no document and say why */
		return 0;
	}
	if (!doc)
		__builtin_trap();
	prov_doc_ims_validate(doc, err, sizeof(err));
	char msisdn[20];
	prov_ims_msisdn(&doc->ims, msisdn, sizeof(msisdn));
	struct ims_profile p;
	prov_profile_init(&p);
	prov_doc_to_profile(doc, &p, err, sizeof(err));
	prov_profile_clear(&p);
	prov_doc_free(doc);
	return 0;
}
