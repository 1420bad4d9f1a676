"""Without Chromium the browser tests skip with a reason, unless CI requires them
(``FACTDESK_REQUIRE_BROWSER=1``), where they fail.  Runs pytest in a child
process with ``FACTDESK_CHROMIUM`` pointing at nothing; needs no browser."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("require,status,summary,reason", [
    (None, 0, "1 skipped", "browser tests skipped: /nonexistent/chromium not found"),
    ("1", 1, "1 error", ("FACTDESK_REQUIRE_BROWSER=1 but the browser tests cannot run: "
                         "/nonexistent/chromium not found")),
])
def test_missing_chromium_skips_or_fails(tmp_path, require, status, summary, reason):
    env = {**os.environ, "FACTDESK_CHROMIUM": "/nonexistent/chromium"}
    env.pop("FACTDESK_REQUIRE_BROWSER", None)
    if require:
        env["FACTDESK_REQUIRE_BROWSER"] = require
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/e2e/test_sign_in_hindi.py", "-q", "-rsE",
         "-p", "no:cacheprovider", f"--basetemp={tmp_path / 'base'}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    out = run.stdout + run.stderr
    assert run.returncode == status, out
    assert summary in out, out
    assert reason in out, out
