"""Credits models arrive with their issue (see the issue tracker)."""
