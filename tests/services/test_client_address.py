"""The client address a sign-in is counted against (#13 item 7): X-Forwarded-For is believed only
when the connection comes from a configured trusted proxy (CARELEDGER_TRUSTED_PROXIES)."""

from __future__ import annotations

import pytest

from services.accounts.client import UNKNOWN, client_address, trusted_proxies

LOCAL = trusted_proxies({"CARELEDGER_TRUSTED_PROXIES": "127.0.0.1, ::1"})


def test_nothing_is_trusted_unless_configured():
    assert trusted_proxies({}) == ()
    assert client_address("198.51.100.7", "203.0.113.5", ()) == "198.51.100.7"


def test_a_trusted_proxy_passes_on_the_client_it_saw():
    assert client_address("127.0.0.1", "203.0.113.5", LOCAL) == "203.0.113.5"
    assert client_address("::1", "2001:db8::7", LOCAL) == "2001:db8::7"


def test_an_untrusted_peer_cannot_claim_another_address():
    assert client_address("198.51.100.7", "203.0.113.5", LOCAL) == "198.51.100.7"


def test_the_first_untrusted_hop_from_the_right_is_the_client():
    proxies = trusted_proxies({"CARELEDGER_TRUSTED_PROXIES": "10.0.0.0/8,127.0.0.1"})
    # the client's own claim (1.2.3.4) stands left of what the proxies appended
    chain = "1.2.3.4, 203.0.113.5, 10.1.2.3"
    assert client_address("127.0.0.1", chain, proxies) == "203.0.113.5"
    assert client_address("127.0.0.1", "10.0.0.1, 10.0.0.2", proxies) == "10.0.0.1"


@pytest.mark.parametrize("header", [None, "", "   ", "not-an-ip", "203.0.113.5:8080x", "<script>"])
def test_a_missing_or_garbled_header_leaves_the_peer(header):
    assert client_address("127.0.0.1", header, LOCAL) == "127.0.0.1"


def test_streamlit_reports_loopback_as_no_address():
    """st.context.ip_address is None for 127.0.0.1 and ::1."""
    assert client_address(None, None, ()) == "127.0.0.1"
    assert client_address(None, "203.0.113.5", LOCAL) == "203.0.113.5"


def test_ports_and_brackets_are_dropped_and_the_value_is_canonical():
    assert client_address("127.0.0.1", "203.0.113.5:51234", LOCAL) == "203.0.113.5"
    assert client_address("127.0.0.1", "[2001:DB8::7]:443", LOCAL) == "2001:db8::7"
    assert client_address("2001:DB8:0:0::1", None, ()) == "2001:db8::1"


def test_an_unparsable_peer_is_unknown():
    assert client_address("somewhere", None, ()) == UNKNOWN


def test_a_bad_proxy_setting_is_refused():
    with pytest.raises(ValueError, match="CARELEDGER_TRUSTED_PROXIES"):
        trusted_proxies({"CARELEDGER_TRUSTED_PROXIES": "127.0.0.1, localhost"})
