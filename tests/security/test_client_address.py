"""How the rate limits' client is derived from a connection (ui.signin.client_address).

Streamlit's ``st.context`` is replaced by a stand-in: the function reads only the peer address,
the request headers and the session state. What a real proxy sends is checked in a browser test
where one exists; here, each rule of SECURITY.md's "Forwarded address" paragraph.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from builder.usecases.limits import client_key
from ui import signin


def _address(monkeypatch: pytest.MonkeyPatch, peer: Any, headers: dict[str, Any] | None = None,
             session: dict[str, Any] | None = None) -> str:
    fake = SimpleNamespace(context=SimpleNamespace(ip_address=peer, headers=headers or {}),
                           session_state=session if session is not None else {})
    monkeypatch.setattr(signin, "st", fake)
    return signin.client_address()


def test_a_direct_public_peer_is_the_client_and_its_forwarded_header_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    # (A routable address: Python counts the documentation ranges such as 203.0.113.0/24 as private.)
    assert _address(monkeypatch, "93.184.216.34") == "93.184.216.34"
    # A client talking to Streamlit directly cannot choose its identity (and escape its limit) by a header.
    assert _address(monkeypatch, "93.184.216.34", {"X-Forwarded-For": "198.51.100.1"}) == "93.184.216.34"


@pytest.mark.parametrize("proxy", ["127.0.0.1", "10.0.0.5", "192.168.1.2", "172.16.0.9", "::1", "fd00::1"])
def test_behind_a_private_or_loopback_proxy_the_right_most_forwarded_entry_counts(
        monkeypatch: pytest.MonkeyPatch, proxy: str) -> None:
    assert _address(monkeypatch, proxy, {"X-Forwarded-For": "203.0.113.7"}) == "203.0.113.7"
    # What the client wrote itself comes first; the proxy appends the address it saw: only that one is trusted.
    spoofed = {"X-Forwarded-For": "1.2.3.4, 5.6.7.8,  203.0.113.7 "}
    assert _address(monkeypatch, proxy, spoofed) == "203.0.113.7"


def test_a_proxy_without_forwarded_header_is_itself_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _address(monkeypatch, "10.0.0.5") == "10.0.0.5"
    assert _address(monkeypatch, "10.0.0.5", {"X-Forwarded-For": ""}) == "10.0.0.5"


def test_without_any_address_each_browser_session_is_its_own_client(monkeypatch: pytest.MonkeyPatch) -> None:
    first: dict[str, Any] = {}
    one = _address(monkeypatch, None, session=first)
    assert one.startswith("session:") and len(one) == len("session:") + 32
    assert _address(monkeypatch, None, session=first) == one  # stable for the session
    assert _address(monkeypatch, None, session={}) != one  # not one shared "unknown" client for the whole city
    # No peer at all but a forwarded header: treated like an internal peer (the header is the only address).
    assert _address(monkeypatch, None, {"X-Forwarded-For": "203.0.113.7"}) == "203.0.113.7"


def test_odd_values_never_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _address(monkeypatch, "not-an-address", {"X-Forwarded-For": "203.0.113.7"}) == "not-an-address"
    assert _address(monkeypatch, "10.0.0.5", {"X-Forwarded-For": 42}) == "10.0.0.5"
    assert _address(monkeypatch, 12345, session={"formwork_client_nonce": "n"}) == "session:n"
    assert _address(monkeypatch, "10.0.0.5", None) == "10.0.0.5"


def test_the_limit_key_is_a_keyed_hash_of_the_derived_address(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _address(monkeypatch, "10.0.0.5", {"X-Forwarded-For": "203.0.113.7"})
    assert client_key(seen, "k") == client_key("203.0.113.7", "k") != client_key("10.0.0.5", "k")
