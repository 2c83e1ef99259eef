/* file-util.h - small file and text helpers shared by the readers in core. */
#ifndef ISPWIZ_CORE_FILE_UTIL_H
#define ISPWIZ_CORE_FILE_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Read a whole file into a freshly allocated, NUL-terminated buffer.
 * Returns 0, or an errno value: the open/read error, ENOMEM, or EFBIG when
 * the file is larger than `max_bytes` (so a wrong file such as /dev/zero
 * cannot eat memory).  Callers word the message; they know what the file
 * was supposed to be. */
int file_read_all(const char *path, size_t max_bytes, char **out, size_t *len);

/* Where downloaded upstream files are kept: $XDG_CACHE_HOME/ispwiz/files,
 * else $HOME/.cache/ispwiz/files (not created).  False when neither
 * variable is set or the path does not fit. */
bool file_cache_dir(char *buf, size_t size);

/* Create `dir` and the folders above it (0755; ones that exist are fine).
 * Returns 0, or the errno of the mkdir that failed, with that folder in
 * `failed`; ENAMETOOLONG when `dir` is empty or does not fit. */
int file_make_dirs(const char *dir, char *failed, size_t size);

/* The folder `path` is in: "." for a bare name, "/" at the root. */
void file_dir_of(const char *path, char *buf, size_t size);

/* Value of one hex digit, or -1. */
int hex_digit_value(char c);

#endif
