/*
 * tui-run.c - the wizard's life cycle: options, the terminal, signals, and
 * the one poll() loop over stdin, the job's event fd, the device monitor
 * and a self-pipe for signals.
 *
 * The loop never spins: it sleeps in poll() until a key, a job event, a
 * device event, a signal or a deadline (hotplug debounce, the demo's
 * timers, a screen timer, a postponed redraw) wakes it.  Redraws are
 * coalesced to at most ~30 a second, so a fast job cannot flood the
 * terminal, and keys are read between redraws, so they are answered within
 * a frame even while flashing.
 *
 * The terminal is restored on every way out: the normal end, a failed job,
 * SIGINT/SIGTERM/SIGHUP (they come through the self-pipe and end the
 * session the normal way, stopping a running job at a safe point first),
 * exit() anywhere (atexit), and crashes (a last-resort endwin before the
 * default action).
 */
#include "tui/tui-int.h"
#include "core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct tui_screen *const screens[] = {
	&tui_screen_welcome,
	&tui_screen_programmer,
	&tui_screen_firmware,
	&tui_screen_wiring,
	&tui_screen_port,
	&tui_screen_target,
	&tui_screen_bootloader,
	&tui_screen_production,
	&tui_screen_review,
	&tui_screen_flash,
	&tui_screen_done,
	&tui_screen_keyboard,
};

/* File-scope state on purpose (the only other is tui-colors.c's colour
 * mode): a signal handler and an atexit() function are called with no
 * pointer to any session, so what they touch must be here.  It is the
 * process's, not a session's: signals and the controlling terminal are one
 * per process.  The handler only writes the signal number into the pipe;
 * the loop reads it and acts on its own session. */
static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t curses_active;

/* --- signals and the terminal --------------------------------------------------- */

static void
on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	if (write(sig_pipe[1], &c, 1) < 0) {
		/* The pipe is full of earlier signals: this one adds nothing. */
	}
	errno = saved;
}

