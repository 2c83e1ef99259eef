/* clock.c - the monotonic clock and whole sleeps (see clock.h). */
#include "core/clock.h"

#include <errno.h>
#include <time.h>

uint64_t
iw_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
iw_clock_us(void)
{
	return iw_clock_ns() / 1000u;
}

uint64_t
iw_clock_ms(void)
{
	return iw_clock_ns() / 1000000u;
}

double
iw_clock_s(void)
{
	return (double)iw_clock_ns() / 1e9;
}

void
iw_sleep_us(uint64_t us)
{
	struct timespec ts = { (time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void
iw_sleep_ms(uint64_t ms)
{
	iw_sleep_us(ms * 1000u);
}
