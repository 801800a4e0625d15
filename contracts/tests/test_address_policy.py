"""The address policy shared by the API and the agent runtime for customer-configured URLs."""

import pytest
from troupe_contracts import address_policy
from troupe_contracts.address_policy import AddressRefused, HostUnresolved, refusal

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "100.127.255.254",
    "0.0.0.0",
    "198.18.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:169.254.169.254",
    "::127.0.0.1",  # IPv4-compatible
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "fc00::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "fe80::1",
    "fe80::1%eth0",
    "ff02::1",
]
PUBLIC = ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "100.128.0.1"]


@pytest.mark.parametrize("address", REFUSED)
def test_internal_addresses_are_refused(address: str) -> None:
    assert refusal(address) is not None


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert refusal(address) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8000/api/v1/",
        "http://[::1]/",
        "http://[::ffff:7f00:1]/",
        "http://100.64.1.1/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "ftp://example.com/",
        "http:///nohost",
    ],
)
def test_check_url_refuses_without_dns(url: str) -> None:
    with pytest.raises(AddressRefused):
        address_policy.check_url(url)


def test_allowed_hosts_are_exempt() -> None:
    address_policy.check_url("http://127.0.0.1:9000/hook", ["127.0.0.1"])


async def test_resolve_refuses_a_name_that_resolves_to_loopback() -> None:
    with pytest.raises(AddressRefused) as refused:
        await address_policy.resolve("http://localhost:8000/x")
    assert refused.value.host == "localhost" and refused.value.addresses


async def test_resolve_pins_the_checked_address_and_keeps_the_name() -> None:
    target = await address_policy.resolve("https://localhost:8443/p?q=1", ["localhost"])
    assert target.address in {"127.0.0.1", "::1"}
    assert target.pinned_url() in {"https://127.0.0.1:8443/p?q=1", "https://[::1]:8443/p?q=1"}
    assert target.host_header == "localhost:8443" and target.tls_server_name == "localhost"
    plain = await address_policy.resolve("http://localhost/", ["localhost"])
    assert plain.host_header == "localhost" and plain.tls_server_name is None


async def test_a_name_without_address_is_unresolved_not_refused() -> None:
    with pytest.raises(HostUnresolved):
        await address_policy.resolve("https://no-such-host.invalid/hook")
