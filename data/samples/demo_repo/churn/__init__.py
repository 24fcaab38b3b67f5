"""Churn model: ingestion, features, training and batch scoring."""
