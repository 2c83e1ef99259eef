/*
 * catalog.h - the data the whole program works from: programmers (how to
 * find and wire them), parts (signatures, memory sizes, fuse bit fields) and
 * bootloaders (which file, which fuses, which USB ID it enumerates with).
 *
 * The catalog is loaded from YAML (data/catalog.yaml, see ispwiz-catalog(5)).
 * Later files override earlier ones entry by entry (same `id` replaces), so a
 * user file in $XDG_CONFIG_HOME/ispwiz/ can add or patch a board without
 * touching the installed file.  Every loaded entry remembers where it came
 * from so later validation errors can still point at file:line:col.
 *
 * Everything here is plain data owned by the struct catalog; front ends only
 * read it.
 */
#ifndef ISPWIZ_CORE_CATALOG_H
#define ISPWIZ_CORE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/identity.h"

/* Where an entry (or a value) was defined: for messages. */
struct catalog_origin {
	const char *file;   /* points into catalog->files[], never freed alone */
	int line;           /* 1-based */
	int col;            /* 1-based */
};

struct catalog_usb_id {
	uint16_t vid;
	uint16_t pid;
};

enum catalog_transport {
	CATALOG_TRANSPORT_SERIAL,
	CATALOG_TRANSPORT_USB,
	CATALOG_TRANSPORT_SIM,          /* the built-in simulated programmer */
};

/* One row of a wiring table: programmer pin -> target pin, as the guide
 * prints them, e.g. { "10 (B6)", "RESET" }. */
struct catalog_wire {
	char *programmer_pin;
	char *target_pin;
};

/* One known upstream file: what it is (core/identity.h), whatever its line
 * endings.  `boot` is absent for an application (ISP firmware). */
struct catalog_identity {
	char *version;       /* "1.0.0"; NULL when there is one version only */
	char *note;          /* what tells this version apart, or NULL */
	struct image_id image;
	bool has_boot;
	struct image_id boot;
};

/* How a programmer board gets its own ISP firmware (Pro Micro, Teensy). */
struct catalog_isp_firmware {
	char *file;          /* upstream file name, e.g. pro_micro_ISP_B6_10.hex */
	char *url;           /* the file itself (raw), for `ispwiz fetch` */
	char *page;          /* the page a person reads about it, or NULL */
	char *part;          /* the board's chip, e.g. atmega32u4 */
	char *loader;        /* "caterina" (AVR109 after a 1200-baud touch) or "halfkay" */
	char *instructions;  /* what the user does, in prose */
	struct catalog_identity *identities;  /* the known upstream files */
	size_t n_identities;
};

struct catalog_programmer {
	char *id;            /* "avrisp-promicro", "usbtiny", ... */
	char *driver;        /* driver in src/prog: avrisp, usbtiny, usbasp, buspirate, sim */
	char *name;          /* display name */
	char *description;   /* one line for menus */
	char *avrdude_id;    /* -c value for the equivalent avrdude command */
	enum catalog_transport transport;
	unsigned baud;       /* serial default; 0 when not serial */
	struct catalog_usb_id *usb_ids;
	size_t n_usb_ids;
	struct catalog_wire *wiring;
	size_t n_wiring;
	char **warnings;
	size_t n_warnings;
	uint32_t max_flash;  /* largest part flash it handles in bytes; 0 = no limit */
	char *limit_note;    /* why, when max_flash is set */
	struct catalog_isp_firmware *firmware; /* NULL when none is needed */
	struct catalog_origin origin;
	struct catalog_origin driver_origin;   /* of the 'driver' value */
};

/* Fuse bytes in the order avrdude names them. */
enum fuse_byte {
	FUSE_LOW = 0,
	FUSE_HIGH = 1,
	FUSE_EXT = 2,
	FUSE_COUNT = 3,
};

