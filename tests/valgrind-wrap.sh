#!/bin/sh
# Run one compiled test program under valgrind memcheck; automake's
# LOG_COMPILER for the valgrind pass of tests/run-all.sh.
exec valgrind --quiet --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect "$@"
