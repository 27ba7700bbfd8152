# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's version, and the ``required_version`` of a config: a constraint on
ecspresso's version, met by the ecspresso release whose configs the collection reads."""

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


# ecspresso's major version whose config files this collection reads. A config's
# required_version is written for ecspresso, such as ">= 2.0.0".
ECSPRESSO_MAJOR = 2


def _ecspresso_candidates(constraints):
    """Releases of ecspresso's major version among which one meets ``constraints`` if any
    does: the first, a far later one, and each version the constraints name in that major
    with its next patch and minor releases (the edges of every range they allow)."""
    found = {(ECSPRESSO_MAJOR, 0, 0), (ECSPRESSO_MAJOR, 999999, 0)}
    for part in str(constraints).split(","):
        match = _CONSTRAINT.match(part)
        if not match:
            continue  # satisfies() says what is wrong with it
        major, minor, patch = Version(match.group(2)).segments
        if major == ECSPRESSO_MAJOR:
            found |= {(major, minor, patch), (major, minor, patch + 1), (major, minor + 1, 0)}
    return [".".join(str(number) for number in release) for release in sorted(found)]


def meets_required_version(constraints):
    """Whether ``required_version`` is met: by an ecspresso 2.x release (the configs this
    collection reads are ecspresso v2's), or by this collection's own version. Raises
    ValueError for a constraint that cannot be read."""
    if satisfies(COLLECTION_VERSION, constraints):
        return True
    return any(satisfies(release, constraints) for release in _ecspresso_candidates(constraints))


def check_required_version(constraints, source):
    """Fail when ``required_version`` is met neither by ecspresso v2 nor by this collection."""
    try:
        met = meets_required_version(constraints)
    except ValueError as exc:
        raise DefinitionError(
            source,
            f"field required_version: {exc}",
            'write it as ecspresso does: ">= 2.0.0", "~> 2.1" or ">= 2.0, < 3"',
            field="required_version",
        ) from None
    if not met:
        raise DefinitionError(
            source,
            f"field required_version: {constraints!r} allows no ecspresso {ECSPRESSO_MAJOR}.x "
            f"release, whose config files this collection reads, nor ecsops.ecspresso "
            f"{COLLECTION_VERSION}",
            f'allow ecspresso {ECSPRESSO_MAJOR} (such as ">= {ECSPRESSO_MAJOR}.0.0") or remove '
            "the key",
            field="required_version",
        )
