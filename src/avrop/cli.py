"""The ``avrop`` command.

avrop run [--bind ADDR]    migrate, load demo data, start the worker and the web server (what `make run` does)
avrop serve [--bind ADDR]  the web server only (gunicorn + whitenoise); brings the search index up to date
                           beside it (``avrop catalogue_follow``)
avrop worker               the task worker (Huey consumer)
avrop setup                migrate, create the cache table and collect static files
avrop demo                 load demo data (idempotent)
avrop backup FILE          the database and the documents in one archive with a manifest (safe while running)
avrop restore FILE         an archive into an empty installation, checked against its manifest [--force]
avrop edi ...              validate or render e-documents (see ``avrop edi --help``)
avrop <django command>     any Django management command, e.g. ``avrop createsuperuser``

Each command prints its own help with --help. ADDR is HOST:PORT; the default is $AVROP_BIND or
127.0.0.1:8000. `run` and `serve` set AVROP_BASE_URL (the address in links in e-mails) from ADDR when it is
not set.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

DEFAULT_BIND = "127.0.0.1:8000"


def _django(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avrop.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["avrop", *argv])


def base_url_for(bind: str) -> str:
    """The address people reach a server bound to ``bind`` at, for links in e-mails: the host as given, or
    this machine's name when it listens on every address (0.0.0.0, ::), where 0.0.0.0 is no place to go.
    '' for a Unix socket or a file descriptor (a proxy in front decides the address)."""
    if bind.startswith(("unix:", "fd://")):
        return ""
    host, _sep, port = bind.rpartition(":")
    host = host.strip("[]")
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 (read, not bound)
        host = socket.getfqdn() or "localhost"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _use_bind_for_links(bind: str) -> None:
    """Fill in AVROP_BASE_URL from the bind address when it is not set, for this process and its children
    (the worker sends the e-mails)."""
    if not os.environ.get("AVROP_BASE_URL"):
        url = base_url_for(bind)
        if url:
            os.environ["AVROP_BASE_URL"] = url


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


# --- The port check ---------------------------------------------------------------------------------


class PortProblem(Exception):
    """The web server could not listen on the address; the message says why and what to do."""


def _split_bind(bind: str) -> tuple[str, int]:
    host, sep, port_text = bind.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise PortProblem(
            f"avrop: {bind!r} is not an address to listen on; use HOST:PORT such as {DEFAULT_BIND}"
        )
    return host, int(port_text)


def check_port(bind: str, *, other: str) -> None:
    """Raise :class:`PortProblem` when nothing could listen on ``bind`` now (the port is taken, …).

    ``other`` is the command that serves on another port, with ``{host}`` and ``{port}`` filled in with
    a suggestion, e.g. ``make run PORT={port}``. Unix sockets and inherited descriptors are not checked.
    """
    if bind.startswith(("unix:", "fd://")):
        return
    host, port = _split_bind(bind)
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror:
        raise PortProblem(f"avrop: the host name {host!r} in {bind!r} is not known on this machine") from None
    with socket.socket(family, kind, proto) as probe:
        # As gunicorn does: a port whose last connections are still closing counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            instead = other.format(host=host, port=port + 1 if 1024 <= port < 65535 else 8001)
            if exc.errno == errno.EADDRINUSE:
                message = f"avrop: port {port} is in use; stop the other program or run `{instead}`"
            elif exc.errno == errno.EACCES:
                message = f"avrop: port {port} is reserved for the administrator; run `{instead}`"
            elif exc.errno == errno.EADDRNOTAVAIL:
                message = f"avrop: {host} is not an address of this machine ({bind})"
            else:
                message = f"avrop: cannot listen on {bind}: {exc.strerror}"
            raise PortProblem(message) from None


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


# --- Commands -------------------------------------------------------------------------------------------


def _bind_parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument(
        "--bind",
        metavar="ADDR",
        default=os.environ.get("AVROP_BIND") or DEFAULT_BIND,
        help="HOST:PORT to serve on (default: $AVROP_BIND or %(default)s)",
    )
    return parser


def setup() -> None:
    _django(["migrate", "--no-input", "-v", "0"])
    _django(["createcachetable"])
    _django(["collectstatic", "--no-input", "-v", "0"])


def run(args: list[str]) -> int:
    """Set up, load demo data, then run worker and web server, restarting either if it stops."""
    options = _bind_parser(
        "avrop run",
        "Migrate, load the demo data, then run the task worker and the web server until Ctrl+C. "
        "A process that stops is started again after a short wait (1 s, doubling up to 30 s).",
    ).parse_args(args)
    try:
        check_port(options.bind, other="make run PORT={port}")
    except PortProblem as problem:
        print(problem, file=sys.stderr)
        return 1
    _use_bind_for_links(options.bind)
    # The demo's punch-out supplier is backed by the demo shop this server serves (catalogue.views_punch_out).
    os.environ.setdefault("AVROP_DEMO_SHOP", "true")
    try:
        setup()
        _django(["demo"])
    except KeyboardInterrupt:
        return 130
    address = os.environ.get("AVROP_BASE_URL") or f"http://{options.bind}"
    print(f"\navrop is running on {address}/  (Ctrl+C stops web server and worker)\n", flush=True)
    return supervise(
        [
            ("the task worker", [sys.executable, "-m", "avrop.cli", "worker"]),
            ("the web server", _gunicorn_command(options.bind)),
        ]
    )


def serve(args: list[str]) -> int:
    options = _bind_parser("avrop serve", "Run the web server (gunicorn) in the foreground.").parse_args(args)
    try:
        check_port(options.bind, other="avrop serve --bind {host}:{port}")
    except PortProblem as problem:
        print(problem, file=sys.stderr)
        return 1
    _use_bind_for_links(options.bind)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avrop.settings")
    _search_catch_up()
    os.execv(sys.executable, _gunicorn_command(options.bind))  # noqa: S606 (replaces this process)


def _search_catch_up() -> None:
    """Bring this node's search index up to the database beside the starting server (a rebuild when it is
    missing or behind, see avrop.catalogue.services.feed): searches go on against the index as it is and
    switch to the new one when it is done. AVROP_SEARCH_CATCH_UP=false leaves it to the checks."""
    value = os.environ.get("AVROP_SEARCH_CATCH_UP", "true").strip().lower()
    if value in {"0", "false", "no", "off"}:
        return
    # Not waited for (a rebuild of a large catalogue takes minutes); in the server's process group, so that
    # stopping the group stops it too (a rebuild cut short leaves the index in use as it was).
    subprocess.Popen([sys.executable, "-m", "avrop.cli", "catalogue_follow"])  # noqa: S603 (our own command)


def worker(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="avrop worker",
        description="Run the task worker (Huey consumer) in the foreground. Other options are passed "
        "to Huey's consumer; `avrop run_huey --help` lists them.",
    )
    _, rest = parser.parse_known_args(args)
    _django(["run_huey", *rest])
    return 0


def setup_command(args: list[str]) -> int:
    argparse.ArgumentParser(
        prog="avrop setup",
        description="Migrate the database, create the cache table and collect the static files.",
    ).parse_args(args)
    setup()
    return 0


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
        return serve(rest)
    if command == "worker":
        return worker(rest)
    if command == "setup":
        return setup_command(rest)
    _django([command, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
