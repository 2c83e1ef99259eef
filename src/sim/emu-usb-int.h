/*
 * emu-usb-int.h - what the USB emulator files (emu-usb.c, emu-usbtiny.c,
 * emu-usbasp.c, emu-halfkay.c, emu-usbasploader.c, emu-bootloadhid.c)
 * share.  Nothing else includes it.
 */
#ifndef ISPWIZ_SIM_EMU_USB_INT_H
#define ISPWIZ_SIM_EMU_USB_INT_H

#include "sim/emu-spm.h"
#include "sim/emu-usb.h"

/* bmRequestType bits */
#define EMU_USB_DIR_IN     0x80
#define EMU_USB_TYPE_MASK  0x60
#define EMU_USB_TYPE_STD   0x00
#define EMU_USB_TYPE_CLASS 0x20
#define EMU_USB_TYPE_VENDOR 0x40

/* The USBtiny firmware's state (its globals). */
struct emu_usbtiny {
	uint8_t sck_period;          /* µs, 1..250 as the host sent it */
	uint8_t poll1, poll2;        /* bytes that mean "still writing" */
	uint16_t address;            /* `uint_t`: 16 bits on the AVR */
	uint16_t timeout;            /* µs of byte polling per written byte */
	uint8_t cmd0;                /* current read/write instruction */
	uint8_t cmd[4];              /* SPI command buffer (cmd[3] goes stale) */
	uint8_t res[4];
	bool powered;                /* POWERUP seen since the last POWERDOWN */
};

/* The USBasp firmware's state. */
struct emu_usbasp {
	uint8_t prog_sck;            /* SCK option from SETISPSCK */
	uint8_t state;               /* EMU_USBASP_* */
	bool newmode;                /* SETLONGADDRESS seen since CONNECT */
	uint32_t address;            /* `unsigned long prog_address` */
	uint16_t nbytes;
	uint16_t pagesize;
	uint8_t blockflags;
	uint8_t pagecounter;         /* `uchar`: 256-byte pages wrap to 0 */
	uint8_t hiaddr;              /* last Load Extended Address byte sent */
	bool connected;
};

#define EMU_HALFKAY_VIOLATIONS_KEPT 64
#define EMU_HALFKAY_VIOLATION_LEN   96

/* The HalfKay bootloader's state. */
struct emu_halfkay {
	uint32_t erase_us, page_us;  /* from the options, defaults filled in */
	bool erased;                 /* the first write came: the chip was erased */
	bool erasing;                /* ... and the erase runs until erase_end_us */
	bool erase_silent;           /* busy-first: nothing answered meanwhile */
	uint64_t erase_end_us;       /* caller's clock */
	bool pending;                /* the first block, written when the erase ends */
	uint32_t pending_addr;
	uint8_t pending_data[128];
	uint64_t page_end_us;        /* a page write runs until then */
	bool rebooted;
	char violations[EMU_HALFKAY_VIOLATIONS_KEPT][EMU_HALFKAY_VIOLATION_LEN];
	size_t n_violations;
};

/* USBaspLoader's state (its globals). */
struct emu_usbasploader {
	uint32_t address;            /* `currentAddress`, bytes */
	uint8_t remaining;           /* `bytesRemaining`: wLength's low byte */
	bool last_page;              /* WRITEFLASH's LAST flag */
	uint8_t request;             /* the block request in progress */
	struct emu_spm spm;
};

/* BootloadHID's state: only the SPM page buffer lives across reports. */
struct emu_bootloadhid {
	struct emu_spm spm;
};

enum {
	EMU_USBASP_IDLE,
	EMU_USBASP_WRITEFLASH,
	EMU_USBASP_READFLASH,
	EMU_USBASP_READEEPROM,
	EMU_USBASP_WRITEEEPROM,
};

#define EMU_USB_STRING_MAX 64

struct emu_usb {
	struct emu_usb_options opts;
	struct sim_target *t;
	struct emu_usb_stats stats;
	char manufacturer[EMU_USB_STRING_MAX];
	char product[EMU_USB_STRING_MAX];
	char serial[EMU_USB_STRING_MAX];
	uint16_t bcd_device;

	bool fault_on[EMU_USB_FAULT_COUNT];
	uint64_t fault_n[EMU_USB_FAULT_COUNT];
	bool unplugged;
	uint64_t leave_at_us;           /* leaves the bus then (0: not leaving) */
	uint64_t now_us;                /* the caller's clock at this transfer */
	uint64_t requests;              /* vendor and class requests, for the knobs */

	/* caller's clock -> target clock (see emu_usb_set_timing()) */
	bool device_time_slept;
	bool time_pinned;
	uint64_t wall0_us, target0_us;  /* pinned at the first call */
	uint64_t last_us;               /* the caller's clock at the last call */

	union {
		struct emu_usbtiny tiny;
		struct emu_usbasp asp;
		struct emu_halfkay hk;
		struct emu_usbasploader ldr;
		struct emu_bootloadhid blh;
	} u;
};

/* One ISP instruction through the target (clocked at its current SCK). */
void emu_usb_spi(struct emu_usb *u, const uint8_t in[4], uint8_t out[4]);

/* Per kind: a vendor request.  Returns bytes moved (IN: written to data,
 * at most len; OUT: consumed).  Stalls are not part of either firmware. */
int emu_usbtiny_vendor(struct emu_usb *u, const uint8_t setup[8],
		       uint8_t *data, size_t len);
int emu_usbasp_vendor(struct emu_usb *u, const uint8_t setup[8],
		      uint8_t *data, size_t len);
uint32_t emu_usbtiny_sck_hz(const struct emu_usb *u);
uint32_t emu_usbasp_sck_hz(const struct emu_usb *u);
/* HalfKay: a class request (the caller has applied the stall and timeout
 * knobs); fills `r`. */
void emu_halfkay_init(struct emu_usb *u);
void emu_halfkay_class(struct emu_usb *u, const uint8_t setup[8], uint8_t *data,
		       size_t len, uint64_t now_us, struct emu_usb_reply *r);
/* HalfKay's descriptors (emu_usb_descriptors() for this kind) and the
 * HID report descriptor; return the full length, copy at most `size`. */
size_t emu_halfkay_descriptors(const struct emu_usb *u, uint8_t *buf, size_t size);
size_t emu_halfkay_report_descriptor(uint8_t *buf, size_t size);
/* Whether the fault knob that counts reports fires at this report. */
bool emu_usb_fault_at(const struct emu_usb *u, enum emu_usb_fault_kind k,
		      uint64_t index);

/* USBaspLoader: a vendor request, as emu_usbasp_vendor(). */
int emu_usbasploader_vendor(struct emu_usb *u, const uint8_t setup[8], uint8_t *data,
			    size_t len);
/* BootloadHID: a HID class request; bytes moved.  Its descriptors
 * (emu_usb_descriptors() for this kind) and its HID report descriptor:
 * the full length, at most `size` copied. */
int emu_bootloadhid_class(struct emu_usb *u, const uint8_t setup[8], uint8_t *data,
			  size_t len);
size_t emu_bootloadhid_descriptors(const struct emu_usb *u, uint8_t *buf, size_t size);
size_t emu_bootloadhid_report_descriptor(uint8_t *buf, size_t size);
/* Whether the request writes flash (for the unplug knob). */
bool emu_bootloadhid_is_flash_write(const uint8_t setup[8]);

#endif
