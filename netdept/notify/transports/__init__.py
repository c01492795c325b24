"""Channel kinds. Importing this package registers every transport."""

from netdept.notify.transports import (  # noqa: F401  (each registers itself)
    dingtalk,
    email,
    feishu,
    webhook,
    wecom,
)
