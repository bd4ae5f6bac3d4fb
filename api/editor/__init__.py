"""The editors' workspace: catalog entries edited and reviewed in the console, with who and when."""
