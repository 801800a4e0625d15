"""The simulation endpoints of the Platform API, with the runtime's service token."""

from uuid import UUID

from pydantic import BaseModel
from troupe_contracts.config import SessionConfig
from troupe_contracts.simulation import Scenario, SimulationClaim, SimulationMode, SimulationResult

from troupe_agent.api_client import RuntimeApiClient

CLAIM_PATH = "/api/v1/runtime/simulation-runs/claim"
RESULT_PATH = "/api/v1/runtime/simulation-runs/{run_id}/result"
TEMPLATE_PATH = "/api/v1/runtime/simulation-templates/{template_id}"


class StoredScenario(BaseModel):
    id: UUID
    name: str
    scenario: Scenario


class TemplateSimulations(BaseModel):
    template_id: UUID
    config: SessionConfig
    scenarios: list[StoredScenario]


class SimulationApi(RuntimeApiClient):
    async def claim(self, modes: list[SimulationMode]) -> SimulationClaim | None:
        """The oldest queued run of one of ``modes``; None when there is none."""
        response = await self._request(
            "POST", CLAIM_PATH, params=[("mode", m.value) for m in modes]
        )
        if response.status_code == 204:
            return None
        return SimulationClaim.model_validate_json(response.content)

    async def post_result(self, run_id: UUID, result: SimulationResult) -> None:
        await self._request(
            "POST",
            RESULT_PATH.format(run_id=run_id),
            content=result.model_dump_json(),
            headers={"Content-Type": "application/json"},
        )

    async def template(self, template_id: UUID) -> TemplateSimulations:
        response = await self._request("GET", TEMPLATE_PATH.format(template_id=template_id))
        return TemplateSimulations.model_validate_json(response.content)
