import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TRACKER_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "TRACKER_ENV_FILE": "", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_under_production_settings(tmp_path: Path) -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="x7$Kq!p2vR9#mZ4tLw8&nB6yHc3^Jd5@Fg1*Xs0(Ue7)Ya2-Qo9+Ti4=Vr6",
        DJANGO_ALLOWED_HOSTS="tracker.example.org",
        TRACKER_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path: Path) -> None:
    result = manage("check", TRACKER_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for(settings) -> None:
    from django.conf import settings as django_settings

    assert django_settings.DEBUG is False


def test_development_fallback_key_needs_debug(tmp_path: Path) -> None:
    result = manage("check", DJANGO_DEBUG="1", TRACKER_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


def test_tasks_run_in_process_without_a_broker() -> None:
    # A fresh process: the test suite itself runs tasks in-process (see conftest).
    code = (
        "import django; django.setup(); from tracker.celery import app; "
        "print(app.conf.task_always_eager)"
    )
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip() == "True", out.stderr
    env["CELERY_BROKER_URL"] = "redis://127.0.0.1:6379/15"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip() == "False", out.stderr


def test_celery_is_configured_for_safe_redelivery() -> None:
    from tracker.celery import app

    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


def test_idempotent_tasks_are_redelivered_when_a_worker_dies() -> None:
    from articles.ingestion import tasks

    for task in (
        tasks.feed_fetch_task,
        tasks.article_fetch_page_task,
        tasks.article_reprocess_task,
    ):
        assert task.acks_late is True, task.name
        assert task.reject_on_worker_lost is True, task.name
        assert task.soft_time_limit and task.time_limit, task.name


def test_a_typo_in_a_yes_no_variable_stops_start_up_naming_it(tmp_path: Path) -> None:
    result = manage(
        "check", DJANGO_DEBUG="1", TRACKER_SSL_REDIRECT="ture", TRACKER_VAR_DIR=str(tmp_path)
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "configuration error: TRACKER_SSL_REDIRECT='ture' is not a yes/no value: "
        "use one of 1, true, yes, on, 0, false, no, off."
    ]


def test_a_bad_number_stops_start_up_naming_it(tmp_path: Path) -> None:
    result = manage(
        "check", DJANGO_DEBUG="1", TRACKER_FEED_MAX_FAILURES="ten", TRACKER_VAR_DIR=str(tmp_path)
    )
    assert result.returncode == 2
    assert "TRACKER_FEED_MAX_FAILURES='ten' is not a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_command_without_configuration_prints_one_line(tmp_path: Path) -> None:
    result = manage("export_csv", "articles", "-o", "-", TRACKER_VAR_DIR=str(tmp_path))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_settings_read_the_local_env_file_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("# local\nDJANGO_DEBUG=1\nDJANGO_SECRET_KEY='from-the-file'\n")
    code = "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)"
    result = manage(
        "shell", "-c", code, TRACKER_ENV_FILE=str(env_file), TRACKER_VAR_DIR=str(tmp_path)
    )
    assert result.stdout.strip().splitlines()[-1] == "True from-the-file", result.stderr
    result = manage(
        "shell",
        "-c",
        code,
        TRACKER_ENV_FILE=str(env_file),
        TRACKER_VAR_DIR=str(tmp_path),
        DJANGO_SECRET_KEY="from-the-environment",
    )
    assert result.stdout.strip().splitlines()[-1] == "True from-the-environment", result.stderr


def test_a_malformed_env_file_is_named_in_one_line(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_DEBUG 1\n")
    result = manage("check", TRACKER_ENV_FILE=str(env_file), TRACKER_VAR_DIR=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "configuration error: .env line 1 is not KEY=VALUE: 'DJANGO_DEBUG 1'"
    ]
