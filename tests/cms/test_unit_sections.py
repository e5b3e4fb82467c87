"""Each producing unit edits its own tree and nobody else's."""

from __future__ import annotations

import pytest

from cms.editorial.units import setup_unit_section
from cms.taxonomy.models import ProducingUnit


@pytest.mark.django_db
def test_unit_staff_edit_only_their_own_section(home, vi, django_user_model) -> None:
    justice = setup_unit_section(ProducingUnit.objects.get(code="so-tu-phap", locale=vi), home)
    police = setup_unit_section(ProducingUnit.objects.get(code="cong-an-tinh", locale=vi), home)
    reporter = django_user_model.objects.create_user("pv-tuphap", password="x")
    reporter.groups.add(justice.groups["reporter"])

    own = justice.section.permissions_for_user(reporter)
    other = police.section.permissions_for_user(reporter)
    assert own.can_add_subpage() and own.can_edit()
    assert not other.can_add_subpage() and not other.can_edit()
    assert not home.permissions_for_user(reporter).can_edit()
    assert not own.can_publish()


@pytest.mark.django_db
def test_setup_is_idempotent(home, vi) -> None:
    unit = ProducingUnit.objects.get(code="so-tu-phap", locale=vi)
    first = setup_unit_section(unit, home)
    second = setup_unit_section(unit, home)
    assert first.section.pk == second.section.pk
    assert {g.pk for g in first.groups.values()} == {g.pk for g in second.groups.values()}
