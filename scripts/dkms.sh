#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dkms.sh install|check
#   install: dkms add, build and install the tracked files of this tree for
#            KVER (default: the running kernel if its headers are there,
#            else the test host's kernel).
#   check:   the same, then verify the installed module and remove it again.
# KDIR names the kernel's build directory when it is not
# /lib/modules/KVER/build (the 6.12 headers check.sh fetches).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-install}
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$NVMX_TOP/dkms.conf")
if [ -z "${KVER:-}" ]; then
	KVER=$(uname -r)
	[ -d "/lib/modules/$KVER/build" ] || KVER=$(testhost_krel)
fi

as_root dkms remove -m nvmx -v "$ver" --all >/dev/null 2>&1 || true
as_root rm -rf "/usr/src/nvmx-$ver"
# Only what git tracks: no build output, no test host images.
as_root mkdir -p "/usr/src/nvmx-$ver"
git -C "$NVMX_TOP" ls-files -z | (cd "$NVMX_TOP" && tar --null -T - -cf -) |
	as_root tar -xf - -C "/usr/src/nvmx-$ver"
ksrc=()
[ -z "${KDIR:-}" ] || ksrc=(--kernelsourcedir "$KDIR")
# dkms install needs /lib/modules/KVER, which a kernel never installed
# here (the 6.12 one) lacks: made for it, and removed again by check.
moddir_was_there=
if [ -d "/lib/modules/$KVER" ]; then
	moddir_was_there=1
else
	as_root mkdir -p "/lib/modules/$KVER"
fi
as_root dkms add -m nvmx -v "$ver"
as_root dkms build -m nvmx -v "$ver" -k "$KVER" "${ksrc[@]}"
as_root dkms install -m nvmx -v "$ver" -k "$KVER" "${ksrc[@]}"

[ "$mode" = check ] || exit 0
ko=$(find "/lib/modules/$KVER/updates" -name 'nvmx.ko*' | head -n1)
[ -n "$ko" ] || { log "dkms: no nvmx.ko installed for $KVER"; exit 1; }
got=$(modinfo -F version "$ko")
[ "$got" = "$ver" ] || { log "dkms: installed version $got, expected $ver"; exit 1; }
as_root dkms status -m nvmx -v "$ver" | grep -q installed
as_root dkms remove -m nvmx -v "$ver" --all >/dev/null
as_root rm -rf "/usr/src/nvmx-$ver"
[ -n "$moddir_was_there" ] || as_root rm -rf "/lib/modules/$KVER"
log "dkms: add, build and install of nvmx $ver for $KVER worked; removed again"
