"""MediaWiki 1.39 from Debian, installed as a throwaway SQLite wiki and served by `php -S`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from scripts.devstack.debian import ensure_packages
from scripts.devstack.procs import start_group, wait_http

MW_ROOT = Path("/usr/share/mediawiki")
DEBIAN_PACKAGES = [
    "mediawiki",
    "php-cli",
    "php-sqlite3",
    "php-intl",
    "php-mbstring",
    "php-xml",
    "php-apcu",
]
#: The wiki's name, hence its project namespaces ("Capiwiki:", "Discussion Capiwiki:").
SITE_NAME = "Capiwiki"
#: A multi-word namespace alias, as an admin may add one ($wgNamespaceAliases).
HELP_ALIAS = "Guide pratique"
BOT_GRANTS = "basic,highvolume,editpage,editprotected,createeditmovepage,editmycssjs"


def ensure_installed() -> None:
    ensure_packages(DEBIAN_PACKAGES)


def _php(
    script: str, *args: str, config: Path, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MW_CONFIG_FILE": str(config)}
    return subprocess.run(
        ["php", str(MW_ROOT / "maintenance" / script), *args],
        env=env,
        check=check,
        capture_output=True,
        text=True,
        cwd=MW_ROOT,
    )


def install(state: Path, port: int, admin_password: str) -> Path:
    """Run install.php once into `state`; (re)write our settings block; returns LocalSettings."""
    ensure_installed()
    state.mkdir(parents=True, exist_ok=True)
    local_settings = state / "LocalSettings.php"
    base_settings = state / "LocalSettings.install.php"
    if not base_settings.exists():
        (state / "db").mkdir(exist_ok=True)
        result = subprocess.run(
            [
                "php",
                str(MW_ROOT / "maintenance" / "install.php"),
                "--dbtype",
                "sqlite",
                "--dbpath",
                str(state / "db"),
                "--dbname",
                "capiwiki",
                "--server",
                f"http://127.0.0.1:{port}",
                "--scriptpath",
                "",
                "--lang",
                "fr",
                "--pass",
                admin_password,
                "--confpath",
                str(state),
                SITE_NAME,
                "Admin",
            ],
            capture_output=True,
            text=True,
            cwd=MW_ROOT,
            check=False,
        )
        if result.returncode != 0 or not local_settings.exists():
            raise RuntimeError(f"MediaWiki install.php failed:\n{result.stdout}\n{result.stderr}")
        local_settings.rename(base_settings)
    local_settings.write_text(_settings(state, port, base_settings))
    return local_settings


def _settings(state: Path, port: int, base: Path) -> str:
    return f"""<?php
// Written by capibot's devstack: the install.php output, then local overrides.
require {str(base)!r};
$wgServer = "http://127.0.0.1:{port}";
$wgCanonicalServer = $wgServer;
$wgScriptPath = "";
$wgUploadDirectory = {str(state / "images")!r};
$wgCacheDirectory = {str(state / "cache")!r};
$wgTmpDirectory = {str(state / "tmp")!r};
$wgEnableUploads = false;
$wgLogos = [ '1x' => "/resources/assets/mediawiki.png",
    'icon' => "/resources/assets/mediawiki.png" ];
$wgMainCacheType = CACHE_NONE;
$wgSessionCacheType = CACHE_DB;
$wgShowExceptionDetails = true;
$wgEnableBotPasswords = true;
$wgPasswordAttemptThrottle = [];
$wgRateLimits = [];
$wgEnableEmail = false;
$wgJobRunRate = 0;
wfLoadExtension( 'ParserFunctions' );
$wgPFEnableStringFunctions = true;
$wgNamespaceAliases[{HELP_ALIAS!r}] = NS_HELP;
"""


def create_bot(
    local_settings: Path, user: str, password: str, appid: str, bot_password: str
) -> None:
    """The wiki bot account and its BotPassword (32 characters), once per wiki.

    Only once: setting the account's password again (createAndPromote --force) silently
    invalidates every BotPassword of the account.
    """
    done = local_settings.parent / ".bot-created"
    if done.exists():
        return
    result = _php(
        "createAndPromote.php", "--bot", user, password, config=local_settings, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"createAndPromote failed: {result.stdout}{result.stderr}")
    result = _php(
        "createBotPassword.php",
        "--appid",
        appid,
        "--grants",
        BOT_GRANTS,
        user,
        bot_password,
        config=local_settings,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"createBotPassword failed: {result.stdout}{result.stderr}")
    done.write_text(appid)


def start(state: Path, port: int, local_settings: Path, *, timeout: float = 30):
    for sub in ("images", "cache", "tmp"):
        (state / sub).mkdir(exist_ok=True)
    env = {"MW_CONFIG_FILE": str(local_settings), "PHP_CLI_SERVER_WORKERS": "4"}
    log = state / "php-server.log"
    process = start_group(
        [
            "php",
            "-d",
            "memory_limit=512M",
            "-d",
            "display_errors=stderr",
            "-S",
            f"127.0.0.1:{port}",
            "-t",
            str(MW_ROOT),
        ],
        log=log,
        env=env,
        cwd=MW_ROOT,
    )
    wait_http(
        f"http://127.0.0.1:{port}/api.php?action=query&meta=siteinfo&format=json",
        timeout=timeout,
        process=process,
        log=log,
    )
    return process


def run_jobs(local_settings: Path) -> None:
    """The job queue only runs on index.php hits: flush it when a test needs categories."""
    _php("runJobs.php", config=local_settings)
