"""`avrop run` keeps the task worker and the web server running: a process that stops is started again
after a back-off, the other one keeps running, and Ctrl+C or SIGTERM stops both.

Each test runs ``avrop.cli.supervise`` in a real child process with small python commands as the
supervised processes (one test with the real ``avrop worker``) and sends it real signals.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from avrop.cli import describe_exit

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")

SRC = Path(__file__).resolve().parents[1] / "src"

# A supervised process: counts its starts in a file, then does what the test asks of start number n.
CHILD = textwrap.dedent(
    """
    import os, signal, sys, time
    counter = sys.argv[1]
    with open(counter, "a") as f:
        f.write(f"{os.getpid()}\\n")
    n = sum(1 for _ in open(counter))
    action = sys.argv[2]
    if action == "abort-twice" and n <= 2:
        os.abort()
    if action == "abort":
        os.abort()
    if action == "exit-3-after":
        time.sleep(float(sys.argv[3]))
        sys.exit(3)
    if action == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        time.sleep(0.05)
    """
)


class Supervisor:
    """``supervise()`` in a child process of its own session (so a test can press Ctrl+C on it)."""

    def __init__(
        self, tmp_path: Path, commands: list[tuple[str, list[str]]], env: dict[str, str], **options: float
    ) -> None:
        script = tmp_path / "supervisor.py"
        script.write_text(
            f"import sys\nfrom avrop.cli import supervise\nsys.exit(supervise({commands!r}, **{options!r}))\n"
        )
        # The suite's own database and queue (DATABASE_URL, HUEY_REDIS_URL in CI) are not the children's: a
        # worker started here would consume the suite's queue and poll an unmigrated database.
        inherited = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "HUEY_REDIS_URL"}}
        env = {**inherited, "PYTHONPATH": str(SRC), "PYTHONUNBUFFERED": "1", **env}
        self.log = tmp_path / "supervisor.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(script)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text()

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except FileNotFoundError:
            return []

    def wait_for(self, condition, what: str, timeout: float = 20.0):  # noqa: ANN001, ANN201
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            assert self.process.poll() is None, f"the supervisor ended early:\n{self.output()}"
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}:\n{self.output()}")

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        os.kill(self.process.pid, signum)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _starts(counter: Path) -> list[int]:
    return [int(line) for line in counter.read_text().split()] if counter.exists() else []


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"  # a zombie has ended; init reaps it


def _child(counter: Path, action: str, *extra: str) -> list[str]:
    return [sys.executable, "-c", CHILD, str(counter), action, *extra]


@pytest.fixture
def supervisor(tmp_path):  # noqa: ANN001, ANN201
    started: list[Supervisor] = []

    def make(commands: list[tuple[str, list[str]]], env: dict[str, str] | None = None, **options: float):  # noqa: ANN202
        started.append(Supervisor(tmp_path, commands, env or {}, **options))
        return started[-1]

    yield make
    for one in started:
        one.kill()


def test_describe_exit() -> None:
    assert describe_exit(-signal.SIGABRT) == "signal SIGABRT"
    assert describe_exit(-signal.SIGKILL) == "signal SIGKILL"
    assert describe_exit(3) == "exit code 3"


def test_a_stopped_process_is_restarted_and_the_other_keeps_running(supervisor, tmp_path) -> None:
    worker, web = tmp_path / "worker", tmp_path / "web"
    run = supervisor(
        [("the task worker", _child(worker, "abort-twice")), ("the web server", _child(web, "run"))],
        first_delay=0.2,
        max_delay=5.0,
    )
    run.wait_for(lambda: len(_starts(worker)) == 3, "the third start of the worker")
    lines = run.output().splitlines()
    stops = [line for line in lines if line.startswith("avrop: ")]
    assert stops == [
        "avrop: the task worker stopped (signal SIGABRT); restarting in 0.2 s",
        "avrop: the task worker stopped (signal SIGABRT); restarting in 0.4 s",
    ]
    # The web server was started once and is still the same process, alive.
    [web_pid] = _starts(web)
    third_worker = _starts(worker)[2]
    assert sorted(run.children()) == sorted([web_pid, third_worker])
    assert run.stop() == 0
    assert all(_gone(pid) for pid in (web_pid, third_worker))


def test_the_back_off_doubles_up_to_its_limit(supervisor, tmp_path) -> None:
    counter = tmp_path / "worker"
    run = supervisor([("the task worker", _child(counter, "abort"))], first_delay=0.1, max_delay=0.4)
    run.wait_for(lambda: run.output().count("restarting") >= 5, "five restarts")
    run.stop()
    delays = re.findall(r"restarting in ([\d.]+) s", run.output())
    assert delays[:5] == ["0.1", "0.2", "0.4", "0.4", "0.4"]


def test_the_back_off_starts_again_after_a_process_stayed_up(supervisor, tmp_path) -> None:
    counter = tmp_path / "worker"
    run = supervisor(
        [("the web server", _child(counter, "exit-3-after", "0.6"))],
        first_delay=0.1,
        max_delay=5.0,
        stable_after=0.4,
    )
    run.wait_for(lambda: len(_starts(counter)) >= 3, "three starts")
    run.stop()
    stops = [line for line in run.output().splitlines() if line.startswith("avrop: ")]
    assert stops[:2] == ["avrop: the web server stopped (exit code 3); restarting in 0.1 s"] * 2


def test_ctrl_c_stops_both_and_restarts_nothing(supervisor, tmp_path) -> None:
    worker, web = tmp_path / "worker", tmp_path / "web"
    run = supervisor(
        [("the task worker", _child(worker, "run")), ("the web server", _child(web, "run"))], first_delay=0.1
    )
    run.wait_for(lambda: _starts(worker) and _starts(web), "both started")
    pids = _starts(worker) + _starts(web)
    # Ctrl+C in a terminal signals the whole foreground process group: supervisor and children alike.
    os.killpg(run.process.pid, signal.SIGINT)
    assert run.process.wait(timeout=15) == 0
    assert "restarting" not in run.output()
    assert all(_gone(pid) for pid in pids)
    assert len(_starts(worker)) == len(_starts(web)) == 1


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace_period(supervisor, tmp_path) -> None:
    counter = tmp_path / "worker"
    run = supervisor([("the task worker", _child(counter, "ignore-term"))], grace=0.5)
    run.wait_for(lambda: _starts(counter), "the start")
    begun = time.monotonic()
    assert run.stop() == 0
    assert time.monotonic() - begun < 5
    assert _gone(_starts(counter)[0])


def test_a_command_that_cannot_start_is_retried(supervisor, tmp_path) -> None:
    run = supervisor([("the web server", [str(tmp_path / "missing")])], first_delay=0.1, max_delay=0.2)
    run.wait_for(lambda: run.output().count("restarting") >= 2, "two attempts")
    run.stop()
    assert "avrop: the web server could not be started (No such file or directory); restarting in 0.1 s" in (
        run.output()
    )


def test_the_real_worker_killed_with_sigkill_is_started_again(supervisor, tmp_path) -> None:
    """`avrop worker` (the Huey consumer on its SQLite queue), as `avrop run` starts it."""
    data = tmp_path / "data"
    env = {
        "AVROP_ENV": "development",
        "AVROP_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "avrop.settings",
    }
    worker = [sys.executable, "-m", "avrop.cli", "worker"]
    run = supervisor([("the task worker", worker)], env=env, first_delay=0.5)
    # The consumer is up once it has created its queue.
    first = run.wait_for(
        lambda: (data / "huey.sqlite3").exists() and run.children(), "the worker's queue", timeout=60
    )
    time.sleep(0.5)
    os.kill(first[0], signal.SIGKILL)
    second = run.wait_for(
        lambda: [pid for pid in run.children() if pid != first[0]], "a new worker", timeout=30
    )
    assert "avrop: the task worker stopped (signal SIGKILL); restarting in 0.5 s" in run.output()
    assert Path(f"/proc/{second[0]}/cmdline").read_bytes().split(b"\0")[1:4] == [
        b"-m",
        b"avrop.cli",
        b"worker",
    ]
    assert run.stop() == 0
    assert _gone(second[0])
