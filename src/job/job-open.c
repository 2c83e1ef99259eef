/* job-open.c - opening a plan's programmer: the one place that turns a
 * plan into the driver's options (job.h). */
#include "job/job.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file-util.h"
#include "prog/prog.h"
#include "prog/prog-sim.h"

enum iw_status
job_open_programmer(const struct job_plan *plan, struct prog *p, struct iw_error *err)
{
	struct prog_options opts;
	const struct prog_driver *d;
	enum iw_status st;

	if (plan->programmer == NULL)
		return iw_error_set(err, IW_USAGE, "no programmer chosen");
	if ((d = prog_driver_find(plan->programmer->driver)) == NULL)
		return iw_error_set(err, IW_CATALOG, "programmer %s names driver '%s', which "
				    "this ispwiz does not have", plan->programmer->id,
				    plan->programmer->driver != NULL ? plan->programmer->driver : "");
	memset(&opts, 0, sizeof opts);
	opts.port = plan->port;
	opts.baud = plan->baud;
	opts.entry = plan->programmer;
	opts.part = plan->part;
	opts.sim_state = plan->sim_state;
	opts.sim_faults = plan->sim_faults;
	opts.n_sim_faults = plan->n_sim_faults;
	opts.driver_opts = plan->driver_opts;
	opts.n_driver_opts = plan->n_driver_opts;
	opts.catalog = plan->catalog;
	opts.pace.read_ns_per_byte = plan->pace_read_ns_per_byte;
	opts.pace.page_us = plan->pace_page_us;
	if ((st = prog_open(p, d, &opts, err)) != IW_OK)
		iw_error_prefix(err, "opening the %s", catalog_programmer_label(plan->programmer));
	return st;
}

const char *const *
job_programmer_options(const struct catalog_programmer *pg)
{
	const struct prog_driver *d = pg != NULL ? prog_driver_find(pg->driver) : NULL;

	return d != NULL ? d->option_help : NULL;
}

enum iw_status
job_check_sim_fault(const char *spec, const struct catalog *cat, struct iw_error *err)
{
	return prog_sim_check_fault(spec, cat, err);
}

enum iw_status
job_plan_check_sim(const struct job_plan *plan, struct iw_error *err)
{
	const char *path = plan->sim_state;
	char dir[JOB_PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < plan->n_sim_faults; i++)
		if (job_check_sim_fault(plan->sim_faults[i], plan->catalog, err) != IW_OK) {
			iw_error_prefix(err, "--sim-fault %s", plan->sim_faults[i]);
			return IW_USAGE;
		}
	if (path == NULL)
		return IW_OK;
	if (path[0] == '\0')
		return iw_error_set(err, IW_USAGE, "--sim-state needs a file name");
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return iw_error_set(err, IW_USAGE, "--sim-state %s is a folder; give the "
				    "file that holds the simulated chip (it is made on the first "
				    "run), e.g. %s/chip.json", path, path);
	file_dir_of(path, dir, sizeof dir);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return iw_error_set(err, IW_USAGE, "--sim-state %s: the folder %s %s, so the "
				    "simulated chip could not be saved; create it first (nothing "
				    "was touched)", path, dir,
				    stat(dir, &st) != 0 ? "does not exist" : "is not a folder");
	if (access(dir, W_OK | X_OK) != 0)
		return iw_error_set(err, IW_USAGE, "--sim-state %s: the folder %s is not "
				    "writable, so the simulated chip could not be saved (nothing "
				    "was touched)", path, dir);
	return IW_OK;
}
