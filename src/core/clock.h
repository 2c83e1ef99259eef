/*
 * clock.h - the one monotonic clock and the one sleep every layer uses.
 *
 * Timeouts, rates and redraw pacing are measured on CLOCK_MONOTONIC, which
 * a change of the wall clock (NTP, the user) never moves.  The sleeps
 * sleep the whole time even when a signal interrupts them; code that must
 * react to a signal polls a file descriptor instead.
 */
#ifndef ISPWIZ_CORE_CLOCK_H
#define ISPWIZ_CORE_CLOCK_H

#include <stdint.h>

uint64_t iw_clock_ns(void);
uint64_t iw_clock_us(void);
uint64_t iw_clock_ms(void);
double iw_clock_s(void);

void iw_sleep_us(uint64_t us);
void iw_sleep_ms(uint64_t ms);

#endif
