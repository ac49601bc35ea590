"""Chroma's network failures become StoreUnavailableError by their type, never by their wording."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from vectorstore.chroma_store import _chroma_errors, open_chroma_client
from vectorstore.errors import StoreUnavailableError

SERVER = ("127.0.0.1", 8123)
SETTINGS = "127.0.0.1:8123.*ISNAD_CHROMA_HOST / ISNAD_CHROMA_PORT"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.unit
@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("refused"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("closed"),
        httpx.ReadTimeout("slow"),
        ConnectionResetError(104, "reset"),
    ],
    ids=["connect", "read", "protocol", "timeout", "os-reset"],
)
def test_a_transport_error_names_the_server_settings(failure: Exception) -> None:
    with pytest.raises(StoreUnavailableError, match=SETTINGS) as raised, _chroma_errors(SERVER):
        raise failure
    assert raised.value.__cause__ is failure


@pytest.mark.unit
def test_chromadbs_wrapping_of_a_refused_connection_is_seen_through() -> None:
    """chromadb's HttpClient raises ValueError while handling httpx.ConnectError (no ``from``)."""
    with pytest.raises(StoreUnavailableError, match=SETTINGS), _chroma_errors(SERVER):
        try:
            raise httpx.ConnectError("[Errno 111] Connection refused")
        except httpx.ConnectError:
            raise ValueError("Could not connect to a Chroma server. Are you sure it is running?")  # noqa: B904


@pytest.mark.unit
def test_a_message_that_mentions_connecting_is_not_a_network_failure() -> None:
    with pytest.raises(ValueError, match="connect to tenant"), _chroma_errors(SERVER):
        raise ValueError("Could not connect to tenant default_tenant. Are you sure it exists?")


@pytest.mark.unit
def test_the_embedded_store_maps_nothing() -> None:
    with pytest.raises(httpx.ConnectError), _chroma_errors(None):
        raise httpx.ConnectError("refused")


@pytest.mark.integration
def test_a_real_client_of_a_port_nobody_listens_on(tmp_path: Path) -> None:
    port = free_port()
    with pytest.raises(StoreUnavailableError, match=f"127.0.0.1:{port}.*ISNAD_CHROMA_HOST") as raised:
        open_chroma_client(tmp_path, host="127.0.0.1", port=port)
    assert isinstance(raised.value.__cause__, ValueError)
    assert isinstance(raised.value.__cause__.__context__, httpx.ConnectError)
