"""Users and roles: who may read, review, reveal and manage.

    from childwatch.review.users import add_user, authenticate
    add_user(store, "amina", "a long passphrase", "analyst")
    user = authenticate(store, "amina", "a long passphrase")   # User, or None

Roles are ranked: a `viewer` reads; an `analyst` also reviews (confirms, corrects,
merges...); an `admin` also reveals protected details and manages users. Checks live
here (`require`), in the domain, so that no edge can forget them.

Passwords are hashed with scrypt (memory-hard, in the standard library) and a random
salt; the parameters are stored in the hash string, so they can be raised later without
breaking stored hashes, and hashes are compared in constant time. New passwords must meet
`childwatch.review.passwords` (12 characters or more, not common, not the user's name).

Accounts are disabled (reversibly) or removed, never deleted: the review history and the
audit log point to them and are append-only. A removed account keeps its row and name
(so that the history stays unambiguous) but loses its password hash for good. The last
active admin cannot be disabled, removed or demoted. Each change, and each login or
failed login through `log_in`, is one `audit_events` row written in the same transaction.

Sessions: `session_epoch` is bumped when a password is changed or reset and when an
account is disabled or removed; the web layer compares it with the one in the session
cookie on every request (`serve.deps`), so the user's other sessions end at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Literal, cast

from sqlalchemy import Connection, Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from childwatch.errors import InputError, NotFound, PermissionDenied, ReviewError
from childwatch.review import audit
from childwatch.review.audit import Actor
from childwatch.review.passwords import MAX_LENGTH, MIN_LENGTH, check_password
from childwatch.store import Store
from childwatch.store.locks import account_writers
from childwatch.store.models import UserRow, aware, utcnow
from childwatch.vocab import ROLES, Via

__all__ = [
    "ROLES",
    "User",
    "add_user",
    "authenticate",
    "can",
    "disable_user",
    "enable_user",
    "get_user",
    "get_user_by_name",
    "list_users",
    "log_in",
    "remove_user",
    "require",
    "set_blur_graphic",
    "set_password",
    "set_role",
]

USERS = cast(Table, UserRow.__table__)
MIN_PASSWORD = MIN_LENGTH
MAX_PASSWORD = MAX_LENGTH  # scrypt cost grows with length; refuse absurd inputs early
REMOVED_HASH = "!removed"  # matches no password (verify_password wants "scrypt$...")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# n=2**15, r=8 needs 32 MiB; about 0.1 s per hash on a laptop core.
_N, _R, _P, _LEN = 2**15, 8, 1, 32
_MAXMEM = 64 * 1024 * 1024

Permission = Literal["read", "review", "reveal", "admin"]
_NEEDS: dict[str, str] = {"read": "viewer", "review": "analyst", "reveal": "admin", "admin": "admin"}
_WHAT = {
    "read": "read",
    "review": "review incidents and claims",
    "reveal": "reveal protected details",
    "admin": "manage users",
}


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: str
    blur_graphic: bool = True
    created_at: datetime | None = None
    session_epoch: int = 0
    disabled: bool = False
    removed: bool = False

    @property
    def active(self) -> bool:
        """May log in and keep a session: neither disabled nor removed."""
        return not (self.disabled or self.removed)

    @property
    def status(self) -> str:
        return "removed" if self.removed else "disabled" if self.disabled else "active"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "blur_graphic": self.blur_graphic,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }


def can(user: User | None, what: Permission) -> bool:
    """Whether `user`'s role allows `what` (read < review < reveal = admin)."""
    if user is None or user.role not in ROLES:
        return False
    return ROLES.index(user.role) >= ROLES.index(_NEEDS[what])


def require(user: User | None, what: Permission) -> User:
    """`user`, if allowed to do `what`; else PermissionDenied saying who may."""
    if user is None:
        raise PermissionDenied("log in first")
    if not can(user, what):
        raise PermissionDenied(
            f"{user.name} is a {user.role} and may not {_WHAT[what]}; "
            f"this needs the role {_NEEDS[what]} or higher (an admin can change roles)"
        )
    return user


# --- password hashes ------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """'scrypt$n=32768,r=8,p=1$<salt>$<hash>' (base64)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM, dklen=_LEN)
    return f"scrypt$n={_N},r={_R},p={_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, params, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        p = {k: int(v) for k, v in (item.split("=") for item in params.split(","))}
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        mem = max(_MAXMEM, 256 * p["r"] * p["n"])
        found = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=p["n"], r=p["r"], p=p["p"], maxmem=mem, dklen=len(digest)
        )
    except (ValueError, KeyError):  # a damaged hash string never lets anyone in
        return False
    return hmac.compare_digest(found, digest)


@cache
def _dummy() -> str:
    """A hash of nothing, checked when the user does not exist, so that the time taken
    does not tell which names exist (made on first use, not at import)."""
    return hash_password(secrets.token_hex(8))


