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

# Debian 12's second LTS series, 6.12, comes from bookworm-backports. The
# suite is added for this tooling only and pinned to priority 1, so apt
# never upgrades anything on the machine from it: packages are taken from
# it only when named with /bookworm-backports (never with apt's -t, which
# would pull systemd and linux-libc-dev along).
NVMX_BPO=bookworm-backports
NVMX_BPO_SOURCES=/etc/apt/sources.list.d/nvmx-$NVMX_BPO.sources
NVMX_BPO_PIN=/etc/apt/preferences.d/nvmx-$NVMX_BPO

nvmx_backports() {
	if [ ! -e "$NVMX_BPO_SOURCES" ] || [ ! -e "$NVMX_BPO_PIN" ]; then
		log "adding $NVMX_BPO (pinned to priority 1) for the 6.12 kernel"
		printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' \
			"Suites: $NVMX_BPO" 'Components: main' \
			'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
			as_root tee "$NVMX_BPO_SOURCES" >/dev/null
		printf '%s\n' '# nvmx: only what is named with /bookworm-backports' \
			'Package: *' "Pin: release n=$NVMX_BPO" 'Pin-Priority: 1' |
			as_root tee "$NVMX_BPO_PIN" >/dev/null
	fi
	apt-cache policy | grep -q " $NVMX_BPO/main " && return 0
	as_root apt-get update -q >/dev/null
}

# The version bookworm-backports has of package $1, as apt has it now.
bpo_version() {
	apt-cache madison "$1" |
		awk -F' *[|] *' -v s=" $NVMX_BPO/" 'index($3, s) { print $2; exit }'
}

# The 6.12 release the test host boots: the one bookworm-backports'
# linux-headers-cloud-amd64 points at now (asked of apt, never pinned
# here), e.g. 6.12.95+deb12-cloud-amd64.
testhost_krel_612() {
	local ver
	ver=$(bpo_version linux-headers-cloud-amd64)
	[ -n "$ver" ] || return 0
	apt-cache show "linux-headers-cloud-amd64=$ver" |
		sed -n 's/^Depends:.*\(linux-headers-[^ ,]*-cloud-amd64\).*/\1/p' |
		head -n1 | sed 's/^linux-headers-//'
}

# Where nvmx_deps_612 unpacks the 6.12 headers and linux-source-6.12.
testhost_root_612() {
	echo "$NVMX_BUILD/testhost/headers-$(testhost_krel_612)"
}

testhost_kdir_612() {
	echo "$(testhost_root_612)/root/usr/src/linux-headers-$(testhost_krel_612)"
}

# Downloads the packages named (name=version) into $1/deb and unpacks them
# into $1/root.
deb_unpack() {
	local dir=$1 deb n=0
	shift
	rm -rf "$dir" && mkdir -p "$dir/deb"
	(cd "$dir/deb" && apt-get download -q "$@" 2>&1 |
		grep -v '^W: Download is performed unsandboxed' >&2 || true)
	for deb in "$dir"/deb/*.deb; do
		[ -e "$deb" ] || break
		dpkg-deb -x "$deb" "$dir/root"
		n=$((n + 1))
	done
	rm -rf "$dir/deb"
	[ "$n" -eq $# ] || { log "downloaded $n of $# packages: $*"; return 1; }
}

# Fetches the 6.12 headers (with their -common and linux-kbuild packages)
# and the matching linux-source-6.12, all at the version the headers have
# in bookworm-backports, and unpacks them into testhost_root_612, which
# records that version in ./version. Nothing is installed: the headers
# package depends on its kernel image, which would become this machine's
# boot kernel and pull udev and initramfs-tools along.
nvmx_deps_612() {
	local krel ver dir base
	# pahole: 6.12's headers ship vmlinux, so modules get BTF (bookworm's).
	dpkg-query -W -f='${Status}' pahole 2>/dev/null | grep -q 'install ok installed' ||
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends pahole >/dev/null
	nvmx_backports || return 1
	krel=$(testhost_krel_612)
	[ -n "$krel" ] || { log "$NVMX_BPO has no linux-headers-cloud-amd64"; return 1; }
	ver=$(bpo_version "linux-headers-$krel")
	dir=$(testhost_root_612)
	[ -e "$dir/.stamp-$ver" ] && return 0
	log "fetching the headers of $krel and linux-source-6.12, $ver"
	base=${krel%-cloud-amd64}
	deb_unpack "$dir" "linux-headers-$krel=$ver" \
		"linux-headers-$base-common=$ver" "linux-kbuild-$base=$ver" \
		"linux-source-6.12=$ver" || return 1
	# Its Makefile includes the -common one by absolute path.
	sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" \
		"$dir/root/usr/src/linux-headers-$krel/Makefile"
	echo "$ver" > "$dir/version"
	touch "$dir/.stamp-$ver"
}

# Unpacks the parts of Debian's linux-source-6.1 that nvmx uses at build and
# test time (kselftest harness, checkpatch, libkvm) into build/linux-source;
# `linux_source 6.12` unpacks the same parts of the linux-source-6.12 that
# nvmx_deps_612 fetched into build/linux-source-6.12, for the 6.12 run's
# libkvm. Nothing of it is committed.
NVMX_SOURCE_PATHS=(
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kvm
	tools/include tools/arch/x86/include tools/lib tools/scripts tools/build
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
)

linux_source() {
	local series=${1:-6.1} dst=$NVMX_BUILD/linux-source tarball stamp
	case $series in
	6.1) tarball=$(ls /usr/src/linux-source-6.1.tar.xz) ;;
	6.12)
		dst=$NVMX_BUILD/linux-source-6.12
		tarball=$(ls "$(testhost_root_612)/root/usr/src/linux-source-6.12.tar.xz")
		;;
	*) log "linux_source: no series $series"; return 1 ;;
	esac
	stamp=$dst/.stamp-$(stat -c %Y "$tarball")
	[ -e "$stamp" ] && return 0
	log "unpacking $(basename "$tarball") (selected paths)"
	rm -rf "$dst" && mkdir -p "$dst"
	tar -xJf "$tarball" -C "$dst" --strip-components=1 \
		"${NVMX_SOURCE_PATHS[@]/#/linux-source-$series/}"
	touch "$stamp"
}
