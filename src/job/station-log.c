/* station-log.c - the station's record of each board: the JSON object, the
 * append-only log file it goes to, and the timestamps both use. */
#include "config.h"

#include "job/station.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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

const char *
station_cause(const struct job_result *res, char *buf, size_t size)
{
	const char *name;
	size_t n = 0;

	if (res->status == IW_OK)
		return NULL;
	if (res->has_diagnosis && res->diagnosis.n_causes > 0)
		return wiring_cause_name(res->diagnosis.causes[0].cause);
	/* A programmer that went away mid-board (unplugged, its cable pulled)
	 * is what an operator needs to hear, not the errno it came as. */
	if (res->status == IW_NO_PROGRAMMER || res->status == IW_IO)
		return "programmer-lost";
	for (name = iw_status_name(res->status); *name != '\0' && n + 1 < size; name++)
		buf[n++] = *name == '_' ? '-' : (char)(*name >= 'A' && *name <= 'Z' ?
						      *name - 'A' + 'a' : *name);
	buf[n] = '\0';
	return buf;
}

static json_t *
phases_obj(const struct station_board_times *t)
{
	json_t *o = json_object();

	for (int ph = 0; ph < JOB_PHASE_COUNT; ph++)
		if (t->phase_s[ph] > 0.0)
			json_object_set_new(o, job_phase_name((enum job_phase)ph),
					    json_real((double)(long)(t->phase_s[ph] * 1000.0 + 0.5) /
						      1000.0));
	return o;
}

json_t *
station_record_json(const struct station_plan *sp, const struct station_session *session,
		    const struct station_lane_info *lane, unsigned board,
		    const struct station_board_times *times, const struct job_result *res)
{
	const struct job_plan *jp = &sp->job;
	bool failed = res->status != IW_OK;
	json_t *o = json_object(), *sig = json_null();
	char t[48], cause[STATION_CAUSE_MAX];
	const char *c = station_cause(res, cause, sizeof cause);

	if (res->have_signature) {
		sig = json_array();
		for (int i = 0; i < 3; i++)
			json_array_append_new(sig, json_hex_byte(res->signature[i]));
	}
	json_object_set_new(o, "time", json_string(station_time_rfc3339(times->ended, t,
									 sizeof t)));
	json_object_set_new(o, "session", json_string(session->id));
	json_object_set_new(o, "lane", json_integer(lane->id));
	json_object_set_new(o, "serial", json_string_or_null(lane->serial[0] != '\0' ?
							      lane->serial : NULL));
	json_object_set_new(o, "board", json_integer(board));
	json_object_set_new(o, "started", json_string(station_time_rfc3339(times->started, t,
									    sizeof t)));
	json_object_set_new(o, "ended", json_string(station_time_rfc3339(times->ended, t,
									  sizeof t)));
	json_object_set_new(o, "result", json_string(result_word(res->status)));
	json_object_set_new(o, "status", json_string(iw_status_name(res->status)));
	json_object_set_new(o, "exit_code", json_integer(iw_status_exit_code(res->status)));
	json_object_set_new(o, "phase", json_string(job_phase_name(res->phase)));
	json_object_set_new(o, "seconds", json_real((double)(long)(res->seconds * 1000.0 + 0.5) /
						   1000.0));   /* to the millisecond */
	json_object_set_new(o, "phases", phases_obj(times));
	json_object_set_new(o, "programmer", json_string_or_null(jp->programmer != NULL ?
								  jp->programmer->id : NULL));
	json_object_set_new(o, "port", json_string_or_null(lane->port[0] != '\0' ? lane->port :
							    NULL));
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
	json_object_set_new(o, "cause", json_string_or_null(c));
	json_object_set_new(o, "diagnosis", failed && res->has_diagnosis ?
			    diagnosis_obj(&res->diagnosis) : json_null());
	json_object_set_new(o, "backup", json_string_or_null(res->backup_json[0] != '\0' ?
							      res->backup_json : NULL));
	return o;
}

json_t *
station_start_json(const struct station_plan *sp, const struct station_session *session,
		   const struct station_lane_info *lane, unsigned board, time_t when)
{
	const struct job_plan *jp = &sp->job;
	char t[40];

	return json_pack("{s:s, s:I, s:o, s:I, s:s, s:o, s:o, s:o, s:o}",
			 "session", session->id, "lane", (json_int_t)lane->id,
			 "serial", json_string_or_null(lane->serial[0] != '\0' ? lane->serial :
						       NULL),
			 "board", (json_int_t)board,
			 "started", station_time_rfc3339(when, t, sizeof t),
			 "programmer", json_string_or_null(jp->programmer != NULL ?
							   jp->programmer->id : NULL),
			 "port", json_string_or_null(lane->port[0] != '\0' ? lane->port : NULL),
			 "part", json_string_or_null(jp->part != NULL ? jp->part->id : NULL),
			 "image", json_string_or_null(jp->image_path));
}

