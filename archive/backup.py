"""The whole archive as files: export, fixity manifest, and restore into an empty database.

An export is a folder of JSON files, one per model, with foreign keys written as natural keys
(slugs, usernames) and rows in id order, so that exporting the same archive twice gives the same
bytes, plus `manifest-sha256.txt` (BagIt style: "<sha256>  <file>") to check them later.
History is included; curators' password hashes are not (users come back unable to log in
until a password is set).
"""

import datetime
import hashlib
import json
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.test.utils import override_settings

MANIFEST = "manifest-sha256.txt"
CURRENT = ["topic", "claim", "author", "document", "quote", "stance"]
HISTORICAL = [
    "historicaltopic",
    "historicalclaim",
    "historicalclaim_topics",
    "historicalauthor",
    "historicaldocument",
    "historicaldocument_authors",
    "historicalquote",
    "historicalquote_topics",
    "historicalstance",
]
UNUSABLE_PASSWORD = "!"


def archive_models():
    """(file name, model) in the order they must be loaded."""
    models = [("users.json", get_user_model())]
    models += [(f"{name}.json", apps.get_model("archive", name)) for name in CURRENT + HISTORICAL]
    return models


def full_precision(value):
    """JSON for what json cannot encode itself; unlike Django's encoder, keeps microseconds."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return DjangoJSONEncoder().default(value)


def serialize(model):
    rows = serializers.serialize(
        "python",
        model._default_manager.order_by("pk"),
        use_natural_foreign_keys=True,
        # Archive rows keep their ids: quote ids are permanent URLs, and history rows refer to
        # the ids of the rows they record. Users are matched by username.
        use_natural_primary_keys=model is get_user_model(),
    )
    if model is get_user_model():
        for row in rows:  # no secrets in a backup
            row["fields"]["password"] = UNUSABLE_PASSWORD
            row["fields"]["user_permissions"] = []
    return json.dumps(rows, indent=1, ensure_ascii=False, default=full_precision) + "\n"


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def export_archive(directory):
    """Write every model's rows and the manifest into directory; return the file names."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    names = []
    with transaction.atomic():  # one consistent snapshot
        for name, model in archive_models():
            (directory / name).write_text(serialize(model), encoding="utf-8")
            names.append(name)
    manifest = "".join(f"{sha256(directory / name)}  {name}\n" for name in names)
    (directory / MANIFEST).write_text(manifest, encoding="utf-8")
    return names


def fixity_problems(directory):
    """What does not match the manifest: missing, changed or unlisted files. Empty if intact."""
    directory = Path(directory)
    manifest = directory / MANIFEST
    if not manifest.is_file():
        return [f"no {MANIFEST} in {directory}"]
    problems = []
    listed = set()
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
        digest, _, name = line.partition("  ")
        if not name or len(digest) != 64:
            problems.append(f"{MANIFEST} line {number} is not '<sha256>  <file>'")
            continue
        listed.add(name)
        path = directory / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif sha256(path) != digest:
            problems.append(f"{name} has changed (its SHA-256 no longer matches)")
    expected = {name for name, _ in archive_models()}
    problems += [f"{name} is not in the manifest" for name in sorted(expected - listed)]
    extra = {p.name for p in directory.iterdir() if p.is_file()} - listed - {MANIFEST}
    problems += [f"{name} is not in the manifest" for name in sorted(extra)]
    return problems


def holds_archive_data():
    return any(
        apps.get_model("archive", name)._default_manager.exists() for name in CURRENT + HISTORICAL
    )


def import_archive(directory):
    """Load an export into an empty archive, history as it was (none recorded by the load)."""
    directory = Path(directory)
    with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
        for name, _ in archive_models():
            call_command("loaddata", str(directory / name), verbosity=0)
