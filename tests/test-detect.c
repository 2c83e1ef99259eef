/*
 * test-detect.c - enumeration and access checks against umockdev testbeds
 * holding every programmer and bootloader family.  Runs in-process under
 * libumockdev-preload (tests/umockdev-run.sh).  Matching alone is in
 * test-detect-match.c, hotplug events and waiting for a USB ID in
 * test-hotplug.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "detect/detect.h"
#include "detect-fixture.h"

static UMockdevTestbed *tb;

static int
setup(void **state)
{
	(void)state;
	tb = umockdev_testbed_new();
	return tb != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	/* A failed check may have left the real uid switched (see the
	 * permission tests): give it back before the next test. */
	if (geteuid() == 0 && getuid() != 0 && setreuid(0, (uid_t)-1) != 0)
		return -1;
	g_object_unref(tb);
	tb = NULL;
	return 0;
}

static void
enumerate(struct detect_list *list, const struct detect_config *cfg)
{
	struct iw_error err;

	detect_list_init(list);
	iw_error_clear(&err);
	assert_int_equal(detect_enumerate(&fx_catalog, cfg, list, &err), IW_OK);
}

/* The entry for a bus path (and port, when it has several). */
static const struct detect_device *
find_bus(const struct detect_list *list, const char *bus)
{
	for (size_t i = 0; i < list->n; i++)
		if (list->items[i].bus_path != NULL && strcmp(list->items[i].bus_path, bus) == 0)
			return &list->items[i];
	return NULL;
}

static const struct detect_device *
must_find(const struct detect_list *list, const struct fx_dev *d)
{
	const struct detect_device *dev = find_bus(list, d->bus);

	if (dev == NULL)
		fail_msg("device %s (%s:%s) was not listed", d->bus, d->vid, d->pid);
	return dev;
}

static bool
has_candidate(const struct detect_device *d, const char *id)
{
	for (size_t i = 0; i < d->n_candidates; i++)
		if (strcmp(d->candidates[i].id, id) == 0)
			return true;
	return false;
}

static void
plug_everything(void)
{
	fx_add(tb, &fx_roothub);
	fx_add(tb, &fx_promicro_isp);
	fx_add(tb, &fx_usbtiny);
	fx_add(tb, &fx_usbasp);
	fx_add(tb, &fx_buspirate);
	fx_add(tb, &fx_dfu32u4);
	fx_add(tb, &fx_caterina);
	fx_add(tb, &fx_bootloadhid);
	fx_add(tb, &fx_unknown);
	fx_add(tb, &fx_plain_serial);
}

/* --- enumeration under umockdev --------------------------------------------- */

static void
test_enumerate_lists_every_family(void **state)
{
	struct detect_list list;
	const struct detect_device *d;

	(void)state;
	plug_everything();
	enumerate(&list, NULL);

	d = must_find(&list, &fx_promicro_isp);
	assert_int_equal(d->kind, DETECT_KIND_PROGRAMMER);
	assert_true(has_candidate(d, "avrisp-promicro"));
	assert_string_equal(d->port, "/dev/ttyACM0");
	assert_string_equal(d->by_id, "/dev/serial/by-id/usb-QMK_PM0001-if00");
	assert_string_equal(d->serial, "PM0001");
	assert_string_equal(d->manufacturer, "QMK");
	assert_string_equal(d->product, "Pro Micro ISP");
	assert_string_equal(d->driver, "cdc_acm");
	assert_string_equal(d->usb_node, "/dev/bus/usb/001/002");
	assert_int_equal(d->usb_id.vid, 0x16C0);
	assert_int_equal(d->usb_id.pid, 0x0483);
	assert_int_equal(d->busnum, 1);
	assert_int_equal(d->devnum, 2);
	assert_string_equal(d->key, fx_tty_path(&fx_promicro_isp));
	assert_string_equal(d->group, fx_usb_path(&fx_promicro_isp));

	d = must_find(&list, &fx_usbtiny);
	assert_int_equal(d->kind, DETECT_KIND_PROGRAMMER);
	assert_string_equal(d->id, "usbtiny");
	assert_null(d->port);
	assert_null(d->by_id);
	assert_null(d->serial);

	d = must_find(&list, &fx_buspirate);
	assert_string_equal(d->id, "buspirate");
	assert_string_equal(d->port, "/dev/ttyUSB0");
	assert_string_equal(d->driver, "ftdi_sio");

	d = must_find(&list, &fx_dfu32u4);
	assert_int_equal(d->kind, DETECT_KIND_BOOTLOADER);
	assert_string_equal(d->id, "atmel-dfu-atmega32u4");

	d = must_find(&list, &fx_caterina);
	assert_int_equal(d->kind, DETECT_KIND_BOOTLOADER);
	assert_string_equal(d->id, "caterina-promicro16");
	assert_string_equal(d->port, "/dev/ttyACM1");
	assert_null(d->by_id);   /* no serial number, no DEVLINKS */

	d = must_find(&list, &fx_bootloadhid);
	assert_string_equal(d->id, "bootloadhid-atmega32a");
	assert_null(d->port);

	d = must_find(&list, &fx_unknown);
	assert_int_equal(d->kind, DETECT_KIND_UNKNOWN);
	assert_null(d->id);
	assert_string_equal(d->product, "Mystery gadget");

	d = must_find(&list, &fx_plain_serial);
	assert_int_equal(d->kind, DETECT_KIND_SERIAL);
	assert_string_equal(d->port, "/dev/ttyUSB1");

	/* The root hub is listed but flagged, and claims none of the ports
	 * of the devices behind it. */
	d = must_find(&list, &fx_roothub);
	assert_true(d->is_hub);
	assert_null(d->port);
	assert_false(detect_device_is_listed(d, false));
	assert_true(detect_device_is_listed(d, true));
	assert_int_equal(list.n, 10);
	detect_list_free(&list);
}

