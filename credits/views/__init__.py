"""Make-up credit pages, one module per area (docs/design/credits.md)."""