/* What changing a bit field can do to the chip; drives the safety rules. */
enum fuse_safety {
	FUSE_SAFETY_NONE,                /* inform only */
	FUSE_SAFETY_CONFIRM_CHANGE,      /* any change needs confirmation (CKSEL, SUT, CKDIV8, BOOTSZ, BOOTRST) */
	FUSE_SAFETY_CONFIRM_PROGRAMMED,  /* programming it needs confirmation (JTAGEN) */
	FUSE_SAFETY_REFUSE_PROGRAMMED,   /* programming it ends ISP access (RSTDISBL, DWEN) */
	FUSE_SAFETY_REFUSE_UNPROGRAMMED, /* unprogramming it ends ISP access (SPIEN) */
};

/* A meaning for one value of a multi-bit field (CKSEL 0xE = "low power
 * crystal 8-16 MHz"). Values are right-aligned: field bits shifted down. */
struct fuse_value_meaning {
	uint8_t value;
	char *meaning;
};

struct fuse_field {
	char *name;          /* "CKDIV8", "BOOTSZ", "SPIEN" */
	uint8_t mask;        /* bits of the byte this field occupies */
	char *description;   /* what the field does */
	enum fuse_safety safety;
	struct fuse_value_meaning *values; /* optional; for multi-bit fields */
	size_t n_values;
};

struct fuse_byte_def {
	bool present;        /* ATmega32A has no extended fuse */
	uint8_t unused_mask; /* unimplemented bits: compare only the others */
	uint8_t factory;     /* factory default value */
	struct fuse_field *fields;
	size_t n_fields;
};

/* Boot section for one BOOTSZ value (the 2-bit field value, 0..3). */
struct boot_section {
	uint8_t bootsz;
	uint32_t size_words;
	uint32_t start_word;
};

struct catalog_part {
	char *id;            /* "atmega32u4" */
	char *name;          /* "ATmega32U4" */
	char *avrdude_id;    /* "m32u4" */
	uint8_t signature[3];
	uint32_t flash_size; /* bytes */
	uint32_t page_size;  /* bytes */
	uint32_t eeprom_size;
	struct fuse_byte_def fuses[FUSE_COUNT];
	uint8_t lock_mask;   /* implemented lock bits, 0x3F on these parts */
	struct boot_section boot[4];  /* indexed by BOOTSZ value */
	struct catalog_origin origin;
};

struct catalog_preset {
	char *name;          /* "default", "jtag-disabled" */
	char *description;
	uint8_t fuse[FUSE_COUNT];
	bool has_fuse[FUSE_COUNT];   /* efuse absent on parts without one */
	bool has_lock;
	uint8_t lock;
};

struct catalog_bootloader {
	char *id;            /* "caterina-promicro16", "atmel-dfu-atmega32u4" */
	char *family;        /* "atmel-dfu", "caterina", "bootloadhid", "usbasploader" */
	char *name;          /* display name of the variant */
	char *part;          /* part id; checked against the parts at load */
	struct catalog_usb_id usb_id; /* what it enumerates as */
	struct catalog_preset *presets;
	size_t n_presets;
	char *file;          /* upstream file name, NULL when it must be built */
	char *url;           /* the file itself (raw), for `ispwiz fetch`; NULL if none */
	char *page;          /* the page a person reads about it (or builds from) */
	struct catalog_identity *identities;  /* the known upstream files */
	size_t n_identities;
	bool combined_sketch; /* the '*' files that also carry an Arduino sketch */
	/* Caterina: the USB ID of the sketch such a board runs (touching its
	 * port at 1200 baud starts the bootloader), and how long the
	 * bootloader waits after one reset and after two in quick succession
	 * (0: not known). */
	bool has_sketch_usb_id;
	struct catalog_usb_id sketch_usb_id;
	uint32_t window_ms, double_tap_window_ms;
	char **notes;
	size_t n_notes;
	struct catalog_origin origin;
};

struct catalog {
	struct catalog_programmer *programmers;
	size_t n_programmers;
	struct catalog_part *parts;
	size_t n_parts;
	struct catalog_bootloader *bootloaders;
	size_t n_bootloaders;
	char **files;        /* every file loaded, in order; origins point here */
	size_t n_files;
};

void catalog_init(struct catalog *cat);
void catalog_free(struct catalog *cat);

