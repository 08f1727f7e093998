"""Messages of the summary prompts, reminders and escalations (French and English)."""

from __future__ import annotations

FR: dict[str, str] = {}
EN: dict[str, str] = {}
