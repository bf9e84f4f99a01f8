# SPDX-License-Identifier: GPL-2.0
# Shared by scripts/*.sh: paths, root, apt dependencies, kernel release.
# shellcheck shell=bash

NVMX_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NVMX_BUILD=$NVMX_TOP/build

# Everything a fresh Debian 12 machine needs to build and test nvmx.
NVMX_PACKAGES=(
	gcc make libc6-dev perl kmod cpio xz-utils bsdutils coreutils
	linux-headers-cloud-amd64 linux-source-6.1 dkms
	bochs bochsbios vgabios bochs-term busybox-static
	isolinux syslinux-common genisoimage
	linux-perf
	qemu-system-x86 seabios zstd
)

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	else
		sudo "$@"
	fi
}

log() {
	printf '%s\n' "$*" >&2
}

# Installs whatever of NVMX_PACKAGES is missing, with one apt update.
nvmx_deps() {
	local missing=() p
	for p in "${NVMX_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing: ${missing[*]}"
	as_root apt-get update -q >/dev/null
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >/dev/null
}

# The kernel release the test host boots: the one linux-headers-cloud-amd64
# points at, e.g. 6.1.0-56-cloud-amd64.
testhost_krel() {
	dpkg-query -W -f='${Depends}' linux-headers-cloud-amd64 |
		grep -o 'linux-headers-[^ ,]*-cloud-amd64' | head -n1 |
		sed 's/^linux-headers-//'
}

testhost_kdir() {
	echo "/usr/src/linux-headers-$(testhost_krel)"
}

# Unpacks the parts of Debian's linux-source-6.1 that nvmx uses at build and
# test time (kselftest harness, checkpatch, libkvm) into build/linux-source.
# Nothing of it is committed.
NVMX_SOURCE_PATHS=(
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kvm
	tools/include tools/arch/x86/include tools/lib tools/scripts tools/build
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
)

linux_source() {
	local dst=$NVMX_BUILD/linux-source tarball stamp
	tarball=$(ls /usr/src/linux-source-6.1.tar.xz)
	stamp=$dst/.stamp-$(stat -c %Y "$tarball")
	[ -e "$stamp" ] && return 0
	log "unpacking $(basename "$tarball") (selected paths)"
	rm -rf "$dst" && mkdir -p "$dst"
	tar -xJf "$tarball" -C "$dst" --strip-components=1 \
		"${NVMX_SOURCE_PATHS[@]/#/linux-source-6.1/}"
	touch "$stamp"
}
