/*
 * job-upload.h - what the upload job's files share (job-upload.c runs it,
 * job-boot-find.c finds the bootloader it talks to).  Private to src/job.
 */
#ifndef ISPWIZ_JOB_JOB_UPLOAD_H
#define ISPWIZ_JOB_JOB_UPLOAD_H

#include "boot/boot.h"
#include "job/job-private.h"

/* The bootloader found: which client speaks to it and where. */
struct boot_target {
	const struct boot_driver *driver;
	char port[128];                 /* serial port, or usb:BUS-PATH */
	struct catalog_usb_id id;
};

/* Find the one bootloader the plan means (its -P, its --via, else any the
 * catalog knows), asking a running sketch to start it when one is there,
 * and waiting up to plan->wait_ms for a person to start it, with countdown
 * events in JOB_PHASE_WAIT.  IW_USAGE for several, IW_NO_PROGRAMMER when
 * none came, IW_CANCELLED. */
enum iw_status job_find_bootloader(struct job_runner *r, struct boot_target *t);

/* Wait (JOB_PHASE_WAIT_AFTER) up to wait_ms for a serial port with one of
 * `ids`; its node into `port`. */
enum iw_status job_wait_for_ids(struct job_runner *r, const struct catalog_usb_id *ids,
				size_t n_ids, const char *what, unsigned wait_ms,
				char *port, size_t size);

#endif
