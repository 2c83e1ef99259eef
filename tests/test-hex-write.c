/*
 * test-hex-write.c - the Intel HEX writer, checked against hand-computed
 * records and by reading its output back, and writing a file via a
 * temporary and rename (nothing half-written is left when that fails).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hex-fixture.h"

/* --- writing ------------------------------------------------------------- */

/* Written out as text in a string so the expectations do not depend on the
 * writer under test. */
static char *
write_to_string(const struct hex_image *img)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct iw_error err;

	assert_non_null(f);
	assert_int_equal(hex_image_write_stream(img, f, &err), IW_OK);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void
assert_same_image(const struct hex_image *a, const struct hex_image *b)
{
	assert_int_equal(hex_image_segment_count(a), hex_image_segment_count(b));
	for (size_t i = 0; i < hex_image_segment_count(a); i++) {
		struct hex_segment sa = hex_image_segment(a, i);
		struct hex_segment sb = hex_image_segment(b, i);

		assert_int_equal(sa.addr, sb.addr);
		assert_int_equal(sa.len, sb.len);
		assert_memory_equal(sa.data, sb.data, sa.len);
	}
}

static void
test_write_small(void **state)
{
	struct hex_image *img;
	struct iw_error err;
	char *text;

	(void)state;
	assert_int_equal(parse(":0400000001020304F2\n:00000001FF\n", &img, &err), IW_OK);
	text = write_to_string(img);
	assert_string_equal(text, ":0400000001020304F2\n:00000001FF\n");
	free(text);
	hex_image_free(img);
}

/* Records are cut at 16-byte boundaries, not 16 bytes from the start. */
static void
test_write_aligned_records(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t d[20];
	char *text;

	(void)state;
	for (int i = 0; i < 20; i++)
		d[i] = (uint8_t)i;
	assert_int_equal(hex_image_put(img, 0x0008, d, 20, "a", 1, NULL), IW_OK);
	text = write_to_string(img);
	assert_string_equal(text,
		":080008000001020304050607D4\n"
		":0C00100008090A0B0C0D0E0F1011121342\n"
		":00000001FF\n");
	free(text);
	hex_image_free(img);
}

static void
test_write_ext_linear_records(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t d[16];
	char *text;

	(void)state;
	for (int i = 0; i < 16; i++)
		d[i] = (uint8_t)i;
	/* 0x1FFF8..0x20007 crosses into the third 64 KiB bank. */
	assert_int_equal(hex_image_put(img, 0x1FFF8, d, 16, "a", 1, NULL), IW_OK);
	text = write_to_string(img);
	assert_string_equal(text,
		":020000040001F9\n"
		":08FFF8000001020304050607E5\n"
		":020000040002F8\n"
		":0800000008090A0B0C0D0E0F9C\n"
		":00000001FF\n");
	free(text);
	hex_image_free(img);
}

/* Below 64 KiB no 04 record is needed; after a high segment, coming back
 * down would need one, but segments are in address order so it cannot. */
static void
test_write_no_ext_below_64k(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t d[4] = { 1, 2, 3, 4 };
	char *text;

	(void)state;
	assert_int_equal(hex_image_put(img, 0xFFF0, d, 4, "a", 1, NULL), IW_OK);
	text = write_to_string(img);
	assert_null(strstr(text, ":02000004"));
	free(text);
	hex_image_free(img);
}

static void
test_write_one_end_record(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t d[300];
	char *text;
	const char *p;
	int ends = 0;

	(void)state;
	memset(d, 0x5A, sizeof d);
	assert_int_equal(hex_image_put(img, 0x100, d, 300, "a", 1, NULL), IW_OK);
	assert_int_equal(hex_image_put(img, 0x7000, d, 300, "a", 2, NULL), IW_OK);
	text = write_to_string(img);
	for (p = text; (p = strstr(p, ":00000001FF")) != NULL; p++)
		ends++;
	assert_int_equal(ends, 1);
	/* And it is the last line. */
	assert_string_equal(text + strlen(text) - 12, ":00000001FF\n");
	free(text);
	hex_image_free(img);
}

