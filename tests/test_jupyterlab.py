"""`make lab` works: JupyterLab opens a chapter and *Run All* runs it with no error.

The server is the one ``make lab`` starts (``.venv/bin/jupyter lab`` on ``book/``), run
here on a temporary copy of ``book/`` (so nothing can be saved over the committed
notebook), on 127.0.0.1 with a random token, a free port and its own Jupyter
configuration folders (nothing of the user's, and nothing written into ``~``).
Chapter 1, the quickest, is opened in Debian's Chromium through Playwright; the
test clicks *Run > Run All Cells* as a reader would, waits until the kernel is idle
and then checks that every code cell ran and none shows an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import BOOK_DIR, REPO_ROOT

CHAPTER = "ch1_sigmoid_derivative.ipynb"
JUPYTER = Path(sys.executable).parent / "jupyter"
#: Generous: two cores shared with other work; chapter 1 alone takes ~20 s.
START_TIMEOUT_S = 180
RUN_TIMEOUT_S = 900

#: User settings for the test server: no autosave, and every cell in the page
#: (JupyterLab 4 otherwise leaves cells out of the page until they are scrolled to).
SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none"
    },
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

#: What the page's notebook model says about every code cell (the app is exposed
#: with ``--LabApp.expose_app_in_browser``, for this inspection only).
NOTEBOOK_STATE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.model || !panel.sessionContext) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = [];
  const model = panel.content.model;
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    if (cell.type !== 'code') continue;
    const outputs = cell.outputs.toJSON();
    cells.push({
      count: cell.executionCount,
      errors: outputs.filter((o) => o.output_type === 'error')
                     .map((o) => `${o.ename}: ${o.evalue}`),
      source: cell.sharedModel.getSource().slice(0, 80),
    });
  }
  return {kernel: kernel ? kernel.status : 'none', cells};
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"jupyter lab exited ({server.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    pytest.fail(
        f"jupyter lab did not answer within {START_TIMEOUT_S} s:\n{log.read_text()}"
    )


@pytest.fixture
def lab_server(tmp_path):
    """``(base URL, token, book copy)`` of a JupyterLab serving a copy of ``book/``."""
    book = tmp_path / "book"
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "_build")
    shutil.copytree(BOOK_DIR, book, ignore=ignore)
    config = tmp_path / "jupyter"
    settings = config / "lab" / "user-settings"
    for name, values in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_DATA_DIR": str(tmp_path / "jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "jupyter-runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    env.pop("MPLBACKEND", None)
    log = tmp_path / "jupyter-lab.log"
    command = [
        str(JUPYTER),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={book}",
        "--LabApp.expose_app_in_browser=True",
    ]
    if os.geteuid() == 0:  # a container's root (here); a reader's `make lab` is not
        command.append("--allow-root")
    with log.open("w") as output:
        server = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=tmp_path
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base}/api/status?token={token}", server, log)
        yield base, token, book
    finally:
        request = urllib.request.Request(
            f"{base}/api/shutdown",
            method="POST",
            headers={"Authorization": f"token {token}"},
        )
        with contextlib.suppress(urllib.error.URLError, OSError):  # kernels too
            urllib.request.urlopen(request, timeout=10).close()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def test_make_lab_starts_jupyterlab_on_the_book():
    """``make lab`` runs the ``jupyter lab`` of the venv on ``book/`` (what is tested below)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "lab"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert dry_run.returncode == 0, dry_run.stderr
    commands = [line for line in dry_run.stdout.splitlines() if "jupyter lab" in line]
    assert commands and commands[-1].startswith(".venv/bin/jupyter lab book/"), (
        dry_run.stdout
    )


def wait_for_run_all(page, started: float) -> dict:
    """Poll the notebook until the kernel has been idle for 3 s with nothing queued."""
    idle_since = None
    state = None
    while time.monotonic() - started < RUN_TIMEOUT_S:
        state = page.evaluate(NOTEBOOK_STATE)
        queued = page.locator(".jp-InputPrompt:has-text('[*]')").count()
        if state and state["kernel"] == "idle" and queued == 0:
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= 3:
                return state
        else:
            idle_since = None
        page.wait_for_timeout(500)
    pytest.fail(f"Run All did not finish within {RUN_TIMEOUT_S} s; last state {state}")


def test_a_chapter_runs_all_in_jupyterlab(open_browser_context, lab_server):
    base, token, book = lab_server
    committed = hashlib.sha256((BOOK_DIR / CHAPTER).read_bytes()).hexdigest()
    context = open_browser_context()
    try:
        page = context.new_page()
        page.goto(f"{base}/lab/tree/{CHAPTER}?token={token}", wait_until="load")
        page.wait_for_selector(".jp-Notebook .jp-CodeCell")
        page.wait_for_function(  # the kernel has started
            "() => { const p = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            " const k = p && p.sessionContext && p.sessionContext.session"
            " && p.sessionContext.session.kernel; return k && k.status === 'idle'; }"
        )
        started = time.monotonic()
        page.locator('.lm-MenuBar-itemLabel:text-is("Run")').click()
        page.locator('.lm-Menu-itemLabel:text-is("Run All Cells")').click()
        page.wait_for_selector(".jp-InputPrompt:has-text('[1]')")
        state = wait_for_run_all(page, started)
        seconds = time.monotonic() - started
        stderr = page.locator(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
        ).all_inner_texts()
    finally:
        context.close()
    cells = state["cells"]
    errors = [f"{c['source']!r}: {e}" for c in cells for e in c["errors"]]
    assert not errors, "Run All in JupyterLab raised:\n" + "\n".join(errors)
    tracebacks = [t[:500] for t in stderr if "Traceback" in t or "Error" in t]
    assert not tracebacks, "errors shown in the notebook:\n" + "\n".join(tracebacks)
    not_run = [c["source"] for c in cells if c["count"] is None]
    assert not not_run, (
        f"{len(not_run)} of {len(cells)} code cells did not run: {not_run[:3]}"
    )
    counts = [c["count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), "cells ran out of order"
    print(f"{CHAPTER}: {len(cells)} code cells ran in JupyterLab in {seconds:.0f} s")
    assert hashlib.sha256((BOOK_DIR / CHAPTER).read_bytes()).hexdigest() == committed
