"""What an agent or template may name: providers (``PROVIDER_CATALOG``; test-only fakes only
with TROUPE_ENABLE_TEST_PROVIDERS), panel types, modalities, modality profiles, environments."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from troupe_contracts.providers import ProviderSpec

from troupe_api.deps import SettingsDep
from troupe_api.flows.config_rules import (
    ENVIRONMENTS,
    MODALITIES,
    PANELS,
    PROFILE_MODALITIES,
    catalog,
)

router = APIRouter(prefix="/catalog", tags=["catalog"])


class Catalog(BaseModel):
    providers: list[ProviderSpec]
    panels: list[str]
    modalities: list[str]
    modality_profiles: dict[str, list[str]]
    environments: list[str]


@router.get("", name="get", response_model=Catalog)
async def get_catalog(settings: SettingsDep) -> Catalog:
    return Catalog(
        providers=catalog(allow_test_providers=settings.enable_test_providers),
        panels=PANELS,
        modalities=MODALITIES,
        modality_profiles={k: sorted(v) for k, v in PROFILE_MODALITIES.items()},
        environments=list(ENVIRONMENTS),
    )
