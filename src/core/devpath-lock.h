/* devpath-lock.h - one lock for looking devices up by path.
 *
 * A station runs a lane per programmer, and each lane opens its port,
 * lists USB devices or reads /proc from its own thread.  Those lookups are
 * short and happen once per board at most, so ispwiz takes them one at a
 * time: nothing is lost, and a device table never changes under a lookup
 * half done in another thread.  It also keeps the test bed sound: umockdev's
 * preload (0.17 to 0.19 at least) keeps the translated path of a stat() in a
 * static buffer that it reads again after dropping its own lock, so two
 * threads looking up /dev, /sys or /proc paths at once can make it abort.
 *
 * Take it around: libserialport's port lookup and open, libusb's device
 * list and open, a libudev enumeration, and the /proc descriptor scan.
 * Never around I/O on an open device, and never nested. */
#ifndef ISPWIZ_CORE_DEVPATH_LOCK_H
#define ISPWIZ_CORE_DEVPATH_LOCK_H

void iw_devpath_lock(void);
void iw_devpath_unlock(void);

#endif
