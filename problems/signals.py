"""Keep each plan's revision current: any saved or deleted row of a plan changes it.

The revision keys cached analyses, PDFs and ETags, so a missed change would
serve stale content; hooking every PlanContent model here means a new model
cannot forget. Whatever else must follow a change of plan content (documents
pre-rendered in the background) listens to ``plan_content_changed`` rather
than wiring itself to every model again.
"""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from problems.models import Plan, PlanContent

# Sent after a plan's revision changed because ``instance`` was saved or deleted
# (``deleted``); ``lookup`` finds the plan (``Plan.objects.filter(**lookup)``);
# ``raw`` is true while a fixture is loaded.
plan_content_changed = Signal()


def _changed(sender, instance, *, deleted: bool, raw: bool) -> None:
    lookup = {"pk": instance.pk} if isinstance(instance, Plan) else instance.plan_lookup()
    Plan.mark_changed(**lookup)
    plan_content_changed.send(
        sender=sender, instance=instance, lookup=lookup, deleted=deleted, raw=raw
    )


def _saved(sender, instance, raw=False, **kwargs):
    _changed(sender, instance, deleted=False, raw=raw)


def _deleted(sender, instance, **kwargs):
    _changed(sender, instance, deleted=True, raw=False)


def _m2m_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, (Plan, PlanContent)):
        _changed(type(instance), instance, deleted=False, raw=False)


def connect():
    for model in apps.get_models():
        if issubclass(model, (Plan, PlanContent)):
            label = model._meta.label
            post_save.connect(_saved, sender=model, dispatch_uid=f"plan-rev-save-{label}")
            post_delete.connect(_deleted, sender=model, dispatch_uid=f"plan-rev-del-{label}")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    _m2m_changed,
                    sender=field.remote_field.through,
                    dispatch_uid=f"plan-rev-m2m-{label}-{field.name}",
                )
