"""The test fake of the provider registry keeps the real registry's interface, so a method
added to ``ProviderRegistry`` (as ``for_session`` was) fails here, not as an AttributeError
deep inside a session or simulation test."""

from __future__ import annotations

import inspect

from support.providers import FakeProviders
from troupe_agent.providers.registry import ProviderRegistry


def public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(cls).items()
        if not name.startswith("_") and callable(member)
    }


def test_the_fake_has_every_public_method_of_the_real_registry() -> None:
    real = public_methods(ProviderRegistry)
    fake = public_methods(FakeProviders)
    assert real, "ProviderRegistry has public methods"
    missing = sorted(set(real) - set(fake))
    assert not missing, f"FakeProviders lacks {missing}"


def test_the_fake_accepts_every_argument_the_real_registry_takes() -> None:
    fake = public_methods(FakeProviders)
    for name, signature in public_methods(ProviderRegistry).items():
        accepted = fake[name].parameters
        open_kwargs = any(p.kind is p.VAR_KEYWORD for p in accepted.values())
        for param in signature.parameters.values():
            assert param.name in accepted or (open_kwargs and param.kind is param.KEYWORD_ONLY), (
                f"FakeProviders.{name} does not take {param.name!r}"
            )


def test_the_fake_has_the_real_registrys_public_attributes() -> None:
    from troupe_agent.local_models import LocalModels
    from troupe_agent.settings import Settings

    real = ProviderRegistry(Settings(_env_file=None), LocalModels())
    fake = FakeProviders()
    for name in (n for n in vars(real) if not n.startswith("_")):
        assert hasattr(fake, name), f"FakeProviders lacks the attribute {name!r}"