static void
on_crash(int sig)
{
	/* Not async-signal-safe, but the process is dying anyway and a
	 * terminal left in raw mode is the worse outcome (htop does the same). */
	if (curses_active)
		endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
restore_terminal(void)
{
	if (curses_active) {
		curses_active = 0;
		endwin();
	}
}

static bool
install_signals(struct iw_error *err)
{
	static const int polite[] = { SIGINT, SIGTERM, SIGHUP };
	static const int crashes[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		iw_error_set(err, IW_IO, "cannot create a pipe for signals: %s", strerror(errno));
		return false;
	}
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;     /* no SA_RESTART: poll() must wake */
	for (size_t i = 0; i < sizeof polite / sizeof polite[0]; i++)
		sigaction(polite[i], &sa, NULL);
	sa.sa_handler = on_crash;
	for (size_t i = 0; i < sizeof crashes / sizeof crashes[0]; i++)
		sigaction(crashes[i], &sa, NULL);
	atexit(restore_terminal);
	return true;
}

static void
reset_signals(void)
{
	static const int all[] = { SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGFPE,
				   SIGILL, SIGABRT };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		signal(all[i], SIG_DFL);
	for (int i = 0; i < 2; i++)
		if (sig_pipe[i] >= 0) {
			close(sig_pipe[i]);
			sig_pipe[i] = -1;
		}
}

static void
handle_signal(struct tui *t, int sig)
{
	tui_log(t, "signal %d (%s)", sig, strsignal(sig));
	if (t->exit_code == 0)
		t->exit_code = 128 + sig;
	if (tui_job_running(t)) {
		/* Never leave the chip half-written when it can be avoided:
		 * stop at the next safe point, then go. */
		tui_job_cancel(t);
		t->quit_after_job = true;
		tui_message(t, TUI_ROLE_WARNING, "Stopping at the next safe point, then quitting...");
		return;
	}
	t->quit = true;
}

/* --- events ---------------------------------------------------------------------- */

static void
log_job_event(const struct tui *t, const struct job_event *ev)
{
	switch (ev->kind) {
	case JOB_EVENT_PHASE:
		tui_log(t, "job: %s%s", job_phase_title(ev->phase), ev->total > 0 ? " ..." : "");
		break;
	case JOB_EVENT_PROGRESS:
		if (ev->total > 0 && ev->done == ev->total)
			tui_log(t, "job: %s: %u bytes, %.0f bytes/s", job_phase_name(ev->phase),
				ev->done, ev->rate);
		break;
	case JOB_EVENT_INFO:
		tui_log(t, "job: %s", ev->message);
		break;
	case JOB_EVENT_WARNING:
		tui_log(t, "job: warning: %s", ev->message);
		break;
	case JOB_EVENT_DONE:
		tui_log(t, "job: done (%s): %s", iw_status_name(ev->status), ev->message);
		break;
	}
}

static void
pump_job(struct tui *t)
{
	struct tui_event te;
	struct job_event ev;

	while (t->job != NULL && job_next_event(t->job, &ev)) {
		memset(&te, 0, sizeof te);
		te.kind = TUI_EV_JOB;
		te.job = &ev;
		log_job_event(t, &ev);
		if (tui_current(t)->event != NULL)
			tui_current(t)->event(t, &te);
		t->dirty = true;
		if (ev.kind != JOB_EVENT_DONE)
			continue;
		job_join(t->job, t->job_dest);
		job_free(t->job);
		t->job = NULL;
		te.kind = TUI_EV_JOB_DONE;
		te.job = NULL;
		if (tui_current(t)->event != NULL)
			tui_current(t)->event(t, &te);
		if (t->quit_after_job)
			t->quit = true;
	}
}

static void
on_device(const struct hotplug_event *ev, void *user)
{
	struct tui *t = user;
	struct tui_event te;
	char id[10];

	tui_log(t, "device %s: %s %s (%s)", ev->action == HOTPLUG_ADD ? "added" : "removed",
		catalog_usb_id_str(ev->dev->usb_id, id),
		ev->dev->product != NULL ? ev->dev->product : "",
		ev->dev->port != NULL ? ev->dev->port : "no port");
	memset(&te, 0, sizeof te);
	te.kind = TUI_EV_DEVICE;
	te.device = ev;
	if (tui_current(t)->event != NULL)
		tui_current(t)->event(t, &te);
	t->dirty = true;
}

struct tui_source *
tui_get_source(struct tui *t)
{
	struct iw_error err;

	if (t->source != NULL)
		return t->source;
	iw_error_clear(&err);
	if (t->opt->demo)
		t->source = tui_source_new_demo(t->cat, catalog_find_programmer(t->cat,
						DEMO_PROGRAMMER), 1000);
	else
		t->source = tui_source_new_real(t->cat, &err);
	if (t->source == NULL)
		tui_message(t, TUI_ROLE_ERROR, "No live device list: %s",
			    err.msg[0] != '\0' ? err.msg : "out of memory");
	return t->source;
}

/* --- the loop ------------------------------------------------------------------------ */

static int
min_timeout(int a, long long b)
{
	if (b < 0)
		return a;
	if (b > 60000)
		b = 60000;
	return a < 0 || b < a ? (int)b : a;
}

static void
loop(struct tui *t, WINDOW *input)
{
	bool tty_gone = false;   /* stdin hung up: stop polling it */

	while (!t->quit) {
		struct pollfd pfd[4];
		nfds_t n = 0;
		long long now = (long long)iw_clock_ms();
		int timeout = -1, ch;
		struct iw_error err;

		if (t->dirty && now - t->last_draw_ms >= TUI_REDRAW_MS)
			tui_draw(t);
		if (t->dirty)
			timeout = min_timeout(timeout, t->last_draw_ms + TUI_REDRAW_MS - now);
		if (t->source != NULL)
			timeout = min_timeout(timeout, tui_source_timeout_ms(t->source));
		if (t->timer_at_ms != 0)
			timeout = min_timeout(timeout, t->timer_at_ms > now ? t->timer_at_ms - now : 0);

		pfd[n++] = (struct pollfd){ tty_gone ? -1 : STDIN_FILENO, POLLIN, 0 };
		pfd[n++] = (struct pollfd){ sig_pipe[0], POLLIN, 0 };
		if (t->job != NULL)
			pfd[n++] = (struct pollfd){ job_event_fd(t->job), POLLIN, 0 };
		if (t->source != NULL && tui_source_fd(t->source) >= 0)
			pfd[n++] = (struct pollfd){ tui_source_fd(t->source), POLLIN, 0 };
		if (poll(pfd, n, timeout) < 0 && errno != EINTR)
			break;

		if (pfd[1].revents & POLLIN) {
			unsigned char sigs[16];
			ssize_t k = read(sig_pipe[0], sigs, sizeof sigs);

			for (ssize_t i = 0; i < k; i++)
				handle_signal(t, sigs[i]);
		}
		pump_job(t);
		if (t->source != NULL) {
			iw_error_clear(&err);
			if (tui_source_dispatch(t->source, on_device, t, &err) != IW_OK)
				tui_message(t, TUI_ROLE_ERROR, "device monitor: %s", err.msg);
		}
		if (t->timer_at_ms != 0 && (long long)iw_clock_ms() >= t->timer_at_ms) {
			struct tui_event te = { .kind = TUI_EV_TIMER };

			t->timer_at_ms = 0;
			if (tui_current(t)->event != NULL)
				tui_current(t)->event(t, &te);
			t->dirty = true;
		}
		/* Drain every key, also after a wake-up that was not stdin:
		 * a resize arrives as KEY_RESIZE from the signal ncurses took. */
		while (!t->quit && (ch = wgetch(input)) != ERR)
			tui_key(t, ch);
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			tui_log(t, "the terminal went away");
			tty_gone = true;
			handle_signal(t, SIGHUP);
		}
	}
}

