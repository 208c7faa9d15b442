#!/usr/bin/env bash
# A school morning under load (docs/development/load-test.md): prepare a PostgreSQL
# database with the Clever district, serve it with gunicorn on 127.0.0.1, replay teachers marking, admins editing
# totals and the accountant billing with locust, then check the data.
#
#   loadtest/run.sh                 # 3 minutes
#   loadtest/run.sh --quick         # 30 seconds
#   loadtest/run.sh --time 60s --workers 4
#
# Options: --time DURATION (locust's 3m, 90s …), --quick, --workers N (gunicorn, default
# 4), --spawn-rate N (users started per second, default 2; one user per login of the
# plan: every teacher, the admins, the accountant), --port N (default 8765), --reuse
# (keep the database as it is instead of recreating it).
# Environment: LOAD_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/rollbook_load;
# its name must contain "load", as the database is dropped and recreated), LOAD_OUT
# (default /tmp/rollbook-load: logins, statistics, logs), LOAD_WAIT_TEACHER,
# LOAD_WAIT_ADMIN, LOAD_WAIT_ACCOUNTANT (seconds between a user's steps, "min,max";
# defaults 5,15 / 2,6 / 1,3). Needs locust: pip install -e '.[load]'.
# Traffic goes to 127.0.0.1 only, and the run stops by itself after --time.
set -euo pipefail

cd "$(dirname "$0")/.."
PY=.venv/bin/python
TIME=3m
WORKERS=4
SPAWN_RATE=2
PORT=8765
REUSE=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) TIME=30s ;;
        --time) TIME="$2"; shift ;;
        --workers) WORKERS="$2"; shift ;;
        --spawn-rate) SPAWN_RATE="$2"; shift ;;
        --port) PORT="$2"; shift ;;
        --reuse) REUSE=1 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "Unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if ! [ -x .venv/bin/locust ]; then
    echo "locust is not installed: .venv/bin/python -m pip install -e '.[load]'" >&2
    exit 2
fi

DB_URL="${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/rollbook_load}"
OUT="${LOAD_OUT:-/tmp/rollbook-load}"
DB_NAME="${DB_URL##*/}"
DB_SERVER="${DB_URL%/*}/postgres"
mkdir -p "$OUT"

# The app as in production (DEBUG off, hashed static files served by whitenoise), but on
# plain HTTP over loopback: no redirect to https, no HSTS. Its cookies stay Secure; the
# load client sends them over loopback as browsers do for localhost.
export DATABASE_URL="$DB_URL"
export DEBUG=false
export SECURE_SSL_REDIRECT=false
export SECURE_HSTS_SECONDS=0
export ALLOWED_HOSTS=127.0.0.1
export STATIC_ROOT="$OUT/static"
export LOG_LEVEL=WARNING
export LOAD_PLAN="$OUT/logins.json"
SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY

if [ "$REUSE" = 0 ]; then
    case "$DB_NAME" in
        *load*) ;;
        *) echo "Refusing to recreate '$DB_NAME': its name must contain 'load'." >&2; exit 2 ;;
    esac
    echo "== Recreating database $DB_NAME"
    psql -q "$DB_SERVER" -c "DROP DATABASE IF EXISTS \"$DB_NAME\"" -c "CREATE DATABASE \"$DB_NAME\""
fi

echo "== Preparing (migrate, demo, logins, prices)"
$PY manage.py migrate -v0
$PY manage.py prepare_load --out "$LOAD_PLAN"
$PY manage.py collectstatic --noinput -v0

USERS="$($PY -c 'import json, sys; p = json.load(open(sys.argv[1])); print(len(p["teachers"]) + len(p["admins"]) + 1)' "$LOAD_PLAN")"

echo "== Serving with gunicorn ($WORKERS workers) on 127.0.0.1:$PORT"
.venv/bin/gunicorn config.wsgi:application --workers "$WORKERS" --bind "127.0.0.1:$PORT" \
    --timeout 120 --error-logfile "$OUT/gunicorn.log" &
GUNICORN_PID=$!
stop_gunicorn() {
    if kill -0 "$GUNICORN_PID" 2>/dev/null; then
        kill -TERM "$GUNICORN_PID"
        wait "$GUNICORN_PID" 2>/dev/null || true
    fi
}
trap stop_gunicorn EXIT
for _ in $(seq 60); do
    if curl -s -o /dev/null "http://127.0.0.1:$PORT/accounts/login/"; then break; fi
    sleep 0.5
done

echo "== Machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB," \
    "$(psql -tA "$DB_SERVER" -c 'SHOW server_version' | cut -d' ' -f1) PostgreSQL," \
    "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== Load: $USERS users (spawned $SPAWN_RATE/s) for $TIME; seconds between steps:" \
    "teachers ${LOAD_WAIT_TEACHER:-5,15}, admins ${LOAD_WAIT_ADMIN:-2,6}," \
    "accountant ${LOAD_WAIT_ACCOUNTANT:-1,3}"
LOCUST_RC=0
.venv/bin/locust -f loadtest/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
    --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$TIME" --stop-timeout 10 \
    --csv "$OUT/run" --html "$OUT/report.html" --only-summary --loglevel WARNING \
    > "$OUT/locust.log" 2>&1 || LOCUST_RC=$?
stop_gunicorn
trap - EXIT

echo "== Figures (full report: $OUT/report.html)"
$PY loadtest/report.py "$OUT/run"
echo "== Checking the data"
VERIFY_RC=0
$PY manage.py verify_load --logins "$LOAD_PLAN" || VERIFY_RC=$?
if [ "$VERIFY_RC" != 0 ]; then exit "$VERIFY_RC"; fi
if [ "$LOCUST_RC" != 0 ]; then
    echo "locust exited with $LOCUST_RC (failed requests above; log: $OUT/locust.log)" >&2
    exit "$LOCUST_RC"
fi
