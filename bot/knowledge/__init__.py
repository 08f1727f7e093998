"""The knowledge layer: reading, searching and drafting over the network's fiches,
offline and from PyPI packages only (no model downloaded at run time)."""
