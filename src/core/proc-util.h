/* proc-util.h - reading /proc (or a test's fake one): which entries are
 * processes, a process's command name, finding a process by that name.
 * detect uses it for "which program holds this port", the doctor for
 * "is ModemManager running". */
#ifndef ISPWIZ_CORE_PROC_UTIL_H
#define ISPWIZ_CORE_PROC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Whether a /proc entry's name is a process id (all digits). */
bool iw_proc_is_pid(const char *name);

/* The command name (/proc/PID/comm, without its newline) of process `pid`
 * under `proc`; false, with "?" in `out`, when it cannot be read (the
 * process ended, or belongs to a user we may not look at). */
bool iw_proc_comm(const char *proc, const char *pid, char *out, size_t len);

/* The first process under `proc` whose command name is `comm`; 0 if none
 * (or `proc` cannot be read). */
pid_t iw_proc_find(const char *proc, const char *comm);

#endif
