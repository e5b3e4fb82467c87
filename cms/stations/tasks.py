"""Background jobs. Tasks take primitive arguments and are enqueued on commit.

Builds run on the ``default`` queue with the package's priority (emergency 100, priority 50,
normal 0): the database backend hands the highest priority to the next free worker.
"""

from django_tasks import task

from cms.stations import carriage, packaging


@task()
def build_package(build_id: int) -> str:
    return packaging.build(build_id)


@task()
def check_carriage() -> int:
    """Flag (and e-mail) emergency packages not yet received in time; see ``carriage``."""
    return len(carriage.flag_overdue_emergencies())
