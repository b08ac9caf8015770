"""The task queue with real storage: Huey on SQLite, and on Redis when HUEY_REDIS_URL is set."""

import os
import uuid

import pytest
from huey import RedisHuey, SqliteHuey


def _run_with_consumer(huey):
    @huey.task()
    def add(a, b):
        return a + b

    result = add(2, 3)
    consumer = huey.create_consumer(
        workers=2, worker_type="thread", periodic=False, check_worker_health=False
    )
    # Signal handlers can only be installed by a main program; the worker threads are the real ones.
    consumer._set_signal_handlers = lambda: None
    consumer.start()
    try:
        assert result.get(blocking=True, timeout=20) == 5
    finally:
        consumer.stop(graceful=True)


def test_sqlite_queue_runs_a_task_in_a_real_consumer(tmp_path):
    _run_with_consumer(SqliteHuey(name="avrop-test", filename=str(tmp_path / "huey.sqlite3")))


@pytest.mark.redis
@pytest.mark.skipif(
    not os.environ.get("HUEY_REDIS_URL"), reason="HUEY_REDIS_URL is not set (no Redis server given)"
)
def test_redis_queue_runs_a_task_in_a_real_consumer():
    huey = RedisHuey(name=f"avrop-test-{uuid.uuid4().hex}", url=os.environ["HUEY_REDIS_URL"])
    try:
        _run_with_consumer(huey)
    finally:
        huey.storage.flush_all()


@pytest.mark.redis
@pytest.mark.skipif(
    not os.environ.get("HUEY_REDIS_URL"), reason="HUEY_REDIS_URL is not set (no Redis server given)"
)
def test_settings_choose_redis_when_configured(tmp_path):
    import subprocess
    import sys

    env = {
        **os.environ,
        "AVROP_ENV": "development",
        "AVROP_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "avrop.settings",
    }
    code = "import django; django.setup(); from huey.contrib.djhuey import HUEY; print(type(HUEY).__name__)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "RedisHuey", result.stderr
