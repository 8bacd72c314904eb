"""The simulator plants re-registrations that the sweep can find."""

from __future__ import annotations

from recengine.simulator.identity import account_hashes, returning_accounts


def test_one_account_in_forty_returns_sharing_one_trait():
    assert returning_accounts(3) == {}
    assert returning_accounts(80) == {79: 0, 78: 1}

    anchors = account_hashes("anchor", 80)
    merchants = account_hashes("merchant", 80)

    assert anchors == account_hashes("anchor", 80)  # deterministic
    assert anchors[79]["legal_identity_hash"] == anchors[0]["legal_identity_hash"]
    assert (
        anchors[79]["device_fingerprint_hash"] != anchors[0]["device_fingerprint_hash"]
    )
    assert (
        anchors[78]["device_fingerprint_hash"] == anchors[1]["device_fingerprint_hash"]
    )
    assert merchants[78]["payment_account_hash"] == merchants[1]["payment_account_hash"]
    others = {a["legal_identity_hash"] for a in anchors[2:78]}
    assert len(others) == 76  # everyone else is someone of their own
