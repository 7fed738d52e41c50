"""Tools for curators: drafting a brief from a new article (`draft`), and what to look at next (`report`)."""
