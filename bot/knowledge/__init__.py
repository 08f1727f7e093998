"""Knowledge drawn from the exchanges themselves (issue 17): language analysis, drafts,
search and related fiches, all offline, with models shipped inside installed packages."""
