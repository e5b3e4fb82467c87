"""The admin side of issue 14, item 21: "Phát hành" in plain sight on the package list (not
under "…") with a message saying what happened; the station form's channels once each (not
Vietnamese and English side by side); screen profiles chosen by name."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cms.stations.models import PackageDelivery, Station
from cms.taxonomy.models import Channel

pytestmark = pytest.mark.django_db


def test_release_is_a_visible_button_on_the_package_list_and_says_what_it_did(
    client: Any, make_item, make_station, make_package, units, make_user
) -> None:
    item = make_item("Bản tin sáng")
    make_station("xa", unit="cao_loc")
    make_station("phuong", unit="cao_loc")
    package = make_package("Gói sáng thứ hai", [item], units=[units["cao_loc"]])
    client.force_login(make_user("quantri", "administrator"))
    listing = client.get("/admin/snippets/stations/broadcastpackage/").content.decode()
    release_url = f"/admin/carriage/packages/{package.pk}/release/"
    # A button in its own cell of the row, outside the "…" menu.
    cell = re.search(r'<td>\s*<a class="button button-small" href="([^"]+)">([^<]+)</a>', listing)
    assert cell is not None, "no release button in the list's cells"
    assert cell.group(1) == release_url and cell.group(2) == "Phát hành"

    response = client.post(release_url, follow=True)
    html = response.content.decode()
    assert "Đã phát hành gói “Gói sáng thứ hai” đến 2 đài" in html
    assert PackageDelivery.objects.filter(package=package).count() == 2
    listing = client.get("/admin/snippets/stations/broadcastpackage/").content.decode()
    assert release_url not in listing.split("<tbody>", 1)[1].split("w-dropdown", 1)[0]


def test_station_form_lists_each_channel_once_and_screen_profiles_by_name(
    client: Any, make_user, units
) -> None:
    assert Channel.objects.filter(locale__language_code="en").exists()  # the duplicates
    client.force_login(make_user("quantri", "administrator"))
    url = "/admin/snippets/stations/station/add/"
    html = client.get(url).content.decode()
    offered = re.findall(r'name="channels" value="(\d+)"', html)
    vietnamese = Channel.objects.filter(locale__language_code="vi")
    assert sorted(map(int, offered)) == sorted(vietnamese.values_list("pk", flat=True))
    assert "Màn hình ngang 16:9 (1920×1080)" in html
    assert "Bảng LED kích thước khác (nhập bên dưới)" in html

    data = {
        "name": "Bảng tin chợ",
        "code": "bang-tin-cho",
        "kind": "digital_board",
        "administrative_unit": units["dong_dang"].pk,
        "languages": ["vi"],
        "channels": [str(vietnamese.first().pk)],
        "board_profile": "native",
        "board_size": "512×256",
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1500]
    station = Station.objects.get(code="bang-tin-cho")
    assert station.board_profile == "board_native_512x256"
    edit = client.get(f"/admin/snippets/stations/station/edit/{station.pk}/").content.decode()
    assert re.search(r'<option value="native" selected>', edit)
    assert 'value="512×256"' in edit

    refused = client.post(url, {**data, "code": "bang-2", "board_size": "to lắm"})
    assert refused.status_code == 200 and not Station.objects.filter(code="bang-2").exists()
    assert "Hãy nhập kích thước bảng LED dạng RỘNG×CAO" in refused.content.decode()
