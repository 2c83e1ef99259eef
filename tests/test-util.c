/* test-util.c - the small shared pieces: status table, error messages,
 * SHA-256 of buffers and files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/sha256.h"
#include "core/udev-dirs.h"

static void
test_status_names_and_exit_codes(void **state)
{
	(void)state;
	assert_string_equal(iw_status_name(IW_OK), "OK");
	assert_string_equal(iw_status_name(IW_VERIFY), "VERIFY");
	assert_int_equal(iw_status_exit_code(IW_OK), 0);
	assert_int_equal(iw_status_exit_code(IW_USAGE), 2);
	assert_int_equal(iw_status_exit_code(IW_CATALOG), 3);
	assert_int_equal(iw_status_exit_code(IW_REFUSED), 4);
	assert_int_equal(iw_status_exit_code(IW_VERIFY), 7);
	assert_int_equal(iw_status_exit_code(IW_CANCELLED), 130);
	/* Out-of-range codes do not index past the table. */
	assert_string_equal(iw_status_name((enum iw_status)999), "UNKNOWN");
	assert_int_equal(iw_status_exit_code((enum iw_status)-1), 1);
}

static void
test_error_set_and_prefix(void **state)
{
	struct iw_error err;

	(void)state;
	assert_int_equal(iw_error_set(&err, IW_INPUT, "line %d: bad", 7), IW_INPUT);
	assert_int_equal(err.code, IW_INPUT);
	assert_string_equal(err.msg, "line 7: bad");
	iw_error_prefix(&err, "reading %s", "x.hex");
	assert_string_equal(err.msg, "reading x.hex: line 7: bad");
	/* NULL error records are allowed and ignored. */
	assert_int_equal(iw_error_set(NULL, IW_IO, "ignored"), IW_IO);
	iw_error_prefix(NULL, "nothing");
	iw_error_clear(&err);
	assert_int_equal(err.code, IW_OK);
	assert_string_equal(err.msg, "");
}

static void
test_error_prefix_truncates_safely(void **state)
{
	struct iw_error err;
	char long_text[2 * IW_ERROR_MSG_MAX];

	(void)state;
	memset(long_text, 'a', sizeof long_text - 1);
	long_text[sizeof long_text - 1] = '\0';
	iw_error_set(&err, IW_IO, "%s", long_text);
	assert_int_equal(strlen(err.msg), IW_ERROR_MSG_MAX - 1);
	iw_error_prefix(&err, "%s", long_text);
	assert_int_equal(strlen(err.msg), IW_ERROR_MSG_MAX - 1);
}

static void
test_sha256_vectors(void **state)
{
	char hex[SHA256_HEX_LEN + 1];

	(void)state;
	sha256_buffer_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_buffer_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
test_sha256_file(void **state)
{
	char path[] = "/tmp/ispwiz-sha-XXXXXX";
	char hex[SHA256_HEX_LEN + 1];
	struct iw_error err;
	long size = -1;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	close(fd);
	assert_int_equal(sha256_file_hex(path, hex, &size, &err), IW_OK);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(size, 3);
	unlink(path);

	/* A missing file names the path and the reason. */
	assert_int_equal(sha256_file_hex(path, hex, NULL, &err), IW_IO);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "No such file"));
}

/* A make install under /usr/local puts the rules where udev reads them;
 * a --prefix=/opt or a home directory does not. */
static void
test_udev_reads_dir(void **state)
{
	(void)state;
	assert_true(iw_udev_reads_dir("/usr/lib/udev/rules.d"));
	assert_true(iw_udev_reads_dir("/usr/local/lib/udev/rules.d"));
	assert_true(iw_udev_reads_dir("/etc/udev/rules.d"));
	assert_false(iw_udev_reads_dir("/opt/ispwiz/lib/udev/rules.d"));
	assert_false(iw_udev_reads_dir("/usr/lib/udev/rules.d/"));
	assert_false(iw_udev_reads_dir(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names_and_exit_codes),
		cmocka_unit_test(test_error_set_and_prefix),
		cmocka_unit_test(test_error_prefix_truncates_safely),
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_file),
		cmocka_unit_test(test_udev_reads_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
