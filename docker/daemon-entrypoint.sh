#!/bin/sh
# Container entrypoint of the daemon image: `serve` first applies pending database migrations, so an
# upgraded image brings its schema with it (Prisma takes a lock, so several replicas may start at
# once); any other argument runs that syncvault command as is.
set -eu
cd /app
if [ "${1:-}" = serve ]; then
  node scripts/prisma.mjs migrate deploy
fi
exec node apps/daemon/dist/src/cli.js "$@"
