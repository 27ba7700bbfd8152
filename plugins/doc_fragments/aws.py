# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The AWS connection options, named as the amazon.aws collection names them.
    DOCUMENTATION = r"""
options:
  region:
    description:
      - The AWS region to use.
      - Falls back to the controller's E(AWS_REGION) or E(AWS_DEFAULT_REGION) environment
        variable, then to C(region) in the O(config) file, then to C(AWS_REGION) or
        C(AWS_DEFAULT_REGION) in an O(envfile). ecspresso prefers the config file's
        C(region) to the environment; here the environment wins.
    type: str
    aliases: [aws_region]
  profile:
    description:
      - A named profile from the AWS shared configuration files.
      - Falls back to the E(AWS_PROFILE) environment variable.
      - Cannot be combined with O(access_key) or O(secret_key).
    type: str
    aliases: [aws_profile]
  access_key:
    description:
      - The AWS access key ID.
      - Falls back to the E(AWS_ACCESS_KEY_ID) or E(AWS_ACCESS_KEY) environment variable.
    type: str
    aliases: [aws_access_key_id, aws_access_key]
  secret_key:
    description:
      - The AWS secret access key.
      - Falls back to the E(AWS_SECRET_ACCESS_KEY) or E(AWS_SECRET_KEY) environment variable.
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
  session_token:
    description:
      - The AWS session token, for temporary credentials.
      - Falls back to the E(AWS_SESSION_TOKEN) or E(AWS_SECURITY_TOKEN) environment variable.
    type: str
    aliases: [aws_session_token, security_token]
  endpoint_url:
    description:
      - The URL to send every AWS call to, of every AWS service, instead of the AWS
        endpoints, such as V(http://127.0.0.1:4566) for a local AWS (the collection's
        repository has one, started by C(make demo), for its tests and examples).
      - Falls back to the E(AWS_URL) or E(AWS_ENDPOINT_URL) environment variable.
    type: str
    aliases: [aws_endpoint_url]
  validate_certs:
    description:
      - Whether to verify the TLS certificates of the AWS endpoints.
    type: bool
    default: true
  retry_mode:
    description:
      - The botocore retry mode of the AWS clients. Both retry throttled calls
        (C(ThrottlingException) and the like) and server errors (HTTP 5xx) with exponential
        backoff.
      - V(adaptive) also slows its own calls down while AWS throttles them, which helps
        when many services are deployed at once.
    type: str
    choices: [standard, adaptive]
    default: standard
  max_attempts:
    description:
      - How many times botocore tries one AWS call before it gives up, the first try
        included. V(1) means no retry.
    type: int
    default: 10
requirements:
  - python >= 3.11
  - boto3 >= 1.34.0
  - botocore >= 1.34.0
"""
