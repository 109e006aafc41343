#!/bin/sh
# Run a command inside a QEMU guest that has ESP (the build machines' kernel
# has none; see doc/ipsec.md "Test guest"). The guest boots Debian's own
# kernel, sees the host's / read-only over virtio-9p under a tmpfs overlay,
# and the build directory read-write at the same path; it has no network
# card. The command's stdout/stderr are printed here and its exit status is
# returned. Exit 77 with a reason only when QEMU cannot be had or started.
#
# usage: test/esp-vm/run.sh CMD [ARG...]
# env:   ESP_VM_CACHE   kernel/initramfs cache (default /var/cache/imsue-esp-vm
#                       when writable, else $top_builddir/test/esp-vm/cache)
#        ESP_VM_SHARE   directory shared read-write (default $top_builddir or .)
#        ESP_VM_TIMEOUT whole-run watchdog, seconds (default 600)
#        ESP_VM_BOOT_TIMEOUT  seconds until the guest must have booted (default 60)
#        ESP_VM_MEM, ESP_VM_CPUS  (default 2048 MiB, 2)
#        ESP_VM_VERBOSE=1  print timings and the guest console on failure
set -u

[ $# -ge 1 ] || { echo "usage: $0 CMD [ARG...]" >&2; exit 2; }

say() { echo "esp-vm: $*" >&2; }
skip() { echo "esp-vm: SKIP: $*" >&2; exit 77; }
now() { date +%s.%N; }
t0=$(now)
elapsed() { awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
verbose() { [ "${ESP_VM_VERBOSE:-0}" = 1 ] && say "$*"; return 0; }

top_builddir=${top_builddir:-$(pwd)}
if [ -n "${ESP_VM_CACHE:-}" ]; then
	cache=$ESP_VM_CACHE
elif mkdir -p /var/cache/imsue-esp-vm 2>/dev/null && [ -w /var/cache/imsue-esp-vm ]; then
	cache=/var/cache/imsue-esp-vm
else
	cache=$top_builddir/test/esp-vm/cache
fi
share=$(cd "${ESP_VM_SHARE:-$top_builddir}" && pwd -P) || { say "no share dir"; exit 2; }
src=$(cd "${top_srcdir:-.}" && pwd -P) || { say "no source dir"; exit 2; }
mkdir -p "$cache" || skip "cannot create cache directory $cache"

# ---- host tools (installed on first use when we are root) ----
need_pkgs=""
command -v qemu-system-x86_64 >/dev/null 2>&1 || need_pkgs="$need_pkgs qemu-system-x86"
[ -x /bin/busybox ] || need_pkgs="$need_pkgs busybox-static"
command -v cpio >/dev/null 2>&1 || need_pkgs="$need_pkgs cpio"
command -v depmod >/dev/null 2>&1 || need_pkgs="$need_pkgs kmod"
if [ -n "$need_pkgs" ]; then
	[ "$(id -u)" = 0 ] || skip "missing$need_pkgs and not root to install them"
	verbose "installing$need_pkgs"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$need_pkgs >"$cache/apt.log" 2>&1 ||
		skip "cannot install$need_pkgs (see $cache/apt.log)"
fi
# busybox-static provides /bin/busybox statically linked
file_static() { ! ldd "$1" >/dev/null 2>&1; }
file_static /bin/busybox || skip "/bin/busybox is not static (install busybox-static)"

# ---- guest kernel: Debian's, unpacked into the cache (once) ----
exec 9>"$cache/.lock"
flock 9 2>/dev/null || true
kver=""
if [ -f "$cache/current" ]; then
	kver=$(cat "$cache/current")
	[ -f "$cache/k/$kver/ready" ] || kver=""
fi
if [ -z "$kver" ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	[ -n "$pkg" ] || skip "cannot resolve linux-image-amd64 (apt-cache)"
	kver=${pkg#linux-image-}
	kdir=$cache/k/$kver
	rm -rf "$kdir" "$cache/dl"
	mkdir -p "$kdir" "$cache/dl"
	verbose "downloading $pkg"
	(cd "$cache/dl" && apt-get download -q "$pkg" >"$cache/apt.log" 2>&1) ||
		skip "cannot download $pkg (see $cache/apt.log)"
	dpkg-deb -x "$cache"/dl/"$pkg"_*.deb "$kdir/root" || skip "cannot unpack $pkg"
	rm -rf "$cache/dl"
	depmod -b "$kdir/root" "$kver" || skip "depmod failed for $kver"
	touch "$kdir/ready"
	echo "$kver" >"$cache/current"
fi
kdir=$cache/k/$kver
kroot=$kdir/root
[ -d "$kroot/lib/modules/$kver" ] || skip "kernel tree $kroot is incomplete"

# ---- initramfs: static busybox, the modules to mount 9p + overlay, /init ----
initrd=$kdir/initrd.img
if [ ! -f "$initrd" ] || [ "$0" -nt "$initrd" ] || [ "$(dirname "$0")/init.sh" -nt "$initrd" ]; then
	verbose "building initramfs"
	ir=$kdir/initramfs
	rm -rf "$ir"
	mkdir -p "$ir/bin" "$ir/sbin" "$ir/proc" "$ir/sys" "$ir/dev" "$ir/mnt" "$ir/newroot" \
		"$ir/mods" "$ir/lower" "$ir/rw" "$ir/share"
	cp /bin/busybox "$ir/bin/busybox"
	for a in sh mount umount mkdir insmod chroot cat echo sleep reboot poweroff ln sync \
		mknod ls rm; do
		ln -s busybox "$ir/bin/$a"
	done
	for mod in virtio_pci 9pnet_virtio 9p overlay; do
		modprobe -d "$kroot" -S "$kver" --show-depends "$mod" 2>/dev/null
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | {
		n=0
		while read -r m; do
			n=$((n + 1))
			cp "$m" "$ir/mods/$(printf %02d $n)-$(basename "$m")"
		done
	}
	[ -n "$(ls "$ir/mods")" ] || skip "no 9p/virtio modules found in $kroot"
	cp "$(dirname "$0")/init.sh" "$ir/init"
	chmod 755 "$ir/init"
	# the kernel's module autoloading runs from the initramfs root: send it
	# to the modprobe of the guest's real root
	printf '#!/bin/sh\nexec /bin/chroot /newroot /sbin/modprobe "$@"\n' >"$ir/sbin/modprobe-chroot"
	chmod 755 "$ir/sbin/modprobe-chroot"
	(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd.tmp" &&
		mv "$initrd.tmp" "$initrd" || skip "cannot build the initramfs"
fi
kernel=$kroot/boot/vmlinuz-$kver
# The uncompressed ELF kernel boots through PVH and skips ~3 s of emulated
# decompression; fall back to the bzImage when it cannot be extracted.
if [ ! -f "$kdir/vmlinux" ] && command -v python3 >/dev/null 2>&1; then
	python3 - "$kernel" "$kdir/vmlinux.tmp" <<'PY' && mv "$kdir/vmlinux.tmp" "$kdir/vmlinux"
import lzma, sys
d = open(sys.argv[1], "rb").read()
i = d.find(b"\xfd7zXZ\x00")
if i < 0:
    sys.exit(1)
out = lzma.LZMADecompressor().decompress(d[i:])
if out[:4] != b"\x7fELF":
    sys.exit(1)
open(sys.argv[2], "wb").write(out)
PY
	rm -f "$kdir/vmlinux.tmp"
fi
[ -f "$kdir/vmlinux" ] && kernel=$kdir/vmlinux
flock -u 9 2>/dev/null || true
exec 9>&-
verbose "prepared in $(elapsed) s (kernel $kver)"

# ---- the run: control files in the rw share ----
ctl=$(mktemp -d "$share/.esp-vm.XXXXXX") || { say "cannot create a control dir in $share"; exit 2; }
trap '[ "${ESP_VM_KEEP:-0}" = 1 ] && say "kept $ctl" || rm -rf "$ctl"; [ -n "${qpid:-}" ] && kill "$qpid" 2>/dev/null' EXIT
trap 'exit 130' INT TERM
{
	echo '#!/bin/sh'
	export -p | grep -Ev '^export (OLDPWD|PWD|SHLVL|_|TERM|DISPLAY|SSH_[A-Z_]*)=' |
		grep -E '^export [A-Za-z_][A-Za-z0-9_]*='
	printf 'cd %s || exit 125\n' "'$(pwd -P | sed "s/'/'\\\\''/g")'"
	printf 'exec'
	for a in "$@"; do
		printf " '%s'" "$(printf %s "$a" | sed "s/'/'\\\\''/g")"
	done
	printf '\n'
} >"$ctl/cmd.sh"

accel="-accel tcg -cpu max"
if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
	accel="-enable-kvm -cpu host"
fi
kmods=$kroot/lib/modules/$kver

boot_once() {
	rm -f "$ctl/booted" "$ctl/status" "$ctl/stdout" "$ctl/stderr"
	# shellcheck disable=SC2086
	qemu-system-x86_64 $accel -machine q35 -m "${ESP_VM_MEM:-2048}" -smp "${ESP_VM_CPUS:-2}" \
		-nic none -display none -monitor none -serial "file:$ctl/console" -no-reboot \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 quiet loglevel=3 panic=-1 mitigations=off rdinit=/init esp_vm_ctl=$ctl esp_vm_share=$share esp_vm_src=$src esp_vm_kmods=$kmods" \
		-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap" \
		-device "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot" \
		-fsdev "local,id=share,path=$share,security_model=none,multidevs=remap" \
		-device "virtio-9p-pci,fsdev=share,mount_tag=share" \
		</dev/null >"$ctl/qemu.log" 2>&1 &
	qpid=$!
	boot_deadline=$(($(date +%s) + ${ESP_VM_BOOT_TIMEOUT:-60}))
	run_deadline=$(($(date +%s) + ${ESP_VM_TIMEOUT:-600}))
	while kill -0 "$qpid" 2>/dev/null; do
		t=$(date +%s)
		if [ ! -f "$ctl/booted" ] && [ "$t" -ge "$boot_deadline" ]; then
			kill "$qpid" 2>/dev/null
			wait "$qpid" 2>/dev/null
			qpid=""
			return 2
		fi
		if [ "$t" -ge "$run_deadline" ]; then
			kill "$qpid" 2>/dev/null
			wait "$qpid" 2>/dev/null
			qpid=""
			return 3
		fi
		sleep 0.2
	done
	wait "$qpid"
	qrc=$?
	qpid=""
	[ -f "$ctl/booted" ] || return 1
	return 0
}

tries=0
while :; do
	tries=$((tries + 1))
	boot_once
	r=$?
	[ $r = 0 ] && break
	if [ $r = 3 ]; then
		say "watchdog: the run took more than ${ESP_VM_TIMEOUT:-600} s; killed"
		cat "$ctl/stdout" 2>/dev/null
		cat "$ctl/stderr" >&2 2>/dev/null
		exit 124
	fi
	if [ $tries -ge 2 ]; then
		[ -s "$ctl/qemu.log" ] && sed 's/^/esp-vm: qemu: /' "$ctl/qemu.log" >&2
		tail -n 20 "$ctl/console" 2>/dev/null | sed 's/^/esp-vm: console: /' >&2
		if [ $r = 1 ] && ! grep -q . "$ctl/console" 2>/dev/null; then
			skip "QEMU could not start (exit $qrc)"
		fi
		say "the guest did not boot (twice)"
		exit 125
	fi
	say "boot stalled or failed (try $tries); retrying"
done

cat "$ctl/stdout" 2>/dev/null
cat "$ctl/stderr" >&2 2>/dev/null
if [ ! -f "$ctl/status" ]; then
	say "the guest stopped without an exit status"
	tail -n 30 "$ctl/console" 2>/dev/null | sed 's/^/esp-vm: console: /' >&2
	exit 125
fi
status=$(cat "$ctl/status")
verbose "done in $(elapsed) s, status $status"
if [ "$status" != 0 ] && [ "${ESP_VM_VERBOSE:-0}" = 1 ]; then
	tail -n 30 "$ctl/console" 2>/dev/null | sed 's/^/esp-vm: console: /' >&2
fi
exit "$status"
