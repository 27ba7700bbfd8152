# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Where a CODE_DEPLOY service is deployed from.
    DOCUMENTATION = r"""
options:
  codedeploy_application:
    description:
      - The CodeDeploy application of a C(CODE_DEPLOY) service. Defaults to
        C(codedeploy.application_name) in O(config); without either, the ECS applications
        and their deployment groups are listed to find the one that deploys the service.
    type: str
  codedeploy_deployment_group:
    description:
      - The CodeDeploy deployment group of a C(CODE_DEPLOY) service. Defaults to
        C(codedeploy.deployment_group_name) in O(config), else it is found as for
        O(codedeploy_application).
    type: str
"""
