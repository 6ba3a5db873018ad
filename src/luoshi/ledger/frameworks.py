"""The default framework: the six aspects of the reference self-examination document."""

from __future__ import annotations

from typing import Any

DEFAULT_NAME = "民主生活会六个方面"
DEFAULT_DESCRIPTION = "理论学习、政治素质、能力本领、担当作为、工作作风、廉洁自律六个方面"
DEFAULT_ASPECTS = ("理论学习", "政治素质", "能力本领", "担当作为", "工作作风", "廉洁自律")


def ensure_default_framework(framework_model: Any, aspect_model: Any) -> Any:
    """Create the default framework and its aspects if missing (models passed in, so the data
    migration can use its historical models)."""
    framework, _created = framework_model.objects.get_or_create(
        name=DEFAULT_NAME, defaults={"is_default": True, "description": DEFAULT_DESCRIPTION}
    )
    for order, name in enumerate(DEFAULT_ASPECTS, start=1):
        aspect_model.objects.get_or_create(framework=framework, name=name, defaults={"order": order})
    return framework
