/*
 * catalog-load.c - reading catalog files: YAML text -> libyaml document ->
 * a temporary catalog -> merged by id into the caller's catalog, plus the
 * standard search order (installed file, then the user's override files).
 *
 * Parser choice: libyaml's document API (yaml_parser_load), which gives a
 * node tree where every node carries its start line and column, and our own
 * small table-driven mapping from nodes to structs (catalog-schema.c on top
 * of catalog-yaml.c).  We do not use libcyaml: version 1.3 cannot report
 * the line and column of a bad value, and our semantic checks (overlapping
 * fuse masks, duplicate ids, BOOTSZ rows) could not point at the offending
 * text either.  "file:line:col: what is wrong" for every mistake is the
 * whole point of the loader, so we keep the positions.
 *
 * All or nothing: a file is converted into a fresh catalog and only merged
 * once it converted completely, so a bad file never leaves half its entries
 * behind.
 */
#include "config.h"

#include "core/catalog.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/catalog-private.h"
#include "core/file-util.h"

/* Far above any real catalog; stops a wrong --catalog (a disk image, a
 * firmware dump) from being read into memory whole. */
#define CATALOG_MAX_BYTES (8u * 1024 * 1024)

/* libyaml reader errors (bad UTF-8, control characters) carry a byte offset
 * rather than a mark; count lines and columns ourselves. */
static void
offset_position(const char *buf, size_t len, size_t offset, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < offset && i < len; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
			(*col)++;   /* columns count characters, as libyaml's do */
		}
	}
}

static enum iw_status
syntax_error(const yaml_parser_t *parser, const char *name, const char *buf,
	     size_t len, struct iw_error *err)
{
	int line, col;

	if (parser->error == YAML_MEMORY_ERROR)
		return iw_error_set(err, IW_NOMEM, "%s: out of memory while parsing YAML", name);
	if (parser->error == YAML_READER_ERROR) {
		offset_position(buf, len, parser->problem_offset, &line, &col);
		return iw_error_set(err, IW_CATALOG, "%s:%d:%d: %s (the file must be UTF-8 text)",
				    name, line, col,
				    parser->problem != NULL ? parser->problem : "unreadable text");
	}
	line = (int)parser->problem_mark.line + 1;
	col = (int)parser->problem_mark.column + 1;
	if (parser->context != NULL)
		return iw_error_set(err, IW_CATALOG, "%s:%d:%d: %s (%s on line %d)",
				    name, line, col,
				    parser->problem != NULL ? parser->problem : "YAML syntax error",
				    parser->context, (int)parser->context_mark.line + 1);
	return iw_error_set(err, IW_CATALOG, "%s:%d:%d: %s", name, line, col,
			    parser->problem != NULL ? parser->problem : "YAML syntax error");
}

/* A first pass over the event stream.  It finds syntax errors, and it
 * refuses aliases (*name): the document API shares aliased nodes, so a few
 * lines of nested aliases could make the conversion walk billions of nodes,
 * and nothing in the catalog needs them. */
static enum iw_status
check_events(const char *name, const char *buf, size_t len, struct iw_error *err)
{
	yaml_parser_t parser;
	yaml_event_t event;
	enum iw_status rc = IW_OK;
	bool done = false;

	if (!yaml_parser_initialize(&parser))
		return iw_error_set(err, IW_NOMEM, "%s: out of memory", name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done && rc == IW_OK) {
		if (!yaml_parser_parse(&parser, &event)) {
			rc = syntax_error(&parser, name, buf, len, err);
			break;
		}
		if (event.type == YAML_ALIAS_EVENT)
			rc = iw_error_set(err, IW_CATALOG,
					  "%s:%d:%d: YAML aliases (*%s) are not supported in a "
					  "catalog; write the value out in full",
					  name, (int)event.start_mark.line + 1,
					  (int)event.start_mark.column + 1,
					  (const char *)event.data.alias.anchor);
		done = event.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&event);
	}
	yaml_parser_delete(&parser);
	return rc;
}

/* Parse and convert into `tmp` (empty, with the name as its only file). */
static enum iw_status
convert(struct catalog *tmp, const char *buf, size_t len, struct iw_error *err)
{
	const char *name = tmp->files[0];
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	yaml_node_t *root;
	struct ld ld = { &doc, name, err };
	enum iw_status rc;

	rc = check_events(name, buf, len, err);
	if (rc != IW_OK)
		return rc;
	if (!yaml_parser_initialize(&parser))
		return iw_error_set(err, IW_NOMEM, "%s: out of memory", name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = syntax_error(&parser, name, buf, len, err);
		yaml_parser_delete(&parser);
		return rc;
	}
	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		rc = iw_error_set(err, IW_CATALOG,
				  "%s:1:1: the catalog is empty; it needs at least 'version: 1'",
				  name);
		goto out;
	}
	/* A second document ("---") would be silently ignored otherwise. */
	if (!yaml_parser_load(&parser, &extra)) {
		rc = syntax_error(&parser, name, buf, len, err);
		goto out;
	}
	if (yaml_document_get_root_node(&extra) != NULL) {
		rc = iw_error_set(err, IW_CATALOG,
				  "%s:%d:%d: a second YAML document starts here; a catalog "
				  "file holds one document (remove the '---')",
				  name, (int)extra.start_mark.line + 1,
				  (int)extra.start_mark.column + 1);
		yaml_document_delete(&extra);
		goto out;
	}
	yaml_document_delete(&extra);
	rc = catalog_schema_load(&ld, root, tmp);
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

