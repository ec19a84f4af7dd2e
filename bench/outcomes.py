"""Hires and check-ins at 100 problems x 300 roles: the pages that read them, with and without
people, and the day's reminders (issue 31).

Run: python -m bench.outcomes
"""

import time

from bench.common import (
    WSGICaller,
    bench_user,
    median_seconds,
    ms,
    prepare_database,
    session_cookie,
    setup_django,
    table,
)

PAGES = {
    "overview": "/plans/{slug}/",
    "gaps": "/plans/{slug}/gaps/",
    "hires": "/plans/{slug}/hires/",
    "check-ins due": "/plans/{slug}/check-ins/",
    "compare with next quarter": "/plans/{next}/compare/?with={slug}",
}


def run(repeat: int = 7) -> dict:
    from django.db import connection
    from django.utils import timezone

    from coverage.reminders import reminders_due, send_reminders
    from hiringplan.management.commands.generate_plan import generate_plan
    from plans.next_quarter import clone_plan
    from roles.models import CheckIn, CheckInReminder, Hire

    prepare_database()
    manager = bench_user()
    manager.email = "bench@example.com"
    manager.save()
    results, rows = {}, []
    for label, hires in (("nobody hired", False), ("with hires", True)):
        slug = f"bench-out-{int(hires)}"
        plan = generate_plan(slug, 100, 300, hires=hires, hiring_manager=manager)
        started = time.perf_counter()
        clone_plan(plan, title="Next", slug=f"{slug}-next", period="Next")
        copy_seconds = time.perf_counter() - started
        people = Hire.objects.filter(role__plan=plan).count()
        check_ins = CheckIn.objects.filter(hire__role__plan=plan).count()
        caller = WSGICaller(session_cookie(manager))
        for page, pattern in PAGES.items():
            path = pattern.format(slug=slug, next=f"{slug}-next")
            status, _, _ = caller.get(path)
            assert status == 200, (path, status)
            queries = []

            def count(execute, *args, queries=queries):
                queries.append(args[0])
                return execute(*args)

            with connection.execute_wrapper(count):
                caller.get(path)
            seconds = median_seconds(lambda path=path, caller=caller: caller.get(path), repeat)
            results[(label, page)] = (seconds, len(queries))
            rows.append([label, page, ms(seconds), len(queries)])
        rows.append([label, f"next quarter's copy ({people} hires, {check_ins} check-ins)",
                     ms(copy_seconds), ""])
    # The day's reminders over every generated hire: find them, then send (locmem backend).
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    today = timezone.localdate()
    CheckInReminder.objects.all().delete()
    queries = []
    with connection.execute_wrapper(lambda execute, *a: queries.append(a[0]) or execute(*a)):
        started = time.perf_counter()
        due = reminders_due(today, catch_up_days=400)
        find_seconds = time.perf_counter() - started
    started = time.perf_counter()
    sent = send_reminders(today, base_url="http://localhost", catch_up_days=400)
    send_seconds = time.perf_counter() - started
    rows.append(["reminders", f"find {sum(len(r.criteria) for r in due)} due", ms(find_seconds),
                 len(queries)])
    rows.append(["reminders", f"send {len(sent.sent)} e-mails", ms(send_seconds), ""])
    again = time.perf_counter()
    assert not send_reminders(today, base_url="http://localhost", catch_up_days=400).sent
    rows.append(["reminders", "run again (sends nothing)", ms(time.perf_counter() - again), ""])
    print("\nHires and check-ins at 100 x 300 (median server time, in-process WSGI)")
    print(table(["plan", "page", "median", "queries"], rows))
    return results


if __name__ == "__main__":
    setup_django()
    run()
