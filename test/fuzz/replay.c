/* Replay driver for the libFuzzer targets, built with the ordinary compiler
 * (and sanitizers in CI): runs LLVMFuzzerTestOneInput over every file given
 * (files or directories), then over a bounded number of deterministic
 * mutations of each, so that `make check` exercises every parser's error
 * paths even where clang is absent.
 *
 * usage: fuzz_X [-n MUTATIONS] PATH...
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long n_inputs;
static unsigned long mutations = 200;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next_rand(void)
{
	/* xorshift64*: deterministic, so a failure replays. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static void run_one(const uint8_t *data, size_t size)
{
	/* Exact-size heap copy so ASan sees overreads. */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	if (size)
		memcpy(copy, data, size);
	LLVMFuzzerTestOneInput(copy, size);
	free(copy);
	n_inputs++;
}

static void mutate_and_run(const uint8_t *seed, size_t size)
{
	size_t cap = size + 64;
	uint8_t *buf = malloc(cap);
	if (!buf)
		abort();
	for (unsigned long m = 0; m < mutations; m++) {
		size_t n = size;
		memcpy(buf, seed, size);
		unsigned edits = 1 + next_rand() % 4;
		for (unsigned e = 0; e < edits; e++) {
			uint32_t r = next_rand();
			switch (r % 5) {
			case 0: /* flip a byte */
				if (n)
					buf[next_rand() % n] ^= (uint8_t)(1u << (r >> 8) % 8);
				break;
			case 1: /* truncate */
				if (n)
					n = next_rand() % n;
				break;
			case 2: /* interesting byte */
				if (n) {
					static const uint8_t interesting[] = { 0, '"', '\\', ',', '=', '<',
									       '>', '&', ';', 0xff, ' ', '\n' };
					buf[next_rand() % n] = interesting[next_rand() % sizeof(interesting)];
				}
				break;
			case 3: /* insert a byte */
				if (n < cap) {
					size_t at = n ? next_rand() % (n + 1) : 0;
					memmove(buf + at + 1, buf + at, n - at);
					buf[at] = (uint8_t)next_rand();
					n++;
				}
				break;
			default: /* delete a byte */
				if (n) {
					size_t at = next_rand() % n;
					memmove(buf + at, buf + at + 1, n - at - 1);
					n--;
				}
				break;
			}
		}
		run_one(buf, n);
	}
	free(buf);
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	uint8_t *data = NULL;
	size_t size = 0, cap = 0;
	for (;;) {
		if (size == cap) {
			cap = cap ? cap * 2 : 4096;
			uint8_t *p = realloc(data, cap);
			if (!p)
				abort();
			data = p;
		}
		size_t r = fread(data + size, 1, cap - size, f);
		if (!r)
			break;
		size += r;
	}
	fclose(f);
	run_one(data, size);
	mutate_and_run(data, size);
	free(data);
	return 0;
}

static int run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: cannot stat %s\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return -1;
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			char sub[4096];
			snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
			if (run_path(sub) < 0)
				rc = -1;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int i = 1, rc = 0;
	if (argc > 2 && !strcmp(argv[1], "-n")) {
		mutations = strtoul(argv[2], NULL, 10);
		i = 3;
	}
	/* The empty input always runs. */
	run_one((const uint8_t *)"", 0);
	for (; i < argc; i++)
		if (run_path(argv[i]) < 0)
			rc = 1;
	printf("replay: %lu inputs\n", n_inputs);
	return rc;
}
