#!/bin/sh
# Makes the secret files docker-compose.yml mounts: one random value per name under .secrets/
# (or $SECRETS_DIR), mode 0600 in a 0700 directory, made once and then kept: the databases keep
# the passwords they were first given. Running it again changes nothing. Never commit .secrets/.
#
# The names are SECRET_NAMES in services/shared/topology/plan.ts; a unit test keeps them equal.
set -eu

SECRET_NAMES="mysql-root-password mysql-password mysql-replication-password s3-secret-access-key lb-sticky-secret web-cookie-secret cdn-purge-token"

repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${SECRETS_DIR:-$repo/.secrets}

umask 077
mkdir -p "$dir"
chmod 700 "$dir"

made=0
for name in $SECRET_NAMES; do
  file="$dir/$name"
  # A missing file, or one holding only white space, gets a new value: 24 random bytes as hex
  # (safe in every config syntax and SQL literal the stack writes it into, like the runner's).
  if [ ! -f "$file" ] || ! grep -q '[^[:space:]]' "$file"; then
    value=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
    printf '%s' "$value" >"$file.new"
    mv "$file.new" "$file"
    made=$((made + 1))
  fi
  chmod 600 "$file"
done
echo "compose-secrets: $made made, $(($(echo "$SECRET_NAMES" | wc -w) - made)) kept in $dir"

# Compose mounts each file into /run/secrets/ as it is on the host (same owner, same mode). The
# app containers run as uid 1000, so on Linux files owned by someone else must be handed over
# (they stay 0600); the MariaDB and MinIO containers read them as root either way.
if [ "$(uname -s)" = Linux ]; then
  for name in $SECRET_NAMES; do
    if [ "$(stat -c %u "$dir/$name")" != 1000 ]; then
      sudo=$([ "$(id -u)" = 0 ] && echo "" || echo "sudo ")
      echo "compose-secrets: the app containers (uid 1000) cannot read 0600 files owned by uid $(stat -c %u "$dir/$name");" >&2
      echo "compose-secrets: hand them over once with: ${sudo}chown 1000:1000 $dir/*" >&2
      break
    fi
  done
fi