static void
test_enumerate_ambiguous_usbasp(void **state)
{
	struct detect_list list;
	const struct detect_device *d;

	(void)state;
	fx_add(tb, &fx_usbasp);
	enumerate(&list, NULL);
	assert_int_equal(list.n, 1);
	d = &list.items[0];
	assert_int_equal(d->kind, DETECT_KIND_PROGRAMMER);
	assert_true(d->ambiguous);
	assert_null(d->id);
	assert_true(has_candidate(d, "usbasp"));
	assert_true(has_candidate(d, "usbasploader-atmega32a"));
	assert_non_null(strstr(d->hint, "\"www.fischl.de\" / \"USBasp\""));
	assert_null(d->port);
	assert_true(detect_device_is_listed(d, false));
	detect_list_free(&list);
}

static void
test_enumerate_empty_testbed(void **state)
{
	struct detect_list list;

	(void)state;
	enumerate(&list, NULL);
	assert_int_equal(list.n, 0);
	detect_list_free(&list);
}

static void
test_enumerate_hub_does_not_claim_child_ports(void **state)
{
	static const struct fx_dev hub = {
		.bus = "1-5", .vid = "05e3", .pid = "0608", .prod = "USB2.0 Hub",
		.devnum = 20, .cls = "09", .driver = "hub",
	};
	static const struct fx_dev child = {
		.bus = "1-5.2", .hub = "1-5", .vid = "16c0", .pid = "0483", .mfr = "QMK", .prod = "Pro Micro ISP",
		.serial = "PM0002", .devnum = 21, .cls = "02", .driver = "cdc_acm",
		.tty = "ttyACM3", .tty_minor = 3,
	};
	struct detect_list list;
	const struct detect_device *h, *c;

	(void)state;
	fx_add(tb, &fx_roothub);
	fx_add(tb, &hub);
	fx_add(tb, &child);
	enumerate(&list, NULL);
	h = find_bus(&list, "1-5");
	c = find_bus(&list, "1-5.2");
	assert_non_null(h);
	assert_non_null(c);
	assert_true(h->is_hub);
	assert_null(h->port);
	assert_string_equal(c->port, "/dev/ttyACM3");
	assert_string_equal(c->group, FX_HC "/usb1/1-5/1-5.2");
	assert_int_equal(list.n, 3);
	detect_list_free(&list);
}

