# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # What the templates of ecspresso's config and definition files read.
    DOCUMENTATION = r"""
options:
  envfile:
    description:
      - Files of C(KEY=VALUE) lines, optionally after C(export), whose variables the
        templates of the O(config) file and of the definition files read with C(env) and
        C(must_env), over the controller's environment. Blank and comment lines are
        skipped; a value may be single-quoted (literal) or double-quoted (with JSON
        escapes).
      - A later file wins over an earlier one. The values are used by this task only;
        they are not put into the environment of the controller, other tasks or hosts.
      - Relative paths start from the playbook's folder, even when O(config) is given.
    type: list
    elements: path
  ext_str:
    description:
      - External variables of Jsonnet files (C(.jsonnet) config and definition files),
        read with C(std.extVar), as strings, as C(ecspresso --ext-str) gives them.
    type: dict
  ext_code:
    description:
      - External variables of Jsonnet files given as Jsonnet code, such as V(24 + 1), as
        C(ecspresso --ext-code) gives them. A value that is not text (a number, a list, a
        mapping) is given as its JSON.
    type: dict
requirements:
  - jsonnet >= 0.20.0 (only for Jsonnet files)
"""
