"""The ``avrop`` command.

avrop run [--bind ADDR]    migrate, load demo data, start the worker and the web server (what `make run` does)
avrop serve [--bind ADDR]  the web server only (gunicorn + whitenoise)
avrop worker               the task worker (Huey consumer)
avrop setup                migrate, create the cache table and collect static files
avrop demo                 load demo data (idempotent)
avrop edi ...              validate or render e-documents (see ``avrop edi --help``)
avrop <django command>     any Django management command, e.g. ``avrop createsuperuser``
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO


def _django(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avrop.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["avrop", *argv])


def _bind(args: list[str]) -> str:
    if "--bind" in args:
        index = args.index("--bind")
        if index + 1 >= len(args):
            raise SystemExit("avrop: --bind needs an address such as 127.0.0.1:8000")
        return args[index + 1]
    return os.environ.get("AVROP_BIND", "127.0.0.1:8000")


def _gunicorn_command(bind: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "avrop.wsgi:application",
        "--bind",
        bind,
        "--workers",
        os.environ.get("WEB_CONCURRENCY", "2"),
        "--threads",
        os.environ.get("WEB_THREADS", "4"),
        "--access-logfile",
        "-",
        "--timeout",
        "60",
    ]


# --- Supervision --------------------------------------------------------------------------------------


@dataclass
class _Child:
    name: str
    command: list[str]
    delay: float
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None


def describe_exit(code: int) -> str:
    """``signal SIGABRT`` for a process killed by a signal, ``exit code 3`` otherwise."""
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _seconds(value: float) -> str:
    return f"{value:g} s"


def supervise(
    commands: Sequence[tuple[str, list[str]]],
    *,
    first_delay: float = 1.0,
    max_delay: float = 30.0,
    stable_after: float = 60.0,
    grace: float = 10.0,
    poll: float = 0.2,
    out: TextIO | None = None,
) -> int:
    """Run each ``(name, command)`` and keep it running until SIGINT, SIGTERM or SIGHUP; return 0.

    A process that stops on its own is started again after a back-off: ``first_delay`` seconds,
    doubling up to ``max_delay``, back to ``first_delay`` once it had stayed up ``stable_after``
    seconds. Each stop is one line on ``out`` (``avrop: the task worker stopped (signal SIGABRT);
    restarting in 2 s``). The other processes keep running meanwhile. On a stop signal every process
    gets SIGTERM, and SIGKILL if it is still running ``grace`` seconds later.
    """
    stream = out if out is not None else sys.stdout
    children = [_Child(name, list(command), first_delay) for name, command in commands]
    stopping: list[int] = []

    def request_stop(signum: int, _frame: object) -> None:
        stopping.append(signum)

    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, request_stop) for signum in handled}

    def say(text: str) -> None:
        print(text, file=stream, flush=True)

    def start(child: _Child) -> None:
        child.restart_at = None
        child.started_at = time.monotonic()
        try:
            child.process = subprocess.Popen(child.command)
        except OSError as exc:
            child.process = None
            schedule(child, f"could not be started ({exc.strerror})")

    def schedule(child: _Child, what: str) -> None:
        now = time.monotonic()
        if now - child.started_at >= stable_after:
            child.delay = first_delay
        child.restart_at = now + child.delay
        say(f"avrop: {child.name} {what}; restarting in {_seconds(child.delay)}")
        child.delay = min(child.delay * 2, max_delay)

    try:
        for child in children:
            start(child)
        while not stopping:
            now = time.monotonic()
            for child in children:
                if stopping:
                    break
                if child.process is not None:
                    code = child.process.poll()
                    if code is not None:
                        child.process = None
                        schedule(child, f"stopped ({describe_exit(code)})")
                elif child.restart_at is not None and now >= child.restart_at:
                    start(child)
            time.sleep(poll)
        return 0
    finally:
        running = [child.process for child in children if child.process is not None]
        for process in running:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + grace
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def setup() -> None:
    _django(["migrate", "--no-input", "-v", "0"])
    _django(["createcachetable"])
    _django(["collectstatic", "--no-input", "-v", "0"])


def run(args: list[str]) -> int:
    """Set up, load demo data, then run worker and web server, restarting either if it stops."""
    setup()
    _django(["demo"])
    bind = _bind(args)
    print(f"\navrop is running on http://{bind}/  (Ctrl+C stops web server and worker)\n", flush=True)
    return supervise(
        [
            ("the task worker", [sys.executable, "-m", "avrop.cli", "worker"]),
            ("the web server", _gunicorn_command(bind)),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = args[0], args[1:]
    if command == "edi":
        from avrop.edi.cli import main as edi_main

        return edi_main(rest)
    if command == "run":
        return run(rest)
    if command == "serve":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avrop.settings")
        os.execv(sys.executable, _gunicorn_command(_bind(rest)))  # noqa: S606 (replaces this process)
    if command == "worker":
        _django(["run_huey", *rest])
        return 0
    if command == "setup":
        setup()
        return 0
    _django([command, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