static void
test_enumerate_non_usb_uart_needs_verbose(void **state)
{
	static const char uarts[] =
		"P: /devices/platform/serial8250/tty/ttyS0\n"
		"N: ttyS0\nE: DEVNAME=/dev/ttyS0\nE: SUBSYSTEM=tty\n"
		"A: dev=4:64\nA: type=4\n\n"
		"P: /devices/platform/serial8250/tty/ttyS1\n"
		"N: ttyS1\nE: DEVNAME=/dev/ttyS1\nE: SUBSYSTEM=tty\n"
		"A: dev=4:65\nA: type=0\n\n"
		"P: /devices/virtual/tty/tty1\n"
		"N: tty1\nE: DEVNAME=/dev/tty1\nE: SUBSYSTEM=tty\nA: dev=4:1\n\n";
	struct detect_list list;
	GError *gerr = NULL;

	(void)state;
	/* serial8250 needs a device above the ports, like the real one. */
	assert_true(umockdev_testbed_add_from_string(tb,
		"P: /devices/platform/serial8250\nE: SUBSYSTEM=platform\nE: DRIVER=serial8250\n\n",
		&gerr));
	assert_true(umockdev_testbed_add_from_string(tb, uarts, &gerr));
	enumerate(&list, NULL);
	/* ttyS1 has no UART (type 0) and tty1 is a virtual console. */
	assert_int_equal(list.n, 1);
	assert_string_equal(list.items[0].port, "/dev/ttyS0");
	assert_false(list.items[0].is_usb);
	assert_int_equal(list.items[0].kind, DETECT_KIND_SERIAL);
	assert_false(detect_device_is_listed(&list.items[0], false));
	assert_true(detect_device_is_listed(&list.items[0], true));
	detect_list_free(&list);
}

/* --- access ------------------------------------------------------------------- */

/* Run detect_enumerate as an unprivileged user when we are root, since
 * root passes every permission check.  access(2) checks the real uid, so
 * only that changes; the effective uid stays root to change it back. */
static void
enumerate_as_user(struct detect_list *list)
{
	char *root = umockdev_testbed_get_root_dir(tb);
	uid_t ruid = getuid();

	if (ruid == 0) {
		/* The testbed is private to its creator (0700). */
		assert_int_equal(chmod(root, 0755), 0);
		assert_int_equal(setreuid(65534, (uid_t)-1), 0);
	}
	enumerate(list, NULL);
	if (ruid == 0)
		assert_int_equal(setreuid(0, (uid_t)-1), 0);
	g_free(root);
}

/* The file behind a testbed node (a pty for ttys, a plain file else). */
static char *
node_file(const char *devnode)
{
	char *root = umockdev_testbed_get_root_dir(tb);
	char *path = g_strconcat(root, devnode, NULL);

	g_free(root);
	return path;
}

static void
test_inaccessible_usb_programmer(void **state)
{
	struct detect_list list;
	const struct detect_device *d;
	char *file;

	(void)state;
	fx_add(tb, &fx_usbtiny);
	fx_add(tb, &fx_unknown);
	file = node_file("/dev/bus/usb/001/003");
	assert_int_equal(chmod(file, 0), 0);
	g_free(file);
	file = node_file("/dev/bus/usb/001/009");
	assert_int_equal(chmod(file, 0), 0);
	g_free(file);
	enumerate_as_user(&list);
	d = must_find(&list, &fx_usbtiny);
	assert_false(d->accessible);
	assert_non_null(d->problem);
	assert_non_null(strstr(d->problem, "No permission to open /dev/bus/usb/001/003"));
	assert_non_null(strstr(d->problem, "60-ispwiz.rules"));
	assert_non_null(strstr(d->problem, "udevadm control --reload-rules"));
	/* An unknown device is not worth a message, only the flag. */
	d = must_find(&list, &fx_unknown);
	assert_false(d->accessible);
	assert_null(d->problem);
	detect_list_free(&list);
}

static void
test_accessible_device_has_no_problem(void **state)
{
	struct detect_list list;
	const struct detect_device *d;
	char *file;

	(void)state;
	fx_add(tb, &fx_usbtiny);
	file = node_file("/dev/bus/usb/001/003");
	assert_int_equal(chmod(file, 0666), 0);
	g_free(file);
	enumerate_as_user(&list);
	d = must_find(&list, &fx_usbtiny);
	assert_true(d->accessible);
	assert_false(d->busy);
	assert_null(d->problem);
	detect_list_free(&list);
}

static void
test_inaccessible_serial_port_names_its_group(void **state)
{
	struct detect_list list;
	const struct detect_device *d;
	struct group *dialout = getgrnam("dialout");
	char *file;

	(void)state;
	fx_add(tb, &fx_promicro_isp);
	file = node_file("/dev/ttyACM0");
	/* chmod/chown follow the testbed's symlink to its pty. */
	if (dialout != NULL && getuid() == 0)
		assert_int_equal(chown(file, 0, dialout->gr_gid), 0);
	assert_int_equal(chmod(file, 0660), 0);
	g_free(file);
	if (getuid() != 0) {
		/* Our own pty: take the owner's rights away instead. */
		file = node_file("/dev/ttyACM0");
		assert_int_equal(chmod(file, 0), 0);
		g_free(file);
	}
	enumerate_as_user(&list);
	d = must_find(&list, &fx_promicro_isp);
	assert_false(d->accessible);
	assert_non_null(d->problem);
	assert_non_null(strstr(d->problem, "No permission to open /dev/ttyACM0"));
	if (dialout != NULL && getuid() == 0)
		assert_non_null(strstr(d->problem, "usermod -aG dialout"));
	assert_non_null(strstr(d->problem, "60-ispwiz.rules"));
	detect_list_free(&list);
}

