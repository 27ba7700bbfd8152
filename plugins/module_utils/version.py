# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's version, and the ``required_version`` constraints checked against it."""

from __future__ import annotations

import re

from .errors import DefinitionError

# Kept equal to galaxy.yml's version (a unit test compares them): an installed collection
# does not always carry galaxy.yml.
COLLECTION_VERSION = "0.1.0"

_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
_CONSTRAINT = re.compile(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*(\S+)\s*$")
_OPERATORS = {
    "=": lambda found, wanted: found == wanted,
    "!=": lambda found, wanted: found != wanted,
    ">": lambda found, wanted: found > wanted,
    "<": lambda found, wanted: found < wanted,
    ">=": lambda found, wanted: found >= wanted,
    "<=": lambda found, wanted: found <= wanted,
}


class Version:
    """A version such as ``1.2.3`` or ``v2.0.0-beta.1``, ordered as semantic versions are."""

    def __init__(self, text):
        match = _VERSION.match(str(text).strip())
        if not match:
            raise ValueError(f"{text!r} is not a version")
        self.written = [int(part) for part in match.group(1).split(".")]
        self.segments = tuple((self.written + [0, 0, 0])[:3])
        self.prerelease = match.group(2) or ""

    def _key(self):
        # A release sorts after its own pre-releases.
        parts = [(0, int(p)) if p.isdigit() else (1, p) for p in self.prerelease.split(".") if p]
        return self.segments, not self.prerelease, parts

    def __eq__(self, other):
        return self._key() == other._key()

    def __lt__(self, other):
        return self._key() < other._key()

    def __le__(self, other):
        return self == other or self < other

    def __gt__(self, other):
        return not self <= other

    def __ge__(self, other):
        return not self < other

    def __hash__(self):
        return hash(self._key())


def satisfies(version, constraints):
    """True when ``version`` meets every comma-separated constraint (``>= 1.2, < 2``).

    ``~> 1.2`` allows 1.2 and later 1.x releases; ``~> 1.2.3`` allows later 1.2.x ones.
    Raises ValueError for a constraint that cannot be read.
    """
    found = Version(version)
    for part in str(constraints).split(","):
        match = _CONSTRAINT.match(part)
        if not match:
            raise ValueError(f"{part.strip()!r} is not a version constraint")
        operator, wanted = match.group(1) or "=", Version(match.group(2))
        if operator == "~>":
            fixed = wanted.written[: max(len(wanted.written) - 1, 1)]
            if found < wanted or list(found.segments[: len(fixed)]) != fixed:
                return False
        elif not _OPERATORS[operator](found, wanted):
            return False
    return True


def check_required_version(constraints, source):
    """Fail when this collection's version does not meet ``required_version``."""
    try:
        met = satisfies(COLLECTION_VERSION, constraints)
    except ValueError as exc:
        raise DefinitionError(
            source,
            f"field required_version: {exc}",
            'write it as ">= 0.1.0", "~> 0.1" or ">= 0.1, < 1"',
            field="required_version",
        ) from None
    if not met:
        raise DefinitionError(
            source,
            f"field required_version: ecsops.ecspresso {COLLECTION_VERSION} does not satisfy "
            f"{constraints!r}",
            "required_version is checked against this collection's version, not ecspresso's: "
            f'write a constraint that {COLLECTION_VERSION} meets (such as ">= '
            f'{COLLECTION_VERSION}") or remove the key',
            field="required_version",
        )
