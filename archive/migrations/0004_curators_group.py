"""The "Curators" group: add, change and view the archive, never delete it, never manage users.

A curator is a staff user in this group. Curators withdraw or merge a quote instead of deleting
it (its address must keep answering); superusers may still do everything. The group also gets
"view" on the history models, so that the admin's History pages work even if
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS is turned on.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Curators"
CURATED_MODELS = ["document", "author", "quote", "topic", "claim", "stance"]
ACTIONS = ["add", "change", "view"]


def curator_codenames():
    """The permission codenames the group holds: no delete, nothing outside the archive app."""
    codenames = [f"{action}_{model}" for model in CURATED_MODELS for action in ACTIONS]
    codenames += [f"view_historical{model}" for model in CURATED_MODELS]
    return codenames


def create_curators(apps, schema_editor):
    """Create the group with its permissions; on a fresh database, create the permissions first."""
    archive = apps.get_app_config("archive")
    # create_permissions skips an app without a models module, which migration states lack.
    models_module, archive.models_module = getattr(archive, "models_module", None), True
    try:
        create_permissions(archive, verbosity=0, apps=apps, using=schema_editor.connection.alias)
    finally:
        archive.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = curator_codenames()
    permissions = Permission.objects.using(schema_editor.connection.alias).filter(
        content_type__app_label="archive", codename__in=wanted
    )
    found = {permission.codename for permission in permissions}
    missing = sorted(set(wanted) - found)
    if missing:
        raise RuntimeError(f"Permissions missing for the Curators group: {', '.join(missing)}")
    group, _created = Group.objects.using(schema_editor.connection.alias).get_or_create(name=GROUP)
    group.permissions.set(permissions)


def remove_curators(apps, schema_editor):
    """Undo: remove the group (its members stay staff users, without the group's rights)."""
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0003_history_and_merging"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_curators, remove_curators)]
