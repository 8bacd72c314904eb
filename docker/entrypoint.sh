#!/bin/sh
# One entry point for every process of the platform: web, worker, beat.
# The compose file and the process test both start the platform through it,
# so what is tested is what is deployed.
set -eu

role="${1:-web}"
[ "$#" -gt 0 ] && shift

log_level="${LOG_LEVEL:-INFO}"

case "$role" in
web)
    # Several web hosts on one database: let exactly one of them migrate.
    if [ "${MIGRATE_ON_START:-true}" = "true" ]; then
        python manage.py migrate --noinput
    fi
    # Requests run one per process; BLAS threads would only fight each other.
    export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
    exec gunicorn console.wsgi:application \
        --bind "${WEB_BIND:-0.0.0.0:8000}" \
        --workers "${WEB_CONCURRENCY:-2}" \
        --timeout "${WEB_TIMEOUT:-60}" \
        --access-logfile - \
        --log-level "$(echo "$log_level" | tr '[:upper:]' '[:lower:]')" \
        "$@"
    ;;
worker)
    exec celery -A console worker \
        --loglevel "$log_level" \
        --concurrency "${CELERY_CONCURRENCY:-2}" \
        "$@"
    ;;
beat)
    # Beat must run exactly once per platform, or every job fires twice.
    python manage.py setup_schedules
    exec celery -A console beat \
        --loglevel "$log_level" \
        --scheduler django_celery_beat.schedulers:DatabaseScheduler \
        "$@"
    ;;
manage)
    exec python manage.py "$@"
    ;;
*)
    echo "usage: entrypoint.sh web|worker|beat|manage [arguments...]" >&2
    exit 64
    ;;
esac
