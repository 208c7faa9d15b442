"""Billing pages, one module per area (seed 002; issue 5)."""
