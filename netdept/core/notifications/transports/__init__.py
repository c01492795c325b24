"""Channel kinds. Importing this package registers every transport."""

from netdept.core.notifications.transports import (  # noqa: F401  (each registers itself)
    dingtalk,
    email,
    feishu,
    webhook,
    wecom,
)
