#!/usr/bin/env bash
# Holds this virtual machine's memory for a benchmark. On a guest whose kernel reports free pages
# to the hypervisor (virtio-balloon free page reporting), memory freed by one run is handed back
# and the next write into it faults on the host: measured here, writing 1 GiB into tmpfs took
# 3.5-4.3 s into handed-back memory against 0.4-0.5 s into memory the guest still had. A fetch
# writes its output (and its block files) into new pages, so its figures swung with how much of
# the memory the previous run freed had been reported meanwhile. `hold` stops the reporting (an
# order above the largest free block never qualifies) and touches the memory once, so every run
# writes into memory the guest has; `release` restores the reporting. Needs root; a machine
# without free page reporting needs nothing.
#   scripts/bench-memory.sh hold [GiB]   stop reporting, then touch GiB (default: free memory less 2 GiB)
#     Touch all of it: pages reported before the hold stay handed back until written once, and the
#     allocator gives them out in no useful order (8 of 23 GiB touched: a fetch at 159 MB/s, its
#     output writes faulting on the host, against 306-379 MB/s with all touched).
#   scripts/bench-memory.sh release      restore the reporting order saved by hold
#   scripts/bench-memory.sh status       the reporting order and how much has been reported
set -euo pipefail

params=/sys/module/page_reporting/parameters
saved=/run/hyphae-bench-page-reporting-order
dir=${HYPHAE_BENCH_DIR:-/dev/shm}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ! -e "$params/page_reporting_order" ]; then
    echo "bench-memory: this kernel reports no free pages to a hypervisor; nothing to hold"
    exit 0
fi

# /proc/buddyinfo has a column per order, 0 to the largest: an order past it is never reported.
never=$(awk 'NR == 1 {print NF - 4}' /proc/buddyinfo)

case "${1:-status}" in
  hold)
    current=$(cat "$params/page_reporting_order")
    if [ "$current" != "$never" ]; then
        echo "$current" | as_root tee "$saved" >/dev/null
        echo "$never" | as_root tee "$params/page_reporting_order" >/dev/null
    fi
    most=$(( $(awk '/MemAvailable/ {print int($2 / 1048576)}' /proc/meminfo) - 2 ))
    gib=${2:-$most}
    if [ "$gib" -lt "$most" ]; then
        echo "bench-memory: warning: touching $gib of $most GiB; runs may still write into handed-back pages" >&2
    fi
    echo "bench-memory: free page reporting off (order $current -> $never); touching $gib GiB in $dir"
    start=$(date +%s)
    for i in $(seq 1 "$gib"); do
        dd if=/dev/zero of="$dir/hyphae-bench-touch-$i" bs=1M count=1024 status=none
    done
    rm -f "$dir"/hyphae-bench-touch-*
    echo "bench-memory: touched in $(( $(date +%s) - start )) s"
    ;;
  release)
    if [ -f "$saved" ]; then
        as_root tee "$params/page_reporting_order" < "$saved" >/dev/null
        as_root rm -f "$saved"
    fi
    echo "bench-memory: free page reporting order $(cat "$params/page_reporting_order")"
    ;;
  status)
    echo "page_reporting_order $(cat "$params/page_reporting_order") (never reported from order $never), reported $(( $(cat "$params/reported_kib") / 1024 )) MiB so far"
    ;;
  *)
    echo "usage: $0 hold [GiB]|release|status" >&2; exit 2
    ;;
esac
