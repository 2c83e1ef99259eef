/* station-log.c - the station's record of each board: the JSON object, the
 * append-only log file it goes to, and the timestamps both use. */
#include "config.h"

#include "job/station.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/json-util.h"

/* --- time ------------------------------------------------------------------- */

const char *
station_time_text(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t);
	return buf;
}

const char *
station_time_rfc3339(time_t t, char *buf, size_t size)
{
	struct tm tm;
	char raw[40];
	size_t n;

	if (localtime_r(&t, &tm) == NULL ||
	    (n = strftime(raw, sizeof raw, "%Y-%m-%dT%H:%M:%S%z", &tm)) < 5) {
		snprintf(buf, size, "%lld", (long long)t);
		return buf;
	}
	/* strftime's %z is "+0100"; RFC 3339 wants "+01:00". */
	snprintf(buf, size, "%.*s:%s", (int)(n - 2), raw, raw + n - 2);
	return buf;
}

/* --- the record ------------------------------------------------------------------ */

static const char *
result_word(enum iw_status st)
{
	if (st == IW_OK)
		return "ok";
	return st == IW_CANCELLED ? "cancelled" : "failed";
}

static json_t *
diagnosis_obj(const struct wiring_diagnosis *d)
{
	json_t *causes = json_array();

	for (size_t i = 0; i < d->n_causes; i++)
		json_array_append_new(causes, json_pack("{s:s, s:s}",
			"cause", wiring_cause_name(d->causes[i].cause),
			"text", d->causes[i].text));
	return json_pack("{s:s, s:s, s:o}", "symptom", wiring_symptom_name(d->symptom),
			 "summary", d->summary, "causes", causes);
}

json_t *
station_record_json(const struct station_plan *sp, const struct station_session *session,
		    unsigned board, time_t when, const struct job_result *res)
{
	const struct job_plan *jp = &sp->job;
	bool failed = res->status != IW_OK;
	bool diag = failed && res->has_diagnosis && res->diagnosis.n_causes > 0;
	json_t *o = json_object(), *sig = json_null();
	char t[48];

	if (res->have_signature) {
		sig = json_array();
		for (int i = 0; i < 3; i++)
			json_array_append_new(sig, json_hex_byte(res->signature[i]));
	}
	json_object_set_new(o, "time", json_string(station_time_rfc3339(when, t, sizeof t)));
	json_object_set_new(o, "session", json_string(session->id));
	json_object_set_new(o, "board", json_integer(board));
	json_object_set_new(o, "result", json_string(result_word(res->status)));
	json_object_set_new(o, "status", json_string(iw_status_name(res->status)));
	json_object_set_new(o, "exit_code", json_integer(iw_status_exit_code(res->status)));
	json_object_set_new(o, "phase", json_string(job_phase_name(res->phase)));
	json_object_set_new(o, "seconds", json_real((double)(long)(res->seconds * 1000.0 + 0.5) /
						   1000.0));   /* to the millisecond */
	json_object_set_new(o, "programmer", json_string_or_null(jp->programmer != NULL ?
								  jp->programmer->id : NULL));
	json_object_set_new(o, "port", json_string_or_null(jp->port));
	json_object_set_new(o, "part", json_string_or_null(jp->part != NULL ? jp->part->id : NULL));
	json_object_set_new(o, "image", json_string_or_null(jp->image_path));
	json_object_set_new(o, "image_sha256", json_string_or_null(session->image_sha256[0] != '\0' ?
								    session->image_sha256 : NULL));
	json_object_set_new(o, "signature", sig);
	json_object_set_new(o, "sck_hz", res->connected ? json_integer(res->sck_hz) : json_null());
	json_object_set_new(o, "fuses_before", res->have_fuses ? json_fuse_set(&res->fuses_before) :
			    json_null());
	json_object_set_new(o, "fuses_after", job_result_fuses_after_json(res));
	json_object_set_new(o, "lock_after", job_result_lock_after_json(res));
	json_object_set_new(o, "pages_written", json_integer(res->pages_written));
	json_object_set_new(o, "message", failed ? json_string(res->error.msg) : json_null());
	json_object_set_new(o, "cause", diag ? json_string(wiring_cause_name(
				    res->diagnosis.causes[0].cause)) : json_null());
	json_object_set_new(o, "diagnosis", failed && res->has_diagnosis ?
			    diagnosis_obj(&res->diagnosis) : json_null());
	json_object_set_new(o, "backup", json_string_or_null(res->backup_json[0] != '\0' ?
							      res->backup_json : NULL));
	return o;
}

