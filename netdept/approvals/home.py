"""The home page's "待我审批" widget and the navigation entry of the inbox."""
