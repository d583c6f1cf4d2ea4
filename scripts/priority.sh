#!/usr/bin/env bash
# Runs a command (a benchmark, usually) in a cgroup of its own with the highest CPU weight, on a
# machine that other work shares: `scripts/priority.sh make bench`. cgroup v1 only (cpu and
# cpuacct hierarchies, writable: root). The stack's boxes nest under the group (runner/host/
# cgroups.ts) and keep their quotas; the load tests then count that group's CPU as "machine busy",
# so a saturated flag means the bench's own processes filled the cores, not somebody else's.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: scripts/priority.sh <command...>" >&2; exit 2; }
group=${PRIORITY_CGROUP:-scaling-lab-priority}
cpu=/sys/fs/cgroup/cpu cpuacct=/sys/fs/cgroup/cpuacct
if [ ! -w "$cpu/cgroup.procs" ] || [ ! -w "$cpuacct/cgroup.procs" ]; then
  echo "priority: no writable cgroup v1 cpu and cpuacct hierarchies; running without" >&2
  exec "$@"
fi
mkdir -p "$cpu/$group" "$cpuacct/$group"
echo 262144 > "$cpu/$group/cpu.shares"
echo $$ > "$cpu/$group/cgroup.procs"
echo $$ > "$cpuacct/$group/cgroup.procs"
echo "priority: running in cgroup /$group (cpu.shares 262144, the most v1 allows)" >&2
exec "$@"
