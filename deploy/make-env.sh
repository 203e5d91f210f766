#!/usr/bin/env bash
# Print a settings file with fresh random secrets, for every replica to share.
#
#   deploy/make-env.sh systemd 'postgresql://careledger:PASSWORD@127.0.0.1:5432/careledger' \
#       | sudo install -m 640 -o root -g careledger /dev/stdin /etc/careledger/careledger.env
#   deploy/make-env.sh compose | sudo install -m 600 /dev/stdin /etc/careledger/compose.env
#
# Run it ONCE: a new cookie key signs everyone out. Keep a copy somewhere safe, not with the backups (it holds the secret cookie key).
set -euo pipefail

secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(48))'; }

case "${1:-}" in
  systemd)
    url="${2:?usage: make-env.sh systemd DATABASE_URL}"
    cat <<ENV
# CareLedger settings shared by every replica (careledger@.service, careledger-backup.service).
DATABASE_URL=${url}
# Signs the sign-in cookie. The same value on every replica; never the example from a manual.
CARELEDGER_COOKIE_KEY=$(secret)
# Streamlit's own cookie secret (server.cookieSecret), also the same on every replica.
STREAMLIT_SERVER_COOKIE_SECRET=$(secret)
CARELEDGER_BACKUP_DIR=/var/lib/careledger/backups
# Sign-in: the cookie only over HTTPS; nginx on this host is the proxy whose X-Forwarded-For counts.
CARELEDGER_COOKIE_SECURE=1
CARELEDGER_TRUSTED_PROXIES=127.0.0.1,::1
ENV
    ;;
  compose)
    cat <<ENV
# CareLedger settings for deploy/docker-compose.yml (docker compose --env-file THIS_FILE ...).
POSTGRES_PASSWORD=$(secret)
CARELEDGER_COOKIE_KEY=$(secret)
STREAMLIT_COOKIE_SECRET=$(secret)
ENV
    ;;
  *)
    echo "usage: $0 systemd DATABASE_URL | $0 compose" >&2
    exit 2
    ;;
esac
