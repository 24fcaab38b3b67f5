"""Upsell targeting, built by the growth team on top of the churn scores."""
