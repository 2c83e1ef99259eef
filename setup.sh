#!/bin/sh
# setup.sh - install what ispwiz needs on Debian 12 (as root), then build it.
#   ./setup.sh           install packages, build
#   ./setup.sh --demo    ... and start the wizard against the simulator
#   ./setup.sh --no-apt  build only (packages already installed)
set -eu
cd "$(dirname "$0")"

demo=no
apt=yes
for arg in "$@"; do
	case $arg in
	--demo) demo=yes ;;
	--no-apt) apt=no ;;
	*) echo "setup.sh: unknown option '$arg' (use --demo or --no-apt)" >&2; exit 2 ;;
	esac
done

if [ "$apt" = yes ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup.sh: installing packages needs root; run it as root or with sudo," >&2
		echo "          or install the packages in tools/debian-packages and use --no-apt" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2046
	apt-get install -y -qq --no-install-recommends \
		$(grep -v '^#' tools/debian-packages) >/dev/null
fi

[ -x configure ] || autoreconf -fi
configure_flags=${ISPWIZ_CONFIGURE_FLAGS:-}
if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
	# shellcheck disable=SC2086
	./configure $configure_flags
fi
make -j"$(nproc)"

if [ "$demo" = yes ]; then
	# Run from the source tree: use the catalog next to the binary.
	ISPWIZ_DATADIR="$PWD/data" exec ./ispwiz --demo
fi
