"""Second-factor codes for the demo admin of the local stack."""

from __future__ import annotations


def totp_now(hex_key: str, step: int = 30, digits: int = 6) -> str:
    """The current code of a django-otp TOTP device (RFC 6238, SHA-1)."""
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(hex_key), step=step, digits=digits):0{digits}d}"