/* --- the file -------------------------------------------------------------------- */

struct station_log {
	int fd;
	bool sync;            /* a regular file: fsync each line */
	char path[JOB_PATH_MAX];
};

static enum iw_status
write_all(struct station_log *log, const char *buf, size_t len, struct iw_error *err)
{
	while (len > 0) {
		ssize_t n = write(log->fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return iw_error_set(err, IW_IO, "cannot write to the log %s: %s; "
					    "free space or choose another --log file",
					    log->path, n < 0 ? strerror(errno) : "nothing written");
		buf += n;
		len -= (size_t)n;
	}
	if (log->sync && fsync(log->fd) != 0)
		return iw_error_set(err, IW_IO, "cannot flush the log %s to disk: %s",
				    log->path, strerror(errno));
	return IW_OK;
}

/* A new file's name must reach the disk too, or a crash can lose it. */
static void
sync_parent(const char *path)
{
	char *copy = strdup(path);
	int dfd;

	if (copy == NULL)
		return;
	dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(copy);
}

enum iw_status
station_log_open(const char *path, struct station_log **out, struct iw_error *err)
{
	struct station_log *log;
	struct stat st;
	bool created = true;
	enum iw_status rc;
	char last;

	*out = NULL;
	if ((log = calloc(1, sizeof *log)) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory opening the log");
	if ((size_t)snprintf(log->path, sizeof log->path, "%s", path) >= sizeof log->path) {
		free(log);
		return iw_error_set(err, IW_USAGE, "--log %s: the name is too long", path);
	}
	log->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (log->fd < 0 && errno == EEXIST) {
		created = false;
		log->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	}
	if (log->fd < 0) {
		rc = iw_error_set(err, IW_IO, "cannot open the log %s: %s; check the "
				  "directory and its permissions", path, strerror(errno));
		free(log);
		return rc;
	}
	if (fstat(log->fd, &st) != 0) {
		rc = iw_error_set(err, IW_IO, "cannot open the log %s: %s", path, strerror(errno));
		goto fail;
	}
	log->sync = S_ISREG(st.st_mode);
	if (created)
		sync_parent(path);
	/* A line cut short by a crash would swallow the next record. */
	if (log->sync && st.st_size > 0) {
		int rfd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = rfd >= 0 ? pread(rfd, &last, 1, st.st_size - 1) : -1;

		if (rfd >= 0)
			close(rfd);
		if (n == 1 && last != '\n' && (rc = write_all(log, "\n", 1, err)) != IW_OK)
			goto fail;
	}
	*out = log;
	return IW_OK;
fail:
	close(log->fd);
	free(log);
	return rc;
}

enum iw_status
station_log_write(struct station_log *log, json_t *record, struct iw_error *err)
{
	char *text = json_dumps(record, STATION_JSON_FLAGS);
	char *line;
	size_t len;
	enum iw_status st;

	if (text == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory writing the log");
	len = strlen(text);
	/* One write() per line: with O_APPEND, lines from several stations
	 * sharing a log never interleave. */
	if ((line = malloc(len + 2)) == NULL) {
		free(text);
		return iw_error_set(err, IW_NOMEM, "out of memory writing the log");
	}
	memcpy(line, text, len);
	line[len] = '\n';
	line[len + 1] = '\0';
	st = write_all(log, line, len + 1, err);
	free(line);
	free(text);
	return st;
}

void
station_log_close(struct station_log *log)
{
	if (log == NULL)
		return;
	close(log->fd);
	free(log);
}
