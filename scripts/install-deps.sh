#!/usr/bin/env bash
# Installs what the native stack needs and the machine lacks (make deps; make local and make test
# run it first). A fast no-op when everything is present.
#
#   system packages  mariadb-server (mariadbd, mariadb-install-db), mariadb-client, redis-server,
#                    memcached, haproxy (LB benchmark), testssl.sh (the LB's TLS test), varnish
#                    and wrk (CDN benchmark), chromium (the browser tests, driven by
#                    playwright-core; never a downloaded browser): with
#                    apt-get when root, otherwise the exact
#                    command to run is printed and the script fails. apt is kept from starting them
#                    as machine-wide services (policy-rc.d answering 101 during the install): the
#                    stack runs its own instances and never touches the machine's.
#   Node.js          20.9 or newer must already be installed (Debian's own package is too old).
#   npm packages     `npm ci` when node_modules is missing or older than package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

# --- Node.js ---------------------------------------------------------------------------------
command -v node >/dev/null 2>&1 || die "Node.js 20.9+ is not installed: see https://nodejs.org/en/download (or NodeSource's Debian packages)"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=9)?0:1)' \
  || die "Node.js $(node -v) is too old: 20.9 or newer is needed"

# --- system packages -------------------------------------------------------------------------
# command → Debian/Ubuntu package that provides it
declare -A PACKAGE_OF=(
  [mariadbd]=mariadb-server
  [mariadb-install-db]=mariadb-server
  [mariadb]=mariadb-client
  [redis-server]=redis-server
  [memcached]=memcached
  [haproxy]=haproxy
  [testssl]=testssl.sh
  [varnishd]=varnish
  [wrk]=wrk
  [chromium]=chromium
)
SEARCH_PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
missing=()
for cmd in mariadbd mariadb-install-db mariadb redis-server memcached haproxy testssl varnishd wrk chromium; do
  PATH="$SEARCH_PATH" command -v "$cmd" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$cmd]}")
done
# unique, in order
packages=()
for p in "${missing[@]+"${missing[@]}"}"; do
  [[ " ${packages[*]+"${packages[*]}"} " == *" $p "* ]] || packages+=("$p")
done

if ((${#packages[@]} > 0)); then
  if ! command -v apt-get >/dev/null 2>&1; then
    die "missing ${packages[*]} and this is not a Debian/Ubuntu machine (no apt-get): install MariaDB 10.11 (mariadbd, mariadb-install-db), redis-server 7, memcached, haproxy, testssl.sh, varnish, wrk and chromium with your package manager"
  fi
  if [[ "$(id -u)" != 0 ]]; then
    printf 'deps: missing system packages: %s\n' "${packages[*]}" >&2
    printf 'deps: install them with (apt must not start them as services; the stack runs its own):\n\n' >&2
    printf '  printf '"'"'#!/bin/sh\\nexit 101\\n'"'"' | sudo tee /usr/sbin/policy-rc.d >/dev/null && sudo chmod +x /usr/sbin/policy-rc.d && \\\n' >&2
    printf '    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends %s; \\\n' "${packages[*]}" >&2
    printf '    sudo rm -f /usr/sbin/policy-rc.d\n\n' >&2
    die "not root: run the command above, then make local again"
  fi
  say "installing ${packages[*]} (apt-get; services are not started)"
  policy=/usr/sbin/policy-rc.d
  backup=""
  if [[ -e "$policy" ]]; then
    backup="$(mktemp)"
    cp -p "$policy" "$backup"
  fi
  restore_policy() {
    if [[ -n "$backup" ]]; then mv -f "$backup" "$policy"; else rm -f "$policy"; fi
  }
  trap restore_policy EXIT
  printf '#!/bin/sh\n# scaling-lab install-deps: do not start services while installing\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  restore_policy
  trap - EXIT
  for cmd in mariadbd mariadb-install-db redis-server memcached haproxy; do
    PATH="$SEARCH_PATH" command -v "$cmd" >/dev/null 2>&1 || die "$cmd is still missing after installing ${packages[*]}"
  done
  say "installed ${packages[*]}"
fi

# --- npm packages ----------------------------------------------------------------------------
# npm records the installed tree in node_modules/.package-lock.json; it is the stamp.
npm_stale() {
  [[ ! -f node_modules/.package-lock.json ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]
}
if npm_stale; then
  command -v npm >/dev/null 2>&1 || die "npm is not installed"
  # One install at a time when several make targets run at once in this checkout.
  lock="${TMPDIR:-/tmp}/scaling-lab-deps-$(printf '%s' "$PWD" | cksum | cut -d' ' -f1).lock"
  exec 9>"$lock"
  if command -v flock >/dev/null 2>&1; then flock -w 900 9 || die "timed out waiting for another npm install ($lock)"; fi
  if npm_stale; then
    say "npm ci (node_modules is missing or older than package-lock.json)"
    if ! npm ci --no-audit --no-fund --loglevel=error; then
      # npm ci refuses a lock file that lacks entries for optional platform packages the registry
      # does not serve (npm/cli#9846); npm install still installs the locked versions, and
      # --no-save keeps package.json and package-lock.json untouched.
      say "npm ci failed: installing the locked versions with npm install --no-save instead"
      npm install --no-save --no-audit --no-fund --loglevel=error
    fi
    touch node_modules/.package-lock.json
  fi
fi
