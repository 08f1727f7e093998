"""The benchmarks' common frame: the local stack up for the run (and down again if the run
started it), the bot's settings without the pause between wiki edits, and a scratch
directory whose logs are shown when the run fails, so each benchmark only says what it
measures."""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bot.settings import Settings, load_settings
from scripts.devstack import Stack, StackInfo


@contextlib.contextmanager
def bench_stack(state: Path | None, prefix: str, *, keep: bool = False) -> Iterator[StackInfo]:
    """The stack up in `state` (None: a fresh temporary directory named `prefix`…, removed
    on exit). Stopped on exit if this started it, unless `keep`. Its start-up output goes
    to stderr: stdout carries the benchmark's JSON line only."""
    own = state is None
    state_dir = Path(tempfile.mkdtemp(prefix=prefix)) if state is None else state
    stack = Stack(state_dir)
    started = not all(stack.status().values())
    with contextlib.redirect_stdout(sys.stderr):
        info = stack.up()
    try:
        yield info
    finally:
        if started and not keep:
            stack.down()
        if own:
            shutil.rmtree(state_dir, ignore_errors=True)


def unpaced_settings(info: StackInfo) -> Settings:
    """The stack's bot settings with `wiki.edit_interval = 0` (the benchmarks time the
    writing, not the politeness pause)."""
    settings = load_settings(info.config_path)
    return settings.model_copy(
        update={"wiki": settings.wiki.model_copy(update={"edit_interval": 0.0})}
    )


def tail(log: Path) -> str:
    """The end of a log file, for an error message."""
    return log.read_text(errors="replace")[-3000:]


@contextlib.contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """A temporary directory; when the block fails, the end of each of its *.log files goes
    to stderr first (the bots' and clients' logs are gone with the directory after)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        try:
            yield Path(tmp)
        except BaseException:
            for log in sorted(Path(tmp).glob("*.log")):
                sys.stderr.write(f"-- {log.name}:\n{tail(log)}\n")
            raise
