/*
 * job-fetch.c - `ispwiz fetch` and the wizard's "Download it": the
 * upstream file of a catalog bootloader or ISP firmware, downloaded with
 * libcurl and kept only when it is the file the catalog knows.
 *
 *   - the destination is $XDG_CACHE_HOME/ispwiz/files/ (or -o DIR); a good
 *     copy already there is reused without the network;
 *   - the download goes to a temporary file beside it and is renamed into
 *     place only after its identity matched, so the final name never holds
 *     a partial or a wrong file; the folder is synced after the rename;
 *   - redirects are followed (GitHub's raw links redirect), the proxy
 *     environment (http_proxy, https_proxy, no_proxy) is libcurl's own,
 *     and a connection that stalls or takes too long is given up;
 *   - what was received when it is not the file (an HTML page, a cut file,
 *     another version) is removed and described.
 */
#include "job/job-private.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/catalog-identify.h"
#include "core/clock.h"
#include "core/file-util.h"

#define FETCH_MAX_BYTES (8u * 1024u * 1024u)
#define FETCH_CONNECT_S 15L
#define FETCH_TOTAL_S   120L
#define FETCH_STALL_S   20L

/* What is fetched: a bootloader's file or a programmer's ISP firmware. */
struct fetch_what {
	const char *id, *file, *url, *page;
	const struct catalog_identity *ids;
	size_t n_ids;
};

static bool
find_what(const struct catalog *cat, const char *id, struct fetch_what *w)
{
	const struct catalog_bootloader *bl = catalog_find_bootloader(cat, id);
	const struct catalog_programmer *pg;

	memset(w, 0, sizeof *w);
	if (bl != NULL) {
		*w = (struct fetch_what){ bl->id, bl->file, bl->url, bl->page, bl->identities,
					  bl->n_identities };
		return true;
	}
	if ((pg = catalog_find_programmer(cat, id)) != NULL && pg->firmware != NULL) {
		const struct catalog_isp_firmware *fw = pg->firmware;

		*w = (struct fetch_what){ pg->id, fw->file, fw->url, fw->page, fw->identities,
					  fw->n_identities };
		return true;
	}
	return false;
}

/* mkdir -p */
static enum iw_status
make_dirs(const char *dir, struct iw_error *err)
{
	char failed[4096];
	int e = file_make_dirs(dir, failed, sizeof failed);

	if (e == ENAMETOOLONG && failed[0] == '\0')
		return iw_error_set(err, IW_IO, "the folder \"%s\" is not usable", dir);
	if (e != 0)
		return iw_error_set(err, IW_IO, "cannot create the folder %s: %s", failed,
				    strerror(e));
	return IW_OK;
}

/* The file at `path` is one of the known identities: IW_OK; else IW_INPUT
 * describing what it is instead (in `what`). */
static enum iw_status
check_file(const char *path, const struct fetch_what *w, char *what, size_t size)
{
	struct hex_image *img = hex_image_new();
	struct image_id id;
	struct iw_error e;
	char t[128], head[17] = "";
	enum iw_status st;
	FILE *fp;

	if (img == NULL)
		return IW_NOMEM;
	if ((fp = fopen(path, "rb")) != NULL) {
		size_t n = fread(head, 1, sizeof head - 1, fp);

		head[n] = '\0';
		fclose(fp);
	}
	if (hex_image_read_file(img, path, &e) != IW_OK) {
		if (strchr(head, '<') != NULL)
			snprintf(what, size, "an HTML page, not a HEX file (a web page's address "
				 "instead of the file's?)");
		else
			snprintf(what, size, "not a whole HEX file (%.300s)", e.msg);
		hex_image_free(img);
		return IW_INPUT;
	}
	st = identity_image(img, &id, &e);
	hex_image_free(img);
	if (st != IW_OK) {
		snprintf(what, size, "%.300s", e.msg);
		return IW_INPUT;
	}
	for (size_t i = 0; i < w->n_ids; i++)
		if (identity_equal(&id, &w->ids[i].image))
			return IW_OK;
	snprintf(what, size, "a HEX file, but not the known one: its image identity is %s",
		 identity_text(&id, t, sizeof t));
	return IW_INPUT;
}

