"""The decision guide (which pattern fits, and why) and the troubleshooting recipes."""
