/*
 * cmd-detect.c - `ispwiz detect [--json] [--watch]`: what is plugged in and
 * what ispwiz recognises it as; with --watch, one line per device that
 * arrives or leaves until interrupted.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/json-util.h"
#include "detect/detect.h"
#include "detect/hotplug.h"

#define WIDTH 80

/* --- JSON ------------------------------------------------------------------- */

static json_t *
candidates_json(const struct detect_device *d)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < d->n_candidates; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}",
			"kind", detect_kind_name(d->candidates[i].kind),
			"id", d->candidates[i].id,
			"name", d->candidates[i].name));
	return arr;
}

/* One device; `event` is NULL in a plain listing. */
static json_t *
device_json(const struct detect_device *d, const char *event, bool initial)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (event != NULL) {
		json_object_set_new(o, "event", json_string(event));
		if (initial)
			json_object_set_new(o, "initial", json_true());
	}
	json_object_set_new(o, "kind", json_string(detect_kind_name(d->kind)));
	json_object_set_new(o, "id", json_string_or_null(d->id));
	json_object_set_new(o, "ambiguous", json_boolean(d->ambiguous));
	json_object_set_new(o, "candidates", candidates_json(d));
	json_object_set_new(o, "family", json_string_or_null(d->family));
	json_object_set_new(o, "hint", json_string_or_null(d->hint));
	json_object_set_new(o, "usb_id", d->is_usb ? json_usb_id(d->usb_id) : json_null());
	json_object_set_new(o, "port", json_string_or_null(d->port));
	json_object_set_new(o, "by_id", json_string_or_null(d->by_id));
	json_object_set_new(o, "bus_path", json_string_or_null(d->bus_path));
	json_object_set_new(o, "usb_node", json_string_or_null(d->usb_node));
	json_object_set_new(o, "serial", json_string_or_null(d->serial));
	json_object_set_new(o, "manufacturer", json_string_or_null(d->manufacturer));
	json_object_set_new(o, "product", json_string_or_null(d->product));
	json_object_set_new(o, "driver", json_string_or_null(d->driver));
	json_object_set_new(o, "accessible", json_boolean(d->accessible));
	json_object_set_new(o, "busy", json_boolean(d->busy));
	json_object_set_new(o, "busy_by", d->busy ? json_pack("{s:I, s:s?}",
				"pid", (json_int_t)d->busy_pid, "name", d->busy_by) : json_null());
	json_object_set_new(o, "problem", json_string_or_null(d->problem));
	return o;
}

static int
print_json_list(const struct detect_list *list, bool verbose)
{
	json_t *arr = json_array();

	if (arr == NULL)
		return -1;
	for (size_t i = 0; i < list->n; i++)
		if (detect_device_is_listed(&list->items[i], verbose))
			json_array_append_new(arr, device_json(&list->items[i], NULL, false));
	return json_print_document(arr, stdout);
}

/* --- text -------------------------------------------------------------------- */

static const char *
or_dash(const char *s)
{
	return s != NULL ? s : "-";
}

/* "programmer", or "programmer?" when the ID fits more than one entry. */
static void
kind_text(const struct detect_device *d, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", detect_kind_name(d->kind), d->ambiguous ? "?" : "");
}

static void
id_text(const struct detect_device *d, char *buf, size_t len)
{
	if (d->id != NULL)
		snprintf(buf, len, "%s", d->id);
	else if (d->n_candidates > 1)
		snprintf(buf, len, "(%zu candidates)", d->n_candidates);
	else
		snprintf(buf, len, "-");
}

static void
usb_text(const struct detect_device *d, char *buf, size_t len)
{
	if (d->is_usb)
		snprintf(buf, len, "%04X:%04X", d->usb_id.vid, d->usb_id.pid);
	else
		snprintf(buf, len, "-");
}

/* Print `label` then `text` wrapped at WIDTH, continuation lines indented
 * under the text. */
static void
print_wrapped(FILE *out, const char *label, const char *text)
{
	size_t indent = 2 + strlen(label);
	size_t col = indent;
	const char *p = text;

	fprintf(out, "  %s", label);
	while (*p != '\0') {
		size_t word = strcspn(p, " ");

		if (col > indent && col + 1 + word > WIDTH) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)word, p);
		col += word;
		p += word;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

