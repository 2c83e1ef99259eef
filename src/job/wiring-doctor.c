/* wiring-doctor.c - from a symptom to likely causes and wires to check. */
#include "job/wiring-doctor.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/fuses.h"

static const char *const cause_names[WIRING_CAUSE_COUNT] = {
	[WIRING_CAUSE_UNPOWERED] = "unpowered",
	[WIRING_CAUSE_RESET] = "reset",
	[WIRING_CAUSE_MISO] = "miso",
	[WIRING_CAUSE_MOSI_SCK] = "mosi-sck",
	[WIRING_CAUSE_SCK_TOO_FAST] = "sck-too-fast",
	[WIRING_CAUSE_NO_CLOCK] = "no-clock",
	[WIRING_CAUSE_WRONG_PART] = "wrong-part",
	[WIRING_CAUSE_LOCK_BITS] = "lock-bits",
	[WIRING_CAUSE_NOISE] = "noise",
	[WIRING_CAUSE_PROGRAMMER_LIMIT] = "programmer-limit",
};

const char *
wiring_cause_name(enum wiring_cause cause)
{
	if ((unsigned)cause >= WIRING_CAUSE_COUNT)
		return "?";
	return cause_names[cause];
}

const char *
wiring_symptom_name(enum wiring_symptom s)
{
	switch (s) {
	case WIRING_SYMPTOM_NONE: return "none";
	case WIRING_SYMPTOM_NO_ECHO: return "no-echo";
	case WIRING_SYMPTOM_SLOW_ONLY: return "slow-only";
	case WIRING_SYMPTOM_SIGNATURE_FF: return "signature-ff";
	case WIRING_SYMPTOM_SIGNATURE_00: return "signature-00";
	case WIRING_SYMPTOM_OTHER_PART: return "other-part";
	case WIRING_SYMPTOM_SIGNATURE_BAD: return "signature-bad";
	case WIRING_SYMPTOM_VERIFY: return "verify";
	case WIRING_SYMPTOM_LOST: return "lost";
	case WIRING_SYMPTOM_LOCKED: return "locked";
	}
	return "?";
}

bool
wiring_doctor_has_cause(const struct wiring_diagnosis *d, enum wiring_cause cause)
{
	for (size_t i = 0; i < d->n_causes; i++)
		if (d->causes[i].cause == cause)
			return true;
	return false;
}

static const char *
name_of(const struct catalog_part *part)
{
	if (part == NULL)
		return "target";
	return catalog_part_label(part);
}

