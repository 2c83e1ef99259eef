/* devpath-lock.c - one lock for looking devices up by path (see the header). */
#include "core/devpath-lock.h"

#include <pthread.h>

static pthread_mutex_t devpath_mutex = PTHREAD_MUTEX_INITIALIZER;

void
iw_devpath_lock(void)
{
	pthread_mutex_lock(&devpath_mutex);
}

void
iw_devpath_unlock(void)
{
	pthread_mutex_unlock(&devpath_mutex);
}
