"""The filter sets of approvals: one per model, shared by the pages, the inbox and the API."""