static void
add_cause(struct wiring_diagnosis *d, enum wiring_cause cause, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
add_cause(struct wiring_diagnosis *d, enum wiring_cause cause, const char *fmt, ...)
{
	struct wiring_cause_entry *c;
	va_list ap;

	if (d->n_causes >= WIRING_MAX_CAUSES || wiring_doctor_has_cause(d, cause))
		return;
	c = &d->causes[d->n_causes++];
	c->cause = cause;
	va_start(ap, fmt);
	vsnprintf(c->text, sizeof c->text, fmt, ap);
	va_end(ap);
}

/* --- which wiring rows a cause points at ------------------------------------ */

static bool
pin_has(const char *pin, const char *word)
{
	char up[64];
	size_t i;

	for (i = 0; pin[i] != '\0' && i + 1 < sizeof up; i++)
		up[i] = (char)toupper((unsigned char)pin[i]);
	up[i] = '\0';
	return strstr(up, word) != NULL;
}

static bool
row_for_cause(const char *target_pin, enum wiring_cause cause)
{
	switch (cause) {
	case WIRING_CAUSE_UNPOWERED:
		return pin_has(target_pin, "VCC") || pin_has(target_pin, "GND") ||
		       pin_has(target_pin, "5V") || pin_has(target_pin, "VDD");
	case WIRING_CAUSE_RESET:
		return pin_has(target_pin, "RESET") || pin_has(target_pin, "RST");
	case WIRING_CAUSE_MISO:
		return pin_has(target_pin, "MISO");
	case WIRING_CAUSE_MOSI_SCK:
		return pin_has(target_pin, "MOSI") || pin_has(target_pin, "SCK") ||
		       pin_has(target_pin, "SCLK") || pin_has(target_pin, "CLK");
	case WIRING_CAUSE_NOISE:
		return pin_has(target_pin, "GND") || pin_has(target_pin, "MISO") ||
		       pin_has(target_pin, "MOSI") || pin_has(target_pin, "SCK") ||
		       pin_has(target_pin, "SCLK") || pin_has(target_pin, "CLK");
	default:
		return false;
	}
}

static void
collect_rows(const struct catalog_programmer *prog, struct wiring_diagnosis *d)
{
	if (prog == NULL)
		return;
	for (size_t r = 0; r < prog->n_wiring && d->n_rows < WIRING_MAX_ROWS; r++) {
		const char *pin = prog->wiring[r].target_pin;

		if (pin == NULL)
			continue;
		for (size_t c = 0; c < d->n_causes; c++) {
			if (row_for_cause(pin, d->causes[c].cause)) {
				d->rows[d->n_rows++] = r;
				break;
			}
		}
	}
}

/* --- the symptoms ------------------------------------------------------------- */

static void
sck_text(uint32_t hz, char *buf, size_t size)
{
	if (hz >= 1000000u)
		snprintf(buf, size, "%g MHz", hz / 1e6);
	else if (hz > 0)
		snprintf(buf, size, "%g kHz", hz / 1e3);
	else
		snprintf(buf, size, "the programmer's default clock");
}

enum wiring_answer
wiring_doctor_classify_answer(const uint8_t x[4])
{
	if ((x[0] | x[1] | x[2] | x[3]) == 0x00)
		return WIRING_ANSWER_ZEROS;
	if ((x[0] & x[1] & x[2] & x[3]) == 0xFF)
		return WIRING_ANSWER_ONES;
	/* The echo of 0x53 belongs in the third byte: one byte late or early,
	 * or one bit off either way (0xA6, 0x29 and their neighbours), means
	 * the bits arrive but slip, as when SCK is too fast for the target. */
	if (x[1] == 0x53 || x[3] == 0x53 || x[2] == 0xA6 || x[2] == 0xA7 ||
	    x[2] == 0x29 || x[2] == 0xA9 || x[3] == 0xA6 || x[1] == 0x29)
		return WIRING_ANSWER_SHIFTED;
	return WIRING_ANSWER_GARBAGE;
}

/* Each cause's sentence for a missing echo; the evidence decides the order. */
static void
cause_unpowered(struct wiring_diagnosis *d, const char *why)
{
	add_cause(d, WIRING_CAUSE_UNPOWERED, "The target has no power%s: the keyboard "
		  "needs its supply from the programmer's VCC or its own USB cable, and "
		  "both must share GND.", why);
}

static void
cause_reset(struct wiring_diagnosis *d, const char *why)
{
	add_cause(d, WIRING_CAUSE_RESET, "RESET does not reach the target%s: the "
		  "programmer's RESET output must go to the target's RESET pin (never "
		  "the programmer's own RESET).", why);
}

static void
cause_mosi_sck(struct wiring_diagnosis *d, const char *why)
{
	add_cause(d, WIRING_CAUSE_MOSI_SCK, "MOSI and SCK are swapped or loose%s: the "
		  "target never hears the instruction.", why);
}

static void
cause_miso(struct wiring_diagnosis *d, const char *why)
{
	add_cause(d, WIRING_CAUSE_MISO, "MISO is open or on the wrong pin%s: the target "
		  "may be listening, but its answer never comes back.", why);
}

static void
diagnose_no_echo(const struct wiring_observation *o, const struct catalog_part *part,
		 struct wiring_diagnosis *d)
{
	char fast[32], slow[32], tried[128];
	enum wiring_answer ans = o->have_answer ? wiring_doctor_classify_answer(o->answer) :
				 WIRING_ANSWER_UNKNOWN;
	const uint8_t *x = o->answer;

	sck_text(o->fastest_hz, fast, sizeof fast);
	sck_text(o->sck_hz, slow, sizeof slow);
	if (o->tries > 1 && o->fastest_hz != o->sck_hz)
		snprintf(tried, sizeof tried, "at SCK %s and %zu slower clocks down to %s",
			 fast, o->tries - 1, slow);
	else if (o->fastest_hz != o->sck_hz)
		snprintf(tried, sizeof tried, "from SCK %s down to %s", fast, slow);
	else
		snprintf(tried, sizeof tried, "at SCK %s", fast);
	if (ans == WIRING_ANSWER_UNKNOWN)
		snprintf(d->summary, sizeof d->summary,
			 "The %s never answered Programming Enable, %s.", name_of(part), tried);
	else
		snprintf(d->summary, sizeof d->summary,
			 "The %s never answered Programming Enable, %s; it answered "
			 "%02X %02X %02X %02X, where the third byte should echo 53.",
			 name_of(part), tried, x[0], x[1], x[2], x[3]);
	/* Most likely first, from what came back on MISO. */
	switch (ans) {
	case WIRING_ANSWER_ZEROS:
		/* An unpowered chip pulls its pins low through its protection
		 * diodes; a MISO shorted to GND reads the same. */
		cause_unpowered(d, " (every byte read 00: MISO is held low, as by an "
				"unpowered chip)");
		add_cause(d, WIRING_CAUSE_MISO, "MISO is shorted to GND or wired to a pin "
			  "that is low.");
		cause_reset(d, "");
		cause_mosi_sck(d, "");
		break;
	case WIRING_ANSWER_ONES:
		/* Nothing drives MISO: the chip is not in programming mode (RESET,
		 * the commonest mistake) or its answer does not reach back. */
		cause_reset(d, " (every byte read FF: nothing drives MISO, as when the "
			    "chip is not held in reset and runs its own firmware)");
		cause_miso(d, " (it floats high, which reads FF too)");
		cause_unpowered(d, " or no common ground");
		cause_mosi_sck(d, "");
		break;
	case WIRING_ANSWER_SHIFTED:
		add_cause(d, WIRING_CAUSE_SCK_TOO_FAST, "The echo came back out of place "
			  "(%02X %02X %02X %02X): the bits arrive but slip, as when SCK is "
			  "too fast for the target clock or for long wires. Try a slower "
			  "bit clock and shorter wires.", x[0], x[1], x[2], x[3]);
		add_cause(d, WIRING_CAUSE_NOISE, "Long or loose wires, or no common ground, "
			  "corrupt the bits on SCK and MISO.");
		cause_mosi_sck(d, "");
		break;
	case WIRING_ANSWER_GARBAGE:
		cause_mosi_sck(d, " (the answer is neither 00s nor FFs nor an echo: the "
			       "target hears something, but not the instruction)");
		add_cause(d, WIRING_CAUSE_NOISE, "Long or loose wires, or no common ground, "
			  "corrupt the bits.");
		cause_miso(d, "");
		cause_reset(d, "");
		break;
	case WIRING_ANSWER_UNKNOWN:
		cause_unpowered(d, "");
		cause_reset(d, "");
		cause_mosi_sck(d, "");
		cause_miso(d, "");
		break;
	}
	if (ans != WIRING_ANSWER_SHIFTED && o->sck_hz != 0 && o->sck_hz <= 62500u)
		add_cause(d, WIRING_CAUSE_NO_CLOCK,
			  "The target has no clock: its fuses select an external crystal "
			  "or clock that is not on the board, so even a slow SCK gets no "
			  "answer (only a high-voltage programmer or an external clock "
			  "signal helps then).");
	d->show_warnings = true;
}

static void
diagnose_slow_only(const struct wiring_observation *o, struct wiring_diagnosis *d)
{
	char ok[32], fast[32];

	sck_text(o->sck_hz, ok, sizeof ok);
	sck_text(o->fastest_hz, fast, sizeof fast);
	snprintf(d->summary, sizeof d->summary,
		 "The target answered only at SCK %s, not at %s.", ok, fast);
	add_cause(d, WIRING_CAUSE_SCK_TOO_FAST,
		  "SCK must stay below a quarter of the target clock. A fresh chip "
		  "runs at 1 or 2 MHz (CKDIV8 programmed), so this is expected "
		  "before its fuses are set; on a configured chip, long wires are "
		  "the usual reason.");
}

static void
diagnose_signature(const struct wiring_observation *o,
		   const struct catalog_part *part, struct wiring_diagnosis *d)
{
	const uint8_t *s = o->signature;

	switch (o->symptom) {
	case WIRING_SYMPTOM_SIGNATURE_FF:
		snprintf(d->summary, sizeof d->summary,
			 "The signature reads FF FF FF: nothing drives MISO.");
		add_cause(d, WIRING_CAUSE_MISO,
			  "MISO is not connected (the line floats high).");
		add_cause(d, WIRING_CAUSE_RESET,
			  "The target is not held in reset, so it runs its firmware and "
			  "ignores the programmer; check the RESET wire (programmer's "
			  "RESET output, not its own RESET pin).");
		add_cause(d, WIRING_CAUSE_UNPOWERED,
			  "The target has no power or no common ground.");
		d->show_warnings = true;
		break;
	case WIRING_SYMPTOM_SIGNATURE_00:
		snprintf(d->summary, sizeof d->summary,
			 "The signature reads 00 00 00: MISO is held low.");
		add_cause(d, WIRING_CAUSE_UNPOWERED,
			  "The target has no power: an unpowered chip pulls its pins "
			  "low. Power the keyboard and connect GND.");
		add_cause(d, WIRING_CAUSE_MISO,
			  "MISO is shorted to GND or wired to the wrong pin.");
		add_cause(d, WIRING_CAUSE_RESET,
			  "RESET is not wired, so the chip never enters programming mode.");
		d->show_warnings = true;
		break;
	case WIRING_SYMPTOM_OTHER_PART:
		snprintf(d->summary, sizeof d->summary,
			 "The chip answers with the signature %02X %02X %02X of the %s, "
			 "but the %s was selected.", s[0], s[1], s[2],
			 name_of(o->found_part), name_of(part));
		add_cause(d, WIRING_CAUSE_WRONG_PART,
			  "Another chip is on this board: select %s (-p %s), or check "
			  "that the programmer is plugged into the board you meant.",
			  name_of(o->found_part),
			  o->found_part != NULL && o->found_part->id != NULL ?
			  o->found_part->id : "?");
		break;
	default:
		snprintf(d->summary, sizeof d->summary,
			 "The signature reads %02X %02X %02X, which is no known part.",
			 s[0], s[1], s[2]);
		add_cause(d, WIRING_CAUSE_NOISE,
			  "The connection is unreliable: long or loose wires, or no "
			  "common ground, corrupt the bits. Shorten the wires and check "
			  "GND.");
		add_cause(d, WIRING_CAUSE_SCK_TOO_FAST,
			  "SCK is too fast for the target clock or the wires; a slower "
			  "clock may read it correctly.");
		add_cause(d, WIRING_CAUSE_MOSI_SCK,
			  "MOSI and SCK may be swapped or making poor contact.");
		add_cause(d, WIRING_CAUSE_WRONG_PART,
			  "The chip may be a part the catalog does not know; compare the "
			  "bytes with its datasheet.");
		break;
	}
}

static void
diagnose_verify(const struct wiring_observation *o, struct wiring_diagnosis *d)
{
	char sck[32];

	sck_text(o->sck_hz, sck, sizeof sck);
	snprintf(d->summary, sizeof d->summary,
		 "%u byte%s differed in 0x%05X..0x%05X, the first at 0x%05X.",
		 o->bad_count, o->bad_count == 1 ? "" : "s", o->region_start,
		 o->region_end > 0 ? o->region_end - 1 : 0, o->first_bad);
	if (o->lock_known && (o->lock & 0x03) != 0x03)
		add_cause(d, WIRING_CAUSE_LOCK_BITS,
			  "Lock bits 0x%02X are programmed: a locked chip refuses writes "
			  "(and in mode 3 reads) until a chip erase clears them.", o->lock);
	if (o->found_all_ff) {
		if (o->region_start >= 0x10000u)
			add_cause(d, WIRING_CAUSE_PROGRAMMER_LIMIT,
				  "Every differing byte read 0xFF above 64 KiB: some "
				  "programmers (USBtinyISP) cannot address flash there.");
		add_cause(d, WIRING_CAUSE_UNPOWERED,
			  "Every differing byte read 0xFF: the writes did not take, "
			  "as when the target browns out or resets while being "
			  "written. Check the supply and GND.");
	}
	if (o->found_all_00)
		add_cause(d, WIRING_CAUSE_UNPOWERED,
			  "Every differing byte read 0x00: MISO went low, as when the "
			  "target lost power.");
	add_cause(d, WIRING_CAUSE_NOISE,
		  "Bits flip on the way back: loose or long wires on MISO/SCK, or a "
		  "missing common ground. Reseat the wires and try again.");
	add_cause(d, WIRING_CAUSE_SCK_TOO_FAST,
		  "SCK %s may be too fast for these wires; a slower clock reads more "
		  "reliably.", sck);
}

static void
diagnose_lost(const struct wiring_observation *o, struct wiring_diagnosis *d)
{
	snprintf(d->summary, sizeof d->summary,
		 "The target answered at first, then stopped answering after %u "
		 "page%s.", o->pages_done, o->pages_done == 1 ? "" : "s");
	add_cause(d, WIRING_CAUSE_UNPOWERED,
		  "The target lost power or reset: a weak supply or a loose VCC/GND "
		  "wire.");
	add_cause(d, WIRING_CAUSE_NOISE,
		  "A wire came loose while the job ran (MISO, SCK or GND).");
	add_cause(d, WIRING_CAUSE_RESET,
		  "RESET was released: check that the RESET wire is firmly seated.");
	d->show_warnings = true;
}

static void
diagnose_locked(const struct wiring_observation *o, struct wiring_diagnosis *d)
{
	snprintf(d->summary, sizeof d->summary,
		 "The lock byte reads 0x%02X: LB1/LB2 are programmed.", o->lock);
	add_cause(d, WIRING_CAUSE_LOCK_BITS,
		  "The chip's lock bits keep its flash from being read over ISP. "
		  "Only a chip erase clears them, and it erases the flash too; "
		  "flashing a new image does that.");
}

void
wiring_doctor_diagnose(const struct catalog_programmer *programmer,
		       const struct catalog_part *part,
		       const struct wiring_observation *obs,
		       struct wiring_diagnosis *out)
{
	memset(out, 0, sizeof *out);
	out->symptom = obs->symptom;
	switch (obs->symptom) {
	case WIRING_SYMPTOM_NONE:
		snprintf(out->summary, sizeof out->summary, "Nothing to diagnose.");
		return;
	case WIRING_SYMPTOM_NO_ECHO:
		diagnose_no_echo(obs, part, out);
		break;
	case WIRING_SYMPTOM_SLOW_ONLY:
		diagnose_slow_only(obs, out);
		break;
	case WIRING_SYMPTOM_SIGNATURE_FF:
	case WIRING_SYMPTOM_SIGNATURE_00:
	case WIRING_SYMPTOM_OTHER_PART:
	case WIRING_SYMPTOM_SIGNATURE_BAD:
		diagnose_signature(obs, part, out);
		break;
	case WIRING_SYMPTOM_VERIFY:
		diagnose_verify(obs, out);
		break;
	case WIRING_SYMPTOM_LOST:
		diagnose_lost(obs, out);
		break;
	case WIRING_SYMPTOM_LOCKED:
		diagnose_locked(obs, out);
		break;
	}
	collect_rows(programmer, out);
}

/* --- rendering ---------------------------------------------------------------- */

void
wiring_doctor_render(const struct wiring_diagnosis *d,
		     const struct catalog_programmer *programmer,
		     wiring_line_fn fn, void *user)
{
	char line[FUSES_TEXT_WIDTH + 2];

	fuses_wrap("", d->summary, fn, user);
	if (d->n_causes > 0) {
		fn(user, "Likely causes:");
		for (size_t i = 0; i < d->n_causes; i++)
			fuses_wrap("  - ", d->causes[i].text, fn, user);
	}
	if (programmer != NULL && d->n_rows > 0) {
		snprintf(line, sizeof line, "Check these wires (%s -> target):",
			 catalog_programmer_label(programmer));
		fn(user, line);
		for (size_t i = 0; i < d->n_rows; i++) {
			const struct catalog_wire *w = &programmer->wiring[d->rows[i]];

			snprintf(line, sizeof line, "  %-16s -> %s",
				 w->programmer_pin != NULL ? w->programmer_pin : "?",
				 w->target_pin != NULL ? w->target_pin : "?");
			fn(user, line);
		}
	}
	if (programmer != NULL && d->show_warnings)
		for (size_t i = 0; i < programmer->n_warnings; i++)
			fuses_wrap("Warning: ", programmer->warnings[i], fn, user);
}
