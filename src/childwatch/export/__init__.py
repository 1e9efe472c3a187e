"""Export: what the store holds, as files people share and open.

- `claims`: every stored claim as JSON Lines (the benchmark's prediction format) or CSV;
- `incidents`: a filtered view of the incident list as CSV, HXL, JSON, GeoJSON or claims;
- `bundle`: a signed, verifiable archive of reports, claims and incidents;
- `cells`: one guard for CSV cells a spreadsheet would run as formulas, and line breaks
  that JSON Lines readers split on.

Files are written beside their target and renamed into place (`write_atomic`).
"""

from childwatch.export.claims import CSV_COLUMNS, FORMATS, claim_record, export_claims, write_atomic
from childwatch.export.incidents import INCIDENT_COLUMNS, INCIDENT_FORMATS, export_incidents, extension, media_type

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "INCIDENT_COLUMNS",
    "INCIDENT_FORMATS",
    "claim_record",
    "export_claims",
    "export_incidents",
    "extension",
    "media_type",
    "write_atomic",
]
