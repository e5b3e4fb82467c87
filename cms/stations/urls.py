"""Station portal under ``stations/`` and the station API under ``api/stations/v1/``."""

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, path, re_path, reverse_lazy

from cms.stations import api, portal, push
from cms.stations.responses import unknown_api_route

app_name = "stations"

API = "api/stations/v1"
PACKAGE = "stations/goi/<int:package_id>"

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "stations/dang-nhap/",
        auth_views.LoginView.as_view(
            template_name="stations/login.html", next_page=reverse_lazy("stations:index")
        ),
        name="login",
    ),
    path(
        "stations/dang-xuat/",
        auth_views.LogoutView.as_view(next_page=reverse_lazy("stations:login")),
        name="logout",
    ),
    path("stations/", portal.index, name="index"),
    path(f"{PACKAGE}/", portal.detail, name="detail"),
    path(f"{PACKAGE}/tai-ve/", portal.download_bag, name="download_bag"),
    path(f"{PACKAGE}/tep/<path:path>", portal.download_file, name="download_file"),
    path(f"{PACKAGE}/da-nhan/", portal.confirm_receipt, name="confirm_receipt"),
    path(f"{PACKAGE}/da-phat/", portal.confirm_airing, name="confirm_airing"),
    path(f"{API}/openapi.json", api.openapi, name="api_openapi"),
    path(f"{API}/station", api.station, name="api_station"),
    path(f"{API}/packages", api.packages, name="api_packages"),
    path(f"{API}/packages/<int:package_id>", api.package, name="api_package"),
    path(f"{API}/packages/<int:package_id>/bag.zip", api.bag_zip, name="api_bag"),
    path(f"{API}/packages/<int:package_id>/files/<path:path>", api.bag_file, name="api_file"),
    path(f"{API}/packages/<int:package_id>/receipt", api.receipt, name="api_receipt"),
    path(f"{API}/packages/<int:package_id>/airings", api.airings, name="api_airings"),
    path(f"{API}/push/<int:station_id>", push.not_served, name="api_push"),
    path(f"{API}/push/<int:station_id>/authorize", push.authorize, name="api_push_authorize"),
    # (?s:…): a path with a newline in it is still an unknown API route (JSON 404).
    re_path(r"^api/stations/v1/(?P<rest>(?s:.*))$", unknown_api_route, name="api_unknown"),
]
