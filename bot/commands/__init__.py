"""Chat commands, one feature module each (capture, curation, consent, research,
directory, search, room, help): every command is declared once next to its handler
(`spec.Feature.command`); the parser, the registry and `!aide` are built from that."""
