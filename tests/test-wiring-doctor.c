/* test-wiring-doctor.c - each symptom maps to its likely causes and to the
 * right rows of the programmer's wiring table. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "job/wiring-doctor.h"
#include "engine-fixture.h"

static const struct catalog_programmer *
promicro(void)
{
	const struct catalog_programmer *pg =
		catalog_find_programmer(&fx_catalog, "avrisp-promicro");

	assert_non_null(pg);
	return pg;
}

/* True when the diagnosis lists a row whose target pin contains `pin`. */
static bool
has_row(const struct wiring_diagnosis *d, const char *pin)
{
	const struct catalog_programmer *pg = promicro();

	for (size_t i = 0; i < d->n_rows; i++)
		if (strstr(pg->wiring[d->rows[i]].target_pin, pin) != NULL)
			return true;
	return false;
}

static void
diagnose(enum wiring_symptom s, struct wiring_diagnosis *d)
{
	struct wiring_observation o;

	memset(&o, 0, sizeof o);
	o.symptom = s;
	o.fastest_hz = 2000000;
	o.sck_hz = 16000;
	wiring_doctor_diagnose(promicro(), fx_part("atmega32u4"), &o, d);
}

static void
test_no_echo(void **state)
{
	struct wiring_diagnosis d;

	(void)state;
	diagnose(WIRING_SYMPTOM_NO_ECHO, &d);
	assert_true(wiring_doctor_has_cause(&d, WIRING_CAUSE_UNPOWERED));
	assert_true(wiring_doctor_has_cause(&d, WIRING_CAUSE_RESET));
	assert_true(wiring_doctor_has_cause(&d, WIRING_CAUSE_MISO));
	assert_true(wiring_doctor_has_cause(&d, WIRING_CAUSE_MOSI_SCK));
	/* Even 16 kHz got nothing: a chip without a clock is possible. */
	assert_true(wiring_doctor_has_cause(&d, WIRING_CAUSE_NO_CLOCK));
	assert_true(has_row(&d, "RESET"));
	assert_true(has_row(&d, "MISO"));
	assert_true(has_row(&d, "VCC"));
	assert_true(d.show_warnings);
	assert_non_null(strstr(d.summary, "2 MHz"));
}

static void
test_signature_ff(void **state)
{
	struct wiring_diagnosis d;

	(void)state;
	diagnose(WIRING_SYMPTOM_SIGNATURE_FF, &d);
	assert_int_equal(d.causes[0].cause, WIRING_CAUSE_MISO);
	assert_true(wiring_doctor_has_cause(&d, WIRING_CAUSE_RESET));
	assert_true(has_row(&d, "MISO"));
	assert_true(has_row(&d, "RESET"));
	assert_false(has_row(&d, "MOSI"));
}

static void
test_signature_00(void **state)
{
	struct wiring_diagnosis d;

	(void)state;
	diagnose(WIRING_SYMPTOM_SIGNATURE_00, &d);
	assert_int_equal(d.causes[0].cause, WIRING_CAUSE_UNPOWERED);
	assert_true(has_row(&d, "VCC"));
	assert_true(has_row(&d, "GND"));
}

static void
test_other_part(void **state)
{
	struct wiring_observation o;
	struct wiring_diagnosis d;

	(void)state;
	memset(&o, 0, sizeof o);
	o.symptom = WIRING_SYMPTOM_OTHER_PART;
	o.found_part = fx_part("atmega328p");
	memcpy(o.signature, o.found_part->signature, 3);
	wiring_doctor_diagnose(promicro(), fx_part("atmega32u4"), &o, &d);
	assert_int_equal(d.n_causes, 1);
	assert_int_equal(d.causes[0].cause, WIRING_CAUSE_WRONG_PART);
	assert_non_null(strstr(d.causes[0].text, "-p atmega328p"));
	assert_non_null(strstr(d.summary, "1E 95 0F"));
	assert_int_equal(d.n_rows, 0);
}

