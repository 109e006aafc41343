/* Library identification: the one symbol every layer's users can ask for. */
#include "config.h"
#include "sec/version.h"

const char *imsue_version(void)
{
	return PACKAGE_VERSION;
}
