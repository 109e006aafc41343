/* sec-agree internals shared with the unit tests only: the SPI and port
 * choice with a caller-supplied random source, so tests can force draws
 * that collide with the avoid list. */
#ifndef IMSUE_SEC_SECAGREE_PRIV_H
#define IMSUE_SEC_SECAGREE_PRIV_H

#include <stddef.h>
#include <stdint.h>

/* Fill buf with len random bytes; 0 on success, -1 on failure. */
typedef int (*sec_agree_rand_fn)(void *ctx, uint8_t *buf, size_t len);

/* Random draws before sec_agree_fresh_spis_rng() gives up on a caller whose
 * avoid list keeps matching. */
#define SEC_AGREE_SPI_TRIES 1000

/* sec_agree_fresh_spis() with rnd instead of RAND_bytes. */
int sec_agree_fresh_spis_rng(uint32_t *spi_c, uint32_t *spi_s, const uint32_t *avoid,
			     size_t n_avoid, sec_agree_rand_fn rnd, void *ctx);

/* sec_agree_fresh_port() with rnd instead of RAND_bytes. */
int sec_agree_fresh_port_rng(uint16_t *port, uint16_t lo, uint16_t hi, const uint16_t *avoid,
			     size_t n_avoid, sec_agree_rand_fn rnd, void *ctx);

#endif
