# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Runs ecspresso_info on the controller and shows its progress as it happens."""

from __future__ import annotations

from ansible_collections.ecsops.ecspresso.plugins.module_utils.runs import (
    INFO_ARGUMENT_SPEC,
    run_info,
)
from ansible_collections.ecsops.ecspresso.plugins.plugin_utils.engine_action import (
    EngineAction,
)


class ActionModule(EngineAction):
    ARGUMENT_SPEC = INFO_ARGUMENT_SPEC
    RUN = staticmethod(run_info)