struct sink {
	struct job_runner *r;
	int fd;
	size_t bytes;
	bool too_big, write_failed;
	uint64_t last_report;
};

static size_t
on_data(char *data, size_t one, size_t n, void *user)
{
	struct sink *s = user;
	size_t len = one * n, off = 0;

	if (s->bytes + len > FETCH_MAX_BYTES) {
		s->too_big = true;
		return 0;
	}
	while (off < len) {
		ssize_t k = write(s->fd, data + off, len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			s->write_failed = true;
			return 0;
		}
		off += (size_t)k;
	}
	s->bytes += len;
	return len;
}

static int
on_progress(void *user, curl_off_t total, curl_off_t now, curl_off_t up_total,
	    curl_off_t up_now)
{
	struct sink *s = user;
	uint64_t t = iw_clock_ms();

	(void)up_total;
	(void)up_now;
	if (job_stop_requested(s->r))
		return 1;
	if (t - s->last_report >= 100 && now > 0) {
		job_progress(s->r, (uint32_t)now, total > 0 ? (uint32_t)total : (uint32_t)now);
		s->last_report = t;
	}
	return 0;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

/* libcurl's global set-up is not thread-safe: once, whichever thread comes
 * first (a fetch runs on the job's worker). */
static void
curl_start(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static enum iw_status
download(struct job_runner *r, const struct fetch_what *w, const char *tmp, int fd)
{
	struct iw_error *err = &r->res->error;
	struct sink s = { r, fd, 0, false, false, 0 };
	char curl_err[CURL_ERROR_SIZE] = "";
	unsigned timeout_s = r->plan->fetch_timeout_s;
	long code = 0;
	CURLcode rc;
	CURL *c;

	pthread_once(&curl_once, curl_start);
	if ((c = curl_easy_init()) == NULL)
		return iw_error_set(err, IW_NOMEM, "cannot start libcurl");
	curl_easy_setopt(c, CURLOPT_URL, w->url);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, FETCH_CONNECT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s != 0 ? (long)timeout_s : FETCH_TOTAL_S);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, timeout_s != 0 ? (long)timeout_s :
			 FETCH_STALL_S);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE, (long)FETCH_MAX_BYTES);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &s);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	(void)tmp;
	if (rc == CURLE_OK) {
		job_progress(r, (uint32_t)s.bytes, (uint32_t)s.bytes);
		return IW_OK;
	}
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return iw_error_set(err, IW_CANCELLED, "cancelled while downloading %s; nothing "
				    "was kept", w->file);
	if (s.too_big || rc == CURLE_FILESIZE_EXCEEDED)
		return iw_error_set(err, IW_INPUT, "%s sends more than %u MiB, far more than any "
				    "bootloader file: it is not the file; nothing was kept", w->url,
				    FETCH_MAX_BYTES >> 20);
	if (s.write_failed)
		return iw_error_set(err, IW_IO, "cannot write the download of %s: %s; free "
				    "space or choose another folder with -o", w->file,
				    strerror(errno));
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return iw_error_set(err, IW_IO, "downloading %s stalled or took too long (%s); "
				    "nothing was kept: try again, or get the file by hand from %s",
				    w->url, curl_err[0] != '\0' ? curl_err : "timed out",
				    w->page != NULL ? w->page : w->url);
	if (rc == CURLE_HTTP_RETURNED_ERROR)
		return iw_error_set(err, IW_NOT_FOUND, "%s answered HTTP %ld: the file is not "
				    "there (moved upstream?); get it by hand from %s and give it "
				    "with -f", w->url, code, w->page != NULL ? w->page : w->url);
	return iw_error_set(err, IW_IO, "cannot download %s: %s; check the network (and "
			    "https_proxy), or get the file by hand from %s and give it with -f",
			    w->url, curl_err[0] != '\0' ? curl_err : curl_easy_strerror(rc),
			    w->page != NULL ? w->page : w->url);
}

static enum iw_status
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return IW_IO;
	fsync(fd);
	close(fd);
	return IW_OK;
}

