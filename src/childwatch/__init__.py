"""childwatch: turn reports into a structured, source-attributed record of grave
violations against children in armed conflict.

Public surface::

    from childwatch import extract, read_path, Document, Claim
"""

__version__ = "0.1.0"

from childwatch.errors import ChildwatchError
from childwatch.records import Claim, Document

__all__ = ["ChildwatchError", "Claim", "Document", "__version__", "extract", "read_path"]


def __getattr__(name: str):  # lazy: importing the package must not load codebooks
    if name == "extract":
        from childwatch.extract import extract

        return extract
    if name == "read_path":
        from childwatch.ingest import read_path

        return read_path
    raise AttributeError(name)
