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


def setup() -> None:
    _django(["migrate", "--no-input", "-v", "0"])
    _django(["createcachetable"])
    _django(["collectstatic", "--no-input", "-v", "0"])


def run(args: list[str]) -> int:
    """Set up, load demo data, then run worker and web server until interrupted."""
    setup()
    _django(["demo"])
    bind = _bind(args)
    worker = subprocess.Popen([sys.executable, "-m", "avrop.cli", "worker"])
    web = subprocess.Popen(_gunicorn_command(bind))
    print(f"\navrop is running on http://{bind}/  (Ctrl+C stops web server and worker)\n", flush=True)

    def stop(*_: object) -> None:
        for process in (web, worker):
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            for process in (web, worker):
                try:
                    code = process.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    continue
                stop()
                return code
    except KeyboardInterrupt:
        stop()
        return 0
    finally:
        for process in (web, worker):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


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
