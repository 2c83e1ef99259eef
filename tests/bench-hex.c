/*
 * bench-hex.c - how long the HEX reader takes on one file, and the peak
 * memory of doing it: `bench-hex FILE` prints one line,
 *   FILE: N bytes of HEX, M data bytes in S segments, parsed in T s, peak RSS R MiB
 * (tests/bench-hex.sh runs it once per file, so the peak is that file's).
 * A benchmark, not a test: it fails only when the file does not parse.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "core/hex-image.h"

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	struct iw_error err;
	struct hex_image *img;
	struct stat sb;
	enum iw_status st;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE.hex\n", argv[0]);
		return 2;
	}
	if (stat(argv[1], &sb) != 0 || (img = hex_image_new()) == NULL) {
		perror(argv[1]);
		return 1;
	}
	iw_error_clear(&err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = hex_image_read_file(img, argv[1], &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &ru);
	if (st != IW_OK) {
		fprintf(stderr, "%s\n", err.msg);
		hex_image_free(img);
		return 1;
	}
	printf("%s: %lld bytes of HEX, %zu data bytes in %zu segments, parsed in %.3f s, "
	       "peak RSS %.1f MiB\n", argv[1], (long long)sb.st_size, hex_image_byte_count(img),
	       hex_image_segment_count(img),
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       (double)ru.ru_maxrss / 1024.0);
	hex_image_free(img);
	return 0;
}
