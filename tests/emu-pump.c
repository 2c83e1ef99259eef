/*
 * emu-pump.c - moves bytes between the pty and the emulator, paced as a
 * real link of a given baud rate when asked, and passes the modem-line
 * changes the shim reports on to the emulator.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "emu-runner.h"

/* Shim event record, as tests/serial-shim.c writes it. */
struct shim_event {
	char magic[2];
	uint16_t pad;
	uint32_t lines;
};

static int
tq_push(struct timed_queue *q, const uint8_t *b, size_t n, uint64_t start, uint64_t step,
	uint64_t *last)
{
	if (q->head + q->len + n > q->cap) {
		size_t cap;

		if (q->len && q->head) {
			memmove(q->b, q->b + q->head, q->len);
			memmove(q->due, q->due + q->head, q->len * sizeof(*q->due));
		}
		q->head = 0;
		cap = q->cap ? q->cap : 1024;
		while (cap < q->len + n)
			cap *= 2;
		if (cap != q->cap) {
			uint8_t *nb = realloc(q->b, cap);
			uint64_t *nd;

			if (!nb)
				return -1;
			q->b = nb;
			nd = realloc(q->due, cap * sizeof(*nd));
			if (!nd)
				return -1;
			q->due = nd;
			q->cap = cap;
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t t = (*last > start ? *last : start) + step;

		q->b[q->head + q->len] = b[i];
		q->due[q->head + q->len] = t;
		q->len++;
		*last = t;
	}
	return 0;
}

static size_t
tq_ready(const struct timed_queue *q, uint64_t now)
{
	size_t n = 0;

	while (n < q->len && q->due[q->head + n] <= now)
		n++;
	return n;
}

static void
tq_pop(struct timed_queue *q, size_t n)
{
	q->head += n;
	q->len -= n;
	if (!q->len)
		q->head = 0;
}

static void
tq_free(struct timed_queue *q)
{
	free(q->b);
	free(q->due);
}

static uint32_t
speed_value(speed_t s)
{
	static const struct { speed_t s; uint32_t v; } map[] = {
		{ B1200, 1200 }, { B2400, 2400 }, { B4800, 4800 }, { B9600, 9600 },
		{ B19200, 19200 }, { B38400, 38400 }, { B57600, 57600 },
		{ B115200, 115200 }, { B230400, 230400 }, { B460800, 460800 },
		{ B500000, 500000 }, { B921600, 921600 }, { B1000000, 1000000 },
		{ B2000000, 2000000 },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].s == s)
			return map[i].v;
	return 0;
}

static void
trace_bytes(FILE *tr, char dir, const uint8_t *b, size_t n, uint64_t t0)
{
	if (!tr || !n)
		return;
	fprintf(tr, "%10.3f %c", (double)(iw_clock_ns() - t0) / 1e6, dir);
	for (size_t i = 0; i < n; i++)
		fprintf(tr, " %02X", b[i]);
	fputc('\n', tr);
}

/* The baud the client set on the link's tty (termios ioctls on a pty
 * master act on the slave). */
static void
refresh_baud(struct pump_link *l)
{
	struct termios tio;

	if (l->master >= 0 && tcgetattr(l->master, &tio) == 0)
		emu_set_host_baud(l->e, speed_value(cfgetospeed(&tio)));
}

static void
pump_events(struct pump *p)
{
	struct shim_event ev;

	/* The shim keeps one line state per process and does not say which
	 * port it is about: every port hears it, each with its own baud. */
	while (read(p->events, &ev, sizeof(ev)) == (ssize_t)sizeof(ev)) {
		bool dtr = (ev.lines & TIOCM_DTR) != 0, rts = (ev.lines & TIOCM_RTS) != 0;

		if (ev.magic[0] != 'M' || ev.magic[1] != 'L')
			continue;
		for (size_t i = 0; i < EMURUN_MAX_LINKS; i++) {
			struct pump_link *l = &p->links[i];

			if (!l->used || l->master < 0)
				continue;
			refresh_baud(l);
			emu_set_lines(l->e, dtr, rts);
		}
		if (p->trace)
			fprintf(p->trace, "%10.3f lines DTR=%d RTS=%d\n",
				(double)(iw_clock_ns() - p->t0) / 1e6, dtr, rts);
	}
}

void
emurun_pump_add_emu(struct pump *p, struct emu *e)
{
	for (size_t i = 0; i < p->n_emus; i++)
		if (p->emus[i] == e)
			return;
	if (p->n_emus < EMURUN_MAX_LINKS)
		p->emus[p->n_emus++] = e;
}

struct pump_link *
emurun_pump_attach(struct pump *p, int master, struct emu *e, const char *name)
{
	for (size_t i = 0; i < EMURUN_MAX_LINKS; i++) {
		struct pump_link *l = &p->links[i];

		if (l->used)
			continue;
		tq_free(&l->rx);
		tq_free(&l->tx);
		memset(l, 0, sizeof(*l));
		l->used = true;
		l->master = master;
		l->e = e;
		l->name = name;
		emurun_pump_add_emu(p, e);
		if (p->trace)
			fprintf(p->trace, "%10.3f plugged %s\n",
				(double)(iw_clock_ns() - p->t0) / 1e6, name ? name : "?");
		return l;
	}
	return NULL;
}

void
emurun_pump_detach(struct pump *p, struct pump_link *l)
{
	if (l == NULL || !l->used)
		return;
	if (p->trace)
		fprintf(p->trace, "%10.3f unplugged %s\n",
			(double)(iw_clock_ns() - p->t0) / 1e6, l->name ? l->name : "?");
	tq_free(&l->rx);
	tq_free(&l->tx);
	memset(l, 0, sizeof(*l));
	l->master = -1;
}

