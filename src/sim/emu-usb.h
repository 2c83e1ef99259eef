/*
 * emu-usb.h - device-side emulators of the USB programmers and of the
 * HalfKay bootloader, over a simulated target (sim-target.h).
 *
 * An emulated device is a USB device seen from the bus: its descriptors
 * and strings, and its answer to each control transfer.  All of them talk
 * only through control requests on endpoint 0 (vendor requests for the
 * programmers, HID class requests for HalfKay), so one call per transfer is
 * the whole interface:
 *   usbtiny  Dick Streefland's USBtiny ISP firmware (Adafruit USBtinyISP,
 *            SparkFun PocketAVR): POWERUP/POWERDOWN, raw 4-byte SPI, chunked
 *            FLASH/EEPROM read and write with the firmware's 16-bit address
 *            (which wraps above 64 KiB), poll bytes, ECHO;
 *   usbasp   Thomas Fischl's USBasp firmware (2011 release, or a pre-2009
 *            one without SETISPSCK and GETCAPABILITIES): CONNECT with its
 *            SCK table and the slow-clock jumper, TRANSMIT, ENABLEPROG with
 *            its 32 retries, READ/WRITE FLASH/EEPROM with the FIRST/LAST
 *            block flags and the firmware's own page commit and data
 *            polling, SETLONGADDRESS, SETISPSCK, GETCAPABILITIES;
 *            or, with `usbasploader`, the USBaspLoader bootloader on the chip
 *            itself (emu-usbasploader.c): the same requests answered for its
 *            own flash, instructions emulated (own signature, fuse reads,
 *            Chip Erase of the application area, fuse/lock writes ignored,
 *            no echo), its own section never written, DISCONNECT leaving the
 *            bus 500 ms later (the application starts) unless it stays;
 *   halfkay  PJRC's HalfKay bootloader of a Teensy 2.0 (ATmega32U4), the chip
 *            writing its own flash (emu-halfkay.c): a full-speed HID without
 *            strings whose usbhid driver a host must detach, taking HID
 *            SET_REPORTs of 2 address bytes + 128 data bytes; the first
 *            erases the chip, and while it erases (and while a page is
 *            written) the device holds reports back; blocks at or past 32256
 *            are refused (ignored, counted as violations); FF FF FF reboots:
 *            the device leaves the bus (emu_usb_rebooted());
 *   bootloadhid  obdev's BootloadHID on the chip itself (emu-bootloadhid.c):
 *            a low-speed HID, 16C0:05DF "obdev.at" "HIDBoot", whose feature
 *            report 1 gives page and flash size, report 2 writes 128 bytes at
 *            a 24-bit address (a page erased when a write reaches it), report
 *            1 set leaves; it writes wherever it is told, its own section
 *            included (counted in stats.own_section_writes).
 * Quirks are kept (the 8-bit page counter of USBasp, the stale fourth byte
 * of USBtiny's read instructions, zero-length answers to unknown requests),
 * because the point is to test real drivers, avrdude included, against
 * something that behaves like the hardware.
 *
 * Time: the target runs on virtual time.  Each call passes the caller's
 * monotonic clock; the target is brought up to that time first, so a host
 * that sleeps (as avrdude does after a page write) finds the chip ready.
 * The reply says how long the firmware itself was busy (SPI bytes, its own
 * waits), which a glue layer that models USB timing adds to the transfer.
 * How the caller's clock maps to the chip's depends on that glue: if it
 * makes every transfer last as long as the firmware worked (a USB timing
 * model), the chip's clock simply follows the caller's; if it answers at
 * once, the firmware's time is added on top of the caller's time between
 * transfers, as if each transfer had taken that long
 * (emu_usb_set_timing()).
 *
 * Nothing here does I/O: tests/usb-emu.c serves an emulator to libusb
 * through umockdev; the unit tests call emu_usb_control() directly.  An
 * emulator and its target belong to one thread at a time.
 */
#ifndef ISPWIZ_SIM_EMU_USB_H
#define ISPWIZ_SIM_EMU_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "sim/sim-target.h"

enum emu_usb_kind {
	EMU_USB_USBTINY,
	EMU_USB_USBASP,
	EMU_USB_HALFKAY,
	EMU_USB_BOOTLOADHID,
};

/* Which kinds a fault knob applies to (EMU_USB_FAULT_LIST); USBaspLoader
 * is the USBasp kind in its bootloader mode. */
#define EMU_USB_K_TINY 0x1
#define EMU_USB_K_ASP  0x2
#define EMU_USB_K_HK   0x4
#define EMU_USB_K_BLH  0x8
#define EMU_USB_K_PROG (EMU_USB_K_TINY | EMU_USB_K_ASP)
#define EMU_USB_K_ALL  (EMU_USB_K_PROG | EMU_USB_K_HK | EMU_USB_K_BLH)

/* HalfKay's times when the options leave them 0: erasing the 252
 * application pages of an ATmega32U4 by SPM (page erase 3.7-4.5 ms each),
 * and writing one page. */
