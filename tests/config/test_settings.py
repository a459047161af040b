"""Settings from the environment: no secret anyone could know, and `check --deploy` clean
with the production settings the README lists."""

import multiprocessing
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from config.keyfile import secret_key_in

PRODUCTION = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
    "DJANGO_ALLOWED_HOSTS": "stock.example.com",
    "DJANGO_SECURE_SSL_REDIRECT": "true",
    "DJANGO_SECURE_HSTS_SECONDS": "31536000",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "DJANGO_SECURE_HSTS_PRELOAD": "true",
    "DJANGO_SECURE_COOKIES": "true",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "DJANGO_TRUSTED_PROXIES": "1",
}


def manage(*args, **env) -> subprocess.CompletedProcess:
    """`manage.py` in a fresh process, with `env` (None: unset) over this environment."""
    environ = {**os.environ, **{key: value for key, value in env.items() if value is not None}}
    for key in [key for key, value in env.items() if value is None]:
        environ.pop(key, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def printed(expression: str, **env) -> str:
    code = f"import os; from django.conf import settings; env = os.environ; print({expression})"
    run = manage("shell", "--no-imports", "-c", code, **env)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


# The secret key ----------------------------------------------------------------------------


def test_a_key_is_made_once_then_kept(tmp_path):
    path = tmp_path / ".secret_key"

    first = secret_key_in(path)

    assert len(first) >= 50
    assert secret_key_in(path) == first
    assert path.stat().st_mode & 0o777 == 0o600
    assert secret_key_in(tmp_path / "elsewhere") != first


def _key_after(barrier, path, results):
    barrier.wait()
    results.put(secret_key_in(path))


def test_processes_starting_at_once_agree_on_one_key(tmp_path):
    path = tmp_path / ".secret_key"
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(8), context.Queue()
    processes = [
        context.Process(target=_key_after, args=(barrier, path, results)) for _ in range(8)
    ]
    for process in processes:
        process.start()

    keys = {results.get(timeout=60) for _ in processes}

    for process in processes:
        process.join(timeout=60)
    assert keys == {path.read_text().strip()}
    assert [p.name for p in tmp_path.iterdir()] == [".secret_key"]  # no draft left behind


def test_an_empty_key_file_is_refused(tmp_path):
    (tmp_path / ".secret_key").write_text("\n")

    with pytest.raises(ImproperlyConfigured, match="is empty"):
        secret_key_in(tmp_path / ".secret_key")


def test_a_folder_it_cannot_write_to_asks_for_the_variable(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="set DJANGO_SECRET_KEY"):
        secret_key_in(tmp_path / "missing" / ".secret_key")


def test_without_the_variables_both_secrets_are_the_key_file(tmp_path):
    keys = printed(
        "settings.SECRET_KEY, settings.JWT_SECRET", DJANGO_SECRET_KEY=None, JWT_SECRET=None
    )

    kept = (settings.BASE_DIR / ".secret_key").read_text().strip()
    assert keys == f"{kept} {kept}"
    assert ".secret_key*" in (settings.BASE_DIR / ".gitignore").read_text()


# check --deploy ----------------------------------------------------------------------------


def test_check_deploy_is_clean_with_the_production_settings():
    run = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert run.returncode == 0, run.stderr
    assert "System check identified no issues" in run.stdout


def test_check_deploy_names_what_the_demo_settings_lack():
    run = manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY=None)

    assert run.returncode == 1
    for warning in ["W004", "W008", "W012", "W016", "stockroom.W001"]:
        assert warning in run.stderr


def test_the_production_settings_come_from_the_environment():
    values = printed(
        "settings.SECRET_KEY == env['DJANGO_SECRET_KEY'], settings.JWT_SECRET,"
        " settings.SECURE_PROXY_SSL_HEADER, settings.SESSION_COOKIE_SECURE,"
        " settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS, settings.TRUSTED_PROXIES",
        **PRODUCTION,
        JWT_SECRET="j" * 40,
    )
    assert values == f"True {'j' * 40} ('HTTP_X_FORWARDED_PROTO', 'https') True True 31536000 1"


def test_the_https_redirect_spares_the_health_probes(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()

    assert client.get("/health").status_code == 200
    assert client.get("/admin/auth").status_code == 301
