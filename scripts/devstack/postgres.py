"""A throwaway PostgreSQL cluster (Debian's server) for the tests that run on both engines."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from scripts.devstack.procs import free_port

DEBIAN_PACKAGES = ["postgresql"]


def bindir() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise RuntimeError("PostgreSQL server not installed (apt-get install postgresql)")
    return versions[-1].parent


def ensure_installed() -> None:
    if shutil.which("dpkg-query") is None:
        return
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", "postgresql"],
        capture_output=True,
        text=True,
        check=False,
    )
    if "install ok installed" in result.stdout:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("devstack: apt-get install postgresql …", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def _as_postgres(argv: list[str]) -> list[str]:
    """The server refuses to run as root: drop to the `postgres` account when we are root."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@dataclass
class Cluster:
    directory: Path
    port: int
    options: str = ""  # the server options it was started with (to start it again)

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://capibot@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://capibot@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "t") -> str:
        """A fresh empty database; returns its SQLAlchemy URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        subprocess.run(
            [
                str(bindir() / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "capibot",
                "-d",
                "postgres",
                "-q",
                "-c",
                f'CREATE DATABASE "{name}"',
            ],
            check=True,
            capture_output=True,
        )
        return self.url(name)

    def halt(self) -> None:
        """Stop the server, keeping its data (a database outage); `resume()` restarts it."""
        self._pg_ctl_stop("fast", check=True)

    def resume(self) -> None:
        _pg_ctl_start(self.directory, self.options)

    def stop(self) -> None:
        self._pg_ctl_stop("immediate", check=False)
        shutil.rmtree(self.directory, ignore_errors=True)

    def _pg_ctl_stop(self, mode: str, *, check: bool) -> None:
        data = str(self.directory / "data")
        command = [str(bindir() / "pg_ctl"), "-D", data, "stop", "-m", mode, "-w"]
        subprocess.run(_as_postgres(command), check=check, capture_output=True)


def start_cluster() -> Cluster:
    """initdb into a fresh temp dir (trust auth, loopback only, fsync off: tests only)."""
    ensure_installed()
    directory = Path(tempfile.mkdtemp(prefix="capibot-pg-"))
    os.chmod(directory, 0o755)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    data, port = directory / "data", free_port()
    subprocess.run(
        _as_postgres(
            [
                str(bindir() / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "capibot",
                "-E",
                "UTF8",
                "--no-locale",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = (
        f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
    )
    _pg_ctl_start(directory, options)
    return Cluster(directory, port, options)


def _pg_ctl_start(directory: Path, options: str) -> None:
    subprocess.run(
        _as_postgres(
            [
                str(bindir() / "pg_ctl"),
                "-D",
                str(directory / "data"),
                "-o",
                options,
                "-l",
                str(directory / "server.log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
