"""childwatch: turn reports into a structured, source-attributed record of grave
violations against children in armed conflict.

Public surface::

    from childwatch import Document, Claim, ChildwatchError
    from childwatch.ingest import read_path     # files, folders, URLs -> Document
    from childwatch.extract import extract      # Document -> [Claim]

Each stage's entry point lives in its own package, so that importing one part of
childwatch (the command line, a worker) loads only what that part needs.

The stages, in the order data flows (each folder imports only from those before it):
`codebook` (the domain as data) → `ingest` → `extract` → `resolve` → `store` → `review`
→ `read` → `export` → `run` → `serve` and `cli`. See the README's "How the code is laid
out".
"""

from childwatch.errors import ChildwatchError
from childwatch.records import Claim, Document
from childwatch.version import __version__

__all__ = ["ChildwatchError", "Claim", "Document", "__version__"]
