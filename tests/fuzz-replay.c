/*
 * fuzz-replay.c - runs a fuzz harness (tests/fuzz-*.c) over every file of
 * its committed corpus, without libFuzzer: this is how `make check` keeps
 * the harnesses building and the corpus passing where clang is missing.
 * A file the harness rejects aborts (the harness checks its properties),
 * so the test fails naming the file.  With arguments, it runs those files
 * instead (to replay a crash the fuzzer saved).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		perror(path);
		return 1;
	}
	do {
		if (len == cap) {
			uint8_t *p = realloc(buf, cap = cap * 2 + 4096);

			if (p == NULL) {
				free(buf);
				fclose(f);
				return 1;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	fprintf(stderr, "replay %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	char path[4096];
	struct dirent **names;
	int n, bad = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			bad |= replay(argv[i]);
		return bad;
	}
	n = scandir(CORPUS_DIR, &names, NULL, alphasort);
	if (n < 0) {
		perror(CORPUS_DIR);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, names[i]->d_name);
			bad |= replay(path);
		}
		free(names[i]);
	}
	free(names);
	/* An empty corpus would make this test pass without testing anything. */
	if (n <= 2) {
		fprintf(stderr, "%s: no corpus files\n", CORPUS_DIR);
		return 1;
	}
	return bad;
}
