"""Export → import → export gives the same bytes; fixity checks catch any change."""

import json

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test.utils import override_settings

from archive.backup import CURRENT, HISTORICAL
from archive.models import Quote

pytestmark = pytest.mark.django_db


def empty_everything():
    """A database as after migrate: no archive rows, no history, no users."""
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        for name in list(reversed(CURRENT)) + HISTORICAL:
            model = apps.get_model("archive", name)
            if name == "quote":
                model.objects.update(merged_into=None)
            model._default_manager.all().delete()
        User.objects.all().delete()


@pytest.fixture
def curated_archive():
    """The archive with a curator's edit on record, so history is more than revision 1."""
    curator = User.objects.create_user("curator", password="a-long-curator-password")
    quote = Quote.objects.get(pk=207)
    quote.original_source = quote.original_source + " (checked)"
    quote._change_reason = "Checked against the endnote"
    quote._history_user = curator
    quote.save()
    return quote


def files_of(directory):
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_export_import_export_round_trips_byte_for_byte(tmp_path, curated_archive):
    first, second = tmp_path / "first", tmp_path / "second"
    call_command("export_archive", str(first))
    empty_everything()
    assert not Quote.objects.exists()
    call_command("import_archive", str(first))
    call_command("export_archive", str(second))
    assert files_of(first) == files_of(second)
    restored = Quote.objects.get(pk=207)
    assert restored.original_source.endswith("(checked)")
    last = restored.history.order_by("-history_date").first()
    assert last.history_change_reason == "Checked against the endnote"
    assert last.history_user.username == "curator"


def test_the_export_holds_history_and_no_password_hashes(tmp_path, curated_archive):
    call_command("export_archive", str(tmp_path))
    users = json.loads((tmp_path / "users.json").read_text())
    assert [u["fields"]["password"] for u in users] == ["!"]
    history = json.loads((tmp_path / "historicalquote.json").read_text())
    assert any(
        row["fields"]["history_change_reason"] == "Checked against the endnote" for row in history
    )
    quotes = json.loads((tmp_path / "quote.json").read_text())
    assert {row["pk"] for row in quotes} == set(Quote.objects.values_list("pk", flat=True))
    assert all(isinstance(row["fields"]["speaker"], list) for row in quotes), "natural keys"


def test_check_fixity_passes_an_intact_export(tmp_path, capsys):
    call_command("export_archive", str(tmp_path))
    call_command("check_fixity", str(tmp_path))
    assert "matches manifest-sha256.txt" in capsys.readouterr().out


@pytest.mark.parametrize("damage", ["change", "remove", "add"])
def test_check_fixity_catches_a_changed_missing_or_unlisted_file(tmp_path, damage, capsys):
    call_command("export_archive", str(tmp_path))
    target = tmp_path / "quote.json"
    if damage == "change":
        target.write_bytes(target.read_bytes().replace(b"Lenin", b"Lenim", 1))
    elif damage == "remove":
        target.unlink()
    else:
        (tmp_path / "stray.json").write_text("[]")
    with pytest.raises(CommandError, match="fixity problem"):
        call_command("check_fixity", str(tmp_path))
    expected = {"change": "quote.json has changed", "remove": "quote.json is missing"}
    assert expected.get(damage, "stray.json is not in the manifest") in capsys.readouterr().err


def test_import_refuses_a_damaged_export_and_a_database_that_holds_data(tmp_path):
    call_command("export_archive", str(tmp_path))
    with pytest.raises(CommandError, match="already holds archive data"):
        call_command("import_archive", str(tmp_path))
    (tmp_path / "topic.json").write_text("[]")
    empty_everything()
    with pytest.raises(CommandError, match="fails its fixity check"):
        call_command("import_archive", str(tmp_path))
    assert not Quote.objects.exists()
