"""Docs that can't drift: every CLI command and option is in the README."""

from __future__ import annotations

import argparse
from pathlib import Path

from childwatch.cli import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_command_and_option_is_documented() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        assert f"childwatch {name}" in README, name
        for action in command._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in README, f"{name} {option}"


def test_readme_quick_start_has_the_two_commands() -> None:
    assert "make demo" in README and "make test" in README
