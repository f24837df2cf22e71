"""The address guard's decision and resolution (collector.guard): which addresses are refused."""

from __future__ import annotations

import pytest

from collector.guard import AddressGuard, BlockedAddress, ResolutionFailed, blocked_reason, parse_networks

LOOPBACK_ALLOWED = parse_networks(["127.0.0.0/8"])


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("169.254.169.254", "cloud metadata address"),
        ("168.63.129.16", "cloud metadata address"),
        ("100.100.100.200", "cloud metadata address"),
        ("fd00:ec2::254", "cloud metadata address"),
        ("10.0.0.1", "private address"),
        ("172.16.5.4", "private address"),
        ("192.168.1.1", "private address"),
        ("127.0.0.1", "loopback address"),
        ("::1", "loopback address"),
        ("169.254.1.1", "link-local address"),
        ("fe80::1", "link-local address"),
        ("224.0.0.1", "multicast address"),
        ("ff02::1", "multicast address"),
        ("0.0.0.0", "unspecified address"),
        ("240.0.0.1", "reserved address"),
        ("100.64.0.1", "non-global address"),
        ("fc00::1", "private address"),
        ("192.0.2.10", "private address"),  # documentation range
    ],
)
def test_refused_addresses_name_their_reason(address, reason):
    assert blocked_reason(address) == reason


@pytest.mark.parametrize("address", ["::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1"])
def test_ipv4_hidden_in_ipv6_is_unwrapped(address):
    assert blocked_reason(address).startswith("embeds ")


@pytest.mark.parametrize("address", ["93.184.216.34", "145.97.39.155", "2a00:1450:4001:80b::200e"])
def test_public_addresses_pass(address):
    assert blocked_reason(address) is None


def test_allow_networks_opens_exactly_the_listed_ranges():
    assert blocked_reason("127.0.0.1", LOOPBACK_ALLOWED) is None
    assert blocked_reason("127.45.1.9", LOOPBACK_ALLOWED) is None
    assert blocked_reason("10.0.0.1", LOOPBACK_ALLOWED) == "private address"
    assert blocked_reason("::1", LOOPBACK_ALLOWED) == "loopback address"
    assert blocked_reason("::ffff:127.0.0.1", LOOPBACK_ALLOWED) is None


def fake_resolver(table):
    async def resolve(host, port):
        if host not in table:
            raise ResolutionFailed(f"cannot resolve {host}")
        return table[host]

    return resolve


async def test_a_host_with_one_private_answer_among_public_ones_is_refused():
    guard = AddressGuard(resolver=fake_resolver({"rebind.test": ["93.184.216.34", "10.0.0.1"]}))
    with pytest.raises(BlockedAddress) as caught:
        await guard.resolve("rebind.test", 443)
    assert caught.value.address == "10.0.0.1"


async def test_ip_literals_are_checked_without_dns():
    guard = AddressGuard(resolver=fake_resolver({}))
    with pytest.raises(BlockedAddress):
        await guard.resolve("169.254.169.254", 80)
    with pytest.raises(BlockedAddress):
        await guard.resolve("[::1]", 80)


async def test_public_answers_are_returned_for_connecting():
    guard = AddressGuard(resolver=fake_resolver({"news.test": ["93.184.216.34"]}))
    assert await guard.resolve("news.test", 443) == ["93.184.216.34"]
    with pytest.raises(ResolutionFailed):
        await guard.resolve("missing.test", 443)
