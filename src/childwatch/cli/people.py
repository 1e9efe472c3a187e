"""`childwatch users`: accounts and roles, by an administrator at the command line."""

from __future__ import annotations

import argparse
import getpass
import sys

from childwatch.errors import ChildwatchError
from childwatch.review import users
from childwatch.store import open_store


def _read_password(args: argparse.Namespace) -> str:
    """From stdin (one line) with --password-stdin, else typed twice at a terminal; never
    from an argument, which would end up in shell history and process listings."""
    if args.password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not sys.stdin.isatty():
        raise ChildwatchError("no terminal to ask for the password: pipe it in with --password-stdin")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ChildwatchError("the two passwords differ; nothing was changed")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        if args.users_command == "add":
            user = users.add_user(store, args.name, _read_password(args), args.role)
            print(f"added {user.name} ({user.role})")
        elif args.users_command == "passwd":
            users.set_password(store, args.name, _read_password(args))
            print(f"password of {args.name} changed; their sessions have ended")
        elif args.users_command == "disable":
            users.disable_user(store, args.name)
            print(f"{args.name} disabled: cannot log in, sessions ended (`childwatch users enable` undoes it)")
        elif args.users_command == "enable":
            users.enable_user(store, args.name)
            print(f"{args.name} enabled: may log in again")
        elif args.users_command == "remove":
            users.remove_user(store, args.name)
            print(f"{args.name} removed: password wiped, sessions ended; the name stays in the history and "
                  "cannot be used again")  # fmt: skip
        elif args.users_command == "role":
            user = users.set_role(store, args.name, args.role)
            print(f"{user.name} now has the role {user.role} (from their next request)")
        else:
            found = users.list_users(store)
            if not found:
                print("no users yet: add one with `childwatch users add NAME --role admin`")
            for u in found:
                created = u.created_at.strftime("%Y-%m-%d") if u.created_at else ""
                print(f"{u.name:<24} {u.role:<8} {u.status:<8} {created}")
    return 0
