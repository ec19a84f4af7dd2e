"""Parsing of the accounts settings that come from the environment.

Imported by the settings module, so it imports nothing that needs the app registry;
the group names are checked against core.permissions once the apps are ready.
"""

from django.core.exceptions import ImproperlyConfigured


def parse_group_map(raw: str | None, *, variable: str = "OIDC_GROUP_MAP") -> dict[str, str]:
    """``"okta-leaders=Leadership,okta-hm=Hiring managers"`` -> {IdP group: app group}.

    Several IdP groups may map to one app group; an IdP group maps to one app group.
    A typo stops start-up with a message naming the variable, never a silent no-access.
    """
    if raw is None or not raw.strip():
        return {}
    mapping: dict[str, str] = {}
    for entry in raw.split(","):
        idp_group, sep, app_group = (part.strip() for part in entry.partition("="))
        if not sep or not idp_group or not app_group:
            raise ImproperlyConfigured(
                f"{variable}: {entry.strip()!r} is not IDP_GROUP=App group "
                "(separate entries with commas)."
            )
        if idp_group in mapping and mapping[idp_group] != app_group:
            raise ImproperlyConfigured(f"{variable}: {idp_group!r} is mapped twice.")
        mapping[idp_group] = app_group
    return mapping


def check_group_names(mapping: dict[str, str], group_names, *, variable="OIDC_GROUP_MAP"):
    unknown = sorted({app for app in mapping.values() if app not in group_names})
    if unknown:
        raise ImproperlyConfigured(
            f"{variable}: {', '.join(map(repr, unknown))} is not a group of the app; "
            f"use one of {', '.join(group_names)}."
        )
