#!/bin/sh
# /init of the real-kernel virtual handset (busybox sh, PID 1).
# Mounts, zram swap as Android sets it up (lz4, half of RAM, swappiness 100),
# MGLRU on, QEMU user-net address, then the agent. PID 1 stays this shell: it
# reaps orphans and restarts the agent should it ever die.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /run /tmp /data/local/tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /data/local/tmp
log() { echo "asuite-init: $*" > /dev/kmsg; }

# zram0: the kernel's default algorithm is lz4 (CONFIG_ZRAM_DEF_COMP), set it anyway.
mem_kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)
if [ -e /sys/block/zram0/disksize ]; then
    echo lz4 > /sys/block/zram0/comp_algorithm
    echo $((mem_kb / 2))K > /sys/block/zram0/disksize
    # Debian's busybox swapon has no -p; zram0 is the only swap device anyway.
    mkswap /dev/zram0 > /dev/null && swapon /dev/zram0 && log "zram0 $((mem_kb / 2)) kB lz4 swap on"
else
    log "no zram0 (CONFIG_ZRAM missing?)"
fi
echo 100 > /proc/sys/vm/swappiness
[ -e /sys/kernel/mm/lru_gen/enabled ] && echo y > /sys/kernel/mm/lru_gen/enabled

ifconfig lo 127.0.0.1 up
if ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up 2>/dev/null; then
    route add default gw 10.0.2.2
else
    log "no eth0: the agent is unreachable from the host"
fi
log "boot done in $(cut -d' ' -f1 /proc/uptime) s; starting asuite-agent"
while :; do
    /bin/asuite-agent 7100
    log "asuite-agent exited ($?); restarting"
    sleep 1
done
