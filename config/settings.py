"""Settings, all from the environment (see README)."""

import os
from pathlib import Path

import dj_database_url

from config.keyfile import secret_key_in

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", False)
# No key anyone could know: without DJANGO_SECRET_KEY, a random one kept in a git-ignored file.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secret_key_in(BASE_DIR / ".secret_key")
JWT_SECRET = os.environ.get("JWT_SECRET") or SECRET_KEY
JWT_TTL_SECONDS = 24 * 3600
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

# HTTPS, for production behind TLS (the demo serves plain HTTP on 127.0.0.1).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^health(/ready)?$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
if os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER"):  # e.g. X-Forwarded-Proto, set by the proxy
    _header = os.environ["DJANGO_SECURE_PROXY_SSL_HEADER"].upper().replace("-", "_")
    SECURE_PROXY_SSL_HEADER = (f"HTTP_{_header}", "https")
# Reverse proxies in front that append the client's address to X-Forwarded-For; the sign-in
# limiter counts failures per client address (config/signin.py).
TRUSTED_PROXIES = int(os.environ.get("DJANGO_TRUSTED_PROXIES", "0"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from here: the docs page works offline
    "config",
    "inventory",
    "reservations",
    "transfers",
    "orders",
    "draft_orders",
    "dashboard",
]

MIDDLEWARE = [
    "config.api.limits.url_length_limit",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.actor.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the write lock instead of failing at once; IMMEDIATE takes it at BEGIN.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
elif env_bool("DATABASE_TRANSACTION_POOLING", False):
    # Behind PgBouncer (or another pooler) in transaction mode each transaction may run on
    # another server connection: nothing prepared on one, no cursor kept open across
    # transactions, no startup options (PgBouncer refuses them; the lock timeout comes from
    # the role's default in the database, config/migrations/0003_lock_timeout.py).
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": None}
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
else:
    DATABASES["default"]["OPTIONS"] = {
        "options": "-c lock_timeout=10s",  # a longer lock wait becomes a 409 conflict, not a hang
        # Parameters bound by the server, and a statement run 5 times on a connection prepared:
        # list pages (one large JSON query each) then skip planning.
        "server_side_binding": True,
        "prepare_threshold": 5,
    }

AUTH_USER_MODEL = "config.User"
AUTHENTICATION_BACKENDS = ["config.signin.SignInBackend"]
STORE_CURRENCY = os.environ.get("STORE_CURRENCY", "usd").lower()
AUTH_PASSWORD_VALIDATORS = []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 10 * 3600

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.api.auth.BearerAuthentication",
        "config.api.auth.ApiTokenAuthentication",
        "config.api.auth.JsonSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["config.api.auth.IsActiveStaff"],
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["config.api.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "config.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "stockroom Admin API",
    "DESCRIPTION": "Inventory, stock locations and reservations; wire-compatible with Medusa v1.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["config.api.schema.drop_trailing_slashes"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.postprocess",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ErrorTypeEnum": "config.api.schema.ERROR_TYPES",
        "ProductStatusEnum": "inventory.models.Product.Status",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
