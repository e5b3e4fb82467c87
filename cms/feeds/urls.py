"""``i18n_urlpatterns`` go under the language prefix (``/km/feeds/radio.xml``); the
transcripts and the artwork are one URL for every language."""

from django.urls import path

from cms.feeds import views

i18n_urlpatterns = [
    path("feeds/radio.xml", views.radio_feed, name="feed_radio"),
    path("feeds/sections/<int:section_id>.xml", views.section_feed, name="feed_section"),
]

urlpatterns = [
    path("feeds/transcripts/<int:page_id>.txt", views.transcript, name="feed_transcript"),
    path("feeds/artwork.png", views.artwork, name="feed_artwork"),
]
