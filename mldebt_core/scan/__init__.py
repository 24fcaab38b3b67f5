"""The repository scanner: static analysis of an ML repository into a scan document."""

from mldebt_core.scan.runner import scan_repository
from mldebt_core.scan.schema import SCHEMA_VERSION, ScanDocument

__all__ = ["SCHEMA_VERSION", "ScanDocument", "scan_repository"]
