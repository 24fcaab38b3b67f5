"""mldebt: find and track hidden technical debt in machine-learning systems."""

__version__ = "0.1.0"
