"""Keep each plan's revision current: any saved or deleted row of a plan changes it.

The revision keys cached PDFs and ETags, so a missed change would serve a stale
document; hooking every PlanContent model here means a new model cannot forget.
"""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from problems.models import Plan, PlanContent


def _plan_changed(sender, instance, **kwargs):
    if isinstance(instance, Plan):
        Plan.mark_changed(pk=instance.pk)
    else:
        Plan.mark_changed(**instance.plan_lookup())


def _m2m_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, (Plan, PlanContent)):
        _plan_changed(sender, instance)


def connect():
    for model in apps.get_models():
        if issubclass(model, (Plan, PlanContent)):
            post_save.connect(
                _plan_changed, sender=model, dispatch_uid=f"plan-rev-save-{model._meta.label}"
            )
            post_delete.connect(
                _plan_changed, sender=model, dispatch_uid=f"plan-rev-del-{model._meta.label}"
            )
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    _m2m_changed,
                    sender=field.remote_field.through,
                    dispatch_uid=f"plan-rev-m2m-{model._meta.label}-{field.name}",
                )
