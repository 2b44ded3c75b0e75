import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.support.httpserver import LocalServer

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.getenv("TRACKER_SHARED_DIR", ROOT.parent / "shared"))
OUTPUT = ROOT / "test-output"

# Hypothesis budgets (ingestion's property tests). CI runs the modest "ci" profile; a large
# run sets HYPOTHESIS_PROFILE=fuzz (`make fuzz`). Examples share a test's fixtures (the
# database, the local server), so that health check is off; slow examples are expected.
hypothesis_settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.register_profile("fuzz", parent=hypothesis_settings.get_profile("ci"),
                                     max_examples=3000)  # fmt: skip
hypothesis_settings.load_profile(os.getenv("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A real HTTP server on 127.0.0.1; register routes with .add(...)."""
    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture
def corpora() -> Path:
    """../shared/corpora, or a skip that says it is absent."""
    path = SHARED / "corpora"
    if not path.is_dir():
        pytest.skip(f"shared corpora not found at {path}: corpus tests skipped")
    return path


@pytest.fixture
def reference(db: None) -> None:
    """The curated reference data, loaded as `load_reference` loads it."""
    from summits.services import reference_load

    reference_load()


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """A folder under test-output/ for screenshots and other artefacts of one test."""
    path = OUTPUT / request.node.name.replace("/", "_")
    path.mkdir(parents=True, exist_ok=True)
    return path


CHROMIUM = os.getenv("TRACKER_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright, or a skip saying it is absent."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM}: browser tests skipped")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must allow ORM calls beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: object) -> Iterator[object]:
    """A fresh browser page; use with pytest-django's live_server."""
    context = chromium.new_context(viewport={"width": 1440, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: object) -> None:
    """Pages render {% static %} without a collectstatic manifest (tests run with DEBUG off)."""
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a request to /es/ activates Spanish for the
    thread, and a later test that renders a template outside a request would inherit it."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def tasks_in_process(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tasks run in-process in tests, even when CI points Celery at Redis.

    Only tests marked `celery_worker` send tasks to a real worker through the broker.
    """
    from tracker.celery import app

    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


# Hypothesis budgets for the web fuzzing (tests/articles/reading/test_fuzz_web.py): examples
# per URL pattern. TRACKER_FUZZ=1 (`make fuzz`) runs the large budget; CI runs the small one.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("web-ci", max_examples=15, deadline=None)
_hypothesis_settings.register_profile("web-fuzz", max_examples=100, deadline=None)
WEB_FUZZ_PROFILE = "web-fuzz" if os.getenv("TRACKER_FUZZ") else "web-ci"