/* Load one YAML file on top of what is already in `cat`: entries with a new
 * id are appended, entries whose id exists replace the old one.  On error the
 * catalog is left as it was and err->msg reads "file:line:col: what is wrong".
 * Cross-references (a bootloader's part) are checked by catalog_validate(). */
enum iw_status catalog_load_file(struct catalog *cat, const char *path,
				 struct iw_error *err);
/* The same from memory; `name` is used in messages. */
enum iw_status catalog_load_buffer(struct catalog *cat, const char *name,
				   const char *buf, size_t len,
				   struct iw_error *err);
/* Check references between entries (bootloader -> part, preset fuse bytes
 * present on the part, boot tables complete); errors carry the origin. */
enum iw_status catalog_validate(const struct catalog *cat, struct iw_error *err);
/* Every programmer's driver is one `known` says this build has; else an
 * IW_CATALOG error at the 'driver' value naming `have` (the list of
 * drivers).  Core does not know the drivers, so the layer that does passes
 * them in (session_catalog does, right after loading). */
enum iw_status catalog_check_drivers(const struct catalog *cat,
				     bool (*known)(const char *driver), const char *have,
				     struct iw_error *err);

/* The standard load: `explicit_path` if given (--catalog FILE), else the
 * installed catalog ($ISPWIZ_DATADIR or the configured pkgdatadir), then every
 * *.yaml in $XDG_CONFIG_HOME/ispwiz/ (default ~/.config/ispwiz/) in name
 * order; then catalog_validate(). */
enum iw_status catalog_load_default(struct catalog *cat,
				    const char *explicit_path,
				    struct iw_error *err);

/* Where the catalog comes from without $ISPWIZ_DATADIR or --catalog: the
 * source tree's data/ for a binary run from its build tree (so ./ispwiz
 * works right after building), else the installed pkgdatadir.  Returns
 * true for the build tree. */
bool catalog_default_datadir(char *buf, size_t size);

/* By id; else by driver or avrdude name when all entries answering to it
 * share one driver ("avrisp" -> the first avrisp entry). */
const struct catalog_programmer *catalog_find_programmer(const struct catalog *cat, const char *id);
/* Accepts the id, the avrdude id or the display name case-insensitively. */
const struct catalog_part *catalog_find_part(const struct catalog *cat, const char *id);
/* The part with the most flash (NULL when there are no parts). */
const struct catalog_part *catalog_largest_part(const struct catalog *cat);
/* hex_image_read_file, refusing at its line any data beyond the largest
 * part's flash (catalog-image.c). */
struct hex_image;
enum iw_status catalog_read_image(const struct catalog *cat, struct hex_image *img,
				  const char *path, struct iw_error *err);
/* What to call an entry in a sentence: its name, else its id; "?" for NULL. */
const char *catalog_part_label(const struct catalog_part *p);
const char *catalog_programmer_label(const struct catalog_programmer *p);
const char *catalog_bootloader_label(const struct catalog_bootloader *b);
/* A bootloader family in words: "atmel-dfu" -> "Atmel DFU"; unknown ones as
 * they are. */
const char *catalog_family_label(const char *family);
/* How a bootloader family is reached: CATALOG_TRANSPORT_SERIAL for the one
 * that is a serial port (Caterina), USB for the others and unknown ones. */
enum catalog_transport catalog_family_transport(const char *family);
const struct catalog_part *catalog_find_part_by_signature(const struct catalog *cat, const uint8_t sig[3]);
const struct catalog_bootloader *catalog_find_bootloader(const struct catalog *cat, const char *id);
const struct catalog_preset *catalog_find_preset(const struct catalog_bootloader *bl, const char *name);

/* "VVVV:PPPP" (upper-case hex) into buf of at least 10 bytes. */
const char *catalog_usb_id_str(struct catalog_usb_id id, char buf[static 10]);
const char *catalog_transport_name(enum catalog_transport t);
const char *fuse_byte_name(enum fuse_byte b);   /* "lfuse", "hfuse", "efuse" */
/* As written in the catalog: "none", "confirm-change", "confirm-programmed",
 * "refuse-programmed", "refuse-unprogrammed". */
const char *fuse_safety_name(enum fuse_safety s);

#endif
