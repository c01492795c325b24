"""The REST API of approvals beyond the generated endpoints (submit, inbox, bulk approve)."""