/* --- the file -------------------------------------------------------------------- */

/*
 * The log is append-only JSON Lines, shared by every lane of a station and
 * by other station processes: each write takes the file's lock (flock, for
 * other processes) and the struct's mutex (for lanes), notes the size,
 * appends the whole line with one write(), fsyncs, and on any failure cuts
 * the file back to that size, so a line is whole or absent.  A board that
 * starts leaves a marker file in LOG.running/ until its line is on disk;
 * a marker found on the next start is a board the station never finished
 * (a crash, a power cut, kill -9): it gets an "interrupted" line then.
 */
struct station_log {
	int fd;
	bool regular;         /* a regular file: lock, sync, repair */
	pthread_mutex_t lock;
	char path[JOB_PATH_MAX];
	char running[JOB_PATH_MAX + 16];   /* LOG.running, the markers' folder */
};

/* fsync the folder of `path`, so a new name in it reaches the disk too. */
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

static enum iw_status
append_locked(struct station_log *log, const char *buf, size_t len, struct iw_error *err)
{
	struct stat st;
	off_t before = 0;
	size_t done = 0;
	int e = 0;

	if (log->regular) {
		if (fstat(log->fd, &st) != 0)
			return iw_error_set(err, IW_IO, "cannot write to the log %s: %s",
					    log->path, strerror(errno));
		before = st.st_size;
	}
	while (done < len) {
		ssize_t n = write(log->fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : ENOSPC;
			break;
		}
		done += (size_t)n;
	}
	if (e == 0 && log->regular && fsync(log->fd) != 0)
		e = errno;
	if (e != 0) {
		/* Whole or absent: never leave half a line for the next run. */
		if (log->regular && ftruncate(log->fd, before) == 0)
			fsync(log->fd);
		return iw_error_set(err, IW_IO, "cannot write to the log %s: %s; nothing of "
				    "this line was kept; free space or choose another --log file",
				    log->path, strerror(e));
	}
	return IW_OK;
}

