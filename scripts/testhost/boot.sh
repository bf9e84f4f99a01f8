#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# boot.sh ISO MODEL CPUS TIMEOUT OUT_DIR
# Boots ISO in Bochs with the named VMX CPU model; the serial console goes
# to OUT_DIR/serial.log and Bochs' own log, less the flood of unknown-MSR
# lines, to OUT_DIR/bochs.log (VM-entry failures and panics stay there).
# Exit status: 0 when the profile finished, 1 on a kernel panic or Bochs
# panic, 2 on timeout.
set -euo pipefail
iso=$1 model=$2 cpus=$3 timeout=$4 out=$5

mkdir -p "$out"
rm -f "$out"/serial.log "$out"/bochs.log "$out"/bochs.fifo "$out"/term.log
cat > "$out/bochsrc" <<RC
megs: 1024
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=$model, count=$cpus, ips=200000000, reset_on_triple_fault=0, ignore_bad_msrs=1
clock: sync=none, time0=1
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$out/serial.log
display_library: term
log: $out/bochs.fifo
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
RC
# Debian's bochs is a debugger build: without commands it stops at a prompt.
echo c > "$out/bochs.cmds"

mkfifo "$out/bochs.fifo"
grep -a --line-buffered -v -E '[RW]DMSR: Unknown register' \
	< "$out/bochs.fifo" > "$out/bochs.log" &
filter=$!

# The term display needs a tty: script(1) gives it one.
script -qfec "bochs -q -f $out/bochsrc -rc $out/bochs.cmds" /dev/null \
	< /dev/null > "$out/term.log" 2>&1 &
runner=$!

# The term display draws the screen on a pty of its own ("Bochs connected
# to screen /dev/pts/N") that nobody reads; its cursor blinks fill that
# pty in about 10 minutes of emulated time, and Bochs then blocks writing
# to it for good. Reading it keeps long profiles (qemu) running.
drain=
for _ in $(seq 1 30); do
	screen=$(sed -n 's/.*connected to screen "\(\/dev\/pts\/[0-9]*\)".*/\1/p' \
		"$out/term.log" 2>/dev/null | head -n 1)
	[ -z "$screen" ] || break
	sleep 1
done
if [ -n "$screen" ]; then
	cat "$screen" > /dev/null 2>&1 &
	drain=$!
fi

kill_bochs() {
	# Bochs ignores SIGTERM; Debian's bochs is a wrapper around bochs-bin.
	pkill -KILL -f "^bochs(-bin)? .*-f $out/bochsrc" 2>/dev/null || true
	wait "$runner" 2>/dev/null || true
}

status=2
start=$SECONDS
while kill -0 "$runner" 2>/dev/null; do
	if [ -e "$out/serial.log" ]; then
		if grep -a -q 'NVMX-TESTHOST-DONE' "$out/serial.log"; then
			status=0
			# poweroff -f exits Bochs through ACPI; give it a moment.
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				kill -0 "$runner" 2>/dev/null || break
				sleep 1
			done
			break
		fi
		if grep -a -q -E 'Kernel panic|---\[ end trace' "$out/serial.log"; then
			status=1
			sleep 3
			break
		fi
	fi
	if [ $((SECONDS - start)) -ge "$timeout" ]; then
		echo "boot.sh: timeout after ${timeout}s" >> "$out/serial.log"
		status=2
		break
	fi
	sleep 1
done
kill_bochs
[ -z "$drain" ] || kill "$drain" 2>/dev/null || true
wait "$filter" 2>/dev/null || true
rm -f "$out/bochs.fifo"

if [ $status -eq 2 ] && grep -a -q 'NVMX-TESTHOST-DONE' "$out/serial.log" 2>/dev/null; then
	status=0
fi
# Bochs exiting on its own before DONE is a crash (triple fault, panic).
if [ $status -eq 2 ] && [ $((SECONDS - start)) -lt "$timeout" ]; then
	status=1
fi
exit $status