static void
print_details(FILE *out, const struct detect_device *d)
{
	char line[512];
	size_t n = 0;

	line[0] = '\0';
	if (d->manufacturer != NULL)
		n += (size_t)snprintf(line + n, sizeof line - n, "%s ", d->manufacturer);
	if (d->product != NULL && n < sizeof line)
		n += (size_t)snprintf(line + n, sizeof line - n, "\"%s\" ", d->product);
	if (d->serial != NULL && n < sizeof line)
		n += (size_t)snprintf(line + n, sizeof line - n, "serial %s", d->serial);
	if (line[0] != '\0')
		print_wrapped(out, "", line);
	if (d->by_id != NULL)
		print_wrapped(out, "by-id: ", d->by_id);
	if (d->ambiguous) {
		n = 0;
		line[0] = '\0';
		for (size_t i = 0; i < d->n_candidates && n < sizeof line; i++)
			n += (size_t)snprintf(line + n, sizeof line - n, "%s%s (%s)",
					      i > 0 ? ", " : "", d->candidates[i].id,
					      detect_kind_name(d->candidates[i].kind));
		print_wrapped(out, "could be: ", line);
	}
	if (d->hint != NULL)
		print_wrapped(out, "note: ", d->hint);
	if (d->problem != NULL)
		print_wrapped(out, "problem: ", d->problem);
}

static void
print_table(const struct detect_list *list, bool verbose)
{
	int wk = (int)strlen("KIND"), wi = (int)strlen("ID"), wp = (int)strlen("PORT");
	char kind[32], id[64], usb[16];
	size_t shown = 0;

	for (size_t i = 0; i < list->n; i++) {
		const struct detect_device *d = &list->items[i];

		if (!detect_device_is_listed(d, verbose))
			continue;
		kind_text(d, kind, sizeof kind);
		id_text(d, id, sizeof id);
		if ((int)strlen(kind) > wk)
			wk = (int)strlen(kind);
		if ((int)strlen(id) > wi)
			wi = (int)strlen(id);
		if ((int)strlen(or_dash(d->port)) > wp)
			wp = (int)strlen(or_dash(d->port));
		shown++;
	}
	if (shown == 0) {
		printf("No programmers, bootloaders or USB serial ports found.\n"
		       "Plug one in, or run `ispwiz detect --watch` and watch it arrive.\n");
		return;
	}
	printf("%-*s  %-*s  %-9s  %-*s  %s\n", wk, "KIND", wi, "ID", "USB ID", wp, "PORT", "BUS");
	for (size_t i = 0, row = 0; i < list->n; i++) {
		const struct detect_device *d = &list->items[i];

		if (!detect_device_is_listed(d, verbose))
			continue;
		if (row++ > 0)
			putchar('\n');
		kind_text(d, kind, sizeof kind);
		id_text(d, id, sizeof id);
		usb_text(d, usb, sizeof usb);
		printf("%-*s  %-*s  %-9s  %-*s  %s\n", wk, kind, wi, id, usb, wp,
		       or_dash(d->port), or_dash(d->bus_path));
		print_details(stdout, d);
	}
}

/* One line per event: time, what happened, and the table's columns. */
static void
print_event_line(const char *event, const struct detect_device *d)
{
	char kind[32], id[64], usb[16], stamp[16];
	time_t now = time(NULL);
	struct tm tm;

	kind_text(d, kind, sizeof kind);
	id_text(d, id, sizeof id);
	usb_text(d, usb, sizeof usb);
	if (localtime_r(&now, &tm) == NULL || strftime(stamp, sizeof stamp, "%H:%M:%S", &tm) == 0)
		snprintf(stamp, sizeof stamp, "--:--:--");
	/* Fits 80 columns for the usual names (ttyACM0, 1-1.4). */
	printf("%s %-6s %-11s %-20s %-9s %-12s %s%s\n", stamp, event, kind, id, usb,
	       or_dash(d->port), or_dash(d->bus_path),
	       d->busy ? " [busy]" : !d->accessible && d->problem != NULL ? " [no access]" : "");
}

/* --- --watch ---------------------------------------------------------------- */

static volatile sig_atomic_t stop_requested;

static void
on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct watch_ctx {
	bool json;
	bool verbose;
	bool write_failed;
};

