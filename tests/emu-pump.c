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

static void
pump_events(struct pump *p)
{
	struct shim_event ev;

	while (read(p->events, &ev, sizeof(ev)) == (ssize_t)sizeof(ev)) {
		if (ev.magic[0] != 'M' || ev.magic[1] != 'L')
			continue;
		emu_set_lines(p->e, (ev.lines & TIOCM_DTR) != 0, (ev.lines & TIOCM_RTS) != 0);
		if (p->trace)
			fprintf(p->trace, "%10.3f lines DTR=%d RTS=%d\n",
				(double)(iw_clock_ns() - p->t0) / 1e6,
				(ev.lines & TIOCM_DTR) != 0, (ev.lines & TIOCM_RTS) != 0);
	}
}

int
emurun_pump(struct pump *p)
{
	uint64_t last = iw_clock_ns();

	for (;;) {
		struct pollfd fds[2];
		struct timespec ts;
		uint64_t now, wait_ns = 5000000;   /* 5 ms: child and HUP checks */
		nfds_t nfds = 0;
		int master_idx = -1;
		pid_t w;

		w = waitpid(p->child, &p->status, WNOHANG);
		if (w == p->child)
			return 0;

		fds[nfds].fd = p->events;
		fds[nfds].events = POLLIN;
		nfds++;
		if (p->master >= 0) {
			master_idx = (int)nfds;
			fds[nfds].fd = p->master;
			fds[nfds].events = POLLIN;
			nfds++;
		}
		now = iw_clock_ns();
		if (p->rx.len && p->rx.due[p->rx.head] > now &&
		    p->rx.due[p->rx.head] - now < wait_ns)
			wait_ns = p->rx.due[p->rx.head] - now;
		if (p->tx.len && p->tx.due[p->tx.head] > now &&
		    p->tx.due[p->tx.head] - now < wait_ns)
			wait_ns = p->tx.due[p->tx.head] - now;
		if ((p->rx.len && p->rx.due[p->rx.head] <= now) ||
		    (p->tx.len && p->tx.due[p->tx.head] <= now))
			wait_ns = 0;
		ts.tv_sec = (time_t)(wait_ns / 1000000000u);
		ts.tv_nsec = (long)(wait_ns % 1000000000u);
		if (ppoll(fds, nfds, &ts, NULL) < 0 && errno != EINTR)
			return -1;

		now = iw_clock_ns();
		emu_advance_us(p->e, (now - last) / 1000u);
		last = now;

		if (fds[0].revents & POLLIN)
			pump_events(p);

		if (master_idx >= 0) {
			short re = fds[master_idx].revents;

			if ((re & POLLHUP) && !(re & POLLIN)) {
				/* no client has the port open */
				struct timespec nap = { 0, 2000000 };

				p->connected = false;
				/* pending output to a closed port is lost */
				tq_pop(&p->tx, p->tx.len);
				nanosleep(&nap, NULL);
				continue;
			}
			if (!p->connected) {
				p->connected = true;
				emu_port_opened(p->e);
			}
			if (re & POLLIN) {
				uint8_t buf[4096];
				ssize_t n = read(p->master, buf, sizeof(buf));
				struct termios tio;

				if (tcgetattr(p->master, &tio) == 0)
					emu_set_host_baud(p->e, speed_value(cfgetospeed(&tio)));
				if (n > 0 && tq_push(&p->rx, buf, (size_t)n, now, p->step_ns,
						     &p->rx_last) != 0)
					return -1;
			}
		}

		/* hand the bytes that have "arrived" to the firmware */
		{
			size_t n = p->step_ns ? tq_ready(&p->rx, now) : p->rx.len;

			if (n) {
				trace_bytes(p->trace, '>', p->rx.b + p->rx.head, n, p->t0);
				emu_input(p->e, p->rx.b + p->rx.head, n);
				tq_pop(&p->rx, n);
			}
		}
		if (emu_vanished(p->e) && p->master >= 0) {
			/* unplugged: the host's next read or write gets EIO */
			close(p->master);
			p->master = -1;
			if (p->trace)
				fprintf(p->trace, "vanished\n");
		}
		/* collect replies, then send what is due */
		{
			const uint8_t *out;
			size_t n = emu_output(p->e, &out);

			if (n) {
				if (tq_push(&p->tx, out, n, now, p->step_ns, &p->tx_last) != 0)
					return -1;
				emu_output_consume(p->e, n);
			}
		}
		if (p->master >= 0 && p->tx.len) {
			size_t n = p->step_ns ? tq_ready(&p->tx, now) : p->tx.len;

			if (n) {
				ssize_t w2 = write(p->master, p->tx.b + p->tx.head, n);

				if (w2 > 0) {
					trace_bytes(p->trace, '<', p->tx.b + p->tx.head,
						    (size_t)w2, p->t0);
					tq_pop(&p->tx, (size_t)w2);
				}
			}
		} else if (p->master < 0) {
			tq_pop(&p->tx, p->tx.len);
		}
	}
}


void
emurun_pump_free(struct pump *p)
{
	tq_free(&p->rx);
	tq_free(&p->tx);
}
