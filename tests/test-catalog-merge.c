/*
 * test-catalog-merge.c - more than one catalog file: a later file
 * replaces entries by id and appends new ones, a failed file changes
 * nothing (all or nothing), and the standard load reads the installed
 * catalog and then the user's files in name order.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "catalog-fixture.h"

/* ---- merging ------------------------------------------------------------- */

static const char OVERRIDE[] =
	"version: 1\n"
	"bootloaders:\n"
	"  - id: caterina-promicro16\n"
	"    family: caterina\n"
	"    name: SparkFun Pro Micro (patched)\n"
	"    part: atmega32u4\n"
	"    usb_id: \"1B4F:9205\"\n"
	"    presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ]\n"
	"    url: https://example.org/mine.hex\n"
	"  - id: my-board\n"
	"    family: caterina\n"
	"    name: My board\n"
	"    part: atmega32u4\n"
	"    usb_id: \"1209:0001\"\n"
	"    presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ]\n";

static void
test_override_replaces_and_appends(void **state)
{
	struct catalog cat;
	struct iw_error err;
	const struct catalog_bootloader *bl;

	(void)state;
	catalog_init(&cat);
	assert_int_equal(load(&cat, "full.yaml", FULL, &err), IW_OK);
	assert_int_equal(load(&cat, "mine.yaml", OVERRIDE, &err), IW_OK);
	assert_int_equal(catalog_validate(&cat, &err), IW_OK);
	assert_int_equal(cat.n_bootloaders, 3);
	assert_int_equal(cat.n_files, 2);
	/* Replaced in place: the order of the list stays the installed one. */
	bl = &cat.bootloaders[0];
	assert_string_equal(bl->id, "caterina-promicro16");
	assert_string_equal(bl->name, "SparkFun Pro Micro (patched)");
	assert_string_equal(bl->url, "https://example.org/mine.hex");
	assert_null(bl->file);          /* the whole entry is replaced */
	assert_string_equal(bl->origin.file, "mine.yaml");
	assert_int_equal(bl->origin.line, 3);
	assert_string_equal(cat.bootloaders[1].id, "bootloadhid-atmega32a");
	assert_string_equal(cat.bootloaders[1].origin.file, "full.yaml");
	assert_string_equal(cat.bootloaders[2].id, "my-board");
	assert_int_equal(cat.bootloaders[2].usb_id.vid, 0x1209);
	assert_int_equal(cat.n_parts, 2);
	catalog_free(&cat);
}

static void
test_failed_load_leaves_catalog_unchanged(void **state)
{
	struct catalog cat;
	struct iw_error err;
	/* A good override of one entry, then a bad entry further down. */
	static const char bad[] =
		"version: 1\n"
		"bootloaders:\n"
		"  - id: caterina-promicro16\n"
		"    family: caterina\n"
		"    name: Changed\n"
		"    part: atmega32u4\n"
		"    usb_id: \"1B4F:9205\"\n"
		"    presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ]\n"
		"  - id: new-board\n"
		"    family: caterina\n"
		"    name: New\n"
		"    part: atmega32u4\n"
		"    usb_id: \"1209:000G\"\n";

	(void)state;
	catalog_init(&cat);
	assert_int_equal(load(&cat, "full.yaml", FULL, &err), IW_OK);
	assert_int_equal(load(&cat, "bad.yaml", bad, &err), IW_CATALOG);
	assert_string_equal(err.msg, "bad.yaml:13:13: expected a USB ID as VVVV:PPPP (4 hex "
			    "digits each, e.g. 03EB:2FF4), found '1209:000G'");
	assert_int_equal(cat.n_bootloaders, 2);
	assert_int_equal(cat.n_files, 1);
	assert_string_equal(catalog_find_bootloader(&cat, "caterina-promicro16")->name,
			    "SparkFun Pro Micro (5V/16MHz)");
	assert_null(catalog_find_bootloader(&cat, "new-board"));
	assert_int_equal(catalog_validate(&cat, &err), IW_OK);
	catalog_free(&cat);
}

/* ---- the standard load --------------------------------------------------- */

struct tmpdirs {
	char root[64];
	char data[96], config[96], user[128];
};

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
make_dirs(struct tmpdirs *t)
{
	snprintf(t->root, sizeof t->root, "/tmp/test-catalog.XXXXXX");
	assert_non_null(mkdtemp(t->root));
	snprintf(t->data, sizeof t->data, "%s/data", t->root);
	snprintf(t->config, sizeof t->config, "%s/config", t->root);
	snprintf(t->user, sizeof t->user, "%s/ispwiz", t->config);
	assert_int_equal(mkdir(t->data, 0700), 0);
	assert_int_equal(mkdir(t->config, 0700), 0);
	setenv("ISPWIZ_DATADIR", t->data, 1);
	setenv("XDG_CONFIG_HOME", t->config, 1);
}

static void
remove_dirs(struct tmpdirs *t)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->root);
	assert_int_equal(system(cmd), 0);
	unsetenv("ISPWIZ_DATADIR");
	unsetenv("XDG_CONFIG_HOME");
}