/* --- start and end ---------------------------------------------------------------------- */

static void
teardown(struct tui *t)
{
	if (t->job != NULL) {
		job_cancel(t->job);
		job_free(t->job);
		t->job = NULL;
	}
	if (tui_current(t)->leave != NULL)
		tui_current(t)->leave(t);
	if (t->help_panel != NULL)
		del_panel(t->help_panel);
	if (t->ask_panel != NULL)
		del_panel(t->ask_panel);
	if (t->help_win != NULL)
		delwin(t->help_win);
	if (t->ask_win != NULL)
		delwin(t->ask_win);
	tui_source_free(t->source);
	detect_device_clear(&t->port_dev);
	hex_image_free(t->image);
	t->image = NULL;
}

/* What stays in the scrollback after the screen is gone. */
static void
summary(const struct tui *t)
{
	const struct job_result *r = t->result;

	if (!t->flashed || r == NULL)
		return;
	if (t->put_back)
		printf("ispwiz: the backup was put back on the %s and verified",
		       catalog_part_label(t->part));
	else if (r->status == IW_OK)
		printf("ispwiz: %s flashed and verified", catalog_part_label(t->part));
	else
		printf("ispwiz: flashing failed: %s", r->error.msg);
	/* The first backup of the job is what the chip held before; a later
	 * one (a retry's) is of a half-written chip and is called so. */
	if (t->first_backup_hex[0] != '\0')
		printf("; backup of the previous contents: %s%s", t->first_backup_hex,
		       t->demo != NULL ? " (demo: removed on exit)" : "");
	if (t->later_backup[0] != '\0')
		printf("; later backup, of the chip as a retry found it: %s", t->later_backup);
	printf("\n");
}

int
tui_run(const struct tui_options *opt)
{
	struct tui t;
	struct iw_error err;
	WINDOW *input;
	int code;

	memset(&t, 0, sizeof t);
	t.opt = opt;
	t.cat = opt->catalog;
	t.screens = screens;
	t.n_screens = sizeof screens / sizeof screens[0];
	iw_error_clear(&err);
	t.probe = calloc(1, sizeof *t.probe);
	t.result = calloc(1, sizeof *t.result);
	if (t.probe == NULL || t.result == NULL || !tui_screens_alloc(&t)) {
		fprintf(stderr, "%s: out of memory\n", opt->argv0);
		code = iw_status_exit_code(IW_NOMEM);
		goto out;
	}
	if (!tui_log_open(&t, opt->log_path, &err) ||
	    (opt->demo && (t.demo = demo_new(t.cat, opt->demo_slow, &err)) == NULL) ||
	    !install_signals(&err)) {
		fprintf(stderr, "%s: %s\n", opt->argv0, err.msg);
		code = iw_status_exit_code(err.code);
		goto out;
	}
	tui_log(&t, "wizard started%s", opt->demo ? " (demo)" : "");

	/* ncursesw draws lines and non-ASCII text from the catalog only with
	 * the user's character set; numbers keep the C locale so figures and
	 * logs read the same everywhere. */
	setlocale(LC_CTYPE, "");
	if (initscr() == NULL) {
		fprintf(stderr, "%s: cannot start the terminal UI (is TERM set?)\n", opt->argv0);
		code = iw_status_exit_code(IW_FAILED);
		goto out;
	}
	curses_active = 1;
	cbreak();
	noecho();
	set_escdelay(25);            /* Esc is "back": answer it at once */
	tui_colors_init(!opt->no_color);
	input = newwin(1, 1, 0, 0);
	keypad(input, TRUE);
	nodelay(input, TRUE);
	wnoutrefresh(input);         /* untouched from now on: wgetch never repaints it */
	tui_log(&t, "terminal %s, %dx%d, %s", termname(), COLS, LINES,
		tui_colors_enabled() ? "colour" : "monochrome");

	t.too_small = LINES < TUI_MIN_LINES || COLS < TUI_MIN_COLS;
	if (screens[0]->enter != NULL)
		screens[0]->enter(&t);
	if (!t.too_small && screens[0]->layout != NULL)
		screens[0]->layout(&t);
	t.dirty = true;
	loop(&t, input);

	teardown(&t);
	delwin(input);
	restore_terminal();
	code = t.exit_code;
	if (code == 0 && t.flashed && t.result->status != IW_OK)
		code = iw_status_exit_code(t.result->status);
	summary(&t);
	tui_log(&t, "wizard ended, exit code %d", code);
out:
	tui_screens_free(&t);
	free(t.probe);
	free(t.result);
	reset_signals();
	demo_free(t.demo);
	tui_log_close(&t);
	return code;
}
