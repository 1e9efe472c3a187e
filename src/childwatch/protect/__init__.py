"""Protection of children named in reports: their names (and the school or street next to
a named child) are replaced by pseudonyms before text is shown or exported.

- `names`: finding the names, once per report (its text, title and metadata);
- `redact`: replacing every mention of them in a text by a pseudonym;
- `shown`: reports as non-admins see them, read from the store, and the admin's reveal
  (every reveal is a 'reveal' review event).
"""

from childwatch.protect.names import (
    child_names,
    document_child_names,
    names_a_child,
    stop_words,
    without_child_names,
)
from childwatch.protect.redact import Redaction, pseudonymise, redact, redact_values
from childwatch.protect.shown import (
    ShownReport,
    log_reveal,
    pseudonymise_document_ids,
    report_names,
    shown_ids,
    shown_report,
    shown_reports,
)

__all__ = [
    "Redaction",
    "ShownReport",
    "child_names",
    "document_child_names",
    "log_reveal",
    "names_a_child",
    "pseudonymise",
    "pseudonymise_document_ids",
    "redact",
    "redact_values",
    "report_names",
    "shown_ids",
    "shown_report",
    "shown_reports",
    "stop_words",
    "without_child_names",
]