static void
test_slow_only(void **state)
{
	struct wiring_observation o;
	struct wiring_diagnosis d;

	(void)state;
	memset(&o, 0, sizeof o);
	o.symptom = WIRING_SYMPTOM_SLOW_ONLY;
	o.fastest_hz = 2000000;
	o.sck_hz = 500000;
	wiring_doctor_diagnose(promicro(), fx_part("atmega32u4"), &o, &d);
	assert_true(wiring_doctor_has_cause(&d, WIRING_CAUSE_SCK_TOO_FAST));
	assert_non_null(strstr(d.summary, "500 kHz"));
}

static void
test_verify_all_ff_high_region(void **state)
{
	struct wiring_observation o;
	struct wiring_diagnosis d;

	(void)state;
	memset(&o, 0, sizeof o);
	o.symptom = WIRING_SYMPTOM_VERIFY;
	o.region_start = 0x1E000;
	o.region_end = 0x20000;
	o.first_bad = 0x1E000;
	o.bad_count = 4096;
	o.found_all_ff = true;
	wiring_doctor_diagnose(promicro(), fx_part("at90usb1286"), &o, &d);
	assert_true(wiring_doctor_has_cause(&d, WIRING_CAUSE_PROGRAMMER_LIMIT));
	assert_true(wiring_doctor_has_cause(&d, WIRING_CAUSE_NOISE));
	assert_non_null(strstr(d.summary, "4096 bytes"));
}

static void
test_verify_locked(void **state)
{
	struct wiring_observation o;
	struct wiring_diagnosis d;

	(void)state;
	memset(&o, 0, sizeof o);
	o.symptom = WIRING_SYMPTOM_VERIFY;
	o.bad_count = 1;
	o.lock_known = true;
	o.lock = 0xFC;
	wiring_doctor_diagnose(promicro(), fx_part("atmega32u4"), &o, &d);
	assert_int_equal(d.causes[0].cause, WIRING_CAUSE_LOCK_BITS);
	assert_non_null(strstr(d.summary, "1 byte differed"));
}

struct lines {
	char text[4096];
	size_t len;
	size_t n;
	size_t widest;
};

static void
collect(void *user, const char *line)
{
	struct lines *l = user;
	int n = snprintf(l->text + l->len, sizeof l->text - l->len, "%s\n", line);

	if (n > 0 && (size_t)n < sizeof l->text - l->len)
		l->len += (size_t)n;
	l->n++;
	if (strlen(line) > l->widest)
		l->widest = strlen(line);
}

static void
test_render(void **state)
{
	struct wiring_diagnosis d;
	struct lines l;

	(void)state;
	memset(&l, 0, sizeof l);
	diagnose(WIRING_SYMPTOM_NO_ECHO, &d);
	wiring_doctor_render(&d, promicro(), collect, &l);
	assert_non_null(strstr(l.text, "Likely causes:"));
	assert_non_null(strstr(l.text, "10 (B6)"));
	assert_non_null(strstr(l.text, "-> RESET"));
	assert_non_null(strstr(l.text, "Warning: "));
	assert_true(l.widest <= 79);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(wiring_cause_name(WIRING_CAUSE_RESET), "reset");
	assert_string_equal(wiring_symptom_name(WIRING_SYMPTOM_SIGNATURE_FF), "signature-ff");
	assert_string_equal(wiring_cause_name(WIRING_CAUSE_COUNT), "?");
}

/* --- ranking follows the evidence ------------------------------------------------ */

/* NO_ECHO with the four bytes the target answered. */
static void
no_echo_with(uint8_t a, uint8_t b, uint8_t c, uint8_t e, struct wiring_diagnosis *d)
{
	struct wiring_observation o;

	memset(&o, 0, sizeof o);
	o.symptom = WIRING_SYMPTOM_NO_ECHO;
	o.fastest_hz = 2000000;
	o.sck_hz = 16000;
	o.tries = 7;
	o.have_answer = true;
	o.answer[0] = a;
	o.answer[1] = b;
	o.answer[2] = c;
	o.answer[3] = e;
	wiring_doctor_diagnose(promicro(), fx_part("atmega32u4"), &o, d);
}

