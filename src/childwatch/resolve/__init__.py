"""Resolution's rules: one incident per real event, whatever the number of reports.

Pure functions over claims' facts; the run over a store (signing, reading blocks,
writing incidents, re-applying analysts' decisions) is `childwatch.run.resolution`.

- `near_dupes`: signatures of documents' texts and the groups of copies they share;
- `facts`: what of a claim resolution compares (and the keys blocks are read by);
- `compare`: one pair of claims scored, feature by feature;
- `cluster`: a block's claims placed into incidents;
- `incident_view`: an incident's merged view (outlets, original sources, status, counts).
"""
