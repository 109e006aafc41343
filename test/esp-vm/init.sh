#!/bin/sh
# /init of the ESP test guest (busybox). Mounts the host's / read-only with
# a tmpfs overlay, the rw share at its host path, loads ESP and friends,
# runs the command file written by run.sh in a chroot, leaves its exit
# status in the control directory and powers off.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1

ctl=
share=
src=
kmods=
for w in $(cat /proc/cmdline); do
	case "$w" in
	esp_vm_ctl=*) ctl=${w#*=} ;;
	esp_vm_share=*) share=${w#*=} ;;
	esp_vm_src=*) src=${w#*=} ;;
	esp_vm_kmods=*) kmods=${w#*=} ;;
	esac
done

fail() {
	echo "esp-vm init: $*"
	sync
	reboot -f
}

for m in /mods/*.ko; do
	insmod "$m" || echo "esp-vm init: insmod $m failed"
done
# virtio devices may need a moment to be probed
i=0
until mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 hostroot /lower \
	2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "cannot mount the host root over 9p"
	sleep 0.1
done
mount -t tmpfs -o size=1g,mode=0755 tmpfs /rw || fail "tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot ||
	fail "cannot mount the overlay root"
mount -t proc proc /newroot/proc
mount -t sysfs sys /newroot/sys
mount -t devtmpfs dev /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs tmpfs /newroot/dev/shm
mount -t tmpfs tmpfs /newroot/tmp
mount -t tmpfs tmpfs /newroot/run
# The source tree (scripts the guest runs) stays visible even when it lies
# under /tmp or /run, which the guest replaces; read-only like the rest.
if [ -n "$src" ] && [ -d "/lower$src" ]; then
	mkdir -p "/newroot$src"
	mount -o bind "/lower$src" "/newroot$src" || fail "cannot bind the source tree $src"
fi
mkdir -p "/newroot$share"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 share "/newroot$share" ||
	fail "cannot mount the share $share"
kver=${kmods##*/}
mkdir -p "/newroot/lib/modules/$kver"
mount -o bind "/newroot$kmods" "/newroot/lib/modules/$kver" || fail "cannot bind $kmods"
echo /sbin/modprobe-chroot >/proc/sys/kernel/modprobe

chroot /newroot /sbin/modprobe -a esp4 esp6 xfrm_user xfrm_algo authenc echainiv seqiv \
	crypto_null veth || echo "esp-vm init: some modules did not load"
chroot /newroot /sbin/ip link set lo up
: >"/newroot$ctl/booted"

chroot /newroot /bin/sh "$ctl/cmd.sh" >"/newroot$ctl/stdout" 2>"/newroot$ctl/stderr"
echo $? >"/newroot$ctl/status.tmp"
mv "/newroot$ctl/status.tmp" "/newroot$ctl/status"
sync
umount "/newroot$share" 2>/dev/null
reboot -f
