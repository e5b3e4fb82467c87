"""Issue 15, defect 1: Identify's adminEmail is a valid address, and production refuses to
run without the archive's contact and the alert recipients (system check archive.E00x)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from lxml import etree

from cms.archive import checks, conf, xsd
from cms.archive.fixity import run as run_fixity

ROOT = Path(__file__).resolve().parents[3]
OAI = {"o": "http://www.openarchives.org/OAI/2.0/"}


def ids(errors: list[Any]) -> list[str]:
    return sorted(error.id for error in errors)


@pytest.mark.django_db
def test_identify_without_configuration_names_a_valid_demo_contact(client, settings) -> None:
    settings.ADMINS = []
    response = client.get("/oai/", {"verb": "Identify"})
    root = xsd.assert_valid_oai(response.content)
    emails = root.xpath("//o:adminEmail/text()", namespaces=OAI)
    assert emails == [conf.DEMO_CONTACT]
    assert "localhost" not in response.content.decode()


@pytest.mark.django_db
def test_identify_names_the_configured_contact(client, settings) -> None:
    settings.ADMINS = [("Quản trị", "quantri@so.gov.vn")]
    root = xsd.assert_valid_oai(client.get("/oai/", {"verb": "Identify"}).content)
    assert root.xpath("//o:adminEmail/text()", namespaces=OAI) == ["quantri@so.gov.vn"]
    settings.CMS_ARCHIVE = {**settings.CMS_ARCHIVE, "OAI_ADMIN_EMAILS": ["luutru@so.gov.vn"]}
    root = xsd.assert_valid_oai(client.post("/oai/", {"verb": "Identify"}).content)
    assert root.xpath("//o:adminEmail/text()", namespaces=OAI) == ["luutru@so.gov.vn"]


def test_check_requires_contact_and_alert_recipients_in_production(settings) -> None:
    settings.ADMINS = []
    settings.CMS_ARCHIVE_CONTACTS_REQUIRED = False
    assert checks.check_contacts() == []
    settings.CMS_ARCHIVE_CONTACTS_REQUIRED = True
    assert ids(checks.check_contacts()) == ["archive.E001", "archive.E002"]
    settings.CMS_ARCHIVE = {**settings.CMS_ARCHIVE, "OAI_ADMIN_EMAILS": ["luutru@so.gov.vn"]}
    assert ids(checks.check_contacts()) == ["archive.E002"]
    settings.ADMINS = [("", "quantri@so.gov.vn")]
    assert checks.check_contacts() == []


def test_check_refuses_an_address_the_oai_schema_refuses(settings) -> None:
    settings.CMS_ARCHIVE_CONTACTS_REQUIRED = False
    settings.ADMINS = [("", "archive@localhost")]
    assert ids(checks.check_contacts()) == ["archive.E003", "archive.E003"]


@pytest.mark.django_db
def test_fixity_alert_reaches_the_configured_admins(settings, tmp_path: Path) -> None:
    settings.ADMINS = [("", "quantri@so.gov.vn")]
    broken = tmp_path / "items" / "00000000-0000-0000-0000-000000000001" / "v0001"
    broken.mkdir(parents=True)  # not a bag at all
    report = run_fixity(directories=[tmp_path], masters=False)
    assert report.failures
    assert [message.to for message in mail.outbox] == [["quantri@so.gov.vn"]]


def run_check(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CMS_ARCHIVE_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "DJANGO_SECRET_KEY": "x" * 20 + "-sample-secret-for-check-" + "y" * 20,
            "DJANGO_ALLOWED_HOSTS": "cms.example.vn",
            "DATABASE_URL": "postgres://cms@127.0.0.1:5432/cms",
            **extra,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_run_without_contacts() -> None:
    result = run_check({})
    assert result.returncode != 0
    assert "archive.E001" in result.stderr and "archive.E002" in result.stderr
    result = run_check({"DJANGO_ADMINS": "quantri@so.gov.vn"})
    assert result.returncode == 0, result.stdout + result.stderr
    malformed = {"DJANGO_ADMINS": "quantri@so.gov.vn", "CMS_ARCHIVE_OAI_ADMIN_EMAILS": "a@b"}
    result = run_check(malformed)
    assert result.returncode != 0 and "archive.E003" in result.stderr


def test_identify_is_schema_valid_offline() -> None:
    # The validator itself never needs the network (the parser refuses it).
    assert xsd.oai_pmh_schema() is not None
    assert isinstance(xsd.parse(b"<a/>"), etree._Element)
