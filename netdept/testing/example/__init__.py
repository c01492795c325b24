"""The example module of docs/adding-a-module.md: spare parts (备件) with pages, API, a state
machine, a search entry, a home card and generated tests. Installed in test settings only
(netdept/test_settings.py); netdept/testing/test_guide.py checks the guide's code against it."""
