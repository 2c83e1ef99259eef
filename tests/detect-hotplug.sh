#!/bin/sh
# The C tests of src/detect in tests/test-hotplug.c, in-process under umockdev.
exec "$top_srcdir/tests/umockdev-run.sh" "$top_builddir/tests/test-hotplug"