#define EMU_HALFKAY_ERASE_US_DEFAULT 1008000u
#define EMU_HALFKAY_PAGE_US_DEFAULT  4000u

/* USBaspLoader leaves the bus this long after DISCONNECT (its builds that
 * exit after an upload wait 500 ms first). */
#define EMU_USBASPLOADER_EXIT_US 500000u

/*
 * Device-side fault knobs (`--fault NAME[=N]`), with the kinds each applies
 * to.  N counts from 0: a programmer's vendor requests, HalfKay's reports
 * taken so far.  The target's own knobs (sim-target.h) are separate.
 */
#define EMU_USB_FAULT_LIST(X)                                                 \
	X(UNPLUG,  "unplug", EMU_USB_K_PROG | EMU_USB_K_BLH,                      \
	  "the cable is pulled at the Nth flash-writing request: ENODEV from then on") \
	X(STALL,   "stall", EMU_USB_K_ALL,                                        \
	  "from request N on (HalfKay: report N; BootloadHID: class request N), every one stalls (EPIPE)") \
	X(TIMEOUT, "timeout", EMU_USB_K_ALL,                                      \
	  "from request N on (HalfKay: report N; BootloadHID: class request N), the device never answers") \
	X(SHORT,   "short", EMU_USB_K_PROG,                                       \
	  "from vendor request N on, replies with data come back one byte short") \
	X(BUSY_FIRST, "busy-first", EMU_USB_K_HK,                                 \
	  "HalfKay: the first write's erase takes N ms (busy-first=MS) and no report is answered meanwhile") \
	X(VANISH,  "vanish", EMU_USB_K_HK,                                        \
	  "HalfKay: the device leaves the bus after N reports (vanish=N)")       \
	X(FLASH_SIZE, "flash-size", EMU_USB_K_BLH,                                \
	  "BootloadHID: the info report says the chip has N bytes of flash (flash-size=N)") \
	X(NO_CHIP_ERASE, "no-chip-erase", EMU_USB_K_ASP,                          \
	  "USBaspLoader built without Chip Erase: AC 80 does nothing (pages are erased as written)") \
	X(STAY,    "stay", EMU_USB_K_ASP,                                         \
	  "USBaspLoader built to stay after DISCONNECT: it never leaves the bus by itself")

enum emu_usb_fault_kind {
#define EMU_USB_FAULT_ENUM(id, name, kinds, help) EMU_USB_FAULT_##id,
	EMU_USB_FAULT_LIST(EMU_USB_FAULT_ENUM)
#undef EMU_USB_FAULT_ENUM
	EMU_USB_FAULT_COUNT
};

struct emu_usb_options {
	enum emu_usb_kind kind;
	/* 0 = the programmer's own: 1781:0C9F, 16C0:05DC (03EB:C7B4 for an
	 * old USBasp). */
	uint16_t vid, pid;
	/* NULL = the firmware's own strings; "" = no such string. */
	const char *manufacturer;
	const char *product;
	const char *serial;
	/* USBasp firmware from before 2009 (no SETISPSCK, GETCAPABILITIES or
	 * SETLONGADDRESS; SCK fixed at 375 kHz). */
	bool old_firmware;
	/* USBasp firmware that reports the 3 MHz SCK capability. */
	bool cap_3mhz;
	/* USBasp's slow-clock jumper (JP3) is closed: SCK 8 kHz. */
	bool slow_jumper;
	/* HalfKay: how long the first write's erase and each page write take,
	 * in µs; 0 = EMU_HALFKAY_*_DEFAULT. */
	uint32_t erase_us;
	uint32_t page_us;
	/* EMU_USB_USBASP only: the USBaspLoader bootloader on the target chip
	 * itself rather than a programmer wired to it. */
	bool usbasploader;
};

/* What one control transfer did. */
struct emu_usb_reply {
	/* >= 0: bytes moved in the data stage; < 0: -errno as the kernel
	 * reports it (-EPIPE for a stall, -ENODEV once unplugged). */
	int status;
	/* The device does not complete this transfer at all (timeout knob):
	 * the host's own timeout must end it. */
	bool no_answer;
	/* Microseconds the firmware worked on it (SPI, its waits). */
	uint64_t device_us;
	/* The device holds the transfer back until `until_us` (the caller's
	 * clock; 0: it does not).  With `nak` it has not taken it yet (it is
	 * busy, NAKing): present it again at that time if the host is still
	 * waiting, and only that answer counts.  Without, it has taken it and
	 * `status` is the answer, due then: a host that gives up first gets no
	 * answer, but what the device did stays done. */
	uint64_t until_us;
	bool nak;
};

struct emu_usb;

/* The target must outlive the emulator. */
struct emu_usb *emu_usb_new(const struct emu_usb_options *opts,
			    struct sim_target *t, struct iw_error *err);
void emu_usb_free(struct emu_usb *u);

/* "unplug=3", "stall", "timeout=10".  IW_NOT_FOUND when `spec` is not a
 * programmer knob (the caller may try the target's), IW_USAGE for a bad
 * number. */
enum iw_status emu_usb_set_fault(struct emu_usb *u, const char *spec,
				 struct iw_error *err);
