"""pytest plugin (pytest.ini: `-p parallel_groups`): how `make test` splits the suite
over two pytest-xdist workers (``-n 2 --dist loadgroup``).

A work unit ("group") goes to one worker and runs there in collection order, so:

- every test that uses the built website (the ``built_site`` fixture, directly or
  through ``site_url`` and the browser fixtures) is in the group ``site``: the site is
  built once, by one worker, and no other worker removes ``_build/html`` under it;
- a notebook's nbval cells are one group (they share one kernel, in order);
- every other test file is one group (its module-scoped fixtures are made once),
  unless the module sets ``PARALLEL_EACH_TEST = True`` (its tests share nothing).

Groups are queued longest first (:data:`LONGEST_FIRST`), so that no long group
starts last and leaves the other worker idle.

Why not xdist's own ``xdist_group`` mark: pytest-xdist 3.8 writes the group into
``item._nodeid``, which pytest 9.2 no longer reads, so the mark groups nothing.
Here the workers, which see the items, write ``{node id: group}`` to a file the
controller named (:data:`GROUPS_ENV`), and the controller's scheduler (xdist's
load-scope scheduler with this module's notion of scope) reads it.  Without
``--dist loadgroup`` (a plain ``pytest`` run) this plugin changes nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

#: The environment variable naming the file where workers write the groups.
GROUPS_ENV = "SIGMOIDBOOK_TEST_GROUPS"

#: The site group: tests that use the built website (this fixture).
SITE = "site"
SITE_FIXTURE = "built_site"

#: The longest groups, longest first (minutes on 2 cores in a serial run of
#: `make test`; only the order matters). Groups not listed are short.
LONGEST_FIRST = [
    SITE,
    "tests/test_answer_variants.py",
    "tests/test_coursework_chapters.py",
    "book/ch5_mnist.ipynb",
    "tests/test_student_release.py",
    "tests/test_grading_safety.py",
    "tests/test_colab.py",
    "tests/test_verdict_limits.py",
    "tests/test_verdict.py",
    "book/ch3_relu_dead_neurons.ipynb",
    "tests/test_coursework_grading.py",
    "tests/test_jupyterlab.py",
]


def group_of(item: pytest.Item) -> str:
    """The work unit of ``item`` (see the module docstring)."""
    if SITE_FIXTURE in getattr(item, "fixturenames", ()):
        return SITE
    path = Path(str(item.path)).resolve()
    try:
        name = path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        name = path.as_posix()
    if getattr(getattr(item, "module", None), "PARALLEL_EACH_TEST", False):
        return item.nodeid
    return name


def _rank(group: str) -> int:
    try:
        return LONGEST_FIRST.index(group)
    except ValueError:
        return len(LONGEST_FIRST)


def _is_worker(config) -> bool:
    return getattr(config, "workerinput", None) is not None


def pytest_configure(config):
    # the xdist controller, before it starts the workers (they inherit the variable)
    if _is_worker(config) or config.getoption("dist", "no") != "loadgroup":
        return
    handle, path = tempfile.mkstemp(prefix="sigmoidbook-test-groups-", suffix=".json")
    os.close(handle)
    os.environ[GROUPS_ENV] = path
    config.option.loadscopereorder = False  # keep LONGEST_FIRST's order


def pytest_unconfigure(config):
    path = os.environ.get(GROUPS_ENV)
    if path and not _is_worker(config):
        Path(path).unlink(missing_ok=True)
        del os.environ[GROUPS_ENV]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    # trylast: after deselection (-m, -k), so the file lists what the workers run
    path = os.environ.get(GROUPS_ENV)
    if not (path and _is_worker(config)):
        return
    groups = {item.nodeid: group_of(item) for item in items}
    # a stable sort: within a group, the collection order (a notebook's cells in order)
    items.sort(key=lambda item: _rank(groups[item.nodeid]))
    # both workers write the same content; a rename makes each write whole
    partial = Path(f"{path}.{os.getpid()}")
    partial.write_text(json.dumps(groups), encoding="utf-8")
    os.replace(partial, path)


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    path = os.environ.get(GROUPS_ENV)
    if not path or config.getoption("dist", "no") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        """xdist's scheduler by scope, with the scopes the workers wrote."""

        _groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self._groups is None:
                self._groups = json.loads(Path(path).read_text(encoding="utf-8"))
            return self._groups.get(nodeid, nodeid)

    return GroupScheduling(config, log)
