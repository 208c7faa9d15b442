"""Rollbook settings, read from the environment through django-environ.

`DATABASE_URL` defaults to an SQLite file in the project folder; a `postgres://...` URL
switches to PostgreSQL with no code change.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    SECURE_SSL_REDIRECT=(bool, True),
    SECURE_HSTS_SECONDS=(int, 60 * 60 * 24 * 365),
    TIME_ZONE=(str, "UTC"),
    TRUSTED_PROXY_COUNT=(int, 0),
    LOGIN_FAILURE_LIMIT=(int, 5),
    LOGIN_COOLOFF_MINUTES=(int, 15),
)
# A developer's machine keeps its own key in .env (`./dev` writes one); the environment wins.
environ.Env.read_env(os.environ.get("ROLLBOOK_ENV_FILE", BASE_DIR / ".env"), overwrite=False)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    # A public key would let anyone sign sessions: only a developer's DEBUG run gets one.
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (50+ random characters, the "
            "same on every app server: docs/operations/production.md), or set DEBUG=true "
            "on a developer's machine."
        )
    SECRET_KEY = "django-insecure-rollbook-development-key"
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "simple_history",
    "axes",
    "django_tasks_db",
    "academics",
    "attendance",
    "billing",
    "credits",
    "notifications",
    "guardians",
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one: every answer under /api/ is JSON, errors included.
    "academics.errors.ApiAnswersJson",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "academics.middleware.refuse_nul_in_query_string",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A lock or statement timeout in a view is a 409/503 answer, not a 500.
    "academics.errors.DatabaseTrouble",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# CSRF refusals answer JSON to JSON clients and under /api/ (academics/errors.py).
CSRF_FAILURE_VIEW = "academics.errors.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "academics.navigation.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout keep the dev server usable while a command writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

# Database timeouts (docs/operations/production.md, "Database timeouts"). A web request
# waits at most DB_LOCK_TIMEOUT for a row another request holds and DB_STATEMENT_TIMEOUT
# for one statement, so a stuck lock or query answers 409/503 (academics/errors.py) well
# before gunicorn's worker timeout; management commands, imports and the task worker get
# longer limits (manage.py sets ROLLBOOK_DB_TIMEOUTS=command). Seconds; 0 means none.
DB_TIMEOUTS = env.str("ROLLBOOK_DB_TIMEOUTS", default="web")
if DB_TIMEOUTS not in ("web", "command"):
    raise ImproperlyConfigured("ROLLBOOK_DB_TIMEOUTS must be 'web' or 'command'.")
DB_CONNECT_TIMEOUT = env.int("DB_CONNECT_TIMEOUT", default=5)
if DB_TIMEOUTS == "web":
    DB_LOCK_TIMEOUT = env.float("DB_LOCK_TIMEOUT", default=5)
    DB_STATEMENT_TIMEOUT = env.float("DB_STATEMENT_TIMEOUT", default=30)
else:
    DB_LOCK_TIMEOUT = env.float("DB_COMMAND_LOCK_TIMEOUT", default=60)
    DB_STATEMENT_TIMEOUT = env.float("DB_COMMAND_STATEMENT_TIMEOUT", default=3600)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    # libpq's startup options: set once per connection, no extra round trip.
    _options["options"] = " ".join(
        filter(
            None,
            [
                _options.get("options", ""),
                f"-c lock_timeout={round(DB_LOCK_TIMEOUT * 1000)}",
                f"-c statement_timeout={round(DB_STATEMENT_TIMEOUT * 1000)}",
            ],
        )
    )
# /healthz answers within this many seconds whatever the database does.
HEALTHZ_TIMEOUT = env.float("HEALTHZ_TIMEOUT", default=1.5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "academics.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (docs/operations/security.md), django-axes: 5 wrong passwords for one
# username from one address lock that pair out for 15 minutes; the lockout page says so
# (HTTP 429). The attempts live in the database, so the count holds across several
# application servers.
# The admin's login form goes through the same backends and is throttled too.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env("LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = timedelta(minutes=env("LOGIN_COOLOFF_MINUTES"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "academics.throttling.lockout_response"
# Behind N reverse proxies the client is the Nth address from the right of
# X-Forwarded-For (each proxy appends the address it saw); with 0, REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env("TRUSTED_PROXY_COUNT")
AXES_CLIENT_IP_CALLABLE = "academics.throttling.client_ip"

# --- Sign-in (django-allauth) -------------------------------------------------------------
# docs/operations/sign-in.md. Username or email with a password, "Forgot password?" by
# email, single sign-on (Google, Microsoft Entra ID, Clever, any OpenID Connect server)
# configured from SSO_* variables (config/sso.py), and two-factor (TOTP). No self-sign-up:
# people come from the roster; an identity signs in as the imported user it matches
# (academics/signin/adapters.py) or is refused. django-axes still counts wrong passwords
# (the AXES_* settings above); allauth's own login limits are off so there is one rule.
from config.sso import sso_providers  # noqa: E402

INSTALLED_APPS += [
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.microsoft",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.clever",
    "allauth.mfa",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "allauth.account.middleware.AccountMiddleware",
)
# After django-htmx's middleware, so it can answer an htmx request with HX-Redirect.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_htmx.middleware.HtmxMiddleware") + 1,
    "academics.signin.two_factor.require_two_factor",
)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "academics.signin.backends.UsernameOrEmailBackend",
]
AXES_USERNAME_CALLABLE = "academics.throttling.login_key"
ACCOUNT_ADAPTER = "academics.signin.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "academics.signin.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
# Sign-up is closed (the adapter); these only satisfy allauth's consistency checks.
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_FORMS = {"reset_password": "academics.signin.forms.ResetPasswordForm"}
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_SESSION_REMEMBER = True  # as before: a session lasts SESSION_COOKIE_AGE
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Rollbook] "
ACCOUNT_RATE_LIMITS = {"login": None, "login_failed": None}
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# A password link (forgot password, invitation) works once, for this many days.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_LINK_DAYS", default=7) * 24 * 60 * 60
SOCIALACCOUNT_PROVIDERS = sso_providers(os.environ)
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # the adapter matches identities itself
MFA_ADAPTER = "academics.signin.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Rollbook")
# --- end of Sign-in (django-allauth) ------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Production hardening: on whenever DEBUG is off, so `check --deploy` is clean.
if not DEBUG:
    SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env("SECURE_HSTS_SECONDS")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# A load balancer probes /healthz over plain HTTP; everything else is redirected to https.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (docs/operations/security.md), Django's own middleware: scripts
# and styles only from our origin (static files), never inline. The admin tags its few
# inline <style> and <script> elements with a per-request nonce, which CSP.NONCE allows;
# our templates have none. htmx's own indicator <style> is switched off in base.html
# (htmx-config) and its rules live in rollbook.css.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Email and background tasks (docs/operations/email.md) -----------------------------
# Every email goes through Django's mail API to the "default" mailer, which queues it
# (academics/mail.py): a task is enqueued when the transaction commits, and the worker
# (`manage.py db_worker`, started by `./dev start`; a service in production) sends it with
# the "delivery" mailer built from EMAIL_URL, retrying a failed send. EMAIL_URL is
# django-environ's: consolemail:// (the default: printed by the worker),
# smtp+tls://user:password@host:587, smtp+ssl://user:password@host:465,
# filemail:///path/to/folder. EMAIL_DELIVERY_BACKEND replaces the URL's backend, e.g.
# anymail.backends.postmark.EmailBackend with ANYMAIL='{"POSTMARK_SERVER_TOKEN": "..."}'.
# Django 6.1's MAILERS replaces EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS …:
# those are deprecated, and Django refuses to start with them beside MAILERS.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Rollbook <rollbook@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
_email_url = env.str("EMAIL_URL", default="consolemail://")
_email = environ.Env.email_url_config(_email_url)
_delivery_options = {
    key: value
    for key, value in {
        "host": _email.get("EMAIL_HOST"),
        "port": _email.get("EMAIL_PORT"),
        "username": _email.get("EMAIL_HOST_USER"),
        "password": _email.get("EMAIL_HOST_PASSWORD"),
        "use_tls": _email.get("EMAIL_USE_TLS"),
        "use_ssl": _email.get("EMAIL_USE_SSL"),
    }.items()
    if value not in (None, "")
}
if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    _delivery_options["timeout"] = env.int("EMAIL_TIMEOUT", default=20)
elif _email["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
    # django-environ drops the leading "/" of filemail:///abs/path.
    _delivery_options = {"file_path": "/" + _email_url.split("://", 1)[1].lstrip("/")}
EMAIL_DELIVERY_BACKEND = env.str("EMAIL_DELIVERY_BACKEND", default=_email["EMAIL_BACKEND"])
if _email["EMAIL_BACKEND"] != EMAIL_DELIVERY_BACKEND:
    _delivery_options = {}  # a provider's backend (django-anymail) reads its own settings
ANYMAIL = env.json("ANYMAIL", default={})
MAILERS = {
    "default": {"BACKEND": "academics.mail.QueuedEmailBackend"},
    "delivery": {"BACKEND": EMAIL_DELIVERY_BACKEND, "OPTIONS": _delivery_options},
}
# Tries of one message before it is recorded as failed, and the first wait (seconds,
# four times longer after each failure).
EMAIL_DELIVERY_ATTEMPTS = env.int("EMAIL_DELIVERY_ATTEMPTS", default=5)
EMAIL_RETRY_DELAY = env.float("EMAIL_RETRY_DELAY", default=60)
# Django's tasks framework with django-tasks-db's database backend: the queue is a table,
# so no broker to run; `db_worker` takes tasks from it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# How often overdue bills are reminded (days), by `send_overdue_reminders`.
OVERDUE_REMINDER_EVERY_DAYS = env.int("OVERDUE_REMINDER_EVERY_DAYS", default=7)
# --- end of Email and background tasks ---------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# The Clever/OneRoster folder the demo loads when it exists (read in place, never copied).
ROLLBOOK_DEMO_ROSTER = env.path(
    "ROLLBOOK_DEMO_ROSTER", default=str(BASE_DIR.parent / "shared" / "data" / "clever-district")
)
