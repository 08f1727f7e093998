"""Text folding shared by the command parser and the fiche parser.

Users type `!Résumé`, `!resume` or `!RESUME`; fiche keys come as `Thèmes`, `themes`,
`THÈMES :`. Folding once, the same way everywhere, keeps those equivalent.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Case- and accent-insensitive form: NFKD, combining marks dropped, casefolded."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped.casefold())