static enum iw_status
append_line(struct station_log *log, json_t *record, struct iw_error *err)
{
	char *text = json_dumps(record, STATION_JSON_FLAGS);
	char *line;
	size_t len;
	enum iw_status st;

	if (text == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory writing the log");
	len = strlen(text);
	if ((line = malloc(len + 2)) == NULL) {
		free(text);
		return iw_error_set(err, IW_NOMEM, "out of memory writing the log");
	}
	memcpy(line, text, len);
	line[len] = '\n';
	pthread_mutex_lock(&log->lock);
	if (log->regular)
		flock(log->fd, LOCK_EX);
	st = append_locked(log, line, len + 1, err);
	if (log->regular)
		flock(log->fd, LOCK_UN);
	pthread_mutex_unlock(&log->lock);
	free(line);
	free(text);
	return st;
}

/* A line cut short at the end (a crash while writing, or a disk that
 * filled up under another program): cut it off, so every line left is a
 * whole record.  *dropped gets its length. */
static enum iw_status
repair_tail(struct station_log *log, size_t *dropped, struct iw_error *err)
{
	struct stat st;
	char buf[4096];
	off_t end, pos;

	*dropped = 0;
	if (fstat(log->fd, &st) != 0 || st.st_size == 0)
		return IW_OK;
	end = st.st_size;
	/* Back from the end to the last newline. */
	for (pos = end; pos > 0;) {
		off_t from = pos > (off_t)sizeof buf ? pos - (off_t)sizeof buf : 0;
		ssize_t n = pread(log->fd, buf, (size_t)(pos - from), from);

		if (n <= 0)
			return iw_error_set(err, IW_IO, "cannot read the log %s: %s", log->path,
					    n < 0 ? strerror(errno) : "short read");
		for (ssize_t i = n; i-- > 0;)
			if (buf[i] == '\n') {
				pos = from + i + 1;
				goto found;
			}
		pos = from;
	}
found:
	if (pos == end)
		return IW_OK;
	if (ftruncate(log->fd, pos) != 0 || fsync(log->fd) != 0)
		return iw_error_set(err, IW_IO, "cannot repair the log %s (a line cut short "
				    "at its end): %s", log->path, strerror(errno));
	*dropped = (size_t)(end - pos);
	return IW_OK;
}

enum iw_status
station_log_open(const char *path, struct station_log **out, size_t *dropped,
		 struct iw_error *err)
{
	struct station_log *log;
	struct stat st;
	bool created = true;
	enum iw_status rc;

	*out = NULL;
	*dropped = 0;
	if ((log = calloc(1, sizeof *log)) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory opening the log");
	if ((size_t)snprintf(log->path, sizeof log->path, "%s", path) >= sizeof log->path) {
		free(log);
		return iw_error_set(err, IW_USAGE, "--log %s: the name is too long", path);
	}
	snprintf(log->running, sizeof log->running, "%s.running", path);
	log->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (log->fd < 0 && errno == EEXIST) {
		created = false;
		log->fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
		if (log->fd < 0 && (errno == EACCES || errno == EINVAL || errno == EISDIR))
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
	log->regular = S_ISREG(st.st_mode);
	pthread_mutex_init(&log->lock, NULL);
	if (created)
		sync_parent(path);
	if (log->regular) {
		flock(log->fd, LOCK_EX);
		rc = repair_tail(log, dropped, err);
		flock(log->fd, LOCK_UN);
		if (rc != IW_OK) {
			pthread_mutex_destroy(&log->lock);
			goto fail;
		}
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
	return append_line(log, record, err);
}

/* --- boards in progress ------------------------------------------------------------ */

static void
marker_path(const struct station_log *log, const char *session, unsigned lane,
	    unsigned board, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s-lane%u-board%u.json", log->running, session, lane, board);
}

enum iw_status
station_log_board_start(struct station_log *log, const char *session, unsigned lane,
			unsigned board, json_t *start, struct iw_error *err)
{
	char path[JOB_PATH_MAX + 128], *text;
	size_t len, off = 0;
	int fd = -1;

	if (!log->regular)
		return IW_OK;
	marker_path(log, session, lane, board, path, sizeof path);
	if ((text = json_dumps(start, STATION_JSON_FLAGS)) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory writing the log");
	len = strlen(text);
	/* The folder exists only while a board is in progress; another lane
	 * may remove it between our mkdir and open: then make it again. */
	for (int tries = 0; tries < 3; tries++) {
		if (mkdir(log->running, 0755) != 0 && errno != EEXIST) {
			free(text);
			return iw_error_set(err, IW_IO, "cannot create %s (where the log notes "
					    "the boards in progress): %s", log->running,
					    strerror(errno));
		}
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != ENOENT)
			break;
	}
	if (fd < 0) {
		free(text);
		return iw_error_set(err, IW_IO, "cannot create %s: %s", path, strerror(errno));
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(text);
	if (off < len || fsync(fd) != 0) {
		int e = off < len ? ENOSPC : errno;

		close(fd);
		unlink(path);
		return iw_error_set(err, IW_IO, "cannot write %s: %s; free space or choose "
				    "another --log file", path, strerror(e));
	}
	close(fd);
	sync_parent(path);
	return IW_OK;
}

void
station_log_board_end(struct station_log *log, const char *session, unsigned lane,
		      unsigned board)
{
	char path[JOB_PATH_MAX + 128];

	if (!log->regular)
		return;
	marker_path(log, session, lane, board, path, sizeof path);
	if (unlink(path) == 0)
		sync_parent(path);
	/* Gone when no board is in progress (fails while others are). */
	if (rmdir(log->running) == 0)
		sync_parent(log->running);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum iw_status
station_log_recover(struct station_log *log, station_log_interrupted_fn fn, void *user,
		    struct iw_error *err)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	enum iw_status st = IW_OK;
	DIR *dir;

	if (!log->regular || (dir = opendir(log->running)) == NULL)
		return IW_OK;
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if (n == cap) {
			char **more = realloc(names, (cap = cap ? cap * 2 : 8) * sizeof *names);

			if (more == NULL)
				break;
			names = more;
		}
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(dir);
	qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		char path[JOB_PATH_MAX + 300];
		json_error_t jerr;
		json_t *start, *rec;
		char now[40];

		snprintf(path, sizeof path, "%s/%s", log->running, names[i]);
		start = json_load_file(path, 0, &jerr);
		if (!json_is_object(start)) {
			/* A marker cut short itself: its name still says which board. */
			json_decref(start);
			start = json_pack("{s:s}", "marker", names[i]);
		}
		rec = json_deep_copy(start);
		json_object_set_new(rec, "time", json_string(station_time_rfc3339(time(NULL),
										now, sizeof now)));
		json_object_set_new(rec, "result", json_string("interrupted"));
		json_object_set_new(rec, "message", json_string(
			"the station stopped while this board was being flashed (a crash, a "
			"power cut or kill -9), so it may be half written: flash it again"));
		if (st == IW_OK && (st = append_line(log, rec, err)) == IW_OK) {
			unlink(path);
			if (fn != NULL)
				fn(user, rec);
		}
		json_decref(rec);
		json_decref(start);
		free(names[i]);
	}
	free(names);
	if (st == IW_OK && rmdir(log->running) == 0)
		sync_parent(log->running);
	return st;
}

void
station_log_close(struct station_log *log)
{
	if (log == NULL)
		return;
	close(log->fd);
	pthread_mutex_destroy(&log->lock);
	free(log);
}
