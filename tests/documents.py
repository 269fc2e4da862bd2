"""Helpers for the extraction tests."""

from __future__ import annotations

from verifier.models import Claim, Document


def only_claim(doc: Document, text: str) -> Claim:
    """The one claim with exactly this text; fails the test when there is none or several."""
    matches = [c for c in doc.claims if c.text == text]
    assert len(matches) == 1, f"{text!r} not found once among {[c.text for c in doc.claims]}"
    return matches[0]
