"""The exceptions childwatch raises, all written for the person running it.

    ChildwatchError                 base: catch this at the edges (CLI, web)
    ├── InputError                  one input (file, line, URL) cannot be read;
    │                               the batch goes on without it
    ├── CodebookError               a codebook or gazetteer file is invalid or missing;
    │                               carries every problem found, with file and line
    ├── StoreError                  the database cannot be opened, migrated or written
    ├── PermissionDenied            the user's role does not allow this action
    └── ReviewError                 a review action cannot be done as asked (no reason,
        │                           bad field or value); nothing was recorded
        └── NotFound                the incident, claim or user named does not exist

The core raises these; only the CLI and the web layer turn them into exit codes or
HTTP responses.
"""

from __future__ import annotations


class ChildwatchError(Exception):
    """Base class of every error childwatch raises on purpose."""


class InputError(ChildwatchError):
    """An input document could not be read. `where` names it (path, path:line, URL)."""

    def __init__(self, where: str, problem: str, hint: str = "") -> None:
        self.where = where
        self.problem = problem
        self.hint = hint
        text = f"{where}: {problem}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)


class CodebookError(ChildwatchError):
    """One or more codebook entries are invalid; `problems` lists each as 'file:line: text'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) in the codebook:"
        super().__init__("\n  ".join([head, *self.problems]))


class StoreError(ChildwatchError):
    """The database could not be opened, migrated or written."""


class PermissionDenied(ChildwatchError):
    """The user's role does not allow the action (viewers read, analysts review, admins
    also reveal protected details and manage users)."""


class ReviewError(ChildwatchError):
    """A review action (or user management) cannot be done as asked; nothing was recorded."""


class NotFound(ReviewError):
    """The incident, claim or user an action names does not exist (any more)."""
