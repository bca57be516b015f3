"""Shared pytest fixtures for the integration suite (see harness.py for the machinery).

Fixtures
  procs / module_procs   ProcessSet in a per-test / per-module temp dir; every
                         process it started is killed (by PID) at teardown.
  redis_master           a real redis-server on a free loopback port (per test).
  module_master          the same, shared by a whole module.
  sentinel_factory       start_sentinel(kind, config_text, ...) -> SentinelInstance,
                         kind "ours" ($SENTINEL_BIN) or "real" (/usr/bin/redis-sentinel).
  ours_bin               path of our binary; skips the test when SENTINEL_BIN is unset.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
pytest.register_assert_rewrite("harness")

import harness  # noqa: E402

SKIP_NO_BIN = "SENTINEL_BIN is not set: build the project and run through ctest, " \
              "or export SENTINEL_BIN=/path/to/our/sentinel binary"


def require_sentinel_bin() -> str:
    """Skip (cleanly, with a clear reason) when SENTINEL_BIN is unset; fail if it is bogus."""
    path = harness.sentinel_bin()
    if path is None:
        pytest.skip(SKIP_NO_BIN)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"SENTINEL_BIN={path!r} is not an executable file", pytrace=False)
    return path


@pytest.fixture(scope="session", autouse=True)
def _sentinel_bin_is_usable():
    """When SENTINEL_BIN is set it must name an executable: fail loudly rather than per test."""
    path = harness.sentinel_bin()
    if path is not None and not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"SENTINEL_BIN={path!r} is not an executable file (not built yet?)", pytrace=False)


@pytest.fixture(scope="session")
def ours_bin() -> str:
    return require_sentinel_bin()


@pytest.fixture
def procs(tmp_path):
    pset = harness.ProcessSet(tmp_path / "procs")
    yield pset
    pset.close()


@pytest.fixture(scope="module")
def module_procs(tmp_path_factory):
    pset = harness.ProcessSet(tmp_path_factory.mktemp("module-procs"))
    yield pset
    pset.close()


@pytest.fixture
def redis_master(procs) -> harness.RedisServer:
    return procs.start_redis_server()


@pytest.fixture(scope="module")
def module_master(module_procs) -> harness.RedisServer:
    return module_procs.start_redis_server()


@pytest.fixture
def sentinel_factory(procs):
    """Callable: (kind, config_text, **kw) -> SentinelInstance, killed at teardown."""
    def start(kind: str, config_text: str, **kw) -> harness.SentinelInstance:
        if kind == "ours":
            require_sentinel_bin()
        return procs.start_sentinel(kind, config_text, **kw)
    return start


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach the state and log tail of every process still owned by a live set."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        chunks = []
        for pset in harness.live_process_sets():
            for proc in pset.procs:
                chunks.append(f"== {proc.describe()}\n{proc.tail(25)}")
        if chunks:
            report.sections.append(("processes", "\n".join(chunks)))
