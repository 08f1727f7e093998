"""`capibot check` as an operator runs it: verdict lines and exit codes."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from scripts.devstack import StackInfo
from scripts.devstack.procs import free_port
from tests.integration.check_support import capibot, config_variant


def _check(config: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return capibot("check", config, tmp_path)


def _config_variant(stack: StackInfo, tmp_path: Path, **replace: str) -> Path:
    return config_variant(stack, tmp_path, **replace)


def test_check_against_the_stack_prints_three_ok_verdicts(stack: StackInfo, tmp_path: Path) -> None:
    config = _config_variant(stack, tmp_path)
    migrate = capibot("migrate", config, tmp_path)
    assert migrate.returncode == 0, migrate.stderr
    result = _check(config, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for subject in ("homeserver", "wiki", "database", "undecryptable"):
        assert any(line.startswith(f"OK   {subject}:") for line in lines), result.stdout
    assert stack.wiki_botpassword not in result.stdout + result.stderr
    assert stack.user("bot").password not in result.stdout + result.stderr


def test_wrong_wiki_password_names_the_wiki_login(stack: StackInfo, tmp_path: Path) -> None:
    config = _config_variant(stack, tmp_path, **{stack.wiki_botpassword: "1" * 32})
    result = _check(config, tmp_path)
    assert result.returncode == 4, result.stdout + result.stderr
    wiki_line = next(line for line in result.stdout.splitlines() if "wiki:" in line)
    assert wiki_line.startswith("FAIL wiki:") and "login refused" in wiki_line
    assert "1" * 32 not in result.stdout + result.stderr


def test_unreachable_homeserver_exits_with_the_unreachable_code(
    stack: StackInfo, tmp_path: Path
) -> None:
    port = free_port()
    config = _config_variant(stack, tmp_path, **{stack.homeserver: f"http://127.0.0.1:{port}"})
    result = _check(config, tmp_path)
    assert result.returncode == 3, result.stdout + result.stderr
    [line] = [line for line in result.stdout.splitlines() if " homeserver:" in line]
    assert line.startswith("FAIL homeserver:")


def test_a_room_alias_that_does_not_resolve_is_a_config_failure(
    stack: StackInfo, tmp_path: Path
) -> None:
    wrong = "#no-such-room:localhost"
    config = _config_variant(
        stack, tmp_path, **{"[matrix]\n": f'[matrix]\nresearch_room = "{wrong}"\n'}
    )
    result = _check(config, tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if "homeserver:" in line)
    assert line.startswith("FAIL homeserver:") and "matrix.research_room" in line and wrong in line


def test_unmigrated_database_is_its_own_failure(stack: StackInfo, tmp_path: Path) -> None:
    config = _config_variant(stack, tmp_path)
    result = _check(config, tmp_path)
    assert result.returncode == 6, result.stdout + result.stderr
    assert "capibot migrate" in result.stdout


def test_bad_config_names_the_key_and_the_file(tmp_path: Path) -> None:
    config = tmp_path / "broken.toml"
    config.write_text('[wiki]\nedit_interval = "souvent"\n')
    result = _check(config, tmp_path)
    assert result.returncode == 2
    assert str(config) in result.stderr and "wiki.edit_interval" in result.stderr


# -- failure classes without a stack: a bad config, an unreachable database ----------------


def _run(
    tmp_path: Path, *args: str, config: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, **(env or {})},
    )


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "capibot.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("command", [["migrate"], ["export"], ["publish"]])
def test_an_unreachable_database_exits_3_with_one_line_and_no_password(
    tmp_path: Path, command: list[str]
) -> None:
    url = f"postgresql+psycopg://capi:s3cret-pw@127.0.0.1:{free_port()}/capibot"
    config = _config(tmp_path, f'[database]\nurl = "{url}"\n')
    result = _run(tmp_path, *command, config=config)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("FAIL database: 127.0.0.1:") and "unreachable" in line
    assert "s3cret-pw" not in result.stdout + result.stderr


@pytest.mark.parametrize("command", [["migrate"], ["export"]])
def test_an_unusable_database_url_is_a_config_failure(tmp_path: Path, command: list[str]) -> None:
    config = _config(tmp_path, '[database]\nurl = "nosuchdb://u:s3cret-pw@host/x"\n')
    result = _run(tmp_path, *command, config=config)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("FAIL config: database.url: host/x: unusable")
    assert "s3cret-pw" not in result.stdout + result.stderr


def test_check_reports_an_unusable_database_url_as_config(stack: StackInfo, tmp_path: Path) -> None:
    config = _config_variant(stack, tmp_path)
    result = _run(
        tmp_path, "check", config=config, env={"CAPIBOT__DATABASE__URL": "not a url at all"}
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "FAIL config: database.url: not a url at all: unusable" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("FAIL config: database.url")


def test_check_reports_an_unreachable_database(stack: StackInfo, tmp_path: Path) -> None:
    config = _config_variant(stack, tmp_path)
    url = f"postgresql+psycopg://capi:s3cret-pw@127.0.0.1:{free_port()}/capibot"
    result = _run(tmp_path, "check", config=config, env={"CAPIBOT__DATABASE__URL": url})
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("FAIL database: 127.0.0.1:")
    assert "s3cret-pw" not in result.stdout + result.stderr


@pytest.mark.parametrize("command", [["run"], ["check"]])
def test_a_bad_digest_cron_is_a_config_failure_naming_the_key(
    tmp_path: Path, command: list[str]
) -> None:
    config = _config(tmp_path, '[schedule]\ndigest_cron = "0 9 * * 8"\n')
    result = _run(tmp_path, *command, config=config)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("FAIL config: ") and "schedule.digest_cron" in line


# -- `capibot publish` lists failed jobs, retries them, exits non-zero ---------------------


class _Forbidding(http.server.BaseHTTPRequestHandler):
    """A "wiki" that answers HTTP 403 to everything: a job against it fails for good."""

    def do_GET(self) -> None:
        self._forbid()

    def do_POST(self) -> None:
        self._forbid()

    def _forbid(self) -> None:
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_publish_lists_a_failed_job_with_its_error_and_retries_it(tmp_path: Path) -> None:
    from bot.domain.models import OutboxStatus
    from bot.services.effects import NOTICE
    from bot.services.publication_requests import KINDS
    from bot.storage.database import Database
    from tests.integration.wiki_support import fiche_fields, seed_case

    url = f"sqlite:///{tmp_path}/capibot.db"
    db = Database.from_url(url)
    db.migrate()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Forbidding)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        case_id = seed_case(db, fiche_fields("Accueil de nuit"))
        [job] = db.run_sync(lambda repo: repo.pending_outbox(list(KINDS)))
        error = "WikiAuthError('wiki login refused')"
        db.run_sync(lambda repo: repo.outbox_failed(job.id, error, job.next_attempt_at))
        config = _config(
            tmp_path,
            '[matrix]\nmoderation_room = "!mod:localhost"\n'
            f'[wiki]\napi_url = "http://127.0.0.1:{server.server_port}/w/api.php"\n'
            "max_retries = 0\n"
            f'[database]\nurl = "{url}"\n',
        )
        result = _run(tmp_path, "publish", config=config)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        [line] = [line for line in result.stdout.splitlines() if f"case #{case_id}" in line]
        assert line.startswith("failed: publish ")
        assert "attempts=0" in line and "HTTP 403" in line  # it was tried again, now
        [row] = db.run_sync(lambda repo: repo.failed_outbox(list(KINDS)))
        assert row.status is OutboxStatus.FAILED and "HTTP 403" in row.last_error
        [notice] = db.run_sync(lambda repo: repo.pending_outbox([NOTICE]))
        assert notice.payload["room_id"] == "!mod:localhost"
        assert f"#{case_id}" in notice.payload["body"] and "403" in notice.payload["body"]
    finally:
        server.shutdown()
        server.server_close()
        db.close()
