"""The real `@medusajs/medusa-js` client (tests/js/smoke.mjs) works against a live server."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reservations.models import ReservationItem
from tests.factories.inventory import LevelFactory, UserFactory

JS_DIR = Path(__file__).parent / "js"
NODE = shutil.which("node")
NPM = shutil.which("npm")

pytestmark = [
    pytest.mark.node,
    pytest.mark.skipif(not (NODE and NPM), reason="needs node and npm"),
]


def _ensure_node_modules() -> None:
    """Install the pinned client from the lockfile once; a failed install fails the test."""
    if (JS_DIR / "node_modules" / "@medusajs" / "medusa-js").is_dir():
        return
    result = subprocess.run(
        [NPM, "ci", "--legacy-peer-deps", "--no-audit", "--no-fund"],
        cwd=JS_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"npm ci failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def _run(script: str, **env: str) -> subprocess.CompletedProcess:
    """Run a script of tests/js with Node, these variables added to the environment."""
    return subprocess.run(
        [NODE, str(JS_DIR / script)],
        cwd=JS_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_medusa_js_client_drives_inventory_reservations_and_the_order_flow(
    transactional_db, live_server, default_channel, consistent
):
    # given: the client installed, the store's default channel (a transactional test
    # flushes the migration's row) and a staff user with a known password and api token
    _ensure_node_modules()
    UserFactory(email="js-client@example.com", password="js-pw-42", api_token="js-client-token")

    # when: the smoke script runs every step through the real client
    result = _run(
        "smoke.mjs",
        BASE_URL=live_server.url,
        EMAIL="js-client@example.com",
        PASSWORD="js-pw-42",
    )

    # then
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.stdout.startswith("medusa-js smoke: 37 steps passed"), result.stdout
    consistent()


def test_medusa_js_retry_of_a_lost_answer_reserves_once(
    transactional_db, live_server, default_channel, consistent
):
    # given: a level, and a proxy (in the script) that drops the first answer to a create
    _ensure_node_modules()
    staff = UserFactory(api_token="js-retry-token")
    level = LevelFactory(stocked_quantity=10)

    # when: the client (maxRetries 2) creates a reservation through the proxy
    result = _run(
        "retry.mjs",
        BASE_URL=live_server.url,
        API_TOKEN=staff.api_token,
        ITEM_ID=level.inventory_item_id,
        LOCATION_ID=level.location_id,
    )

    # then: the server reserved once; the retry carried the same key and was answered from it
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    out = json.loads(result.stdout)
    first, retry = out["seen"]
    assert (first["method"], first["path"], first["status"], first["dropped"]) == (
        "POST",
        "/admin/reservations",
        200,
        True,
    )
    assert (retry["status"], retry["replayed"], retry["dropped"]) == (200, "true", False)
    assert re.fullmatch(r"[0-9a-f-]{36}", first["key"]), first["key"]
    assert retry["key"] == first["key"]
    reservation = ReservationItem.objects.get()
    assert (out["reservation"]["id"], reservation.quantity) == (reservation.pk, 2)
    level.refresh_from_db()
    assert level.reserved_quantity == 2
    consistent()