const char *emu_usb_fault_name(enum emu_usb_fault_kind kind);
const char *emu_usb_fault_help(enum emu_usb_fault_kind kind);

/* The identity the device enumerates with. */
uint16_t emu_usb_vid(const struct emu_usb *u);
uint16_t emu_usb_pid(const struct emu_usb *u);
/* NULL when the device has no such string. */
const char *emu_usb_manufacturer(const struct emu_usb *u);
const char *emu_usb_product(const struct emu_usb *u);
const char *emu_usb_serial(const struct emu_usb *u);
/* "usbtiny", "usbasp", "halfkay": what the device emulates. */
const char *emu_usb_kind_name(const struct emu_usb *u);

/* Device descriptor followed by the configuration descriptor(s), as the
 * kernel shows them in sysfs `descriptors` and in a read() of the usbfs
 * node.  Returns the full length (copies at most `size`). */
size_t emu_usb_descriptors(const struct emu_usb *u, uint8_t *buf, size_t size);

/*
 * One control transfer.  `setup` is the 8-byte SETUP packet; `data` holds
 * wLength bytes: what the host sends (OUT) or room for the answer (IN).
 * `now_us` is the caller's monotonic clock in microseconds (any origin,
 * never going back).  Standard requests (descriptors, configuration,
 * status) are answered too.
 */
void emu_usb_control(struct emu_usb *u, const uint8_t setup[8], uint8_t *data,
		     size_t len, uint64_t now_us, struct emu_usb_reply *reply);

/* Whether the caller makes each transfer last reply.device_us (default:
 * no, the firmware's time is added to the caller's clock instead). */
void emu_usb_set_timing(struct emu_usb *u, bool device_time_slept);

/* The device left the bus (the unplug or vanish knob fired, or HalfKay
 * rebooted), or leaves it at emu_usb_leaves_at() (the caller's clock; 0:
 * at once), once the answer to the last request it took is out: the glue
 * should remove it then.  Every transfer fails with ENODEV from then on. */
bool emu_usb_unplugged(const struct emu_usb *u);
uint64_t emu_usb_leaves_at(const struct emu_usb *u);
/* HalfKay took the reboot report: the application runs now. */
bool emu_usb_rebooted(const struct emu_usb *u);

/* What the bus shows besides the descriptors: full speed (12 Mbit/s)
 * rather than low speed, and the kernel driver bound to interface 0 when
 * the device is plugged in ("usbhid"; NULL for none). */
bool emu_usb_full_speed(const struct emu_usb *u);
const char *emu_usb_interface_driver(const struct emu_usb *u);
uint16_t emu_usb_bcd_device(const struct emu_usb *u);

struct emu_usb_stats {
	uint64_t transfers;          /* control transfers, standard ones included */
	uint64_t vendor_requests;
	uint64_t flash_write_requests;
	uint64_t stalls;             /* answered with a stall */
	uint64_t unknown;            /* vendor requests the firmware ignores */
	uint64_t page_commits;       /* USBasp: pages the firmware committed */
	uint64_t enable_tries;       /* Programming Enables clocked */
	uint64_t class_requests;     /* HalfKay, BootloadHID: HID class requests, retries included */
	uint64_t reports;            /* HalfKay: reports taken (blocks and the reboot) */
	uint64_t blocks_written;     /* HalfKay: pages written into the flash */
	uint64_t erases;             /* HalfKay: chip erases (the first write) */
	uint64_t busy_naks;          /* HalfKay: reports held back while busy */
	uint64_t busy_ignored;       /* HalfKay: reports lost to busy-first */
	uint64_t violations;         /* HalfKay: see emu_usb_violation() */
	/* The caller's clock at the first and the last request of the device's
	 * own protocol (vendor or class), retries included; 0 before any. */
	uint64_t first_request_us, last_request_us;
	/* The V-USB bootloaders: pages written by SPM, Chip Erases done,
	 * writes the real one ignores (USBaspLoader, into its own section),
	 * writes into the bootloader's own section that happened (BootloadHID
	 * overwrites itself), pages written without an erase (bits stuck at
	 * 0); whether it started the application. */
	uint64_t spm_pages;
	uint64_t chip_erases;
	uint64_t ignored_writes;
	uint64_t own_section_writes;
	uint64_t unerased_writes;
	bool left;
};
const struct emu_usb_stats *emu_usb_stats(const struct emu_usb *u);

/* The SCK the firmware clocks with now (0 before any power-up/connect). */
uint32_t emu_usb_sck_hz(const struct emu_usb *u);

/*
 * What a host did that the device refuses or a real chip would punish
 * (HalfKay: a block at or past 32256, refused; a report of the wrong size,
 * stalled; an address inside a block, whose low bits the chip ignores; a
 * block wanting bits to go from 0 to 1 without an erase).  The first 64
 * are kept as lines ("report 3: block 0x7E00 is HalfKay's own: refused");
 * stats.violations counts them all.
 */
size_t emu_usb_violation_count(const struct emu_usb *u);
const char *emu_usb_violation(const struct emu_usb *u, size_t i);

#endif