static void
emit(struct watch_ctx *w, const char *event, const struct detect_device *d, bool initial)
{
	if (!detect_device_is_listed(d, w->verbose))
		return;
	if (w->json) {
		if (json_print_event(device_json(d, event, initial), stdout) != 0)
			w->write_failed = true;
	} else {
		print_event_line(event, d);
		if (fflush(stdout) != 0)
			w->write_failed = true;
	}
}

static void
on_event(const struct hotplug_event *ev, void *user)
{
	emit(user, ev->action == HOTPLUG_ADD ? "add" : "remove", ev->dev, false);
}

static int
watch(struct session *ctx, const struct catalog *cat)
{
	struct watch_ctx w = { .json = ctx->json, .verbose = ctx->verbose > 0 };
	struct sigaction sa;
	sigset_t block, orig, during_wait;
	struct iw_error err;
	struct hotplug *h;
	const struct detect_list *now;
	int rc = 0;

	/* SIGINT/SIGTERM stay blocked except inside ppoll(), so a signal can
	 * never slip in between checking the flag and going to sleep. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	during_wait = orig;
	sigdelset(&during_wait, SIGINT);
	sigdelset(&during_wait, SIGTERM);

	iw_error_clear(&err);
	h = hotplug_new(cat, NULL, &err);
	if (h == NULL) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	now = hotplug_devices(h);
	if (w.json) {
		for (size_t i = 0; i < now->n; i++)
			emit(&w, "add", &now->items[i], true);
	} else {
		print_table(now, w.verbose);
		printf("\nWatching for devices; press Ctrl-C to stop.\n");
		fflush(stdout);
	}
	while (!stop_requested && !w.write_failed) {
		struct pollfd pfd = { .fd = hotplug_fd(h), .events = POLLIN };
		int t = hotplug_timeout_ms(h);
		struct timespec ts = { .tv_sec = t / 1000, .tv_nsec = (long)(t % 1000) * 1000000L };

		if (ppoll(&pfd, 1, t < 0 ? NULL : &ts, &during_wait) < 0 && errno != EINTR) {
			iw_error_set(&err, IW_IO, "watching for devices: %s", strerror(errno));
			rc = cli_fail(ctx, &err);
			break;
		}
		if (stop_requested)
			break;
		if (hotplug_dispatch(h, on_event, &w, &err) != IW_OK) {
			rc = cli_fail(ctx, &err);
			break;
		}
	}
	if (w.write_failed && rc == 0)
		rc = iw_status_exit_code(IW_IO);
	hotplug_free(h);
out:
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return rc;
}

/* --- the command ---------------------------------------------------------- */

static int
run_detect(struct session *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "watch", no_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	bool watching = false;
	const struct catalog *cat;
	struct detect_list list;
	struct iw_error err;
	int c, rc = 0;

	struct cli_getopt g = { .ctx = ctx, .cmd = &cmd_detect, .shortopts = "+w",
				.longopts = longopts, .prefix = "detect" };

	while ((c = cli_getopt(&g, argc, argv)) >= 0) {
		switch (c) {
		case 'w':
			watching = true;
			break;
		case 'j':
			ctx->json = true;
			break;
		}
	}
	if (c == CLI_GETOPT_ERROR)
		return g.rc;
	if (optind < argc)
		return cli_usage_error(ctx, &cmd_detect, "detect takes no arguments, got '%s'",
				       argv[optind]);
	cat = cli_catalog(ctx);
	if (cat == NULL)
		return iw_status_exit_code(IW_CATALOG);
	if (watching)
		return watch(ctx, cat);

	detect_list_init(&list);
	iw_error_clear(&err);
	if (detect_enumerate(cat, NULL, &list, &err) != IW_OK) {
		rc = cli_fail(ctx, &err);
	} else if (ctx->json) {
		if (print_json_list(&list, ctx->verbose > 0) != 0)
			rc = iw_status_exit_code(IW_IO);
	} else {
		print_table(&list, ctx->verbose > 0);
		if (fflush(stdout) != 0)
			rc = iw_status_exit_code(IW_IO);
	}
	detect_list_free(&list);
	return rc;
}

const struct cli_command cmd_detect = {
	.name = "detect",
	.usage = "detect [--json] [--watch]",
	.summary = "list attached programmers, bootloaders and serial ports; --watch follows plugging",
	.run = run_detect,
};
