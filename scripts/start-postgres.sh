#!/usr/bin/env bash
# Installs PostgreSQL from Debian's packages if needed, starts it on localhost and makes sure the
# test role and database exist. Prints the SQLAlchemy URL to use as TEST_DATABASE_URL.
set -euo pipefail
role=${PG_TEST_ROLE:-pharmacy}
password=${PG_TEST_PASSWORD:-pharmacy}
database=${PG_TEST_DATABASE:-pharmacy_test}
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "installing PostgreSQL from Debian's packages..." >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  $sudo pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | grep -q "^$version main .* online"; then
  $sudo pg_ctlcluster "$version" main start >&2
fi
as_postgres() { $sudo su postgres -c "$1"; }
for _ in $(seq 1 30); do as_postgres "psql -qAtc 'select 1'" >/dev/null 2>&1 && break; sleep 1; done
if [ "$(as_postgres "psql -qAtc \"select 1 from pg_roles where rolname='$role'\"")" != "1" ]; then
  as_postgres "psql -qc \"create role $role login password '$password'\"" >&2
fi
# One for the database tests, one ("_stack") for the running stack's, one ("_desk") for the desk's,
# two ("_tracking", "_carrier") for the tracking tests: our records, and what the carrier knows,
# and one ("_scale") for the scale-out stack (make run-scaled, make test-scale).
for db in "$database" "${database}_stack" "${database}_desk" "${database}_tracking" "${database}_carrier" "${database}_scale"; do
  if [ "$(as_postgres "psql -qAtc \"select 1 from pg_database where datname='$db'\"")" != "1" ]; then
    as_postgres "createdb -O $role $db" >&2
  fi
done
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
echo "postgresql://$role:$password@localhost:$port/$database"
