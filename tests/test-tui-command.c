/*
 * test-tui-command.c - the avrdude command as the wizard's Review lays it
 * out (src/tui/tui-command.c): lines that, selected together and pasted
 * into a shell, run as the one command.  An option never ends a line away
 * from its argument, a quoted path with spaces stays one word, every line
 * but the last ends in " \", the comment's lines each start with "#", a
 * word longer than any line is cut where the shell joins it back, and the
 * lines pasted into /bin/sh give the command's own words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tui/tui-int.h"

/* What /bin/sh makes of `script`: its words after `set --`, one per line,
 * into out. */
static void
shell_words(const char *script, char *out, size_t size)
{
	char path[] = "/tmp/test-tui-command.XXXXXX", cmd[64];
	int fd = mkstemp(path);
	FILE *f;
	size_t n;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "set -- %s\nprintf '[%%s]\\n' \"$@\"\n", script);
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof cmd, "sh %s", path);
	assert_non_null(f = popen(cmd, "r"));
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	assert_int_equal(pclose(f), 0);
	unlink(path);
}

/* The lines, pasted into a shell, give the command's own words. */
static void
pastes_whole(const struct tui_text *t, const char *cmd)
{
	char pasted[4096] = "", want[4096], got[4096];

	for (size_t i = 0; i < t->n; i++) {
		strncat(pasted, t->lines[i].text, sizeof pasted - strlen(pasted) - 2);
		strcat(pasted, "\n");
	}
	shell_words(cmd, want, sizeof want);
	shell_words(pasted, got, sizeof got);
	if (strcmp(want, got) != 0)
		fail_msg("pasted, the lines are another command:\n%s\nwant:\n%s", got, want);
}

/* The lines of `cmd` laid out `width` wide, each checked against the
 * expected one (NULL-terminated), and pasted back into a shell unless the
 * command holds a quoted word too long for a line (`pastes` false). */
static void
laid_out_as(int width, const char *cmd, const char *const *want, bool pastes)
{
	struct tui_text t;
	size_t n = 0;

	tui_text_init(&t, width);
	tui_text_add_command(&t, TUI_ROLE_DIM, cmd);
	while (want[n] != NULL)
		n++;
	for (size_t i = 0; i < t.n && i < n; i++)
		if (strcmp(t.lines[i].text, want[i]) != 0)
			fail_msg("line %zu at width %d: got \"%s\", want \"%s\"", i + 1, width,
				 t.lines[i].text, want[i]);
	if (t.n != n)
		fail_msg("%zu lines at width %d, want %zu (the last: \"%s\")", t.n, width, n,
			 t.n > 0 ? t.lines[t.n - 1].text : "");
	for (size_t i = 0; i < t.n; i++) {
		if ((int)strlen(t.lines[i].text) >= width)
			fail_msg("line %zu reaches the edge: \"%s\"", i + 1, t.lines[i].text);
		assert_int_equal(t.lines[i].role, TUI_ROLE_DIM);
	}
	if (pastes)
		pastes_whole(&t, cmd);
	tui_text_clear(&t);
}

static void
laid_out(int width, const char *cmd, const char *const *want)
{
	laid_out_as(width, cmd, want, true);
}

static void
test_fits_on_one_line(void **state)
{
	(void)state;
	laid_out(76, "avrdude -c usbasp -P usb -p m32u4 -U lfuse:w:0x5E:m",
		 (const char *[]){ "avrdude -c usbasp -P usb -p m32u4 -U lfuse:w:0x5E:m", NULL });
}

/* The Review's Caterina -> Atmel DFU at 80x24 (76 columns of text). */
static void
test_options_keep_their_arguments(void **state)
{
	(void)state;
	laid_out(76, "avrdude -c avrisp -P /dev/ttyACM0 -b 19200 -p m32u4 -e "
		 "-U flash:w:/tmp/ispwiz-demo.c7Z836/demo-stand-in-NOT-A-BOOTLOADER.hex:i "
		 "-U lfuse:w:0x5E:m -U hfuse:w:0x99:m -U efuse:w:0xF3:m",
		 (const char *[]){
			 "avrdude -c avrisp -P /dev/ttyACM0 -b 19200 -p m32u4 -e \\",
			 "  -U flash:w:/tmp/ispwiz-demo.c7Z836/demo-stand-in-NOT-A-BOOTLOADER.hex:i \\",
			 "  -U lfuse:w:0x5E:m -U hfuse:w:0x99:m -U efuse:w:0xF3:m",
			 NULL });
}

