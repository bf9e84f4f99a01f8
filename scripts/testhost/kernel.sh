#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernel.sh [6.12]
# Fetches the Debian kernel image matching the installed cloud headers
# (same release, same package version) and unpacks it into
# build/testhost/kernel-<release>. Prints that directory. With 6.12: the
# image matching the bookworm-backports headers nvmx_deps_612 fetched.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

if [ "${1:-6.1}" = 6.12 ]; then
	nvmx_deps_612
	krel=$(testhost_krel_612)
	ver=$(cat "$(testhost_root_612)/version")
else
	krel=$(testhost_krel)
	[ -n "$krel" ] || { log "linux-headers-cloud-amd64 is not installed"; exit 1; }
	ver=$(dpkg-query -W -f='${Version}' "linux-headers-$krel")
fi
dir=$NVMX_BUILD/testhost/kernel-$krel
if [ ! -e "$dir/.stamp-$ver" ]; then
	log "fetching linux-image-$krel $ver"
	rm -rf "$dir" && mkdir -p "$dir/deb"
	(cd "$dir/deb" && apt-get download -q "linux-image-$krel=$ver" 2>&1 |
		grep -v '^W: Download is performed unsandboxed' >&2 || true)
	deb=$(ls "$dir"/deb/linux-image-"$krel"_*.deb)
	dpkg-deb -x "$deb" "$dir/root"
	rm -rf "$dir/deb"
	touch "$dir/.stamp-$ver"
fi
[ -e "$dir/root/boot/vmlinuz-$krel" ] || { log "no vmlinuz in linux-image-$krel"; exit 1; }
echo "$dir"
