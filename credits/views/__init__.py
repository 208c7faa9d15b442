"""Make-up credit pages, one module per area (seed 003; issue 6)."""
