"""What the outbox executors of wiki jobs all hold (the database, the wiki worker, the
settings, the clock, the translator of the bot's language), set up in one place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.i18n import Translator
from bot.settings import Settings
from bot.storage.database import Database
from bot.wiki import WikiWorker


class WikiJobs:
    """Base of executors registered on the wiki lane; its `tr` speaks the bot's language
    in the schedule's time zone."""

    def __init__(
        self,
        db: Database,
        wiki: WikiWorker,
        settings: Settings,
        clock: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.wiki = wiki
        self.settings = settings
        self.clock = clock
        self.tr = Translator(settings.bot.language, tz=settings.schedule.timezone)
