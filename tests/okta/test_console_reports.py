"""Admin Console: Dashboard, Dashboard > Tasks (Retry Selected, Dismiss), Reports > System Log."""

from tests.okta.console_helpers import (
    APP_URL,
    console_fixture,  # noqa: F401  (a fixture)
    seeded_template,  # noqa: F401  (a fixture)
    visible_text,
)


def make_a_failed_task(console) -> str:
    """Provisioning to an unreachable SCIM server: assigning Henry fails, a task opens."""
    console.enable_scim()
    console.post(f"{APP_URL}provisioning/to-app", {"lifecycleCreate": "on"})
    console.post(f"{APP_URL}assignments/people", {"userId": "00uhenrydubois000008"})
    console.deliver()
    tasks = console.query("select id from provisioning_tasks where status = 'FAILED'")
    assert len(tasks) == 1
    return tasks[0]["id"]


def test_dashboard_counts(console):
    text = visible_text(console.text("/admin/dashboard"))
    assert "People" in text
    assert "Groups" in text
    assert "There are no tasks." in text


def test_tasks_page_lists_failed_provisioning(console):
    task_id = make_a_failed_task(console)
    html = console.text("/admin/tasks")
    text = visible_text(html)
    assert "Henry Dubois" in text
    assert "SonarQube" in text
    assert "Automatic provisioning of user Henry Dubois to app SonarQube failed" in text
    assert f'value="{task_id}"' in html
    assert ">Retry Selected</button>" in html
    assert ">Dismiss</button>" in html
    assert "1 provisioning task failed" in visible_text(console.text("/admin/dashboard"))


def test_retry_selected_puts_the_push_back_in_the_queue(console):
    task_id = make_a_failed_task(console)
    response = console.post("/admin/tasks/retry", {"taskId": task_id})
    assert response.status_code == 302
    assert console.query("select status from provisioning_tasks")[0]["status"] == "RETRIED"
    assert console.query("select 1 from provisioning_events where status = 'PENDING'")


def test_a_retried_task_shows_as_pending_until_its_push_finishes(console):
    task_id = make_a_failed_task(console)
    console.post("/admin/tasks/retry", {"taskId": task_id})
    html = console.text("/admin/tasks")
    retrying = visible_text(html.split('data-testid="tasks-retrying"', 1)[1].split("</section>")[0])
    assert "Provisioning in progress" in retrying
    assert "SonarQube: Henry Dubois" in retrying
    assert "There are no tasks." not in html
    assert 'http-equiv="refresh"' in html  # the page reloads itself until the push is done
    console.deliver()  # the SCIM server is still unreachable: the retry fails again
    html = console.text("/admin/tasks")
    assert 'data-testid="tasks-retrying"' not in html
    assert 'http-equiv="refresh"' not in html
    assert "Automatic provisioning of user Henry Dubois" in visible_text(html)


def test_dismiss_removes_the_task(console):
    task_id = make_a_failed_task(console)
    console.post("/admin/tasks/dismiss", {"taskId": task_id})
    assert console.query("select status from provisioning_tasks")[0]["status"] == "DISMISSED"
    assert not console.query("select 1 from provisioning_events where status = 'PENDING'")


def test_retry_without_selection_shows_the_error(console):
    make_a_failed_task(console)
    response = console.post("/admin/tasks/retry", {})
    assert response.status_code == 400
    assert "Select at least one task." in response.get_data(as_text=True)


def test_system_log_lists_events_newest_first(console):
    console.post("/admin/groups", {"name": "newest"})
    html = console.text("/report/system_log_2")
    for column in ("Time", "Actor", "Event Info", "Targets"):
        assert f">{column}</th>" in html
    first = html.index('data-event-type="')
    assert html[first:].startswith('data-event-type="group.lifecycle.create"')
    assert "Org Admin" in visible_text(html)


def test_system_log_search_by_text_and_by_expression(console):
    by_text = console.text("/report/system_log_2?q=application_assignment")
    assert 'data-event-type="group.application_assignment.add"' in by_text
    assert 'data-event-type="user.lifecycle.create"' not in by_text
    expression = 'eventType eq "group.lifecycle.create"'
    only = console.text(f"/report/system_log_2?q={expression}")
    types = set(part.split('"')[0] for part in only.split('data-event-type="')[1:])
    assert types == {"group.lifecycle.create"}


def test_system_log_outcome_filter(console):
    make_a_failed_task(console)
    failures = console.text("/report/system_log_2?outcome=FAILURE")
    outcomes = set(part.split('"')[0] for part in failures.split('data-outcome="')[1:])
    assert outcomes == {"FAILURE"}
    assert "application.provision.user.push" in failures


def test_system_log_bad_expression_is_shown(console):
    response = console.get('/report/system_log_2?q=nope eq "x"')
    assert response.status_code == 400
    assert "Invalid search criteria." in response.get_data(as_text=True)