/* A quoted word is one word, spaces and all; "-e" before "-U" stands alone. */
static void
test_quoted_path_is_one_word(void **state)
{
	(void)state;
	laid_out(40, "avrdude -c usbtiny -p m328p -e -U 'flash:w:/tmp/my boards/a b.hex:i'",
		 (const char *[]){
			 "avrdude -c usbtiny -p m328p -e \\",
			 "  -U 'flash:w:/tmp/my boards/a b.hex:i'",
			 NULL });
}

/* The comment on lines of its own, each a comment for the shell. */
static void
test_comment_lines_start_with_hash(void **state)
{
	(void)state;
	laid_out(40, "avrdude -c buspirate -P /dev/ttyUSB0 -p m32u4  # not in avrdude: "
		 "-x pullups; avrdude picks the first matching device; unplug others",
		 (const char *[]){
			 "avrdude -c buspirate -P /dev/ttyUSB0 \\",
			 "  -p m32u4",
			 "# not in avrdude: -x pullups; avrdude",
			 "# picks the first matching device;",
			 "# unplug others",
			 NULL });
}

/* A piece longer than any line: cut with a backslash where it must be, and
 * the shell joins it back into one word. */
static void
test_overlong_word_is_cut_and_joined(void **state)
{
	(void)state;
	laid_out(76, "avrdude -c avrisp -P /dev/ttyACM0 -b 19200 -p m32u4 -e -U "
		 "flash:w:/home/someone/qmk_firmware/util/bootloader_atmega32u4_1.0.0.hex:i "
		 "-U lfuse:w:0x5E:m -U hfuse:w:0x99:m -U efuse:w:0xF3:m",
		 (const char *[]){
			 "avrdude -c avrisp -P /dev/ttyACM0 -b 19200 -p m32u4 -e \\",
			 "  -U flash:w:/home/someone/qmk_firmware/util/bootloader_atmega32u4_1.0.0.h\\",
			 "ex:i -U lfuse:w:0x5E:m -U hfuse:w:0x99:m -U efuse:w:0xF3:m",
			 NULL });
	laid_out(30, "avrdude -e -U flash:w:/a/very/long/path/to/some/firmware.hex:i",
		 (const char *[]){
			 "avrdude -e \\",
			 "  -U flash:w:/a/very/long/pa\\",
			 "th/to/some/firmware.hex:i",
			 NULL });
}

/* Never inside a UTF-8 sequence (bytes are counted as columns: a line of
 * wide text breaks early, never late). */
static void
test_cut_between_characters(void **state)
{
	(void)state;
	laid_out(20, "avrdude -e -U flash:w:/a/\u1E9E\u1E9E\u1E9E\u1E9E\u1E9E\u1E9E\u1E9E"
		 "\u1E9E/b.hex:i",
		 (const char *[]){
			 "avrdude -e \\",
			 "  -U flash:w:/a/\\",
			 "\u1E9E\u1E9E\u1E9E\u1E9E\u1E9E\u1E9E\\",
			 "\u1E9E\u1E9E/b.hex:i",
			 NULL });
}

/* A quoted word too long for a line cannot be cut for the shell (the
 * backslash would stay inside the quotes): it wraps as text, shown whole,
 * and the command goes on after it. */
static void
test_overlong_quoted_word_wraps(void **state)
{
	(void)state;
	laid_out_as(30, "avrdude -e -U 'flash:w:/a/very/long path/to/some/firmware.hex:i' "
		    "-U lfuse:w:0x5E:m",
		    (const char *[]){
			    "avrdude -e \\",
			    "  -U 'flash:w:/a/very/long pa",
			    "    th/to/some/firmware.hex:i",
			    "    ' \\",
			    "  -U lfuse:w:0x5E:m",
			    NULL }, false);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits_on_one_line),
		cmocka_unit_test(test_options_keep_their_arguments),
		cmocka_unit_test(test_quoted_path_is_one_word),
		cmocka_unit_test(test_comment_lines_start_with_hash),
		cmocka_unit_test(test_overlong_word_is_cut_and_joined),
		cmocka_unit_test(test_cut_between_characters),
		cmocka_unit_test(test_overlong_quoted_word_wraps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
