/* test-udev-rules.c - data/60-ispwiz.rules covers the catalog: every USB ID
 * of every programmer and bootloader gets uaccess, the ISP-firmware and
 * Caterina IDs are kept from ModemManager, and every line is well formed. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"

#define RULES TOP_SRCDIR "/data/60-ispwiz.rules"
#define MAX_RULES 128

struct rule {
	unsigned line;
	uint16_t vid, pid;
	bool uaccess, mm_ignore;
};

static struct catalog cat;
static struct rule rules[MAX_RULES];
static size_t n_rules;

/* `key=="value"` (or `key="value"` with op "=") in `text`. */
static const char *
value_of(const char *text, const char *key, char *out, size_t size)
{
	const char *at = strstr(text, key), *q, *end;

	if (at == NULL)
		return NULL;
	q = strchr(at + strlen(key), '"');
	if (q == NULL)
		return NULL;
	end = strchr(q + 1, '"');
	if (end == NULL || (size_t)(end - q - 1) >= size)
		return NULL;
	memcpy(out, q + 1, (size_t)(end - q - 1));
	out[end - q - 1] = '\0';
	return out;
}

static int
load_rules(void **state)
{
	struct iw_error err;
	char buf[512];
	unsigned line = 0;
	FILE *f;

	(void)state;
	catalog_init(&cat);
	if (catalog_load_file(&cat, TOP_SRCDIR "/data/catalog.yaml", &err) != IW_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	f = fopen(RULES, "r");
	if (f == NULL) {
		perror(RULES);
		return -1;
	}
	while (fgets(buf, sizeof buf, f) != NULL) {
		char v[16], p[16];
		struct rule *r;

		line++;
		if (buf[0] == '#' || buf[0] == '\n')
			continue;
		if (!value_of(buf, "ATTRS{idVendor}", v, sizeof v) ||
		    !value_of(buf, "ATTRS{idProduct}", p, sizeof p))
			continue;
		if (n_rules == MAX_RULES)
			break;
		r = &rules[n_rules++];
		r->line = line;
		r->vid = (uint16_t)strtoul(v, NULL, 16);
		r->pid = (uint16_t)strtoul(p, NULL, 16);
		r->uaccess = strstr(buf, "TAG+=\"uaccess\"") != NULL;
		r->mm_ignore = strstr(buf, "ENV{ID_MM_DEVICE_IGNORE}=\"1\"") != NULL;
	}
	fclose(f);
	return 0;
}

static int
free_rules(void **state)
{
	(void)state;
	catalog_free(&cat);
	return 0;
}

static const struct rule *
find(struct catalog_usb_id id)
{
	for (size_t i = 0; i < n_rules; i++)
		if (rules[i].vid == id.vid && rules[i].pid == id.pid)
			return &rules[i];
	return NULL;
}

static void
need(struct catalog_usb_id id, const char *who, bool mm)
{
	const struct rule *r = find(id);

	if (r == NULL)
		fail_msg("%s: USB ID %04X:%04X has no line in %s", who, id.vid, id.pid, RULES);
	if (!r->uaccess)
		fail_msg("%s: %s:%u gives %04X:%04X no TAG+=\"uaccess\"", who, RULES, r->line,
			 id.vid, id.pid);
	if (mm && !r->mm_ignore)
		fail_msg("%s: %s:%u does not keep ModemManager off %04X:%04X", who, RULES,
			 r->line, id.vid, id.pid);
}

static void
test_programmers_covered(void **state)
{
	(void)state;
	assert_true(cat.n_programmers > 0);
	for (size_t i = 0; i < cat.n_programmers; i++) {
		const struct catalog_programmer *p = &cat.programmers[i];

		for (size_t k = 0; k < p->n_usb_ids; k++)
			/* the ISP firmware's CDC port: ModemManager probes it */
			need(p->usb_ids[k], p->id, p->usb_ids[k].vid == 0x16C0 &&
			     p->usb_ids[k].pid == 0x0483);
	}
}

static void
test_bootloaders_covered(void **state)
{
	(void)state;
	assert_true(cat.n_bootloaders > 0);
	for (size_t i = 0; i < cat.n_bootloaders; i++) {
		const struct catalog_bootloader *b = &cat.bootloaders[i];

		need(b->usb_id, b->id, strcmp(b->family, "caterina") == 0);
		/* The sketch's port takes the 1200-baud touch: reachable,
		 * and not probed while the bootloader is being started. */
		if (b->has_sketch_usb_id)
			need(b->sketch_usb_id, b->id, true);
	}
}

/* Every line is a comment, blank, or a rule with balanced quotes and
 * lower-case hex IDs (udev compares ATTRS as strings; sysfs is lower). */
static void
test_lines_well_formed(void **state)
{
	char buf[512];
	unsigned line = 0;
	bool label = false, jump = false;
	FILE *f = fopen(RULES, "r");

	(void)state;
	assert_non_null(f);
	while (fgets(buf, sizeof buf, f) != NULL) {
		size_t quotes = 0;
		char v[16], p[16];

		line++;
		if (buf[0] == '#' || buf[0] == '\n')
			continue;
		for (const char *c = buf; *c != '\0'; c++)
			quotes += *c == '"';
		if (quotes % 2 != 0)
			fail_msg("%s:%u: unbalanced quotes", RULES, line);
		label = label || strcmp(buf, "LABEL=\"ispwiz_end\"\n") == 0;
		jump = jump || strstr(buf, "GOTO=\"ispwiz_end\"") != NULL;
		if (strncmp(buf, "SUBSYSTEMS==\"usb\"", 17) != 0 &&
		    strncmp(buf, "ACTION==", 8) != 0 && strncmp(buf, "LABEL=", 6) != 0)
			fail_msg("%s:%u: not a rule this file uses: %s", RULES, line, buf);
		if (value_of(buf, "ATTRS{idVendor}", v, sizeof v) &&
		    value_of(buf, "ATTRS{idProduct}", p, sizeof p)) {
			if (strlen(v) != 4 || strlen(p) != 4)
				fail_msg("%s:%u: IDs must be 4 hex digits", RULES, line);
			for (size_t i = 0; i < 4; i++)
				if (!isxdigit((unsigned char)v[i]) || !isxdigit((unsigned char)p[i]) ||
				    isupper((unsigned char)v[i]) || isupper((unsigned char)p[i]))
					fail_msg("%s:%u: IDs must be lower-case hex", RULES, line);
		}
	}
	fclose(f);
	/* the GOTO that skips removals has its target */
	assert_true(jump);
	assert_true(label);
	assert_true(n_rules > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_programmers_covered),
		cmocka_unit_test(test_bootloaders_covered),
		cmocka_unit_test(test_lines_well_formed),
	};

	return cmocka_run_group_tests(tests, load_rules, free_rules);
}
