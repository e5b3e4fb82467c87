"""Editorial groups with their permissions, and the two-step workflow on the whole tree."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from cms.editorial import roles


def perm(apps, app_label, codename):
    Permission = apps.get_model("auth", "Permission")
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist as error:
        raise LookupError(f"{app_label}.{codename}") from error


def create(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root = Page.objects.get(depth=1)
    root_collection = Collection.objects.get(depth=1)

    groups = {}
    for role, name in roles.ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        groups[role] = group
        group.permissions.add(perm(apps, *roles.ADMIN_ACCESS))
        for app_label, codename in roles.MODEL_PERMISSIONS[role]:
            group.permissions.add(perm(apps, app_label, codename))
        for codename in roles.PAGE_PERMISSIONS[role]:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root, permission=perm(apps, "wagtailcore", codename)
            )
        for app_label, codename in roles.COLLECTION_PERMISSIONS[role]:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection,
                permission=perm(apps, app_label, codename),
            )

    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    ContentType = apps.get_model("contenttypes", "ContentType")
    task_ct, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    workflow, _ = Workflow.objects.get_or_create(name=roles.WORKFLOW_NAME, defaults={"active": True})
    for order, (task_name, role) in enumerate(roles.TASKS):
        task, _ = GroupApprovalTask.objects.get_or_create(
            name=task_name, defaults={"content_type": task_ct, "active": True}
        )
        task.groups.set([groups[role], groups["administrator"]])
        WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": order})
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    Workflow.objects.exclude(pk=workflow.pk).update(active=False)


class Migration(migrations.Migration):
    dependencies = [
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
        ("media", "0001_initial"),
        ("taxonomy", "0002_seed"),
        ("wagtailimages", "0023_add_choose_permissions"),
        ("wagtaildocs", "0011_add_choose_permissions"),
    ]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
