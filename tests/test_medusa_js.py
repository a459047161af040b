"""The real `@medusajs/medusa-js` client (tests/js/smoke.mjs) works against a live server."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.factories.inventory import UserFactory

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


def test_medusa_js_client_drives_inventory_reservations_and_the_order_flow(
    transactional_db, live_server, default_channel, consistent
):
    # given: the client installed, the store's default channel (a transactional test
    # flushes the migration's row) and a staff user with a known password and api token
    _ensure_node_modules()
    UserFactory(email="js-client@example.com", password="js-pw-42", api_token="js-client-token")
    env = {
        **os.environ,
        "BASE_URL": live_server.url,
        "EMAIL": "js-client@example.com",
        "PASSWORD": "js-pw-42",
    }

    # when: the smoke script runs every step through the real client
    result = subprocess.run(
        [NODE, str(JS_DIR / "smoke.mjs")],
        cwd=JS_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    # then
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.stdout.startswith("medusa-js smoke: 37 steps passed"), result.stdout
    consistent()