# --- validation -----------------------------------------------------------------------------


def _check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise InputError(
            f"user name {name!r}",
            "not allowed",
            "use 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
        )
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"role {role!r}", "unknown role", f"choose one of {', '.join(ROLES)}")
    return role


def _exists(name: str) -> InputError:
    return InputError(f"user name {name!r}", "a user with this name exists already", "choose another name")


def _user(row: Any) -> User:
    return User(
        row.id, row.name, row.role, bool(row.blur_graphic), aware(row.created_at),
        int(row.session_epoch), row.disabled_at is not None, row.removed_at is not None,
    )  # fmt: skip


def _actor(by: User | None, actor: Actor | None) -> Actor:
    if actor is not None:
        return actor
    return Actor(by.id, by.name, "web") if by is not None else Actor.cli()


def _no_user(name: str) -> NotFound:
    return NotFound(f"no user named {name!r} (see `childwatch users list`)")


def _row(conn: Connection, name: str) -> Any:
    row = conn.execute(select(USERS).where(USERS.c.name == name.strip())).first()
    if row is None:
        raise _no_user(name)
    return row


def _reread(conn: Connection, row: Any) -> User:
    """The account of `row` as it is now, after a change in this transaction."""
    return _user(conn.execute(select(USERS).where(USERS.c.id == row.id)).one())


def _not_removed(row: Any) -> None:
    if row.removed_at is not None:
        raise ReviewError(f"{row.name} was removed, which cannot be undone; add a new account under another name")


def _keep_an_admin(conn: Connection, row: Any, what: str) -> None:
    """Refuse to leave no active admin: nobody could manage users from the web then."""
    if row.role != "admin" or row.disabled_at is not None or row.removed_at is not None:
        return
    others = conn.execute(
        select(func.count())
        .select_from(USERS)
        .where(
            USERS.c.role == "admin", USERS.c.id != row.id, USERS.c.disabled_at.is_(None), USERS.c.removed_at.is_(None)
        )
    ).scalar_one()
    if not others:
        raise ReviewError(
            f"{row.name} is the last active admin and cannot be {what}: make another admin first "
            "(`childwatch users add NAME --role admin`, or `childwatch users role NAME admin`)"
        )


# --- the functions ----------------------------------------------------------------------------


def add_user(
    store: Store, name: str, password: str, role: str, *, by: User | None = None, actor: Actor | None = None
) -> User:
    """Create a user. `by` (the web's current user) must be an admin; the CLI passes none."""
    if by is not None:
        require(by, "admin")
    name, role = _check_name(name), _check_role(role)
    check_password(password, name)
    hashed = hash_password(password)
    now = utcnow()
    values = {
        "name": name, "password": hashed, "role": role, "blur_graphic": True, "created_at": now, "session_epoch": 0,
    }  # fmt: skip
    try:
        with store.writing() as conn:
            if conn.execute(select(USERS.c.id).where(USERS.c.name == name)).first() is not None:
                raise _exists(name)
            user_id = int(conn.execute(insert(USERS).values(values).returning(USERS.c.id)).scalar_one())
            audit.record(store, _actor(by, actor), "user_add", target=name, target_user_id=user_id,
                         details={"role": role}, conn=conn)  # fmt: skip
    except IntegrityError as exc:  # lost a race with another process adding the same name
        raise _exists(name) from exc
    return User(user_id, name, role, True, now)


def set_password(store: Store, name: str, password: str, *, by: User | None = None, actor: Actor | None = None) -> User:
    """Change a password: an admin may change anyone's, a user their own. Every session
    of the user ends (the caller re-issues its own with the returned user's epoch)."""
    if by is not None and by.name != name:
        require(by, "admin")
    who = _actor(by, actor)
    check_password(password, name.strip())
    hashed = hash_password(password)  # outside the transaction: it takes a tenth of a second
    with store.writing() as conn:
        row = _row(conn, name)
        _not_removed(row)
        conn.execute(
            update(USERS).where(USERS.c.id == row.id).values(password=hashed, session_epoch=row.session_epoch + 1)
        )
        own = who.user_id == row.id
        audit.record(store, who, "password_change" if own else "password_reset", target=row.name,
                     target_user_id=row.id, conn=conn)  # fmt: skip
        return _reread(conn, row)


def set_role(store: Store, name: str, role: str, *, by: User | None = None, actor: Actor | None = None) -> User:
    """Give a user another role; it takes effect at their next request. The last active
    admin cannot be demoted."""
    if by is not None:
        require(by, "admin")
    _check_role(role)
    with store.writing() as conn:
        account_writers(conn)
        row = _row(conn, name)
        _not_removed(row)
        if row.role == role:
            raise ReviewError(f"{row.name} is a {role} already; nothing was changed")
        if role != "admin":
            _keep_an_admin(conn, row, f"made a {role}")
        conn.execute(update(USERS).where(USERS.c.id == row.id).values(role=role))
        audit.record(store, _actor(by, actor), "role_change", target=row.name, target_user_id=row.id,
                     details={"before": row.role, "after": role}, conn=conn)  # fmt: skip
        return _reread(conn, row)


