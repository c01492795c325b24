from netdept.core.models.audit import AuditChain, AuditRecord
from netdept.core.models.base import BaseModel

__all__ = ["AuditChain", "AuditRecord", "BaseModel"]
