"""The "Kênh" page of an item: where its language versions were posted, with a form to
record, change and delete posts. Outside the page's revisions and workflow."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.models import Page

from cms.channels import access
from cms.channels.forms import ChannelPostForm, version_label
from cms.channels.models import ChannelPost


def _item(request: HttpRequest, page_id: int) -> Page:
    page = get_object_or_404(Page, pk=page_id).specific
    if not access.may_record(request.user, page):
        raise PermissionDenied
    return page


def _post(request: HttpRequest, item: Page, post_id: int, verb: str) -> ChannelPost:
    post = get_object_or_404(
        ChannelPost.objects.select_related("channel", "page"),
        pk=post_id,
        page__translation_key=item.translation_key,
    )
    if not access.may_change(request.user, item, post, verb):
        raise PermissionDenied
    return post


def _posts(item: Page) -> list[ChannelPost]:
    return list(
        ChannelPost.objects.filter(page__translation_key=item.translation_key).select_related(
            "channel", "page__locale", "recorded_by"
        )
    )


def _render(
    request: HttpRequest, item: Page, form: ChannelPostForm, editing: ChannelPost | None = None
) -> TemplateResponse:
    posts = _posts(item)
    rows = [
        {
            "post": post,
            "version": version_label(post.page),
            "may_change": access.may_change(request.user, item, post, "change"),
            "may_delete": access.may_change(request.user, item, post, "delete"),
        }
        for post in posts
    ]
    live = Page.objects.filter(translation_key=item.translation_key, live=True).exists()
    return TemplateResponse(
        request,
        "channels/item_posts.html",
        {
            "item": item,
            "form": form,
            "rows": rows,
            "editing": editing,
            "any_live": live,
            "media": form.media,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def item_posts(request: HttpRequest, page_id: int) -> HttpResponse:
    item = _item(request, page_id)
    if request.method == "POST":
        form = ChannelPostForm(request.POST, item=item)
        if form.is_valid():
            post = form.save(commit=False)
            post.recorded_by = request.user
            post.save()
            messages.success(
                request,
                _("Đã ghi nhận bài đăng trên %(channel)s.") % {"channel": post.channel},
            )
            return redirect("channels_item_posts", page_id=item.pk)
    else:
        form = ChannelPostForm(item=item)
    return _render(request, item, form)


def edit_post(request: HttpRequest, page_id: int, post_id: int) -> HttpResponse:
    item = _item(request, page_id)
    post = _post(request, item, post_id, "change")
    form = ChannelPostForm(request.POST or None, instance=post, item=item)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, _("Đã cập nhật bài đăng trên %(channel)s.") % {"channel": post.channel}
        )
        return redirect("channels_item_posts", page_id=item.pk)
    return _render(request, item, form, editing=post)


def delete_post(request: HttpRequest, page_id: int, post_id: int) -> HttpResponse:
    item = _item(request, page_id)
    post = _post(request, item, post_id, "delete")
    if request.method == "POST":
        channel = str(post.channel)
        post.delete()
        messages.success(request, _("Đã xóa bài đăng trên %(channel)s.") % {"channel": channel})
        return redirect("channels_item_posts", page_id=item.pk)
    if request.method != "GET":
        raise Http404
    return TemplateResponse(
        request,
        "channels/delete_post.html",
        {"item": item, "post": post, "version": version_label(post.page)},
    )
