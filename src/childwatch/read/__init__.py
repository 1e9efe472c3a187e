"""The read side: what the web pages, the REST API and the exports show, always built from
redacted text for anyone who is not an administrator.

- `queries`: filtered, paginated incident lists, the dashboard and filter values;
- `incident`: one incident in full, with its claims, sources and review history;
- `search`: full-text search over redacted reports;
- `stats`: counts for the command line;
- `reports`: the stored reports, with their language;
- `watched`: watched sources' health and the newest claims they brought;
- `redact`, `shown`: children's names replaced by pseudonyms, reports as non-admins see them.
"""
