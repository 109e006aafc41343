#ifndef IMSUE_SEC_VERSION_H
#define IMSUE_SEC_VERSION_H
/* The package version string, e.g. "0.1.0". */
const char *imsue_version(void);
#endif