static enum iw_status
fetch_steps(struct job_runner *r)
{
	const struct job_plan *plan = r->plan;
	struct job_result *res = r->res;
	struct iw_error *err = &res->error;
	char dir[3072], final[4096], tmp[4200], what[400];
	struct fetch_what w;
	enum iw_status st;
	int fd;

	if (!find_what(plan->catalog, plan->fetch_id, &w))
		return iw_error_set(err, IW_NOT_FOUND, "unknown bootloader or programmer '%s'; "
				    "`ispwiz list bootloaders` shows the ids", plan->fetch_id);
	if (w.file == NULL || w.url == NULL)
		return iw_error_set(err, IW_NOT_FOUND, "%s has no file to download%s%s%s", w.id,
				    w.page != NULL ? ": it is built from source, see " : "; see "
				    "its notes (`ispwiz list bootloaders`)",
				    w.page != NULL ? w.page : "", w.page != NULL ? " and its notes" : "");
	if (w.n_ids == 0)
		return iw_error_set(err, IW_NOT_FOUND, "the catalog knows no identity of %s, so a "
				    "download could not be checked; get it by hand from %s",
				    w.file, w.page != NULL ? w.page : w.url);
	if (plan->fetch_dir != NULL)
		snprintf(dir, sizeof dir, "%s", plan->fetch_dir);
	else if (!file_cache_dir(dir, sizeof dir))
		return iw_error_set(err, IW_IO, "no place for downloads: neither XDG_CACHE_HOME "
				    "nor HOME is set; give a folder with -o");
	if ((st = make_dirs(dir, err)) != IW_OK)
		return st;
	snprintf(final, sizeof final, "%s/%s", dir, w.file);
	snprintf(res->fetched, sizeof res->fetched, "%s", final);
	/* A good copy is used as it is: no network needed. */
	if (access(final, R_OK) == 0 && check_file(final, &w, what, sizeof what) == IW_OK) {
		res->fetched_cached = true;
		job_say(r, JOB_EVENT_INFO, "%s is already there and is the known file", final);
		return IW_OK;
	}
	snprintf(tmp, sizeof tmp, "%s/.%s.part.XXXXXX", dir, w.file);
	if ((fd = mkstemp(tmp)) < 0)
		return iw_error_set(err, IW_IO, "cannot create a file in %s: %s", dir,
				    strerror(errno));
	job_phase_begin(r, JOB_PHASE_DOWNLOAD, 0);
	job_say(r, JOB_EVENT_INFO, "downloading %s", w.url);
	st = download(r, &w, tmp, fd);
	if (st == IW_OK && fsync(fd) != 0)
		st = iw_error_set(err, IW_IO, "cannot write %s: %s", tmp, strerror(errno));
	close(fd);
	if (st == IW_OK) {
		job_phase_begin(r, JOB_PHASE_VERIFY, 0);
		if ((st = check_file(tmp, &w, what, sizeof what)) != IW_OK)
			iw_error_set(err, st, "%s did not send the known %s: what came is %s; it "
				     "was not kept. Get the file by hand from %s", w.url, w.file,
				     what, w.page != NULL ? w.page : w.url);
	}
	if (st == IW_OK && rename(tmp, final) != 0)
		st = iw_error_set(err, IW_IO, "cannot move the download to %s: %s", final,
				  strerror(errno));
	if (st != IW_OK) {
		unlink(tmp);
		res->fetched[0] = '\0';
		return st;
	}
	sync_dir(dir);
	job_say(r, JOB_EVENT_INFO, "%s is the known file; kept as %s", w.file, final);
	return IW_OK;
}

enum iw_status
job_fetch_run(struct job_runner *r)
{
	struct job_result *res = r->res;
	char msg[JOB_MESSAGE_MAX];
	enum iw_status st;

	memset(res, 0, sizeof *res);
	r->t0 = r->phase_t0 = iw_clock_s();
	job_phase_begin(r, JOB_PHASE_PLAN, 0);
	st = fetch_steps(r);
	res->status = st;
	res->phase = st == IW_OK ? JOB_PHASE_DONE : r->phase;
	res->seconds = iw_clock_s() - r->t0;
	if (st == IW_OK) {
		r->phase = JOB_PHASE_DONE;
		snprintf(msg, sizeof msg, "%.900s%s", res->fetched,
			 res->fetched_cached ? " (already downloaded)" : "");
	} else {
		snprintf(msg, sizeof msg, "%s", res->error.msg);
		res->error.code = st;
	}
	job_done_event(r, msg);
	return st;
}
