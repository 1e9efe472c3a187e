"""Review: what analysts decide, and who may decide it.

    from childwatch import review
    review.correct_claim(store, user, claim_id, "victims.count", "32", "the police figure, see para 3")
    review.merge_incidents(store, user, "inc-1", "inc-2", "same raid, reported two days apart")

- `actions`: confirm, reject, correct, merge, split, move, each one review event;
- `replay`: analysts' events re-applied over what extraction and resolution wrote;
- `corrections`: which claim fields can be corrected, and how values are read;
- `users`, `passwords`: accounts, roles and the password rules;
- `audit`: the security log (sign-ins, account changes, exports, reveals).
"""

from childwatch.review.actions import (
    ACTIONS,
    ReviewEvent,
    confirm_claim,
    confirm_incident,
    correct_claim,
    history,
    merge_incidents,
    move_claim,
    reapply,
    record_reveal,
    reject_claim,
    reject_incident,
    reopen_incident,
    restore_claim,
    split_claims,
    unanchored,
)
from childwatch.review.corrections import CORRECTABLE_FIELDS

__all__ = [
    "ACTIONS",
    "CORRECTABLE_FIELDS",
    "ReviewEvent",
    "confirm_claim",
    "confirm_incident",
    "correct_claim",
    "history",
    "merge_incidents",
    "move_claim",
    "reapply",
    "record_reveal",
    "reject_claim",
    "reject_incident",
    "reopen_incident",
    "restore_claim",
    "split_claims",
    "unanchored",
]