def disable_user(store: Store, name: str, *, by: User | None = None, actor: Actor | None = None) -> User:
    """Switch an account off: it cannot log in, and its sessions end. `enable_user` undoes it."""
    if by is not None:
        require(by, "admin")
    with store.writing() as conn:
        account_writers(conn)
        row = _row(conn, name)
        _not_removed(row)
        if row.disabled_at is not None:
            raise ReviewError(f"{row.name} is disabled already; nothing was changed")
        _keep_an_admin(conn, row, "disabled")
        conn.execute(
            update(USERS).where(USERS.c.id == row.id).values(disabled_at=utcnow(), session_epoch=row.session_epoch + 1)
        )
        audit.record(store, _actor(by, actor), "user_disable", target=row.name, target_user_id=row.id, conn=conn)
        return _reread(conn, row)


def enable_user(store: Store, name: str, *, by: User | None = None, actor: Actor | None = None) -> User:
    """Switch a disabled account on again (with its old password and role)."""
    if by is not None:
        require(by, "admin")
    with store.writing() as conn:
        row = _row(conn, name)
        _not_removed(row)
        if row.disabled_at is None:
            raise ReviewError(f"{row.name} is not disabled; nothing was changed")
        conn.execute(update(USERS).where(USERS.c.id == row.id).values(disabled_at=None))
        audit.record(store, _actor(by, actor), "user_enable", target=row.name, target_user_id=row.id, conn=conn)
        return _reread(conn, row)


def remove_user(store: Store, name: str, *, by: User | None = None, actor: Actor | None = None) -> User:
    """Remove an account for good: its password hash is wiped and its sessions end. The
    row stays, name and all: review events and the audit log point to it, and a new
    account under the same name would make the history ambiguous."""
    if by is not None:
        require(by, "admin")
    with store.writing() as conn:
        account_writers(conn)
        row = _row(conn, name)
        _not_removed(row)
        _keep_an_admin(conn, row, "removed")
        conn.execute(
            update(USERS)
            .where(USERS.c.id == row.id)
            .values(removed_at=utcnow(), password=REMOVED_HASH, session_epoch=row.session_epoch + 1)
        )
        audit.record(store, _actor(by, actor), "user_remove", target=row.name, target_user_id=row.id,
                     details={"role": row.role}, conn=conn)  # fmt: skip
        return _reread(conn, row)


def list_users(store: Store) -> list[User]:
    with store.reading() as conn:
        return [_user(r) for r in conn.execute(select(USERS).order_by(USERS.c.name))]


def get_user(store: Store, user_id: int) -> User | None:
    with store.reading() as conn:
        row = conn.execute(select(USERS).where(USERS.c.id == user_id)).first()
    return _user(row) if row is not None else None


def get_user_by_name(store: Store, name: str) -> User | None:
    with store.reading() as conn:
        row = conn.execute(select(USERS).where(USERS.c.name == name.strip())).first()
    return _user(row) if row is not None else None


def _check_login(store: Store, name: str, password: str) -> tuple[User | None, Any, str]:
    """(the user or None, the row found or None, why not). Every path checks one hash, so
    that the time taken tells nothing about which names exist or are switched off."""
    with store.reading() as conn:
        row = conn.execute(select(USERS).where(USERS.c.name == name.strip())).first()
    if len(password) > MAX_PASSWORD:
        return None, row, "password too long"
    if row is None or row.removed_at is not None:
        verify_password(password, _dummy())
        return None, row, "unknown user" if row is None else "account removed"
    if not verify_password(password, row.password):
        return None, row, "wrong password"
    if row.disabled_at is not None:
        return None, row, "account disabled"
    return _user(row), row, ""


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user if `password` is theirs and the account is active, else None (same answer
    and time for unknown, disabled and removed names)."""
    return _check_login(store, name, password)[0]


def log_in(store: Store, name: str, password: str, *, via: Via, address: str | None) -> User | None:
    """`authenticate`, recorded in the audit log: a login, or a failed login with the name
    tried, the address and why (never the password)."""
    user, row, why = _check_login(store, name, password)
    if user is not None:
        audit.record(store, Actor(user.id, user.name, via, address), "login")
    else:
        audit.record(store, Actor(None, name.strip(), via, address), "login_failed",
                     target_user_id=row.id if row is not None else None, details={"reason": why})  # fmt: skip
    return user


def set_blur_graphic(store: Store, user_id: int, on: bool) -> None:
    """Whether graphic passages are blurred until clicked, for this user (default on)."""
    with store.writing() as conn:
        if not conn.execute(update(USERS).where(USERS.c.id == user_id).values(blur_graphic=bool(on))).rowcount:
            raise NotFound(f"no user with id {user_id}")
