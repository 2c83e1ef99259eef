/*
 * job-upload-file.c - the one rule both front ends apply to a file given
 * for an upload through a chip's own bootloader: a bootloader's own file is
 * never uploaded (a bootloader cannot write itself; it goes on over ISP).
 */
#include "job/job.h"

#include "core/catalog-identify.h"

enum iw_status
job_upload_check_file(const struct catalog *cat, const struct hex_image *img, const char *path,
		      struct iw_error *err)
{
	struct catalog_matches m;
	enum iw_status st;

	if ((st = catalog_identify(cat, img, &m, err)) != IW_OK)
		return st;
	for (size_t i = 0; i < m.n; i++) {
		if (m.m[i].bootloader == NULL || !m.m[i].whole)
			continue;
		return iw_error_set(err, IW_REFUSED, "%s is %s, a bootloader: a bootloader "
				    "cannot write itself; put it on over ISP with `ispwiz flash "
				    "--bootloader %s`", path,
				    catalog_bootloader_label(m.m[i].bootloader),
				    m.m[i].bootloader->id);
	}
	return IW_OK;
}
