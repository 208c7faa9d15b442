"""Billing pages, one module per area (docs/design/billing.md)."""
