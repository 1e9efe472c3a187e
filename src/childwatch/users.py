"""Users and roles: who may read, review, reveal and manage.

    from childwatch.users import add_user, authenticate
    add_user(store, "amina", "a long passphrase", "analyst")
    user = authenticate(store, "amina", "a long passphrase")   # User, or None

Roles are ranked: a `viewer` reads; an `analyst` also reviews (confirms, corrects,
merges...); an `admin` also reveals protected details and manages users. Checks live
here (`require`), in the domain, so that no edge can forget them.

Passwords are hashed with scrypt (memory-hard, in the standard library) and a random
salt; the parameters are stored in the hash string, so they can be raised later without
breaking stored hashes, and hashes are compared in constant time.
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

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from childwatch.errors import InputError, NotFound, PermissionDenied
from childwatch.store import Store
from childwatch.store.models import ROLES, UserRow, aware, utcnow

__all__ = [
    "ROLES",
    "User",
    "add_user",
    "authenticate",
    "can",
    "get_user",
    "get_user_by_name",
    "list_users",
    "require",
    "set_blur_graphic",
    "set_password",
    "set_role",
]

USERS = cast(Table, UserRow.__table__)
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # scrypt cost grows with length; refuse absurd inputs early
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


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError("password", "too short", f"use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InputError("password", "too long", f"use at most {MAX_PASSWORD} characters")


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"role {role!r}", "unknown role", f"choose one of {', '.join(ROLES)}")
    return role


def _exists(name: str) -> InputError:
    return InputError(f"user name {name!r}", "a user with this name exists already", "choose another name")


def _user(row: Any) -> User:
    return User(row.id, row.name, row.role, bool(row.blur_graphic), aware(row.created_at))


# --- the functions ----------------------------------------------------------------------------


def add_user(store: Store, name: str, password: str, role: str, *, by: User | None = None) -> User:
    """Create a user. `by` (the web's current user) must be an admin; the CLI passes none."""
    if by is not None:
        require(by, "admin")
    name, role = _check_name(name), _check_role(role)
    _check_password(password)
    hashed = hash_password(password)
    now = utcnow()
    values = {"name": name, "password": hashed, "role": role, "blur_graphic": True, "created_at": now}
    try:
        with store._write() as conn:
            if conn.execute(select(USERS.c.id).where(USERS.c.name == name)).first() is not None:
                raise _exists(name)
            user_id = conn.execute(insert(USERS).values(values).returning(USERS.c.id)).scalar_one()
    except IntegrityError as exc:  # lost a race with another process adding the same name
        raise _exists(name) from exc
    return User(int(user_id), name, role, True, now)


def set_password(store: Store, name: str, password: str, *, by: User | None = None) -> None:
    """Change a password: an admin may change anyone's, a user their own."""
    if by is not None and by.name != name:
        require(by, "admin")
    _check_password(password)
    with store._write() as conn:
        done = conn.execute(update(USERS).where(USERS.c.name == name).values(password=hash_password(password)))
        if not done.rowcount:
            raise NotFound(f"no user named {name!r} (see `childwatch users list`)")


def set_role(store: Store, name: str, role: str, *, by: User | None = None) -> User:
    if by is not None:
        require(by, "admin")
    _check_role(role)
    with store._write() as conn:
        if not conn.execute(update(USERS).where(USERS.c.name == name).values(role=role)).rowcount:
            raise NotFound(f"no user named {name!r} (see `childwatch users list`)")
        row = conn.execute(select(USERS).where(USERS.c.name == name)).one()
    return _user(row)


def list_users(store: Store) -> list[User]:
    with store._read() as conn:
        return [_user(r) for r in conn.execute(select(USERS).order_by(USERS.c.name))]


def get_user(store: Store, user_id: int) -> User | None:
    with store._read() as conn:
        row = conn.execute(select(USERS).where(USERS.c.id == user_id)).first()
    return _user(row) if row is not None else None


def get_user_by_name(store: Store, name: str) -> User | None:
    with store._read() as conn:
        row = conn.execute(select(USERS).where(USERS.c.name == name.strip())).first()
    return _user(row) if row is not None else None


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user if `password` is theirs, else None (same answer and time for unknown names)."""
    with store._read() as conn:
        row = conn.execute(select(USERS).where(USERS.c.name == name.strip())).first()
    if len(password) > MAX_PASSWORD:
        return None
    if row is None:
        verify_password(password, _dummy())
        return None
    return _user(row) if verify_password(password, row.password) else None


def set_blur_graphic(store: Store, user_id: int, on: bool) -> None:
    """Whether graphic passages are blurred until clicked, for this user (default on)."""
    with store._write() as conn:
        if not conn.execute(update(USERS).where(USERS.c.id == user_id).values(blur_graphic=bool(on))).rowcount:
            raise NotFound(f"no user with id {user_id}")