static void
test_round_trip(void **state)
{
	struct hex_image *img = hex_image_new(), *back = hex_image_new();
	uint8_t d[700];
	struct iw_error err;
	char *text;

	(void)state;
	for (size_t i = 0; i < sizeof d; i++)
		d[i] = (uint8_t)(i * 31 + 7);
	assert_int_equal(hex_image_put(img, 0x0003, d, 100, "a", 1, NULL), IW_OK);
	assert_int_equal(hex_image_put(img, 0x7E01, d, 511, "a", 2, NULL), IW_OK);
	assert_int_equal(hex_image_put(img, 0xFF80, d, 700, "a", 3, NULL), IW_OK);
	assert_int_equal(hex_image_put(img, 0x1F000, d, 33, "a", 4, NULL), IW_OK);
	text = write_to_string(img);
	assert_int_equal(hex_image_read_buffer(back, "rt.hex", text, strlen(text), &err),
			 IW_OK);
	assert_same_image(img, back);
	free(text);
	/* And the written text reads back to the same text. */
	text = write_to_string(back);
	{
		char *again = write_to_string(img);

		assert_string_equal(text, again);
		free(again);
	}
	free(text);
	hex_image_free(img);
	hex_image_free(back);
}

/* A file using 02 records reads back the same after being written with 04. */
static void
test_round_trip_segment_file(void **state)
{
	struct hex_image *img, *back = hex_image_new();
	struct iw_error err;
	char *text;

	(void)state;
	assert_int_equal(parse(":020000021000EC\n"
			       ":10FFF800000102030405060708090A0B0C0D0E0F81\n"
			       ":00000001FF\n", &img, &err), IW_OK);
	text = write_to_string(img);
	assert_non_null(strstr(text, ":020000040001F9\n"));
	assert_int_equal(hex_image_read_buffer(back, "rt.hex", text, strlen(text), &err),
			 IW_OK);
	assert_same_image(img, back);
	free(text);
	hex_image_free(img);
	hex_image_free(back);
}

static char *
make_temp_dir(void)
{
	char tmpl[] = "/tmp/test-hex.XXXXXX";
	char *dir = mkdtemp(tmpl);

	assert_non_null(dir);
	return strdup(dir);
}

static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_write_file_and_read_back(void **state)
{
	struct hex_image *img = hex_image_new(), *back = hex_image_new();
	uint8_t d[40];
	struct iw_error err;
	char *dir = make_temp_dir();
	char path[512];

	(void)state;
	memset(d, 0x42, sizeof d);
	snprintf(path, sizeof path, "%s/out.hex", dir);
	assert_int_equal(hex_image_put(img, 0x20, d, 40, "a", 1, NULL), IW_OK);
	assert_int_equal(hex_image_write_file(img, path, &err), IW_OK);
	/* Replacing an existing file works the same way. */
	assert_int_equal(hex_image_write_file(img, path, &err), IW_OK);
	assert_int_equal(count_entries(dir), 1);   /* no temp file left */
	assert_int_equal(hex_image_read_file(back, path, &err), IW_OK);
	assert_same_image(img, back);
	unlink(path);
	rmdir(dir);
	free(dir);
	hex_image_free(img);
	hex_image_free(back);
}

static void
test_write_file_missing_dir(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t d[4] = { 1, 2, 3, 4 };
	struct iw_error err;
	char *dir = make_temp_dir();
	char path[600], sub[512];
	struct stat st;

	(void)state;
	snprintf(sub, sizeof sub, "%s/missing", dir);
	snprintf(path, sizeof path, "%s/out.hex", sub);
	assert_int_equal(hex_image_put(img, 0, d, 4, "a", 1, NULL), IW_OK);
	assert_int_equal(hex_image_write_file(img, path, &err), IW_IO);
	assert_contains(err.msg, path);
	assert_contains(err.msg, "No such file or directory");
	assert_int_equal(stat(sub, &st), -1);
	assert_int_equal(count_entries(dir), 0);
	rmdir(dir);
	free(dir);
	hex_image_free(img);
}

/* The target name is a directory: the rename fails after the temp file was
 * written, and the temp file must not be left behind. */
static void
test_write_file_rename_fails(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t d[4] = { 1, 2, 3, 4 };
	struct iw_error err;
	char *dir = make_temp_dir();
	char path[512];

	(void)state;
	snprintf(path, sizeof path, "%s/out.hex", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(hex_image_put(img, 0, d, 4, "a", 1, NULL), IW_OK);
	assert_int_equal(hex_image_write_file(img, path, &err), IW_IO);
	assert_contains(err.msg, path);
	assert_int_equal(count_entries(dir), 1);   /* only the directory */
	rmdir(path);
	rmdir(dir);
	free(dir);
	hex_image_free(img);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_small),
		cmocka_unit_test(test_write_aligned_records),
		cmocka_unit_test(test_write_ext_linear_records),
		cmocka_unit_test(test_write_no_ext_below_64k),
		cmocka_unit_test(test_write_one_end_record),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_segment_file),
		cmocka_unit_test(test_write_file_and_read_back),
		cmocka_unit_test(test_write_file_missing_dir),
		cmocka_unit_test(test_write_file_rename_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