static void
test_serial_programmer_without_port(void **state)
{
	static const struct fx_dev no_tty = {
		.bus = "1-1", .vid = "16c0", .pid = "0483", .mfr = "QMK", .prod = "Pro Micro ISP",
		.devnum = 2, .cls = "02",
	};
	struct detect_list list;

	(void)state;
	fx_add(tb, &no_tty);
	enumerate(&list, NULL);
	assert_int_equal(list.n, 1);
	assert_non_null(list.items[0].problem);
	assert_non_null(strstr(list.items[0].problem, "made none"));
	detect_list_free(&list);
}

/* Until the child has exec'd (its name in /proc changes), at most 5 s. */
static void
wait_for_comm(pid_t pid, const char *name)
{
	char path[64], comm[64];

	snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(path, "r");

		comm[0] = '\0';
		if (f != NULL) {
			if (fgets(comm, sizeof comm, f) == NULL)
				comm[0] = '\0';
			fclose(f);
		}
		comm[strcspn(comm, "\n")] = '\0';
		if (strcmp(comm, name) == 0)
			return;
		usleep(10 * 1000);
	}
	fail_msg("process %ld never became '%s'", (long)pid, name);
}

/* A process holding the port: found by scanning the real /proc. */
static void
test_busy_port_names_the_holder(void **state)
{
	struct detect_list list;
	const struct detect_device *d;
	int sync[2];
	pid_t child;
	char c;

	(void)state;
	fx_add(tb, &fx_promicro_isp);
	assert_int_equal(pipe(sync), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* Open the port, then become another program that keeps it
		 * (exec also spares valgrind a leak report from this copy). */
		int fd = open("/dev/ttyACM0", O_RDWR | O_NOCTTY | O_NONBLOCK);

		if (write(sync[1], fd >= 0 ? "y" : "n", 1) != 1)
			_exit(1);
		execlp("sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(read(sync[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	wait_for_comm(child, "sleep");
	enumerate(&list, NULL);
	kill(child, SIGTERM);
	waitpid(child, NULL, 0);
	close(sync[0]);
	close(sync[1]);
	d = must_find(&list, &fx_promicro_isp);
	assert_true(d->busy);
	assert_int_equal(d->busy_pid, child);
	assert_string_equal(d->busy_by, "sleep");
	assert_non_null(strstr(d->problem, "held open by sleep"));
	assert_non_null(strstr(d->problem, "Close that program"));
	/* Busy is not a permission problem. */
	assert_true(d->accessible);
	detect_list_free(&list);
}

static void
test_own_descriptors_are_not_busy(void **state)
{
	struct detect_list list;
	int fd;

	(void)state;
	fx_add(tb, &fx_promicro_isp);
	fd = open("/dev/ttyACM0", O_RDWR | O_NOCTTY | O_NONBLOCK);
	assert_true(fd >= 0);
	enumerate(&list, NULL);
	close(fd);
	assert_false(must_find(&list, &fx_promicro_isp)->busy);
	detect_list_free(&list);
}

/* A fake /proc: pid 4242 named ModemManager, holding `devnode` on fd 7
 * when `holding`. */
static char *
fake_proc(const char *devnode, bool holding)
{
	char *dir = g_dir_make_tmp("detect-proc-XXXXXX", NULL);
	char *pdir = g_build_filename(dir, "4242", "fd", NULL);
	char *comm = g_build_filename(dir, "4242", "comm", NULL);

	assert_non_null(dir);
	assert_int_equal(g_mkdir_with_parents(pdir, 0755), 0);
	assert_true(g_file_set_contents(comm, "ModemManager\n", -1, NULL));
	if (holding) {
		/* A real /proc link points at the node the process opened:
		 * here the pty behind the testbed's node. */
		char *file = node_file(devnode);
		char *pty = g_file_read_link(file, NULL);
		char *link = g_build_filename(pdir, "7", NULL);

		assert_non_null(pty);
		assert_int_equal(symlink(pty, link), 0);
		g_free(file);
		g_free(pty);
		g_free(link);
	}
	g_free(pdir);
	g_free(comm);
	return dir;
}

static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void
rm_rf(const char *dir)
{
	assert_int_equal(nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_modemmanager_holding_the_port(void **state)
{
	struct detect_list list;
	const struct detect_device *d;
	char *proc;
	struct detect_config cfg = { .proc_dir = NULL };

	(void)state;
	fx_add(tb, &fx_caterina);
	proc = fake_proc("/dev/ttyACM1", true);
	cfg.proc_dir = proc;
	enumerate(&list, &cfg);
	d = must_find(&list, &fx_caterina);
	assert_true(d->busy);
	assert_int_equal(d->busy_pid, 4242);
	assert_string_equal(d->busy_by, "ModemManager");
	assert_non_null(strstr(d->problem, "held open by ModemManager (pid 4242)"));
	assert_non_null(strstr(d->problem, "ID_MM_DEVICE_IGNORE"));
	assert_non_null(strstr(d->problem, "systemctl stop ModemManager"));
	detect_list_free(&list);
	rm_rf(proc);
	g_free(proc);
}

/* identity_only (a station lane's serial lookup): the same device and
 * serial number, without the access check's scan of every process. */
static void
test_identity_only_skips_the_access_check(void **state)
{
	struct detect_list list;
	const struct detect_device *d;
	char *proc;
	struct detect_config cfg = { .proc_dir = NULL, .identity_only = true };

	(void)state;
	fx_add(tb, &fx_caterina);
	proc = fake_proc("/dev/ttyACM1", true);
	cfg.proc_dir = proc;
	enumerate(&list, &cfg);
	d = must_find(&list, &fx_caterina);
	assert_string_equal(d->port, "/dev/ttyACM1");
	assert_false(d->busy);
	assert_null(d->busy_by);
	assert_null(d->problem);
	detect_list_free(&list);
	rm_rf(proc);
	g_free(proc);
}

static void
test_modemmanager_running_warns_about_cdc_acm(void **state)
{
	static const struct fx_dev ignored = {
		.bus = "1-2", .vid = "2341", .pid = "0036", .mfr = "Arduino LLC", .prod = "Arduino Leonardo",
		.devnum = 3, .cls = "02", .driver = "cdc_acm", .tty = "ttyACM2", .tty_minor = 2,
		.tty_props = "E: ID_MM_DEVICE_IGNORE=1\n",
	};
	struct detect_list list;
	const struct detect_device *d;
	struct detect_config cfg = { .proc_dir = NULL };
	char *proc;

	(void)state;
	fx_add(tb, &fx_promicro_isp);
	fx_add(tb, &ignored);
	fx_add(tb, &fx_buspirate);
	proc = fake_proc(NULL, false);
	cfg.proc_dir = proc;
	enumerate(&list, &cfg);
	d = must_find(&list, &fx_promicro_isp);
	assert_false(d->busy);
	assert_non_null(d->problem);
	assert_non_null(strstr(d->problem, "ModemManager (pid 4242) is running"));
	/* Marked for ModemManager to ignore: nothing to say. */
	d = must_find(&list, &ignored);
	assert_true(d->mm_ignore);
	assert_null(d->problem);
	/* FTDI ports are not CDC ACM: ModemManager leaves them alone by default. */
	assert_null(must_find(&list, &fx_buspirate)->problem);
	detect_list_free(&list);
	rm_rf(proc);
	g_free(proc);
}

static void
test_device_copy_is_deep(void **state)
{
	struct detect_list list;
	struct detect_device copy;

	(void)state;
	fx_add(tb, &fx_promicro_isp);
	enumerate(&list, NULL);
	assert_true(detect_device_copy(&copy, &list.items[0]));
	assert_true(detect_device_same(&copy, &list.items[0]));
	assert_ptr_not_equal(copy.port, list.items[0].port);
	detect_list_free(&list);
	/* Still readable after the original is gone. */
	assert_string_equal(copy.port, "/dev/ttyACM0");
	assert_string_equal(copy.candidates[0].id, "avrisp-promicro");
	detect_device_clear(&copy);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enumerate_lists_every_family, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enumerate_ambiguous_usbasp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enumerate_empty_testbed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enumerate_hub_does_not_claim_child_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enumerate_non_usb_uart_needs_verbose, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inaccessible_usb_programmer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accessible_device_has_no_problem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inaccessible_serial_port_names_its_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serial_programmer_without_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_port_names_the_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_descriptors_are_not_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modemmanager_holding_the_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_only_skips_the_access_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modemmanager_running_warns_about_cdc_acm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_copy_is_deep, setup, teardown),
	};

	fx_require_umockdev();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
