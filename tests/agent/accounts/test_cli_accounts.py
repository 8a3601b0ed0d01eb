"""``tactful customers import | show | opt-out`` on the demo bakery's configuration and a store under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app

DEMO = Path(__file__).resolve().parents[3] / "knowledge" / "demo" / "bakery-accounts.json"


@pytest.fixture
def tactful(tmp_path, monkeypatch):
    """Run ``tactful ...`` with the demo configuration and its data under tmp_path; returns (run, the store)."""
    from agent.assembly import open_store
    from agent.config import load_config

    monkeypatch.chdir(tmp_path)  # no ./tactful.yaml
    monkeypatch.delenv("TACTFUL_CONFIG", raising=False)
    monkeypatch.setenv("TACTFUL_DATA_DIR", str(tmp_path / "data"))
    config = load_config()
    store = open_store(config)
    runner = CliRunner()
    yield (lambda *args: runner.invoke(app, ["customers", *map(str, args)])), store, config.collection_name
    store.close()


def test_the_demo_customers_are_imported_and_a_second_import_updates_them(tactful):
    run, store, business = tactful

    first = run("import", DEMO)
    second = run("import", DEMO)

    assert first.exit_code == 0, first.output
    assert "customers: 4 new, 0 updated; orders: 6 new, 0 updated; appointments: 1 new, 0 updated" in first.output
    assert second.exit_code == 0 and "customers: 0 new, 4 updated" in second.output
    assert store.customer_by_external_id(business, "C1003").name == "Wilhelmina Sconeworthy"


def test_a_bad_file_is_not_imported_and_its_rows_are_listed(tactful, tmp_path):
    run, store, business = tactful
    orders = tmp_path / "orders.csv"
    orders.write_text("number,customer_id,status\nCR-1,C1001,shipped\nCR-2,C1001,placed\n", encoding="utf-8")

    result = run("import", DEMO, orders)

    assert result.exit_code == 2
    assert f"Imported {DEMO}" in result.output  # the good file beside it went in
    assert f"Not imported (nothing of these files was stored): {orders}" in result.output
    assert f"{orders}, line 2: status: 'shipped' is not one of placed" in result.output
    assert store.order(business, "CR-2") is None


def test_broken_json_and_a_missing_file_get_clear_errors(tactful, tmp_path):
    run, store, business = tactful
    broken = tmp_path / "accounts.json"
    broken.write_text('{"customers": [\n  {"id": "C1" "name": "Jo"}\n]}', encoding="utf-8")

    bad_json = run("import", broken)
    missing = run("import", DEMO, tmp_path / "nope.csv")

    assert bad_json.exit_code == 2
    assert "line 2: is not valid JSON at column 15: Expecting ',' delimiter" in bad_json.output
    assert missing.exit_code == 2 and "nope.csv: no such file" in " ".join(missing.output.split())
    assert store.customer_by_external_id(business, "C1001") is None  # nothing imported when a file is missing


def test_show_prints_the_profile_orders_and_upcoming_appointments_and_is_audited(tactful):
    run, store, business = tactful
    run("import", DEMO)

    result = run("show", "C1003", "--as", "Sam")

    assert result.exit_code == 0, result.output
    out = result.output
    assert "Customer C1003: Wilhelmina Sconeworthy" in out and "w.sconeworthy@example.com" in out
    assert "CR-10238  delayed  delivery  1 x Gluten-free carrot cake  28.00 GBP" in out
    assert "note: Our gluten-free oven is being repaired" in out
    assert "AP-2001  cake consultation" in out and "(30 min)" in out
    [event] = store.audit_events(business)
    assert (event.actor, event.action, event.detail) == ("Sam", "viewed", "customer profile C1003")


def test_an_unknown_customer_is_an_error_and_nothing_is_audited(tactful):
    run, store, business = tactful
    run("import", DEMO)

    result = run("show", "C9999", "--as", "Sam")

    assert result.exit_code == 2 and "there is no customer 'C9999'" in result.output
    assert store.audit_events(business) == []


def test_opt_out_stops_proactive_messages_and_undo_resumes_them(tactful):
    run, store, business = tactful
    run("import", DEMO)

    out = run("opt-out", "C1002", "--as", "Sam")
    shown = run("show", "C1002", "--as", "Sam")
    assert out.exit_code == 0 and "C1002 will get no proactive messages" in out.output
    assert store.customer_by_external_id(business, "C1002").opted_out
    assert "proactive   off (opted out)" in shown.output

    back = run("opt-out", "C1002", "--undo", "--as", "Sam")
    assert back.exit_code == 0 and "will get proactive messages again" in back.output
    assert not store.customer_by_external_id(business, "C1002").opted_out
    assert [e.action for e in store.audit_events(business)] == ["opted out", "viewed", "opted in"]
