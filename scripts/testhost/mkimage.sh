#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mkimage.sh KERNEL_DIR OUT_DIR PROFILE...
# Builds the test host's initramfs (busybox, nvmx.ko, the kvm modules, the
# test binaries, the libkvm programs in /opt/nvmx/kvm, the profiles) and one
# bootable ISO per profile, whose kernel command line names the profile.
# A profile's "# cmdline:" header changes the default command line below:
# "-ARG" removes ARG (which must be there), any other word is appended.
# The command line ends with $NVMX_KCMDLINE (e.g. nvmx_fuzz_rounds=N for
# the fuzz profile). A profile's "# image: qemu" header adds QEMU and its
# guest (qemu_image below) to its ISO.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

kdir=$1 out=$2
shift 2
krel=$(basename "$kdir" | sed 's/^kernel-//')
here=$NVMX_TOP/scripts/testhost
root=$out/initramfs
rm -f "$out/qemu.zst"
rm -rf "$root" && mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc/nvmx,opt/nvmx,lib/modules/nvmx}

cp /bin/busybox "$root/bin/busybox"
cp "$here/init" "$root/init"
mkdir -p "$root/etc/nvmx/profiles"
cp "$here"/profiles/* "$root/etc/nvmx/profiles/"
cp "$NVMX_TOP/nvmx.ko" "$root/lib/modules/nvmx/"
cp "$NVMX_TOP"/selftests/vm/out/* "$root/opt/nvmx/"
# The libkvm programs and nvmx-run, as selftests/kvm/Makefile lists them.
mkdir -p "$root/opt/nvmx/kvm"
for p in $(make -s -C "$NVMX_TOP/selftests/kvm" programs); do
	cp "$NVMX_TOP/selftests/kvm/out/$p" "$root/opt/nvmx/kvm/"
done
# Debian's perf (linux-perf, scripts/lib.sh) with the loader and shared
# libraries it links, for perf stat/record/script on nvmx's tracepoints;
# and scripts/nvmx-exits. Where an older linux-perf has /usr/bin/perf as a
# wrapper script, the binary is perf_<version>.
perf_bin=$(ls /usr/bin/perf_"$(echo "$krel" | cut -d. -f1,2)" 2>/dev/null || echo /usr/bin/perf)
mkdir -p "$root/usr/bin"
if [ "$(head -c 4 "$perf_bin" 2>/dev/null)" = "$(printf '\177ELF')" ]; then
	cp "$perf_bin" "$root/usr/bin/perf"
	for lib in $(ldd "$perf_bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
else
	log "mkimage: no perf binary ($perf_bin): the profiles' perf steps will fail"
fi
cp "$NVMX_TOP/scripts/nvmx-exits" "$root/usr/bin/nvmx-exits"
for m in virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-intel.ko \
	 arch/x86/kernel/msr.ko; do
	mkdir -p "$root/lib/modules/$krel/kernel/$(dirname $m)"
	cp "$kdir/root/lib/modules/$krel/kernel/$m" "$root/lib/modules/$krel/kernel/$m"
done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$out/initrd.gz"

# copy_elf FILE ROOT: FILE and the loader and shared libraries ldd lists.
copy_elf() {
	local lib
	mkdir -p "$2$(dirname "$1")"
	cp -L "$1" "$2$1"
	for lib in $(ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		mkdir -p "$2$(dirname "$lib")"
		cp -L "$lib" "$2$lib"
	done
}

# The second initramfs of the profiles whose "# image:" header says qemu,
# unpacked over the first: Debian's QEMU (qemu-system-x86, scripts/lib.sh)
# with its libraries, the firmware a -kernel boot of the pc machine with
# -nodefaults reads (SeaBIOS, the DMA linuxboot option ROM, and the vapic
# ROM QEMU loads with KVM), the test host's kernel again as the guest's,
# and the guest's initramfs: busybox and qemu/guest-init. Only those
# profiles pay for its size at boot.
qemu_image() {
	local q=$out/qemu-root g=$out/qemu-guest
	rm -rf "$q" "$g" && mkdir -p "$q/opt/nvmx/qemu/fw" "$g"/{bin,dev,proc,sys}
	copy_elf /usr/bin/qemu-system-x86_64 "$q"
	cp /usr/share/seabios/bios-256k.bin /usr/share/qemu/linuxboot_dma.bin \
		/usr/share/qemu/kvmvapic.bin "$q/opt/nvmx/qemu/fw/"
	cp "$kdir/root/boot/vmlinuz-$krel" "$q/opt/nvmx/qemu/vmlinuz"
	cp "$here/qemu/qemu-boot" "$q/opt/nvmx/qemu/"
	cp /bin/busybox "$g/bin/busybox"
	cp "$here/qemu/guest-init" "$g/init"
	(cd "$g" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9) \
		> "$q/opt/nvmx/qemu/guest.gz"
	# zstd: the test host's kernel unpacks it faster than gzip.
	(cd "$q" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | zstd -q -10 -T0) \
		> "$out/qemu.zst"
	rm -rf "$q" "$g"
}

# mitigations=off: speculative-execution mitigations cost much in Bochs and
# test nothing of nvmx's but in the profiles that remove it.
default_cmdline="console=ttyS0,115200 quiet loglevel=4 panic=0 panic_on_warn=1 oops=panic \
slab_nomerge idle=halt mitigations=off tsc=reliable"

# cmdline PROFILE: the kernel command line for PROFILE.
cmdline() {
	local -a args out
	local w a found
	read -r -a args <<< "$default_cmdline"
	for w in $(sed -n 's/^# cmdline: *//p' "$here/profiles/$1"); do
		case $w in
		-*)
			found= out=()
			for a in "${args[@]}"; do
				if [ "$a" = "${w#-}" ]; then found=1; else out+=("$a"); fi
			done
			[ -n "$found" ] || { log "profile $1: no kernel argument ${w#-} to remove"; return 1; }
			args=("${out[@]}")
			;;
		*) args+=("$w") ;;
		esac
	done
	echo "${args[*]} nvmx_profile=$1${NVMX_KCMDLINE:+ $NVMX_KCMDLINE}"
}

for p in "$@"; do
	append=$(cmdline "$p")
	iso=$out/iso-$p
	rm -rf "$iso" && mkdir -p "$iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso/isolinux/"
	ln "$kdir/root/boot/vmlinuz-$krel" "$iso/vmlinuz" 2>/dev/null ||
		cp "$kdir/root/boot/vmlinuz-$krel" "$iso/vmlinuz"
	ln "$out/initrd.gz" "$iso/initrd.gz" 2>/dev/null || cp "$out/initrd.gz" "$iso/initrd.gz"
	initrd=/initrd.gz
	if grep -q '^# image:.*\<qemu\>' "$here/profiles/$p"; then
		[ -e "$out/qemu.zst" ] || qemu_image
		ln "$out/qemu.zst" "$iso/qemu.zst" 2>/dev/null || cp "$out/qemu.zst" "$iso/qemu.zst"
		initrd=/initrd.gz,/qemu.zst
	fi
	cat > "$iso/isolinux/isolinux.cfg" <<CFG
DEFAULT nvmx
PROMPT 0
TIMEOUT 0
LABEL nvmx
  KERNEL /vmlinuz
  INITRD $initrd
  APPEND $append
CFG
	genisoimage -quiet -o "$out/$p.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table -J -R "$iso"
	rm -rf "$iso"
done