enum iw_status
catalog_load_buffer(struct catalog *cat, const char *name, const char *buf,
		    size_t len, struct iw_error *err)
{
	struct catalog tmp;
	enum iw_status rc;

	if (buf == NULL)        /* libyaml asserts on a NULL input */
		buf = "";
	catalog_init(&tmp);
	tmp.files = malloc(sizeof *tmp.files);
	if (tmp.files == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory loading %s", name);
	tmp.files[0] = strdup(name);
	if (tmp.files[0] == NULL) {
		free(tmp.files);
		return iw_error_set(err, IW_NOMEM, "out of memory loading %s", name);
	}
	tmp.n_files = 1;
	rc = convert(&tmp, buf, len, err);
	if (rc == IW_OK)
		rc = catalog_merge(cat, &tmp, err);
	catalog_free(&tmp);
	return rc;
}

/* Read a whole catalog file. `missing_hint` is appended when it does not
 * exist. */
static enum iw_status
read_file(const char *path, const char *missing_hint, char **out, size_t *len,
	  struct iw_error *err)
{
	int e = file_read_all(path, CATALOG_MAX_BYTES, out, len);

	if (e == EFBIG)
		return iw_error_set(err, IW_CATALOG,
				    "%s: larger than %u MiB; this is not a catalog file",
				    path, CATALOG_MAX_BYTES / (1024 * 1024));
	if (e == ENOMEM)
		return iw_error_set(err, IW_NOMEM, "%s: out of memory", path);
	if (e != 0)
		return iw_error_set(err, IW_CATALOG, "%s: cannot open the catalog: %s%s",
				    path, strerror(e),
				    e == ENOENT && missing_hint != NULL ? missing_hint : "");
	return IW_OK;
}

enum iw_status
catalog_load_file(struct catalog *cat, const char *path, struct iw_error *err)
{
	char *buf;
	size_t len;
	enum iw_status rc = read_file(path, NULL, &buf, &len, err);

	if (rc != IW_OK)
		return rc;
	rc = catalog_load_buffer(cat, path, buf, len, err);
	free(buf);
	return rc;
}

static bool
is_catalog_name(const char *name)
{
	size_t n = strlen(name);

	/* Hidden files are editor droppings (".#x.yaml" is an Emacs lock). */
	if (name[0] == '.')
		return false;
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* $XDG_CONFIG_HOME/ispwiz, or ~/.config/ispwiz; false when neither is set. */
static bool
user_dir(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	/* The XDG spec says to ignore a relative XDG_CONFIG_HOME. */
	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, size, "%s/ispwiz", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, size, "%s/.config/ispwiz", home);
	else
		return false;
	return n > 0 && (size_t)n < size;
}

/* Every *.yaml / *.yml in the user's directory, in name order, so the
 * result does not depend on the file system's directory order. */
static enum iw_status
load_user_files(struct catalog *cat, struct iw_error *err)
{
	char dir[4096], path[4096 + 256];
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	enum iw_status rc = IW_OK;

	if (!user_dir(dir, sizeof dir))
		return IW_OK;
	d = opendir(dir);
	if (d == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return IW_OK;   /* no overrides: the usual case */
		return iw_error_set(err, IW_CATALOG,
				    "%s: cannot read the catalog override directory: %s",
				    dir, strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_catalog_name(de->d_name))
			continue;
		if (n == cap) {
			size_t ncap = cap == 0 ? 8 : cap * 2;
			char **grown = realloc(names, ncap * sizeof *names);

			if (grown == NULL)
				goto nomem;
			names = grown;
			cap = ncap;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL)
			goto nomem;
		n++;
	}
	if (n > 0)
		qsort(names, n, sizeof *names, compare_names);
	for (size_t i = 0; i < n && rc == IW_OK; i++) {
		struct stat st;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		/* Skip directories and dangling links named *.yaml. */
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		rc = catalog_load_file(cat, path, err);
	}
	goto out;
nomem:
	rc = iw_error_set(err, IW_NOMEM, "out of memory listing %s", dir);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

enum iw_status
catalog_load_default(struct catalog *cat, const char *explicit_path,
		     struct iw_error *err)
{
	struct catalog tmp;
	char installed[4096];
	const char *datadir = getenv("ISPWIZ_DATADIR");
	enum iw_status rc;

	catalog_init(&tmp);
	if (explicit_path != NULL) {
		rc = catalog_load_file(&tmp, explicit_path, err);
	} else {
		char *buf;
		size_t len;

		char dir[3072];

		if (datadir != NULL && datadir[0] != '\0')
			snprintf(dir, sizeof dir, "%s", datadir);
		else
			catalog_default_datadir(dir, sizeof dir);
		snprintf(installed, sizeof installed, "%s/catalog.yaml", dir);
		rc = read_file(installed, " (is ispwiz installed? run `make install`, "
			       "or name a catalog with --catalog FILE or $ISPWIZ_DATADIR)",
			       &buf, &len, err);
		if (rc == IW_OK) {
			rc = catalog_load_buffer(&tmp, installed, buf, len, err);
			free(buf);
		}
	}
	if (rc == IW_OK)
		rc = load_user_files(&tmp, err);
	/* Validate what this call loaded as one whole: an override may fix, or
	 * break, a reference made by another file. */
	if (rc == IW_OK)
		rc = catalog_validate(&tmp, err);
	if (rc == IW_OK)
		rc = catalog_merge(cat, &tmp, err);
	catalog_free(&tmp);
	return rc;
}
