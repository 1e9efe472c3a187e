"""The rules a new password must meet (OWASP ASVS 2.1, NIST SP 800-63B 5.1.1.2).

    from childwatch.review.passwords import check_password
    check_password("three unrelated words", name="amina")   # InputError saying what to do

At least 12 characters (at most 1024: scrypt's cost grows with length), and not easy to
guess: not one of the common passwords in `codebook/passwords.toml` (ignoring case,
spaces and separators, digits or symbols around it, and common letter swaps such as
"p@ssw0rd"), not a repetition, not a run along the keyboard, the alphabet or the digits,
not built on the user's own name. There are no composition rules (a digit, a capital):
they make passwords harder to remember, not to guess. Any character is allowed.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from childwatch.errors import CodebookError, InputError

__all__ = ["MAX_LENGTH", "MIN_LENGTH", "check_password"]

MIN_LENGTH = 12
MAX_LENGTH = 1024
PATH = Path(__file__).resolve().parent.parent / "codebook" / "passwords.toml"
MIN_DISTINCT = 5  # "aaaabbbbcccc" and "121212121212" are not passwords
_SEPARATORS = re.compile(r"[\s\-_.,;:/\\|+=~*'\"`]+")
_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")  # digits and symbols before and after the word
_SWAPS = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
_HINT = (
    "choose something nobody would guess: three or four unrelated words make a password that is "
    "long and easy to remember"
)


@dataclass(frozen=True, slots=True)
class _Lists:
    common: frozenset[str]
    sequences: tuple[str, ...]


@cache
def _lists(path: Path = PATH) -> _Lists:
    """The lists, read once (on first use, not at import) and checked."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CodebookError([f"{path.name}: cannot be read: {exc}"]) from None
    problems = []
    lists: dict[str, list[str]] = {}
    for key in ("common", "sequences"):
        value = data.get(key)
        if not isinstance(value, list) or not value:
            problems.append(f"{path.name}: `{key}` must be a non-empty list of strings")
            continue
        lists[key] = []
        for item in value:
            if not isinstance(item, str) or not item or item != item.lower():
                problems.append(f"{path.name}: {key}: {item!r} must be a non-empty string in lower case")
            else:
                lists[key].append(item)
    if problems:
        raise CodebookError(problems)
    common = frozenset(_compact(w) for w in lists["common"]) - {""}
    runs = tuple(s for seq in lists["sequences"] for s in (seq, seq[::-1]))
    return _Lists(common, runs)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _compact(text: str) -> str:
    """Folded, without spaces and separators: "Pass Word" and "pass-word" are "password"."""
    return _SEPARATORS.sub("", _fold(text))


def _period(text: str) -> str:
    """The shortest unit that `text` repeats ("abcabcabc" -> "abc"), or `text` itself."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def _refuse(problem: str, hint: str = _HINT) -> InputError:
    return InputError("password", problem, hint)


def check_password(password: str, name: str | None = None) -> None:
    """Raise InputError (naming the rule and what to do instead) unless `password` may be
    used as a new password for the account `name`."""
    if len(password) < MIN_LENGTH:
        raise _refuse(
            f"too short ({len(password)} characters)",
            f"use at least {MIN_LENGTH} characters: three or four unrelated words are long and easy to remember",
        )
    if len(password) > MAX_LENGTH:
        raise _refuse("too long", f"use at most {MAX_LENGTH} characters")
    lists = _lists()
    compact = _compact(password)
    word = _AROUND.sub("", compact)  # "password2024!" -> "password"
    swapped = compact.translate(_SWAPS)  # "p@ssw0rd" -> "password"
    forms = {compact, word, swapped, word.translate(_SWAPS), _AROUND.sub("", swapped)}
    if forms & lists.common:
        raise _refuse("it is one of the most common passwords, which are tried first")
    unit = _period(compact)
    if unit != compact and (len(unit) <= 4 or {unit, _AROUND.sub("", unit), unit.translate(_SWAPS)} & lists.common):
        raise _refuse(f"it repeats {unit!r}")
    if len(set(compact)) < MIN_DISTINCT:
        raise _refuse(f"it uses fewer than {MIN_DISTINCT} different characters")
    if any(compact in run or (len(word) >= 3 and word in run) for run in lists.sequences):
        raise _refuse("it is a run along the keyboard, the alphabet or the digits")
    own = _compact(name or "")
    if len(own) >= 3 and (own in compact or own[::-1] in compact):
        raise _refuse("it contains the user name", "choose something that has nothing to do with the account")
