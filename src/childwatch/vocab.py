"""The domain's words, once: each as a Literal type and as the tuple of its values, in the
order people see them. The database's CHECK constraints, the CLI's choices, the API's
validation and the codebook checks are all built from these.
"""

from __future__ import annotations

from typing import Literal, get_args

# The six grave violations against children, plus detention and torture.
Violation = Literal[
    "recruitment_use",
    "killing_maiming",
    "sexual_violence",
    "attack_school_hospital",
    "abduction",
    "denial_humanitarian_access",
    "detention_torture",
]
VIOLATIONS: tuple[Violation, ...] = get_args(Violation)

# A claim tells of one event, a total over a period, or a practice.
Kind = Literal["incident", "aggregate", "pattern"]
KINDS: tuple[Kind, ...] = get_args(Kind)

Sex = Literal["male", "female", "mixed"]
# How precisely a place or a date is known, coarsest last.
PlacePrecision = Literal["place", "admin1", "country"]
DatePrecision = Literal["day", "month", "year", "range"]
DATE_PRECISIONS: tuple[DatePrecision, ...] = get_args(DatePrecision)

# An incident's status: resolution sets the first two (one original source, or two or
# more independent ones); analysts set the last two.
Status = Literal["reported", "corroborated", "verified", "rejected"]
STATUSES: tuple[Status, ...] = get_args(Status)
REPORTED: Status = "reported"
CORROBORATED: Status = "corroborated"
VERIFIED: Status = "verified"
REJECTED: Status = "rejected"

# Who may do what: a viewer reads, an analyst also reviews, an admin also reveals
# children's names and manages accounts.
Role = Literal["viewer", "analyst", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)

ReviewAction = Literal["confirm", "reject", "reopen", "correct", "restore", "merge", "split", "move", "reveal"]
REVIEW_ACTIONS: tuple[ReviewAction, ...] = get_args(ReviewAction)

AuditAction = Literal[
    "login",
    "login_failed",
    "logout",
    "password_change",
    "password_reset",
    "user_add",
    "user_disable",
    "user_enable",
    "user_remove",
    "role_change",
    "export",
    "audit_export",
]
AUDIT_ACTIONS: tuple[AuditAction, ...] = get_args(AuditAction)
# How someone acted: on a web page, through the REST API, or at the command line.
Via = Literal["web", "api", "cli"]
AUDIT_VIA: tuple[Via, ...] = get_args(Via)

# Watched sources (`childwatch watch`) and the state of each item they list.
SourceKind = Literal["feed", "page"]
SOURCE_KINDS: tuple[SourceKind, ...] = get_args(SourceKind)
ItemStatus = Literal["pending", "ingested", "duplicate", "failed"]
ITEM_STATUSES: tuple[ItemStatus, ...] = get_args(ItemStatus)
