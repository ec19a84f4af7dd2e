"""Every main page renders the seed plan for a user who may see it."""

import pytest

PAGES = [
    "/plans/",
    "/plans/q1-2026/",
    "/plans/q1-2026/matrix/",
    "/plans/q1-2026/gaps/",
    "/plans/q1-2026/problems/",
    "/plans/q1-2026/questions/",
    "/plans/q1-2026/next-steps/",
    "/plans/q1-2026/roles/",
    "/plans/q1-2026/roles/senior-dashboard-engineer/",
    "/plans/q1-2026/roles/senior-dashboard-engineer/history/",
    "/plans/q1-2026/roles/senior-dashboard-engineer/interview/",
    "/plans/q1-2026/interviews/",
]


@pytest.mark.parametrize("url", PAGES)
def test_page_renders_for_admin(admin_client_, plan, url):
    response = admin_client_.get(url)
    assert response.status_code == 200
    assert b"Q1 2026 Hiring Proposal" in response.content
