#!/usr/bin/env bash
# Install (if needed) and start Debian's PostgreSQL on 127.0.0.1:5432 with a role the tests may use to
# create and drop their own databases. Idempotent: safe to run on a machine where it already runs.
set -euo pipefail
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  $SUDO apt-get install -y -q postgresql >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q postgresql >/dev/null; }
fi
VERSION="$(ls /etc/postgresql | sort -n | tail -1)"
if ! pg_lsclusters -h | grep -q "^$VERSION main"; then
  $SUDO pg_createcluster "$VERSION" main >/dev/null
fi
pg_lsclusters -h | grep "^$VERSION main" | grep -q online || $SUDO pg_ctlcluster "$VERSION" main start
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
$SUDO runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -c "DO \$\$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tactful') THEN
    CREATE ROLE tactful LOGIN PASSWORD 'tactful' CREATEDB;
  END IF; END\$\$;"
$SUDO runuser -u postgres -- psql -q -tA -c "SELECT 1 FROM pg_database WHERE datname = 'tactful'" | grep -q 1 \
  || $SUDO runuser -u postgres -- createdb -O tactful tactful
echo "PostgreSQL $VERSION is running on 127.0.0.1:5432 (role tactful, database tactful)"