static void
test_load_default_with_user_override(void **state)
{
	struct tmpdirs t;
	struct catalog cat;
	struct iw_error err;
	char path[256];

	(void)state;
	make_dirs(&t);
	write_file(t.data, "catalog.yaml", FULL);
	assert_int_equal(mkdir(t.user, 0700), 0);
	write_file(t.user, "50-mine.yaml", OVERRIDE);
	/* Later in name order: overrides 50-mine.yaml's new board again. */
	write_file(t.user, "90-last.yml",
		   "version: 1\nbootloaders:\n"
		   "  - { id: my-board, family: caterina, name: Last word, part: atmega32u4,\n"
		   "      usb_id: \"1209:0002\",\n"
		   "      presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ] }\n");
	/* Not catalog files: ignored. */
	write_file(t.user, "notes.txt", "not yaml: [");
	write_file(t.user, ".#50-mine.yaml", "not yaml: [");

	catalog_init(&cat);
	iw_error_clear(&err);
	assert_int_equal(catalog_load_default(&cat, NULL, &err), IW_OK);
	assert_int_equal(cat.n_files, 3);
	snprintf(path, sizeof path, "%s/catalog.yaml", t.data);
	assert_string_equal(cat.files[0], path);
	snprintf(path, sizeof path, "%s/90-last.yml", t.user);
	assert_string_equal(cat.files[2], path);
	assert_int_equal(cat.n_bootloaders, 3);
	assert_string_equal(catalog_find_bootloader(&cat, "caterina-promicro16")->url,
			    "https://example.org/mine.hex");
	assert_string_equal(catalog_find_bootloader(&cat, "my-board")->name, "Last word");
	assert_int_equal(catalog_find_bootloader(&cat, "my-board")->usb_id.pid, 2);
	catalog_free(&cat);

	/* An explicit catalog replaces the installed one; user files still apply. */
	snprintf(path, sizeof path, "%s/other.yaml", t.root);
	write_file(t.root, "other.yaml", FULL);
	catalog_init(&cat);
	assert_int_equal(catalog_load_default(&cat, path, &err), IW_OK);
	assert_string_equal(cat.files[0], path);
	assert_int_equal(cat.n_files, 3);
	catalog_free(&cat);
	remove_dirs(&t);
}

static void
test_load_default_bad_user_file(void **state)
{
	struct tmpdirs t;
	struct catalog cat;
	struct iw_error err;
	char expect[512];

	(void)state;
	make_dirs(&t);
	write_file(t.data, "catalog.yaml", FULL);
	assert_int_equal(mkdir(t.user, 0700), 0);
	write_file(t.user, "mine.yaml", "version: 1\nbootloaders:\n  - { id: x, part: nope }\n");
	catalog_init(&cat);
	assert_int_equal(catalog_load_default(&cat, NULL, &err), IW_CATALOG);
	snprintf(expect, sizeof expect, "%s/mine.yaml:3:5: this bootloader entry is missing "
		 "the required key 'family'", t.user);
	assert_string_equal(err.msg, expect);
	/* Nothing of the installed file was kept either. */
	assert_int_equal(cat.n_bootloaders, 0);
	assert_int_equal(cat.n_files, 0);
	catalog_free(&cat);
	remove_dirs(&t);
}

static void
test_load_default_validates_across_files(void **state)
{
	struct tmpdirs t;
	struct catalog cat;
	struct iw_error err;
	char expect[512];

	(void)state;
	make_dirs(&t);
	write_file(t.data, "catalog.yaml", FULL);
	assert_int_equal(mkdir(t.user, 0700), 0);
	write_file(t.user, "mine.yaml",
		   "version: 1\nbootloaders:\n"
		   "  - { id: y, family: caterina, name: Y, part: atmega16u4, usb_id: \"1209:0003\",\n"
		   "      presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ] }\n");
	catalog_init(&cat);
	assert_int_equal(catalog_load_default(&cat, NULL, &err), IW_CATALOG);
	snprintf(expect, sizeof expect, "%s/mine.yaml:3:5: bootloader 'y' is for part "
		 "'atmega16u4', which is not in the catalog (known parts: atmega32u4, "
		 "atmega32a)", t.user);
	assert_string_equal(err.msg, expect);
	assert_int_equal(cat.n_files, 0);
	catalog_free(&cat);
	remove_dirs(&t);
}

static void
test_load_default_missing_installed_file(void **state)
{
	struct tmpdirs t;
	struct catalog cat;
	struct iw_error err;
	char expect[512];

	(void)state;
	make_dirs(&t);
	catalog_init(&cat);
	assert_int_equal(catalog_load_default(&cat, NULL, &err), IW_CATALOG);
	snprintf(expect, sizeof expect, "%s/catalog.yaml: cannot open the catalog: No such "
		 "file or directory (is ispwiz installed? run `make install`, or name a "
		 "catalog with --catalog FILE or $ISPWIZ_DATADIR)", t.data);
	assert_string_equal(err.msg, expect);
	catalog_free(&cat);
	remove_dirs(&t);
}

static void
test_load_file_missing(void **state)
{
	struct catalog cat;
	struct iw_error err;

	(void)state;
	catalog_init(&cat);
	assert_int_equal(catalog_load_file(&cat, "/nonexistent/x.yaml", &err), IW_CATALOG);
	assert_string_equal(err.msg, "/nonexistent/x.yaml: cannot open the catalog: No such "
			    "file or directory");
	catalog_free(&cat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_override_replaces_and_appends),
		cmocka_unit_test(test_failed_load_leaves_catalog_unchanged),
		cmocka_unit_test(test_load_default_with_user_override),
		cmocka_unit_test(test_load_default_bad_user_file),
		cmocka_unit_test(test_load_default_validates_across_files),
		cmocka_unit_test(test_load_default_missing_installed_file),
		cmocka_unit_test(test_load_file_missing),
	};

	/* The standard load reads these; start from a known state. */
	unsetenv("ISPWIZ_DATADIR");
	unsetenv("XDG_CONFIG_HOME");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