static void
link_closed(struct pump_link *l)
{
	l->connected = false;
	/* pending output to a closed port is lost */
	tq_pop(&l->tx, l->tx.len);
	refresh_baud(l);
	emu_port_closed(l->e);
}

/* Read what the client wrote; -1 when out of memory. */
static int
link_read(struct pump *p, struct pump_link *l, uint64_t now)
{
	uint8_t buf[4096];
	ssize_t n = read(l->master, buf, sizeof(buf));

	refresh_baud(l);
	if (n > 0 && tq_push(&l->rx, buf, (size_t)n, now, p->step_ns, &l->rx_last) != 0)
		return -1;
	return 0;
}

/* Bytes in and out of one link. */
static int
link_move(struct pump *p, struct pump_link *l, uint64_t now)
{
	/* hand the bytes that have "arrived" to the firmware */
	size_t n = p->step_ns ? tq_ready(&l->rx, now) : l->rx.len;

	if (n) {
		trace_bytes(p->trace, '>', l->rx.b + l->rx.head, n, p->t0);
		emu_input(l->e, l->rx.b + l->rx.head, n);
		tq_pop(&l->rx, n);
	}
	if (emu_vanished(l->e) && l->master >= 0) {
		/* unplugged: the host's next read or write gets EIO */
		emurun_hangup(l->master);
		l->master = -1;
		if (p->trace)
			fprintf(p->trace, "vanished\n");
	}
	/* collect replies, then send what is due */
	{
		const uint8_t *out;

		n = emu_output(l->e, &out);
		if (n) {
			if (l->master >= 0 && l->connected &&
			    tq_push(&l->tx, out, n, now, p->step_ns, &l->tx_last) != 0)
				return -1;
			emu_output_consume(l->e, n);
		}
	}
	if (l->master >= 0 && l->tx.len) {
		n = p->step_ns ? tq_ready(&l->tx, now) : l->tx.len;
		if (n) {
			ssize_t w = write(l->master, l->tx.b + l->tx.head, n);

			if (w > 0) {
				trace_bytes(p->trace, '<', l->tx.b + l->tx.head, (size_t)w, p->t0);
				tq_pop(&l->tx, (size_t)w);
			}
		}
	} else if (l->master < 0) {
		tq_pop(&l->tx, l->tx.len);
	}
	return 0;
}

static void
queue_wait(const struct timed_queue *q, uint64_t now, uint64_t *wait_ns)
{
	if (!q->len)
		return;
	if (q->due[q->head] <= now)
		*wait_ns = 0;
	else if (q->due[q->head] - now < *wait_ns)
		*wait_ns = q->due[q->head] - now;
}

int
emurun_pump(struct pump *p)
{
	uint64_t last = iw_clock_ns();

	for (;;) {
		struct pollfd fds[1 + EMURUN_MAX_LINKS];
		int idx[EMURUN_MAX_LINKS];
		struct timespec ts;
		uint64_t now, wait_ns = 5000000;   /* 5 ms: child and HUP checks */
		nfds_t nfds = 0;
		pid_t w;

		w = waitpid(p->child, &p->status, WNOHANG);
		if (w == p->child)
			return 0;

		fds[nfds].fd = p->events;
		fds[nfds].events = POLLIN;
		nfds++;
		now = iw_clock_ns();
		for (size_t i = 0; i < EMURUN_MAX_LINKS; i++) {
			struct pump_link *l = &p->links[i];

			idx[i] = -1;
			if (!l->used || l->master < 0)
				continue;
			if (!l->connected) {
				/* A pty nobody has open reports POLLHUP at once:
				 * look again every 2 ms instead of spinning. */
				struct pollfd q = { l->master, POLLIN, 0 };

				if (poll(&q, 1, 0) > 0 && (q.revents & POLLHUP) &&
				    !(q.revents & POLLIN)) {
					if (wait_ns > 2000000)
						wait_ns = 2000000;
					continue;
				}
				l->connected = true;
				refresh_baud(l);
				emu_port_opened(l->e);
			}
			idx[i] = (int)nfds;
			fds[nfds].fd = l->master;
			fds[nfds].events = POLLIN;
			nfds++;
			queue_wait(&l->rx, now, &wait_ns);
			queue_wait(&l->tx, now, &wait_ns);
		}
		ts.tv_sec = (time_t)(wait_ns / 1000000000u);
		ts.tv_nsec = (long)(wait_ns % 1000000000u);
		if (ppoll(fds, nfds, &ts, NULL) < 0 && errno != EINTR)
			return -1;

		now = iw_clock_ns();
		for (size_t i = 0; i < p->n_emus; i++)
			emu_advance_us(p->emus[i], (now - last) / 1000u);
		last = now;

		if (fds[0].revents & POLLIN)
			pump_events(p);

		for (size_t i = 0; i < EMURUN_MAX_LINKS; i++) {
			struct pump_link *l = &p->links[i];

			if (!l->used)
				continue;
			if (idx[i] >= 0 && l->master >= 0) {
				short re = fds[idx[i]].revents;

				if (re & POLLIN) {
					if (link_read(p, l, now) != 0)
						return -1;
				} else if (re & POLLHUP) {
					link_closed(l);
				}
			}
			if (link_move(p, l, now) != 0)
				return -1;
		}
		if (p->tick != NULL && p->tick(p, p->tick_ctx) != 0)
			return -1;
	}
}


void
emurun_pump_free(struct pump *p)
{
	for (size_t i = 0; i < EMURUN_MAX_LINKS; i++) {
		tq_free(&p->links[i].rx);
		tq_free(&p->links[i].tx);
	}
}
