"""Background job: render a page's share card (enqueued on publish, on commit)."""

from django_tasks import task


@task(queue_name="media")
def render_share_card(page_id: int) -> str:
    from cms.sharing import cards

    return cards.run(page_id)
