"""Background jobs. Tasks take primitive arguments and are enqueued on commit."""

from django_tasks import task

from cms.media import renditions


@task(queue_name="media")
def render_rendition(rendition_id: int) -> str:
    return renditions.run(rendition_id)