static void
test_answer_classes(void **state)
{
	static const uint8_t zeros[4] = { 0, 0, 0, 0 }, ones[4] = { 0xFF, 0xFF, 0xFF, 0xFF },
		late[4] = { 0xFF, 0xAC, 0xFF, 0x53 }, bit[4] = { 0xFF, 0xFF, 0xA6, 0x00 },
		junk[4] = { 0x12, 0x9C, 0x40, 0x07 };

	(void)state;
	assert_int_equal(wiring_doctor_classify_answer(zeros), WIRING_ANSWER_ZEROS);
	assert_int_equal(wiring_doctor_classify_answer(ones), WIRING_ANSWER_ONES);
	assert_int_equal(wiring_doctor_classify_answer(late), WIRING_ANSWER_SHIFTED);
	assert_int_equal(wiring_doctor_classify_answer(bit), WIRING_ANSWER_SHIFTED);
	assert_int_equal(wiring_doctor_classify_answer(junk), WIRING_ANSWER_GARBAGE);
}

/* Five different answers no longer give the same five causes in the same
 * order: each answer's most likely cause comes first. */
static void
test_ranking_follows_answer(void **state)
{
	struct wiring_diagnosis d;

	(void)state;
	no_echo_with(0x00, 0x00, 0x00, 0x00, &d);
	assert_int_equal(d.causes[0].cause, WIRING_CAUSE_UNPOWERED);
	assert_non_null(strstr(d.summary, "answered 00 00 00 00"));
	no_echo_with(0xFF, 0xFF, 0xFF, 0xFF, &d);
	assert_int_equal(d.causes[0].cause, WIRING_CAUSE_RESET);
	assert_int_equal(d.causes[1].cause, WIRING_CAUSE_MISO);
	no_echo_with(0xFF, 0xAC, 0xFF, 0x53, &d);     /* the echo a byte late */
	assert_int_equal(d.causes[0].cause, WIRING_CAUSE_SCK_TOO_FAST);
	assert_false(wiring_doctor_has_cause(&d, WIRING_CAUSE_NO_CLOCK));
	no_echo_with(0x12, 0x9C, 0x40, 0x07, &d);
	assert_int_equal(d.causes[0].cause, WIRING_CAUSE_MOSI_SCK);
	assert_int_equal(d.causes[1].cause, WIRING_CAUSE_NOISE);
	/* The summary says how many clocks were tried. */
	assert_non_null(strstr(d.summary, "at SCK 2 MHz and 6 slower clocks down to 16 kHz"));
}

/* The signature symptoms: each one's own cause first. */
static void
test_signature_ranking(void **state)
{
	struct wiring_diagnosis d;

	(void)state;
	diagnose(WIRING_SYMPTOM_SIGNATURE_00, &d);
	assert_int_equal(d.causes[0].cause, WIRING_CAUSE_UNPOWERED);
	diagnose(WIRING_SYMPTOM_SIGNATURE_FF, &d);
	assert_int_equal(d.causes[0].cause, WIRING_CAUSE_MISO);
	diagnose(WIRING_SYMPTOM_SIGNATURE_BAD, &d);
	assert_int_equal(d.causes[0].cause, WIRING_CAUSE_NOISE);
	diagnose(WIRING_SYMPTOM_SLOW_ONLY, &d);
	assert_int_equal(d.causes[0].cause, WIRING_CAUSE_SCK_TOO_FAST);
	/* An echo at a slow clock is the target's clock, never the programmer's
	 * firmware. */
	assert_null(strstr(d.causes[0].text, "firmware"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_echo),
		cmocka_unit_test(test_signature_ff),
		cmocka_unit_test(test_signature_00),
		cmocka_unit_test(test_other_part),
		cmocka_unit_test(test_slow_only),
		cmocka_unit_test(test_verify_all_ff_high_region),
		cmocka_unit_test(test_verify_locked),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_answer_classes),
		cmocka_unit_test(test_ranking_follows_answer),
		cmocka_unit_test(test_signature_ranking),
	};

	return cmocka_run_group_tests(tests, fx_load_catalog, fx_free_catalog);
}
