"""Remediation sources of the gateway: which Rundeck jobs and AWX templates act on which service."""

from __future__ import annotations

from pydantic import Field

from streams.settings.base import MttrSettings


class RemediationSettings(MttrSettings):
    """Runbook tools whose job runs become ``remediation`` deploys (contract v1.1).

    Reads ``MTTR_RUNDECK_*`` and ``MTTR_AWX_*``. The maps are JSON; their keys match
    in any case. Neither sender signs its requests: both routes use the gateway's
    shared token, configured with the other gateway settings.
    """

    # --- Rundeck ---------------------------------------------------------------
    rundeck_jobs: dict[str, str] = Field(
        default_factory=dict,
        description=(
            'JSON map of Rundeck job id, group/name or name to service: {"ops/restart-api":"api"}'
            "; other jobs are ignored."
        ),
    )
    rundeck_environments: dict[str, str] = Field(
        default_factory=dict,
        description="JSON map of Rundeck job id, group/name or name to environment.",
    )
    rundeck_environment: str = Field(
        "production", description="Environment of Rundeck jobs not in MTTR_RUNDECK_ENVIRONMENTS."
    )

    # --- Ansible AWX / Automation Controller -----------------------------------
    awx_templates: dict[str, str] = Field(
        default_factory=dict,
        description='JSON map of AWX job template name to service: {"Restart API":"api"}.',
    )
    awx_environments: dict[str, str] = Field(
        default_factory=dict, description="JSON map of AWX job template name to environment."
    )
    awx_environment: str = Field(
        "production", description="Environment of AWX jobs with no mapped or extra-var one."
    )
    awx_service_var: str = Field(
        "mttr_service",
        description="AWX extra variable naming the service of unmapped templates' jobs ('': off).",
    )
    awx_environment_var: str = Field(
        "mttr_environment",
        description="AWX extra variable naming the environment when the template maps none.",
    )
